/*
 * run_head.h -- dk_run_batch's part for a model with a head over whole
 * trajectories (model.h), pixel by pixel: an image batch shown at each
 * of the head's steps, the head's logits, their labels and the paper's
 * scores (not installed: run_batch.c's alone).
 */
#ifndef DK_TRAIN_RUN_HEAD_H
#define DK_TRAIN_RUN_HEAD_H

#include <stddef.h>

#include "stream/bundle.h"
#include "train/run_batch.h"

/* The input: "input" (batch, channel, row, col) of the model's sheet,
   as rb->input (T, batch, channel row col), the same at every step. */
int dk_run_head_input(dk_run_batch *rb, const dk_model *m, const dk_bundle *b,
                      char *err, size_t errlen);
/* The head's logits (batch, row, col, class) and predicted labels from
   rb's states. */
int dk_run_head_logits(dk_run_batch *rb, const dk_model *m);
/* The loss, the accuracy and the foreground IoU against rb's target
   (batch, row, col), when there is one. */
int dk_run_head_loss(dk_run_batch *rb, char *err, size_t errlen);
/* The logits, the labels and the scores as records. */
int dk_run_head_to_bundle(dk_run_batch *rb, dk_bundle *b);

#endif
