/*
 * zip.c -- the members of a zip archive in memory (np.savez and
 * np.savez_compressed files): the end-of-central-directory record (and
 * its zip64 form), the central directory, each member's local header,
 * and stored or deflated data through zlib's raw inflate.  Every field
 * read is first checked to lie inside the buffer.
 */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/status.h"
#include "stream/zip.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOC64 0x07064b50u

typedef struct {
	char *name;        /* owned */
	uint64_t csize, usize, offset;
	unsigned method, flags;
	uint32_t crc;
} member;

struct dk_zip {
	const unsigned char *buf; /* not owned */
	size_t len;
	member *m;                /* owned, count entries */
	size_t count;
};

static unsigned rd16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t rd32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Do n bytes at off lie inside len? (no overflow) */
static int inside(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

int dk_zip_sniff(const unsigned char *buf, size_t len)
{
	return len >= 4 && buf[0] == 'P' && buf[1] == 'K' &&
	       ((buf[2] == 3 && buf[3] == 4) || (buf[2] == 5 && buf[3] == 6));
}

void dk_zip_free(dk_zip *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->count; i++)
		free(z->m[i].name);
	free(z->m);
	free(z);
}

/* The zip64 extra field (id 1) of a central entry: the 64-bit values of
   the fields whose 32-bit ones are all ones, in this order. */
static int zip64_extra(const unsigned char *x, size_t n, member *e, int need_u,
                       int need_c, int need_o)
{
	while (n >= 4) {
		unsigned id = rd16(x), sz = rd16(x + 2);
		if (sz > n - 4)
			return -1;
		if (id == 1) {
			const unsigned char *p = x + 4, *end = p + sz;
			if (need_u) { if (end - p < 8) return -1; e->usize = rd64(p); p += 8; }
			if (need_c) { if (end - p < 8) return -1; e->csize = rd64(p); p += 8; }
			if (need_o) { if (end - p < 8) return -1; e->offset = rd64(p); }
			return 0;
		}
		x += 4 + sz;
		n -= 4 + sz;
	}
	return need_u || need_c || need_o ? -1 : 0;
}

