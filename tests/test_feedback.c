/*
 * test_feedback.c -- the closed loop (dk_bptt_set_feedback,
 * dk_model_run_feedback): from step F on each input is the model's
 * previous output.
 *
 * The gradient of the closed-loop loss against central finite
 * differences of that loss, for an rnn, a fernn (whose input is a
 * ring the size of its output) and an nwm (an image the size of its
 * output: its walk back in sequence mode, model.h, sums the encoders'
 * gradients of the given images and takes the fed-back ones back at
 * once, as their gradient is asked for), with a mask that weighs some steps
 * before F as well as the fed-back ones; the loss against the closed-loop
 * run (dk_model_run_feedback, another code path) scored by dk_loss_eval;
 * the closed loop differing from the open one (so the switch does
 * something); switched off (0), the bytes of the loss and gradient those
 * of a workspace never switched; the refusals of a model whose outputs
 * are not as many as its inputs and of a step outside 1 .. T - 1.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define T 7
#define B 2
#define F 3 /* the first step fed back */

typedef struct {
	dk_tensor *target, *mask;
	double *u;
} data;

static void data_make(data *d, size_t m, uint64_t seed)
{
	dk_rng *r = dk_rng_alloc(seed);
	size_t tb[2] = {T, B}, tbo[3] = {T, B, m};
	d->mask = dk_tensor_alloc(DK_F8, 0, 2, tb);
	d->target = dk_tensor_alloc(DK_F8, 0, 3, tbo);
	d->u = malloc(T * B * m * sizeof *d->u);
	double *w = d->mask->data, *y = d->target->data;
	for (size_t t = 0; t < T; t++)
		for (size_t b = 0; b < B; b++)
			/* the fed-back steps and one before them */
			w[t * B + b] = t >= F || t == 1 ? 1 + 0.25 * (double)b : 0;
	for (size_t i = 0; i < T * B * m; i++) {
		y[i] = dk_rng_normal(r, 0.5);
		/* past F the inputs must not be read: NaN there would show */
		d->u[i] = i / (B * m) >= F ? NAN : dk_rng_normal(r, 1.0);
	}
	dk_rng_free(r);
}

static void data_free(data *d)
{
	dk_tensor_free(d->mask);
	dk_tensor_free(d->target);
	free(d->u);
}

