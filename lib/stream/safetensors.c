/*
 * safetensors.c -- the tensors of a .safetensors file in memory: check
 * the header and every tensor's dtype, shape and byte range (inside the
 * data, no two overlapping) before any tensor is made, then convert
 * F64/F32 to f8 tensors of a bundle.
 */
#include <config.h>

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/safetensors.h"

typedef struct {
	const char *name;  /* points into the JSON */
	int f32;
	int rank;
	size_t shape[DK_MAX_RANK];
	size_t count;
	uint64_t begin, end;
} entry;

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int dk_safetensors_sniff(const unsigned char *buf, size_t len)
{
	if (len < 9)
		return 0;
	uint64_t n = rd64(buf);
	return n >= 2 && n <= DK_SAFETENSORS_HEADER_MAX && buf[8] == '{';
}

static int by_begin(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* One header entry, checked against the data's size. */
static int parse_entry(const char *name, json_t *v, uint64_t data_len,
                       size_t max_elements, entry *e, char *err, size_t errlen)
{
	const char *dtype = json_string_value(json_object_get(v, "dtype"));
	json_t *shape = json_object_get(v, "shape"), *offs = json_object_get(v, "data_offsets");
	e->name = name;
	if (!json_is_object(v) || !dtype || !json_is_array(shape) || !json_is_array(offs) ||
	    json_array_size(offs) != 2)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "safetensors: '%s' lacks dtype, shape or data_offsets [begin, end]", name);
	if (!strcmp(dtype, "F64"))
		e->f32 = 0;
	else if (!strcmp(dtype, "F32"))
		e->f32 = 1;
	else
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "safetensors: '%s' has dtype %s (only F64 and F32 are read)", name, dtype);
	if (json_array_size(shape) > DK_MAX_RANK)
		return dk_errorf(DK_EFORMAT, err, errlen, "safetensors: '%s' has more than %d axes", name,
		            DK_MAX_RANK);
	e->rank = (int)json_array_size(shape);
	for (int a = 0; a < e->rank; a++) {
		json_t *d = json_array_get(shape, (size_t)a);
		if (!json_is_integer(d) || json_integer_value(d) < 0)
			return dk_errorf(DK_EFORMAT, err, errlen, "safetensors: '%s': a bad shape", name);
		e->shape[a] = (size_t)json_integer_value(d);
	}
	size_t item = e->f32 ? 4 : 8;
	if (dk_shape_count(e->rank, e->shape, item, &e->count))
		return dk_errorf(DK_ELIMIT, err, errlen, "safetensors: '%s': shape too large", name);
	if (e->count > max_elements)
		return dk_errorf(DK_ELIMIT, err, errlen,
		            "safetensors: '%s': %zu elements, over the limit of %zu", name, e->count,
		            max_elements);
	json_t *b0 = json_array_get(offs, 0), *b1 = json_array_get(offs, 1);
	if (!json_is_integer(b0) || !json_is_integer(b1) || json_integer_value(b0) < 0 ||
	    json_integer_value(b1) < json_integer_value(b0))
		return dk_errorf(DK_EFORMAT, err, errlen, "safetensors: '%s': bad data_offsets", name);
	e->begin = (uint64_t)json_integer_value(b0);
	e->end = (uint64_t)json_integer_value(b1);
	if (e->end - e->begin != (uint64_t)e->count * item)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "safetensors: '%s': data_offsets [%llu, %llu) hold %llu bytes, its shape "
		            "needs %llu", name, (unsigned long long)e->begin,
		            (unsigned long long)e->end, (unsigned long long)(e->end - e->begin),
		            (unsigned long long)e->count * item);
	if (e->end > data_len)
		return dk_errorf(DK_ETRUNC, err, errlen,
		            "safetensors: '%s': data_offsets [%llu, %llu) past the end of the "
		            "%llu data bytes", name, (unsigned long long)e->begin,
		            (unsigned long long)e->end, (unsigned long long)data_len);
	return DK_OK;
}

