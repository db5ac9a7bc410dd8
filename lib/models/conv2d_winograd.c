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
 * or M (contiguous over the tiles): loops that the compiler vectorises,
 * where a tile at a time would be scalar code.  R is the workspace's
 * scratch of 6 wp doubles.
 */

/* V[xi][ch][base + t] = (B^T d B)[xi] for the patches of the padded
   state P; N the row length of V. */
static void inputs(const dk_conv2d *c, size_t base, size_t N)
{
	size_t C = c->spec.in_channels, wp = c->wp, tw = c->tiles_w, CN = C * N;
	double *restrict t0 = c->R, *restrict t1 = t0 + wp, *restrict t2 = t1 + wp;
	double *restrict t3 = t2 + wp;
	for (size_t ch = 0; ch < C; ch++)
		for (size_t ti = 0; ti < c->tiles_h; ti++) {
			const double *r0 = c->P + (ch * c->hp + 2 * ti) * wp, *r1 = r0 + wp;
			const double *r2 = r1 + wp, *r3 = r2 + wp;
			for (size_t k = 0; k < wp; k++) { /* t = B^T d */
				t0[k] = r0[k] - r2[k];
				t1[k] = r1[k] + r2[k];
				t2[k] = r2[k] - r1[k];
				t3[k] = r1[k] - r3[k];
			}
			double *V = c->V + ch * N + base + ti * tw;
			for (size_t a = 0; a < 4; a++) { /* v = t B */
				const double *restrict t = c->R + a * wp;
				double *restrict v0 = V + 4 * a * CN, *restrict v1 = v0 + CN;
				double *restrict v2 = v1 + CN, *restrict v3 = v2 + CN;
				for (size_t j = 0; j < tw; j++) {
					double e0 = t[2 * j], e1 = t[2 * j + 1];
					double e2 = t[2 * j + 2], e3 = t[2 * j + 3];
					v0[j] = e0 - e2;
					v1[j] = e1 + e2;
					v2[j] = e2 - e1;
					v3[j] = e1 - e3;
				}
			}
		}
}

/* P = the sum of B gV B^T over the patches, from V holding gV: the
   transpose of inputs. */
static void inputs_adjoint(const dk_conv2d *c, size_t base, size_t N)
{
	size_t C = c->spec.in_channels, wp = c->wp, tw = c->tiles_w, CN = C * N;
	double *restrict q0 = c->R, *restrict q1 = q0 + wp, *restrict q2 = q1 + wp;
	double *restrict q3 = q2 + wp;
	memset(c->P, 0, C * c->hp * wp * sizeof *c->P);
	for (size_t ch = 0; ch < C; ch++)
		for (size_t ti = 0; ti < c->tiles_h; ti++) {
			const double *V = c->V + ch * N + base + ti * tw;
			for (size_t a = 0; a < 4; a++) { /* q = gv B^T: tiles overlap by 2 */
				double *restrict q = c->R + a * wp;
				const double *restrict v0 = V + 4 * a * CN, *restrict v1 = v0 + CN;
				const double *restrict v2 = v1 + CN, *restrict v3 = v2 + CN;
				for (size_t j = 0; j < tw; j++) {
					q[2 * j] = v0[j];
					q[2 * j + 1] = v1[j] - v2[j] + v3[j];
				}
				q[2 * tw] = q[2 * tw + 1] = 0;
				for (size_t j = 0; j < tw; j++) {
					q[2 * j + 2] += v1[j] + v2[j] - v0[j];
					q[2 * j + 3] -= v3[j];
				}
			}
			double *restrict p0 = c->P + (ch * c->hp + 2 * ti) * wp;
			double *restrict p1 = p0 + wp, *restrict p2 = p1 + wp, *restrict p3 = p2 + wp;
			for (size_t k = 0; k < wp; k++) { /* gd = B q */
				p0[k] += q0[k];
				p1[k] += q1[k] - q2[k] + q3[k];
				p2[k] += q1[k] + q2[k] - q0[k];
				p3[k] -= q3[k];
			}
		}
}

