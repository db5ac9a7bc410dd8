/*
 * meta.c -- metadata records: JSON objects parsed and written with jansson.
 */
#include <config.h>

#include <math.h>

#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/meta.h"

struct dk_meta {
	json_t *obj; /* owned reference; always a JSON object */
};

static int fail(char *err, size_t errlen, const char *msg, const char *extra)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s", msg, extra ? extra : "");
	return DK_EMETA;
}

static int check_fields(json_t *obj, char *err, size_t errlen)
{
	json_t *name = json_object_get(obj, "name");
	if (name && !json_is_string(name))
		return fail(err, errlen, "metadata \"name\" is not a string", NULL);
	json_t *axes = json_object_get(obj, "axes");
	if (axes) {
		if (!json_is_array(axes))
			return fail(err, errlen, "metadata \"axes\" is not an array", NULL);
		size_t i;
		json_t *a;
		json_array_foreach(axes, i, a)
			if (!json_is_string(a))
				return fail(err, errlen, "metadata \"axes\" holds a non-string", NULL);
	}
	json_t *attrs = json_object_get(obj, "attrs");
	if (attrs && !json_is_object(attrs))
		return fail(err, errlen, "metadata \"attrs\" is not an object", NULL);
	return DK_OK;
}

int dk_meta_parse(const void *bytes, size_t n, dk_meta **out, char *err,
                  size_t errlen)
{
	*out = NULL;
	const char *s = bytes;
	while (n > 0 && s[n - 1] == '\0') /* NumPy's S dtype pads with NULs */
		n--;
	json_error_t jerr;
	json_t *obj = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!obj)
		return fail(err, errlen, "metadata is not JSON: ", jerr.text);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return fail(err, errlen, "metadata is JSON but not an object", NULL);
	}
	int st = check_fields(obj, err, errlen);
	if (st) {
		json_decref(obj);
		return st;
	}
	dk_meta *m = malloc(sizeof *m);
	if (!m) {
		json_decref(obj);
		return DK_ENOMEM;
	}
	m->obj = obj;
	*out = m;
	return DK_OK;
}

dk_meta *dk_meta_new(const char *name)
{
	dk_meta *m = malloc(sizeof *m);
	if (!m)
		return NULL;
	m->obj = json_object();
	if (!m->obj || (name && dk_meta_set_name(m, name) != DK_OK)) {
		dk_meta_free(m);
		return NULL;
	}
	return m;
}

dk_meta *dk_meta_copy(const dk_meta *src)
{
	dk_meta *m = malloc(sizeof *m);
	if (!m)
		return NULL;
	m->obj = json_deep_copy(src->obj);
	if (!m->obj) {
		free(m);
		return NULL;
	}
	return m;
}

void dk_meta_free(dk_meta *m)
{
	if (!m)
		return;
	json_decref(m->obj);
	free(m);
}

const char *dk_meta_name(const dk_meta *m)
{
	return json_string_value(json_object_get(m->obj, "name"));
}

int dk_meta_set_name(dk_meta *m, const char *name)
{
	json_t *s = json_string(name);
	if (!s)
		return DK_EINVAL; /* not valid UTF-8 */
	return json_object_set_new(m->obj, "name", s) ? DK_ENOMEM : DK_OK;
}

json_t *dk_meta_axes(const dk_meta *m)
{
	return json_object_get(m->obj, "axes");
}

int dk_meta_set_axes(dk_meta *m, const char *const *axes, size_t count)
{
	json_t *a = json_array();
	if (!a)
		return DK_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		json_t *s = json_string(axes[i]);
		if (!s || json_array_append_new(a, s)) {
			json_decref(a);
			return s ? DK_ENOMEM : DK_EINVAL;
		}
	}
	return json_object_set_new(m->obj, "axes", a) ? DK_ENOMEM : DK_OK;
}

json_t *dk_meta_attrs(const dk_meta *m)
{
	return json_object_get(m->obj, "attrs");
}

int dk_meta_set_attr(dk_meta *m, const char *key, json_t *value)
{
	json_t *attrs = json_object_get(m->obj, "attrs");
	if (!attrs) {
		attrs = json_object();
		if (!attrs || json_object_set_new(m->obj, "attrs", attrs)) {
			json_decref(value);
			return DK_ENOMEM;
		}
	}
	return json_object_set_new(attrs, key, value) ? DK_ENOMEM : DK_OK;
}

json_t *dk_meta_json(const dk_meta *m)
{
	return m->obj;
}

int dk_meta_dump(const dk_meta *m, char **out, size_t *len)
{
	*out = json_dumps(m->obj, JSON_COMPACT | JSON_SORT_KEYS |
	                           JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
	if (!*out)
		return DK_ENOMEM;
	*len = strlen(*out);
	return DK_OK;
}

json_t *dk_meta_reals(const double *v, size_t n)
{
	if (!v)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, isfinite(v[i]) ? json_real(v[i]) : json_null())) {
			json_decref(a);
			return NULL;
		}
	return a;
}
