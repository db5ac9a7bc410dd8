/*
 * fernn_sheet.c -- the fernn's and grnn's cell on a sheet as products
 * (see fernn.c for the cell and fernn_sheet.h for the calls).
 *
 * A 3 x 3 circular cross-correlation of C channels is one product once
 * the state is unfolded: the 9 C x H W matrix X whose row (j, p, q)
 * holds channel j read at tap (p, q), X[(j, p, q)][(r, c)] = h[j][(r + p
 * - 1 - nu_y) mod H][(c + q - 1 - nu_x) mod W] -- the slice's roll
 * folded into the offsets, as the loops fold it -- so that W * T_nu h =
 * W X with model/W read as the C x 9 C matrix it is in PyTorch's layout
 * (C, C, 3, 3).  The input's convolution is U X_u alike (no roll), once
 * per state for every slice.  The adjoints are the transposed products:
 * W's gradient g_nu X^T straight into the parameter layout, the state's
 * W^T g_nu folded back onto the units the rows were read from.  An
 * unfolded row is copied from the state in two runs per line (the part
 * before the wrap and the part after), so the copies cost 9 C H W moves
 * against 9 C^2 H W multiply-adds in the products.
 */
#include <config.h>

#include <string.h>
#include <cblas.h>
/* OpenBLAS's cblas.h brings in <complex.h>, whose I this file does not
   use: here I is the number of input channels */
#undef I

#include "models/fernn_sheet.h"

/* What a call needs of the model. */
typedef struct {
	size_t C, I, H, W, N, S, A, v;  /* channels, inputs, sides, units of a
	                                   plane, slices, per axis, v */
	const double *Wk, *U, *b;       /* model/W, model/U, model/b */
	size_t oW, oU, ob;              /* their offsets */
} cell;

static cell cell_of(const dk_model *m)
{
	cell c;
	c.C = m->spec.channels, c.I = m->spec.inputs;
	c.H = m->spec.height, c.W = m->spec.width, c.N = c.H * c.W;
	c.v = m->spec.velocities, c.A = 2 * c.v + 1, c.S = c.A * c.A;
	c.oW = m->view[0].offset, c.oU = m->view[1].offset, c.ob = m->view[2].offset;
	c.Wk = m->theta + c.oW, c.U = m->theta + c.oU, c.b = m->theta + c.ob;
	return c;
}

/* The scratch: X (9 C N) and X_u (9 I N), the folded product (9 max(C,
   I) N), the input's term (C N) and the sum of g over the slices (C N). */
typedef struct { double *X, *Xu, *F, *c, *G; } scratch;

size_t dk_fernn_sheet_scratch(const dk_model *m)
{
	cell c = cell_of(m);
	size_t K = c.C > c.I ? c.C : c.I;
	return 9 * c.C * c.N + 9 * c.I * c.N + 9 * K * c.N + 2 * c.C * c.N;
}

static scratch carve(const cell *c, double *work)
{
	size_t K = c->C > c->I ? c->C : c->I;
	scratch s;
	s.X = work;
	s.Xu = s.X + 9 * c->C * c->N;
	s.F = s.Xu + 9 * c->I * c->N;
	s.c = s.F + 9 * K * c->N;
	s.G = s.c + c->C * c->N;
	return s;
}

/* (a - b) mod n for a, b >= 0. */
static size_t diff_mod(size_t a, size_t b, size_t n)
{
	return (a % n + n - b % n) % n;
}

/* The offsets tap (p, q) of slice a reads at (r + ro, c + co): slice a of
   velocity index (ix, iy) = (a / A, a % A); a = S: the input, no roll. */
static void offsets(const cell *c, size_t a, size_t p, size_t q, size_t *ro,
                    size_t *co)
{
	size_t ix = a < c->S ? a / c->A : c->v, iy = a < c->S ? a % c->A : c->v;
	*ro = diff_mod(p + c->v, 1 + iy, c->H);
	*co = diff_mod(q + c->v, 1 + ix, c->W);
}

/* X (9 ch rows of N) = the unfolding of the ch planes of h for slice a. */
static void unfold(const cell *c, size_t a, size_t ch, const double *h,
                   double *X)
{
	size_t H = c->H, W = c->W, N = c->N;
	for (size_t p = 0; p < 3; p++)
		for (size_t q = 0; q < 3; q++) {
			size_t ro, co;
			offsets(c, a, p, q, &ro, &co);
			for (size_t j = 0; j < ch; j++) {
				double *row = X + ((j * 3 + p) * 3 + q) * N;
				const double *plane = h + j * N;
				for (size_t r = 0; r < H; r++) {
					const double *src = plane + ((r + ro) % H) * W;
					double *dst = row + r * W;
					memcpy(dst, src + co, (W - co) * sizeof *dst);
					memcpy(dst + W - co, src, co * sizeof *dst);
				}
			}
		}
}

