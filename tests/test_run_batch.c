/*
 * test_run_batch.c -- a model run on a batch (lib/train/run_batch.h):
 * the states of a model on a task's batch are dk_model_run's on
 * dk_task_generate's batch, to the bit (the same path); a run read from
 * a stream gives dk_model_run's states and outputs from h0 and
 * dk_loss_eval's loss, to the bit; its records have the schema's names
 * and axes, and the states of a model with a spatial layout (wrnn)
 * carry it in their attrs; and what does not fit is refused with a
 * message.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static dk_model *make(size_t n, size_t in, size_t out)
{
	dk_model_spec s = {.kind = "rnn", .units = n, .inputs = in, .outputs = out,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 1.2,
	                   .seed = 4};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# %s\n", err);
	return m;
}

static void test_task_states(void)
{
	size_t n = 7;
	dk_model *m = make(n, 3, 3);
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_FLIPFLOP);
	p.batch = 4;
	p.length = 25;
	p.seed = 11;
	char err[256];
	dk_tensor *s = NULL;
	int st = dk_task_states(&p, m, 1 << 20, &s, err, sizeof err);
	dk_task_batch *b = NULL;
	dk_task_generate(&p, &b, err, sizeof err);
	double *want = malloc(25 * 4 * n * sizeof *want);
	dk_model_run(m, 25, 4, NULL, b->input->data, want, NULL);
	ok(!st && s && s->dtype == DK_F8 && s->rank == 2 && s->shape[0] == 100 &&
	   s->shape[1] == n, "flipflop, 4 x 25: states (100, 7)");
	ok(s && !memcmp(s->data, want, 100 * n * sizeof *want),
	   "row t B + b: dk_model_run's state of example b after step t, to the bit");
	dk_tensor_free(s);
	dk_task_batch_free(b);
	free(want);

	is_int(dk_task_states(&p, m, 699, &s, err, sizeof err), DK_ELIMIT,
	       "700 values over a limit of 699: refused");
	is_str(err, "states of (100, 7) exceed the limit of 699 elements", "message");
	is_int(dk_task_states(&p, m, 700, &s, err, sizeof err), DK_OK,
	       "700 values at a limit of 700: taken");
	dk_tensor_free(s);
	dk_task_params_init(&p, DK_TASK_ADDING);
	is_int(dk_task_states(&p, m, 1 << 20, &s, err, sizeof err), DK_EINVAL,
	       "adding's 2 features for 3 inputs: refused");
	is_str(err, "adding has 2 input features; the model takes 3", "message");
	ok(s == NULL, "nothing made");
	dk_model_free(m);
}

/* A stream as dk-gen writes it, with h0 when asked. */
static dk_bundle *batch_stream(dk_task_kind kind, size_t n, int with_h0)
{
	dk_task_params p;
	dk_task_params_init(&p, kind);
	p.batch = 3;
	p.length = 12;
	p.seed = 5;
	char err[256];
	dk_task_batch *tb = NULL;
	if (dk_task_generate(&p, &tb, err, sizeof err))
		printf("# %s\n", err);
	dk_bundle *b = dk_bundle_alloc();
	dk_bundle_add(b, DK_NAME_INPUT, tb->input_meta, tb->input);
	dk_bundle_add(b, DK_NAME_TARGET, tb->target_meta, tb->target);
	dk_bundle_add(b, DK_NAME_MASK, tb->mask_meta, tb->mask);
	tb->input = tb->target = tb->mask = NULL;
	tb->input_meta = tb->target_meta = tb->mask_meta = NULL;
	dk_task_batch_free(tb);
	if (with_h0) {
		size_t hs[2] = {3, n};
		dk_tensor *h0 = dk_tensor_alloc(DK_F8, 0, 2, hs);
		for (size_t i = 0; i < h0->count; i++)
			((double *)h0->data)[i] = 0.1 * (double)i - 0.5;
		dk_bundle_add(b, DK_NAME_H0, NULL, h0);
	}
	return b;
}

static int axes_are(const dk_bundle *b, const char *name, const char *last)
{
	long i = dk_bundle_find(b, name);
	json_t *ax = i < 0 ? NULL : dk_meta_axes(dk_bundle_meta(b, (size_t)i));
	return json_array_size(ax) == 3 &&
	       !strcmp(json_string_value(json_array_get(ax, 0)), "time") &&
	       !strcmp(json_string_value(json_array_get(ax, 1)), "batch") &&
	       !strcmp(json_string_value(json_array_get(ax, 2)), last);
}

