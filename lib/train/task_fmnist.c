/*
 * task_fmnist.c -- sequential Fashion-MNIST: images shown to a network
 * pixel by pixel, row by row, or pixel by pixel in a fixed permuted
 * order, the class to name at the last step.  The data are the IDX files
 * of Debian's dataset-fashion-mnist (or any directory holding files of
 * the same names and format, such as the small ones the tests write).
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/status.h"
#include "train/idx.h"
#include "train/task_impl.h"

#define PIXELS (DK_FMNIST_SIDE * DK_FMNIST_SIDE)

/*
 * Read dir/NAME.gz, or dir/NAME when that is missing (files unpacked by
 * hand).  A file missing under both names says which package brings it.
 */
static int read_file(const char *dir, const char *name, dk_tensor **out,
                     char *err, size_t errlen)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s.gz", dir, name);
	if (n < 0 || (size_t)n >= sizeof path)
		return dk_task_fail(err, errlen, DK_EINVAL, "fmnist: data directory name too long");
	int st = dk_idx_read(path, 0, out, err, errlen);
	if (st != DK_ENOTFOUND)
		return st;
	path[n - 3] = '\0';
	st = dk_idx_read(path, 0, out, err, errlen);
	if (st != DK_ENOTFOUND)
		return st;
	return dk_task_fail(err, errlen, DK_ENOTFOUND,
	                    "fmnist: %s/%s.gz not found: the Fashion-MNIST dataset is not "
	                    "installed (apt-get install %s)", dir, name, DK_FMNIST_PACKAGE);
}

int dk_task_fmnist_load(dk_task *t, const char *dir, char *err,
                        size_t errlen)
{
	const char *prefix = t->params.split == DK_SPLIT_TEST ? "t10k" : "train";
	char name[64];
	snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
	int st = read_file(dir, name, &t->images, err, errlen);
	if (st)
		return st;
	const dk_tensor *im = t->images;
	if (im->dtype != DK_U1 || im->rank != 3 || im->shape[1] != DK_FMNIST_SIDE ||
	    im->shape[2] != DK_FMNIST_SIDE || im->shape[0] < 1) {
		char shape[256];
		dk_shape_format(shape, sizeof shape, im->rank, im->shape);
		return dk_task_fail(err, errlen, DK_EFORMAT,
		                    "fmnist: %s/%s.gz holds %s %s, not u1 images of 28 x 28",
		                    dir, name, dk_dtype_name(im->dtype), shape);
	}
	snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
	if ((st = read_file(dir, name, &t->labels, err, errlen)))
		return st;
	const dk_tensor *lb = t->labels;
	if (lb->dtype != DK_U1 || lb->rank != 1 || lb->shape[0] != im->shape[0]) {
		char shape[256];
		dk_shape_format(shape, sizeof shape, lb->rank, lb->shape);
		return dk_task_fail(err, errlen, DK_EFORMAT,
		                    "fmnist: %s/%s.gz holds %s %s, not %zu u1 labels",
		                    dir, name, dk_dtype_name(lb->dtype), shape, im->shape[0]);
	}
	const uint8_t *label = lb->data;
	for (size_t i = 0; i < lb->count; i++)
		if (label[i] >= DK_FMNIST_CLASSES)
			return dk_task_fail(err, errlen, DK_EFORMAT,
			                    "fmnist: %s/%s.gz: label %zu is %u, not a class 0..9",
			                    dir, name, i, label[i]);
	t->pixel_order = malloc(PIXELS * sizeof *t->pixel_order);
	if (!t->pixel_order)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	if (t->params.mode == DK_FMNIST_PERMUTED) {
		/* its own generator: the order depends on perm_seed alone, so the
		   train and the test split, and every batch, share it */
		dk_rng *r = dk_rng_alloc(t->params.perm_seed);
		if (!r)
			return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
		dk_rng_permutation(r, t->pixel_order, PIXELS);
		dk_rng_free(r);
	} else {
		for (size_t i = 0; i < PIXELS; i++)
			t->pixel_order[i] = i;
	}
	return DK_OK;
}

void dk_task_fill_fmnist(const dk_task *t, const size_t *index, size_t count,
                         dk_task_batch *b)
{
	size_t batch = t->params.batch, steps = t->steps;
	const uint8_t *images = t->images->data, *labels = t->labels->data;
	double *x = b->input->data, *mask = b->mask->data;
	int64_t *y = b->target->data;
	for (size_t i = 0; i < steps * batch; i++)
		y[i] = -1; /* no label but at the last step */
	for (size_t e = 0; e < count; e++) {
		const uint8_t *img = images + index[e] * PIXELS;
		if (t->params.mode == DK_FMNIST_ROW) {
			for (size_t row = 0; row < DK_FMNIST_SIDE; row++)
				for (size_t c = 0; c < DK_FMNIST_SIDE; c++)
					x[(row * batch + e) * DK_FMNIST_SIDE + c] =
						img[row * DK_FMNIST_SIDE + c] / 255.0;
		} else {
			for (size_t s = 0; s < PIXELS; s++)
				x[s * batch + e] = img[t->pixel_order[s]] / 255.0;
		}
		y[(steps - 1) * batch + e] = labels[index[e]];
		mask[(steps - 1) * batch + e] = 1;
	}
}
