/*
 * test_loss.c -- the losses against values worked out by hand, their
 * gradients against central finite differences, and cross-entropy's
 * stability for large logits.
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
