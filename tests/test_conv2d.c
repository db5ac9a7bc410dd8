/*
 * test_conv2d.c -- the 2-D convolution layer (lib/models/conv2d.c)
 * against a reference written here another way: plain loops over every
 * (state, output channel, row, column, input channel, tap) that find the
 * input cell by index arithmetic (a bounds test for zero padding, a
 * modulo for circular) instead of through a padded copy.  Random shapes
 * with one and several channels, odd and even kernels, strides 1 and 2,
 * paddings from none to more than the input (circular, wrapping twice),
 * each by im2col and GEMM, by direct loops and, for the 3x3 "same"
 * kernels, by Winograd's F(2x2, 3x3).  Then the tangents against
 * central differences, the adjoints against the tangents (<v, J u> =
 * <J^T v, u>), the output sizes, and the specs that must be refused.
 *
 * Tolerances come from the arithmetic: a sum of m products computed in
 * any order is within m u sum |terms| of the exact value (u = 2^-53, to
 * first order; with FMA it is less), so two computations of it differ by
 * at most 2 m u sum |terms| = m eps sum |terms|.  Each check below allows
 * twice that, with m and the sum of |terms| counted by the reference.
 * Winograd's transforms add and halve the terms before multiplying; its
 * error is bounded by the same sums times a growth factor of the
 * transforms' moduli in the worst case, but with these normal draws
 * measured at most 0.2 of the direct bound, so the same bound holds it
 * (a wrong transform misses it by orders of magnitude).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define EPS DBL_EPSILON

/* The input cell that padded index t (= i s + p) reads, or -1 for zero. */
static long source(long t, long pad, long n, int circular)
{
	long r = t - pad;
	if (circular)
		return ((r % n) + n) % n;
	return r >= 0 && r < n ? r : -1;
}

/* Reference results and, per element, the number of terms summed and the
   sum of their moduli (for the tolerance). */
typedef struct {
	double *y, *ya, *gx, *gxa, *gW, *gWa, *gb, *gba;
	size_t *yn, *gxn, *gWn;
} reference;

static double *zeros(size_t n)
{
	return calloc(n ? n : 1, sizeof(double));
}

static size_t *counts(size_t n)
{
	return calloc(n ? n : 1, sizeof(size_t));
}

/* y = W * x + b, gx = (dy/dx)^T g, gW = (dy/dW)^T g, gb, all by loops. */
static reference reference_run(const dk_conv2d_spec *s, const dk_conv2d_shape *sh,
                               size_t B, const double *x, const double *W,
                               const double *b, const double *g)
{
	size_t C = s->in_channels, O = s->out_channels, H = s->height, Wd = s->width;
	size_t kh = s->kernel_h, kw = s->kernel_w, Ho = sh->out_h, Wo = sh->out_w;
	int circ = s->padding == DK_CONV2D_CIRCULAR;
	reference R = {zeros(B * O * Ho * Wo), zeros(B * O * Ho * Wo),
	               zeros(B * C * H * Wd), zeros(B * C * H * Wd),
	               zeros(O * C * kh * kw), zeros(O * C * kh * kw), zeros(O), zeros(O),
	               counts(B * O * Ho * Wo), counts(B * C * H * Wd),
	               counts(O * C * kh * kw)};
	for (size_t n = 0; n < B; n++)
		for (size_t o = 0; o < O; o++)
			for (size_t i = 0; i < Ho; i++)
				for (size_t j = 0; j < Wo; j++) {
					size_t yi = ((n * O + o) * Ho + i) * Wo + j;
					double gv = g[yi];
					if (s->bias) {
						double bo = b ? b[o] : 0;
						R.y[yi] += bo;
						R.ya[yi] += fabs(bo);
						R.yn[yi]++;
						R.gb[o] += gv;
						R.gba[o] += fabs(gv);
					}
					for (size_t c = 0; c < C; c++)
						for (size_t p = 0; p < kh; p++)
							for (size_t q = 0; q < kw; q++) {
								long r = source((long)(i * s->stride_h + p),
								                (long)sh->pad_h, (long)H, circ);
								long t = source((long)(j * s->stride_w + q),
								                (long)sh->pad_w, (long)Wd, circ);
								if (r < 0 || t < 0)
									continue;
								size_t xi = ((n * C + c) * H + (size_t)r) * Wd + (size_t)t;
								size_t wi = ((o * C + c) * kh + p) * kw + q;
								R.y[yi] += W[wi] * x[xi];
								R.ya[yi] += fabs(W[wi] * x[xi]);
								R.yn[yi]++;
								R.gx[xi] += W[wi] * gv;
								R.gxa[xi] += fabs(W[wi] * gv);
								R.gxn[xi]++;
								R.gW[wi] += gv * x[xi];
								R.gWa[wi] += fabs(gv * x[xi]);
								R.gWn[wi]++;
							}
				}
	return R;
}

