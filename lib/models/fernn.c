/*
 * fernn.c -- the flow-equivariant RNN of Keller ("Flow equivariant
 * recurrent neural networks", NeurIPS 2025) on a ring, and its
 * non-equivariant twin, the G-RNN: the same cell with the one velocity 0.
 *
 * The hidden state is lifted over a set of velocities V = {-v .. v}
 * (spec.velocities = v; the grnn has V = {0}): one slice h_nu of C
 * channels on a ring of N units per velocity nu.  A step moves each slice
 * by its own velocity, then applies one recurrent circular convolution
 * shared by every slice (nothing mixes the slices), adds the input's
 * circular convolution, the same for every slice, and a bias:
 *
 *	h_nu'[k][i] = relu(b[k] + sum_j sum_{d=0..2} W[k][j][d] h_nu[j][(i + d - 1 - nu) mod N]
 *	                        + sum_l sum_{d=0..2} U[k][l][d] u[l][(i + d - 1) mod N])
 *
 * i.e. h_nu' = relu(W * T_nu h_nu + U * u + b), with T_s the shift by s
 * units toward higher indices ((T_s h)[i] = h[i - s], torch.roll(h, s))
 * and "*" PyTorch's Conv1d (a cross-correlation, kernel 3, circular
 * padding 1).  On a ring T_nu depends on nu mod N only: velocities past
 * N / 2 repeat others, which is allowed (their slices move alike).
 * This follows the author's cell (akandykeller/FERNN,
 * moving_mnist_fp/moving_mnist_models.py, FERNN_Cell) restricted to one
 * dimension: there the slices are rolled by their velocity before the
 * recurrent convolution, both convolutions have kernel 3 with circular
 * padding, the input's convolution is computed once and broadcast over
 * V, and the nonlinearity is a relu.  Their convolutions have no bias;
 * here b (one per channel, the same at every unit and velocity, so the
 * cell stays equivariant) starts at 0, so the model as made is theirs.
 * Their readout takes the maximum over V before a decoder; here too
 * (model.h: readout_pool), before the linear readout of every kind, so
 * W_out is outputs x C N for both kinds.
 *
 * Because the convolutions commute with shifts and T_nu T_{mu t} =
 * T_{mu (t + 1)} T_{nu - mu}, an input moving at velocity mu (u_t shifted
 * by mu t) gives the states h'_nu(t) = T_{mu (t - 1)} h_{nu - mu}(t) of
 * the unmoved input, started from h'_nu(0) = T_{-mu} h_{nu - mu}(0), for
 * every slice whose nu - mu is in V (tests/test_model_fernn.c).
 *
 * The state is stored velocity-major, then channel, then unit: unit i of
 * channel k of velocity nu at ((nu + v) C + k) N + i, so the layout is
 * (2 v + 1) C periodic rings of N units.  The input of a step is I
 * channels on the ring, channel-major (I N values).  Parameters, in this
 * order: model/W (C, C, 3), model/U (C, I, 3), model/b (C), in PyTorch's
 * Conv1d layout, then the readout's; none depends on V, so a fernn and
 * a grnn of the same sizes and seed start with the same parameters.
 *
 * Initialisation "random" (the only one), PyTorch's default for Conv1d:
 * W uniform on [-g, g], g = gain / sqrt(3 C), U on [-1/sqrt(3 I),
 * 1/sqrt(3 I)], drawn in that order; b = 0.
 *
 * The convolutions are plain loops over a state at a time (the models
 * this cell is studied with are small); the step caches the
 * pre-activation.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/model_impl.h"

#define TAPS 3

/* Offsets of the parameters in theta. */
typedef struct { size_t W, U, b; } fernn_params;

static fernn_params params(const dk_model *m)
{
	return (fernn_params){m->view[0].offset, m->view[1].offset, m->view[2].offset};
}

/* Slices of the lifted state: 2 v + 1, or 1 for the grnn. */
static size_t slices(const dk_model *m)
{
	return 2 * m->spec.velocities + 1;
}

/* Units of one slice: C N. */
static size_t slice_units(const dk_model *m)
{
	return m->spec.channels * m->spec.units;
}

/* The offset o with (i + o) mod N the unit tap d of velocity slice a reads:
   i + d - 1 - nu, nu = a - v, taken mod N without going negative. */
