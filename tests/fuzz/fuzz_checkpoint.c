/*
 * fuzz_checkpoint.c -- libFuzzer target for resuming a training run from
 * a checkpoint.
 *
 * A checkpoint is a model's tensors plus the trainer's state (train/loss,
 * train/optim, train/step, train/rng: GSL's MT19937 state as bytes, and
 * with epochs or testing train/epoch_rng and train/log) and the run's
 * options as JSON in the attrs of train/step.  dk-train --resume takes
 * all of it from a file.  The input bytes are read as a stream into a
 * bundle; the run's options, the model, the task and the trainer are
 * made from it as dk-train makes them, the state restored, and, when it
 * is accepted, two more steps taken and the state saved again.  Whatever
 * the bytes say, each stage either fails with a message or gives state
 * whose use stays in bounds; the sanitizers check the rest.
 *
 * Runs the options ask for that would take long are skipped (not
 * refused: the library allows them): this target looks for crashes,
 * not slowness.  fmnist, which reads files named by the checkpoint, is
 * skipped too.
 *
 * Built by tests/fuzz/run.sh (FUZZ_TARGET=checkpoint) with the library's
 * sources compiled in, seeded from tests/fuzz/seeds-checkpoint/
 * (checkpoints written by dk-train, make_checkpoint_seeds.sh).
 */
#include <config.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "models/model.h"
#include "stream/bundle.h"
#include "stream/reader.h"
#include "stream/writer.h"
#include "train/task.h"
#include "train/train_run.h"
#include "train/trainer.h"

#define FUZZ_MAX_ELEMENTS ((size_t)1 << 14)
/* A step costs about batch x length x units^2: keep it small. */
#define FUZZ_MAX_WORK ((size_t)1 << 16)
#define FUZZ_MAX_STEPS ((size_t)1 << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;
static volatile double sink;

/* A failure leaves a message. */
static void failed(const char *err)
{
	if (!err[0])
		abort();
	sink = (double)strlen(err);
}

static void resume(const dk_bundle *b)
{
	char err[512] = "";
	dk_train_run r;
	if (dk_train_run_from_bundle(b, &r, err, sizeof err)) {
		failed(err);
		return;
	}
	const dk_task_params *p = &r.task;
	if (p->kind == DK_TASK_FMNIST || r.train.steps > FUZZ_MAX_STEPS || p->batch > FUZZ_MAX_WORK ||
	    p->length > FUZZ_MAX_WORK || p->bits > 64 || p->batch * p->length > FUZZ_MAX_WORK)
		return;
	dk_model *m = NULL;
	dk_task *task = NULL;
	dk_trainer *tr = NULL;
	err[0] = 0;
	if (dk_model_from_bundle(b, &m, err, sizeof err)) {
		failed(err);
	} else if (dk_model_state_size(m) * dk_model_state_size(m) * p->batch * p->length >
	           64 * FUZZ_MAX_WORK) {
		/* long, not wrong */
	} else if (dk_task_alloc(p, &task, err, sizeof err)) {
		failed(err);
	} else if (dk_trainer_alloc(m, task, &r.train, &tr, err, sizeof err)) {
		failed(err);
	} else if (dk_trainer_restore(tr, b, err, sizeof err)) {
		failed(err);
	} else {
		size_t done = dk_trainer_done(tr);
		if (done > dk_trainer_steps(tr))
			abort();
		double loss;
		for (int k = 0; k < 2 && dk_trainer_done(tr) < dk_trainer_steps(tr); k++) {
			err[0] = 0;
			if (dk_trainer_step(tr, &loss, err, sizeof err)) {
				failed(err);
				break;
			}
			sink = loss;
		}
		dk_bundle *o = dk_bundle_alloc();
		dk_stream_writer *wr = dk_stream_writer_alloc(devnull);
		if (!o || !wr)
			abort();
		if (dk_train_run_to_bundle(&r, m, tr, 1, o) == DK_OK)
			dk_bundle_write(o, wr);
		dk_stream_writer_flush(wr);
		dk_stream_writer_free(wr);
		dk_bundle_free(o);
	}
	dk_trainer_free(tr);
	dk_task_free(task);
	dk_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (devnull < 0 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	dk_stream_reader *rd = dk_stream_reader_alloc_mem(data, size, "fuzz");
	dk_bundle *b = dk_bundle_alloc();
	if (!rd || !b)
		abort();
	dk_stream_reader_set_max_elements(rd, FUZZ_MAX_ELEMENTS);
	if (dk_bundle_read(b, rd) == DK_OK)
		resume(b);
	dk_bundle_free(b);
	dk_stream_reader_free(rd);
	return 0;
}