static void reference_free(reference *R)
{
	free(R->y); free(R->ya); free(R->gx); free(R->gxa);
	free(R->gW); free(R->gWa); free(R->gb); free(R->gba);
	free(R->yn); free(R->gxn); free(R->gWn);
}

/*
 * The worst |got - want| / (2 (m + 1) eps (a + |start|)) over n elements,
 * m and a the terms and their moduli's sum per element (m NULL: mc terms
 * for all), start what got was added to (NULL: nothing): at most 1 when
 * within tolerance.  The + 1 is the addition to start (or to nothing).
 */
static double worst(const double *got, const double *want, const double *a,
                    const size_t *m, size_t mc, const double *start, size_t n)
{
	double w = 0;
	for (size_t k = 0; k < n; k++) {
		double s = start ? start[k] : 0, terms = (double)(m ? m[k] : mc) + 1;
		double tol = 2 * terms * EPS * (a[k] + fabs(s));
		double e = fabs(got[k] - (s + want[k]));
		double r = e == 0 ? 0 : e / (tol > 0 ? tol : DBL_MIN);
		if (!(r <= w))
			w = r; /* NaN sticks */
	}
	return w;
}

static void fill(dk_rng *rng, double *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		v[k] = dk_rng_normal(rng, 1.0);
}

static const char *method_name(dk_conv2d_method m)
{
	return m == DK_CONV2D_GEMM ? "gemm" : m == DK_CONV2D_DIRECT ? "direct" :
	       m == DK_CONV2D_WINOGRAD ? "winograd" : "auto";
}

static void describe(const dk_conv2d_spec *s, const dk_conv2d_shape *sh, char *buf,
                     size_t len)
{
	snprintf(buf, len, "B%zu %zu->%zu %zux%zu k%zux%zu s%zu,%zu %s pad %zu,%zu%s %s",
	         s->batch, s->in_channels, s->out_channels, s->height, s->width,
	         s->kernel_h, s->kernel_w, s->stride_h, s->stride_w,
	         s->padding == DK_CONV2D_CIRCULAR ? "circular" : "zero", sh->pad_h,
	         sh->pad_w, s->bias ? " bias" : "", method_name(sh->method));
}

/* The layer's forward and adjoints against the loops; the jvps against
   central differences; the adjoint identities. */
