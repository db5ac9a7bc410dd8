/*
 * wconv.c -- the Wave-RNN's circular convolution (kernel size 3) and its
 * kernel gradient as direct loops: plain C, and for x86-64 the same
 * loops in AVX2 and AVX-512 registers (wconv_isa.h, included once for
 * each), chosen by what the CPU runs (see wconv.h).
 *
 * Single-threaded on the 2-core AMD EPYC of development (Zen 4), at
 * c = 27 channels of n = 100 units, the convolution runs at about 50
 * GFLOP/s in either set, the kernel gradient at 49 (AVX-512) and 35
 * (AVX2), where OpenBLAS 0.3.21 ran the same products (three c x c by
 * c x n a row; three c x n by n x c) at 50 and 41 with its AVX-512
 * kernels and 38 and 28 with its AVX2 ones: the speed no longer hangs on
 * which kernels the BLAS picks.
 */
#include <config.h>

#include <stddef.h>

#include "base/cpu.h"
#include "models/wconv.h"

/* Plain loops: the same order of additions as the vector code, without
   fused multiply-adds (which would be a slow libm call on a CPU without
   them). */
static void apply_plain(size_t c, size_t n, const double *W, const double *P,
                        size_t ldp, int accumulate, double *Y, size_t ldy)
{
	for (size_t k = 0; k < c; k++) {
		double *y = Y + k * ldy;
		if (!accumulate)
			for (size_t i = 0; i < n; i++)
				y[i] = 0;
		for (size_t j = 0; j < c; j++)
			for (size_t d = 0; d < 3; d++) {
				double w = W[(k * c + j) * 3 + d];
				const double *p = P + j * ldp + d;
				for (size_t i = 0; i < n; i++)
					y[i] += w * p[i];
			}
	}
}

static void kernel_grad_plain(size_t c, size_t L, const double *G, size_t ldg,
                              const double *P, size_t ldp, double *gW)
{
	for (size_t k = 0; k < c; k++)
		for (size_t j = 0; j < c; j++)
			for (size_t d = 0; d < 3; d++) {
				const double *g = G + k * ldg, *p = P + j * ldp + d;
				double s = 0;
				for (size_t t = 0; t < L; t++)
					s += g[t] * p[t];
				gW[(k * c + j) * 3 + d] += s;
			}
}

/* GCC's #pragma GCC target compiles the vector code (other compilers:
   the plain loops) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_WCONV_VECTOR 1
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")
static inline double hsum_avx2(__m256d v)
{
	__m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
	return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
#define WC_SUFFIX avx2
#define WC_LANES 4
#define WC_V __m256d
#define WC_M __m256i
#define WC_LOAD(p) _mm256_loadu_pd(p)
#define WC_LOADM(p, m) _mm256_maskload_pd((p), (m))
#define WC_STORE(p, v) _mm256_storeu_pd((p), (v))
#define WC_STOREM(p, m, v) _mm256_maskstore_pd((p), (m), (v))
#define WC_FMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define WC_SET1(x) _mm256_set1_pd(x)
#define WC_ZERO() _mm256_setzero_pd()
#define WC_MASK(r) _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_setr_epi64x(0, 1, 2, 3))
#define WC_HSUM(v) hsum_avx2(v)
/* 16 registers: 12 sums, 2 loads and a weight; 12 sums, 2 loads and one */
#define WC_KB 6
#define WC_NV 2
#define WC_GK 2
#define WC_GJ 2
#include "models/wconv_isa.h"
#undef WC_SUFFIX
#undef WC_LANES
#undef WC_V
#undef WC_M
#undef WC_LOAD
#undef WC_LOADM
#undef WC_STORE
#undef WC_STOREM
#undef WC_FMA
#undef WC_SET1
#undef WC_ZERO
#undef WC_MASK
#undef WC_HSUM
#undef WC_KB
#undef WC_NV
#undef WC_GK
#undef WC_GJ
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f")
#define WC_SUFFIX avx512
#define WC_LANES 8
#define WC_V __m512d
#define WC_M __mmask8
#define WC_LOAD(p) _mm512_loadu_pd(p)
#define WC_LOADM(p, m) _mm512_maskz_loadu_pd((m), (p))
#define WC_STORE(p, v) _mm512_storeu_pd((p), (v))
#define WC_STOREM(p, m, v) _mm512_mask_storeu_pd((p), (m), (v))
#define WC_FMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#define WC_SET1(x) _mm512_set1_pd(x)
#define WC_ZERO() _mm512_setzero_pd()
#define WC_MASK(r) ((__mmask8)((1u << (r)) - 1))
#define WC_HSUM(v) _mm512_reduce_add_pd(v)
/* 32 registers: 24 sums, 3 loads and a weight; 24 sums, 4 loads and one */
#define WC_KB 8
#define WC_NV 3
#define WC_GK 4
#define WC_GJ 2
#include "models/wconv_isa.h"
#undef WC_SUFFIX
#undef WC_LANES
#undef WC_V
#undef WC_M
#undef WC_LOAD
#undef WC_LOADM
#undef WC_STORE
#undef WC_STOREM
#undef WC_FMA
#undef WC_SET1
#undef WC_ZERO
#undef WC_MASK
#undef WC_HSUM
#undef WC_KB
#undef WC_NV
#undef WC_GK
#undef WC_GJ
#pragma GCC pop_options

static int active(dk_wconv_isa isa)
{
	return isa == DK_WCONV_AVX512 ? dk_cpu_has_avx512f() : dk_cpu_has_avx2_fma();
}
#else
static int active(dk_wconv_isa isa)
{
	(void)isa;
	return 0;
}
#endif

int dk_wconv_isa_usable(dk_wconv_isa isa)
{
	return isa == DK_WCONV_PLAIN || ((isa == DK_WCONV_AVX2 || isa == DK_WCONV_AVX512) &&
	                                 active(isa));
}

dk_wconv_isa dk_wconv_isa_best(void)
{
	return active(DK_WCONV_AVX512) ? DK_WCONV_AVX512
	       : active(DK_WCONV_AVX2) ? DK_WCONV_AVX2 : DK_WCONV_PLAIN;
}

void dk_wconv_apply(dk_wconv_isa isa, size_t c, size_t n, const double *W,
                    const double *P, size_t ldp, int accumulate, double *Y,
                    size_t ldy)
{
	switch (isa) {
#ifdef HAVE_WCONV_VECTOR
	case DK_WCONV_AVX512: apply_avx512(c, n, W, P, ldp, accumulate, Y, ldy); break;
	case DK_WCONV_AVX2: apply_avx2(c, n, W, P, ldp, accumulate, Y, ldy); break;
#endif
	default: apply_plain(c, n, W, P, ldp, accumulate, Y, ldy); break;
	}
}

void dk_wconv_kernel_grad(dk_wconv_isa isa, size_t c, size_t L,
                          const double *G, size_t ldg, const double *P,
                          size_t ldp, double *gW)
{
	switch (isa) {
#ifdef HAVE_WCONV_VECTOR
	case DK_WCONV_AVX512: kernel_grad_avx512(c, L, G, ldg, P, ldp, gW); break;
	case DK_WCONV_AVX2: kernel_grad_avx2(c, L, G, ldg, P, ldp, gW); break;
#endif
	default: kernel_grad_plain(c, L, G, ldg, P, ldp, gW); break;
	}
}
