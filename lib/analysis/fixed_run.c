/*
 * fixed_run.c -- the fixed-point search on a model as one call (see
 * fixed.h): the spec checked against the model and the states, the start
 * states taken or drawn, the workspace made, dk_fixed_find, and the
 * points' spectra when they are wanted.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/fixed.h"
#include "base/status.h"

void dk_fixed_search_default(dk_fixed_search *s)
{
	*s = (dk_fixed_search){.spectra_tol = 1e-10};
	dk_fixed_opts_default(&s->opts);
}

int dk_fixed_check_sample(size_t P, size_t count, char *err, size_t errlen)
{
	if (count > P)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "cannot draw %zu start states from %zu", count, P);
	return DK_OK;
}

void dk_fixed_result_free(dk_fixed_result *r)
{
	if (!r)
		return;
	free(r->input);
	dk_fixed_points_free(r->points);
	free(r->eig);
	free(r->index);
	free(r->output);
	free(r);
}

/* The start states: the first B of the P states as given, or drawn. */
static int starts(const dk_fixed_search *s, size_t P, size_t n,
                  const double *states, size_t B, double *x0)
{
	if (s->sample || s->noise > 0)
		return dk_fixed_sample(P, n, states, B, s->noise, s->seed, x0);
	memcpy(x0, states, B * n * sizeof *x0);
	return DK_OK;
}

/* The spectra of the points r holds, into new arrays in r; a message
   says that it was the spectra that failed. */
static int spectra(const dk_model *m, dk_fixed_result *r, char *err,
                   size_t errlen)
{
	size_t C = r->points->count, n = r->points->n;
	char why[256] = "";
	r->eig = malloc((C && n ? C * n : 1) * sizeof *r->eig);
	r->index = malloc((C ? C : 1) * sizeof *r->index);
	int st = r->eig && r->index
	         ? dk_fixed_spectra(m, r->search.opts.convention, r->points,
	                            r->input, r->search.spectra_tol, r->eig,
	                            r->index, why, sizeof why)
	         : DK_ENOMEM;
	if (st)
		dk_errorf(st, err, errlen, "the spectra: %s",
		          why[0] ? why : dk_strerror(st));
	return st;
}

/* The readout at each point r holds, into a new array in r. */
static int readouts(const dk_model *m, dk_fixed_result *r, char *err,
                    size_t errlen)
{
	size_t C = r->points->count, k = dk_model_output_size(m);
	r->outputs = k;
	if (!k)
		return DK_OK;
	if (!(r->output = malloc((C ? C * k : 1) * sizeof *r->output)))
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	int st = C ? dk_model_readout(m, C, r->points->x, r->output) : DK_OK;
	if (st)
		dk_errorf(st, err, errlen, "the readout: %s", dk_strerror(st));
	return st;
}

int dk_fixed_run(const dk_model *m, size_t P, const double *states,
                 const dk_fixed_search *s, dk_fixed_result **out, char *err,
                 size_t errlen)
{
	*out = NULL;
	size_t n = dk_model_state_size(m), ni = dk_model_input_size(m);
	size_t B = s->sample ? s->sample : P;
	int st = dk_fixed_check_sample(P, B, err, errlen);
	if (!st)
		st = dk_convention_check(m, s->opts.convention, err, errlen);
	if (!st && s->u)
		st = dk_model_check_inputs(m, s->nu, err, errlen);
	if (st)
		return st;
	dk_fixed_result *r = calloc(1, sizeof *r);
	double *x0 = malloc((B && n ? B * n : 1) * sizeof *x0);
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, &s->opts);
	if (r) {
		r->search = *s;
		r->m = ni;
		r->input = calloc(ni ? ni : 1, sizeof *r->input);
		r->points = dk_fixed_points_alloc(s->opts.newton_starts ? 2 * B : B, n);
	}
	st = r && r->input && r->points && x0 && w ? DK_OK : DK_ENOMEM;
	if (!st && s->u)
		memcpy(r->input, s->u, ni * sizeof *r->input);
	if (!st)
		st = starts(s, P, n, states, B, x0);
	if (st)
		dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	else
		st = dk_fixed_find(w, m, B, x0, r->input, r->points, err, errlen);
	if (!st && s->spectra)
		st = spectra(m, r, err, errlen);
	if (!st)
		st = readouts(m, r, err, errlen);
	free(x0);
	dk_fixed_work_free(w);
	if (st) {
		dk_fixed_result_free(r);
		return st;
	}
	*out = r;
	return DK_OK;
}
