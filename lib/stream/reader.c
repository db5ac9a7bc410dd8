/*
 * reader.c -- buffered reading of .npy records from a file descriptor.
 *
 * Every length read from the input is checked against a limit before it
 * is used to allocate: the header against 64 KiB, a metadata record
 * against DK_STREAM_MAX_META_BYTES, a tensor against the element cap.
 * Messages name the record by its 0-based index in the stream.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "stream/reader.h"
#include "stream/writer.h"

#define READ_BUFFER (1u << 20)

/* A growable byte array holding the raw bytes of a record's header. */
typedef struct {
	unsigned char *p; /* owned */
	size_t len, cap;
} bytes;

struct dk_stream_reader {
	int fd;              /* not owned; -1 when reading memory */
	const unsigned char *mem; /* not owned: the bytes of a memory reader */
	size_t mem_len, mem_pos;
	char *source;        /* owned */
	unsigned char *buf;  /* owned, READ_BUFFER bytes */
	size_t pos, len;     /* unread bytes are buf[pos..len) */
	int read_errno;      /* errno of a failed read(2), else 0 */
	size_t max_elements;
	size_t next_record;  /* index of the next .npy record */
	size_t tensors;      /* tensors returned so far */
	dk_record rec;       /* the current tensor */
	int have_rec;
	size_t data_left;    /* unread element bytes of the current tensor */
	size_t rows_left;    /* rows of it dk_stream_read_rows may still read */
	dk_meta *meta;       /* owned: the current tensor's metadata */
	char *name;          /* owned: the current tensor's name */
	bytes meta_raw;      /* raw metadata record before the tensor */
	size_t meta_json_off; /* where the JSON starts in meta_raw */
	size_t meta_json_len;
	bytes header_raw;    /* raw header of the current tensor */
	char err[1024];
};

static int set_error(dk_stream_reader *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return status;
}

int dk_stream_reader_fail(dk_stream_reader *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return status;
}

dk_stream_reader *dk_stream_reader_alloc(int fd, const char *source)
{
	dk_stream_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fd = fd;
	r->max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT;
	r->source = strdup(source ? source : "-");
	r->buf = malloc(READ_BUFFER);
	if (!r->source || !r->buf) {
		dk_stream_reader_free(r);
		return NULL;
	}
	return r;
}

dk_stream_reader *dk_stream_reader_alloc_mem(const void *buf, size_t len,
                                             const char *source)
{
	dk_stream_reader *r = dk_stream_reader_alloc(-1, source);
	if (r) {
		r->mem = buf;
		r->mem_len = buf ? len : 0;
	}
	return r;
}

void dk_stream_reader_free(dk_stream_reader *r)
{
	if (!r)
		return;
	dk_meta_free(r->meta);
	free(r->name);
	free(r->meta_raw.p);
	free(r->header_raw.p);
	free(r->buf);
	free(r->source);
	free(r);
}

void dk_stream_reader_set_max_elements(dk_stream_reader *r, size_t max)
{
	r->max_elements = max;
}

const char *dk_stream_reader_error(const dk_stream_reader *r)
{
	return r->err;
}

const char *dk_stream_reader_source(const dk_stream_reader *r)
{
	return r->source;
}

/* Make input available in the buffer; returns the number of bytes there. */
static size_t fill(dk_stream_reader *r)
{
	if (r->pos < r->len)
		return r->len - r->pos;
	r->pos = r->len = 0;
	if (r->fd < 0) {
		size_t k = r->mem_len - r->mem_pos;
		if (k > READ_BUFFER)
			k = READ_BUFFER;
		if (k)
			memcpy(r->buf, r->mem + r->mem_pos, k);
		r->mem_pos += k;
		r->len = k;
		return k;
	}
	for (;;) {
		ssize_t k = read(r->fd, r->buf, READ_BUFFER);
		if (k >= 0) {
			r->len = (size_t)k;
			return r->len;
		}
		if (errno != EINTR) {
			r->read_errno = errno;
			return 0;
		}
	}
}

