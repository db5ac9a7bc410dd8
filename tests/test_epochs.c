/*
 * test_epochs.c -- training by epochs and testing while training
 * (lib/train/trainer.c, testset.c) on a tiny Fashion-MNIST written here:
 * 10 train and 5 test images whose first pixel says which example each
 * is.
 *
 * An epoch must use every training example exactly once (the trainer
 * tells which examples each batch took, and the batch's first pixels
 * agree), with the last, short batch padded by examples that weigh
 * nothing; a run saved mid-epoch or at an epoch's end and restored must
 * end with the bits of the uninterrupted run; the test log's losses must
 * be those of the model run on the whole test split at once, however the
 * split is cut into chunks.
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

#define NTRAIN 10
#define NTEST 5
#define BATCH 4

static char dir[256]; /* scratch directory: the tiny dataset */

static void write_idx(const char *name, int images, uint32_t n, unsigned salt)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	unsigned char h[16] = {0, 0, 0x08, (unsigned char)(images ? 3 : 1)};
	uint32_t dims[3] = {n, 28, 28};
	for (int i = 0; i < (images ? 3 : 1); i++)
		for (int k = 0; k < 4; k++)
			h[4 + 4 * i + k] = (unsigned char)(dims[i] >> (24 - 8 * k));
	fwrite(h, 1, images ? 16 : 8, f);
	for (uint32_t e = 0; e < n; e++) {
		if (!images) {
			fputc((int)((e * 7 + salt) % 10), f);
			continue;
		}
		for (int p = 0; p < 784; p++) /* pixel 0: the example; the rest varied */
			fputc(p == 0 ? (int)e : (int)((e * 31 + (unsigned)p * 17 + salt) % 256), f);
	}
	fclose(f);
}

static void make_dataset(void)
{
	write_idx("train-images-idx3-ubyte", 1, NTRAIN, 0);
	write_idx("train-labels-idx1-ubyte", 0, NTRAIN, 0);
	write_idx("t10k-images-idx3-ubyte", 1, NTEST, 5);
	write_idx("t10k-labels-idx1-ubyte", 0, NTEST, 3);
}

static dk_task_params fmnist_params(void)
{
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_FMNIST);
	p.mode = DK_FMNIST_ROW;
	p.batch = BATCH;
	p.seed = 7;
	p.data_dir = dir;
	return p;
}

static dk_model *new_model(void)
{
	dk_model_spec s = {.kind = "rnn", .units = 6, .inputs = 28, .outputs = 10,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 1, .seed = 3};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# %s\n", err);
	return m;
}

static dk_train_opts train_opts(size_t epochs, size_t test_every)
{
	dk_train_opts o = {.steps = 0, .seed = 7, .epochs = epochs, .test_every = test_every};
	dk_optim_opts_init(&o.optim);
	o.optim.lr = 0.01;
	return o;
}

static void test_padding(const dk_task *task)
{
	size_t idx[2] = {9, 3};
	dk_task_batch *b;
	char err[256];
	int st = dk_task_sample_examples(task, idx, 2, &b, err, sizeof err);
	if (!ok(st == DK_OK, "sample_examples: 2 of a batch of 4 (%s)", err))
		return;
	const double *x = b->input->data, *mask = b->mask->data;
	const int64_t *y = b->target->data;
	size_t last = 27 * BATCH;
	ok(x[0] == 9 / 255.0 && x[28] == 3 / 255.0, "the first two slots hold examples 9 and 3");
	int pad = 1;
	for (size_t t = 0; t < 28; t++)
		for (size_t e = 2; e < BATCH; e++) {
			pad &= mask[t * BATCH + e] == 0 && y[t * BATCH + e] == -1;
			for (size_t k = 0; k < 28; k++)
				pad &= x[(t * BATCH + e) * 28 + k] == 0;
		}
	ok(pad, "the other slots are padding: zero input, no label, mask 0");
	ok(mask[last] == 1 && mask[last + 1] == 1 && y[last] == 9 * 7 % 10 && y[last + 1] == 3 * 7 % 10,
	   "the real slots are labelled at the last step, mask 1");
	dk_task_batch_free(b);
	size_t bad = NTRAIN;
	ok(dk_task_sample_examples(task, &bad, 1, &b, err, sizeof err) == DK_EINVAL,
	   "an index past the split is DK_EINVAL");
	size_t five[5] = {0};
	ok(dk_task_sample_examples(task, five, 5, &b, err, sizeof err) == DK_EINVAL,
	   "more examples than the batch holds is DK_EINVAL");
	dk_task_params q;
	dk_task_params_init(&q, DK_TASK_ADDING);
	dk_task *gen;
	dk_task_alloc(&q, &gen, err, sizeof err);
	ok(dk_task_sample_examples(gen, five, 1, &b, err, sizeof err) == DK_EINVAL,
	   "a generated task has no examples to pick (DK_EINVAL)");
	dk_task_free(gen);
}

