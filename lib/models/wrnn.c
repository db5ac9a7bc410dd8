/*
 * wrnn.c -- the Wave-RNN of Keller, Muller, Sejnowski and Welling
 * ("Traveling waves encode the recent past and enhance sequence
 * learning", ICLR 2024): h' = relu(u * h + V x + b), x the input (u in
 * the code below, where x is the state).
 *
 * The state is c channels of n units, each channel a ring, stored
 * channel-major: unit i of channel k at index k n + i.  u is a circular
 * 1-D convolution over the ring, c -> c channels, kernel size 3, with a
 * bias, in PyTorch's Conv1d convention (cross-correlation, circular
 * padding 1):
 *
 *	(u * h)[k][i] = cb[k] + sum_j sum_{d=0..2} W[k][j][d] h[j][(i + d - 1) mod n]
 *
 * Parameters, in this order: model/conv/W (c x c x 3), model/conv/b (c),
 * model/V (c n x inputs), model/b (c n), the bias of the input layer
 * (PyTorch's nn.Linear(inputs, c n)).
 *
 * Initialisations: "shift" (the default) gives each channel's own kernel
 * [0, 0, 1], so (u * h)[k][i] = h[k][i + 1] and activity moves one unit
 * per step toward lower indices, with the "solo" input: V = 0 but for a
 * weight 1 from every input into unit 0 of every ring, and b = 0.
 * "random" draws the kernel from N(0, gain^2 / (3 c)) and V and b
 * uniformly from [-1/sqrt(c n), 1/sqrt(c n)], as rnn.c does.  The conv
 * bias starts at 0 in both.
 *
 * The convolution is a product per batch row: with the ring padded
 * circularly into a c x (n + 2) scratch P (P[j][m] = h[j][(m - 1) mod n]),
 * tap d is the c x c matrix W_d times the c x n view P[:, d .. d + n - 1],
 * three small DGEMMs.  At c = 27, n = 100, batch 128 (the adding task)
 * they took about 1.0 ms on the 2-core development machine, against
 * 1.2 ms for an im2col (3c x n) per row, 1.7 ms for one im2col product
 * (c x 3c)(3c x B n) over the batch, 1.9 ms for a channel-last layout
 * with three (B (n + 2) x c)(c x c) products, and 3.3 ms for direct
 * loops.  The adjoint is the same with W_d^T and the opposite shift.
 * The step caches the pre-activation, and nothing here allocates.
 */
#include <config.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "models/model_impl.h"

/* Offsets of the parameters in theta. */
typedef struct { size_t W, cb, V, b; } wrnn_params;

static wrnn_params params(const dk_model *m)
{
	return (wrnn_params){m->view[0].offset, m->view[1].offset,
	                     m->view[2].offset, m->view[3].offset};
}

static int wrnn_layout(dk_model *m, char *err, size_t errlen)
{
	size_t c = m->spec.channels, n = m->spec.units, in = m->spec.inputs;
	if (c == 0 || n == 0) {
		snprintf(err, errlen, "wrnn needs --channels and --units of at least 1");
		return DK_EINVAL;
	}
	/* the BLAS takes int sizes: c (n + 2) and 3 c c must fit */
	if (n > (size_t)INT_MAX / 4 || c > (size_t)INT_MAX / 4 / (n + 2) ||
	    in > (size_t)INT_MAX) {
		snprintf(err, errlen, "wrnn: %zu channels of %zu units is too large", c, n);
		return DK_EINVAL;
	}
	m->n = c * n;
	m->spec.act = DK_ACT_RELU; /* always */
	static const char *const w_axes[3] = {"channel_out", "channel_in", "tap"};
	static const char *const cb_axes[1] = {"channel"};
	static const char *const v_axes[2] = {"unit", "input"};
	static const char *const b_axes[1] = {"unit"};
	size_t ws[3] = {c, c, 3}, cbs[1] = {c}, vs[2] = {c * n, in}, bs[1] = {c * n};
	dk_model_add_param(m, "model/conv/W", 3, ws, w_axes);
	dk_model_add_param(m, "model/conv/b", 1, cbs, cb_axes);
	dk_model_add_param(m, "model/V", 2, vs, v_axes);
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	return DK_OK;
}

static int wrnn_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	wrnn_params p = params(m);
	size_t c = m->spec.channels, n = m->spec.units, in = m->spec.inputs;
	double *W = m->theta + p.W, *V = m->theta + p.V;
	if (!m->init_name[0]) /* the default, recorded as such */
		snprintf(m->init_name, sizeof m->init_name, "shift");
	const char *init = m->init_name;
	if (!strcmp(init, "shift")) {
		for (size_t k = 0; k < c; k++) /* W[k][k] = [0, 0, 1] */
			W[(k * c + k) * 3 + 2] = 1;
		for (size_t k = 0; k < c; k++) /* solo: every input into unit 0 */
			for (size_t a = 0; a < in; a++)
				V[(k * n) * in + a] = 1;
	} else if (!strcmp(init, "random")) {
		double sd = m->spec.gain / sqrt(3.0 * (double)c);
		for (size_t i = 0; i < c * c * 3; i++)
			W[i] = dk_rng_normal(rng, sd);
		double k = 1 / sqrt((double)m->n);
		for (size_t i = 0; i < m->n * in; i++)
			V[i] = k * (2 * dk_rng_uniform(rng) - 1);
		for (size_t i = 0; i < m->n; i++)
			m->theta[p.b + i] = k * (2 * dk_rng_uniform(rng) - 1);
	} else {
		snprintf(err, errlen, "wrnn: unknown initialisation '%s' (shift, random)", init);
		return DK_EINVAL;
	}
	return DK_OK;
}

