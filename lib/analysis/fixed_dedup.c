/*
 * fixed_dedup.c -- stage 3 of the fixed-point search: one point per
 * cluster of near-identical points, and FixedPointFinder's rejection of
 * points far from where the search started.
 *
 * Two points are duplicates when they differ by at most tol in every
 * coordinate (the max-norm), and duplicates of duplicates are merged
 * too (union-find), so the result does not depend on the order of the
 * points.  Finding the pairs: project every point on a fixed direction d
 * with |d|_1 = 1 and sort the projections; since |d.(x - y)| <=
 * |d|_1 |x - y|_max, every pair within tol lies within tol in the sorted
 * projections, so each point is compared only with the points that
 * follow it within tol there -- no pair is missed, and points spread
 * along d cost O(P log P) rather than the O(P^2) of all pairs.  d is a
 * fixed pseudo-random direction, so that no coordinate system the
 * points happen to share makes the projections collide.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fixed.h"
#include "base/rng.h"
#include "base/status.h"

/* The seed of the projection direction: any constant would do. */
#define DEDUP_SEED 20181003u

typedef struct {
	double key;
	size_t i;
} proj;

static int proj_cmp(const void *a, const void *b)
{
	const proj *x = a, *y = b;
	/* NaN keys (points with NaN entries, which match nothing) sort last,
	   so that the order stays a total one */
	if (isnan(x->key) || isnan(y->key)) {
		if (!isnan(x->key) || !isnan(y->key))
			return isnan(x->key) ? 1 : -1;
	} else if (x->key != y->key) {
		return x->key < y->key ? -1 : 1;
	}
	return (x->i > y->i) - (x->i < y->i);
}

static size_t find_root(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]]; /* path halving */
		i = parent[i];
	}
	return i;
}

static int within(const double *a, const double *b, size_t n, double tol)
{
	for (size_t k = 0; k < n; k++)
		if (!(fabs(a[k] - b[k]) <= tol))
			return 0;
	return 1;
}

/* Keep the points whose keep[i] is set, in order. */
static void compact(dk_fixed_points *p, const unsigned char *keep)
{
	size_t n = p->n, j = 0;
	for (size_t i = 0; i < p->count; i++) {
		if (!keep[i])
			continue;
		if (i != j) {
			memmove(p->x + j * n, p->x + i * n, n * sizeof(double));
			p->q[j] = p->q[i];
			p->residual[j] = p->residual[i];
			p->adam_iters[j] = p->adam_iters[i];
			p->newton_iters[j] = p->newton_iters[i];
			p->kind[j] = p->kind[i];
		}
		j++;
	}
	p->count = j;
}

/* Is point a better than point b (lower q; the first on ties and NaN)? */
static int better(const dk_fixed_points *p, size_t a, size_t b)
{
	double qa = p->q[a], qb = p->q[b];
	if (isnan(qb) && !isnan(qa))
		return 1;
	if (qa != qb)
		return qa < qb;
	return a < b;
}

int dk_fixed_dedup(dk_fixed_points *p, double tol)
{
	size_t P = p->count, n = p->n;
	if (P < 2)
		return DK_OK;
	proj *pr = malloc(P * sizeof *pr);
	size_t *parent = malloc(P * sizeof *parent);
	size_t *best = malloc(P * sizeof *best);
	unsigned char *keep = malloc(P);
	double *d = malloc((n ? n : 1) * sizeof *d);
	dk_rng *rng = dk_rng_alloc(DEDUP_SEED);
	int st = pr && parent && best && keep && d && rng ? DK_OK : DK_ENOMEM;
	if (!st) {
		double l1 = 0;
		for (size_t k = 0; k < n; k++) {
			d[k] = dk_rng_normal(rng, 1.0);
			l1 += fabs(d[k]);
		}
		for (size_t k = 0; k < n; k++)
			d[k] /= l1 > 0 ? l1 : 1;
		for (size_t i = 0; i < P; i++) {
			double s = 0;
			for (size_t k = 0; k < n; k++)
				s += d[k] * p->x[i * n + k];
			pr[i] = (proj){s, i};
			parent[i] = i;
		}
		qsort(pr, P, sizeof *pr, proj_cmp);
		/* a little slack for the rounding of the projections */
		for (size_t a = 0; a < P; a++) {
			double lim = tol + 1e-12 * (1 + fabs(pr[a].key));
			for (size_t b = a + 1; b < P && pr[b].key - pr[a].key <= lim; b++) {
				size_t i = pr[a].i, j = pr[b].i;
				if (!within(p->x + i * n, p->x + j * n, n, tol))
					continue;
				size_t ri = find_root(parent, i), rj = find_root(parent, j);
				if (ri != rj)
					parent[ri > rj ? ri : rj] = ri < rj ? ri : rj;
			}
		}
		for (size_t i = 0; i < P; i++)
			best[i] = (size_t)-1;
		for (size_t i = 0; i < P; i++) {
			size_t r = find_root(parent, i);
			if (best[r] == (size_t)-1 || better(p, i, best[r]))
				best[r] = i;
		}
		for (size_t i = 0; i < P; i++)
			keep[i] = best[find_root(parent, i)] == i;
		compact(p, keep);
	}
	free(pr);
	free(parent);
	free(best);
	free(keep);
	free(d);
	dk_rng_free(rng);
	return st;
}

int dk_fixed_drop_outliers(dk_fixed_points *p, size_t B, const double *x0,
                           double scale)
{
	size_t n = p->n;
	if (B == 0 || !(scale > 0))
		return DK_OK;
	double *c = calloc(n ? n : 1, sizeof *c);
	unsigned char *keep = malloc(p->count ? p->count : 1);
	if (!c || !keep) {
		free(c);
		free(keep);
		return DK_ENOMEM;
	}
	for (size_t b = 0; b < B; b++)
		for (size_t k = 0; k < n; k++)
			c[k] += x0[b * n + k] / (double)B;
	double mean = 0;
	for (size_t b = 0; b < B; b++) {
		double s = 0;
		for (size_t k = 0; k < n; k++)
			s += (x0[b * n + k] - c[k]) * (x0[b * n + k] - c[k]);
		mean += sqrt(s) / (double)B;
	}
	for (size_t i = 0; i < p->count; i++) {
		double s = 0;
		for (size_t k = 0; k < n; k++)
			s += (p->x[i * n + k] - c[k]) * (p->x[i * n + k] - c[k]);
		/* all starts at one spot: nothing is an outlier */
		keep[i] = mean == 0 || sqrt(s) < scale * mean;
	}
	compact(p, keep);
	free(c);
	free(keep);
	return DK_OK;
}