int dk_zip_open(const unsigned char *buf, size_t len, dk_zip **out, char *err,
                size_t errlen)
{
	*out = NULL;
	if (len < 22)
		return dk_errorf(len >= 4 && dk_zip_sniff(buf, len) ? DK_ETRUNC : DK_EFORMAT, err,
		            errlen, "not a zip archive: %zu bytes, too short", len);
	/* the end record: the last "PK\5\6" within 64 KiB + 22 of the end */
	size_t e = len - 22, stop = len > 65557 ? len - 65557 : 0;
	for (;; e--) {
		if (rd32(buf + e) == SIG_END && e + 22 + rd16(buf + e + 20) <= len)
			break;
		if (e == stop)
			return dk_errorf(dk_zip_sniff(buf, len) ? DK_ETRUNC : DK_EFORMAT, err, errlen,
			            "no zip end-of-central-directory record (truncated, or "
			            "not a zip archive)");
	}
	uint64_t count = rd16(buf + e + 10), cdsize = rd32(buf + e + 12),
	         cdoff = rd32(buf + e + 16);
	if (count == 0xffff || cdsize == 0xffffffffu || cdoff == 0xffffffffu) {
		/* zip64: the locator sits just before the end record */
		if (e < 20 || rd32(buf + e - 20) != SIG_LOC64)
			return dk_errorf(DK_EFORMAT, err, errlen, "zip64 archive without its locator");
		uint64_t off64 = rd64(buf + e - 20 + 8);
		if (!inside(off64, 56, len) || rd32(buf + off64) != SIG_END64)
			return dk_errorf(DK_EFORMAT, err, errlen, "zip64 end record out of range");
		count = rd64(buf + off64 + 32);
		cdsize = rd64(buf + off64 + 40);
		cdoff = rd64(buf + off64 + 48);
	}
	if (!inside(cdoff, cdsize, len))
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "zip central directory (%llu bytes at %llu) lies outside the %zu-byte file",
		            (unsigned long long)cdsize, (unsigned long long)cdoff, len);
	if (count > cdsize / 46)
		return dk_errorf(DK_EFORMAT, err, errlen, "zip central directory too small for %llu entries",
		            (unsigned long long)count);
	dk_zip *z = calloc(1, sizeof *z);
	if (!z || !(z->m = calloc(count ? count : 1, sizeof *z->m))) {
		free(z);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	z->buf = buf;
	z->len = len;
	const unsigned char *p = buf + cdoff, *end = buf + cdoff + cdsize;
	for (uint64_t i = 0; i < count; i++) {
		if (end - p < 46 || rd32(p) != SIG_CENTRAL) {
			dk_zip_free(z);
			return dk_errorf(DK_EFORMAT, err, errlen, "zip central directory entry %llu is malformed",
			            (unsigned long long)i);
		}
		member *m = &z->m[i];
		m->flags = rd16(p + 8);
		m->method = rd16(p + 10);
		m->crc = rd32(p + 16);
		m->csize = rd32(p + 20);
		m->usize = rd32(p + 24);
		size_t nlen = rd16(p + 28), xlen = rd16(p + 30), clen = rd16(p + 32);
		m->offset = rd32(p + 42);
		if ((size_t)(end - p) - 46 < nlen + xlen + clen) {
			dk_zip_free(z);
			return dk_errorf(DK_EFORMAT, err, errlen, "zip central directory entry %llu overruns it",
			            (unsigned long long)i);
		}
		if (zip64_extra(p + 46 + nlen, xlen, m, m->usize == 0xffffffffu,
		                m->csize == 0xffffffffu, m->offset == 0xffffffffu)) {
			dk_zip_free(z);
			return dk_errorf(DK_EFORMAT, err, errlen, "zip entry %llu: malformed zip64 field",
			            (unsigned long long)i);
		}
		if (!(m->name = malloc(nlen + 1))) {
			dk_zip_free(z);
			return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		}
		memcpy(m->name, p + 46, nlen);
		m->name[nlen] = 0;
		z->count++;
		if (memchr(m->name, 0, nlen)) {
			dk_zip_free(z);
			return dk_errorf(DK_EFORMAT, err, errlen, "zip entry %llu: NUL in its name",
			            (unsigned long long)i);
		}
		p += 46 + nlen + xlen + clen;
	}
	*out = z;
	return DK_OK;
}

size_t dk_zip_count(const dk_zip *z) { return z->count; }
const char *dk_zip_name(const dk_zip *z, size_t i) { return z->m[i].name; }
size_t dk_zip_size(const dk_zip *z, size_t i)
{
	return z->m[i].usize > SIZE_MAX ? SIZE_MAX : (size_t)z->m[i].usize;
}

