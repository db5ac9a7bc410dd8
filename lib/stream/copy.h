/*
 * copy.h -- records passed from one stream to another as dk-cat passes
 * them: raw, byte for byte, when nothing about them changes; renamed
 * with new metadata; or read whole and written again, their elements
 * converted to another type or as blocks of the text form (text.h).
 */
#ifndef DK_STREAM_COPY_H
#define DK_STREAM_COPY_H

#include <stddef.h>

#include "base/tensor.h"
#include "stream/meta.h"
#include "stream/reader.h"
#include "stream/writer.h"

/* What a copy changes, and how far it has got. */
typedef struct dk_copy {
	int bare;        /* drop the metadata records */
	int text;        /* write the text form instead of .npy records */
	int text_meta;   /* with text: each block's "# meta" line too */
	int convert;     /* convert the elements to dtype */
	dk_dtype dtype;
	size_t written;  /* tensors written so far (the text form puts a
	                    separator before each block but the first) */
} dk_copy;

/*
 * Whether rec must be read whole and written by dk_copy_tensor: for the
 * text form, and for a conversion, which also normalises (native byte
 * order, C order, .npy format 1.0) a tensor already of the type.
 * Otherwise dk_copy_head and dk_stream_copy_data pass it on raw.
 */
int dk_copy_needs_tensor(const dk_copy *c, const dk_record *rec);

/*
 * The JSON text of meta (may be NULL) renamed to name, or unchanged when
 * name is NULL, into *json (new; NULL when both are NULL) and *len.
 * DK_ENOMEM.
 */
int dk_copy_meta_json(const dk_meta *meta, const char *name, char **json,
                      size_t *len);

/*
 * Write t (taken, freed whatever the status) with its metadata's text
 * json (json_len bytes; NULL for none, and left out with bare), converted
 * and in the form c asks for.  DK_EDTYPE, DK_ERANGE and the like when
 * the elements do not convert, DK_EDTYPE for a byte-string tensor to the
 * text form, DK_EIO when writing fails, each with a message in err.
 */
int dk_copy_tensor(dk_copy *c, dk_stream_writer *w, const char *json,
                   size_t json_len, dk_tensor *t, char *err, size_t errlen);

/*
 * Write rec's metadata record (as read; new, named name, when name is
 * not NULL; none with bare) and .npy header to w, for its data to follow
 * by dk_stream_copy_data.  DK_ENOMEM, DK_EIO.
 */
int dk_copy_head(dk_copy *c, dk_stream_writer *w, const dk_record *rec,
                 const char *name);

#endif
