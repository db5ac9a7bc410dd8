/*
 * test_stream_rows.c -- a record's data read in blocks of rows
 * (dk_stream_read_rows, dk_stream_read_rows_f8): every block size (1,
 * odd, even, the whole record, more than it holds) gives the bytes the
 * whole-tensor read gives, from a file and from a pipe, which cannot
 * seek; other dtypes and big-endian data converted as dk_tensor_convert
 * converts the whole tensor; the record after a partly read one still
 * read; truncated data, Fortran order, scalars and complex refused.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"
#include "tap.h"

#define ROWS 37
#define COLS 15 /* (3, 5) per row */

/* A stream in memory as a file descriptor: a file, or a pipe (the
   records are small enough for the pipe's buffer). */
static int fd_of(const void *bytes, size_t n, int pipe_it)
{
	if (pipe_it) {
		int p[2];
		if (pipe(p))
			return -1;
		if (write(p[1], bytes, n) != (ssize_t)n)
			return -1;
		close(p[1]);
		return p[0];
	}
	FILE *f = tmpfile();
	if (n)
		fwrite(bytes, 1, n, f);
	fflush(f);
	int fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* A hand-made record (format 1.0): the header dict, then data. */
static size_t make_record(unsigned char *out, const char *dict,
                          const void *data, size_t n)
{
	size_t len = strlen(dict) + 1, p = 0;
	memcpy(out, "\x93NUMPY\x01\x00", 8);
	p = 8;
	out[p++] = (unsigned char)(len & 0xff);
	out[p++] = (unsigned char)(len >> 8);
	memcpy(out + p, dict, len - 1);
	p += len - 1;
	out[p++] = '\n';
	memcpy(out + p, data, n);
	return p + n;
}

/* The stream of two records: 'x', f8 (ROWS, 3, 5), and 'y', f8 (2,). */
static unsigned char *two_records(size_t *n)
{
	FILE *f = tmpfile();
	dk_stream_writer *w = dk_stream_writer_alloc(fileno(f));
	size_t shape[3] = {ROWS, 3, 5}, two[1] = {2};
	dk_tensor *x = dk_tensor_alloc(DK_F8, 0, 3, shape);
	for (size_t i = 0; i < x->count; i++)
		((double *)x->data)[i] = (double)i * 0.25 - 3;
	dk_tensor *y = dk_tensor_alloc(DK_F8, 0, 1, two);
	((double *)y->data)[0] = 7, ((double *)y->data)[1] = 8;
	dk_meta *mx = dk_meta_new("x"), *my = dk_meta_new("y");
	dk_stream_write_named(w, mx, x);
	dk_stream_write_named(w, my, y);
	dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	dk_meta_free(mx);
	dk_meta_free(my);
	dk_tensor_free(x);
	dk_tensor_free(y);
	*n = (size_t)ftell(f);
	unsigned char *bytes = malloc(*n);
	rewind(f);
	if (fread(bytes, 1, *n, f) != *n)
		*n = 0;
	fclose(f);
	return bytes;
}

/* The first record of bytes read whole (f8 as it is, else converted). */
static dk_tensor *whole(const unsigned char *bytes, size_t n)
{
	int fd = fd_of(bytes, n, 0);
	dk_stream_reader *r = dk_stream_reader_alloc(fd, "whole");
	const dk_record *rec;
	dk_tensor *t = NULL, *f8 = NULL;
	if (!dk_stream_next(r, &rec) && rec && !dk_stream_read_tensor(r, &t))
		dk_tensor_convert(t, DK_F8, &f8);
	dk_tensor_free(t);
	dk_stream_reader_free(r);
	close(fd);
	return f8;
}

/* Read the first record in blocks of k rows (the last one shorter), as
   f8 when f8 is set, into out; the status, and the second record's
   first value in *next (NaN without one). */
static int by_blocks(const unsigned char *bytes, size_t n, int pipe_it,
                     size_t k, int f8, void *out, size_t rowbytes,
                     double *next, char *err, size_t errlen)
{
	int fd = fd_of(bytes, n, pipe_it);
	dk_stream_reader *r = dk_stream_reader_alloc(fd, "blocks");
	const dk_record *rec;
	int st = dk_stream_next(r, &rec);
	size_t done = 0, left;
	*next = NAN;
	while (!st && (left = dk_stream_rows_left(r)) > 0) {
		size_t m = k < left ? k : left;
		unsigned char *dst = (unsigned char *)out + done * rowbytes;
		st = f8 ? dk_stream_read_rows_f8(r, (double *)dst, m)
		        : dk_stream_read_rows(r, dst, m);
		done += m;
	}
	if (!st && !(st = dk_stream_next(r, &rec)) && rec) {
		dk_tensor *t;
		if (!(st = dk_stream_read_tensor(r, &t)))
			*next = ((double *)t->data)[0];
		dk_tensor_free(t);
	}
	snprintf(err, errlen, "%s", dk_stream_reader_error(r));
	dk_stream_reader_free(r);
	close(fd);
	return st;
}

static void test_blocks(void)
{
	size_t n;
	unsigned char *bytes = two_records(&n);
	dk_tensor *t = whole(bytes, n);
	ok(t && t->count == ROWS * COLS, "the whole record reads");
	size_t sizes[] = {1, 2, 3, 7, 36, ROWS, 100};
	double *got = malloc(ROWS * COLS * sizeof *got);
	char err[1024];
	for (int p = 0; p < 2; p++)
		for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
			double next;
			memset(got, 0xff, ROWS * COLS * sizeof *got);
			int st = by_blocks(bytes, n, p, sizes[s], 0, got,
			                   COLS * sizeof *got, &next, err, sizeof err);
			ok(!st && t && !memcmp(got, t->data, ROWS * COLS * sizeof *got) &&
			   next == 7, "%s, blocks of %zu rows: the whole read's bytes, "
			   "then the next record (%s)", p ? "pipe" : "file", sizes[s], err);
		}
	/* a block of more rows than are left is refused, naming the record */
	int fd = fd_of(bytes, n, 1);
	dk_stream_reader *r = dk_stream_reader_alloc(fd, "pipe");
	const dk_record *rec;
	int st = dk_stream_next(r, &rec);
	is_int(dk_stream_rows_left(r), ROWS, "%d rows to read", ROWS);
	is_int(dk_stream_row_elements(r), COLS, "%d elements a row", COLS);
	st = dk_stream_read_rows(r, got, 30);
	is_int(dk_stream_rows_left(r), ROWS - 30, "%d left after 30", ROWS - 30);
	st = dk_stream_read_rows(r, got, 8);
	ok(st == DK_EINVAL && strstr(dk_stream_reader_error(r), "'x'"),
	   "8 rows of 7 left refused (%s)", dk_stream_reader_error(r));
	dk_tensor *again;
	ok(dk_stream_read_tensor(r, &again) == DK_EINVAL,
	   "the whole tensor is not read after some rows");
	ok(!dk_stream_next(r, &rec) && rec && !strcmp(rec->name, "y"),
	   "the next record is found after a partly read one");
	ok(dk_stream_read_rows(r, got, 1) == DK_OK && got[0] == 7 &&
	   dk_stream_rows_left(r) == 1, "a rank-1 record's rows are its elements");
	dk_stream_reader_free(r);
	close(fd);
	free(got);
	dk_tensor_free(t);
	free(bytes);
}