/* Read up to n bytes into dst (NULL discards them); returns the count. */
static size_t read_upto(dk_stream_reader *r, void *dst, size_t n)
{
	size_t got = 0;
	while (got < n) {
		size_t avail = fill(r);
		if (avail == 0)
			break;
		size_t k = n - got < avail ? n - got : avail;
		if (dst)
			memcpy((unsigned char *)dst + got, r->buf + r->pos, k);
		r->pos += k;
		got += k;
	}
	return got;
}

static int bytes_reserve(bytes *b, size_t n)
{
	if (n <= b->cap)
		return DK_OK;
	unsigned char *p = realloc(b->p, n);
	if (!p)
		return DK_ENOMEM;
	b->p = p;
	b->cap = n;
	return DK_OK;
}

/* Append n input bytes to b; DK_ETRUNC (message left to the caller) if short. */
static int read_into(dk_stream_reader *r, bytes *b, size_t n, size_t *got)
{
	int st = bytes_reserve(b, b->len + n);
	if (st)
		return st;
	*got = read_upto(r, b->p + b->len, n);
	b->len += *got;
	if (r->read_errno)
		return DK_EIO;
	return *got == n ? DK_OK : DK_ETRUNC;
}

static int io_error(dk_stream_reader *r, size_t record)
{
	return set_error(r, DK_EIO, "record %zu: read error: %s", record,
	                 strerror(r->read_errno));
}

/*
 * Read one record's header into raw and h.  *end is set at a clean end of
 * stream (no byte before the record).
 */
static int read_header(dk_stream_reader *r, bytes *raw, dk_npy_header *h,
                       int *end)
{
	size_t idx = r->next_record, got;
	char msg[512];
	raw->len = 0;
	*end = 0;
	memset(h, 0, sizeof *h);
	int st = read_into(r, raw, 8, &got);
	if (st == DK_EIO)
		return io_error(r, idx);
	if (got == 0) {
		*end = 1;
		return DK_OK;
	}
	if (memcmp(raw->p, DK_NPY_MAGIC, got < DK_NPY_MAGIC_LEN ? got : DK_NPY_MAGIC_LEN))
		return set_error(r, DK_EFORMAT, "record %zu: not a .npy record (bad magic bytes)", idx);
	if (st)
		return set_error(r, DK_ETRUNC, "record %zu: truncated header: stream ends after %zu bytes of the record",
		                 idx, got);
	/* 8 bytes give the version, which says whether 2 or 4 length bytes follow */
	size_t prefix_len = raw->p[6] == 1 ? 10 : 12, dict_len;
	if (raw->p[6] >= 1 && raw->p[6] <= 3) {
		st = read_into(r, raw, prefix_len - 8, &got);
		if (st == DK_EIO)
			return io_error(r, idx);
		if (st)
			return set_error(r, DK_ETRUNC, "record %zu: truncated header: stream ends after %zu of %zu prefix bytes",
			                 idx, 8 + got, prefix_len);
	}
	st = dk_npy_prefix_parse(raw->p, raw->len, &prefix_len, &dict_len,
	                         &h->major, &h->minor, msg, sizeof msg);
	if (st)
		return set_error(r, st, "record %zu: %s", idx, msg);
	if (dict_len > DK_NPY_HEADER_MAX)
		return set_error(r, DK_ELIMIT, "record %zu: header of %zu bytes exceeds the limit of %d",
		                 idx, dict_len, DK_NPY_HEADER_MAX);
	st = read_into(r, raw, dict_len, &got);
	if (st == DK_EIO)
		return io_error(r, idx);
	if (st == DK_ENOMEM)
		return set_error(r, st, "record %zu: out of memory", idx);
	if (st)
		return set_error(r, DK_ETRUNC, "record %zu: truncated header: %zu of %zu bytes missing",
		                 idx, dict_len - got, dict_len);
	st = dk_npy_dict_parse((const char *)raw->p + prefix_len, dict_len, h,
	                       msg, sizeof msg);
	if (st)
		return set_error(r, st, "record %zu: %s", idx, msg);
	return DK_OK;
}

static int is_meta_record(const dk_npy_header *h)
{
	return h->dtype == DK_BYTES && h->rank == 0;
}

