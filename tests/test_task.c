/*
 * test_task.c -- the tasks of lib/train and the IDX reader under them.
 *
 * Each task's batch is checked against its definition (task.h) by
 * recomputing what it must be from the batch's own input: the copy
 * target is the input's first 10 symbols, delayed; the adding target is
 * the sum of the two marked values; the flip-flop target is the memory
 * of the pulses, run again here by a loop of its own.  The IDX reader
 * reads small files this test writes itself, plain and gzip'd, good and
 * broken, and sequential Fashion-MNIST runs on a tiny dataset of such
 * files whose pixel values say where they come from.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "dynkit.h"
#include "tap.h"

static char dir[256]; /* scratch directory */

static dk_task_batch *generate(const dk_task_params *p)
{
	dk_task_batch *b = NULL;
	char err[512];
	int st = dk_task_generate(p, &b, err, sizeof err);
	if (st)
		printf("# dk_task_generate: %s: %s\n", dk_strerror(st), err);
	return b;
}

static int same_tensor(const dk_tensor *a, const dk_tensor *b)
{
	return a->dtype == b->dtype && a->rank == b->rank &&
	       !memcmp(a->shape, b->shape, sizeof a->shape[0] * (size_t)a->rank) &&
	       !memcmp(a->data, b->data, dk_tensor_nbytes(a));
}

static int same_batch(const dk_task_batch *a, const dk_task_batch *b)
{
	return same_tensor(a->input, b->input) && same_tensor(a->target, b->target) &&
	       same_tensor(a->mask, b->mask);
}

static int has_shape(const dk_tensor *t, dk_dtype dtype, int rank, size_t d0,
                     size_t d1, size_t d2)
{
	size_t want[3] = {d0, d1, d2};
	if (t->dtype != dtype || t->rank != rank)
		return 0;
	for (int i = 0; i < rank; i++)
		if (t->shape[i] != want[i])
			return 0;
	return 1;
}

static json_t *attr(const dk_meta *m, const char *key)
{
	return json_object_get(dk_meta_attrs(m), key);
}

static const char *attr_str(const dk_meta *m, const char *key)
{
	return json_string_value(attr(m, key));
}

static long long attr_int(const dk_meta *m, const char *key)
{
	json_t *v = attr(m, key);
	return json_is_integer(v) ? json_integer_value(v) : -999;
}

/* The names of a batch's tensors and their axes. */
static void check_meta(const dk_task_batch *b, const char *task, const char *loss)
{
	const dk_meta *m[3] = {b->input_meta, b->target_meta, b->mask_meta};
	const char *names[3] = {"input", "target", "mask"};
	int ok_names = 1, ok_attrs = 1;
	for (int i = 0; i < 3; i++) {
		ok_names &= m[i] && dk_meta_name(m[i]) && !strcmp(dk_meta_name(m[i]), names[i]);
		ok_attrs &= m[i] && attr_str(m[i], "task") && !strcmp(attr_str(m[i], "task"), task) &&
		            attr_str(m[i], "loss") && !strcmp(attr_str(m[i], "loss"), loss) &&
		            attr_str(m[i], "length_convention") && attr(m[i], "seed");
	}
	ok(ok_names, "%s: tensors named input, target, mask", task);
	ok(ok_attrs, "%s: each carries task, loss \"%s\", length convention, seed", task, loss);
	json_t *ax = dk_meta_axes(b->input_meta);
	ok(json_array_size(ax) == 3 && !strcmp(json_string_value(json_array_get(ax, 0)), "time") &&
	   !strcmp(json_string_value(json_array_get(ax, 1)), "batch"),
	   "%s: input axes begin time, batch", task);
	ok(json_array_size(dk_meta_axes(b->mask_meta)) == 2, "%s: mask axes are (time, batch)", task);
}

/* ---- copy -------------------------------------------------------------- */

static void test_copy(void)
{
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_COPY);
	const size_t T = 7, B = 5, S = T + 20;
	p.length = T;
	p.batch = B;
	p.seed = 11;
	dk_task_batch *b = generate(&p);
	if (!ok(b != NULL, "copy: generated"))
		return;
	ok(has_shape(b->input, DK_F8, 3, S, B, 10), "copy: input f8 (T+20, B, 10)");
	ok(has_shape(b->target, DK_I8, 2, S, B, 0), "copy: target i8 (T+20, B)");
	ok(has_shape(b->mask, DK_F8, 2, S, B, 0), "copy: mask f8 (T+20, B)");
	check_meta(b, "copy", "xent");
	is_int(attr_int(b->input_meta, "classes"), 10, "copy: 10 classes");
	is_int(attr_int(b->input_meta, "steps"), (long long)S, "copy: steps attr T+20");

	const double *x = b->input->data, *mask = b->mask->data;
	const int64_t *y = b->target->data;
	int onehot = 1, layout = 1, recalled = 1, masked = 1, symbols_seen[9] = {0};
	int sym[64][10]; /* the symbols as the input shows them */
	for (size_t e = 0; e < B; e++)
		for (size_t s = 0; s < S; s++) {
			const double *row = x + (s * B + e) * 10;
			int cls = -1, ones = 0;
			for (int k = 0; k < 10; k++) {
				onehot &= row[k] == 0 || row[k] == 1;
				if (row[k] == 1) {
					ones++;
					cls = k;
				}
			}
			onehot &= ones == 1;
			if (s < 10) {
				layout &= cls >= 1 && cls <= 8;
				sym[e][s] = cls;
				if (cls >= 1 && cls <= 8)
					symbols_seen[cls] = 1;
			} else if (s == T + 9) {
				layout &= cls == 9;  /* the delimiter after T-1 blanks */
			} else {
				layout &= cls == 0;
			}
			masked &= mask[s * B + e] == 1;
		}
	for (size_t e = 0; e < B; e++)
		for (size_t s = 0; s < S; s++) {
			int64_t want = s >= T + 10 ? sym[e][s - (T + 10)] : 0;
			recalled &= y[s * B + e] == want;
		}
	int all_symbols = 1;
	for (int k = 1; k <= 8; k++)
		all_symbols &= symbols_seen[k];
	ok(onehot, "copy: every input step is one-hot over 10 classes");
	ok(layout, "copy: 10 symbols in 1..8, T-1 blanks, delimiter 9 at step T+9, 10 blanks");
	ok(recalled, "copy: target is 0, then the input's 10 symbols over the last 10 steps");
	ok(masked, "copy: the loss counts at every step (mask 1)");
	ok(all_symbols, "copy: 50 draws use every symbol 1..8");
	dk_task_batch_free(b);

	/* T = 1: no blank between the symbols and the delimiter */
	p.length = 1;
	p.batch = 1;
	b = generate(&p);
	if (ok(b && b->input->shape[0] == 21, "copy T=1: 21 steps")) {
		const double *x1 = b->input->data;
		ok(x1[10 * 10 + 9] == 1, "copy T=1: the delimiter right after the symbols");
	}
	dk_task_batch_free(b);
}

