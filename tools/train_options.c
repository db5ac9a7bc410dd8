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
	       "       dk-train --data FILE [--test-data FILE | --holdout F] [OPTION]... [MODEL]\n"
	       "       dk-train --resume CHECKPOINT [-o FILE]\n"
	       "Train MODEL (standard input when absent or -), or a new model of KIND\n"
	       "made as dk-init makes it, on a task or on the trials of a file, by\n"
	       "backpropagation through time; write the trained model and train/loss\n"
	       "(and train/log when testing).\n"
	       "\n"
	       "  -t, --task TASK       copy, adding, flipflop, fmnist, flow or shapes (a\n"
	       "                        model with a head: its sheet and steps)\n"
	       "      --data FILE       instead of --task: the trials of FILE (a stream\n"
	       "                        or .npz of input, target and optional mask);\n"
	       "                        each step draws --batch of them by --seed\n"
	       "      --test-data FILE  with --data: test trials in FILE\n"
	       "      --holdout F       with --data: hold out the fraction F of its\n"
	       "                        trials, chosen by --seed, for testing\n"
	       "      --loss NAME       with --data: mse or xent (default: xent for\n"
	       "                        integer labels, mse for values)\n"
	       "  -K, --steps K         iterations (default 1000)\n"
	       "      --epochs E        fmnist, --data: E passes over the training\n"
	       "                        examples, shuffled each epoch, instead of\n"
	       "                        --steps\n"
	       "      --test-every K    test the model every K steps and at the end\n"
	       "                        (--test-data or --holdout alone: at the end);\n"
	       "                        rows of train/log: step, train loss, test loss,\n"
	       "                        test accuracy\n"
	       "      --test-batch B    the test batch's examples (default: --batch);\n"
	       "                        fmnist: the first B of the test split (default\n"
	       "                        all)\n"
	       "      --test-seed S     seed of the test batch (default 999)\n"
	       "      --feedback        flow: closed loop, each frame to predict fed\n"
	       "                        the model's output of the step before\n"
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
	       "model options, with --model KIND (rnn, wrnn, gru, lstm, ctrnn, nwm, cnn,\n"
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

/* The task, or the data: --task and --data exclude each other, and the
   data's own options need --data. */
static void check_data(train_options *o)
{
	if (o->task && o->data)
		tool_usage_error("--task and --data: one or the other (a task's batches or "
		                 "the trials of a file)");
	if (!o->task && !o->data)
		tool_usage_error("which --task? (copy, adding, flipflop, fmnist, flow or shapes), or --data FILE");
	if (!o->data && (o->test_data || o->holdout > 0 || o->loss != DK_LOSS_AUTO))
		tool_usage_error("%s: only with --data", o->test_data ? "--test-data"
		                 : o->holdout > 0 ? "--holdout" : "--loss");
	if (o->task) {
		task_options_finish(&o->t, o->task);
		return;
	}
	/* --resume reads the file again, by its name */
	if (!strcmp(o->data, "-") || (o->test_data && !strcmp(o->test_data, "-")))
		tool_usage_error("%s: a file, which --resume can read again, not standard input",
		                 !strcmp(o->data, "-") ? "--data" : "--test-data");
	if (o->test_data && o->holdout > 0)
		tool_usage_error("--test-data and --holdout: one or the other");
	task_options_finish_data(&o->t, o->data);
	dk_task_params *p = &o->t.p;
	p->test_path = o->test_data;
	p->holdout = o->holdout;
	p->split_seed = p->seed;
	p->loss = o->loss;
	int tested = o->test_data || o->holdout > 0;
	if (o->train.test_every && !tested)
		tool_usage_error("--test-every: with --data, the test trials are --test-data's "
		                 "or --holdout's");
	if (tested && !o->train.test_every) /* tested once, after the last step */
		o->train.test_every = INT64_MAX;
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
		{"data", required_argument, NULL, OPT_DATA},
		{"test-data", required_argument, NULL, OPT_TEST_DATA},
		{"holdout", required_argument, NULL, OPT_HOLDOUT},
		{"loss", required_argument, NULL, OPT_LOSS},
		{"feedback", no_argument, NULL, OPT_FEEDBACK},
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
			o->train.steps = tool_parse_nonzero_count("--steps", optarg);
			o->steps_given = 1;
			break;
		case OPT_EPOCHS:
			o->train.epochs = tool_parse_nonzero_count("--epochs", optarg);
			break;
		case OPT_TEST_EVERY:
			o->train.test_every = tool_parse_nonzero_count("--test-every", optarg);
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
		case OPT_DATA: o->data = optarg; break;
		case OPT_TEST_DATA: o->test_data = optarg; break;
		case OPT_HOLDOUT:
			o->holdout = tool_parse_real("--holdout", optarg, 0, 1);
			if (!(o->holdout > 0 && o->holdout < 1))
				tool_usage_error("--holdout: a fraction of the trials, above 0 and "
				                 "below 1, not %s", optarg);
			break;
		case OPT_LOSS:
			if (dk_loss_kind_from_name(optarg, &o->loss) || o->loss == DK_LOSS_AUTO)
				tool_usage_error("--loss: '%s' is not mse or xent", optarg);
			break;
		case OPT_FEEDBACK: o->feedback = 1; break;
		case 'o': o->output = optarg; break;
		}
	}
	if (o->resume) {
		if (other || optind < argc)
			tool_usage_error("--resume takes the run's own options: only -o may go with it");
		check_output(o);
		return;
	}
	check_data(o);
	o->train.seed = o->t.p.seed;
	if (o->feedback && o->t.p.kind != DK_TASK_FLOW)
		tool_usage_error("--feedback: only the flow task has frames to predict from "
		                 "its own predictions");
	if (o->feedback) /* the first frame predicted is fed the last shown's output */
		o->train.feedback = o->t.p.frames_in;
	if (argc - optind > 1)
		tool_usage_error("one MODEL only");
	check_output(o);
	if (o->model && argc - optind > 0)
		tool_usage_error("--model %s creates the model: no MODEL operand with it", o->model);
	if (!o->model && model_options_any(&o->m))
		tool_usage_error("%s makes a new model: only with --model KIND", model_options_first(&o->m));
	if (o->train.epochs) {
		if (o->t.p.kind != DK_TASK_FMNIST && o->t.p.kind != DK_TASK_DATA)
			tool_usage_error("--epochs: the %s task is drawn afresh at every step; "
			                 "epochs are passes over a dataset (fmnist, --data): use "
			                 "--steps", o->task);
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
	if (o->test_seed_given && o->data)
		tool_usage_error("--test-seed: the test trials are --test-data's or --holdout's, "
		                 "drawn from no seed");
	if (o->train.test_every && !o->test_batch_given && o->t.p.kind != DK_TASK_FMNIST &&
	    !o->data)
		o->test_batch = o->t.p.batch;
}
