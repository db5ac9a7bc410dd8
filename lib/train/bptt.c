/*
 * bptt.c -- backpropagation through time over the model interface.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/tensor.h"
#include "train/bptt.h"
#include "train/loss.h"

struct dk_bptt {
	size_t T, B, n, m, o, c;   /* steps, batch, state, input, output, cache */
	int state_cache;           /* the next state serves as the cache */
	dk_model_work *work;       /* owned */
	double *states;            /* owned: (T + 1) x B x n, states[0] the start */
	double *cache;             /* owned: T x B x c */
	double *start_cache;       /* owned: B x the model's start cache */
	double *y, *gy;            /* owned: T x B x o each */
	double *gh, *gx;           /* owned: B x n each */
	/* a model with a head (dk_model_head_steps = T): P pixels of K
	   classes per example */
	size_t P, K;
	double *logits, *glogits;  /* owned: B x P x K each */
	double *weight;            /* owned: B x P, each pixel's in the loss */
	double *gstates;           /* owned: T x B x n, the head's dL/dstates */
	size_t feedback;           /* 0, or the first step fed back its output */
	double *fb;                /* owned with feedback: T x B x m, the inputs
	                              of the fed-back steps */
	double *gu, *gyf;          /* owned with feedback: B x m, B x o */
};

/* The head's buffers, for a model that has one. */
static int alloc_head(dk_bptt *bp, const dk_model *mod)
{
	if (!dk_model_head_steps(mod))
		return DK_OK;
	bp->P = dk_model_head_pixels(mod);
	bp->K = dk_model_head_classes(mod);
	size_t shape[3] = {bp->B, bp->P, bp->K}, gs[3] = {bp->T, bp->B, bp->n}, count;
	if (dk_shape_count(3, shape, sizeof(double), &count) ||
	    dk_shape_count(3, gs, sizeof(double), &count))
		return DK_ELIMIT;
	bp->logits = malloc((bp->B * bp->P * bp->K + 1) * sizeof *bp->logits);
	bp->glogits = malloc((bp->B * bp->P * bp->K + 1) * sizeof *bp->glogits);
	bp->weight = malloc((bp->B * bp->P + 1) * sizeof *bp->weight);
	bp->gstates = malloc((bp->T * bp->B * bp->n + 1) * sizeof *bp->gstates);
	return bp->logits && bp->glogits && bp->weight && bp->gstates ? DK_OK : DK_ENOMEM;
}

dk_bptt *dk_bptt_alloc(const dk_model *mod, size_t steps, size_t batch)
{
	dk_bptt *bp = calloc(1, sizeof *bp);
	if (!bp)
		return NULL;
	bp->T = steps;
	bp->B = batch;
	bp->n = dk_model_state_size(mod);
	bp->m = dk_model_input_size(mod);
	bp->o = dk_model_output_size(mod);
	bp->state_cache = dk_model_cache_is_state(mod);
	bp->c = bp->state_cache ? 0 : dk_model_cache_size(mod);
	/* steps and batch come from options: the largest buffer, T + 1 rows
	   of B x (n + c + o), must not wrap */
	size_t shape[3] = {steps + 1, batch, bp->n + bp->c + bp->o + 1}, count;
	if (steps == SIZE_MAX || dk_shape_count(3, shape, sizeof(double), &count)) {
		free(bp);
		return NULL;
	}
	size_t Bn = batch * bp->n;
	bp->work = dk_model_work_alloc(mod, batch);
	bp->states = calloc((steps + 1) * Bn + 1, sizeof *bp->states);
	bp->cache = malloc((steps * batch * bp->c + 1) * sizeof *bp->cache);
	bp->y = malloc((steps * batch * bp->o + 1) * sizeof *bp->y);
	bp->gy = malloc((steps * batch * bp->o + 1) * sizeof *bp->gy);
	bp->gh = malloc((Bn + 1) * sizeof *bp->gh);
	bp->gx = malloc((Bn + 1) * sizeof *bp->gx);
	size_t sc = dk_model_start_cache_size(mod);
	bp->start_cache = sc <= SIZE_MAX / sizeof(double) / (batch + 1) - 1
	                  ? malloc((batch * sc + 1) * sizeof *bp->start_cache) : NULL;
	if (!bp->work || !bp->states || !bp->cache || !bp->y || !bp->gy ||
	    !bp->gh || !bp->gx || !bp->start_cache || alloc_head(bp, mod)) {
		dk_bptt_free(bp);
		return NULL;
	}
	return bp;
}

