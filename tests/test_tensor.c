/*
 * test_tensor.c -- tensors: allocation, shape arithmetic, conversion and
 * statistics, against values worked out by hand.
 */
#include <config.h>

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static void test_shapes(void)
{
	size_t count, shape[3] = {2, 3, 4};
	is_int(dk_shape_count(3, shape, 8, &count), DK_OK, "2x3x4 counts");
	is_int(count, 24, "2x3x4 has 24 elements");
	size_t huge[2] = {(size_t)1 << 40, (size_t)1 << 40};
	is_int(dk_shape_count(2, huge, 1, &count), DK_ELIMIT, "2^80 elements overflow");
	size_t edge[1] = {SIZE_MAX / 8 + 1};
	is_int(dk_shape_count(1, edge, 8, &count), DK_ELIMIT, "bytes overflow at itemsize 8");
	size_t zero[2] = {0, SIZE_MAX};
	is_int(dk_shape_count(2, zero, 8, &count), DK_OK, "a zero axis never overflows");
	is_int(count, 0, "(0, SIZE_MAX) is empty");
	char buf[64];
	dk_shape_format(buf, sizeof buf, 0, shape);
	is_str(buf, "()", "rank 0 formats as ()");
	dk_shape_format(buf, sizeof buf, 1, shape);
	is_str(buf, "(2,)", "rank 1 formats as (2,)");
	dk_shape_format(buf, sizeof buf, 3, shape);
	is_str(buf, "(2, 3, 4)", "rank 3 formats as (2, 3, 4)");
	size_t n = dk_shape_format(buf, 4, 3, shape);
	ok(n == 9 && strlen(buf) == 3, "truncates like snprintf and returns the full length");
}

static void test_alloc(void)
{
	size_t shape[2] = {2, 3};
	dk_tensor *t = dk_tensor_alloc(DK_C16, 0, 2, shape);
	ok(t && t->count == 6 && t->itemsize == 16 && dk_tensor_nbytes(t) == 96,
	   "complex 2x3 tensor is 96 bytes");
	int zero = 1;
	for (size_t i = 0; i < dk_tensor_nbytes(t); i++)
		zero &= ((unsigned char *)t->data)[i] == 0;
	ok(zero, "new tensor is zero-filled");
	dk_tensor_free(t);
	dk_tensor_free(NULL);
	size_t huge[2] = {(size_t)1 << 40, (size_t)1 << 40};
	ok(dk_tensor_alloc(DK_F8, 0, 2, huge) == NULL, "overflowing shape gives NULL");
	size_t empty[1] = {0};
	t = dk_tensor_alloc(DK_F8, 0, 1, empty);
	ok(t && t->data && t->count == 0, "empty tensor has a valid data pointer");
	dk_tensor_free(t);
	dk_dtype d;
	ok(dk_dtype_from_name("c16", &d) == DK_OK && d == DK_C16, "c16 by name");
	ok(dk_dtype_from_name("<i4", &d) == DK_OK && d == DK_I4, "<i4 by descr");
	ok(dk_dtype_from_name("u2", &d) == DK_EDTYPE, "u2 unknown");
}

static void test_convert(void)
{
	size_t shape[1] = {5};
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 1, shape), *c;
	double v[5] = {-2.7, -0.5, 0.0, 1.9, 255.0};
	memcpy(t->data, v, sizeof v);
	ok(dk_tensor_convert(t, DK_I4, &c) == DK_OK, "f8 -> i4");
	int32_t want_i4[5] = {-2, 0, 0, 1, 255};
	ok(c && !memcmp(c->data, want_i4, sizeof want_i4), "truncates toward zero");
	dk_tensor_free(c);
	ok(dk_tensor_convert(t, DK_U1, &c) == DK_EINVAL && c == NULL, "negative to u1 refused");
	ok(dk_tensor_convert(t, DK_B1, &c) == DK_OK, "f8 -> b1");
	unsigned char want_b1[5] = {1, 1, 0, 1, 1};
	ok(c && !memcmp(c->data, want_b1, 5), "nonzero is true");
	dk_tensor_free(c);
	ok(dk_tensor_convert(t, DK_C16, &c) == DK_OK, "f8 -> c16");
	double complex z;
	memcpy(&z, (char *)c->data + 16 * 3, 16);
	ok(creal(z) == 1.9 && cimag(z) == 0, "real part kept, imaginary zero");
	dk_tensor_free(c);
	((double *)t->data)[0] = NAN;
	ok(dk_tensor_convert(t, DK_I8, &c) == DK_EINVAL, "NaN to i8 refused");
	dk_tensor_free(t);
	t = dk_tensor_alloc(DK_I8, 0, 1, shape);
	int64_t big = ((int64_t)1 << 62) + 1; /* not representable as a double */
	memcpy(t->data, &big, 8);
	ok(dk_tensor_convert(t, DK_I8, &c) == DK_OK && !memcmp(c->data, &big, 8),
	   "i8 -> i8 is exact beyond 2^53");
	dk_tensor_free(c);
	dk_tensor_free(t);
}

