/*
 * run_head.c -- a run of a model with a head over whole trajectories on
 * an image batch: the image shown at each of the head's T steps, the
 * head's logits after the last, their labels, the cross-entropy and the
 * paper's scores (shapes.h) against the true labels (see run_head.h).
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/names.h"
#include "train/loss.h"
#include "train/run_head.h"
#include "train/shapes.h"

int dk_run_head_input(dk_run_batch *rb, const dk_model *m, const dk_bundle *b,
                      char *err, size_t errlen)
{
	const dk_model_spec *s = dk_model_spec_of(m);
	const dk_tensor *x = dk_bundle_get(b, DK_NAME_INPUT);
	if (!x)
		return dk_errorf(DK_EINVAL, err, errlen, "no %s: a model with a head runs "
		                 "on images (batch, channel, row, col)", DK_NAME_INPUT);
	if (x->rank != 4 || x->shape[1] != s->inputs || x->shape[2] != s->height ||
	    x->shape[3] != s->width)
		return dk_errorf(DK_EINVAL, err, errlen, "%s must be images (batch, channel, "
		                 "row, col) of (B, %zu, %zu, %zu): the model's inputs and sheet",
		                 DK_NAME_INPUT, s->inputs, s->height, s->width);
	if (x->dtype == DK_C16)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: complex values; a model's "
		                 "input is real", DK_NAME_INPUT);
	dk_tensor *f8;
	int st = dk_tensor_convert_named(x, DK_F8, &f8, DK_NAME_INPUT, err, errlen);
	if (st)
		return st;
	size_t T = dk_model_head_steps(m), B = x->shape[0], n = dk_model_input_size(m);
	size_t shape[3] = {T, B, n}, count;
	if (dk_shape_count(3, shape, sizeof(double), &count)) {
		dk_tensor_free(f8);
		return dk_errorf(DK_ELIMIT, err, errlen, "%zu steps of %zu images overflow", T, B);
	}
	rb->input = dk_tensor_alloc(DK_F8, 0, 3, shape);
	if (!rb->input) {
		dk_tensor_free(f8);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	for (size_t t = 0; t < T; t++)
		memcpy((double *)rb->input->data + t * B * n, f8->data, B * n * sizeof(double));
	dk_tensor_free(f8);
	rb->sheet[0] = s->height;
	rb->sheet[1] = s->width;
	return DK_OK;
}

int dk_run_head_logits(dk_run_batch *rb, const dk_model *m)
{
	size_t T = rb->input->shape[0], B = rb->input->shape[1];
	size_t K = dk_model_head_classes(m), P = dk_model_head_pixels(m);
	size_t ls[4] = {B, rb->sheet[0], rb->sheet[1], K};
	rb->logits = dk_tensor_alloc(DK_F8, 0, 4, ls);
	rb->labels = dk_tensor_alloc(DK_I8, 0, 3, ls);
	dk_model_work *w = dk_model_work_alloc(m, B);
	int st = rb->logits && rb->labels && w ? DK_OK : DK_ENOMEM;
	/* the states after steps 1 .. T, as the head reads them */
	if (!st && T)
		st = dk_model_head(m, w, B, rb->states->data, rb->logits->data);
	dk_model_work_free(w);
	if (st)
		return st;
	const double *z = rb->logits->data;
	int64_t *label = rb->labels->data;
	for (size_t i = 0; i < B * P; i++)
		label[i] = (int64_t)dk_loss_argmax(z + i * K, K);
	return DK_OK;
}

int dk_run_head_loss(dk_run_batch *rb, char *err, size_t errlen)
{
	const dk_tensor *y = rb->target;
	if (!y)
		return DK_OK;
	size_t B = rb->logits->shape[0], H = rb->sheet[0], W = rb->sheet[1];
	size_t K = rb->logits->shape[3], P = H * W;
	if (y->dtype != DK_I8 || y->rank != 3 || y->shape[0] != B || y->shape[1] != H ||
	    y->shape[2] != W)
		return dk_errorf(DK_EINVAL, err, errlen, "%s must be labels i8 (batch, row, "
		                 "col) of (%zu, %zu, %zu)", DK_NAME_TARGET, B, H, W);
	const int64_t *label = y->data;
	double *weight = malloc((B * P + 1) * sizeof *weight), pixel_acc;
	if (!weight)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	for (size_t i = 0; i < B * P; i++)
		weight[i] = label[i] >= 0;
	int st = dk_loss_xent(1, B * P, K, rb->logits->data, label, weight, &rb->loss,
	                      &pixel_acc, NULL);
	free(weight);
	if (st)
		return dk_errorf(st, err, errlen, "%s: labels must be -1 (none) or 0 to %zu",
		                 DK_NAME_TARGET, K - 1);
	rb->has_loss = 1;
	return dk_shapes_iou_foreground(B, P, K, rb->labels->data, label, &rb->iou,
	                                &rb->accuracy, err, errlen);
}

int dk_run_head_to_bundle(dk_run_batch *rb, dk_bundle *b)
{
	static const char *const axes[4] = {"batch", "row", "col", "class"};
	dk_tensor *z = rb->logits, *l = rb->labels;
	rb->logits = rb->labels = NULL;
	int st = dk_bundle_add_record(b, DK_NAME_OUTPUT, z, axes, 4, NULL);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_RUN_LABELS, l, axes, 3, NULL);
	else
		dk_tensor_free(l);
	if (!st && rb->has_loss && !isnan(rb->iou))
		st = dk_bundle_add_record(b, DK_NAME_RUN_IOU_FOREGROUND,
		                          dk_tensor_scalar(rb->iou), NULL, 0, NULL);
	return st;
}