static void check_spec(const dk_conv2d_spec *s, dk_rng *rng)
{
	char err[256] = "", what[160];
	dk_conv2d *c;
	if (!ok(dk_conv2d_alloc(s, &c, err, sizeof err) == DK_OK, "alloc: %s", err))
		return;
	const dk_conv2d_shape *sh = dk_conv2d_get_shape(c);
	describe(s, sh, what, sizeof what);
	size_t B = s->batch, nx = B * sh->in_size, ny = B * sh->out_size;
	size_t nw = sh->weight_count, O = s->out_channels;
	double *x = zeros(nx), *W = zeros(nw), *b = zeros(O), *g = zeros(ny);
	double *y = zeros(ny), *gx = zeros(nx), *gW = zeros(nw), *gb = zeros(O);
	double *gW0 = zeros(nw), *gb0 = zeros(O);
	fill(rng, x, nx);
	fill(rng, W, nw);
	fill(rng, b, O);
	fill(rng, g, ny);
	fill(rng, gW0, nw);
	fill(rng, gb0, O);
	reference R = reference_run(s, sh, B, x, W, b, g);

	dk_conv2d_forward(c, B, x, W, b, y);
	double e = worst(y, R.y, R.ya, R.yn, 0, NULL, ny);
	ok(e <= 1, "%s: forward as the loops (worst %.2g of the bound)", what, e);
	/* gx is overwritten: start it at NaN */
	for (size_t k = 0; k < nx; k++)
		gx[k] = NAN;
	dk_conv2d_vjp_input(c, B, W, g, gx);
	e = worst(gx, R.gx, R.gxa, R.gxn, 0, NULL, nx);
	ok(e <= 1, "%s: vjp wrt x as the loops (worst %.2g)", what, e);
	/* gW and gb are added to */
	memcpy(gW, gW0, nw * sizeof *gW);
	memcpy(gb, gb0, O * sizeof *gb);
	dk_conv2d_vjp_params(c, B, x, g, gW, gb);
	e = worst(gW, R.gW, R.gWa, R.gWn, 0, gW0, nw);
	if (s->bias)
		e = fmax(e, worst(gb, R.gb, R.gba, NULL, B * sh->out_h * sh->out_w, gb0, O));
	else
		for (size_t o = 0; o < O; o++)
			e = gb[o] == gb0[o] ? e : INFINITY;
	ok(e <= 1, "%s: vjp wrt W%s added to gW as the loops (worst %.2g)", what,
	   s->bias ? " and b" : "", e);
	reference_free(&R);
	/* both adjoints in one call: the same code path per product, so the
	   same bits as the two calls */
	{
		double *gx2 = zeros(nx), *gW2 = zeros(nw), *gb2 = zeros(O);
		memcpy(gW2, gW0, nw * sizeof *gW2);
		memcpy(gb2, gb0, O * sizeof *gb2);
		dk_conv2d_vjp(c, B, x, W, g, gx2, gW2, gb2);
		int same = memcmp(gx2, gx, nx * sizeof *gx) == 0 &&
		           memcmp(gW2, gW, nw * sizeof *gW) == 0 &&
		           memcmp(gb2, gb, O * sizeof *gb) == 0;
		ok(same, "%s: dk_conv2d_vjp as vjp_input and vjp_params", what);
		free(gx2);
		free(gW2);
		free(gb2);
	}

	/*
	 * The jvps against central differences.  The layer is affine in x
	 * and in (W, b), so the difference (f(z + dz) - f(z - dz)) / 2 has no
	 * truncation error at any step; what is left is rounding: of z +- dz
	 * (eps |z +- dz|) and of the two products (m eps sum |terms|), which
	 * the reference, run at z +- dz, bounds.  Twice its sum is allowed.
	 */
	double *dx = zeros(nx), *dW = zeros(nw), *db = zeros(O), *xp = zeros(nx);
	double *xm = zeros(nx), *Wp = zeros(nw), *Wm = zeros(nw), *bp = zeros(O);
	double *bm = zeros(O), *yp = zeros(ny), *ym = zeros(ny), *dy = zeros(ny);
	fill(rng, dx, nx);
	fill(rng, dW, nw);
	fill(rng, db, O);
	for (size_t k = 0; k < nx; k++) {
		xp[k] = x[k] + dx[k];
		xm[k] = x[k] - dx[k];
	}
	for (size_t k = 0; k < nw; k++) {
		Wp[k] = W[k] + dW[k];
		Wm[k] = W[k] - dW[k];
	}
	for (size_t k = 0; k < O; k++) {
		bp[k] = b[k] + db[k];
		bm[k] = b[k] - db[k];
	}
	/* wrt x */
	dk_conv2d_forward(c, B, xp, W, b, yp);
	dk_conv2d_forward(c, B, xm, W, b, ym);
	dk_conv2d_jvp_input(c, B, W, dx, dy);
	reference Rp = reference_run(s, sh, B, xp, W, b, g);
	reference Rm = reference_run(s, sh, B, xm, W, b, g);
	double fd = 0;
	for (size_t k = 0; k < ny; k++) {
		double tol = 2 * ((double)Rp.yn[k] + 2) * EPS * (Rp.ya[k] + Rm.ya[k]);
		double d = fabs((yp[k] - ym[k]) / 2 - dy[k]);
		fd = fmax(fd, d == 0 ? 0 : d / tol);
	}
	ok(fd <= 1, "%s: jvp wrt x as central differences (worst %.2g)", what, fd);
	reference_free(&Rp);
	reference_free(&Rm);
	/* wrt (W, b) */
	dk_conv2d_forward(c, B, x, Wp, bp, yp);
	dk_conv2d_forward(c, B, x, Wm, bm, ym);
	dk_conv2d_jvp_params(c, B, x, dW, db, dy);
	Rp = reference_run(s, sh, B, x, Wp, bp, g);
	Rm = reference_run(s, sh, B, x, Wm, bm, g);
	fd = 0;
	for (size_t k = 0; k < ny; k++) {
		double tol = 2 * ((double)Rp.yn[k] + 2) * EPS * (Rp.ya[k] + Rm.ya[k]);
		double d = fabs((yp[k] - ym[k]) / 2 - dy[k]);
		fd = fmax(fd, d == 0 ? 0 : d / tol);
	}
	ok(fd <= 1, "%s: jvp wrt W, b as central differences (worst %.2g)", what, fd);
	reference_free(&Rp);
	reference_free(&Rm);

	/*
	 * <v, J u> = <J^T v, u>, v = g.  Both sides sum the same products
	 * v W u (and v db) over every (output, tap) pair, T = their moduli's
	 * sum; each side is a sum of at most m = (taps per output + outputs
	 * + inputs + weights) rounded additions of partial sums bounded by T,
	 * so the sides differ by at most 2 m eps T.
	 */
	size_t taps = s->in_channels * s->kernel_h * s->kernel_w;
	double m = (double)(taps + 1 + ny + nx + nw + O);
	double lhs = 0, rhs = 0, T = 0;
	R = reference_run(s, sh, B, dx, W, NULL, g);
	dk_conv2d_jvp_input(c, B, W, dx, dy);
	dk_conv2d_vjp_input(c, B, W, g, gx);
	for (size_t k = 0; k < ny; k++) {
		lhs += g[k] * dy[k];
		T += fabs(g[k]) * R.ya[k];
	}
	for (size_t k = 0; k < nx; k++)
		rhs += gx[k] * dx[k];
	ok(fabs(lhs - rhs) <= 2 * m * EPS * T,
	   "%s: <v, J_x u> = <J_x^T v, u> (%.17g, %.17g)", what, lhs, rhs);
	reference_free(&R);
	R = reference_run(s, sh, B, x, dW, db, g);
	dk_conv2d_jvp_params(c, B, x, dW, db, dy);
	memset(gW, 0, nw * sizeof *gW);
	memset(gb, 0, O * sizeof *gb);
	dk_conv2d_vjp_params(c, B, x, g, gW, gb);
	lhs = rhs = T = 0;
	for (size_t k = 0; k < ny; k++) {
		lhs += g[k] * dy[k];
		T += fabs(g[k]) * R.ya[k];
	}
	for (size_t k = 0; k < nw; k++)
		rhs += gW[k] * dW[k];
	for (size_t k = 0; s->bias && k < O; k++)
		rhs += gb[k] * db[k];
	ok(fabs(lhs - rhs) <= 2 * m * EPS * T,
	   "%s: <v, J_W u> = <J_W^T v, u> (%.17g, %.17g)", what, lhs, rhs);
	reference_free(&R);

	free(dx); free(dW); free(db); free(xp); free(xm); free(Wp); free(Wm);
	free(bp); free(bm); free(yp); free(ym); free(dy);
	free(x); free(W); free(b); free(g); free(y); free(gx); free(gW); free(gb);
	free(gW0); free(gb0);
	dk_conv2d_free(c);
}

