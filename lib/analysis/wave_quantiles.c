/*
 * wave_quantiles.c -- the weighted quantiles of the phase methods, by
 * selection rather than a full sort: a ring of 256 units over 4096 steps
 * has a million cells, and sorting them for each of three quantities
 * took most of the method's time.  Each quantile is found by a
 * three-way quickselect on (value, weight) pairs that keeps the weight
 * below the part it searches, in expected linear time; a part that
 * splits badly too often is sorted instead, so the worst case stays
 * n log n.
 *
 * The samples are ordered by value, then by weight, so that samples in
 * any order give the same quantiles (within the rounding of the weights'
 * sums, which the partitions take in their own order): two that tie in
 * both are interchangeable.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/wave_internal.h"

typedef dk_wave_sample sample;

/* Parts this small are sorted and scanned. */
#define SMALL 24

/* a comes before b: by value, then by weight. */
static int before(const sample *a, const sample *b)
{
	return a->v < b->v || (a->v == b->v && a->w < b->w);
}

/* before(), without branches. */
static inline int precedes(const sample *a, const sample *b)
{
	return (a->v < b->v) | ((a->v == b->v) & (a->w < b->w));
}

static int by_order(const void *a, const void *b)
{
	return before(b, a) - before(a, b);
}

static void swap(sample *a, sample *b)
{
	sample t = *a;
	*a = *b;
	*b = t;
}

/* The median of three, by the samples' order. */
static sample median3(sample a, sample b, sample c)
{
	if (before(&b, &a))
		swap(&a, &b);
	if (before(&c, &b))
		swap(&b, &c);
	if (before(&b, &a))
		swap(&a, &b);
	return b;
}

/* A place in [0, len), from the generator state x (xorshift64). */
static size_t somewhere(uint64_t *x, size_t len)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (size_t)(*x % len);
}

/* Parts this large take their pivot from a sample of SAMPLE samples,
   next to the quantile they look for (below); smaller parts the median
   of three. */
#define LARGE 4096
#define SAMPLE 64

/* A pivot for finding the quantile at the fraction f of the weight of
   the len samples from s: a sorted sample's sample at f, moved by a
   little more than the sample's error (about 1 / (2 sqrt(SAMPLE)) of
   the weight) toward the middle when one quantile is sought (alone is
   1), so that the quantile falls on the smaller side: a pivot at f
   itself would leave it on either side, in a part that may be most of
   this one.  Only the speed of the search depends on the pivot. */
static sample near(const sample *s, size_t len, double f, int alone,
                   uint64_t *x)
{
	sample b[SAMPLE];
	double tot = 0;
	for (size_t k = 0; k < SAMPLE; k++) {
		sample v = s[somewhere(x, len)];
		size_t i = k;
		for (; i > 0 && before(&v, &b[i - 1]); i--)
			b[i] = b[i - 1];
		b[i] = v;
	}
	for (size_t k = 0; k < SAMPLE; k++)
		tot += b[k].w;
	if (alone)
		f += f < 0.5 ? 0.1 : -0.1;
	double c = 0;
	for (size_t k = 0; k + 1 < SAMPLE; k++) {
		c += b[k].w;
		if (c >= f * tot)
			return b[k];
	}
	return b[SAMPLE - 1];
}

/* Where a search stands: the samples before s[lo] in the order weigh
   below, and the last of them is prev at cumulative c_prev (none when
   have_prev is 0). */
typedef struct {
	double below, c_prev;
	sample prev;
	int have_prev;
} place;

/* The quantile when sample x at cumulative c is the first at or past q:
   linear between the sample before it and x (x itself when it is the
   first, or when the two have one value). */
static double between(const place *p, const sample *x, double c, double q)
{
	if (!p->have_prev)
		return x->v;
	double x0 = p->prev.v, x1 = x->v;
	if (x0 == x1)
		return x1;
	double f = (q - p->c_prev) / (c - p->c_prev);
	return isinf(x0) || isinf(x1) ? (f < 0.5 ? x0 : x1) : x0 + f * (x1 - x0);
}

/* The quantiles q[0..nq) (ascending) of the m samples s of total weight
   W (wave_internal.h) whose crossings lie in s[lo, hi), the samples
   before it standing at p, into out: the k-th sample in order sits at the
   cumulative weight c_k = (w_0 + ... + w_{k-1} + w_k / 2) / W, which
   rises with k, and the first k with c_k >= q and the one before it give
   the value.  One partition serves every quantile on its side; budget
   counts the partitions left before sorting; part, about the weight of
   s[lo, hi), guides the pivots. */
