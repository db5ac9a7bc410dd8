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
 * = 2.25 times fewer multiplications than im2col's one, over the tiles of
 * a chunk of states at once (dk_conv2d.chunk, about CHUNK_TILES tiles, so
 * that the products are long and the scratch stays a few megabytes).
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

/* ---- the 1-D transforms and their transposes, on 4 (or 3, 2) values
   spaced by stride ---- */

/* v = B^T d: B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]. */
static inline void bt(const double *d, size_t s, double *v, size_t t)
{
	double d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
	v[0] = d0 - d2;
	v[t] = d1 + d2;
	v[2 * t] = d2 - d1;
	v[3 * t] = d1 - d3;
}

/* d = B v (the transpose of bt). */
static inline void b1(const double *v, size_t t, double *d, size_t s)
{
	double v0 = v[0], v1 = v[t], v2 = v[2 * t], v3 = v[3 * t];
	d[0] = v0;
	d[s] = v1 - v2 + v3;
	d[2 * s] = v1 + v2 - v0;
	d[3 * s] = -v3;
}

/* u = G g: G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. */
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

/* y = A^T m: A^T = [1 1 1 0; 0 1 -1 -1]. */
static inline void at(const double *m, size_t t, double *y, size_t s)
{
	double m0 = m[0], m1 = m[t], m2 = m[2 * t], m3 = m[3 * t];
	y[0] = m0 + m1 + m2;
	y[s] = m1 - m2 - m3;
}