void dk_bptt_free(dk_bptt *bp)
{
	if (!bp)
		return;
	dk_model_work_free(bp->work);
	free(bp->states);
	free(bp->cache);
	free(bp->y);
	free(bp->gy);
	free(bp->gh);
	free(bp->gx);
	free(bp->start_cache);
	free(bp->logits);
	free(bp->glogits);
	free(bp->weight);
	free(bp->gstates);
	free(bp->fb);
	free(bp->gu);
	free(bp->gyf);
	free(bp);
}

int dk_bptt_set_feedback(dk_bptt *bp, size_t from, char *err, size_t errlen)
{
	if (from && bp->m != bp->o)
		return dk_errorf(DK_EINVAL, err, errlen, "feedback: the model has %zu outputs "
		                 "and %zu inputs; its outputs are fed back as its inputs only "
		                 "when they are as many", bp->o, bp->m);
	if (from && (from >= bp->T || bp->m == 0))
		return dk_errorf(DK_EINVAL, err, errlen, "feedback: step %zu is not one of "
		                 "the %zu steps after the first%s", from, bp->T,
		                 bp->m ? "" : " (and the model has no inputs)");
	if (from && !bp->fb) {
		/* T x B x m fits: alloc checked T x B x (n + c + o + 1) */
		bp->fb = calloc(bp->T * bp->B * bp->m, sizeof *bp->fb);
		bp->gu = malloc(bp->B * bp->m * sizeof *bp->gu);
		bp->gyf = malloc(bp->B * bp->o * sizeof *bp->gyf);
		if (!bp->fb || !bp->gu || !bp->gyf)
			return dk_errorf(DK_ENOMEM, err, errlen, "feedback: out of memory");
	}
	bp->feedback = from;
	return DK_OK;
}

/* Where step t writes its cache: nowhere when the state it makes is its
   cache (the backward pass then reads that state instead). */
static double *step_cache(dk_bptt *bp, size_t t)
{
	return bp->state_cache ? NULL : bp->cache + t * bp->B * bp->c;
}

/* The loss of the outputs and its gradient dL/dy into gy. */
static int loss_of(dk_bptt *bp, const dk_tensor *target, const dk_tensor *mask,
                   double *loss, double *accuracy, int want_grad)
{
	size_t T = bp->T, B = bp->B, o = bp->o;
	double *gy = want_grad ? bp->gy : NULL;
	*accuracy = NAN;
	if (target->dtype == DK_I8) {
		if (target->count != T * B)
			return DK_EINVAL;
		return dk_loss_xent(T, B, o, bp->y, target->data, mask->data, loss,
		                    accuracy, gy);
	}
	if (target->dtype != DK_F8 || target->count != T * B * o)
		return DK_EINVAL;
	if (mask->rank == 3)
		return dk_loss_mse_each(T, B, o, bp->y, target->data, mask->data, loss, gy);
	return dk_loss_mse(T, B, o, bp->y, target->data, mask->data, loss, gy);
}

/*
 * Whether the loss weighs any example at step t.  The readout of a step
 * the mask gives no weight (all of them but the last in the adding task)
 * is neither computed nor backpropagated: its outputs are 0 and count for
 * nothing.
 */
static int weighted(const dk_tensor *mask, size_t t, size_t B)
{
	size_t per = mask->rank == 3 ? mask->shape[2] : 1; /* weights per output */
	const double *w = (const double *)mask->data + t * B * per;
	for (size_t b = 0; b < B * per; b++)
		if (w[b] != 0)
			return 1;
	return 0;
}

/*
 * The state the run starts from, states[0], made from the first input
 * (dk_model_start: 0 for a kind without a start), and the gradient that
 * reaches it taken back into the parameters through the start.
 */
static int start_forward(dk_bptt *bp, const dk_model *mod, const double *inputs)
{
	return dk_model_start(mod, bp->work, bp->B, bp->m ? inputs : NULL, bp->states,
	                      bp->start_cache);
}

static int start_backward(dk_bptt *bp, const dk_model *mod, const double *inputs,
                          const double *gstart, double *grad)
{
	if (!dk_model_has_start(mod))
		return DK_OK;
	return dk_model_start_vjp(mod, bp->work, bp->B, bp->m ? inputs : NULL,
	                          bp->start_cache, gstart, NULL, grad);
}

