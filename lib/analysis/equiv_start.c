/*
 * equiv_start.c -- where the trajectories of an equivariance run start
 * and what drives them (see equiv.h): N(0, 1) states and inputs drawn
 * from a seed, or a stream's input with its h0, else the model's start
 * at the input of the first step (dk_model_start: zero for every kind
 * without one), as dk-run starts.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv.h"
#include "base/rng.h"
#include "base/status.h"
#include "models/run.h"
#include "stream/names.h"

void dk_equiv_start_clear(dk_equiv_start *s)
{
	free(s->x0);
	free(s->u);
	memset(s, 0, sizeof *s);
}

/* s with room for B trajectories of T steps; DK_ENOMEM with a message. */
static int start_alloc(dk_equiv_start *s, const dk_model *m, size_t B, size_t T,
                       char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	memset(s, 0, sizeof *s);
	s->batch = B, s->steps = T;
	s->x0 = calloc(B * n, sizeof *s->x0);
	s->u = nu ? malloc(T * B * nu * sizeof *s->u) : NULL;
	if (!s->x0 || (nu && !s->u)) {
		dk_equiv_start_clear(s);
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	}
	return DK_OK;
}

int dk_equiv_start_random(dk_equiv_start *s, const dk_model *m,
                          const dk_equiv_options *o, char *err,
                          size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t B = o->samples ? o->samples : 1;
	size_t T = o->steps ? o->steps : DK_EQUIV_STEPS_DEFAULT;
	int st = start_alloc(s, m, B, T, err, errlen);
	dk_rng *r = st ? NULL : dk_rng_alloc(o->seed);
	if (!r) {
		dk_equiv_start_clear(s);
		return st ? st : dk_errorf(DK_ENOMEM, err, errlen, "%s",
		                           dk_strerror(DK_ENOMEM));
	}
	for (size_t i = 0; i < B * n; i++)
		s->x0[i] = dk_rng_normal(r, 1);
	for (size_t i = 0; i < T * B * nu; i++)
		s->u[i] = dk_rng_normal(r, 1);
	dk_rng_free(r);
	snprintf(s->how, sizeof s->how, "random, seed %llu",
	         (unsigned long long)o->seed);
	return DK_OK;
}

/* s->x0 = the model's start at the first step's inputs of s->u (the same
   call as dk-run's, so the same bits); s is cleared on failure. */
static int model_start(dk_equiv_start *s, const dk_model *m, char *err,
                       size_t errlen)
{
	dk_model_work *w = dk_model_work_alloc(m, s->batch);
	int st = w ? dk_model_start(m, w, s->batch, s->u, s->x0, NULL) : DK_ENOMEM;
	dk_model_work_free(w);
	if (st) {
		dk_equiv_start_clear(s);
		return dk_errorf(st, err, errlen, "the model's start: %s", dk_strerror(st));
	}
	return DK_OK;
}

int dk_equiv_start_from_bundle(dk_equiv_start *s, const dk_model *m,
                               const dk_bundle *b, const dk_equiv_options *o,
                               char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	const dk_tensor *x = dk_bundle_get(b, DK_NAME_INPUT);
	memset(s, 0, sizeof *s);
	if (!x)
		return dk_errorf(DK_EINVAL, err, errlen, "no tensor named %s",
		                 DK_NAME_INPUT);
	if (x->rank != 3 || x->shape[2] != nu || x->shape[0] == 0 || x->shape[1] == 0) {
		char sh[64];
		dk_shape_format(sh, sizeof sh, x->rank, x->shape);
		return dk_errorf(DK_EINVAL, err, errlen, "%s must be (time, batch, "
		                 "%zu) with time and batch at least 1, not %s",
		                 DK_NAME_INPUT, nu, sh);
	}
	size_t T = o->steps ? o->steps : x->shape[0], B = x->shape[1];
	if (T > x->shape[0])
		return dk_errorf(DK_EINVAL, err, errlen, "steps %zu: the %s has %zu",
		                 T, DK_NAME_INPUT, x->shape[0]);
	const dk_tensor *h0;
	dk_tensor *f8 = NULL;
	int st = dk_model_h0_from_bundle(m, b, B, &h0, err, errlen);
	if (!st)
		st = dk_tensor_convert_named(x, DK_F8, &f8, DK_NAME_INPUT, err, errlen);
	if (!st)
		st = start_alloc(s, m, B, T, err, errlen);
	int start = !h0 && dk_model_has_start(m);
	if (!st) {
		memcpy(s->u, f8->data, T * B * nu * sizeof *s->u);
		if (h0)
			memcpy(s->x0, h0->data, B * n * sizeof *s->x0);
		else if (start)
			st = model_start(s, m, err, errlen);
	}
	if (!st)
		snprintf(s->how, sizeof s->how, "%s from %s", DK_NAME_INPUT,
		         h0 ? DK_NAME_H0 : start ? "the model's start" : "zero");
	dk_tensor_free(f8);
	return st;
}
