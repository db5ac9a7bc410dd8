/*
 * test_equiv.c -- the equivariance analysis (analysis/equiv.h) on maps
 * whose answer is known exactly: x' = x + u with the input on the ring
 * (every error exactly 0: each unit's step is one addition of the same
 * two numbers, shifted or not), the same with one input weight doubled
 * (the input breaks it) or one bias entry set (the state does, or with
 * a small one, the drift it adds over time); the
 * options and layouts refused, with messages naming the field; the
 * starts; and the records.
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
	ok(dk_equiv_options_check(&o, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "group"), "group flow refused for now: %s", err);
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

int main(void)
{
	test_options();
	test_layout();
	test_maps();
	test_start();
	return tap_done();
}
