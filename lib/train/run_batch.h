/*
 * run_batch.h -- a model run on a batch of input sequences, with what
 * comes with the batch: the input and initial states found in a stream,
 * the states and outputs, the loss against the batch's target and mask,
 * and the records of them all (dk-run); and the states of a model run
 * on a batch a task draws (dk-fixed --task).
 *
 * It lives in lib/train because the loss and the tasks do: lib/analysis
 * takes the states it makes, never this code.
 */
#ifndef DK_TRAIN_RUN_BATCH_H
#define DK_TRAIN_RUN_BATCH_H

#include <stddef.h>

#include "base/tensor.h"
#include "models/model.h"
#include "stream/bundle.h"
#include "train/task.h"

typedef struct dk_run_batch {
	dk_tensor *input;         /* owned: f8 (time, batch, input) */
	const dk_tensor *h0;      /* borrowed from the stream: f8 (batch,
	                             state), or NULL for the zero state */
	const dk_tensor *target;  /* borrowed from the stream, or NULL */
	const dk_tensor *mask;    /* borrowed from the stream, or NULL */
	dk_tensor *states;        /* owned: f8 (time, batch, state), once run */
	dk_tensor *outputs;       /* owned: f8 (time, batch, output), once run */
	double loss, accuracy;    /* NaN until evaluated; accuracy stays NaN
	                             for a regression target */
	dk_layout layout;         /* the model's spatial layout (rank 0: none),
	                             for the attrs of the states */
	dk_layout output_layout;  /* the target's layout when it covers the
	                             outputs (a task's frames: the flow task),
	                             for the attrs of the output; rank 0: none */
	int has_loss;             /* loss evaluated (it may be NaN itself) */
	/* a model with a head (dk_model_head_steps): its logits (batch,
	   row, col, class) and their labels (i8 (batch, row, col)) once run,
	   and the paper's foreground IoU (NaN until evaluated); accuracy is
	   then the paper's too, on the true foreground (shapes.h) */
	dk_tensor *logits, *labels;
	double iou;
	size_t sheet[2];
	size_t feedback;          /* 0, or the first step whose input is the
	                             previous output (dk_model_run_feedback) */
} dk_run_batch;

/*
 * Find in the stream b what a run of m on it needs, into rb (which
 * borrows from b: keep b until rb is cleared): the input (the tensor
 * named input, else b's only tensor; (time, batch, feature) with m's
 * input size as its last axis, as f8), h0 (dk_model_h0_from_bundle), and
 * the target and mask when b has them, and m's spatial layout.  For a
 * model with a head the input is an image batch (batch, channel, row,
 * col) on the model's sheet, shown at each of the head's steps, and the
 * target (batch, row, col) labels; run then also makes the head's logits
 * and labels, loss their cross-entropy and scores, and to_bundle writes
 * them: output (batch, row, col, class), run/labels and
 * run/iou_foreground.  Otherwise m's spatial layout
 * (dk_model_layout), and the target's (its attr "layout", when it is one
 * and covers m's outputs).  DK_EINVAL (DK_ELIMIT when the
 * states would hold more than max_elements values) with a message.
 */
int dk_run_batch_read(dk_run_batch *rb, const dk_model *m, const dk_bundle *b,
                      size_t max_elements, char *err, size_t errlen);
/*
 * Run the batch in a closed loop from step `from` on (0: never):
 * the input of each step from then on is the previous output.  DK_EINVAL
 * with a message when m's outputs are not as many as its inputs or from
 * is not one of the input's steps 1 .. T - 1.
 */
int dk_run_batch_set_feedback(dk_run_batch *rb, const dk_model *m, size_t from,
                              char *err, size_t errlen);
/* Run m on rb's input from h0 (dk_model_run, or dk_model_run_feedback
   when set): rb's states and outputs.  DK_ENOMEM; the model's status
   passes through. */
int dk_run_batch_run(dk_run_batch *rb, const dk_model *m);
/*
 * The loss (and, for class labels, the accuracy) of rb's outputs against
 * its target and mask (dk_loss_eval), when rb has both; else nothing.
 * DK_EINVAL with a message when their shapes do not fit.
 */
int dk_run_batch_loss(dk_run_batch *rb, char *err, size_t errlen);
/*
 * The records of the run into b, their tensors taken from rb: states
 * (time, batch, unit) when with_states (else dropped; with the attr
 * "layout" when the model has one, stream/layout.h), output (time,
 * batch, output; with the target's "layout" when it had one), and run/loss and run/accuracy where evaluated.
 * DK_ENOMEM.
 */
int dk_run_batch_to_bundle(dk_run_batch *rb, int with_states, dk_bundle *b);
/* Free what rb owns and reset it; a zeroed rb is clear already. */
void dk_run_batch_clear(dk_run_batch *rb);

/*
 * The states of m run from the zero state on one batch of the task p
 * (dk_task_generate): a new (time * batch, n) f8 tensor, row t B + b the
 * state of example b after step t.  DK_EINVAL with a message when the
 * task's inputs do not fit m, DK_ELIMIT when the states would hold more
 * than max_elements values; the task's and the model's errors pass
 * through with a message.
 */
int dk_task_states(const dk_task_params *p, const dk_model *m,
                   size_t max_elements, dk_tensor **out, char *err,
                   size_t errlen);

#endif