int dk_zip_extract(const dk_zip *z, size_t i, size_t max_bytes,
                   unsigned char **data, size_t *len, char *err, size_t errlen)
{
	*data = NULL;
	*len = 0;
	const member *m = &z->m[i];
	if (m->flags & 1)
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: encrypted zip member", m->name);
	if (m->method != 0 && m->method != 8)
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "%s: zip compression method %u (only stored and deflate are read)",
		            m->name, m->method);
	if (m->usize > max_bytes)
		return dk_errorf(DK_ELIMIT, err, errlen, "%s: %llu bytes uncompressed, over the limit of %zu",
		            m->name, (unsigned long long)m->usize, max_bytes);
	if (!inside(m->offset, 30, z->len) || rd32(z->buf + m->offset) != SIG_LOCAL)
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: zip local header out of range or malformed",
		            m->name);
	const unsigned char *lh = z->buf + m->offset;
	uint64_t start = m->offset + 30 + rd16(lh + 26) + rd16(lh + 28);
	if (!inside(start, m->csize, z->len))
		return dk_errorf(DK_ETRUNC, err, errlen,
		            "%s: zip member data (%llu bytes at %llu) runs past the end of the file",
		            m->name, (unsigned long long)m->csize, (unsigned long long)start);
	if (m->method == 0 && m->csize != m->usize)
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: stored zip member with two sizes", m->name);
	size_t n = (size_t)m->usize;
	unsigned char *out = malloc(n ? n : 1);
	if (!out)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	const unsigned char *src = z->buf + start;
	if (m->method == 0) {
		memcpy(out, src, n);
	} else {
		z_stream s;
		memset(&s, 0, sizeof s);
		if (inflateInit2(&s, -15) != Z_OK) {
			free(out);
			return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		}
		uint64_t in_left = m->csize, out_left = n;
		int zst = Z_OK;
		s.next_out = out;
		s.next_in = (unsigned char *)(uintptr_t)src;
		while (zst == Z_OK) {
			/* feed and drain at most 1 GiB at a time (uInt) */
			if (!s.avail_in && in_left) {
				s.avail_in = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
				in_left -= s.avail_in;
			}
			if (!s.avail_out && out_left) {
				s.avail_out = out_left > (1u << 30) ? (1u << 30) : (uInt)out_left;
				out_left -= s.avail_out;
			}
			zst = inflate(&s, Z_NO_FLUSH);
			if (zst == Z_BUF_ERROR && (s.avail_in || in_left) && !s.avail_out && !out_left)
				break; /* more data than the size says */
			if (zst == Z_BUF_ERROR && !s.avail_in && !in_left)
				break; /* data ended early */
		}
		size_t got = (size_t)(n - out_left - s.avail_out);
		inflateEnd(&s);
		if (zst != Z_STREAM_END || got != n) {
			free(out);
			return dk_errorf(zst == Z_BUF_ERROR ? DK_ETRUNC : DK_EFORMAT, err, errlen,
			            "%s: deflated data is corrupt or does not match its size (%s)",
			            m->name, zst == Z_STREAM_END ? "wrong size" :
			            zst == Z_BUF_ERROR ? "truncated" : "bad data");
		}
	}
	if (crc32_z(crc32_z(0, Z_NULL, 0), out, n) != m->crc) {
		free(out);
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: CRC-32 mismatch", m->name);
	}
	*data = out;
	*len = n;
	return DK_OK;
}

/* ---- writing ----------------------------------------------------------- */

#define DOS_DATE_1980 0x0021u /* 1980-01-01: day 1, month 1, year 0 */
#define ZIP_VERSION 20u       /* 2.0: stored and deflated members */
#define ZIP_MAX 0xffffffffu   /* past this, zip64 would be needed */

typedef struct {
	char *name;      /* owned */
	uint32_t crc, size, offset;
} written;

struct dk_zip_writer {
	unsigned char *buf; /* owned: the archive so far */
	size_t len, cap;
	written *m;         /* owned: the members, count of them */
	size_t count, mcap;
	int finished;
};

dk_zip_writer *dk_zip_writer_alloc(void)
{
	return calloc(1, sizeof(dk_zip_writer));
}

void dk_zip_writer_free(dk_zip_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->count; i++)
		free(w->m[i].name);
	free(w->m);
	free(w->buf);
	free(w);
}

/* Room for n more bytes. */
static int reserve(dk_zip_writer *w, size_t n)
{
	if (n <= w->cap - w->len)
		return DK_OK;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap - w->len < n) {
		if (cap > SIZE_MAX / 2)
			return DK_ENOMEM;
		cap *= 2;
	}
	unsigned char *nb = realloc(w->buf, cap);
	if (!nb)
		return DK_ENOMEM;
	w->buf = nb;
	w->cap = cap;
	return DK_OK;
}

static void put16(dk_zip_writer *w, unsigned v)
{
	w->buf[w->len++] = (unsigned char)v;
	w->buf[w->len++] = (unsigned char)(v >> 8);
}

static void put32(dk_zip_writer *w, uint32_t v)
{
	put16(w, v & 0xffffu);
	put16(w, v >> 16);
}

