/*
 * rnn.c -- the vanilla recurrent network h' = act(W h + V u + b).
 *
 * With act = relu and W = I it is the iRNN of Le, Jaitly and Hinton
 * (2015), the Wave-RNN paper's baseline.  Parameters: model/W (n x n),
 * model/V (n x m), model/b (n).  Initialisations: identity (W = gain I),
 * random (W_ij ~ N(0, gain^2 / n)), orthogonal (W = gain Q, Q
 * Haar-random); V and b are uniform on [-1/sqrt(n), 1/sqrt(n)], as
 * PyTorch's nn.RNN draws them.
 *
 * jvp and vjp need only the slope act'(a) of the pre-activation a.  For
 * relu and tanh the slope follows from the value h' = act(a) (relu:
 * a > 0 exactly when h' > 0; tanh: 1 - h'^2), so the step's cache is h'
 * itself, and BPTT, which keeps every state, keeps no cache at all (and
 * reads the slope from a state still warm in cache rather than from a
 * separate array long since evicted).  For erf the cache is the slope.
 * Either way a batched jvp of many tangent vectors at one state
 * (Lyapunov spectra) costs a product and no transcendental function.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "linalg/orthogonal.h"
#include "models/model_impl.h"

/* Offsets of the parameters in theta. */
typedef struct { size_t W, V, b; } rnn_params;

static rnn_params params(const dk_model *m)
{
	return (rnn_params){m->view[0].offset, m->view[1].offset, m->view[2].offset};
}

static int rnn_layout(dk_model *m, char *err, size_t errlen)
{
	size_t n = m->spec.units, in = m->spec.inputs;
	if (n == 0) {
		snprintf(err, errlen, "rnn: units must be at least 1");
		return DK_EINVAL;
	}
	m->n = n;
	static const char *const w_axes[2] = {"unit", "unit_in"};
	static const char *const v_axes[2] = {"unit", "input"};
	static const char *const b_axes[1] = {"unit"};
	size_t ws[2] = {n, n}, vs[2] = {n, in}, bs[1] = {n};
	dk_model_add_param(m, "model/W", 2, ws, w_axes);
	dk_model_add_param(m, "model/V", 2, vs, v_axes);
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	return DK_OK;
}

static int rnn_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	rnn_params p = params(m);
	size_t n = m->n, in = m->spec.inputs;
	double *W = m->theta + p.W, g = m->spec.gain;
	const char *init = m->spec.init; /* "random" when none was given */
	if (!strcmp(init, "identity")) {
		for (size_t i = 0; i < n; i++)
			W[i * n + i] = g;
	} else if (!strcmp(init, "random")) {
		for (size_t i = 0; i < n * n; i++)
			W[i] = dk_rng_normal(rng, g / sqrt((double)n));
	} else if (!strcmp(init, "orthogonal")) {
		int st = dk_linalg_random_orthogonal(rng, n, W);
		if (st) {
			snprintf(err, errlen, "orthogonal initialisation failed");
			return st;
		}
		for (size_t i = 0; i < n * n; i++)
			W[i] *= g;
	} else {
		snprintf(err, errlen, "rnn: unknown initialisation '%s' (identity, random, orthogonal)", init);
		return DK_EINVAL;
	}
	double k = 1 / sqrt((double)n);
	for (size_t i = 0; i < n * in; i++)
		m->theta[p.V + i] = k * (2 * dk_rng_uniform(rng) - 1);
	for (size_t i = 0; i < n; i++)
		m->theta[p.b + i] = k * (2 * dk_rng_uniform(rng) - 1);
	return DK_OK;
}

static size_t rnn_work_size(const dk_model *m, size_t batch)
{
	return 2 * batch * m->n; /* pre-activation, then the slope */
}

static size_t rnn_cache_size(const dk_model *m)
{
	return m->n;
}

/* A = X W^T + U V^T + b, for B rows. */
static void preactivation(const dk_model *m, size_t B, const double *x,
                          const double *u, double *A)
{
	rnn_params p = params(m);
	int n = (int)m->n, in = (int)m->spec.inputs;
	for (size_t r = 0; r < B; r++)
		memcpy(A + r * m->n, m->theta + p.b, m->n * sizeof *A);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, n, n, 1.0,
	            x, n, m->theta + p.W, n, 1.0, A, n);
	if (u && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, n, in,
		            1.0, u, in, m->theta + p.V, in, 1.0, A, n);
}

/* What a cache (or the recomputed array) holds per entry. */
typedef enum { SLOPE, RELU_VALUE, TANH_VALUE } slope_form;

static int rnn_cache_is_state(const dk_model *m)
{
	return m->spec.act == DK_ACT_RELU || m->spec.act == DK_ACT_TANH;
}

static int rnn_step(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, double *xn,
                    double *cache)
{
	size_t count = B * m->n;
	preactivation(m, B, x, u, work);
	if (cache && !rnn_cache_is_state(m)) {
		dk_act_apply_slope(m->spec.act, work, xn, cache, count);
		return DK_OK;
	}
	dk_act_apply(m->spec.act, work, xn, count);
	if (cache && cache != xn)
		memcpy(cache, xn, count * sizeof *cache);
	return DK_OK;
}

