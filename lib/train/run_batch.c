/*
 * run_batch.c -- a model run on a batch: its input found in a stream,
 * its states, outputs and loss, and their records; and the states of a
 * model on a task's batch (see run_batch.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "models/run.h"
#include "stream/names.h"
#include "train/loss.h"
#include "train/run_batch.h"
#include "train/run_head.h"

/* The input sequence: the tensor named input, else the only tensor; as
   a new f8 tensor. */
static int find_input(const dk_bundle *b, dk_tensor **out, char *err,
                      size_t errlen)
{
	const dk_tensor *x = dk_bundle_get(b, DK_NAME_INPUT);
	size_t count = dk_bundle_size(b), models = 0;
	for (size_t k = 0; k < count; k++)
		models += strncmp(dk_bundle_name(b, k), "model/", 6) == 0;
	if (!x && count == 1 && !models)
		x = dk_bundle_tensor(b, 0);
	if (!x && count == 0)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "no %s: the stream holds no tensors", DK_NAME_INPUT);
	if (!x && models == count)
		return dk_errorf(DK_EINVAL, err, errlen, "no %s: the stream holds only "
		                 "a model's tensors (%s, ...), not a model's input",
		                 DK_NAME_INPUT, dk_bundle_name(b, 0));
	if (!x)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "no tensor named %s, and more than one tensor (%s, %s)",
		                 DK_NAME_INPUT, dk_bundle_name(b, 0), dk_bundle_name(b, 1));
	if (x->rank != 3)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s must be (time, batch, feature), not rank %d",
		                 DK_NAME_INPUT, x->rank);
	if (x->dtype == DK_C16) /* a conversion would drop the imaginary part */
		return dk_errorf(DK_EINVAL, err, errlen, "%s: complex values; a model's "
		                 "input is real", DK_NAME_INPUT);
	return dk_tensor_convert_named(x, DK_F8, out, DK_NAME_INPUT, err, errlen);
}

/* That a (rows, n) or (T, B, n) state tensor holds at most limit values:
   DK_ELIMIT with a message otherwise. */
static int check_limit(int rank, const size_t *shape, size_t limit,
                       char *err, size_t errlen)
{
	size_t count;
	if (!dk_shape_count(rank, shape, sizeof(double), &count) && count <= limit)
		return DK_OK;
	if (rank == 2)
		return dk_errorf(DK_ELIMIT, err, errlen,
		                 "states of (%zu, %zu) exceed the limit of %zu elements",
		                 shape[0], shape[1], limit);
	return dk_errorf(DK_ELIMIT, err, errlen,
	                 "states of (%zu, %zu, %zu) exceed the limit of %zu elements",
	                 shape[0], shape[1], shape[2], limit);
}

/* The layout in the target's attrs, when it is a layout of the outputs'
   size: the outputs are compared with the target, unit by unit, so they
   sit where its units do.  Anything else leaves out without one. */
static void target_layout(const dk_bundle *b, size_t outputs, dk_layout *out)
{
	*out = (dk_layout){0};
	long i = dk_bundle_find(b, DK_NAME_TARGET);
	const dk_meta *meta = i >= 0 ? dk_bundle_meta(b, (size_t)i) : NULL;
	const json_t *attrs = meta ? dk_meta_attrs(meta) : NULL;
	const json_t *lj = attrs ? json_object_get(attrs, DK_LAYOUT_ATTR) : NULL;
	dk_layout l;
	char why[160];
	if (lj && !dk_layout_from_json(lj, &l, why, sizeof why) &&
	    dk_layout_units(&l) == outputs)
		*out = l;
}

int dk_run_batch_read(dk_run_batch *rb, const dk_model *m, const dk_bundle *b,
                      size_t max_elements, char *err, size_t errlen)
{
	*rb = (dk_run_batch){.loss = NAN, .accuracy = NAN, .iou = NAN};
	int st = dk_model_head_steps(m) ? dk_run_head_input(rb, m, b, err, errlen)
	                                : find_input(b, &rb->input, err, errlen);
	if (st)
		return st;
	const size_t *xs = rb->input->shape;
	size_t n = dk_model_state_size(m), ni = dk_model_input_size(m);
	size_t shape[3] = {xs[0], xs[1], n};
	if (xs[2] != ni)
		st = dk_errorf(DK_EINVAL, err, errlen,
		               "%s has %zu features; the model takes %zu",
		               DK_NAME_INPUT, xs[2], ni);
	if (!st)
		st = dk_model_h0_from_bundle(m, b, xs[1], &rb->h0, err, errlen);
	if (!st)
		st = check_limit(3, shape, max_elements, err, errlen);
	if (st) {
		dk_run_batch_clear(rb);
		return st;
	}
	dk_model_layout(m, &rb->layout);
	target_layout(b, dk_model_output_size(m), &rb->output_layout);
	rb->target = dk_bundle_get(b, DK_NAME_TARGET);
	rb->mask = dk_bundle_get(b, DK_NAME_MASK);
	return DK_OK;
}

