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
 * from the image by two local encoders, each three 3x3 convolutions with
 * zero padding (I -> M -> M -> C channels, M = spec.hidden) and a relu
 * after each (conv_stack.h), which keeps them non-negative; the initial
 * position by a third of four (I -> M -> M -> M -> C, three relus and a
 * tanh), the initial velocity being 0:
 *
 *	omega = E_omega(u),  alpha = E_alpha(u),  y0 = E_y0(u),  z0 = 0.
 *
 * This follows the authors' code (KempnerInstitute/traveling-waves-
 * integrate, cornn_model2.py, with the tetrominoes' config.yaml): the
 * same encoders of middle width c_mid = 11 (the default of M), a
 * coupling that is a 3x3 circular convolution started at the discrete
 * Laplacian, dt 0.1.  Here W has a bias b; relu' is 0 at 0, as
 * PyTorch's.
 *
 * The state is [y, z], each C sheets of H x W channel-major (unit (c, i,
 * j) of y at (c H + i) W + j, of z at C H W + that), so the layout
 * (dk_model_layout) is 2 C periodic sheets: channels 0 .. C - 1 are y,
 * C .. 2 C - 1 are z.  The input of a step is the image, I H W values
 * channel-major, given at every step; omega's and alpha's encoders are
 * part of the step, so vjp gives the gradient with respect to the image
 * and their parameters.  y0's encoder is the kind's start
 * (dk_model_start: the state a run begins from, made from its first
 * input), with its own vjp.  jvp, the Jacobian and the vector field are
 * with respect to the state only: omega and alpha do not depend on it.
 *
 * The vector field (nwm is continuous-time) is f(y, z) = (z, tanh(W * y
 * + b) - omega . y - alpha . z); the step is not an explicit Runge-Kutta
 * step of it, but has the same fixed points (z = 0 and f = 0).
 *
 * Parameters, in this order, in PyTorch's Conv2d layout: model/W (C, C,
 * 3, 3), model/b (C); model/enc_omega/L/W and model/enc_omega/L/b for
 * its layers L = 0, 1, 2 ((M, I, 3, 3), (M); (M, M, 3, 3), (M); (C, M,
 * 3, 3), (C)); model/enc_alpha/L/... alike; model/enc_y0/L/... for L = 0
 * .. 3 ((M, I), (M, M), (M, M), (C, M) kernels).  Layer L is PyTorch's
 * nn.Sequential index 2 L.
 *
 * A head (spec.classes, steps, readout): the per-pixel readout over the
 * T positions y of a sequence and the MLP of the authors' code
 * (pixel_head.h; model/fc_time, model/mlp_w1 .. mlp_b3 after the
 * encoders, in PyTorch's Linear layout); such a model has no per-step
 * outputs.
 *
 * Initialisation "laplacian" (the only one): each channel's own kernel
 * of W is the 5-point Laplacian [0 1 0; 1 -4 1; 0 1 0], no coupling
 * between channels, and b = 0, so that for a small state W * y + b is the
 * Laplacian and the sheet is the damped wave equation y_tt = lap y -
 * omega y - alpha y_t with speed 1 cell per unit time.  The Laplacian is
 * not scaled, as in the authors' code: the undamped scheme is stable
 * when dt^2 (8 + omega) < 4 (8 is the largest eigenvalue of -lap), which
 * at the default dt 0.1 holds for omega up to 392.  The encoders' layers
 * start as PyTorch's Conv2d does, weights and biases uniform on [-1/sqrt
 * (9 n), 1/sqrt(9 n)] for n input channels: that is what the authors'
 * runs use (their _init_encoders, Dirac kernels for omega, zeros for
 * alpha, Kaiming for y0, is never called by main.py; its zero alpha
 * would also leave alpha's relu without a gradient).  But the last layer
 * of omega's and alpha's encoders: weights a tenth of that, biases 1 and
 * 0.1, so that omega and alpha start inside the relu's active side (with
 * PyTorch's start about half of them would be cut to 0, undamped or
 * without a restoring force, and get no gradient), about 1 (a period of 2
 * pi, about 63 steps at dt 0.1) and 0.1 (amplitudes decaying as exp(-t /
 * 20)).
 *
 * Every call works a state at a time through a conv2d workspace (the
 * coupling) and three conv_stack ones (the encoders), opened with the
 * model's workspace; the step, jvp and vjp share the batch's rows among
 * as many threads as OpenBLAS uses, each part in a lane of workspaces of
 * its own, with the bits of one thread (the vjp below says how); the
 * step's cache holds per state tanh(W * y + b),
 * omega and alpha (3 C H W doubles).  Omega's and alpha's encoders, and
 * their hidden layers, which a vjp needs for the image's or the
 * parameters' gradient, are kept per row of the batch in the workspace
 * and made again only for another image or other parameters; in
 * sequence mode (model.h), as BPTT runs its walk back, the vjp sums the
 * gradients of omega and alpha per row and they go back through the
 * encoders once, at the sequence's end.  The workspace, the encoders,
 * the start (y0's encoder, whose cache holds its hidden layers and y0,
 * 3 M H W + C H W doubles) and those sums are in nwm_encoders.c; this
 * file is the sheet: its layout, its initialisation, its step and
 * their derivatives.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/nwm_impl.h"