static void put_bytes(dk_zip_writer *w, const void *p, size_t n)
{
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

int dk_zip_writer_add(dk_zip_writer *w, const char *name, const void *data, size_t len,
                      char *err, size_t errlen)
{
	size_t nl = strlen(name);
	if (w->finished)
		return dk_errorf(DK_EINVAL, err, errlen, "zip: the archive is finished");
	if (!nl || nl > 0xffffu)
		return dk_errorf(DK_EINVAL, err, errlen, "zip: a member name of %zu bytes", nl);
	if (w->count >= 0xfffeu || len > ZIP_MAX || w->len > ZIP_MAX - 30 - nl ||
	    len > ZIP_MAX - 30 - nl - w->len)
		return dk_errorf(DK_ELIMIT, err, errlen,
		                 "zip: '%s' would take the archive past 4 GiB or 65535 members", name);
	if (w->count == w->mcap) {
		size_t cap = w->mcap ? 2 * w->mcap : 16;
		written *nm = realloc(w->m, cap * sizeof *nm);
		if (!nm)
			return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		w->m = nm;
		w->mcap = cap;
	}
	written *e = &w->m[w->count];
	if (!(e->name = strdup(name)) || reserve(w, 30 + nl + len)) {
		free(e->name);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	e->crc = (uint32_t)crc32_z(crc32_z(0, Z_NULL, 0), data, len);
	e->size = (uint32_t)len;
	e->offset = (uint32_t)w->len;
	w->count++;
	put32(w, SIG_LOCAL);
	put16(w, ZIP_VERSION);
	put16(w, 0);             /* flags */
	put16(w, 0);             /* stored */
	put16(w, 0);             /* time 00:00 */
	put16(w, DOS_DATE_1980);
	put32(w, e->crc);
	put32(w, e->size);       /* compressed: stored, the same */
	put32(w, e->size);
	put16(w, (unsigned)nl);
	put16(w, 0);             /* no extra field */
	put_bytes(w, name, nl);
	put_bytes(w, data, len);
	return DK_OK;
}

int dk_zip_writer_finish(dk_zip_writer *w, const unsigned char **buf, size_t *len,
                         char *err, size_t errlen)
{
	if (!w->finished) {
		size_t need = 22;
		for (size_t i = 0; i < w->count; i++)
			need += 46 + strlen(w->m[i].name);
		if (w->len > ZIP_MAX - need)
			return dk_errorf(DK_ELIMIT, err, errlen, "zip: the archive would pass 4 GiB");
		if (reserve(w, need))
			return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		uint32_t cd = (uint32_t)w->len;
		for (size_t i = 0; i < w->count; i++) {
			const written *e = &w->m[i];
			size_t nl = strlen(e->name);
			put32(w, SIG_CENTRAL);
			put16(w, 3u << 8 | ZIP_VERSION); /* made on Unix, so the mode below holds */
			put16(w, ZIP_VERSION);
			put16(w, 0);
			put16(w, 0);
			put16(w, 0);
			put16(w, DOS_DATE_1980);
			put32(w, e->crc);
			put32(w, e->size);
			put32(w, e->size);
			put16(w, (unsigned)nl);
			put16(w, 0);            /* extra */
			put16(w, 0);            /* comment */
			put16(w, 0);            /* disk */
			put16(w, 0);            /* internal attributes */
			put32(w, 0100644u << 16); /* a regular file, rw-r--r-- */
			put32(w, e->offset);
			put_bytes(w, e->name, nl);
		}
		uint32_t cd_size = (uint32_t)(w->len - cd);
		put32(w, SIG_END);
		put16(w, 0);
		put16(w, 0);
		put16(w, (unsigned)w->count);
		put16(w, (unsigned)w->count);
		put32(w, cd_size);
		put32(w, cd);
		put16(w, 0);
		w->finished = 1;
	}
	*buf = w->buf;
	*len = w->len;
	return DK_OK;
}
