/*
 * cpu.h -- which vector instruction sets this process may use, asked of
 * the CPU once (internal).
 *
 * Code compiled for AVX2 or AVX-512 beside a plain version picks one at
 * run time by these answers.  Where glibc says which features are active
 * (<sys/platform/x86.h>, glibc 2.33) the answers are its own: the CPU's
 * features as GLIBC_TUNABLES leaves them (glibc.cpu.hwcaps=-AVX512F
 * and the like), the same answers libmvec's entry points go by; elsewhere
 * they are the compiler's __builtin_cpu_supports.  Each is asked once and
 * kept; threads that race on the first call store the same value.  Off
 * x86-64 both are 0.
 */
#ifndef DK_BASE_CPU_H
#define DK_BASE_CPU_H

/* 1 if AVX2 and FMA may be used, else 0. */
int dk_cpu_has_avx2_fma(void);

/* 1 if AVX-512F may be used, else 0. */
int dk_cpu_has_avx512f(void);

#endif