int dk_run_batch_run(dk_run_batch *rb, const dk_model *m)
{
	size_t T = rb->input->shape[0], B = rb->input->shape[1];
	size_t sshape[3] = {T, B, dk_model_state_size(m)};
	size_t yshape[3] = {T, B, dk_model_output_size(m)};
	rb->states = dk_tensor_alloc(DK_F8, 0, 3, sshape);
	rb->outputs = dk_tensor_alloc(DK_F8, 0, 3, yshape);
	if (!rb->states || !rb->outputs)
		return DK_ENOMEM;
	int st = dk_model_run_feedback(m, T, B, rb->h0 ? rb->h0->data : NULL,
	                               rb->input->data, rb->feedback, rb->states->data,
	                               rb->outputs->data);
	if (!st && dk_model_head_steps(m))
		st = dk_run_head_logits(rb, m);
	return st;
}

int dk_run_batch_set_feedback(dk_run_batch *rb, const dk_model *m, size_t from,
                              char *err, size_t errlen)
{
	size_t in = dk_model_input_size(m), o = dk_model_output_size(m);
	size_t T = rb->input->shape[0];
	if (from && in != o)
		return dk_errorf(DK_EINVAL, err, errlen, "feedback: the model has %zu outputs "
		                 "and %zu inputs; its outputs are fed back as its inputs only "
		                 "when they are as many", o, in);
	if (from >= T && from)
		return dk_errorf(DK_EINVAL, err, errlen, "feedback: step %zu is not one of "
		                 "the %zu steps after the first", from, T);
	rb->feedback = from;
	return DK_OK;
}

int dk_run_batch_loss(dk_run_batch *rb, char *err, size_t errlen)
{
	if (rb->logits)
		return dk_run_head_loss(rb, err, errlen);
	if (!rb->target || !rb->mask)
		return DK_OK;
	int st = dk_loss_eval(rb->outputs, rb->target, rb->mask, &rb->loss,
	                      &rb->accuracy, err, errlen);
	rb->has_loss = !st;
	return st;
}


int dk_run_batch_to_bundle(dk_run_batch *rb, int with_states, dk_bundle *b)
{
	static const char *const axes[3] = {"time", "batch", "unit"};
	static const char *const yaxes[3] = {"time", "batch", "output"};
	dk_tensor *states = rb->states, *y = rb->outputs;
	rb->states = rb->outputs = NULL;
	int st = DK_OK;
	json_t *attrs = NULL;
	if (with_states && rb->layout.rank > 0) {
		json_t *l = dk_layout_to_json(&rb->layout);
		attrs = l ? json_pack("{s:o}", DK_LAYOUT_ATTR, l) : NULL;
		if (!attrs)
			st = DK_ENOMEM;
	}
	if (with_states && !st)
		st = dk_bundle_add_record(b, DK_NAME_STATES, states, axes, 3, attrs);
	else
		dk_tensor_free(states);
	json_decref(attrs);
	json_t *yattrs = NULL;
	if (!st && rb->output_layout.rank > 0) {
		json_t *l = dk_layout_to_json(&rb->output_layout);
		yattrs = l ? json_pack("{s:o}", DK_LAYOUT_ATTR, l) : NULL;
		if (!yattrs)
			st = DK_ENOMEM;
	}
	if (!st && !rb->logits)
		st = dk_bundle_add_record(b, DK_NAME_OUTPUT, y, yaxes, 3, yattrs);
	else
		dk_tensor_free(y); /* a head's model has no per-step outputs */
	if (!st && rb->logits)
		st = dk_run_head_to_bundle(rb, b);
	json_decref(yattrs);
	if (!st && rb->has_loss) /* whatever its value: a NaN loss is a result too */
		st = dk_bundle_add_record(b, DK_NAME_RUN_LOSS, dk_tensor_scalar(rb->loss),
		                          NULL, 0, NULL);
	if (!st && !isnan(rb->accuracy))
		st = dk_bundle_add_record(b, DK_NAME_RUN_ACCURACY,
		                          dk_tensor_scalar(rb->accuracy), NULL, 0, NULL);
	return st;
}

void dk_run_batch_clear(dk_run_batch *rb)
{
	dk_tensor_free(rb->input);
	dk_tensor_free(rb->states);
	dk_tensor_free(rb->outputs);
	dk_tensor_free(rb->logits);
	dk_tensor_free(rb->labels);
	*rb = (dk_run_batch){.loss = NAN, .accuracy = NAN, .iou = NAN};
}

int dk_task_states(const dk_task_params *p, const dk_model *m,
                   size_t max_elements, dk_tensor **out, char *err,
                   size_t errlen)
{
	*out = NULL;
	dk_task_batch *b = NULL;
	int st = dk_task_generate(p, &b, err, errlen);
	if (st)
		return st;
	size_t T = b->input->shape[0], B = b->input->shape[1];
	size_t ni = dk_model_input_size(m), shape[2] = {T * B, dk_model_state_size(m)};
	if (b->input->shape[2] != ni)
		st = dk_errorf(DK_EINVAL, err, errlen,
		               "%s has %zu input features; the model takes %zu",
		               dk_task_kind_name(p->kind), b->input->shape[2], ni);
	if (!st)
		st = check_limit(2, shape, max_elements, err, errlen);
	dk_tensor *s = NULL, *in = NULL;
	if (!st) {
		s = dk_tensor_alloc(DK_F8, 0, 2, shape);
		st = s ? dk_tensor_convert(b->input, DK_F8, &in) : DK_ENOMEM;
		if (!st)
			st = dk_model_run(m, T, B, NULL, in->data, s->data, NULL);
		if (st)
			dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	}
	dk_tensor_free(in);
	dk_task_batch_free(b);
	if (st) {
		dk_tensor_free(s);
		return st;
	}
	*out = s;
	return DK_OK;
}