/* A random valid spec: small, one or several channels, odd or even
   kernels, stride 1 or 2, either padding, "same" or given (up to twice
   the input, circular then wrapping more than once). */
static dk_conv2d_spec random_spec(dk_rng *rng)
{
	for (;;) {
		dk_conv2d_spec s = dk_conv2d_spec_default();
		s.batch = 1 + dk_rng_index(rng, 3);
		s.in_channels = 1 + dk_rng_index(rng, 4);
		s.out_channels = 1 + dk_rng_index(rng, 4);
		s.height = 1 + dk_rng_index(rng, 9);
		s.width = 1 + dk_rng_index(rng, 9);
		s.kernel_h = 1 + dk_rng_index(rng, 5);
		s.kernel_w = 1 + dk_rng_index(rng, 5);
		s.stride_h = 1 + dk_rng_index(rng, 2);
		s.stride_w = 1 + dk_rng_index(rng, 2);
		s.padding = dk_rng_index(rng, 2) ? DK_CONV2D_CIRCULAR : DK_CONV2D_ZERO;
		s.bias = dk_rng_index(rng, 4) != 0;
		if (s.kernel_h % 2 == 0 || dk_rng_index(rng, 2))
			s.pad_h = dk_rng_index(rng, 2 * s.height + 1);
		if (s.kernel_w % 2 == 0 || dk_rng_index(rng, 2))
			s.pad_w = dk_rng_index(rng, 2 * s.width + 1);
		if (dk_conv2d_spec_check(&s, NULL, NULL, 0) == DK_OK)
			return s;
	}
}

