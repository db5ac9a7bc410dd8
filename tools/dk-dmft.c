/*
 * dk-dmft -- dynamical mean-field theory of random networks: the
 * self-consistent autocorrelation of the rate network dx/dt = -x +
 * J phi(x) (scs), and the order parameters of the random map h' =
 * J phi(h) (map), J_ij ~ N(0, g^2 / N); and the fixed points of the
 * currents between the regions of a multiregion network (multiregion),
 * or with disorder (multiregion --gain) their nonstationary theory;
 * and the branches of a network with low-rank structure and disorder
 * (lowrank).
 *
 *	dk-dmft scs --gain 2 --phi tanh | dk-cat --select dmft/delta0 --text
 *
 * The equations, their solution and its accuracy are
 * lib/analysis/dmft/dmft.h's, multiregion.h's,
 * multiregion_dynamic.h's and lowrank.h's; --simulate adds
 * the same measured on simulated networks.  This file is the help and
 * the run: the command line is dmft_cli.c's, the solve one library call
 * (dk_dmft_solve_to_bundle, solve.h).  With --params FILE, one solve per
 * row of a parameter stream (dmft_sweep.c): the options are read and
 * checked, and the solve made, by one function for a row as for the
 * command line.
 */
#include <config.h>

#include <stdio.h>

#include "dmft_cli.h"
#include "dmft_sweep.h"
#include "tool.h"

static void usage(void)
{
	printf("Usage: dk-dmft KIND [OPTION]...\n"
	       "Mean-field theory, for KIND, of a random network, J_ij ~ N(0, g^2/N):\n"
	       "  scs   dx/dt = -x + J phi(x): the autocorrelation Delta(tau) and\n"
	       "        C_phi(tau) on a grid of lags, Delta0 = Delta(0), and the\n"
	       "        decay rate of Delta; writes dmft/delta0, dmft/decay,\n"
	       "        dmft/tau, dmft/delta, dmft/cphi\n"
	       "  map   h' = J phi(h): the variance q, the perturbation gain chi1 and\n"
	       "        the largest Lyapunov exponent; writes dmft/q, dmft/chi1,\n"
	       "        dmft/lyapunov\n"
	       "or of P regions joined by low-rank couplings (T^{mu nu rho} =\n"
	       "delta_{mu rho} c^{mu nu}, c = u u^T + diag(a - b), u = signs sqrt(b)):\n"
	       "  multiregion  no disorder: the fixed points of the currents\n"
	       "        S^{mu nu}, nu to mu, from random starts, A^mu = sum_nu\n"
	       "        (S^{mu nu})^2, and the stability of S = 0 from T-hat's\n"
	       "        eigenvalues; writes dmft/S, dmft/A, dmft/residual,\n"
	       "        dmft/that_eig, dmft/that_max_re; with --gain, disorder:\n"
	       "        the currents S(t) and each region's Delta(t, t) over time\n"
	       DMFT_LOWRANK_KIND_HELP
	       "\n"
	       "  -g, --gain G          scs, map: the gain g, above 0 and at most 10\n"
	       "                        (default 2)\n"
	       "      --phi NAME        tanh or erf (erf(sqrt(pi) x / 2); default tanh)\n"
	       "      --tau-max T       scs: the last lag of the grid (default 30)\n"
	       "      --dtau D          scs: the grid's step (default 0.1)\n"
	       "      --simulate N      map: also simulate networks of N units (2 to\n"
	       "                        8192); writes sim/q, sim/lyapunov;\n"
	       "                        scs: the same (steps of 0.05, the\n"
	       "                        autocorrelation by FFT); writes sim/delta0,\n"
	       "                        sim/delta;\n"
	       "                        multiregion: of N units per region (the\n"
	       "                        multiregion model, Euler steps of 0.05, from\n"
	       "                        the paper's start); writes sim/S, sim/A;\n"
	       "                        with --gain: dense disorder, Euler steps of\n"
	       "                        --dt from the theory's start to --t-max;\n"
	       "                        writes sim/S_t, sim/delta_t (the means)\n"
	       "      --seeds K         --simulate: K networks (default 1)\n"
	       "  -S, --seed S          --simulate: network k from seed S + k\n"
	       "                        (default 1)\n"
	       "      --transient T0    --simulate: steps before measuring\n"
	       "                        (default 200)\n"
	       "  -T, --steps T         --simulate: measured steps (default 500;\n"
	       "                        scs: at least 2, N T at most 2^27)\n"
	       "      --integrator RULE scs --simulate: euler, heun (second order)\n"
	       "                        or rk4 (fourth) (default euler)\n"
	       DMFT_MULTI_HELP
	       DMFT_LOWRANK_HELP
	       "      --params FILE     a sweep: one solve per row of the stream FILE\n"
	       "                        (- for stdin) of tensors named after options\n"
	       "                        (gain, a, ...), (row) or (row, value); the\n"
	       "                        records stacked along a first axis row, the\n"
	       "                        values as sweep/NAME\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* One solve of the options in argv into out (dmft_sweep.h); its exit
   status. */
static int solve(int argc, char **argv, dk_bundle *out, json_t **prov)
{
	dmft_cli o;
	dk_dmft_problem p;
	dmft_cli_read(argc, argv, usage, &o);
	dmft_cli_check(&o, &p);
	char err[256];
	int st = dk_dmft_solve_to_bundle(&p, out, err, sizeof err);
	if (st)
		tool_warn(NULL, "%s", err);
	if (prov)
		*prov = dmft_cli_json(&o);
	dmft_cli_free(&o);
	return st ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
	tool_init_numeric("dk-dmft", argv);
	dmft_cli o;
	dmft_cli_read(argc, argv, usage, &o);
	dk_bundle *out = dk_bundle_alloc();
	json_t *prov = NULL;
	int status = !out ? TOOL_EXIT_FAIL : o.params ?
		dmft_sweep(o.params, o.max_elements, dmft_cli_longopts, argc, argv, solve,
		           out, &prov) :
		solve(argc, argv, out, &prov);
	status = tool_finish(status, o.output, out, prov);
	dk_bundle_free(out);
	dmft_cli_free(&o);
	return status;
}
