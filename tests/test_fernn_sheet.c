/*
 * test_fernn_sheet.c -- the fernn and grnn on sheets through products
 * (models/fernn_sheet.c, what dk_model_step, jvp and vjp run) against
 * the plain loops they replaced (dk_fernn_loops_*, fernn.c), the
 * reference: the step, the tangent and every adjoint (state, input and
 * parameters) on random states, inputs and directions, with a bias that
 * puts units on both sides of the relu, for fernns and a grnn, an input
 * or none, and sides shorter than the kernel.
 *
 * Tolerances: both compute the same sums in other orders.  A unit of the
 * step, the tangent or the state's and input's adjoints sums at most
 * 9 (C + I) S products (at most 9 * 5 * 25 = 1125 here, the adjoints of
 * the input gathering every slice), and a parameter's gradient at most
 * B S H W (3 * 25 * 40 = 3000): each order is within K eps of the sum of
 * the magnitudes, so two orders differ by at most 2 K eps times it,
 * below 1.4e-12 of the largest magnitude for values of order 1 summed
 * over at most K terms; the bound used is 1e-11 of the largest entry
 * (times K / 1000, at least 1), far below a tap or slice mixed up
 * (order 1).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "models/fernn_sheet.h"
#include "tap.h"

/* The largest |a - b| over that of |b| (the reference's). */
static double rel_diff(size_t n, const double *a, const double *b)
{
	double d = 0, s = 0;
	for (size_t i = 0; i < n; i++) {
		d = fmax(d, fabs(a[i] - b[i]));
		s = fmax(s, fabs(b[i]));
	}
	return s > 0 ? d / s : d;
}

static double draw(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*state >> 11) / 9007199254740992.0 * 2 - 1;
}

static void one(const char *kind, size_t C, size_t H, size_t W, size_t v,
                size_t In)
{
	enum { B = 3 };
	char label[96];
	snprintf(label, sizeof label, "%s C=%zu %zux%zu V=%zu I=%zu", kind, C, H, W,
	         v, In);
	dk_model_spec spec = {.kind = kind, .channels = C, .height = H, .width = W,
	                      .velocities = v, .inputs = In, .outputs = 2, .gain = 1.5,
	                      .seed = 7};
	dk_model *m = NULL;
	char err[256];
	int rc = dk_model_create(&spec, &m, err, sizeof err);
	if (!ok(!rc, "%s: created", label)) {
		printf("# %s\n", err);
		return;
	}
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m);
	size_t np = dk_model_param_count(m), S = n / (C * H * W);
	uint64_t st = 11;
	size_t off, cnt;
	double *theta = dk_model_params(m);
	if (!dk_model_param_find(m, "model/b", &off, &cnt))
		for (size_t k = 0; k < cnt; k++)
			theta[off + k] = 0.3 * draw(&st);
	size_t big = B * (n > P ? n : P) + 1;
	double *x = malloc(B * n * sizeof *x), *u = malloc((B * P + 1) * sizeof *u);
	double *dx = malloc(B * n * sizeof *dx), *gxn = malloc(B * n * sizeof *gxn);
	double *a = malloc(big * sizeof *a), *b = malloc(big * sizeof *b);
	double *ga = calloc(np, sizeof *ga), *gb = calloc(np, sizeof *gb);
	double *gua = malloc((B * P + 1) * sizeof *gua), *gub = malloc((B * P + 1) * sizeof *gub);
	double *ref = malloc(dk_fernn_loops_scratch(m) * sizeof *ref);
	dk_model_work *w = dk_model_work_alloc(m, B);
	if (!ok(x && u && dx && gxn && a && b && ga && gb && gua && gub && ref && w,
	        "%s: allocated", label))
		goto done;
	for (size_t i = 0; i < B * n; i++)
		x[i] = draw(&st), dx[i] = draw(&st), gxn[i] = draw(&st);
	for (size_t i = 0; i < B * P; i++)
		u[i] = draw(&st);
	const double *ui = P ? u : NULL;
	double K = 9.0 * (double)(C + In) * (double)S, KP = (double)(B * S * H * W);
	double tol = 1e-11 * fmax(1, K / 1000), tolp = 1e-11 * fmax(1, KP / 1000);
	rc = dk_model_step(m, w, B, x, ui, a, NULL) ||
	         dk_fernn_loops_step(m, ref, B, x, ui, b);
	size_t on = 0;
	for (size_t i = 0; i < B * n; i++)
		on += a[i] > 0;
	double d = rel_diff(B * n, a, b);
	ok(!rc && d <= tol && on > 0 && on < B * n, "%s: step as the loops' (%.2g; "
	   "%zu of %zu units on)", label, d, on, B * n);
	rc = dk_model_jvp(m, w, B, x, ui, NULL, dx, a) ||
	     dk_fernn_loops_jvp(m, ref, B, x, ui, dx, b);
	d = rel_diff(B * n, a, b);
	ok(!rc && d <= tol, "%s: tangent as the loops' (%.2g)", label, d);
	rc = dk_model_vjp(m, w, B, x, ui, NULL, gxn, a, P ? gua : NULL, ga) ||
	     dk_fernn_loops_vjp(m, ref, B, x, ui, gxn, b, P ? gub : NULL, gb);
	d = rel_diff(B * n, a, b);
	double du = P ? rel_diff(B * P, gua, gub) : 0, dp = rel_diff(np, ga, gb);
	ok(!rc && d <= tol && du <= tol && dp <= tolp, "%s: adjoints as the loops' "
	   "(state %.2g, input %.2g, parameters %.2g)", label, d, du, dp);
done:
	dk_model_work_free(w);
	free(x), free(u), free(dx), free(gxn), free(a), free(b), free(ga), free(gb);
	free(gua), free(gub), free(ref);
	dk_model_free(m);
}

int main(void)
{
	one("fernn", 2, 6, 7, 1, 2);
	one("fernn", 3, 5, 8, 2, 1);
	one("fernn", 2, 4, 5, 1, 0);
	one("fernn", 1, 2, 1, 1, 1);
	one("fernn", 2, 3, 2, 2, 2);
	one("grnn", 2, 4, 5, 0, 2);
	return tap_done();
}
