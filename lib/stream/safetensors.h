/*
 * safetensors.h -- read a .safetensors file held in memory into a bundle.
 *
 * The format (Hugging Face's): an 8-byte little-endian header length N,
 * N bytes of a JSON object {name: {"dtype": ..., "shape": [...],
 * "data_offsets": [begin, end]}, ...} (with an optional "__metadata__"
 * object of strings, skipped), then the raw little-endian, C-order
 * element bytes, each tensor at [begin, end) counted from the end of the
 * header.  F64 and F32 tensors are read, as f8; any other dtype, a shape
 * whose size does not match its offsets, offsets past the end of the
 * data, or two tensors whose bytes overlap give DK_EFORMAT (DK_ETRUNC
 * for a file cut short, DK_ELIMIT for a tensor over max_elements), with
 * a message in err.
 */
#ifndef DK_STREAM_SAFETENSORS_H
#define DK_STREAM_SAFETENSORS_H

#include <stddef.h>

#include <jansson.h>

#include "stream/bundle.h"

/* Longest JSON header read (bytes). */
#define DK_SAFETENSORS_HEADER_MAX ((size_t)100 << 20)

/* Could buf be a .safetensors file (a plausible length, then '{')? */
int dk_safetensors_sniff(const unsigned char *buf, size_t len);

/* Add every tensor of the file, by its name, to b (as f8). */
int dk_safetensors_read(const unsigned char *buf, size_t len, size_t max_elements,
                        dk_bundle *b, char *err, size_t errlen);

/*
 * b's tensors (all f8) as a .safetensors file in a new buffer (*out, the
 * caller frees it, *len bytes): F64 entries in b's order, their bytes one
 * after another, the header padded with spaces to a multiple of 8 bytes.
 * metadata (may be NULL) becomes "__metadata__": an object whose values
 * must be strings.  DK_EDTYPE for a tensor that is not f8, DK_EINVAL for
 * a name "__metadata__" or metadata that is not strings.
 */
int dk_safetensors_write(const dk_bundle *b, json_t *metadata, unsigned char **out,
                         size_t *len, char *err, size_t errlen);

#endif
