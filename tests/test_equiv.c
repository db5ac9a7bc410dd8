/*
 * test_equiv.c -- the equivariance analysis (analysis/equiv.h) on maps
 * whose answer is known exactly: x' = x + u with the input on the ring
 * (every error exactly 0: each unit's step is one addition of the same
 * two numbers, shifted or not), the same with one input weight doubled
 * (the input breaks it) or one bias entry set (the state does, or with
 * a small one, the drift it adds over time); the
 * options and layouts refused, with messages naming the field; the
 * starts (an nwm's where dk-run starts it, equivariant away from the
 * border); the records; and flows on the fernn (exact for its slices
 * with a partner, at velocities in V and beyond) and on the grnn with
 * the same weights (order 1), on rings and on sheets; and the groups
 * each model kind declares.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "stream/names.h"
#include "tap.h"

/* x' = W x + V u + b with W = I, V = I (n inputs), b = 0, all set here,
   and the identity activation: F(x, u) = x + u. */
static dk_model *identity_map(size_t n)
{
	dk_model_spec s = {.kind = "rnn", .units = n, .inputs = n, .outputs = 1,
	                   .act = DK_ACT_IDENTITY, .init = "identity", .gain = 1,
	                   .seed = 1};
	char err[256];
	dk_model *m = NULL;
	size_t off, count;
	if (dk_model_create(&s, &m, err, sizeof err)) {
		printf("# create: %s\n", err);
		return NULL;
	}
	double *p = dk_model_params(m);
	if (!dk_model_param_find(m, "model/W", &off, &count))
		for (size_t i = 0; i < count; i++)
			p[off + i] = i / n == i % n;
	if (!dk_model_param_find(m, "model/V", &off, &count))
		for (size_t i = 0; i < count; i++)
			p[off + i] = i / n == i % n;
	if (!dk_model_param_find(m, "model/b", &off, &count))
		memset(p + off, 0, count * sizeof *p);
	return m;
}

static double *param(dk_model *m, const char *name)
{
	size_t off, count;
	return dk_model_param_find(m, name, &off, &count) ? NULL
	                                                   : dk_model_params(m) + off;
}

static void test_options(void)
{
	char err[256];
	dk_equiv_options o = dk_equiv_options_default();
	is_int(dk_equiv_options_check(&o, err, sizeof err), DK_OK, "defaults pass");
	o.samples = 0;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "samples"), "samples 0 refused, named: %s", err);
	o = dk_equiv_options_default();
	o.tolerance = NAN;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "tolerance"), "tolerance NaN refused, named: %s", err);
	o.tolerance = 0;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL,
	   "tolerance 0 refused");
	o = dk_equiv_options_default();
	o.group = DK_EQUIV_FLOW;
	is_int(dk_equiv_options_check(&o, err, sizeof err), DK_OK, "group flow passes");
	o.shift = 1;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "shift"), "a flow with a shift refused, named: %s", err);
	o.shift = 0, o.sheet[0] = 2, o.sheet[1] = 3;
	is_int(dk_equiv_options_check(&o, err, sizeof err), DK_OK, "a flow on sheets passes");
	o.velocity_pair = 1;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "velocity"), "a flow at the pair (0, 0) refused, named: %s", err);
	o.velocity_pair = 0, o.velocity_y = 1;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "velocity"), "a y velocity without a pair refused, named: %s", err);
	o = dk_equiv_options_default();
	o.velocity = 1;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "velocity"), "a shift with a velocity refused, named: %s", err);
	o = dk_equiv_options_default();
	o.rings = 2, o.sheet[0] = 2, o.sheet[1] = 2;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "rings"), "rings and sheet refused: %s", err);
	o.rings = 0, o.sheet[1] = 0;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "sheet"), "half a sheet refused: %s", err);
	dk_equiv_group g;
	ok(!dk_equiv_group_from_name("shift", &g) && g == DK_EQUIV_SHIFT &&
	   dk_equiv_group_from_name("rotation", &g) == DK_EINVAL,
	   "group names");
}

