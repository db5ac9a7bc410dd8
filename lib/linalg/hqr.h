/*
 * hqr.h -- the eigenvalues of a small matrix: Householder reduction to
 * upper Hessenberg form and the implicit double-shift QR iteration
 * (Francis), without Schur vectors.
 */
#ifndef DK_LINALG_HQR_H
#define DK_LINALG_HQR_H

#include <stddef.h>

/*
 * The n eigenvalues of the upper Hessenberg matrix H (column-major with
 * leading dimension ld >= n, H(i, j) = h[i + j ld], as LAPACK's dgehrd
 * leaves it; what lies below the subdiagonal is ignored and zeroed) into
 * wr and wi (n each; a complex pair as two neighbours, the positive
 * imaginary part first), in no particular order.  Rows and columns
 * outside lo..hi (0-based, inclusive; 0 and n - 1 for the whole matrix)
 * must already be triangular, as dgebal's permutations leave them: their
 * diagonal entries are the eigenvalues there.  H is overwritten.
 * The result is what LAPACK's dhseqr ('E', 'N') computes, to rounding:
 * the same shifts, deflation criteria and exceptional shifts.  Returns
 * 0, or 1 when the iteration did not converge within 30 max(10, hi - lo
 * + 1) sweeps per eigenvalue (then wr, wi and H are of no use).
 */
int dk_linalg_hessenberg_eigenvalues(size_t n, double *h, size_t ld,
                                     size_t lo, size_t hi, double *wr,
                                     double *wi);

/*
 * The block lo..hi of the n x n H (column-major, leading dimension ld)
 * brought to upper Hessenberg form by Householder reflectors (as
 * LAPACK's dgehd2 does), for its eigenvalues alone: the reflectors are
 * applied within the block only, so the rest of H no longer goes with
 * it, and are not kept (zeros below the subdiagonal).  The block's
 * eigenvalues are H's when H is block triangular around it (dgebal's
 * permutations make it so).  work: hi - lo + 1 values.
 */
void dk_linalg_hessenberg_reduce(size_t n, double *h, size_t ld, size_t lo,
                                 size_t hi, double *work);

#endif
