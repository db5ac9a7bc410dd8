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
 * bias starts at 0 in both.  "authors" is "shift" with the two biases
 * the authors' code leaves at PyTorch's default draws: the conv bias
 * uniform within 1/sqrt(3 c), the readout's within 1/sqrt(c n); it
 * changes the dynamics much (channels of positive bias grow each step).
 *
 * The convolution runs row by row over the ring padded circularly into
 * a scratch P (P[j][m] = h[j][(m - 1) mod n], m = 0 .. n + 1), in the
 * direct loops of wconv.c: each value one chain of fused multiply-adds,
 * in vector registers along the ring.  They replaced three small DGEMMs
 * per row (W_d times the view P[:, d ..]), whose speed hung on which
 * kernels the BLAS picked (OpenBLAS's AVX2 ones ran them 24 % slower than
 * its AVX-512 ones, and the kernel gradient's 32 % slower; an im2col
 * product over the batch and a channel-last layout had been slower
 * still; wconv.c gives the rates).  The adjoint is the same convolution
 * with the kernel transposed and its taps reversed.  The kernel's
 * gradient sums g[k][i] P[j][i + d] over a few rows at a time, laid end
 * to end with g's rings padded by zeros, so that the sums run along one
 * long line.  A row's work is too small to split, so the rows are
 * shared out among threads here (see BLOCKS below).  All
 * the tangent and the adjoint need of a step is relu'(a) = [a > 0], and
 * a > 0 exactly where the next state relu(a) is, so the step's cache is
 * that state (dk_model_cache_is_state): BPTT keeps no cache, and reads
 * the mask from a state it reads anyway.  Nothing here allocates but the
 * workspace's team of threads, started once with the workspace.
 */
#include <config.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "base/team.h"
#include "models/model_impl.h"
#include "models/row_team.h"
#include "models/wconv.h"

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
		snprintf(err, errlen, "wrnn: channels and units must be at least 1");
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

/* c rings of n units, each periodic: the circular convolution wraps. */
static void wrnn_spatial(const dk_model *m, dk_layout *out)
{
	*out = dk_layout_rings(m->spec.channels, m->spec.units, 1);
}

static int wrnn_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	wrnn_params p = params(m);
	size_t c = m->spec.channels, n = m->spec.units, in = m->spec.inputs;
	double *W = m->theta + p.W, *V = m->theta + p.V;
	const char *init = m->init_name; /* "shift" when none was given */
	int authors = !strcmp(init, "authors");
	if (!strcmp(init, "shift") || authors) {
		for (size_t k = 0; k < c; k++) /* W[k][k] = [0, 0, 1] */
			W[(k * c + k) * 3 + 2] = 1;
		for (size_t k = 0; k < c; k++) /* solo: every input into unit 0 */
			for (size_t a = 0; a < in; a++)
				V[(k * n) * in + a] = 1;
	}
	if (authors) {
		/* the biases the authors' cell leaves at PyTorch's default draws
		   (init fwd, solo_init yes): nn.Conv1d's, uniform within 1 /
		   sqrt(fan-in = 3 c), and the readout nn.Linear's, within 1 /
		   sqrt(c n) */
		double kc = 1 / sqrt(3.0 * (double)c), kr = 1 / sqrt((double)m->n);
		for (size_t k = 0; k < c; k++)
			m->theta[p.cb + k] = kc * (2 * dk_rng_uniform(rng) - 1);
		for (size_t o = 0; o < m->spec.outputs; o++)
			m->theta[m->readout_b + o] = kr * (2 * dk_rng_uniform(rng) - 1);
	} else if (!strcmp(init, "shift")) {
		/* made above */
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
		snprintf(err, errlen, "wrnn: unknown initialisation '%s' (shift, authors, random)",
		         init);
		return DK_EINVAL;
	}
	return DK_OK;
}

/*
 * Each row's products are too small for OpenBLAS to share out (it runs
 * them in the caller, in its small-matrix kernel), so the rows are split
 * here: into BLOCKS blocks of consecutive rows (fewer when the batch is
 * smaller), a number that does not depend on how many threads there are,
 * run by a team of threads (base/team.h) as many as OpenBLAS uses.  Each
 * block sums its rows' kernel, bias (and, with few inputs, V) gradients
 * in its own buffers, and the blocks' sums are added in block order.  So
 * the results are the same bits for any number of threads.
 */
