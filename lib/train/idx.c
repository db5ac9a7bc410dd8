/*
 * idx.c -- the IDX reader (see idx.h), over zlib's gz* functions, which
 * read gzip'd and plain files alike.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/status.h"
#include "stream/reader.h"
#include "train/idx.h"

/* gzread takes an unsigned count: read big blocks in pieces this large. */
#define CHUNK ((size_t)1 << 30)

static int fail(char *err, size_t errlen, int st, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, int st, const char *path,
                const char *fmt, ...)
{
	if (err && errlen) {
		int n = snprintf(err, errlen, "%s: ", path);
		if (n >= 0 && (size_t)n < errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return st;
}

/*
 * Read exactly n bytes.  Returns DK_OK, or DK_ETRUNC / DK_EFORMAT / DK_EIO
 * with *got holding what arrived and *why zlib's message.
 */
/* zlib's message without the "<fd:3>: " it names a gzdopen'd file by */
static const char *zlib_message(gzFile gz, int *zerr)
{
	const char *msg = gzerror(gz, zerr);
	if (!strncmp(msg, "<fd:", 4)) {
		const char *colon = strstr(msg, ": ");
		if (colon)
			msg = colon + 2;
	}
	return msg;
}

static int read_exact(gzFile gz, void *buf, size_t n, size_t *got,
                      const char **why)
{
	unsigned char *p = buf;
	*got = 0;
	*why = "";
	while (*got < n) {
		size_t want = n - *got < CHUNK ? n - *got : CHUNK;
		int r = gzread(gz, p + *got, (unsigned)want);
		if (r < 0) {
			int zerr;
			*why = zlib_message(gz, &zerr);
			return zerr == Z_ERRNO ? DK_EIO : DK_EFORMAT;
		}
		if (r == 0) {
			/* a gzip stream cut short reports Z_BUF_ERROR: truncation */
			int zerr;
			const char *msg = zlib_message(gz, &zerr);
			if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
				*why = msg;
				return zerr == Z_ERRNO ? DK_EIO : DK_EFORMAT;
			}
			return DK_ETRUNC;
		}
		*got += (size_t)r;
	}
	return DK_OK;
}

static int dtype_of(unsigned code, dk_dtype *dtype)
{
	switch (code) {
	case 0x08: *dtype = DK_U1; return DK_OK;
	case 0x0C: *dtype = DK_I4; return DK_OK;
	case 0x0D: *dtype = DK_F4; return DK_OK;
	case 0x0E: *dtype = DK_F8; return DK_OK;
	default: return DK_EDTYPE;
	}
}

/* IDX elements are big-endian; the tensor holds native (little-endian). */
static void swap_bytes(unsigned char *p, size_t count, size_t size)
{
	if (size == 1)
		return;
	for (size_t i = 0; i < count; i++, p += size)
		for (size_t a = 0, b = size - 1; a < b; a++, b--) {
			unsigned char t = p[a];
			p[a] = p[b];
			p[b] = t;
		}
}

static int read_body(gzFile gz, const char *path, size_t max_elements,
                     dk_tensor **out, char *err, size_t errlen)
{
	unsigned char magic[4];
	size_t got;
	const char *why;
	int st = read_exact(gz, magic, 4, &got, &why);
	if (st == DK_ETRUNC)
		return fail(err, errlen, st, path,
		            "truncated: the file ends inside the magic number (%zu of 4 bytes)", got);
	if (st)
		return fail(err, errlen, st, path, "%s", why);
	if (magic[0] || magic[1])
		return fail(err, errlen, DK_EFORMAT, path,
		            "not an IDX file (bad magic number %02x%02x%02x%02x)",
		            magic[0], magic[1], magic[2], magic[3]);
	dk_dtype dtype;
	if (dtype_of(magic[2], &dtype))
		return fail(err, errlen, DK_EDTYPE, path,
		            "IDX type code 0x%02x has no stream dtype (0x08, 0x0C, 0x0D, 0x0E are read)",
		            magic[2]);
	int rank = magic[3];
	if (rank < 1 || rank > DK_MAX_RANK)
		return fail(err, errlen, DK_EFORMAT, path,
		            "IDX header names %d dimensions (1 to %d are read)", rank, DK_MAX_RANK);
	unsigned char dims[4 * DK_MAX_RANK];
	st = read_exact(gz, dims, 4 * (size_t)rank, &got, &why);
	if (st == DK_ETRUNC)
		return fail(err, errlen, st, path,
		            "truncated: the file ends inside the dimensions (%zu of %d bytes)",
		            got, 4 * rank);
	if (st)
		return fail(err, errlen, st, path, "%s", why);
	size_t shape[DK_MAX_RANK], count, size = dk_dtype_size(dtype);
	for (int i = 0; i < rank; i++) {
		const unsigned char *d = dims + 4 * i;
		shape[i] = (size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3];
	}
	if (dk_shape_count(rank, shape, size, &count) || count > max_elements) {
		char text[512];
		dk_shape_format(text, sizeof text, rank, shape);
		return fail(err, errlen, DK_ELIMIT, path,
		            "IDX shape %s exceeds the limit of %zu elements", text, max_elements);
	}
	dk_tensor *t = dk_tensor_alloc(dtype, 0, rank, shape);
	if (!t)
		return fail(err, errlen, DK_ENOMEM, path, "out of memory");
	size_t nbytes = dk_tensor_nbytes(t);
	st = read_exact(gz, t->data, nbytes, &got, &why);
	if (st) {
		dk_tensor_free(t);
		if (st == DK_ETRUNC)
			return fail(err, errlen, st, path,
			            "truncated: data end after %zu of %zu bytes", got, nbytes);
		return fail(err, errlen, st, path, "%s", why);
	}
	/* the header fixes the size: anything after the data is not IDX */
	unsigned char extra;
	st = read_exact(gz, &extra, 1, &got, &why);
	int zerr = Z_OK;
	if (st == DK_ETRUNC)
		gzerror(gz, &zerr);
	if (zerr == Z_BUF_ERROR) { /* the data are whole, the gzip trailer is not */
		dk_tensor_free(t);
		return fail(err, errlen, DK_ETRUNC, path, "truncated: the gzip stream ends early");
	}
	if (st != DK_ETRUNC) {
		dk_tensor_free(t);
		if (st)
			return fail(err, errlen, st, path, "%s", why);
		return fail(err, errlen, DK_EFORMAT, path,
		            "bytes follow the %zu bytes the IDX header accounts for", nbytes + 4 + 4 * (size_t)rank);
	}
	swap_bytes(t->data, t->count, size);
	*out = t;
	return DK_OK;
}

int dk_idx_read(const char *path, size_t max_elements, dk_tensor **out,
                char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!max_elements)
		max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT;
	/* open(2) ourselves, so errno says why a file cannot be opened */
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(err, errlen, errno == ENOENT ? DK_ENOTFOUND : DK_EIO, path,
		            "%s", strerror(errno));
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return fail(err, errlen, DK_ENOMEM, path, "out of memory");
	}
	int st = read_body(gz, path, max_elements, out, err, errlen);
	gzclose_r(gz);
	return st;
}