static size_t tap_offset(const dk_model *m, size_t a, size_t d)
{
	size_t N = m->spec.units, v = m->spec.velocities;
	/* d - 1 - (a - v) = (d + v) - (1 + a), each part non-negative */
	size_t plus = (d + v) % N, minus = (1 + a) % N;
	return (plus + N - minus) % N;
}

static int layout(dk_model *m, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	const char *kind = m->ops->kind;
	size_t C = s->channels, N = s->units, I = s->inputs, v = s->velocities;
	if (!C || !N)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: channels and units must "
		                 "be at least 1", kind);
	if (m->ops->has_velocities && !v)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: velocities must be at "
		                 "least 1", kind);
	if (!m->ops->has_velocities && v)
		return dk_errorf(DK_EINVAL, err, errlen, "velocities apply only to the "
		                 "fernn, not %s", kind);
	/* no parameter grows with the ring but the readout's weights (outputs
	   x (2 v + 1) C N): with at least one output, a model read from a file
	   is no larger than its tensors, whatever its attrs say */
	if (!s->outputs)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: outputs must be at least 1",
		                 kind);
	/* the state ((2 v + 1) C N), the input (I N), the scratch (2 C N + the
	   state) and the kernels (3 C C, 3 C I) must fit, with room to spare */
	size_t limit = SIZE_MAX / sizeof(double) / 16, S, CN, n, P, CC, CI;
	if (v > limit || __builtin_mul_overflow(2 * v + 1, C, &S) ||
	    __builtin_mul_overflow(C, N, &CN) || __builtin_mul_overflow(S, N, &n) ||
	    __builtin_mul_overflow(I, N, &P) || __builtin_mul_overflow(C, C, &CC) ||
	    __builtin_mul_overflow(C, I, &CI) || n > limit || P > limit ||
	    CC > limit / TAPS || CI > limit / TAPS)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu channels, %zu inputs and "
		                 "velocities -%zu .. %zu on a ring of %zu units is too large",
		                 kind, C, I, v, v, N);
	m->n = n;
	m->input_size = P;
	m->readout_in = CN;
	m->readout_pool = 2 * v + 1;
	s->act = DK_ACT_RELU; /* always */
	static const char *const w_axes[3] = {"channel_out", "channel_in", "tap"};
	static const char *const u_axes[3] = {"channel", "input", "tap"};
	static const char *const b_axes[1] = {"channel"};
	size_t ws[3] = {C, C, TAPS}, us[3] = {C, I, TAPS}, bs[1] = {C};
	dk_model_add_param(m, "model/W", 3, ws, w_axes);
	dk_model_add_param(m, "model/U", 3, us, u_axes);
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	return DK_OK;
}

/* A periodic ring of N units per velocity and channel, velocity-major. */
static void spatial(const dk_model *m, dk_layout *out)
{
	*out = dk_layout_rings(slices(m) * m->spec.channels, m->spec.units, 1);
}

static int init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	if (strcmp(m->spec.init, "random"))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: unknown initialisation "
		                 "'%s' (random)", m->ops->kind, m->spec.init);
	fernn_params p = params(m);
	size_t C = m->spec.channels, I = m->spec.inputs;
	double gw = m->spec.gain / sqrt((double)(TAPS * C));
	for (size_t i = 0; i < C * C * TAPS; i++)
		m->theta[p.W + i] = gw * (2 * dk_rng_uniform(rng) - 1);
	double gu = I ? 1 / sqrt((double)(TAPS * I)) : 0;
	for (size_t i = 0; i < C * I * TAPS; i++)
		m->theta[p.U + i] = gu * (2 * dk_rng_uniform(rng) - 1);
	return DK_OK;
}

/*
 * Scratch, in doubles, a state at a time: the input's convolution plus
 * the bias (C N), the sum over velocities of the pre-activations'
 * gradients (C N), a pre-activation when the caller has no cache and the
 * pre-activation's gradient (the state's size each).
 */
static size_t work_size(const dk_model *m, size_t batch)
{
	(void)batch;
	return 2 * slice_units(m) + 2 * m->n;
}

static size_t cache_size(const dk_model *m)
{
	return m->n;
}