#define BLOCKS 8

/*
 * The input term costs little when there are few inputs, and OpenBLAS
 * spends more in waking its threads for a product of inner size 1 or 2
 * (the adding task) than in the product: below this many inputs it is
 * a loop over each row, at and above it one DGEMM for the batch.
 */
#define FEW_INPUTS 4

/* Below this many multiply-adds of one convolution over the batch
   (B c c n), waking a helper costs more than it saves: no team. */
#define TEAM_MIN_WORK 1000000

static size_t blocks(size_t B)
{
	return B < BLOCKS ? B : BLOCKS;
}

/* Rows [*r0, *r1) of block k of nb over B rows. */
static void block_rows(size_t B, size_t nb, size_t k, size_t *r0, size_t *r1)
{
	*r0 = k * B / nb;
	*r1 = (k + 1) * B / nb;
}

/*
 * The kernel gradient sums over CHUNK rows at a time: their padded
 * states side by side in P (c x (CHUNK (n + 2) + 2)), their gradients in
 * R, each ring followed by two zeros (c x CHUNK (n + 2)), so that one
 * line of sums covers them all.  The chunks are fixed by the block's
 * rows, so the sums do not depend on the threads either.
 */
#define CHUNK 4

/* Row strides of a block's P and R. */
static size_t ld_R(const dk_model *m) { return CHUNK * (m->spec.units + 2); }
static size_t ld_P(const dk_model *m) { return ld_R(m) + 2; }

/*
 * The scratch, in doubles: a pointer to the team (or NULL) in the first
 * DK_ROW_TEAM_SLOTS, A (B c n, the pre-activation), G
 * (B c n, the gradient at A), the kernel for the adjoint (3 c c), and
 * for each block P and R (above), a padded ring Q (c (n + 2)), the
 * kernel's gradient (3 c c) and the gradients of b and, with few inputs,
 * of V^T (c n (1 + inputs)).
 */

typedef struct { dk_team *team; double *A, *G, *Wt, *blk; size_t stride; } scratch;

/* Doubles of each block's part of the scratch. */
static size_t block_size(const dk_model *m)
{
	size_t c = m->spec.channels, n = m->spec.units, in = m->spec.inputs;
	return c * (ld_P(m) + ld_R(m) + n + 2) + 3 * c * c +
	       m->n * (1 + (in < FEW_INPUTS ? in : 0));
}

static scratch carve(const dk_model *m, double *work, size_t B)
{
	size_t c = m->spec.channels, N = m->n;
	scratch s;
	s.team = dk_row_team_of(work);
	s.A = work + DK_ROW_TEAM_SLOTS;
	s.G = s.A + B * N;
	s.Wt = s.G + B * N;
	s.blk = s.Wt + 3 * c * c;
	s.stride = block_size(m);
	return s;
}

/* Block k's P, R, Q and kernel gradient. */
static double *ring_P(const scratch *s, size_t k) { return s->blk + k * s->stride; }
static double *rows_R(const dk_model *m, const scratch *s, size_t k)
{
	return ring_P(s, k) + m->spec.channels * ld_P(m);
}
static double *ring_Q(const dk_model *m, const scratch *s, size_t k)
{
	return rows_R(m, s, k) + m->spec.channels * ld_R(m);
}
static double *block_gW(const dk_model *m, const scratch *s, size_t k)
{
	return ring_Q(m, s, k) + m->spec.channels * (m->spec.units + 2);
}
/* Block k's gradient of b (c n), then with few inputs of V, transposed
   (in x c n). */
static double *block_gb(const dk_model *m, const scratch *s, size_t k)
{
	size_t c = m->spec.channels;
	return block_gW(m, s, k) + 3 * c * c;
}

static size_t wrnn_work_size(const dk_model *m, size_t batch)
{
	size_t c = m->spec.channels;
	return DK_ROW_TEAM_SLOTS + 2 * batch * m->n + 3 * c * c + blocks(batch) * block_size(m);
}

