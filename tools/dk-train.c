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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "task_options.h"

enum {
	OPT_TASK = TASK_OPT_END, OPT_STEPS, OPT_LR, OPT_OPTIMIZER, OPT_MOMENTUM,
	OPT_CLIP, OPT_SCHEDULE, OPT_CHECKPOINT, OPT_EVERY, OPT_RESUME,
	OPT_TRAIN_SEED
};

typedef struct {
	task_options t;
	const char *task;
	dk_train_opts train;
	const char *checkpoint;  /* NULL: none */
	size_t every;
	const char *resume;
	const char *output;
	size_t max_elements;
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
	       "       dk-train --resume CHECKPOINT [-o FILE]\n"
	       "Train MODEL (standard input when absent or -) on a task by\n"
	       "backpropagation through time; write the trained model and train/loss.\n"
	       "\n"
	       "  -t, --task TASK       copy, adding, flipflop or fmnist (required)\n"
	       "  -K, --steps K         iterations (default 1000)\n"
	       "      --lr LR           learning rate (default 1e-3)\n"
	       "      --optimizer NAME  adam (default) or sgd\n"
	       "      --momentum M      sgd momentum (default 0)\n"
	       "      --clip C          clip the gradient norm to C (default: no clip)\n"
	       "      --schedule NAME   constant (default) or cosine learning rate\n"
	       "      --checkpoint FILE write a checkpoint to FILE every --every steps,\n"
	       "                        at the end, and on SIGINT\n"
	       "      --every K         steps between checkpoints (default 100)\n"
	       "      --resume FILE     continue the run saved in FILE\n"
	       "  -o, --output FILE     write FILE atomically instead of stdout\n"
	       "task options (as dk-gen's; --seed seeds the batches drawn):\n"
	       TASK_OPTIONS_HELP
	       "      --max-elements N  refuse tensors of more than N elements\n"
	       "  -h, --help            show this help and exit\n"
	       "      --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success (also after SIGINT, with a checkpoint),\n"
	       "1 on error (a non-finite loss among them), 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

static double parse_real(const char *opt, const char *arg, double lo)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end == arg || *end || errno || !(v >= lo) || !isfinite(v))
		tool_usage_error("%s: '%s' is not a number of at least %g", opt, arg, lo);
	return v;
}

/* The run's options as JSON: stored in checkpoints, read back by --resume. */
static json_t *options_json(const options *o)
{
	const dk_optim_opts *q = &o->train.optim;
	json_t *j = json_pack("{s:o, s:I, s:s, s:f, s:f, s:f, s:s, s:I}",
	                      "task", dk_task_params_to_json(&o->t.p),
	                      "steps", (json_int_t)o->train.steps,
	                      "optimizer", dk_optim_kind_name(q->kind), "lr", q->lr,
	                      "momentum", q->momentum, "clip", q->clip,
	                      "schedule", dk_schedule_name(q->schedule),
	                      "every", (json_int_t)o->every);
	return j; /* no file names: a resumed run gives the very same bytes */
}

static int options_from_json(json_t *j, options *o)
{
	dk_optim_opts *q = &o->train.optim;
	if (!j || dk_task_params_from_json(json_object_get(j, "task"), &o->t.p))
		return DK_EFORMAT;
	o->train.steps = (size_t)json_integer_value(json_object_get(j, "steps"));
	o->train.seed = o->t.p.seed;
	const char *opt = json_string_value(json_object_get(j, "optimizer"));
	const char *sch = json_string_value(json_object_get(j, "schedule"));
	if (!opt || !sch || dk_optim_kind_from_name(opt, &q->kind) ||
	    dk_schedule_from_name(sch, &q->schedule))
		return DK_EFORMAT;
	q->lr = json_number_value(json_object_get(j, "lr"));
	q->momentum = json_number_value(json_object_get(j, "momentum"));
	q->clip = json_number_value(json_object_get(j, "clip"));
	o->every = (size_t)json_integer_value(json_object_get(j, "every"));
	return DK_OK;
}