#include "models/row_team.h"

#define NWM_DT 0.1
#define NWM_HIDDEN 11   /* the encoders' middle width: c_mid of the paper */
#define NWM_OMEGA0 1.0  /* omega's last bias at the start */
#define NWM_ALPHA0 0.1  /* alpha's last bias at the start */
#define NWM_LAST_SCALE 0.1 /* their last weights, against PyTorch's */

static const char *const enc_names[DK_NWM_ENCODERS] = {"enc_omega", "enc_alpha", "enc_y0"};

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
	if (!s->hidden)
		s->hidden = NWM_HIDDEN;
	if (s->dt == 0)
		s->dt = NWM_DT;
	if (!(s->dt >= DBL_MIN) || !isfinite(s->dt))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: the step dt must be a "
		                 "positive normal number, not %g", s->dt);
	/* the state (2 C H W), the image (I H W) and the scratch of one row
	   (13 C H W + 4 I H W + 7 M H W doubles and a few, nwm_encoders.c:
	   far below SIZE_MAX doubles under these bounds; dk_model_work_alloc
	   checks a batch of them) must fit, and the convolutions' own sizes
	   too */
	size_t M = s->hidden, HW, N, P, MHW, twoN;
	if (__builtin_mul_overflow(H, W, &HW) || __builtin_mul_overflow(C, HW, &N) ||
	    __builtin_mul_overflow(I, HW, &P) || __builtin_mul_overflow(M, HW, &MHW) ||
	    N > SIZE_MAX / sizeof(double) / 32 || P > SIZE_MAX / sizeof(double) / 8 ||
	    MHW > SIZE_MAX / sizeof(double) / 16)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: %zu channels, %zu inputs and "
		                 "%zu hidden on a %zu x %zu sheet is too large", C, I, M, H, W);
	twoN = 2 * N;
	if (s->units && s->units != HW)
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: units is the sheet's H W = %zu, "
		                 "not %zu", HW, s->units);
	s->units = HW;
	m->n = twoN;
	m->input_size = P;
	dk_conv2d_spec cs = dk_nwm_coupling_spec(m);
	char why[192];
	if (dk_conv2d_spec_check(&cs, NULL, why, sizeof why))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: %s", why);
	for (int e = 0; e < DK_NWM_ENCODERS; e++) {
		dk_conv_stack_spec es = dk_nwm_encoder_spec(m, e);
		if (dk_conv_stack_check(&es, why, sizeof why))
			return dk_errorf(DK_EINVAL, err, errlen, "nwm: %s", why);
	}
	m->spec.act = DK_ACT_TANH; /* always */
	static const char *const w_axes[4] = {"channel_out", "channel_in", "tap_row", "tap_col"};
	static const char *const b_axes[1] = {"channel"};
	size_t ws[4] = {C, C, 3, 3}, bs[1] = {C};
	dk_model_add_param(m, "model/W", 4, ws, w_axes);
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	for (int e = 0; e < DK_NWM_ENCODERS; e++) {
		dk_conv_stack_spec es = dk_nwm_encoder_spec(m, e);
		for (size_t l = 0; l < es.layers; l++) {
			char name[64];
			size_t kw[4] = {es.channels[l + 1], es.channels[l], 3, 3};
			snprintf(name, sizeof name, "model/%s/%zu/W", enc_names[e], l);
			dk_model_add_param(m, name, 4, kw, w_axes);
			snprintf(name, sizeof name, "model/%s/%zu/b", enc_names[e], l);
			dk_model_add_param(m, name, 1, kw, b_axes);
		}
	}
	return dk_model_add_head(m, C, HW, err, errlen);
}