static void check_kind(const char *what, dk_model_spec spec)
{
	dk_model *m;
	char err[256];
	int st = dk_model_create(&spec, &m, err, sizeof err);
	if (!ok(st == DK_OK, "%s: create%s%s", what, st ? ": " : "", st ? err : ""))
		return;
	size_t np = dk_model_param_count(m), mi = dk_model_input_size(m);
	size_t n = dk_model_state_size(m);
	if (!strcmp(spec.kind, "nwm")) {
		/* at its start the nwm hardly reads its image (omega's and
		   alpha's last weights a tenth of PyTorch's, no bias b to set
		   the sheet moving): moved off it, so that the image fed back
		   matters */
		dk_rng *r = dk_rng_alloc(9);
		for (size_t k = 0; k < np; k++)
			dk_model_params(m)[k] += dk_rng_normal(r, 0.5);
		dk_rng_free(r);
	}
	data d;
	data_make(&d, mi, 5);
	dk_bptt *bp = dk_bptt_alloc(m, T, B);
	double *grad = malloc(np * sizeof *grad), loss, acc;
	ok(dk_bptt_set_feedback(bp, F, err, sizeof err) == DK_OK, "%s: feedback from step %d",
	   what, F);
	st = dk_bptt_loss_grad(bp, m, d.u, d.target, d.mask, &loss, &acc, grad);
	ok(st == DK_OK && isfinite(loss), "%s: closed-loop loss %.6g and gradient (the NaN inputs past "
	   "step %d unread)", what, loss, F);

	/* central differences with h = 1e-6: truncation O(h^2 L''') and
	   round-off O(eps L / h) both near 1e-10 relative; 1e-6 on the whole
	   vector leaves room for a relu's kink crossed by a few terms */
	double *theta = dk_model_params(m), num = 0, den = 0;
	for (size_t k = 0; k < np; k++) {
		double keep = theta[k], lp, lm;
		theta[k] = keep + 1e-6;
		dk_bptt_loss_grad(bp, m, d.u, d.target, d.mask, &lp, &acc, NULL);
		theta[k] = keep - 1e-6;
		dk_bptt_loss_grad(bp, m, d.u, d.target, d.mask, &lm, &acc, NULL);
		theta[k] = keep;
		double fd = (lp - lm) / 2e-6;
		num += (fd - grad[k]) * (fd - grad[k]);
		den += fd * fd;
	}
	double e = sqrt(num / den);
	ok(e < 1e-6, "%s: closed-loop gradient over %zu parameters matches central "
	   "differences (rel err %.2g)", what, np, e);

	/* the run fed back by dk_model_run_feedback and scored by
	   dk_loss_eval: the same steps and readouts, a loss summed in another
	   order, so equal to a few ulps (1e-13 relative) */
	size_t ts[3] = {T, B, dk_model_output_size(m)};
	dk_tensor *y = dk_tensor_alloc(DK_F8, 0, 3, ts);
	double *states = malloc(T * B * n * sizeof *states), lr, ar;
	st = dk_model_run_feedback(m, T, B, NULL, d.u, F, states, y->data);
	st = st ? st : dk_loss_eval(y, d.target, d.mask, &lr, &ar, err, sizeof err);
	ok(!st && fabs(lr - loss) <= 1e-13 * fabs(loss), "%s: the closed-loop run scores "
	   "the same loss (%.17g against %.17g)", what, lr, loss);

	/* open loop on the same inputs (the NaN replaced): another loss */
	for (size_t i = F * B * mi; i < T * B * mi; i++)
		d.u[i] = 0;
	double lo, *g0 = malloc(np * sizeof *g0), *g1 = malloc(np * sizeof *g1), l0, l1;
	dk_bptt_set_feedback(bp, 0, err, sizeof err);
	dk_bptt_loss_grad(bp, m, d.u, d.target, d.mask, &lo, &acc, g0);
	ok(fabs(lo - loss) > 1e-6 * fabs(loss), "%s: the open loop's loss differs (%.6g "
	   "against %.6g)", what, lo, loss);
	/* switched off, the very code of a workspace never switched */
	dk_bptt *fresh = dk_bptt_alloc(m, T, B);
	dk_bptt_loss_grad(fresh, m, d.u, d.target, d.mask, &l1, &acc, g1);
	l0 = lo;
	ok(!memcmp(&l0, &l1, sizeof l0) && !memcmp(g0, g1, np * sizeof *g0),
	   "%s: feedback switched off gives the bytes of no feedback", what);

	ok(dk_bptt_set_feedback(bp, T, err, sizeof err) == DK_EINVAL && strstr(err, "step"),
	   "%s: a step past the last refused (%s)", what, err);
	ok(dk_bptt_set_feedback(bp, 0, err, sizeof err) == DK_OK, "%s: 0 switches it off", what);
	dk_bptt_free(fresh);
	dk_tensor_free(y);
	free(states);
	free(g0);
	free(g1);
	free(grad);
	dk_bptt_free(bp);
	data_free(&d);
	dk_model_free(m);
}

/* A model whose outputs are not as many as its inputs is refused, by the
   trainer's BPTT and by the run. */
static void check_refusal(void)
{
	dk_model_spec spec = {.kind = "rnn", .units = 4, .inputs = 2, .outputs = 3,
	                      .init = "random", .gain = 1, .seed = 1};
	dk_act_from_name("tanh", &spec.act);
	dk_model *m;
	char err[256] = "";
	if (!ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "rnn 2 -> 3: create"))
		return;
	dk_bptt *bp = dk_bptt_alloc(m, T, B);
	ok(dk_bptt_set_feedback(bp, F, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "3 outputs and 2 inputs"), "outputs != inputs refused: %s", err);
	double u[T * B * 2] = {0}, s[T * B * 4], y[T * B * 3];
	ok(dk_model_run_feedback(m, T, B, NULL, u, F, s, y) == DK_EINVAL,
	   "outputs != inputs refused by the run");
	ok(dk_model_run_feedback(m, T, B, NULL, u, 0, s, y) == DK_OK,
	   "but run in the open loop");
	dk_bptt_free(bp);
	dk_model_free(m);
}

int main(void)
{
	dk_model_spec rnn = {.kind = "rnn", .units = 6, .inputs = 3, .outputs = 3,
	                     .init = "random", .gain = 1.1, .seed = 3};
	dk_act_from_name("tanh", &rnn.act);
	check_kind("rnn", rnn);
	/* 2 channels on a ring of 5, velocities -1..1, 1 input channel: 5
	   inputs and 5 outputs */
	dk_model_spec fernn = {.kind = "fernn", .channels = 2, .units = 5, .velocities = 1,
	                       .inputs = 1, .outputs = 5, .gain = 1, .seed = 4};
	check_kind("fernn", fernn);
	/* one channel on a 2 x 3 sheet, a grey image: 6 inputs and 6 outputs */
	dk_model_spec nwm = {.kind = "nwm", .channels = 1, .height = 2, .width = 3,
	                     .inputs = 1, .outputs = 6, .hidden = 2, .seed = 5};
	check_kind("nwm", nwm);
	check_refusal();
	return tap_done();
}
