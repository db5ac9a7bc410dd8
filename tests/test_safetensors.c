/*
 * test_safetensors.c -- the .safetensors reader on files this test
 * writes: F64 and F32 tensors read as f8 in the header's order, and
 * malformed files -- bad header length, not JSON, unknown dtype, offsets
 * out of range or overlapping, sizes that disagree with shapes, every
 * truncation -- each an error status with a message, never a crash.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

/* A file of header json (padded as given) and n data bytes. */
static unsigned char *make(const char *json, const void *data, size_t n, size_t *len)
{
	size_t h = strlen(json);
	unsigned char *p = malloc(8 + h + n + 1);
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)((uint64_t)h >> (8 * i));
	memcpy(p + 8, json, h);
	if (n)
		memcpy(p + 8 + h, data, n);
	*len = 8 + h + n;
	return p;
}

static int read_st(const unsigned char *p, size_t n, dk_bundle **out, char *err, size_t errlen)
{
	dk_bundle *b = dk_bundle_alloc();
	int st = dk_safetensors_read(p, n, 1000, b, err, errlen);
	if (out)
		*out = b;
	else
		dk_bundle_free(b);
	return st;
}

/* A one-line check that json with the good data is refused with status. */
static void refused(const char *json, int status, const char *what, const char *msg)
{
	double d[6] = {1, 2, 3, 4, 5, 6};
	size_t n;
	char err[512] = "";
	unsigned char *p = make(json, d, sizeof d, &n);
	is_int(read_st(p, n, NULL, err, sizeof err), status, "%s: refused", what);
	ok(strstr(err, msg) != NULL, "%s: the message says '%s' (%s)", what, msg, err);
	free(p);
}

