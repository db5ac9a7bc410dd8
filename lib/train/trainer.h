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

typedef struct dk_train_opts {
	dk_optim_opts optim;
	size_t steps;   /* iterations of the whole run */
	uint64_t seed;  /* of the batches drawn */
} dk_train_opts;

typedef struct dk_trainer dk_trainer;

/* DK_EINVAL with err when the model's sizes do not fit the task's. */
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

/*
 * Add the state to b: train/loss (done,), train/optim (moments),
 * train/step (scalar i8), train/rng (u1 bytes).  Restore reads them back
 * (into a trainer made with the same model, task and options).
 */
int dk_trainer_save(const dk_trainer *tr, dk_bundle *b);
int dk_trainer_restore(dk_trainer *tr, const dk_bundle *b, char *err,
                       size_t errlen);

#endif
