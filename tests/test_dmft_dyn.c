/*
 * test_dmft_dyn.c -- the nonstationary multiregion theory with disorder
 * (multiregion_dynamic.h) against what is known without it: at g = 0
 * the currents reach the fixed points of multiregion.h's solver and
 * Delta is theirs alone; the Euler error halves with the step; one
 * region without structure settles to scs's stationary Delta(tau); one
 * region with structure settles to its static theory (multiregion_static.c)
 * in the phases chaos suppressed and chaos with structure, and two
 * regions each in one of them; a band that holds C_phi's decay changes
 * nothing, one that does not shows; the options refused.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static const double ONES[5] = {1, 1, 1, 1, 1};

static dk_dmft_dyn_options options(size_t P, const double *a, const double *b,
                                   const double *gain, double dt, double t_max)
{
	dk_dmft_dyn_options o = dk_dmft_dyn_options_default();
	o.model.regions = P;
	o.model.a = a;
	o.model.b = b;
	o.model.signs = ONES;
	o.gain = gain;
	o.dt = dt;
	o.t_max = t_max;
	return o;
}

static int solve(const char *what, const dk_dmft_dyn_options *o,
                 dk_dmft_dyn_result *r)
{
	char err[256];
	int st = dk_dmft_dyn_run(o, r, err, sizeof err);
	if (st)
		ok(0, "%s: solved: %s", what, err);
	return st;
}

/* g = 0 and no chaotic part: the currents follow multiregion.h's flow,
   whose attracting fixed points are found by its own solver.  An Euler
   fixed point is an exact fixed point (S = F(S) whatever dt), so the
   only error is how far the flow has still to go at t = 80, at the rate
   of its slowest direction (about 0.3 here: e^-24 ~ 4e-11 of |S| ~ 1). */
static void test_no_disorder(void)
{
	double a[2] = {2.5, 1.6}, b[2] = {1.4, 1.3}, g[2] = {0, 0};
	dk_dmft_dyn_options o = options(2, a, b, g, 0.05, 80);
	o.delta_init = 0;
	dk_dmft_dyn_result r;
	if (solve("g = 0", &o, &r))
		return;
	dk_dmft_multi_result f;
	char err[256];
	if (dk_dmft_multi_run(&o.model, &f, err, sizeof err)) {
		ok(0, "g = 0: the fixed-point solver: %s", err);
		dk_dmft_dyn_result_clear(&r);
		return;
	}
	const double *S = r.S + r.steps * 4;
	double worst_a = 0, worst_d = 0;
	for (size_t m = 0; m < 2; m++) {
		double A = S[m * 2] * S[m * 2] + S[m * 2 + 1] * S[m * 2 + 1];
		worst_a = fmax(worst_a, fabs(A - f.A[m]));
		/* Delta = U S S alone, at every time: the same sum */
		for (size_t j = 0; j <= r.steps; j++) {
			const double *Sj = r.S + j * 4 + m * 2;
			worst_d = fmax(worst_d, fabs(r.delta[j * 2 + m] -
			                             (Sj[0] * Sj[0] + Sj[1] * Sj[1])));
		}
	}
	ok(worst_a < 1e-8, "g = 0: A at t = 80 is the fixed-point solver's "
	   "within 1e-8 (worst %.2g)", worst_a);
	ok(worst_d < 1e-13, "g = 0: Delta(t, t) = sum (S^{mu nu})^2 at every t "
	   "within 1e-13 (worst %.2g)", worst_d);
	dk_dmft_multi_result_clear(&f);
	dk_dmft_dyn_result_clear(&r);
}

/* Euler's global error at a fixed time is c dt + O(dt^2): the
   differences between steps dt, dt/2 and dt/4 then shrink by 2 each
   (1.7 to 2.3 allows the dt^2 term at dt = 0.04, where it is a few
   percent of the first). */
static void test_order(void)
{
	double a[2] = {2.5, 1.6}, b[2] = {1.4, 1.3}, g[2] = {1.5, 0.8};
	double S[3][4], D[3][2];
	for (int k = 0; k < 3; k++) {
		dk_dmft_dyn_options o = options(2, a, b, g, 0.04 / (1 << k), 4);
		dk_dmft_dyn_result r;
		if (solve("order", &o, &r))
			return;
		memcpy(S[k], r.S + r.steps * 4, sizeof S[k]);
		memcpy(D[k], r.delta + r.steps * 2, sizeof D[k]);
		dk_dmft_dyn_result_clear(&r);
	}
	double e[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 4; i++)
			e[k] = fmax(e[k], fabs(S[k][i] - S[k + 1][i]));
		for (int i = 0; i < 2; i++)
			e[k] = fmax(e[k], fabs(D[k][i] - D[k + 1][i]));
	}
	double ratio = e[0] / e[1];
	ok(ratio > 1.7 && ratio < 2.3, "S(4) and Delta(4, 4): halving dt halves "
	   "the change (ratio %.3f, changes %.2g, %.2g)", ratio, e[0], e[1]);
}

