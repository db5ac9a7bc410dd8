/*
 * train_options.h -- dk-train's command line: the options of a training
 * run (task or data file, steps or epochs, optimiser, checkpoints, testing, and with
 * --model the model options), their help text, and the checks that tie
 * them together.  The run they describe is the library's dk_train_run.
 */
#ifndef DK_TRAIN_OPTIONS_H
#define DK_TRAIN_OPTIONS_H

#include "model_options.h"
#include "task_options.h"

enum {
	OPT_TASK = TASK_OPT_END, OPT_STEPS, OPT_LR, OPT_OPTIMIZER, OPT_MOMENTUM,
	OPT_CLIP, OPT_SCHEDULE, OPT_CHECKPOINT, OPT_EVERY, OPT_RESUME,
	OPT_TRAIN_SEED, OPT_MODEL, OPT_EPOCHS, OPT_TEST_EVERY, OPT_TEST_BATCH,
	OPT_TEST_SEED, OPT_DATA, OPT_TEST_DATA, OPT_HOLDOUT, OPT_LOSS, OPT_FEEDBACK
};

/* The test batch's seed when --test-seed is not given: one for every run,
   whatever its --seed, so runs are compared on the same data. */
#define TEST_SEED_DEFAULT 999

typedef struct {
	task_options t;
	const char *task;
	dk_train_opts train;
	const char *checkpoint;  /* NULL: none */
	size_t every;
	const char *resume;
	const char *output;
	size_t max_elements;
	const char *model;       /* --model KIND: create the model; NULL: read it */
	model_options m;
	int steps_given;
	size_t test_batch;       /* 0: the default (see usage) */
	uint64_t test_seed;
	int test_batch_given, test_seed_given;
	const char *data;        /* --data FILE: train on its trials; NULL: --task */
	const char *test_data;   /* --test-data FILE */
	double holdout;          /* --holdout F; 0: none */
	dk_loss_kind loss;       /* --loss; DK_LOSS_AUTO: the target's */
	int feedback;            /* --feedback */
} train_options;

/* Fill o from the command line (o holds its defaults on entry); usage
   errors exit 2, --help and --version exit 0.  optind is left at the
   first operand. */
void train_options_parse(int argc, char **argv, train_options *o);

#endif