/* spec is refused with DK_EINVAL and a message containing field. */
static void refused(const dk_conv2d_spec *s, const char *field, const char *what)
{
	char err[256] = "";
	dk_conv2d *c = (dk_conv2d *)1;
	int st = dk_conv2d_alloc(s, &c, err, sizeof err);
	ok(st == DK_EINVAL && c == NULL && strstr(err, field),
	   "refused, naming %s: %s (%s)", field, what, err);
}

static void check_refusals(void)
{
	dk_conv2d_spec good = dk_conv2d_spec_default(), s;
	good.batch = 2;
	good.in_channels = 3;
	good.out_channels = 4;
	good.height = 5;
	good.width = 6;
	good.kernel_h = good.kernel_w = 3;
	ok(dk_conv2d_spec_check(&good, NULL, NULL, 0) == DK_OK, "a good spec passes");
#define REFUSE(field, value, name, what) \
	(s = good, s.field = value, refused(&s, name, what))
	REFUSE(batch, 0, "batch", "no states");
	REFUSE(in_channels, 0, "in_channels", "no input channels");
	REFUSE(out_channels, 0, "out_channels", "no output channels");
	REFUSE(height, 0, "height", "no rows");
	REFUSE(width, 0, "width", "no columns");
	REFUSE(kernel_h, 0, "kernel_h", "an empty kernel");
	REFUSE(kernel_w, 0, "kernel_w", "an empty kernel");
	REFUSE(stride_h, 0, "stride_h", "stride 0");
	REFUSE(stride_w, 0, "stride_w", "stride 0");
	REFUSE(kernel_h, 4, "kernel_h", "\"same\" with an even kernel");
	REFUSE(padding, (dk_conv2d_padding)7, "padding", "an unknown padding");
	REFUSE(method, (dk_conv2d_method)7, "method", "an unknown method");
	REFUSE(bias, 2, "bias", "bias neither 0 nor 1");
	s = good, s.kernel_h = 8, s.pad_h = 1;
	refused(&s, "kernel_h", "a kernel taller than the padded input (5 + 2 < 8)");
	s = good, s.kernel_w = 7, s.pad_w = 0, s.padding = DK_CONV2D_CIRCULAR;
	refused(&s, "kernel_w", "a kernel wider than the input, unpadded");
	s = good, s.pad_w = SIZE_MAX / 2;
	refused(&s, "pad_w", "a padding that overflows");
	/* products of sizes that each are fine but overflow together */
	REFUSE(batch, SIZE_MAX / 8, "too large", "batch x state overflows");
	s = good, s.in_channels = s.out_channels = (size_t)1 << 31;
	refused(&s, "too large", "out x in x kh x kw overflows");
	s = good, s.height = s.width = (size_t)1 << 33;
	refused(&s, "too large", "H x W overflows");
	s = good, s.in_channels = 1, s.out_channels = (size_t)1 << 31;
	refused(&s, "too large", "out_channels beyond the BLAS's int");
	ok(dk_conv2d_spec_check(NULL, NULL, NULL, 0) == DK_EINVAL, "no spec: DK_EINVAL");
	dk_conv2d_free(NULL);
	ok(1, "dk_conv2d_free(NULL) is a no-op");

	dk_conv2d *c;
	ok(dk_conv2d_alloc(&good, &c, NULL, 0) == DK_OK, "alloc without a message buffer");
	double x[2 * 3 * 5 * 6] = {0}, W[4 * 3 * 9] = {0}, b[4] = {0}, y[3 * 4 * 5 * 6];
	ok(dk_conv2d_forward(c, 3, x, W, b, y) == DK_EINVAL, "B beyond spec.batch refused");
	ok(dk_conv2d_forward(c, 0, x, W, b, y) == DK_EINVAL, "B = 0 refused");
	dk_conv2d_free(c);
}

