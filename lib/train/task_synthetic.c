/*
 * task_synthetic.c -- the generated tasks: copy, adding and n-bit
 * flip-flop (their definitions are in task.h).  Each fills a batch that
 * task.c allocated zero-filled, so only the nonzero entries are written.
 *
 * Draw order is part of the output (the same seed must give the same
 * bytes), so it is fixed and stated: example by example for copy and
 * adding, step by step, then example, then bit, for flip-flop.
 */
#include <config.h>

#include <stdint.h>

#include "train/task_impl.h"

void dk_task_fill_copy(const dk_task *t, dk_rng *r, dk_task_batch *b)
{
	size_t steps = t->steps, batch = t->params.batch, T = t->params.length;
	double *x = b->input->data, *mask = b->mask->data;
	int64_t *y = b->target->data;
	/* the step of the delimiter: after 10 symbols and T-1 blanks */
	size_t delim = DK_COPY_SYMBOLS + T - 1;
	for (size_t e = 0; e < batch; e++) {
		for (size_t i = 0; i < DK_COPY_SYMBOLS; i++) {
			int64_t sym = 1 + (int64_t)dk_rng_index(r, 8);
			x[(i * batch + e) * DK_COPY_CLASSES + (size_t)sym] = 1;
			/* recalled over the last 10 steps, after the delimiter's
			   10 blanks began */
			y[(steps - DK_COPY_SYMBOLS + i) * batch + e] = sym;
		}
		/* every other step shows one of blank (class 0) or delimiter */
		for (size_t s = DK_COPY_SYMBOLS; s < steps; s++)
			x[(s * batch + e) * DK_COPY_CLASSES + (s == delim ? DK_COPY_DELIMITER : 0)] = 1;
	}
	/* cross-entropy at every step, blanks included, as the Wave-RNN
	   paper's code trains it */
	for (size_t i = 0; i < steps * batch; i++)
		mask[i] = 1;
}

void dk_task_fill_adding(const dk_task *t, dk_rng *r, dk_task_batch *b)
{
	size_t T = t->steps, batch = t->params.batch, half = T / 2;
	double *x = b->input->data, *y = b->target->data, *mask = b->mask->data;
	for (size_t e = 0; e < batch; e++) {
		for (size_t s = 0; s < T; s++)
			x[(s * batch + e) * 2] = dk_rng_uniform(r);
		/* one marker in each half, as Le et al. place them */
		size_t first = dk_rng_index(r, half);
		size_t second = half + dk_rng_index(r, T - half);
		x[(first * batch + e) * 2 + 1] = 1;
		x[(second * batch + e) * 2 + 1] = 1;
		size_t last = (T - 1) * batch + e;
		y[last] = x[(first * batch + e) * 2] + x[(second * batch + e) * 2];
		mask[last] = 1;
	}
}

void dk_task_fill_flipflop(const dk_task *t, dk_rng *r, dk_task_batch *b)
{
	size_t T = t->steps, batch = t->params.batch, bits = t->params.bits;
	double p = t->params.prob;
	double *x = b->input->data, *y = b->target->data, *mask = b->mask->data;
	size_t row = batch * bits; /* elements of one step */
	for (size_t s = 0; s < T; s++) {
		for (size_t i = 0; i < row; i++) {
			/* the memory: the previous step's output, 0 before any pulse */
			double state = s ? y[(s - 1) * row + i] : 0;
			/* p = 0 never pulses: uniform draws are < 1 but may be 0 */
			if (p > 0 && dk_rng_uniform(r) < p) {
				state = dk_rng_uniform(r) < 0.5 ? -1 : 1;
				x[s * row + i] = state;
			}
			y[s * row + i] = state;
		}
		for (size_t e = 0; e < batch; e++)
			mask[s * batch + e] = 1;
	}
}