/* Read the element bytes of a metadata record and parse them. */
static int read_meta(dk_stream_reader *r, const dk_npy_header *h, size_t idx)
{
	char msg[512];
	size_t got;
	if (h->itemsize > DK_STREAM_MAX_META_BYTES)
		return set_error(r, DK_ELIMIT, "record %zu: metadata of %zu bytes exceeds the limit of %zu",
		                 idx, h->itemsize, DK_STREAM_MAX_META_BYTES);
	r->meta_raw.len = 0;
	int st = bytes_reserve(&r->meta_raw, r->header_raw.len + h->itemsize);
	if (st)
		return set_error(r, st, "record %zu: out of memory", idx);
	memcpy(r->meta_raw.p, r->header_raw.p, r->header_raw.len);
	r->meta_raw.len = r->header_raw.len;
	st = read_into(r, &r->meta_raw, h->itemsize, &got);
	if (st == DK_EIO)
		return io_error(r, idx);
	if (st)
		return set_error(r, DK_ETRUNC, "record %zu: metadata truncated: %zu of %zu bytes missing",
		                 idx, h->itemsize - got, h->itemsize);
	r->meta_json_off = r->header_raw.len;
	r->meta_json_len = h->itemsize;
	while (r->meta_json_len > 0 &&
	       r->meta_raw.p[r->meta_json_off + r->meta_json_len - 1] == '\0')
		r->meta_json_len--;
	st = dk_meta_parse(r->meta_raw.p + r->meta_json_off, r->meta_json_len,
	                   &r->meta, msg, sizeof msg);
	if (st)
		return set_error(r, st, "record %zu: %s", idx, msg);
	return DK_OK;
}

static void clear_current(dk_stream_reader *r)
{
	dk_meta_free(r->meta);
	r->meta = NULL;
	free(r->name);
	r->name = NULL;
	r->meta_raw.len = 0;
	r->have_rec = 0;
	r->data_left = 0;
	r->rows_left = 0;
}

int dk_stream_next(dk_stream_reader *r, const dk_record **rec)
{
	*rec = NULL;
	r->err[0] = '\0';
	if (r->have_rec) {
		int st = dk_stream_skip_data(r);
		if (st)
			return st;
	}
	clear_current(r);
	size_t meta_index = 0;
	for (;;) {
		dk_npy_header h;
		int end;
		size_t idx = r->next_record;
		int st = read_header(r, &r->header_raw, &h, &end);
		if (st)
			return st;
		if (end) {
			if (r->meta)
				return set_error(r, DK_EFORMAT, "record %zu: metadata record has no tensor after it",
				                 meta_index);
			return DK_OK;
		}
		r->next_record++;
		if (is_meta_record(&h)) {
			if (r->meta)
				return set_error(r, DK_EFORMAT, "record %zu: metadata record has no tensor after it (record %zu is metadata too)",
				                 meta_index, idx);
			meta_index = idx;
			if ((st = read_meta(r, &h, idx)))
				return st;
			continue;
		}
		const char *mname = r->meta ? dk_meta_name(r->meta) : NULL;
		char fallback[48];
		snprintf(fallback, sizeof fallback, "arr_%zu", r->tensors);
		if (!(r->name = strdup(mname ? mname : fallback)))
			return set_error(r, DK_ENOMEM, "record %zu: out of memory", idx);
		if (h.count > r->max_elements)
			return set_error(r, DK_ELIMIT, "record %zu ('%s'): %zu elements exceed the limit of %zu",
			                 idx, r->name, h.count, r->max_elements);
		/* a byte string is as long as its header says: count its bytes */
		if (h.dtype == DK_BYTES && h.count * h.itemsize > r->max_elements)
			return set_error(r, DK_ELIMIT, "record %zu ('%s'): %zu bytes of strings exceed the limit of %zu",
			                 idx, r->name, h.count * h.itemsize, r->max_elements);
		r->rec = (dk_record){
			.index = idx,
			.tensor_index = r->tensors++,
			.name = r->name,
			.meta = r->meta,
			.npy = h,
			.meta_bytes = r->meta ? r->meta_raw.p : NULL,
			.meta_nbytes = r->meta ? r->meta_raw.len : 0,
			.meta_json = r->meta ? (const char *)r->meta_raw.p + r->meta_json_off : NULL,
			.meta_json_len = r->meta ? r->meta_json_len : 0,
			.header_bytes = r->header_raw.p,
			.header_nbytes = r->header_raw.len,
		};
		r->have_rec = 1;
		r->data_left = h.count * h.itemsize;
		r->rows_left = h.rank > 0 ? h.shape[0] : 0;
		*rec = &r->rec;
		return DK_OK;
	}
}

