/*
 * test_task_data.c -- the data task (lib/train/task_data.c) on trials
 * written here as an .npz, each trial's inputs holding its own number so
 * that a batch tells which trials it took.
 *
 * A batch of every trial is the file itself, in its order; a smaller
 * batch holds distinct trials in ascending order; held-out and training
 * trials part the file between them, as many held out as the fraction
 * says, the same for the same seed; the parameters go to JSON and back
 * with their checksums, which then refuse a file whose trials changed;
 * f4 and integer targets are taken as the loss asks; a run saved halfway
 * and restored ends with the bits of one never stopped.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"
#include "tap.h"

#define T 4
#define N 10
#define F 2
#define O 3

static char dir[256];

/* input[t, n, f] = n + (t * F + f) / 100: the trial shows in every value */
static int write_trials(const char *name, double target_shift, dk_dtype target_dtype)
{
	size_t xs[3] = {T, N, F}, ys[3] = {T, N, O}, ms[2] = {T, N};
	dk_tensor *x = dk_tensor_alloc(DK_F8, 0, 3, xs);
	dk_tensor *y = dk_tensor_alloc(target_dtype, 0, 3, ys);
	dk_tensor *m = dk_tensor_alloc(DK_F8, 0, 2, ms);
	dk_bundle *b = dk_bundle_alloc();
	if (!x || !y || !m || !b)
		return DK_ENOMEM;
	double *xv = x->data, *mv = m->data;
	for (size_t i = 0; i < x->count; i++)
		xv[i] = (double)(i / F % N) + (double)(i / F / N * F + i % F) / 100;
	for (size_t i = 0; i < y->count; i++) {
		double v = sin((double)i) + target_shift;
		if (target_dtype == DK_F4)
			((float *)y->data)[i] = (float)v;
		else if (target_dtype == DK_I8)
			((int64_t *)y->data)[i] = (int64_t)(i % 7);
		else
			((double *)y->data)[i] = v;
	}
	for (size_t i = 0; i < m->count; i++)
		mv[i] = i % 3 != 1;
	dk_bundle_add(b, "input", NULL, x);
	dk_bundle_add(b, "target", NULL, y);
	dk_bundle_add(b, "mask", NULL, m);
	char path[512], err[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int st = dk_container_write(b, DK_CONTAINER_NPZ, path, NULL, err, sizeof err);
	if (st)
		printf("# %s\n", err);
	dk_bundle_free(b);
	return st;
}

static char path_a[512], path_b[512];

static dk_task_params data_params(size_t batch, double holdout)
{
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_DATA);
	p.data_path = path_a;
	p.batch = batch;
	p.seed = 3;
	p.holdout = holdout;
	p.split_seed = 11;
	return p;
}

/* The trial in slot e of a batch, from its first input. */
static size_t trial_of(const dk_task_batch *b, size_t e)
{
	return (size_t)floor(((const double *)b->input->data)[e * F] + 0.5);
}

static void test_whole_file(void)
{
	dk_task_params p = data_params(N, 0);
	dk_task *t;
	char err[256];
	int st = dk_task_alloc(&p, &t, err, sizeof err);
	if (!ok(st == DK_OK, "the trials load (%s)", err))
		return;
	is_int(dk_task_steps(t), T, "steps: the file's");
	is_int(dk_task_inputs(t), F, "inputs: its features");
	is_int(dk_task_outputs(t), O, "outputs: its target's");
	is_str(dk_task_loss(t), "mse", "f8 values: mse");
	is_int(dk_task_examples(t), N, "every trial trains");
	const dk_task_params *q = dk_task_get_params(t);
	ok(q->verify && q->loss == DK_LOSS_MSE, "the parameters say the loss and the checksum");
	dk_rng *r = dk_rng_alloc(5);
	dk_task_batch *b;
	st = dk_task_sample(t, r, 0, &b, err, sizeof err);
	if (ok(st == DK_OK, "a batch of every trial (%s)", err)) {
		int inorder = 1;
		for (size_t s = 0; s < T; s++)
			for (size_t e = 0; e < N; e++)
				inorder &= ((const double *)b->input->data)[(s * N + e) * F + 1] ==
				           (double)e + (double)(s * F + 1) / 100;
		ok(inorder, "a batch of every trial is the file, in its order");
		ok(b->mask->rank == 2 && ((const double *)b->mask->data)[1] == 0 &&
		   ((const double *)b->mask->data)[0] == 1, "the mask comes with the trials");
		dk_task_batch_free(b);
	}

	/* the parameters to JSON and back: the same run, the same checksum */
	json_t *j = dk_task_params_to_json(q);
	dk_task_params back;
	ok(j && !dk_task_params_from_json(j, &back) && back.kind == DK_TASK_DATA &&
	   !strcmp(back.data_path, path_a) && back.verify && back.data_crc == q->data_crc &&
	   back.loss == DK_LOSS_MSE && back.batch == N && back.seed == 3,
	   "the parameters go to JSON and back");
	dk_task *again;
	ok(dk_task_alloc(&back, &again, err, sizeof err) == DK_OK, "the same file is accepted again");
	dk_task_free(again);
	write_trials("a.npz", 0.5, DK_F8);
	ok(dk_task_alloc(&back, &again, err, sizeof err) == DK_EFORMAT &&
	   strstr(err, "changed since the run began"), "a file whose trials changed is refused");
	write_trials("a.npz", 0, DK_F8);
	json_decref(j);
	dk_rng_free(r);
	dk_task_free(t);
}