/*
 * The walk back runs in the model's sequence mode (model.h): what a
 * step's vjp would take back through a part of the model that depends
 * on the input alone (the nwm's encoders of omega and alpha, the same at
 * every step of a run on one image) is summed over the walk and taken
 * back once at its end, into the same grad.  The end is reached on
 * every path, an error's too, so the workspace leaves the mode.
 */
static int walk_end(dk_bptt *bp, const dk_model *mod, double *grad, int st)
{
	int end = dk_model_sequence_end(mod, bp->work, grad);
	return st ? st : end;
}

/*
 * A model with a head: T steps with no per-step readout, the head's
 * logits (B, P, K) from the T states, the mean cross-entropy over every
 * labelled pixel (target i8 (B, P) labels, -1 for none; mask NULL or f8
 * (B), each example's weight), and back: the head's gradient of every
 * state added to the state's as the walk back reaches it, as far back
 * as the start.
 */
static int head_loss_grad(dk_bptt *bp, const dk_model *mod, const double *inputs,
                          const dk_tensor *target, const dk_tensor *mask,
                          double *loss, double *accuracy, double *grad)
{
	size_t T = bp->T, B = bp->B, n = bp->n, Bn = B * n, P = bp->P;
	if (T != dk_model_head_steps(mod) || target->dtype != DK_I8 ||
	    target->count != B * P ||
	    (mask && (mask->dtype != DK_F8 || mask->count != B)))
		return DK_EINVAL;
	const int64_t *label = target->data;
	const double *w = mask ? mask->data : NULL;
	for (size_t b = 0; b < B; b++)
		for (size_t p = 0; p < P; p++)
			bp->weight[b * P + p] = label[b * P + p] >= 0 ? (w ? w[b] : 1) : 0;
	int st = start_forward(bp, mod, inputs);
	for (size_t t = 0; t < T && !st; t++) {
		const double *u = bp->m ? inputs + t * B * bp->m : NULL;
		st = dk_model_step(mod, bp->work, B, bp->states + t * Bn, u,
		                   bp->states + (t + 1) * Bn, step_cache(bp, t));
	}
	if (!st)
		st = dk_model_head(mod, bp->work, B, bp->states + Bn, bp->logits);
	if (!st)
		st = dk_loss_xent(1, B * P, bp->K, bp->logits, label, bp->weight, loss,
		                  accuracy, grad ? bp->glogits : NULL);
	if (st || !grad)
		return st;
	memset(grad, 0, dk_model_param_count(mod) * sizeof *grad);
	st = dk_model_head_vjp(mod, bp->work, B, bp->states + Bn, bp->glogits,
	                       bp->gstates, grad);
	memset(bp->gh, 0, Bn * sizeof *bp->gh);
	if (!st)
		st = dk_model_sequence_begin(mod, bp->work);
	for (size_t t = T; t-- > 0 && !st;) {
		const double *gs = bp->gstates + t * Bn; /* dL/d state t+1 */
		for (size_t i = 0; i < Bn; i++)
			bp->gh[i] += gs[i];
		const double *u = bp->m ? inputs + t * B * bp->m : NULL;
		st = dk_model_vjp(mod, bp->work, B, bp->states + t * Bn, u,
		                  bp->state_cache ? bp->states + (t + 1) * Bn
		                                  : step_cache(bp, t),
		                  bp->gh, bp->gx, NULL, grad);
		double *swap = bp->gh;
		bp->gh = bp->gx;
		bp->gx = swap;
	}
	st = walk_end(bp, mod, grad, st);
	if (!st)
		st = start_backward(bp, mod, inputs, bp->gh, grad);
	return st;
}

/*
 * Closed loop.  From step `feedback` on, the input of step t is the
 * readout of state t (the output of step t - 1), made here into fb; the
 * given inputs are used before it.  The backward pass reads the same
 * inputs again (input_of), takes the gradient of each fed-back input out
 * of the step's vjp into gu (feedback_gu), and adds it to the gradient
 * of the readout it came from (readout_grad).
 */