static int data_truncated(dk_stream_reader *r, size_t missing)
{
	size_t total = r->rec.npy.count * r->rec.npy.itemsize;
	if (r->read_errno)
		return io_error(r, r->rec.index);
	return set_error(r, DK_ETRUNC, "record %zu ('%s'): data truncated: %zu of %zu bytes missing",
	                 r->rec.index, r->rec.name, missing, total);
}

static void byteswap(unsigned char *p, size_t count, size_t width)
{
	for (size_t i = 0; i < count; i++, p += width)
		for (size_t a = 0, b = width - 1; a < b; a++, b--) {
			unsigned char t = p[a];
			p[a] = p[b];
			p[b] = t;
		}
}

/* Reorder column-major elements into row-major order. */
static int fortran_to_c(dk_tensor *t)
{
	if (t->rank < 2 || t->count == 0)
		return DK_OK;
	size_t w = t->itemsize, idx[DK_MAX_RANK] = {0}, stride[DK_MAX_RANK];
	unsigned char *src = t->data, *dst = malloc(t->count * w);
	if (!dst)
		return DK_ENOMEM;
	stride[0] = 1;
	for (int k = 1; k < t->rank; k++)
		stride[k] = stride[k - 1] * t->shape[k - 1];
	for (size_t i = 0; i < t->count; i++) {
		size_t off = 0;
		for (int k = 0; k < t->rank; k++)
			off += idx[k] * stride[k];
		memcpy(dst + i * w, src + off * w, w);
		for (int k = t->rank - 1; k >= 0; k--) { /* next C-order index */
			if (++idx[k] < t->shape[k])
				break;
			idx[k] = 0;
		}
	}
	free(src);
	t->data = dst;
	return DK_OK;
}

int dk_stream_read_tensor(dk_stream_reader *r, dk_tensor **out)
{
	*out = NULL;
	if (!r->have_rec)
		return set_error(r, DK_EINVAL, "no current tensor to read");
	const dk_npy_header *h = &r->rec.npy;
	size_t total = h->count * h->itemsize;
	if (r->data_left != total)
		return set_error(r, DK_EINVAL, "record %zu ('%s'): data already consumed",
		                 r->rec.index, r->rec.name);
	r->rows_left = 0;
	dk_tensor *t = dk_tensor_alloc(h->dtype, h->itemsize, h->rank, h->shape);
	if (!t)
		return set_error(r, DK_ENOMEM, "record %zu ('%s'): out of memory for %zu bytes",
		                 r->rec.index, r->rec.name, total);
	size_t got = read_upto(r, t->data, total);
	r->data_left -= got;
	if (got < total) {
		dk_tensor_free(t);
		return data_truncated(r, total - got);
	}
	if (h->big_endian) {
		/* a complex number is two doubles, each swapped on its own */
		size_t width = h->dtype == DK_C16 ? 8 : h->itemsize;
		byteswap(t->data, total / width, width);
	}
	if (h->fortran_order && fortran_to_c(t) != DK_OK) {
		dk_tensor_free(t);
		return set_error(r, DK_ENOMEM, "record %zu ('%s'): out of memory",
		                 r->rec.index, r->rec.name);
	}
	*out = t;
	return DK_OK;
}

int dk_stream_copy_data(dk_stream_reader *r, dk_stream_writer *w)
{
	r->rows_left = 0;
	while (r->data_left > 0) {
		size_t avail = fill(r);
		if (avail == 0)
			return data_truncated(r, r->data_left);
		size_t k = r->data_left < avail ? r->data_left : avail;
		int st = dk_stream_write_bytes(w, r->buf + r->pos, k);
		if (st)
			return set_error(r, st, "write error: %s",
			                 strerror(dk_stream_writer_errno(w)));
		r->pos += k;
		r->data_left -= k;
	}
	return DK_OK;
}