int main(void)
{
	unsigned char data[6 * 8 + 3 * 4];
	double d[6] = {1.5, -2, 3.25, 4, 5, 6e-300};
	float f[3] = {0.5f, -1.25f, 3e10f};
	memcpy(data, d, sizeof d);
	memcpy(data + sizeof d, f, sizeof f);
	const char *good = "{\"__metadata__\": {\"format\": \"pt\"}, "
	                   "\"rnn.weight_hh_l0\": {\"dtype\": \"F64\", \"shape\": [2, 3], "
	                   "\"data_offsets\": [0, 48]}, "
	                   "\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [3], "
	                   "\"data_offsets\": [48, 60]}}   ";
	size_t n;
	unsigned char *p = make(good, data, sizeof data, &n);
	ok(dk_safetensors_sniff(p, n), "a .safetensors is sniffed");
	dk_bundle *b;
	char err[512];
	is_int(read_st(p, n, &b, err, sizeof err), DK_OK, "reads");
	is_int(dk_bundle_size(b), 2, "two tensors (the metadata skipped)");
	is_str(dk_bundle_name(b, 0), "rnn.weight_hh_l0", "in the header's order");
	dk_tensor *t = dk_bundle_get(b, "rnn.weight_hh_l0");
	ok(t && t->dtype == DK_F8 && t->rank == 2 && t->shape[0] == 2 && t->shape[1] == 3 &&
	   !memcmp(t->data, d, sizeof d), "F64: shape and values");
	t = dk_bundle_get(b, "fc.bias");
	ok(t && t->dtype == DK_F8 && t->rank == 1 && t->shape[0] == 3 &&
	   ((double *)t->data)[0] == 0.5 && ((double *)t->data)[1] == -1.25 &&
	   ((double *)t->data)[2] == (double)3e10f, "F32: converted to f8 exactly");
	dk_bundle_free(b);

	int all = 1;
	for (size_t cut = 0; cut < n; cut++)
		if (read_st(p, cut, NULL, err, sizeof err) == DK_OK)
			all = 0;
	ok(all, "every truncation is an error");
	for (size_t i = 0; i < n; i++) {
		unsigned char *c = malloc(n);
		memcpy(c, p, n);
		c[i] ^= 0x5a;
		(void)read_st(c, n, NULL, err, sizeof err);
		free(c);
	}
	ok(1, "every one-byte corruption read without a crash");
	free(p);

	/* a header length past the file, and one absurdly long */
	unsigned char big[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
	is_int(read_st(big, sizeof big, NULL, err, sizeof err), DK_EFORMAT,
	       "an absurd header length: DK_EFORMAT");
	unsigned char longer[16] = {200, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
	is_int(read_st(longer, sizeof longer, NULL, err, sizeof err), DK_ETRUNC,
	       "a header length past the end: DK_ETRUNC");
	ok(!dk_safetensors_sniff((const unsigned char *)"\x93NUMPY\x01\x00", 8),
	   "a .npy is not sniffed as safetensors");

	refused("{not json", DK_EFORMAT, "not JSON", "not a JSON object");
	refused("[1, 2]", DK_EFORMAT, "a JSON array", "not a JSON object");
	refused("{\"x\": {\"dtype\": \"BF16\", \"shape\": [3], \"data_offsets\": [0, 6]}}",
	        DK_EFORMAT, "BF16", "only F64 and F32");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [3]}}", DK_EFORMAT, "no offsets",
	        "data_offsets");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [7], \"data_offsets\": [0, 56]}}",
	        DK_ETRUNC, "offsets past the end", "past the end");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 32]}}",
	        DK_EFORMAT, "size not the shape's", "needs 24");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [24, 0]}}",
	        DK_EFORMAT, "end before begin", "bad data_offsets");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [-8, 16]}}",
	        DK_EFORMAT, "negative offset", "bad data_offsets");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [-3], \"data_offsets\": [0, 24]}}",
	        DK_EFORMAT, "negative shape", "bad shape");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 24]}, "
	        "\"y\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [16, 40]}}",
	        DK_EFORMAT, "overlapping tensors", "overlap");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [1000000000000, 1000000000000], "
	        "\"data_offsets\": [0, 24]}}", DK_ELIMIT, "a huge shape", "");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [2000], \"data_offsets\": [0, 16000]}}",
	        DK_ELIMIT, "over max_elements", "over the limit");
	refused("{\"x\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 24]}, "
	        "\"x\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [24, 48]}}",
	        DK_EFORMAT, "a duplicate name", "");
	refused("{}", DK_OK, "an empty header", "");

	/* the writer: read back, values bit for bit, in order, aligned */
	dk_bundle *wb = dk_bundle_alloc();
	size_t s23[2] = {2, 3}, s0[1] = {0};
	dk_tensor *a = dk_tensor_alloc(DK_F8, 0, 2, s23), *z = dk_tensor_alloc(DK_F8, 0, 0, NULL);
	dk_tensor *e = dk_tensor_alloc(DK_F8, 0, 1, s0);
	memcpy(a->data, d, sizeof d);
	((double *)a->data)[1] = -0.0;
	((double *)z->data)[0] = 7;
	dk_bundle_add(wb, "weight_hh_l0", NULL, a);
	dk_bundle_add(wb, "scalar", NULL, z);
	dk_bundle_add(wb, "empty", NULL, e);
	json_t *meta = json_pack("{s:s}", "format", "pt");
	unsigned char *out;
	size_t len;
	int st = dk_safetensors_write(wb, meta, &out, &len, err, sizeof err);
	if (ok(!st, "writer: writes (%s)", st ? err : "ok")) {
		uint64_t h = 0;
		for (int i = 0; i < 8; i++)
			h |= (uint64_t)out[i] << (8 * i);
		ok(h % 8 == 0 && len == 8 + h + 7 * 8, "writer: header padded to 8 bytes, then 56 data bytes");
		st = read_st(out, len, &b, err, sizeof err);
		if (ok(!st && dk_bundle_size(b) == 3, "writer: read back, three tensors (%s)", err)) {
			ok(!strcmp(dk_bundle_name(b, 0), "weight_hh_l0") && !strcmp(dk_bundle_name(b, 2), "empty"),
			   "writer: in the bundle's order");
			const dk_tensor *r = dk_bundle_tensor(b, 0);
			ok(r->rank == 2 && r->shape[1] == 3 && !memcmp(r->data, dk_bundle_tensor(wb, 0)->data, 48),
			   "writer: shape and bits (-0.0 included)");
			r = dk_bundle_tensor(b, 1);
			ok(r->rank == 0 && ((double *)r->data)[0] == 7, "writer: a 0-d tensor");
			dk_bundle_free(b);
		}
		free(out);
	}
	dk_bundle *bad = dk_bundle_alloc();
	dk_bundle_add(bad, "i", NULL, dk_tensor_alloc(DK_I8, 0, 1, s23));
	is_int(dk_safetensors_write(bad, NULL, &out, &len, err, sizeof err), DK_EDTYPE,
	       "writer: an i8 tensor is DK_EDTYPE");
	json_t *badmeta = json_pack("{s:i}", "n", 1);
	is_int(dk_safetensors_write(wb, badmeta, &out, &len, err, sizeof err), DK_EINVAL,
	       "writer: metadata that is not strings is DK_EINVAL");
	json_decref(badmeta);
	json_decref(meta);
	dk_bundle_free(bad);
	dk_bundle_free(wb);
	return tap_done();
}
