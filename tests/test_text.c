/*
 * test_text.c -- the TSV text form: exact round trips of values that
 * need all 17 digits, the layout gnuplot expects, the short header line
 * (its name and axes read back, its width kept to 100 columns), the
 * older "# tensor" form still read, plain tables, and malformed text.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"
#include "tap.h"

/* Write tensors as text into a string (malloc'd), the first with the
   metadata json, and its "# meta" line when flags say so. */
static char *to_text_flags(dk_tensor **t, size_t n, const char *json, unsigned flags)
{
	FILE *f = tmpfile();
	dk_stream_writer *w = dk_stream_writer_alloc(fileno(f));
	for (size_t i = 0; i < n; i++)
		dk_text_write(w, i == 0 ? json : NULL, json && i == 0 ? strlen(json) : 0, t[i],
		              (i == 0 ? DK_TEXT_FIRST : 0) | flags);
	dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	off_t len = lseek(fileno(f), 0, SEEK_END);
	char *s = calloc((size_t)len + 1, 1);
	if (pread(fileno(f), s, (size_t)len, 0) != len)
		s[0] = '\0';
	fclose(f);
	return s;
}

static char *to_text(dk_tensor **t, size_t n, const char *json)
{
	return to_text_flags(t, n, json, DK_TEXT_META);
}

/* The length of the first line of s, without its newline. */
static size_t first_line(const char *s)
{
	return strcspn(s, "\n");
}

static int read_text(const char *s, dk_meta **m, dk_tensor **t, char *err)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");
	dk_text_reader *tr = dk_text_reader_alloc(f, "text");
	int st = dk_text_next(tr, m, t);
	snprintf(err, 256, "%s", dk_text_reader_error(tr));
	dk_text_reader_free(tr);
	fclose(f);
	return st;
}

