/*
 * testset.c -- the held-out data of a training run and the model's loss
 * and accuracy on them (see testset.h).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/status.h"
#include "models/run.h"
#include "train/bptt.h"
#include "train/loss.h"
#include "train/shapes.h"
#include "train/task_impl.h"
#include "train/testset.h"

struct dk_testset {
	dk_task *task;          /* owned: the test task (batch: one chunk) */
	dk_task_batch *fixed;   /* owned: a generated task's one batch; NULL
	                           for a dataset, drawn chunk by chunk */
	size_t examples, chunk; /* examples tested, and run at once */
	size_t *index;          /* owned: chunk entries */
	dk_tensor *states;      /* owned: (T, chunk, n) */
	dk_tensor *y;           /* owned: (T, chunk, o) */
	dk_bptt *head;          /* owned: a model with a head is scored by
	                           BPTT's forward pass; NULL otherwise */
	size_t feedback;        /* 0, or the first step fed its previous output */
};

void dk_testset_set_feedback(dk_testset *ts, size_t from) { ts->feedback = from; }

int dk_testset_alloc(const dk_task_params *p, const dk_model *m, size_t examples,
                     size_t chunk, uint64_t seed, dk_testset **out, char *err,
                     size_t errlen)
{
	*out = NULL;
	dk_testset *ts = calloc(1, sizeof *ts);
	if (!ts)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	dk_task_params q = *p;
	q.offset = 0;
	q.shuffle = 0;
	q.seed = seed;
	if (p->kind == DK_TASK_SHAPES) /* images never drawn for training */
		q.split = DK_SPLIT_TEST;
	int dataset = p->kind == DK_TASK_FMNIST || p->kind == DK_TASK_DATA, st;
	if (dataset) {
		q.split = DK_SPLIT_TEST;
		q.batch = chunk ? chunk : 100;
	} else {
		if (!examples)
			examples = p->batch;
		q.batch = examples;
	}
	if ((st = dk_task_alloc(&q, &ts->task, err, errlen)))
		goto fail;
	if (dataset) {
		size_t n = dk_task_examples(ts->task);
		ts->examples = examples && examples < n ? examples : n;
		ts->chunk = q.batch < ts->examples ? q.batch : ts->examples;
		/* the task's batch is the chunk: a short split makes it smaller */
		if (ts->chunk != q.batch) {
			dk_task_free(ts->task);
			q.batch = ts->chunk;
			if ((st = dk_task_alloc(&q, &ts->task, err, errlen)))
				goto fail;
		}
	} else {
		ts->examples = ts->chunk = examples;
		if (p->kind == DK_TASK_SHAPES) { /* dk-gen shapes --seed seed's images */
			if (seed > DK_SHAPES_MAX_SEED) {
				st = dk_errorf(DK_EINVAL, err, errlen, "shapes: the test seed "
				               "must be at most 2^63-1");
				goto fail;
			}
			ts->fixed = calloc(1, sizeof *ts->fixed);
			st = ts->fixed ? dk_task_shapes_fill(ts->task, seed, ts->fixed, err, errlen)
			               : dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
			if (st)
				goto fail;
		}
		dk_rng *r = ts->fixed ? NULL : dk_rng_alloc(seed);
		if (!ts->fixed)
			st = r ? dk_task_sample(ts->task, r, 0, &ts->fixed, err, errlen)
			       : dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		dk_rng_free(r);
		if (st)
			goto fail;
	}
	if (dk_model_head_steps(m)) {
		/* the trainer checked the model against the task's sizes */
		ts->head = dk_bptt_alloc(m, dk_task_steps(ts->task), ts->chunk);
		if (!ts->head) {
			st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
			goto fail;
		}
	} else if (dk_model_input_size(m) != dk_task_inputs(ts->task) ||
	    dk_model_output_size(m) != dk_task_outputs(ts->task)) {
		st = dk_errorf(DK_EINVAL, err, errlen,
		               "the model has %zu inputs and %zu outputs; the test task needs %zu and %zu",
		               dk_model_input_size(m), dk_model_output_size(m),
		               dk_task_inputs(ts->task), dk_task_outputs(ts->task));
		goto fail;
	}
	size_t T = dk_task_steps(ts->task);
	size_t ss[3] = {T, ts->chunk, dk_model_state_size(m)};
	size_t ys[3] = {T, ts->chunk, dk_model_output_size(m)};
	size_t count;
	if (dk_shape_count(3, ss, sizeof(double), &count) ||
	    dk_shape_count(3, ys, sizeof(double), &count)) {
		st = dk_errorf(DK_ELIMIT, err, errlen, "the test set's states overflow");
		goto fail;
	}
	ts->states = dk_tensor_alloc(DK_F8, 0, 3, ss);
	ts->y = dk_tensor_alloc(DK_F8, 0, 3, ys);
	ts->index = malloc(ts->chunk * sizeof *ts->index);
	if (!ts->states || !ts->y || !ts->index) {
		st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
		goto fail;
	}
	*out = ts;
	return DK_OK;
fail:
	dk_testset_free(ts);
	return st;
}

