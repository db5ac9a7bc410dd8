/*
 * fixed_jac.c -- the spectra of the points a fixed-point search found:
 * each point's dense Jacobian in the search's convention (jacobian.c),
 * its eigenvalues sorted as that convention reads them, and its index,
 * the number of unstable directions (spectrum.c).
 */
#include <config.h>

#include <stdlib.h>

#include "analysis/fixed.h"
#include "analysis/jacobian.h"
#include "analysis/spectrum.h"
#include "base/status.h"

int dk_fixed_spectra(const dk_model *m, dk_convention conv,
                     const dk_fixed_points *p, const double *u, double tol,
                     double complex *eig, int64_t *index, char *err,
                     size_t errlen)
{
	size_t n = p->n;
	dk_jacobian *jw = NULL;
	int st = dk_jacobian_alloc(m, conv, 0, &jw, err, errlen);
	if (st)
		return st;
	dk_spectrum *sw = dk_spectrum_alloc(n, 0);
	double *J = malloc((n ? n * n : 1) * sizeof *J);
	if (!sw || !J)
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	for (size_t i = 0; !st && i < p->count; i++) {
		st = dk_jacobian_state(jw, p->x + i * n, u, J);
		if (st) {
			dk_errorf(st, err, errlen, "point %zu: the Jacobian: %s", i,
			          dk_strerror(st));
			break;
		}
		dk_spectrum_out out = {.eig = eig + i * n};
		st = dk_spectrum_compute(sw, J, conv, &out, err, errlen);
		if (!st)
			index[i] = (int64_t)dk_spectrum_classify(eig + i * n, n, conv, tol).index;
	}
	free(J);
	dk_spectrum_free(sw);
	dk_jacobian_free(jw);
	return st;
}
