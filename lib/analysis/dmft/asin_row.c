/*
 * asin_row.c -- asin over a row of arguments in [-1, 1], four at a time
 * with AVX2 and FMA where the CPU has them (libm's asin, one at a time,
 * where it does not): the two-time multiregion theory takes one asin per
 * pair of times, 10^7 in a run, and libm's costs more than the rest of
 * the pair's work together.
 *
 * The method: for |x| <= 1/2, asin(x) = x + x^3 R(x^2); above it,
 * asin(x) = pi/2 - 2 asin(s) with s = sqrt((1 - |x|) / 2) <= 1/2, the
 * same series in z = s^2 (1 - |x| is exact there).  So one polynomial R
 * of degree 11 on z in [0, 1/4] serves both, chosen by blends, never by
 * a branch.  R's coefficients interpolate (asin(sqrt z) - sqrt z) /
 * z^{3/2} at the 12 Chebyshev points of [0, 1/4], solved at 50 digits
 * and rounded to doubles: the series so cut off is within 6e-17 of asin,
 * relative, over the whole interval; the rounding of the evaluation adds
 * about one ulp (tests/test_dmft_asin.c measures it against libm).
 */
#include <config.h>

#include <math.h>

#include "analysis/dmft/dmft_impl.h"
#include "base/cpu.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* R(z), constant term first. */
static const double series[12] = {
	0.1666666666666665,    0.07500000000020764,  0.044642857103423646,
	0.03038194736709848,   0.02237204763174451,  0.017355259955786323,
	0.013929652902326633,  0.011875494382636922, 0.0078029494773533175,
	0.01603551434914882,   -0.010749050339697808, 0.028169218060881414,
};

/* pi/2 as the double nearest it and the rest. */
#define HALF_PI_HI 1.5707963267948966
#define HALF_PI_LO 6.123233995736766e-17

/* asin of x[0..n) into y, four at a time; returns how many it did. */
__attribute__((target("avx2,fma")))
static size_t asin4(const double *x, double *y, size_t n)
{
	const __m256d sign = _mm256_set1_pd(-0.0), half = _mm256_set1_pd(0.5);
	const __m256d one = _mm256_set1_pd(1);
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		__m256d v = _mm256_loadu_pd(x + i);
		__m256d a = _mm256_andnot_pd(sign, v);
		__m256d big = _mm256_cmp_pd(a, half, _CMP_GT_OQ);
		__m256d zbig = _mm256_mul_pd(half, _mm256_sub_pd(one, a));
		__m256d z = _mm256_blendv_pd(_mm256_mul_pd(a, a), zbig, big);
		__m256d root = _mm256_sqrt_pd(zbig);
		__m256d s = _mm256_blendv_pd(a, root, big);
		__m256d r = _mm256_set1_pd(series[11]);
		for (int k = 10; k >= 0; k--)
			r = _mm256_fmadd_pd(r, z, _mm256_set1_pd(series[k]));
		__m256d tail = _mm256_mul_pd(_mm256_mul_pd(s, z), r);
		__m256d p = _mm256_add_pd(s, tail);
		__m256d e = _mm256_div_pd(_mm256_fnmadd_pd(root, root, zbig),
		                          _mm256_max_pd(_mm256_add_pd(root, root),
		                                        _mm256_set1_pd(0x1p-100)));
		__m256d lo = _mm256_add_pd(e, tail);
		__m256d q = _mm256_sub_pd(
			_mm256_sub_pd(_mm256_set1_pd(HALF_PI_HI), _mm256_add_pd(root, root)),
			_mm256_sub_pd(_mm256_add_pd(lo, lo), _mm256_set1_pd(HALF_PI_LO)));
		__m256d w = _mm256_blendv_pd(p, q, big);
		_mm256_storeu_pd(y + i, _mm256_or_pd(w, _mm256_and_pd(sign, v)));
	}
	return i;
}

static size_t vector_asin(const double *x, double *y, size_t n)
{
	return dk_cpu_has_avx2_fma() ? asin4(x, y, n) : 0;
}
#else
static size_t vector_asin(const double *x, double *y, size_t n)
{
	(void)x, (void)y, (void)n;
	return 0;
}
#endif

void dk_dmft_asin_row(const double *x, double *y, size_t n)
{
	for (size_t i = vector_asin(x, y, n); i < n; i++)
		y[i] = asin(x[i]);
}