static void test_layout(void)
{
	char err[256];
	dk_model *m = identity_map(12);
	dk_equiv_options o = dk_equiv_options_default();
	dk_layout l;
	is_int(dk_equiv_layout(m, &o, &l, err, sizeof err), DK_ENOTFOUND,
	       "an rnn has no layout of its own");
	o.rings = 5;
	ok(dk_equiv_layout(m, &o, &l, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "rings"), "5 rings do not divide 12: %s", err);
	o.rings = 3;
	ok(!dk_equiv_layout(m, &o, &l, err, sizeof err) && l.rank == 2 &&
	   l.shape[0] == 3 && l.shape[1] == 4 && l.periodic[1],
	   "3 periodic rings of 4");
	o.rings = 0, o.sheet[0] = 2, o.sheet[1] = 3;
	ok(!dk_equiv_layout(m, &o, &l, err, sizeof err) && l.rank == 3 &&
	   l.shape[0] == 2 && l.shape[1] == 2 && l.shape[2] == 3,
	   "2 sheets of 2 x 3");
	dk_model_free(m);
	dk_model_spec s = {.kind = "wrnn", .units = 5, .channels = 2, .inputs = 1,
	                   .outputs = 1};
	dk_model *w = NULL;
	o = dk_equiv_options_default();
	ok(!dk_model_create(&s, &w, err, sizeof err) &&
	   !dk_equiv_layout(w, &o, &l, err, sizeof err) && l.rank == 2 &&
	   l.shape[0] == 2 && l.shape[1] == 5, "the wrnn's own rings");
	dk_model_free(w);
}

/* A run of m on rings of 4 (3 rings, 12 units) from a random start. */
static int measure(dk_model *m, size_t shift, dk_equiv_result *r)
{
	char err[256];
	dk_equiv_options o = dk_equiv_options_default();
	o.rings = 3, o.steps = 7, o.samples = 3, o.shift = shift;
	dk_equiv_start s;
	int st = dk_equiv_start_random(&s, m, &o, err, sizeof err);
	if (!st)
		st = dk_equiv_run(m, &o, &s, r, err, sizeof err);
	if (st)
		printf("# %s\n", err);
	dk_equiv_start_clear(&s);
	return st;
}

