/*
 * test_meta.c -- metadata objects: parsing, validation, editing, and the
 * deterministic JSON they are written as.
 */
#include <config.h>
#include <math.h>

#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static int parses(const char *json, char *err)
{
	dk_meta *m;
	int st = dk_meta_parse(json, strlen(json), &m, err, 256);
	dk_meta_free(m);
	return st;
}

/* dk_meta_reals: values as JSON reals, non-finite ones null, NULL v null */
static void test_reals(void)
{
	double v[3] = {1.5, NAN, -INFINITY};
	json_t *a = dk_meta_reals(v, 3), *z = dk_meta_reals(NULL, 3), *e = dk_meta_reals(v, 0);
	ok(a && json_array_size(a) == 3 && json_real_value(json_array_get(a, 0)) == 1.5 &&
	   json_is_null(json_array_get(a, 1)) && json_is_null(json_array_get(a, 2)),
	   "reals: finite values as reals, NaN and infinity null");
	ok(json_is_null(z) && e && json_array_size(e) == 0, "no values: null; none: []");
	json_decref(a);
	json_decref(z);
	json_decref(e);
}

int main(void)
{
	char err[256];
	dk_meta *m;
	const char *json = "{\"name\": \"fp/x\", \"axes\": [\"point\", \"unit\"], "
	                   "\"attrs\": {\"tol\": 1e-10}, \"extra\": [1, 2]}";
	/* NumPy's S dtype may leave NUL padding: it is ignored */
	char padded[256];
	size_t n = strlen(json);
	memcpy(padded, json, n);
	memset(padded + n, 0, 5);
	is_int(dk_meta_parse(padded, n + 5, &m, err, sizeof err), DK_OK, "parses with NUL padding");
	is_str(dk_meta_name(m), "fp/x", "name");
	is_int(json_array_size(dk_meta_axes(m)), 2, "two axes");
	is_close(json_real_value(json_object_get(dk_meta_attrs(m), "tol")), 1e-10, 0, "attrs.tol");
	ok(json_object_get(dk_meta_json(m), "extra") != NULL, "unknown keys are kept");

	char *out;
	size_t len;
	dk_meta_set_name(m, "fp/y");
	dk_meta_dump(m, &out, &len);
	is_str(out, "{\"attrs\":{\"tol\":1e-10},\"axes\":[\"point\",\"unit\"],\"extra\":[1,2],\"name\":\"fp/y\"}",
	       "dump is compact with sorted keys");
	ok(len == strlen(out), "dump length");
	free(out);

	dk_meta *c = dk_meta_copy(m);
	dk_meta_set_attr(c, "seed", json_integer(7));
	ok(json_object_get(dk_meta_attrs(m), "seed") == NULL, "a copy is deep");
	dk_meta_free(c);
	dk_meta_free(m);

	m = dk_meta_new(NULL);
	ok(dk_meta_name(m) == NULL, "new metadata without a name");
	dk_meta_set_attr(m, "kind", json_string("rnn"));
	dk_meta_dump(m, &out, &len);
	is_str(out, "{\"attrs\":{\"kind\":\"rnn\"}}", "set_attr creates attrs");
	free(out);
	dk_meta_free(m);
	dk_meta_free(NULL);

	is_int(parses("{name: 1}", err), DK_EMETA, "not JSON");
	ok(strstr(err, "not JSON") != NULL, "says not JSON");
	is_int(parses("[1, 2]", err), DK_EMETA, "JSON array refused");
	ok(strstr(err, "not an object") != NULL, "says not an object");
	is_int(parses("{\"name\": 3}", err), DK_EMETA, "numeric name refused");
	is_int(parses("{\"axes\": [\"a\", 1]}", err), DK_EMETA, "non-string axis refused");
	is_int(parses("{\"attrs\": []}", err), DK_EMETA, "attrs must be an object");
	is_int(parses("{\"name\": \"a\", \"name\": \"b\"}", err), DK_EMETA, "duplicate keys refused");
	is_int(parses("{}", err), DK_OK, "empty object is fine");
	test_reals();
	return tap_done();
}