/* The model, its trainer state and the options, as one bundle. */
static dk_bundle *checkpoint_bundle(const options *o, const dk_model *m,
                                    const dk_trainer *tr, int with_state)
{
	dk_bundle *b = dk_bundle_alloc();
	json_t *opts = options_json(o), *prov = tool_provenance(json_deep_copy(opts));
	int st = b && opts && prov ? dk_model_to_bundle(m, b) : DK_ENOMEM;
	if (!st && with_state) {
		st = dk_trainer_save(tr, b);
		long i = st ? -1 : dk_bundle_find(b, "train/step");
		if (i >= 0)
			st = dk_meta_set_attr(dk_bundle_meta(b, (size_t)i), "options", json_incref(opts));
	} else if (!st) { /* the output: the model and the loss log */
		size_t n[1] = {dk_trainer_done(tr)};
		dk_tensor *loss = dk_tensor_alloc(DK_F8, 0, 1, n);
		if (loss)
			memcpy(loss->data, dk_trainer_losses(tr), n[0] * sizeof(double));
		st = loss ? dk_bundle_add(b, "train/loss", NULL, loss) : DK_ENOMEM;
	}
	if (!st)
		st = tool_bundle_stamp(b, prov);
	json_decref(opts);
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
			fprintf(stderr, "\r%s: step %zu/%zu  loss %.6g ", tool_name(), done,
			        o->train.steps, loss);
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
		{"lr", required_argument, NULL, OPT_LR},
		{"optimizer", required_argument, NULL, OPT_OPTIMIZER},
		{"momentum", required_argument, NULL, OPT_MOMENTUM},
		{"clip", required_argument, NULL, OPT_CLIP},
		{"schedule", required_argument, NULL, OPT_SCHEDULE},
		{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
		{"every", required_argument, NULL, OPT_EVERY},
		{"resume", required_argument, NULL, OPT_RESUME},
		{"output", required_argument, NULL, 'o'},
		TASK_LONGOPTS,
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, other = 0;
	while ((c = getopt_long(argc, argv, "t:K:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o->max_elements))
			continue;
		if (c != 'o' && c != OPT_RESUME)
			other = 1;
		if (task_option(&o->t, c, optarg))
			continue;
		dk_optim_opts *q = &o->train.optim;
		switch (c) {
		case 't': o->task = optarg; break;
		case 'K': o->train.steps = tool_parse_count("--steps", optarg); break;
		case OPT_LR: q->lr = parse_real("--lr", optarg, 0); break;
		case OPT_OPTIMIZER:
			if (dk_optim_kind_from_name(optarg, &q->kind))
				tool_usage_error("--optimizer: '%s' is not adam or sgd", optarg);
			break;
		case OPT_MOMENTUM: q->momentum = parse_real("--momentum", optarg, 0); break;
		case OPT_CLIP: q->clip = parse_real("--clip", optarg, 0); break;
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
}

int main(int argc, char **argv)
{
	options o = {.every = 100, .max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	task_options_init(&o.t);
	dk_optim_opts_init(&o.train.optim);
	o.train.steps = 1000;
	tool_init("dk-train", argv);
	parse(argc, argv, &o);

	const char *model_path = o.resume ? o.resume : optind < argc ? argv[optind] : "-";
	dk_bundle *mb = tool_read_bundle(model_path, o.max_elements);
	if (!mb)
		return TOOL_EXIT_FAIL;
	json_t *saved = NULL; /* the resumed run's options (owns strings o uses) */
	if (o.resume) {
		long i = dk_bundle_find(mb, "train/step");
		json_t *attrs = i >= 0 ? dk_meta_attrs(dk_bundle_meta(mb, (size_t)i)) : NULL;
		saved = json_incref(json_object_get(attrs, "options"));
		if (options_from_json(saved, &o)) {
			tool_warn(o.resume, "not a dk-train checkpoint (no run options in train/step)");
			json_decref(saved);
			dk_bundle_free(mb);
			return TOOL_EXIT_FAIL;
		}
		o.checkpoint = o.resume; /* go on checkpointing where we resumed from */
	}
	char err[512];
	dk_model *m = NULL;
	dk_task *task = NULL;
	dk_trainer *tr = NULL;
	int status = TOOL_EXIT_FAIL, st;
	if ((st = dk_model_from_bundle(mb, &m, err, sizeof err))) {
		tool_warn(model_path, "%s", err);
	} else if ((st = dk_task_alloc(&o.t.p, &task, err, sizeof err))) {
		if (st == DK_EINVAL && !o.resume)
			tool_usage_error("%s", err);
		tool_warn(NULL, "%s", err);
	} else if ((st = dk_trainer_alloc(m, task, &o.train, &tr, err, sizeof err))) {
		tool_warn(model_path, "%s", err);
	} else if (o.resume && (st = dk_trainer_restore(tr, mb, err, sizeof err))) {
		tool_warn(o.resume, "%s", err);
	} else {
		struct sigaction sa = {.sa_handler = on_sigint};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		status = train(&o, m, tr);
	}
	dk_trainer_free(tr);
	dk_task_free(task);
	dk_model_free(m);
	dk_bundle_free(mb);
	json_decref(saved);
	return status;
}