/* c (C N) = b + U * u; u NULL: b alone. */
static void input_term(const dk_model *m, const double *u, double *c)
{
	fernn_params p = params(m);
	size_t C = m->spec.channels, N = m->spec.units, I = m->spec.inputs;
	const double *U = m->theta + p.U, *b = m->theta + p.b;
	for (size_t k = 0; k < C; k++)
		for (size_t i = 0; i < N; i++)
			c[k * N + i] = b[k];
	if (!u)
		return;
	for (size_t k = 0; k < C; k++)
		for (size_t l = 0; l < I; l++)
			for (size_t d = 0; d < TAPS; d++) {
				double w = U[(k * I + l) * TAPS + d];
				size_t o = (d + N - 1) % N;
				for (size_t i = 0; i < N; i++)
					c[k * N + i] += w * u[l * N + (i + o) % N];
			}
}

/* y (one slice, C N) = beta y + W * T_nu h, h slice a of a state. */
static void conv_slice(const dk_model *m, size_t a, const double *h, double beta,
                       double *y)
{
	size_t C = m->spec.channels, N = m->spec.units;
	const double *W = m->theta + params(m).W;
	for (size_t i = 0; i < C * N; i++)
		y[i] = beta != 0 ? beta * y[i] : 0;
	for (size_t k = 0; k < C; k++)
		for (size_t j = 0; j < C; j++)
			for (size_t d = 0; d < TAPS; d++) {
				double w = W[(k * C + j) * TAPS + d];
				size_t o = tap_offset(m, a, d);
				for (size_t i = 0; i < N; i++)
					y[k * N + i] += w * h[j * N + (i + o) % N];
			}
}

/* The pre-activation of one state into A (n): every slice's W * T_nu h,
   plus b + U * u (computed into c). */
static void preact(const dk_model *m, const double *x, const double *u, double *c,
                   double *A)
{
	size_t CN = slice_units(m), S = slices(m);
	input_term(m, u, c);
	for (size_t a = 0; a < S; a++) {
		memcpy(A + a * CN, c, CN * sizeof *A);
		conv_slice(m, a, x + a * CN, 1.0, A + a * CN);
	}
}

static int step(const dk_model *m, double *work, size_t B, const double *x,
                const double *u, double *xn, double *cache)
{
	size_t n = m->n, P = m->input_size;
	double *c = work, *A = work + 2 * slice_units(m);
	for (size_t r = 0; r < B; r++) {
		double *a = cache ? cache + r * n : A;
		preact(m, x + r * n, u ? u + r * P : NULL, c, a);
		dk_act_relu_mask(a, a, xn + r * n, n);
	}
	return DK_OK;
}

/* The pre-activation of row r: the cache's, or computed into the scratch. */
static const double *row_preact(const dk_model *m, double *work, const double *x,
                                const double *u, const double *cache, size_t r)
{
	size_t n = m->n;
	if (cache)
		return cache + r * n;
	double *A = work + 2 * slice_units(m);
	preact(m, x + r * n, u ? u + r * m->input_size : NULL, work, A);
	return A;
}

static int jvp(const dk_model *m, double *work, size_t B, const double *x,
               const double *u, const double *cache, const double *dx,
               double *dxn)
{
	size_t n = m->n, CN = slice_units(m), S = slices(m);
	for (size_t r = 0; r < B; r++) {
		const double *A = row_preact(m, work, x, u, cache, r);
		double *out = dxn + r * n;
		for (size_t a = 0; a < S; a++)
			conv_slice(m, a, dx + r * n + a * CN, 0.0, out + a * CN);
		dk_act_relu_mask(A, out, out, n);
	}
	return DK_OK;
}

/*
 * With g = relu'(A) gxn: gx_nu = T_nu^T W^T g_nu (each slice its own
 * shift back), gu = U^T (sum over nu of g_nu), and the gradients of W
 * (g_nu against T_nu h_nu, summed over nu), U (the summed g against u)
 * and b (the summed g).  gx is overwritten, gparams accumulated.
 */