static void test_stats(void)
{
	size_t shape[1] = {6};
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 1, shape);
	double v[6] = {1, 2, NAN, 4, INFINITY, -INFINITY};
	memcpy(t->data, v, sizeof v);
	dk_tensor_stats s;
	ok(dk_tensor_stats_compute(t, &s) == DK_OK, "stats of f8");
	ok(s.finite == 3 && s.nan == 1 && s.inf == 2, "counts finite 3, nan 1, inf 2");
	ok(s.min == 1 && s.max == 4, "min 1, max 4 of finite values");
	is_close(s.mean, 7.0 / 3, 1e-15, "mean 7/3");
	/* deviations -4/3, -1/3, 5/3: sum of squares 42/9, over 3 */
	is_close(s.std, sqrt(42.0 / 27), 1e-15, "std sqrt(42/27) with divisor n");
	dk_tensor_free(t);
	/* a large offset: the two-pass formula keeps the variance */
	shape[0] = 3;
	t = dk_tensor_alloc(DK_F8, 0, 1, shape);
	double w[3] = {1e9 + 1, 1e9 + 2, 1e9 + 3};
	memcpy(t->data, w, sizeof w);
	dk_tensor_stats_compute(t, &s);
	is_close(s.std, sqrt(2.0 / 3), 1e-9, "std of 1e9+{1,2,3} is sqrt(2/3)");
	dk_tensor_free(t);
	t = dk_tensor_alloc(DK_C16, 0, 1, shape);
	double z[6] = {3, 4, 0, 0, -5, 12};
	memcpy(t->data, z, sizeof z);
	dk_tensor_stats_compute(t, &s);
	ok(s.min == 0 && s.max == 13 && s.mean == 6, "complex stats use the modulus (5, 0, 13)");
	dk_tensor_free(t);
	/* values near DBL_MAX: std of {-M, M} is M, though (2M)^2 overflows */
	shape[0] = 2;
	t = dk_tensor_alloc(DK_F8, 0, 1, shape);
	double m2[2] = {-DBL_MAX, DBL_MAX};
	memcpy(t->data, m2, sizeof m2);
	dk_tensor_stats_compute(t, &s);
	ok(s.mean == 0 && s.std == DBL_MAX, "std of {-DBL_MAX, DBL_MAX} is DBL_MAX, not inf");
	double m3[2] = {DBL_MAX, DBL_MAX};
	memcpy(t->data, m3, sizeof m3);
	dk_tensor_stats_compute(t, &s);
	ok(s.mean == DBL_MAX && s.std == 0, "mean of {DBL_MAX, DBL_MAX} does not overflow");
	dk_tensor_free(t);
}