/* m = A y (the transpose of at). */
static inline void a1(const double *y, size_t s, double *m, size_t t)
{
	double y0 = y[0], y1 = y[s];
	m[0] = y0;
	m[t] = y0 + y1;
	m[2 * t] = y0 - y1;
	m[3 * t] = -y1;
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

/* ---- the tiles of one state ---- */

/* V[xi][ch][base + t] = (B^T d B)[xi] for the patches of the padded
   state P; N the row length of V. */
static void inputs(const dk_conv2d *c, size_t base, size_t N)
{
	size_t C = c->spec.in_channels, wp = c->wp;
	for (size_t ch = 0; ch < C; ch++) {
		const double *P = c->P + ch * c->hp * wp;
		double *V = c->V + ch * N + base;
		for (size_t ti = 0; ti < c->tiles_h; ti++)
			for (size_t tj = 0; tj < c->tiles_w; tj++, V++) {
				const double *d = P + 2 * ti * wp + 2 * tj;
				double t[16], v[16];
				for (size_t s = 0; s < 4; s++)
					bt(d + s, wp, t + s, 4);
				for (size_t r = 0; r < 4; r++)
					bt(t + 4 * r, 1, v + 4 * r, 1);
				for (size_t xi = 0; xi < 16; xi++)
					V[xi * C * N] = v[xi];
			}
	}
}

/* P (zeroed first) += B gV B^T over the patches: the transpose of
   inputs, from V holding gV. */
static void inputs_adjoint(const dk_conv2d *c, size_t base, size_t N)
{
	size_t C = c->spec.in_channels, wp = c->wp;
	memset(c->P, 0, C * c->hp * wp * sizeof *c->P);
	for (size_t ch = 0; ch < C; ch++) {
		double *P = c->P + ch * c->hp * wp;
		const double *V = c->V + ch * N + base;
		for (size_t ti = 0; ti < c->tiles_h; ti++)
			for (size_t tj = 0; tj < c->tiles_w; tj++, V++) {
				double v[16], t[16], d[16];
				for (size_t xi = 0; xi < 16; xi++)
					v[xi] = V[xi * C * N];
				for (size_t r = 0; r < 4; r++)
					b1(v + 4 * r, 1, t + 4 * r, 1);
				for (size_t s = 0; s < 4; s++)
					b1(t + s, 4, d + s, 4);
				double *p = P + 2 * ti * wp + 2 * tj;
				for (size_t r = 0; r < 4; r++)
					for (size_t s = 0; s < 4; s++)
						p[r * wp + s] += d[4 * r + s];
			}
	}
}

/* y (out, H, W) = A^T M A per tile, plus b when not NULL; the outputs of
   a tile past the last row or column are dropped. */
static void outputs(const dk_conv2d *c, size_t base, size_t N, const double *b,
                    double *y)
{
	size_t O = c->spec.out_channels, H = c->shape.out_h, W = c->shape.out_w;
	for (size_t o = 0; o < O; o++) {
		const double *M = c->M + o * N + base;
		double *yo = y + o * H * W, bias = b ? b[o] : 0;
		for (size_t ti = 0; ti < c->tiles_h; ti++)
			for (size_t tj = 0; tj < c->tiles_w; tj++, M++) {
				double m[16], t[8], v[4];
				for (size_t xi = 0; xi < 16; xi++)
					m[xi] = M[xi * O * N];
				for (size_t s = 0; s < 4; s++) /* t = A^T m (2 x 4) */
					at(m + s, 4, t + s, 4);
				for (size_t r = 0; r < 2; r++) /* v = t A (2 x 2) */
					at(t + 4 * r, 1, v + 2 * r, 1);
				size_t i = 2 * ti, j = 2 * tj;
				for (size_t r = 0; r < 2 && i + r < H; r++)
					for (size_t s = 0; s < 2 && j + s < W; s++)
						yo[(i + r) * W + j + s] = bias + v[2 * r + s];
			}
	}
}

/* M[xi][o][base + t] = (A gy A^T)[xi] per tile, gy zero past the last
   row or column: the transpose of outputs. */
static void outputs_adjoint(const dk_conv2d *c, size_t base, size_t N,
                            const double *gy)
{
	size_t O = c->spec.out_channels, H = c->shape.out_h, W = c->shape.out_w;
	for (size_t o = 0; o < O; o++) {
		double *M = c->M + o * N + base;
		const double *go = gy + o * H * W;
		for (size_t ti = 0; ti < c->tiles_h; ti++)
			for (size_t tj = 0; tj < c->tiles_w; tj++, M++) {
				double g[4] = {0, 0, 0, 0}, t[8], m[16];
				size_t i = 2 * ti, j = 2 * tj;
				for (size_t r = 0; r < 2 && i + r < H; r++)
					for (size_t s = 0; s < 2 && j + s < W; s++)
						g[2 * r + s] = go[(i + r) * W + j + s];
				for (size_t r = 0; r < 2; r++) /* t = g A^T (2 x 4) */
					a1(g + 2 * r, 1, t + 4 * r, 1);
				for (size_t s = 0; s < 4; s++) /* m = A t (4 x 4) */
					a1(t + s, 4, m + s, 4);
				for (size_t xi = 0; xi < 16; xi++)
					M[xi * O * N] = m[xi];
			}
	}
}

/* ---- the calls ---- */

int dk_conv2d_winograd_fits(const dk_conv2d_spec *s, const dk_conv2d_shape *sh)
{
	return s->kernel_h == 3 && s->kernel_w == 3 && s->stride_h == 1 &&
	       s->stride_w == 1 && sh->pad_h == 1 && sh->pad_w == 1;
}

void dk_conv2d_winograd_forward(dk_conv2d *c, size_t B, const double *x,
                                const double *W, const double *b, double *y)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels, T = c->tiles;
	kernels(c, W);
	for (size_t n0 = 0; n0 < B; n0 += c->chunk) {
		size_t nb = B - n0 < c->chunk ? B - n0 : c->chunk, N = nb * T;
		for (size_t k = 0; k < nb; k++) {
			dk_conv2d_pad(c, x + (n0 + k) * c->shape.in_size);
			inputs(c, k * T, N);
		}
		for (size_t xi = 0; xi < 16; xi++)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)O, (int)N,
			            (int)C, 1.0, c->U + xi * O * C, (int)C, c->V + xi * C * N,
			            (int)N, 0.0, c->M + xi * O * N, (int)N);
		for (size_t k = 0; k < nb; k++)
			outputs(c, k * T, N, b, y + (n0 + k) * c->shape.out_size);
	}
}

void dk_conv2d_winograd_vjp(dk_conv2d *c, size_t B, const double *x,
                            const double *W, const double *gy, double *gx,
                            double *gW, double *gb)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels, T = c->tiles;
	size_t HW = c->shape.out_h * c->shape.out_w;
	if (gx)
		kernels(c, W);
	if (gW)
		memset(c->gU, 0, 16 * O * C * sizeof *c->gU);
	for (size_t n0 = 0; n0 < B; n0 += c->chunk) {
		size_t nb = B - n0 < c->chunk ? B - n0 : c->chunk, N = nb * T;
		for (size_t k = 0; k < nb; k++)
			outputs_adjoint(c, k * T, N, gy + (n0 + k) * c->shape.out_size);
		if (gW) {
			for (size_t k = 0; k < nb; k++) {
				dk_conv2d_pad(c, x + (n0 + k) * c->shape.in_size);
				inputs(c, k * T, N);
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
		for (size_t k = 0; k < nb; k++) {
			inputs_adjoint(c, k * T, N);
			dk_conv2d_fold(c, gx + (n0 + k) * c->shape.in_size);
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