/*
 * The scratch, in doubles: A (B c n, the pre-activation when there is no
 * cache), G (B c n, the gradient at A), two padded rings (2 c (n + 2)),
 * the three taps W_d (3 c c) and their gradients (3 c c).
 */
typedef struct { double *A, *G, *P, *Q, *Wd, *gWd; } scratch;

static scratch carve(const dk_model *m, double *work, size_t B)
{
	size_t c = m->spec.channels, n = m->spec.units, N = m->n;
	scratch s;
	s.A = work;
	s.G = s.A + B * N;
	s.P = s.G + B * N;
	s.Q = s.P + c * (n + 2);
	s.Wd = s.Q + c * (n + 2);
	s.gWd = s.Wd + 3 * c * c;
	return s;
}

static size_t wrnn_work_size(const dk_model *m, size_t batch)
{
	size_t c = m->spec.channels, n = m->spec.units;
	return 2 * batch * m->n + 2 * c * (n + 2) + 6 * c * c;
}

static size_t wrnn_cache_size(const dk_model *m)
{
	return m->n;
}

/* Wd[d] = W[:, :, d], contiguous c x c, for the BLAS. */
static void split_taps(const dk_model *m, double *Wd)
{
	size_t c = m->spec.channels;
	const double *W = m->theta + params(m).W;
	for (size_t d = 0; d < 3; d++)
		for (size_t k = 0; k < c; k++)
			for (size_t j = 0; j < c; j++)
				Wd[(d * c + k) * c + j] = W[(k * c + j) * 3 + d];
}

/* P[j][m] = h[j][(m - 1) mod n] for m = 0 .. n + 1: the ring, padded. */
static void pad(size_t c, size_t n, const double *h, double *P)
{
	for (size_t j = 0; j < c; j++) {
		const double *r = h + j * n;
		double *p = P + j * (n + 2);
		p[0] = r[n - 1];
		memcpy(p + 1, r, n * sizeof *p);
		p[n + 1] = r[0];
	}
}

/*
 * Y (c x n) = beta Y + sum_d W_d P[:, d .. d + n - 1]: the convolution of
 * one padded state, without bias.
 */
static void conv(size_t c, size_t n, const double *Wd, const double *P,
                 double beta, double *Y)
{
	int ci = (int)c, ni = (int)n, ld = (int)(n + 2);
	for (size_t d = 0; d < 3; d++)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ci, ni, ci, 1.0,
		            Wd + d * c * c, ci, P + d, ld, d ? 1.0 : beta, Y, ni);
}

/*
 * The input term costs little when there are few inputs, and OpenBLAS
 * spends more in waking its threads for a product of inner size 1 or 2
 * (the adding task) than in the product: below this many inputs it is
 * a loop over each row, at and above it one DGEMM for the batch.
 */
#define FEW_INPUTS 4

/*
 * A = conv(x) + cb + U V^T + b for B rows (Wd and P in s), and when xn is
 * not NULL, xn = relu(A), row by row while the row is in cache.
 */
static void forward(const dk_model *m, scratch *s, size_t B, const double *x,
                    const double *u, double *A, double *xn)
{
	wrnn_params p = params(m);
	size_t c = m->spec.channels, n = m->spec.units, N = m->n;
	size_t in = u ? m->spec.inputs : 0;
	const double *cb = m->theta + p.cb, *bias = m->theta + p.b;
	const double *V = m->theta + p.V;
	split_taps(m, s->Wd);
	if (in >= FEW_INPUTS) /* A = U V^T: (B x in)(in x N) */
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)N, (int)in,
		            1.0, u, (int)in, V, (int)in, 0.0, A, (int)N);
	for (size_t r = 0; r < B; r++) {
		double *a = A + r * N;
		if (in >= FEW_INPUTS) {
			for (size_t k = 0; k < c; k++)
				for (size_t i = 0; i < n; i++)
					a[k * n + i] += cb[k] + bias[k * n + i];
		} else {
			const double *ur = u + r * in;
			for (size_t k = 0; k < c; k++)
				for (size_t i = 0; i < n; i++) {
					size_t q = k * n + i;
					double t = cb[k] + bias[q];
					for (size_t l = 0; l < in; l++)
						t += V[q * in + l] * ur[l];
					a[q] = t;
				}
		}
		pad(c, n, x + r * N, s->P);
		conv(c, n, s->Wd, s->P, 1.0, a);
		if (xn)
			dk_act_relu_mask(a, a, xn + r * N, N);
	}
}