static const double *feed_input(dk_bptt *bp, const dk_model *mod, const double *inputs,
                                size_t t, int *st)
{
	size_t Bm = bp->B * bp->m;
	if (!bp->m)
		return NULL;
	if (!bp->feedback || t < bp->feedback)
		return inputs + t * Bm;
	*st = dk_model_readout(mod, bp->B, bp->states + t * bp->B * bp->n, bp->fb + t * Bm);
	return bp->fb + t * Bm;
}

static const double *input_of(const dk_bptt *bp, const double *inputs, size_t t)
{
	if (!bp->m)
		return NULL;
	if (!bp->feedback || t < bp->feedback)
		return inputs + t * bp->B * bp->m;
	return bp->fb + t * bp->B * bp->m;
}

static double *feedback_gu(const dk_bptt *bp, size_t t)
{
	return bp->feedback && t >= bp->feedback ? bp->gu : NULL;
}

/* The gradient that reaches the readout of state t + 1 (the output of
   step t): the loss's when the mask weighs the step, plus, when that
   output is the input of step t + 1, the gradient of that input (in gu
   since step t + 1's vjp); NULL when none does. */
static const double *readout_grad(dk_bptt *bp, const dk_tensor *mask, size_t t)
{
	size_t Bo = bp->B * bp->o;
	const double *gy = weighted(mask, t, bp->B) ? bp->gy + t * Bo : NULL;
	if (!bp->feedback || t + 1 < bp->feedback || t + 1 >= bp->T)
		return gy;
	for (size_t i = 0; i < Bo; i++)
		bp->gyf[i] = (gy ? gy[i] : 0) + bp->gu[i];
	return bp->gyf;
}

int dk_bptt_loss_grad(dk_bptt *bp, const dk_model *mod, const double *inputs,
                      const dk_tensor *target, const dk_tensor *mask,
                      double *loss, double *accuracy, double *grad)
{
	if (bp->P)
		return head_loss_grad(bp, mod, inputs, target, mask, loss, accuracy, grad);
	size_t T = bp->T, B = bp->B, n = bp->n, Bn = B * n;
	int st = DK_OK;
	/* a step's weight (T, B), or one per output of an mse target (T, B, o) */
	if (mask->dtype != DK_F8 || (mask->count != T * B &&
	    (mask->rank != 3 || target->dtype == DK_I8 || mask->count != T * B * bp->o)))
		return DK_EINVAL;
	st = start_forward(bp, mod, inputs);
	for (size_t t = 0; t < T && !st; t++) {
		const double *u = feed_input(bp, mod, inputs, t, &st);
		if (!st)
			st = dk_model_step(mod, bp->work, B, bp->states + t * Bn, u,
			                   bp->states + (t + 1) * Bn, step_cache(bp, t));
		if (st)
			break;
		if (weighted(mask, t, B))
			st = dk_model_readout(mod, B, bp->states + (t + 1) * Bn,
			                      bp->y + t * B * bp->o);
		else
			memset(bp->y + t * B * bp->o, 0, B * bp->o * sizeof *bp->y);
	}
	if (!st)
		st = loss_of(bp, target, mask, loss, accuracy, grad != NULL);
	if (st || !grad)
		return st;

	memset(grad, 0, dk_model_param_count(mod) * sizeof *grad);
	memset(bp->gh, 0, Bn * sizeof *bp->gh);
	st = dk_model_sequence_begin(mod, bp->work);
	for (size_t t = T; t-- > 0 && !st;) {
		/* the readout of state t+1 adds its gradient to the state's */
		const double *gyt = readout_grad(bp, mask, t);
		if (gyt) {
			st = dk_model_readout_vjp(mod, B, bp->states + (t + 1) * Bn, gyt,
			                          bp->gx, grad);
			for (size_t i = 0; i < Bn; i++)
				bp->gh[i] += bp->gx[i];
		}
		const double *u = input_of(bp, inputs, t);
		if (!st)
			st = dk_model_vjp(mod, bp->work, B, bp->states + t * Bn, u,
			                  bp->state_cache ? bp->states + (t + 1) * Bn
			                                  : step_cache(bp, t),
			                  bp->gh, bp->gx, feedback_gu(bp, t), grad);
		double *swap = bp->gh; /* the gradient of state t */
		bp->gh = bp->gx;
		bp->gx = swap;
	}
	st = walk_end(bp, mod, grad, st);
	if (!st)
		st = start_backward(bp, mod, inputs, bp->gh, grad);
	return st;
}