/* y's C sheets, then z's: periodic in rows and columns. */
static void nwm_spatial(const dk_model *m, dk_layout *out)
{
	*out = dk_layout_sheets(2 * m->spec.channels, m->spec.height, m->spec.width, 1);
}

static void uniform(dk_rng *rng, double *v, size_t n, double bound)
{
	for (size_t i = 0; i < n; i++)
		v[i] = bound * (2 * dk_rng_uniform(rng) - 1);
}

static int nwm_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	if (strcmp(m->spec.init, "laplacian"))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: unknown initialisation "
		                 "'%s' (laplacian)", m->spec.init);
	dk_nwm_params p = dk_nwm_params_of(m);
	size_t C = m->spec.channels;
	double *W = m->theta + p.W;
	static const double lap[9] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
	for (size_t k = 0; k < C; k++)
		memcpy(W + (k * C + k) * 9, lap, sizeof lap);
	for (int e = 0; e < DK_NWM_ENCODERS; e++) {
		dk_conv_stack_spec es = dk_nwm_encoder_spec(m, e);
		double *th = m->theta + p.enc[e];
		for (size_t l = 0; l < es.layers; l++) {
			size_t out = es.channels[l + 1], fan = es.channels[l] * 9;
			double bound = 1 / sqrt((double)fan);
			double *Wl = th + dk_conv_stack_weights(&es, l);
			double *bl = th + dk_conv_stack_biases(&es, l);
			if (e != DK_NWM_Y0 && l + 1 == es.layers) {
				uniform(rng, Wl, out * fan, NWM_LAST_SCALE * bound);
				for (size_t k = 0; k < out; k++)
					bl[k] = e == DK_NWM_OMEGA ? NWM_OMEGA0 : NWM_ALPHA0;
			} else {
				uniform(rng, Wl, out * fan, bound);
				uniform(rng, bl, out, bound);
			}
		}
	}
	dk_model_init_head(m, rng);
	return DK_OK;
}

/* ---- one state ---- */

static size_t nwm_cache_size(const dk_model *m)
{
	return 3 * sheet_units(m);
}

/*
 * The cache of one state: c[0 .. N) = tanh(W * y + b), c[N .. 2N) omega
 * and c[2N .. 3N) alpha, of row r.
 */
static void fill_cache(const dk_model *m, dk_nwm_scratch *s, const double *x,
                       const double *ur, size_t r, double *c)
{
	dk_nwm_params p = dk_nwm_params_of(m);
	size_t N = sheet_units(m);
	dk_conv2d_forward(s->coupling, 1, x, m->theta + p.W, m->theta + p.b, c);
	for (size_t i = 0; i < N; i++)
		c[i] = tanh(c[i]);
	dk_nwm_encoded e = dk_nwm_encode(m, s, r, ur);
	memcpy(c + N, e.omega, N * sizeof *c);
	memcpy(c + 2 * N, e.alpha, N * sizeof *c);
}

/* The cache of row r: the caller's, or filled into the scratch. */
static const double *row_cache(const dk_model *m, dk_nwm_scratch *s, const double *x,
                               const double *u, const double *cache, size_t r)
{
	if (cache)
		return cache + r * nwm_cache_size(m);
	fill_cache(m, s, x + r * m->n, dk_nwm_image(m, s, u, r), r, s->cache);
	return s->cache;
}

/* What the parts of a step, jvp or vjp read and write. */
typedef struct {
	const dk_model *m;
	double *work;
	const double *x, *u, *cache, *dx, *gxn;
	double *xn, *c_out, *dxn, *gx, *gu, *gp;
	size_t r0;    /* the vjp's first row of the round */
	int deferred; /* the vjp adds omega's and alpha's gradients to the sums */
} rows_job;

