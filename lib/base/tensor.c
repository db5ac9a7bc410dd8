/*
 * tensor.c -- allocation, element types and conversion of dk_tensor.
 */
#include <config.h>

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/tensor.h"

static const struct {
	const char *descr;
	const char *name;
	size_t size;
} dtype_table[DK_NDTYPE] = {
	[DK_F8] = {"<f8", "f8", 8},
	[DK_F4] = {"<f4", "f4", 4},
	[DK_C16] = {"<c16", "c16", 16},
	[DK_I8] = {"<i8", "i8", 8},
	[DK_I4] = {"<i4", "i4", 4},
	[DK_U1] = {"|u1", "u1", 1},
	[DK_B1] = {"|b1", "b1", 1},
	[DK_BYTES] = {"|S", "S", 0},
};

const char *dk_dtype_descr(dk_dtype dtype)
{
	return (unsigned)dtype < DK_NDTYPE ? dtype_table[dtype].descr : "?";
}

const char *dk_dtype_name(dk_dtype dtype)
{
	return (unsigned)dtype < DK_NDTYPE ? dtype_table[dtype].name : "?";
}

size_t dk_dtype_size(dk_dtype dtype)
{
	return (unsigned)dtype < DK_NDTYPE ? dtype_table[dtype].size : 0;
}

int dk_dtype_from_name(const char *name, dk_dtype *dtype)
{
	for (int d = 0; d < DK_NDTYPE; d++) {
		if (d == DK_BYTES)
			continue;
		if (!strcmp(name, dtype_table[d].name) ||
		    !strcmp(name, dtype_table[d].descr)) {
			*dtype = (dk_dtype)d;
			return DK_OK;
		}
	}
	return DK_EDTYPE;
}

int dk_shape_count(int rank, const size_t *shape, size_t itemsize,
                   size_t *count)
{
	size_t n = 1;
	for (int i = 0; i < rank; i++) {
		if (shape[i] != 0 && n > SIZE_MAX / shape[i])
			return DK_ELIMIT;
		n *= shape[i];
	}
	if (itemsize != 0 && n > SIZE_MAX / itemsize)
		return DK_ELIMIT;
	*count = n;
	return DK_OK;
}

size_t dk_shape_format(char *buf, size_t cap, int rank, const size_t *shape)
{
	size_t n = 0;
	int k;
#define APPEND(...) (k = snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, __VA_ARGS__), n += (size_t)k)
	APPEND("(");
	for (int i = 0; i < rank; i++)
		APPEND(i ? ", %zu" : "%zu", shape[i]);
	APPEND(rank == 1 ? ",)" : ")");
#undef APPEND
	return n;
}

dk_tensor *dk_tensor_alloc(dk_dtype dtype, size_t itemsize, int rank,
                           const size_t *shape)
{
	if ((unsigned)dtype >= DK_NDTYPE || rank < 0 || rank > DK_MAX_RANK)
		return NULL;
	if (dtype != DK_BYTES)
		itemsize = dtype_table[dtype].size;
	size_t count;
	if (dk_shape_count(rank, shape, itemsize, &count) != DK_OK)
		return NULL;
	dk_tensor *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->dtype = dtype;
	t->itemsize = itemsize;
	t->rank = rank;
	if (rank > 0)
		memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
	t->count = count;
	/* calloc(0) may return NULL; keep a valid pointer for empty tensors. */
	t->data = calloc(count * itemsize > 0 ? count * itemsize : 1, 1);
	if (!t->data) {
		free(t);
		return NULL;
	}
	return t;
}

dk_tensor *dk_tensor_from(dk_dtype dtype, int rank, const size_t *shape,
                          const void *data)
{
	dk_tensor *t = dtype == DK_BYTES ? NULL : dk_tensor_alloc(dtype, 0, rank, shape);
	if (t && t->count)
		memcpy(t->data, data, t->count * t->itemsize);
	return t;
}

