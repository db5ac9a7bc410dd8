/*
 * cnn.c -- the local-CNN baseline of Jacobs, Budzinski, Muller, Ba and
 * Keller ("Traveling waves integrate spatial information through time",
 * 2025; baseline1_flexible.py of KempnerInstitute/traveling-waves-
 * integrate): L layers of 3x3 convolutions with zero padding, a relu
 * after each, on an H x W sheet, read pixel by pixel by the same head as
 * the oscillator sheet's (pixel_head.h: here the readout "last", then
 * the MLP).  Unlike the sheet, whatever a pixel's label depends on must
 * lie within the L-pixel reach of the stack's receptive field.
 *
 * It lives behind the model interface as a model of one step that
 * forgets its state: x' = F(x, u) = S(u), S the stack (conv_stack.h)
 * I -> C -> ... -> C channels (every layer C wide), so that a run of one
 * step from any state gives S(u), and the head (steps 1, readout last)
 * reads its C channels at each pixel.  dk-train's shapes task, dk-run
 * and dk-plot seg then take it as they take the nwm.  The derivatives
 * with respect to the state are zero (jvp, the Jacobian); the vjp gives
 * the image's and the parameters' gradients through the stack.
 *
 * The authors' baseline ends its stack with a 1x1 convolution from C to
 * K' C channels (no nonlinearity) before its MLP's first Linear; the
 * product of two linear maps is one linear map, so here the head's first
 * layer reads the C channels directly: the same functions, fewer
 * parameters.  Its MLP is the head's (64 and 32 wide, as the sheet's);
 * its widths are the sheet's (one C for hidden and output layers, as
 * their c_mid = hidden_channels).  A model without a head reads its
 * state through the per-step readout, as every kind.
 *
 * Parameters, in PyTorch's Conv2d layout: model/conv/L/W (C, I, 3, 3)
 * for L = 0, (C, C, 3, 3) after, and model/conv/L/b (C); the head's
 * after.  Initialisation "random" (the only one): PyTorch's Conv2d and
 * Linear defaults, weights and biases uniform on [-1/sqrt(fan_in),
 * 1/sqrt(fan_in)].
 *
 * The state is the stack's output, C sheets of H x W channel-major, as
 * the image (I sheets) is.  A step's cache holds the stack's hidden
 * layers and its output ((L - 1) C H W + C H W doubles per state), which
 * its vjp reads back; without one, the vjp makes them again.  The stack
 * runs on up to CHUNK states at once (a bound on the scratch, which holds
 * a cache of as many), so the cache of a step of B states is, chunk by
 * chunk, a block in the stack's order, layer by layer (conv_stack.h),
 * then the chunk's outputs: a vjp reads it with the B of its step, as
 * every caller passes it.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/conv_stack.h"
#include "models/model_impl.h"

/* States the stack takes at once. */
#define CHUNK 16

/* The stack: I -> C -> ... -> C, 3x3, zero padding, relus; batch states
   per call. */
static dk_conv_stack_spec stack_spec(const dk_model *m, size_t batch)
{
	dk_conv_stack_spec s = {.batch = batch, .layers = m->spec.layers,
	                        .height = m->spec.height, .width = m->spec.width,
	                        .kernel = 3, .padding = DK_CONV2D_ZERO, .bias = 1};
	s.channels[0] = m->spec.inputs;
	for (size_t l = 0; l < s.layers && l < DK_CONV_STACK_MAX_LAYERS; l++) {
		s.channels[l + 1] = m->spec.channels;
		s.act[l] = DK_ACT_RELU;
	}
	return s;
}

/* Doubles of the stack's hidden layers, one state. */
static size_t hidden_size(const dk_model *m)
{
	dk_conv_stack_spec s = stack_spec(m, 1);
	return dk_conv_stack_cache_size(&s);
}

