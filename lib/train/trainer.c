/*
 * trainer.c -- the training loop's one iteration, and its checkpoints.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/tensor.h"
#include "stream/names.h"
#include "train/bptt.h"
#include "train/trainer.h"

struct dk_trainer {
	dk_model *model;      /* not owned */
	const dk_task *task;  /* not owned */
	dk_train_opts o;
	dk_bptt *bptt;        /* owned */
	dk_optim *optim;      /* owned */
	dk_rng *rng;          /* owned: the batches' generator */
	double *grad;         /* owned: one per parameter */
	double *theta_prev;   /* owned: to undo a step that went non-finite */
	double *losses;       /* owned: o.steps entries */
	size_t done;
	/* epochs */
	size_t epoch_steps;   /* steps per epoch; 0 without epochs */
	size_t *order;        /* owned: the current epoch's order of examples */
	unsigned char *epoch_rng; /* owned: rng's state as the epoch began */
	size_t last_count;    /* examples in the last batch taken */
	/* testing */
	dk_testset *testset;  /* not owned; NULL: none */
	double *log;          /* owned: log_cap rows of DK_TRAIN_LOG_COLUMNS */
	size_t log_rows, log_cap;
};

int dk_trainer_alloc(dk_model *m, const dk_task *task, const dk_train_opts *o,
                     dk_trainer **out, char *err, size_t errlen)
{
	*out = NULL;
	const dk_task_params *p = dk_task_get_params(task);
	size_t head = dk_model_head_steps(m);
	if (!head != (p->kind != DK_TASK_SHAPES))
		return dk_errorf(DK_EINVAL, err, errlen, head ? "a model with a head (classes) "
		                 "trains on the shapes task, not %s" : "the %s task trains a model "
		                 "with a head (nwm with classes)", dk_task_kind_name(p->kind));
	if (head && (dk_model_input_size(m) != dk_task_inputs(task) ||
	             dk_model_head_classes(m) != dk_task_outputs(task) ||
	             head != dk_task_steps(task)))
		return dk_errorf(DK_EINVAL, err, errlen, "the model's head reads %zu steps of "
		                 "%zu inputs into %zu classes; the task has %zu steps of %zu and %zu "
		                 "classes", head, dk_model_input_size(m), dk_model_head_classes(m),
		                 dk_task_steps(task), dk_task_inputs(task), dk_task_outputs(task));
	if (!head && (dk_model_input_size(m) != dk_task_inputs(task) ||
	    dk_model_output_size(m) != dk_task_outputs(task))) {
		if (p->kind == DK_TASK_DATA)
			return dk_errorf(DK_EINVAL, err, errlen, "the model has %zu inputs and %zu "
			                 "outputs; the trials of %s have %zu features and %zu %s",
			                 dk_model_input_size(m), dk_model_output_size(m), p->data_path,
			                 dk_task_inputs(task), dk_task_outputs(task),
			                 strcmp(dk_task_loss(task), "xent") ? "outputs" : "classes");
		snprintf(err, errlen, "the model has %zu inputs and %zu outputs; the task needs %zu and %zu",
		         dk_model_input_size(m), dk_model_output_size(m),
		         dk_task_inputs(task), dk_task_outputs(task));
		return DK_EINVAL;
	}
	size_t examples = dk_task_examples(task), steps = o->steps, per_epoch = 0;
	if (o->epochs) {
		if (!examples) {
			snprintf(err, errlen, "epochs: the %s task is generated afresh at every step, "
			         "not a set of examples to pass over", dk_task_kind_name(p->kind));
			return DK_EINVAL;
		}
		per_epoch = examples / p->batch + (examples % p->batch != 0);
		if (o->epochs > SIZE_MAX / per_epoch) {
			snprintf(err, errlen, "%zu epochs of %zu steps overflow", o->epochs, per_epoch);
			return DK_EINVAL;
		}
		steps = o->epochs * per_epoch;
	}
	/* the loss of every step, and a log row per test: sizes from options
	   (or a checkpoint), checked before they are allocated */
	size_t nloss = steps < SIZE_MAX ? steps + 1 : SIZE_MAX, nlog[2] = {0, DK_TRAIN_LOG_COLUMNS};
	size_t count;
	if (o->test_every)
		nlog[0] = steps / o->test_every + 1;
	if (steps == SIZE_MAX || dk_shape_count(1, &nloss, sizeof(double), &count))
		return dk_errorf(DK_ELIMIT, err, errlen, "steps: the losses of %zu steps "
		                 "overflow the memory's addresses", steps);
	if (dk_shape_count(2, nlog, sizeof(double), &count))
		return dk_errorf(DK_ELIMIT, err, errlen, "steps: the test log of %zu steps, "
		                 "a row every %zu, overflows the memory's addresses", steps,
		                 o->test_every);
	dk_trainer *tr = calloc(1, sizeof *tr);
	if (!tr)
		return DK_ENOMEM;
	size_t np = dk_model_param_count(m);
	tr->model = m;
	tr->task = task;
	tr->o = *o;
	tr->o.steps = steps;
	tr->o.optim.steps = steps;
	tr->epoch_steps = per_epoch;
	tr->bptt = dk_bptt_alloc(m, dk_task_steps(task), dk_task_get_params(task)->batch);
	tr->optim = dk_optim_alloc(&tr->o.optim, np);
	tr->rng = dk_rng_alloc(o->seed);
	tr->grad = malloc((np + 1) * sizeof *tr->grad);
	tr->theta_prev = malloc((np + 1) * sizeof *tr->theta_prev);
	tr->losses = malloc(nloss * sizeof *tr->losses);
	if (!tr->losses) { /* a run longer than memory allows is not begun */
		dk_trainer_free(tr);
		return dk_errorf(DK_ENOMEM, err, errlen, "steps: out of memory for the losses "
		                 "of %zu steps (%zu bytes)", steps, nloss * sizeof(double));
	}
	int bad = !tr->bptt || !tr->optim || !tr->rng || !tr->grad || !tr->theta_prev;
	if (!bad && per_epoch) {
		tr->order = malloc(examples * sizeof *tr->order);
		tr->epoch_rng = malloc(dk_rng_state_size(tr->rng));
		bad = !tr->order || !tr->epoch_rng;
		if (!bad) /* the first epoch's order comes from the seed's start */
			dk_rng_state_get(tr->rng, tr->epoch_rng);
	}
	if (!bad && o->test_every) {
		tr->log_cap = nlog[0];
		tr->log = malloc(tr->log_cap * DK_TRAIN_LOG_COLUMNS * sizeof *tr->log);
		bad = !tr->log;
	}
	if (bad) {
		int no_bptt = !tr->bptt;
		dk_trainer_free(tr);
		if (no_bptt)
			return dk_errorf(DK_ENOMEM, err, errlen, "out of memory for backpropagation "
			                 "through %zu steps of a batch of %zu", dk_task_steps(task),
			                 p->batch);
		snprintf(err, errlen, "out of memory");
		return DK_ENOMEM;
	}
	int st = dk_bptt_set_feedback(tr->bptt, o->feedback, err, errlen);
	if (st) {
		dk_trainer_free(tr);
		return st;
	}
	*out = tr;
	return DK_OK;
}

