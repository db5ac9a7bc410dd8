/*
 * test_lyap_records.c -- where a Lyapunov run starts (dk_lyap_start_*),
 * the options a start implies (dk_lyap_options_fit), and the records of
 * a run (dk_lyap_to_bundle): a random start drawn from its seed alone;
 * a start from a stream's input entry at h0's row, or at zero, or from a
 * state of its states; the refusals, with messages naming no option; the
 * steps an input leaves; and the names, shapes, axes, values and attrs
 * of the records, copied from the result they were made from.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static dk_model *make(const char *kind, size_t n, size_t in)
{
	dk_model_spec s = {.kind = kind, .units = n, .inputs = in, .outputs = 1,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 1.5,
	                   .seed = 2};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# create %s: %s\n", kind, err);
	return m;
}

/* A new f8 tensor of the shape, element i = base + i. */
static dk_tensor *ramp(int rank, const size_t *shape, double base)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape);
	for (size_t i = 0; i < t->count; i++)
		((double *)t->data)[i] = base + (double)i;
	return t;
}

static void test_random(void)
{
	dk_model *m = make("rnn", 5, 2);
	dk_lyap_start a, b, c;
	char err[256];
	int st = dk_lyap_start_random(&a, m, 7, err, sizeof err);
	st |= dk_lyap_start_random(&b, m, 7, err, sizeof err);
	st |= dk_lyap_start_random(&c, m, 8, err, sizeof err);
	ok(!st && !memcmp(a.x0, b.x0, 5 * sizeof *a.x0) &&
	   memcmp(a.x0, c.x0, 5 * sizeof *a.x0),
	   "random: the same state for a seed, another for another seed");
	int finite = 1;
	for (size_t i = 0; i < 5; i++)
		finite &= isfinite(a.x0[i]) && a.x0[i] != 0;
	ok(finite && !a.u && !a.input && !strcmp(a.how, "random"),
	   "random: a state, no input, start \"random\"");
	dk_lyap_start_clear(&a);
	dk_lyap_start_clear(&b);
	dk_lyap_start_clear(&c);
	ok(!a.x0 && !a.input, "clear resets");
	dk_model_free(m);
}