/* Rows [r0, r1) of the step, with lane k's scratch. */
static void step_part(void *p, size_t k, size_t r0, size_t r1)
{
	const rows_job *j = p;
	const dk_model *m = j->m;
	dk_nwm_scratch s = dk_nwm_lane(m, j->work, k);
	size_t N = sheet_units(m);
	double dt = m->spec.dt;
	for (size_t r = r0; r < r1; r++) {
		double *c = j->c_out ? j->c_out + r * 3 * N : s.cache;
		const double *xr = j->x + r * m->n;
		double *out = j->xn + r * m->n;
		fill_cache(m, &s, xr, dk_nwm_image(m, &s, j->u, r), r, c);
		/* each entry is read before it is written: xn may be x */
		for (size_t i = 0; i < N; i++) {
			double y = xr[i], z = xr[N + i];
			double zn = z + dt * (c[i] - c[N + i] * y - c[2 * N + i] * z);
			out[N + i] = zn;
			out[i] = y + dt * zn;
		}
	}
}

/* The rows of a batch are independent: shared among the workspace's
   team by rows, each part in a lane of its own (dk_nwm_carve first: the
   memo checked against the parameters once). */
static int nwm_step(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, double *xn, double *cache)
{
	dk_nwm_carve(m, work);
	rows_job j = {.m = m, .work = work, .x = x, .u = u, .xn = xn, .c_out = cache};
	dk_row_team_share_numbered(work, B, step_part, &j);
	return DK_OK;
}

/* Rows [r0, r1) of the jvp, with lane k's scratch. */
static void jvp_part(void *p, size_t k, size_t r0, size_t r1)
{
	const rows_job *j = p;
	const dk_model *m = j->m;
	dk_nwm_scratch s = dk_nwm_lane(m, j->work, k);
	size_t N = sheet_units(m);
	double dt = m->spec.dt;
	const double *W = m->theta + dk_nwm_params_of(m).W;
	for (size_t r = r0; r < r1; r++) {
		const double *c = row_cache(m, &s, j->x, j->u, j->cache, r);
		const double *d = j->dx + r * m->n;
		double *out = j->dxn + r * m->n;
		dk_conv2d_jvp_input(s.coupling, 1, W, d, s.T1);
		for (size_t i = 0; i < N; i++) {
			double dy = d[i], dz = d[N + i];
			double dzn = dz + dt * ((1 - c[i] * c[i]) * s.T1[i] -
			                        c[N + i] * dy - c[2 * N + i] * dz);
			out[N + i] = dzn;
			out[i] = dy + dt * dzn;
		}
	}
}

static int nwm_jvp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *dx,
                   double *dxn)
{
	dk_nwm_carve(m, work);
	rows_job j = {.m = m, .work = work, .x = x, .u = u, .cache = cache, .dx = dx,
	              .dxn = dxn};
	dk_row_team_share_numbered(work, B, jvp_part, &j);
	return DK_OK;
}

/*
 * Row r of the vjp with scratch s: gx's row, the coupling's parameter
 * gradient added to gW and gb (NULL: none), and omega's and alpha's to
 * the row's sums (deferred) or through their encoders to gu's row and,
 * when not NULL, to gp's encoders.
 */