static void test_cover(const dk_task *task)
{
	dk_model *m = new_model();
	dk_train_opts o = train_opts(3, 0);
	dk_trainer *tr;
	char err[256];
	int st = dk_trainer_alloc(m, task, &o, &tr, err, sizeof err);
	if (!ok(st == DK_OK, "trainer with 3 epochs (%s)", err))
		return;
	is_int(dk_trainer_epoch_steps(tr), 3, "ceil(10 / 4) = 3 steps per epoch");
	is_int(dk_trainer_steps(tr), 9, "3 epochs are 9 steps");
	size_t order[3][NTRAIN];
	int once = 1, sizes = 1;
	for (size_t ep = 0; ep < 3; ep++) {
		int seen[NTRAIN] = {0};
		size_t n = 0;
		for (size_t k = 0; k < 3; k++) {
			double loss;
			if (dk_trainer_step(tr, &loss, err, sizeof err)) {
				ok(0, "step: %s", err);
				goto out;
			}
			size_t count;
			const size_t *ex = dk_trainer_examples(tr, &count);
			sizes &= count == (k < 2 ? 4u : 2u);
			for (size_t i = 0; i < count; i++) {
				seen[ex[i]]++;
				order[ep][n++] = ex[i];
			}
		}
		for (size_t i = 0; i < NTRAIN; i++)
			once &= seen[i] == 1;
	}
	ok(once, "every epoch uses each of the 10 examples exactly once");
	ok(sizes, "batches of 4, 4 and 2 examples in each epoch");
	ok(memcmp(order[0], order[1], sizeof order[0]) || memcmp(order[1], order[2], sizeof order[0]),
	   "the epochs' orders differ (shuffled each epoch)");
	double loss;
	ok(dk_trainer_step(tr, &loss, err, sizeof err) == DK_EINVAL, "no step after the last epoch");
out:
	dk_trainer_free(tr);
	dk_model_free(m);
	dk_train_opts g = train_opts(2, 0);
	dk_task_params q;
	dk_task_params_init(&q, DK_TASK_ADDING);
	dk_task *gen;
	dk_task_alloc(&q, &gen, err, sizeof err);
	dk_model_spec s = {.kind = "rnn", .units = 3, .inputs = 2, .outputs = 1,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 1, .seed = 1};
	dk_model_create(&s, &m, err, sizeof err);
	ok(dk_trainer_alloc(m, gen, &g, &tr, err, sizeof err) == DK_EINVAL && !tr,
	   "epochs of a generated task are DK_EINVAL (%s)", err);
	dk_model_free(m);
	dk_task_free(gen);
}

/* A run of the whole trainer, or one saved after `stop` steps and
   restored into a new model and trainer; the final parameters, losses
   and log into the arrays. */
static int run(const dk_task *task, size_t stop, dk_testset *ts, double *params,
               double *losses, double *log, size_t *rows)
{
	char err[256];
	dk_model *m = new_model();
	dk_train_opts o = train_opts(3, 4);
	dk_trainer *tr = NULL;
	int st = dk_trainer_alloc(m, task, &o, &tr, err, sizeof err);
	if (!st)
		dk_trainer_set_testset(tr, ts);
	double loss;
	while (!st && dk_trainer_done(tr) < dk_trainer_steps(tr)) {
		if (dk_trainer_done(tr) == stop) {
			stop = SIZE_MAX; /* once */
			dk_bundle *b = dk_bundle_alloc();
			st = dk_model_to_bundle(m, b);
			if (!st)
				st = dk_trainer_save(tr, b);
			dk_trainer_free(tr);
			dk_model_free(m);
			tr = NULL;
			m = NULL;
			if (!st)
				st = dk_model_from_bundle(b, &m, err, sizeof err);
			if (!st)
				st = dk_trainer_alloc(m, task, &o, &tr, err, sizeof err);
			if (!st) {
				dk_trainer_set_testset(tr, ts);
				st = dk_trainer_restore(tr, b, err, sizeof err);
			}
			dk_bundle_free(b);
			continue;
		}
		st = dk_trainer_step(tr, &loss, err, sizeof err);
	}
	if (!st) {
		memcpy(params, dk_model_params(m), dk_model_param_count(m) * sizeof *params);
		memcpy(losses, dk_trainer_losses(tr), 9 * sizeof *losses);
		*rows = dk_trainer_log_rows(tr);
		memcpy(log, dk_trainer_log(tr), *rows * DK_TRAIN_LOG_COLUMNS * sizeof *log);
	} else {
		printf("# run stopped at %zu: %s\n", stop, err);
	}
	dk_trainer_free(tr);
	dk_model_free(m);
	return st;
}

