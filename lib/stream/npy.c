/*
 * npy.c -- parsing and formatting .npy headers exactly as NumPy does.
 *
 * The parser accepts the Python dict literals NumPy has written in every
 * version (either quote style, any key order, Python 2 "3L" integers,
 * trailing commas), and rejects everything else with a message; it never
 * evaluates anything.  The formatter reproduces numpy.lib.format's output
 * byte for byte: sorted keys, repr() of the shape, the spare spaces NumPy
 * leaves for growing the first axis, and 64-byte alignment.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/npy.h"

/* Spare digits NumPy leaves after the dict so the first axis can grow. */
#define GROWTH_AXIS_MAX_DIGITS 21
#define ARRAY_ALIGN 64

int dk_npy_prefix_parse(const unsigned char *p, size_t avail,
                        size_t *prefix_len, size_t *dict_len,
                        int *major, int *minor, char *err, size_t errlen)
{
	if (avail < 8)
		return dk_errorf(DK_ETRUNC, err, errlen, "prefix is %zu of 8 bytes",
		            avail);
	if (memcmp(p, DK_NPY_MAGIC, DK_NPY_MAGIC_LEN) != 0)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "not a .npy record (bad magic bytes)");
	*major = p[6];
	*minor = p[7];
	if (*major < 1 || *major > 3 || *minor != 0)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "unknown .npy format version %d.%d", *major, *minor);
	size_t need = *major == 1 ? 10 : 12;
	if (avail < need)
		return dk_errorf(DK_ETRUNC, err, errlen, "prefix is %zu of %zu bytes",
		            avail, need);
	*prefix_len = need;
	if (*major == 1)
		*dict_len = (size_t)p[8] | (size_t)p[9] << 8;
	else
		*dict_len = (size_t)p[8] | (size_t)p[9] << 8 |
		            (size_t)p[10] << 16 | (size_t)p[11] << 24;
	return DK_OK;
}

/* A cursor over the dict text. */
typedef struct {
	const char *s;
	size_t n, i;
	char *err;
	size_t errlen;
} scan;

static void skip_space(scan *c)
{
	while (c->i < c->n && isspace((unsigned char)c->s[c->i]))
		c->i++;
}

static int peek(scan *c)
{
	skip_space(c);
	return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

static int expect(scan *c, char ch)
{
	if (peek(c) != ch)
		return dk_errorf(DK_EFORMAT, c->err, c->errlen,
		            "malformed header: expected '%c' at byte %zu", ch, c->i);
	c->i++;
	return DK_OK;
}

/* A quoted string (either quote style, no escapes), into out. */
static int quoted(scan *c, char *out, size_t cap)
{
	int q = peek(c);
	if (q != '\'' && q != '"')
		return dk_errorf(DK_EFORMAT, c->err, c->errlen,
		            "malformed header: expected a string at byte %zu", c->i);
	size_t start = ++c->i;
	while (c->i < c->n && c->s[c->i] != q) {
		if (c->s[c->i] == '\\')
			return dk_errorf(DK_EFORMAT, c->err, c->errlen,
			            "malformed header: escapes in strings are not supported");
		c->i++;
	}
	if (c->i >= c->n)
		return dk_errorf(DK_EFORMAT, c->err, c->errlen,
		            "malformed header: unterminated string");
	size_t len = c->i - start;
	c->i++;
	if (len >= cap)
		return dk_errorf(DK_EFORMAT, c->err, c->errlen,
		            "malformed header: string of %zu bytes is too long", len);
	memcpy(out, c->s + start, len);
	out[len] = '\0';
	return DK_OK;
}

static int word(scan *c, const char *w)
{
	size_t n = strlen(w);
	peek(c);
	if (c->n - c->i >= n && !memcmp(c->s + c->i, w, n)) {
		c->i += n;
		return 1;
	}
	return 0;
}

/* Parse a descr such as "<f8", ">i4", "|b1", "|S12" into h. */
static int parse_descr(const char *d, dk_npy_header *h, char *err,
                       size_t errlen)
{
	const char *s = d;
	char order = '=';
	if (*s && strchr("<>|=", *s))
		order = *s++;
	h->big_endian = order == '>';
	char kind = *s++;
	if (!kind)
		return dk_errorf(DK_EDTYPE, err, errlen, "empty dtype descr");
	char *end;
	errno = 0;
	unsigned long size = strtoul(s, &end, 10);
	if (end == s || *end || errno)
		return dk_errorf(DK_EDTYPE, err, errlen,
		            "unsupported dtype '%s' (dynkit reads f8 f4 c16 i8 i4 u1 b1 and S)", d);
	h->itemsize = size;
	struct { char kind; unsigned long size; dk_dtype dtype; } const known[] = {
		{'f', 8, DK_F8}, {'f', 4, DK_F4}, {'c', 16, DK_C16},
		{'i', 8, DK_I8}, {'i', 4, DK_I4}, {'u', 1, DK_U1},
		{'b', 1, DK_B1},
	};
	if (kind == 'S') {
		if (size > SIZE_MAX / 2)
			return dk_errorf(DK_ELIMIT, err, errlen, "dtype '%s' is too large", d);
		h->dtype = DK_BYTES;
		h->big_endian = 0;
		return DK_OK;
	}
	for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
		if (known[k].kind == kind && known[k].size == size) {
			h->dtype = known[k].dtype;
			if (size == 1)
				h->big_endian = 0;
			return DK_OK;
		}
	}
	if (kind == 'U') /* np.array(json.dumps(meta)) without .encode() */
		return dk_errorf(DK_EDTYPE, err, errlen,
		                 "unsupported dtype '%s': text must be bytes (|S, as "
		                 "np.array(json.dumps(meta).encode()) makes it), "
		                 "not str", d);
	return dk_errorf(DK_EDTYPE, err, errlen,
	            "unsupported dtype '%s' (dynkit reads f8 f4 c16 i8 i4 u1 b1 and S)", d);
}

