/*
 * test_dmft_asin.c -- the two-time multiregion theory's asin over rows
 * (lib/analysis/dmft/asin_row.c) against libm's asin: within 2 ulp on a
 * dense grid of [-1, 1] (every vector lane and the scalar tail), on both
 * sides of the switch at |x| = 1/2 where the two forms of the series
 * meet, near the ends |x| -> 1 where the root's branch works hardest
 * (1 - k 2^-53 and 1 - 2^-e), at +-1 exactly, at tiny and signed zero
 * arguments, and NaN through.  Where the CPU lacks AVX2 and FMA the row
 * is libm's own and the test passes trivially.
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
	return tap_done();
}
