/*
 * loss.c -- mean squared error and softmax cross-entropy over masked steps.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "base/tensor.h"
#include "train/loss.h"

static double mask_total(size_t n, const double *mask)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += mask[i];
	return s;
}

/* mse with a weight per step (each = 0: mask is T x B, each output of a
   step weighed alike) or per output (each = 1: mask is T x B x o). */
static int mse(size_t T, size_t B, size_t o, const double *y, const double *target,
               const double *mask, int each, double *loss, double *grad)
{
	double total = each ? mask_total(T * B * o, mask) : mask_total(T * B, mask) * (double)o;
	double sum = 0;
	if (!(total > 0))
		return DK_EINVAL; /* nothing to average */
	for (size_t s = 0; s < T * B; s++)
		for (size_t k = 0; k < o; k++) {
			double w = each ? mask[s * o + k] : mask[s];
			double d = y[s * o + k] - target[s * o + k];
			sum += w * d * d;
			if (grad)
				grad[s * o + k] = 2 * w * d / total;
		}
	*loss = sum / total;
	return DK_OK;
}

int dk_loss_mse(size_t T, size_t B, size_t o, const double *y,
                const double *target, const double *mask, double *loss,
                double *grad)
{
	return mse(T, B, o, y, target, mask, 0, loss, grad);
}

int dk_loss_mse_each(size_t T, size_t B, size_t o, const double *y,
                     const double *target, const double *mask, double *loss,
                     double *grad)
{
	return mse(T, B, o, y, target, mask, 1, loss, grad);
}

size_t dk_loss_argmax(const double *z, size_t n)
{
	size_t best = 0;
	for (size_t k = 1; k < n; k++)
		if (z[k] > z[best])
			best = k;
	return best;
}

int dk_loss_xent(size_t T, size_t B, size_t o, const double *y,
                 const int64_t *labels, const double *mask, double *loss,
                 double *accuracy, double *grad)
{
	double total = mask_total(T * B, mask), sum = 0, right = 0;
	if (!(total > 0) || o == 0)
		return DK_EINVAL;
	for (size_t s = 0; s < T * B; s++) {
		const double *z = y + s * o;
		if (mask[s] == 0) {
			if (grad)
				memset(grad + s * o, 0, o * sizeof *grad);
			continue;
		}
		if (labels[s] < 0 || (size_t)labels[s] >= o)
			return DK_EINVAL;
		size_t best = dk_loss_argmax(z, o);
		double zmax = z[best];
		/* log-sum-exp about the largest logit: no overflow */
		double se = 0;
		for (size_t k = 0; k < o; k++)
			se += exp(z[k] - zmax);
		double lse = zmax + log(se);
		sum += mask[s] * (lse - z[labels[s]]);
		right += mask[s] * (best == (size_t)labels[s]);
		if (grad)
			for (size_t k = 0; k < o; k++)
				grad[s * o + k] = mask[s] / total *
				                  (exp(z[k] - lse) - (k == (size_t)labels[s]));
	}
	*loss = sum / total;
	if (accuracy)
		*accuracy = right / total;
	return DK_OK;
}

int dk_loss_eval(const dk_tensor *y, const dk_tensor *target,
                 const dk_tensor *mask, double *loss, double *accuracy,
                 char *err, size_t errlen)
{
	*accuracy = NAN;
	if (y->dtype != DK_F8 || y->rank != 3) {
		snprintf(err, errlen, "outputs must be f8 (time, batch, output)");
		return DK_EINVAL;
	}
	size_t T = y->shape[0], B = y->shape[1], o = y->shape[2];
	/* a mask per output (T, B, o) weighs each output of an mse target */
	int each = mask->rank == 3 && target->dtype != DK_I8;
	if (mask->dtype != DK_F8 || (mask->rank != 2 && !each) || mask->shape[0] != T ||
	    mask->shape[1] != B || (each && mask->shape[2] != o)) {
		snprintf(err, errlen, "mask must be f8 (%zu, %zu)%s", T, B,
		         target->dtype != DK_I8 ? " or, per output, f8 (time, batch, output)" : "");
		return DK_EINVAL;
	}
	int st;
	if (target->dtype == DK_I8) {
		if (target->rank != 2 || target->shape[0] != T || target->shape[1] != B) {
			snprintf(err, errlen, "labels must be i8 (%zu, %zu)", T, B);
			return DK_EINVAL;
		}
		st = dk_loss_xent(T, B, o, y->data, target->data, mask->data, loss,
		                  accuracy, NULL);
		if (st)
			snprintf(err, errlen, "a label outside 0..%zu, or an empty mask", o - 1);
		return st;
	}
	if (target->dtype != DK_F8 || target->rank != 3 || target->shape[0] != T ||
	    target->shape[1] != B || target->shape[2] != o) {
		snprintf(err, errlen, "target must be f8 (%zu, %zu, %zu) or i8 labels (%zu, %zu)",
		         T, B, o, T, B);
		return DK_EINVAL;
	}
	st = mse(T, B, o, y->data, target->data, mask->data, each, loss, NULL);
	if (st)
		snprintf(err, errlen, "the mask weights no step");
	return st;
}