/* Output sizes from PyTorch's formula, floor((H + 2p - k) / s) + 1,
   worked out by hand. */
static void check_sizes(void)
{
	static const struct {
		size_t H, k, s, p, out;
	} cases[] = {
		{7, 3, 2, 1, 4}, {8, 3, 2, 1, 4}, {8, 4, 2, 1, 4}, {5, 3, 1, DK_CONV2D_SAME, 5},
		{5, 5, 1, DK_CONV2D_SAME, 5}, {1, 3, 1, DK_CONV2D_SAME, 1}, {4, 4, 1, 0, 1},
		{10, 1, 3, 0, 4}, {6, 2, 1, 0, 5},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		dk_conv2d_spec s = dk_conv2d_spec_default();
		dk_conv2d_shape sh;
		s.batch = s.in_channels = s.out_channels = 1;
		s.height = cases[k].H;
		s.width = 3;
		s.kernel_h = cases[k].k;
		s.kernel_w = 1;
		s.stride_h = cases[k].s;
		s.pad_h = cases[k].p;
		int st = dk_conv2d_spec_check(&s, &sh, NULL, 0);
		ok(st == DK_OK && sh.out_h == cases[k].out && sh.out_w == 3,
		   "H %zu, kernel %zu, stride %zu, pad %zu: %zu rows out (got %zu)", cases[k].H,
		   cases[k].k, cases[k].s, cases[k].p, cases[k].out, st ? 0 : sh.out_h);
	}
}

/* AUTO resolves to a method the layer has: the loops for one output
   channel, Winograd for more with a 3x3 "same" kernel at stride 1 and 8
   input channels or more, GEMM otherwise (the rule conv2d.c measured);
   Winograd asked for a shape it does not fit is refused. */
