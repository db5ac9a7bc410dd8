/*
 * fuzz_stream.c -- libFuzzer target for the stream and text readers, and
 * for the zip and safetensors readers behind dk-import.
 *
 * The input bytes are read four times: as a binary stream of .npy
 * records (through a memfd, since the reader takes a descriptor), as the
 * TSV text form (through fmemopen), as a zip archive (an .npz: each
 * member extracted and read as a stream in its turn) and as a
 * safetensors file.  Every tensor the readers return is read (whole,
 * or in blocks of rows), skipped or copied by turns, summarised with
 * dk_tensor_stats_compute and written back out to /dev/null, and
 * everything is freed, so the
 * sanitizers see leaks as well as bad accesses.  A low element cap keeps
 * a hostile header from making the target allocate much.
 *
 * Inputs that once found bugs are kept in tests/fuzz/crashes/ and
 * replayed by run.sh before each run.
 *
 * Built by tests/fuzz/run.sh with the library's sources compiled in:
 *	clang -fsanitize=fuzzer,address,undefined -I. -Ilib \
 *	    tests/fuzz/fuzz_stream.c lib/base/\*.c lib/stream/\*.c \
 *	    -ljansson -lgsl -lm -lpthread
 */
#include <config.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/status.h"
#include "base/tensor.h"
#include "stream/bundle.h"
#include "stream/meta.h"
#include "stream/reader.h"
#include "stream/safetensors.h"
#include "stream/text.h"
#include "stream/writer.h"
#include "stream/zip.h"

#define FUZZ_MAX_ELEMENTS ((size_t)1 << 20)
#define FUZZ_MAX_RECORDS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;
static int memfd = -1;

/* Touch the results so the compiler cannot drop the computation. */
static volatile double sink;

static void stats(const dk_tensor *t)
{
	dk_tensor_stats s;
	if (dk_tensor_stats_compute(t, &s) == DK_OK)
		sink = s.mean + s.std + s.min + s.max +
		       (double)(s.finite + s.nan + s.inf);
}

static void fuzz_binary(const uint8_t *data, size_t size)
{
	if (ftruncate(memfd, 0) != 0 || lseek(memfd, 0, SEEK_SET) != 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t k = write(memfd, data + off, size - off);
		if (k <= 0)
			abort();
		off += (size_t)k;
	}
	if (lseek(memfd, 0, SEEK_SET) != 0)
		abort();

	dk_stream_reader *r = dk_stream_reader_alloc(memfd, "fuzz");
	dk_stream_writer *w = dk_stream_writer_alloc(devnull);
	if (!r || !w)
		abort();
	dk_stream_reader_set_max_elements(r, FUZZ_MAX_ELEMENTS);

	const dk_record *rec;
	int st;
	size_t n = 0;
	while ((st = dk_stream_next(r, &rec)) == DK_OK && rec &&
	       n++ < FUZZ_MAX_RECORDS) {
		/* the record must describe itself consistently */
		if (!rec->name || !rec->header_bytes || rec->header_nbytes < 10 ||
		    (rec->meta && (!rec->meta_bytes || !rec->meta_json)) ||
		    rec->npy.count > FUZZ_MAX_ELEMENTS)
			abort();
		if (rec->meta_json)
			sink = rec->meta_json[rec->meta_json_len ? rec->meta_json_len - 1 : 0];
		switch (rec->index % 4) {
		case 0: {
			dk_tensor *t;
			if ((st = dk_stream_read_tensor(r, &t)) != DK_OK)
				break;
			stats(t);
			/* and back out, as binary and as text */
			dk_stream_write_named(w, rec->meta, t);
			dk_text_write(w, rec->meta_json, rec->meta_json_len, t,
			              DK_TEXT_META | (rec->tensor_index == 0));
			size_t nbytes = dk_tensor_nbytes(t);
			dk_tensor_free(t);
			/* a second read of the same (non-empty) record is refused */
			if (nbytes > 0 &&
			    (dk_stream_read_tensor(r, &t) == DK_OK || t))
				abort();
			break;
		}
		case 1:
			st = dk_stream_skip_data(r);
			break;
		case 3: {
			/* by blocks of 3 rows as f8; a record of no rows may name
			   rows of any size: keep to the cap */
			size_t row = dk_stream_row_elements(r), left;
			if (row > FUZZ_MAX_ELEMENTS)
				break;
			double *block = malloc((3 * row + 1) * sizeof *block);
			if (!block)
				abort();
			while ((left = dk_stream_rows_left(r)) > 0 &&
			       (st = dk_stream_read_rows_f8(r, block, left < 3 ? left : 3)) == DK_OK)
				sink = row ? block[0] : 0;
			free(block);
			if (st == DK_EFORMAT || st == DK_EDTYPE)
				st = dk_stream_skip_data(r); /* Fortran, complex, strings */
			break;
		}
		default:
			if (rec->meta_bytes)
				dk_stream_write_bytes(w, rec->meta_bytes, rec->meta_nbytes);
			dk_stream_write_bytes(w, rec->header_bytes, rec->header_nbytes);
			st = dk_stream_copy_data(r, w);
			break;
		}
		if (st)
			break;
		/* every other tensor leaves with its metadata */
		if (rec->tensor_index % 2) {
			dk_meta *m = dk_stream_take_meta(r);
			if (m) {
				char *json;
				size_t len;
				if (dk_meta_dump(m, &json, &len) == DK_OK)
					free(json);
				dk_meta_free(m);
			}
		}
	}
	if (st)
		sink = (double)strlen(dk_stream_reader_error(r));
	dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	dk_stream_reader_free(r);
}

