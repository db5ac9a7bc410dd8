/*
 * bundle.c -- an ordered table of named tensors.
 *
 * Lookup by name is a linear scan: bundles hold tens of tensors (a
 * model's parameters and a few results), never thousands.
 */
#include <config.h>

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/bundle.h"

typedef struct {
	dk_tensor *tensor; /* owned */
	dk_meta *meta;     /* owned; its name is the entry's name */
	size_t record;     /* its record's index in the stream read; SIZE_MAX
	                      when added otherwise */
} entry;

struct dk_bundle {
	entry *entries; /* owned, cap slots */
	size_t n, cap;
};

dk_bundle *dk_bundle_alloc(void)
{
	return calloc(1, sizeof(dk_bundle));
}

void dk_bundle_free(dk_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		dk_tensor_free(b->entries[i].tensor);
		dk_meta_free(b->entries[i].meta);
	}
	free(b->entries);
	free(b);
}

long dk_bundle_find(const dk_bundle *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(dk_meta_name(b->entries[i].meta), name))
			return (long)i;
	return -1;
}

int dk_bundle_add_record(dk_bundle *b, const char *name, dk_tensor *t,
                         const char *const *axes, size_t naxes,
                         const json_t *attrs)
{
	dk_meta *m = t ? dk_meta_new(name) : NULL;
	int st = !m || (naxes && dk_meta_set_axes(m, axes, naxes)) ? DK_ENOMEM
	                                                           : DK_OK;
	const char *key;
	json_t *v;
	if (attrs)
		json_object_foreach((json_t *)attrs, key, v) {
			json_t *c = st ? NULL : json_deep_copy(v);
			if (!st && (!c || dk_meta_set_attr(m, key, c)))
				st = DK_ENOMEM;
		}
	if (st) {
		dk_meta_free(m);
		dk_tensor_free(t);
		return st;
	}
	return dk_bundle_add(b, name, m, t);
}

int dk_bundle_add(dk_bundle *b, const char *name, dk_meta *meta,
                  dk_tensor *t)
{
	int st = DK_OK;
	if (!meta && !(meta = dk_meta_new(NULL)))
		st = DK_ENOMEM;
	if (!st)
		st = dk_meta_set_name(meta, name);
	if (!st && b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		entry *e = realloc(b->entries, cap * sizeof *e);
		if (e) {
			b->entries = e;
			b->cap = cap;
		} else {
			st = DK_ENOMEM;
		}
	}
	if (st) {
		dk_meta_free(meta);
		dk_tensor_free(t);
		return st;
	}
	long old = dk_bundle_find(b, name);
	if (old >= 0) {
		entry *e = &b->entries[old];
		dk_tensor_free(e->tensor);
		dk_meta_free(e->meta);
		*e = (entry){t, meta, SIZE_MAX};
	} else {
		b->entries[b->n++] = (entry){t, meta, SIZE_MAX};
	}
	return DK_OK;
}

/* Same dtype, shape and bytes? */
static int same_tensor(const dk_tensor *a, const dk_tensor *b)
{
	if (a->dtype != b->dtype || a->itemsize != b->itemsize || a->rank != b->rank)
		return 0;
	for (int k = 0; k < a->rank; k++)
		if (a->shape[k] != b->shape[k])
			return 0;
	return !memcmp(a->data, b->data, dk_tensor_nbytes(a));
}

int dk_bundle_read(dk_bundle *b, dk_stream_reader *r)
{
	const dk_record *rec;
	int st;
	while ((st = dk_stream_next(r, &rec)) == DK_OK && rec) {
		dk_tensor *t;
		if ((st = dk_stream_read_tensor(r, &t)))
			return st;
		/* a tool looks a name up once: a second record of the name with
		   other contents would silently replace the first, so neither is
		   taken; an identical copy (a stream passed on by one tool and
		   concatenated with the one it came from) replaces it, as ever */
		long old = dk_bundle_find(b, rec->name);
		if (old >= 0 && b->entries[old].record != SIZE_MAX &&
		    !same_tensor(b->entries[old].tensor, t)) {
			dk_tensor_free(t);
			return dk_stream_reader_fail(r, DK_EFORMAT, "records %zu and %zu are "
			                             "both named '%s'; a name is looked up "
			                             "once", b->entries[old].record, rec->index,
			                             rec->name);
		}
		/* rec->name stays valid: the reader owns it, not the meta */
		size_t record = rec->index;
		st = dk_bundle_add(b, rec->name, dk_stream_take_meta(r), t);
		if (st)
			return st;
		b->entries[dk_bundle_find(b, rec->name)].record = record;
	}
	return st;
}

int dk_bundle_write(const dk_bundle *b, dk_stream_writer *w)
{
	for (size_t i = 0; i < b->n; i++) {
		int st = dk_stream_write_named(w, b->entries[i].meta,
		                               b->entries[i].tensor);
		if (st)
			return st;
	}
	return DK_OK;
}

size_t dk_bundle_size(const dk_bundle *b)
{
	return b->n;
}

const char *dk_bundle_name(const dk_bundle *b, size_t i)
{
	return i < b->n ? dk_meta_name(b->entries[i].meta) : NULL;
}

dk_tensor *dk_bundle_tensor(const dk_bundle *b, size_t i)
{
	return i < b->n ? b->entries[i].tensor : NULL;
}

dk_meta *dk_bundle_meta(const dk_bundle *b, size_t i)
{
	return i < b->n ? b->entries[i].meta : NULL;
}

dk_tensor *dk_bundle_get(const dk_bundle *b, const char *name)
{
	long i = dk_bundle_find(b, name);
	return i >= 0 ? b->entries[i].tensor : NULL;
}

long dk_bundle_match(const dk_bundle *b, const char *pattern, size_t from)
{
	for (size_t i = from; i < b->n; i++)
		if (fnmatch(pattern, dk_meta_name(b->entries[i].meta), 0) == 0)
			return (long)i;
	return -1;
}
