/*
 * test_relu_mask.c -- dk_act_relu_mask (models/act.c), y = v where a > 0
 * and +0 elsewhere, against that rule applied here one value at a time:
 * every length from 0 to 9 (the pairs and the odd last value), the
 * special values (NaN, -0, infinities, the smallest subnormal) in a and
 * in v, and y the same array as a or as v.  The rule selects bits, it
 * computes nothing, so the result must be the same bits: compared with
 * memcmp.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "models/model_impl.h"
#include "tap.h"

static const double vals[] = {1.5, -2.0, 0.0, -0.0, NAN, INFINITY, -INFINITY,
                              4.9e-324, -4.9e-324, 3.25};
#define NV (sizeof vals / sizeof *vals)

/* y[i] = a[i] > 0 ? v[i] : +0, as the rule says. */
static void rule(const double *a, const double *v, double *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = a[i] > 0 ? v[i] : 0.0;
}

int main(void)
{
	double a[NV], v[NV], want[NV], got[NV], same[NV];
	int all = 1, inplace = 1;
	for (size_t shift = 0; shift < NV; shift++) {
		for (size_t i = 0; i < NV; i++)
			a[i] = vals[i], v[i] = vals[(i + shift) % NV];
		for (size_t n = 0; n <= NV; n++) {
			rule(a, v, want, n);
			dk_act_relu_mask(a, v, got, n);
			all &= !memcmp(got, want, n * sizeof *got);
			memcpy(same, v, sizeof same);
			dk_act_relu_mask(a, same, same, n);
			inplace &= !memcmp(same, want, n * sizeof *same);
			memcpy(same, a, sizeof same);
			rule(a, a, want, n);
			dk_act_relu_mask(same, same, same, n);
			inplace &= !memcmp(same, want, n * sizeof *same);
		}
	}
	ok(all, "v where a > 0, +0 elsewhere, bit for bit, lengths 0 to %zu", NV);
	ok(inplace, "the same with y the array v, or a as both a and v");
	return tap_done();
}