/* y (out, H, W) = A^T M A per tile, plus b when not NULL; the outputs of
   a tile past the last row or column are dropped. */
static void outputs(const dk_conv2d *c, size_t base, size_t N, const double *b,
                    double *y)
{
	size_t O = c->spec.out_channels, H = c->shape.out_h, W = c->shape.out_w;
	size_t tw = c->tiles_w, ON = O * N, wp = c->wp;
	for (size_t o = 0; o < O; o++) {
		double *yo = y + o * H * W, bias = b ? b[o] : 0;
		for (size_t ti = 0; ti < c->tiles_h; ti++) {
			const double *M = c->M + o * N + base + ti * tw;
			for (size_t a = 0; a < 4; a++) { /* q = m A */
				double *restrict q = c->R + a * wp;
				const double *restrict m0 = M + 4 * a * ON, *restrict m1 = m0 + ON;
				const double *restrict m2 = m1 + ON, *restrict m3 = m2 + ON;
				for (size_t j = 0; j < tw; j++) {
					q[2 * j] = m0[j] + m1[j] + m2[j];
					q[2 * j + 1] = m1[j] - m2[j] - m3[j];
				}
			}
			const double *restrict q0 = c->R, *restrict q1 = q0 + wp;
			const double *restrict q2 = q1 + wp, *restrict q3 = q2 + wp;
			double *restrict y0 = yo + 2 * ti * W; /* y = A^T q */
			for (size_t k = 0; k < W; k++)
				y0[k] = bias + (q0[k] + q1[k] + q2[k]);
			if (2 * ti + 1 < H) {
				double *restrict y1 = y0 + W;
				for (size_t k = 0; k < W; k++)
					y1[k] = bias + (q1[k] - q2[k] - q3[k]);
			}
		}
	}
}

/* M[xi][o][base + t] = (A gy A^T)[xi] per tile, gy zero past the last
   row or column: the transpose of outputs. */
static void outputs_adjoint(const dk_conv2d *c, size_t base, size_t N,
                            const double *gy)
{
	size_t O = c->spec.out_channels, H = c->shape.out_h, W = c->shape.out_w;
	size_t tw = c->tiles_w, ON = O * N, wp = c->wp;
	double *restrict g0 = c->R + 4 * wp, *restrict g1 = g0 + wp;
	for (size_t k = W; k < 2 * tw; k++) /* the column past an odd width */
		g0[k] = g1[k] = 0;
	for (size_t o = 0; o < O; o++) {
		const double *go = gy + o * H * W;
		for (size_t ti = 0; ti < c->tiles_h; ti++) {
			memcpy(g0, go + 2 * ti * W, W * sizeof *g0);
			if (2 * ti + 1 < H)
				memcpy(g1, go + (2 * ti + 1) * W, W * sizeof *g1);
			else
				memset(g1, 0, W * sizeof *g1);
			double *restrict h0 = c->R, *restrict h1 = h0 + wp, *restrict h2 = h1 + wp;
			double *restrict h3 = h2 + wp;
			for (size_t k = 0; k < 2 * tw; k++) { /* h = A g */
				h0[k] = g0[k];
				h1[k] = g0[k] + g1[k];
				h2[k] = g0[k] - g1[k];
				h3[k] = -g1[k];
			}
			double *M = c->M + o * N + base + ti * tw;
			for (size_t a = 0; a < 4; a++) { /* m = h A^T */
				const double *restrict h = c->R + a * wp;
				double *restrict m0 = M + 4 * a * ON, *restrict m1 = m0 + ON;
				double *restrict m2 = m1 + ON, *restrict m3 = m2 + ON;
				for (size_t j = 0; j < tw; j++) {
					double e0 = h[2 * j], e1 = h[2 * j + 1];
					m0[j] = e0;
					m1[j] = e0 + e1;
					m2[j] = e0 - e1;
					m3[j] = -e1;
				}
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
