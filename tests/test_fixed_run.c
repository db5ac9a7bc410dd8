/*
 * test_fixed_run.c -- the fixed-point search on a model as one call
 * (dk_fixed_run) and its records (dk_fixed_to_bundle): the call gives
 * the very points of dk_fixed_find on the same start states (taken in
 * order, or drawn by dk_fixed_sample), and the very spectra of
 * dk_fixed_spectra at them -- the same code path, so equal to the bit;
 * it refuses specs that do not fit, with messages naming no option; and
 * the records carry the names, dtypes, shapes, axes and attrs of the
 * schema.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static dk_model *make(const char *kind, size_t n, size_t in, uint64_t seed)
{
	dk_model_spec s = {.kind = kind, .units = n, .inputs = in, .outputs = 1,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 1.5,
	                   .seed = seed};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# %s\n", err);
	return m;
}

/* P states of n, N(0, 1) from seed. */
static double *states(size_t P, size_t n, uint64_t seed)
{
	double *x = malloc(P * n * sizeof *x);
	dk_rng *r = dk_rng_alloc(seed);
	for (size_t i = 0; i < P * n; i++)
		x[i] = dk_rng_normal(r, 1);
	dk_rng_free(r);
	return x;
}

/* dk_fixed_find from B starts x0 under u, by hand. */
static dk_fixed_points *by_hand(const dk_model *m, const dk_fixed_opts *o,
                                size_t B, const double *x0, const double *u)
{
	char err[256];
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, o);
	dk_fixed_points *p = dk_fixed_points_alloc(2 * B, dk_model_state_size(m));
	if (dk_fixed_find(w, m, B, x0, u, p, err, sizeof err)) {
		printf("# %s\n", err);
		dk_fixed_points_free(p);
		p = NULL;
	}
	dk_fixed_work_free(w);
	return p;
}

static int same_points(const dk_fixed_points *a, const dk_fixed_points *b)
{
	size_t C = a->count, n = a->n;
	return a->count == b->count && a->n == b->n &&
	       !memcmp(a->x, b->x, C * n * sizeof *a->x) &&
	       !memcmp(a->q, b->q, C * sizeof *a->q) &&
	       !memcmp(a->residual, b->residual, C * sizeof *a->residual) &&
	       !memcmp(a->adam_iters, b->adam_iters, C * sizeof *a->adam_iters) &&
	       !memcmp(a->newton_iters, b->newton_iters, C * sizeof *a->newton_iters) &&
	       !memcmp(a->kind, b->kind, C * sizeof *a->kind);
}