int main(void)
{
	size_t shape[2] = {2, 3};
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 2, shape);
	double v[6] = {0.1, 1.0 / 3, -DBL_MIN / 4, DBL_MAX, NAN, -INFINITY};
	memcpy(t->data, v, sizeof v);
	char *s = to_text(&t, 1, "{\"name\":\"x\"}");
	ok(!strncmp(s, "# x  f8  (2, 3)\n# meta {\"name\":\"x\"}\n0.1\t0.33333333333333331\t", 50),
	   "layout: header line, meta line, shortest exact values: %.40s", s);
	ok(strstr(s, "\n") && strchr(strchr(s, '\n') + 1, '\n') && strstr(s, "-inf\n") != NULL,
	   "one row per leading index");
	dk_meta *m;
	dk_tensor *back;
	char err[256];
	is_int(read_text(s, &m, &back, err), DK_OK, "reads back: %s", err);
	ok(back && back->dtype == DK_F8 && back->rank == 2 && back->shape[1] == 3, "dtype and shape back");
	int same = back != NULL;
	for (int i = 0; same && i < 6; i++)
		same = isnan(v[i]) ? isnan(((double *)back->data)[i])
		                   : !memcmp(&v[i], (double *)back->data + i, 8);
	ok(same, "every value back bit for bit, subnormal, max, nan and -inf too");
	is_str(m ? dk_meta_name(m) : NULL, "x", "metadata back");
	free(s);
	dk_meta_free(m);
	dk_tensor_free(back);
	dk_tensor_free(t);

	/* several dtypes in one text stream, separated by two blank lines */
	size_t n1[1] = {3};
	dk_tensor *ts[3] = {dk_tensor_alloc(DK_I8, 0, 1, n1), dk_tensor_alloc(DK_C16, 0, 1, n1),
	                    dk_tensor_alloc(DK_F4, 0, 0, NULL)};
	int64_t iv[3] = {INT64_MIN, 0, INT64_MAX};
	memcpy(ts[0]->data, iv, sizeof iv);
	double cv[6] = {1, -1, 0.5, 2, -3, 1e300};
	memcpy(ts[1]->data, cv, sizeof cv);
	float fv = 0.1f;
	memcpy(ts[2]->data, &fv, 4);
	s = to_text(ts, 3, NULL);
	ok(strstr(s, "9223372036854775807\n\n\n# c16  (3)\n1\t-1\n") != NULL,
	   "blocks separated by two blank lines; complex as two columns");
	ok(strstr(s, "# f4  ()\n0.1\n") != NULL, "f4 printed in its own shortest form");
	FILE *f = fmemopen(s, strlen(s), "r");
	dk_text_reader *tr = dk_text_reader_alloc(f, "text");
	int all = 1;
	for (int i = 0; i < 3; i++) {
		all &= dk_text_next(tr, &m, &back) == DK_OK && back && m == NULL &&
		       back->dtype == ts[i]->dtype &&
		       !memcmp(back->data, ts[i]->data, dk_tensor_nbytes(ts[i]));
		dk_tensor_free(back);
	}
	ok(all, "i8 extremes, complex and f4 read back exactly");
	ok(dk_text_next(tr, &m, &back) == DK_OK && back == NULL, "then the end");
	dk_text_reader_free(tr);
	fclose(f);
	free(s);
	for (int i = 0; i < 3; i++)
		dk_tensor_free(ts[i]);

	/* a plain table from awk or a spreadsheet */
	is_int(read_text("1 2 3\n4\t5 6\n\n", &m, &back, err), DK_OK, "plain table reads");
	ok(back && back->dtype == DK_F8 && back->rank == 2 && back->shape[0] == 2 &&
	   back->shape[1] == 3 && ((double *)back->data)[4] == 5, "as f8 (2, 3)");
	dk_tensor_free(back);

	ok(read_text("1 2\n3\n", &m, &back, err) == DK_EFORMAT && strstr(err, "line 2"),
	   "ragged table refused, naming the line: %s", err);
	ok(read_text("# tensor <f8 (2,)\n1\n", &m, &back, err) == DK_ETRUNC && strstr(err, "1 of 2 values missing"),
	   "too few values: %s", err);
	ok(read_text("# tensor <f8 (1,)\n1 2\n", &m, &back, err) == DK_EFORMAT,
	   "too many values refused");
	ok(read_text("# tensor <u1 (1,)\n256\n", &m, &back, err) == DK_EFORMAT,
	   "u1 out of range refused");
	ok(read_text("# tensor <i4 (1,)\n1.5\n", &m, &back, err) == DK_EFORMAT,
	   "fraction for an integer refused");
	ok(read_text("# tensor <u2 (1,)\n1\n", &m, &back, err) == DK_EDTYPE,
	   "unknown dtype refused");
	ok(read_text("# meta {\"name\":\"x\"}\n", &m, &back, err) == DK_EFORMAT &&
	   strstr(err, "no tensor after it"), "meta line with no tensor refused");
	ok(read_text("# meta {}\n# meta {}\n# tensor <f8 ()\n1\n", &m, &back, err) == DK_EFORMAT &&
	   m == NULL && back == NULL, "two meta lines refused, nothing left to the caller");

	/* an empty tensor has no rows, however long its leading axis */
	size_t huge[2] = {(size_t)1000000000000000, 0};
	dk_tensor *e = dk_tensor_alloc(DK_F8, 0, 2, huge);
	s = to_text(&e, 1, NULL);
	is_str(s, "# f8  (1000000000000000, 0)\n", "(10^15, 0) is one header line");
	ok(read_text(s, &m, &back, err) == DK_OK && back && back->count == 0 &&
	   back->shape[0] == huge[0], "and reads back as (10^15, 0)");
	dk_tensor_free(back);
	dk_tensor_free(e);
	free(s);
	/* the short header: name and axes without the "# meta" line, read back */
	size_t sh3[3] = {2, 1, 2};
	dk_tensor *st3 = dk_tensor_alloc(DK_F8, 0, 3, sh3);
	const char *js = "{\"name\":\"states\",\"axes\":[\"time\",\"batch\",\"unit\"],"
	                 "\"attrs\":{\"dt\":0.1}}";
	s = to_text_flags(&st3, 1, js, 0);
	is_str(s, "# states  f8  (time 2, batch 1, unit 2)\n0\t0\n0\t0\n",
	       "without DK_TEXT_META: one header line naming the tensor, its axes");
	is_int(read_text(s, &m, &back, err), DK_OK, "reads back: %s", err);
	json_t *ax = m ? dk_meta_axes(m) : NULL;
	ok(m && !strcmp(dk_meta_name(m), "states") && json_array_size(ax) == 3 &&
	   !strcmp(json_string_value(json_array_get(ax, 2)), "unit") && !dk_meta_attrs(m) &&
	   back && back->rank == 3 && back->shape[2] == 2,
	   "name, axes, dtype and shape back from the header; no attrs");
	dk_meta_free(m);
	dk_tensor_free(back);
	free(s);
	s = to_text_flags(&st3, 1, js, DK_TEXT_META);
	ok(!strncmp(s, "# states  f8  (time 2, batch 1, unit 2)\n# meta {", 48),
	   "with DK_TEXT_META the JSON follows the header");
	is_int(read_text(s, &m, &back, err), DK_OK, "reads back: %s", err);
	ok(m && dk_meta_attrs(m) && json_object_get(dk_meta_attrs(m), "dt"), "...the attrs too");
	dk_meta_free(m);
	dk_tensor_free(back);
	free(s);

	/* long names and axes: the header stays within 100 columns */
	char longjs[1024];
	snprintf(longjs, sizeof longjs, "{\"name\":\"model/%0200d\",\"axes\":[\"t\",\"b\",\"u\"]}", 7);
	s = to_text_flags(&st3, 1, longjs, 0);
	ok(first_line(s) == DK_TEXT_HEADER_WIDTH && strstr(s, "...  f8  (2, 1, 2)\n"),
	   "a 206-character name: cut to 100 columns, ending in '...', axes left out: %.*s",
	   (int)first_line(s), s);
	is_int(read_text(s, &m, &back, err), DK_OK, "reads back: %s", err);
	ok(m == NULL && back && back->rank == 3, "a name cut short is not taken as a name");
	dk_tensor_free(back);
	free(s);
	snprintf(longjs, sizeof longjs, "{\"name\":\"x\",\"axes\":[\"%090d\",\"b\",\"u\"]}", 0);
	s = to_text_flags(&st3, 1, longjs, 0);
	is_str(s, "# x  f8  (2, 1, 2)\n0\t0\n0\t0\n", "a 90-character axis name: the axes left out");
	free(s);
	snprintf(longjs, sizeof longjs, "{\"name\":\"a\\nb\",\"axes\":[\"t i\",\"b\",\"u\"]}");
	s = to_text_flags(&st3, 1, longjs, 0);
	is_str(s, "# a?b  f8  (2, 1, 2)\n0\t0\n0\t0\n",
	       "a newline in the name shown as ?, axis names with spaces left out");
	free(s);
	dk_tensor_free(st3);

	/* a tensor named "tensor" is not the older form; a comment is none */
	is_int(read_text("# tensor  i8  (n 2)\n1\n2\n", &m, &back, err), DK_OK,
	       "a tensor named tensor reads: %s", err);
	ok(m && !strcmp(dk_meta_name(m), "tensor") && back && back->dtype == DK_I8, "...as such");
	dk_meta_free(m);
	dk_tensor_free(back);
	is_int(read_text("# a comment (not a header)\n# x  f4  (2)\n1\n2\n", &m, &back, err), DK_OK,
	       "a comment before a header is skipped: %s", err);
	ok(back && back->dtype == DK_F4 && back->count == 2, "...the header after it read");
	dk_meta_free(m);
	dk_tensor_free(back);
	ok(read_text("# x  f8  (n two)\n1\n", &m, &back, err) == DK_EFORMAT &&
	   strstr(err, "line 1: malformed shape"), "a header with a malformed shape: %s", err);
	ok(read_text("# x  f8  (3)\n1\n2\n", &m, &back, err) == DK_ETRUNC && m == NULL,
	   "a short block after a header refused, nothing left to the caller: %s", err);
	/* the older form, as earlier versions wrote it, still reads */
	is_int(read_text("# meta {\"name\":\"y\"}\n# tensor <f8 (2,)\n1\n2\n", &m, &back, err),
	       DK_OK, "the older '# meta' + '# tensor' block reads: %s", err);
	ok(m && !strcmp(dk_meta_name(m), "y") && back && back->count == 2, "...name and values");
	dk_meta_free(m);
	dk_tensor_free(back);
	return tap_done();
}
