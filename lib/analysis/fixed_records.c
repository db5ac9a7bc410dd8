/*
 * fixed_records.c -- the schema of a fixed-point search: its result as
 * the fp records (fp/x, fp/q, ...), each with its axes and the attrs
 * "fixed" that say how the search ran (see fixed.h).
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/fixed.h"
#include "base/status.h"
#include "stream/meta.h"
#include "stream/names.h"

/* {"fixed": {...}}: the convention, the input and every setting. */
static json_t *search_attrs(const dk_fixed_result *r)
{
	const dk_fixed_opts *f = &r->search.opts;
	json_t *uj = dk_meta_reals(r->input, r->m);
	json_t *a = json_pack("{s:{s:s, s:o, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:b, s:b}}",
	                 "fixed",
	                 "convention", dk_convention_name(f->convention),
	                 "input", uj,
	                 "max_iters", (json_int_t)f->max_iters,
	                 "tol_q", f->tol_q, "tol_dq", f->tol_dq, "rate", f->rate,
	                 "clip", f->clip, "stall", f->stall, "handoff_q", f->handoff_q,
	                 "newton_iters", (json_int_t)f->newton_iters,
	                 "dense_max", (json_int_t)f->dense_max,
	                 "krylov_iters", (json_int_t)f->krylov_iters,
	                 "tol_fixed", f->tol_fixed, "tol_unique", f->tol_unique,
	                 "outlier_scale", f->outlier_scale,
	                 "jac_tol", r->search.spectra_tol,
	                 "keep_diverged", f->keep_diverged,
	                 "newton_starts", f->newton_starts);
	/* JSON has no infinity: no bound on q is null */
	json_t *fx = a ? json_object_get(a, "fixed") : NULL;
	if (fx && json_object_set_new(fx, "max_q", isfinite(f->max_q) ?
	                              json_real(f->max_q) : json_null())) {
		json_decref(a);
		a = NULL;
	}
	return a;
}


int dk_fixed_to_bundle(const dk_fixed_result *r, dk_bundle *b)
{
	static const char *const xaxes[2] = {"point", "unit"};
	static const char *const iaxes[2] = {"point", "stage"};
	static const char *const eaxes[2] = {"point", "eig"};
	static const char *const oaxes[2] = {"point", "output"};
	const dk_fixed_points *p = r->points;
	size_t C = p->count, n = p->n, xs[2] = {C, n}, is[2] = {C, 2};
	json_t *attrs = search_attrs(r);
	if (!attrs)
		return DK_ENOMEM;
	dk_tensor *ti = dk_tensor_alloc(DK_I8, 0, 2, is);
	for (size_t c = 0; ti && c < C; c++) {
		((int64_t *)ti->data)[2 * c] = p->adam_iters[c];
		((int64_t *)ti->data)[2 * c + 1] = p->newton_iters[c];
	}
	int st = dk_bundle_add_record(b, DK_NAME_FP_X,
	                              dk_tensor_from(DK_F8, 2, xs, p->x),
	                              xaxes, 2, attrs);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_FP_Q,
		                          dk_tensor_from(DK_F8, 1, xs, p->q),
		                          xaxes, 1, attrs);
	st = st ? (dk_tensor_free(ti), st)
	        : dk_bundle_add_record(b, DK_NAME_FP_ITERS, ti, iaxes, 2, attrs);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_FP_KIND,
		                          dk_tensor_from(DK_I8, 1, xs, p->kind),
		                          xaxes, 1, attrs);
	if (!st && r->eig)
		st = dk_bundle_add_record(b, DK_NAME_FP_EIG,
		                          dk_tensor_from(DK_C16, 2, xs, r->eig),
		                          eaxes, 2, attrs);
	if (!st && r->index)
		st = dk_bundle_add_record(b, DK_NAME_FP_INDEX,
		                          dk_tensor_from(DK_I8, 1, xs, r->index),
		                          xaxes, 1, attrs);
	static const char *const uaxes[2] = {"point", "input"};
	size_t us[2] = {C, r->m};
	if (!st && r->point_input)
		st = dk_bundle_add_record(b, DK_NAME_FP_U,
		                          dk_tensor_from(DK_F8, 2, us, r->point_input),
		                          uaxes, 2, attrs);
	size_t os[2] = {C, r->outputs};
	if (!st && r->output)
		st = dk_bundle_add_record(b, DK_NAME_FP_OUTPUT,
		                          dk_tensor_from(DK_F8, 2, os, r->output),
		                          oaxes, 2, attrs);
	json_decref(attrs);
	return st;
}
