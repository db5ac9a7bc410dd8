/*
 * cpu.c -- the CPU's vector instruction sets, asked once (see cpu.h).
 */
#include <config.h>

#include "base/cpu.h"

#if defined(__x86_64__) && defined(__GNUC__)
#if defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h> /* glibc 2.33: features as the tunables leave them */
#define HAVE_CPU_FEATURE_ACTIVE 1
#endif
#endif

enum { AVX2_FMA = 1, AVX512F = 2 };

/* the features above as a mask */
static int ask(void)
{
#ifdef HAVE_CPU_FEATURE_ACTIVE
	return (CPU_FEATURE_ACTIVE(AVX2) && CPU_FEATURE_ACTIVE(FMA) ? AVX2_FMA : 0) |
	       (CPU_FEATURE_ACTIVE(AVX512F) ? AVX512F : 0);
#else
	return (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
	        ? AVX2_FMA : 0) |
	       (__builtin_cpu_supports("avx512f") ? AVX512F : 0);
#endif
}

/* the mask, asked once; cached + 1 so that 0 means not yet asked */
static int features(void)
{
	static int cached;
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (!v) { /* threads that race here store the same value */
		v = 1 + ask();
		__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	}
	return v - 1;
}

int dk_cpu_has_avx2_fma(void)
{
	return (features() & AVX2_FMA) != 0;
}

int dk_cpu_has_avx512f(void)
{
	return (features() & AVX512F) != 0;
}
#else
int dk_cpu_has_avx2_fma(void)
{
	return 0;
}

int dk_cpu_has_avx512f(void)
{
	return 0;
}
#endif
