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

/* An axis name the header can show and read back: no space, comma,
   parenthesis or control character. */
static int plain_axis(const char *a)
{
	if (!*a)
		return 0;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr(",()", *p))
			return 0;
	return 1;
}

/* The axes of m when there is a plain name for each of rank axes. */
static json_t *plain_axes(const dk_meta *m, int rank)
{
	json_t *axes = m ? dk_meta_axes(m) : NULL;
	if (!axes || json_array_size(axes) != (size_t)rank)
		return NULL;
	for (size_t k = 0; k < json_array_size(axes); k++)
		if (!plain_axis(json_string_value(json_array_get(axes, k))))
			return NULL;
	return axes;
}

size_t dk_text_shape(char *buf, size_t cap, const dk_meta *m, int rank,
                     const size_t *shape, int named)
{
	json_t *axes = named ? plain_axes(m, rank) : NULL;
	size_t n = 0;
	if (cap == 0)
		return 0;
	n += (size_t)snprintf(buf, cap, "(");
	for (int k = 0; k < rank && n < cap; k++) {
		const char *a = axes ? json_string_value(json_array_get(axes, (size_t)k)) : NULL;
		n += (size_t)snprintf(buf + n, cap - n, "%s%s%s%zu", k ? ", " : "", a ? a : "",
		                      a ? " " : "", shape[k]);
	}
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, ")");
	return n < cap ? n : cap - 1;
}

/* The block's header line "# NAME  DTYPE  SHAPE\n" into buf (see text.h):
   the axis names dropped, then the name cut short with "...", when the
   line would be wider than DK_TEXT_HEADER_WIDTH.  Returns the length. */
static size_t header_line(char *buf, size_t cap, const char *json, size_t json_len,
                          const dk_tensor *t)
{
	dk_meta *m = NULL;
	char msg[64];
	if (json && dk_meta_parse(json, json_len, &m, msg, sizeof msg))
		m = NULL;
	const char *name = m ? dk_meta_name(m) : NULL;
	char shape[DK_NPY_FORMAT_MAX];
	const char *dtype = dk_dtype_name(t->dtype);
	size_t name_len = name ? strlen(name) : 0;
	size_t fixed = 2 + strlen(dtype) + 2 +
	               dk_text_shape(shape, sizeof shape, m, t->rank, t->shape, 1);
	if (fixed + name_len + 2 > DK_TEXT_HEADER_WIDTH)
		fixed = 2 + strlen(dtype) + 2 +
		        dk_text_shape(shape, sizeof shape, m, t->rank, t->shape, 0);
	int cut = name_len && fixed + name_len + 2 > DK_TEXT_HEADER_WIDTH;
	if (cut) { /* keep what fits, at least the "...", and whole UTF-8 characters */
		name_len = DK_TEXT_HEADER_WIDTH > fixed + 5 ? DK_TEXT_HEADER_WIDTH - fixed - 5 : 0;
		while (name_len && ((unsigned char)name[name_len] & 0xc0) == 0x80)
			name_len--;
	}
	size_t n = (size_t)snprintf(buf, cap, "# ");
	for (size_t i = 0; i < name_len && n + 1 < cap; i++) {
		unsigned char c = (unsigned char)name[i];
		buf[n++] = c < ' ' || c == 0x7f ? '?' : (char)c; /* one line, whatever the name */
	}
	buf[n] = '\0';
	n += (size_t)snprintf(buf + n, cap - n, "%s%s%s  %s\n", cut ? "..." : "",
	                      name ? "  " : "", dtype, shape);
	dk_meta_free(m);
	return n < cap ? n : cap - 1;
}