/* ---- adding ------------------------------------------------------------ */

static void test_adding(void)
{
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_ADDING);
	const size_t T = 9, B = 200; /* odd T: halves [0, 4) and [4, 9) */
	p.length = T;
	p.batch = B;
	p.seed = 3;
	dk_task_batch *b = generate(&p);
	if (!ok(b != NULL, "adding: generated"))
		return;
	ok(has_shape(b->input, DK_F8, 3, T, B, 2), "adding: input f8 (T, B, 2)");
	ok(has_shape(b->target, DK_F8, 3, T, B, 1), "adding: target f8 (T, B, 1)");
	ok(has_shape(b->mask, DK_F8, 2, T, B, 0), "adding: mask f8 (T, B)");
	check_meta(b, "adding", "mse");
	const double *x = b->input->data, *y = b->target->data, *mask = b->mask->data;
	int values = 1, markers = 1, sums = 1, zeros = 1, masked = 1;
	double sum = 0;
	for (size_t e = 0; e < B; e++) {
		int first = 0, second = 0;
		double want = 0;
		for (size_t s = 0; s < T; s++) {
			double v = x[(s * B + e) * 2], m = x[(s * B + e) * 2 + 1];
			values &= v >= 0 && v < 1;
			sum += v;
			markers &= m == 0 || m == 1;
			if (m == 1) {
				want += v;
				if (s < T / 2)
					first++;
				else
					second++;
			}
			if (s + 1 < T)
				zeros &= y[s * B + e] == 0;
			masked &= mask[s * B + e] == (s + 1 == T);
		}
		markers &= first == 1 && second == 1;
		sums &= y[(T - 1) * B + e] == want;
	}
	ok(values, "adding: values in [0, 1)");
	ok(markers, "adding: one marker in [0, T/2), one in [T/2, T)");
	ok(sums, "adding: the last step's target is the sum of the marked values");
	ok(zeros, "adding: the target is 0 before the last step");
	ok(masked, "adding: mask 1 at the last step only");
	/* 1800 uniforms: mean 1/2, standard error 0.0068 */
	is_close(sum / (T * B), 0.5, 0.03, "adding: values average 1/2 (4 standard errors)");
	dk_task_batch_free(b);
}

/* ---- flip-flop --------------------------------------------------------- */

static void test_flipflop(void)
{
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_FLIPFLOP);
	is_int(p.bits, 3, "flipflop: 3 bits by default");
	is_close(p.prob, 0.05, 0, "flipflop: pulse probability 0.05 by default");
	const size_t T = 300, B = 20, N = 4;
	p.length = T;
	p.batch = B;
	p.bits = N;
	p.prob = 0.1;
	p.seed = 5;
	dk_task_batch *b = generate(&p);
	if (!ok(b != NULL, "flipflop: generated"))
		return;
	ok(has_shape(b->input, DK_F8, 3, T, B, N), "flipflop: input f8 (T, B, bits)");
	ok(has_shape(b->target, DK_F8, 3, T, B, N), "flipflop: target f8 (T, B, bits)");
	ok(has_shape(b->mask, DK_F8, 2, T, B, 0), "flipflop: mask f8 (T, B)");
	check_meta(b, "flipflop", "mse");
	is_int(attr_int(b->input_meta, "bits"), (long long)N, "flipflop: bits attr");
	const double *x = b->input->data, *y = b->target->data, *mask = b->mask->data;
	/* the memory, run again: each bit holds the sign of its last pulse */
	double memory[20][4] = {{0}};
	int pulses_valid = 1, same = 1, masked = 1;
	size_t pulses = 0, plus = 0;
	for (size_t s = 0; s < T; s++)
		for (size_t e = 0; e < B; e++) {
			for (size_t k = 0; k < N; k++) {
				double in = x[(s * B + e) * N + k];
				pulses_valid &= in == 0 || in == 1 || in == -1;
				if (in != 0) {
					memory[e][k] = in;
					pulses++;
					plus += in > 0;
				}
				same &= y[(s * B + e) * N + k] == memory[e][k];
			}
			masked &= mask[s * B + e] == 1;
		}
	ok(pulses_valid, "flipflop: inputs are pulses of +1 or -1");
	ok(same, "flipflop: target = sign of each bit's latest pulse, 0 before the first");
	ok(masked, "flipflop: mask 1 everywhere");
	/* 24000 trials at p = 0.1: 2400 expected, standard deviation 46.5 */
	ok(fabs((double)pulses - 2400) < 4 * 46.5, "flipflop: %zu pulses in 24000 trials, p = 0.1 (4 sd)", pulses);
	/* signs: half of the pulses, sd sqrt(pulses)/2 */
	ok(fabs((double)plus - pulses / 2.0) < 4 * sqrt((double)pulses) / 2,
	   "flipflop: %zu of %zu pulses are +1 (4 sd from half)", plus, pulses);
	dk_task_batch_free(b);

	p.length = 50;
	p.prob = 0;
	b = generate(&p);
	int none = b != NULL;
	for (size_t i = 0; b && i < b->input->count; i++)
		none &= ((double *)b->input->data)[i] == 0 && ((double *)b->target->data)[i] == 0;
	ok(none, "flipflop p=0: no pulse, target 0");
	dk_task_batch_free(b);
	p.prob = 1;
	b = generate(&p);
	int all = b != NULL;
	for (size_t i = 0; b && i < b->input->count; i++)
		all &= ((double *)b->input->data)[i] != 0 &&
		       ((double *)b->target->data)[i] == ((double *)b->input->data)[i];
	ok(all, "flipflop p=1: a pulse at every step, followed at once");
	dk_task_batch_free(b);
}

