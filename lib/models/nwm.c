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
 * model's workspace; the step's cache holds per state tanh(W * y + b),
 * omega and alpha (3 C H W doubles).  Omega's and alpha's encoders, and
 * their hidden layers, which a vjp needs for the image's or the
 * parameters' gradient, are kept per row of the batch in the workspace
 * and made again only for another image or other parameters (see "the
 * scratch" below; 1 + I H W + 2 C H W + 4 M H W doubles a row).  The
 * start's cache holds y0's encoder's hidden layers and y0 (3 M H W + C H W
 * doubles).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/conv2d.h"
#include "models/conv_stack.h"
#include "models/model_impl.h"

#define NWM_DT 0.1
#define NWM_HIDDEN 11   /* the encoders' middle width: c_mid of the paper */
#define NWM_OMEGA0 1.0  /* omega's last bias at the start */
#define NWM_ALPHA0 0.1  /* alpha's last bias at the start */
#define NWM_LAST_SCALE 0.1 /* their last weights, against PyTorch's */

/* The three encoders: omega's, alpha's, y0's. */
enum { ENC_OMEGA, ENC_ALPHA, ENC_Y0, ENCODERS };
static const char *const enc_names[ENCODERS] = {"enc_omega", "enc_alpha", "enc_y0"};

/* Offsets of the parameters in theta: the coupling, and each encoder's
   first (its layers follow, as conv_stack.h lays them out). */
typedef struct { size_t W, b, enc[ENCODERS]; } nwm_params;

static nwm_params params(const dk_model *m)
{
	/* views: W, b, then omega's 6, alpha's 6, y0's 8 */
	return (nwm_params){m->view[0].offset, m->view[1].offset,
	                    {m->view[2].offset, m->view[8].offset, m->view[14].offset}};
}

/* The coupling's convolution: circular, with bias b, one state per call. */
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

/* Encoder e: I -> M -> M (-> M for y0) -> C, 3x3, zero padding, relus
   (y0's last a tanh), one state per call. */
static dk_conv_stack_spec encoder_spec(const dk_model *m, int e)
{
	dk_conv_stack_spec s = {.batch = 1, .height = m->spec.height,
	                        .width = m->spec.width, .kernel = 3,
	                        .padding = DK_CONV2D_ZERO, .bias = 1};
	s.layers = e == ENC_Y0 ? 4 : 3;
	s.channels[0] = m->spec.inputs;
	for (size_t l = 1; l < s.layers; l++)
		s.channels[l] = m->spec.hidden;
	s.channels[s.layers] = m->spec.channels;
	for (size_t l = 0; l < s.layers; l++)
		s.act[l] = DK_ACT_RELU;
	if (e == ENC_Y0)
		s.act[s.layers - 1] = DK_ACT_TANH;
	return s;
}

/* Units of one sheet of channels: C H W. */
static size_t sheet_units(const dk_model *m)
{
	return m->n / 2;
}

