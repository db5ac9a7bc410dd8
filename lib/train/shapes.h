/*
 * shapes.h -- sheets of tetrominoes to classify pixel by pixel, after the
 * tetromino data set of Jacobs, Budzinski, Muller, Ba and Keller,
 * "Traveling waves integrate spatial information through time" (2025),
 * and the paper's foreground score of a labelling.
 *
 * A sheet of H x W pixels holds 1 to 5 tetrominoes, drawn as blocks of
 * cell x cell pixels (cell = max(1, min(H, W) / 9): 7 on 64 x 64, as the
 * paper's).  The five classes are the paper's families:
 *
 *	1 I    2 O    3 T    4 S or Z    5 J or L      (0 is background)
 *
 * each turned by a quarter turn 0 to 3 times, the last two also mirrored
 * with probability 1/2, so that every one of the 19 fixed tetrominoes can
 * appear.  The families of a sheet are drawn as the paper draws them:
 * the five in a random order, the first k taken (k uniform on 1..5), so
 * no family appears twice.  Each shape is placed at a uniform position
 * where its bounding box, grown by a margin of one pixel, holds no pixel
 * of a shape already placed, so that shapes neither overlap nor touch
 * (not even at a corner) and each is one connected component of its
 * class.  A sheet where a shape finds no room after many tries is drawn
 * again from its start.
 *
 * Grey levels: a shape's pixels take one level uniform on [0.2, 1)
 * (the paper draws a colour per shape; the lower bound keeps every shape
 * apart from the black background), and each cell's border pixels are
 * brighter by half the level, clipped to 1, the paper's texture.  The
 * background is 0.
 *
 * The batch is
 *
 *	input   f8 (batch, channel, row, col)   one channel of grey levels
 *	target  i8 (batch, row, col)            the class of each pixel
 *
 * both with the sheet's layout (stream/layout.h) and the parameters in
 * their attrs.  A split is a stream of its own: the train split draws
 * from dk_rng_alloc(2 seed), the test split from dk_rng_alloc(2 seed +
 * 1), so no seed of one split is a seed of the other.
 */
#ifndef DK_TRAIN_SHAPES_H
#define DK_TRAIN_SHAPES_H

#include <stddef.h>
#include <stdint.h>

#include "base/tensor.h"
#include "stream/meta.h"
#include "train/task.h"

#define DK_SHAPES_CLASSES 6      /* background and the five families */
#define DK_SHAPES_MAX_SHAPES 5
#define DK_SHAPES_MIN_SIDE 16
#define DK_SHAPES_MAX_SIDE 4096
#define DK_SHAPES_MAX_SEED (UINT64_MAX / 2)  /* 2 seed + 1 must fit */

typedef struct dk_shapes_params {
	size_t sheet[2];  /* rows and columns, each DK_SHAPES_MIN_SIDE ..
	                     DK_SHAPES_MAX_SIDE */
	size_t batch;     /* sheets, >= 1 */
	uint64_t seed;    /* at most DK_SHAPES_MAX_SEED */
	dk_split split;
} dk_shapes_params;

/* The defaults: a 32 x 32 sheet, batch 1, seed 0, the train split. */
void dk_shapes_params_init(dk_shapes_params *p);

/* The parameters as a JSON object, for attrs and provenance; NULL when
   out of memory. */
json_t *dk_shapes_params_to_json(const dk_shapes_params *p);

typedef struct dk_shapes_batch {
	dk_tensor *input, *target;
	dk_meta *input_meta, *target_meta; /* names "input" and "target" */
} dk_shapes_batch;

/*
 * Draw p->batch sheets.  DK_EINVAL with err naming the field for
 * parameters out of their domain, DK_ELIMIT when the tensors' sizes
 * overflow, DK_ENOMEM.
 */
int dk_shapes_generate(const dk_shapes_params *p, dk_shapes_batch **out,
                       char *err, size_t errlen);
void dk_shapes_batch_free(dk_shapes_batch *b);

/*
 * The paper's scores of a labelling pred against the truth target, both
 * label maps of batch images of n pixels each, counted on the truth's
 * foreground only (target >= 1; background 0 and unlabelled -1 pixels
 * are left out).  For each image, over its F foreground pixels of which
 * I are labelled right, the intersection over union summed over the
 * classes is I / (I + 2 (F - I)) (a wrong pixel is in the union of its
 * true class and of its predicted one), and the accuracy I / F; *iou and
 * *accuracy are their means over the images with foreground, NaN when
 * none has.  DK_EINVAL when a label is below -1 or at least classes.
 */
int dk_shapes_iou_foreground(size_t batch, size_t n, size_t classes,
                             const int64_t *pred, const int64_t *target,
                             double *iou, double *accuracy, char *err,
                             size_t errlen);

#endif
