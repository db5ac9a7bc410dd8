/*
 * idx.h -- read IDX files, the format of the MNIST family of datasets.
 *
 * An IDX file is a 4-byte magic number -- two zero bytes, a type code and
 * the number of dimensions -- then each dimension as a 32-bit big-endian
 * unsigned integer, then the elements, big-endian, in C order.  Files may
 * be gzip'd (as Debian ships them) or plain: zlib reads both.  The type
 * codes the stream can carry are read: 0x08 unsigned byte (u1), 0x0C
 * 32-bit integer (i4), 0x0D float (f4) and 0x0E double (f8); 0x09 signed
 * byte and 0x0B short have no stream dtype and are DK_EDTYPE.
 */
#ifndef DK_TRAIN_IDX_H
#define DK_TRAIN_IDX_H

#include <stddef.h>

#include "base/tensor.h"

/*
 * Read the IDX file at path into a new tensor (native byte order).
 * max_elements caps the elements the header may name (0: the stream's
 * default, DK_STREAM_MAX_ELEMENTS_DEFAULT), so a hostile header cannot
 * make the reader allocate what it names.  Errors, each with a message in
 * err naming the file: DK_ENOTFOUND when path does not exist, DK_EIO when
 * it cannot be opened or read, DK_EFORMAT for a bad magic number, a
 * corrupt gzip stream or bytes after the last element, DK_EDTYPE for a
 * type code with no stream dtype, DK_ELIMIT for a size over the cap, and
 * DK_ETRUNC when the file ends before the header or the data do.
 */
int dk_idx_read(const char *path, size_t max_elements, dk_tensor **out,
                char *err, size_t errlen);

#endif
