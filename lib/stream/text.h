/*
 * text.h -- tensors as tab-separated text, for gnuplot, awk and people.
 *
 * Each tensor is a block: a short header line naming it,
 *	# states  f8  (time 200, batch 4, unit 64)
 * (the name, two spaces, the short dtype name, two spaces, the shape with
 * the axis names; "# f8  (3, 4)" without metadata), at most
 * DK_TEXT_HEADER_WIDTH columns: wider, the axis names are left out, then
 * the name is cut short and ends in "...".  With DK_TEXT_META the
 * metadata's JSON follows on a "# meta JSON" line, so that the round trip
 * keeps the attrs.  Then one row per index of the leading axis holding
 * the rest of the tensor flattened in C order (a 1-d tensor is one
 * column; a scalar one row of one value; complex elements take two
 * columns, real then imaginary).  Blocks are separated by two blank
 * lines, gnuplot's "index" separator.  Values are printed in the shortest
 * form that reads back to the same bits, so text -> binary is exact.
 *
 * The reader takes these blocks; the older form, a "# meta JSON" line
 * before a "# tensor DESCR SHAPE" line ("# tensor <f8 (3, 4)"); and a
 * plain table with no header line: its rows (equal numbers of columns, up
 * to a blank line) become an f8 tensor of shape (rows, columns).
 */
#ifndef DK_STREAM_TEXT_H
#define DK_STREAM_TEXT_H

#include <stdio.h>

#include "base/tensor.h"
#include "stream/meta.h"
#include "stream/writer.h"

/* The widest header line written, in columns (bytes of ASCII names). */
#define DK_TEXT_HEADER_WIDTH 100

/* The flags of dk_text_write. */
enum {
	DK_TEXT_FIRST = 1, /* the stream's first block: no separator before it */
	DK_TEXT_META = 2   /* write the "# meta JSON" line after the header */
};

/*
 * Write one block.  json (json_len bytes, may be NULL) is the metadata
 * object's text, which names the tensor in the header line; flags are
 * DK_TEXT_* or'ed.  DK_EDTYPE for byte-string tensors.
 */
int dk_text_write(dk_stream_writer *w, const char *json, size_t json_len,
                  const dk_tensor *t, unsigned flags);

/*
 * The shape as a header line shows it into buf: "(time 200, batch 4)"
 * with the axis names of m (may be NULL) when named is nonzero and each
 * of the rank axes has a name without space, comma, parenthesis or
 * control character; "(200, 4)" otherwise.  Returns the length written
 * (cut short at cap - 1).
 */
size_t dk_text_shape(char *buf, size_t cap, const dk_meta *m, int rank,
                     const size_t *shape, int named);

typedef struct dk_text_reader dk_text_reader;

/* A reader on f (not owned); source names it in messages. */
dk_text_reader *dk_text_reader_alloc(FILE *f, const char *source);
void dk_text_reader_free(dk_text_reader *tr);
/* Refuse tensors of more than max elements. */
void dk_text_reader_set_max_elements(dk_text_reader *tr, size_t max);

/*
 * The next block: *t (and *meta, NULL when the block has no metadata:
 * no "# meta" line, and neither name nor axis names in its header) become
 * the caller's.  *t is NULL at the end of the input.
 */
int dk_text_next(dk_text_reader *tr, dk_meta **meta, dk_tensor **t);
/*
 * The text of the last block's "# meta" line (NULL when it had none),
 * valid until the next call: writing it back unchanged keeps a round trip
 * through text byte-exact.
 */
const char *dk_text_reader_meta_json(const dk_text_reader *tr, size_t *len);
/* What went wrong, naming the line. */
const char *dk_text_reader_error(const dk_text_reader *tr);

#endif
