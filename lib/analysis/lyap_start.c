/*
 * lyap_start.c -- where a Lyapunov run starts and what drives it (see
 * lyap.h): a seeded random state, a state found in a stream, or one batch
 * entry of a stream's input from its initial state; and the options such
 * a start implies (every exponent, the steps the input leaves).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lyap.h"
#include "analysis/points.h"
#include "base/rng.h"
#include "base/status.h"
#include "models/run.h"
#include "stream/names.h"

/* The random start's stream: the seed's, moved off the basis's. */
#define START_STREAM UINT64_C(0x9e3779b97f4a7c15)

void dk_lyap_start_clear(dk_lyap_start *s)
{
	free(s->x0);
	dk_tensor_free(s->input);
	memset(s, 0, sizeof *s);
}

/* s cleared, with room for n states; DK_ENOMEM with a message. */
static int start_alloc(dk_lyap_start *s, size_t n, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->x0 = malloc((n ? n : 1) * sizeof *s->x0);
	if (!s->x0)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	return DK_OK;
}

int dk_lyap_start_random(dk_lyap_start *s, const dk_model *m, uint64_t seed,
                         char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m);
	int st = start_alloc(s, n, err, errlen);
	dk_rng *r = st ? NULL : dk_rng_alloc(seed ^ START_STREAM);
	if (!r) {
		dk_lyap_start_clear(s);
		return st ? st : dk_errorf(DK_ENOMEM, err, errlen, "%s",
		                           dk_strerror(DK_ENOMEM));
	}
	for (size_t i = 0; i < n; i++)
		s->x0[i] = dk_rng_normal(r, 1);
	dk_rng_free(r);
	snprintf(s->how, sizeof s->how, "random");
	return DK_OK;
}

/* The run follows entry of the input x, from h0's row or the model's
   start at the entry's first input (dk_model_start: zero for every kind
   but the nwm), as dk-run starts. */
static int from_input(dk_lyap_start *s, const dk_model *m, const dk_bundle *b,
                      const dk_tensor *x, size_t entry, char *err,
                      size_t errlen)
{
	size_t n = dk_model_state_size(m), nin = dk_model_input_size(m);
	if (x->rank != 3 || x->shape[2] != nin) {
		char sh[64];
		dk_shape_format(sh, sizeof sh, x->rank, x->shape);
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s must be (time, batch, %zu), not %s",
		                 DK_NAME_INPUT, nin, sh);
	}
	if (entry >= x->shape[1])
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "entry %zu: the %s has %zu batch entries", entry,
		                 DK_NAME_INPUT, x->shape[1]);
	int st = dk_tensor_convert_named(x, DK_F8, &s->input, DK_NAME_INPUT, err, errlen);
	if (st)
		return st;
	s->u = (const double *)s->input->data + entry * nin;
	s->u_stride = x->shape[1] * nin;
	s->u_rows = x->shape[0];
	const dk_tensor *h0;
	st = dk_model_h0_from_bundle(m, b, x->shape[1], &h0, err, errlen);
	if (st)
		return st;
	int start = !h0 && dk_model_has_start(m);
	if (h0) {
		memcpy(s->x0, (const double *)h0->data + entry * n, n * sizeof *s->x0);
	} else if (start) {
		dk_model_work *w = dk_model_work_alloc(m, 1);
		st = w ? dk_model_start(m, w, 1, x->shape[0] ? s->u : NULL, s->x0, NULL)
		       : DK_ENOMEM;
		dk_model_work_free(w);
		if (st)
			return dk_errorf(st, err, errlen, "the model's start: %s", dk_strerror(st));
	} else {
		memset(s->x0, 0, n * sizeof *s->x0);
	}
	snprintf(s->how, sizeof s->how, "%s entry %zu from %s", DK_NAME_INPUT,
	         entry, h0 ? DK_NAME_H0 : start ? "the model's start" : "zero");
	return DK_OK;
}

/* The run starts from state point of the states in b. */
static int from_points(dk_lyap_start *s, const dk_model *m, const dk_bundle *b,
                       size_t point, char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m);
	dk_tensor *p = NULL;
	const char *name = NULL;
	int st = dk_points_from_bundle(b, n, &p, &name, err, errlen);
	if (st)
		return st;
	if (point >= p->shape[0])
		st = dk_errorf(DK_EINVAL, err, errlen, "point %zu: %s holds %zu states",
		               point, name[0] ? name : "the tensor", p->shape[0]);
	else {
		memcpy(s->x0, (const double *)p->data + point * n, n * sizeof *s->x0);
		snprintf(s->how, sizeof s->how, "point %zu of %s", point,
		         name[0] ? name : "the input");
	}
	dk_tensor_free(p);
	return st;
}

int dk_lyap_start_from_bundle(dk_lyap_start *s, const dk_model *m,
                              const dk_bundle *b, size_t entry, size_t point,
                              char *err, size_t errlen)
{
	int st = start_alloc(s, dk_model_state_size(m), err, errlen);
	if (st)
		return st;
	const dk_tensor *x = dk_bundle_get(b, DK_NAME_INPUT);
	if (x && point != DK_LYAP_UNSET)
		st = dk_errorf(DK_EINVAL, err, errlen, "point %zu: the run follows an entry of "
		               "%s, not a state", point, DK_NAME_INPUT);
	else if (!x && entry != DK_LYAP_UNSET)
		st = dk_errorf(DK_EINVAL, err, errlen, "entry %zu: there is no %s to follow, "
		               "only states to start from", entry, DK_NAME_INPUT);
	else
		st = x ? from_input(s, m, b, x, entry == DK_LYAP_UNSET ? 0 : entry, err, errlen)
		       : from_points(s, m, b, point == DK_LYAP_UNSET ? 0 : point, err, errlen);
	if (st)
		dk_lyap_start_clear(s);
	return st;
}

int dk_lyap_options_fit(dk_lyap_options *o, const dk_model *m,
                        const dk_lyap_start *s, char *err, size_t errlen)
{
	if (o->k == 0)
		o->k = dk_model_state_size(m);
	if (!s->u) {
		if (o->steps == 0)
			o->steps = DK_LYAP_STEPS_DEFAULT;
		return DK_OK;
	}
	size_t pre = o->transient + o->basis_transient, rows = s->u_rows;
	if (o->steps == 0)
		o->steps = rows > pre ? rows - pre : 0;
	if (o->steps == 0 || pre + o->steps > rows)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the %s has %zu steps; the transients (%zu) and at "
		                 "least one measured step need %zu", DK_NAME_INPUT,
		                 rows, pre, pre + (o->steps ? o->steps : 1));
	return DK_OK;
}