/* ---- seeds and parameters ---------------------------------------------- */

static void test_seeds(void)
{
	for (int k = DK_TASK_COPY; k <= DK_TASK_FLIPFLOP; k++) {
		dk_task_params p;
		dk_task_params_init(&p, (dk_task_kind)k);
		p.batch = 4;
		p.length = 30;
		p.prob = 0.3;
		p.seed = 42;
		dk_task_batch *a = generate(&p), *b = generate(&p);
		p.seed = 43;
		dk_task_batch *c = generate(&p);
		const char *name = dk_task_kind_name((dk_task_kind)k);
		ok(a && b && same_batch(a, b), "%s: the same seed gives the same batch", name);
		ok(a && c && !same_tensor(a->input, c->input), "%s: another seed, another batch", name);
		is_int(a ? attr_int(a->mask_meta, "seed") : -1, 42, "%s: the seed is in the attrs", name);
		dk_task_batch_free(a);
		dk_task_batch_free(b);
		dk_task_batch_free(c);

		/* training draws batch after batch from one generator */
		dk_task *t;
		char err[256];
		dk_rng *r = dk_rng_alloc(1);
		dk_task_batch *b1 = NULL, *b2 = NULL;
		int st = dk_task_alloc(&p, &t, err, sizeof err);
		if (!st)
			st = dk_task_sample(t, r, 0, &b1, err, sizeof err);
		if (!st)
			st = dk_task_sample(t, r, 0, &b2, err, sizeof err);
		ok(!st && !same_tensor(b1->input, b2->input),
		   "%s: successive samples from one generator differ", name);
		is_int(!st ? dk_task_steps(t) : 0, k == DK_TASK_COPY ? 50 : 30, "%s: dk_task_steps", name);
		dk_task_batch_free(b1);
		dk_task_batch_free(b2);
		dk_task_free(t);
		dk_rng_free(r);
	}
	dk_task_batch_free(NULL);
	dk_task_free(NULL);
}

static void test_params(void)
{
	dk_task_kind kind;
	dk_fmnist_mode mode;
	dk_split split;
	int names = 1;
	for (int k = 0; k < DK_NTASK; k++)
		names &= !dk_task_kind_from_name(dk_task_kind_name((dk_task_kind)k), &kind) &&
		         kind == (dk_task_kind)k;
	for (int k = 0; k < DK_NFMNIST_MODE; k++)
		names &= !dk_fmnist_mode_from_name(dk_fmnist_mode_name((dk_fmnist_mode)k), &mode) &&
		         mode == (dk_fmnist_mode)k;
	for (int k = 0; k < DK_NSPLIT; k++)
		names &= !dk_split_from_name(dk_split_name((dk_split)k), &split) && split == (dk_split)k;
	ok(names, "names of tasks, modes and splits read back");
	ok(dk_task_kind_from_name("copying", &kind) == DK_EINVAL &&
	   dk_fmnist_mode_from_name("col", &mode) == DK_EINVAL &&
	   dk_split_from_name("valid", &split) == DK_EINVAL &&
	   dk_task_kind_from_name(NULL, &kind) == DK_EINVAL && dk_task_kind_name(DK_NTASK) == NULL,
	   "unknown names are DK_EINVAL");

	struct { dk_task_kind kind; size_t batch, length, bits; double prob; const char *what; } bad[] = {
		{DK_TASK_COPY, 0, 10, 3, 0.05, "copy, batch 0"},
		{DK_TASK_COPY, 1, 0, 3, 0.05, "copy, T = 0"},
		{DK_TASK_ADDING, 1, 1, 3, 0.05, "adding, length 1"},
		{DK_TASK_FLIPFLOP, 1, 0, 3, 0.05, "flipflop, length 0"},
		{DK_TASK_FLIPFLOP, 1, 10, 0, 0.05, "flipflop, 0 bits"},
		{DK_TASK_FLIPFLOP, 1, 10, 3, 1.5, "flipflop, probability 1.5"},
		{DK_TASK_FLIPFLOP, 1, 10, 3, -0.1, "flipflop, probability -0.1"},
		{DK_TASK_FLIPFLOP, 1, 10, 3, NAN, "flipflop, probability NaN"},
		{DK_NTASK, 1, 10, 3, 0.05, "an unknown task"},
		{DK_TASK_COPY, 1, SIZE_MAX - 5, 3, 0.05, "copy, T+20 overflows"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dk_task_params p;
		dk_task_params_init(&p, bad[i].kind);
		p.batch = bad[i].batch;
		p.length = bad[i].length;
		p.bits = bad[i].bits;
		p.prob = bad[i].prob;
		dk_task *t = (dk_task *)&p; /* must be set to NULL */
		char err[256] = "";
		int st = dk_task_alloc(&p, &t, err, sizeof err);
		ok(st == DK_EINVAL && t == NULL && err[0], "%s: DK_EINVAL with a message (%s)",
		   bad[i].what, err);
	}
	/* sizes that overflow are refused before anything is allocated */
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_FLIPFLOP);
	p.batch = SIZE_MAX / 4;
	p.length = 1000;
	dk_task *t;
	dk_task_batch *b = NULL;
	char err[256];
	dk_rng *r = dk_rng_alloc(0);
	int st = dk_task_alloc(&p, &t, err, sizeof err);
	if (!st)
		st = dk_task_sample(t, r, 0, &b, err, sizeof err);
	is_int(st, DK_ELIMIT, "a batch whose size overflows is DK_ELIMIT (%s)", err);
	ok(b == NULL, "and no batch is returned");
	dk_task_free(t);
	dk_rng_free(r);
}