static void test_maps(void)
{
	dk_model *m = identity_map(12);
	dk_equiv_result r;
	int exact = 1;
	ok(!measure(m, 0, &r) && r.elements == 3 && r.axes == 1 && r.steps == 7 &&
	   r.batch == 3 && r.input_transformed && r.input_channels == 3,
	   "x' = x + u: shifts 1 to 3, the input 3 rings wide");
	for (size_t e = 0; e < r.elements; e++) {
		exact &= r.shifts[e] == (int64_t)e + 1 && r.step_error[e] == 0 &&
		         r.free_error[e] == 0 && r.error[e] == 0;
		for (size_t t = 0; t < r.steps; t++)
			exact &= r.trajectory_error[e * r.steps + t] == 0;
	}
	ok(exact && r.equivariant && r.breaks == DK_EQUIV_BREAKS_NONE &&
	   r.first_step == 0 && !strncmp(r.summary, "equivariant", 11),
	   "every error exactly 0, and the verdict: %s", r.summary);
	dk_bundle *b = dk_bundle_alloc();
	ok(b && !dk_equiv_to_bundle(&r, b), "records");
	const dk_tensor *t = b ? dk_bundle_get(b, DK_NAME_EQUIV_TRAJECTORY_ERROR) : NULL;
	ok(t && t->rank == 2 && t->shape[0] == 3 && t->shape[1] == 7,
	   "the trajectory errors (element, time)");
	t = b ? dk_bundle_get(b, DK_NAME_EQUIV_SHIFTS) : NULL;
	ok(t && t->dtype == DK_I8 && t->rank == 2 && t->shape[1] == 1 &&
	   ((int64_t *)t->data)[2] == 3, "the shifts (element, axis), i8");
	t = b ? dk_bundle_get(b, DK_NAME_EQUIV_MAX) : NULL;
	ok(t && t->rank == 0 && ((double *)t->data)[0] == 0, "the largest, 0-d");
	dk_bundle_free(b);
	dk_equiv_result_clear(&r);

	/* input 0 counts twice at unit 0: u enters where no shift carries it */
	param(m, "model/V")[0] = 2;
	ok(!measure(m, 1, &r) && r.free_error[0] == 0 && r.step_error[0] > 0 &&
	   !r.equivariant && r.breaks == DK_EQUIV_BREAKS_INPUT && r.first_step == 1,
	   "V_00 = 2: the input breaks it: %s", r.summary);
	dk_equiv_result_clear(&r);
	param(m, "model/V")[0] = 1;
	/* b = e_0: F(g x) - g F(x) = e_0 - e_1 at every state */
	param(m, "model/b")[0] = 1;
	ok(!measure(m, 1, &r) && r.free_error[0] > 0 &&
	   r.breaks == DK_EQUIV_BREAKS_STATE, "b_0 = 1: the state breaks it: %s",
	   r.summary);
	dk_equiv_result_clear(&r);
	dk_equiv_result_clear(&r);
	ok(!r.shifts && !r.error, "clearing twice is harmless");

	/* b = 1e-3 e_0: each step adds b - g b to the difference of the two
	   trajectories, so it grows as t (the states as sqrt t, a random
	   walk of the inputs): over 20 steps it passes twice the largest
	   step error, and the dynamics are to blame */
	param(m, "model/b")[0] = 1e-3;
	char err[256];
	dk_equiv_options o = dk_equiv_options_default();
	o.rings = 3, o.shift = 1, o.steps = 20, o.samples = 3;
	dk_equiv_start s;
	int st = dk_equiv_start_random(&s, m, &o, err, sizeof err);
	st = st ? st : dk_equiv_run(m, &o, &s, &r, err, sizeof err);
	if (!st) {
		o.tolerance = 2 * fmax(r.step_error[0], r.free_error[0]);
		dk_equiv_result_clear(&r);
		st = dk_equiv_run(m, &o, &s, &r, err, sizeof err);
	}
	ok(!st && r.breaks == DK_EQUIV_BREAKS_TRAJECTORY && r.first_step > 1 &&
	   r.trajectory_error[19] > o.tolerance,
	   "a drift of b - g b per step: the trajectory breaks it: %s", r.summary);
	dk_equiv_result_clear(&r);
	dk_equiv_start_clear(&s);
	param(m, "model/b")[0] = 0;

	o = dk_equiv_options_default();
	o.rings = 3, o.shift = 4;
	ok(!dk_equiv_start_random(&s, m, &o, err, sizeof err) &&
	   dk_equiv_run(m, &o, &s, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "shift 4"), "shift 4 on rings of 4 refused: %s", err);
	dk_equiv_start_clear(&s);
	dk_model_free(m);
}

static void test_start(void)
{
	char err[256];
	dk_model *m = identity_map(4);
	dk_equiv_options o = dk_equiv_options_default();
	dk_bundle *b = dk_bundle_alloc();
	dk_equiv_start s;
	ok(dk_equiv_start_from_bundle(&s, m, b, &o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, DK_NAME_INPUT), "no input refused: %s", err);
	size_t shape[3] = {5, 2, 4};
	dk_tensor *u = dk_tensor_alloc(DK_F8, 0, 3, shape);
	for (size_t i = 0; u && i < u->count; i++)
		((double *)u->data)[i] = (double)i;
	ok(b && u && !dk_bundle_add_record(b, DK_NAME_INPUT, u, NULL, 0, NULL),
	   "an input (5, 2, 4)");
	o.steps = 6;
	ok(dk_equiv_start_from_bundle(&s, m, b, &o, err, sizeof err) == DK_EINVAL,
	   "6 steps of an input of 5 refused: %s", err);
	o.steps = 0;
	ok(!dk_equiv_start_from_bundle(&s, m, b, &o, err, sizeof err) &&
	   s.steps == 5 && s.batch == 2 && s.u[39] == 39 && s.x0[7] == 0 &&
	   !strcmp(s.how, "input from zero"), "its length, its batch, zero states");
	dk_equiv_start_clear(&s);
	dk_bundle_free(b);
	dk_model_free(m);
}

/*
 * A stream's input without h0 on a model with a start (the nwm: y0 from
 * an encoder of the first image): the trajectories start where dk-run's
 * do.  dk_model_run from no x0 makes its start by the same call on the
 * same input, so one step from the start dk-equiv found must give run's
 * first state bit for bit (the same code path, not two computations).
 * That start must not be zero (zero states were the former start, which
 * this test would catch); with an h0 it is the h0.
 */
