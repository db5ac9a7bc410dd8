/*
 * trainer.h -- training a model on a task: batches drawn from a seeded
 * generator, BPTT, clipping, an optimiser step; and the state that lets
 * an interrupted run continue to the very same result.
 *
 * The trainer owns neither the model (whose parameters it updates) nor
 * the task.  Its state -- optimiser moments, steps taken, the data
 * generator's state and the loss of every step so far -- goes to and
 * from a bundle as train/... tensors, so a checkpoint is the model's
 * tensors plus these.
 */
#ifndef DK_TRAIN_TRAINER_H
#define DK_TRAIN_TRAINER_H

#include <stddef.h>
#include <stdint.h>

#include "models/model.h"
#include "stream/bundle.h"
#include "train/optim.h"
#include "train/task.h"
#include "train/testset.h"

typedef struct dk_train_opts {
	dk_optim_opts optim;
	size_t steps;   /* iterations of the whole run (epochs: set by alloc) */
	uint64_t seed;  /* of the batches drawn */
	size_t epochs;  /* 0, or passes over a dataset task's examples (see
	                   below); steps is then epochs * ceil(examples / batch) */
	size_t test_every; /* 0, or test the model every test_every steps and
	                      after the last (dk_trainer_set_testset) */
	size_t feedback;   /* 0, or train (and test) in a closed loop from this
	                      step on (dk_bptt_set_feedback): the flow task's
	                      frames_in for dk-train --feedback */
} dk_train_opts;

/*
 * Batches.  A generated task draws a fresh batch from the generator at
 * every step.  A dataset (fmnist) without epochs pages through its
 * examples (with the task's shuffle, through a fresh random order at
 * each step).  With epochs, each epoch draws a random order of all the
 * examples from the generator at its first step and takes them batch by
 * batch, so every example is used exactly once per epoch; the last batch
 * of an epoch, when the batch size does not divide the examples, is
 * filled with padding that weighs nothing (dk_task_sample_examples).
 */

typedef struct dk_trainer dk_trainer;

/* DK_EINVAL with err when the model's sizes do not fit the task's, or
   epochs are asked of a generated task. */
int dk_trainer_alloc(dk_model *m, const dk_task *task, const dk_train_opts *o,
                     dk_trainer **out, char *err, size_t errlen);
void dk_trainer_free(dk_trainer *tr);

/*
 * One iteration; *loss is the batch's loss before the update (also kept
 * in the log).  DK_ENUMERIC (err says so) when the loss or the gradient
 * is not finite: the parameters are then left as they were.
 */
int dk_trainer_step(dk_trainer *tr, double *loss, char *err, size_t errlen);

/* Steps taken, and the loss of each (dk_trainer_done of them). */
size_t dk_trainer_done(const dk_trainer *tr);
const double *dk_trainer_losses(const dk_trainer *tr);
/* Steps of the whole run (with epochs, as alloc worked them out). */
size_t dk_trainer_steps(const dk_trainer *tr);
/* With epochs: steps per epoch (0 without). */
size_t dk_trainer_epoch_steps(const dk_trainer *tr);
/* With epochs: the examples of the last batch taken (*count of them; the
   rest of the batch was padding); NULL without epochs or before a step. */
const size_t *dk_trainer_examples(const dk_trainer *tr, size_t *count);

/*
 * Test on ts (not owned; may be NULL) when o->test_every is set: every
 * test_every steps and after the last, dk_trainer_step adds a row to the
 * log -- step (steps taken), the train loss of the last step, the test
 * loss and the test accuracy (NaN for mse tasks).  Testing draws nothing
 * from the training's generator.  Without a test set no rows are added.
 */
void dk_trainer_set_testset(dk_trainer *tr, dk_testset *ts);
#define DK_TRAIN_LOG_COLUMNS 4
/* The log: rows x DK_TRAIN_LOG_COLUMNS doubles, row-major. */
size_t dk_trainer_log_rows(const dk_trainer *tr);
const double *dk_trainer_log(const dk_trainer *tr);

/*
 * Add the state to b: train/loss (done,), train/optim (moments),
 * train/step (scalar i8), train/rng (u1 bytes); with epochs also
 * train/epoch_rng (the generator as the current epoch began, from which
 * its order is drawn again), with test_every train/log (rows, 4).
 * Restore reads them back (into a trainer made with the same model, task
 * and options).
 */
int dk_trainer_save(const dk_trainer *tr, dk_bundle *b);
/*
 * Add what a finished run reports to b: train/loss (done,), and when it
 * was tested, train/log (row, column) with the names of its columns
 * (step, train_loss, test_loss, test_accuracy) in attrs.columns.
 */
int dk_trainer_to_bundle(const dk_trainer *tr, dk_bundle *b);
int dk_trainer_restore(dk_trainer *tr, const dk_bundle *b, char *err,
                       size_t errlen);

#endif