static void test_draws(void)
{
	dk_task_params p = data_params(4, 0);
	dk_task *t;
	char err[256];
	if (!ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_OK, "batch 4 of 10 (%s)", err))
		return;
	dk_rng *r = dk_rng_alloc(9);
	size_t seen[N] = {0};
	int distinct = 1;
	for (int k = 0; k < 40; k++) {
		dk_task_batch *b;
		if (dk_task_sample(t, r, 0, &b, err, sizeof err))
			break;
		for (size_t e = 0; e < 4; e++) {
			seen[trial_of(b, e)]++;
			if (e)
				distinct &= trial_of(b, e) > trial_of(b, e - 1);
		}
		dk_task_batch_free(b);
	}
	ok(distinct, "each batch: distinct trials, in ascending order");
	int all = 1;
	for (size_t n = 0; n < N; n++)
		all &= seen[n] > 0;
	/* 160 draws of 10 trials: each missed with probability (6/10)^40 */
	ok(all, "every trial is drawn in 40 batches");
	dk_rng_free(r);
	dk_task_free(t);
	p.batch = N + 1;
	ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_EINVAL, "a batch over the trials is refused");
}

static void test_holdout(void)
{
	dk_task_params p = data_params(2, 0.3);
	dk_task *train, *test, *again;
	char err[256];
	int st = dk_task_alloc(&p, &train, err, sizeof err);
	p.split = DK_SPLIT_TEST;
	if (!st)
		st = dk_task_alloc(&p, &test, err, sizeof err);
	if (!ok(st == DK_OK, "the train and test splits of --holdout 0.3 (%s)", err))
		return;
	is_int(dk_task_examples(test), 3, "3 of 10 trials held out");
	is_int(dk_task_examples(train), 7, "7 train");
	int split[N] = {0}, parted = 1;
	for (size_t i = 0; i < 7; i++) {
		dk_task_batch *b;
		size_t one = i;
		dk_task_sample_examples(train, &one, 1, &b, err, sizeof err);
		split[trial_of(b, 0)] |= 1;
		dk_task_batch_free(b);
	}
	for (size_t i = 0; i < 3; i++) {
		dk_task_batch *b;
		size_t one = i;
		dk_task_sample_examples(test, &one, 1, &b, err, sizeof err);
		split[trial_of(b, 0)] |= 2;
		dk_task_batch_free(b);
	}
	for (size_t n = 0; n < N; n++)
		parted &= split[n] == 1 || split[n] == 2;
	ok(parted, "each trial is in one split");
	p.split = DK_SPLIT_TRAIN;
	p.seed = 99; /* the batches' seed: the split is split_seed's */
	dk_task_alloc(&p, &again, err, sizeof err);
	dk_task_batch *b1, *b2;
	size_t first = 0;
	dk_task_sample_examples(again, &first, 1, &b1, err, sizeof err);
	dk_task_sample_examples(train, &first, 1, &b2, err, sizeof err);
	ok(trial_of(b1, 0) == trial_of(b2, 0), "the same split_seed holds out the same trials");
	dk_task_batch_free(b1);
	dk_task_batch_free(b2);
	dk_task_free(again);
	dk_task_free(train);
	dk_task_free(test);
	p.holdout = 0.01;
	ok(dk_task_alloc(&p, &again, err, sizeof err) == DK_EINVAL && strstr(err, "none to test"),
	   "a fraction that holds out no trial is refused");
}