static void test_start_model(void)
{
	char err[256];
	dk_model_spec sp = {.kind = "nwm", .channels = 1, .height = 3, .width = 4,
	                    .inputs = 1, .outputs = 1, .gain = 1, .seed = 5};
	dk_model *m = NULL;
	if (!ok(!dk_model_create(&sp, &m, err, sizeof err) && dk_model_has_start(m),
	        "an nwm on a 3 x 4 sheet, with a start: %s", m ? "" : err)) {
		dk_model_free(m);
		return;
	}
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t T = 3, B = 2, shape[3] = {T, B, nu};
	dk_bundle *b = dk_bundle_alloc();
	dk_tensor *u = dk_tensor_alloc(DK_F8, 0, 3, shape);
	for (size_t i = 0; u && i < u->count; i++)
		((double *)u->data)[i] = sin(0.7 * (double)i);
	double *states = malloc(T * B * n * sizeof *states);
	double *next = malloc(B * n * sizeof *next);
	dk_model_work *w = dk_model_work_alloc(m, B);
	dk_equiv_options o = dk_equiv_options_default();
	dk_equiv_start s = {0};
	int st = !b || !u || !states || !next || !w ||
	         dk_bundle_add_record(b, DK_NAME_INPUT, u, NULL, 0, NULL);
	if (!st)
		st = dk_equiv_start_from_bundle(&s, m, b, &o, err, sizeof err);
	if (ok(!st && s.batch == B && s.steps == T &&
	       !strcmp(s.how, "input from the model's start"),
	       "nwm, input without h0: %s", st ? err : s.how)) {
		double norm = 0;
		for (size_t i = 0; i < B * n; i++)
			norm += s.x0[i] * s.x0[i];
		ok(norm > 0, "its start is not the zero state (|x0|^2 = %g)", norm);
		st = dk_model_run(m, T, B, NULL, u->data, states, NULL) ||
		     dk_model_step(m, w, B, s.x0, u->data, next, NULL);
		ok(!st && !memcmp(next, states, B * n * sizeof *next),
		   "one step from it is dk_model_run's first state, bit for bit");
	}
	dk_equiv_start_clear(&s);
	size_t hshape[2] = {B, n};
	dk_tensor *h0 = dk_tensor_alloc(DK_F8, 0, 2, hshape);
	for (size_t i = 0; h0 && i < h0->count; i++)
		((double *)h0->data)[i] = 0.25 * (double)i;
	st = !b || !h0 || dk_bundle_add_record(b, DK_NAME_H0, h0, NULL, 0, NULL);
	if (!st)
		st = dk_equiv_start_from_bundle(&s, m, b, &o, err, sizeof err);
	ok(!st && !strcmp(s.how, "input from h0") && s.x0[B * n - 1] == 0.25 * (B * n - 1),
	   "with an h0 the start is the h0: %s", st ? err : s.how);
	dk_equiv_start_clear(&s);
	dk_model_work_free(w);
	free(states);
	free(next);
	dk_bundle_free(b);
	dk_model_free(m);
}

/*
 * What dk-equiv(1) says of the nwm's start on its circular sheet: its
 * encoder pads the image with zeros, so for the shift by a column
 * S(g u) = g S(u) exactly at the columns four or more from the border
 * (the reach of four 3x3 convolutions) both where they are and where
 * the shift takes them from, in every row (rows meet the same padding
 * on both sides), and at no other column.  At the former the two are
 * the same products summed in the same order, so 1e-14 of the largest
 * |y0| is far above any difference; at the others the padding makes
 * them differ by much more than 1e-6 (random weights of order 1/3 on
 * an image of order 1).  z0 is 0 on both sides.
 */
