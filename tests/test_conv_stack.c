/*
 * test_conv_stack.c -- the stack of convolutions and nonlinearities
 * (lib/models/conv_stack.c): the forward pass against the layers applied
 * one by one through conv2d.h (the stack's own bookkeeping of caches,
 * offsets and nonlinearities, with the layer itself trusted: test_conv2d
 * checks it); the tangent wrt the input against central differences; the
 * adjoint wrt the input against the tangent (<g, J dx> = <J^T g, dx>); the
 * parameters' gradient against central differences of <g, y>; the
 * parameters' layout; the specs that must be refused.
 *
 * Central differences with h = 1e-6 are accurate to about h^2 times the
 * third derivative (1e-12) and eps / h (1e-10) in rounding; a relu's kink
 * within h of a pre-activation would break them, which for standard
 * normal pre-activations happens with probability about 1e-6 per entry.
 * Hence 1e-6, relative.  The forward and adjoint identities hold to
 * rounding: 1e-13.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define H_FD 1e-6

static double dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double rel_err(const double *got, const double *want, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		num += (got[i] - want[i]) * (got[i] - want[i]);
		den += want[i] * want[i];
	}
	return sqrt(num) / fmax(sqrt(den), 1e-300);
}

static void fill(dk_rng *r, double *v, size_t n, double scale)
{
	for (size_t i = 0; i < n; i++)
		v[i] = dk_rng_normal(r, scale);
}

static dk_conv_stack_spec stack(size_t B, size_t H, size_t W, size_t L,
                                const size_t *ch, const dk_act *act, size_t k,
                                dk_conv2d_padding pad, int bias)
{
	dk_conv_stack_spec s = {.batch = B, .layers = L, .height = H, .width = W,
	                        .kernel = k, .padding = pad, .bias = bias};
	for (size_t l = 0; l <= L; l++)
		s.channels[l] = ch[l];
	for (size_t l = 0; l < L; l++)
		s.act[l] = act[l];
	return s;
}

/* <g, stack(x)> */
static double objective(dk_conv_stack *cs, size_t B, const double *th, const double *x,
                        double *cache, double *y, const double *g, size_t ny)
{
	dk_conv_stack_forward(cs, B, th, x, cache, y);
	return dot(g, y, ny);
}

static void check(const char *label, dk_conv_stack_spec s)
{
	char err[256];
	dk_conv_stack *cs;
	if (dk_conv_stack_alloc(&s, &cs, err, sizeof err)) {
		ok(0, "%s: alloc: %s", label, err);
		return;
	}
	size_t B = s.batch, HW = s.height * s.width, L = s.layers;
	size_t nx = B * s.channels[0] * HW, ny = B * s.channels[L] * HW;
	size_t np = dk_conv_stack_param_count(&s), nc = B * dk_conv_stack_cache_size(&s);
	dk_rng *r = dk_rng_alloc(7);
	double *x = malloc(nx * sizeof *x), *dx = malloc(nx * sizeof *dx);
	double *th = malloc(np * sizeof *th), *gt = calloc(np, sizeof *gt);
	double *fd = calloc(np, sizeof *fd), *y = malloc(ny * sizeof *y);
	double *dy = malloc(ny * sizeof *dy), *g = malloc(ny * sizeof *g);
	double *yp = malloc(ny * sizeof *yp), *ym = malloc(ny * sizeof *ym);
	double *gx = malloc(nx * sizeof *gx), *cache = malloc((nc + 1) * sizeof *cache);
	double *c2 = malloc((nc + 1) * sizeof *c2), *xp = malloc(nx * sizeof *xp);
	fill(r, x, nx, 1);
	fill(r, dx, nx, 1);
	fill(r, g, ny, 1);
	/* weights of order 1 / sqrt(fan in), biases around 0 */
	for (size_t l = 0; l < L; l++) {
		size_t w = dk_conv_stack_weights(&s, l), cw = s.channels[l + 1] * s.channels[l] *
		                                             s.kernel * s.kernel;
		fill(r, th + w, cw, 1.5 / sqrt((double)(s.channels[l] * s.kernel * s.kernel)));
		if (s.bias)
			fill(r, th + dk_conv_stack_biases(&s, l), s.channels[l + 1], 0.5);
	}

	/* the forward pass: the layers one at a time through conv2d */
	dk_conv_stack_forward(cs, B, th, x, cache, y);
	double *a = malloc(B * 64 * HW * sizeof *a), *b = malloc(B * 64 * HW * sizeof *b);
	memcpy(a, x, nx * sizeof *a);
	for (size_t l = 0; l < L; l++) {
		dk_conv2d_spec c = dk_conv2d_spec_default();
		c.batch = B;
		c.in_channels = s.channels[l];
		c.out_channels = s.channels[l + 1];
		c.height = s.height;
		c.width = s.width;
		c.kernel_h = c.kernel_w = s.kernel;
		c.padding = s.padding;
		c.bias = s.bias;
		dk_conv2d *cv;
		dk_conv2d_alloc(&c, &cv, err, sizeof err);
		dk_conv2d_forward(cv, B, a, th + dk_conv_stack_weights(&s, l),
		                  s.bias ? th + dk_conv_stack_biases(&s, l) : NULL, b);
		dk_conv2d_free(cv);
		size_t n = B * s.channels[l + 1] * HW;
		for (size_t i = 0; i < n; i++)
			a[i] = s.act[l] == DK_ACT_RELU ? fmax(b[i], 0)
			       : s.act[l] == DK_ACT_TANH ? tanh(b[i]) : b[i];
	}
	double e = rel_err(y, a, ny);
	ok(e < 1e-13, "%s: forward is the layers one by one (rel err %.2g)", label, e);
	free(a);
	free(b);

	/* the tangent against central differences */
	dk_conv_stack_jvp_input(cs, B, th, cache, y, dx, dy);
	for (size_t i = 0; i < nx; i++)
		xp[i] = x[i] + H_FD * dx[i];
	dk_conv_stack_forward(cs, B, th, xp, c2, yp);
	for (size_t i = 0; i < nx; i++)
		xp[i] = x[i] - H_FD * dx[i];
	dk_conv_stack_forward(cs, B, th, xp, c2, ym);
	for (size_t i = 0; i < ny; i++)
		ym[i] = (yp[i] - ym[i]) / (2 * H_FD);
	e = rel_err(dy, ym, ny);
	ok(e < 1e-6, "%s: jvp wrt the input vs finite differences (rel err %.2g)", label, e);

	/* the adjoint wrt the input against the tangent */
	dk_conv_stack_vjp(cs, B, th, x, cache, y, g, gx, gt);
	double l1 = dot(g, dy, ny), r1 = dot(gx, dx, nx);
	e = fabs(l1 - r1) / fmax(fabs(l1), 1e-300);
	ok(e < 1e-13, "%s: <g, J dx> = <J^T g, dx> (rel err %.2g)", label, e);

	/* the parameters' gradient against central differences */
	for (size_t i = 0; i < np; i++) {
		double keep = th[i];
		th[i] = keep + H_FD;
		double fp = objective(cs, B, th, x, c2, yp, g, ny);
		th[i] = keep - H_FD;
		double fm = objective(cs, B, th, x, c2, yp, g, ny);
		th[i] = keep;
		fd[i] = (fp - fm) / (2 * H_FD);
	}
	e = rel_err(gt, fd, np);
	ok(e < 1e-6, "%s: vjp wrt the parameters vs finite differences (rel err %.2g)", label, e);
	/* gtheta is added to; gx NULL skips it */
	dk_conv_stack_vjp(cs, B, th, x, cache, y, g, NULL, gt);
	for (size_t i = 0; i < np; i++)
		gt[i] /= 2;
	e = rel_err(gt, fd, np);
	ok(e < 1e-6, "%s: vjp adds to gtheta: twice the gradient after two (rel err %.2g)",
	   label, e);

	dk_rng_free(r);
	free(x); free(dx); free(th); free(gt); free(fd); free(y); free(dy); free(g);
	free(yp); free(ym); free(gx); free(cache); free(c2); free(xp);
	dk_conv_stack_free(cs);
}