static void test_dtypes(void)
{
	dk_task_params p = data_params(N, 0);
	p.data_path = path_b;
	dk_task *t;
	char err[256];
	write_trials("b.npz", 0, DK_F4);
	ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_OK && !strcmp(dk_task_loss(t), "mse"),
	   "an f4 target is values (%s)", err);
	dk_task_free(t);
	write_trials("b.npz", 0, DK_I8);
	p.loss = DK_LOSS_MSE;
	ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_OK && dk_task_outputs(t) == O,
	   "integer (time, trial, output) with mse: values (%s)", err);
	dk_task_free(t);
	p.loss = DK_LOSS_AUTO;
	ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_EFORMAT &&
	   strstr(err, "taken with the mse loss"), "integer (time, trial, output) without: refused");
	p.loss = DK_LOSS_XENT;
	p.data_path = path_a;
	ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_EFORMAT && strstr(err, "xent loss needs"),
	   "xent on values is refused");
}

/* N/2 steps, saved, restored into a new task and trainer from the saved
   run's JSON, and on to N: the bits of the run never stopped. */
static void test_resume(void)
{
	dk_model_spec s = {.kind = "rnn", .units = 5, .inputs = F, .outputs = O,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 1, .seed = 3};
	dk_model *m1, *m2, *m3;
	char err[256];
	dk_model_create(&s, &m1, err, sizeof err);
	dk_model_create(&s, &m2, err, sizeof err);
	dk_model_create(&s, &m3, err, sizeof err);
	dk_task_params p = data_params(3, 0.2);
	dk_task *t1, *t2, *t3;
	dk_task_alloc(&p, &t1, err, sizeof err);
	dk_task_alloc(&p, &t2, err, sizeof err);
	dk_train_run run = {.task = *dk_task_get_params(t2), .every = 10};
	dk_optim_opts_init(&run.train.optim);
	run.train.optim.lr = 0.05;
	run.train.steps = 20;
	run.train.seed = p.seed;
	dk_trainer *tr1, *tr2, *tr3;
	dk_trainer_alloc(m1, t1, &run.train, &tr1, err, sizeof err);
	dk_trainer_alloc(m2, t2, &run.train, &tr2, err, sizeof err);
	double loss;
	int st = DK_OK;
	for (int k = 0; k < 20 && !st; k++)
		st = dk_trainer_step(tr1, &loss, err, sizeof err);
	for (int k = 0; k < 10 && !st; k++)
		st = dk_trainer_step(tr2, &loss, err, sizeof err);
	dk_bundle *ck = dk_bundle_alloc();
	if (!st)
		st = dk_train_run_to_bundle(&run, m2, tr2, 1, ck);
	dk_train_run back;
	if (!st)
		st = dk_train_run_from_bundle(ck, &back, err, sizeof err);
	if (!ok(st == DK_OK, "20 steps, and 10 saved (%s)", err))
		return;
	dk_model_free(m3);
	st = dk_model_from_bundle(ck, &m3, err, sizeof err);
	if (!st)
		st = dk_task_alloc(&back.task, &t3, err, sizeof err);
	if (!st)
		st = dk_trainer_alloc(m3, t3, &back.train, &tr3, err, sizeof err);
	if (!st)
		st = dk_trainer_restore(tr3, ck, err, sizeof err);
	for (int k = 0; k < 10 && !st; k++)
		st = dk_trainer_step(tr3, &loss, err, sizeof err);
	if (ok(st == DK_OK, "restored from the run's JSON and on to step 20 (%s)", err)) {
		size_t np = dk_model_param_count(m1);
		ok(dk_model_param_count(m3) == np &&
		   !memcmp(dk_model_params(m1), dk_model_params(m3), np * sizeof(double)) &&
		   !memcmp(dk_trainer_losses(tr1), dk_trainer_losses(tr3), 20 * sizeof(double)),
		   "the resumed run's parameters and losses are the uninterrupted run's bits");
		dk_trainer_free(tr3);
		dk_task_free(t3);
	}
	dk_bundle_free(ck);
	dk_trainer_free(tr1);
	dk_trainer_free(tr2);
	dk_task_free(t1);
	dk_task_free(t2);
	dk_model_free(m1);
	dk_model_free(m2);
	dk_model_free(m3);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/dk-task-data.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path_a, sizeof path_a, "%s/a.npz", dir);
	snprintf(path_b, sizeof path_b, "%s/b.npz", dir);
	if (!ok(write_trials("a.npz", 0, DK_F8) == DK_OK, "the trials are written"))
		return tap_done();
	test_whole_file();
	test_draws();
	test_holdout();
	test_dtypes();
	test_resume();
	unlink(path_a);
	unlink(path_b);
	rmdir(dir);
	return tap_done();
}
