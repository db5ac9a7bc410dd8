/*
 * test_dmft_asin.c -- the two-time multiregion theory's asin over rows
 * (lib/analysis/dmft/asin_row.c) against libm's asin: within 2 ulp on a
 * dense grid of [-1, 1] (every vector lane and the scalar tail), on both
 * sides of the switch at |x| = 1/2 where the two forms of the series
 * meet, near the ends |x| -> 1 where the root's branch works hardest
 * (1 - k 2^-53 and 1 - 2^-e), at +-1 exactly, at tiny and signed zero
 * arguments, and NaN through.  Where the CPU lacks AVX2 and FMA the row
 * is libm's own and the test passes trivially.  Then the two-time solve
 * that uses it, P = 1 to 6 regions, against its Euler scheme (the man
 * page's) written here plainly, over the whole two-time square, with
 * libm's asin.
 *
 * Why 2 ulp: the series itself is within 6e-17 relative of asin (about
 * half an ulp, from its fit at 50 digits), and each of its few roundings
 * (the root, the last sum, pi/2 - 2 p) adds at most half an ulp of a
 * term no larger than the result; a mistake in a coefficient or in the
 * blends shows as thousands of ulps.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/multiregion_dynamic.h"
#include "tap.h"

/* |a - b| in units of the last place of b (0 when both are NaN or equal). */
static double ulps(double a, double b)
{
	if (a == b || (isnan(a) && isnan(b)))
		return 0;
	if (!isfinite(a) || !isfinite(b))
		return INFINITY;
	double u = nextafter(fabs(b), INFINITY) - fabs(b);
	if (u == 0 || !isfinite(u))
		u = DBL_TRUE_MIN;
	return fabs(a - b) / u;
}

/*
 * The two-time theory to t = n dt by the scheme of dk-dmft(1), plainly:
 * D and G over the whole square (n + 1)^2 per region, U the identity,
 * libm's asin; Delta^mu(t_j, t_j) into delta ((n + 1) x P).
 */
static void plain_solve(const dk_dmft_dyn_result *r, double *delta)
{
	size_t P = r->P, n = r->steps, N = n + 1;
	double dt = r->options.dt, *S = r->S; /* the currents, as solved */
	double *D = calloc(P * N * N, sizeof *D), *G = calloc(P * N * N, sizeof *G);
	double *full = calloc(P * N * N, sizeof *full);
	if (!D || !G || !full)
		abort();
#define AT(A, mu, j, i) A[((mu) * N + (j)) * N + (i)]
	for (size_t j = 0; j <= n; j++) {
		for (size_t mu = 0; mu < P; mu++) {
			if (j == 0)
				AT(D, mu, 0, 0) = r->options.delta_init;
			for (size_t i = 0; j > 0 && i < j; i++)
				AT(D, mu, j, i) = (1 - dt) * AT(D, mu, j - 1, i) +
				                  dt * AT(G, mu, j - 1, i);
			if (j > 0)
				AT(D, mu, j, j) = (1 - dt) * AT(D, mu, j, j - 1) +
				                  dt * AT(G, mu, j - 1, j - 1);
			for (size_t i = 0; i <= j; i++) {
				double c = 0; /* sum_rho S^{mu rho}(t_j) S^{mu rho}(t_i) */
				for (size_t q = 0; q < P; q++)
					c += S[(j * P + mu) * P + q] * S[(i * P + mu) * P + q];
				AT(full, mu, j, i) = c + AT(D, mu, j, i);
			}
			delta[j * P + mu] = AT(full, mu, j, j);
			double g2 = r->options.gain[mu] * r->options.gain[mu];
			AT(G, mu, j, 0) = 0;
			for (size_t i = 1; i <= j; i++) {
				double ratio = AT(full, mu, j, i - 1) /
				               sqrt((AT(full, mu, j, j) + 2 / M_PI) *
				                    (AT(full, mu, i - 1, i - 1) + 2 / M_PI));
				double cphi = 2 / M_PI * asin(fmax(-1, fmin(1, ratio)));
				AT(G, mu, j, i) = (1 - dt) * AT(G, mu, j, i - 1) +
				                  dt * g2 * cphi;
			}
		}
	}
#undef AT
	free(D);
	free(G);
	free(full);
}

