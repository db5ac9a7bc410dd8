/*
 * container.c -- .npy, .npz and .safetensors files in memory into a
 * bundle of named tensors: each container's reader (the stream reader on
 * memory, zip.c, safetensors.c) does the checking, this file the naming;
 * and a bundle back out into the same containers, written atomically.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/status.h"
#include "stream/container.h"
#include "stream/npy.h"
#include "stream/safetensors.h"
#include "stream/zip.h"

dk_container dk_container_sniff(const unsigned char *buf, size_t len)
{
	if (len >= DK_NPY_MAGIC_LEN && !memcmp(buf, DK_NPY_MAGIC, DK_NPY_MAGIC_LEN))
		return DK_CONTAINER_NPY;
	if (dk_zip_sniff(buf, len))
		return DK_CONTAINER_NPZ;
	if (dk_safetensors_sniff(buf, len))
		return DK_CONTAINER_SAFETENSORS;
	return DK_CONTAINER_UNKNOWN;
}

const char *dk_container_name(dk_container c)
{
	switch (c) {
	case DK_CONTAINER_NPY: return "npy";
	case DK_CONTAINER_NPZ: return "npz";
	case DK_CONTAINER_SAFETENSORS: return "safetensors";
	default: return "unknown";
	}
}

/* Add t under name unless the name is taken. */
static int add_new(dk_bundle *b, const char *name, dk_meta *meta, dk_tensor *t, char *err,
                   size_t errlen)
{
	if (dk_bundle_find(b, name) >= 0) {
		dk_meta_free(meta);
		dk_tensor_free(t);
		return dk_errorf(DK_EFORMAT, err, errlen, "tensor '%s' given twice", name);
	}
	int st = dk_bundle_add(b, name, meta, t);
	return st ? dk_errorf(st, err, errlen, "out of memory") : DK_OK;
}

/* The tensors of a .npy file or stream. */
static int read_npy(const unsigned char *buf, size_t len, const char *stem,
                    size_t max_elements, dk_bundle *b, char *err, size_t errlen)
{
	dk_stream_reader *r = dk_stream_reader_alloc_mem(buf, len, stem);
	if (!r)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	dk_stream_reader_set_max_elements(r, max_elements);
	const dk_record *rec;
	int st, unnamed = 0;
	while ((st = dk_stream_next(r, &rec)) == DK_OK && rec) {
		char *name = strdup(rec->meta ? rec->name : stem);
		dk_tensor *t;
		if (!name) {
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
			break;
		}
		if (!rec->meta && unnamed++) {
			free(name);
			st = dk_errorf(DK_EFORMAT, err, errlen,
			          "more than one tensor without a name (metadata record)");
			break;
		}
		if ((st = dk_stream_read_tensor(r, &t))) {
			free(name);
			break;
		}
		st = add_new(b, name, dk_stream_take_meta(r), t, err, errlen);
		free(name);
		if (st)
			break;
	}
	if (st && *dk_stream_reader_error(r))
		dk_errorf(st, err, errlen, "%s", dk_stream_reader_error(r));
	dk_stream_reader_free(r);
	return st;
}

static int read_npz(const unsigned char *buf, size_t len, size_t max_elements, dk_bundle *b,
                    char *err, size_t errlen)
{
	dk_zip *z;
	int st = dk_zip_open(buf, len, &z, err, errlen);
	if (st)
		return st;
	/* room for the .npy header besides the elements */
	size_t max_bytes = max_elements > (SIZE_MAX - 65536 - 64) / 16
	                   ? SIZE_MAX : 16 * max_elements + 65536 + 64;
	for (size_t i = 0; i < dk_zip_count(z) && !st; i++) {
		const char *name = dk_zip_name(z, i);
		size_t nl = strlen(name);
		/* torch.save writes a zip of a pickle and raw storages, which
		   only Python's unpickler can read */
		if (nl >= 8 && !strcmp(name + nl - 8, "data.pkl") &&
		    (nl == 8 || name[nl - 9] == '/')) {
			st = dk_errorf(DK_EFORMAT, err, errlen, "a torch.save file (a pickle), "
			               "which is not read here; save the state_dict as .npz "
			               "instead: np.savez('w.npz', **{k: v.numpy() for k, v "
			               "in torch.load(FILE).items()})");
			break;
		}
		if (nl < 4 || strcmp(name + nl - 4, ".npy"))
			continue;
		char *stem = strndup(name, nl - 4);
		unsigned char *data;
		size_t n;
		if (!stem) {
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
			break;
		}
		st = dk_zip_extract(z, i, max_bytes, &data, &n, err, errlen);
		if (!st) {
			char sub[768];
			st = read_npy(data, n, stem, max_elements, b, sub, sizeof sub);
			if (st)
				dk_errorf(st, err, errlen, "%s: %s", name, sub);
			free(data);
		}
		free(stem);
	}
	dk_zip_free(z);
	return st;
}