static int wrnn_work_open(const dk_model *m, double *work, size_t batch)
{
	size_t c = m->spec.channels, n = m->spec.units;
	return dk_row_team_put(work, (int)blocks(batch),
	                       (double)batch * (double)(c * c) * (double)n >= TEAM_MIN_WORK);
}

static size_t wrnn_cache_size(const dk_model *m)
{
	return m->n;
}

static int wrnn_cache_is_state(const dk_model *m)
{
	(void)m;
	return 1;
}

/*
 * The kernel of the adjoint: Wt[j][k][d] = W[k][j][2 - d], so that
 * conv^T(g)[j][i] = sum_k sum_d W[k][j][d] g[k][(i - d + 1) mod n] is
 * the convolution by Wt of g's padded ring.
 */
static void adjoint_kernel(const dk_model *m, double *Wt)
{
	size_t c = m->spec.channels;
	const double *W = m->theta + params(m).W;
	for (size_t j = 0; j < c; j++)
		for (size_t k = 0; k < c; k++)
			for (size_t d = 0; d < 3; d++)
				Wt[(j * c + k) * 3 + d] = W[(k * c + j) * 3 + 2 - d];
}

/* P[j][m] = h[j][(m - 1) mod n] for m = 0 .. n + 1 (rows of stride ld):
   the ring, padded. */
static void pad(size_t c, size_t n, const double *h, double *P, size_t ld)
{
	for (size_t j = 0; j < c; j++) {
		const double *r = h + j * n;
		double *p = P + j * ld;
		p[0] = r[n - 1];
		memcpy(p + 1, r, n * sizeof *p);
		p[n + 1] = r[0];
	}
}

/* Y (c x n) = (accumulate ? Y : 0) + the convolution by W of the state
   h (c x n), without bias; P is scratch for its padded ring. */
static void conv(const dk_model *m, const double *W, const double *h,
                 double *P, int accumulate, double *Y)
{
	size_t c = m->spec.channels, n = m->spec.units;
	pad(c, n, h, P, n + 2);
	dk_wconv_apply(dk_wconv_isa_best(), c, n, W, P, n + 2, accumulate, Y, n);
}

/* What the blocks of one call share. */
typedef struct {
	const dk_model *m;
	scratch *s;
	size_t B, nb;
	const double *x, *u, *A, *dx, *gxn;
	double *out, *xn, *gx, *gp;
} job;

/*
 * Block k of the forward: a = conv(x) + cb + U V^T + b row by row (U V^T
 * already in a with many inputs), xn = relu(a) when wanted.
 */
static void forward_block(void *arg, size_t k)
{
	const job *J = arg;
	const dk_model *m = J->m;
	wrnn_params p = params(m);
	size_t c = m->spec.channels, n = m->spec.units, N = m->n;
	size_t in = J->u ? m->spec.inputs : 0, r0, r1;
	const double *cb = m->theta + p.cb, *bias = m->theta + p.b;
	const double *V = m->theta + p.V, *W = m->theta + p.W;
	double *P = ring_P(J->s, k);
	block_rows(J->B, J->nb, k, &r0, &r1);
	for (size_t r = r0; r < r1; r++) {
		double *a = J->out + r * N;
		if (in >= FEW_INPUTS) {
			for (size_t q = 0; q < c; q++)
				for (size_t i = 0; i < n; i++)
					a[q * n + i] += cb[q] + bias[q * n + i];
		} else {
			/* a[e] = cb + b[e] + sum_l V[e][l] u[l], in that order, one
			   pass per input: loops the compiler vectorises */
			const double *ur = J->u ? J->u + r * in : NULL;
			for (size_t q = 0; q < c; q++)
				for (size_t i = 0; i < n; i++)
					a[q * n + i] = cb[q] + bias[q * n + i];
			for (size_t l = 0; l < in; l++) {
				const double *Vl = V + l, ul = ur[l];
				if (in == 2)
					for (size_t e = 0; e < N; e++)
						a[e] += Vl[2 * e] * ul;
				else
					for (size_t e = 0; e < N; e++)
						a[e] += Vl[e * in] * ul;
			}
		}
		conv(m, W, J->x + r * N, P, 1, a);
		if (J->xn)
			dk_act_relu_mask(a, a, J->xn + r * N, N);
	}
}

