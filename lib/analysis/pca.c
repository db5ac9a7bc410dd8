/*
 * pca.c -- principal components by the eigenvectors of the covariance
 * (see pca.h).
 *
 * The covariance route suits the clouds dk-plot sees: many states (time
 * x batch) of a moderate state size, where an SVD of the centred data
 * would cost rows n^2 as well and hold rows x n.  The eigensolver runs
 * column-major on the symmetric matrix, which is its own transpose: the
 * row-major LAPACKE entry would only copy it.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "analysis/pca.h"
#include "base/status.h"

void dk_pca_free(dk_pca *p)
{
	if (!p)
		return;
	free(p->mean);
	free(p->components);
	free(p->variance);
	free(p);
}

int dk_pca_fit(const double *X, size_t rows, size_t n, size_t k, dk_pca **out,
               char *err, size_t errlen)
{
	*out = NULL;
	if (rows < 2)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "principal components need at least 2 states, not %zu", rows);
	if (k < 1 || k > n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "components must be 1 to %zu (the state size), not %zu", n, k);
	if (n > 46340 || rows > (size_t)INT32_MAX)
		return dk_errorf(DK_EINVAL, err, errlen, "%zu states of %zu are too many for LAPACK",
		                 rows, n);
	for (size_t i = 0; i < rows * n; i++)
		if (!isfinite(X[i]))
			return dk_errorf(DK_EINVAL, err, errlen, "state %zu is not finite", i / n);
	dk_pca *p = calloc(1, sizeof *p);
	double *C = malloc(n * n * sizeof *C), *Xc = malloc(n * 256 * sizeof *Xc);
	double *w = malloc(n * sizeof *w), *Z = malloc(n * k * sizeof *Z);
	lapack_int *isuppz = malloc(2 * k * sizeof *isuppz);
	int st = DK_ENOMEM;
	if (!p || !C || !Xc || !w || !Z || !isuppz)
		goto done;
	p->n = n;
	p->k = k;
	p->mean = calloc(n, sizeof *p->mean);
	p->components = malloc(k * n * sizeof *p->components);
	p->variance = malloc(k * sizeof *p->variance);
	if (!p->mean || !p->components || !p->variance)
		goto done;
	for (size_t r = 0; r < rows; r++)
		for (size_t j = 0; j < n; j++)
			p->mean[j] += X[r * n + j];
	for (size_t j = 0; j < n; j++)
		p->mean[j] /= (double)rows;
	/* C = sum of the centred rows' outer products, 256 rows at a time:
	   the centred copy stays small however many rows there are */
	memset(C, 0, n * n * sizeof *C);
	for (size_t r0 = 0; r0 < rows; r0 += 256) {
		size_t m = rows - r0 < 256 ? rows - r0 : 256;
		for (size_t r = 0; r < m; r++)
			for (size_t j = 0; j < n; j++)
				Xc[r * n + j] = X[(r0 + r) * n + j] - p->mean[j];
		/* column-major: Xc is n x m, C += Xc Xc^T (upper triangle) */
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)n, (int)m, 1.0,
		            Xc, (int)n, 1.0, C, (int)n);
	}
	double scale = 1.0 / (double)(rows - 1);
	p->total = 0;
	for (size_t j = 0; j < n; j++)
		p->total += C[j * n + j] * scale;
	/* the k largest eigenpairs: indices n-k+1 .. n of the ascending order */
	lapack_int found = 0, N = (lapack_int)n;
	lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', N, C, N, 0, 0,
	                                 N - (lapack_int)k + 1, N, 0, &found, w, Z, N, isuppz);
	if (info != 0 || found != (lapack_int)k) {
		st = dk_errorf(DK_ENUMERIC, err, errlen, "the eigensolver failed (info %d)",
		               (int)info);
		goto done;
	}
	for (size_t c = 0; c < k; c++) {
		size_t src = k - 1 - c; /* decreasing order */
		const double *v = Z + src * n; /* column src of the n x k Z */
		size_t big = 0;
		for (size_t j = 1; j < n; j++)
			if (fabs(v[j]) > fabs(v[big]))
				big = j;
		double sign = v[big] < 0 ? -1 : 1;
		for (size_t j = 0; j < n; j++)
			p->components[c * n + j] = sign * v[j];
		p->variance[c] = w[src] > 0 ? w[src] * scale : 0;
	}
	st = DK_OK;
done:
	free(C);
	free(Xc);
	free(w);
	free(Z);
	free(isuppz);
	if (st)
		dk_pca_free(p);
	else
		*out = p;
	return st;
}

void dk_pca_project(const dk_pca *p, const double *X, size_t rows, double *Y)
{
	size_t n = p->n, k = p->k;
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < k; c++) {
			const double *v = p->components + c * n, *x = X + r * n;
			double s = 0;
			for (size_t j = 0; j < n; j++)
				s += (x[j] - p->mean[j]) * v[j];
			Y[r * k + c] = s;
		}
}