/* ---- the flow task's velocity sets and parameters ---------------------- */

static int velocities_are(const dk_task_params *p, int pairs, size_t n, const int (*v)[2])
{
	if (p->velocity_pairs != pairs || p->nvelocities != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p->velocities[i][0] != v[i][0] || (pairs && p->velocities[i][1] != v[i][1]))
			return 0;
	return 1;
}

static void test_flow(void)
{
	dk_task_params p;
	char err[256];
	dk_task_params_init(&p, DK_TASK_FLOW);
	static const int paper[5][2] = {{-2, 0}, {-1, 0}, {0, 0}, {1, 0}, {2, 0}};
	ok(velocities_are(&p, 0, 5, paper) && p.units == 64 && p.frames_in == 10 &&
	   p.frames_out == 10 && p.objects == 1 && p.pattern == DK_FLOW_BUMP,
	   "flow's defaults: a ring of 64, 1 bump, 10 + 10 frames, velocities -2..2");

	static const int listed[4][2] = {{3, 0}, {-1, 0}, {0, 0}, {-7, 0}};
	ok(!dk_flow_velocities_parse("3,-1..0,-7", &p, err, sizeof err) &&
	   velocities_are(&p, 0, 4, listed), "'3,-1..0,-7': values and a range, in the order given");
	static const int pairs[3][2] = {{1, 0}, {-2, 3}, {0, -1}};
	ok(!dk_flow_velocities_parse("1:0,-2:3,+0:-1", &p, err, sizeof err) &&
	   velocities_are(&p, 1, 3, pairs), "'1:0,-2:3,+0:-1': pairs ROW:COL");
	const char *bad[] = {"", " 1", "1 ", "1,", ",1", "1..", "..1", "2..1", "1:", ":1",
	                     "1:2..3", "1,2:3", "1:2,3", "x", "1.5", "0x1", "-65..0",
	                     "99999999999", NULL};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dk_task_params q = p;
		err[0] = '\0';
		int st = dk_flow_velocities_parse(bad[i], &q, err, sizeof err);
		ok(st == DK_EINVAL && err[0] && velocities_are(&q, 1, 3, pairs),
		   "velocities '%s': DK_EINVAL, the set unchanged (%s)", bad[i] ? bad[i] : "(null)", err);
	}

	/* the parameters to JSON and back, on a torus with pairs and on a
	   ring with values */
	for (int torus = 0; torus < 2; torus++) {
		dk_task_params a, back;
		dk_task_params_init(&a, DK_TASK_FLOW);
		a.objects = 2, a.frames_in = 3, a.frames_out = 60, a.seed = 5;
		if (torus) {
			a.sheet[0] = 30, a.sheet[1] = 29;
			a.pattern = DK_FLOW_FMNIST, a.split = DK_SPLIT_TEST;
			dk_flow_velocities_parse("2:0,0:-3", &a, err, sizeof err);
		} else {
			a.units = 40;
			dk_flow_velocities_parse("-5..-4,7", &a, err, sizeof err);
		}
		json_t *j = dk_task_params_to_json(&a);
		int st = dk_task_params_from_json(j, &back);
		json_t *j2 = dk_task_params_to_json(&back);
		ok(!st && json_equal(j, j2) && back.kind == DK_TASK_FLOW && back.objects == 2 &&
		   back.frames_in == 3 && back.frames_out == 60 && back.units == a.units &&
		   back.sheet[0] == a.sheet[0] && back.sheet[1] == a.sheet[1] &&
		   back.pattern == a.pattern && back.split == a.split &&
		   velocities_are(&back, a.velocity_pairs, a.nvelocities,
		                  (const int (*)[2])a.velocities),
		   "flow on a %s: its parameters to JSON and back", torus ? "torus" : "ring");
		json_decref(j);
		json_decref(j2);
	}
	const char *bad_json[] = {
		"{\"task\": \"flow\", \"velocities\": []}",
		"{\"task\": \"flow\", \"velocities\": [1, [2, 3]]}",
		"{\"task\": \"flow\", \"velocities\": [[2, 3], 1]}",
		"{\"task\": \"flow\", \"velocities\": [[2, 3, 4]]}",
		"{\"task\": \"flow\", \"velocities\": [\"1\"]}",
		"{\"task\": \"flow\", \"velocities\": [1.5]}",
		"{\"task\": \"flow\", \"sheet\": [8]}",
		"{\"task\": \"flow\", \"units\": -1}",
		"{\"task\": \"flow\", \"pattern\": \"disc\"}",
	};
	for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
		json_t *j = json_loads(bad_json[i], 0, NULL);
		dk_task_params q;
		ok(j && dk_task_params_from_json(j, &q) == DK_EINVAL, "from JSON %s: DK_EINVAL",
		   bad_json[i]);
		json_decref(j);
	}

	/* a flow batch: sizes and a generated task's no examples */
	dk_task_params_init(&p, DK_TASK_FLOW);
	p.units = 12, p.batch = 3, p.frames_in = 4, p.frames_out = 5;
	dk_task *t = NULL;
	int st = dk_task_alloc(&p, &t, err, sizeof err);
	ok(!st && dk_task_steps(t) == 9 && dk_task_inputs(t) == 12 && dk_task_outputs(t) == 12 &&
	   !strcmp(dk_task_loss(t), "mse") && dk_task_examples(t) == 0,
	   "flow on a ring of 12, 4 + 5 frames: 9 steps, 12 inputs and outputs, mse, no examples");
	size_t idx = 0;
	dk_task_batch *b = (dk_task_batch *)&p;
	ok(t && dk_task_sample_examples(t, &idx, 1, &b, err, sizeof err) == DK_EINVAL && !b,
	   "flow: no examples to pick (%s)", err);
	dk_task_free(t);
	/* velocities that fit no medium are refused */
	dk_task_params_init(&p, DK_TASK_FLOW);
	p.sheet[0] = 6, p.sheet[1] = 20;
	dk_flow_velocities_parse("3", &p, err, sizeof err);
	t = (dk_task *)&p;
	ok(dk_task_alloc(&p, &t, err, sizeof err) == DK_EINVAL && !t,
	   "flow: a value of 3 on a 6 x 20 torus (3 is half of 6): DK_EINVAL (%s)", err);
}