static void test_same_as_find(void)
{
	size_t n = 6, ni = 2, P = 40;
	dk_model *m = make("rnn", n, ni, 3);
	double *x = states(P, n, 5), u[2] = {0.3, -0.2};
	char err[256];
	dk_fixed_search s;
	dk_fixed_search_default(&s);
	dk_fixed_result *r = NULL;

	/* every state, in order, zero input */
	int st = dk_fixed_run(m, P, x, &s, &r, err, sizeof err);
	dk_fixed_points *want = by_hand(m, &s.opts, P, x, NULL);
	ok(!st && r && want && same_points(r->points, want),
	   "every state in order: dk_fixed_find's points, to the bit (%zu)",
	   r ? r->points->count : 0);
	ok(!st && r->m == ni && r->input[0] == 0 && r->input[1] == 0 &&
	   !r->eig && !r->index, "zero input held; no spectra unasked");
	dk_fixed_points_free(want);
	dk_fixed_result_free(r);

	/* drawn with noise, under an input, with spectra */
	s.u = u;
	s.nu = ni;
	s.sample = 15;
	s.noise = 0.1;
	s.seed = 9;
	s.spectra = 1;
	st = dk_fixed_run(m, P, x, &s, &r, err, sizeof err);
	double *x0 = malloc(15 * n * sizeof *x0);
	dk_fixed_sample(P, n, x, 15, 0.1, 9, x0);
	want = by_hand(m, &s.opts, 15, x0, u);
	ok(!st && r && want && same_points(r->points, want),
	   "--sample and --noise: dk_fixed_find on dk_fixed_sample's starts, to the bit");
	ok(!st && !memcmp(r->input, u, sizeof u), "the input held is u");
	if (!st && want) {
		size_t C = want->count;
		double complex *eig = malloc(C * n * sizeof *eig);
		int64_t *index = malloc(C * sizeof *index);
		int sst = dk_fixed_spectra(m, DK_MAP, want, u, 1e-10, eig, index,
		                           err, sizeof err);
		ok(!sst && r->eig && r->index &&
		   !memcmp(r->eig, eig, C * n * sizeof *eig) &&
		   !memcmp(r->index, index, C * sizeof *index),
		   "spectra: dk_fixed_spectra's at the points, to the bit");
		free(eig);
		free(index);
	} else
		ok(0, "spectra: %s", err);
	free(x0);
	dk_fixed_points_free(want);
	dk_fixed_result_free(r);

	/* noise alone: all P starts in a drawn order */
	s.sample = 0;
	s.spectra = 0;
	st = dk_fixed_run(m, P, x, &s, &r, err, sizeof err);
	x0 = malloc(P * n * sizeof *x0);
	dk_fixed_sample(P, n, x, P, 0.1, 9, x0);
	want = by_hand(m, &s.opts, P, x0, u);
	ok(!st && r && want && same_points(r->points, want),
	   "--noise alone: every state, in dk_fixed_sample's order");
	free(x0);
	dk_fixed_points_free(want);
	dk_fixed_result_free(r);
	free(x);
	dk_model_free(m);
}

static void test_refusals(void)
{
	size_t n = 3, P = 4;
	dk_model *m = make("rnn", n, 2, 1);
	double *x = states(P, n, 2), u[3] = {1, 2, 3};
	char err[256];
	dk_fixed_search s;
	dk_fixed_search_default(&s);
	dk_fixed_result *r = (dk_fixed_result *)1;

	s.sample = 5;
	is_int(dk_fixed_run(m, P, x, &s, &r, err, sizeof err), DK_EINVAL,
	       "more starts drawn than states: refused");
	ok(r == NULL && strstr(err, "5") && strstr(err, "4") && !strstr(err, "--"),
	   "the message gives both counts and names no option: %s", err);
	is_int(dk_fixed_check_sample(4, 4, err, sizeof err), DK_OK,
	       "as many starts drawn as states: taken");

	s.sample = 0;
	s.u = u;
	s.nu = 3;
	is_int(dk_fixed_run(m, P, x, &s, &r, err, sizeof err), DK_EINVAL,
	       "3 input values for 2 inputs: refused");
	ok(strstr(err, "3 values") && !strstr(err, "--"), "message: %s", err);
	is_int(dk_model_check_inputs(m, 2, err, sizeof err), DK_OK,
	       "2 input values for 2 inputs: taken");

	s.u = NULL;
	s.opts.convention = DK_FLOW;
	is_int(dk_fixed_run(m, P, x, &s, &r, err, sizeof err), DK_EINVAL,
	       "the flow convention of a discrete-time model: refused");
	ok(!strstr(err, "--"), "message: %s", err);

	/* the order of the checks: the sample first, as the tool's */
	s.sample = 9;
	s.u = u;
	dk_fixed_run(m, P, x, &s, &r, err, sizeof err);
	ok(strstr(err, "9") != NULL, "the sample is checked first: %s", err);
	free(x);
	dk_model_free(m);
}

/* The record named name: its tensor and meta, or NULLs. */
static const dk_tensor *record(const dk_bundle *b, const char *name,
                               const dk_meta **meta)
{
	long i = dk_bundle_find(b, name);
	*meta = i < 0 ? NULL : dk_bundle_meta(b, (size_t)i);
	return i < 0 ? NULL : dk_bundle_tensor(b, (size_t)i);
}

