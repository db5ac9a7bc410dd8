/*
 * test_npy_header.c -- the .npy header parser and formatter.
 *
 * The formatter is checked against the rules of numpy.lib.format (sorted
 * keys, repr of the shape, 21 - digits spare spaces, 64-byte alignment)
 * and against one header copied from a file written by NumPy 1.24's
 * np.save(np.zeros((3, 4))); the parser against the header variants NumPy
 * has written over its versions, and against malformed ones.
 */
#include <config.h>

#include <string.h>

#include "dynkit.h"
#include "tap.h"

static int parse(const char *dict, dk_npy_header *h, char *err)
{
	memset(h, 0, sizeof *h);
	h->major = 1;
	return dk_npy_dict_parse(dict, strlen(dict), h, err, 256);
}

static void test_format(void)
{
	char buf[DK_NPY_FORMAT_MAX];
	size_t shape[3] = {3, 4, 5};
	/* np.save(f, np.zeros((3, 4))) with NumPy 1.24: */
	static const char numpy_34[] =
		"\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, "
		"'shape': (3, 4), }";
	size_t n = dk_npy_format(DK_F8, 8, 2, shape, buf);
	is_int(n, 128, "(3, 4) f8 header is 128 bytes");
	ok(!memcmp(buf, numpy_34, sizeof numpy_34 - 1),
	   "(3, 4) f8 header text equals NumPy's");
	/* the rest: 20 growth spaces (21 - len("3")), padding, newline */
	size_t dict_end = sizeof numpy_34 - 1;
	int spaces = 1;
	for (size_t i = dict_end; i < n - 1; i++)
		spaces &= buf[i] == ' ';
	ok(spaces && buf[n - 1] == '\n', "header padded with spaces and ends in a newline");

	for (int rank = 0; rank <= 3; rank++) {
		n = dk_npy_format(DK_C16, 16, rank, shape, buf);
		dk_npy_header h;
		char err[256];
		ok(n % 64 == 0 && n > 10, "rank %d header length %zu is a multiple of 64", rank, n);
		size_t dict_len = (size_t)(unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
		is_int(dict_len + 10, n, "rank %d length field matches", rank);
		memset(&h, 0, sizeof h);
		int st = dk_npy_dict_parse(buf + 10, dict_len, &h, err, sizeof err);
		ok(st == DK_OK && h.rank == rank && h.dtype == DK_C16 && h.itemsize == 16,
		   "rank %d header parses back", rank);
	}
	n = dk_npy_format(DK_F8, 8, 1, shape, buf);
	ok(strstr(buf + 10, "'shape': (3,), }") != NULL, "1-d shape written as (3,)");
	n = dk_npy_format(DK_F8, 8, 0, shape, buf);
	const char *dict0 = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
	size_t len0 = strlen(dict0) + 1; /* no growth spaces for rank 0 */
	ok(!strncmp(buf + 10, dict0, strlen(dict0)) && n == 10 + len0 + (64 - (10 + len0) % 64),
	   "0-d shape written as () with no growth spaces");
	n = dk_npy_format(DK_BYTES, 17, 0, shape, buf);
	ok(strstr(buf + 10, "'descr': '|S17'") != NULL, "byte string descr |S17");
	/* numpy.lib.format: pad = 64 - (10 + len + 1) % 64, so an exact
	   multiple still gets 64 spaces */
	size_t big[1] = {123456789};
	n = dk_npy_format(DK_F4, 4, 1, big, buf);
	const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (123456789,), }";
	size_t len = strlen(dict) + (21 - 9) + 1;
	ok(!strncmp(buf + 10, dict, strlen(dict)), "9-digit axis dict text");
	is_int(n, 10 + len + (64 - (10 + len) % 64), "9-digit axis: 12 growth spaces, then alignment");
}

