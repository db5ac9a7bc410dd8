/*
 * copy.c -- records passed on from stream to stream: raw when they stay
 * as they are, so that a copy without changes is the identity on any
 * valid stream and holds no tensor in memory; read whole and written
 * again when converted or turned into text.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/copy.h"
#include "stream/text.h"

int dk_copy_needs_tensor(const dk_copy *c, const dk_record *rec)
{
	return c->text || (c->convert && (rec->npy.dtype != c->dtype ||
	                                  rec->npy.big_endian ||
	                                  rec->npy.fortran_order ||
	                                  rec->npy.major != 1));
}

/* A copy of meta (or a new one) named name; NULL when memory runs out. */
static dk_meta *renamed(const dk_meta *meta, const char *name)
{
	dk_meta *m = meta ? dk_meta_copy(meta) : dk_meta_new(NULL);
	if (m && dk_meta_set_name(m, name) != DK_OK) {
		dk_meta_free(m);
		m = NULL;
	}
	return m;
}

int dk_copy_meta_json(const dk_meta *meta, const char *name, char **json,
                      size_t *len)
{
	*json = NULL;
	*len = 0;
	if (!meta && !name)
		return DK_OK;
	dk_meta *m = name ? renamed(meta, name) : NULL;
	int st = name && !m ? DK_ENOMEM : dk_meta_dump(m ? m : meta, json, len);
	dk_meta_free(m);
	return st;
}

int dk_copy_tensor(dk_copy *c, dk_stream_writer *w, const char *json,
                   size_t json_len, dk_tensor *t, char *err, size_t errlen)
{
	int st = DK_OK;
	if (c->convert && t->dtype != c->dtype) {
		dk_tensor *converted;
		st = dk_tensor_convert(t, c->dtype, &converted);
		if (st) {
			snprintf(err, errlen, "cannot convert %s to %s: %s",
			         dk_dtype_name(t->dtype), dk_dtype_name(c->dtype),
			         dk_strerror(st));
			dk_tensor_free(t);
			return st;
		}
		dk_tensor_free(t);
		t = converted;
	}
	if (c->text) {
		st = dk_text_write(w, c->bare ? NULL : json, json_len, t,
		                   (c->written == 0 ? DK_TEXT_FIRST : 0) |
		                   (c->text_meta ? DK_TEXT_META : 0));
	} else {
		if (!c->bare && json)
			st = dk_stream_write_meta_json(w, json, json_len);
		if (!st)
			st = dk_stream_write_tensor(w, t);
	}
	if (st == DK_EDTYPE && c->text)
		snprintf(err, errlen, "byte-string tensors have no text form");
	else if (st == DK_EIO)
		snprintf(err, errlen, "write error: %s", strerror(dk_stream_writer_errno(w)));
	else if (st)
		snprintf(err, errlen, "%s", dk_strerror(st));
	dk_tensor_free(t);
	c->written++;
	return st;
}

int dk_copy_head(dk_copy *c, dk_stream_writer *w, const dk_record *rec,
                 const char *name)
{
	int st = DK_OK;
	if (!c->bare && name) {
		dk_meta *m = renamed(rec->meta, name);
		st = m ? dk_stream_write_meta(w, m) : DK_ENOMEM;
		dk_meta_free(m);
	} else if (!c->bare && rec->meta_bytes) {
		st = dk_stream_write_bytes(w, rec->meta_bytes, rec->meta_nbytes);
	}
	if (!st)
		st = dk_stream_write_bytes(w, rec->header_bytes, rec->header_nbytes);
	if (!st)
		c->written++;
	return st;
}