static void test_start_shifted(void)
{
	enum { H = 12, Wd = 12, N = H * Wd, REACH = 4 };
	char err[256];
	dk_model_spec sp = {.kind = "nwm", .channels = 1, .height = H, .width = Wd,
	                    .inputs = 1, .outputs = 1, .gain = 1, .seed = 7};
	dk_model *m = NULL;
	dk_model_work *w = NULL;
	double u[N], gu[N], x[2 * N], gx[2 * N];
	for (size_t i = 0; i < N; i++)
		u[i] = sin(1.3 * (double)i) + 0.5 * cos(0.37 * (double)(i * i));
	/* g: the shift by one column, gu(i, j) = u(i, j - 1) on the torus */
	for (size_t i = 0; i < H; i++)
		for (size_t j = 0; j < Wd; j++)
			gu[i * Wd + j] = u[i * Wd + (j + Wd - 1) % Wd];
	int st = dk_model_create(&sp, &m, err, sizeof err);
	if (!st && !(w = dk_model_work_alloc(m, 1)))
		st = DK_ENOMEM;
	if (!st)
		st = dk_model_start(m, w, 1, u, x, NULL) ||
		     dk_model_start(m, w, 1, gu, gx, NULL);
	if (ok(!st, "the nwm's start of u and of u shifted by a column")) {
		double big = 0, inner = 0, edge = INFINITY, z = 0;
		for (size_t i = 0; i < N; i++)
			big = fmax(big, fabs(x[i]));
		for (size_t j = 0; j < Wd; j++) {
			size_t from = (j + Wd - 1) % Wd;
			int far = j >= REACH && j + REACH < Wd && from >= REACH &&
			          from + REACH < Wd;
			double col = 0;
			for (size_t i = 0; i < H; i++)
				col = fmax(col, fabs(gx[i * Wd + j] - x[i * Wd + from]));
			if (far)
				inner = fmax(inner, col);
			else
				edge = fmin(edge, col);
		}
		for (size_t i = N; i < 2 * N; i++)
			z = fmax(z, fmax(fabs(x[i]), fabs(gx[i])));
		ok(big > 0.01 && inner <= 1e-14 * big,
		   "S(g u) = g S(u) four columns from the border: %g of %g", inner, big);
		ok(edge > 1e-6, "and at every column nearer (zero padding): %g", edge);
		ok(z == 0, "z0 = 0");
	}
	dk_model_work_free(w);
	dk_model_free(m);
}

/* A ring model C = 2, N = 11 with 2 inputs (or, H not 0, the same on
   an H x W sheet), its bias away from 0 so that both sides of the relu
   are reached. */
static dk_model *medium_model(const char *kind, size_t v, size_t H, size_t W)
{
	dk_model_spec s = {.kind = kind, .channels = 2, .units = H ? 0 : 11,
	                   .height = H, .width = W, .velocities = v,
	                   .inputs = 2, .outputs = 2, .gain = 1, .seed = 17};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err)) {
		printf("# create %s: %s\n", kind, err);
		return NULL;
	}
	size_t off, count;
	if (!dk_model_param_find(m, "model/b", &off, &count))
		for (size_t k = 0; k < count; k++)
			dk_model_params(m)[off + k] = 0.2 * sin(0.3 + 1.7 * (double)k);
	return m;
}

static dk_model *ring_model(const char *kind, size_t v)
{
	return medium_model(kind, v, 0, 0);
}

/*
 * The fernn's flowed run does the same operations as the original on
 * permuted data, in the same order per unit (its step folds the shift
 * into the index a tap reads), so its slices with a partner agree to 0
 * or a few ulps: 1e-12 on the relative error leaves room for either.
 * The grnn with the same weights has no velocity -mu to follow and
 * misses by order 1: 0.1 is far below what it makes and far above
 * round-off.
 */