/* Doubles of encoder e's hidden layers, one state. */
static size_t hidden_size(const dk_model *m, int e)
{
	dk_conv_stack_spec s = encoder_spec(m, e);
	return dk_conv_stack_cache_size(&s);
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
	/* the state (2 C H W), the image (I H W) and the scratch (9 C H W +
	   2 I H W + 7 M H W doubles) must fit, and the convolutions' own
	   sizes too */
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
	dk_conv2d_spec cs = coupling_spec(m);
	char why[192];
	if (dk_conv2d_spec_check(&cs, NULL, why, sizeof why))
		return dk_errorf(DK_EINVAL, err, errlen, "nwm: %s", why);
	for (int e = 0; e < ENCODERS; e++) {
		dk_conv_stack_spec es = encoder_spec(m, e);
		if (dk_conv_stack_check(&es, why, sizeof why))
			return dk_errorf(DK_EINVAL, err, errlen, "nwm: %s", why);
	}
	m->spec.act = DK_ACT_TANH; /* always */
	static const char *const w_axes[4] = {"channel_out", "channel_in", "tap_row", "tap_col"};
	static const char *const b_axes[1] = {"channel"};
	size_t ws[4] = {C, C, 3, 3}, bs[1] = {C};
	dk_model_add_param(m, "model/W", 4, ws, w_axes);
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	for (int e = 0; e < ENCODERS; e++) {
		dk_conv_stack_spec es = encoder_spec(m, e);
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
	nwm_params p = params(m);
	size_t C = m->spec.channels;
	double *W = m->theta + p.W;
	static const double lap[9] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
	for (size_t k = 0; k < C; k++)
		memcpy(W + (k * C + k) * 9, lap, sizeof lap);
	for (int e = 0; e < ENCODERS; e++) {
		dk_conv_stack_spec es = encoder_spec(m, e);
		double *th = m->theta + p.enc[e];
		for (size_t l = 0; l < es.layers; l++) {
			size_t out = es.channels[l + 1], fan = es.channels[l] * 9;
			double bound = 1 / sqrt((double)fan);
			double *Wl = th + dk_conv_stack_weights(&es, l);
			double *bl = th + dk_conv_stack_biases(&es, l);
			if (e != ENC_Y0 && l + 1 == es.layers) {
				uniform(rng, Wl, out * fan, NWM_LAST_SCALE * bound);
				for (size_t k = 0; k < out; k++)
					bl[k] = e == ENC_OMEGA ? NWM_OMEGA0 : NWM_ALPHA0;
			} else {
				uniform(rng, Wl, out * fan, bound);
				uniform(rng, bl, out, bound);
			}
		}
	}
	dk_model_init_head(m, rng);
	return DK_OK;
}

/* ---- the scratch ---- */

/*
 * After a header (the workspaces and the rows of the memo), doubles: a
 * cache for one state (3 N, N = C H W), five temporaries of N, two of the
 * image (I H W), y0's encoder's hidden layers (3 M H W) and y0 (N); then
 * the memo of omega's and alpha's encoders: a copy of their parameters,
 * and per row of the batch a flag, the image, omega, alpha and their
 * hidden layers (4 M H W).
 *
 * The memo: the image is the input of every step, and in a run it is
 * the same at every step, so its encoders, which cost several times the
 * rest of a step, would be made again at each step and again in each
 * vjp.  A row's omega and alpha are taken from the memo when the row's
 * image and the encoders' parameters are, byte for byte, those they were
 * made from: the same bits as making them again (the same calls on the
 * same bytes).  Any other image, or parameters changed (by an optimiser
 * step, or a finite difference), makes them anew.
 */
typedef struct {
	dk_conv2d *coupling;
	dk_conv_stack *enc[ENCODERS];
	size_t rows; /* of the memo: the batch the workspace was opened for */
} header;

#define SLOTS ((sizeof(header) + sizeof(double) - 1) / sizeof(double))

typedef struct {
	dk_conv2d *coupling;
	dk_conv_stack *enc[ENCODERS];
	size_t rows;
	double *cache, *T1, *T2, *T3, *T4, *O, *U, *U2, *hid_y0, *Y0;
	double *sequence; /* one double: 1 in sequence mode, else 0 */
	double *params; /* the memo's copy of omega's and alpha's parameters */
	double *memo;   /* its rows */
} scratch;

/* Omega's and alpha's parameters: one run of theta, omega's first. */
static size_t encoder_params(const dk_model *m)
{
	dk_conv_stack_spec o = encoder_spec(m, ENC_OMEGA), a = encoder_spec(m, ENC_ALPHA);
	return dk_conv_stack_param_count(&o) + dk_conv_stack_param_count(&a);
}

/* Doubles of a row of the memo: flag, image, omega, alpha, hidden;
   then the row's sums of sequence mode: flag, image, g_omega, g_alpha. */
static size_t memo_row(const dk_model *m)
{
	return 2 + 2 * m->input_size + 4 * sheet_units(m) + hidden_size(m, ENC_OMEGA) +
	       hidden_size(m, ENC_ALPHA);
}

static scratch carve(const dk_model *m, double *work)
{
	size_t N = sheet_units(m), P = m->input_size;
	scratch s;
	header h;
	memcpy(&h, work, sizeof h);
	s.coupling = h.coupling;
	for (int e = 0; e < ENCODERS; e++)
		s.enc[e] = h.enc[e];
	s.rows = h.rows;
	s.cache = work + SLOTS;
	s.T1 = s.cache + 3 * N;
	s.T2 = s.T1 + N;
	s.T3 = s.T2 + N;
	s.T4 = s.T3 + N;
	s.O = s.T4 + N;
	s.U = s.O + N;
	s.U2 = s.U + P;
	s.hid_y0 = s.U2 + P;
	s.Y0 = s.hid_y0 + hidden_size(m, ENC_Y0);
	s.sequence = s.Y0 + N;
	s.params = s.sequence + 1;
	s.memo = s.params + encoder_params(m);
	/* parameters changed since the memo was made: none of it holds */
	const double *th = m->theta + params(m).enc[ENC_OMEGA];
	size_t np = encoder_params(m);
	if (memcmp(s.params, th, np * sizeof *th)) {
		memcpy(s.params, th, np * sizeof *th);
		for (size_t r = 0; r < s.rows; r++)
			s.memo[r * memo_row(m)] = 0;
	}
	return s;
}

static size_t nwm_work_size(const dk_model *m, size_t batch)
{
	return SLOTS + 9 * sheet_units(m) + 2 * m->input_size + hidden_size(m, ENC_Y0) + 1 +
	       encoder_params(m) + (batch ? batch : 1) * memo_row(m);
}

static size_t nwm_cache_size(const dk_model *m)
{
	return 3 * sheet_units(m);
}

static int nwm_work_open(const dk_model *m, double *work, size_t batch)
{
	header h = {.rows = batch ? batch : 1};
	dk_conv2d_spec cs = coupling_spec(m);
	char err[192];
	int st = dk_conv2d_alloc(&cs, &h.coupling, err, sizeof err);
	for (int e = 0; e < ENCODERS && !st; e++) {
		dk_conv_stack_spec es = encoder_spec(m, e);
		st = dk_conv_stack_alloc(&es, &h.enc[e], err, sizeof err);
	}
	if (st) {
		dk_conv2d_free(h.coupling);
		for (int e = 0; e < ENCODERS; e++)
			dk_conv_stack_free(h.enc[e]);
		return DK_ENOMEM;
	}
	memcpy(work, &h, sizeof h);
	/* a missing image is an image of zeros; the memo starts empty (its
	   rows' flags 0: carve compares the parameters with a copy that
	   is not yet written), outside sequence mode, with no sums */
	size_t fixed = nwm_work_size(m, h.rows) - h.rows * memo_row(m) - encoder_params(m);
	memset(work + SLOTS, 0, (fixed - SLOTS) * sizeof *work);
	memset(work + fixed + encoder_params(m), 0, h.rows * memo_row(m) * sizeof *work);
	return DK_OK;
}

static void nwm_work_close(double *work)
{
	header h;
	memcpy(&h, work, sizeof h);
	dk_conv2d_free(h.coupling);
	for (int e = 0; e < ENCODERS; e++)
		dk_conv_stack_free(h.enc[e]);
}

/* ---- one state ---- */

/* The image of row r, or the scratch's zeros. */
static const double *image(const dk_model *m, const scratch *s, const double *u,
                           size_t r)
{
	return u ? u + r * m->input_size : s->U;
}

/* Omega's and alpha's encoders of row r's image ur: the memo's row,
   [flag, image, omega, alpha, omega's hidden layers, alpha's], made
   anew unless it holds ur already (carve has checked the parameters). */
typedef struct { const double *omega, *alpha, *hid_omega, *hid_alpha; } encoded;

static encoded encode(const dk_model *m, scratch *s, size_t r, const double *ur)
{
	size_t N = sheet_units(m), P = m->input_size;
	double *row = s->memo + r * memo_row(m), *img = row + 1, *om = img + P, *al = om + N;
	double *ho = al + N, *ha = ho + hidden_size(m, ENC_OMEGA);
	if (!row[0] || memcmp(img, ur, P * sizeof *ur)) {
		nwm_params p = params(m);
		dk_conv_stack_forward(s->enc[ENC_OMEGA], 1, m->theta + p.enc[ENC_OMEGA], ur, ho, om);
		dk_conv_stack_forward(s->enc[ENC_ALPHA], 1, m->theta + p.enc[ENC_ALPHA], ur, ha, al);
		memcpy(img, ur, P * sizeof *ur);
		row[0] = 1;
	}
	return (encoded){om, al, ho, ha};
}

/*
 * Sequence mode (model.h): the gradients that reach omega and alpha,
 * summed over a walk back per row of the batch, beside the image they
 * are of, and taken back through the encoders once.  Row r's sums
 * follow its memo: [flag, image, g_omega, g_alpha].
 */
typedef struct { double *flag, *image, *omega, *alpha; } sums;

static sums sums_of(const dk_model *m, const scratch *s, size_t r)
{
	size_t N = sheet_units(m), P = m->input_size;
	double *q = s->memo + r * memo_row(m) + 1 + P + 2 * N + hidden_size(m, ENC_OMEGA) +
	            hidden_size(m, ENC_ALPHA);
	return (sums){q, q + 1, q + 1 + P, q + 1 + P + N};
}

/* Add a step's gradients of omega and alpha (row r, image ur) to the
   row's sums (the caller has released sums of another image). */
static void gather(const dk_model *m, scratch *s, size_t r, const double *ur,
                   const double *gw, const double *gal)
{
	size_t N = sheet_units(m);
	sums q = sums_of(m, s, r);
	if (!q.flag[0]) {
		memcpy(q.image, ur, m->input_size * sizeof *ur);
		memcpy(q.omega, gw, N * sizeof *gw);
		memcpy(q.alpha, gal, N * sizeof *gal);
		q.flag[0] = 1;
		return;
	}
	for (size_t i = 0; i < N; i++) {
		q.omega[i] += gw[i];
		q.alpha[i] += gal[i];
	}
}

/* Take row r's sums back through omega's and alpha's encoders into gp
   (NULL: dropped) and empty them.  The encoders' hidden layers come
   from the memo, made again if it holds another image by now. */
static void release(const dk_model *m, scratch *s, size_t r, double *gp)
{
	sums q = sums_of(m, s, r);
	if (!q.flag[0])
		return;
	q.flag[0] = 0;
	if (!gp)
		return;
	nwm_params p = params(m);
	const double *th = m->theta;
	encoded e = encode(m, s, r, q.image);
	dk_conv_stack_vjp(s->enc[ENC_OMEGA], 1, th + p.enc[ENC_OMEGA], q.image, e.hid_omega,
	                  e.omega, q.omega, NULL, gp + p.enc[ENC_OMEGA]);
	dk_conv_stack_vjp(s->enc[ENC_ALPHA], 1, th + p.enc[ENC_ALPHA], q.image, e.hid_alpha,
	                  e.alpha, q.alpha, NULL, gp + p.enc[ENC_ALPHA]);
}

static void nwm_sequence_begin(const dk_model *m, double *work)
{
	scratch s = carve(m, work);
	*s.sequence = 1;
	for (size_t r = 0; r < s.rows; r++)
		sums_of(m, &s, r).flag[0] = 0;
}

static void nwm_sequence_end(const dk_model *m, double *work, double *gparams)
{
	scratch s = carve(m, work);
	for (size_t r = 0; r < s.rows; r++)
		release(m, &s, r, gparams);
	*s.sequence = 0;
}

/*
 * The cache of one state: c[0 .. N) = tanh(W * y + b), c[N .. 2N) omega
 * and c[2N .. 3N) alpha, of row r.
 */
static void fill_cache(const dk_model *m, scratch *s, const double *x,
                       const double *ur, size_t r, double *c)
{
	nwm_params p = params(m);
	size_t N = sheet_units(m);
	dk_conv2d_forward(s->coupling, 1, x, m->theta + p.W, m->theta + p.b, c);
	for (size_t i = 0; i < N; i++)
		c[i] = tanh(c[i]);
	encoded e = encode(m, s, r, ur);
	memcpy(c + N, e.omega, N * sizeof *c);
	memcpy(c + 2 * N, e.alpha, N * sizeof *c);
}

/* The cache of row r: the caller's, or filled into the scratch. */
static const double *row_cache(const dk_model *m, scratch *s, const double *x,
                               const double *u, const double *cache, size_t r)
{
	if (cache)
		return cache + r * nwm_cache_size(m);
	fill_cache(m, s, x + r * m->n, image(m, s, u, r), r, s->cache);
	return s->cache;
}

static int nwm_step(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, double *xn, double *cache)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	double dt = m->spec.dt;
	for (size_t r = 0; r < B; r++) {
		double *c = cache ? cache + r * 3 * N : s.cache;
		const double *xr = x + r * m->n;
		double *out = xn + r * m->n;
		fill_cache(m, &s, xr, image(m, &s, u, r), r, c);
		/* each entry is read before it is written: xn may be x */
		for (size_t i = 0; i < N; i++) {
			double y = xr[i], z = xr[N + i];
			double zn = z + dt * (c[i] - c[N + i] * y - c[2 * N + i] * z);
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
			                        c[N + i] * dy - c[2 * N + i] * dz);
			out[N + i] = dzn;
			out[i] = dy + dt * dzn;
		}
	}
	return DK_OK;
}

