/*
 * lyap_rows.h -- the level-3 work of a Cholesky QR of an n x k basis over
 * fixed blocks of its rows, shared among a team of threads.
 *
 * OpenBLAS runs the Gram matrix (dsyrk) and the product with a triangular
 * factor (dtrmm, dtrsm) of a 512 x 64 basis on one thread, so with two
 * threads they weigh twice as much against the tangent product, which
 * uses both.  Here the rows are cut into a number of blocks fixed by n
 * alone (never by the number of threads): the Gram matrix is the sum of
 * the blocks' Gram matrices, each in its own buffer, added in block order
 * by the caller; the triangular products act on each block's rows
 * independently.  Which thread does a block does not change its work,
 * so the results are the same bits for any number of threads, provided
 * OpenBLAS itself runs on one thread meanwhile (dk_lyap_rows_blas_alone):
 * its Cholesky factor of even a 64 x 64 matrix and its QR take other
 * paths, with other roundings, on more threads, and two triangular
 * products called at once from the team's threads would queue for the
 * same OpenBLAS threads.  The team
 * (base/team.h) has as many threads as OpenBLAS uses and exists only
 * when that is more than one and the basis is large enough to pay for
 * waking a helper.
 */
#ifndef DK_ANALYSIS_LYAP_ROWS_H
#define DK_ANALYSIS_LYAP_ROWS_H

#include <stddef.h>

typedef struct dk_lyap_rows dk_lyap_rows;

/* For a column-major n x k basis (leading dimension n); NULL when out
   of memory. */
dk_lyap_rows *dk_lyap_rows_alloc(size_t n, size_t k);
void dk_lyap_rows_free(dk_lyap_rows *r);

/* OpenBLAS on one thread, for a QR on the team's threads: returns
   the number of threads it had, for dk_lyap_rows_blas_shared to set back
   (which does nothing for one). */
int dk_lyap_rows_blas_alone(void);
void dk_lyap_rows_blas_shared(int threads);

/* The number of row blocks (a function of n alone). */
size_t dk_lyap_rows_blocks(const dk_lyap_rows *r);

/* The upper triangle of G (k x k, column-major) <- Q^T Q. */
void dk_lyap_rows_gram(dk_lyap_rows *r, const double *Q, double *G);

/* Q <- Q T with T upper triangular (k x k, column-major), or with solve
   Q <- Q T^-1. */
void dk_lyap_rows_times_upper(dk_lyap_rows *r, const double *T, int solve, double *Q);

#endif
