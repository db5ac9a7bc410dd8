/*
 * nwm.c -- the oscillator sheet ("neural wave machine") of Jacobs,
 * Budzinski, Muller, Ba and Keller ("Traveling waves integrate spatial
 * information through time", 2025): C channels of damped oscillators on
 * an H x W torus, coupled through a 3x3 circular convolution W and
 * driven by an image u.  With y the position and z the velocity of each
 * oscillator, a step is symplectic Euler, the velocity first and the
 * position from the new velocity:
 *
 *	z' = z + dt (tanh(W * y + b) - omega . y - alpha . z)
 *	y' = y + dt z'
 *
 * omega (the squared natural frequency) and alpha (the damping) are made
 * from the image by two local encoders, 3x3 convolutions from the I
 * input channels to the C channels with zero padding, each followed by a
 * relu, which keeps them non-negative:
 *
 *	omega = relu(E_omega * u + e_omega),  alpha = relu(E_alpha * u + e_alpha)
 *
 * This follows the authors' code (KempnerInstitute/traveling-waves-
 * integrate, cornn_model2.py): its encoders are stacks of 3x3
 * convolutions with zero padding ending in a relu, its coupling a 3x3
 * circular convolution without bias started at the discrete Laplacian,
 * its dt 0.1.  Here each encoder is one layer, and W has a bias b; relu'
 * is 0 at 0, as PyTorch's.  Their initial position comes from a third
 * encoder of the image; here it is the initial state h0, as for every
 * kind (the encoder of y0 is not part of this model).
 *
 * The state is [y, z], each C sheets of H x W channel-major (unit (c, i,
 * j) of y at (c H + i) W + j, of z at C H W + that), so the layout
 * (dk_model_layout) is 2 C periodic sheets: channels 0 .. C - 1 are y,
 * C .. 2 C - 1 are z.  The input of a step is the image, I H W values
 * channel-major, given at every step; the encoders are part of the step,
 * so vjp gives the gradient with respect to the image and the encoders'
 * parameters.  jvp, the Jacobian and the vector field are with respect to
 * the state only: omega and alpha do not depend on it.
 *
 * The vector field (nwm is continuous-time) is f(y, z) = (z, tanh(W * y
 * + b) - omega . y - alpha . z); the step is not an explicit Runge-Kutta
 * step of it, but has the same fixed points (z = 0 and f = 0).
 *
 * Parameters, in this order: model/W (C, C, 3, 3), model/b (C),
 * model/enc_omega (C, I, 3, 3), model/enc_omega_b (C), model/enc_alpha
 * (C, I, 3, 3), model/enc_alpha_b (C), in PyTorch's Conv2d layout.
 *
 * A head (spec.classes, steps, readout): the per-pixel readout over the
 * T positions y of a sequence and the MLP of the authors' code
 * (pixel_head.h; model/fc_time, model/mlp_w1 .. mlp_b3 after the
 * encoders, in PyTorch's Linear layout); such a model has no per-step
 * outputs.
 *
 * Initialisation "laplacian" (the only one): each channel's own kernel
 * is the 5-point Laplacian [0 1 0; 1 -4 1; 0 1 0], no coupling between
 * channels, and b = 0, so that for a small state W * y + b is the
 * Laplacian and the sheet is the damped wave equation y_tt = lap y -
 * omega y - alpha y_t with speed 1 cell per unit time.  The Laplacian is
 * not scaled, as in the authors' code: the undamped scheme is stable
 * when dt^2 (8 + omega) < 4 (8 is the largest eigenvalue of -lap), which
 * at the default dt 0.1 holds for omega up to 392.  The encoders' weights
 * are uniform on [-s, s], s = 0.1 / sqrt(9 I), so that an image of unit
 * values moves omega and alpha by about 0.1; e_omega = 1 (a period of
 * 2 pi, about 63 steps at dt 0.1) and e_alpha = 0.1 (amplitudes decay as
 * exp(-t / 20)), so both start inside the relu's active side.
 *
 * Every call works a state at a time through two conv2d workspaces (the
 * coupling and the encoders), opened with the model's workspace; the
 * step's cache holds per state tanh(W * y + b) and the two encoders'
 * pre-activations (3 C H W doubles).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/conv2d.h"
#include "models/model_impl.h"

#define NWM_DT 0.1
#define NWM_OMEGA0 1.0  /* e_omega at the start */
#define NWM_ALPHA0 0.1  /* e_alpha at the start */
#define NWM_ENC_SCALE 0.1

