/*
 * shapes_score.c -- the tetromino paper's foreground scores of a pixel
 * labelling (shapes.h): per image, the intersection over union summed
 * over the classes and the accuracy, both on the truth's foreground
 * pixels only, then their means over the images.  The union is counted
 * class by class, as the definition reads, not from its closed form.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "base/status.h"
#include "train/shapes.h"
#include "train/task_impl.h"

/* Classes counted at once (two counters each on the stack). */
#define MAX_CLASSES 128

int dk_shapes_iou_foreground(size_t batch, size_t n, size_t classes,
                             const int64_t *pred, const int64_t *target,
                             double *iou, double *accuracy, char *err,
                             size_t errlen)
{
	*iou = *accuracy = NAN;
	if (classes < 2 || classes > MAX_CLASSES)
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "classes: %zu; 2 to %d are possible", classes, MAX_CLASSES);
	size_t total;
	if (dk_shape_count(2, (size_t[]){batch, n}, sizeof(int64_t), &total))
		return dk_task_fail(err, errlen, DK_EINVAL, "batch: %zu images of %zu pixels overflow",
		                    batch, n);
	for (size_t u = 0; u < total; u++) {
		if (pred[u] < 0 || pred[u] >= (int64_t)classes)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "pred: label %lld at %zu is not a class of 0..%zu",
			                    (long long)pred[u], u, classes - 1);
		if (target[u] < -1 || target[u] >= (int64_t)classes)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "target: label %lld at %zu is not -1 or a class of 0..%zu",
			                    (long long)target[u], u, classes - 1);
	}
	double iou_sum = 0, acc_sum = 0;
	size_t images = 0;
	for (size_t e = 0; e < batch; e++) {
		const int64_t *p = pred + e * n, *t = target + e * n;
		size_t inter[MAX_CLASSES] = {0}, uni[MAX_CLASSES] = {0}, fg = 0, right = 0;
		for (size_t u = 0; u < n; u++) {
			if (t[u] < 1)
				continue;
			fg++;
			if (p[u] == t[u]) {
				right++;
				inter[t[u]]++;
				uni[t[u]]++;
			} else {
				uni[t[u]]++;
				uni[p[u]]++;
			}
		}
		if (!fg)
			continue;
		size_t i_all = 0, u_all = 0;
		for (size_t c = 0; c < classes; c++)
			i_all += inter[c], u_all += uni[c];
		iou_sum += (double)i_all / (double)u_all;
		acc_sum += (double)right / (double)fg;
		images++;
	}
	if (images) {
		*iou = iou_sum / (double)images;
		*accuracy = acc_sum / (double)images;
	}
	return DK_OK;
}