int dk_stream_skip_data(dk_stream_reader *r)
{
	r->rows_left = 0;
	size_t got = read_upto(r, NULL, r->data_left);
	r->data_left -= got;
	if (r->data_left > 0)
		return data_truncated(r, r->data_left);
	return DK_OK;
}

size_t dk_stream_rows_left(const dk_stream_reader *r)
{
	return r->have_rec ? r->rows_left : 0;
}

size_t dk_stream_row_elements(const dk_stream_reader *r)
{
	const dk_npy_header *h = &r->rec.npy;
	size_t count;
	/* the axes after the first: their product fits, unless the first is
	   0 and the record holds nothing */
	if (!r->have_rec || h->rank < 1 ||
	    dk_shape_count(h->rank - 1, h->shape + 1, h->itemsize, &count))
		return 0;
	return count;
}

int dk_stream_read_rows(dk_stream_reader *r, void *buf, size_t nrows)
{
	if (!r->have_rec)
		return set_error(r, DK_EINVAL, "no current tensor to read");
	const dk_npy_header *h = &r->rec.npy;
	if (h->rank < 1)
		return set_error(r, DK_EINVAL, "record %zu ('%s'): a scalar has no rows",
		                 r->rec.index, r->rec.name);
	if (h->fortran_order && h->rank > 1)
		return set_error(r, DK_EFORMAT, "record %zu ('%s'): in Fortran order, "
		                 "which cannot be read a row at a time",
		                 r->rec.index, r->rec.name);
	if (nrows > r->rows_left)
		return set_error(r, DK_EINVAL, "record %zu ('%s'): %zu rows asked for, "
		                 "%zu left", r->rec.index, r->rec.name, nrows,
		                 r->rows_left);
	/* within the record's bytes, which dk_stream_next found to fit */
	size_t nbytes = nrows * dk_stream_row_elements(r) * h->itemsize;
	size_t got = read_upto(r, buf, nbytes);
	r->data_left -= got;
	if (got < nbytes) {
		r->rows_left = 0;
		return data_truncated(r, r->data_left);
	}
	r->rows_left -= nrows;
	if (h->big_endian) {
		size_t width = h->dtype == DK_C16 ? 8 : h->itemsize;
		byteswap(buf, nbytes / width, width);
	}
	return DK_OK;
}

/* The raw element at p, of type dtype, as a double. */
static double element_f8(const unsigned char *p, dk_dtype dtype)
{
	switch (dtype) {
	case DK_F4: { float v; memcpy(&v, p, 4); return v; }
	case DK_I8: { int64_t v; memcpy(&v, p, 8); return (double)v; }
	case DK_I4: { int32_t v; memcpy(&v, p, 4); return v; }
	case DK_U1: return *p;
	case DK_B1: return *p != 0;
	default: { double v; memcpy(&v, p, 8); return v; }
	}
}

int dk_stream_read_rows_f8(dk_stream_reader *r, double *buf, size_t nrows)
{
	if (r->have_rec && (r->rec.npy.dtype == DK_C16 || r->rec.npy.dtype == DK_BYTES))
		return set_error(r, DK_EDTYPE, "record %zu ('%s'): %s is not real",
		                 r->rec.index, r->rec.name,
		                 dk_dtype_name(r->rec.npy.dtype));
	size_t width = r->have_rec ? r->rec.npy.itemsize : 8;
	if (width == 8 && (!r->have_rec || r->rec.npy.dtype == DK_F8))
		return dk_stream_read_rows(r, buf, nrows);
	/* The raw elements go to the end of buf and are widened from the
	   first on: element i's double ends at 8 (i + 1) bytes, where the
	   raw elements after it (from (8 - width) count + width (i + 1))
	   have not begun. */
	size_t count = nrows * dk_stream_row_elements(r);
	unsigned char *raw = (unsigned char *)buf + (8 - width) * count;
	int st = dk_stream_read_rows(r, raw, nrows);
	if (st)
		return st;
	for (size_t i = 0; i < count; i++)
		buf[i] = element_f8(raw + i * width, r->rec.npy.dtype);
	return DK_OK;
}

dk_meta *dk_stream_take_meta(dk_stream_reader *r)
{
	dk_meta *m = r->meta;
	r->meta = NULL;
	r->rec.meta = NULL;
	return m;
}
