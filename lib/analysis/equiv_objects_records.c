/*
 * equiv_objects_records.c -- the schema of dk-equiv --objects: the
 * orbit measurements per fixed point and shift and the missing orbit
 * members as the equiv records, each with the attrs "equiv" that say
 * what was measured (see equiv_objects.h).
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/equiv_objects.h"
#include "base/status.h"
#include "stream/names.h"

static dk_tensor *copy(dk_dtype dt, const void *v, int rank, const size_t *shape)
{
	dk_tensor *t = dk_tensor_alloc(dt, 0, rank, shape);
	size_t count = 1;
	for (int k = 0; k < rank; k++)
		count *= shape[k];
	if (t && count)
		memcpy(t->data, v, count * 8);
	return t;
}

static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

int dk_equiv_objects_to_bundle(const dk_equiv_objects_result *r, dk_bundle *b)
{
	static const char *const ax_shift[2] = {"element", "axis"};
	static const char *const ax_pe[2] = {"point", "element"};
	static const char *const ax_missing[2] = {"missing", "field"};
	json_t *equiv = json_pack("{s:s, s:o, s:I, s:I, s:f, s:b}",
	        "group", "objects", "layout", dk_layout_to_json(&r->layout),
	        "points", (json_int_t)r->points, "fixed", (json_int_t)r->fixed,
	        "tolerance", r->tolerance, "input_transformed", r->input_transformed);
	json_t *attrs = equiv ? json_pack("{s:O}", "equiv", equiv) : NULL;
	int st = attrs ? DK_OK : DK_ENOMEM;
	size_t E = r->elements, pe[2] = {r->points, E};
	if (!st) {
		size_t shape[2] = {E, r->axes};
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_SHIFTS,
		                          copy(DK_I8, r->shifts, 2, shape), ax_shift, 2,
		                          attrs);
	}
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_ORBIT_RESIDUAL,
		                          copy(DK_F8, r->residual, 2, pe), ax_pe, 2, attrs);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_ORBIT_DISTANCE,
		                          copy(DK_F8, r->distance, 2, pe), ax_pe, 2, attrs);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_ORBIT_NEAREST,
		                          copy(DK_I8, r->nearest, 2, pe), ax_pe, 2, attrs);
	if (!st && r->spectrum_error)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_ORBIT_SPECTRUM,
		                          copy(DK_F8, r->spectrum_error, 2, pe), ax_pe, 2,
		                          attrs);
	if (!st && r->lyap_difference) {
		static const char *const ax_lyap[2] = {"element", "field"};
		size_t shape[2] = {E, 2};
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_ORBIT_LYAPUNOV,
		                          copy(DK_F8, r->lyap_difference, 2, shape),
		                          ax_lyap, 2, attrs);
	}
	json_decref(attrs);
	attrs = NULL;
	if (!st && r->lyap_exponents) {
		json_t *ex = json_array();
		for (size_t i = 0; ex && i < r->n; i++)
			if (json_array_append_new(ex, number(r->lyap_exponents[i]))) {
				json_decref(ex);
				ex = NULL;
			}
		if (!ex || json_object_set_new(equiv, "lyapunov_exponents", ex))
			st = DK_ENOMEM;
	}
	if (!st && (json_object_set_new(equiv, "missing",
	                                json_integer((json_int_t)r->missing)) ||
	            json_object_set_new(equiv, "max_residual", number(r->max_residual)) ||
	            json_object_set_new(equiv, "max_spectrum", r->spectrum_error ?
	                                number(r->max_spectrum) : json_null()) ||
	            json_object_set_new(equiv, "closed", json_boolean(r->missing == 0)) ||
	            json_object_set_new(equiv, "summary", json_string(r->summary)) ||
	            !(attrs = json_pack("{s:O}", "equiv", equiv))))
		st = DK_ENOMEM;
	if (!st) {
		/* each row: the point, then its shift's components */
		size_t shape[2] = {r->missing, 1 + r->axes};
		dk_tensor *t = dk_tensor_alloc(DK_I8, 0, 2, shape);
		if (t)
			for (size_t k = 0; k < r->missing; k++) {
				int64_t *row = (int64_t *)t->data + k * (1 + r->axes);
				size_t e = (size_t)r->missing_at[2 * k + 1];
				row[0] = r->missing_at[2 * k];
				memcpy(row + 1, r->shifts + e * r->axes,
				       r->axes * sizeof *row);
			}
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_MISSING, t, ax_missing, 2,
		                          attrs);
	}
	json_decref(attrs);
	json_decref(equiv);
	return st;
}