/* Offsets of the parameters in theta. */
typedef struct { size_t W, b, Ew, ew, Ea, ea; } nwm_params;

static nwm_params params(const dk_model *m)
{
	return (nwm_params){m->view[0].offset, m->view[1].offset, m->view[2].offset,
	                    m->view[3].offset, m->view[4].offset, m->view[5].offset};
}

/* The coupling's convolution (circular, with bias b) and the encoders'
   (zero padding, with bias), one state per call. */
static dk_conv2d_spec coupling_spec(const dk_model *m)
{
	dk_conv2d_spec s = dk_conv2d_spec_default();
	s.batch = 1;
	s.in_channels = s.out_channels = m->spec.channels;
	s.height = m->spec.height;
	s.width = m->spec.width;
	s.kernel_h = s.kernel_w = 3;
	s.padding = DK_CONV2D_CIRCULAR;
	return s;
}

static dk_conv2d_spec encoder_spec(const dk_model *m)
{
	dk_conv2d_spec s = coupling_spec(m);
	s.in_channels = m->spec.inputs;
	s.padding = DK_CONV2D_ZERO;
	return s;
}

/* Units of one sheet of channels: C H W. */
static size_t sheet_units(const dk_model *m)
{
	return m->n / 2;
}

static int nwm_layout(dk_model *m, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	size_t C = s->channels, H = s->height, W = s->width, I = s->inputs;
	if (!C || !H || !W)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: channels, height and "
		                 "width must be at least 1");
	if (!I)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: inputs (the image's "
		                 "channels) must be at least 1");
	/* no parameter grows with the sheet but the readout's weights
	   (outputs x 2 C H W): with at least one output, a model loaded from
	   a file is no larger than its tensors, whatever its attrs say.  A
	   model with a head has no per-step outputs; what it runs on (an
	   image of I H W values per example) bounds it instead. */
	if (!s->outputs && !s->classes)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: outputs must be at least 1");
	if (s->dt == 0)
		s->dt = NWM_DT;
	if (!(s->dt >= DBL_MIN) || !isfinite(s->dt))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: the step dt must be a "
		                 "positive normal number, not %g", s->dt);
	/* the state (2 C H W), the image (I H W) and the scratch (7 C H W +
	   I H W doubles) must fit, and the convolutions' own sizes too */
	size_t HW, N, P, twoN;
	if (__builtin_mul_overflow(H, W, &HW) || __builtin_mul_overflow(C, HW, &N) ||
	    __builtin_mul_overflow(I, HW, &P) || N > SIZE_MAX / sizeof(double) / 32 ||
	    P > SIZE_MAX / sizeof(double) / 4)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: %zu channels and %zu inputs "
		                 "on a %zu x %zu sheet is too large", C, I, H, W);
	twoN = 2 * N;
	if (s->units && s->units != HW)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: units is the sheet's H W = %zu, "
		                 "not %zu", HW, s->units);
	s->units = HW;
	m->n = twoN;
	m->input_size = P;
	dk_conv2d_spec cs = coupling_spec(m), es = encoder_spec(m);
	char why[192];
	if (dk_conv2d_spec_check(&cs, NULL, why, sizeof why) ||
	    dk_conv2d_spec_check(&es, NULL, why, sizeof why))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: %s", why);
	m->spec.act = DK_ACT_TANH; /* always */
	static const char *const w_axes[4] = {"channel_out", "channel_in", "tap_row", "tap_col"};
	static const char *const e_axes[4] = {"channel", "input", "tap_row", "tap_col"};
	static const char *const b_axes[1] = {"channel"};
	size_t ws[4] = {C, C, 3, 3}, es_shape[4] = {C, I, 3, 3}, bs[1] = {C};
	dk_model_add_param(m, "model/W", 4, ws, w_axes);
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	dk_model_add_param(m, "model/enc_omega", 4, es_shape, e_axes);
	dk_model_add_param(m, "model/enc_omega_b", 1, bs, b_axes);
	dk_model_add_param(m, "model/enc_alpha", 4, es_shape, e_axes);
	dk_model_add_param(m, "model/enc_alpha_b", 1, bs, b_axes);
	return dk_model_add_head(m, C, HW, err, errlen);
}

