/*
 * container.c -- .npy, .npz and .safetensors files in memory into a
 * bundle of named tensors: each container's reader (the stream reader on
 * memory, zip.c, safetensors.c) does the checking, this file the naming.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/container.h"
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
