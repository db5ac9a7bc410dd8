/*
 * writer.c -- buffered output of .npy records to a file descriptor.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "stream/npy.h"
#include "stream/writer.h"

#define WRITE_BUFFER (1u << 20)
#define DIRECT_WRITE (1u << 16)

struct dk_stream_writer {
	int fd;             /* not owned */
	unsigned char *buf; /* owned, WRITE_BUFFER bytes */
	size_t len;
	int error;          /* errno of the last failure */
};

dk_stream_writer *dk_stream_writer_alloc(int fd)
{
	dk_stream_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->buf = malloc(WRITE_BUFFER))) {
		free(w);
		return NULL;
	}
	w->fd = fd;
	return w;
}

void dk_stream_writer_free(dk_stream_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

static int write_all(dk_stream_writer *w, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->error = errno;
			return DK_EIO;
		}
		p += k;
		n -= (size_t)k;
	}
	return DK_OK;
}

int dk_stream_writer_flush(dk_stream_writer *w)
{
	int st = write_all(w, w->buf, w->len);
	w->len = 0;
	return st;
}

int dk_stream_write_bytes(dk_stream_writer *w, const void *p, size_t n)
{
	/* a pipe-sized block with nothing buffered goes out without a copy */
	if (w->len == 0 && n >= DIRECT_WRITE)
		return write_all(w, p, n);
	if (w->len + n <= WRITE_BUFFER) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		return DK_OK;
	}
	int st = dk_stream_writer_flush(w);
	if (st)
		return st;
	if (n >= WRITE_BUFFER / 2) /* big blocks bypass the buffer */
		return write_all(w, p, n);
	memcpy(w->buf, p, n);
	w->len = n;
	return DK_OK;
}

int dk_stream_writer_errno(const dk_stream_writer *w)
{
	return w->error;
}

static int write_record(dk_stream_writer *w, dk_dtype dtype, size_t itemsize,
                        int rank, const size_t *shape, const void *data,
                        size_t nbytes)
{
	char header[DK_NPY_FORMAT_MAX];
	size_t n = dk_npy_format(dtype, itemsize, rank, shape, header);
	if (n == 0)
		return DK_EDTYPE;
	int st = dk_stream_write_bytes(w, header, n);
	return st ? st : dk_stream_write_bytes(w, data, nbytes);
}

int dk_stream_write_meta(dk_stream_writer *w, const dk_meta *m)
{
	char *json;
	size_t len;
	int st = dk_meta_dump(m, &json, &len);
	if (st)
		return st;
	st = dk_stream_write_meta_json(w, json, len);
	free(json);
	return st;
}

int dk_stream_write_meta_json(dk_stream_writer *w, const char *json,
                              size_t len)
{
	return write_record(w, DK_BYTES, len, 0, NULL, json, len);
}

int dk_stream_write_tensor(dk_stream_writer *w, const dk_tensor *t)
{
	return write_record(w, t->dtype, t->itemsize, t->rank, t->shape,
	                    t->data, dk_tensor_nbytes(t));
}

int dk_stream_write_named(dk_stream_writer *w, const dk_meta *m,
                          const dk_tensor *t)
{
	int st = m ? dk_stream_write_meta(w, m) : DK_OK;
	return st ? st : dk_stream_write_tensor(w, t);
}
