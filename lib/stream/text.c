/*
 * text.c -- writing tensors as TSV blocks and reading them back exactly.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/npy.h"
#include "stream/text.h"

/* ---- writing ---- */

/* The shortest %.Ng form of v that strtod reads back to the same double. */
static int format_double(char *buf, size_t cap, double v)
{
	int n = 0;
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, cap, "%.*g", prec, v);
		if (isnan(v) || strtod(buf, NULL) == v)
			break;
	}
	return n;
}

static int format_float(char *buf, size_t cap, float v)
{
	int n = 0;
	for (int prec = 6; prec <= 9; prec++) {
		n = snprintf(buf, cap, "%.*g", prec, (double)v);
		if (isnan(v) || strtof(buf, NULL) == v)
			break;
	}
	return n;
}

/* Element i printed into buf (complex: "re\tim"); returns its length. */
static int format_element(const dk_tensor *t, size_t i, char *buf, size_t cap)
{
	const unsigned char *p = (const unsigned char *)t->data + i * t->itemsize;
	switch (t->dtype) {
	case DK_F8: { double v; memcpy(&v, p, 8); return format_double(buf, cap, v); }
	case DK_F4: { float v; memcpy(&v, p, 4); return format_float(buf, cap, v); }
	case DK_C16: {
		double v[2];
		memcpy(v, p, 16);
		int n = format_double(buf, cap, v[0]);
		buf[n++] = '\t';
		return n + format_double(buf + n, cap - (size_t)n, v[1]);
	}
	case DK_I8: { int64_t v; memcpy(&v, p, 8); return snprintf(buf, cap, "%" PRId64, v); }
	case DK_I4: { int32_t v; memcpy(&v, p, 4); return snprintf(buf, cap, "%" PRId32, v); }
	case DK_U1: return snprintf(buf, cap, "%u", (unsigned)*p);
	case DK_B1: return snprintf(buf, cap, "%d", *p != 0);
	default: return 0;
	}
}

int dk_text_write(dk_stream_writer *w, const char *json, size_t json_len,
                  const dk_tensor *t, int first)
{
	if (t->dtype == DK_BYTES)
		return DK_EDTYPE;
	char line[DK_NPY_FORMAT_MAX];
	int st = first ? DK_OK : dk_stream_write_bytes(w, "\n\n", 2);
	if (!st && json) {
		st = dk_stream_write_bytes(w, "# meta ", 7);
		/* JSON may break lines only between tokens: a space does as well */
		for (size_t i = 0; !st && i < json_len; i++) {
			char c = json[i] == '\n' || json[i] == '\r' ? ' ' : json[i];
			st = dk_stream_write_bytes(w, &c, 1);
		}
		if (!st)
			st = dk_stream_write_bytes(w, "\n", 1);
	}
	if (st)
		return st;
	int n = snprintf(line, sizeof line, "# tensor %s ", dk_dtype_descr(t->dtype));
	n += (int)dk_shape_format(line + n, sizeof line - (size_t)n, t->rank, t->shape);
	line[n++] = '\n';
	if ((st = dk_stream_write_bytes(w, line, (size_t)n)))
		return st;
	/* An empty tensor has no rows, however long its leading axis: one
	   blank line per index of a (10^15, 0) tensor would be no use. */
	size_t rows = t->count == 0 ? 0 : t->rank == 0 ? 1 : t->shape[0];
	size_t cols = rows ? t->count / rows : 0;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			char v[96];
			int k = format_element(t, r * cols + c, v, sizeof v - 1);
			v[k++] = c + 1 < cols ? '\t' : '\n';
			if ((st = dk_stream_write_bytes(w, v, (size_t)k)))
				return st;
		}
	}
	return DK_OK;
}

/* ---- reading ---- */

struct dk_text_reader {
	FILE *f;          /* not owned */
	char *source;     /* owned */
	char *line;       /* owned, from getline */
	size_t line_cap;
	int have_line;    /* line holds a line not yet consumed */
	size_t lineno;
	size_t max_elements;
	char *meta_json;  /* owned: the last block's "# meta" text */
	size_t nul;       /* 1 + the column of a NUL byte met; 0: none.  The
	                     reading ends there: a C string would stop short
	                     of the rest of the line */
	char err[1024];
};