static void test_flow(void)
{
	char err[256];
	dk_model *f = ring_model("fernn", 2), *g = ring_model("grnn", 0);
	if (!ok(f && g, "a fernn (v = 2) and a grnn with the same seed")) {
		dk_model_free(f);
		dk_model_free(g);
		return;
	}
	dk_equiv_options o = dk_equiv_options_default();
	o.group = DK_EQUIV_FLOW, o.steps = 20, o.samples = 4, o.seed = 5;
	dk_equiv_start s;
	dk_equiv_result r;
	int st = dk_equiv_start_random(&s, f, &o, err, sizeof err);
	if (!st)
		st = dk_equiv_run(f, &o, &s, &r, err, sizeof err);
	if (ok(!st, "fernn: every nonzero velocity in V measured: %s", st ? err : "")) {
		static const int64_t want[4] = {-2, -1, 1, 2};
		static const size_t pairs[4] = {3, 4, 4, 3};
		int listed = r.elements == 4 && r.slices == 5;
		for (size_t e = 0; listed && e < 4; e++)
			listed = r.shifts[e] == want[e] && r.compared[e] == pairs[e];
		ok(listed, "velocities -2, -1, 1, 2; 5 - |mu| slices with a partner each");
		for (size_t e = 0; e < r.elements; e++) {
			ok(r.error[e] < 1e-12 && isnan(r.step_error[e]),
			   "fernn, velocity %lld: error %.2g over 20 steps; no step error",
			   (long long)r.shifts[e], r.error[e]);
			printf("# fernn, velocity %lld: slices without a partner err %.3g\n",
			       (long long)r.shifts[e], r.unpartnered_error[e]);
		}
		ok(r.equivariant && r.breaks == DK_EQUIV_BREAKS_NONE &&
		   strstr(r.summary, "flow-equivariant"), "the verdict: %s", r.summary);
		dk_bundle *b = dk_bundle_alloc();
		ok(b && !dk_equiv_to_bundle(&r, b) &&
		   dk_bundle_get(b, DK_NAME_EQUIV_TRAJECTORY_ERROR) &&
		   dk_bundle_get(b, DK_NAME_EQUIV_MAX) &&
		   !dk_bundle_get(b, DK_NAME_EQUIV_STEP_ERROR) &&
		   !dk_bundle_get(b, DK_NAME_EQUIV_FREE_ERROR),
		   "records: the trajectory errors and the max, no step records");
		dk_bundle_free(b);
		dk_equiv_result_clear(&r);
	}
	/* beyond V: slices nu = 1, 2 still have partners nu - 3 and stay
	   exact; the others are the truncation of V, reported only */
	o.velocity = 3;
	if (ok(!dk_equiv_run(f, &o, &s, &r, err, sizeof err) && r.compared[0] == 2,
	       "fernn, velocity 3 beyond V: 2 slices with a partner")) {
		ok(r.error[0] < 1e-12, "and they are exact (error %.2g)", r.error[0]);
		printf("# fernn, velocity 3: slices without a partner err %.3g\n",
		       r.unpartnered_error[0]);
		dk_equiv_result_clear(&r);
	}
	o.velocity = 5;
	ok(dk_equiv_run(f, &o, &s, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "velocity 5"), "velocity 5: no slice has a partner: %s", err);
	o.velocity = 0, o.rings = 2;
	ok(dk_equiv_run(f, &o, &s, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "rings"), "2 rings do not split into 5 slices: %s", err);
	dk_equiv_start_clear(&s);

	o.rings = 0;
	st = dk_equiv_start_random(&s, g, &o, err, sizeof err);
	if (!st)
		st = dk_equiv_run(g, &o, &s, &r, err, sizeof err);
	if (ok(!st, "grnn: velocities -1 and 1: %s", st ? err : "")) {
		ok(r.elements == 2 && r.shifts[0] == -1 && r.shifts[1] == 1 &&
		   r.compared[0] == 1 && r.compared[1] == 1,
		   "its one slice its own partner");
		ok(r.error[0] > 0.1 && r.error[1] > 0.1,
		   "grnn: not flow-equivariant (errors %.3g, %.3g: order 1)",
		   r.error[0], r.error[1]);
		ok(!r.equivariant && r.breaks == DK_EQUIV_BREAKS_TRAJECTORY &&
		   strstr(r.summary, "flow"), "the verdict: %s", r.summary);
		dk_equiv_result_clear(&r);
	}
	dk_equiv_start_clear(&s);
	dk_model_free(f);
	dk_model_free(g);
}

/* Flows on a 4 x 5 sheet, the same bounds as on rings: the fernn (v =
   1) exact over its slices with a partner, (3 - |mu_x|) (3 - |mu_y|) of
   them, for every mu in V^2 and beyond; the grnn order 1. */