/* The worst distance of the row's asin from libm's over x[0..n). */
static double worst_of(const double *x, double *y, size_t n)
{
	dk_dmft_asin_row(x, y, n);
	double w = 0;
	for (size_t i = 0; i < n; i++)
		w = fmax(w, ulps(y[i], asin(x[i])));
	return w;
}

#define GRID 1000003 /* not a multiple of 4: the tail is exercised */
#define ENDS 4000

int main(void)
{
	double *x = malloc(GRID * sizeof *x), *y = malloc(GRID * sizeof *y);
	if (!x || !y)
		return 1;
	for (size_t i = 0; i < GRID; i++) /* -1 .. 1, irregularly spaced */
		x[i] = fmax(-1, fmin(1, -1 + 2 * (double)i / (GRID - 1) +
		                               1e-7 * sin((double)i)));
	double w = worst_of(x, y, GRID);
	ok(w <= 2, "asin over [-1, 1] within 2 ulp of libm's (worst %.2f)", w);

	/* both sides of 1/2, ulp by ulp */
	size_t n = 0;
	double lo = 0.5, hi = 0.5;
	for (int k = 0; k < 500; k++) {
		x[n++] = lo;
		x[n++] = -hi;
		lo = nextafter(lo, 0);
		hi = nextafter(hi, 1);
	}
	w = worst_of(x, y, n);
	ok(w <= 2, "asin at |x| = 1/2 and its neighbours within 2 ulp (worst %.2f)", w);

	/* the ends: the last ulps below 1 and 1 - 2^-e */
	n = 0;
	for (int k = 1; k <= ENDS / 2 - 60; k++) {
		x[n++] = 1 - k * DBL_EPSILON / 2;
		x[n++] = -(1 - k * DBL_EPSILON / 2);
	}
	for (int e = 1; e <= 53; e++)
		x[n++] = 1 - ldexp(1, -e);
	w = worst_of(x, y, n);
	ok(w <= 2, "asin as |x| -> 1 within 2 ulp (worst %.2f)", w);

	double e[9] = {1, -1, 0, -0.0, 1e-300, -1e-300, DBL_TRUE_MIN, 1e-8, NAN};
	double got[9];
	dk_dmft_asin_row(e, got, 9);
	int fine = 1;
	for (int i = 0; i < 9; i++)
		fine &= ulps(got[i], asin(e[i])) <= 2;
	ok(fine && got[0] == asin(1.0) && got[1] == -asin(1.0),
	   "asin(+-1) = +-pi/2 exactly, tiny arguments, NaN through");
	ok(signbit(got[3]) && !signbit(got[2]), "asin keeps the sign of zero");
	free(x);
	free(y);

	/* The solve against the plain scheme: they differ by the asin's
	   2 ulp and the order of sums, each about 1e-16 relative in a pair's
	   term, carried through 100 steps of a contracting recursion (the
	   factor 1 - dt): 1e-12 relative leaves room for that and none for
	   a pair taken at the wrong time, which moves Delta by 1e-3 or
	   more.  P from 1 to 6 goes through every grouping of the currents'
	   terms (4, 2 and the last). */
	for (size_t P = 1; P <= 6; P++) {
		double a[6] = {2, 1.5, 1.2, 1.8, 1.1, 1.4};
		double b[6] = {0.5, 0.4, 0.5, 0.6, 0.5, 0.3};
		double sg[6] = {1, -1, 1, 1, -1, 1};
		double gain[6] = {1.5, 1.2, 2, 0.8, 1.7, 1.1};
		dk_dmft_dyn_options o = dk_dmft_dyn_options_default();
		o.model.regions = P;
		o.model.a = a;
		o.model.b = b;
		o.model.signs = sg;
		o.gain = gain;
		o.t_max = 5;
		dk_dmft_dyn_result r;
		char err[256];
		if (dk_dmft_dyn_run(&o, &r, err, sizeof err)) {
			ok(0, "P = %zu: %s", P, err);
			continue;
		}
		double *delta = malloc((r.steps + 1) * P * sizeof *delta), worst = 0;
		if (!delta)
			return 1;
		plain_solve(&r, delta);
		for (size_t i = 0; i < (r.steps + 1) * P; i++)
			worst = fmax(worst, fabs(r.delta[i] - delta[i]) / fabs(delta[i]));
		ok(worst <= 1e-12, "P = %zu: Delta(t, t) as the plain scheme's "
		   "within 1e-12 (worst %.1e)", P, worst);
		free(delta);
		dk_dmft_dyn_result_clear(&r);
	}
	return tap_done();
}