static void vjp_row(const rows_job *j, dk_nwm_scratch *s, size_t r, double *gW,
                    double *gb)
{
	const dk_model *m = j->m;
	dk_nwm_params p = dk_nwm_params_of(m);
	size_t N = sheet_units(m), P = m->input_size;
	double dt = m->spec.dt, *gp = j->gp, *gu = j->gu;
	const double *th = m->theta, *ur = dk_nwm_image(m, s, j->u, r);
	const double *c = row_cache(m, s, j->x, j->u, j->cache, r);
	const double *xr = j->x + r * m->n, *g = j->gxn + r * m->n;
	double *ga = s->T1, *gw = s->T2, *gal = s->T3, *out = j->gx + r * m->n;
	for (size_t i = 0; i < N; i++) {
		double gzt = g[N + i] + dt * g[i], gy = g[i];
		ga[i] = dt * (1 - c[i] * c[i]) * gzt;
		gw[i] = -dt * xr[i] * gzt;
		gal[i] = -dt * xr[N + i] * gzt;
		out[i] = gy - dt * c[N + i] * gzt;
		out[N + i] = (1 - dt * c[2 * N + i]) * gzt;
	}
	/* both adjoints of the coupling in one call: its gradient
	   transformed once */
	dk_conv2d_vjp(s->coupling, 1, xr, th + p.W, ga, s->T4, gW, gb);
	for (size_t i = 0; i < N; i++)
		out[i] += s->T4[i];
	if (!gu && !gp)
		return;
	if (j->deferred) {
		dk_nwm_sums_add(m, s, r, ur, gw, gal);
		return;
	}
	/* the encoders' hidden layers, from the memo (made again when it
	   holds another image: the same bits, the same calls) */
	dk_nwm_encoded e = dk_nwm_encode(m, s, r, ur);
	double *gur = gu ? gu + r * P : NULL;
	dk_conv_stack_vjp(s->enc[DK_NWM_OMEGA], 1, th + p.enc[DK_NWM_OMEGA], ur, e.hid_omega,
	                  e.omega, gw, gur, gp ? gp + p.enc[DK_NWM_OMEGA] : NULL);
	dk_conv_stack_vjp(s->enc[DK_NWM_ALPHA], 1, th + p.enc[DK_NWM_ALPHA], ur, e.hid_alpha,
	                  e.alpha, gal, gur ? s->U2 : NULL, gp ? gp + p.enc[DK_NWM_ALPHA] : NULL);
	for (size_t i = 0; gur && i < P; i++)
		gur[i] += s->U2[i];
}

/* Rows r0 + [i0, i1) of a round of the vjp from row r0, with lane k's
   scratch; the coupling's parameter gradient of each row into the
   row's own run of the scratch's grads (when gp is not NULL), which
   starts at -0, so that it holds exactly what the row's call would have
   added (x + -0 is x for every x, -0 included). */
static void vjp_part(void *p, size_t k, size_t i0, size_t i1)
{
	const rows_job *j = p;
	dk_nwm_scratch s = dk_nwm_lane(j->m, j->work, k);
	size_t G = dk_nwm_coupling_params(j->m), CC9 = G - j->m->spec.channels;
	for (size_t i = i0; i < i1; i++) {
		double *gW = NULL, *gb = NULL;
		if (j->gp) {
			gW = s.grads + i * G;
			gb = gW + CC9;
			for (size_t q = 0; q < G; q++)
				gW[q] = -0.0;
		}
		vjp_row(j, &s, j->r0 + i, gW, gb);
	}
}

/* Whether the coupling's parameter gradient of a row may be made apart
   and added to gp after, with the bits of its call adding to gp: yes
   for Winograd's (it adds a sum it makes from zero), and by GEMM while
   the product's inner dimension (the sheet's cells) fits one block of
   OpenBLAS's (128 or more on every x86-64 kernel). */
static int coupling_grads_apart(const dk_model *m, double *work)
{
	dk_nwm_scratch s = dk_nwm_lane(m, work, 0);
	const dk_conv2d_shape *sh = dk_conv2d_get_shape(s.coupling);
	return sh->method == DK_CONV2D_WINOGRAD || sh->out_h * sh->out_w <= 128;
}

/*
 * With gz~ = gz' + dt gy' the whole gradient reaching z':
 *   gy = gy' + dt (W^T (tanh' gz~) - omega gz~),  gz = (1 - dt alpha) gz~,
 * the pre-activation of the coupling gets dt tanh' gz~, omega and alpha
 * -dt y gz~ and -dt z gz~, which their encoders take back to the image
 * and their parameters: at once, or, in sequence mode when the image's
 * gradient is not asked for, into the row's sums, released once at the
 * sequence's end (or when the row's image changes).
 *
 * The rows are shared among the team as the step's are, in rounds of
 * the scratch's grad_rows, each row's coupling gradient apart and added
 * to gp in row order after the round: the bits of one thread.  Where
 * that would not hold, or the encoders' gradients go to gp at once, the
 * rows run in order in the caller.
 */
