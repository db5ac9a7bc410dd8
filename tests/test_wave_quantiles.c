/*
 * test_wave_quantiles.c -- the phase methods' weighted quantiles, found
 * by selection (lib/analysis/wave_quantiles.c), against their definition
 * computed the plain way here: the samples sorted by value, then weight,
 * the k-th at the cumulative weight (w_0 + ... + w_{k-1} + w_k / 2) / W,
 * linear between.  Random samples of many sizes, with ties, zero
 * weights, NaN and infinite values, one weight that outweighs the rest,
 * and inputs already in order or reversed (which defeat pivots taken at
 * fixed places).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wave_internal.h"
#include "base/rng.h"
#include "tap.h"

typedef dk_wave_sample sample;

static int by_order(const void *a, const void *b)
{
	const sample *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return (x->w > y->w) - (x->w < y->w);
}

/* The definition: sort what is kept, walk the cumulative weights. */
static double reference(const sample *in, size_t len, double q)
{
	sample *s = malloc((len ? len : 1) * sizeof *s);
	size_t m = 0;
	double W = 0;
	for (size_t k = 0; k < len; k++)
		if (!isnan(in[k].v) && in[k].w > 0)
			s[m++] = in[k], W += in[k].w;
	double out = NAN;
	if (m > 0) {
		qsort(s, m, sizeof *s, by_order);
		double below = 0, c_prev = 0;
		out = s[m - 1].v;
		for (size_t k = 0; k < m; k++) {
			double c = (below + s[k].w / 2) / W;
			if (c >= q) {
				if (k == 0 || s[k - 1].v == s[k].v) {
					out = s[k].v;
				} else {
					double x0 = s[k - 1].v, x1 = s[k].v;
					double f = (q - c_prev) / (c - c_prev);
					out = isinf(x0) || isinf(x1) ? (f < 0.5 ? x0 : x1)
					                             : x0 + f * (x1 - x0);
				}
				break;
			}
			below += s[k].w, c_prev = c;
		}
	}
	free(s);
	return out;
}

/* How the samples of a case are drawn. */
typedef enum { SMOOTH, TIES, EQUAL_TIES, INFINITE, HEAVY, SORTED, REVERSED,
               KINDS } kind;

static void draw(dk_rng *rng, kind k, sample *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		double u = dk_rng_uniform(rng);
		s[i].v = k == TIES || k == EQUAL_TIES ? floor(7 * u) : u;
		s[i].w = k == EQUAL_TIES ? 1 : dk_rng_uniform(rng);
		if (k == INFINITE && dk_rng_uniform(rng) < 0.1)
			s[i].v = dk_rng_uniform(rng) < 0.5 ? -INFINITY : INFINITY;
		if (k == HEAVY && dk_rng_uniform(rng) < 0.02)
			s[i].w = 1e3;
		if (dk_rng_uniform(rng) < 0.01)
			s[i].w = 0;
		if (dk_rng_uniform(rng) < 0.01)
			s[i].v = NAN;
		if (k == SORTED || k == REVERSED)
			s[i].v = k == SORTED ? (double)i : -(double)i;
	}
}

/* Within rounding of each other (a sum of weights taken in another
   order), or the same infinity, or both NaN. */
static int agree(double got, double want, double scale)
{
	if (isnan(want) || isinf(want))
		return isnan(want) ? isnan(got) : got == want;
	return fabs(got - want) <= 1e-12 * scale;
}

int main(void)
{
	static const double q[3] = {0.25, 0.5, 0.75};
	static const char *const names[KINDS] = {
		"smooth", "tied values", "tied values, equal weights", "infinities",
		"a few heavy weights", "in order", "reversed"};
	dk_rng *rng = dk_rng_alloc(7);
	size_t sizes[] = {1, 2, 3, 5, 24, 25, 100, 1000, 4099, 50000};
	size_t nsizes = sizeof sizes / sizeof *sizes;
	sample *s = malloc(50000 * sizeof *s), *keep = malloc(50000 * sizeof *s);
	for (kind k = 0; k < KINDS; k++) {
		int bad = 0, cases = 0;
		for (size_t z = 0; z < nsizes; z++)
			for (int rep = 0; rep < (sizes[z] > 5000 ? 1 : 20); rep++) {
				size_t len = sizes[z];
				draw(rng, k, s, len);
				memcpy(keep, s, len * sizeof *s);
				double out[3];
				dk_wave_quantiles(s, len, q, 3, out);
				double scale = k == SORTED || k == REVERSED ? (double)len : 7;
				for (int j = 0; j < 3; j++)
					bad += !agree(out[j], reference(keep, len, q[j]), scale);
				cases++;
			}
		ok(bad == 0, "%s: %d sets of 1 to 50000 samples, their quartiles "
		   "and median within 1e-12 of the definition (%d differ)",
		   names[k], cases, bad);
	}
	/* the same samples in another order: the same quantiles, within
	   the rounding of the sums */
	draw(rng, SMOOTH, s, 50000);
	memcpy(keep, s, 50000 * sizeof *s);
	double a[3], b[3];
	dk_wave_quantiles(s, 50000, q, 3, a);
	for (size_t i = 0; i < 50000; i++)
		s[i] = keep[(i * 7919) % 50000];
	dk_wave_quantiles(s, 50000, q, 3, b);
	ok(agree(b[0], a[0], 1) && agree(b[1], a[1], 1) && agree(b[2], a[2], 1),
	   "samples shuffled: the same quantiles within 1e-12");
	/* nothing to weigh */
	sample none[2] = {{NAN, 1}, {1, 0}};
	dk_wave_quantiles(none, 2, q, 3, a);
	ok(isnan(a[0]) && isnan(a[1]) && isnan(a[2]),
	   "no value with a weight: NaN");
	free(s);
	free(keep);
	dk_rng_free(rng);
	return tap_done();
}
