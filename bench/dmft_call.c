/*
 * dmft_call.c -- dk-dmft's solves as library calls alone, for
 * bench/dmft_vs_scipy.sh to set beside the same equations in NumPy and
 * SciPy: times RUNS calls of one solve and prints the best wall time and
 * the best CPU time of the process (every thread's) over a call, and the
 * leading values, so that the script compares both the times and the
 * answers.
 *
 * Usage:
 *	dmft_call scs GAIN tanh|erf TAU_MAX DTAU RUNS
 *	dmft_call map GAIN tanh|erf RUNS
 *	dmft_call multiregion GAIN T_MAX DT RUNS
 * multiregion is the two-time theory with disorder GAIN in every region,
 * P = 5 regions of the README's parameters (a = 2, 1.5, 1.2, 1.8, 1.1,
 * b = 0.5 each, signs +1, S(0)^{mu nu} = cos(mu P + nu + 1), D(0, 0) = 1),
 * the whole run as the band.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dynkit.h"

#define REGIONS 5

static void die(const char *what, const char *why)
{
	fprintf(stderr, "dmft_call: %s: %s\n", what, why);
	exit(1);
}

static double seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One solve of the kind named by argv[1]; its leading values into v. */
static int solve(int argc, char **argv, double v[3], char *err, size_t errlen)
{
	dk_dmft_options o = dk_dmft_options_default();
	o.gain = strtod(argv[2], NULL);
	if (argv[1][0] == 'm' && argv[1][1] == 'u') {
		static const double a[REGIONS] = {2, 1.5, 1.2, 1.8, 1.1};
		static const double b[REGIONS] = {0.5, 0.5, 0.5, 0.5, 0.5};
		static const double s[REGIONS] = {1, 1, 1, 1, 1};
		double g[REGIONS], S0[REGIONS * REGIONS];
		for (int m = 0; m < REGIONS; m++)
			g[m] = o.gain;
		for (int i = 0; i < REGIONS * REGIONS; i++)
			S0[i] = cos(i + 1.0);
		dk_dmft_dyn_options d = dk_dmft_dyn_options_default();
		d.model.regions = REGIONS;
		d.model.a = a;
		d.model.b = b;
		d.model.signs = s;
		d.gain = g;
		d.S0 = S0;
		d.t_max = strtod(argv[3], NULL);
		d.dt = strtod(argv[4], NULL);
		dk_dmft_dyn_result r;
		int st = dk_dmft_dyn_run(&d, &r, err, errlen);
		if (!st) {
			v[0] = r.delta[r.steps * REGIONS];
			v[1] = r.S[r.steps * REGIONS * REGIONS];
			v[2] = r.delta[(r.steps / 2) * REGIONS];
		}
		dk_dmft_dyn_result_clear(&r);
		return st;
	}
	if (!(o.phi = dk_dmft_phi_from_name(argv[3])))
		die(argv[3], "not a nonlinearity");
	if (argv[1][0] == 'm') {
		dk_dmft_map_result r;
		int st = dk_dmft_map_run(&o, &r, err, errlen);
		v[0] = r.q;
		v[1] = r.chi1;
		v[2] = r.lyapunov;
		return st;
	}
	(void)argc;
	o.tau_max = strtod(argv[4], NULL);
	o.dtau = strtod(argv[5], NULL);
	dk_dmft_scs_result r;
	int st = dk_dmft_scs_run(&o, &r, err, errlen);
	if (!st) {
		v[0] = r.delta0;
		v[1] = r.delta[r.n / 10];
		v[2] = r.delta[r.n - 1];
	}
	dk_dmft_scs_result_clear(&r);
	return st;
}

int main(int argc, char **argv)
{
	int want = argc < 2 ? 0 : argv[1][0] == 's' ? 7 :
	           argv[1][0] == 'm' && argv[1][1] == 'a' ? 5 : 6;
	if (argc != want)
		die("usage", "dmft_call scs GAIN PHI TAU_MAX DTAU RUNS | "
		    "map GAIN PHI RUNS | multiregion GAIN T_MAX DT RUNS");
	int runs = atoi(argv[argc - 1]);
	char err[512] = "";
	double wall = 1e300, cpu = 1e300, v[3] = {0};
	for (int k = 0; k < runs; k++) {
		/* the wall clock inside the CPU clock's reads, which are
		   system calls */
		double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		double w0 = seconds(CLOCK_MONOTONIC);
		if (solve(argc, argv, v, err, sizeof err))
			die(argv[1], err);
		double w1 = seconds(CLOCK_MONOTONIC);
		double c1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		if (w1 - w0 < wall)
			wall = w1 - w0;
		if (c1 - c0 < cpu)
			cpu = c1 - c0;
	}
	printf("wall %.9f\ncpu %.9f\n", wall, cpu);
	printf("v0 %.17g\nv1 %.17g\nv2 %.17g\n", v[0], v[1], v[2]);
	return 0;
}
