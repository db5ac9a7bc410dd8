/*
 * pca.h -- principal components of a cloud of states, and projections
 * onto them: the plane dk-plot draws fixed points and trajectories in.
 *
 * The components are the top eigenvectors of the sample covariance
 * (divided by rows - 1), found by LAPACK's dsyevr on the n x n matrix a
 * rank-k update (dsyrk) builds from the centred rows: one pass over the
 * data, memory n^2 whatever the number of rows.  Signs are fixed so that
 * each component's entry of largest magnitude is positive, which makes
 * the result deterministic.
 */
#ifndef DK_ANALYSIS_PCA_H
#define DK_ANALYSIS_PCA_H

#include <stddef.h>

typedef struct dk_pca {
	size_t n, k;          /* state size, components kept */
	double *mean;         /* n: the rows' mean (owned) */
	double *components;   /* k x n, row-major, orthonormal rows (owned) */
	double *variance;     /* k: variance along each, decreasing (owned) */
	double total;         /* the total variance (trace of the covariance) */
} dk_pca;

/*
 * The k leading components of the rows x n matrix X (row-major), rows >=
 * 2, 1 <= k <= n.  On success *out is new (dk_pca_free).  DK_EINVAL with
 * a message for bad sizes or values that are not finite; DK_ENUMERIC when
 * the eigensolver fails; DK_ENOMEM.
 */
int dk_pca_fit(const double *X, size_t rows, size_t n, size_t k, dk_pca **out,
               char *err, size_t errlen);
void dk_pca_free(dk_pca *p);

/* Y (rows x k) = (X - mean) components^T for the rows x n matrix X. */
void dk_pca_project(const dk_pca *p, const double *X, size_t rows, double *Y);

#endif