/* y's C sheets, then z's: periodic in rows and columns. */
static void nwm_spatial(const dk_model *m, dk_layout *out)
{
	*out = dk_layout_sheets(2 * m->spec.channels, m->spec.height, m->spec.width, 1);
}

static int nwm_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	if (strcmp(m->spec.init, "laplacian"))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: unknown initialisation "
		                 "'%s' (laplacian)", m->spec.init);
	nwm_params p = params(m);
	size_t C = m->spec.channels, I = m->spec.inputs;
	double *W = m->theta + p.W;
	static const double lap[9] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
	for (size_t k = 0; k < C; k++)
		memcpy(W + (k * C + k) * 9, lap, sizeof lap);
	double s = NWM_ENC_SCALE / sqrt(9.0 * (double)I);
	for (size_t i = 0; i < C * I * 9; i++)
		m->theta[p.Ew + i] = s * (2 * dk_rng_uniform(rng) - 1);
	for (size_t i = 0; i < C * I * 9; i++)
		m->theta[p.Ea + i] = s * (2 * dk_rng_uniform(rng) - 1);
	for (size_t k = 0; k < C; k++) {
		m->theta[p.ew + k] = NWM_OMEGA0;
		m->theta[p.ea + k] = NWM_ALPHA0;
	}
	dk_model_init_head(m, rng);
	return DK_OK;
}

/* ---- the scratch ---- */

/*
 * Doubles: the two workspaces' pointers in the first SLOTS, a cache for
 * one state (3 N, N = C H W), four temporaries of N and one of the image
 * (I H W).  Every call goes a state at a time, so none of it grows with
 * the batch.
 */
#define SLOTS ((2 * sizeof(dk_conv2d *) + sizeof(double) - 1) / sizeof(double))

typedef struct {
	dk_conv2d *coupling, *encoder;
	double *cache, *T1, *T2, *T3, *T4, *U;
} scratch;

static scratch carve(const dk_model *m, double *work)
{
	size_t N = sheet_units(m);
	scratch s;
	dk_conv2d *c[2];
	memcpy(c, work, sizeof c);
	s.coupling = c[0];
	s.encoder = c[1];
	s.cache = work + SLOTS;
	s.T1 = s.cache + 3 * N;
	s.T2 = s.T1 + N;
	s.T3 = s.T2 + N;
	s.T4 = s.T3 + N;
	s.U = s.T4 + N;
	return s;
}

static size_t nwm_work_size(const dk_model *m, size_t batch)
{
	(void)batch;
	return SLOTS + 7 * sheet_units(m) + m->spec.inputs * m->spec.units;
}

static size_t nwm_cache_size(const dk_model *m)
{
	return 3 * sheet_units(m);
}

static int nwm_work_open(const dk_model *m, double *work, size_t batch)
{
	(void)batch;
	dk_conv2d *c[2] = {NULL, NULL};
	dk_conv2d_spec cs = coupling_spec(m), es = encoder_spec(m);
	char err[192];
	if (dk_conv2d_alloc(&cs, &c[0], err, sizeof err) ||
	    dk_conv2d_alloc(&es, &c[1], err, sizeof err)) {
		dk_conv2d_free(c[0]);
		return DK_ENOMEM;
	}
	memcpy(work, c, sizeof c);
	return DK_OK;
}

static void nwm_work_close(double *work)
{
	dk_conv2d *c[2];
	memcpy(c, work, sizeof c);
	dk_conv2d_free(c[0]);
	dk_conv2d_free(c[1]);
}

static double relu(double v)
{
	return v > 0 ? v : 0;
}

/* ---- one state ---- */

/*
 * The cache of one state: c[0 .. N) = tanh(W * y + b), c[N .. 2N) and
 * c[2N .. 3N) the pre-activations of omega and alpha (u NULL: the
 * encoders' biases alone).
 */