/* dtype descr and its raw elements (native little-endian here, or
   big-endian): read by blocks as f8 against the whole read converted. */
static void check_converted(const char *descr, const void *data, size_t width,
                            size_t rows, size_t cols)
{
	unsigned char rec[4096];
	char dict[128];
	snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
	         "'shape': (%zu, %zu), }", descr, rows, cols);
	size_t n = make_record(rec, dict, data, rows * cols * width);
	dk_tensor *t = whole(rec, n);
	double got[256], next;
	char err[1024];
	for (size_t k = 1; k <= 4; k++) {
		int st = by_blocks(rec, n, 1, k, 1, got, cols * sizeof *got, &next,
		                   err, sizeof err);
		ok(!st && t && !memcmp(got, t->data, rows * cols * sizeof *got),
		   "%s by blocks of %zu rows as f8: the whole tensor converted (%s)",
		   descr, k, err);
	}
	dk_tensor_free(t);
}

static void test_convert(void)
{
	float f4[6 * 5];
	int32_t i4[6 * 5];
	int64_t i8[6 * 5];
	unsigned char u1[6 * 5], be[6 * 5 * 4];
	for (size_t i = 0; i < 6 * 5; i++) {
		f4[i] = (float)i / 3.0f - 4;
		i4[i] = (int32_t)(i * 1000) - 7000;
		i8[i] = ((int64_t)1 << 40) + (int64_t)i;
		u1[i] = (unsigned char)(i * 9);
		for (int j = 0; j < 4; j++) /* f4 big-endian */
			be[4 * i + (size_t)j] = ((unsigned char *)&f4[i])[3 - j];
	}
	check_converted("<f4", f4, 4, 6, 5);
	check_converted(">f4", be, 4, 6, 5);
	check_converted("<i4", i4, 4, 6, 5);
	check_converted("<i8", i8, 8, 6, 5);
	check_converted("|u1", u1, 1, 6, 5);
}

