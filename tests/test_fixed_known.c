/*
 * test_fixed_known.c -- the shortcuts of dk_fixed_find's Newton runs
 * (lib/analysis/fixed_known.c): a run that enters the basin of a point
 * the search has polished stops there, and chord steps reuse the LU.
 * On three uncoupled units x_i' = tanh(g_i x_i), whose 27 fixed points
 * are the products of {-x*_i, 0, x*_i} (x*_i by bisection), from 300
 * starts: every point found is one of the 27 to 1e-14 (a few ulps of
 * |x| <= 1, what Newton to rounding level leaves), every point that a
 * plain Newton run (outside dk_fixed_find, so without the shortcuts)
 * reaches from a start is among those found, and the shortcuts were
 * taken (the chord probes of the runs from the starts among them) and
 * saved Jacobians against the plain runs.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define UNITS 3
#define STARTS 300

static double *param(dk_model *m, const char *name)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	return dk_model_params(m) + off;
}

/* the positive root of x = tanh(g x), g > 1 */
static double bisect(double g)
{
	double lo = 1e-3, hi = 1.5;
	for (int k = 0; k < 200; k++) {
		double mid = 0.5 * (lo + hi);
		if ((lo - tanh(g * lo) < 0) == (mid - tanh(g * mid) < 0))
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* Is x one of the 27 analytic points (to tol in every coordinate)? */
static int analytic(const double *x, const double *xs, double tol)
{
	for (size_t i = 0; i < UNITS; i++)
		if (!(fabs(x[i]) <= tol || fabs(fabs(x[i]) - xs[i]) <= tol))
			return 0;
	return 1;
}

static int found(const dk_fixed_points *p, const double *x, double tol)
{
	for (size_t j = 0; j < p->count; j++) {
		size_t i = 0;
		while (i < UNITS && fabs(p->x[j * UNITS + i] - x[i]) <= tol)
			i++;
		if (i == UNITS && p->kind[j] == DK_FIXED_FIXED)
			return 1;
	}
	return 0;
}

int main(void)
{
	const double g[UNITS] = {2, 2.5, 3};
	double xs[UNITS];
	dk_model_spec s = {.kind = "rnn", .units = UNITS, .inputs = 1, .outputs = 1,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 0.5, .seed = 1};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&s, &m, err, sizeof err)) {
		printf("# %s\n", err);
		return 1;
	}
	double *W = param(m, "model/W"), *b = param(m, "model/b");
	memset(W, 0, UNITS * UNITS * sizeof(double));
	memset(b, 0, UNITS * sizeof(double));
	for (size_t i = 0; i < UNITS; i++) {
		W[i * UNITS + i] = g[i];
		xs[i] = bisect(g[i]);
	}
	/* starts spread over the cube around all 27 points (a fixed LCG) */
	static double x0[STARTS * UNITS];
	uint64_t z = 12345;
	for (size_t k = 0; k < STARTS * UNITS; k++) {
		z = z * 6364136223846793005u + 1442695040888963407u;
		x0[k] = -1.3 + 2.6 * (double)(z >> 11) / 9007199254740992.0;
	}

	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	dk_fixed_work *w = dk_fixed_work_alloc(m, STARTS, &o);
	dk_fixed_work *wp = dk_fixed_work_alloc(m, 1, &o);
	dk_fixed_points *p = dk_fixed_points_alloc(2 * STARTS, UNITS);
	if (!w || !wp || !p || dk_fixed_find(w, m, STARTS, x0, NULL, p, err, sizeof err)) {
		printf("# %s\n", w && wp && p ? err : "out of memory");
		return 1;
	}
	size_t nfixed = 0, nbad = 0;
	for (size_t j = 0; j < p->count; j++)
		if (p->kind[j] == DK_FIXED_FIXED) {
			nfixed++;
			nbad += !analytic(p->x + j * UNITS, xs, 1e-14);
		}
	ok(nfixed >= 20 && nbad == 0,
	   "%zu fixed points found, each one of the 27 products of {-x*, 0, x*} to 1e-14 (%zu not)",
	   nfixed, nbad);

	/* plain Newton from every start: nothing it reaches may be missing */
	size_t reached = 0, missing = 0;
	for (size_t k = 0; k < STARTS; k++) {
		double x[UNITS], res;
		int64_t steps;
		memcpy(x, x0 + k * UNITS, sizeof x);
		if (dk_fixed_newton(wp, m, x, NULL, &steps, &res, NULL) || !(res <= o.tol_fixed))
			continue;
		reached++;
		if (!found(p, x, 1e-12)) {
			missing++;
			printf("#   start %zu reaches (%g, %g, %g), not found\n", k, x[0], x[1], x[2]);
		}
	}
	ok(reached > STARTS / 2 && missing == 0,
	   "every point plain Newton reaches from a start is found (%zu starts reach one; %zu missing)",
	   reached, missing);

	dk_fixed_counts c, cp;
	dk_fixed_work_counts(w, &c);
	dk_fixed_work_counts(wp, &cp);
	ok(c.known_hits > STARTS / 2 && c.jacobians < cp.jacobians,
	   "runs end in the basins of points found before (%llu times), and the search forms "
	   "fewer Jacobians than Newton alone from the starts (%llu against %llu)",
	   (unsigned long long)c.known_hits, (unsigned long long)c.jacobians,
	   (unsigned long long)cp.jacobians);
	ok(c.probe_steps > 0,
	   "runs from the starts probe the basins by chord steps (%llu steps)",
	   (unsigned long long)c.probe_steps);
	ok(cp.known_hits == 0 && cp.chord_steps == 0 && cp.probe_steps == 0 &&
	   cp.jacobians == cp.newton_steps,
	   "outside dk_fixed_find Newton takes no shortcut: one Jacobian per step");

	dk_fixed_points_free(p);
	dk_fixed_work_free(w);
	dk_fixed_work_free(wp);
	dk_model_free(m);
	return tap_done();
}
