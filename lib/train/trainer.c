/*
 * trainer.c -- the training loop's one iteration, and its checkpoints.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
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
};

int dk_trainer_alloc(dk_model *m, const dk_task *task, const dk_train_opts *o,
                     dk_trainer **out, char *err, size_t errlen)
{
	*out = NULL;
	if (dk_model_input_size(m) != dk_task_inputs(task) ||
	    dk_model_output_size(m) != dk_task_outputs(task)) {
		snprintf(err, errlen, "the model has %zu inputs and %zu outputs; the task needs %zu and %zu",
		         dk_model_input_size(m), dk_model_output_size(m),
		         dk_task_inputs(task), dk_task_outputs(task));
		return DK_EINVAL;
	}
	dk_trainer *tr = calloc(1, sizeof *tr);
	if (!tr)
		return DK_ENOMEM;
	size_t np = dk_model_param_count(m);
	tr->model = m;
	tr->task = task;
	tr->o = *o;
	tr->o.optim.steps = o->steps;
	tr->bptt = dk_bptt_alloc(m, dk_task_steps(task), dk_task_get_params(task)->batch);
	tr->optim = dk_optim_alloc(&tr->o.optim, np);
	tr->rng = dk_rng_alloc(o->seed);
	tr->grad = malloc((np + 1) * sizeof *tr->grad);
	tr->theta_prev = malloc((np + 1) * sizeof *tr->theta_prev);
	tr->losses = malloc((o->steps + 1) * sizeof *tr->losses);
	if (!tr->bptt || !tr->optim || !tr->rng || !tr->grad || !tr->theta_prev || !tr->losses) {
		dk_trainer_free(tr);
		snprintf(err, errlen, "out of memory");
		return DK_ENOMEM;
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
	free(tr);
}

size_t dk_trainer_done(const dk_trainer *tr) { return tr->done; }
const double *dk_trainer_losses(const dk_trainer *tr) { return tr->losses; }

int dk_trainer_step(dk_trainer *tr, double *loss, char *err, size_t errlen)
{
	if (tr->done >= tr->o.steps) {
		snprintf(err, errlen, "the run's %zu steps are done", tr->o.steps);
		return DK_EINVAL;
	}
	const dk_task_params *p = dk_task_get_params(tr->task);
	size_t examples = dk_task_examples(tr->task), offset = 0;
	if (examples >= p->batch) /* a dataset: page through it */
		offset = tr->done * p->batch % (examples - p->batch + 1);
	dk_task_batch *b;
	int st = dk_task_sample(tr->task, tr->rng, offset, &b, err, errlen);
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
	int st = add_tensor(b, "train/loss", DK_F8, 1, nl, tr->losses);
	if (!st)
		st = add_tensor(b, "train/optim", DK_F8, 1, no, dk_optim_state(tr->optim));
	if (!st)
		st = add_tensor(b, "train/step", DK_I8, 0, NULL, &step);
	if (!st)
		st = add_tensor(b, "train/rng", DK_U1, 1, nr, rs);
	free(rs);
	return st;
}

int dk_trainer_restore(dk_trainer *tr, const dk_bundle *b, char *err,
                       size_t errlen)
{
	const dk_tensor *loss = dk_bundle_get(b, "train/loss");
	const dk_tensor *opt = dk_bundle_get(b, "train/optim");
	const dk_tensor *step = dk_bundle_get(b, "train/step");
	const dk_tensor *rng = dk_bundle_get(b, "train/rng");
	if (!loss || !opt || !step || !rng || step->dtype != DK_I8 || step->count != 1 ||
	    loss->dtype != DK_F8 || opt->dtype != DK_F8 || rng->dtype != DK_U1) {
		snprintf(err, errlen, "not a checkpoint: train/loss, train/optim, train/step and train/rng needed");
		return DK_EFORMAT;
	}
	int64_t done = ((const int64_t *)step->data)[0];
	if (done < 0 || (size_t)done != loss->count || (size_t)done > tr->o.steps ||
	    opt->count != dk_optim_state_size(tr->optim)) {
		snprintf(err, errlen, "the checkpoint does not fit this model and run");
		return DK_EFORMAT;
	}
	if (dk_rng_state_set(tr->rng, rng->data, rng->count)) {
		snprintf(err, errlen, "the checkpoint's generator state has the wrong size");
		return DK_EFORMAT;
	}
	memcpy(dk_optim_state(tr->optim), opt->data, opt->count * sizeof(double));
	memcpy(tr->losses, loss->data, loss->count * sizeof(double));
	dk_optim_set_steps(tr->optim, (size_t)done);
	tr->done = (size_t)done;
	return DK_OK;
}
