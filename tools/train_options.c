/*
 * train_options.c -- dk-train's options: help text, parsing, and the
 * usage errors of options that do not go together.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "train_options.h"

static void usage(void)
{
	printf("Usage: dk-train [OPTION]... [MODEL]\n"
	       "       dk-train --model KIND [MODEL OPTION]... [OPTION]...\n"
	       "       dk-train --resume CHECKPOINT [-o FILE]\n"
	       "Train MODEL (standard input when absent or -), or a new model of KIND\n"
	       "made as dk-init makes it, on a task by backpropagation through time;\n"
	       "write the trained model and train/loss (and train/log when testing).\n"
	       "\n"
	       "  -t, --task TASK       copy, adding, flipflop, fmnist or flow (required)\n"
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
	       "model options, with --model KIND (rnn, wrnn, gru, lstm, ctrnn, nwm,\n"
	       "fernn, grnn; as dk-init's, inputs and outputs by default the task's):\n"
	       "      --model KIND      create a model of KIND instead of reading MODEL\n"
	       MODEL_OPTIONS_HELP
	       "      --model-seed S    seed of the model's initialisation (default 1)\n"
	       "\n"
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success (also after SIGINT, with a checkpoint),\n"
	       "1 on error (a non-finite loss among them), 2 on usage error.\n");
	tool_exit_stdout();
}

/* Do a and b name one file: the same file when both exist, else the same
   name in the same directory? */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (!strcmp(a, b))
		return 1;
	if (!stat(a, &sa) && !stat(b, &sb))
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	const char *ba = strrchr(a, '/'), *bb = strrchr(b, '/');
	ba = ba ? ba + 1 : a;
	bb = bb ? bb + 1 : b;
	if (strcmp(ba, bb))
		return 0;
	char da[4096], db[4096];
	snprintf(da, sizeof da, "%.*s", ba == a ? 1 : (int)(ba - a), ba == a ? "." : a);
	snprintf(db, sizeof db, "%.*s", bb == b ? 1 : (int)(bb - b), bb == b ? "." : b);
	return !stat(da, &sa) && !stat(db, &sb) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The final model must not replace the checkpoint it would resume from. */
static void check_output(const train_options *o)
{
	const char *ckpt = o->resume ? o->resume : o->checkpoint;
	if (ckpt && o->output && strcmp(o->output, "-") && same_file(ckpt, o->output))
		tool_usage_error("-o %s: the run's checkpoint is that file; the trained model "
		                 "would replace it", o->output);
}

void train_options_parse(int argc, char **argv, train_options *o)
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
			if (!o->train.steps)
				tool_usage_error("--steps: at least 1");
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
		check_output(o);
		return;
	}
	if (!o->task)
		tool_usage_error("which --task? (copy, adding, flipflop, fmnist or flow)");
	task_options_finish(&o->t, o->task);
	o->train.seed = o->t.p.seed;
	if (argc - optind > 1)
		tool_usage_error("one MODEL only");
	check_output(o);
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