/* ---- IDX files --------------------------------------------------------- */

/* An IDX header: type code, rank, dims. */
static size_t idx_header(unsigned char *buf, unsigned type, int rank, const uint32_t *dims)
{
	buf[0] = buf[1] = 0;
	buf[2] = (unsigned char)type;
	buf[3] = (unsigned char)rank;
	for (int i = 0; i < rank; i++) {
		buf[4 + 4 * i] = (unsigned char)(dims[i] >> 24);
		buf[5 + 4 * i] = (unsigned char)(dims[i] >> 16);
		buf[6 + 4 * i] = (unsigned char)(dims[i] >> 8);
		buf[7 + 4 * i] = (unsigned char)dims[i];
	}
	return 4 + 4 * (size_t)rank;
}

static const char *path_of(const char *name)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void write_plain(const char *name, const void *p, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");
	fwrite(p, 1, n, f);
	fclose(f);
}

static void write_gz(const char *name, const void *p, size_t n)
{
	gzFile gz = gzopen(path_of(name), "wb");
	gzwrite(gz, p, (unsigned)n);
	gzclose(gz);
}

/* Read name; returns the status, the tensor in *t (or NULL). */
static int read_idx(const char *name, size_t max, dk_tensor **t, char *err, size_t errlen)
{
	return dk_idx_read(path_of(name), max, t, err, errlen);
}