static void refused(dk_conv_stack_spec s, const char *want, const char *what)
{
	char err[256] = "";
	dk_conv_stack *cs = NULL;
	int st = dk_conv_stack_alloc(&s, &cs, err, sizeof err);
	ok(st == DK_EINVAL && !cs && strstr(err, want), "%s refused: %s", what, err);
	dk_conv_stack_free(cs);
}

int main(void)
{
	const dk_act rrr[] = {DK_ACT_RELU, DK_ACT_RELU, DK_ACT_RELU};
	const dk_act rrrt[] = {DK_ACT_RELU, DK_ACT_RELU, DK_ACT_RELU, DK_ACT_TANH};
	const dk_act ti[] = {DK_ACT_TANH, DK_ACT_IDENTITY};
	const size_t enc[] = {1, 5, 5, 3}, y0[] = {2, 4, 4, 4, 3}, two[] = {3, 4, 2};
	check("3 relu layers, zero padding", stack(2, 5, 6, 3, enc, rrr, 3, DK_CONV2D_ZERO, 1));
	check("3 relus and a tanh", stack(2, 4, 5, 4, y0, rrrt, 3, DK_CONV2D_ZERO, 1));
	check("tanh, none, circular 5x5, no bias",
	      stack(3, 5, 4, 2, two, ti, 5, DK_CONV2D_CIRCULAR, 0));
	check("one layer 1x1", stack(1, 3, 3, 1, two, ti + 1, 1, DK_CONV2D_ZERO, 1));

	/* the layout: W_0, b_0, W_1, b_1, ... */
	dk_conv_stack_spec s = stack(1, 4, 4, 3, enc, rrr, 3, DK_CONV2D_ZERO, 1);
	ok(dk_conv_stack_weights(&s, 0) == 0 && dk_conv_stack_biases(&s, 0) == 45 &&
	   dk_conv_stack_weights(&s, 1) == 50 && dk_conv_stack_biases(&s, 1) == 275 &&
	   dk_conv_stack_weights(&s, 2) == 280 && dk_conv_stack_param_count(&s) == 418 &&
	   dk_conv_stack_cache_size(&s) == 10 * 16,
	   "parameters W_0 (5,1,3,3), b_0, W_1 (5,5,3,3), b_1, W_2 (3,5,3,3), b_2; cache 2 layers");

	dk_conv_stack_spec bad = s;
	bad.kernel = 2;
	refused(bad, "odd", "an even kernel");
	bad = s;
	bad.layers = 0;
	refused(bad, "layers", "no layers");
	bad = s;
	bad.layers = DK_CONV_STACK_MAX_LAYERS + 1;
	refused(bad, "layers", "too many layers");
	bad = s;
	bad.channels[2] = 0;
	refused(bad, "layer 1", "a layer of no channels");
	bad = s;
	bad.act[1] = DK_ACT_ERF;
	refused(bad, "act[1]", "an erf");
	bad = s;
	bad.batch = 0;
	refused(bad, "batch", "no batch");
	bad = s;
	bad.height = (size_t)1 << 40;
	bad.width = (size_t)1 << 40;
	refused(bad, "large", "a sheet whose size overflows");
	return tap_done();
}