static void test_flow_sheet(void)
{
	char err[256];
	dk_model *f = medium_model("fernn", 1, 4, 5), *g = medium_model("grnn", 0, 4, 5);
	if (!ok(f && g, "a fernn (v = 1) and a grnn on a 4 x 5 sheet")) {
		dk_model_free(f);
		dk_model_free(g);
		return;
	}
	dk_equiv_options o = dk_equiv_options_default();
	o.group = DK_EQUIV_FLOW, o.steps = 12, o.samples = 3, o.seed = 7;
	dk_equiv_start s;
	dk_equiv_result r;
	int st = dk_equiv_start_random(&s, f, &o, err, sizeof err);
	if (!st)
		st = dk_equiv_run(f, &o, &s, &r, err, sizeof err);
	if (ok(!st, "fernn on a sheet: every nonzero velocity in V^2: %s", st ? err : "")) {
		int listed = r.elements == 8 && r.slices == 9 && r.axes == 2 &&
		             r.velocities == 1;
		double worst = 0;
		for (size_t e = 0; listed && e < 8; e++) {
			int64_t mx = r.shifts[2 * e], my = r.shifts[2 * e + 1];
			/* the slices' order, nu_x major, skipping (0, 0) */
			size_t a = e < 4 ? e : e + 1;
			listed = mx == (int64_t)(a / 3) - 1 && my == (int64_t)(a % 3) - 1 &&
			         r.compared[e] == (size_t)((3 - llabs(mx)) * (3 - llabs(my)));
			worst = fmax(worst, r.error[e]);
		}
		ok(listed, "velocities (mu_x, mu_y) in V^2 but (0, 0), x major; (3 - "
		   "|mu_x|) (3 - |mu_y|) slices with a partner each");
		ok(worst < 1e-12 && r.equivariant, "fernn on a sheet: largest error %.2g "
		   "over 8 velocities and 12 steps: %s", worst, r.summary);
		dk_equiv_result_clear(&r);
	}
	o.velocity = 2, o.velocity_y = -1, o.velocity_pair = 1;
	if (ok(!dk_equiv_run(f, &o, &s, &r, err, sizeof err) && r.compared[0] == 2,
	       "fernn on a sheet, velocity (2, -1) beyond V: 2 slices with a partner")) {
		ok(r.error[0] < 1e-12 && r.unpartnered_error[0] > 0.1,
		   "they are exact (error %.2g); the others, reported, are not (%.3g)",
		   r.error[0], r.unpartnered_error[0]);
		dk_equiv_result_clear(&r);
	}
	o.velocity = 3, o.velocity_y = 0;
	ok(dk_equiv_run(f, &o, &s, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "(3, 0)"), "velocity (3, 0): no slice has a partner: %s", err);
	o.velocity_pair = 0, o.velocity = 1;
	ok(dk_equiv_run(f, &o, &s, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "pair"), "one number on a sheet refused: %s", err);
	o.velocity = 0, o.rings = 18;
	ok(dk_equiv_run(f, &o, &s, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "sheets"), "the sheet fernn measured on rings refused: %s", err);
	dk_equiv_start_clear(&s);
	o.rings = 0;
	st = dk_equiv_start_random(&s, g, &o, err, sizeof err);
	if (!st)
		st = dk_equiv_run(g, &o, &s, &r, err, sizeof err);
	if (ok(!st, "grnn on a sheet: the unit velocities: %s", st ? err : "")) {
		static const int64_t want[8] = {-1, 0, 1, 0, 0, -1, 0, 1};
		ok(r.elements == 4 && !memcmp(r.shifts, want, sizeof want),
		   "(-1, 0), (1, 0), (0, -1), (0, 1)");
		double least = INFINITY;
		for (size_t e = 0; e < r.elements; e++)
			least = fmin(least, r.error[e]);
		ok(least > 0.1 && !r.equivariant, "grnn on a sheet: not flow-equivariant "
		   "(smallest error %.3g: order 1)", least);
		dk_equiv_result_clear(&r);
	}
	dk_equiv_start_clear(&s);
	dk_model_free(f);
	dk_model_free(g);
}

