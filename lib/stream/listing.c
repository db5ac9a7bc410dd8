/*
 * listing.c -- dk-info's table and JSON objects: each tensor's row is
 * made into strings as it comes, and the table is printed once a stream
 * has been read, so that its columns can be as wide as their widest
 * cell.
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/brief.h"
#include "stream/listing.h"
#include "stream/text.h"

enum { COL_INDEX, COL_NAME, COL_DTYPE, COL_SHAPE, COL_MIN, COL_MAX,
       COL_MEAN, COL_STD, COL_NAN, COL_INF, COL_SUMMARY, COL_ATTRS, NCOL };

static const char *const col_title[NCOL] = {
	"#", "name", "dtype", "shape", "min", "max", "mean", "std", "nan", "inf",
	"summary", "attrs",
};

struct dk_listing {
	unsigned flags;
	char *(*cell)[NCOL]; /* owned: rows of owned strings */
	size_t n, cap;
};

static char *cell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cell_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *cell_number(double v)
{
	return isnan(v) ? strdup("-") : cell_printf("%.6g", v);
}

static char *cell_json(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS)
	         : strdup("-");
}

dk_listing *dk_listing_alloc(unsigned flags)
{
	dk_listing *l = calloc(1, sizeof *l);
	if (l)
		l->flags = flags;
	return l;
}

static void free_row(char **row)
{
	for (int c = 0; c < NCOL; c++)
		free(row[c]);
}

void dk_listing_free(dk_listing *l)
{
	if (!l)
		return;
	for (size_t r = 0; r < l->n; r++)
		free_row(l->cell[r]);
	free(l->cell);
	free(l);
}

size_t dk_listing_rows(const dk_listing *l)
{
	return l->n;
}

/* The summary of a tensor: its values when x holds a few, else its attrs in
   brief; "-" for neither.  NULL when memory runs out. */
static char *summary(const dk_tensor *x, json_t *attrs)
{
	char *s = NULL;
	int small = x && x->count > 0 && x->count <= DK_BRIEF_SMALL;
	if (small ? dk_brief_values(x, &s) : attrs ? dk_brief_attrs(attrs, &s) : 0)
		return NULL;
	return s ? s : strdup("-");
}

int dk_listing_add(dk_listing *l, const dk_record *rec, const dk_tensor *x,
                   const dk_tensor_stats *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		void *grown = realloc(l->cell, cap * sizeof *l->cell);
		if (!grown)
			return DK_ENOMEM;
		l->cell = grown;
		l->cap = cap;
	}
	char **row = l->cell[l->n];
	char shape[DK_NPY_FORMAT_MAX];
	/* the axis names only when the shape then fits its column */
	if (dk_text_shape(shape, sizeof shape, rec->meta, rec->npy.rank, rec->npy.shape,
	                  1) > DK_LISTING_SHAPE_MAX && !(l->flags & DK_LISTING_VERBOSE))
		dk_text_shape(shape, sizeof shape, rec->meta, rec->npy.rank,
		              rec->npy.shape, 0);
	row[COL_INDEX] = cell_printf("%zu", rec->tensor_index);
	row[COL_NAME] = strdup(rec->name);
	row[COL_DTYPE] = rec->npy.dtype == DK_BYTES
	                   ? cell_printf("%s%zu", dk_dtype_name(DK_BYTES), rec->npy.itemsize)
	                   : strdup(dk_dtype_name(rec->npy.dtype));
	row[COL_SHAPE] = strdup(shape);
	json_t *attrs = rec->meta ? dk_meta_attrs(rec->meta) : NULL;
	row[COL_ATTRS] = cell_json(attrs);
	row[COL_SUMMARY] = summary(x, attrs);
	row[COL_MIN] = cell_number(s ? s->min : NAN);
	row[COL_MAX] = cell_number(s ? s->max : NAN);
	row[COL_MEAN] = cell_number(s ? s->mean : NAN);
	row[COL_STD] = cell_number(s ? s->std : NAN);
	row[COL_NAN] = s ? cell_printf("%zu", s->nan) : strdup("-");
	row[COL_INF] = s ? cell_printf("%zu", s->inf) : strdup("-");
	for (int c = 0; c < NCOL; c++)
		if (!row[c]) {
			free_row(row);
			return DK_ENOMEM;
		}
	l->n++;
	return DK_OK;
}

