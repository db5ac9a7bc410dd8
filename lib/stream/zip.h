/*
 * zip.h -- read the members of a zip archive held in memory, as NumPy's
 * np.savez (stored) and np.savez_compressed (deflated) write them.
 *
 * The central directory says what the archive holds (names, sizes,
 * offsets; zip64 fields where the 32-bit ones overflow); each member is
 * then found through its local header and stored or inflated with zlib,
 * and its CRC-32 checked.  Every offset and size is checked against the
 * buffer before it is used, so a malformed or truncated archive gives
 * DK_EFORMAT or DK_ETRUNC with a message, never a read out of bounds.
 * Encrypted members and methods other than stored (0) and deflate (8)
 * are refused (DK_EFORMAT).
 *
 *	dk_zip *z;
 *	if (dk_zip_open(buf, len, &z, err, sizeof err) == DK_OK) {
 *		for (size_t i = 0; i < dk_zip_count(z); i++) {
 *			unsigned char *data; size_t n;
 *			st = dk_zip_extract(z, i, max, &data, &n, err, sizeof err);
 *			...
 *			free(data);
 *		}
 *		dk_zip_free(z);
 *	}
 */
#ifndef DK_STREAM_ZIP_H
#define DK_STREAM_ZIP_H

#include <stddef.h>

typedef struct dk_zip dk_zip;

/* Does buf begin as a zip archive does ("PK\3\4", or "PK\5\6" if empty)? */
int dk_zip_sniff(const unsigned char *buf, size_t len);

/*
 * Read the central directory of the len bytes at buf (not owned: they
 * must outlive *out).  DK_EFORMAT or DK_ETRUNC, with err, when it is not
 * a readable zip archive.
 */
int dk_zip_open(const unsigned char *buf, size_t len, dk_zip **out, char *err,
                size_t errlen);
void dk_zip_free(dk_zip *z);

size_t dk_zip_count(const dk_zip *z);
/* The name of member i (NUL-terminated, owned by z). */
const char *dk_zip_name(const dk_zip *z, size_t i);
/* Its uncompressed size, as the central directory gives it. */
size_t dk_zip_size(const dk_zip *z, size_t i);

/*
 * Member i, uncompressed, into a new buffer *data (the caller frees it)
 * of *len bytes.  DK_ELIMIT when it would be larger than max_bytes.
 */
int dk_zip_extract(const dk_zip *z, size_t i, size_t max_bytes,
                   unsigned char **data, size_t *len, char *err, size_t errlen);

/*
 * Writing: an archive built in memory, its members stored (method 0, as
 * np.savez writes them) with their CRC-32 from zlib, every timestamp
 * 1980-01-01 00:00 so that the same members give the same bytes.  No
 * zip64: an archive of 4 GiB or more, or of 65535 members or more, is
 * DK_ELIMIT.
 *
 *	dk_zip_writer *w = dk_zip_writer_alloc();
 *	st = dk_zip_writer_add(w, "a.npy", data, n, err, sizeof err);
 *	...
 *	st = dk_zip_writer_finish(w, &bytes, &len, err, sizeof err);
 *	write len bytes; dk_zip_writer_free(w);
 */
typedef struct dk_zip_writer dk_zip_writer;

dk_zip_writer *dk_zip_writer_alloc(void);
void dk_zip_writer_free(dk_zip_writer *w);
/* Append a member named name (not empty, under 65536 bytes). */
int dk_zip_writer_add(dk_zip_writer *w, const char *name, const void *data, size_t len,
                      char *err, size_t errlen);
/* Append the central directory and its end record; *buf (owned by w, valid
   until it is freed) holds the *len bytes of the archive.  Nothing may be
   added after. */
int dk_zip_writer_finish(dk_zip_writer *w, const unsigned char **buf, size_t *len,
                         char *err, size_t errlen);

#endif
