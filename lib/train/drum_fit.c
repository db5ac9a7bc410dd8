/*
 * drum_fit.c -- the drum's linear readouts (drum.h): the size and the
 * class of a shape from the frequencies it rings at, fitted by least
 * squares (LAPACK's dgelsd, which also takes a rank-deficient design,
 * such as sheets all of one size) on a train split and scored on the
 * test split.
 *
 * The size's features are 1 and 1 / freq_k: a shape's frequencies scale
 * as 1 / size at a fixed form (exactly so for the continuous drum), so
 * a map linear in them is the readout the physics suggests.  The
 * class's are free of the scale: the ratios freq_k / freq_0, and their
 * squares, so that the classes' regions may be bounded by curves.
 */
#include <config.h>

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/tensor.h"
#include "stream/names.h"
#include "train/loss.h"
#include "train/drum.h"
#include "train/task_impl.h"

/* Row e of the size's design: 1, then 1 / freq over the first m modes
   (0 for a missing one). */
static void size_features(const dk_drum_batch *b, size_t e, size_t m, double *row)
{
	row[0] = 1;
	for (size_t k = 0; k < m; k++) {
		double f = b->freq[e * DK_DRUM_FEATURES + k];
		row[1 + k] = isnan(f) ? 0 : 1 / f;
	}
}

/* Row e of the class's design: 1, the ratios r_k = freq_k / freq_0 for
   0 < k < m (0 for a missing one), then their squares. */
static void class_features(const dk_drum_batch *b, size_t e, size_t m, double *row)
{
	const double *f = b->freq + e * DK_DRUM_FEATURES;
	row[0] = 1;
	for (size_t k = 1; k < m; k++) {
		double r = isnan(f[k]) ? 0 : f[k] / f[0];
		row[k] = r;
		row[m - 1 + k] = r * r;
	}
}

/* How many features each design has with m modes. */
static size_t size_count(size_t m)
{
	return m + 1;
}

static size_t class_count(size_t m)
{
	return 2 * m - 1;
}

/* The features of each readout, and its answers: the size, or the class
   one-hot. */
typedef struct {
	size_t q; /* answers */
	size_t (*count)(size_t);
	void (*features)(const dk_drum_batch *, size_t, size_t, double *);
} readout;

static const readout size_readout = {1, size_count, size_features};
static const readout class_readout = {DK_DRUM_CLASSES, class_count, class_features};

/* Least squares of r on the train batch b, with m modes: the p x q
   coefficients into coef. */
static int solve(readout r, const dk_drum_batch *b, size_t m, double *coef,
                 char *err, size_t errlen)
{
	size_t p = r.count(m), n = b->batch, rows = n > p ? n : p;
	double *A = malloc(n * p * sizeof *A), *Y = calloc(rows * r.q, sizeof *Y);
	double *sv = malloc(p * sizeof *sv);
	int st = A && Y && sv ? DK_OK : dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	for (size_t e = 0; e < n && !st; e++) {
		r.features(b, e, m, A + e * p);
		if (r.q == 1)
			Y[e] = b->size[e];
		else
			Y[e * r.q + (size_t)b->cls[e]] = 1;
	}
	lapack_int rank;
	if (!st && LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)p,
	                          (lapack_int)r.q, A, (lapack_int)p, Y, (lapack_int)r.q,
	                          sv, -1.0, &rank))
		st = dk_task_fail(err, errlen, DK_ENUMERIC, "drum: the least-squares fit failed");
	if (!st)
		memcpy(coef, Y, p * r.q * sizeof *coef);
	free(A);
	free(Y);
	free(sv);
	return st;
}

/* The readout r's answers for sheet e of b: out[0..q). */
static void predict(readout r, const double *coef, const dk_drum_batch *b, size_t e,
                    size_t m, double *out)
{
	double row[2 * DK_DRUM_FEATURES];
	size_t p = r.count(m);
	r.features(b, e, m, row);
	for (size_t j = 0; j < r.q; j++) {
		out[j] = 0;
		for (size_t k = 0; k < p; k++)
			out[j] += row[k] * coef[k * r.q + j];
	}
}

/* The size's scores on b: the rms error, R^2 and the accuracy. */
static void score_size(const dk_drum_fit *fit, const dk_drum_batch *b, double *rms,
                       double *r2, double *accuracy)
{
	double mean = 0, ss = 0, var = 0, hits = 0;
	for (size_t e = 0; e < b->batch; e++)
		mean += b->size[e];
	mean /= (double)b->batch;
	for (size_t e = 0; e < b->batch; e++) {
		double y;
		predict(size_readout, fit->coef, b, e, fit->modes, &y);
		double d = y - b->size[e], v = b->size[e] - mean;
		ss += d * d;
		var += v * v;
		hits += fabs(d) <= 0.5;
	}
	*rms = sqrt(ss / (double)b->batch);
	if (r2)
		*r2 = var > 0 ? 1 - ss / var : NAN;
	if (accuracy)
		*accuracy = hits / (double)b->batch;
}

/* The class's accuracy on b: the largest answer's class (the first of
   equals) against the true one. */
static double score_class(const dk_drum_fit *fit, const dk_drum_batch *b)
{
	double hits = 0, y[DK_DRUM_CLASSES];
	for (size_t e = 0; e < b->batch; e++) {
		predict(class_readout, fit->class_coef, b, e, fit->modes, y);
		hits += (int64_t)dk_loss_argmax(y, DK_DRUM_CLASSES) == b->cls[e];
	}
	return hits / (double)b->batch;
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
		st = solve(size_readout, train, p->modes, fit->coef, err, errlen);
	if (!st)
		st = solve(class_readout, train, p->modes, fit->class_coef, err, errlen);
	if (!st) {
		score_size(fit, train, &fit->train_rms, NULL, NULL);
		score_size(fit, test, &fit->test_rms, &fit->test_r2, &fit->test_accuracy);
		fit->test_class_accuracy = score_class(fit, test);
	}
	dk_drum_batch_free(train);
	dk_drum_batch_free(test);
	return st;
}

static int scalar(dk_bundle *b, const char *name, double v, const json_t *attrs)
{
	return dk_bundle_add_record(b, name, dk_tensor_scalar(v), NULL, 0, attrs);
}

int dk_drum_fit_to_bundle(const dk_drum_params *p, const dk_drum_fit *fit,
                          dk_bundle *b)
{
	static const char *const coef_axes[] = {"feature"};
	static const char *const class_axes[] = {"feature", "class"};
	json_t *a = dk_drum_params_to_json(p);
	if (!a || json_object_del(a, "split") ||
	    json_object_set_new(a, "features", json_string("1, 1/frequency per mode")) ||
	    json_object_set_new(a, "class_features",
	                        json_string("1, frequency/dominant per further mode, their squares"))) {
		json_decref(a);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, DK_NAME_DRUM_COEF,
	                              dk_tensor_vector(fit->coef, size_count(fit->modes)),
	                              coef_axes, 1, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TRAIN_RMS, fit->train_rms, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_RMS, fit->test_rms, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_R2, fit->test_r2, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_ACCURACY, fit->test_accuracy, a);
	size_t cshape[2] = {class_count(fit->modes), DK_DRUM_CLASSES};
	dk_tensor *cc = st ? NULL : dk_tensor_from(DK_F8, 2, cshape, fit->class_coef);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_DRUM_CLASS_COEF, cc, class_axes, 2, a);
	if (!st)
		st = scalar(b, DK_NAME_DRUM_TEST_CLASS_ACCURACY, fit->test_class_accuracy, a);
	json_decref(a);
	return st;
}