static void test_idx(void)
{
	unsigned char buf[4096];
	uint32_t dims[3] = {3, 2, 2};
	size_t h = idx_header(buf, 0x08, 3, dims);
	for (int i = 0; i < 12; i++)
		buf[h + i] = (unsigned char)(i * 20 + 1);
	size_t n = h + 12;
	write_plain("u8.idx", buf, n);
	write_gz("u8.idx.gz", buf, n);
	for (int gz = 0; gz < 2; gz++) {
		dk_tensor *t = NULL;
		char err[512] = "";
		int st = read_idx(gz ? "u8.idx.gz" : "u8.idx", 0, &t, err, sizeof err);
		const char *kind = gz ? "gzip'd" : "plain";
		if (!ok(st == DK_OK && t, "idx %s u8: read (%s)", kind, err))
			continue;
		ok(has_shape(t, DK_U1, 3, 3, 2, 2), "idx %s u8: u1 (3, 2, 2)", kind);
		ok(!memcmp(t->data, buf + h, 12), "idx %s u8: the bytes after the header", kind);
		dk_tensor_free(t);
	}

	/* wider types are big-endian in the file */
	uint32_t d1[1] = {3};
	h = idx_header(buf, 0x0C, 1, d1);
	const unsigned char i4[12] = {0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 0x80, 0, 0, 0};
	memcpy(buf + h, i4, 12);
	write_gz("i4.idx.gz", buf, h + 12);
	dk_tensor *t = NULL;
	char err[512] = "";
	int st = read_idx("i4.idx.gz", 0, &t, err, sizeof err);
	if (ok(st == DK_OK && t && t->dtype == DK_I4 && t->count == 3, "idx i4: read (%s)", err)) {
		const int32_t *v = t->data;
		ok(v[0] == -2 && v[1] == 0x01020304 && v[2] == INT32_MIN,
		   "idx i4: big-endian -2, 0x01020304, INT32_MIN");
	}
	dk_tensor_free(t);
	h = idx_header(buf, 0x0E, 1, d1);
	const double want[3] = {1.5, -0.25, 1e300};
	for (int i = 0; i < 3; i++) {
		uint64_t bits;
		memcpy(&bits, &want[i], 8);
		for (int k = 0; k < 8; k++)
			buf[h + 8 * (size_t)i + (size_t)k] = (unsigned char)(bits >> (56 - 8 * k));
	}
	write_plain("f8.idx", buf, h + 24);
	st = read_idx("f8.idx", 0, &t, err, sizeof err);
	ok(st == DK_OK && t && t->dtype == DK_F8 && !memcmp(t->data, want, 24),
	   "idx f8: big-endian doubles read exactly");
	dk_tensor_free(t);
	h = idx_header(buf, 0x0D, 1, d1);
	const float fw[3] = {0.5f, -3.0f, 1e-3f};
	for (int i = 0; i < 3; i++) {
		uint32_t bits;
		memcpy(&bits, &fw[i], 4);
		for (int k = 0; k < 4; k++)
			buf[h + 4 * (size_t)i + (size_t)k] = (unsigned char)(bits >> (24 - 8 * k));
	}
	write_plain("f4.idx", buf, h + 12);
	st = read_idx("f4.idx", 0, &t, err, sizeof err);
	ok(st == DK_OK && t && t->dtype == DK_F4 && !memcmp(t->data, fw, 12),
	   "idx f4: big-endian floats read exactly");
	dk_tensor_free(t);

	/* broken files: an error status and a message naming the file */
	h = idx_header(buf, 0x08, 3, dims);
	memset(buf + h, 7, 12);
	size_t good = h + 12;
	struct { const char *name; int gz; size_t len; int patch_at; int patch; int want; const char *what; } bad[] = {
		{"badmagic", 0, 0, 0, 0x12, DK_EFORMAT, "bad magic (first byte nonzero)"},
		{"badmagic.gz", 1, 0, 1, 0x08, DK_EFORMAT, "bad magic, gzip'd"},
		{"type09", 0, 0, 2, 0x09, DK_EDTYPE, "type 0x09 (signed byte)"},
		{"type07", 0, 0, 2, 0x07, DK_EDTYPE, "unknown type 0x07"},
		{"rank0", 0, 0, 3, 0, DK_EFORMAT, "no dimensions"},
		{"rank2", 0, 0, 3, 2, DK_EFORMAT, "2 dimensions named for 3: bytes left over"},
		{"empty", 0, 0, -1, 0, DK_ETRUNC, "an empty file"},
		{"short_magic", 0, 3, -1, 0, DK_ETRUNC, "cut inside the magic"},
		{"short_dims", 0, 9, -1, 0, DK_ETRUNC, "cut inside the dimensions"},
		{"short_data", 0, 20, -1, 0, DK_ETRUNC, "cut inside the data"},
		{"short_data.gz", 1, 20, -1, 0, DK_ETRUNC, "cut inside the data, gzip'd"},
		{"extra", 0, 1, -1, 0, DK_EFORMAT, "a byte after the data"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unsigned char f[4096];
		memcpy(f, buf, good);
		size_t len = good;
		if (!strcmp(bad[i].name, "empty"))
			len = 0;
		else if (!strcmp(bad[i].name, "extra"))
			f[len++] = 0;
		else if (bad[i].len)
			len = bad[i].len;
		if (bad[i].patch_at >= 0)
			f[bad[i].patch_at] = (unsigned char)bad[i].patch;
		(bad[i].gz ? write_gz : write_plain)(bad[i].name, f, len);
		t = (dk_tensor *)buf; /* must be set to NULL */
		err[0] = '\0';
		st = read_idx(bad[i].name, 0, &t, err, sizeof err);
		is_int(st, bad[i].want, "idx %s: %s", bad[i].what, dk_strerror(bad[i].want));
		ok(t == NULL && strstr(err, path_of(bad[i].name)), "idx %s: no tensor, message names the file: %s",
		   bad[i].what, err);
	}

	/* a gzip stream cut short, and one whose compressed bytes are damaged */
	write_gz("whole.gz", buf, good);
	FILE *f = fopen(path_of("whole.gz"), "rb");
	unsigned char z[4096];
	size_t zn = fread(z, 1, sizeof z, f);
	fclose(f);
	write_plain("cut.gz", z, zn - 6); /* the data whole, the trailer not */
	st = read_idx("cut.gz", 0, &t, err, sizeof err);
	is_int(st, DK_ETRUNC, "idx: gzip stream without its trailer is truncated (%s)", err);
	write_plain("half.gz", z, zn / 2);
	st = read_idx("half.gz", 0, &t, err, sizeof err);
	ok(st == DK_ETRUNC || st == DK_EFORMAT, "idx: gzip stream cut in half: %s (%s)", dk_strerror(st), err);
	z[zn - 3] ^= 0xff; /* the length in the trailer */
	write_plain("damaged.gz", z, zn);
	st = read_idx("damaged.gz", 0, &t, err, sizeof err);
	is_int(st, DK_EFORMAT, "idx: gzip stream with a bad trailer is DK_EFORMAT (%s)", err);

	/* sizes beyond the cap are refused from the header */
	uint32_t huge[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
	h = idx_header(buf, 0x0E, 3, huge);
	write_plain("huge", buf, h);
	st = read_idx("huge", 0, &t, err, sizeof err);
	is_int(st, DK_ELIMIT, "idx: a shape that overflows is DK_ELIMIT (%s)", err);
	st = read_idx("u8.idx", 11, &t, err, sizeof err);
	is_int(st, DK_ELIMIT, "idx: 12 elements over a cap of 11 are DK_ELIMIT");
	st = read_idx("u8.idx", 12, &t, err, sizeof err);
	is_int(st, DK_OK, "idx: 12 elements under a cap of 12 are read");
	dk_tensor_free(t);
	st = read_idx("no-such-file", 0, &t, err, sizeof err);
	is_int(st, DK_ENOTFOUND, "idx: a missing file is DK_ENOTFOUND");
	st = dk_idx_read(dir, 0, &t, err, sizeof err);
	is_int(st, DK_EIO, "idx: a directory is DK_EIO (%s)", err);
}

/* ---- sequential Fashion-MNIST on a tiny dataset ------------------------ */

/*
 * Image i, pixel k, made so that values say where they come from: even
 * images hold k mod 256 (shifted by i), odd ones k / 256 (tagged by i),
 * so images 0 and 1 together name every pixel, and pixel 0 names the
 * image (0, 1, 62, 3, 124, 5 for images 0..5).
 */
static unsigned char pixel(size_t i, size_t k)
{
	return (unsigned char)(i % 2 ? (k / 256) * 50 + i : (k + 31 * i) % 256);
}

/* The image whose pixel 0 is v, or -1. */
static long image_of(unsigned char v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pixel(i, 0) == v)
			return (long)i;
	return -1;
}

/* n images and labels (i * 3 mod 10, or with bad_label 10 for the last) */
static void write_dataset(const char *prefix, size_t n, int gz, int bad_label)
{
	static unsigned char buf[16 + 16 * 784];
	uint32_t dims[3] = {(uint32_t)n, 28, 28};
	size_t h = idx_header(buf, 0x08, 3, dims);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 784; k++)
			buf[h + i * 784 + k] = pixel(i, k);
	char name[128];
	snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
	(gz ? write_gz : write_plain)(name, buf, h + n * 784);
	uint32_t d1[1] = {(uint32_t)n};
	h = idx_header(buf, 0x08, 1, d1);
	for (size_t i = 0; i < n; i++)
		buf[h + i] = (unsigned char)(bad_label && i == n - 1 ? 10 : i * 3 % 10);
	snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
	(gz ? write_gz : write_plain)(name, buf, h + n);
}