dk_tensor *dk_tensor_scalar(double v)
{
	return dk_tensor_from(DK_F8, 0, NULL, &v);
}

dk_tensor *dk_tensor_vector(const double *v, size_t n)
{
	return dk_tensor_from(DK_F8, 1, &n, v);
}

void dk_tensor_free(dk_tensor *t)
{
	if (!t)
		return;
	free(t->data);
	free(t);
}

size_t dk_tensor_nbytes(const dk_tensor *t)
{
	return t->count * t->itemsize;
}

double dk_tensor_get_real(const dk_tensor *t, size_t i)
{
	const unsigned char *p = (const unsigned char *)t->data + i * t->itemsize;
	switch (t->dtype) {
	case DK_F8: { double v; memcpy(&v, p, 8); return v; }
	case DK_F4: { float v; memcpy(&v, p, 4); return v; }
	case DK_C16: { double v; memcpy(&v, p, 8); return v; }
	case DK_I8: { int64_t v; memcpy(&v, p, 8); return (double)v; }
	case DK_I4: { int32_t v; memcpy(&v, p, 4); return v; }
	case DK_U1: return *p;
	case DK_B1: return *p != 0;
	default: return 0.0;
	}
}

/* Element i as a complex number (imaginary part 0 for real types). */
static double complex get_complex(const dk_tensor *t, size_t i)
{
	if (t->dtype == DK_C16) { /* C11: same layout as double[2] */
		double complex z;
		memcpy(&z, (const unsigned char *)t->data + 16 * i, 16);
		return z;
	}
	return dk_tensor_get_real(t, i);
}

/* Store a real value into an integer slot, refusing what cannot fit. */
static int put_integer(double v, double lo, double hi, int64_t *out)
{
	if (!(v >= lo && v < hi)) /* also catches NaN */
		return DK_EINVAL;
	*out = (int64_t)v;
	return DK_OK;
}

int dk_tensor_convert_named(const dk_tensor *t, dk_dtype dtype, dk_tensor **out,
                            const char *name, char *err, size_t errlen)
{
	int st = dk_tensor_convert(t, dtype, out);
	if (st == DK_ENOMEM)
		return dk_errorf(st, err, errlen, "%s: out of memory for a copy as %s of its "
		                 "%zu elements (%zu bytes)", name, dk_dtype_name(dtype), t->count,
		                 t->count * dk_dtype_size(dtype));
	if (st)
		return dk_errorf(st, err, errlen, "%s: cannot convert %s to %s: %s", name,
		                 dk_dtype_name(t->dtype), dk_dtype_name(dtype), dk_strerror(st));
	return DK_OK;
}

int dk_tensor_convert(const dk_tensor *t, dk_dtype dtype, dk_tensor **out)
{
	*out = NULL;
	if (t->dtype == DK_BYTES || dtype == DK_BYTES ||
	    (unsigned)dtype >= DK_NDTYPE)
		return DK_EDTYPE;
	dk_tensor *r = dk_tensor_alloc(dtype, 0, t->rank, t->shape);
	if (!r)
		return DK_ENOMEM;
	if (dtype == t->dtype) { /* exact, even for int64 beyond 2^53 */
		memcpy(r->data, t->data, dk_tensor_nbytes(t));
		*out = r;
		return DK_OK;
	}
	unsigned char *q = r->data;
	for (size_t i = 0; i < t->count; i++) {
		double complex z = get_complex(t, i);
		double v = creal(z);
		int64_t k = 0;
		int st = DK_OK;
		switch (dtype) {
		case DK_F8: memcpy(q + 8 * i, &v, 8); break;
		case DK_F4: { float f = (float)v; memcpy(q + 4 * i, &f, 4); break; }
		case DK_C16: { double c[2] = {creal(z), cimag(z)}; memcpy(q + 16 * i, c, 16); break; }
		case DK_I8:
			st = put_integer(trunc(v), -0x1p63, 0x1p63, &k);
			memcpy(q + 8 * i, &k, 8);
			break;
		case DK_I4: {
			st = put_integer(trunc(v), -0x1p31, 0x1p31, &k);
			int32_t k4 = (int32_t)k;
			memcpy(q + 4 * i, &k4, 4);
			break;
		}
		case DK_U1:
			st = put_integer(trunc(v), 0, 256, &k);
			q[i] = (unsigned char)k;
			break;
		case DK_B1: q[i] = (z != 0); break;
		default: st = DK_EDTYPE;
		}
		if (st != DK_OK) {
			dk_tensor_free(r);
			return st;
		}
	}
	*out = r;
	return DK_OK;
}

