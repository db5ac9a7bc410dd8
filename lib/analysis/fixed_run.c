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
	free(r->point_input);
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

/* The rows of the inputs that go with the B starts: the same draw of
   rows as the starts' (dk_fixed_sample, noise aside, draws its
   permutation first), taken on the row numbers. */
static int start_inputs(const dk_fixed_search *s, size_t P, size_t m, size_t B,
                        double *u0)
{
	if (!(s->sample || s->noise > 0)) {
		memcpy(u0, s->inputs, B * m * sizeof *u0);
		return DK_OK;
	}
	double *row = malloc((P ? P : 1) * sizeof *row), *drawn = malloc((B ? B : 1) * sizeof *drawn);
	int st = row && drawn ? DK_OK : DK_ENOMEM;
	for (size_t p = 0; !st && p < P; p++)
		row[p] = (double)p;
	if (!st)
		st = dk_fixed_sample(P, 1, row, B, 0, s->seed, drawn);
	for (size_t b = 0; !st && b < B; b++)
		memcpy(u0 + b * m, s->inputs + (size_t)drawn[b] * m, m * sizeof *u0);
	free(row);
	free(drawn);
	return st;
}

/* Append the count points of g, found under input u (m values), to r. */
static void append(dk_fixed_result *r, const dk_fixed_points *g, const double *u)
{
	dk_fixed_points *p = r->points;
	size_t n = p->n, at = p->count;
	memcpy(p->x + at * n, g->x, g->count * n * sizeof *p->x);
	memcpy(p->q + at, g->q, g->count * sizeof *p->q);
	memcpy(p->residual + at, g->residual, g->count * sizeof *p->residual);
	memcpy(p->adam_iters + at, g->adam_iters, g->count * sizeof *p->adam_iters);
	memcpy(p->newton_iters + at, g->newton_iters, g->count * sizeof *p->newton_iters);
	memcpy(p->kind + at, g->kind, g->count * sizeof *p->kind);
	for (size_t i = 0; i < g->count; i++)
		memcpy(r->point_input + (at + i) * r->m, u, r->m * sizeof *u);
	p->count += g->count;
}

/* dk_fixed_find on the B starts x0 in groups of equal input (rows of u0),
   the points into r. */
static int find_grouped(dk_fixed_work *w, const dk_model *m, size_t B,
                        const double *x0, const double *u0, dk_fixed_result *r,
                        char *err, size_t errlen)
{
	size_t n = r->points->n, ni = r->m;
	unsigned char *done = calloc(B ? B : 1, 1);
	double *xg = malloc((B && n ? B * n : 1) * sizeof *xg);
	dk_fixed_points *g = dk_fixed_points_alloc(r->points->capacity, n);
	size_t cap = r->points->capacity;
	r->point_input = malloc((cap && ni ? cap * ni : 1) * sizeof *r->point_input);
	int st = done && xg && g && r->point_input ? DK_OK
	         : dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	r->points->count = 0;
	for (size_t b = 0; !st && b < B; b++) {
		if (done[b])
			continue;
		const double *u = u0 + b * ni;
		size_t count = 0;
		for (size_t c = b; c < B; c++)
			if (!done[c] && !memcmp(u0 + c * ni, u, ni * sizeof *u)) {
				done[c] = 1;
				memcpy(xg + count++ * n, x0 + c * n, n * sizeof *xg);
			}
		st = dk_fixed_find(w, m, count, xg, u, g, err, errlen);
		if (!st)
			append(r, g, u);
	}
	free(done);
	free(xg);
	dk_fixed_points_free(g);
	return st;
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
	int st = r->eig && r->index ? DK_OK : DK_ENOMEM;
	/* each run of points of one input (with per-start inputs, the points
	   come in groups of equal input; else there is one run) */
	for (size_t a = 0, b; !st && a < C; a = b) {
		const double *u = r->point_input ? r->point_input + a * r->m : r->input;
		for (b = a + 1; b < C && r->point_input &&
		     !memcmp(r->point_input + b * r->m, u, r->m * sizeof *u); b++)
			;
		if (!r->point_input)
			b = C;
		dk_fixed_points run = *r->points;
		run.x = r->points->x + a * n;
		run.count = b - a;
		st = dk_fixed_spectra(m, r->search.opts.convention, &run, u,
		                      r->search.spectra_tol, r->eig + a * n, r->index + a,
		                      why, sizeof why);
	}
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
	if (!st && s->u && s->inputs)
		st = dk_errorf(DK_EINVAL, err, errlen, "one input for every start, or "
		               "each start's own; not both");
	if (st)
		return st;
	dk_fixed_result *r = calloc(1, sizeof *r);
	double *x0 = malloc((B && n ? B * n : 1) * sizeof *x0);
	double *u0 = s->inputs ? malloc((B && ni ? B * ni : 1) * sizeof *u0) : NULL;
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, &s->opts);
	if (r) {
		r->search = *s;
		r->m = ni;
		r->input = calloc(ni ? ni : 1, sizeof *r->input);
		r->points = dk_fixed_points_alloc(s->opts.newton_starts ? 2 * B : B, n);
	}
	st = r && r->input && r->points && x0 && w && (u0 || !s->inputs) ? DK_OK : DK_ENOMEM;
	if (!st && s->u)
		memcpy(r->input, s->u, ni * sizeof *r->input);
	if (!st)
		st = starts(s, P, n, states, B, x0);
	if (!st && s->inputs)
		st = start_inputs(s, P, ni, B, u0);
	if (st)
		dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	else if (s->inputs)
		st = find_grouped(w, m, B, x0, u0, r, err, errlen);
	else
		st = dk_fixed_find(w, m, B, x0, r->input, r->points, err, errlen);
	if (!st && s->spectra)
		st = spectra(m, r, err, errlen);
	if (!st)
		st = readouts(m, r, err, errlen);
	if (!st)
		dk_fixed_work_counts(w, &r->counts);
	free(x0);
	free(u0);
	dk_fixed_work_free(w);
	if (st) {
		dk_fixed_result_free(r);
		return st;
	}
	*out = r;
	return DK_OK;
}