void dk_trainer_free(dk_trainer *tr)
{
	if (!tr)
		return;
	dk_bptt_free(tr->bptt);
	dk_optim_free(tr->optim);
	dk_rng_free(tr->rng);
	free(tr->grad);
	free(tr->theta_prev);
	free(tr->losses);
	free(tr->order);
	free(tr->epoch_rng);
	free(tr->log);
	free(tr);
}

size_t dk_trainer_done(const dk_trainer *tr) { return tr->done; }
const double *dk_trainer_losses(const dk_trainer *tr) { return tr->losses; }
size_t dk_trainer_steps(const dk_trainer *tr) { return tr->o.steps; }
size_t dk_trainer_epoch_steps(const dk_trainer *tr) { return tr->epoch_steps; }
void dk_trainer_set_testset(dk_trainer *tr, dk_testset *ts)
{
	tr->testset = ts;
	if (ts) /* tested as it is trained: in the same loop */
		dk_testset_set_feedback(ts, tr->o.feedback);
}
size_t dk_trainer_log_rows(const dk_trainer *tr) { return tr->log_rows; }
const double *dk_trainer_log(const dk_trainer *tr) { return tr->log; }

const size_t *dk_trainer_examples(const dk_trainer *tr, size_t *count)
{
	*count = tr->epoch_steps && tr->done ? tr->last_count : 0;
	if (!*count)
		return NULL;
	return tr->order + (tr->done - 1) % tr->epoch_steps * dk_task_get_params(tr->task)->batch;
}