static int axes_are(const dk_meta *m, const char *a0, const char *a1)
{
	json_t *ax = m ? dk_meta_axes(m) : NULL;
	size_t want = a1 ? 2 : 1;
	return ax && json_array_size(ax) == want &&
	       !strcmp(json_string_value(json_array_get(ax, 0)), a0) &&
	       (!a1 || !strcmp(json_string_value(json_array_get(ax, 1)), a1));
}

static void test_records(void)
{
	size_t n = 4, P = 12;
	dk_model *m = make("gru", n, 2, 4);
	double *x = states(P, n, 3), u[2] = {0.5, -1};
	char err[256];
	dk_fixed_search s;
	dk_fixed_search_default(&s);
	s.u = u;
	s.nu = 2;
	s.spectra = 1;
	s.opts.tol_unique = 1e-3;
	dk_fixed_result *r = NULL;
	dk_bundle *b = dk_bundle_alloc();
	int st = dk_fixed_run(m, P, x, &s, &r, err, sizeof err);
	if (st)
		printf("# %s\n", err);
	st = st ? st : dk_fixed_to_bundle(r, b);
	is_int(st, DK_OK, "a gru's points with spectra, as records");
	size_t C = r ? r->points->count : 0;
	static const char *const names[] = {
		DK_NAME_FP_X, DK_NAME_FP_Q, DK_NAME_FP_ITERS, DK_NAME_FP_KIND,
		DK_NAME_FP_EIG, DK_NAME_FP_INDEX, DK_NAME_FP_OUTPUT,
	};
	int order = dk_bundle_size(b) == 7;
	for (size_t i = 0; order && i < 7; i++)
		order = !strcmp(dk_bundle_name(b, i), names[i]);
	ok(order, "fp/x, fp/q, fp/iters, fp/kind, fp/eig, fp/index, fp/output, in that order");

	const dk_meta *mx, *mq, *mi, *mk, *me, *mn;
	const dk_tensor *tx = record(b, DK_NAME_FP_X, &mx), *tq = record(b, DK_NAME_FP_Q, &mq);
	const dk_tensor *ti = record(b, DK_NAME_FP_ITERS, &mi), *tk = record(b, DK_NAME_FP_KIND, &mk);
	const dk_tensor *te = record(b, DK_NAME_FP_EIG, &me), *tn = record(b, DK_NAME_FP_INDEX, &mn);
	ok(tx && tx->dtype == DK_F8 && tx->rank == 2 && tx->shape[0] == C &&
	   tx->shape[1] == n && !memcmp(tx->data, r->points->x, C * n * sizeof(double)) &&
	   axes_are(mx, "point", "unit"), "fp/x: f8 (point, unit), the points");
	ok(tq && tq->dtype == DK_F8 && tq->rank == 1 && tq->shape[0] == C &&
	   !memcmp(tq->data, r->points->q, C * sizeof(double)) &&
	   axes_are(mq, "point", NULL), "fp/q: f8 (point), their q");
	int iters = ti && ti->dtype == DK_I8 && ti->rank == 2 && ti->shape[0] == C &&
	            ti->shape[1] == 2 && axes_are(mi, "point", "stage");
	for (size_t c = 0; iters && c < C; c++)
		iters = ((int64_t *)ti->data)[2 * c] == r->points->adam_iters[c] &&
		        ((int64_t *)ti->data)[2 * c + 1] == r->points->newton_iters[c];
	ok(iters, "fp/iters: i8 (point, stage), Adam's then Newton's steps");
	ok(tk && tk->dtype == DK_I8 && tk->rank == 1 && tk->shape[0] == C &&
	   !memcmp(tk->data, r->points->kind, C * sizeof(int64_t)) &&
	   axes_are(mk, "point", NULL), "fp/kind: i8 (point)");
	ok(te && te->dtype == DK_C16 && te->rank == 2 && te->shape[0] == C &&
	   te->shape[1] == n && !memcmp(te->data, r->eig, C * n * sizeof(double complex)) &&
	   axes_are(me, "point", "eig"), "fp/eig: c16 (point, eig), the eigenvalues");
	ok(tn && tn->dtype == DK_I8 && tn->rank == 1 && tn->shape[0] == C &&
	   !memcmp(tn->data, r->index, C * sizeof(int64_t)) &&
	   axes_are(mn, "point", NULL), "fp/index: i8 (point)");

	json_t *a = mx ? json_object_get(dk_meta_attrs(mx), "fixed") : NULL;
	json_t *in = json_object_get(a, "input");
	ok(a && json_object_size(a) == 19, "attrs fixed: the convention, the input and 17 settings (%zu)",
	   json_object_size(a));
	ok(a && !strcmp(json_string_value(json_object_get(a, "convention")), "map") &&
	   json_array_size(in) == 2 && json_real_value(json_array_get(in, 0)) == 0.5 &&
	   json_real_value(json_array_get(in, 1)) == -1 &&
	   json_real_value(json_object_get(a, "tol_unique")) == 1e-3 &&
	   json_real_value(json_object_get(a, "jac_tol")) == 1e-10 &&
	   json_integer_value(json_object_get(a, "max_iters")) == 5000 &&
	   json_is_null(json_object_get(a, "max_q")) &&
	   json_is_true(json_object_get(a, "newton_starts")) &&
	   json_is_false(json_object_get(a, "keep_diverged")),
	   "attrs fixed: the convention, the input, the settings as run");
	int alike = 1;
	for (size_t i = 1; i < dk_bundle_size(b); i++)
		alike &= json_equal(json_object_get(dk_meta_attrs(dk_bundle_meta(b, i)), "fixed"), a);
	ok(alike, "every record carries the same attrs");
	dk_bundle_free(b);

	/* without spectra: four records */
	free(r->eig);
	free(r->index);
	r->eig = NULL;
	r->index = NULL;
	b = dk_bundle_alloc();
	ok(!dk_fixed_to_bundle(r, b) && dk_bundle_size(b) == 5 &&
	   dk_bundle_find(b, DK_NAME_FP_EIG) < 0,
	   "without spectra: fp/x, fp/q, fp/iters, fp/kind, fp/output only");
	dk_bundle_free(b);
	dk_fixed_result_free(r);
	free(x);
	dk_model_free(m);
}

