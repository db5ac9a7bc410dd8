/*
 * tensor.h -- dense n-dimensional arrays, the unit every tool passes on.
 *
 * A dk_tensor is a C-order (row-major) array of one element type in the
 * machine's native little-endian layout, with up to DK_MAX_RANK axes.  Its
 * element types are exactly the dtypes of the stream (DESIGN.md section 4):
 * <f8, <f4, <c16, <i8, <i4, |u1, |b1, and |S<n> byte strings, which the
 * stream uses for metadata records.
 */
#ifndef DK_BASE_TENSOR_H
#define DK_BASE_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define DK_MAX_RANK 32 /* NumPy's own limit */

typedef enum {
	DK_F8,    /* double */
	DK_F4,    /* float */
	DK_C16,   /* double complex: re, im */
	DK_I8,    /* int64_t */
	DK_I4,    /* int32_t */
	DK_U1,    /* uint8_t */
	DK_B1,    /* bool stored as one byte, 0 or 1 */
	DK_BYTES, /* fixed-length byte string, itemsize bytes each */
	DK_NDTYPE
} dk_dtype;

typedef struct dk_tensor {
	dk_dtype dtype;
	size_t itemsize;           /* bytes per element */
	int rank;                  /* 0 for a scalar */
	size_t shape[DK_MAX_RANK]; /* shape[0..rank-1] */
	size_t count;              /* product of the shape; 1 for rank 0 */
	void *data;                /* owned; count * itemsize bytes */
} dk_tensor;

/* The NumPy descr of a dtype ("<f8", "|b1"); DK_BYTES gives "|S". */
const char *dk_dtype_descr(dk_dtype dtype);
/* The dtype's short name ("f8", "b1", "S"), as options spell it. */
const char *dk_dtype_name(dk_dtype dtype);
/* Look up a dtype by short name or descr; DK_EDTYPE if unknown. */
int dk_dtype_from_name(const char *name, dk_dtype *dtype);
/* Element size; 0 for DK_BYTES, whose size is per tensor. */
size_t dk_dtype_size(dk_dtype dtype);

/*
 * Product of shape[0..rank-1] into *count; DK_ELIMIT if it, or its size in
 * bytes at itemsize, would overflow size_t.
 */
int dk_shape_count(int rank, const size_t *shape, size_t itemsize,
                   size_t *count);

/*
 * The shape as Python writes a tuple: "()", "(5,)", "(3, 4)".  Returns
 * the length, truncating to fit cap as snprintf does.
 */
size_t dk_shape_format(char *buf, size_t cap, int rank, const size_t *shape);

/*
 * A new zero-filled tensor.  itemsize is only read for DK_BYTES.  Returns
 * NULL when out of memory or when the shape overflows.
 */
dk_tensor *dk_tensor_alloc(dk_dtype dtype, size_t itemsize, int rank,
                           const size_t *shape);
/* A new tensor of a fixed-size dtype holding a copy of data (its count
   elements); NULL as dk_tensor_alloc. */
dk_tensor *dk_tensor_from(dk_dtype dtype, int rank, const size_t *shape,
                          const void *data);
/* A new f8 tensor: 0-d holding v; 1-d holding the n values of v. */
dk_tensor *dk_tensor_scalar(double v);
dk_tensor *dk_tensor_vector(const double *v, size_t n);
void dk_tensor_free(dk_tensor *t);
size_t dk_tensor_nbytes(const dk_tensor *t);

/*
 * Element i (flat, C order) as a double; the real part for complex,
 * 0 for byte strings.
 */
double dk_tensor_get_real(const dk_tensor *t, size_t i);

/*
 * A new tensor holding t's values converted to dtype (numeric dtypes
 * only).  Converting complex to real keeps the real part; converting to an
 * integer type truncates toward zero and is DK_EINVAL for NaN, infinity or
 * values out of range; converting to b1 gives 1 for any nonzero value.
 */
int dk_tensor_convert(const dk_tensor *t, dk_dtype dtype, dk_tensor **out);
/* The same, with a message in err naming the tensor (name): out of
   memory and how much, or why the values do not convert. */
int dk_tensor_convert_named(const dk_tensor *t, dk_dtype dtype, dk_tensor **out,
                            const char *name, char *err, size_t errlen);

/* Summary statistics of a numeric tensor's finite elements. */
typedef struct dk_tensor_stats {
	size_t finite, nan, inf;  /* element counts */
	double min, max;          /* NaN when no element is finite */
	double mean, std;         /* std with divisor n (NumPy's default) */
} dk_tensor_stats;

/*
 * Statistics of t; complex elements are taken by modulus.  DK_EDTYPE
 * for byte strings.
 */
int dk_tensor_stats_compute(const dk_tensor *t, dk_tensor_stats *s);

/*
 * The (time, unit) plane of a sequence of states, as a raster: from t of
 * shape (time, batch, unit) -- or (time, unit), one batch element -- the
 * units first .. first + count - 1 of batch element b, as doubles in C
 * order, out[i * count + j] = t[i, b, first + j] (time * count values).
 * DK_EINVAL for another rank or a slice outside t; DK_EDTYPE for complex
 * or byte-string elements.
 */
int dk_tensor_plane(const dk_tensor *t, size_t b, size_t first, size_t count,
                    double *out);

#endif
