/*
 * equiv_records.c -- the schema of an equivariance run: its result as
 * the equiv records, each with its axes and the attrs "equiv" that say
 * what was measured and how (see equiv.h).  A flow has no step errors,
 * so their records are left out rather than filled with NaN.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/equiv.h"
#include "base/status.h"
#include "stream/names.h"

static dk_tensor *reals(const double *v, int rank, const size_t *shape)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape);
	size_t count = 1;
	for (int k = 0; k < rank; k++)
		count *= shape[k];
	if (t && count)
		memcpy(t->data, v, count * sizeof *v);
	return t;
}

/* A number for the attrs: JSON has no NaN or infinity, so those are null. */
static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The attrs every record carries, under "equiv". */
static json_t *run_attrs(const dk_equiv_result *r)
{
	json_t *e = json_pack("{s:s, s:o, s:I, s:I, s:f, s:s, s:b, s:I}",
	        "group", dk_equiv_group_name(r->group),
	        "layout", dk_layout_to_json(&r->layout),
	        "steps", (json_int_t)r->steps, "batch", (json_int_t)r->batch,
	        "tolerance", r->tolerance, "start", r->how,
	        "input_transformed", r->input_transformed,
	        "input_channels", (json_int_t)r->input_channels);
	if (e && r->group == DK_EQUIV_FLOW) {
		json_t *c = json_array(), *x = json_array();
		int bad = !c || !x;
		for (size_t k = 0; !bad && k < r->elements; k++)
			bad = json_array_append_new(c, json_integer((json_int_t)r->compared[k])) ||
			      json_array_append_new(x, number(r->unpartnered_error[k]));
		if (bad) {
			json_decref(c);
			json_decref(x);
		}
		/* set_new takes both whether or not it succeeds: | runs both */
		if (bad || (json_object_set_new(e, "slices_compared", c) |
		            json_object_set_new(e, "unpartnered_error", x)) ||
		    json_object_set_new(e, "velocities",
		                        json_integer((json_int_t)r->velocities))) {
			json_decref(e);
			e = NULL;
		}
	}
	return e;
}

int dk_equiv_to_bundle(const dk_equiv_result *r, dk_bundle *b)
{
	static const char *const ax_shift[2] = {"element", "axis"};
	static const char *const ax_el[1] = {"element"};
	static const char *const ax_traj[2] = {"element", "time"};
	json_t *equiv = run_attrs(r);
	json_t *attrs = equiv ? json_pack("{s:O}", "equiv", equiv) : NULL;
	int st = attrs ? DK_OK : DK_ENOMEM;
	if (!st) {
		/* a fractional flow's velocities are reals */
		size_t shape[2] = {r->elements, r->axes};
		dk_tensor *t = r->shifts ? dk_tensor_alloc(DK_I8, 0, 2, shape)
		                         : reals(r->moves, 2, shape);
		if (t && r->shifts)
			memcpy(t->data, r->shifts, r->elements * r->axes * sizeof *r->shifts);
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_SHIFTS, t, ax_shift, 2, attrs);
	}
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_ERROR,
		                          reals(r->error, 1, &r->elements), ax_el, 1, attrs);
	int steps = r->group != DK_EQUIV_FLOW;
	if (!st && steps)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_STEP_ERROR,
		                          reals(r->step_error, 1, &r->elements), ax_el, 1,
		                          attrs);
	if (!st && steps)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_FREE_ERROR,
		                          reals(r->free_error, 1, &r->elements), ax_el, 1,
		                          attrs);
	if (!st) {
		size_t shape[2] = {r->elements, r->steps};
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_TRAJECTORY_ERROR,
		                          reals(r->trajectory_error, 2, shape), ax_traj, 2,
		                          attrs);
	}
	json_decref(attrs);
	json_t *worst = NULL;
	if (!st) {
		worst = json_array();
		for (size_t k = 0; worst && k < r->axes; k++)
			if (json_array_append_new(worst, r->shifts ?
			        json_integer(r->shifts[r->worst * r->axes + k]) :
			        json_real(r->moves[r->worst * r->axes + k]))) {
				json_decref(worst);
				worst = NULL;
			}
		if (!worst || json_object_set_new(equiv, "worst", worst) ||
		    json_object_set_new(equiv, "max", number(r->max)) ||
		    json_object_set_new(equiv, "equivariant", json_boolean(r->equivariant)) ||
		    json_object_set_new(equiv, "breaks",
		                        json_string(dk_equiv_breaks_name(r->breaks))) ||
		    json_object_set_new(equiv, "first_step", r->first_step ?
		                        json_integer((json_int_t)r->first_step) : json_null()) ||
		    json_object_set_new(equiv, "summary", json_string(r->summary)))
			st = DK_ENOMEM;
	}
	attrs = st ? NULL : json_pack("{s:O}", "equiv", equiv);
	if (!st && !attrs)
		st = DK_ENOMEM;
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_MAX, reals(&r->max, 0, NULL),
		                          NULL, 0, attrs);
	json_decref(attrs);
	json_decref(equiv);
	return st;
}
