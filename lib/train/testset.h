/*
 * testset.h -- held-out data a model is tested on while it trains, and
 * its loss and accuracy there.
 *
 * The data are fixed when the test set is made, and drawn from a
 * generator of their own, so testing never touches the training's random
 * stream (a resumed run gives the same bytes):
 *
 *	generated tasks (copy, adding, flipflop): one batch of `examples`
 *	    examples drawn from dk_rng_alloc(seed) -- the batch that
 *	    `dk-gen TASK --batch examples --seed seed` writes;
 *	fmnist: the test split (t10k-... files), its first `examples`
 *	    examples (0: all of them), run `chunk` at a time; the loss and
 *	    accuracy are the means over every example;
 *	data: the trials of its test split (the held-out trials or the
 *	    test file's), run and scored as fmnist's.
 *
 *	shapes: one batch of `examples` images of the test split, those of
 *	    `dk-gen shapes --split test --batch examples --seed seed`.
 *
 * The model is run forward from its start (dk_model_run: the zero state,
 * the nwm's made from the first image; dk_model_run_feedback in a closed
 * loop, dk_testset_set_feedback) and scored with dk_loss_eval, as dk-run
 * scores a batch; a model with a head (shapes) by BPTT's forward pass:
 * the mean cross-entropy over the labelled pixels, and the fraction of
 * them labelled right.
 */
#ifndef DK_TRAIN_TESTSET_H
#define DK_TRAIN_TESTSET_H

#include <stddef.h>
#include <stdint.h>

#include "models/model.h"
#include "train/task.h"

typedef struct dk_testset dk_testset;

/*
 * The test set of the task p describes (its own batch, split, offset and
 * shuffle are not used), for models shaped like m.  chunk (fmnist; 0:
 * 100) bounds the examples run at once.  The task's errors (DK_EINVAL,
 * DK_ENOTFOUND, ...) with err.
 */
int dk_testset_alloc(const dk_task_params *p, const dk_model *m, size_t examples,
                     size_t chunk, uint64_t seed, dk_testset **out, char *err,
                     size_t errlen);
void dk_testset_free(dk_testset *ts);

/* Examples tested. */
size_t dk_testset_examples(const dk_testset *ts);

/* Run the set in a closed loop from step `from` on (0: never; see
   dk_model_run_feedback); the trainer sets its own. */
void dk_testset_set_feedback(dk_testset *ts, size_t from);

/* The mean loss and accuracy (NaN for mse tasks) of m on the set. */
int dk_testset_eval(dk_testset *ts, const dk_model *m, double *loss, double *accuracy,
                    char *err, size_t errlen);

#endif