static int text_error(dk_text_reader *tr, int status, const char *fmt, ...)
{
	if (tr->nul) {
		snprintf(tr->err, sizeof tr->err, "line %zu: a NUL byte at column %zu; text "
		         "holds none", tr->lineno, tr->nul);
		return DK_EFORMAT;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(tr->err, sizeof tr->err, "line %zu: ", tr->lineno);
	vsnprintf(tr->err + n, sizeof tr->err - (size_t)n, fmt, ap);
	va_end(ap);
	return status;
}

dk_text_reader *dk_text_reader_alloc(FILE *f, const char *source)
{
	dk_text_reader *tr = calloc(1, sizeof *tr);
	if (!tr || !(tr->source = strdup(source ? source : "-"))) {
		free(tr);
		return NULL;
	}
	tr->f = f;
	tr->max_elements = (size_t)1 << 30;
	return tr;
}

void dk_text_reader_free(dk_text_reader *tr)
{
	if (!tr)
		return;
	free(tr->line);
	free(tr->meta_json);
	free(tr->source);
	free(tr);
}

void dk_text_reader_set_max_elements(dk_text_reader *tr, size_t max)
{
	tr->max_elements = max;
}

const char *dk_text_reader_meta_json(const dk_text_reader *tr, size_t *len)
{
	*len = tr->meta_json ? strlen(tr->meta_json) : 0;
	return tr->meta_json;
}

const char *dk_text_reader_error(const dk_text_reader *tr)
{
	return tr->err;
}

/* Up to 40 characters of s as a message may show them: bytes that are
   not printable ASCII as \xHH. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; s[i] && i < 40 && k + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[k++] = (char)c;
		else
			k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
	}
	buf[k] = '\0';
	return buf;
}

/* The next line without its newline, or NULL at end of input (and at a
   line holding a NUL byte: tr->nul says so). */
static char *next_line(dk_text_reader *tr)
{
	if (tr->have_line) {
		tr->have_line = 0;
		return tr->line;
	}
	if (tr->nul)
		return NULL;
	ssize_t n = getline(&tr->line, &tr->line_cap, tr->f);
	if (n < 0)
		return NULL;
	tr->lineno++;
	const char *z = memchr(tr->line, '\0', (size_t)n);
	if (z) {
		tr->nul = (size_t)(z - tr->line) + 1;
		tr->line[0] = '\0';
		return NULL;
	}
	while (n > 0 && (tr->line[n - 1] == '\n' || tr->line[n - 1] == '\r'))
		tr->line[--n] = '\0';
	return tr->line;
}

static int is_blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* Parse one token into element i of t; returns nonzero if malformed. */
static int parse_element(dk_tensor *t, size_t i, char **cursor)
{
	unsigned char *p = (unsigned char *)t->data + i * t->itemsize;
	char *s = *cursor, *end;
	errno = 0;
	switch (t->dtype) {
	case DK_F8: { double v = strtod(s, &end); memcpy(p, &v, 8); break; }
	case DK_F4: { float v = strtof(s, &end); memcpy(p, &v, 4); break; }
	case DK_I8: {
		long long v = strtoll(s, &end, 10);
		int64_t k = v;
		memcpy(p, &k, 8);
		break;
	}
	case DK_I4: {
		long long v = strtoll(s, &end, 10);
		if (v < INT32_MIN || v > INT32_MAX)
			return 1;
		int32_t k = (int32_t)v;
		memcpy(p, &k, 4);
		break;
	}
	case DK_U1:
	case DK_B1: {
		long long v = strtoll(s, &end, 10);
		if (v < 0 || v > (t->dtype == DK_U1 ? 255 : 1))
			return 1;
		*p = (unsigned char)v;
		break;
	}
	default: return 1;
	}
	if (end == s || (errno == ERANGE && t->dtype != DK_F8 && t->dtype != DK_F4))
		return 1;
	if (*end && !strchr(" \t", *end))
		return 1;
	*cursor = end;
	return 0;
}

/* Read count elements (complex: 2 numbers each) from the following lines. */
static int read_values(dk_text_reader *tr, dk_tensor *t)
{
	size_t numbers = t->dtype == DK_C16 ? 2 * t->count : t->count, got = 0;
	dk_tensor part = *t;
	if (t->dtype == DK_C16) { /* view the complex data as doubles */
		part.dtype = DK_F8;
		part.itemsize = 8;
	}
	char *s;
	while (got < numbers && (s = next_line(tr))) {
		if (s[0] == '#')
			break;
		for (;;) {
			s += strspn(s, " \t");
			if (!*s)
				break;
			if (got == numbers)
				return text_error(tr, DK_EFORMAT, "more values than the shape holds");
			char b[200];
			if (parse_element(&part, got, &s))
				return text_error(tr, DK_EFORMAT, "'%s' is not a %s value",
				                  shown(s, b, sizeof b), dk_dtype_name(t->dtype));
			got++;
		}
	}
	if (got < numbers)
		return text_error(tr, DK_ETRUNC, "%zu of %zu values missing",
		                  numbers - got, numbers);
	/* A block ends at a blank line, the next '#' line or the end: a row
	   beyond the shape is an error, not the start of a plain table. */
	if ((s = next_line(tr))) {
		if (s[0] == '#')
			tr->have_line = 1;
		else if (!is_blank(s))
			return text_error(tr, DK_EFORMAT, "more rows than the shape (%zu values) holds",
			                  numbers);
	}
	return DK_OK;
}

static int parse_tensor_line(dk_text_reader *tr, const char *s, dk_tensor **out)
{
	char descr[16];
	int off = 0;
	if (sscanf(s, "# tensor %15s %n", descr, &off) != 1 || off == 0)
		return text_error(tr, DK_EFORMAT, "malformed '# tensor' line");
	/* dtype and shape are written as NumPy writes them in a header */
	dk_npy_header h = {0};
	char msg[256], dict[512];
	snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s}",
	         descr, s + off);
	int st = dk_npy_dict_parse(dict, strlen(dict), &h, msg, sizeof msg);
	if (st)
		return text_error(tr, st, "%s", msg);
	if (h.dtype == DK_BYTES)
		return text_error(tr, DK_EDTYPE, "byte strings have no text form");
	if (h.count > tr->max_elements)
		return text_error(tr, DK_ELIMIT, "%zu elements exceed the limit of %zu",
		                  h.count, tr->max_elements);
	*out = dk_tensor_alloc(h.dtype, 0, h.rank, h.shape);
	if (!*out)
		return text_error(tr, DK_ENOMEM, "out of memory");
	return DK_OK;
}