/* Element i as the real number the statistics are taken of. */
static double stats_value(const dk_tensor *t, size_t i)
{
	return t->dtype == DK_C16 ? cabs(get_complex(t, i)) : dk_tensor_get_real(t, i);
}

int dk_tensor_stats_compute(const dk_tensor *t, dk_tensor_stats *s)
{
	if (t->dtype == DK_BYTES || (unsigned)t->dtype >= DK_NDTYPE)
		return DK_EDTYPE;
	*s = (dk_tensor_stats){.min = NAN, .max = NAN, .mean = NAN, .std = NAN};
	for (size_t i = 0; i < t->count; i++) {
		double v = stats_value(t, i);
		if (isnan(v)) {
			s->nan++;
		} else if (isinf(v)) {
			s->inf++;
		} else {
			if (s->finite == 0 || v < s->min)
				s->min = v;
			if (s->finite == 0 || v > s->max)
				s->max = v;
			s->finite++;
		}
	}
	if (s->finite == 0)
		return DK_OK;
	double n = (double)s->finite, big = fmax(fabs(s->min), fabs(s->max));
	/* Sum v / n where the plain sum could overflow (values near DBL_MAX) */
	double divide = big < DBL_MAX / n ? 1 : n, sum = 0;
	for (size_t i = 0; i < t->count; i++) {
		double v = stats_value(t, i);
		if (isfinite(v))
			sum += v / divide;
	}
	double mean = divide == 1 ? sum / n : sum;
	/* Half deviations cannot overflow; dividing them by the largest keeps
	   their squares finite without losing relative precision. */
	double dmax = 0;
	for (size_t i = 0; i < t->count; i++) {
		double v = stats_value(t, i);
		if (isfinite(v))
			dmax = fmax(dmax, fabs(0.5 * v - 0.5 * mean));
	}
	s->mean = mean;
	s->std = 0;
	if (dmax == 0)
		return DK_OK;
	/* the corrected two-pass algorithm: comp removes the error in mean */
	double ss = 0, comp = 0;
	for (size_t i = 0; i < t->count; i++) {
		double v = stats_value(t, i);
		if (isfinite(v)) {
			double q = (0.5 * v - 0.5 * mean) / dmax;
			ss += q * q;
			comp += q;
		}
	}
	s->std = 2 * dmax * sqrt(fmax(0.0, (ss - comp * comp / n) / n));
	return DK_OK;
}

int dk_tensor_plane(const dk_tensor *t, size_t b, size_t first, size_t count,
                    double *out)
{
	if (t->dtype == DK_C16 || t->dtype == DK_BYTES)
		return DK_EDTYPE;
	if (t->rank != 2 && t->rank != 3)
		return DK_EINVAL;
	size_t T = t->shape[0];
	size_t B = t->rank == 3 ? t->shape[1] : 1;
	size_t U = t->shape[t->rank - 1];
	if (b >= B || first > U || count > U - first)
		return DK_EINVAL;
	for (size_t i = 0; i < T; i++) {
		size_t row = (i * B + b) * U + first;
		for (size_t j = 0; j < count; j++)
			out[i * count + j] = dk_tensor_get_real(t, row + j);
	}
	return DK_OK;
}
