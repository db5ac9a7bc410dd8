/*
 * conv2d_winograd.c -- the 3 x 3, stride 1, "same" convolution of
 * conv2d.h by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
 * "Fast algorithms for convolutional neural networks", 2016), and its
 * exact adjoints.
 *
 * The output is cut into tiles of 2 x 2; tile t of a state reads a 4 x 4
 * patch d of the padded input (patches overlap by 2).  With the kernel
 * g (3 x 3) of each (out, in) pair,
 *
 *	y_tile = A^T [ sum_in (G g G^T) . (B^T d B) ] A
 *
 * (. elementwise on 4 x 4), which is the cross-correlation exactly in
 * exact arithmetic.  Written per position xi of the 4 x 4 transformed
 * domain, the sum over input channels is a matrix product: M_xi (out x
 * tiles) = U_xi (out x in) V_xi (in x tiles), sixteen DGEMMs of 36 / 16
 * = 2.25 times fewer multiplications than im2col's one, over a chunk of
 * tiles at a time (rows of tiles, across states: about CHUNK_TILES of
 * conv2d.c, so that the products are long enough and their operands stay
 * in the core's cache whatever the batch).
 *
 * The backward pass is the transpose of each stage, so it is the exact
 * adjoint of this forward pass (and of the convolution, to rounding):
 * gM = A gy A^T per tile, then the weights' gradient gU_xi += gM_xi
 * V_xi^T (a product of inner size the chunk's tiles) and gW = G^T gU G,
 * and the input's gradient gV_xi = U_xi^T gM_xi, gd = B gV B^T added back
 * into the padded state's gradient and folded (conv2d.c).
 *
 * The transforms add and halve values, so the rounding error is that of
 * the direct sums times a small factor (tests/test_conv2d.c bounds it);
 * in float64 it stays near 1e-15 of the terms' moduli.
 */
#include <config.h>

#include <string.h>
#include <cblas.h>

#include "models/conv2d_impl.h"

/* ---- the transforms ---- */

/* The transforms: B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] on the
   input's patches, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] on the
   kernels, A^T = [1 1 1 0; 0 1 -1 -1] back to the outputs; written out in
   the loops below, except the kernels' (gk and its transpose gkt, on 3
   values spaced by s into 4 spaced by t). */

/* u = G g. */
static inline void gk(const double *g, size_t s, double *u, size_t t)
{
	double g0 = g[0], g1 = g[s], g2 = g[2 * s];
	u[0] = g0;
	u[t] = 0.5 * (g0 + g1 + g2);
	u[2 * t] = 0.5 * (g0 - g1 + g2);
	u[3 * t] = g2;
}

/* g = G^T u (the transpose of gk). */
static inline void gkt(const double *u, size_t t, double *g, size_t s)
{
	double u0 = u[0], u1 = u[t], u2 = u[2 * t], u3 = u[3 * t];
	g[0] = u0 + 0.5 * (u1 + u2);
	g[s] = 0.5 * (u1 - u2);
	g[2 * s] = 0.5 * (u1 + u2) + u3;
}

/* ---- the kernels: U = G g G^T, and gW += G^T gU G ---- */

static void kernels(dk_conv2d *c, const double *W)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels, OC = O * C;
	for (size_t k = 0; k < OC; k++) {
		const double *g = W + 9 * k;
		double t[12], u[16];
		for (size_t q = 0; q < 3; q++) /* columns of g: t = G g (4 x 3) */
			gk(g + q, 3, t + q, 3);
		for (size_t r = 0; r < 4; r++) /* rows of t: u = t G^T (4 x 4) */
			gk(t + 3 * r, 1, u + 4 * r, 1);
		for (size_t xi = 0; xi < 16; xi++)
			c->U[xi * OC + k] = u[xi];
	}
}

