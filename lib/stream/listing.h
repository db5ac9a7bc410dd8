/*
 * listing.h -- a stream's tensors as dk-info lists them: a table of one
 * row per tensor (index, name, dtype, shape with the axis names, and a
 * summary in brief or the whole attrs, optionally statistics of the
 * elements), its columns lined up within DK_LISTING_WIDTH columns; or
 * each tensor as one JSON object.
 *
 * The dtype column shows the short names of text form headers ("f8",
 * "c16"; "S12" for byte strings), the JSON object NumPy's descr ("<f8",
 * "|S12"), as the .npy header has it.
 */
#ifndef DK_STREAM_LISTING_H
#define DK_STREAM_LISTING_H

#include <jansson.h>

#include "base/tensor.h"
#include "stream/reader.h"

/* The table's width, and the widest name and shape in it (without
   DK_LISTING_VERBOSE). */
#define DK_LISTING_WIDTH 100
#define DK_LISTING_NAME_MAX 36
#define DK_LISTING_SHAPE_MAX 36

/* The flags of dk_listing_alloc. */
enum {
	DK_LISTING_STATS = 1,   /* min, max, mean, std, NaN and Inf columns */
	DK_LISTING_VERBOSE = 2  /* the whole attrs as JSON instead of the
	                           summary, names and shapes never cut short */
};

typedef struct dk_listing dk_listing;

/* An empty table with the columns flags (DK_LISTING_* or'ed) ask for;
   NULL when memory runs out. */
dk_listing *dk_listing_alloc(unsigned flags);
void dk_listing_free(dk_listing *l);

/*
 * A row for rec.  x is its elements when they were read (NULL
 * otherwise): a tensor of at most DK_BRIEF_SMALL elements is summarised
 * by its values, others by their attrs in brief.  s is the statistics of
 * the elements (NULL: "-" in those columns).  DK_ENOMEM (no row added).
 */
int dk_listing_add(dk_listing *l, const dk_record *rec, const dk_tensor *x,
                   const dk_tensor_stats *s);

/* The rows added so far. */
size_t dk_listing_rows(const dk_listing *l);

/*
 * The table as text for the caller to write, a line of column titles
 * first: without DK_LISTING_VERBOSE, names and shapes cut to their caps
 * and the summaries to what is left of the width (at least 20 columns).
 * The caller frees it; NULL when memory runs out.
 */
char *dk_listing_format(dk_listing *l);

/*
 * rec as one JSON object: file (source), index, name, dtype (the .npy
 * descr), shape, axes and attrs when it has metadata, and with s its
 * statistics (min, max, mean and std null when no element is finite).
 * NULL when memory runs out.
 */
json_t *dk_listing_json(const char *source, const dk_record *rec,
                        const dk_tensor_stats *s);

#endif