static void fill_cache(const dk_model *m, scratch *s, const double *x,
                       const double *u, double *c)
{
	nwm_params p = params(m);
	size_t N = sheet_units(m), HW = m->spec.units;
	const double *th = m->theta;
	dk_conv2d_forward(s->coupling, 1, x, th + p.W, th + p.b, c);
	for (size_t i = 0; i < N; i++)
		c[i] = tanh(c[i]);
	if (u) {
		dk_conv2d_forward(s->encoder, 1, u, th + p.Ew, th + p.ew, c + N);
		dk_conv2d_forward(s->encoder, 1, u, th + p.Ea, th + p.ea, c + 2 * N);
	} else {
		for (size_t k = 0; k < m->spec.channels; k++)
			for (size_t i = 0; i < HW; i++) {
				c[N + k * HW + i] = th[p.ew + k];
				c[2 * N + k * HW + i] = th[p.ea + k];
			}
	}
}

/* The cache of row r: the caller's, or filled into the scratch. */
static const double *row_cache(const dk_model *m, scratch *s, const double *x,
                               const double *u, const double *cache, size_t r)
{
	if (cache)
		return cache + r * nwm_cache_size(m);
	fill_cache(m, s, x + r * m->n, u ? u + r * m->spec.inputs * m->spec.units : NULL,
	           s->cache);
	return s->cache;
}

static int nwm_step(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, double *xn, double *cache)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m), P = m->spec.inputs * m->spec.units;
	double dt = m->spec.dt;
	for (size_t r = 0; r < B; r++) {
		double *c = cache ? cache + r * 3 * N : s.cache;
		const double *xr = x + r * m->n;
		double *out = xn + r * m->n;
		fill_cache(m, &s, xr, u ? u + r * P : NULL, c);
		/* each entry is read before it is written: xn may be x */
		for (size_t i = 0; i < N; i++) {
			double y = xr[i], z = xr[N + i];
			double zn = z + dt * (c[i] - relu(c[N + i]) * y - relu(c[2 * N + i]) * z);
			out[N + i] = zn;
			out[i] = y + dt * zn;
		}
	}
	return DK_OK;
}

static int nwm_jvp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *dx,
                   double *dxn)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	double dt = m->spec.dt;
	const double *W = m->theta + params(m).W;
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, cache, r);
		const double *d = dx + r * m->n;
		double *out = dxn + r * m->n;
		dk_conv2d_jvp_input(s.coupling, 1, W, d, s.T1);
		for (size_t i = 0; i < N; i++) {
			double dy = d[i], dz = d[N + i];
			double dzn = dz + dt * ((1 - c[i] * c[i]) * s.T1[i] -
			                        relu(c[N + i]) * dy - relu(c[2 * N + i]) * dz);
			out[N + i] = dzn;
			out[i] = dy + dt * dzn;
		}
	}
	return DK_OK;
}

/*
 * With gz~ = gz' + dt gy' the whole gradient reaching z':
 *   gy = gy' + dt (W^T (tanh' gz~) - omega gz~),  gz = (1 - dt alpha) gz~,
 * the pre-activation of the coupling gets dt tanh' gz~, those of omega
 * and alpha -dt y gz~ and -dt z gz~ where they are positive.
 */