static void test_batch(void)
{
	size_t n = 5, T = 12, B = 3;
	dk_model *m = make(n, 3, 3);
	dk_bundle *in = batch_stream(DK_TASK_FLIPFLOP, n, 1);
	char err[256];
	dk_run_batch rb;
	int st = dk_run_batch_read(&rb, m, in, 1 << 20, err, sizeof err);
	ok(!st && rb.h0 == dk_bundle_get(in, DK_NAME_H0) && rb.target && rb.mask &&
	   isnan(rb.loss) && isnan(rb.accuracy),
	   "read: input, h0, target and mask found; no loss yet");
	st = st ? st : dk_run_batch_run(&rb, m);
	double *hs = malloc(T * B * n * sizeof *hs), *ys = malloc(T * B * 3 * sizeof *ys);
	const dk_tensor *x = dk_bundle_get(in, DK_NAME_INPUT);
	dk_model_run(m, T, B, dk_bundle_get(in, DK_NAME_H0)->data, x->data, hs, ys);
	ok(!st && !memcmp(rb.states->data, hs, T * B * n * sizeof *hs) &&
	   !memcmp(rb.outputs->data, ys, T * B * 3 * sizeof *ys),
	   "run: dk_model_run's states and outputs from h0, to the bit");
	double loss, acc;
	dk_loss_eval(rb.outputs, dk_bundle_get(in, DK_NAME_TARGET),
	             dk_bundle_get(in, DK_NAME_MASK), &loss, &acc, err, sizeof err);
	st = st ? st : dk_run_batch_loss(&rb, err, sizeof err);
	ok(!st && rb.loss == loss && isnan(rb.accuracy),
	   "loss: dk_loss_eval's (mse: no accuracy)");
	dk_bundle *out = dk_bundle_alloc();
	st = st ? st : dk_run_batch_to_bundle(&rb, 1, out);
	ok(!st && dk_bundle_size(out) == 3 &&
	   !strcmp(dk_bundle_name(out, 0), DK_NAME_STATES) &&
	   !strcmp(dk_bundle_name(out, 1), DK_NAME_OUTPUT) &&
	   !strcmp(dk_bundle_name(out, 2), DK_NAME_RUN_LOSS) &&
	   axes_are(out, DK_NAME_STATES, "unit") && axes_are(out, DK_NAME_OUTPUT, "output") &&
	   ((double *)dk_bundle_get(out, DK_NAME_RUN_LOSS)->data)[0] == loss &&
	   !memcmp(dk_bundle_get(out, DK_NAME_STATES)->data, hs, T * B * n * sizeof *hs),
	   "records: states (time, batch, unit), output (time, batch, output), run/loss");
	ok(!rb.states && !rb.outputs, "the records took the tensors");
	dk_run_batch_clear(&rb);
	dk_bundle_free(out);
	dk_bundle_free(in);
	free(hs);
	free(ys);

	/* classification, without states */
	dk_model *mc = make(n, 10, 10);
	in = batch_stream(DK_TASK_COPY, n, 0);
	out = dk_bundle_alloc();
	st = dk_run_batch_read(&rb, mc, in, 1 << 20, err, sizeof err);
	st = st ? st : dk_run_batch_run(&rb, mc);
	st = st ? st : dk_run_batch_loss(&rb, err, sizeof err);
	st = st ? st : dk_run_batch_to_bundle(&rb, 0, out);
	ok(!st && dk_bundle_size(out) == 3 && !rb.h0 &&
	   !strcmp(dk_bundle_name(out, 0), DK_NAME_OUTPUT) &&
	   !strcmp(dk_bundle_name(out, 2), DK_NAME_RUN_ACCURACY),
	   "copy, no states: output, run/loss, run/accuracy");
	dk_run_batch_clear(&rb);
	dk_bundle_free(out);
	dk_bundle_free(in);
	dk_model_free(mc);

	/* refusals */
	in = batch_stream(DK_TASK_ADDING, n, 0);
	is_int(dk_run_batch_read(&rb, m, in, 1 << 20, err, sizeof err), DK_EINVAL,
	       "adding's 2 features for 3 inputs: refused");
	is_str(err, "input has 2 features; the model takes 3", "message");
	ok(!rb.input, "a refused read owns nothing");
	dk_bundle_free(in);
	in = batch_stream(DK_TASK_FLIPFLOP, n, 0);
	is_int(dk_run_batch_read(&rb, m, in, T * B * n - 1, err, sizeof err), DK_ELIMIT,
	       "states over the limit: refused");
	is_str(err, "states of (12, 3, 5) exceed the limit of 179 elements", "message");
	size_t bad[2] = {B, n + 1};
	dk_bundle_add(in, DK_NAME_H0, NULL, dk_tensor_alloc(DK_F8, 0, 2, bad));
	is_int(dk_run_batch_read(&rb, m, in, 1 << 20, err, sizeof err), DK_EINVAL,
	       "an h0 of (3, 6) for 5 units: refused");
	is_str(err, "h0 must be f8 (3, 5)", "message");
	dk_bundle_free(in);

	/* a lone tensor is the input; two others are not */
	in = dk_bundle_alloc();
	size_t xs[3] = {4, 2, 3};
	dk_bundle_add(in, "", NULL, dk_tensor_alloc(DK_F4, 0, 3, xs));
	st = dk_run_batch_read(&rb, m, in, 1 << 20, err, sizeof err);
	ok(!st && rb.input->dtype == DK_F8 && rb.input->shape[0] == 4 && !rb.target,
	   "a lone f4 tensor: the input, as f8");
	dk_run_batch_clear(&rb);
	dk_bundle_add(in, "other", NULL, dk_tensor_alloc(DK_F8, 0, 3, xs));
	is_int(dk_run_batch_read(&rb, m, in, 1 << 20, err, sizeof err), DK_EINVAL,
	       "two tensors, neither named input: refused");
	dk_bundle_free(in);
	in = dk_bundle_alloc();
	dk_bundle_add(in, DK_NAME_INPUT, NULL, dk_tensor_alloc(DK_F8, 0, 2, xs));
	is_int(dk_run_batch_read(&rb, m, in, 1 << 20, err, sizeof err), DK_EINVAL,
	       "an input of rank 2: refused");
	is_str(err, "input must be (time, batch, feature), not rank 2", "message");
	dk_bundle_free(in);
	dk_model_free(m);
}

