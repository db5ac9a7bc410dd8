/*
 * test_stream.c -- the stream reader and writer, through real file
 * descriptors: round trips of every dtype, byte-order and Fortran-order
 * conversion checked against arrays built by hand, truncation, limits,
 * metadata placement and raw copies.
 */
#include <config.h>

#include <complex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"
#include "tap.h"

/* A stream in memory, readable as a file descriptor. */
static int fd_of(const void *bytes, size_t n)
{
	FILE *f = tmpfile();
	if (n)
		fwrite(bytes, 1, n, f);
	fflush(f);
	int fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* A hand-made record: any header dict (version 1.0 or 2.0), then data. */
static size_t make_record(unsigned char *out, int major, const char *dict,
                          const void *data, size_t n)
{
	size_t len = strlen(dict) + 1, p = 0;
	memcpy(out, "\x93NUMPY", 6);
	out[6] = (unsigned char)major;
	out[7] = 0;
	p = 8;
	out[p++] = (unsigned char)(len & 0xff);
	out[p++] = (unsigned char)(len >> 8);
	if (major > 1) {
		out[p++] = (unsigned char)(len >> 16);
		out[p++] = (unsigned char)(len >> 24);
	}
	memcpy(out + p, dict, len - 1);
	p += len - 1;
	out[p++] = '\n';
	memcpy(out + p, data, n);
	return p + n;
}

/* Read the whole stream from fd into a bundle; the status of the read. */
static int read_all(int fd, dk_bundle **b, char *err, size_t errlen)
{
	dk_stream_reader *r = dk_stream_reader_alloc(fd, "test");
	*b = dk_bundle_alloc();
	int st = dk_bundle_read(*b, r);
	snprintf(err, errlen, "%s", dk_stream_reader_error(r));
	dk_stream_reader_free(r);
	close(fd);
	return st;
}

static void test_round_trip(void)
{
	FILE *f = tmpfile();
	int fd = fileno(f);
	dk_stream_writer *w = dk_stream_writer_alloc(fd);
	dk_dtype types[] = {DK_F8, DK_F4, DK_C16, DK_I8, DK_I4, DK_U1, DK_B1};
	size_t shape[2] = {3, 2};
	for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
		dk_tensor *t = dk_tensor_alloc(types[k], 0, 2, shape);
		for (size_t i = 0; i < dk_tensor_nbytes(t); i++)
			((unsigned char *)t->data)[i] = (unsigned char)(i * 7 + k) % (types[k] == DK_B1 ? 2 : 256);
		char name[32];
		snprintf(name, sizeof name, "t/%s", dk_dtype_name(types[k]));
		dk_meta *m = dk_meta_new(name);
		const char *axes[2] = {"row", "col"};
		dk_meta_set_axes(m, axes, 2);
		dk_meta_set_attr(m, "k", json_integer((json_int_t)k));
		dk_stream_write_named(w, m, t);
		dk_meta_free(m);
		dk_tensor_free(t);
	}
	size_t none[1] = {0};
	dk_tensor *plain = dk_tensor_alloc(DK_F8, 0, 0, none);
	((double *)plain->data)[0] = 2.5;
	dk_stream_write_tensor(w, plain); /* no metadata: gets a default name */
	dk_tensor_free(plain);
	ok(dk_stream_writer_flush(w) == DK_OK, "writer flushes");
	dk_stream_writer_free(w);
	lseek(fd, 0, SEEK_SET);

	dk_bundle *b;
	char err[1024];
	int st = read_all(dup(fd), &b, err, sizeof err);
	is_int(st, DK_OK, "stream of 8 tensors reads back: %s", err);
	is_int(dk_bundle_size(b), 8, "8 tensors");
	for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
		char name[32];
		snprintf(name, sizeof name, "t/%s", dk_dtype_name(types[k]));
		dk_tensor *t = dk_bundle_get(b, name);
		int same = t && t->dtype == types[k] && t->rank == 2 &&
		           t->shape[0] == 3 && t->shape[1] == 2;
		for (size_t i = 0; same && i < dk_tensor_nbytes(t); i++)
			same = ((unsigned char *)t->data)[i] ==
			       (unsigned char)(i * 7 + k) % (types[k] == DK_B1 ? 2 : 256);
		ok(same, "%s: dtype, shape and bytes survive", name);
		dk_meta *m = dk_bundle_meta(b, (size_t)dk_bundle_find(b, name));
		json_t *axes = dk_meta_axes(m);
		ok(json_array_size(axes) == 2 &&
		   !strcmp(json_string_value(json_array_get(axes, 1)), "col") &&
		   json_integer_value(json_object_get(dk_meta_attrs(m), "k")) == (json_int_t)k,
		   "%s: axes and attrs survive", name);
	}
	dk_tensor *s = dk_bundle_get(b, "arr_7");
	ok(s && s->rank == 0 && ((double *)s->data)[0] == 2.5,
	   "tensor without metadata is named arr_7 (its index)");
	dk_bundle_free(b);
	fclose(f);
}