int dk_safetensors_read(const unsigned char *buf, size_t len, size_t max_elements,
                        dk_bundle *b, char *err, size_t errlen)
{
	if (len < 8)
		return dk_errorf(DK_ETRUNC, err, errlen, "safetensors: %zu bytes, shorter than the "
		            "8-byte header length", len);
	uint64_t n = rd64(buf);
	if (n > DK_SAFETENSORS_HEADER_MAX)
		return dk_errorf(DK_EFORMAT, err, errlen, "safetensors: header length %llu is too large",
		            (unsigned long long)n);
	if (n > len - 8)
		return dk_errorf(DK_ETRUNC, err, errlen,
		            "safetensors: header of %llu bytes, but only %zu follow", (unsigned long long)n,
		            len - 8);
	json_error_t jerr;
	json_t *h = json_loadb((const char *)buf + 8, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(h)) {
		json_decref(h);
		return dk_errorf(DK_EFORMAT, err, errlen, "safetensors: the header is not a JSON object%s%s",
		            h ? "" : ": ", h ? "" : jerr.text);
	}
	uint64_t data_len = len - 8 - n;
	const unsigned char *data = buf + 8 + n;
	size_t count = json_object_size(h), k = 0;
	entry *es = calloc(count ? count : 1, sizeof *es);
	int st = es ? DK_OK : dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	const char *name;
	json_t *v;
	json_object_foreach(h, name, v) {
		if (st)
			break;
		if (!strcmp(name, "__metadata__"))
			continue;
		st = parse_entry(name, v, data_len, max_elements, &es[k], err, errlen);
		k++;
	}
	if (!st) {
		entry *sorted = malloc((k ? k : 1) * sizeof *sorted);
		if (!sorted) {
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		} else {
			memcpy(sorted, es, k * sizeof *sorted);
			qsort(sorted, k, sizeof *sorted, by_begin);
			for (size_t i = 1; i < k && !st; i++)
				if (sorted[i].begin < sorted[i - 1].end)
					st = dk_errorf(DK_EFORMAT, err, errlen,
					          "safetensors: the bytes of '%s' and '%s' overlap",
					          sorted[i - 1].name, sorted[i].name);
			free(sorted);
		}
	}
	/* in the header's order */
	for (size_t i = 0; i < k && !st; i++) {
		entry *e = &es[i];
		dk_tensor *t = dk_tensor_alloc(DK_F8, 0, e->rank, e->shape);
		if (!t) {
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
			break;
		}
		double *d = t->data;
		const unsigned char *src = data + e->begin;
		for (size_t j = 0; j < e->count; j++) {
			if (e->f32) {
				float f;
				memcpy(&f, src + 4 * j, 4);
				d[j] = f;
			} else {
				memcpy(&d[j], src + 8 * j, 8);
			}
		}
		if ((st = dk_bundle_add(b, e->name, NULL, t)))
			dk_errorf(st, err, errlen, "out of memory");
	}
	free(es);
	json_decref(h);
	return st;
}

int dk_safetensors_write(const dk_bundle *b, json_t *metadata, unsigned char **out,
                         size_t *len, char *err, size_t errlen)
{
	*out = NULL;
	*len = 0;
	json_t *h = json_object();
	if (!h)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	int st = DK_OK;
	if (metadata) {
		const char *key;
		json_t *v;
		json_object_foreach(metadata, key, v)
			if (!json_is_string(v))
				st = dk_errorf(DK_EINVAL, err, errlen,
				               "safetensors: metadata '%s' is not a string", key);
		if (!st && json_object_set(h, "__metadata__", metadata))
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	uint64_t offset = 0;
	for (size_t i = 0; i < dk_bundle_size(b) && !st; i++) {
		const char *name = dk_bundle_name(b, i);
		const dk_tensor *t = dk_bundle_tensor(b, i);
		if (t->dtype != DK_F8) {
			st = dk_errorf(DK_EDTYPE, err, errlen, "safetensors: '%s' is %s, not f8", name,
			               dk_dtype_name(t->dtype));
			break;
		}
		if (!strcmp(name, "__metadata__") || json_object_get(h, name)) {
			st = dk_errorf(DK_EINVAL, err, errlen, "safetensors: the name '%s' twice or reserved",
			               name);
			break;
		}
		json_t *shape = json_array(), *e = NULL;
		for (int k = 0; shape && k < t->rank; k++)
			if (json_array_append_new(shape, json_integer((json_int_t)t->shape[k]))) {
				json_decref(shape);
				shape = NULL;
			}
		uint64_t end = offset + dk_tensor_nbytes(t);
		if (shape)
			e = json_pack("{s:s, s:o, s:[I, I]}", "dtype", "F64", "shape", shape,
			              "data_offsets", (json_int_t)offset, (json_int_t)end);
		if (!e || json_object_set_new(h, name, e))
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		offset = end;
	}
	char *text = st ? NULL : json_dumps(h, JSON_COMPACT);
	json_decref(h);
	if (!st && !text)
		st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	if (st) {
		free(text);
		return st;
	}
	size_t n = strlen(text), padded = (n + 7) / 8 * 8;
	unsigned char *buf = malloc(8 + padded + (size_t)offset);
	if (!buf) {
		free(text);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	for (int k = 0; k < 8; k++) /* the header's length, little-endian */
		buf[k] = (unsigned char)((uint64_t)padded >> (8 * k));
	memcpy(buf + 8, text, n);
	memset(buf + 8 + n, ' ', padded - n);
	free(text);
	unsigned char *p = buf + 8 + padded;
	for (size_t i = 0; i < dk_bundle_size(b); i++) {
		const dk_tensor *t = dk_bundle_tensor(b, i);
		size_t nb = dk_tensor_nbytes(t);
		if (nb)
			memcpy(p, t->data, nb); /* f8 in memory is little-endian here, as the format */
		p += nb;
	}
	*out = buf;
	*len = 8 + padded + (size_t)offset;
	return DK_OK;
}