void dk_testset_free(dk_testset *ts)
{
	if (!ts)
		return;
	dk_task_free(ts->task);
	dk_task_batch_free(ts->fixed);
	free(ts->index);
	dk_tensor_free(ts->states);
	dk_tensor_free(ts->y);
	dk_bptt_free(ts->head);
	free(ts);
}

size_t dk_testset_examples(const dk_testset *ts) { return ts->examples; }

/* The loss and accuracy of m on one batch. */
static int eval_batch(dk_testset *ts, const dk_model *m, const dk_task_batch *b,
                      double *loss, double *acc, char *err, size_t errlen)
{
	if (ts->head) {
		int st = dk_bptt_loss_grad(ts->head, m, b->input->data, b->target, b->mask,
		                           loss, acc, NULL);
		return st ? dk_errorf(st, err, errlen, "the test loss: %s", dk_strerror(st))
		          : DK_OK;
	}
	int st = dk_model_run_feedback(m, dk_task_steps(ts->task), ts->chunk, NULL,
	                               b->input->data, ts->feedback, ts->states->data,
	                               ts->y->data);
	if (st)
		return dk_errorf(st, err, errlen, "running the model on the test set: %s",
		                 dk_strerror(st));
	char e[256];
	if ((st = dk_loss_eval(ts->y, b->target, b->mask, loss, acc, e, sizeof e)))
		return dk_errorf(st, err, errlen, "the test loss: %s", e);
	return DK_OK;
}

int dk_testset_eval(dk_testset *ts, const dk_model *m, double *loss, double *accuracy,
                    char *err, size_t errlen)
{
	if (ts->fixed)
		return eval_batch(ts, m, ts->fixed, loss, accuracy, err, errlen);
	/* a dataset: every chunk's means are over its real examples (the
	   padding of the last weighs nothing), so the whole set's are their
	   example-weighted mean */
	double sl = 0, sa = 0;
	for (size_t from = 0; from < ts->examples; from += ts->chunk) {
		size_t count = ts->examples - from < ts->chunk ? ts->examples - from : ts->chunk;
		for (size_t i = 0; i < count; i++)
			ts->index[i] = from + i;
		dk_task_batch *b;
		int st = dk_task_sample_examples(ts->task, ts->index, count, &b, err, errlen);
		if (st)
			return st;
		double l, a;
		st = eval_batch(ts, m, b, &l, &a, err, errlen);
		dk_task_batch_free(b);
		if (st)
			return st;
		if (count == ts->examples) { /* one chunk: its means, as they are */
			*loss = l;
			*accuracy = a;
			return DK_OK;
		}
		sl += l * (double)count;
		sa += a * (double)count;
	}
	*loss = sl / (double)ts->examples;
	*accuracy = sa / (double)ts->examples;
	return DK_OK;
}