/*
 * With gz~ = gz' + dt gy' the whole gradient reaching z':
 *   gy = gy' + dt (W^T (tanh' gz~) - omega gz~),  gz = (1 - dt alpha) gz~,
 * the pre-activation of the coupling gets dt tanh' gz~, omega and alpha
 * -dt y gz~ and -dt z gz~, which their encoders take back to the image
 * and their parameters: at once, or, in sequence mode when the image's
 * gradient is not asked for, into the row's sums, released once at the
 * sequence's end (or when the row's image changes).
 */
static int nwm_vjp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *gxn,
                   double *gx, double *gu, double *gp)
{
	scratch s = carve(m, work);
	nwm_params p = params(m);
	size_t N = sheet_units(m), P = m->input_size;
	double dt = m->spec.dt;
	const double *th = m->theta;
	int deferred = *s.sequence != 0 && gp && !gu;
	for (size_t r = 0; r < B; r++) {
		const double *ur = image(m, &s, u, r);
		/* sums of another image are released before the memo is
		   made for this one */
		if (deferred && sums_of(m, &s, r).flag[0] &&
		    memcmp(sums_of(m, &s, r).image, ur, P * sizeof *ur))
			release(m, &s, r, gp);
		const double *c = row_cache(m, &s, x, u, cache, r);
		const double *xr = x + r * m->n, *g = gxn + r * m->n;
		double *ga = s.T1, *gw = s.T2, *gal = s.T3, *out = gx + r * m->n;
		for (size_t i = 0; i < N; i++) {
			double gzt = g[N + i] + dt * g[i], gy = g[i];
			ga[i] = dt * (1 - c[i] * c[i]) * gzt;
			gw[i] = -dt * xr[i] * gzt;
			gal[i] = -dt * xr[N + i] * gzt;
			out[i] = gy - dt * c[N + i] * gzt;
			out[N + i] = (1 - dt * c[2 * N + i]) * gzt;
		}
		dk_conv2d_vjp_input(s.coupling, 1, th + p.W, ga, s.T4);
		for (size_t i = 0; i < N; i++)
			out[i] += s.T4[i];
		if (gp)
			dk_conv2d_vjp_params(s.coupling, 1, xr, ga, gp + p.W, gp + p.b);
		if (!gu && !gp)
			continue;
		if (deferred) {
			gather(m, &s, r, ur, gw, gal);
			continue;
		}
		/* the encoders' hidden layers, from the memo (made again when
		   it holds another image: the same bits, the same calls) */
		encoded e = encode(m, &s, r, ur);
		double *gur = gu ? gu + r * P : NULL;
		dk_conv_stack_vjp(s.enc[ENC_OMEGA], 1, th + p.enc[ENC_OMEGA], ur, e.hid_omega,
		                  e.omega, gw, gur, gp ? gp + p.enc[ENC_OMEGA] : NULL);
		dk_conv_stack_vjp(s.enc[ENC_ALPHA], 1, th + p.enc[ENC_ALPHA], ur, e.hid_alpha,
		                  e.alpha, gal, gur ? s.U2 : NULL, gp ? gp + p.enc[ENC_ALPHA] : NULL);
		for (size_t i = 0; gur && i < P; i++)
			gur[i] += s.U2[i];
	}
	return DK_OK;
}

