/*
 * fixed_known.c -- the fixed points one dk_fixed_find has already
 * polished, so that a later Newton run that enters one's basin stops
 * there instead of repeating the last steps (and their LU factorisations)
 * to rounding level.
 *
 * Most starts of a search end at the same few points: a trained network
 * holds a handful of memories, and its trajectories crowd around them.
 * Each point that a dense Newton run brings to tol_fixed is kept with
 * the LU factors of the last Jacobian of its run (taken within a step of
 * the point, where it is the Jacobian at the point to the size of that
 * step) and a radius: the distance to the point from the first iterate
 * of the run's final streak of full steps that at least halved |r|,
 * which is where Newton was seen to converge to it quadratically.
 *
 * An iterate x with residual r is in the basin of a kept point x* when
 * it lies within that radius, and the chord step from x with x*'s
 * factors, x - A*^{-1} r, lands at least five times closer to x* than x
 * is (or the Newton step from x, when the run has just made it: the same
 * test with x's own Jacobian, at no extra cost).  Near a regular zero,
 * r(x) = A* (x - x*) + O(|x - x*|^2), so the chord step contracts the
 * error by a factor proportional to |x - x*|: the test passes where the
 * iteration contracts towards x*; near another zero y, r is close to
 * A_y (x - y) instead, and the step heads for y and fails the test.  This
 * is a test, not a proof: a run it stops might, in rare geometries, have
 * gone on to another point; tests/test_fixed_known.c and the fixed-point
 * tests check against plain Newton and references that none is lost.
 * A run from a start state (newton_starts), whose chord step shrinks the
 * distance by less than that but by half or more, probes further: chord
 * steps with x*'s factors while each shrinks it by half or better and
 * better than the last (the ratio of a chord iteration near a regular
 * zero falls with the distance), until one passes the test above
 * (fixed_newton.c).  The probe costs residuals and triangular solves
 * where Newton would form and factor a Jacobian; it is kept out of the
 * runs from Adam's points, where it turned slow points that the plain
 * polish leaves slow into copies of fixed ones, and outside the radius,
 * where it lost fixed points.
 * Only points found in this call are kept (dk_fixed_find empties the
 * cache), so a run counted as a kept point's ends at a point already in
 * the output.  One test costs a distance per kept point and, within a
 * radius, a triangular solve, against a Jacobian and an LU per step.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "analysis/fixed_impl.h"

/* The error after the chord (or Newton) step must be at most this
   fraction of the error before it.  Near x*, the step's error is C e^2
   for an error e, so this admits the ball e <= 0.2 / C, well inside the
   ball e < 0.5 / C where Newton's iterates keep contracting; on trained
   flip-flop networks a bound of 0.5 let runs bound for another point pass
   the test now and then, 0.25 and below did not. */
#define CHORD_CONTRACTION 0.2

int dk_fixed_known_find(dk_fixed_work *w, const double *x, const double *r,
                        const double *step, double *before, double *after)
{
	size_t n = w->n;
	*before = *after = INFINITY;
	/* only the nearest kept point within its radius is tested: a point
	   in a basin lies nearer its own zero than others, as a rule, and
	   one triangular solve per iterate keeps the test cheap */
	size_t best = 0;
	double e2 = INFINITY; /* squared distances, each abandoned once past
	                         its point's radius or the best so far */
	for (size_t j = 0; j < w->known_count; j++) {
		const double *xs = w->known_x + j * n;
		double rj = w->known_radius[j], bound = rj * rj < e2 ? rj * rj : e2;
		double s = 0;
		size_t i = 0;
		for (; i < n && s <= bound; i++)
			s += (x[i] - xs[i]) * (x[i] - xs[i]);
		if (i == n && s <= bound && s < e2) {
			e2 = s;
			best = j;
		}
	}
	if (e2 == 0) {
		*before = *after = 0;
		return (int)best;
	}
	if (!(e2 < INFINITY))
		return -1;
	double e = sqrt(e2);
	const double *xs = w->known_x + best * n;
	w->kstats.chord_tests++;
	if (!step) {
		/* the chord step from x: d = -A*^{-1} r, with A*'s factors
		   (fixed_lu.c) */
		for (size_t i = 0; i < n; i++)
			w->kd[i] = -r[i];
		dk_fixed_lu_solve(n, w->known_lu + best * n * n,
		                  w->known_piv + best * n, w->kd);
		step = w->kd;
	}
	double s = 0;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] + step[i] - xs[i];
		s += d * d;
	}
	*before = e;
	*after = sqrt(s);
	return (int)best;
}

int dk_fixed_known_in_basin(double before, double after)
{
	return after <= CHORD_CONTRACTION * before;
}

void dk_fixed_known_add(dk_fixed_work *w, const double *x, double res,
                        double radius)
{
	size_t n = w->n;
	if (!w->known_on || w->known_count >= w->known_cap || !(radius > 0))
		return;
	/* one entry per point: a duplicate within tol_unique adds nothing */
	for (size_t j = 0; j < w->known_count; j++) {
		const double *xs = w->known_x + j * n;
		size_t i = 0;
		while (i < n && fabs(x[i] - xs[i]) <= w->o.tol_unique)
			i++;
		if (i == n)
			return;
	}
	size_t j = w->known_count++;
	memcpy(w->known_x + j * n, x, n * sizeof(double));
	memcpy(w->known_lu + j * n * n, w->A, n * n * sizeof(double));
	memcpy(w->known_piv + j * n, w->piv, n * sizeof(int));
	w->known_radius[j] = radius;
	w->known_res[j] = res;
}

void dk_fixed_known_widen(dk_fixed_work *w, size_t j, double radius)
{
	if (radius > w->known_radius[j])
		w->known_radius[j] = radius;
}
