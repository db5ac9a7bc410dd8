/*
 * sweep.c -- the parameter stream of a sweep checked, and the records of
 * its solves stacked along a new leading axis, row by row (sweep.h).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/sweep.h"

typedef struct {
	char *name;      /* owned */
	dk_tensor *t;    /* owned: (rows, ...row 0's shape) */
	dk_meta *meta;   /* owned: row 0's, for its axes and attrs */
} stacked;

struct dk_sweep {
	size_t rows;
	size_t done;     /* rows added */
	size_t n;        /* records per row, fixed by row 0 */
	stacked *rec;    /* owned: n of them */
};

int dk_sweep_params_check(const dk_bundle *p, const char *const *allowed,
                          size_t count, size_t *rows, char *err, size_t errlen)
{
	size_t n = dk_bundle_size(p), first = 0;
	if (!n)
		return dk_errorf(DK_EINVAL, err, errlen, "no parameter tensor");
	for (size_t i = 0; i < n; i++) {
		const char *name = dk_bundle_name(p, i);
		const dk_tensor *t = dk_bundle_tensor(p, i);
		size_t j = 0;
		while (name && j < count && strcmp(name, allowed[j]))
			j++;
		if (!name || j == count)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "'%s' is not a parameter that can be swept",
			                 name ? name : "(a tensor without a name)");
		if (t->dtype != DK_F8)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: %s, not <f8",
			                 name, dk_dtype_descr(t->dtype));
		if (t->rank != 1 && t->rank != 2)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: rank %d, not 1 "
			                 "(row) or 2 (row, value)", name, t->rank);
		if (!t->shape[0] || t->shape[0] > DK_SWEEP_MAX_ROWS ||
		    (t->rank == 2 && !t->shape[1]))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: from 1 to %d rows of "
			                 "at least one value", name, DK_SWEEP_MAX_ROWS);
		if (i == 0)
			first = t->shape[0];
		else if (t->shape[0] != first)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu rows, but %s "
			                 "has %zu", name, t->shape[0],
			                 dk_bundle_name(p, 0), first);
		const double *v = t->data;
		size_t per_row = t->count / t->shape[0];
		for (size_t k = 0; k < t->count; k++)
			if (!isfinite(v[k]))
				return dk_errorf(DK_EINVAL, err, errlen, "%s: row %zu: %g is "
				                 "not finite", name, k / per_row, v[k]);
	}
	*rows = first;
	return DK_OK;
}

const double *dk_sweep_param_row(const dk_tensor *t, size_t row, size_t *k)
{
	*k = t->count / t->shape[0];
	return (const double *)t->data + row * *k;
}

dk_sweep *dk_sweep_alloc(size_t rows)
{
	dk_sweep *s = calloc(1, sizeof *s);
	if (s)
		s->rows = rows;
	return s;
}

static void clear(dk_sweep *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->rec[i].name);
		dk_tensor_free(s->rec[i].t);
		dk_meta_free(s->rec[i].meta);
	}
	free(s->rec);
	s->rec = NULL;
	s->n = s->done = 0;
}

void dk_sweep_free(dk_sweep *s)
{
	if (!s)
		return;
	clear(s);
	free(s);
}

/* Row 0: the stack of each record made, its name and metadata kept. */
static int start(dk_sweep *s, const dk_bundle *b)
{
	size_t n = dk_bundle_size(b);
	if (!(s->rec = calloc(n ? n : 1, sizeof *s->rec)))
		return DK_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const dk_tensor *t = dk_bundle_tensor(b, i);
		stacked *r = &s->rec[i];
		s->n = i + 1;
		if (t->rank + 1 > DK_MAX_RANK)
			return DK_ELIMIT;
		size_t shape[DK_MAX_RANK] = {s->rows}, count;
		memcpy(shape + 1, t->shape, (size_t)t->rank * sizeof *shape);
		if (dk_shape_count(t->rank + 1, shape, t->itemsize, &count))
			return DK_ELIMIT;
		r->name = strdup(dk_bundle_name(b, i));
		r->t = dk_tensor_alloc(t->dtype, t->itemsize, t->rank + 1, shape);
		r->meta = dk_meta_copy(dk_bundle_meta(b, i));
		if (!r->name || !r->t || !r->meta)
			return DK_ENOMEM;
	}
	return DK_OK;
}