static void kernels_adjoint(const dk_conv2d *c, double *gW)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels, OC = O * C;
	for (size_t k = 0; k < OC; k++) {
		double u[16], t[12], g[9];
		for (size_t xi = 0; xi < 16; xi++)
			u[xi] = c->gU[xi * OC + k];
		for (size_t r = 0; r < 4; r++) /* t = u G (4 x 3) */
			gkt(u + 4 * r, 1, t + 3 * r, 1);
		for (size_t q = 0; q < 3; q++) /* g = G^T t (3 x 3) */
			gkt(t + q, 3, g + q, 3);
		for (size_t j = 0; j < 9; j++)
			gW[9 * k + j] += g[j];
	}
}

/* ---- the tiles of one state ----
 *
 * Each transform runs over a row of tiles at once: first along the
 * sheet's rows, on whole rows of the padded state (contiguous), then
 * along its columns, from interleaved pairs into the sixteen rows of V
 * or M (contiguous over the tiles): loops over restrict pointers that the
 * compiler vectorises, where a tile at a time would be scalar code.  They
 * only add and subtract, so the vector width changes no bit; CLONES
 * compiles them for AVX-512 and AVX2 beside the baseline, the CPU's
 * chosen at load time.  R is the workspace's scratch of 6 wp doubles.
 */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif
#define INLINE static inline __attribute__((always_inline))

/* t = B^T d along the rows: four rows of n from four. */
INLINE void rows_bt(size_t n, const double *restrict r0, const double *restrict r1,
                    const double *restrict r2, const double *restrict r3,
                    double *restrict t0, double *restrict t1, double *restrict t2,
                    double *restrict t3)
{
	for (size_t k = 0; k < n; k++) {
		t0[k] = r0[k] - r2[k];
		t1[k] = r1[k] + r2[k];
		t2[k] = r2[k] - r1[k];
		t3[k] = r1[k] - r3[k];
	}
}

/* v = t B along the columns: the 4 entries of n tiles from a row t of
   overlapping quadruples (t[2j .. 2j + 3]). */
INLINE void cols_b(size_t n, const double *restrict t, double *restrict v0,
                   double *restrict v1, double *restrict v2, double *restrict v3)
{
	for (size_t j = 0; j < n; j++) {
		double e0 = t[2 * j], e1 = t[2 * j + 1], e2 = t[2 * j + 2], e3 = t[2 * j + 3];
		v0[j] = e0 - e2;
		v1[j] = e1 + e2;
		v2[j] = e2 - e1;
		v3[j] = e1 - e3;
	}
}

/* q (2 n + 2) = the transpose of cols_b applied to v: tiles overlap by 2. */
INLINE void cols_b_adjoint(size_t n, const double *restrict v0, const double *restrict v1,
                           const double *restrict v2, const double *restrict v3,
                           double *restrict q)
{
	for (size_t j = 0; j < n; j++) {
		q[2 * j] = v0[j];
		q[2 * j + 1] = v1[j] - v2[j] + v3[j];
	}
	q[2 * n] = q[2 * n + 1] = 0;
	for (size_t j = 0; j < n; j++) {
		q[2 * j + 2] += v1[j] + v2[j] - v0[j];
		q[2 * j + 3] -= v3[j];
	}
}

/* p += the transpose of rows_bt applied to q, four rows of n. */
INLINE void rows_bt_adjoint(size_t n, const double *restrict q0, const double *restrict q1,
                            const double *restrict q2, const double *restrict q3,
                            double *restrict p0, double *restrict p1,
                            double *restrict p2, double *restrict p3)
{
	for (size_t k = 0; k < n; k++) {
		p0[k] += q0[k];
		p1[k] += q1[k] - q2[k] + q3[k];
		p2[k] += q1[k] + q2[k] - q0[k];
		p3[k] -= q3[k];
	}
}

/* q = m A along the columns: pairs of n tiles, interleaved. */
INLINE void cols_a(size_t n, const double *restrict m0, const double *restrict m1,
                   const double *restrict m2, const double *restrict m3,
                   double *restrict q)
{
	for (size_t j = 0; j < n; j++) {
		q[2 * j] = m0[j] + m1[j] + m2[j];
		q[2 * j + 1] = m1[j] - m2[j] - m3[j];
	}
}