/* A model of kind with act and the sizes each kind takes. */
static dk_model *kind_model(const char *kind, dk_act act)
{
	int sheet = !strcmp(kind, "nwm");
	dk_model_spec s = {.kind = kind, .units = sheet ? 0 : 6, .act = act,
	                   .height = sheet ? 3 : 0, .width = sheet ? 4 : 0,
	                   .velocities = !strcmp(kind, "fernn") ? 2 : 0,
	                   .channels = !strcmp(kind, "rnn") || !strcmp(kind, "ctrnn") ||
	                               !strcmp(kind, "gru") ? 0 : 1,
	                   .inputs = 1, .outputs = 1, .gain = 1, .seed = 3};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# create %s: %s\n", kind, err);
	return m;
}

/* The groups each kind declares (model.h), their names, a signed
   permutation applied, and the options of sign and perm refused where
   they do not belong. */
static void test_declared(void)
{
	static const struct {
		const char *kind;
		dk_act act;
		unsigned want;
		size_t v;
	} k[] = {
		{"rnn", DK_ACT_TANH, DK_MODEL_ACTS_SIGN | DK_MODEL_ACTS_PERM, 0},
		{"rnn", DK_ACT_RELU, DK_MODEL_ACTS_PERM, 0},
		{"rnn", DK_ACT_ERF, DK_MODEL_ACTS_SIGN | DK_MODEL_ACTS_PERM, 0},
		{"ctrnn", DK_ACT_DEFAULT, DK_MODEL_ACTS_SIGN | DK_MODEL_ACTS_PERM, 0},
		{"wrnn", DK_ACT_DEFAULT, DK_MODEL_ACTS_SHIFT, 0},
		{"fernn", DK_ACT_DEFAULT, DK_MODEL_ACTS_SHIFT | DK_MODEL_ACTS_FLOW, 2},
		{"grnn", DK_ACT_DEFAULT, DK_MODEL_ACTS_SHIFT | DK_MODEL_ACTS_FLOW, 0},
		{"nwm", DK_ACT_DEFAULT, DK_MODEL_ACTS_SHIFT, 0},
		{"gru", DK_ACT_DEFAULT, 0, 0},
	};
	for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
		dk_model *m = kind_model(k[i].kind, k[i].act);
		dk_model_actions a;
		unsigned got = m ? dk_model_actions_of(m, &a) : ~0u;
		char names[64];
		dk_model_action_names(got, names, sizeof names);
		ok(m && got == k[i].want && a.groups == got && a.velocities == k[i].v &&
		   (a.medium.rank > 0) == !!(got & DK_MODEL_ACTS_SHIFT),
		   "%s (%s) declares %s", k[i].kind, dk_act_name(k[i].act), names);
		dk_model_free(m);
	}
	char names[64];
	dk_model_action_names(DK_MODEL_ACTS_SHIFT | DK_MODEL_ACTS_PERM, names,
	                      sizeof names);
	ok(!strcmp(names, "shift, perm"), "names of two groups: %s", names);
	dk_model_action_names(0, names, sizeof names);
	ok(!strcmp(names, "none"), "and of none: %s", names);

	/* g x = -x[p] with p = (2 0 1) on two rows */
	const size_t p[3] = {2, 0, 1};
	const double x[6] = {1, 2, 3, 4, 5, 6}, want[6] = {-3, -1, -2, -6, -4, -5};
	double y[6];
	dk_model_act_apply(p, -1, 2, 3, x, y);
	ok(!memcmp(y, want, sizeof y), "a signed permutation of two rows");

	char err[256];
	dk_equiv_options o = dk_equiv_options_default();
	o.group = DK_EQUIV_PERM;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "perm"), "perm without a permutation: %s", err);
	const int64_t perm[2] = {1, 0};
	o.perm = perm, o.perm_units = 2;
	ok(!dk_equiv_options_check(&o, err, sizeof err), "perm with one");
	o.group = DK_EQUIV_SIGN;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL,
	   "a permutation with sign: %s", err);
	o.perm = NULL, o.rings = 1;
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "rings"), "rings with sign: %s", err);
	dk_equiv_group g;
	ok(!dk_equiv_group_from_name("perm", &g) && g == DK_EQUIV_PERM &&
	   !strcmp(dk_equiv_group_name(DK_EQUIV_SIGN), "sign"),
	   "the names sign and perm");
}

int main(void)
{
	test_options();
	test_layout();
	test_maps();
	test_start();
	test_start_model();
	test_start_shifted();
	test_flow();
	test_flow_sheet();
	test_declared();
	return tap_done();
}
