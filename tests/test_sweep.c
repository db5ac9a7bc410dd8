/*
 * test_sweep.c -- a sweep's parameter stream checked and its rows
 * stacked (lib/stream/sweep.h): the forms refused, each with the name in
 * its message; rows of one shape stacked in order with a first axis
 * "row" and row 0's attrs plus "sweep", the parameters echoed under the
 * prefix; a row of another shape, name or count refused, naming it.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static const char *const ALLOWED[] = {"gain", "a"};

/* A bundle of one tensor name (f8, shape) holding v. */
static dk_bundle *one(const char *name, int rank, const size_t *shape,
                      const double *v)
{
	dk_bundle *b = dk_bundle_alloc();
	dk_bundle_add(b, name, NULL, dk_tensor_from(DK_F8, rank, shape, v));
	return b;
}

static int check(dk_bundle *p, size_t *rows, char *err, size_t errlen)
{
	int st = dk_sweep_params_check(p, ALLOWED, 2, rows, err, errlen);
	dk_bundle_free(p);
	return st;
}

static void test_params(void)
{
	char err[256];
	size_t rows = 0, s3[1] = {3}, s32[2] = {3, 2}, s2[1] = {2};
	double v[6] = {1, 2, 3, 4, 5, 6};
	dk_bundle *p = one("gain", 1, s3, v);
	dk_bundle_add(p, "a", NULL, dk_tensor_from(DK_F8, 2, s32, v));
	ok(!check(p, &rows, err, sizeof err) && rows == 3,
	   "gain (3) and a (3, 2): 3 rows");
	const size_t *sh = s32;
	dk_tensor *t = dk_tensor_from(DK_F8, 2, sh, v);
	size_t k;
	const double *r = dk_sweep_param_row(t, 2, &k);
	ok(k == 2 && r[0] == 5 && r[1] == 6, "row 2 of a (3, 2) is its last two values");
	dk_tensor_free(t);

	p = one("gain", 1, s3, v);
	dk_bundle_add(p, "a", NULL, dk_tensor_from(DK_F8, 1, s2, v));
	ok(check(p, &rows, err, sizeof err) == DK_EINVAL && strstr(err, "a: 2 rows"),
	   "rows of different counts refused: %s", err);
	ok(check(one("tau", 1, s3, v), &rows, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "'tau'"), "a name not allowed refused: %s", err);
	ok(check(dk_bundle_alloc(), &rows, err, sizeof err) == DK_EINVAL,
	   "no tensor refused: %s", err);
	double nan[3] = {1, NAN, 3};
	ok(check(one("gain", 1, s3, nan), &rows, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "row 1"), "a NaN refused, its row named: %s", err);
	p = dk_bundle_alloc();
	int64_t iv[3] = {1, 2, 3};
	dk_bundle_add(p, "gain", NULL, dk_tensor_from(DK_I8, 1, s3, iv));
	ok(check(p, &rows, err, sizeof err) == DK_EINVAL && strstr(err, "<i8"),
	   "an i8 tensor refused: %s", err);
	size_t s0[1] = {0}, s30[2] = {3, 0}, s311[3] = {3, 1, 1};
	ok(check(one("gain", 1, s0, v), &rows, err, sizeof err) == DK_EINVAL,
	   "no rows refused: %s", err);
	ok(check(one("gain", 2, s30, v), &rows, err, sizeof err) == DK_EINVAL,
	   "rows of no value refused: %s", err);
	ok(check(one("gain", 3, s311, v), &rows, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "rank 3"), "rank 3 refused: %s", err);
	ok(check(one("gain", 0, NULL, v), &rows, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "rank 0"), "rank 0 refused: %s", err);
}

