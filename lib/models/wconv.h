/*
 * wconv.h -- the Wave-RNN's circular convolution over rings of units,
 * kernel size 3, as direct loops in vector registers.
 *
 * The wrnn's convolution is c x c x 3 multiply-adds per unit: too small
 * a product for the BLAS's packed kernels, and in their small-matrix
 * kernels its speed depended on which kernels the BLAS picked for the
 * CPU.  Here each output value is one chain of fused multiply-adds over
 * (input channel, tap) in that order, the vector lanes running along the
 * ring, the output channels of a tile sharing every load of the state:
 * so a value's bits do not depend on the vector width, the tile or the
 * thread that computes it.  The kernel gradient sums along the rings
 * (a dot product per weight); its lanes are added at the end of each
 * call, so its last bits follow the vector width.
 *
 * The code is chosen once, by what the CPU offers and the C library
 * reports active (glibc's GLIBC_TUNABLES can hide AVX-512 or AVX2, to
 * run here what another machine runs): AVX-512, AVX2 with FMA, or plain
 * loops (unfused multiply and add).
 */
#ifndef DK_MODELS_WCONV_H
#define DK_MODELS_WCONV_H

#include <stddef.h>

/* The instruction sets of the loops. */
typedef enum {
	DK_WCONV_PLAIN = 0,
	DK_WCONV_AVX2 = 1,
	DK_WCONV_AVX512 = 2,
} dk_wconv_isa;

/* The widest set this CPU runs (asked once). */
dk_wconv_isa dk_wconv_isa_best(void);
/* Whether this CPU runs isa. */
int dk_wconv_isa_usable(dk_wconv_isa isa);

/*
 * Y[k][i] = (accumulate ? Y[k][i] : 0)
 *           + sum_{j < c} sum_{d < 3} W[(k c + j) 3 + d] P[j][i + d]
 * for k < c, i < n: P's rows (stride ldp, n + 2 values read) are the
 * padded rings, P[j][m] = h[j][(m - 1) mod n]; Y's rows have stride ldy.
 * Y must not overlap P or W.  isa must be usable.
 */
void dk_wconv_apply(dk_wconv_isa isa, size_t c, size_t n, const double *W,
                    const double *P, size_t ldp, int accumulate, double *Y,
                    size_t ldy);

/*
 * gW[(k c + j) 3 + d] += sum_{t < L} G[k][t] P[j][t + d] for k, j < c,
 * d < 3: G's rows have stride ldg, P's stride ldp (L + 2 values read).
 * isa must be usable.
 */
void dk_wconv_kernel_grad(dk_wconv_isa isa, size_t c, size_t L,
                          const double *G, size_t ldg, const double *P,
                          size_t ldp, double *gW);

#endif
