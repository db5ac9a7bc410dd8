/*
 * dk-train -- train a model on a task by backpropagation through time.
 *
 *	dk-init rnn --units 64 --inputs 3 --outputs 3 \
 *	  | dk-train --task flipflop --batch 32 --length 100 --steps 500 > net.npy
 *
 * The library does the work (lib/train/trainer.h); this tool reads the
 * options, keeps the checkpoints (atomically, every --every steps, and on
 * SIGINT), shows progress on a terminal, and writes the trained model
 * with the loss of every step (train/loss).  --resume FILE continues a
 * run from its checkpoint with the options it was started with, to the
 * same result as a run that was never interrupted.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_options.h"
#include "task_options.h"

enum {
	OPT_TASK = TASK_OPT_END, OPT_STEPS, OPT_LR, OPT_OPTIMIZER, OPT_MOMENTUM,
	OPT_CLIP, OPT_SCHEDULE, OPT_CHECKPOINT, OPT_EVERY, OPT_RESUME,
	OPT_TRAIN_SEED, OPT_MODEL, OPT_EPOCHS, OPT_TEST_EVERY, OPT_TEST_BATCH,
	OPT_TEST_SEED
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
} options;

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(void)
{
	printf("Usage: dk-train [OPTION]... [MODEL]\n"
	       "       dk-train --model KIND [MODEL OPTION]... [OPTION]...\n"
	       "       dk-train --resume CHECKPOINT [-o FILE]\n"
	       "Train MODEL (standard input when absent or -), or a new model of KIND\n"
	       "made as dk-init makes it, on a task by backpropagation through time;\n"
	       "write the trained model and train/loss (and train/log when testing).\n"
	       "\n"
	       "  -t, --task TASK       copy, adding, flipflop or fmnist (required)\n"
	       "  -K, --steps K         iterations (default 1000)\n"
	       "      --epochs E        fmnist: E passes over the train split, shuffled\n"
	       "                        each epoch, instead of --steps\n"
	       "      --test-every K    test the model every K steps and at the end;\n"
	       "                        rows of train/log: step, train loss, test loss,\n"
	       "                        test accuracy\n"
	       "      --test-batch B    the test batch's examples (default: --batch);\n"
	       "                        fmnist: the first B of the test split (default\n"
	       "                        all)\n"
	       "      --test-seed S     seed of the test batch (default 999)\n"
	       "      --lr LR           learning rate (default 1e-3)\n"
	       "      --optimizer NAME  adam (default) or sgd\n"
	       "      --momentum M      sgd momentum (default 0)\n"
	       "      --clip C          clip the gradient norm to C (default: no clip)\n"
	       "      --schedule NAME   constant (default) or cosine learning rate\n"
	       "      --checkpoint FILE write a checkpoint to FILE every --every steps,\n"
	       "                        at the end, and on SIGINT\n"
	       "      --every K         steps between checkpoints (default 100)\n"
	       "      --resume FILE     continue the run saved in FILE\n"
	       TOOL_HELP_OUTPUT
	       "task options (as dk-gen's; --seed seeds the batches drawn):\n"
	       TASK_OPTIONS_HELP
	       "model options, with --model KIND (rnn, wrnn, gru, lstm, ctrnn; as\n"
	       "dk-init's, inputs and outputs by default the task's):\n"
	       "      --model KIND      create a model of KIND instead of reading MODEL\n"
	       MODEL_OPTIONS_HELP
	       "      --model-seed S    seed of the model's initialisation (default 1)\n"
	       "\n"
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success (also after SIGINT, with a checkpoint),\n"
	       "1 on error (a non-finite loss among them), 2 on usage error.\n");
	/* the text is longer than stdio's buffer: a failed write may come
	   before the close */
	int bad = ferror(stdout);
	exit(fclose(stdout) == 0 && !bad ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

/* The run the options describe (the checkpoint's schema is the library's). */
static dk_train_run run_of(const options *o)
{
	return (dk_train_run){.task = o->t.p, .train = o->train, .every = o->every,
	                      .test_batch = o->test_batch, .test_seed = o->test_seed};
}

/* The model, its trainer state and the options, as one bundle. */
static dk_bundle *checkpoint_bundle(const options *o, const dk_model *m,
                                    const dk_trainer *tr, int with_state)
{
	dk_train_run r = run_of(o);
	dk_bundle *b = dk_bundle_alloc();
	json_t *prov = tool_provenance(dk_train_run_to_json(&r));
	int st = b && prov ? dk_train_run_to_bundle(&r, m, tr, with_state, b) : DK_ENOMEM;
	if (!st)
		st = tool_bundle_stamp(b, prov);
	json_decref(prov);
	if (st) {
		dk_bundle_free(b);
		return NULL;
	}
	return b;
}

static int save_checkpoint(const options *o, const char *path, const dk_model *m,
                           const dk_trainer *tr)
{
	dk_bundle *b = checkpoint_bundle(o, m, tr, 1);
	int status = tool_write_bundle(path, b);
	dk_bundle_free(b);
	return status;
}

/* The progress line, on a terminal: step, epoch, losses. */
static void progress(const options *o, const dk_trainer *tr, double loss)
{
	size_t done = dk_trainer_done(tr), per = dk_trainer_epoch_steps(tr);
	fprintf(stderr, "\r%s: step %zu/%zu", tool_name(), done, o->train.steps);
	if (per)
		fprintf(stderr, "  epoch %zu/%zu", (done + per - 1) / per, o->train.epochs);
	fprintf(stderr, "  loss %.6g", loss);
	size_t rows = dk_trainer_log_rows(tr);
	if (rows) {
		const double *row = dk_trainer_log(tr) + (rows - 1) * DK_TRAIN_LOG_COLUMNS;
		fprintf(stderr, "  test %.6g", row[2]);
		if (!isnan(row[3]))
			fprintf(stderr, " (%.1f%%)", 100 * row[3]);
	}
	fputs(" ", stderr);
}

/* The training loop; returns the exit status. */
static int train(options *o, dk_model *m, dk_trainer *tr)
{
	const char *ckpt = o->checkpoint;
	int tty = isatty(STDERR_FILENO);
	char err[512];
	while (dk_trainer_done(tr) < o->train.steps) {
		if (interrupted) {
			const char *path = ckpt;
			if (!path) /* no checkpoint file: the output becomes one */
				path = o->output;
			if (tty)
				fputc('\n', stderr);
			tool_warn(NULL, "interrupted at step %zu; checkpoint in %s",
			          dk_trainer_done(tr), path ? path : "stdout");
			return save_checkpoint(o, path, m, tr);
		}
		double loss;
		int st = dk_trainer_step(tr, &loss, err, sizeof err);
		if (st) {
			if (tty)
				fputc('\n', stderr);
			tool_warn(NULL, "%s%s%s", err, ckpt ? "; the last checkpoint is kept in " : "",
			          ckpt ? ckpt : "");
			return TOOL_EXIT_FAIL;
		}
		size_t done = dk_trainer_done(tr);
		if (tty && (done % 10 == 0 || done == o->train.steps))
			progress(o, tr, loss);
		if (ckpt && o->every && done % o->every == 0 && done < o->train.steps &&
		    save_checkpoint(o, ckpt, m, tr))
			return TOOL_EXIT_FAIL;
	}
	if (tty)
		fputc('\n', stderr);
	if (ckpt && save_checkpoint(o, ckpt, m, tr))
		return TOOL_EXIT_FAIL;
	dk_bundle *b = checkpoint_bundle(o, m, tr, 0);
	int status = tool_write_bundle(o->output, b);
	dk_bundle_free(b);
	return status;
}

static void parse(int argc, char **argv, options *o)
{
	static const struct option longopts[] = {
		{"task", required_argument, NULL, 't'},
		{"steps", required_argument, NULL, 'K'},
		{"epochs", required_argument, NULL, OPT_EPOCHS},
		{"test-every", required_argument, NULL, OPT_TEST_EVERY},
		{"test-batch", required_argument, NULL, OPT_TEST_BATCH},
		{"test-seed", required_argument, NULL, OPT_TEST_SEED},
		{"lr", required_argument, NULL, OPT_LR},
		{"optimizer", required_argument, NULL, OPT_OPTIMIZER},
		{"momentum", required_argument, NULL, OPT_MOMENTUM},
		{"clip", required_argument, NULL, OPT_CLIP},
		{"schedule", required_argument, NULL, OPT_SCHEDULE},
		{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
		{"every", required_argument, NULL, OPT_EVERY},
		{"resume", required_argument, NULL, OPT_RESUME},
		{"output", required_argument, NULL, 'o'},
		{"model", required_argument, NULL, OPT_MODEL},
		{"model-seed", required_argument, NULL, 'S'},
		MODEL_LONGOPTS,
		TASK_LONGOPTS,
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, other = 0;
	while ((c = getopt_long(argc, argv, "t:K:o:h" MODEL_SHORTOPTS, longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o->max_elements))
			continue;
		if (c != 'o' && c != OPT_RESUME)
			other = 1;
		if (task_option(&o->t, c, optarg) || model_option(&o->m, c, optarg))
			continue;
		dk_optim_opts *q = &o->train.optim;
		switch (c) {
		case 't': o->task = optarg; break;
		case 'K':
			o->train.steps = tool_parse_count("--steps", optarg);
			o->steps_given = 1;
			break;
		case OPT_EPOCHS:
			o->train.epochs = tool_parse_count("--epochs", optarg);
			if (!o->train.epochs)
				tool_usage_error("--epochs: at least 1");
			break;
		case OPT_TEST_EVERY:
			o->train.test_every = tool_parse_count("--test-every", optarg);
			if (!o->train.test_every)
				tool_usage_error("--test-every: at least 1");
			break;
		case OPT_TEST_BATCH:
			o->test_batch = tool_parse_count("--test-batch", optarg);
			if (!o->test_batch)
				tool_usage_error("--test-batch: at least 1 example");
			o->test_batch_given = 1;
			break;
		case OPT_TEST_SEED:
			o->test_seed = task_parse_seed("--test-seed", optarg);
			o->test_seed_given = 1;
			break;
		case OPT_MODEL: o->model = optarg; break;
		case OPT_LR: q->lr = tool_parse_real("--lr", optarg, 0, INFINITY); break;
		case OPT_OPTIMIZER:
			if (dk_optim_kind_from_name(optarg, &q->kind))
				tool_usage_error("--optimizer: '%s' is not adam or sgd", optarg);
			break;
		case OPT_MOMENTUM: q->momentum = tool_parse_real("--momentum", optarg, 0, INFINITY); break;
		case OPT_CLIP: q->clip = tool_parse_real("--clip", optarg, 0, INFINITY); break;
		case OPT_SCHEDULE:
			if (dk_schedule_from_name(optarg, &q->schedule))
				tool_usage_error("--schedule: '%s' is not constant or cosine", optarg);
			break;
		case OPT_CHECKPOINT: o->checkpoint = optarg; break;
		case OPT_EVERY: o->every = tool_parse_count("--every", optarg); break;
		case OPT_RESUME: o->resume = optarg; break;
		case 'o': o->output = optarg; break;
		}
	}
	if (o->resume) {
		if (other || optind < argc)
			tool_usage_error("--resume takes the run's own options: only -o may go with it");
		return;
	}
	if (!o->task)
		tool_usage_error("which --task? (copy, adding, flipflop or fmnist)");
	task_options_finish(&o->t, o->task);
	o->train.seed = o->t.p.seed;
	if (argc - optind > 1)
		tool_usage_error("one MODEL only");
	if (o->model && argc - optind > 0)
		tool_usage_error("--model %s creates the model: no MODEL operand with it", o->model);
	if (!o->model && model_options_any(&o->m))
		tool_usage_error("%s makes a new model: only with --model KIND", model_options_first(&o->m));
	if (o->train.epochs) {
		if (o->t.p.kind != DK_TASK_FMNIST)
			tool_usage_error("--epochs: the %s task is drawn afresh at every step; "
			                 "epochs are passes over a dataset (fmnist): use --steps",
			                 o->task);
		if (o->steps_given)
			tool_usage_error("--epochs and --steps: one or the other");
		if (o->t.given[TASK_OPT_OFFSET])
			tool_usage_error("--offset: an epoch takes every example of the split");
	}
	if (!o->train.test_every && (o->test_batch_given || o->test_seed_given))
		tool_usage_error("%s: only with --test-every", o->test_batch_given ? "--test-batch"
		                                                                  : "--test-seed");
	if (o->test_seed_given && o->t.p.kind == DK_TASK_FMNIST)
		tool_usage_error("--test-seed: fmnist's test set is its test split, drawn from no seed");
	if (o->train.test_every && !o->test_batch_given && o->t.p.kind != DK_TASK_FMNIST)
		o->test_batch = o->t.p.batch;
}

/* A new model of --model's kind, its sizes by default the task's. */
static dk_model *create_model(options *o, const dk_task *task)
{
	if (!o->m.given['i'])
		o->m.spec.inputs = dk_task_inputs(task);
	if (!o->m.given['O'])
		o->m.spec.outputs = dk_task_outputs(task);
	dk_model *m;
	return model_options_create(&o->m, o->model, &m) ? NULL : m;
}

int main(int argc, char **argv)
{
	options o = {.every = 100, .max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	             .test_seed = TEST_SEED_DEFAULT};
	task_options_init(&o.t);
	model_options_init(&o.m);
	dk_optim_opts_init(&o.train.optim);
	o.train.steps = 1000;
	tool_init("dk-train", argv);
	parse(argc, argv, &o);

	dk_bundle *mb = NULL;
	const char *model_path = o.resume ? o.resume : optind < argc ? argv[optind] : "-";
	if (!o.model && !(mb = tool_read_bundle(model_path, o.max_elements)))
		return TOOL_EXIT_FAIL;
	char err[512];
	if (o.resume) { /* the run's own options (their strings are mb's) */
		dk_train_run r;
		if (dk_train_run_from_bundle(mb, &r, err, sizeof err)) {
			tool_warn(o.resume, "%s", err);
			dk_bundle_free(mb);
			return TOOL_EXIT_FAIL;
		}
		o.t.p = r.task;
		o.train = r.train;
		o.every = r.every;
		o.test_batch = r.test_batch;
		o.test_seed = r.test_seed;
		o.checkpoint = o.resume; /* go on checkpointing where we resumed from */
	}
	dk_model *m = NULL;
	dk_task *task = NULL;
	dk_trainer *tr = NULL;
	dk_testset *ts = NULL;
	int status = TOOL_EXIT_FAIL, st;
	if (mb && (st = dk_model_from_bundle(mb, &m, err, sizeof err))) {
		tool_warn(model_path, "%s", err);
	} else if ((st = dk_task_alloc(&o.t.p, &task, err, sizeof err))) {
		if (st == DK_EINVAL && !o.resume)
			tool_usage_error("%s", err);
		tool_warn(NULL, "%s", err);
	} else if (!m && !(m = create_model(&o, task))) {
		/* create_model warned */
	} else if ((st = dk_trainer_alloc(m, task, &o.train, &tr, err, sizeof err))) {
		tool_warn(o.model ? NULL : model_path, "%s", err);
	} else if (o.train.test_every &&
	           (st = dk_testset_alloc(&o.t.p, m, o.test_batch, o.t.p.batch, o.test_seed, &ts,
	                                  err, sizeof err))) {
		tool_warn(NULL, "test set: %s", err);
	} else if (o.resume && (st = dk_trainer_restore(tr, mb, err, sizeof err))) {
		tool_warn(o.resume, "%s", err);
	} else {
		o.train.steps = dk_trainer_steps(tr); /* with --epochs, worked out */
		dk_trainer_set_testset(tr, ts);
		struct sigaction sa = {.sa_handler = on_sigint};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		status = train(&o, m, tr);
	}
	dk_trainer_free(tr);
	dk_testset_free(ts);
	dk_task_free(task);
	dk_model_free(m);
	dk_bundle_free(mb);
	return status;
}