/* The records of one solve: x (2) holding row, row + 1; y 0-d. */
static dk_bundle *solve(double row, int other_shape)
{
	static const char *const axes[1] = {"unit"};
	double v[3] = {row, row + 1, row + 2};
	size_t n = other_shape ? 3 : 2;
	dk_bundle *b = dk_bundle_alloc();
	json_t *attrs = json_pack("{s:f}", "gain", row);
	dk_bundle_add_record(b, "r/x", dk_tensor_vector(v, n), axes, 1, attrs);
	dk_bundle_add_record(b, "r/y", dk_tensor_scalar(10 * row), NULL, 0, attrs);
	json_decref(attrs);
	return b;
}

static void test_stack(void)
{
	char err[256];
	size_t s3[1] = {3};
	double g[3] = {0, 1, 2};
	dk_bundle *p = one("gain", 1, s3, g);
	dk_sweep *s = dk_sweep_alloc(3);
	dk_bundle *b = solve(1, 0);
	ok(dk_sweep_add(s, 1, b, err, sizeof err) == DK_EINVAL,
	   "row 1 before row 0 refused: %s", err);
	dk_bundle_free(b);
	int st = 0;
	for (int r = 0; r < 3; r++) {
		b = solve(r, 0);
		st |= dk_sweep_add(s, (size_t)r, b, err, sizeof err);
		dk_bundle_free(b);
	}
	ok(!st, "three rows of one shape stacked");
	dk_bundle *out = dk_bundle_alloc();
	ok(!dk_sweep_to_bundle(s, p, "sweep/", out), "to records");
	const dk_tensor *x = dk_bundle_get(out, "r/x"), *y = dk_bundle_get(out, "r/y");
	const double *xv = x ? x->data : NULL, *yv = y ? y->data : NULL;
	ok(x && x->rank == 2 && x->shape[0] == 3 && x->shape[1] == 2 &&
	   xv[0] == 0 && xv[1] == 1 && xv[4] == 2 && xv[5] == 3,
	   "r/x is (row, unit), row r holding r's values");
	ok(y && y->rank == 1 && y->shape[0] == 3 && yv[2] == 20, "r/y is (row)");
	json_t *axes = dk_meta_axes(dk_bundle_meta(out, (size_t)dk_bundle_find(out, "r/x")));
	ok(json_array_size(axes) == 2 &&
	   !strcmp(json_string_value(json_array_get(axes, 0)), "row") &&
	   !strcmp(json_string_value(json_array_get(axes, 1)), "unit"),
	   "axes row, unit");
	json_t *attrs = dk_meta_attrs(dk_bundle_meta(out, (size_t)dk_bundle_find(out, "r/y")));
	ok(json_real_value(json_object_get(attrs, "gain")) == 0 &&
	   json_integer_value(json_object_get(json_object_get(attrs, "sweep"),
	                                      "rows")) == 3,
	   "row 0's attrs, and sweep.rows");
	const dk_tensor *e = dk_bundle_get(out, "sweep/gain");
	ok(e && e->rank == 1 && ((const double *)e->data)[2] == 2,
	   "the parameter echoed as sweep/gain");
	dk_bundle_free(out);
	dk_sweep_free(s);

	s = dk_sweep_alloc(3);
	b = solve(0, 0);
	dk_sweep_add(s, 0, b, err, sizeof err);
	dk_bundle_free(b);
	b = solve(1, 1);
	ok(dk_sweep_add(s, 1, b, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "row 1: r/x is <f8 (3,), row 0's was <f8 (2,)"),
	   "a row of another shape refused: %s", err);
	dk_bundle_free(b);
	b = solve(1, 0);
	dk_bundle_add(b, "r/z", NULL, dk_tensor_scalar(1));
	ok(dk_sweep_add(s, 1, b, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "3 records"), "a row of more records refused: %s", err);
	dk_bundle_free(b);
	out = dk_bundle_alloc();
	ok(dk_sweep_to_bundle(s, p, "sweep/", out) == DK_EINVAL,
	   "records before every row is in refused");
	dk_bundle_free(out);
	dk_sweep_free(s);
	dk_sweep_free(NULL);
	dk_bundle_free(p);
}

int main(void)
{
	test_params();
	test_stack();
	return tap_done();
}