/* A headerless table: rows of numbers up to a blank line, as f8. */
static int read_table(dk_text_reader *tr, char *first, dk_tensor **out)
{
	size_t rows = 0, cols = 0, n = 0, cap = 0;
	double *v = NULL;
	for (char *s = first; s && !is_blank(s) && s[0] != '#'; s = next_line(tr)) {
		size_t c = 0;
		for (;;) {
			s += strspn(s, " \t");
			if (!*s)
				break;
			char *end;
			double x = strtod(s, &end);
			if (end == s || (*end && !strchr(" \t", *end))) {
				char b[200];
				free(v);
				return text_error(tr, DK_EFORMAT, "'%s' is not a number",
				                  shown(s, b, sizeof b));
			}
			if (n == tr->max_elements) {
				free(v);
				return text_error(tr, DK_ELIMIT, "table exceeds the limit of %zu elements",
				                  tr->max_elements);
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				double *grown = realloc(v, cap * sizeof *v);
				if (!grown) {
					free(v);
					return text_error(tr, DK_ENOMEM, "out of memory");
				}
				v = grown;
			}
			v[n++] = x;
			c++;
			s = end;
		}
		if (rows > 0 && c != cols) {
			free(v);
			return text_error(tr, DK_EFORMAT, "row has %zu columns, earlier rows %zu", c, cols);
		}
		cols = c;
		rows++;
	}
	if (tr->nul) {
		free(v);
		return text_error(tr, DK_EFORMAT, "");
	}
	if (tr->line && tr->line[0] == '#')
		tr->have_line = 1; /* the next block's header */
	size_t shape[2] = {rows, cols};
	*out = dk_tensor_alloc(DK_F8, 0, 2, shape);
	if (*out)
		memcpy((*out)->data, v, n * sizeof *v);
	free(v);
	return *out ? DK_OK : text_error(tr, DK_ENOMEM, "out of memory");
}

int dk_text_next(dk_text_reader *tr, dk_meta **meta, dk_tensor **t)
{
	*meta = NULL;
	*t = NULL;
	tr->err[0] = '\0';
	free(tr->meta_json);
	tr->meta_json = NULL;
	char *s;
	int st;
	while ((s = next_line(tr))) {
		if (is_blank(s))
			continue;
		if (!strncmp(s, "# meta ", 7)) {
			if (*meta) {
				st = text_error(tr, DK_EFORMAT, "two '# meta' lines for one tensor");
				goto fail;
			}
			char msg[256];
			if ((st = dk_meta_parse(s + 7, strlen(s + 7), meta, msg, sizeof msg)))
				return text_error(tr, st, "%s", msg);
			if (!(tr->meta_json = strdup(s + 7))) {
				st = text_error(tr, DK_ENOMEM, "out of memory");
				goto fail;
			}
			continue;
		}
		if (!strncmp(s, "# tensor ", 9)) {
			if ((st = parse_tensor_line(tr, s, t)) ||
			    (st = read_values(tr, *t)))
				goto fail;
			return DK_OK;
		}
		if (s[0] == '#')
			continue; /* a comment */
		if ((st = read_table(tr, s, t)))
			goto fail;
		return DK_OK;
	}
	if (ferror(tr->f) || tr->nul) {
		st = text_error(tr, DK_EIO, "read error");
		goto fail;
	}
	if (*meta) {
		st = text_error(tr, DK_EFORMAT, "'# meta' line with no tensor after it");
		goto fail;
	}
	return DK_OK;
fail:
	dk_meta_free(*meta);
	dk_tensor_free(*t);
	*meta = NULL;
	*t = NULL;
	return st;
}