/*
 * The array S from which the slope is read, and its form: the cache, or
 * (no cache) the slope recomputed into work + B n.
 */
static const double *slope_source(const dk_model *m, double *work, size_t B,
                                  const double *x, const double *u,
                                  const double *cache, slope_form *form)
{
	if (cache) {
		*form = !rnn_cache_is_state(m) ? SLOPE
		        : m->spec.act == DK_ACT_RELU ? RELU_VALUE : TANH_VALUE;
		return cache;
	}
	preactivation(m, B, x, u, work);
	double *D = work + B * m->n;
	dk_act_derivative(m->spec.act, work, D, B * m->n);
	*form = SLOPE;
	return D;
}

/*
 * out = v * act'(a) over one row of n, the slope read from s in its
 * form: the same products, bit for bit, as with the slope stored (relu:
 * 1.0 or 0.0; tanh: 1 - h'^2 as the step would have stored it).
 */
static void times_slope(slope_form form, size_t n, const double *restrict s,
                        const double *v, double *out)
{
	switch (form) {
	case SLOPE:
		for (size_t i = 0; i < n; i++)
			out[i] = s[i] * v[i];
		break;
	case RELU_VALUE:
		for (size_t i = 0; i < n; i++)
			out[i] = (double)(s[i] > 0) * v[i];
		break;
	case TANH_VALUE:
		for (size_t i = 0; i < n; i++)
			out[i] = (1 - s[i] * s[i]) * v[i];
		break;
	}
}

static int rnn_jvp(const dk_model *m, double *work, size_t B,
                   const double *x, const double *u, const double *cache,
                   const double *dx, double *dxn)
{
	size_t n = m->n;
	slope_form form;
	const double *S = slope_source(m, work, B, x, u, cache, &form);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)n,
	            (int)n, 1.0, dx, (int)n, m->theta + params(m).W, (int)n, 0.0,
	            dxn, (int)n);
	for (size_t r = 0; r < B; r++)
		times_slope(form, n, S + r * n, dxn + r * n, dxn + r * n);
	return DK_OK;
}

/*
 * G = gxn * act'(A) row by row, and (gb not NULL) gb += the sum of G's
 * rows, in the same pass while the row is in cache.  No two of G, S,
 * gxn and gb overlap.
 */
static void scaled_rows(size_t B, size_t n, slope_form form,
                        const double *restrict S, const double *restrict gxn,
                        double *restrict G, double *restrict gb)
{
	for (size_t r = 0; r < B; r++) {
		double *restrict out = G + r * n;
		times_slope(form, n, S + r * n, gxn + r * n, out);
		if (gb)
			for (size_t i = 0; i < n; i++)
				gb[i] += out[i];
	}
}

static int rnn_vjp(const dk_model *m, double *work, size_t B,
                   const double *x, const double *u, const double *cache,
                   const double *gxn, double *gx, double *gu, double *gp)
{
	rnn_params p = params(m);
	int n = (int)m->n, in = (int)m->spec.inputs, b = (int)B;
	/* the slope from the cache, or from work + B n; G over the
	   pre-activation */
	slope_form form;
	const double *S = slope_source(m, work, B, x, u, cache, &form);
	double *G = work;
	scaled_rows(B, m->n, form, S, gxn, G, gp ? gp + p.b : NULL);
	if (gx)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, n, n, 1.0,
		            G, n, m->theta + p.W, n, 0.0, gx, n);
	if (gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, in, n, 1.0,
		            G, n, m->theta + p.V, in, 0.0, gu, in);
	if (gp) {
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, b, 1.0,
		            G, n, x, n, 1.0, gp + p.W, n);
		if (u && in)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, in, b,
			            1.0, G, n, u, in, 1.0, gp + p.V, in);
	}
	return DK_OK;
}

static int rnn_jacobian(const dk_model *m, double *work, const double *x,
                        const double *u, double *J)
{
	size_t n = m->n;
	const double *W = m->theta + params(m).W;
	slope_form form;
	const double *D = slope_source(m, work, 1, x, u, NULL, &form);
	for (size_t i = 0; i < n; i++) /* J = diag(act'(a)) W */
		for (size_t j = 0; j < n; j++)
			J[i * n + j] = D[i] * W[i * n + j];
	return DK_OK;
}

const dk_model_ops dk_rnn_ops = {
	.kind = "rnn",
	.layout = rnn_layout,
	.init = rnn_init,
	.work_size = rnn_work_size,
	.cache_size = rnn_cache_size,
	.cache_is_state = rnn_cache_is_state,
	.actions = dk_model_unit_actions,
	.step = rnn_step,
	.jvp = rnn_jvp,
	.vjp = rnn_vjp,
	.jacobian = rnn_jacobian,
};
