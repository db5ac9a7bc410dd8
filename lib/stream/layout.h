/*
 * layout.h -- the spatial layout of a state vector, as the attrs of a
 * states record carry it.
 *
 * A model whose units sit in space (the wrnn: C rings of n units) says
 * where each unit is, so that an analysis of space and time (dk-wave)
 * needs no options.  In the attrs of the states the layout is the object
 *
 *	"layout": {"shape": [C, n], "axes": ["channel", "unit"],
 *	           "periodic": [false, true]}
 *
 * with the state's units in C order over shape (unit i of channel c at
 * index c n + i), one axis name per axis, and whether each axis wraps
 * around; sheets are [C, H, W] with the axes "channel", "row", "col".  The first axis of a ring or sheet layout is the channel,
 * which is a set of separate media, never periodic.
 */
#ifndef DK_STREAM_LAYOUT_H
#define DK_STREAM_LAYOUT_H

#include <stddef.h>
#include <jansson.h>

#define DK_LAYOUT_ATTR "layout"   /* the key in a record's attrs */
#define DK_LAYOUT_MAX_RANK 3      /* channel and up to two space axes */

typedef struct dk_layout {
	int rank;                                /* 0: no layout */
	size_t shape[DK_LAYOUT_MAX_RANK];
	char axes[DK_LAYOUT_MAX_RANK][16];       /* "channel", "unit", ... */
	int periodic[DK_LAYOUT_MAX_RANK];        /* 1 where the axis wraps */
} dk_layout;

/* The layout of C rings of n units each, periodic or not. */
dk_layout dk_layout_rings(size_t C, size_t n, int periodic);

/* The layout of C sheets of H rows and W columns each (unit (c, i, j) at
   index (c H + i) W + j), periodic in both directions (a torus) or in
   neither. */
dk_layout dk_layout_sheets(size_t C, size_t H, size_t W, int periodic);

/* The units the layout covers: the product of its shape (0 for none). */
size_t dk_layout_units(const dk_layout *l);

/* The JSON object of l (a new reference; NULL when out of memory). */
json_t *dk_layout_to_json(const dk_layout *l);

/*
 * The layout in the JSON value j: an object with "shape" (1 to
 * DK_LAYOUT_MAX_RANK positive integers), "axes" (as many strings of at
 * most 15 bytes) and "periodic" (as many booleans).  DK_EMETA with a
 * message naming the field that is wrong.
 */
int dk_layout_from_json(const json_t *j, dk_layout *out, char *err,
                        size_t errlen);

#endif