static int parse_shape(scan *c, dk_npy_header *h)
{
	int st = expect(c, '(');
	if (st)
		return st;
	h->rank = 0;
	for (;;) {
		int ch = peek(c);
		if (ch == ')') {
			c->i++;
			return DK_OK;
		}
		if (ch < 0 || !isdigit(ch))
			return dk_errorf(DK_EFORMAT, c->err, c->errlen,
			            "malformed header: shape must be a tuple of non-negative integers");
		if (h->rank == DK_MAX_RANK)
			return dk_errorf(DK_ELIMIT, c->err, c->errlen,
			            "shape has more than %d axes", DK_MAX_RANK);
		size_t v = 0;
		while (c->i < c->n && isdigit((unsigned char)c->s[c->i])) {
			unsigned digit = (unsigned)(c->s[c->i++] - '0');
			if (v > (SIZE_MAX - digit) / 10)
				return dk_errorf(DK_ELIMIT, c->err, c->errlen,
				            "shape axis %d overflows", h->rank);
			v = v * 10 + digit;
		}
		if (c->i < c->n && c->s[c->i] == 'L') /* Python 2 long */
			c->i++;
		h->shape[h->rank++] = v;
		ch = peek(c);
		if (ch == ',')
			c->i++;
		else if (ch != ')')
			return dk_errorf(DK_EFORMAT, c->err, c->errlen,
			            "malformed header: expected ',' or ')' in shape");
	}
}

int dk_npy_dict_parse(const char *dict, size_t dict_len, dk_npy_header *h,
                      char *err, size_t errlen)
{
	scan c = {dict, dict_len, 0, err, errlen};
	int seen_descr = 0, seen_order = 0, seen_shape = 0;
	int st = expect(&c, '{');
	if (st)
		return st;
	while (peek(&c) != '}') {
		char key[32], descr[64];
		if ((st = quoted(&c, key, sizeof key)) || (st = expect(&c, ':')))
			return st;
		if (!strcmp(key, "descr")) {
			if (peek(&c) == '[')
				return dk_errorf(DK_EDTYPE, err, errlen,
				            "structured dtypes are not supported");
			if ((st = quoted(&c, descr, sizeof descr)) ||
			    (st = parse_descr(descr, h, err, errlen)))
				return st;
			seen_descr++;
		} else if (!strcmp(key, "fortran_order")) {
			if (word(&c, "True"))
				h->fortran_order = 1;
			else if (word(&c, "False"))
				h->fortran_order = 0;
			else
				return dk_errorf(DK_EFORMAT, err, errlen,
				            "malformed header: fortran_order must be True or False");
			seen_order++;
		} else if (!strcmp(key, "shape")) {
			if ((st = parse_shape(&c, h)))
				return st;
			seen_shape++;
		} else {
			return dk_errorf(DK_EFORMAT, err, errlen,
			            "malformed header: unexpected key '%s'", key);
		}
		if (peek(&c) == ',')
			c.i++;
		else if (peek(&c) != '}')
			return dk_errorf(DK_EFORMAT, err, errlen,
			            "malformed header: expected ',' or '}' at byte %zu", c.i);
	}
	c.i++;
	skip_space(&c);
	if (c.i != c.n)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "malformed header: text after the closing brace");
	if (seen_descr != 1 || seen_order != 1 || seen_shape != 1)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "malformed header: needs each of descr, fortran_order and shape once");
	if (dk_shape_count(h->rank, h->shape, h->itemsize, &h->count) != DK_OK)
		return dk_errorf(DK_ELIMIT, err, errlen,
		            "shape's size in bytes overflows");
	return DK_OK;
}

size_t dk_npy_format(dk_dtype dtype, size_t itemsize, int rank,
                     const size_t *shape, char *buf)
{
	if ((unsigned)dtype >= DK_NDTYPE || rank < 0 || rank > DK_MAX_RANK)
		return 0;
	char descr[32];
	if (dtype == DK_BYTES)
		snprintf(descr, sizeof descr, "|S%zu", itemsize);
	else
		snprintf(descr, sizeof descr, "%s", dk_dtype_descr(dtype));

	/* The dict, as Python's repr writes it, after the 10-byte prefix. */
	char *d = buf + 10;
	size_t n = (size_t)sprintf(d, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
	for (int i = 0; i < rank; i++)
		n += (size_t)sprintf(d + n, i ? ", %zu" : "%zu", shape[i]);
	n += (size_t)sprintf(d + n, rank == 1 ? ",), }" : "), }");
	if (rank > 0) {
		char first[32];
		int digits = snprintf(first, sizeof first, "%zu", shape[0]);
		for (int k = digits; k < GROWTH_AXIS_MAX_DIGITS; k++)
			d[n++] = ' ';
	}
	size_t hlen = n + 1; /* with the final newline */
	size_t pad = ARRAY_ALIGN - (10 + hlen) % ARRAY_ALIGN;
	memset(d + n, ' ', pad);
	d[n + pad] = '\n';
	size_t dict_len = hlen + pad;
	memcpy(buf, DK_NPY_MAGIC, DK_NPY_MAGIC_LEN);
	buf[6] = 1;
	buf[7] = 0;
	buf[8] = (char)(dict_len & 0xff);
	buf[9] = (char)(dict_len >> 8);
	return 10 + dict_len;
}