static int nwm_vjp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *gxn,
                   double *gx, double *gu, double *gp)
{
	scratch s = carve(m, work);
	nwm_params p = params(m);
	size_t N = sheet_units(m), HW = m->spec.units, P = m->spec.inputs * HW;
	double dt = m->spec.dt;
	const double *th = m->theta;
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, cache, r);
		const double *xr = x + r * m->n, *g = gxn + r * m->n;
		const double *ur = u ? u + r * P : NULL;
		double *ga = s.T1, *gw = s.T2, *gal = s.T3, *out = gx + r * m->n;
		for (size_t i = 0; i < N; i++) {
			double gzt = g[N + i] + dt * g[i], gy = g[i];
			ga[i] = dt * (1 - c[i] * c[i]) * gzt;
			gw[i] = c[N + i] > 0 ? -dt * xr[i] * gzt : 0;
			gal[i] = c[2 * N + i] > 0 ? -dt * xr[N + i] * gzt : 0;
			out[i] = gy - dt * relu(c[N + i]) * gzt;
			out[N + i] = (1 - dt * relu(c[2 * N + i])) * gzt;
		}
		dk_conv2d_vjp_input(s.coupling, 1, th + p.W, ga, s.T4);
		for (size_t i = 0; i < N; i++)
			out[i] += s.T4[i];
		if (gu) {
			double *gur = gu + r * P;
			dk_conv2d_vjp_input(s.encoder, 1, th + p.Ew, gw, gur);
			dk_conv2d_vjp_input(s.encoder, 1, th + p.Ea, gal, s.U);
			for (size_t i = 0; i < P; i++)
				gur[i] += s.U[i];
		}
		if (gp) {
			dk_conv2d_vjp_params(s.coupling, 1, xr, ga, gp + p.W, gp + p.b);
			if (ur) {
				dk_conv2d_vjp_params(s.encoder, 1, ur, gw, gp + p.Ew, gp + p.ew);
				dk_conv2d_vjp_params(s.encoder, 1, ur, gal, gp + p.Ea, gp + p.ea);
			} else { /* no image: only the biases act */
				for (size_t k = 0; k < m->spec.channels; k++)
					for (size_t i = 0; i < HW; i++) {
						gp[p.ew + k] += gw[k * HW + i];
						gp[p.ea + k] += gal[k * HW + i];
					}
			}
		}
	}
	return DK_OK;
}

/* ---- the vector field ---- */

static int nwm_field(const dk_model *m, double *work, size_t B, const double *x,
                     const double *u, double *f)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, NULL, r), *xr = x + r * m->n;
		double *out = f + r * m->n;
		for (size_t i = 0; i < N; i++) {
			double y = xr[i], z = xr[N + i];
			out[N + i] = c[i] - relu(c[N + i]) * y - relu(c[2 * N + i]) * z;
			out[i] = z;
		}
	}
	return DK_OK;
}

static int nwm_field_jvp(const dk_model *m, double *work, size_t B,
                         const double *x, const double *u, const double *dx,
                         double *df)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	const double *W = m->theta + params(m).W;
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, NULL, r), *d = dx + r * m->n;
		double *out = df + r * m->n;
		dk_conv2d_jvp_input(s.coupling, 1, W, d, s.T1);
		for (size_t i = 0; i < N; i++) {
			double dy = d[i], dz = d[N + i];
			out[N + i] = (1 - c[i] * c[i]) * s.T1[i] - relu(c[N + i]) * dy -
			             relu(c[2 * N + i]) * dz;
			out[i] = dz;
		}
	}
	return DK_OK;
}

static int nwm_field_vjp(const dk_model *m, double *work, size_t B,
                         const double *x, const double *u, const double *gf,
                         double *gx)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	const double *W = m->theta + params(m).W;
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, NULL, r), *g = gf + r * m->n;
		double *out = gx + r * m->n;
		for (size_t i = 0; i < N; i++) {
			double gy = g[i], gz = g[N + i];
			s.T1[i] = (1 - c[i] * c[i]) * gz;
			out[i] = -relu(c[N + i]) * gz;
			out[N + i] = gy - relu(c[2 * N + i]) * gz;
		}
		dk_conv2d_vjp_input(s.coupling, 1, W, s.T1, s.T4);
		for (size_t i = 0; i < N; i++)
			out[i] += s.T4[i];
	}
	return DK_OK;
}

const dk_model_ops dk_nwm_ops = {
	.kind = "nwm",
	.act_default = DK_ACT_TANH,
	.act_fixed = 1,
	.init_default = "laplacian",
	.has_channels = 1,
	.has_sheet = DK_SHEET_REQUIRED,
	.dt_only = 1,
	.has_head = 1,
	.layout = nwm_layout,
	.spatial = nwm_spatial,
	.init = nwm_init,
	.work_size = nwm_work_size,
	.cache_size = nwm_cache_size,
	.work_open = nwm_work_open,
	.work_close = nwm_work_close,
	.step = nwm_step,
	.jvp = nwm_jvp,
	.vjp = nwm_vjp,
	.field = nwm_field,
	.field_jvp = nwm_field_jvp,
	.field_vjp = nwm_field_vjp,
};