/* The batch of the step about to be taken. */
static int next_batch(dk_trainer *tr, dk_task_batch **b, char *err, size_t errlen)
{
	const dk_task_params *p = dk_task_get_params(tr->task);
	size_t examples = dk_task_examples(tr->task), offset = 0;
	if (tr->epoch_steps) {
		size_t k = tr->done % tr->epoch_steps;
		if (k == 0) { /* a new epoch: a new order, drawn from the seed's stream */
			dk_rng_state_get(tr->rng, tr->epoch_rng);
			dk_rng_permutation(tr->rng, tr->order, examples);
		}
		size_t from = k * p->batch;
		size_t count = examples - from < p->batch ? examples - from : p->batch;
		int st = dk_task_sample_examples(tr->task, tr->order + from, count, b, err, errlen);
		if (!st)
			tr->last_count = count;
		return st;
	}
	if (examples >= p->batch) /* a dataset: page through it */
		offset = tr->done * p->batch % (examples - p->batch + 1);
	return dk_task_sample(tr->task, tr->rng, offset, b, err, errlen);
}

/* After step done: is a test due? */
static int test_due(const dk_trainer *tr)
{
	return tr->testset && tr->o.test_every &&
	       (tr->done % tr->o.test_every == 0 || tr->done == tr->o.steps);
}

int dk_trainer_step(dk_trainer *tr, double *loss, char *err, size_t errlen)
{
	if (tr->done >= tr->o.steps) {
		snprintf(err, errlen, "the run's %zu steps are done", tr->o.steps);
		return DK_EINVAL;
	}
	dk_task_batch *b;
	int st = next_batch(tr, &b, err, errlen);
	if (st)
		return st;
	double acc;
	st = dk_bptt_loss_grad(tr->bptt, tr->model, b->input->data, b->target, b->mask,
	                       loss, &acc, tr->grad);
	dk_task_batch_free(b);
	if (st) {
		snprintf(err, errlen, "backpropagation failed: %s", dk_strerror(st));
		return st;
	}
	if (!isfinite(*loss)) {
		snprintf(err, errlen, "the loss is %g at step %zu", *loss, tr->done);
		return DK_ENUMERIC;
	}
	double *theta = dk_model_params(tr->model);
	size_t np = dk_model_param_count(tr->model);
	memcpy(tr->theta_prev, theta, np * sizeof *theta);
	double norm;
	st = dk_optim_step(tr->optim, theta, tr->grad, &norm);
	for (size_t i = 0; !st && i < np; i++)
		if (!isfinite(theta[i]))
			st = DK_ENUMERIC;
	if (st) {
		memcpy(theta, tr->theta_prev, np * sizeof *theta);
		snprintf(err, errlen, "the gradient (norm %g) or the parameters are not finite at step %zu",
		         norm, tr->done);
		return DK_ENUMERIC;
	}
	tr->losses[tr->done++] = *loss;
	if (test_due(tr) && tr->log_rows < tr->log_cap) {
		double *row = tr->log + tr->log_rows * DK_TRAIN_LOG_COLUMNS, tl, ta;
		char e[256];
		if ((st = dk_testset_eval(tr->testset, tr->model, &tl, &ta, e, sizeof e)))
			return dk_errorf(st, err, errlen, "testing after step %zu: %s", tr->done, e);
		row[0] = (double)tr->done;
		row[1] = *loss;
		row[2] = tl;
		row[3] = ta;
		tr->log_rows++;
	}
	return DK_OK;
}