static int cnn_layout(dk_model *m, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	size_t C = s->channels, H = s->height, W = s->width, I = s->inputs, L = s->layers;
	if (!C || !H || !W)
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: channels, height and "
		                 "width must be at least 1");
	if (!I)
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: inputs (the image's "
		                 "channels) must be at least 1");
	if (L < 1 || L > DK_CONV_STACK_MAX_LAYERS)
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: layers must be 1 to %d, "
		                 "not %zu", DK_CONV_STACK_MAX_LAYERS, L);
	/* as the nwm's: with a head, the image bounds the sheet; without,
	   the readout's weights (outputs x C H W) do */
	if (!s->outputs && !s->classes)
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: outputs must be at least 1");
	size_t HW, N, P;
	if (__builtin_mul_overflow(H, W, &HW) || __builtin_mul_overflow(C, HW, &N) ||
	    __builtin_mul_overflow(I, HW, &P) || N > SIZE_MAX / sizeof(double) / 8 / L ||
	    P > SIZE_MAX / sizeof(double) / 8)
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: %zu channels, %zu inputs and "
		                 "%zu layers on a %zu x %zu sheet is too large", C, I, L, H, W);
	if (s->units && s->units != HW)
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: units is the sheet's H W = %zu, "
		                 "not %zu", HW, s->units);
	s->units = HW;
	m->n = N;
	m->input_size = P;
	dk_conv_stack_spec cs = stack_spec(m, 1);
	char why[192];
	if (dk_conv_stack_check(&cs, why, sizeof why))
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: %s", why);
	m->spec.act = DK_ACT_RELU; /* always */
	static const char *const w_axes[4] = {"channel_out", "channel_in", "tap_row", "tap_col"};
	static const char *const b_axes[1] = {"channel"};
	for (size_t l = 0; l < L; l++) {
		char name[64];
		size_t kw[4] = {cs.channels[l + 1], cs.channels[l], 3, 3};
		snprintf(name, sizeof name, "model/conv/%zu/W", l);
		dk_model_add_param(m, name, 4, kw, w_axes);
		snprintf(name, sizeof name, "model/conv/%zu/b", l);
		dk_model_add_param(m, name, 1, kw, b_axes);
	}
	/* the head reads the one step's C channels */
	if (s->classes) {
		if (s->steps && s->steps != 1)
			return dk_errorf(DK_EINVAL, err, errlen, "cnn: a model of one step; "
			                 "its head's steps are 1, not %zu", s->steps);
		if (s->readout && *s->readout && strcmp(s->readout, "last"))
			return dk_errorf(DK_EINVAL, err, errlen, "cnn: its head reads the "
			                 "last (only) state: readout last, not %s", s->readout);
		s->steps = 1;
		s->readout = "last";
	}
	return dk_model_add_head(m, C, HW, err, errlen);
}

static int cnn_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	if (strcmp(m->spec.init, "random"))
		return dk_errorf(DK_EINVAL, err, errlen, "cnn: unknown initialisation "
		                 "'%s' (random)", m->spec.init);
	dk_conv_stack_spec cs = stack_spec(m, 1);
	double *th = m->theta + m->view[0].offset;
	for (size_t l = 0; l < cs.layers; l++) {
		size_t out = cs.channels[l + 1], fan = cs.channels[l] * 9;
		double bound = 1 / sqrt((double)fan);
		double *Wl = th + dk_conv_stack_weights(&cs, l), *bl = th + dk_conv_stack_biases(&cs, l);
		for (size_t i = 0; i < out * fan; i++)
			Wl[i] = bound * (2 * dk_rng_uniform(rng) - 1);
		for (size_t i = 0; i < out; i++)
			bl[i] = bound * (2 * dk_rng_uniform(rng) - 1);
	}
	dk_model_init_head(m, rng);
	return DK_OK;
}

/* ---- the scratch: the stack's workspace for a chunk of states, a cache
   of a chunk and its zero images ---- */

typedef struct { dk_conv_stack *stack; size_t batch; } header;

#define SLOTS ((sizeof(header) + sizeof(double) - 1) / sizeof(double))

static size_t cnn_cache_size(const dk_model *m)
{
	return hidden_size(m) + m->n;
}

static size_t chunk_of(size_t batch)
{
	return batch < 1 ? 1 : batch > CHUNK ? CHUNK : batch;
}

static size_t cnn_work_size(const dk_model *m, size_t batch)
{
	return SLOTS + chunk_of(batch) * (cnn_cache_size(m) + m->input_size);
}