static void test_parse_variants(void)
{
	dk_npy_header h;
	char err[256];
	is_int(parse("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", &h, err),
	       DK_OK, "NumPy's own header");
	ok(h.rank == 2 && h.shape[0] == 2 && h.shape[1] == 3 && h.count == 6,
	   "shape (2, 3) has 6 elements");
	is_int(parse("{\"shape\":(7,),\"descr\":\">i4\",\"fortran_order\":True}", &h, err),
	       DK_OK, "double quotes, other key order, no trailing comma");
	ok(h.big_endian && h.fortran_order && h.dtype == DK_I4 && h.count == 7,
	   "big-endian fortran i4 read as such");
	is_int(parse("{'descr': '<c16', 'fortran_order': False, 'shape': (2L, 3L), }", &h, err),
	       DK_OK, "Python 2 long integers");
	is_int(parse("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", &h, err),
	       DK_OK, "rank 0 bool");
	ok(h.rank == 0 && h.count == 1, "rank 0 has one element");
	is_int(parse("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 5), }", &h, err),
	       DK_OK, "empty shape");
	is_int(h.count, 0, "(0, 5) has no element");
	is_int(parse("{'descr': '>u1', 'fortran_order': False, 'shape': (1,), }", &h, err),
	       DK_OK, "byte order of a 1-byte type is irrelevant");
	ok(!h.big_endian, "u1 is never byte-swapped");
	is_int(parse("{'descr': '|S40', 'fortran_order': False, 'shape': (), }", &h, err),
	       DK_OK, "byte string");
	ok(h.dtype == DK_BYTES && h.itemsize == 40, "|S40 has itemsize 40");
}

static void test_parse_rejects(void)
{
	dk_npy_header h;
	char err[256];
	struct { const char *dict; int status; const char *says; } bad[] = {
		{"{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", DK_EDTYPE, "unsupported dtype"},
		{"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", DK_EDTYPE, "structured"},
		{"{'descr': '<f8', 'shape': (1,), }", DK_EFORMAT, "needs each"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", DK_EFORMAT, "unexpected key"},
		{"{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }", DK_EFORMAT, "True or False"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", DK_EFORMAT, "non-negative"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } x", DK_EFORMAT, "after the closing"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", DK_ELIMIT, "overflows"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", DK_ELIMIT, "overflows"},
		{"{'descr': '<f8', 'fortran_order': False, 'descr': '<f8', 'shape': (1,), }", DK_EFORMAT, "needs each"},
		{"{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}", DK_EDTYPE, "unsupported dtype"},
		{"{'descr': '<f8', 'fortran_order': False 'shape': (1,)}", DK_EFORMAT, "expected ','"},
		{"", DK_EFORMAT, "expected '{'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err[0] = '\0';
		int st = parse(bad[i].dict, &h, err);
		ok(st == bad[i].status && strstr(err, bad[i].says),
		   "rejects malformed header %zu (%s): %s", i, bad[i].says, err);
	}
	unsigned char prefix[12] = "\x93NUMPY\x04\x00\x10\x00";
	size_t plen, dlen;
	int major, minor;
	ok(dk_npy_prefix_parse(prefix, 10, &plen, &dlen, &major, &minor, err, sizeof err) == DK_EFORMAT &&
	   strstr(err, "version 4.0"), "rejects version 4.0");
	memcpy(prefix, "\x93NUMPZ", 6);
	ok(dk_npy_prefix_parse(prefix, 10, &plen, &dlen, &major, &minor, err, sizeof err) == DK_EFORMAT &&
	   strstr(err, "magic"), "rejects bad magic");
	memcpy(prefix, "\x93NUMPY\x02\x00\x01\x00\x01\x00", 12);
	ok(dk_npy_prefix_parse(prefix, 12, &plen, &dlen, &major, &minor, err, sizeof err) == DK_OK &&
	   plen == 12 && dlen == 65537, "version 2.0 has a 4-byte length");
}

int main(void)
{
	test_format();
	test_parse_variants();
	test_parse_rejects();
	return tap_done();
}
