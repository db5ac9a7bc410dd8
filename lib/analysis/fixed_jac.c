/*
 * fixed_jac.c -- the spectra of the points a fixed-point search found:
 * the dense Jacobian analysis of jac.c at each point, in the search's
 * convention, every eigenvalue kept (sorted as that convention reads
 * them) with the point's index, the number of unstable directions.
 */
#include <config.h>

#include <string.h>

#include "analysis/fixed.h"
#include "analysis/jac.h"
#include "base/status.h"

int dk_fixed_spectra(const dk_model *m, dk_convention conv,
                     const dk_fixed_points *p, const double *u, double tol,
                     double complex *eig, int64_t *index, char *err,
                     size_t errlen)
{
	dk_jac_options o;
	dk_jac_options_default(&o);
	o.convention = conv;
	o.tol = tol;
	dk_jac *w = NULL;
	dk_jac_result *r = NULL;
	int st = dk_jac_alloc(m, &o, &w, err, errlen);
	if (!st)
		st = dk_jac_run(w, p->x, p->count, u, &r, err, errlen);
	if (!st) {
		memcpy(eig, r->eig->data, dk_tensor_nbytes(r->eig));
		memcpy(index, r->index->data, dk_tensor_nbytes(r->index));
	}
	dk_jac_result_free(r);
	dk_jac_free(w);
	return st;
}