static dk_task_batch *fmnist(dk_fmnist_mode mode, dk_split split, size_t batch,
                             size_t offset, int shuffle, int *st, char *err, size_t errlen)
{
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_FMNIST);
	p.mode = mode;
	p.split = split;
	p.batch = batch;
	p.offset = offset;
	p.shuffle = shuffle;
	p.seed = 9;
	p.perm_seed = 4;
	p.data_dir = dir;
	dk_task_batch *b = NULL;
	*st = dk_task_generate(&p, &b, err, errlen);
	return b;
}

static void test_fmnist(void)
{
	const size_t N = 6; /* train; test has 4, stored unzipped */
	write_dataset("train", N, 1, 0);
	write_dataset("t10k", 4, 0, 0);
	int st;
	char err[512] = "";
	dk_task_batch *b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 3, 2, 0, &st, err, sizeof err);
	if (!ok(st == DK_OK && b, "fmnist pixel: generated from gzip'd files (%s)", err))
		return;
	ok(has_shape(b->input, DK_F8, 3, 784, 3, 1), "fmnist pixel: input f8 (784, B, 1)");
	ok(has_shape(b->target, DK_I8, 2, 784, 3, 0), "fmnist pixel: target i8 (784, B)");
	ok(has_shape(b->mask, DK_F8, 2, 784, 3, 0), "fmnist pixel: mask f8 (784, B)");
	check_meta(b, "fmnist", "xent");
	is_int(attr_int(b->input_meta, "classes"), 10, "fmnist: 10 classes");
	is_int(attr_int(b->input_meta, "offset"), 2, "fmnist: the offset is in the attrs");
	const double *x = b->input->data, *mask = b->mask->data;
	const int64_t *y = b->target->data;
	int pixels = 1, labels = 1, masked = 1;
	for (size_t e = 0; e < 3; e++)
		for (size_t s = 0; s < 784; s++) {
			pixels &= x[s * 3 + e] == pixel(2 + e, s) / 255.0;
			labels &= y[s * 3 + e] == (s == 783 ? (int64_t)((2 + e) * 3 % 10) : -1);
			masked &= mask[s * 3 + e] == (s == 783);
		}
	ok(pixels, "fmnist pixel: examples 2..4, pixel s at step s, scaled by 1/255");
	ok(labels, "fmnist pixel: the label at the last step, -1 before");
	ok(masked, "fmnist pixel: mask 1 at the last step only");
	dk_task_batch_free(b);

	b = fmnist(DK_FMNIST_ROW, DK_SPLIT_TEST, 4, 0, 0, &st, err, sizeof err);
	if (ok(st == DK_OK && b, "fmnist row: the test split, from unzipped files (%s)", err)) {
		ok(has_shape(b->input, DK_F8, 3, 28, 4, 28), "fmnist row: input f8 (28, B, 28)");
		x = b->input->data;
		pixels = 1;
		for (size_t r = 0; r < 28; r++)
			for (size_t e = 0; e < 4; e++)
				for (size_t c = 0; c < 28; c++)
					pixels &= x[(r * 4 + e) * 28 + c] == pixel(e, r * 28 + c) / 255.0;
		ok(pixels, "fmnist row: step r holds row r");
		y = b->target->data;
		ok(y[27 * 4 + 3] == 9 && b->target->shape[0] == 28, "fmnist row: label at step 27");
	}
	dk_task_batch_free(b);

	/* permuted: one order of the pixels, the same for every example and
	   split, a permutation, and not the identity */
	dk_task_batch *pa = fmnist(DK_FMNIST_PERMUTED, DK_SPLIT_TRAIN, N, 0, 0, &st, err, sizeof err);
	dk_task_batch *pb = fmnist(DK_FMNIST_PERMUTED, DK_SPLIT_TEST, 2, 0, 0, &st, err, sizeof err);
	if (ok(pa && pb, "fmnist permuted: generated")) {
		/* images 0 and 1 together name the pixel each step shows */
		const double *xa = pa->input->data, *xb = pb->input->data;
		int consistent = 1, moved = 0;
		char seen[784] = {0};
		for (size_t s = 0; s < 784; s++) {
			long k = -1;
			for (size_t c = 0; c < 784 && k < 0; c++)
				if (xa[s * N] == pixel(0, c) / 255.0 && xa[s * N + 1] == pixel(1, c) / 255.0)
					k = (long)c;
			if (k < 0 || seen[k]) {
				consistent = 0;
				break;
			}
			seen[k] = 1;
			moved += k != (long)s;
			for (size_t e = 0; e < N; e++)
				consistent &= xa[s * N + e] == pixel(e, (size_t)k) / 255.0;
			for (size_t e = 0; e < 2; e++)
				consistent &= xb[s * 2 + e] == pixel(e, (size_t)k) / 255.0;
		}
		ok(consistent, "fmnist permuted: one permutation of the pixels for all examples and both splits");
		ok(moved > 700, "fmnist permuted: it moves %d of 784 pixels", moved);
		is_int(attr_int(pa->input_meta, "perm_seed"), 4, "fmnist permuted: perm_seed in the attrs");
	}
	dk_task_batch_free(pa);
	dk_task_batch_free(pb);

	/* shuffle: all N examples once each, not in file order */
	b = fmnist(DK_FMNIST_ROW, DK_SPLIT_TRAIN, N, 0, 1, &st, err, sizeof err);
	if (ok(st == DK_OK && b, "fmnist shuffle: generated")) {
		int once = 1, in_order = 1;
		char seen[16] = {0};
		x = b->input->data;
		y = b->target->data;
		for (size_t e = 0; e < N; e++) {
			long i = image_of((unsigned char)lround(x[e * 28] * 255), N);
			once &= i >= 0 && !seen[i]++ && y[27 * N + e] == (int64_t)(i * 3 % 10);
			in_order &= i == (long)e;
		}
		ok(once, "fmnist shuffle: each example once, with its own label");
		ok(!in_order, "fmnist shuffle: not in file order");
	}
	dk_task_batch_free(b);

	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 3, 4, 0, &st, err, sizeof err);
	ok(st == DK_EINVAL && !b, "fmnist: offset 4 + batch 3 beyond 6 examples is DK_EINVAL (%s)", err);
	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 7, 0, 0, &st, err, sizeof err);
	ok(st == DK_EINVAL && !b, "fmnist: batch 7 of 6 examples is DK_EINVAL");

	/* what is wrong with the dataset's files is said */
	write_dataset("train", N, 1, 1);
	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 1, 0, 0, &st, err, sizeof err);
	ok(st == DK_EFORMAT && !b && strstr(err, "label"), "fmnist: a label of 10 is DK_EFORMAT (%s)", err);
	unsigned char img[16 + 27 * 28] = {0};
	uint32_t dims[3] = {1, 27, 28};
	size_t h = idx_header(img, 0x08, 3, dims);
	write_gz("train-images-idx3-ubyte.gz", img, h + 27 * 28);
	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 1, 0, 0, &st, err, sizeof err);
	ok(st == DK_EFORMAT && !b, "fmnist: images of 27 x 28 are DK_EFORMAT (%s)", err);
	write_dataset("train", N, 1, 0);
	uint32_t d1[1] = {(uint32_t)N - 1};
	h = idx_header(img, 0x08, 1, d1);
	write_gz("train-labels-idx1-ubyte.gz", img, h + N - 1);
	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 1, 0, 0, &st, err, sizeof err);
	ok(st == DK_EFORMAT && !b, "fmnist: 5 labels for 6 images are DK_EFORMAT (%s)", err);
	write_plain("train-labels-idx1-ubyte.gz", "\1\2\3\4\5\6\7\10", 8);
	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TRAIN, 1, 0, 0, &st, err, sizeof err);
	ok(st == DK_EFORMAT && !b && strstr(err, "magic"), "fmnist: a labels file that is not IDX (%s)", err);

	unlink(path_of("t10k-images-idx3-ubyte"));
	b = fmnist(DK_FMNIST_PIXEL, DK_SPLIT_TEST, 1, 0, 0, &st, err, sizeof err);
	ok(st == DK_ENOTFOUND && !b && strstr(err, "dataset-fashion-mnist"),
	   "fmnist: missing files are DK_ENOTFOUND, naming the package (%s)", err);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/dk_test_task.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	test_params();
	test_copy();
	test_adding();
	test_flipflop();
	test_seeds();
	test_flow();
	test_idx();
	test_fmnist();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