static int vjp(const dk_model *m, double *work, size_t B, const double *x,
               const double *u, const double *cache, const double *gxn,
               double *gx, double *gu, double *gp)
{
	fernn_params p = params(m);
	size_t n = m->n, CN = slice_units(m), S = slices(m);
	size_t C = m->spec.channels, N = m->spec.units, I = m->spec.inputs;
	const double *W = m->theta + p.W, *U = m->theta + p.U;
	double *G = work + CN, *g = work + 2 * CN + n;
	for (size_t r = 0; r < B; r++) {
		const double *A = row_preact(m, work, x, u, cache, r);
		const double *xr = x + r * n, *ur = u ? u + r * m->input_size : NULL;
		double *gxr = gx + r * n;
		dk_act_relu_mask(A, gxn + r * n, g, n);
		memset(G, 0, CN * sizeof *G);
		for (size_t a = 0; a < S; a++)
			for (size_t e = 0; e < CN; e++)
				G[e] += g[a * CN + e];
		memset(gxr, 0, n * sizeof *gxr);
		for (size_t a = 0; a < S; a++) {
			const double *ga = g + a * CN, *ha = xr + a * CN;
			double *gxa = gxr + a * CN;
			for (size_t k = 0; k < C; k++)
				for (size_t j = 0; j < C; j++)
					for (size_t d = 0; d < TAPS; d++) {
						size_t o = tap_offset(m, a, d), wi = (k * C + j) * TAPS + d;
						double w = W[wi], t = 0;
						for (size_t i = 0; i < N; i++) {
							size_t q = j * N + (i + o) % N;
							gxa[q] += w * ga[k * N + i];
							t += ga[k * N + i] * ha[q];
						}
						if (gp)
							gp[p.W + wi] += t;
					}
		}
		if (gu) {
			double *gur = gu + r * m->input_size;
			memset(gur, 0, m->input_size * sizeof *gur);
			for (size_t k = 0; k < C; k++)
				for (size_t l = 0; l < I; l++)
					for (size_t d = 0; d < TAPS; d++) {
						double w = U[(k * I + l) * TAPS + d];
						size_t o = (d + N - 1) % N;
						for (size_t i = 0; i < N; i++)
							gur[l * N + (i + o) % N] += w * G[k * N + i];
					}
		}
		if (!gp)
			continue;
		for (size_t k = 0; k < C; k++) {
			double t = 0;
			for (size_t i = 0; i < N; i++)
				t += G[k * N + i];
			gp[p.b + k] += t;
		}
		for (size_t k = 0; ur && k < C; k++)
			for (size_t l = 0; l < I; l++)
				for (size_t d = 0; d < TAPS; d++) {
					size_t o = (d + N - 1) % N;
					double t = 0;
					for (size_t i = 0; i < N; i++)
						t += G[k * N + i] * ur[l * N + (i + o) % N];
					gp[p.U + (k * I + l) * TAPS + d] += t;
				}
	}
	return DK_OK;
}

/*
 * J = diag(relu'(A)) times a block-diagonal matrix, one block per
 * velocity: row (nu, k, i) holds W[k][j][d] at column (nu, j, (i + d - 1
 * - nu) mod N) (taps add up on rings of fewer than 3 units).
 */
static int jacobian(const dk_model *m, double *work, const double *x,
                    const double *u, double *J)
{
	size_t n = m->n, CN = slice_units(m), S = slices(m);
	size_t C = m->spec.channels, N = m->spec.units;
	const double *W = m->theta + params(m).W;
	const double *A = row_preact(m, work, x, u, NULL, 0);
	memset(J, 0, n * n * sizeof *J);
	for (size_t a = 0; a < S; a++)
		for (size_t k = 0; k < C; k++)
			for (size_t i = 0; i < N; i++) {
				size_t row = a * CN + k * N + i;
				if (!(A[row] > 0))
					continue;
				for (size_t j = 0; j < C; j++)
					for (size_t d = 0; d < TAPS; d++)
						J[row * n + a * CN + j * N + (i + tap_offset(m, a, d)) % N] +=
							W[(k * C + j) * TAPS + d];
			}
	return DK_OK;
}

const dk_model_ops dk_fernn_ops = {
	.kind = "fernn",
	.act_default = DK_ACT_RELU,
	.act_fixed = 1,
	.init_default = "random",
	.has_channels = 1,
	.has_velocities = 1,
	.layout = layout,
	.spatial = spatial,
	.init = init,
	.work_size = work_size,
	.cache_size = cache_size,
	.step = step,
	.jvp = jvp,
	.vjp = vjp,
	.jacobian = jacobian,
};

const dk_model_ops dk_grnn_ops = {
	.kind = "grnn",
	.act_default = DK_ACT_RELU,
	.act_fixed = 1,
	.init_default = "random",
	.has_channels = 1,
	.layout = layout,
	.spatial = spatial,
	.init = init,
	.work_size = work_size,
	.cache_size = cache_size,
	.step = step,
	.jvp = jvp,
	.vjp = vjp,
	.jacobian = jacobian,
};