static int wrnn_step(const dk_model *m, double *work, size_t B,
                     const double *x, const double *u, double *xn,
                     double *cache)
{
	scratch s = carve(m, work, B);
	forward(m, &s, B, x, u, cache ? cache : s.A, xn);
	return DK_OK;
}

/* The pre-activation: the cache, or recomputed into s->A. */
static const double *preactivation(const dk_model *m, scratch *s, size_t B,
                                   const double *x, const double *u,
                                   const double *cache)
{
	if (!cache) {
		forward(m, s, B, x, u, s->A, NULL);
		return s->A;
	}
	split_taps(m, s->Wd);
	return cache;
}

static int wrnn_jvp(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, const double *cache,
                    const double *dx, double *dxn)
{
	size_t c = m->spec.channels, n = m->spec.units, N = m->n;
	scratch s = carve(m, work, B);
	const double *A = preactivation(m, &s, B, x, u, cache);
	for (size_t r = 0; r < B; r++) { /* dxn = relu'(A) conv(dx) */
		pad(c, n, dx + r * N, s.P);
		conv(c, n, s.Wd, s.P, 0.0, dxn + r * N);
		dk_act_relu_mask(A + r * N, dxn + r * N, dxn + r * N, N);
	}
	return DK_OK;
}

static int wrnn_vjp(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, const double *cache,
                    const double *gxn, double *gx, double *gu, double *gp)
{
	wrnn_params p = params(m);
	size_t c = m->spec.channels, n = m->spec.units, N = m->n;
	int in = (int)m->spec.inputs, ci = (int)c, ni = (int)n, ld = (int)(n + 2);
	scratch s = carve(m, work, B);
	const double *A = preactivation(m, &s, B, x, u, cache);
	double *G = s.G;
	if (gp)
		memset(s.gWd, 0, 3 * c * c * sizeof *s.gWd);
	for (size_t r = 0; r < B; r++) {
		double *g = G + r * N;
		dk_act_relu_mask(A + r * N, gxn + r * N, g, N); /* g = relu'(a) gxn */
		if (gx) {
			/* gx[j][i] = sum_d sum_k W_d[k][j] g[k][(i - d + 1) mod n]
			   = sum_d (W_d^T Q[:, 2 - d ..])[j][i], Q the padded g */
			pad(c, n, g, s.Q);
			for (size_t d = 0; d < 3; d++)
				cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ci, ni, ci,
				            1.0, s.Wd + d * c * c, ci, s.Q + (2 - d), ld,
				            d ? 1.0 : 0.0, gx + r * N, ni);
		}
		if (gp) {
			/* gW_d += g P[:, d ..]^T, P the padded x */
			pad(c, n, x + r * N, s.P);
			for (size_t d = 0; d < 3; d++)
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ci, ci, ni,
				            1.0, g, ni, s.P + d, ld, 1.0, s.gWd + d * c * c, ci);
			for (size_t k = 0; k < c; k++) {
				double t = 0;
				for (size_t i = 0; i < n; i++)
					t += g[k * n + i];
				gp[p.cb + k] += t;
			}
			for (size_t i = 0; i < N; i++)
				gp[p.b + i] += g[i];
		}
	}
	if (gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, in, (int)N,
		            1.0, G, (int)N, m->theta + p.V, in, 0.0, gu, in);
	if (gp) {
		for (size_t d = 0; d < 3; d++)
			for (size_t k = 0; k < c; k++)
				for (size_t j = 0; j < c; j++)
					gp[p.W + (k * c + j) * 3 + d] += s.gWd[(d * c + k) * c + j];
		if (u && in)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)N, in, (int)B,
			            1.0, G, (int)N, u, in, 1.0, gp + p.V, in);
	}
	return DK_OK;
}

/*
 * J = diag(relu'(a)) C, C the circulant-block matrix of the convolution:
 * C[(k, i)][(j, (i + d - 1) mod n)] += W[k][j][d] (taps add up on rings
 * of fewer than 3 units).
 */
static int wrnn_jacobian(const dk_model *m, double *work, const double *x,
                         const double *u, double *J)
{
	size_t c = m->spec.channels, n = m->spec.units, N = m->n;
	const double *W = m->theta + params(m).W;
	scratch s = carve(m, work, 1);
	const double *A = preactivation(m, &s, 1, x, u, NULL);
	memset(J, 0, N * N * sizeof *J);
	for (size_t k = 0; k < c; k++)
		for (size_t i = 0; i < n; i++) {
			double *row = J + (k * n + i) * N;
			if (!(A[k * n + i] > 0))
				continue;
			for (size_t j = 0; j < c; j++)
				for (size_t d = 0; d < 3; d++)
					row[j * n + (i + d + n - 1) % n] += W[(k * c + j) * 3 + d];
		}
	return DK_OK;
}

const dk_model_ops dk_wrnn_ops = {
	.kind = "wrnn",
	.layout = wrnn_layout,
	.init = wrnn_init,
	.work_size = wrnn_work_size,
	.cache_size = wrnn_cache_size,
	.step = wrnn_step,
	.jvp = wrnn_jvp,
	.vjp = wrnn_vjp,
	.jacobian = wrnn_jacobian,
};