static void check_auto(void)
{
	dk_conv2d_spec s = dk_conv2d_spec_default();
	dk_conv2d_shape sh;
	s.batch = s.in_channels = 3;
	s.height = s.width = 8;
	s.kernel_h = s.kernel_w = 3;
	s.out_channels = 1;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_OK && sh.method == DK_CONV2D_DIRECT,
	   "auto: direct loops for one output channel");
	s.out_channels = 2;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_OK && sh.method == DK_CONV2D_GEMM,
	   "auto: GEMM for two from 3");
	s.in_channels = 8;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_OK && sh.method == DK_CONV2D_WINOGRAD,
	   "auto: Winograd for two from 8, 3x3 same");
	s.stride_w = 2;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_OK && sh.method == DK_CONV2D_GEMM,
	   "auto: GEMM for two at stride 2");
	char err[192] = "";
	s.method = DK_CONV2D_WINOGRAD;
	ok(dk_conv2d_spec_check(&s, &sh, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "winograd"), "winograd at stride 2 refused (%s)", err);
	s.stride_w = 1;
	s.kernel_w = 5;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_EINVAL, "winograd 3x5 refused");
	s.kernel_w = 3;
	s.pad_h = 0;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_EINVAL, "winograd unpadded refused");
	s.pad_h = DK_CONV2D_SAME;
	s.method = DK_CONV2D_DIRECT;
	ok(dk_conv2d_spec_check(&s, &sh, NULL, 0) == DK_OK && sh.method == DK_CONV2D_DIRECT,
	   "a method asked for is kept");
}

/* Winograd's shapes: a 3x3 kernel, stride 1, padding 1. */
static int winograd_fits(const dk_conv2d_spec *s)
{
	return s->kernel_h == 3 && s->kernel_w == 3 && s->stride_h == 1 &&
	       s->stride_w == 1 && (s->pad_h == 1 || s->pad_h == DK_CONV2D_SAME) &&
	       (s->pad_w == 1 || s->pad_w == DK_CONV2D_SAME);
}

int main(void)
{
	dk_rng *rng = dk_rng_alloc(15);
	check_sizes();
	check_refusals();
	check_auto();
	/* the shapes the models use: a 3x3 "same" kernel, one channel and
	   several, on a torus and with zeros, and a stride-2 downsampling */
	static const size_t fixed[][8] = {
		/* C, O, H, W, k, stride, circular, B */
		{1, 1, 8, 9, 3, 1, 1, 2}, {1, 1, 8, 9, 3, 1, 0, 2}, {4, 6, 7, 5, 3, 1, 1, 2},
		{4, 6, 7, 5, 3, 2, 0, 2}, {2, 3, 6, 6, 5, 2, 1, 1}, {3, 2, 2, 2, 3, 1, 1, 1},
		/* Winograd's products over two chunks of states (380 tiles a
		   state: 2, then 1), and an odd sheet */
		{3, 4, 40, 38, 3, 1, 0, 3}, {2, 3, 39, 41, 3, 1, 1, 3},
	};
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
		for (int m = DK_CONV2D_GEMM; m <= DK_CONV2D_WINOGRAD; m++) {
			dk_conv2d_spec s = dk_conv2d_spec_default();
			s.in_channels = fixed[k][0];
			s.out_channels = fixed[k][1];
			s.height = fixed[k][2];
			s.width = fixed[k][3];
			s.kernel_h = s.kernel_w = fixed[k][4];
			s.stride_h = s.stride_w = fixed[k][5];
			s.padding = fixed[k][6] ? DK_CONV2D_CIRCULAR : DK_CONV2D_ZERO;
			s.batch = fixed[k][7];
			s.method = (dk_conv2d_method)m;
			if (m != DK_CONV2D_WINOGRAD || winograd_fits(&s))
				check_spec(&s, rng);
		}
	for (int k = 0; k < 30; k++) {
		dk_conv2d_spec s = random_spec(rng);
		for (int m = DK_CONV2D_GEMM; m <= DK_CONV2D_WINOGRAD; m++) {
			s.method = (dk_conv2d_method)m;
			if (m != DK_CONV2D_WINOGRAD || winograd_fits(&s))
				check_spec(&s, rng);
		}
	}
	dk_rng_free(rng);
	return tap_done();
}