static void search(sample *s, size_t lo, size_t hi, size_t m, double W,
                   double part, place p, const double *q, size_t nq,
                   double *out, int budget, uint64_t *x)
{
	while (nq > 0 && hi - lo > SMALL && budget-- > 0) {
		size_t len = hi - lo;
		sample piv;
		if (len >= LARGE && part > 0)
			piv = near(s + lo, len, (q[nq / 2] * W - p.below) / part,
			           nq == 1, x);
		else
			piv = median3(s[lo + somewhere(x, len)],
			              s[lo + somewhere(x, len)],
			              s[lo + somewhere(x, len)]);
		/* three parts: before the pivot [lo, a), tied [a, b), after
		   [b, hi); each pass swaps without a branch (a sample's side
		   is a coin toss the processor cannot predict) */
		size_t a = lo, ties = 0;
		for (size_t i = lo; i < hi; i++) {
			int lt = precedes(&s[i], &piv);
			ties += !lt & !precedes(&piv, &s[i]);
			swap(&s[a], &s[i]);
			a += (size_t)lt;
		}
		size_t b = a;
		if (ties > 1) {
			for (size_t i = a; i < hi; i++) {
				int eq = !precedes(&piv, &s[i]);
				swap(&s[b], &s[i]);
				b += (size_t)eq;
			}
		} else {
			/* the pivot alone: to the front of the rest */
			size_t i = a;
			while (precedes(&piv, &s[i]))
				i++;
			swap(&s[b++], &s[i]);
		}
		double wl = 0;
		size_t last = a;
		for (size_t k = lo; k < a; k++) {
			wl += s[k].w;
			if (last == a || before(&s[last], &s[k]))
				last = k;
		}
		size_t j = 0;
		if (a > lo) {
			/* the quantiles at or before the last of the first part
			   (which the search there moves) */
			sample top = s[last];
			double c = (p.below + wl - top.w / 2) / W;
			while (j < nq && c >= q[j])
				j++;
			if (j > 0)
				search(s, lo, a, m, W, wl, p, q, j, out, budget, x);
			p.prev = top, p.c_prev = c, p.have_prev = 1;
		}
		p.below += wl;
		for (size_t k = a; k < b && j < nq; k++) {
			double c = (p.below + piv.w / 2) / W;
			for (; j < nq && c >= q[j]; j++)
				out[j] = between(&p, &piv, c, q[j]);
			p.below += piv.w;
			p.prev = piv, p.c_prev = c, p.have_prev = 1;
		}
		part -= wl + (double)(b - a) * piv.w;
		q += j, out += j, nq -= j;
		lo = b;
	}
	if (nq == 0)
		return;
	/* when the parts narrowed to [lo, hi) short of the end, its last is
	   at or past the quantiles left, whatever the rounding of the sums in
	   another order says */
	int inside = hi < m;
	qsort(s + lo, hi - lo, sizeof *s, by_order);
	size_t j = 0;
	for (size_t k = lo; k < hi && j < nq; k++) {
		double c = (p.below + s[k].w / 2) / W;
		for (; j < nq && (c >= q[j] || (inside && k + 1 == hi)); j++)
			out[j] = between(&p, &s[k], c, q[j]);
		p.below += s[k].w;
		p.prev = s[k], p.c_prev = c, p.have_prev = 1;
	}
	for (; j < nq; j++)
		out[j] = p.prev.v; /* past the last sample: the largest */
}

void dk_wave_quantiles(sample *s, size_t len, const double *q, size_t nq,
                       double *out)
{
	size_t m = 0;
	double W = 0;
	for (size_t k = 0; k < len; k++)
		if (!isnan(s[k].v) && s[k].w > 0)
			W += s[k].w, s[m++] = s[k];
	if (m == 0 || !(W > 0)) {
		for (size_t j = 0; j < nq; j++)
			out[j] = NAN;
		return;
	}
	uint64_t x = 0x9e3779b97f4a7c15u;
	int budget = 4;
	for (size_t k = m; k > 1; k /= 2)
		budget += 2;
	search(s, 0, m, m, W, W, (place){0}, q, nq, out, budget, &x);
}