static void fuzz_text(const uint8_t *data, size_t size)
{
	if (size == 0)
		return;
	/* fmemopen wants a writable buffer, even for reading */
	char *copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	FILE *f = fmemopen(copy, size, "r");
	if (!f)
		abort();
	dk_text_reader *tr = dk_text_reader_alloc(f, "fuzz");
	dk_stream_writer *w = dk_stream_writer_alloc(devnull);
	if (!tr || !w)
		abort();
	dk_text_reader_set_max_elements(tr, FUZZ_MAX_ELEMENTS);
	for (size_t n = 0; n < FUZZ_MAX_RECORDS; n++) {
		dk_meta *meta;
		dk_tensor *t;
		int st = dk_text_next(tr, &meta, &t);
		if (st) {
			/* on failure nothing is the caller's (text.c's fail: path) */
			if (meta || t)
				abort();
			sink = (double)strlen(dk_text_reader_error(tr));
			break;
		}
		if (!t) {
			if (meta)
				abort();
			break;
		}
		if (t->count > FUZZ_MAX_ELEMENTS)
			abort();
		stats(t);
		size_t len;
		const char *json = dk_text_reader_meta_json(tr, &len);
		dk_text_write(w, json, len, t, DK_TEXT_META | (n == 0));
		dk_stream_write_named(w, meta, t);
		dk_meta_free(meta);
		dk_tensor_free(t);
	}
	dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	dk_text_reader_free(tr);
	fclose(f);
	free(copy);
}

/* An .npz's members, each read as a stream of .npy records. */
static void fuzz_zip(const uint8_t *data, size_t size)
{
	char err[256];
	dk_zip *z;
	sink = dk_zip_sniff(data, size);
	if (dk_zip_open(data, size, &z, err, sizeof err) != DK_OK) {
		sink = (double)strlen(err);
		return;
	}
	for (size_t i = 0; i < dk_zip_count(z); i++) {
		if (!dk_zip_name(z, i))
			abort();
		sink = (double)dk_zip_size(z, i);
		unsigned char *member;
		size_t len;
		if (dk_zip_extract(z, i, FUZZ_MAX_ELEMENTS * 8, &member, &len, err,
		                   sizeof err) != DK_OK) {
			sink = (double)strlen(err);
			continue;
		}
		if (len > FUZZ_MAX_ELEMENTS * 8)
			abort();
		fuzz_binary(member, len);
		free(member);
	}
	dk_zip_free(z);
}

static void fuzz_safetensors(const uint8_t *data, size_t size)
{
	char err[256];
	dk_bundle *b = dk_bundle_alloc();
	if (!b)
		abort();
	sink = dk_safetensors_sniff(data, size);
	if (dk_safetensors_read(data, size, FUZZ_MAX_ELEMENTS, b, err,
	                        sizeof err) == DK_OK) {
		for (size_t i = 0; i < dk_bundle_size(b); i++) {
			const dk_tensor *t = dk_bundle_tensor(b, i);
			if (!dk_bundle_name(b, i) || !t || t->count > FUZZ_MAX_ELEMENTS)
				abort();
			stats(t);
		}
	} else {
		sink = (double)strlen(err);
	}
	dk_bundle_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (devnull < 0 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	if (memfd < 0 && (memfd = memfd_create("fuzz_stream", MFD_CLOEXEC)) < 0)
		abort();
	fuzz_binary(data, size);
	fuzz_text(data, size);
	fuzz_zip(data, size);
	fuzz_safetensors(data, size);
	return 0;
}
