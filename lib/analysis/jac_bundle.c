/*
 * jac_bundle.c -- the Jacobian analysis from records to records, for a
 * tool that reads and writes streams: states found among a stream's
 * records, or a tensor of bare matrices, analysed and turned into the
 * jac/... records in one call; and the analysis's settings as JSON, for
 * the provenance of those records.
 */
#include <config.h>

#include "analysis/jac.h"
#include "base/status.h"

json_t *dk_jac_options_to_json(const dk_jac_options *o, const double *u,
                               size_t nu)
{
	json_t *input = json_array();
	for (size_t i = 0; input && i < nu; i++)
		json_array_append_new(input, json_real(u[i]));
	json_t *j = json_pack("{s:s, s:s, s:I, s:b, s:b, s:b, s:o, s:f}",
	                      "method", dk_jac_method_name(o->method),
	                      "convention", dk_convention_name(o->convention),
	                      "top", (json_int_t)o->top, "vectors", o->vectors,
	                      "schur", o->schur, "input_jacobian", o->input_jacobian,
	                      "input", input, "tol", o->tol);
	if (j && o->method == DK_JAC_ARNOLDI) /* the solver's settings, defaults as 0 */
		json_object_set_new(j, "arnoldi",
		                    json_pack("{s:o, s:I, s:f, s:I}",
		                              "shift", o->arnoldi.shift_invert
		                              ? json_real(o->arnoldi.sigma) : json_null(),
		                              "ncv", (json_int_t)o->arnoldi.ncv,
		                              "tol", o->arnoldi.tol,
		                              "seed", (json_int_t)o->arnoldi.seed));
	return j;
}

int dk_jac_points_to_bundles(dk_jac *w, dk_tensor *x, const char *name,
                             const dk_bundle *in, const double *u,
                             dk_bundle **pass, dk_bundle **out, char *err,
                             size_t errlen)
{
	dk_jac_result *r = NULL;
	size_t P = x->shape[0];
	int st = dk_jac_run(w, x->data, P, u, &r, err, errlen);
	*pass = st ? NULL : dk_bundle_alloc();
	*out = st ? NULL : dk_bundle_alloc();
	if (!st)
		st = *pass && *out ? dk_jac_fixed_records(in, name, P, *pass) : DK_ENOMEM;
	if (!st) {
		st = dk_jac_to_bundle(r, x, name, *out);
		x = NULL;
	}
	if (st && r) { /* the run went well: the records failed */
		dk_errorf(st, err, errlen, "%s", dk_strerror(st));
		dk_bundle_free(*pass);
		dk_bundle_free(*out);
		*pass = *out = NULL;
	}
	dk_jac_result_free(r);
	dk_tensor_free(x);
	return st;
}

int dk_jac_matrices_to_bundle(const dk_tensor *a, const char *name,
                              const dk_jac_options *o, dk_bundle **out,
                              char *err, size_t errlen)
{
	dk_jac_result *r = NULL;
	int st = dk_jac_matrices(a, name, o, &r, err, errlen);
	*out = st ? NULL : dk_bundle_alloc();
	if (!st && (!*out || dk_jac_to_bundle(r, NULL, NULL, *out))) {
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
		dk_bundle_free(*out);
		*out = NULL;
	}
	dk_jac_result_free(r);
	return st;
}