static void test_from_bundle(void)
{
	size_t n = 4, ni = 2, T = 30, B = 3;
	dk_model *m = make("rnn", n, ni);
	size_t xs[3] = {T, B, ni}, hs[2] = {B, n};
	dk_bundle *b = dk_bundle_alloc();
	dk_bundle_add(b, DK_NAME_INPUT, NULL, ramp(3, xs, 0));
	dk_lyap_start s;
	char err[256];
	int st = dk_lyap_start_from_bundle(&s, m, b, 2, DK_LYAP_UNSET, err, sizeof err);
	int zero = 1;
	for (size_t i = 0; !st && i < n; i++)
		zero &= s.x0[i] == 0;
	ok(!st && zero && s.u && s.u[0] == 2 * ni && s.u_stride == B * ni &&
	   s.u_rows == T && !strcmp(s.how, "input entry 2 from zero"),
	   "input entry 2, no h0: from zero, row 0 of the entry, stride B m");
	dk_lyap_start_clear(&s);

	dk_bundle_add(b, DK_NAME_H0, NULL, ramp(2, hs, 100));
	st = dk_lyap_start_from_bundle(&s, m, b, 1, DK_LYAP_UNSET, err, sizeof err);
	ok(!st && s.x0[0] == 100 + n && s.x0[n - 1] == 100 + 2 * n - 1 &&
	   s.u[0] == ni && !strcmp(s.how, "input entry 1 from h0"),
	   "with h0: from h0's row of the entry");
	dk_lyap_start_clear(&s);

	is_int(dk_lyap_start_from_bundle(&s, m, b, 3, DK_LYAP_UNSET, err, sizeof err), DK_EINVAL,
	       "entry 3 of 3: refused");
	ok(strstr(err, "3 batch entries") && !strstr(err, "--"), "message: %s", err);
	ok(!s.x0 && !s.input, "a refused start owns nothing");
	is_int(dk_lyap_start_from_bundle(&s, m, b, 0, 1, err, sizeof err), DK_EINVAL,
	       "a point beside an input: refused, not ignored");
	ok(strstr(err, "point 1") != NULL, "message: %s", err);
	dk_bundle_free(b);

	/* an h0 of the wrong shape, the same check as a run's */
	b = dk_bundle_alloc();
	size_t bad[2] = {B - 1, n};
	dk_bundle_add(b, DK_NAME_INPUT, NULL, ramp(3, xs, 0));
	dk_bundle_add(b, DK_NAME_H0, NULL, ramp(2, bad, 0));
	const dk_tensor *h0;
	char err2[256];
	is_int(dk_lyap_start_from_bundle(&s, m, b, 0, DK_LYAP_UNSET, err, sizeof err), DK_EINVAL,
	       "an h0 of (2, 4) for 3 entries: refused");
	is_int(dk_model_h0_from_bundle(m, b, B, &h0, err2, sizeof err2), DK_EINVAL,
	       "... as dk_model_h0_from_bundle refuses it");
	is_str(err, err2, "with its message");
	is_str(err, "h0 must be f8 (3, 4)", "which says what h0 must be");
	dk_bundle_free(b);

	/* an input of the wrong width */
	b = dk_bundle_alloc();
	size_t wide[3] = {T, B, ni + 1};
	dk_bundle_add(b, DK_NAME_INPUT, NULL, ramp(3, wide, 0));
	is_int(dk_lyap_start_from_bundle(&s, m, b, 0, DK_LYAP_UNSET, err, sizeof err), DK_EINVAL,
	       "an input of 3 features for 2: refused");
	is_str(err, "input must be (time, batch, 2), not (30, 3, 3)", "message");
	dk_bundle_free(b);

	/* states: the point asked for */
	b = dk_bundle_alloc();
	size_t ss[3] = {5, 2, n};
	dk_bundle_add(b, DK_NAME_STATES, NULL, ramp(3, ss, 0));
	st = dk_lyap_start_from_bundle(&s, m, b, DK_LYAP_UNSET, 7, err, sizeof err);
	ok(!st && s.x0[0] == 7 * n && !s.u && !strcmp(s.how, "point 7 of states"),
	   "states: point 7 is row 7 of the flattened states, zero input");
	dk_lyap_start_clear(&s);
	is_int(dk_lyap_start_from_bundle(&s, m, b, DK_LYAP_UNSET, 10, err, sizeof err), DK_EINVAL,
	       "point 10 of 10: refused");
	ok(strstr(err, "10 states") && !strstr(err, "--"), "message: %s", err);
	is_int(dk_lyap_start_from_bundle(&s, m, b, 0, 7, err, sizeof err), DK_EINVAL,
	       "an entry beside states: refused, not ignored");
	ok(strstr(err, "entry 0") != NULL, "message: %s", err);
	dk_bundle_free(b);
	dk_model_free(m);
}

static void test_fit(void)
{
	dk_model *m = make("rnn", 6, 1);
	dk_lyap_start s = {0};
	char err[256];
	dk_lyap_options o = {.transient = 10, .basis_transient = 5};
	ok(!dk_lyap_options_fit(&o, m, &s, err, sizeof err) && o.k == 6 &&
	   o.steps == DK_LYAP_STEPS_DEFAULT,
	   "no input: every exponent, %d steps", DK_LYAP_STEPS_DEFAULT);
	o = (dk_lyap_options){.k = 2, .steps = 7};
	ok(!dk_lyap_options_fit(&o, m, &s, err, sizeof err) && o.k == 2 && o.steps == 7,
	   "k and steps given are kept");

	double u[40] = {0};
	s.u = u;
	s.u_rows = 40;
	o = (dk_lyap_options){.transient = 10, .basis_transient = 5};
	ok(!dk_lyap_options_fit(&o, m, &s, err, sizeof err) && o.steps == 25,
	   "an input of 40 steps: 25 left after 15 of transients");
	o = (dk_lyap_options){.steps = 25, .transient = 10, .basis_transient = 5};
	is_int(dk_lyap_options_fit(&o, m, &s, err, sizeof err), DK_OK, "25 asked: taken");
	o.steps = 26;
	is_int(dk_lyap_options_fit(&o, m, &s, err, sizeof err), DK_EINVAL, "26 asked: refused");
	is_str(err, "the input has 40 steps; the transients (15) and at least one "
	       "measured step need 41", "message");
	o = (dk_lyap_options){.transient = 30, .basis_transient = 10};
	is_int(dk_lyap_options_fit(&o, m, &s, err, sizeof err), DK_EINVAL,
	       "transients of the whole input: refused");
	dk_model_free(m);
}