/* The raster plane of states (time, batch, unit): t[i, b, u] = 100 i + 10 b + u. */
static void test_plane(void)
{
	size_t shape[3] = {3, 2, 4};
	dk_tensor *t = dk_tensor_alloc(DK_F4, 0, 3, shape);
	float *v = t->data;
	for (size_t i = 0; i < 3; i++)
		for (size_t b = 0; b < 2; b++)
			for (size_t u = 0; u < 4; u++)
				v[(i * 2 + b) * 4 + u] = (float)(100 * i + 10 * b + u);
	double out[12];
	ok(dk_tensor_plane(t, 1, 0, 4, out) == DK_OK, "the whole plane of batch 1");
	int same = 1;
	for (size_t i = 0; i < 3; i++)
		for (size_t u = 0; u < 4; u++)
			same &= out[i * 4 + u] == 100.0 * i + 10 + u;
	ok(same, "out[i, u] = t[i, 1, u] for every time and unit");
	/* a ring's channel: units 2..3 (channel 1 of 2 channels x 2 units) */
	ok(dk_tensor_plane(t, 0, 2, 2, out) == DK_OK, "channel 1 of batch 0");
	ok(out[0] == 2 && out[1] == 3 && out[2] == 102 && out[5] == 203,
	   "out[i, j] = t[i, 0, 2 + j]");
	is_int(dk_tensor_plane(t, 2, 0, 4, out), DK_EINVAL, "batch 2 of 2 is refused");
	is_int(dk_tensor_plane(t, 0, 3, 2, out), DK_EINVAL, "units 3..4 of 4 are refused");
	is_int(dk_tensor_plane(t, 0, 5, 0, out), DK_EINVAL, "a first unit past the end is refused");
	is_int(dk_tensor_plane(t, 0, (size_t)-1, 2, out), DK_EINVAL,
	       "first + count overflowing is refused");
	dk_tensor_free(t);
	/* rank 2: (time, unit), a single batch element */
	size_t s2[2] = {2, 3};
	t = dk_tensor_alloc(DK_F8, 0, 2, s2);
	double w[6] = {1, 2, 3, 4, 5, 6};
	memcpy(t->data, w, sizeof w);
	ok(dk_tensor_plane(t, 0, 1, 2, out) == DK_OK && out[0] == 2 && out[1] == 3 &&
	   out[2] == 5 && out[3] == 6, "(time, unit): units 1..2");
	is_int(dk_tensor_plane(t, 1, 0, 3, out), DK_EINVAL, "(time, unit) has only batch 0");
	dk_tensor_free(t);
	size_t s1[1] = {4};
	t = dk_tensor_alloc(DK_F8, 0, 1, s1);
	is_int(dk_tensor_plane(t, 0, 0, 1, out), DK_EINVAL, "rank 1 is refused");
	dk_tensor_free(t);
	t = dk_tensor_alloc(DK_C16, 0, 3, shape);
	is_int(dk_tensor_plane(t, 0, 0, 1, out), DK_EDTYPE, "complex is refused");
	dk_tensor_free(t);
}

/* dk_tensor_from, _scalar and _vector: copies of the data, of the shape */
static void test_from(void)
{
	double v[3] = {1.5, -2, 0x1p-1074};
	int64_t k[4] = {1, -2, INT64_MAX, INT64_MIN};
	size_t s2[2] = {2, 2};
	dk_tensor *a = dk_tensor_vector(v, 3), *b = dk_tensor_scalar(-0.0);
	dk_tensor *c = dk_tensor_from(DK_I8, 2, s2, k), *e = dk_tensor_vector(NULL, 0);
	ok(a && a->dtype == DK_F8 && a->rank == 1 && a->shape[0] == 3 &&
	   !memcmp(a->data, v, sizeof v) && a->data != (void *)v,
	   "vector: an f8 copy of its values");
	ok(b && b->rank == 0 && b->count == 1 && signbit(((double *)b->data)[0]),
	   "scalar: 0-d, the value to the bit (-0)");
	ok(c && c->dtype == DK_I8 && c->rank == 2 && !memcmp(c->data, k, sizeof k),
	   "from: any fixed-size dtype and shape");
	ok(e && e->count == 0, "an empty vector from no data");
	ok(!dk_tensor_from(DK_BYTES, 0, NULL, "x"), "bytes have no fixed size: refused");
	dk_tensor_free(a);
	dk_tensor_free(b);
	dk_tensor_free(c);
	dk_tensor_free(e);
}

int main(void)
{
	test_shapes();
	test_alloc();
	test_convert();
	test_stats();
	test_plane();
	test_from();
	return tap_done();
}