/* y0 = b + q0 + q1 + q2, y1 = b + q1 - q2 - q3 (y1 NULL: skipped). */
INLINE void rows_a(size_t n, double b, const double *restrict q0,
                   const double *restrict q1, const double *restrict q2,
                   const double *restrict q3, double *restrict y0, double *restrict y1)
{
	for (size_t k = 0; k < n; k++)
		y0[k] = b + (q0[k] + q1[k] + q2[k]);
	if (y1)
		for (size_t k = 0; k < n; k++)
			y1[k] = b + (q1[k] - q2[k] - q3[k]);
}

/* h = A g along the rows, from two rows of n. */
INLINE void rows_a_adjoint(size_t n, const double *restrict g0, const double *restrict g1,
                           double *restrict h0, double *restrict h1, double *restrict h2,
                           double *restrict h3)
{
	for (size_t k = 0; k < n; k++) {
		h0[k] = g0[k];
		h1[k] = g0[k] + g1[k];
		h2[k] = g0[k] - g1[k];
		h3[k] = -g1[k];
	}
}

/* m = h A^T along the columns: the 4 entries of n tiles from pairs. */
INLINE void cols_a_adjoint(size_t n, const double *restrict h, double *restrict m0,
                           double *restrict m1, double *restrict m2, double *restrict m3)
{
	for (size_t j = 0; j < n; j++) {
		double e0 = h[2 * j], e1 = h[2 * j + 1];
		m0[j] = e0;
		m1[j] = e0 + e1;
		m2[j] = e0 - e1;
		m3[j] = -e1;
	}
}

/*
 * The tiles of rows ti0 .. ti1 - 1 of one state go to columns base ..
 * base + (ti1 - ti0) tw - 1 of V or M, whose rows are N long.
 */

/* V[xi][ch][.] = (B^T d B)[xi] for the patches of the padded state P. */
CLONES static void inputs(const dk_conv2d *c, size_t ti0, size_t ti1, size_t base,
                          size_t N)
{
	size_t C = c->spec.in_channels, wp = c->wp, tw = c->tiles_w, CN = C * N;
	double *t = c->R;
	for (size_t ch = 0; ch < C; ch++)
		for (size_t ti = ti0; ti < ti1; ti++) {
			const double *r = c->P + (ch * c->hp + 2 * ti) * wp;
			rows_bt(wp, r, r + wp, r + 2 * wp, r + 3 * wp, t, t + wp, t + 2 * wp,
			        t + 3 * wp);
			double *V = c->V + ch * N + base + (ti - ti0) * tw;
			for (size_t a = 0; a < 4; a++) {
				double *v = V + 4 * a * CN;
				cols_b(tw, t + a * wp, v, v + CN, v + 2 * CN, v + 3 * CN);
			}
		}
}

/* Pg += B gV B^T over the patches, from V holding gV: the transpose of
   inputs. */
CLONES static void inputs_adjoint(const dk_conv2d *c, size_t ti0, size_t ti1,
                                  size_t base, size_t N)
{
	size_t C = c->spec.in_channels, wp = c->wp, tw = c->tiles_w, CN = C * N;
	double *q = c->R;
	for (size_t ch = 0; ch < C; ch++)
		for (size_t ti = ti0; ti < ti1; ti++) {
			const double *V = c->V + ch * N + base + (ti - ti0) * tw;
			for (size_t a = 0; a < 4; a++) {
				const double *v = V + 4 * a * CN;
				cols_b_adjoint(tw, v, v + CN, v + 2 * CN, v + 3 * CN, q + a * wp);
			}
			double *p = c->Pg + (ch * c->hp + 2 * ti) * wp;
			rows_bt_adjoint(wp, q, q + wp, q + 2 * wp, q + 3 * wp, p, p + wp, p + 2 * wp,
			                p + 3 * wp);
		}
}

/* y (out, H, W) = A^T M A per tile, plus b when not NULL; the outputs of
   a tile past the last row or column are dropped. */