/*
 * A = conv(x) + cb + U V^T + b for B rows, and when xn is not
 * NULL, xn = relu(A), row by row while the row is in cache.
 */
static void forward(const dk_model *m, scratch *s, size_t B, const double *x,
                    const double *u, double *A, double *xn)
{
	size_t N = m->n, in = u ? m->spec.inputs : 0;
	if (in >= FEW_INPUTS) /* A = U V^T: (B x in)(in x N) */
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)N, (int)in,
		            1.0, u, (int)in, m->theta + params(m).V, (int)in, 0.0, A, (int)N);
	job J = {.m = m, .s = s, .B = B, .nb = blocks(B), .x = x, .u = u,
	         .out = A, .xn = xn};
	dk_team_run(s->team, forward_block, &J, J.nb);
}

static int wrnn_step(const dk_model *m, double *work, size_t B,
                     const double *x, const double *u, double *xn,
                     double *cache)
{
	scratch s = carve(m, work, B);
	/* the pre-activation made in xn and relu'd there, one pass less,
	   unless xn is x (read while it would be written) */
	forward(m, &s, B, x, u, xn != x ? xn : s.A, xn);
	if (cache && cache != xn)
		memcpy(cache, xn, B * m->n * sizeof *cache);
	return DK_OK;
}

/* What relu'(a) is read from: the cache (the next state: positive where
   a is), or the pre-activation recomputed into s->A. */
static const double *preactivation(const dk_model *m, scratch *s, size_t B,
                                   const double *x, const double *u,
                                   const double *cache)
{
	if (!cache) {
		forward(m, s, B, x, u, s->A, NULL);
		return s->A;
	}
	return cache;
}

/* Block k of the tangent: dxn = relu'(A) conv(dx). */
static void jvp_block(void *arg, size_t k)
{
	const job *J = arg;
	const double *W = J->m->theta + params(J->m).W;
	size_t N = J->m->n, r0, r1;
	double *P = ring_P(J->s, k);
	block_rows(J->B, J->nb, k, &r0, &r1);
	for (size_t r = r0; r < r1; r++) {
		conv(J->m, W, J->dx + r * N, P, 0, J->out + r * N);
		dk_act_relu_mask(J->A + r * N, J->out + r * N, J->out + r * N, N);
	}
}

static int wrnn_jvp(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, const double *cache,
                    const double *dx, double *dxn)
{
	scratch s = carve(m, work, B);
	job J = {.m = m, .s = &s, .B = B, .nb = blocks(B), .dx = dx, .out = dxn};
	J.A = preactivation(m, &s, B, x, u, cache);
	dk_team_run(s.team, jvp_block, &J, J.nb);
	return DK_OK;
}

/* Adds a chunk's kernel gradient (rows_in of them in P and R) to gW. */
static void chunk_kernel_grad(const dk_model *m, size_t rows_in, double *P,
                              const double *R, double *gW)
{
	size_t c = m->spec.channels, L = rows_in * (m->spec.units + 2), ldp = ld_P(m);
	for (size_t j = 0; j < c; j++) /* read beside the last ring's zeros */
		P[j * ldp + L] = P[j * ldp + L + 1] = 0;
	dk_wconv_kernel_grad(dk_wconv_isa_best(), c, L, R, ld_R(m), P, ldp, gW);
}

/*
 * Block k of the adjoint: g = relu'(a) gxn into G; gx = conv^T(g); and
 * the block's parameter gradients, sums over its rows: g P[:, d ..]^T
 * for the kernel (by chunks of rows), g for b, and with few inputs
 * g u^T for V.
 */
