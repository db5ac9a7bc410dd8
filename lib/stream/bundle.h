/*
 * bundle.h -- named tensors gathered from a stream, looked up by name.
 *
 * A model is the set of its model/... tensors; a tool reads the whole
 * stream into a bundle and asks for "model/W" or for every name matching
 * "model/..." (fnmatch(3) globs, where '*' also matches '/').  Entries keep
 * the order they were added in; adding a name that exists replaces it.
 * A stream read into a bundle names each tensor once: the tools look a
 * name up once, and a second record of it would replace the first, so
 * two records of one name with different contents are refused (two
 * identical copies are one tensor).
 */
#ifndef DK_STREAM_BUNDLE_H
#define DK_STREAM_BUNDLE_H

#include <stddef.h>

#include "base/tensor.h"
#include "stream/meta.h"
#include "stream/reader.h"
#include "stream/writer.h"

typedef struct dk_bundle dk_bundle;

dk_bundle *dk_bundle_alloc(void);
void dk_bundle_free(dk_bundle *b);

/*
 * Add a tensor under name, taking ownership of t and of meta (which may
 * be NULL; a metadata object holding the name is then made).  The name
 * given wins over any name inside meta.  On failure t and meta are freed.
 */
int dk_bundle_add(dk_bundle *b, const char *name, dk_meta *meta,
                  dk_tensor *t);

/*
 * Add a result record: tensor t (taken; freed on failure; NULL gives
 * DK_ENOMEM, so an allocation may be passed unchecked) under name, with
 * naxes axis names (none when naxes is 0) and a copy of every key of
 * attrs (borrowed; NULL for none).  The one way lib/ turns a result into
 * named records, so every record of every analysis is made alike.
 */
int dk_bundle_add_record(dk_bundle *b, const char *name, dk_tensor *t,
                         const char *const *axes, size_t naxes,
                         const json_t *attrs);

/* Read every tensor left in the stream into b.  DK_EFORMAT, with the
   reader's message naming both records, when a name read comes again
   with other contents (dtype, shape or values); an identical copy
   replaces the first, as dk_bundle_add does, and so does any record of
   a name b held before the read. */
int dk_bundle_read(dk_bundle *b, dk_stream_reader *r);
/* Write every entry, each after its metadata record. */
int dk_bundle_write(const dk_bundle *b, dk_stream_writer *w);

size_t dk_bundle_size(const dk_bundle *b);
const char *dk_bundle_name(const dk_bundle *b, size_t i);
dk_tensor *dk_bundle_tensor(const dk_bundle *b, size_t i);
dk_meta *dk_bundle_meta(const dk_bundle *b, size_t i);

/* The tensor named name, or NULL. */
dk_tensor *dk_bundle_get(const dk_bundle *b, const char *name);
/* The index of name, or -1. */
long dk_bundle_find(const dk_bundle *b, const char *name);
/*
 * The index of the first entry at or after from whose name matches the
 * glob pattern, or -1:
 *	for (long i = dk_bundle_match(b, "model/...", 0); i >= 0;
 *	     i = dk_bundle_match(b, "model/...", i + 1))
 */
long dk_bundle_match(const dk_bundle *b, const char *pattern, size_t from);

#endif
