/*
 * run.c -- a model's trajectory along an input sequence, and the initial
 * states a stream gives for one.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "base/status.h"
#include "models/run.h"
#include "stream/names.h"

/* The run of both: with `from` 0 every step reads its own input; from
   step `from` on, the output of the step before (outputs required). */
static int run_steps(const dk_model *m, size_t T, size_t B, const double *x0,
                     const double *inputs, size_t from, double *states,
                     double *outputs)
{
	size_t n = dk_model_state_size(m), in = dk_model_input_size(m);
	size_t o = dk_model_output_size(m);
	if (T == 0 || B == 0)
		return DK_OK;
	dk_model_work *w = dk_model_work_alloc(m, B);
	/* a separate start: a step may not read and write one buffer */
	double *start = x0 ? NULL : calloc(B * n, sizeof *start);
	if (!w || (!x0 && !start)) {
		dk_model_work_free(w);
		free(start);
		return DK_ENOMEM;
	}
	const double *prev = x0 ? x0 : start;
	int st = x0 ? DK_OK : dk_model_start(m, w, B, inputs, start, NULL);
	for (size_t t = 0; t < T && !st; t++) {
		double *cur = states + t * B * n;
		/* fed back, the output of step t - 1 is the input of step t:
		   each step reads it before its own output is written beside it */
		const double *u = from && t >= from ? outputs + (t - 1) * B * o
		                  : inputs ? inputs + t * B * in : NULL;
		st = dk_model_step(m, w, B, prev, u, cur, NULL);
		if (!st && outputs)
			st = dk_model_readout(m, B, cur, outputs + t * B * o);
		prev = cur;
	}
	dk_model_work_free(w);
	free(start);
	return st;
}

int dk_model_run(const dk_model *m, size_t T, size_t B, const double *x0,
                 const double *inputs, double *states, double *outputs)
{
	return run_steps(m, T, B, x0, inputs, 0, states, outputs);
}

int dk_model_run_feedback(const dk_model *m, size_t T, size_t B, const double *x0,
                          const double *inputs, size_t from, double *states,
                          double *outputs)
{
	if (from && (dk_model_input_size(m) != dk_model_output_size(m) || !outputs))
		return DK_EINVAL;
	return run_steps(m, T, B, x0, inputs, from, states, outputs);
}

int dk_model_h0_from_bundle(const dk_model *m, const dk_bundle *b, size_t B,
                            const dk_tensor **h0, char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m);
	const dk_tensor *t = dk_bundle_get(b, DK_NAME_H0);
	*h0 = NULL;
	if (t && (t->dtype != DK_F8 || t->rank != 2 || t->shape[0] != B ||
	          t->shape[1] != n))
		return dk_errorf(DK_EINVAL, err, errlen, "%s must be f8 (%zu, %zu)",
		                 DK_NAME_H0, B, n);
	const double *v = t ? t->data : NULL;
	for (size_t i = 0; t && i < t->count; i++)
		if (!isfinite(v[i]))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: element %zu is %g; a state "
			                 "is finite", DK_NAME_H0, i, v[i]);
	*h0 = t;
	return DK_OK;
}