static int add_tensor(dk_bundle *b, const char *name, dk_dtype dtype, int rank,
                      const size_t *shape, const void *data)
{
	dk_tensor *t = dk_tensor_alloc(dtype, 0, rank, shape);
	if (!t)
		return DK_ENOMEM;
	memcpy(t->data, data, dk_tensor_nbytes(t));
	return dk_bundle_add(b, name, NULL, t);
}

int dk_trainer_save(const dk_trainer *tr, dk_bundle *b)
{
	size_t nl[1] = {tr->done}, no[1] = {dk_optim_state_size(tr->optim)};
	size_t nr[1] = {dk_rng_state_size(tr->rng)};
	int64_t step = (int64_t)tr->done;
	unsigned char *rs = malloc(nr[0] + 1);
	if (!rs)
		return DK_ENOMEM;
	dk_rng_state_get(tr->rng, rs);
	int st = add_tensor(b, DK_NAME_TRAIN_LOSS, DK_F8, 1, nl, tr->losses);
	if (!st)
		st = add_tensor(b, DK_NAME_TRAIN_OPTIM, DK_F8, 1, no, dk_optim_state(tr->optim));
	if (!st)
		st = add_tensor(b, DK_NAME_TRAIN_STEP, DK_I8, 0, NULL, &step);
	if (!st)
		st = add_tensor(b, DK_NAME_TRAIN_RNG, DK_U1, 1, nr, rs);
	free(rs);
	if (!st && tr->epoch_steps)
		st = add_tensor(b, DK_NAME_TRAIN_EPOCH_RNG, DK_U1, 1, nr, tr->epoch_rng);
	if (!st && tr->o.test_every) {
		size_t nlog[2] = {tr->log_rows, DK_TRAIN_LOG_COLUMNS};
		st = add_tensor(b, DK_NAME_TRAIN_LOG, DK_F8, 2, nlog, tr->log);
	}
	return st;
}

int dk_trainer_to_bundle(const dk_trainer *tr, dk_bundle *b)
{
	size_t nl[1] = {tr->done};
	int st = add_tensor(b, DK_NAME_TRAIN_LOSS, DK_F8, 1, nl, tr->losses);
	if (st || !tr->o.test_every)
		return st;
	size_t shape[2] = {tr->log_rows, DK_TRAIN_LOG_COLUMNS};
	static const char *const axes[2] = {"row", "column"};
	dk_tensor *log = dk_tensor_alloc(DK_F8, 0, 2, shape);
	json_t *attrs = json_pack("{s:[s, s, s, s]}", "columns", "step",
	                          "train_loss", "test_loss", "test_accuracy");
	if (log)
		memcpy(log->data, tr->log, dk_tensor_nbytes(log));
	if (!attrs) {
		dk_tensor_free(log);
		return DK_ENOMEM;
	}
	st = dk_bundle_add_record(b, DK_NAME_TRAIN_LOG, log, axes, 2, attrs);
	json_decref(attrs);
	return st;
}

