/*
 * vmath.c -- exp, tanh, erf and atan2 over arrays through libmvec where
 * there is one (see vmath.h), and the relu's mask in vector registers.
 *
 * libmvec's entry points follow the x86-64 vector function ABI: _ZGVdN4v_
 * takes and returns 4 doubles in an AVX2 register, _ZGVeN8v_ 8 in an
 * AVX-512 one.  They are declared here (glibc ships no header for them)
 * and called only from functions compiled for that instruction set,
 * after the CPU has been asked whether it has it.
 */
#include <config.h>

#include <math.h>

#include "base/cpu.h"
#include "models/vmath.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* 8 with AVX-512, 4 with AVX2 (and FMA, which libmvec's AVX2 entry
   points use), else 1. */
static int width(void)
{
	return dk_cpu_has_avx512f() ? 8 : dk_cpu_has_avx2_fma() ? 4 : 1;
}

/* y = v where a > 0, else +0, WIDTH at a time; each vector read whole
   before it is written, so y may be a or v. */
__attribute__((target("avx512f")))
static size_t relu_mask8(const double *a, const double *v, double *y, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		__mmask8 on = _mm512_cmp_pd_mask(_mm512_loadu_pd(a + i), _mm512_setzero_pd(),
		                                 _CMP_GT_OQ);
		_mm512_storeu_pd(y + i, _mm512_maskz_mov_pd(on, _mm512_loadu_pd(v + i)));
	}
	return i;
}

__attribute__((target("avx2")))
static size_t relu_mask4(const double *a, const double *v, double *y, size_t n)
{
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		__m256d on = _mm256_cmp_pd(_mm256_loadu_pd(a + i), _mm256_setzero_pd(), _CMP_GT_OQ);
		_mm256_storeu_pd(y + i, _mm256_and_pd(on, _mm256_loadu_pd(v + i)));
	}
	return i;
}

size_t dk_vrelu_mask(const double *a, const double *v, double *y, size_t n)
{
	int w = width();
	return w == 8 ? relu_mask8(a, v, y, n) : w == 4 ? relu_mask4(a, v, y, n) : 0;
}
#else
static int __attribute__((unused)) width(void)
{
	return 1;
}

size_t dk_vrelu_mask(const double *a, const double *v, double *y, size_t n)
{
	(void)a, (void)v, (void)y, (void)n;
	return 0;
}
#endif

#if defined(HAVE_LIBMVEC) && defined(__x86_64__)

