/*
 * lowrank_options.c -- the options of the low-rank mean-field theory
 * (lowrank.h) checked: the rank, gain and phi in range, the means and
 * covariance finite and bounded, the covariance symmetric and positive
 * semidefinite (by its eigenvalues); and its square root, for the
 * simulation (dmft_impl.h).
 */
#include <config.h>

#include <math.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/lowrank.h"
#include "base/numeric.h"
#include "base/status.h"

/* The least and largest eigenvalue of the dim x dim covariance. */
static int extreme_eigenvalues(const dk_dmft_lowrank_options *o, size_t dim,
                               double *least, double *largest)
{
	gsl_matrix *a = gsl_matrix_alloc(dim, dim);
	gsl_vector *e = gsl_vector_alloc(dim);
	gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(dim);
	int st = a && e && ws ? DK_OK : DK_ENOMEM;
	if (!st) {
		for (size_t i = 0; i < dim; i++)
			for (size_t j = 0; j < dim; j++)
				gsl_matrix_set(a, i, j, o->cov[i][j]);
		st = gsl_eigen_symm(a, e, ws) ? DK_ENUMERIC : DK_OK;
	}
	if (!st) {
		*least = gsl_vector_min(e);
		*largest = gsl_vector_max(e);
	}
	gsl_eigen_symm_free(ws);
	gsl_vector_free(e);
	gsl_matrix_free(a);
	return st;
}

int dk_dmft_lowrank_options_check(const dk_dmft_lowrank_options *o,
                                  char *err, size_t errlen)
{
	dk_numeric_init();
	if (o->rank < 1 || o->rank > DK_DMFT_LOWRANK_MAX_RANK)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "rank must be 1 or 2, not %zu", o->rank);
	if (!(o->gain >= 0 && o->gain <= DK_DMFT_MAX_GAIN))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "gain must be from 0 to %g, not %g",
		                 DK_DMFT_MAX_GAIN, o->gain);
	if (!o->phi)
		return dk_errorf(DK_EINVAL, err, errlen, "no phi (one of %s)",
		                 dk_dmft_phi_names());
	size_t dim = 2 * o->rank + 1;
	for (size_t i = 0; i < dim; i++) {
		if (!(fabs(o->mean[i]) <= DK_DMFT_LOWRANK_MAX_MEAN))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "mean[%zu] must be finite and at most %g in "
			                 "absolute value, not %g", i,
			                 DK_DMFT_LOWRANK_MAX_MEAN, o->mean[i]);
		if (!(o->cov[i][i] >= 0 && o->cov[i][i] <= DK_DMFT_LOWRANK_MAX_MEAN))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "cov[%zu][%zu], a variance, must be from 0 to "
			                 "%g, not %g", i, i, DK_DMFT_LOWRANK_MAX_MEAN,
			                 o->cov[i][i]);
		for (size_t j = 0; j < i; j++)
			if (!isfinite(o->cov[i][j]) || o->cov[i][j] != o->cov[j][i])
				return dk_errorf(DK_EINVAL, err, errlen,
				                 "cov must be finite and symmetric: "
				                 "cov[%zu][%zu] = %g, cov[%zu][%zu] = %g",
				                 i, j, o->cov[i][j], j, i, o->cov[j][i]);
	}
	double least = 0, largest = 0;
	int st = extreme_eigenvalues(o, dim, &least, &largest);
	if (st == DK_ENOMEM)
		return dk_errorf(st, err, errlen, "out of memory");
	if (st || least < -1e-12 * (largest > 0 ? largest : 1))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "cov must be positive semidefinite; its least "
		                 "eigenvalue is %g", least);
	return DK_OK;
}

int dk_dmft_lowrank_sqrt_cov(const dk_dmft_lowrank_options *o,
                             double L[DK_DMFT_LOWRANK_MAX_DIM][DK_DMFT_LOWRANK_MAX_DIM])
{
	size_t dim = 2 * o->rank + 1;
	gsl_matrix *a = gsl_matrix_alloc(dim, dim), *v = gsl_matrix_alloc(dim, dim);
	gsl_vector *e = gsl_vector_alloc(dim);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(dim);
	int st = a && v && e && ws ? DK_OK : DK_ENOMEM;
	if (!st) {
		for (size_t i = 0; i < dim; i++)
			for (size_t j = 0; j < dim; j++)
				gsl_matrix_set(a, i, j, o->cov[i][j]);
		st = gsl_eigen_symmv(a, e, v, ws) ? DK_ENUMERIC : DK_OK;
	}
	for (size_t i = 0; !st && i < dim; i++)
		for (size_t j = 0; j < dim; j++) {
			double l = gsl_vector_get(e, j);
			/* eigenvalues below 0 only by rounding (checked above) */
			L[i][j] = gsl_matrix_get(v, i, j) * sqrt(l > 0 ? l : 0);
		}
	gsl_eigen_symmv_free(ws);
	gsl_vector_free(e);
	gsl_matrix_free(v);
	gsl_matrix_free(a);
	return st;
}
