/*
 * npy.h -- the header of one NumPy .npy record: parse it, format it.
 *
 * A record is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the
 * length of a header (2 bytes little-endian in 1.0, 4 bytes in 2.0 and
 * 3.0), the header -- a Python dict literal with the keys 'descr',
 * 'fortran_order' and 'shape', padded with spaces to a multiple of 64
 * bytes and ended by a newline -- and then the raw element bytes.
 * man/dk-stream.5 gives the grammar this parser accepts.
 */
#ifndef DK_STREAM_NPY_H
#define DK_STREAM_NPY_H

#include <stddef.h>

#include "base/tensor.h"

#define DK_NPY_MAGIC "\x93NUMPY"
#define DK_NPY_MAGIC_LEN 6
#define DK_NPY_PREFIX_MAX 12      /* magic, version, 4-byte length */
#define DK_NPY_HEADER_MAX 65536   /* longest header dict accepted */
#define DK_NPY_FORMAT_MAX 1536    /* longest header dk_npy_format writes */

typedef struct dk_npy_header {
	int major, minor;          /* format version */
	dk_dtype dtype;
	size_t itemsize;           /* bytes per element */
	int big_endian;            /* element bytes are big-endian */
	int fortran_order;         /* elements are in column-major order */
	int rank;
	size_t shape[DK_MAX_RANK];
	size_t count;              /* elements: product of the shape */
} dk_npy_header;

/*
 * The length of the prefix (magic, version, header length) for a version,
 * and from a complete prefix the version and the header length that
 * follows it.  DK_EFORMAT with a message in err for a bad magic or an
 * unknown version.
 */
int dk_npy_prefix_parse(const unsigned char *prefix, size_t avail,
                        size_t *prefix_len, size_t *dict_len,
                        int *major, int *minor, char *err, size_t errlen);

/*
 * Parse the header dict text (dict_len bytes, not NUL-terminated) into h,
 * which must already hold major and minor.  DK_EFORMAT for a malformed
 * dict, DK_EDTYPE for an element type the stream does not carry, and
 * DK_ELIMIT for a shape whose size overflows; err says which.
 */
int dk_npy_dict_parse(const char *dict, size_t dict_len, dk_npy_header *h,
                      char *err, size_t errlen);

/*
 * Write into buf (at least DK_NPY_FORMAT_MAX bytes) the complete format
 * 1.0 header -- prefix, dict, padding, newline -- that NumPy's np.save
 * writes for a C-order little-endian array of this type and shape; return
 * its length (a multiple of 64), or 0 if the type is unknown.
 */
size_t dk_npy_format(dk_dtype dtype, size_t itemsize, int rank,
                     const size_t *shape, char *buf);

#endif