/* max |Delta(t_max, t_max - tau) - scs's Delta(tau)| over tau <= 20, one
   region without currents at g = 2, t_max = 80 (the distance to
   stationarity there is below 1e-4, Delta(t, t)'s change over the last
   10). */
static double scs_error(double dt, const dk_dmft_scs_result *scs)
{
	double zero = 0, g = 2;
	dk_dmft_dyn_options o = options(1, &zero, &zero, &g, dt, 80);
	dk_dmft_dyn_result r;
	if (solve("scs", &o, &r))
		return INFINITY;
	double worst = 0;
	/* scs's grid has step 0.025, a divisor of dt */
	size_t every = (size_t)lround(dt / 0.025);
	for (size_t k = 0; k < r.lags && k * dt <= 20; k++)
		worst = fmax(worst, fabs(r.delta_lag[k] - scs->delta[k * every]));
	dk_dmft_dyn_result_clear(&r);
	return worst;
}

static void test_scs(void)
{
	dk_dmft_options so = dk_dmft_options_default();
	so.phi = dk_dmft_phi_from_name("erf");
	so.tau_max = 20;
	so.dtau = 0.025;
	dk_dmft_scs_result scs;
	char err[256];
	if (dk_dmft_scs_run(&so, &scs, err, sizeof err)) {
		ok(0, "scs: %s", err);
		return;
	}
	double e1 = scs_error(0.05, &scs), e2 = scs_error(0.025, &scs);
	/* first order: the error halves with dt (the ratio allows the
	   dt^2 term and the distance to stationarity), and is about 0.5 dt
	   here (0.05 at dt = 0.1, 0.025 at 0.05): dt bounds it with a
	   margin of 2 */
	ok(e1 < 0.05 && e2 < 0.025, "one region, a = b = 0, g = 2: "
	   "Delta(t, t - tau) is scs's Delta(tau) within dt (errors %.3g at "
	   "dt 0.05, %.3g at 0.025)", e1, e2);
	ok(e1 / e2 > 1.6 && e1 / e2 < 2.4, "... and the error halves with dt "
	   "(ratio %.3f)", e1 / e2);
	dk_dmft_scs_result_clear(&scs);
}

/* One region a = 3, b = 0 at t_max = 200: the static theory's Delta0,
   A = S^2 and Delta_inf = Delta(t_max, t_max - 60). */
static void static_errors(double g, double dt, double err[3],
                          dk_dmft_region_phase *phase)
{
	double a = 3, b = 0;
	dk_dmft_dyn_options o = options(1, &a, &b, &g, dt, 200);
	dk_dmft_dyn_result r;
	err[0] = err[1] = err[2] = INFINITY;
	if (solve("static", &o, &r))
		return;
	const dk_dmft_region_static *s = &r.statics[0];
	double S = r.S[r.steps];
	*phase = s->phase;
	err[0] = fabs(r.delta[r.steps] - s->delta0);
	err[1] = fabs(S * S - s->A);
	err[2] = fabs(r.delta_lag[(size_t)lround(60 / dt)] - s->delta_inf);
	dk_dmft_dyn_result_clear(&r);
}

static void test_static(void)
{
	double e[3], h[3];
	dk_dmft_region_phase p = DK_DMFT_QUIESCENT, q = DK_DMFT_QUIESCENT;
	/* chaos suppressed: D constant at g^2 <phi^2> and S^2 = A solve the
	   Euler scheme exactly, so only the approach (at rate about 0.5 by
	   t = 200) is left */
	static_errors(1, 0.1, e, &p);
	ok(p == DK_DMFT_CHAOS_SUPPRESSED && e[0] < 1e-10 && e[1] < 1e-10 &&
	   e[2] < 1e-10, "a = 3, g = 1, %s: Delta0, A, Delta_inf = Delta0 "
	   "within 1e-10 (%.2g, %.2g, %.2g)", dk_dmft_region_phase_name(p),
	   e[0], e[1], e[2]);
	/* chaos with structure: S static asks psi(Delta(t, t)) a = 1 exactly
	   of the Euler scheme too, so Delta0 to the approach; A and
	   Delta_inf carry the discretisation's error, which shrinks at least
	   as dt (measured: by 4 from dt = 0.1 to 0.05, 1.3e-5 and 1.1e-4 at
	   0.1); the bound 2e-4 at dt = 0.1 holds that with a margin of 2 */
	static_errors(2.5, 0.1, e, &p);
	static_errors(2.5, 0.05, h, &q);
	ok(p == DK_DMFT_CHAOS_WITH_STRUCTURE && q == p && e[0] < 1e-9 &&
	   h[0] < 1e-9, "a = 3, g = 2.5, %s: Delta(t, t) = Delta0 within 1e-9 "
	   "(%.2g, %.2g)", dk_dmft_region_phase_name(p), e[0], h[0]);
	ok(e[1] < 2e-4 && e[2] < 2e-4 && h[1] < e[1] / 1.8 && h[2] < e[2] / 1.8,
	   "... A and Delta_inf within 2e-4 at dt 0.1 (%.2g, %.2g), and at least "
	   "1.8 times closer at 0.05 (%.2g, %.2g)", e[1], e[2], h[1], h[2]);
}