static void vjp_block(void *arg, size_t k)
{
	const job *J = arg;
	const dk_model *m = J->m;
	size_t c = m->spec.channels, n = m->spec.units, N = m->n, r0, r1;
	int ci = (int)c, ni = (int)n;
	double *P = ring_P(J->s, k), *R = rows_R(m, J->s, k), *Q = ring_Q(m, J->s, k);
	double *gW = block_gW(m, J->s, k), *gb = block_gb(m, J->s, k), *gV = gb + N;
	size_t in = J->u && m->spec.inputs < FEW_INPUTS ? m->spec.inputs : 0;
	size_t ldp = ld_P(m), ldr = ld_R(m);
	block_rows(J->B, J->nb, k, &r0, &r1);
	if (J->gp)
		memset(gW, 0, (3 * c * c + N * (1 + in)) * sizeof *gW);
	for (size_t r = r0; r < r1; r++) {
		double *g = J->s->G + r * N;
		dk_act_relu_mask(J->A + r * N, J->gxn + r * N, g, N);
		if (J->gx)
			conv(m, J->s->Wt, g, Q, 0, J->gx + r * N);
		if (J->gp) {
			/* the row's slot in the chunk: its padded state in P, its
			   gradient and two zeros in R */
			size_t slot = (r - r0) % CHUNK, at = slot * (n + 2);
			pad(c, n, J->x + r * N, P + at, ldp);
			for (size_t q = 0; q < c; q++) {
				double *rq = R + q * ldr + at;
				memcpy(rq, g + q * n, n * sizeof *rq);
				rq[n] = rq[n + 1] = 0;
			}
			if (slot == CHUNK - 1 || r + 1 == r1)
				chunk_kernel_grad(m, slot + 1, P, R, gW);
			/* b += g, V^T += u g^T: AXPYs, in vector registers
			   (loops here would not be vectorised at -O2) */
			cblas_daxpy(ni * ci, 1.0, g, 1, gb, 1);
			for (size_t l = 0; l < in; l++)
				cblas_daxpy(ni * ci, J->u[r * in + l], g, 1, gV + l * N, 1);
		}
	}
}

static int wrnn_vjp(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, const double *cache,
                    const double *gxn, double *gx, double *gu, double *gp)
{
	wrnn_params p = params(m);
	size_t c = m->spec.channels, N = m->n;
	int in = (int)m->spec.inputs;
	scratch s = carve(m, work, B);
	job J = {.m = m, .s = &s, .B = B, .nb = blocks(B), .x = x, .u = u,
	         .gxn = gxn, .gx = gx, .gp = gp};
	J.A = preactivation(m, &s, B, x, u, cache);
	if (gx)
		adjoint_kernel(m, s.Wt);
	dk_team_run(s.team, vjp_block, &J, J.nb);
	double *G = s.G;
	if (gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, in, (int)N,
		            1.0, G, (int)N, m->theta + p.V, in, 0.0, gu, in);
	if (gp && J.nb) {
		/* the blocks' sums, in block order, into block 0's */
		size_t few = u && in < FEW_INPUTS ? (size_t)in : 0, n = m->spec.units;
		double *gW = block_gW(m, &s, 0), *gb = block_gb(m, &s, 0);
		for (size_t k = 1; k < J.nb; k++) {
			const double *o = block_gW(m, &s, k), *ob = block_gb(m, &s, k);
			for (size_t i = 0; i < 3 * c * c; i++)
				gW[i] += o[i];
			for (size_t i = 0; i < N * (1 + few); i++)
				gb[i] += ob[i];
		}
		for (size_t q = 0; q < c; q++) {
			double t = 0;
			for (size_t i = 0; i < n; i++) {
				gp[p.b + q * n + i] += gb[q * n + i];
				t += gb[q * n + i];
			}
			gp[p.cb + q] += t;
		}
		for (size_t e = 0; e < N; e++) /* gb[N ..] is V's gradient transposed */
			for (size_t l = 0; l < few; l++)
				gp[p.V + e * few + l] += gb[N + l * N + e];
		for (size_t i = 0; i < 3 * c * c; i++)
			gp[p.W + i] += gW[i];
		if (u && in >= FEW_INPUTS)
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
	.act_default = DK_ACT_RELU,
	.act_fixed = 1,
	.init_default = "shift",
	.has_channels = 1,
	.layout = wrnn_layout,
	.spatial = wrnn_spatial,
	.init = wrnn_init,
	.work_size = wrnn_work_size,
	.cache_size = wrnn_cache_size,
	.cache_is_state = wrnn_cache_is_state,
	.work_open = wrnn_work_open,
	.work_close = dk_row_team_close,
	.step = wrnn_step,
	.jvp = wrnn_jvp,
	.vjp = wrnn_vjp,
	.jacobian = wrnn_jacobian,
};