CLONES static void outputs(const dk_conv2d *c, size_t ti0, size_t ti1, size_t base,
                           size_t N, const double *b, double *y)
{
	size_t O = c->spec.out_channels, H = c->shape.out_h, W = c->shape.out_w;
	size_t tw = c->tiles_w, ON = O * N, wp = c->wp;
	double *q = c->R;
	for (size_t o = 0; o < O; o++) {
		double *yo = y + o * H * W, bias = b ? b[o] : 0;
		for (size_t ti = ti0; ti < ti1; ti++) {
			const double *M = c->M + o * N + base + (ti - ti0) * tw;
			for (size_t a = 0; a < 4; a++) {
				const double *m = M + 4 * a * ON;
				cols_a(tw, m, m + ON, m + 2 * ON, m + 3 * ON, q + a * wp);
			}
			double *y0 = yo + 2 * ti * W;
			rows_a(W, bias, q, q + wp, q + 2 * wp, q + 3 * wp, y0,
			       2 * ti + 1 < H ? y0 + W : NULL);
		}
	}
}

/* M[xi][o][base + t] = (A gy A^T)[xi] per tile, gy zero past the last
   row or column: the transpose of outputs. */
CLONES static void outputs_adjoint(const dk_conv2d *c, size_t ti0, size_t ti1,
                                   size_t base, size_t N, const double *gy)
{
	size_t O = c->spec.out_channels, H = c->shape.out_h, W = c->shape.out_w;
	size_t tw = c->tiles_w, ON = O * N, wp = c->wp;
	double *h = c->R, *g0 = c->R + 4 * wp, *g1 = g0 + wp;
	for (size_t k = W; k < 2 * tw; k++) /* the column past an odd width */
		g0[k] = g1[k] = 0;
	for (size_t o = 0; o < O; o++) {
		const double *go = gy + o * H * W;
		for (size_t ti = ti0; ti < ti1; ti++) {
			const double *r0 = go + 2 * ti * W, *r1 = r0 + W;
			if (W % 2 || 2 * ti + 1 == H) { /* a tile past the edge: padded */
				memcpy(g0, r0, W * sizeof *g0);
				if (2 * ti + 1 < H)
					memcpy(g1, r1, W * sizeof *g1);
				else
					memset(g1, 0, W * sizeof *g1);
				r0 = g0;
				r1 = g1;
			}
			rows_a_adjoint(2 * tw, r0, r1, h, h + wp, h + 2 * wp, h + 3 * wp);
			double *M = c->M + o * N + base + (ti - ti0) * tw;
			for (size_t a = 0; a < 4; a++) {
				double *m = M + 4 * a * ON;
				cols_a_adjoint(tw, h + a * wp, m, m + ON, m + 2 * ON, m + 3 * ON);
			}
		}
	}
}

/* ---- the calls ---- */

int dk_conv2d_winograd_fits(const dk_conv2d_spec *s, const dk_conv2d_shape *sh)
{
	return s->kernel_h == 3 && s->kernel_w == 3 && s->stride_h == 1 &&
	       s->stride_w == 1 && sh->pad_h == 1 && sh->pad_w == 1;
}

/*
 * A chunk is c->chunk rows of tiles (or what is left), counted across
 * the states: row g is row g mod th of state g / th.  A segment is the
 * part of a chunk in one state (conv2d_impl.h).
 */
/* The segments of the chunk of rows g0 .. g1 - 1, into seg; their count. */
static size_t segments(const dk_conv2d *c, size_t g0, size_t g1, dk_conv2d_segment *seg)
{
	size_t th = c->tiles_h, k = 0;
	for (size_t g = g0; g < g1; k++) {
		size_t n = g / th, ti0 = g % th, ti1 = th - ti0 < g1 - g ? th : ti0 + (g1 - g);
		seg[k] = (dk_conv2d_segment){n, ti0, ti1, (g - g0) * c->tiles_w};
		g += ti1 - ti0;
	}
	return k;
}