/* A wrnn's states say where its units sit; an rnn's say nothing. */
static void test_layout(void)
{
	dk_model_spec s = {.kind = "wrnn", .units = 6, .channels = 2, .inputs = 3,
	                   .outputs = 3};
	char err[256];
	dk_model *w = NULL, *r = make(12, 3, 3);
	int st = dk_model_create(&s, &w, err, sizeof err);
	dk_layout l;
	ok(!st && dk_model_layout(w, &l) == 1 && l.rank == 2 && l.shape[0] == 2 &&
	   l.shape[1] == 6 && !strcmp(l.axes[0], "channel") &&
	   !strcmp(l.axes[1], "unit") && !l.periodic[0] && l.periodic[1],
	   "wrnn: 2 rings of 6 units, the unit axis periodic");
	ok(dk_model_layout(r, &l) == 0 && l.rank == 0, "rnn: no layout");
	dk_bundle *in = batch_stream(DK_TASK_FLIPFLOP, 12, 0), *out = dk_bundle_alloc();
	dk_run_batch rb;
	st = st ? st : dk_run_batch_read(&rb, w, in, 1 << 20, err, sizeof err);
	st = st ? st : dk_run_batch_run(&rb, w);
	st = st ? st : dk_run_batch_to_bundle(&rb, 1, out);
	long i = dk_bundle_find(out, DK_NAME_STATES);
	json_t *a = i < 0 ? NULL : dk_meta_attrs(dk_bundle_meta(out, (size_t)i));
	dk_layout got;
	ok(!st && a && !dk_layout_from_json(json_object_get(a, DK_LAYOUT_ATTR), &got,
	                                    err, sizeof err) &&
	   got.rank == 2 && got.shape[0] == 2 &&
	   got.shape[1] == 6 && got.periodic[1] && !got.periodic[0],
	   "the wrnn's states carry the layout in their attrs, and it reads back");
	i = dk_bundle_find(out, DK_NAME_OUTPUT);
	a = i < 0 ? NULL : dk_meta_attrs(dk_bundle_meta(out, (size_t)i));
	ok(!a || !json_object_get(a, DK_LAYOUT_ATTR), "the outputs carry none");
	dk_run_batch_clear(&rb);
	dk_bundle_free(out);
	dk_bundle_free(in);
	dk_model_free(w);
	dk_model_free(r);

	/* sheets: [C, H, W], channel, row, col, periodic in space or not */
	dk_layout sh = dk_layout_sheets(3, 4, 5, 1);
	json_t *j = dk_layout_to_json(&sh);
	ok(j && !dk_layout_from_json(j, &got, err, sizeof err) && got.rank == 3 &&
	   got.shape[0] == 3 && got.shape[1] == 4 && got.shape[2] == 5 &&
	   !strcmp(got.axes[1], "row") && !strcmp(got.axes[2], "col") &&
	   !got.periodic[0] && got.periodic[1] && got.periodic[2] &&
	   dk_layout_units(&got) == 60, "sheets: their layout reads back");
	json_decref(j);
	sh = dk_layout_sheets(1, 2, 2, 0);
	ok(!sh.periodic[1] && !sh.periodic[2], "open sheets are open both ways");
}

int main(void)
{
	test_task_states();
	test_batch();
	test_layout();
	return tap_done();
}
