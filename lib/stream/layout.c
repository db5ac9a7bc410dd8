/*
 * layout.c -- the spatial layout of states to and from the JSON of their
 * attrs (see layout.h).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "stream/layout.h"

dk_layout dk_layout_rings(size_t C, size_t n, int periodic)
{
	dk_layout l = {.rank = 2, .shape = {C, n}, .periodic = {0, periodic != 0}};
	snprintf(l.axes[0], sizeof l.axes[0], "channel");
	snprintf(l.axes[1], sizeof l.axes[1], "unit");
	return l;
}

dk_layout dk_layout_sheets(size_t C, size_t H, size_t W, int periodic)
{
	int p = periodic != 0;
	dk_layout l = {.rank = 3, .shape = {C, H, W}, .periodic = {0, p, p}};
	snprintf(l.axes[0], sizeof l.axes[0], "channel");
	snprintf(l.axes[1], sizeof l.axes[1], "row");
	snprintf(l.axes[2], sizeof l.axes[2], "col");
	return l;
}

size_t dk_layout_units(const dk_layout *l)
{
	size_t u = l->rank > 0 ? 1 : 0;
	for (int k = 0; k < l->rank; k++)
		u *= l->shape[k];
	return u;
}

json_t *dk_layout_to_json(const dk_layout *l)
{
	json_t *shape = json_array(), *axes = json_array(), *per = json_array();
	int bad = !shape || !axes || !per;
	for (int k = 0; k < l->rank && !bad; k++)
		bad = json_array_append_new(shape, json_integer((json_int_t)l->shape[k])) ||
		      json_array_append_new(axes, json_string(l->axes[k])) ||
		      json_array_append_new(per, json_boolean(l->periodic[k]));
	if (bad) {
		json_decref(shape);
		json_decref(axes);
		json_decref(per);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o}", "shape", shape, "axes", axes,
	                 "periodic", per);
}

int dk_layout_from_json(const json_t *j, dk_layout *out, char *err,
                        size_t errlen)
{
	*out = (dk_layout){0};
	if (!json_is_object(j))
		return dk_errorf(DK_EMETA, err, errlen, "layout is not an object");
	const json_t *shape = json_object_get(j, "shape");
	const json_t *axes = json_object_get(j, "axes");
	const json_t *per = json_object_get(j, "periodic");
	if (!json_is_array(shape) || json_array_size(shape) < 1 ||
	    json_array_size(shape) > DK_LAYOUT_MAX_RANK)
		return dk_errorf(DK_EMETA, err, errlen,
		                 "layout.shape must be an array of 1 to %d sizes",
		                 DK_LAYOUT_MAX_RANK);
	size_t r = json_array_size(shape);
	if (!json_is_array(axes) || json_array_size(axes) != r)
		return dk_errorf(DK_EMETA, err, errlen,
		                 "layout.axes must be an array of %zu names", r);
	if (!json_is_array(per) || json_array_size(per) != r)
		return dk_errorf(DK_EMETA, err, errlen,
		                 "layout.periodic must be an array of %zu booleans", r);
	for (size_t k = 0; k < r; k++) {
		const json_t *s = json_array_get(shape, k), *a = json_array_get(axes, k);
		const json_t *p = json_array_get(per, k);
		if (!json_is_integer(s) || json_integer_value(s) < 1)
			return dk_errorf(DK_EMETA, err, errlen,
			                 "layout.shape[%zu] is not a positive integer", k);
		if (!json_is_string(a) || strlen(json_string_value(a)) >= sizeof out->axes[k])
			return dk_errorf(DK_EMETA, err, errlen,
			                 "layout.axes[%zu] is not a name of at most %zu bytes",
			                 k, sizeof out->axes[k] - 1);
		if (!json_is_boolean(p))
			return dk_errorf(DK_EMETA, err, errlen,
			                 "layout.periodic[%zu] is not a boolean", k);
		out->shape[k] = (size_t)json_integer_value(s);
		snprintf(out->axes[k], sizeof out->axes[k], "%s", json_string_value(a));
		out->periodic[k] = json_is_true(p);
	}
	out->rank = (int)r;
	return DK_OK;
}