/* ---- the start: y0 from the image, z0 = 0 ---- */

static size_t nwm_start_cache_size(const dk_model *m)
{
	return hidden_size(m, ENC_Y0) + sheet_units(m);
}

static int nwm_start(const dk_model *m, double *work, size_t B, const double *u,
                     double *x0, double *cache)
{
	scratch s = carve(m, work);
	size_t N = sheet_units(m), K = nwm_start_cache_size(m);
	const double *th = m->theta + params(m).enc[ENC_Y0];
	for (size_t r = 0; r < B; r++) {
		double *hid = cache ? cache + r * K : s.hid_y0;
		double *y0 = cache ? hid + hidden_size(m, ENC_Y0) : x0 + r * m->n;
		dk_conv_stack_forward(s.enc[ENC_Y0], 1, th, image(m, &s, u, r), hid, y0);
		if (cache)
			memcpy(x0 + r * m->n, y0, N * sizeof *y0);
		memset(x0 + r * m->n + N, 0, N * sizeof *x0);
	}
	return DK_OK;
}

static int nwm_start_vjp(const dk_model *m, double *work, size_t B, const double *u,
                         const double *cache, const double *gx0, double *gu,
                         double *gp)
{
	scratch s = carve(m, work);
	size_t K = nwm_start_cache_size(m);
	const double *th = m->theta + params(m).enc[ENC_Y0];
	for (size_t r = 0; r < B; r++) {
		const double *ur = image(m, &s, u, r), *hid = s.hid_y0, *y0 = s.Y0;
		if (cache) {
			hid = cache + r * K;
			y0 = hid + hidden_size(m, ENC_Y0);
		} else {
			dk_conv_stack_forward(s.enc[ENC_Y0], 1, th, ur, s.hid_y0, s.Y0);
		}
		/* z0 is 0 whatever the image: only y0's gradient goes back */
		dk_conv_stack_vjp(s.enc[ENC_Y0], 1, th, ur, hid, y0, gx0 + r * m->n,
		                  gu ? gu + r * m->input_size : NULL,
		                  gp ? gp + params(m).enc[ENC_Y0] : NULL);
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
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	const double *W = m->theta + params(m).W;
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
	scratch s = carve(m, work);
	size_t N = sheet_units(m);
	const double *W = m->theta + params(m).W;
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
	.work_size = nwm_work_size,
	.cache_size = nwm_cache_size,
	.work_open = nwm_work_open,
	.work_close = nwm_work_close,
	.step = nwm_step,
	.jvp = nwm_jvp,
	.vjp = nwm_vjp,
	.start_cache_size = nwm_start_cache_size,
	.start = nwm_start,
	.start_vjp = nwm_start_vjp,
	.sequence_begin = nwm_sequence_begin,
	.sequence_end = nwm_sequence_end,
	.field = nwm_field,
	.field_jvp = nwm_field_jvp,
	.field_vjp = nwm_field_vjp,
};
