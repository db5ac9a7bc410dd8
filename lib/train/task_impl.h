/*
 * task_impl.h -- what the task files share inside libdynkit (not
 * installed): the task object, and each task's filling of a batch whose
 * tensors task.c has already allocated, zero-filled, at the right shapes.
 */
#ifndef DK_TRAIN_TASK_IMPL_H
#define DK_TRAIN_TASK_IMPL_H

#include <stdarg.h>

#include "train/task.h"

struct dk_task {
	dk_task_params params;  /* data_dir set to NULL: not kept */
	size_t steps, inputs, outputs;
	int classify;           /* target is i8 class labels (xent) */
	/* fmnist only */
	dk_tensor *images;      /* owned: u1 (examples, 28, 28) */
	dk_tensor *labels;      /* owned: u1 (examples) */
	size_t *pixel_order;    /* owned: 784 entries; step s shows pixel
	                           pixel_order[s] (the identity unless the
	                           mode is permuted) */
	/* data only: the file's trials, all of them, checked */
	dk_tensor *x;           /* owned: input f8 (time, trial, feature) */
	dk_tensor *y;           /* owned: target f8 (time, trial, output) or
	                           i8 labels (time, trial) */
	dk_tensor *w;           /* owned: mask f8 (time, trial) or, with
	                           mask_each, (time, trial, output) */
	int mask_each;          /* a weight per output (mse) */
	size_t *trials;         /* owned: the split's trials, ascending */
	size_t ntrials;         /* how many */
	size_t *draw;           /* owned: room for ntrials, the scratch of
	                           dk_task_data_draw (so a task draws one
	                           batch at a time) */
	/* flow only */
	double *flow_bump;      /* owned: the bump centred on unit 0 (row 0,
	                           col 0 of a sheet), over the whole medium */
};

/* A tetromino (task_shapes.c, also drawn by the drum): family 0..4 (I,
   O, T, S, J) turned a quarter turn turns times, then mirrored (Z, L)
   when mirror: four cells (row, col) in a box of rows x cols cells. */
typedef struct {
	int cells[4][2];
	int rows, cols;
} dk_shapes_piece;
void dk_shapes_make_piece(int family, int turns, int mirror, dk_shapes_piece *q);

/* Add to the attrs a the sheet tasks share (task_shapes.c): the count
   of classes, their names, and the layout of one channel of H x W
   pixels.  Nonzero when out of memory. */
int dk_task_sheet_attrs(json_t *a, const char *const *names, int classes,
                        size_t H, size_t W);

/* Write a message into err as snprintf does; returns st. */
int dk_task_fail(char *err, size_t errlen, int st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A seed as attrs hold it: an integer, or beyond JSON's signed 64 bits a
   decimal string. */
json_t *dk_task_json_seed(uint64_t seed);

void dk_task_fill_copy(const dk_task *t, dk_rng *r, dk_task_batch *b);
void dk_task_fill_adding(const dk_task *t, dk_rng *r, dk_task_batch *b);
void dk_task_fill_flipflop(const dk_task *t, dk_rng *r, dk_task_batch *b);

/* flow (task_flow.c): check p and set t's sizes (steps, inputs,
   outputs); then make what sampling reads (the bump, or the images of
   the fmnist pattern); the attrs its batches add (layout and bump
   width) to a; its parameters to and from JSON. */
int dk_task_flow_check(const dk_task_params *p, dk_task *t, char *err,
                       size_t errlen);
int dk_task_flow_prepare(dk_task *t, const char *data_dir, char *err,
                         size_t errlen);
int dk_task_flow_attrs(const dk_task *t, json_t *a);
int dk_task_flow_layout(const dk_task *t, json_t **layout);
int dk_task_flow_to_json(const dk_task_params *p, json_t *j);
int dk_task_flow_from_json(json_t *j, dk_task_params *p);
void dk_task_fill_flow(const dk_task *t, dk_rng *r, dk_task_batch *b);

/* shapes (task_shapes_seq.c): check p and set t's sizes; draw a batch
   (its own tensors and metas) from r; its parameters to and from JSON. */
int dk_task_shapes_check(const dk_task_params *p, dk_task *t, char *err,
                         size_t errlen);
int dk_task_shapes_sample(const dk_task *t, dk_rng *r, dk_task_batch *b, char *err,
                          size_t errlen);
/* The batch of the images dk_shapes_generate draws at seed (at most
   DK_SHAPES_MAX_SEED): dk-gen shapes --seed seed's, in t's split. */
int dk_task_shapes_fill(const dk_task *t, uint64_t seed, dk_task_batch *b, char *err,
                        size_t errlen);
int dk_task_shapes_to_json(const dk_task_params *p, json_t *j);
int dk_task_shapes_from_json(json_t *j, dk_task_params *p);

/* Load the split's files into t (images, labels, pixel_order). */
int dk_task_fmnist_load(dk_task *t, const char *dir, char *err,
                        size_t errlen);
/* Fill the first count slots of b with the examples whose indices are in
   index[0..count-1]; the slots after them stay padding: zero input, no
   label (-1), mask 0. */
void dk_task_fill_fmnist(const dk_task *t, const size_t *index, size_t count,
                         dk_task_batch *b);

/* data: read and check the split's file into t (task_data.c). */
int dk_task_data_load(dk_task *t, char *err, size_t errlen);
/* Fill b with batch trials of the split drawn from r without replacement,
   in their order in the file. */
int dk_task_data_draw(const dk_task *t, dk_rng *r, dk_task_batch *b, char *err,
                      size_t errlen);
/* Fill the first count slots of b with the split's trials index[..]; the
   slots after them stay padding: zero input and target, no label (-1),
   mask 0. */
void dk_task_fill_data(const dk_task *t, const size_t *index, size_t count,
                       dk_task_batch *b);

#endif