int dk_sweep_add(dk_sweep *s, size_t row, const dk_bundle *b, char *err,
                 size_t errlen)
{
	if (row != s->done || row >= s->rows)
		return dk_errorf(DK_EINVAL, err, errlen, "row %zu: rows are added "
		                 "in order, %zu next, %zu in all", row, s->done,
		                 s->rows);
	if (row == 0) {
		int st = start(s, b);
		if (st) {
			clear(s);
			return dk_errorf(st, err, errlen, "row 0: %s", dk_strerror(st));
		}
	}
	if (dk_bundle_size(b) != s->n)
		return dk_errorf(DK_EINVAL, err, errlen, "row %zu: %zu records, "
		                 "row 0 had %zu", row, dk_bundle_size(b), s->n);
	for (size_t i = 0; i < s->n; i++) {
		const dk_tensor *t = dk_bundle_tensor(b, i), *st = s->rec[i].t;
		const char *name = dk_bundle_name(b, i);
		if (strcmp(name, s->rec[i].name))
			return dk_errorf(DK_EINVAL, err, errlen, "row %zu: record %zu is "
			                 "%s, row 0's was %s", row, i, name,
			                 s->rec[i].name);
		if (t->dtype != st->dtype || t->itemsize != st->itemsize ||
		    t->rank + 1 != st->rank ||
		    memcmp(t->shape, st->shape + 1, (size_t)t->rank * sizeof *t->shape)) {
			char now[128], then[128];
			dk_shape_format(now, sizeof now, t->rank, t->shape);
			dk_shape_format(then, sizeof then, st->rank - 1, st->shape + 1);
			return dk_errorf(DK_EINVAL, err, errlen, "row %zu: %s is %s %s, "
			                 "row 0's was %s %s: a sweep keeps every shape",
			                 row, name, dk_dtype_descr(t->dtype), now,
			                 dk_dtype_descr(st->dtype), then);
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		const dk_tensor *t = dk_bundle_tensor(b, i);
		size_t bytes = dk_tensor_nbytes(t);
		memcpy((char *)s->rec[i].t->data + row * bytes, t->data, bytes);
	}
	s->done++;
	return DK_OK;
}

/* The axes of a stacked record: "row", then row 0's (or "" for each
   axis when row 0's record named none). */
static int stacked_axes(const stacked *r, const char **axes)
{
	json_t *a = dk_meta_axes(r->meta);
	axes[0] = "row";
	for (int k = 1; k < r->t->rank; k++) {
		json_t *name = a ? json_array_get(a, (size_t)k - 1) : NULL;
		axes[k] = name && json_is_string(name) ? json_string_value(name) : "";
	}
	return r->t->rank;
}

/* {"rows": rows, "params": [p's names]}. */
static json_t *sweep_attr(size_t rows, const dk_bundle *p)
{
	json_t *names = json_array();
	for (size_t i = 0; names && i < dk_bundle_size(p); i++)
		if (json_array_append_new(names, json_string(dk_bundle_name(p, i)))) {
			json_decref(names);
			names = NULL;
		}
	return names ? json_pack("{s:I, s:o}", "rows", (json_int_t)rows,
	                         "params", names) : NULL;
}

static int add_params(const dk_bundle *p, const char *prefix, json_t *sweep,
                      dk_bundle *out)
{
	static const char *const axes[2] = {"row", "value"};
	json_t *attrs = json_pack("{s:s, s:O}", "definition", "the value of a "
	                          "swept parameter in each row", "sweep", sweep);
	int st = attrs ? DK_OK : DK_ENOMEM;
	for (size_t i = 0; !st && i < dk_bundle_size(p); i++) {
		const dk_tensor *t = dk_bundle_tensor(p, i);
		const char *name = dk_bundle_name(p, i);
		size_t len = strlen(prefix) + strlen(name) + 1;
		char *full = malloc(len);
		if (!full) {
			st = DK_ENOMEM;
			break;
		}
		snprintf(full, len, "%s%s", prefix, name);
		st = dk_bundle_add_record(out, full, dk_tensor_from(t->dtype, t->rank,
		                          t->shape, t->data), axes, (size_t)t->rank,
		                          attrs);
		free(full);
	}
	json_decref(attrs);
	return st;
}

int dk_sweep_to_bundle(dk_sweep *s, const dk_bundle *p, const char *prefix,
                       dk_bundle *out)
{
	if (s->done != s->rows)
		return DK_EINVAL;
	json_t *sweep = sweep_attr(s->rows, p);
	int st = sweep ? DK_OK : DK_ENOMEM;
	for (size_t i = 0; !st && i < s->n; i++) {
		stacked *r = &s->rec[i];
		const char *axes[DK_MAX_RANK];
		int rank = stacked_axes(r, axes);
		json_t *row0 = dk_meta_attrs(r->meta);
		json_t *attrs = row0 ? json_deep_copy(row0) : json_object();
		if (!attrs || json_object_set(attrs, "sweep", sweep)) {
			json_decref(attrs);
			st = DK_ENOMEM;
			break;
		}
		st = dk_bundle_add_record(out, r->name, r->t, axes, (size_t)rank,
		                          attrs);
		r->t = NULL; /* taken, on failure too */
		json_decref(attrs);
	}
	if (!st)
		st = add_params(p, prefix, sweep, out);
	json_decref(sweep);
	clear(s);
	return st;
}