/* The adjoint of unfold: h[j][(r + ro) mod H][(c + co) mod W] += X[(j, p,
   q)][(r, c)], h's ch planes overwritten first. */
static void fold(const cell *c, size_t a, size_t ch, const double *X, double *h)
{
	size_t H = c->H, W = c->W, N = c->N;
	memset(h, 0, ch * N * sizeof *h);
	for (size_t p = 0; p < 3; p++)
		for (size_t q = 0; q < 3; q++) {
			size_t ro, co;
			offsets(c, a, p, q, &ro, &co);
			for (size_t j = 0; j < ch; j++) {
				const double *row = X + ((j * 3 + p) * 3 + q) * N;
				double *plane = h + j * N;
				for (size_t r = 0; r < H; r++) {
					double *dst = plane + ((r + ro) % H) * W;
					const double *src = row + r * W;
					for (size_t k = 0; k < W - co; k++)
						dst[co + k] += src[k];
					for (size_t k = 0; k < co; k++)
						dst[k] += src[W - co + k];
				}
			}
		}
}

/* Y (rows x N) = beta Y + M (rows x K) X (K x N), row-major. */
static void product(size_t rows, size_t K, size_t N, const double *M,
                    const double *X, double beta, double *Y)
{
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)N,
	            (int)K, 1.0, M, (int)K, X, (int)N, beta, Y, (int)N);
}

void dk_fernn_sheet_preact(const dk_model *m, double *work, const double *x,
                           const double *u, double *A)
{
	cell c = cell_of(m);
	scratch s = carve(&c, work);
	size_t CN = c.C * c.N;
	for (size_t k = 0; k < c.C; k++)
		for (size_t i = 0; i < c.N; i++)
			s.c[k * c.N + i] = c.b[k];
	if (u && c.I) {
		unfold(&c, c.S, c.I, u, s.Xu);
		product(c.C, 9 * c.I, c.N, c.U, s.Xu, 1.0, s.c);
	}
	for (size_t a = 0; a < c.S; a++) {
		memcpy(A + a * CN, s.c, CN * sizeof *A);
		unfold(&c, a, c.C, x + a * CN, s.X);
		product(c.C, 9 * c.C, c.N, c.Wk, s.X, 1.0, A + a * CN);
	}
}

void dk_fernn_sheet_tangent(const dk_model *m, double *work, const double *dx,
                            double *out)
{
	cell c = cell_of(m);
	scratch s = carve(&c, work);
	size_t CN = c.C * c.N;
	for (size_t a = 0; a < c.S; a++) {
		unfold(&c, a, c.C, dx + a * CN, s.X);
		product(c.C, 9 * c.C, c.N, c.Wk, s.X, 0.0, out + a * CN);
	}
}

void dk_fernn_sheet_adjoint(const dk_model *m, double *work, const double *x,
                            const double *u, const double *g, double *gx,
                            double *gu, double *gp)
{
	cell c = cell_of(m);
	scratch s = carve(&c, work);
	size_t CN = c.C * c.N, N = c.N;
	int n = (int)N, kc = (int)(9 * c.C), ki = (int)(9 * c.I);
	memset(s.G, 0, CN * sizeof *s.G);
	for (size_t a = 0; a < c.S; a++) {
		const double *ga = g + a * CN;
		for (size_t e = 0; e < CN; e++)
			s.G[e] += ga[e];
		if (gx) {  /* F = W^T g_nu, folded back */
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kc, n,
			            (int)c.C, 1.0, c.Wk, kc, ga, n, 0.0, s.F, n);
			fold(&c, a, c.C, s.F, gx + a * CN);
		}
		if (gp) {  /* dW += g_nu X^T */
			unfold(&c, a, c.C, x + a * CN, s.X);
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c.C, kc,
			            n, 1.0, ga, n, s.X, n, 1.0, gp + c.oW, kc);
		}
	}
	if (gu && c.I) {
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ki, n, (int)c.C,
		            1.0, c.U, ki, s.G, n, 0.0, s.F, n);
		fold(&c, c.S, c.I, s.F, gu);
	}
	if (gp && u && c.I) {
		unfold(&c, c.S, c.I, u, s.Xu);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c.C, ki, n,
		            1.0, s.G, n, s.Xu, n, 1.0, gp + c.oU, ki);
	}
	for (size_t k = 0; gp && k < c.C; k++) {
		double t = 0;
		for (size_t i = 0; i < N; i++)
			t += s.G[k * N + i];
		gp[c.ob + k] += t;
	}
}
