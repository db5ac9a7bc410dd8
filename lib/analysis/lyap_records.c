/*
 * lyap_records.c -- the schema of a Lyapunov spectrum: a run's result
 * as the lyap records, each with its axes and the attrs "lyap" that say
 * how the run went (see lyap.h).
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/lyap.h"
#include "base/status.h"
#include "stream/names.h"



/* A number for the attrs: JSON has no NaN or infinity, so those are null. */
static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A scalar record whose attrs are the run's plus the pairs in extra
   (taken), under "lyap". */
static int add_scalar(dk_bundle *b, const char *name, double v,
                      const json_t *lyap, json_t *extra)
{
	json_t *a = json_deep_copy(lyap);
	int st = a && extra && !json_object_update(a, extra) ? DK_OK : DK_ENOMEM;
	json_decref(extra);
	json_t *attrs = st ? NULL : json_pack("{s:o}", "lyap", a);
	if (!st && !attrs)
		st = DK_ENOMEM;
	else if (st)
		json_decref(a);
	if (!st)
		st = dk_bundle_add_record(b, name, dk_tensor_scalar(v), NULL, 0, attrs);
	json_decref(attrs);
	return st;
}

int dk_lyap_to_bundle(const dk_lyap_result *r, const dk_lyap_options *o,
                      const dk_model *m, const dk_lyap_start *s,
                      dk_bundle *b)
{
	static const char *const ax_exp[1] = {"exponent"};
	static const char *const ax_trace[2] = {"checkpoint", "exponent"};
	static const char *const ax_steps[1] = {"checkpoint"};
	size_t k = r->k, C = r->checkpoints, n = dk_model_state_size(m);
	json_t *lyap = json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I}",
	        "units", dk_model_is_continuous(m) ? "per unit time" : "per step",
	        "step_time", r->step_time,
	        "steps", (json_int_t)o->steps,
	        "transient", (json_int_t)o->transient,
	        "basis_transient", (json_int_t)o->basis_transient,
	        "every", (json_int_t)o->every,
	        "blocks", (json_int_t)r->blocks,
	        "tangent", dk_lyap_tangent_name(o->tangent),
	        "start", s->how,
	        "qrs", (json_int_t)r->qrs,
	        "householder_qrs", (json_int_t)r->householder_qrs);
	double bound = o->max_state > 0 ? o->max_state : DK_LYAP_MAX_STATE_DEFAULT;
	/* the QR method only when not the default; with the default, how
	   many QRs its conditioning gave a second pass */
	if (lyap && (o->qr != DK_LYAP_QR_AUTO
	             ? json_object_set_new(lyap, "qr", json_string(dk_lyap_qr_name(o->qr)))
	             : json_object_set_new(lyap, "second_passes",
	                                   json_integer((json_int_t)r->second_passes)))) {
		json_decref(lyap);
		lyap = NULL;
	}
	if (lyap && (json_object_set_new(lyap, "max_state", number(bound)) ||
	             json_object_set_new(lyap, "diverged_after", r->diverged_after ?
	                                 json_integer((json_int_t)r->diverged_after) :
	                                 json_null()))) {
		json_decref(lyap);
		lyap = NULL;
	}
	json_t *attrs = lyap ? json_pack("{s:O}", "lyap", lyap) : NULL;
	if (!attrs) {
		json_decref(lyap);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, DK_NAME_LYAP_EXPONENTS,
	                              dk_tensor_vector(r->exponents, k), ax_exp, 1, attrs);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_LYAP_STDERR,
		                          dk_tensor_vector(r->std_error, k), ax_exp, 1, attrs);
	if (!st) {
		size_t shape[2] = {C, k};
		dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 2, shape);
		if (t)
			memcpy(t->data, r->trace, C * k * sizeof *r->trace);
		st = dk_bundle_add_record(b, DK_NAME_LYAP_TRACE, t, ax_trace, 2, attrs);
	}
	if (!st) {
		dk_tensor *t = dk_tensor_alloc(DK_I8, 0, 1, &C);
		for (size_t c = 0; t && c < C; c++)
			((int64_t *)t->data)[c] = (int64_t)r->trace_steps[c];
		st = dk_bundle_add_record(b, DK_NAME_LYAP_TRACE_STEPS, t, ax_steps, 1,
		                          attrs);
	}
	if (!st)
		st = add_scalar(b, DK_NAME_LYAP_DIMENSION, r->dimension, lyap,
		                json_pack("{s:b}", "lower_bound", r->dimension_bound));
	/* with k < n and the last exponent positive, positive ones may be
	   missing from the entropy */
	if (!st)
		st = add_scalar(b, DK_NAME_LYAP_ENTROPY, r->entropy, lyap,
		                json_pack("{s:b}", "partial",
		                          k < n && r->exponents[k - 1] > 0));
	if (!st && o->check)
		st = add_scalar(b, DK_NAME_LYAP_CHECK, r->check, lyap,
		                json_pack("{s:o, s:o, s:o, s:b}",
		                          "stderr", number(r->check_error),
		                          "qr", number(r->exponents[0]),
		                          "tolerance", number(r->check_tolerance),
		                          "agrees", r->check_agrees));
	json_decref(attrs);
	json_decref(lyap);
	return st;
}