/* Two regions on their own currents (a > b: the pair between them is
   subcritical and dies out), each in its own phase, each as alone: the
   bounds of test_static at dt = 0.1. */
static void test_two_phases(void)
{
	double a[2] = {3, 3}, b[2] = {0.5, 0.5}, g[2] = {1, 2.5};
	dk_dmft_dyn_options o = options(2, a, b, g, 0.1, 200);
	dk_dmft_dyn_result r;
	if (solve("two phases", &o, &r))
		return;
	double e[2][3];
	for (size_t m = 0; m < 2; m++) {
		const dk_dmft_region_static *s = &r.statics[m];
		const double *S = r.S + r.steps * 4 + m * 2;
		e[m][0] = fabs(r.delta[r.steps * 2 + m] - s->delta0);
		e[m][1] = fabs(S[0] * S[0] + S[1] * S[1] - s->A);
		e[m][2] = fabs(r.delta_lag[600 * 2 + m] - s->delta_inf);
	}
	ok(r.statics[0].phase == DK_DMFT_CHAOS_SUPPRESSED &&
	   r.statics[1].phase == DK_DMFT_CHAOS_WITH_STRUCTURE &&
	   e[0][0] < 1e-10 && e[0][1] < 1e-10 && e[0][2] < 1e-10 &&
	   e[1][0] < 1e-9 && e[1][1] < 2e-4 && e[1][2] < 2e-4,
	   "two regions, g = 1 and 2.5: each its static theory (%.2g %.2g %.2g; "
	   "%.2g %.2g %.2g)", e[0][0], e[0][1], e[0][2], e[1][0], e[1][1],
	   e[1][2]);
	dk_dmft_dyn_result_clear(&r);
}

/* The band: C_phi of a = 3, g = 2.5 settles within lag 30 (its decay
   rate is above 0.4), so a band of 30 leaves A as the whole run's
   within 1e-7; a band of 5 cuts the decay off and A moves by far more
   (it must: otherwise the band would not be doing anything). */
static void test_band(void)
{
	double a = 3, b = 0, g = 2.5, A[3];
	double bands[3] = {0, 30, 5};
	for (int k = 0; k < 3; k++) {
		dk_dmft_dyn_options o = options(1, &a, &b, &g, 0.05, 200);
		o.band = bands[k];
		dk_dmft_dyn_result r;
		if (solve("band", &o, &r))
			return;
		A[k] = r.S[r.steps] * r.S[r.steps];
		if (k == 1)
			is_int(r.lags, 601, "band 30 at dt 0.05: 601 lags kept");
		dk_dmft_dyn_result_clear(&r);
	}
	ok(fabs(A[1] - A[0]) < 1e-7, "band 30: A as the whole run's within 1e-7 "
	   "(%.2g)", fabs(A[1] - A[0]));
	ok(fabs(A[2] - A[0]) > 1e-3, "band 5: A moves (by %.2g)",
	   fabs(A[2] - A[0]));
}

static void test_options(void)
{
	double a[2] = {2, 2}, b[2] = {0, 0}, g[2] = {1, 1};
	double bad_g[2] = {1, -1}, big_g[2] = {1, 11}, S0[4] = {0, NAN, 0, 0};
	struct { const char *field; dk_dmft_dyn_options o; } bad[] = {
		{"gain", options(2, a, b, NULL, 0.05, 10)},
		{"gain of region 2", options(2, a, b, bad_g, 0.05, 10)},
		{"gain of region 2", options(2, a, b, big_g, 0.05, 10)},
		{"dt", options(2, a, b, g, 0, 10)},
		{"dt", options(2, a, b, g, 0.6, 10)},
		{"dt", options(2, a, b, g, NAN, 10)},
		{"t_max", options(2, a, b, g, 0.05, 0)},
		{"t_max", options(2, a, b, g, 0.05, 0.01)},
		{"t_max", options(2, a, b, g, 1e-6, 1e3)},
		{"band", options(2, a, b, g, 0.05, 10)},
		{"delta_init", options(2, a, b, g, 0.05, 10)},
		{"S0[1]", options(2, a, b, g, 0.05, 10)},
		{"b of region 1", options(2, a, g, g, 0.05, 10)},
	};
	bad[9].o.band = -1;
	bad[10].o.delta_init = -1;
	bad[11].o.S0 = S0;
	bad[12].o.model.b = (double[]){-1, 0};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		dk_dmft_dyn_result r;
		char err[256] = "";
		int st = dk_dmft_dyn_run(&bad[i].o, &r, err, sizeof err);
		ok(st == DK_EINVAL && strstr(err, bad[i].field) && !r.S,
		   "%s refused (%s)", bad[i].field, err);
	}
	dk_dmft_dyn_result_clear(NULL);
}

int main(void)
{
	dk_numeric_init();
	test_no_disorder();
	test_order();
	test_scs();
	test_static();
	test_two_phases();
	test_band();
	test_options();
	return tap_done();
}