int dk_trainer_restore(dk_trainer *tr, const dk_bundle *b, char *err,
                       size_t errlen)
{
	const dk_tensor *loss = dk_bundle_get(b, DK_NAME_TRAIN_LOSS);
	const dk_tensor *opt = dk_bundle_get(b, DK_NAME_TRAIN_OPTIM);
	const dk_tensor *step = dk_bundle_get(b, DK_NAME_TRAIN_STEP);
	const dk_tensor *rng = dk_bundle_get(b, DK_NAME_TRAIN_RNG);
	if (!loss || !opt || !step || !rng || step->dtype != DK_I8 || step->count != 1 ||
	    loss->dtype != DK_F8 || opt->dtype != DK_F8 || rng->dtype != DK_U1) {
		snprintf(err, errlen, "not a checkpoint: train/loss, train/optim, train/step and train/rng needed");
		return DK_EFORMAT;
	}
	int64_t done = ((const int64_t *)step->data)[0];
	if (done < 0 || (uint64_t)done > tr->o.steps)
		return dk_errorf(DK_EFORMAT, err, errlen, "%s is %lld, not in 0..%zu (the run's steps)",
		                 DK_NAME_TRAIN_STEP, (long long)done, tr->o.steps);
	if (loss->rank != 1 || loss->count != (size_t)done)
		return dk_errorf(DK_EFORMAT, err, errlen, "%s holds %zu losses; %s says %lld steps "
		                 "were taken", DK_NAME_TRAIN_LOSS, loss->count,
		                 DK_NAME_TRAIN_STEP, (long long)done);
	if (opt->count != dk_optim_state_size(tr->optim))
		return dk_errorf(DK_EFORMAT, err, errlen, "%s has %zu values; this model's "
		                 "optimizer keeps %zu", DK_NAME_TRAIN_OPTIM, opt->count,
		                 dk_optim_state_size(tr->optim));
	/* a step that went non-finite is never taken, so never kept */
	const double *lv = loss->data, *ov = opt->data;
	for (size_t i = 0; i < loss->count; i++)
		if (!isfinite(lv[i]))
			return dk_errorf(DK_EFORMAT, err, errlen, "%s[%zu] is %g", DK_NAME_TRAIN_LOSS,
			                 i, lv[i]);
	for (size_t i = 0; i < opt->count; i++)
		if (!isfinite(ov[i]))
			return dk_errorf(DK_EFORMAT, err, errlen, "%s[%zu] is %g", DK_NAME_TRAIN_OPTIM,
			                 i, ov[i]);
	char e[200];
	if (dk_rng_state_set(tr->rng, rng->data, rng->count, e, sizeof e))
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: %s", DK_NAME_TRAIN_RNG, e);
	const dk_tensor *erng = dk_bundle_get(b, DK_NAME_TRAIN_EPOCH_RNG);
	const dk_tensor *log = dk_bundle_get(b, DK_NAME_TRAIN_LOG);
	size_t rows = 0;
	if (tr->o.test_every) { /* a row after every test_every steps, and one at the end */
		rows = (size_t)done / tr->o.test_every;
		if ((size_t)done == tr->o.steps && done % tr->o.test_every)
			rows++;
	}
	if ((tr->epoch_steps && (!erng || erng->dtype != DK_U1 || erng->count != rng->count)) ||
	    (tr->o.test_every && (!log || log->dtype != DK_F8 || log->rank != 2 ||
	                          log->shape[0] != rows || log->shape[1] != DK_TRAIN_LOG_COLUMNS))) {
		snprintf(err, errlen, "the checkpoint does not fit this run: %s missing or misshapen",
		         tr->epoch_steps && !erng ? DK_NAME_TRAIN_EPOCH_RNG
		         : DK_NAME_TRAIN_EPOCH_RNG " or " DK_NAME_TRAIN_LOG);
		return DK_EFORMAT;
	}
	if (tr->epoch_steps) { /* the epoch's order, drawn again as it was */
		if (dk_rng_state_set(tr->rng, erng->data, erng->count, e, sizeof e))
			return dk_errorf(DK_EFORMAT, err, errlen, "%s: %s", DK_NAME_TRAIN_EPOCH_RNG, e);
		memcpy(tr->epoch_rng, erng->data, erng->count);
		dk_rng_permutation(tr->rng, tr->order, dk_task_examples(tr->task));
		dk_rng_state_set(tr->rng, rng->data, rng->count, NULL, 0); /* checked above */
		tr->last_count = 0;
		if (done) {
			size_t from = (size_t)(done - 1) % tr->epoch_steps * dk_task_get_params(tr->task)->batch;
			size_t n = dk_task_examples(tr->task), bsz = dk_task_get_params(tr->task)->batch;
			tr->last_count = n - from < bsz ? n - from : bsz;
		}
	}
	if (rows)
		memcpy(tr->log, log->data, rows * DK_TRAIN_LOG_COLUMNS * sizeof(double));
	tr->log_rows = rows;
	memcpy(dk_optim_state(tr->optim), opt->data, opt->count * sizeof(double));
	memcpy(tr->losses, loss->data, loss->count * sizeof(double));
	dk_optim_set_steps(tr->optim, (size_t)done);
	tr->done = (size_t)done;
	return DK_OK;
}