static int nwm_vjp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *gxn,
                   double *gx, double *gu, double *gp)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	dk_nwm_params p = dk_nwm_params_of(m);
	rows_job j = {.m = m, .work = work, .x = x, .u = u, .cache = cache, .gxn = gxn,
	              .gx = gx, .gu = gu, .gp = gp,
	              .deferred = *s.sequence != 0 && gp && !gu};
	if (gp && (!j.deferred || !coupling_grads_apart(m, work))) {
		for (size_t r = 0; r < B; r++) {
			if (j.deferred)
				dk_nwm_sums_ready(m, &s, r, dk_nwm_image(m, &s, u, r), gp);
			vjp_row(&j, &s, r, gp + p.W, gp + p.b);
		}
		return DK_OK;
	}
	/* sums of another image are released before the memo is made for
	   this one (into the encoders' gradients: apart from the
	   coupling's, so in row order here, before the rows) */
	for (size_t r = 0; j.deferred && r < B; r++)
		dk_nwm_sums_ready(m, &s, r, dk_nwm_image(m, &s, u, r), gp);
	size_t G = dk_nwm_coupling_params(m), CC9 = G - m->spec.channels;
	for (size_t r0 = 0; r0 < B; r0 += s.grad_rows) {
		size_t n = B - r0 < s.grad_rows ? B - r0 : s.grad_rows;
		j.r0 = r0;
		dk_row_team_share_numbered(work, n, vjp_part, &j);
		for (size_t i = 0; gp && i < n; i++) {
			const double *g = s.grads + i * G;
			for (size_t q = 0; q < CC9; q++)
				gp[p.W + q] += g[q];
			for (size_t q = 0; q < G - CC9; q++)
				gp[p.b + q] += g[CC9 + q];
		}
	}
	return DK_OK;
}

/* ---- the vector field ---- */

static int nwm_field(const dk_model *m, double *work, size_t B, const double *x,
                     const double *u, double *f)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	size_t N = sheet_units(m);
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, NULL, r), *xr = x + r * m->n;
		double *out = f + r * m->n;
		for (size_t i = 0; i < N; i++) {
			double y = xr[i], z = xr[N + i];
			out[N + i] = c[i] - c[N + i] * y - c[2 * N + i] * z;
			out[i] = z;
		}
	}
	return DK_OK;
}

static int nwm_field_jvp(const dk_model *m, double *work, size_t B,
                         const double *x, const double *u, const double *dx,
                         double *df)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	size_t N = sheet_units(m);
	const double *W = m->theta + dk_nwm_params_of(m).W;
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, NULL, r), *d = dx + r * m->n;
		double *out = df + r * m->n;
		dk_conv2d_jvp_input(s.coupling, 1, W, d, s.T1);
		for (size_t i = 0; i < N; i++) {
			double dy = d[i], dz = d[N + i];
			out[N + i] = (1 - c[i] * c[i]) * s.T1[i] - c[N + i] * dy - c[2 * N + i] * dz;
			out[i] = dz;
		}
	}
	return DK_OK;
}

static int nwm_field_vjp(const dk_model *m, double *work, size_t B,
                         const double *x, const double *u, const double *gf,
                         double *gx)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	size_t N = sheet_units(m);
	const double *W = m->theta + dk_nwm_params_of(m).W;
	for (size_t r = 0; r < B; r++) {
		const double *c = row_cache(m, &s, x, u, NULL, r), *g = gf + r * m->n;
		double *out = gx + r * m->n;
		for (size_t i = 0; i < N; i++) {
			double gy = g[i], gz = g[N + i];
			s.T1[i] = (1 - c[i] * c[i]) * gz;
			out[i] = -c[N + i] * gz;
			out[N + i] = gy - c[2 * N + i] * gz;
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
	.has_hidden = 1,
	.dt_only = 1,
	.has_head = 1,
	.layout = nwm_layout,
	.spatial = nwm_spatial,
	.init = nwm_init,
	.work_size = dk_nwm_work_size,
	.cache_size = nwm_cache_size,
	.work_open = dk_nwm_work_open,
	.work_close = dk_nwm_work_close,
	.step = nwm_step,
	.jvp = nwm_jvp,
	.vjp = nwm_vjp,
	.start_cache_size = dk_nwm_start_cache_size,
	.start = dk_nwm_start,
	.start_vjp = dk_nwm_start_vjp,
	.sequence_begin = dk_nwm_sequence_begin,
	.sequence_end = dk_nwm_sequence_end,
	.field = nwm_field,
	.field_jvp = nwm_field_jvp,
	.field_vjp = nwm_field_vjp,
};