int dk_container_read(const unsigned char *buf, size_t len, const char *stem,
                      size_t max_elements, dk_bundle *b, char *err, size_t errlen)
{
	switch (dk_container_sniff(buf, len)) {
	case DK_CONTAINER_NPY:
		return read_npy(buf, len, stem, max_elements, b, err, errlen);
	case DK_CONTAINER_NPZ:
		return read_npz(buf, len, max_elements, b, err, errlen);
	case DK_CONTAINER_SAFETENSORS: {
		dk_bundle *t = dk_bundle_alloc();
		if (!t)
			return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		int st = dk_safetensors_read(buf, len, max_elements, t, err, errlen);
		/* move them over, refusing names already taken */
		for (size_t i = 0; i < dk_bundle_size(t) && !st; i++) {
			dk_tensor *x;
			if (dk_tensor_convert(dk_bundle_tensor(t, i), DK_F8, &x))
				st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
			else
				st = add_new(b, dk_bundle_name(t, i), NULL, x, err, errlen);
		}
		dk_bundle_free(t);
		return st;
	}
	default:
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "unknown file type (not .npy, .npz or .safetensors)");
	}
}

/* ---- writing ----------------------------------------------------------- */

/* The bytes of t as np.save writes it, into a new buffer. */
static unsigned char *npy_bytes(const dk_tensor *t, size_t *len)
{
	char head[DK_NPY_FORMAT_MAX];
	size_t h = dk_npy_format(t->dtype, dk_dtype_size(t->dtype), t->rank, t->shape, head);
	size_t nb = dk_tensor_nbytes(t);
	unsigned char *buf = h ? malloc(h + nb + 1) : NULL;
	if (!buf)
		return NULL;
	memcpy(buf, head, h);
	if (nb)
		memcpy(buf + h, t->data, nb);
	*len = h + nb;
	return buf;
}

/* len bytes to path, atomically. */
static int write_file(const char *path, const void *p, size_t len, char *err, size_t errlen)
{
	dk_atomic_file *f;
	if (dk_atomic_file_open(path, &f))
		return dk_errorf(DK_EIO, err, errlen, "%s: %s", path, strerror(errno));
	int fd = dk_atomic_file_fd(f);
	const unsigned char *c = p;
	while (len) {
		ssize_t k = write(fd, c, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			dk_atomic_file_abort(f);
			return dk_errorf(DK_EIO, err, errlen, "%s: %s", path, strerror(e));
		}
		c += k;
		len -= (size_t)k;
	}
	if (dk_atomic_file_commit(f))
		return dk_errorf(DK_EIO, err, errlen, "%s: %s", path, strerror(errno));
	return DK_OK;
}

static int write_npz(const dk_bundle *b, const char *path, char *err, size_t errlen)
{
	dk_zip_writer *w = dk_zip_writer_alloc();
	int st = w ? DK_OK : dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	for (size_t i = 0; i < dk_bundle_size(b) && !st; i++) {
		size_t n, nl = strlen(dk_bundle_name(b, i));
		unsigned char *data = npy_bytes(dk_bundle_tensor(b, i), &n);
		char *name = malloc(nl + 5);
		if (!data || !name)
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		else {
			memcpy(name, dk_bundle_name(b, i), nl);
			memcpy(name + nl, ".npy", 5);
			st = dk_zip_writer_add(w, name, data, n, err, errlen);
		}
		free(name);
		free(data);
	}
	const unsigned char *bytes;
	size_t len;
	if (!st)
		st = dk_zip_writer_finish(w, &bytes, &len, err, errlen);
	if (!st)
		st = write_file(path, bytes, len, err, errlen);
	dk_zip_writer_free(w);
	return st;
}

static int write_dir(const dk_bundle *b, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (mkdir(path, 0777) && !(errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)))
		return dk_errorf(DK_EIO, err, errlen, "%s: %s", path,
		                 errno == EEXIST ? "exists and is not a directory" : strerror(errno));
	int st = DK_OK;
	for (size_t i = 0; i < dk_bundle_size(b) && !st; i++) {
		const char *name = dk_bundle_name(b, i);
		size_t n, fl = strlen(path) + strlen(name) + 6;
		char *file = malloc(fl);
		unsigned char *data = npy_bytes(dk_bundle_tensor(b, i), &n);
		if (!file || !data)
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		else {
			snprintf(file, fl, "%s/%s.npy", path, name);
			st = write_file(file, data, n, err, errlen);
		}
		free(file);
		free(data);
	}
	return st;
}

int dk_container_write(const dk_bundle *b, dk_container kind, const char *path,
                       json_t *metadata, char *err, size_t errlen)
{
	for (size_t i = 0; i < dk_bundle_size(b); i++)
		if (strchr(dk_bundle_name(b, i), '/') || !*dk_bundle_name(b, i))
			return dk_errorf(DK_EINVAL, err, errlen, "'%s' cannot name a file or member",
			                 dk_bundle_name(b, i));
	switch (kind) {
	case DK_CONTAINER_NPZ:
		return write_npz(b, path, err, errlen);
	case DK_CONTAINER_NPY:
		return write_dir(b, path, err, errlen);
	case DK_CONTAINER_SAFETENSORS: {
		unsigned char *buf;
		size_t len;
		int st = dk_safetensors_write(b, metadata, &buf, &len, err, errlen);
		if (!st)
			st = write_file(path, buf, len, err, errlen);
		free(buf);
		return st;
	}
	default:
		return dk_errorf(DK_EINVAL, err, errlen, "no writer for container %d", (int)kind);
	}
}
