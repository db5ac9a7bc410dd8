/*
 * reader.h -- read a stream of .npy records, one tensor at a time.
 *
 * dk_stream_next() reads the next tensor's header, together with the
 * metadata record before it if there is one, and leaves the element bytes
 * unread: the caller then reads them as a tensor (converted to native
 * C order), copies them raw to a writer, or skips them.  Nothing is
 * allocated for a record until its header has passed every limit, so a
 * hostile header cannot make the reader allocate what it names.
 *
 *	dk_stream_reader *r = dk_stream_reader_alloc(fd, "model.npy");
 *	const dk_record *rec;
 *	while ((st = dk_stream_next(r, &rec)) == DK_OK && rec) {
 *		dk_tensor *t;
 *		st = dk_stream_read_tensor(r, &t);
 *		...
 *	}
 *	if (st)   the caller reports dk_stream_reader_error(r)
 */
#ifndef DK_STREAM_READER_H
#define DK_STREAM_READER_H

#include <stddef.h>

#include "base/tensor.h"
#include "stream/meta.h"
#include "stream/npy.h"

struct dk_stream_writer;

/* Default cap on the elements of one tensor: 2^30 (8 GiB of f8). */
#define DK_STREAM_MAX_ELEMENTS_DEFAULT ((size_t)1 << 30)
/* Cap on the bytes of one metadata record. */
#define DK_STREAM_MAX_META_BYTES ((size_t)16 << 20)

typedef struct dk_record {
	size_t index;          /* 0-based index of the tensor's .npy record
	                          in the stream; metadata records count too */
	size_t tensor_index;   /* 0-based index among the tensors */
	const char *name;      /* from the metadata, else "arr_<tensor_index>" */
	const dk_meta *meta;   /* NULL when no metadata record came first */
	dk_npy_header npy;     /* type, shape, byte order, version */
	/* The exact bytes read, for passing records on unchanged. */
	const unsigned char *meta_bytes;   /* whole metadata record, or NULL */
	size_t meta_nbytes;
	const char *meta_json;             /* its JSON text, NUL padding cut */
	size_t meta_json_len;
	const unsigned char *header_bytes; /* the tensor's .npy header */
	size_t header_nbytes;
} dk_record;

typedef struct dk_stream_reader dk_stream_reader;

/* A reader on fd (not owned); source names it in messages.  NULL on ENOMEM. */
dk_stream_reader *dk_stream_reader_alloc(int fd, const char *source);
/* A reader on the len bytes at buf (not owned: they must outlive the
   reader), e.g. one .npy file taken out of an archive. */
dk_stream_reader *dk_stream_reader_alloc_mem(const void *buf, size_t len,
                                             const char *source);
void dk_stream_reader_free(dk_stream_reader *r);

/*
 * Refuse tensors of more than max elements (default above); for byte
 * strings (|S<n>) the limit applies to their bytes.
 */
void dk_stream_reader_set_max_elements(dk_stream_reader *r, size_t max);

/*
 * Advance to the next tensor, skipping any unread bytes of the current
 * one.  *rec points into the reader and stays valid until the next call;
 * it is NULL at a clean end of stream (no bytes before a record).
 */
int dk_stream_next(dk_stream_reader *r, const dk_record **rec);

/* Read the current tensor's elements into a new tensor (native, C order). */
int dk_stream_read_tensor(dk_stream_reader *r, dk_tensor **out);

/*
 * The current tensor's data a block of rows at a time, without holding
 * the whole tensor: a row is one index along the first axis (a time step
 * of (time, ...) states).  dk_stream_read_rows reads the next nrows rows
 * into buf (nrows times the row's bytes), in native byte order;
 * dk_stream_read_rows_f8 converts them to doubles (any real dtype, as
 * dk_tensor_convert does).  nrows may be 0.  DK_EINVAL for a scalar, for
 * more rows than are left, or after dk_stream_read_tensor; DK_EFORMAT for
 * Fortran order (its first axis varies fastest, so a row is spread over
 * the whole record); DK_EDTYPE (the _f8 form) for complex or byte
 * strings; DK_ETRUNC, naming the record, when the stream ends first.
 * The rows left are then unread: dk_stream_next skips them.
 *
 *	size_t left;
 *	while ((left = dk_stream_rows_left(r)) > 0) {
 *		size_t m = k < left ? k : left;
 *		if ((st = dk_stream_read_rows_f8(r, block, m)))
 *			break;
 *		... m rows of dk_stream_row_elements(r) values in block
 *	}
 */
int dk_stream_read_rows(dk_stream_reader *r, void *buf, size_t nrows);
int dk_stream_read_rows_f8(dk_stream_reader *r, double *buf, size_t nrows);
/* The rows of the current tensor not yet read (0 without one, or for a
   scalar). */
size_t dk_stream_rows_left(const dk_stream_reader *r);
/* Elements in one row of the current tensor (0 without one). */
size_t dk_stream_row_elements(const dk_stream_reader *r);

/* Copy the current tensor's element bytes to w unchanged. */
int dk_stream_copy_data(dk_stream_reader *r, struct dk_stream_writer *w);

/* Skip the current tensor's element bytes. */
int dk_stream_skip_data(dk_stream_reader *r);

/* Take ownership of the current record's metadata (NULL if none). */
dk_meta *dk_stream_take_meta(dk_stream_reader *r);

/*
 * What went wrong, naming the record: "record 3 ('fp/x'): data truncated:
 * 96 of 800 bytes missing".  Empty after success.
 */
const char *dk_stream_reader_error(const dk_stream_reader *r);
/* Set what dk_stream_reader_error says, for a reader's caller that finds
   the stream wrong (as printf formats); returns status. */
int dk_stream_reader_fail(dk_stream_reader *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The source name given at alloc. */
const char *dk_stream_reader_source(const dk_stream_reader *r);

#endif
