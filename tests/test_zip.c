/*
 * test_zip.c -- the zip reader on archives this test writes itself, as
 * np.savez (stored) and np.savez_compressed (deflated) lay them out, and
 * on malformed ones: bad magic, every truncation, offsets and sizes out
 * of range, a bad CRC, an unknown method, corrupt deflate data -- each an
 * error status, never a crash (run it under the sanitizers).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dynkit.h"
#include "tap.h"

typedef struct { unsigned char *p; size_t n, cap; } buf;

static void put(buf *b, const void *src, size_t n)
{
	if (!n)
		return;
	if (b->n + n > b->cap) {
		b->cap = 2 * (b->n + n);
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}
static void u16(buf *b, unsigned v) { unsigned char c[2] = {v & 255, v >> 8 & 255}; put(b, c, 2); }
static void u32(buf *b, uint32_t v)
{
	unsigned char c[4] = {v & 255, v >> 8 & 255, v >> 16 & 255, v >> 24 & 255};
	put(b, c, 4);
}

/* An archive of members (name, data), each stored (method 0) or deflated (8). */
static buf make_zip(int nm, const char *const *names, const char *const *datas, int method)
{
	buf z = {0}, cd = {0};
	for (int i = 0; i < nm; i++) {
		size_t n = strlen(datas[i]);
		uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)datas[i], (uInt)n);
		unsigned char comp[1024];
		size_t cn = n;
		const unsigned char *payload = (const unsigned char *)datas[i];
		if (method == 8) {
			z_stream s;
			memset(&s, 0, sizeof s);
			deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
			s.next_in = (unsigned char *)(uintptr_t)datas[i];
			s.avail_in = (uInt)n;
			s.next_out = comp;
			s.avail_out = sizeof comp;
			deflate(&s, Z_FINISH);
			cn = s.total_out;
			deflateEnd(&s);
			payload = comp;
		}
		uint32_t off = (uint32_t)z.n;
		u32(&z, 0x04034b50); u16(&z, 20); u16(&z, 0); u16(&z, (unsigned)method);
		u16(&z, 0); u16(&z, 0); u32(&z, crc); u32(&z, (uint32_t)cn); u32(&z, (uint32_t)n);
		u16(&z, (unsigned)strlen(names[i])); u16(&z, 0);
		put(&z, names[i], strlen(names[i]));
		put(&z, payload, cn);
		u32(&cd, 0x02014b50); u16(&cd, 20); u16(&cd, 20); u16(&cd, 0);
		u16(&cd, (unsigned)method); u16(&cd, 0); u16(&cd, 0); u32(&cd, crc);
		u32(&cd, (uint32_t)cn); u32(&cd, (uint32_t)n); u16(&cd, (unsigned)strlen(names[i]));
		u16(&cd, 0); u16(&cd, 0); u16(&cd, 0); u16(&cd, 0); u32(&cd, 0); u32(&cd, off);
		put(&cd, names[i], strlen(names[i]));
	}
	uint32_t cdoff = (uint32_t)z.n;
	put(&z, cd.p, cd.n);
	u32(&z, 0x06054b50); u16(&z, 0); u16(&z, 0); u16(&z, (unsigned)nm); u16(&z, (unsigned)nm);
	u32(&z, (uint32_t)cd.n); u32(&z, cdoff); u16(&z, 0);
	free(cd.p);
	return z;
}

/* Open and extract every member; the first failing status, or 0. */
static int read_all(const unsigned char *p, size_t n)
{
	dk_zip *z;
	char err[256];
	int st = dk_zip_open(p, n, &z, err, sizeof err);
	if (st)
		return st;
	for (size_t i = 0; i < dk_zip_count(z) && !st; i++) {
		unsigned char *d;
		size_t len;
		st = dk_zip_extract(z, i, 1 << 20, &d, &len, err, sizeof err);
		free(d);
	}
	dk_zip_free(z);
	return st;
}