void dk_conv2d_winograd_forward(dk_conv2d *c, size_t B, const double *x,
                                const double *W, const double *b, double *y)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels, rows = B * c->tiles_h;
	size_t padded = SIZE_MAX; /* the state in P */
	kernels(c, W);
	for (size_t g0 = 0; g0 < rows; g0 += c->chunk) {
		size_t g1 = rows - g0 < c->chunk ? rows : g0 + c->chunk, N = (g1 - g0) * c->tiles_w;
		size_t ns = segments(c, g0, g1, c->seg);
		for (size_t k = 0; k < ns; k++) {
			const dk_conv2d_segment *sg = &c->seg[k];
			if (sg->n != padded)
				dk_conv2d_pad(c, x + (padded = sg->n) * c->shape.in_size);
			inputs(c, sg->ti0, sg->ti1, sg->base, N);
		}
		for (size_t xi = 0; xi < 16; xi++)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)O, (int)N,
			            (int)C, 1.0, c->U + xi * O * C, (int)C, c->V + xi * C * N,
			            (int)N, 0.0, c->M + xi * O * N, (int)N);
		for (size_t k = 0; k < ns; k++) {
			const dk_conv2d_segment *sg = &c->seg[k];
			outputs(c, sg->ti0, sg->ti1, sg->base, N, b, y + sg->n * c->shape.out_size);
		}
	}
}

void dk_conv2d_winograd_vjp(dk_conv2d *c, size_t B, const double *x,
                            const double *W, const double *gy, double *gx,
                            double *gW, double *gb)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels, rows = B * c->tiles_h;
	size_t HW = c->shape.out_h * c->shape.out_w, padded = SIZE_MAX;
	if (gx)
		kernels(c, W);
	if (gW)
		memset(c->gU, 0, 16 * O * C * sizeof *c->gU);
	for (size_t g0 = 0; g0 < rows; g0 += c->chunk) {
		size_t g1 = rows - g0 < c->chunk ? rows : g0 + c->chunk, N = (g1 - g0) * c->tiles_w;
		size_t ns = segments(c, g0, g1, c->seg);
		for (size_t k = 0; k < ns; k++) {
			const dk_conv2d_segment *sg = &c->seg[k];
			outputs_adjoint(c, sg->ti0, sg->ti1, sg->base, N,
			                gy + sg->n * c->shape.out_size);
		}
		if (gW) {
			for (size_t k = 0; k < ns; k++) {
				const dk_conv2d_segment *sg = &c->seg[k];
				if (sg->n != padded)
					dk_conv2d_pad(c, x + (padded = sg->n) * c->shape.in_size);
				inputs(c, sg->ti0, sg->ti1, sg->base, N);
			}
			for (size_t xi = 0; xi < 16; xi++)
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)O, (int)C,
				            (int)N, 1.0, c->M + xi * O * N, (int)N,
				            c->V + xi * C * N, (int)N, 1.0, c->gU + xi * O * C,
				            (int)C);
		}
		if (!gx)
			continue;
		for (size_t xi = 0; xi < 16; xi++)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)C, (int)N,
			            (int)O, 1.0, c->U + xi * O * C, (int)C, c->M + xi * O * N,
			            (int)N, 0.0, c->V + xi * C * N, (int)N);
		for (size_t k = 0; k < ns; k++) { /* a state's gradient, its rows in turn */
			const dk_conv2d_segment *sg = &c->seg[k];
			if (sg->ti0 == 0)
				memset(c->Pg, 0, C * c->hp * c->wp * sizeof *c->Pg);
			inputs_adjoint(c, sg->ti0, sg->ti1, sg->base, N);
			if (sg->ti1 == c->tiles_h)
				dk_conv2d_fold(c, c->Pg, gx + sg->n * c->shape.in_size);
		}
	}
	if (!gW)
		return;
	kernels_adjoint(c, gW);
	for (size_t n = 0; gb && n < B; n++)
		for (size_t o = 0; o < O; o++) {
			const double *g = gy + n * c->shape.out_size + o * HW;
			double t = 0;
			for (size_t k = 0; k < HW; k++)
				t += g[k];
			gb[o] += t;
		}
}
