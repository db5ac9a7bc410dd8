/*
 * test_loss.c -- the losses against values worked out by hand, their
 * gradients against central finite differences, mse with a weight per
 * output, and cross-entropy's stability for large logits.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

int main(void)
{
	/* T = 2, B = 1, o = 2; only step 1 weighted */
	double y[4] = {5, 5, 1, 3}, target[4] = {0, 0, 0, 1}, mask[2] = {0, 1};
	double loss, grad[4], acc;
	ok(dk_loss_mse(2, 1, 2, y, target, mask, &loss, grad) == DK_OK, "mse");
	is_close(loss, (1.0 + 4.0) / 2, 1e-15, "mse over the masked step: ((1-0)^2 + (3-1)^2) / 2");
	ok(grad[0] == 0 && grad[1] == 0 && grad[2] == 1 && grad[3] == 2,
	   "mse gradient 2 (y - t) / (o sum mask), zero on unmasked steps");
	double none[2] = {0, 0};
	ok(dk_loss_mse(2, 1, 2, y, target, none, &loss, NULL) == DK_EINVAL, "an empty mask is refused");

	/* xent: logits (0, log 3) with label 1: p = 3/4, loss log(4/3) */
	double z[4] = {0, log(3.0), 2, 0};
	int64_t labels[2] = {1, 1};
	double both[2] = {1, 1};
	ok(dk_loss_xent(2, 1, 2, z, labels, both, &loss, &acc, grad) == DK_OK, "xent");
	/* step 0: -log(3/4); step 1: logits (2, 0), label 1: log(1 + e^2) */
	is_close(loss, (log(4.0 / 3) + log(1 + exp(2.0))) / 2, 1e-15, "xent: mean of -log softmax");
	is_close(acc, 0.5, 0, "accuracy: step 0 right, step 1 wrong");
	is_close(grad[0], 0.25 / 2, 1e-15, "xent gradient (softmax - onehot) / sum mask");
	is_close(grad[1], -0.25 / 2, 1e-15, "xent gradient at the label");

	/* gradients against finite differences, T = 3, B = 2, o = 4 */
	double Y[24], G[24], Tg[24], M[6] = {1, 0.5, 0, 2, 1, 1};
	int64_t L[6] = {0, 3, 2, 1, 1, 0};
	for (int i = 0; i < 24; i++) {
		Y[i] = sin(1.3 * i);
		Tg[i] = cos(0.7 * i);
	}
	double worst_mse = 0, worst_x = 0, Gx[24];
	dk_loss_mse(3, 2, 4, Y, Tg, M, &loss, G);
	dk_loss_xent(3, 2, 4, Y, L, M, &loss, NULL, Gx);
	for (int i = 0; i < 24; i++) {
		double keep = Y[i], lp, lm, xp, xm;
		Y[i] = keep + 1e-6;
		dk_loss_mse(3, 2, 4, Y, Tg, M, &lp, NULL);
		dk_loss_xent(3, 2, 4, Y, L, M, &xp, NULL, NULL);
		Y[i] = keep - 1e-6;
		dk_loss_mse(3, 2, 4, Y, Tg, M, &lm, NULL);
		dk_loss_xent(3, 2, 4, Y, L, M, &xm, NULL, NULL);
		Y[i] = keep;
		worst_mse = fmax(worst_mse, fabs((lp - lm) / 2e-6 - G[i]));
		worst_x = fmax(worst_x, fabs((xp - xm) / 2e-6 - Gx[i]));
	}
	ok(worst_mse < 1e-8, "mse gradient matches finite differences (worst %.2g)", worst_mse);
	ok(worst_x < 1e-8, "xent gradient matches finite differences (worst %.2g)", worst_x);

	/* a weight per output: by hand, T = 1, B = 2, o = 2, weights
	   (1, 0; 0.5, 2) and errors (1, 7; 2, -1): (1 + 0.5 * 4 + 2 * 1) / 3.5 */
	double ye[4] = {1, 7, 2, -1}, te[4] = {0, 0, 0, 0}, we[4] = {1, 0, 0.5, 2}, ge[4];
	ok(dk_loss_mse_each(1, 2, 2, ye, te, we, &loss, ge) == DK_OK, "mse_each");
	is_close(loss, 5.0 / 3.5, 1e-15, "mse_each: sum w d^2 / sum w, the output weighted 0 left out");
	ok(ge[1] == 0 && fabs(ge[0] - 2 / 3.5) < 1e-15 && fabs(ge[3] + 4 / 3.5) < 1e-15,
	   "mse_each gradient 2 w d / sum w, 0 where the weight is");
	/* equal weights across a step's outputs: mse's loss (other sums, so
	   to rounding: a few ulps of numbers near 1) */
	double Me[24], lm_each, lm_step;
	for (int i = 0; i < 24; i++)
		Me[i] = M[i / 4];
	dk_loss_mse(3, 2, 4, Y, Tg, M, &lm_step, NULL);
	dk_loss_mse_each(3, 2, 4, Y, Tg, Me, &lm_each, NULL);
	is_close(lm_each, lm_step, 1e-14, "mse_each with a step's weight on every output is mse");
	double Ge[24], worst_e = 0;
	for (int i = 0; i < 24; i++)
		Me[i] = (i % 3) * 0.5; /* zeros among them */
	dk_loss_mse_each(3, 2, 4, Y, Tg, Me, &loss, Ge);
	for (int i = 0; i < 24; i++) {
		double keep = Y[i], lp, lm;
		Y[i] = keep + 1e-6;
		dk_loss_mse_each(3, 2, 4, Y, Tg, Me, &lp, NULL);
		Y[i] = keep - 1e-6;
		dk_loss_mse_each(3, 2, 4, Y, Tg, Me, &lm, NULL);
		Y[i] = keep;
		worst_e = fmax(worst_e, fabs((lp - lm) / 2e-6 - Ge[i]));
	}
	/* central differences of a quadratic: exact but for rounding, about
	   1e-16 / 1e-6 = 1e-10 */
	ok(worst_e < 1e-8, "mse_each gradient matches finite differences (worst %.2g)", worst_e);
	double zero4[4] = {0, 0, 0, 0};
	ok(dk_loss_mse_each(1, 2, 2, ye, te, zero4, &loss, NULL) == DK_EINVAL,
	   "mse_each: weights all 0 are refused");

	double big[2] = {1000, 0};
	int64_t l0[1] = {1};
	double one[1] = {1};
	ok(dk_loss_xent(1, 1, 2, big, l0, one, &loss, &acc, NULL) == DK_OK && loss == 1000,
	   "xent of logits (1000, 0) against label 1 is 1000, not inf");
	int64_t bad[1] = {2};
	ok(dk_loss_xent(1, 1, 2, big, bad, one, &loss, &acc, NULL) == DK_EINVAL,
	   "a label out of range is refused");
	return tap_done();
}