static void test_byte_order(void)
{
	unsigned char buf[512];
	/* 1.5, -2 as big-endian doubles */
	double v[2] = {1.5, -2.0};
	unsigned char be[16];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 8; j++)
			be[8 * i + j] = ((unsigned char *)&v[i])[7 - j];
	size_t n = make_record(buf, 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be, 16);
	dk_bundle *b;
	char err[1024];
	is_int(read_all(fd_of(buf, n), &b, err, sizeof err), DK_OK, "big-endian f8 reads: %s", err);
	dk_tensor *t = dk_bundle_tensor(b, 0);
	ok(t && !memcmp(t->data, v, 16), "big-endian f8 converted to native");
	dk_bundle_free(b);

	/* complex: each half swapped on its own */
	double complex z = CMPLX(3.25, -7.5);
	double parts[2] = {creal(z), cimag(z)};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 8; j++)
			be[8 * i + j] = ((unsigned char *)&parts[i])[7 - j];
	n = make_record(buf, 1, "{'descr': '>c16', 'fortran_order': False, 'shape': (), }", be, 16);
	is_int(read_all(fd_of(buf, n), &b, err, sizeof err), DK_OK, "big-endian c16 reads");
	t = dk_bundle_tensor(b, 0);
	ok(t && !memcmp(t->data, parts, 16), "big-endian c16 converted to native");
	dk_bundle_free(b);

	int32_t k = -123456;
	unsigned char kbe[4] = {(unsigned char)((uint32_t)k >> 24), (unsigned char)((uint32_t)k >> 16),
	                        (unsigned char)((uint32_t)k >> 8), (unsigned char)k};
	n = make_record(buf, 2, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", kbe, 4);
	is_int(read_all(fd_of(buf, n), &b, err, sizeof err), DK_OK, "version 2.0 big-endian i4 reads");
	t = dk_bundle_tensor(b, 0);
	ok(t && ((int32_t *)t->data)[0] == -123456, "big-endian i4 converted to native");
	dk_bundle_free(b);
}

static void test_fortran_order(void)
{
	/* A[i][j][k] = 100 i + 10 j + k, shape (2, 3, 4), stored column-major */
	double f[24], want[24];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++)
			for (int k = 0; k < 4; k++) {
				double v = 100 * i + 10 * j + k;
				f[i + 2 * j + 6 * k] = v;
				want[12 * i + 4 * j + k] = v;
			}
	unsigned char buf[512];
	size_t n = make_record(buf, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", f, sizeof f);
	dk_bundle *b;
	char err[1024];
	is_int(read_all(fd_of(buf, n), &b, err, sizeof err), DK_OK, "fortran-order (2, 3, 4) reads");
	dk_tensor *t = dk_bundle_tensor(b, 0);
	ok(t && !memcmp(t->data, want, sizeof want), "fortran order converted to C order");
	dk_bundle_free(b);
}

/* Expect reading bytes to fail with status and a message containing says. */
static void expect_failure(const void *bytes, size_t n, int status,
                           const char *says, const char *what)
{
	dk_bundle *b;
	char err[1024];
	int st = read_all(fd_of(bytes, n), &b, err, sizeof err);
	ok(st == status && strstr(err, says), "%s: %s", what, err);
	dk_bundle_free(b);
}

