/*
 * writer.h -- write a stream of .npy records.
 *
 * Tensors are written in format 1.0, byte for byte as NumPy's np.save
 * writes them; a metadata record goes before each tensor that has a name
 * or attributes.  Output is buffered; large element blocks go straight
 * to the descriptor.
 */
#ifndef DK_STREAM_WRITER_H
#define DK_STREAM_WRITER_H

#include <stddef.h>

#include "base/tensor.h"
#include "stream/meta.h"

typedef struct dk_stream_writer dk_stream_writer;

/* A writer on fd (not owned).  NULL on ENOMEM. */
dk_stream_writer *dk_stream_writer_alloc(int fd);
/* Free without flushing; NULL is a no-op. */
void dk_stream_writer_free(dk_stream_writer *w);

int dk_stream_write_bytes(dk_stream_writer *w, const void *p, size_t n);
/* A metadata record holding m's JSON. */
int dk_stream_write_meta(dk_stream_writer *w, const dk_meta *m);
/* A metadata record holding len bytes of JSON text exactly as given. */
int dk_stream_write_meta_json(dk_stream_writer *w, const char *json,
                              size_t len);
/* A tensor record (no metadata). */
int dk_stream_write_tensor(dk_stream_writer *w, const dk_tensor *t);
/* A metadata record (when m is not NULL) and then the tensor. */
int dk_stream_write_named(dk_stream_writer *w, const dk_meta *m,
                          const dk_tensor *t);
/* Write buffered bytes to the descriptor. */
int dk_stream_writer_flush(dk_stream_writer *w);
/* errno of the last failed write, for messages. */
int dk_stream_writer_errno(const dk_stream_writer *w);

#endif
