/*
 * brief.h -- a tensor described in a few words for a one-line listing
 * (dk-info): its values when it has only a few, else its attributes in
 * brief; and text cut to a width with an ellipsis.
 */
#ifndef DK_STREAM_BRIEF_H
#define DK_STREAM_BRIEF_H

#include <stddef.h>
#include <jansson.h>

#include "base/tensor.h"

/* Tensors of at most this many elements are described by their values. */
#define DK_BRIEF_SMALL 4

/*
 * "= 0.5 -1": the elements of x, each %.6g (integers in full, complex as
 * a+bi); *out is new (free).  DK_EINVAL for byte strings; DK_ENOMEM.
 */
int dk_brief_values(const dk_tensor *x, char **out);

/*
 * The attrs object in brief: its keys in order, "key=value" with strings
 * bare, numbers %.6g, and an object one level down as "key:" followed by
 * its own pairs, "kind" first; objects and arrays further down as {...}
 * and [...].  "provenance" is left out; "-" when nothing is left.  *out
 * is new (free).  DK_ENOMEM.
 */
int dk_brief_attrs(const json_t *attrs, char **out);

/* Cut s to at most max bytes, its end replaced by "..." (at a UTF-8
   character's start). */
void dk_brief_cut(char *s, size_t max);

#endif
