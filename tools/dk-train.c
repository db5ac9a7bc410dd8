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
 * same result as a run that was never interrupted.  --data FILE trains
 * on the trials of a file instead of a task's batches; the checkpoint
 * keeps the file's name and checksum, so a resumed run reads it again.
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

#include "train_options.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The run the options describe (the checkpoint's schema is the library's). */
static dk_train_run run_of(const train_options *o)
{
	return (dk_train_run){.task = o->t.p, .train = o->train, .every = o->every,
	                      .test_batch = o->test_batch, .test_seed = o->test_seed};
}

/* The model, its trainer state and the options, as one bundle. */
static dk_bundle *checkpoint_bundle(const train_options *o, const dk_model *m,
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

static int save_checkpoint(const train_options *o, const char *path, const dk_model *m,
                           const dk_trainer *tr)
{
	dk_bundle *b = checkpoint_bundle(o, m, tr, 1);
	int status = tool_write_bundle(path, b);
	dk_bundle_free(b);
	return status;
}

/* The progress line, on a terminal: step, epoch, losses. */
static void progress(const train_options *o, const dk_trainer *tr, double loss)
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
static int train(train_options *o, dk_model *m, dk_trainer *tr)
{
	const char *ckpt = o->checkpoint;
	int kept = o->resume != NULL; /* is there a checkpoint of this run in ckpt? */
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
			tool_warn(NULL, "%s%s%s", err, kept ? "; the last checkpoint is kept in " : "",
			          kept ? ckpt : "");
			return TOOL_EXIT_FAIL;
		}
		size_t done = dk_trainer_done(tr);
		if (tty && (done % 10 == 0 || done == o->train.steps))
			progress(o, tr, loss);
		if (ckpt && o->every && done % o->every == 0 && done < o->train.steps) {
			if (save_checkpoint(o, ckpt, m, tr))
				return TOOL_EXIT_FAIL;
			kept = 1;
		}
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


/* A new model of --model's kind, its sizes by default the task's. */
static dk_model *create_model(train_options *o, const dk_task *task)
{
	if (o->t.p.kind == DK_TASK_SHAPES) { /* an image of one channel, a head */
		if (!o->m.given['i'])
			o->m.spec.inputs = 1;
		if (!o->m.spec.classes)
			o->m.spec.classes = dk_task_outputs(task);
		if (!o->m.given['O'])
			o->m.spec.outputs = 0;
		dk_model *m;
		return model_options_create(&o->m, o->model, &m) ? NULL : m;
	}
	if (!o->m.given['i'])
		o->m.spec.inputs = dk_task_inputs(task);
	if (!o->m.given['O'])
		o->m.spec.outputs = dk_task_outputs(task);
	dk_model *m;
	return model_options_create(&o->m, o->model, &m) ? NULL : m;
}

/* The model read (m), or a new one; a data task's parameters as the
   task resolved them (loss, classes, checksums), for the checkpoints and
   the test set. */
static dk_model *model_for(train_options *o, dk_model *m, const dk_task *task)
{
	if (o->t.p.kind == DK_TASK_DATA)
		o->t.p = *dk_task_get_params(task);
	return m ? m : create_model(o, task);
}

/*
 * The shapes task's sheet and steps are the model's: its sheet and its
 * head's steps (of the model read, or of --model's options).
 */
static int shapes_of_model(train_options *o, const dk_model *m)
{
	const dk_model_spec *s = m ? dk_model_spec_of(m) : &o->m.spec;
	if (!m && o->model && s->height && !s->steps) {
		/* a kind of one step (cnn) sets its head's steps itself: ask a
		   model made of these options (any classes; a failure leaves
		   the steps unset, refused below) */
		dk_model_spec probe = o->m.spec;
		dk_model *pm = NULL;
		char err[8];
		probe.kind = o->model;
		probe.classes = probe.classes ? probe.classes : 2;
		probe.outputs = 0;
		if (!o->m.given['n'])
			probe.units = 0; /* the sheet's, as model_options_create does */
		if (!dk_model_create(&probe, &pm, err, sizeof err))
			o->m.spec.steps = dk_model_spec_of(pm)->steps;
		dk_model_free(pm);
	}
	if (!s->height || !s->steps)
		tool_usage_error("--task shapes: the model needs a sheet and a head over "
		                 "time (an nwm with --sheet, --classes and its steps: "
		                 "dk-init --steps, or here --head-steps)");
	o->t.p.sheet[0] = s->height;
	o->t.p.sheet[1] = s->width;
	o->t.p.length = s->steps;
	return 0;
}

int main(int argc, char **argv)
{
	train_options o = {.every = 100, .max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	             .test_seed = TEST_SEED_DEFAULT};
	task_options_init(&o.t);
	model_options_init(&o.m);
	dk_optim_opts_init(&o.train.optim);
	o.train.steps = 1000;
	tool_init_numeric("dk-train", argv);
	train_options_parse(argc, argv, &o);

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
	size_t stale = 0; /* temporary files of a checkpoint write that was killed */
	if (o.checkpoint && !dk_atomic_file_clean(o.checkpoint, &stale) && stale)
		tool_warn(NULL, "removed %zu temporary file%s of %s left by a write that was "
		          "killed", stale, stale == 1 ? "" : "s", o.checkpoint);
	dk_model *m = NULL;
	dk_task *task = NULL;
	dk_trainer *tr = NULL;
	dk_testset *ts = NULL;
	int status = TOOL_EXIT_FAIL, st;
	if (mb && (st = dk_model_from_bundle(mb, &m, err, sizeof err))) {
		tool_warn(model_path, "%s", err);
	} else if (o.t.p.kind == DK_TASK_SHAPES && !o.resume && shapes_of_model(&o, m)) {
		/* shapes_of_model exited */
	} else if ((st = dk_task_alloc(&o.t.p, &task, err, sizeof err))) {
		if (st == DK_EINVAL && !o.resume)
			tool_usage_error("%s", err);
		tool_warn(NULL, "%s", err);
	} else if (!(m = model_for(&o, m, task))) {
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