/*
 * A spectrum that cannot be made (a Jacobian that is not finite) is
 * reported for the first such point, as going through them in order
 * would, though the points are shared among threads: a NaN at point 2
 * and at point 7 of 10 (split in two parts or more, two parts meet
 * one each): the message names point 2.
 */
static void test_spectra_failure(void)
{
	enum { P = 10, N = 6 };
	dk_model *m = make("rnn", N, 1, 5);
	if (!ok(m != NULL, "a model to fail"))
		return;
	dk_fixed_points *p = dk_fixed_points_alloc(P, N);
	p->count = P;
	for (size_t i = 0; i < P * N; i++)
		p->x[i] = 0.1 * (double)(i % 7);
	p->x[2 * N + 4] = NAN;
	p->x[7 * N + 1] = NAN;
	double complex *eig = malloc(P * N * sizeof *eig);
	int64_t *index = malloc(P * sizeof *index);
	double u[1] = {0};
	char err[256] = "";
	int st = dk_fixed_spectra(m, DK_MAP, p, u, 1e-10, eig, index, err, sizeof err);
	ok(st == DK_EINVAL && !strncmp(err, "point 2: Jacobian entry", 23) &&
	   strstr(err, "is not finite"),
	   "the first point whose Jacobian is not finite is the one reported (%s)", err);
	free(eig);
	free(index);
	dk_fixed_points_free(p);
	dk_model_free(m);
}

int main(void)
{
	test_same_as_find();
	test_spectra_failure();
	test_refusals();
	test_records();
	return tap_done();
}