__attribute__((target("avx512f"))) __m512d _ZGVeN8v_exp(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_tanh(__m512d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_exp(__m256d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_tanh(__m256d);

/*
 * NAME(x, y, n) applies FN to the leading values of x, WIDTH at a time,
 * and returns how many it did (a multiple of WIDTH); compiled for ISA.
 */
#define VECTOR_LOOP(name, isa, width, load, store, fn)                    \
	__attribute__((target(isa)))                                       \
	static size_t name(const double *x, double *y, size_t n)           \
	{                                                                  \
		size_t i = 0;                                              \
		for (; i + (width) <= n; i += (width))                     \
			store(y + i, fn(load(x + i)));                     \
		return i;                                                  \
	}
VECTOR_LOOP(exp8, "avx512f", 8, _mm512_loadu_pd, _mm512_storeu_pd, _ZGVeN8v_exp)
VECTOR_LOOP(tanh8, "avx512f", 8, _mm512_loadu_pd, _mm512_storeu_pd, _ZGVeN8v_tanh)
VECTOR_LOOP(exp4, "avx2", 4, _mm256_loadu_pd, _mm256_storeu_pd, _ZGVdN4v_exp)
VECTOR_LOOP(tanh4, "avx2", 4, _mm256_loadu_pd, _mm256_storeu_pd, _ZGVdN4v_tanh)

static size_t vector_exp(const double *x, double *y, size_t n)
{
	int w = width();
	return w == 8 ? exp8(x, y, n) : w == 4 ? exp4(x, y, n) : 0;
}

static size_t vector_tanh(const double *x, double *y, size_t n)
{
	int w = width();
	return w == 8 ? tanh8(x, y, n) : w == 4 ? tanh4(x, y, n) : 0;
}
#else
static size_t vector_exp(const double *x, double *y, size_t n)
{
	(void)x, (void)y, (void)n;
	return 0;
}

static size_t vector_tanh(const double *x, double *y, size_t n)
{
	(void)x, (void)y, (void)n;
	return 0;
}
#endif

void dk_vexp(const double *x, double *y, size_t n)
{
	for (size_t i = vector_exp(x, y, n); i < n; i++)
		y[i] = exp(x[i]);
}

void dk_vtanh(const double *x, double *y, size_t n)
{
	for (size_t i = vector_tanh(x, y, n); i < n; i++)
		y[i] = tanh(x[i]);
}

#if defined(HAVE_LIBMVEC) && defined(HAVE_LIBMVEC_ATAN2) && defined(__x86_64__)
__attribute__((target("avx512f"))) __m512d _ZGVeN8vv_atan2(__m512d, __m512d);
__attribute__((target("avx2"))) __m256d _ZGVdN4vv_atan2(__m256d, __m256d);

#define VECTOR_LOOP2(name, isa, width, load, store, fn)                   \
	__attribute__((target(isa)))                                       \
	static size_t name(const double *y, const double *x, double *a,    \
	                   size_t n)                                       \
	{                                                                  \
		size_t i = 0;                                              \
		for (; i + (width) <= n; i += (width))                     \
			store(a + i, fn(load(y + i), load(x + i)));        \
		return i;                                                  \
	}
VECTOR_LOOP2(atan2_8, "avx512f", 8, _mm512_loadu_pd, _mm512_storeu_pd, _ZGVeN8vv_atan2)
VECTOR_LOOP2(atan2_4, "avx2", 4, _mm256_loadu_pd, _mm256_storeu_pd, _ZGVdN4vv_atan2)

static size_t vector_atan2(const double *y, const double *x, double *a,
                           size_t n)
{
	int w = width();
	return w == 8 ? atan2_8(y, x, a, n) : w == 4 ? atan2_4(y, x, a, n) : 0;
}
#else
static size_t vector_atan2(const double *y, const double *x, double *a,
                           size_t n)
{
	(void)y, (void)x, (void)a, (void)n;
	return 0;
}
#endif

#if defined(HAVE_LIBMVEC) && defined(HAVE_LIBMVEC_ERF) && defined(__x86_64__)
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_erf(__m512d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_erf(__m256d);

/* The scaling in the same register as the call: no second pass. */
__attribute__((target("avx512f")))
static size_t erf8(double c, const double *x, double *y, size_t n)
{
	__m512d vc = _mm512_set1_pd(c);
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		_mm512_storeu_pd(y + i, _ZGVeN8v_erf(_mm512_mul_pd(vc, _mm512_loadu_pd(x + i))));
	return i;
}

__attribute__((target("avx2")))
static size_t erf4(double c, const double *x, double *y, size_t n)
{
	__m256d vc = _mm256_set1_pd(c);
	size_t i = 0;
	for (; i + 4 <= n; i += 4)
		_mm256_storeu_pd(y + i, _ZGVdN4v_erf(_mm256_mul_pd(vc, _mm256_loadu_pd(x + i))));
	return i;
}

static size_t vector_erf(double c, const double *x, double *y, size_t n)
{
	int w = width();
	return w == 8 ? erf8(c, x, y, n) : w == 4 ? erf4(c, x, y, n) : 0;
}
#else
static size_t vector_erf(double c, const double *x, double *y, size_t n)
{
	(void)c, (void)x, (void)y, (void)n;
	return 0;
}
#endif

void dk_verf_scaled(double c, const double *x, double *y, size_t n)
{
	for (size_t i = vector_erf(c, x, y, n); i < n; i++)
		y[i] = erf(c * x[i]);
}

void dk_vatan2(const double *y, const double *x, double *a, size_t n)
{
	for (size_t i = vector_atan2(y, x, a, n); i < n; i++)
		a[i] = atan2(y[i], x[i]);
}
