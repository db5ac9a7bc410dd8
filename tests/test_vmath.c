/*
 * test_vmath.c -- exp, tanh, erf and atan2 over arrays against libm's: within
 * 4 ulp (libmvec's stated bound) on a sweep that covers every vector lane
 * and the scalar tail, the extremes (overflow, underflow, saturation),
 * NaN and the infinities, and in place; atan2 around the whole circle,
 * with the signed zeros that decide between pi and -pi.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "models/vmath.h"
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

#define N 2003 /* not a multiple of 4 or 8: the tail is exercised */

int main(void)
{
	static double x[N], y[N];
	for (size_t i = 0; i < N; i++) /* -40 .. 40, irregularly spaced */
		x[i] = -40 + 80 * (double)i / (N - 1) + 1e-3 * sin((double)i);
	double worst = 0;
	dk_vexp(x, y, N);
	for (size_t i = 0; i < N; i++)
		worst = fmax(worst, ulps(y[i], exp(x[i])));
	ok(worst <= 4, "exp over [-40, 40] within 4 ulp of libm's (worst %.2f)", worst);
	worst = 0;
	dk_vtanh(x, y, N);
	for (size_t i = 0; i < N; i++)
		worst = fmax(worst, ulps(y[i], tanh(x[i])));
	ok(worst <= 4, "tanh over [-40, 40] within 4 ulp of libm's (worst %.2f)", worst);

	double e[16] = {0, -0.0, 1e-300, -1e-300, 709.7, 710, -745.2, -746,
	                INFINITY, -INFINITY, NAN, 1e-8, -1e-8, 20, -20, 0.5};
	double got[16], in[16];
	dk_vexp(e, got, 16);
	int same = 1;
	for (int i = 0; i < 16; i++)
		same &= ulps(got[i], exp(e[i])) <= 4;
	ok(same, "exp at the extremes: overflow to inf, underflow to 0, NaN, inf");
	dk_vtanh(e, got, 16);
	same = 1;
	for (int i = 0; i < 16; i++)
		same &= ulps(got[i], tanh(e[i])) <= 4;
	ok(same, "tanh at the extremes: +-1, +-0, NaN, tiny arguments");
	for (int i = 0; i < 16; i++)
		in[i] = e[i];
	dk_vtanh(in, in, 16);
	same = 1;
	for (int i = 0; i < 16; i++)
		same &= ulps(in[i], got[i]) == 0;
	ok(same, "in place gives the same values");

	/* erf(c x), the erf networks' rate function (c = sqrt(pi) / 2), over
	   [-8, 8] (saturated beyond), the scaling the same product as libm's */
	const double c = sqrt(M_PI) / 2;
	for (size_t i = 0; i < N; i++)
		x[i] = x[i] / 5;
	dk_verf_scaled(c, x, y, N);
	worst = 0;
	for (size_t i = 0; i < N; i++)
		worst = fmax(worst, ulps(y[i], erf(c * x[i])));
	ok(worst <= 4, "erf over [-8, 8] within 4 ulp of libm's (worst %.2f)", worst);
	dk_verf_scaled(c, e, got, 16);
	same = 1;
	for (int i = 0; i < 16; i++)
		same &= ulps(got[i], erf(c * e[i])) <= 4 && signbit(got[i]) == signbit(erf(c * e[i]));
	ok(same, "erf at the extremes: +-1, +-0 with its sign, NaN, tiny arguments");
	for (int i = 0; i < 16; i++)
		in[i] = e[i];
	dk_verf_scaled(c, in, in, 16);
	same = 1;
	for (int i = 0; i < 16; i++)
		same &= ulps(in[i], got[i]) == 0;
	ok(same, "erf in place gives the same values");

	/* atan2 around the circle at radii from 1e-300 to 1e300 */
	static double py[N], px[N], pa[N];
	for (size_t i = 0; i < N; i++) {
		double th = -M_PI + 2 * M_PI * (double)i / (N - 1) + 1e-4 * sin((double)i);
		double r = pow(10, -300 + 600 * (double)(i % 61) / 60);
		py[i] = r * sin(th), px[i] = r * cos(th);
	}
	dk_vatan2(py, px, pa, N);
	worst = 0;
	for (size_t i = 0; i < N; i++)
		worst = fmax(worst, ulps(pa[i], atan2(py[i], px[i])));
	ok(worst <= 4, "atan2 around the circle within 4 ulp of libm's (worst %.2f)",
	   worst);
	double ey[16] = {0, -0.0, 0, -0.0, 1, -1, 1, -1, INFINITY, -INFINITY,
	                 NAN, 1, 1e-300, -1e-300, 5e-324, 1e300};
	double ex[16] = {-1, -1, 1, 1, 0, 0, -0.0, -0.0, 1, -INFINITY, 1, NAN,
	                 -1, -1, 1e300, 1e-300};
	dk_vatan2(ey, ex, got, 16);
	same = 1;
	for (int i = 0; i < 16; i++)
		same &= ulps(got[i], atan2(ey[i], ex[i])) <= 4 &&
		        signbit(got[i]) == signbit(atan2(ey[i], ex[i]));
	ok(same, "atan2 at the extremes: +-pi by the sign of a zero, +-pi/2, "
	   "infinities, NaN, the signs kept");
	y[0] = 12345;
	dk_vexp(x, y, 0);
	dk_vtanh(x, y, 0);
	dk_vatan2(x, x, y, 0);
	dk_verf_scaled(c, x, y, 0);
	ok(y[0] == 12345, "n = 0 writes nothing");
	return tap_done();
}