static void test_errors(void)
{
	unsigned char buf[4096], *p;
	double d[4] = {1, 2, 3, 4};
	size_t n = make_record(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", d, 32);
	size_t m = n + make_record(buf + n, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", d, 32);
	expect_failure(buf, m - 5, DK_ETRUNC, "record 1 ('arr_1'): data truncated: 5 of 32 bytes missing",
	               "truncated data names record and bytes");
	expect_failure(buf, n + 7, DK_ETRUNC, "record 1: truncated header", "header cut in the prefix");
	expect_failure(buf, n + 30, DK_ETRUNC, "record 1: truncated header", "header cut in the dict");
	memcpy(buf + n, "GARBAGE!", 8);
	expect_failure(buf, m, DK_EFORMAT, "record 1: not a .npy record", "garbage after a good record");

	/* metadata with no tensor after it, and two in a row */
	const char *json = "{\"name\":\"x\"}";
	char dict[128];
	snprintf(dict, sizeof dict, "{'descr': '|S%zu', 'fortran_order': False, 'shape': (), }", strlen(json));
	n = make_record(buf, 1, dict, json, strlen(json));
	expect_failure(buf, n, DK_EFORMAT, "record 0: metadata record has no tensor after it",
	               "metadata at end of stream");
	m = n + make_record(buf + n, 1, dict, json, strlen(json));
	expect_failure(buf, m, DK_EFORMAT, "record 0: metadata record has no tensor", "two metadata records");
	const char *notjson = "{name: x}";
	snprintf(dict, sizeof dict, "{'descr': '|S%zu', 'fortran_order': False, 'shape': (), }", strlen(notjson));
	n = make_record(buf, 1, dict, notjson, strlen(notjson));
	n += make_record(buf + n, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", d, 32);
	expect_failure(buf, n, DK_EMETA, "record 0: metadata is not JSON", "metadata not JSON");

	/* an oversized header is refused from its length field alone */
	p = buf;
	memcpy(p, "\x93NUMPY\x02\x00\x00\x00\x10\x00", 12); /* 1 MiB dict */
	expect_failure(buf, 12, DK_ELIMIT, "exceeds the limit", "header over 64 KiB");

	/* the element cap */
	n = make_record(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (34359738368,), }", d, 0);
	expect_failure(buf, n, DK_ELIMIT, "record 0 ('arr_0'): 34359738368 elements exceed the limit",
	               "2^35 elements over the default cap");
	n = make_record(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", d, 32);
	dk_stream_reader *r = dk_stream_reader_alloc(fd_of(buf, n), "x");
	dk_stream_reader_set_max_elements(r, 3);
	const dk_record *rec;
	ok(dk_stream_next(r, &rec) == DK_ELIMIT && strstr(dk_stream_reader_error(r), "limit of 3"),
	   "a lowered cap refuses 4 elements");
	dk_stream_reader_free(r);

	r = dk_stream_reader_alloc(fd_of(buf, 0), "empty");
	ok(dk_stream_next(r, &rec) == DK_OK && rec == NULL, "empty input is a clean end");
	dk_stream_reader_free(r);
}

static void test_raw_copy(void)
{
	unsigned char in[1024], out[1024];
	double d[3] = {1, 2, 3};
	const char *json = "{\"name\": \"w\", \"attrs\": {\"b\": 1, \"a\": 2}}";
	char dict[128];
	snprintf(dict, sizeof dict, "{'descr': '|S%zu', 'fortran_order': False, 'shape': (), }", strlen(json));
	size_t n = make_record(in, 1, dict, json, strlen(json));
	n += make_record(in + n, 3, "{\"descr\": \">f8\", \"fortran_order\": False, \"shape\": (3,)}", d, 24);
	FILE *f = tmpfile();
	dk_stream_writer *w = dk_stream_writer_alloc(fileno(f));
	dk_stream_reader *r = dk_stream_reader_alloc(fd_of(in, n), "in");
	const dk_record *rec;
	int st = dk_stream_next(r, &rec);
	ok(st == DK_OK && rec && !strcmp(rec->name, "w") && rec->npy.major == 3,
	   "version 3.0 record with metadata");
	ok(rec && rec->meta_json_len == strlen(json) && !memcmp(rec->meta_json, json, strlen(json)),
	   "metadata JSON text kept as it came");
	dk_stream_write_bytes(w, rec->meta_bytes, rec->meta_nbytes);
	dk_stream_write_bytes(w, rec->header_bytes, rec->header_nbytes);
	st = dk_stream_copy_data(r, w);
	dk_stream_writer_flush(w);
	size_t got = (size_t)pread(fileno(f), out, sizeof out, 0);
	ok(st == DK_OK && got == n && !memcmp(in, out, n), "raw copy reproduces the bytes");
	ok(dk_stream_next(r, &rec) == DK_OK && rec == NULL, "then a clean end");
	dk_stream_reader_free(r);
	dk_stream_writer_free(w);
	fclose(f);
}

int main(void)
{
	test_round_trip();
	test_byte_order();
	test_fortran_order();
	test_errors();
	test_raw_copy();
	return tap_done();
}