/* Whether column c is printed with the flags. */
static int shown(unsigned flags, int c)
{
	if (c >= COL_MIN && c <= COL_INF)
		return (flags & DK_LISTING_STATS) != 0;
	int verbose = (flags & DK_LISTING_VERBOSE) != 0;
	return c == COL_SUMMARY ? !verbose : c == COL_ATTRS ? verbose : 1;
}

/* Append s to the text at *at, padded with spaces to width (0: none). */
static char *put(char *at, const char *s, size_t width)
{
	size_t n = strlen(s);
	memcpy(at, s, n);
	for (; n < width; n++)
		at[n] = ' ';
	return at + n;
}

char *dk_listing_format(dk_listing *l)
{
	size_t width[NCOL] = {0}, used = 0;
	int verbose = (l->flags & DK_LISTING_VERBOSE) != 0;
	for (size_t r = 0; r < l->n && !verbose; r++) {
		dk_brief_cut(l->cell[r][COL_NAME], DK_LISTING_NAME_MAX);
		dk_brief_cut(l->cell[r][COL_SHAPE], DK_LISTING_SHAPE_MAX);
	}
	for (int c = 0; c < NCOL; c++) {
		width[c] = strlen(col_title[c]);
		for (size_t r = 0; r < l->n; r++)
			if (strlen(l->cell[r][c]) > width[c])
				width[c] = strlen(l->cell[r][c]);
		if (shown(l->flags, c) && c < COL_SUMMARY)
			used += width[c] + 2;
	}
	size_t room = used + 20 < DK_LISTING_WIDTH ? DK_LISTING_WIDTH - used : 20;
	for (size_t r = 0; r < l->n && !verbose; r++)
		dk_brief_cut(l->cell[r][COL_SUMMARY], room);
	/* every cell at most its column's width, two spaces between, a
	   newline a line, and the terminating NUL */
	size_t line = 1;
	for (int c = 0; c < NCOL; c++)
		if (shown(l->flags, c))
			line += width[c] + 2;
	char *text = malloc((l->n + 1) * line + 1), *at = text;
	if (!text)
		return NULL;
	for (size_t r = 0; r <= l->n; r++) {
		int first = 1;
		for (int c = 0; c < NCOL; c++) {
			if (!shown(l->flags, c))
				continue;
			const char *s = r == 0 ? col_title[c] : l->cell[r - 1][c];
			if (!first)
				at = put(at, "  ", 0);
			first = 0;
			at = put(at, s, c >= COL_SUMMARY ? 0 : width[c]);
		}
		*at++ = '\n';
	}
	*at = '\0';
	return text;
}

json_t *dk_listing_json(const char *source, const dk_record *rec,
                        const dk_tensor_stats *s)
{
	json_t *shape = json_array();
	for (int k = 0; shape && k < rec->npy.rank; k++)
		json_array_append_new(shape, json_integer((json_int_t)rec->npy.shape[k]));
	char descr[32];
	if (rec->npy.dtype == DK_BYTES)
		snprintf(descr, sizeof descr, "%s%zu", dk_dtype_descr(DK_BYTES),
		         rec->npy.itemsize);
	else
		snprintf(descr, sizeof descr, "%s", dk_dtype_descr(rec->npy.dtype));
	json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:o}", "file", source,
	                      "index", (json_int_t)rec->tensor_index,
	                      "name", rec->name, "dtype", descr, "shape", shape);
	json_t *axes = rec->meta ? dk_meta_axes(rec->meta) : NULL;
	json_t *attrs = rec->meta ? dk_meta_attrs(rec->meta) : NULL;
	if (o && axes)
		json_object_set(o, "axes", axes);
	if (o && attrs)
		json_object_set(o, "attrs", attrs);
	if (o && s) {
		/* JSON has no NaN: statistics of no finite element are null */
		json_t *st = json_pack("{s:I, s:I, s:I}", "finite", (json_int_t)s->finite,
		                       "nan", (json_int_t)s->nan, "inf", (json_int_t)s->inf);
		const char *keys[] = {"min", "max", "mean", "std"};
		double vals[] = {s->min, s->max, s->mean, s->std};
		for (int k = 0; st && k < 4; k++)
			json_object_set_new(st, keys[k], isfinite(vals[k]) ? json_real(vals[k])
			                                                   : json_null());
		if (!st || json_object_set_new(o, "stats", st)) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}