static void test_resume(const dk_task *task, dk_testset *ts)
{
	dk_model *m = new_model();
	size_t np = dk_model_param_count(m);
	dk_model_free(m);
	double *p0 = malloc(np * sizeof *p0), *p1 = malloc(np * sizeof *p1);
	double l0[9], l1[9], g0[3 * DK_TRAIN_LOG_COLUMNS], g1[3 * DK_TRAIN_LOG_COLUMNS];
	size_t r0, r1;
	if (!ok(!run(task, SIZE_MAX, ts, p0, l0, g0, &r0), "the uninterrupted run"))
		goto out;
	is_int(r0, 3, "tests after steps 4 and 8 and at the end (9): 3 log rows");
	ok(g0[0] == 4 && g0[4] == 8 && g0[8] == 9, "the log's steps are 4, 8, 9");
	ok(g0[1] == l0[3] && g0[5] == l0[7] && g0[9] == l0[8],
	   "the log's train loss is that of the step tested after");
	static const size_t stops[] = {2, 3, 5, 6, 8};
	for (size_t k = 0; k < sizeof stops / sizeof *stops; k++) {
		int st = run(task, stops[k], ts, p1, l1, g1, &r1);
		ok(!st && !memcmp(p0, p1, np * sizeof *p0) && !memcmp(l0, l1, sizeof l0) &&
		   r1 == r0 && !memcmp(g0, g1, r0 * DK_TRAIN_LOG_COLUMNS * sizeof *g0),
		   "saved after step %zu (%s) and restored: the same bits at the end", stops[k],
		   stops[k] % 3 ? "mid-epoch" : "at an epoch's end");
	}
out:
	free(p0);
	free(p1);
}

/* The test set against the model run on the whole split at once. */
static void test_testset(void)
{
	dk_task_params p = fmnist_params();
	dk_model *m = new_model();
	char err[256];
	dk_task_params q = p;
	q.split = DK_SPLIT_TEST;
	q.batch = NTEST;
	dk_task_batch *b;
	if (!ok(dk_task_generate(&q, &b, err, sizeof err) == DK_OK, "the whole test split (%s)", err))
		return;
	size_t sh[3] = {28, NTEST, 6}, yh[3] = {28, NTEST, 10};
	dk_tensor *s = dk_tensor_alloc(DK_F8, 0, 3, sh), *y = dk_tensor_alloc(DK_F8, 0, 3, yh);
	double want, wacc;
	dk_model_run(m, 28, NTEST, NULL, b->input->data, s->data, y->data);
	dk_loss_eval(y, b->target, b->mask, &want, &wacc, err, sizeof err);
	for (size_t chunk = 1; chunk <= 6; chunk++) {
		dk_testset *ts;
		double loss = NAN, acc = NAN;
		int st = dk_testset_alloc(&p, m, 0, chunk, 999, &ts, err, sizeof err);
		if (!st)
			st = dk_testset_eval(ts, m, &loss, &acc, err, sizeof err);
		ok(!st && dk_testset_examples(ts) == NTEST, "chunks of %zu: tests all 5 (%s)", chunk,
		   st ? err : "ok");
		is_close(loss, want, 1e-13, "chunks of %zu: the loss of the whole split at once", chunk);
		is_close(acc, wacc, 1e-13, "chunks of %zu: the accuracy of the whole split", chunk);
		dk_testset_free(ts);
	}
	dk_testset *ts;
	double loss, acc;
	dk_testset_alloc(&p, m, 3, 2, 999, &ts, err, sizeof err);
	dk_testset_eval(ts, m, &loss, &acc, err, sizeof err);
	is_int(dk_testset_examples(ts), 3, "examples 3: the first 3 of the split");
	dk_testset_free(ts);
	dk_tensor_free(s);
	dk_tensor_free(y);
	dk_task_batch_free(b);
	dk_model_free(m);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/dk_test_epochs.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	make_dataset();
	dk_task_params p = fmnist_params();
	dk_task *task = NULL;
	char err[256];
	if (ok(dk_task_alloc(&p, &task, err, sizeof err) == DK_OK, "the tiny dataset loads (%s)", err)) {
		test_padding(task);
		test_cover(task);
		dk_model *m = new_model();
		dk_testset *ts = NULL;
		if (ok(dk_testset_alloc(&p, m, 0, 2, 0, &ts, err, sizeof err) == DK_OK,
		       "a test set of the test split (%s)", err))
			test_resume(task, ts);
		dk_testset_free(ts);
		dk_model_free(m);
		test_testset();
	}
	dk_task_free(task);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
