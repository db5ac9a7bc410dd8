/*
 * test_equiv_fshift.c -- the shift of rings and sheets by a real amount
 * through the FFT (analysis/equiv_fshift.h) against values known
 * another way: a sum of a few Fourier modes (no Nyquist part) shifted by
 * a fraction, from the closed form cos(k w (i - s) + phi); whole shifts
 * of arbitrary states (with their Nyquist parts) against an index roll
 * written here, as np.roll does it; the Nyquist mode's convention; and
 * out = in.
 *
 * Tolerances: the values are of order 1 (a few modes of amplitude at
 * most 1), and a transform pair on at most 64 points loses a few ulps
 * times log2 of the size per value (here under 1e-15); 1e-13 leaves a
 * factor of 100 over that and is far below any wrong phase (a shift off
 * by 1e-6 of a unit already moves a mode by ~1e-7).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "analysis/equiv_fshift.h"
#include "tap.h"

#define TOL 1e-13

/* A band-limited plane of H x W: modes (ky, kx) with |ky| < H / 2 and
   |kx| < W / 2, each amplitude and phase fixed here, shifted by (sx,
   sy): the closed form. */
static void modes(size_t H, size_t W, double sx, double sy, double *out)
{
	static const int ky[4] = {0, 1, -1, 2}, kx[4] = {1, 0, 2, -3};
	static const double amp[4] = {0.9, -0.4, 0.7, 0.25}, ph[4] = {0.3, 1.1, -2, 0.5};
	for (size_t r = 0; r < H; r++)
		for (size_t c = 0; c < W; c++) {
			double v = 0.2;  /* and the mean */
			for (int m = 0; m < 4; m++) {
				int y = H == 1 ? 0 : ky[m];
				if (2 * abs(y) >= (int)H && H > 1)
					continue;
				if (2 * abs(kx[m]) >= (int)W)
					continue;
				v += amp[m] * cos(2 * M_PI * y * ((double)r - sy) / (double)H +
				                  2 * M_PI * kx[m] * ((double)c - sx) / (double)W +
				                  ph[m]);
			}
			out[r * W + c] = v;
		}
}

static double max_diff(size_t n, const double *a, const double *b)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmax(m, fabs(a[i] - b[i]));
	return m;
}

/* np.roll by whole (sx, sy): out[r][c] = in[(r - sy) mod H][(c - sx) mod W]. */
static void roll(size_t H, size_t W, long sx, long sy, const double *in,
                 double *out)
{
	long h = (long)H, w = (long)W;
	for (long r = 0; r < h; r++)
		for (long c = 0; c < w; c++)
			out[r * w + c] = in[(((r - sy) % h + h) % h) * w + ((c - sx) % w + w) % w];
}

static void fractional(size_t H, size_t W)
{
	static const double s[][2] = {{0.37, -1.25}, {-2.71, 0.5}, {17.3, 3.9},
	                              {40.125, -0.001}};
	dk_equiv_fshift *f = dk_equiv_fshift_alloc(H, W);
	double *x = malloc(2 * H * W * sizeof *x), *want = malloc(2 * H * W * sizeof *want);
	double *got = malloc(2 * H * W * sizeof *got);
	if (!ok(f && x && want && got, "%zu x %zu: allocated", H, W))
		goto done;
	for (size_t k = 0; k < sizeof s / sizeof *s; k++) {
		double sy = H == 1 ? 0 : s[k][1];
		/* two planes: the modes, and their negatives */
		modes(H, W, 0, 0, x);
		modes(H, W, s[k][0], sy, want);
		for (size_t i = 0; i < H * W; i++)
			x[H * W + i] = -x[i], want[H * W + i] = -want[i];
		dk_equiv_fshift_apply(f, 2, s[k][0], s[k][1], x, got);
		double d = max_diff(2 * H * W, got, want);
		ok(d <= TOL, "%zu x %zu: a sum of modes shifted by (%g, %g) is the closed "
		   "form's (largest difference %.2g)", H, W, s[k][0], sy, d);
	}
	/* in place, and the inverse shift brings it back */
	modes(H, W, 0, 0, x);
	modes(H, W, 0, 0, want);
	dk_equiv_fshift_apply(f, 1, 0.3, -0.7, x, x);
	dk_equiv_fshift_apply(f, 1, -0.3, 0.7, x, x);
	ok(max_diff(H * W, x, want) <= TOL, "%zu x %zu: in place, T_-s T_s x = x "
	   "for a band-limited x", H, W);
done:
	dk_equiv_fshift_free(f);
	free(x), free(want), free(got);
}

/* Whole shifts of states with every mode (random values) against the
   roll: the FFT's path is the permutation's to round-off. */
static void whole(size_t H, size_t W)
{
	static const long s[][2] = {{1, 0}, {-3, 2}, {7, -5}, {0, 1}};
	dk_equiv_fshift *f = dk_equiv_fshift_alloc(H, W);
	double *x = malloc(H * W * sizeof *x), *want = malloc(H * W * sizeof *want);
	double *got = malloc(H * W * sizeof *got);
	if (!ok(f && x && want && got, "%zu x %zu: allocated", H, W))
		goto done;
	srand(5);
	for (size_t i = 0; i < H * W; i++)
		x[i] = 2.0 * rand() / RAND_MAX - 1;
	double worst = 0;
	for (size_t k = 0; k < sizeof s / sizeof *s; k++) {
		long sy = H == 1 ? 0 : s[k][1];
		roll(H, W, s[k][0], sy, x, want);
		dk_equiv_fshift_apply(f, 1, (double)s[k][0], (double)sy, x, got);
		worst = fmax(worst, max_diff(H * W, got, want));
	}
	ok(worst <= TOL, "%zu x %zu: whole shifts through the FFT are the roll's "
	   "(largest difference %.2g)", H, W, worst);
done:
	dk_equiv_fshift_free(f);
	free(x), free(want), free(got);
}

/* The Nyquist mode (-1)^i of an even ring: times cos(pi s). */
static void nyquist(void)
{
	enum { L = 8 };
	dk_equiv_fshift *f = dk_equiv_fshift_alloc(1, L);
	double x[L], got[L], d = 0;
	for (size_t i = 0; i < L; i++)
		x[i] = i % 2 ? -1 : 1;
	if (!ok(f != NULL, "Nyquist: allocated"))
		return;
	dk_equiv_fshift_apply(f, 1, 0.25, 0, x, got);
	for (size_t i = 0; i < L; i++)
		d = fmax(d, fabs(got[i] - cos(M_PI / 4) * x[i]));
	ok(d <= TOL, "Nyquist: (-1)^i shifted by 1/4 is cos(pi / 4) (-1)^i (%.2g)", d);
	dk_equiv_fshift_apply(f, 1, 0.5, 0, x, got);
	d = 0;
	for (size_t i = 0; i < L; i++)
		d = fmax(d, fabs(got[i]));
	ok(d <= TOL, "Nyquist: shifted by 1/2 it vanishes (%.2g)", d);
	dk_equiv_fshift_free(f);
}

int main(void)
{
	ok(dk_equiv_fshift_alloc(0, 4) == NULL, "a side of 0 refused");
	fractional(1, 12);
	fractional(1, 13);
	fractional(6, 7);
	fractional(5, 8);
	whole(1, 12);
	whole(1, 9);
	whole(6, 8);
	whole(5, 7);
	nyquist();
	return tap_done();
}