static int cnn_work_open(const dk_model *m, double *work, size_t batch)
{
	header h = {.batch = chunk_of(batch)};
	dk_conv_stack_spec cs = stack_spec(m, h.batch);
	char err[192];
	if (dk_conv_stack_alloc(&cs, &h.stack, err, sizeof err))
		return DK_ENOMEM;
	memcpy(work, &h, sizeof h);
	memset(work + SLOTS, 0, (cnn_work_size(m, h.batch) - SLOTS) * sizeof *work);
	return DK_OK;
}

static void cnn_work_close(double *work)
{
	header h;
	memcpy(&h, work, sizeof h);
	dk_conv_stack_free(h.stack);
}

static dk_conv_stack *stack_of(double *work)
{
	header h;
	memcpy(&h, work, sizeof h);
	return h.stack;
}

static size_t batch_of(double *work)
{
	header h;
	memcpy(&h, work, sizeof h);
	return h.batch;
}

/* The images from row r, or the scratch's zeros. */
static const double *images(const dk_model *m, double *work, const double *u, size_t r)
{
	return u ? u + r * m->input_size : work + SLOTS + batch_of(work) * cnn_cache_size(m);
}

static const double *stack_params(const dk_model *m)
{
	return m->theta + m->view[0].offset;
}

/* x' = S(u): the state is not read, so xn may be x. */
static int cnn_step(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, double *xn, double *cache)
{
	(void)x;
	size_t K = cnn_cache_size(m), step = batch_of(work);
	for (size_t r = 0; r < B; r += step) {
		size_t nb = B - r < step ? B - r : step;
		double *c = cache ? cache + r * K : work + SLOTS, *y = c + nb * hidden_size(m);
		int st = dk_conv_stack_forward(stack_of(work), nb, stack_params(m),
		                               images(m, work, u, r), c, y);
		if (st)
			return st;
		memcpy(xn + r * m->n, y, nb * m->n * sizeof *xn);
	}
	return DK_OK;
}

static int cnn_jvp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *dx,
                   double *dxn)
{
	(void)work, (void)x, (void)u, (void)cache, (void)dx;
	memset(dxn, 0, B * m->n * sizeof *dxn);
	return DK_OK;
}

static int cnn_vjp(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, const double *cache, const double *gxn,
                   double *gx, double *gu, double *gp)
{
	(void)x;
	size_t K = cnn_cache_size(m), step = batch_of(work);
	memset(gx, 0, B * m->n * sizeof *gx);
	if (!gu && !gp)
		return DK_OK;
	for (size_t r = 0; r < B; r += step) {
		size_t nb = B - r < step ? B - r : step, hid = nb * hidden_size(m);
		const double *U = images(m, work, u, r);
		const double *c = cache ? cache + r * K : work + SLOTS;
		int st = cache ? DK_OK
		               : dk_conv_stack_forward(stack_of(work), nb, stack_params(m), U,
		                                       work + SLOTS, work + SLOTS + hid);
		if (!st)
			st = dk_conv_stack_vjp(stack_of(work), nb, stack_params(m), U, c, c + hid,
			                       gxn + r * m->n, gu ? gu + r * m->input_size : NULL,
			                       gp ? gp + m->view[0].offset : NULL);
		if (st)
			return st;
	}
	return DK_OK;
}

static int cnn_jacobian(const dk_model *m, double *work, const double *x,
                        const double *u, double *J)
{
	(void)work, (void)x, (void)u;
	memset(J, 0, m->n * m->n * sizeof *J);
	return DK_OK;
}

const dk_model_ops dk_cnn_ops = {
	.kind = "cnn",
	.act_default = DK_ACT_RELU,
	.act_fixed = 1,
	.init_default = "random",
	.has_channels = 1,
	.has_sheet = DK_SHEET_REQUIRED,
	.has_layers = 1,
	.has_head = 1,
	.layout = cnn_layout,
	.init = cnn_init,
	.work_size = cnn_work_size,
	.cache_size = cnn_cache_size,
	.work_open = cnn_work_open,
	.work_close = cnn_work_close,
	.step = cnn_step,
	.jvp = cnn_jvp,
	.vjp = cnn_vjp,
	.jacobian = cnn_jacobian,
};