static void test_refused(void)
{
	unsigned char rec[4096];
	double v[40] = {0}, got[40], next;
	char err[1024];
	/* 10 rows of 4 promised, 100 bytes (12.5 values) given */
	size_t n = make_record(rec, "{'descr': '<f8', 'fortran_order': False, "
	                       "'shape': (10, 4), }", v, 100);
	for (size_t k = 1; k <= 11; k += 2) {
		int st = by_blocks(rec, n, 1, k, 0, got, 4 * sizeof *got, &next,
		                   err, sizeof err);
		ok(st == DK_ETRUNC && strstr(err, "truncated") && strstr(err, "arr_0"),
		   "truncated data refused by blocks of %zu, naming the record (%s)",
		   k, err);
	}
	n = make_record(rec, "{'descr': '<f8', 'fortran_order': True, "
	                "'shape': (4, 2), }", v, 64);
	ok(by_blocks(rec, n, 0, 2, 1, got, 2 * sizeof *got, &next, err,
	             sizeof err) == DK_EFORMAT && strstr(err, "Fortran"),
	   "Fortran order refused (%s)", err);
	n = make_record(rec, "{'descr': '<f8', 'fortran_order': False, "
	                "'shape': (), }", v, 8);
	ok(by_blocks(rec, n, 0, 1, 1, got, 8, &next, err, sizeof err) == DK_OK &&
	   isnan(next), "a scalar has no rows to read");
	int fd = fd_of(rec, n, 0);
	dk_stream_reader *r = dk_stream_reader_alloc(fd, "s");
	const dk_record *cur;
	dk_stream_next(r, &cur);
	ok(dk_stream_read_rows(r, got, 1) == DK_EINVAL, "a scalar's rows refused (%s)",
	   dk_stream_reader_error(r));
	dk_stream_reader_free(r);
	close(fd);
	n = make_record(rec, "{'descr': '<c16', 'fortran_order': False, "
	                "'shape': (2,), }", v, 32);
	ok(by_blocks(rec, n, 0, 1, 1, got, 8, &next, err, sizeof err) == DK_EDTYPE,
	   "complex refused as f8 (%s)", err);
}

int main(void)
{
	test_blocks();
	test_convert();
	test_refused();
	return tap_done();
}
