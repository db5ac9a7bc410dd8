/*
 * test_dmft_integrate.c -- the time steps of scs --simulate
 * (dk_dmft_rate_step) against GSL's rk8pd on the same network, a
 * reference of another method to 1e-13: from one start of a network of
 * 40 units at g = 2, the state at t = 2 after steps of dt and dt / 2.
 * The error of a rule of order p is C dt^p + O(dt^(p+1)), so halving dt
 * divides it by 2^p: 2 for Euler, 4 for Heun, 16 for RK4; and Heun's
 * and RK4's at dt = 0.05 are below Euler's at a step ten times smaller.
 * The names and the check of the options.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "dynkit.h"
#include "tap.h"

#define N 40
#define T_END 2.0

static double J[N * N], X0[N];
static const dk_dmft_phi *PHI;

static int field(double t, const double *x, double *dx, void *arg)
{
	(void)t;
	(void)arg;
	for (size_t i = 0; i < N; i++) {
		double s = 0;
		for (size_t j = 0; j < N; j++)
			s += J[i * N + j] * tanh(x[j]);
		dx[i] = -x[i] + s;
	}
	return GSL_SUCCESS;
}

/* The reference x(T_END): rk8pd, absolute and relative tolerance 1e-13. */
static int reference(double *x)
{
	gsl_odeiv2_system sys = {field, NULL, N, NULL};
	gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(
		&sys, gsl_odeiv2_step_rk8pd, 1e-3, 1e-13, 1e-13);
	double t = 0;
	memcpy(x, X0, sizeof X0);
	int st = d ? gsl_odeiv2_driver_apply(d, &t, T_END, x) : GSL_ENOMEM;
	gsl_odeiv2_driver_free(d);
	return st;
}

/* max_i |x_i(T_END) - ref_i| after T_END / dt steps of rule m. */
static double error(dk_dmft_integrator m, double dt, const double *ref)
{
	double x[N], work[6 * N], e = 0;
	size_t steps = (size_t)lround(T_END / dt);
	memcpy(x, X0, sizeof X0);
	for (size_t k = 0; k < steps; k++)
		dk_dmft_rate_step(J, N, PHI, m, dt, x, work);
	for (size_t i = 0; i < N; i++)
		e = fmax(e, fabs(x[i] - ref[i]));
	return e;
}

static void test_order(void)
{
	dk_rng *rng = dk_rng_alloc(5);
	for (size_t i = 0; i < N * N; i++)
		J[i] = dk_rng_normal(rng, 2 / sqrt(N));
	for (size_t i = 0; i < N; i++)
		X0[i] = dk_rng_normal(rng, 1);
	dk_rng_free(rng);
	double ref[N];
	if (!ok(reference(ref) == GSL_SUCCESS, "rk8pd reaches t = %g", T_END))
		return;
	/* the ratio is 2^p (1 + O(dt)): at dt = 0.05 the next order's share
	   is a few per cent for this field (|x| ~ 1, J's norm ~ 2 g), so
	   10% around 2^p holds it and fails for a rule of another order */
	static const struct { dk_dmft_integrator m; double want; } rules[] = {
		{DK_DMFT_EULER, 2}, {DK_DMFT_HEUN, 4}, {DK_DMFT_RK4, 16}};
	for (size_t k = 0; k < 3; k++) {
		double e1 = error(rules[k].m, 0.05, ref);
		double e2 = error(rules[k].m, 0.025, ref);
		ok(fabs(e1 / e2 / rules[k].want - 1) < 0.1, "%s: the error at t = 2 "
		   "falls %.3g times (%.3g to %.3g) when dt halves from 0.05, "
		   "%g wanted within 10%%", dk_dmft_integrator_name(rules[k].m),
		   e1 / e2, e1, e2, rules[k].want);
	}
	double euler = error(DK_DMFT_EULER, 0.005, ref);
	double heun = error(DK_DMFT_HEUN, 0.05, ref);
	double rk4 = error(DK_DMFT_RK4, 0.05, ref);
	ok(heun < euler && rk4 < euler / 100, "at dt = 0.05, Heun's error %.3g "
	   "and RK4's %.3g are below Euler's at dt = 0.005, %.3g (RK4's by 100 "
	   "times)", heun, rk4, euler);
	/* Euler's step is the one product of before */
	double x[N], y[N], f[N], work[6 * N];
	memcpy(x, X0, sizeof X0);
	memcpy(y, X0, sizeof X0);
	dk_dmft_rate_step(J, N, PHI, DK_DMFT_EULER, 0.05, x, work);
	field(0, y, f, NULL);
	double d = 0;
	for (size_t i = 0; i < N; i++)
		d = fmax(d, fabs(x[i] - (y[i] + 0.05 * f[i])));
	ok(d < 1e-14, "Euler: one step is x + dt F(x) (to %.2g; 1e-14 for "
	   "sums of 40 terms of order 1)", d);
}

static void test_names(void)
{
	dk_dmft_integrator m = DK_DMFT_EULER;
	ok(!dk_dmft_integrator_from_name("rk4", &m) && m == DK_DMFT_RK4 &&
	   !strcmp(dk_dmft_integrator_name(DK_DMFT_HEUN), "heun"),
	   "names and rules agree");
	ok(dk_dmft_integrator_from_name("rk45", &m) == DK_EINVAL &&
	   !dk_dmft_integrator_name((dk_dmft_integrator)7), "unknown names refused");
	dk_dmft_sim_options s = dk_dmft_sim_options_default();
	char err[256] = "";
	ok(s.integrator == DK_DMFT_EULER, "Euler by default");
	s.integrator = (dk_dmft_integrator)3;
	ok(dk_dmft_sim_options_check(&s, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "integrator"), "an integrator out of range refused: %s",
	   err);
}

int main(void)
{
	dk_numeric_init();
	PHI = dk_dmft_phi_from_name("tanh");
	test_order();
	test_names();
	return tap_done();
}
