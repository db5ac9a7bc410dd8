/*
 * leading.c -- a model's Jacobian as a dk_linop, handed to Arnoldi.
 *
 * For the map convention the step is taken once at the state, keeping
 * its cache (the pre-activations, gates, ...), so each of the hundreds
 * of products Arnoldi asks for is one jvp without recomputing the step.
 * The flow convention has no cache to keep: field_jvp recomputes what it
 * needs.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "analysis/leading.h"
#include "base/status.h"

struct dk_leading_work {
	const dk_model *m;        /* borrowed */
	dk_convention conv;
	size_t n, nin;
	dk_model_work *mw;        /* owned: batch 1 */
	dk_arnoldi_work *aw;      /* owned */
	double *xn;               /* owned: n, the step's result (unused) */
	double *cache;            /* owned: the step's cache, or NULL */
	const double *x, *u;      /* borrowed during a solve */
};

void dk_leading_free(dk_leading_work *w)
{
	if (!w)
		return;
	dk_model_work_free(w->mw);
	dk_arnoldi_free(w->aw);
	free(w->xn);
	free(w->cache);
	free(w);
}

int dk_leading_alloc(const dk_model *m, dk_convention conv,
                     const dk_arnoldi_opts *o, dk_leading_work **out,
                     char *err, size_t errlen)
{
	*out = NULL;
	if (!m)
		return dk_errorf(DK_EINVAL, err, errlen, "leading: no model");
	int st = dk_convention_check(m, conv, err, errlen);
	if (st)
		return st;
	dk_leading_work *w = calloc(1, sizeof *w);
	if (!w)
		return DK_ENOMEM;
	w->m = m;
	w->conv = conv;
	w->n = dk_model_state_size(m);
	w->nin = dk_model_input_size(m);
	st = dk_arnoldi_alloc(w->n, o, &w->aw, err, errlen);
	if (st) {
		dk_leading_free(w);
		return st;
	}
	w->mw = dk_model_work_alloc(m, 1);
	if (conv == DK_MAP) {
		size_t cs = dk_model_cache_size(m);
		w->xn = malloc(w->n * sizeof *w->xn);
		w->cache = cs ? malloc(cs * sizeof *w->cache) : NULL;
		if (!w->xn || (cs && !w->cache)) {
			dk_leading_free(w);
			return DK_ENOMEM;
		}
	}
	if (!w->mw) {
		dk_leading_free(w);
		return DK_ENOMEM;
	}
	*out = w;
	return DK_OK;
}

static int jac_apply(void *ctx, const double *dx, double *y)
{
	dk_leading_work *w = ctx;
	if (w->conv == DK_MAP)
		return dk_model_jvp(w->m, w->mw, 1, w->x, w->u, w->cache, dx, y);
	return dk_model_field_jvp(w->m, w->mw, 1, w->x, w->u, dx, y);
}

static int all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

int dk_leading_solve(dk_leading_work *w, const double *x, const double *u,
                     double complex *eig, double complex *vec, double *resid,
                     dk_arnoldi_stats *stats, char *err, size_t errlen)
{
	if (!w || !x || !eig)
		return dk_errorf(DK_EINVAL, err, errlen, "leading: missing argument");
	if (!all_finite(x, w->n))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "leading: the state holds a value that is not finite");
	if (u && !all_finite(u, w->nin))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "leading: the input holds a value that is not finite");
	w->x = x;
	w->u = u;
	if (w->conv == DK_MAP) {
		int st = dk_model_step(w->m, w->mw, 1, x, u, w->xn, w->cache);
		if (st)
			return dk_errorf(st, err, errlen, "leading: the model's step "
			                 "failed: %s", dk_strerror(st));
	}
	dk_linop J = {w->n, jac_apply, w};
	int st = dk_arnoldi_solve(w->aw, &J, eig, vec, resid, stats, err, errlen);
	w->x = w->u = NULL;
	return st;
}

int dk_leading_eigs(const dk_model *m, const double *x, const double *u,
                    dk_convention conv, const dk_arnoldi_opts *o,
                    double complex *eig, double complex *vec, double *resid,
                    dk_arnoldi_stats *stats, char *err, size_t errlen)
{
	dk_leading_work *w = NULL;
	int st = dk_leading_alloc(m, conv, o, &w, err, errlen);
	if (!st)
		st = dk_leading_solve(w, x, u, eig, vec, resid, stats, err, errlen);
	dk_leading_free(w);
	return st;
}
