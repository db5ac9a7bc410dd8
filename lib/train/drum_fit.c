/*
 * drum_fit.c -- the drum's linear readout (drum.h): the size of a shape
 * from the frequencies it rings at, fitted by least squares (LAPACK's
 * dgelsd, which also takes a rank-deficient design, such as sheets all
 * of one size) on a train split and scored on the test split.
 *
 * The features are 1 and 1 / freq_k: a shape's frequencies scale as
 * 1 / size at a fixed form (exactly so for the continuous drum), so a
 * map linear in them is the readout the physics suggests.
 */
#include <config.h>

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "base/status.h"
#include "base/tensor.h"
#include "stream/names.h"
#include "train/drum.h"
#include "train/task_impl.h"

/* Row e of the design: 1, then 1 / freq over the first m modes (0 for a
   missing one). */
static void features(const dk_drum_batch *b, size_t e, size_t m, double *row)
{
	row[0] = 1;
	for (size_t k = 0; k < m; k++) {
		double f = b->freq[e * DK_DRUM_FEATURES + k];
		row[1 + k] = isnan(f) ? 0 : 1 / f;
	}
}

static double predict(const dk_drum_fit *fit, const dk_drum_batch *b, size_t e)
{
	double row[DK_DRUM_FEATURES + 1], s = 0;
	features(b, e, fit->modes, row);
	for (size_t k = 0; k <= fit->modes; k++)
		s += fit->coef[k] * row[k];
	return s;
}

/* Least squares on the train batch: fit->coef. */
static int solve(const dk_drum_batch *b, dk_drum_fit *fit, char *err, size_t errlen)
{
	size_t n = b->batch, m = fit->modes + 1, rows = n > m ? n : m;
	double *A = malloc(n * m * sizeof *A), *y = calloc(rows, sizeof *y);
	double *sv = malloc(m * sizeof *sv);
	int st = A && y && sv ? DK_OK : dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	for (size_t e = 0; e < n && !st; e++) {
		features(b, e, fit->modes, A + e * m);
		y[e] = b->size[e];
	}
	lapack_int rank;
	if (!st && LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)m, 1, A,
	                          (lapack_int)m, y, 1, sv, -1.0, &rank))
		st = dk_task_fail(err, errlen, DK_ENUMERIC, "drum: the least-squares fit failed");
	for (size_t k = 0; k < m && !st; k++)
		fit->coef[k] = y[k];
	free(A);
	free(y);
	free(sv);
	return st;
}

int dk_drum_fit_run(const dk_drum_params *p, dk_drum_fit *fit, char *err,
                    size_t errlen)
{
	*fit = (dk_drum_fit){.modes = p->modes};
	dk_drum_params q = *p;
	dk_drum_batch *train = NULL, *test = NULL;
	q.split = DK_SPLIT_TRAIN;
	int st = dk_drum_batch_make(&q, &train, err, errlen);
	q.split = DK_SPLIT_TEST;
	if (!st)
		st = dk_drum_batch_make(&q, &test, err, errlen);
	if (!st)
		st = solve(train, fit, err, errlen);
	if (!st) {
		double ss = 0;
		for (size_t e = 0; e < train->batch; e++) {
			double d = predict(fit, train, e) - train->size[e];
			ss += d * d;
		}
		fit->train_rms = sqrt(ss / (double)train->batch);
		double mean = 0, var = 0, hits = 0;
		ss = 0;
		for (size_t e = 0; e < test->batch; e++)
			mean += test->size[e];
		mean /= (double)test->batch;
		for (size_t e = 0; e < test->batch; e++) {
			double d = predict(fit, test, e) - test->size[e];
			double v = test->size[e] - mean;
			ss += d * d;
			var += v * v;
			hits += fabs(d) <= 0.5;
		}
		fit->test_rms = sqrt(ss / (double)test->batch);
		fit->test_r2 = var > 0 ? 1 - ss / var : NAN;
		fit->test_accuracy = hits / (double)test->batch;
	}
	dk_drum_batch_free(train);
	dk_drum_batch_free(test);
	return st;
}

static int scalar(dk_bundle *b, const char *name, double v, const json_t *attrs)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 0, NULL);
	if (t)
		*(double *)t->data = v;
	return dk_bundle_add_record(b, name, t, NULL, 0, attrs);
}

int dk_drum_fit_to_bundle(const dk_drum_params *p, const dk_drum_fit *fit,
                          dk_bundle *b)
{
	static const char *const coef_axes[] = {"feature"};
	json_t *a = dk_drum_params_to_json(p);
	if (!a || json_object_del(a, "split") ||
	    json_object_set_new(a, "features", json_string("1, 1/frequency per mode"))) {
		json_decref(a);
		return DK_ENOMEM;
	}
	size_t m = fit->modes + 1;
	dk_tensor *c = dk_tensor_alloc(DK_F8, 0, 1, &m);
	for (size_t k = 0; c && k < m; k++)
		((double *)c->data)[k] = fit->coef[k];
	int st = dk_bundle_add_record(b, DK_NAME_DRUM_COEF, c, coef_axes, 1, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TRAIN_RMS, fit->train_rms, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_RMS, fit->test_rms, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_R2, fit->test_r2, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_ACCURACY, fit->test_accuracy, a);
	json_decref(a);
	return st;
}