int main(void)
{
	static const char *const names[2] = {"a.npy", "rnn.weight_ih_l0.npy"};
	static const char *const datas[2] = {
		"hello, hello, hello, hello",
		"the quick brown fox jumps over the lazy dog, the quick brown fox jumps again"};
	for (int method = 0; method <= 8; method += 8) {
		buf z = make_zip(2, names, datas, method);
		dk_zip *zip;
		char err[256];
		ok(dk_zip_sniff(z.p, z.n), "method %d: sniffed as zip", method);
		is_int(dk_zip_open(z.p, z.n, &zip, err, sizeof err), DK_OK, "method %d: opens", method);
		is_int(dk_zip_count(zip), 2, "method %d: two members", method);
		is_str(dk_zip_name(zip, 1), names[1], "method %d: member 1's name", method);
		for (size_t i = 0; i < 2; i++) {
			unsigned char *d;
			size_t len;
			int st = dk_zip_extract(zip, i, 1 << 20, &d, &len, err, sizeof err);
			ok(!st && len == strlen(datas[i]) && !memcmp(d, datas[i], len),
			   "method %d: member %zu's bytes", method, i);
			free(d);
		}
		unsigned char *d;
		size_t len;
		is_int(dk_zip_extract(zip, 1, 10, &d, &len, err, sizeof err), DK_ELIMIT,
		       "method %d: over max_bytes is DK_ELIMIT", method);
		dk_zip_free(zip);

		/* every truncation is an error, none a crash */
		int all = 1;
		for (size_t cut = 0; cut < z.n; cut++)
			if (read_all(z.p, cut) == DK_OK)
				all = 0;
		ok(all, "method %d: every truncation of the archive is an error", method);
		/* every single-byte corruption: no crash (an error or, rarely, ok) */
		for (size_t i = 0; i < z.n; i++) {
			unsigned char *c = malloc(z.n);
			memcpy(c, z.p, z.n);
			c[i] ^= 0x5a;
			(void)read_all(c, z.n);
			free(c);
		}
		ok(1, "method %d: every one-byte corruption read without a crash", method);

		size_t eocd = z.n - 22;
		unsigned char *c = malloc(z.n);
		/* central directory offset past the end */
		memcpy(c, z.p, z.n);
		c[eocd + 16] = 0xf0; c[eocd + 17] = 0xff; c[eocd + 18] = 0xff; c[eocd + 19] = 0x7f;
		is_int(dk_zip_open(c, z.n, &zip, err, sizeof err), DK_EFORMAT,
		       "method %d: central directory offset out of range", method);
		/* a member's local header offset past the end */
		memcpy(c, z.p, z.n);
		size_t cd = z.p[eocd + 16] | (size_t)z.p[eocd + 17] << 8;
		c[cd + 42] = 0xff; c[cd + 43] = 0xff; c[cd + 44] = 0xff; c[cd + 45] = 0x0f;
		is_int(read_all(c, z.n), DK_EFORMAT, "method %d: local header offset out of range",
		       method);
		/* a compressed size past the end */
		memcpy(c, z.p, z.n);
		c[cd + 20] = 0xff; c[cd + 21] = 0xff; c[cd + 22] = 0xff; c[cd + 23] = 0x0f;
		ok(read_all(c, z.n) != DK_OK, "method %d: compressed size out of range", method);
		/* a wrong CRC */
		memcpy(c, z.p, z.n);
		c[cd + 16] ^= 1;
		is_int(read_all(c, z.n), DK_EFORMAT, "method %d: a CRC-32 mismatch", method);
		/* an unknown method */
		memcpy(c, z.p, z.n);
		c[cd + 10] = 14;
		is_int(read_all(c, z.n), DK_EFORMAT, "method %d: method 14 refused", method);
		/* encrypted */
		memcpy(c, z.p, z.n);
		c[cd + 8] |= 1;
		is_int(read_all(c, z.n), DK_EFORMAT, "method %d: encrypted member refused", method);
		free(c);
		free(z.p);
	}
	/* corrupt deflate data */
	buf z = make_zip(1, names + 1, datas + 1, 8);
	z.p[30 + strlen(names[1])] = 0xff; /* first byte of the deflate stream */
	ok(read_all(z.p, z.n) != DK_OK, "corrupt deflate data is an error");
	free(z.p);
	/* bad magic, empty, no end record */
	static const unsigned char junk[64] = "this is not a zip archive at all, not even close....";
	dk_zip *zip;
	char err[256];
	ok(!dk_zip_sniff(junk, sizeof junk), "junk is not sniffed as zip");
	is_int(dk_zip_open(junk, sizeof junk, &zip, err, sizeof err), DK_EFORMAT,
	       "junk: DK_EFORMAT");
	ok(strstr(err, "end-of-central-directory") != NULL, "junk: the message says why (%s)", err);
	is_int(dk_zip_open(junk, 0, &zip, err, sizeof err), DK_EFORMAT, "empty: DK_EFORMAT");
	/* an empty archive is fine */
	buf e = make_zip(0, NULL, NULL, 0);
	is_int(dk_zip_open(e.p, e.n, &zip, err, sizeof err), DK_OK, "an empty archive opens");
	is_int(dk_zip_count(zip), 0, "an empty archive has no members");
	dk_zip_free(zip);
	free(e.p);
	dk_zip_free(NULL);

	/* the writer: what it writes, the reader reads back (CRCs checked) */
	dk_zip_writer *w = dk_zip_writer_alloc();
	int wst = DK_OK;
	for (int i = 0; i < 2 && !wst; i++)
		wst = dk_zip_writer_add(w, names[i], datas[i], strlen(datas[i]), err, sizeof err);
	wst |= dk_zip_writer_add(w, "empty.npy", "", 0, err, sizeof err);
	const unsigned char *wb;
	size_t wn;
	if (!wst)
		wst = dk_zip_writer_finish(w, &wb, &wn, err, sizeof err);
	if (ok(!wst, "writer: three members written (%s)", wst ? err : "ok")) {
		ok(dk_zip_sniff(wb, wn), "writer: sniffed as zip");
		int st = dk_zip_open(wb, wn, &zip, err, sizeof err);
		if (ok(!st && dk_zip_count(zip) == 3, "writer: opens, three members")) {
			for (size_t i = 0; i < 3; i++) {
				unsigned char *d;
				size_t len;
				const char *want = i < 2 ? datas[i] : "";
				st = dk_zip_extract(zip, i, 1 << 20, &d, &len, err, sizeof err);
				ok(!st && len == strlen(want) && (!len || !memcmp(d, want, len)) &&
				   !strcmp(dk_zip_name(zip, i), i < 2 ? names[i] : "empty.npy"),
				   "writer: member %zu's name and bytes, its CRC-32 right", i);
				free(d);
			}
			dk_zip_free(zip);
		}
		/* stored, at 1980-01-01, the same bytes every time */
		ok(wb[8] == 0 && wb[9] == 0 && wb[12] == 0x21 && wb[13] == 0,
		   "writer: stored (method 0), dated 1980-01-01");
		ok(dk_zip_writer_add(w, "late", "x", 1, err, sizeof err) == DK_EINVAL,
		   "writer: nothing added after finish");
	}
	dk_zip_writer_free(w);
	w = dk_zip_writer_alloc();
	ok(dk_zip_writer_add(w, "", "x", 1, err, sizeof err) == DK_EINVAL,
	   "writer: an empty name is refused");
	dk_zip_writer_free(w);
	dk_zip_writer_free(NULL);
	return tap_done();
}
