/*
 * train_run.h -- everything that defines a training run besides its
 * model, as one value: the task's batches, the trainer's options, how
 * often to checkpoint and how to test.
 *
 * A checkpoint stores it (as JSON, in the attrs of train/step), so that a
 * resumed run continues with exactly the options it was started with and
 * ends at the same bytes as a run never interrupted.  Its JSON form is
 * the checkpoint's schema, written once, here; reading it back checks it
 * as it checks any input.
 */
#ifndef DK_TRAIN_TRAIN_RUN_H
#define DK_TRAIN_TRAIN_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "models/model.h"
#include "stream/bundle.h"
#include "train/task.h"
#include "train/trainer.h"

typedef struct dk_train_run {
	dk_task_params task;  /* the batches: kind, sizes, seed (borrowed strings) */
	dk_train_opts train;  /* steps or epochs, optimiser, test_every, seed,
	                         feedback */
	size_t every;         /* steps between checkpoints (0: only the last) */
	size_t test_batch;    /* examples of the test batch (with test_every) */
	uint64_t test_seed;   /* its seed (generated tasks) */
} dk_train_run;

/*
 * The run as JSON (a new reference; NULL when out of memory).  Options
 * added after the first checkpoints were written (epochs, test,
 * feedback) appear only when used, so older runs keep their bytes; no
 * file names, so a resumed run writes the same bytes.
 */
json_t *dk_train_run_to_json(const dk_train_run *r);
/*
 * The run j describes, into r (its strings borrowed from j).  DK_EFORMAT
 * with a message in err when j is not such a run.
 */
int dk_train_run_from_json(const json_t *j, dk_train_run *r, char *err,
                           size_t errlen);

/*
 * What a run writes: with_state, a checkpoint (m's tensors, the
 * trainer's state, and r in the attrs of train/step); without, the
 * trained model and what the run reports (dk_trainer_to_bundle).  Added
 * to b.
 */
int dk_train_run_to_bundle(const dk_train_run *r, const dk_model *m,
                           const dk_trainer *tr, int with_state,
                           dk_bundle *b);
/* The run stored in checkpoint b; DK_EFORMAT with err when there is none. */
int dk_train_run_from_bundle(const dk_bundle *b, dk_train_run *r, char *err,
                             size_t errlen);

#endif