int dk_text_write(dk_stream_writer *w, const char *json, size_t json_len,
                  const dk_tensor *t, unsigned flags)
{
	if (t->dtype == DK_BYTES)
		return DK_EDTYPE;
	char line[DK_NPY_FORMAT_MAX + 2 * DK_TEXT_HEADER_WIDTH];
	int st = flags & DK_TEXT_FIRST ? DK_OK : dk_stream_write_bytes(w, "\n\n", 2);
	if (!st) {
		size_t n = header_line(line, sizeof line, json, json_len, t);
		st = dk_stream_write_bytes(w, line, n);
	}
	if (!st && json && (flags & DK_TEXT_META)) {
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

/* The metadata a short header gives: its name (none when it is empty or
   was cut short, ending in "...") and its axis names when every axis has
   one; *meta stays NULL when there are neither. */
static int header_meta(dk_text_reader *tr, const char *name, size_t len,
                       char axes[][64], int rank, int named_axes, dk_meta **meta)
{
	int cut = len >= 3 && !strncmp(name + len - 3, "...", 3);
	int has_name = len > 0 && !cut, has_axes = named_axes && rank > 0;
	if (!has_name && !has_axes)
		return DK_OK;
	char *nm = has_name ? strndup(name, len) : NULL;
	const char *ax[DK_MAX_RANK];
	for (int k = 0; k < rank; k++)
		ax[k] = axes[k];
	*meta = !has_name || nm ? dk_meta_new(nm) : NULL;
	free(nm);
	if (!*meta || (has_axes && dk_meta_set_axes(*meta, ax, (size_t)rank))) {
		dk_meta_free(*meta);
		*meta = NULL;
		return text_error(tr, DK_ENOMEM, "out of memory");
	}
	return DK_OK;
}

/*
 * A short header line "# NAME  DTYPE  (AXIS N, ...)" (text.h): *t new, and
 * *meta from its name and axes.  *is_header 0 when the line is not one:
 * it does not end in a parenthesis with a short dtype name before it (a
 * comment, then).
 */
static int parse_header_line(dk_text_reader *tr, const char *s, dk_tensor **t,
                             dk_meta **meta, int *is_header)
{
	*is_header = 0;
	size_t end = strlen(s);
	while (end > 2 && strchr(" \t", s[end - 1]))
		end--;
	const char *open = strrchr(s, '(');
	if (strncmp(s, "# ", 2) || end < 4 || s[end - 1] != ')' || !open || open < s + 2)
		return DK_OK;
	const char *dt_end = open;
	while (dt_end > s + 2 && strchr(" \t", dt_end[-1]))
		dt_end--;
	const char *dt = dt_end;
	while (dt > s + 2 && !strchr(" \t", dt[-1]))
		dt--;
	char dname[8];
	dk_dtype dtype;
	size_t dlen = (size_t)(dt_end - dt);
	if (dlen == 0 || dlen >= sizeof dname)
		return DK_OK;
	memcpy(dname, dt, dlen);
	dname[dlen] = '\0';
	if (dk_dtype_from_name(dname, &dtype) || strcmp(dname, dk_dtype_name(dtype)))
		return DK_OK;
	*is_header = 1;
	/* the shape: each dimension a number, after its axis name */
	char axes[DK_MAX_RANK][64], dims[DK_MAX_RANK * 24 + 8];
	int rank = 0, named = 0;
	size_t dn = 0;
	const char *p = open + 1, *close = s + end - 1;
	while (p < close) {
		const char *comma = memchr(p, ',', (size_t)(close - p));
		const char *e = comma ? comma : close;
		const char *a = p, *b = e;
		while (a < b && strchr(" \t", *a))
			a++;
		while (b > a && strchr(" \t", b[-1]))
			b--;
		if (a == b && !comma && rank > 0)
			break; /* "(5,)": a trailing comma */
		const char *num = b;
		while (num > a && num[-1] >= '0' && num[-1] <= '9')
			num--;
		const char *ae = num;
		while (ae > a && strchr(" \t", ae[-1]))
			ae--;
		if (num == b || b - num > 20 || rank == DK_MAX_RANK ||
		    (ae > a && ae == num) || (size_t)(ae - a) >= sizeof axes[0])
			return text_error(tr, DK_EFORMAT, "malformed shape in the header line");
		memcpy(axes[rank], a, (size_t)(ae - a));
		axes[rank][ae - a] = '\0';
		named += ae > a;
		dn += (size_t)snprintf(dims + dn, sizeof dims - dn, "%.*s,", (int)(b - num), num);
		rank++;
		p = comma ? comma + 1 : close;
	}
	dims[dn] = '\0';
	/* dtype and shape checked as NumPy's header would be */
	dk_npy_header h = {0};
	char msg[256], dict[sizeof dims + 64];
	snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s)}",
	         dk_dtype_descr(dtype), dims);
	int st = dk_npy_dict_parse(dict, strlen(dict), &h, msg, sizeof msg);
	if (st)
		return text_error(tr, st, "%s", msg);
	if (h.count > tr->max_elements)
		return text_error(tr, DK_ELIMIT, "%zu elements exceed the limit of %zu",
		                  h.count, tr->max_elements);
	const char *name = s + 2;
	while (name < dt && strchr(" \t", *name))
		name++;
	const char *name_end = dt;
	while (name_end > name && strchr(" \t", name_end[-1]))
		name_end--;
	if ((st = header_meta(tr, name, (size_t)(name_end - name), axes, rank,
	                      named == rank, meta)))
		return st;
	if (!(*t = dk_tensor_alloc(h.dtype, 0, h.rank, h.shape)))
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

/* After a short header: the "# meta" line that may follow it (the
   metadata then, exactly), else the header's name and axes hm (taken),
   into *meta, which a "# meta" line before the header may already hold. */
static int after_header(dk_text_reader *tr, dk_meta **meta, dk_meta **hm)
{
	char *s = next_line(tr);
	if (s && !strncmp(s, "# meta ", 7)) {
		dk_meta_free(*hm);
		*hm = NULL;
		if (*meta)
			return text_error(tr, DK_EFORMAT, "two '# meta' lines for one tensor");
		char msg[256];
		int st = dk_meta_parse(s + 7, strlen(s + 7), meta, msg, sizeof msg);
		if (st)
			return text_error(tr, st, "%s", msg);
		if (!(tr->meta_json = strdup(s + 7)))
			return text_error(tr, DK_ENOMEM, "out of memory");
		return DK_OK;
	}
	if (s)
		tr->have_line = 1;
	if (!*meta) {
		*meta = *hm;
		*hm = NULL;
	}
	dk_meta_free(*hm);
	*hm = NULL;
	return DK_OK;
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
		/* the old block header, "# tensor <f8 (3, 4)": one space after
		   "tensor", where a short header of a tensor named "tensor" has two */
		if (!strncmp(s, "# tensor ", 9) && s[9] != ' ' && s[9] != '\t') {
			if ((st = parse_tensor_line(tr, s, t)) ||
			    (st = read_values(tr, *t)))
				goto fail;
			return DK_OK;
		}
		if (s[0] == '#') {
			dk_meta *hm = NULL;
			int is_header;
			if ((st = parse_header_line(tr, s, t, &hm, &is_header))) {
				dk_meta_free(hm);
				goto fail;
			}
			if (!is_header)
				continue; /* a comment */
			if ((st = after_header(tr, meta, &hm)) || (st = read_values(tr, *t)))
				goto fail;
			return DK_OK;
		}
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