/* The lyap attrs of record name. */
static json_t *attrs_of(const dk_bundle *b, const char *name)
{
	long i = dk_bundle_find(b, name);
	return i < 0 ? NULL : json_object_get(dk_meta_attrs(dk_bundle_meta(b, (size_t)i)), "lyap");
}

static int axes_are(const dk_bundle *b, const char *name, size_t count,
                    const char *a0, const char *a1)
{
	long i = dk_bundle_find(b, name);
	json_t *ax = i < 0 ? NULL : dk_meta_axes(dk_bundle_meta(b, (size_t)i));
	if (count == 0)
		return i >= 0 && json_array_size(ax) == 0;
	return json_array_size(ax) == count &&
	       !strcmp(json_string_value(json_array_get(ax, 0)), a0) &&
	       (count < 2 || !strcmp(json_string_value(json_array_get(ax, 1)), a1));
}

static void test_records(void)
{
	size_t n = 8, k = 3;
	dk_model *m = make("ctrnn", n, 1);
	dk_lyap_start s;
	char err[256];
	dk_lyap_options o = {.k = k, .steps = 60, .transient = 5, .basis_transient = 5,
	                     .every = 2, .checkpoints = 4, .blocks = 3, .check = 1,
	                     .seed = 3};
	dk_lyap *l = NULL;
	dk_lyap_result r;
	dk_bundle *b = dk_bundle_alloc();
	int st = dk_lyap_start_random(&s, m, 3, err, sizeof err);
	st = st ? st : dk_lyap_options_fit(&o, m, &s, err, sizeof err);
	st = st ? st : dk_lyap_alloc(m, &o, &l, err, sizeof err);
	st = st ? st : dk_lyap_run(l, s.x0, s.u, s.u_stride, &r, err, sizeof err);
	if (st)
		printf("# %s\n", err);
	st = st ? st : dk_lyap_to_bundle(&r, &o, m, &s, b);
	is_int(st, DK_OK, "a ctrnn's spectrum with the check, as records");
	static const char *const names[] = {
		DK_NAME_LYAP_EXPONENTS, DK_NAME_LYAP_STDERR, DK_NAME_LYAP_TRACE,
		DK_NAME_LYAP_TRACE_STEPS, DK_NAME_LYAP_DIMENSION,
		DK_NAME_LYAP_ENTROPY, DK_NAME_LYAP_CHECK,
	};
	int order = dk_bundle_size(b) == 7;
	for (size_t i = 0; order && i < 7; i++)
		order = !strcmp(dk_bundle_name(b, i), names[i]);
	ok(order, "the seven records, in order");
	if (st || !order) {
		dk_bundle_free(b);
		dk_lyap_free(l);
		dk_lyap_start_clear(&s);
		dk_model_free(m);
		return;
	}
	const dk_tensor *e = dk_bundle_get(b, DK_NAME_LYAP_EXPONENTS);
	const dk_tensor *se = dk_bundle_get(b, DK_NAME_LYAP_STDERR);
	const dk_tensor *tr = dk_bundle_get(b, DK_NAME_LYAP_TRACE);
	const dk_tensor *ts = dk_bundle_get(b, DK_NAME_LYAP_TRACE_STEPS);
	const dk_tensor *dim = dk_bundle_get(b, DK_NAME_LYAP_DIMENSION);
	const dk_tensor *ent = dk_bundle_get(b, DK_NAME_LYAP_ENTROPY);
	const dk_tensor *chk = dk_bundle_get(b, DK_NAME_LYAP_CHECK);
	size_t C = r.checkpoints;
	ok(e->dtype == DK_F8 && e->rank == 1 && e->shape[0] == k &&
	   !memcmp(e->data, r.exponents, k * sizeof(double)) &&
	   se->rank == 1 && !memcmp(se->data, r.std_error, k * sizeof(double)) &&
	   axes_are(b, DK_NAME_LYAP_EXPONENTS, 1, "exponent", NULL) &&
	   axes_are(b, DK_NAME_LYAP_STDERR, 1, "exponent", NULL),
	   "exponents and stderr: f8 (exponent), the result's");
	int steps = ts->dtype == DK_I8 && ts->rank == 1 && ts->shape[0] == C;
	for (size_t c = 0; steps && c < C; c++)
		steps = ((int64_t *)ts->data)[c] == (int64_t)r.trace_steps[c];
	ok(tr->rank == 2 && tr->shape[0] == C && tr->shape[1] == k &&
	   !memcmp(tr->data, r.trace, C * k * sizeof(double)) && steps &&
	   axes_are(b, DK_NAME_LYAP_TRACE, 2, "checkpoint", "exponent") &&
	   axes_are(b, DK_NAME_LYAP_TRACE_STEPS, 1, "checkpoint", NULL),
	   "trace f8 (checkpoint, exponent) and trace_steps i8 (checkpoint)");
	ok(dim->rank == 0 && ((double *)dim->data)[0] == r.dimension &&
	   ent->rank == 0 && ((double *)ent->data)[0] == r.entropy &&
	   chk->rank == 0 && ((double *)chk->data)[0] == r.check &&
	   axes_are(b, DK_NAME_LYAP_DIMENSION, 0, NULL, NULL),
	   "dimension, entropy, check: scalars, no axes");

	json_t *a = attrs_of(b, DK_NAME_LYAP_EXPONENTS);
	ok(json_object_size(a) == 14 &&
	   json_real_value(json_object_get(a, "max_state")) == DK_LYAP_MAX_STATE_DEFAULT &&
	   json_is_null(json_object_get(a, "diverged_after")) &&
	   !strcmp(json_string_value(json_object_get(a, "units")), "per unit time") &&
	   json_real_value(json_object_get(a, "step_time")) == r.step_time &&
	   json_integer_value(json_object_get(a, "steps")) == 60 &&
	   json_integer_value(json_object_get(a, "every")) == 2 &&
	   json_integer_value(json_object_get(a, "blocks")) == (json_int_t)r.blocks &&
	   !strcmp(json_string_value(json_object_get(a, "tangent")), "jvp") &&
	   !strcmp(json_string_value(json_object_get(a, "start")), "random") &&
	   json_integer_value(json_object_get(a, "qrs")) == (json_int_t)r.qrs &&
	   json_integer_value(json_object_get(a, "second_passes")) ==
	           (json_int_t)r.second_passes && !json_object_get(a, "qr"),
	   "attrs lyap: units, step time, steps, interval, blocks, tangent, start, QRs, "
	   "the default's second passes, no qr, the bound and no divergence");
	json_t *ad = attrs_of(b, DK_NAME_LYAP_DIMENSION), *ae = attrs_of(b, DK_NAME_LYAP_ENTROPY);
	json_t *ac = attrs_of(b, DK_NAME_LYAP_CHECK);
	ok(json_object_size(ad) == 15 &&
	   json_is_boolean(json_object_get(ad, "lower_bound")) &&
	   json_object_size(ae) == 15 &&
	   json_boolean_value(json_object_get(ae, "partial")) ==
	           (r.exponents[k - 1] > 0),
	   "dimension says lower_bound, entropy partial (k < n: the last exponent > 0)");
	ok(json_object_size(ac) == 18 &&
	   json_real_value(json_object_get(ac, "qr")) == r.exponents[0] &&
	   json_boolean_value(json_object_get(ac, "agrees")) == r.check_agrees,
	   "check says stderr, qr, tolerance, agrees");
	dk_bundle_free(b);

	/* without the check; infinite values are null */
	o.check = 0;
	r.check_error = NAN;
	b = dk_bundle_alloc();
	ok(!dk_lyap_to_bundle(&r, &o, m, &s, b) && dk_bundle_size(b) == 6 &&
	   !dk_bundle_get(b, DK_NAME_LYAP_CHECK), "without the check: six records");
	dk_bundle_free(b);
	o.check = 1;
	b = dk_bundle_alloc();
	dk_lyap_to_bundle(&r, &o, m, &s, b);
	ok(json_is_null(json_object_get(attrs_of(b, DK_NAME_LYAP_CHECK), "stderr")),
	   "a NaN standard error is null in the attrs");
	dk_bundle_free(b);
	dk_lyap_free(l);
	dk_lyap_start_clear(&s);
	dk_model_free(m);
}

int main(void)
{
	test_random();
	test_from_bundle();
	test_fit();
	test_records();
	return tap_done();
}
