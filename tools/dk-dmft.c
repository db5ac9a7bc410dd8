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
 * the same measured on simulated networks.  With --params FILE, one
 * solve per row of a parameter stream (dmft_sweep.c): the options are
 * read and checked, and the solve made, by one function for a row as for
 * the command line.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmft_lowrank_options.h"
#include "dmft_options.h"
#include "dmft_sweep.h"
#include "tool.h"

enum { OPT_PHI = TOOL_OPT_FIRST_FREE, OPT_TAU_MAX, OPT_DTAU, OPT_SIMULATE,
       OPT_SEEDS, OPT_TRANSIENT, OPT_PARAMS, OPT_INTEGRATOR };

typedef struct {
	const char *output;
	size_t max_elements;
	int scs;                /* 1: scs, 0: map or multiregion */
	int multi;              /* 1: multiregion */
	int lowrank;            /* 1: lowrank */
	int tau_given;          /* --tau-max or --dtau was given */
	int sim_given;          /* a simulation option was given */
	int steps_given;        /* --transient or --steps was given */
	int phi_given;          /* --phi was given */
	int seed_given;         /* --seed was given */
	int integrator_given;   /* --integrator was given */
	const char *params;     /* --params: a sweep's parameter stream */
	const char *gain;       /* --gain as given: a list for multiregion */
	dk_dmft_options dmft;
	dk_dmft_sim_options sim; /* units 0: no simulation */
	dmft_multi multi_opts;  /* multiregion */
	dmft_lowrank lowrank_opts; /* lowrank */
} options;

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

/* Solve and gather (lib/analysis/dmft/dmft.h, multiregion.h). */
static int run(const options *o, dk_bundle *out)
{
	char err[256];
	int st, records;
	if (o->multi && o->multi_opts.gain) {
		dk_dmft_dyn_result r;
		st = dk_dmft_dyn_run(&o->multi_opts.dyn, &r, err, sizeof err);
		records = st ? DK_OK : dk_dmft_dyn_to_bundle(&r, out);
		if (!st && !records && o->sim.units) {
			dk_dmft_dyn_sim_result s;
			st = dk_dmft_dyn_simulate(&o->multi_opts.dyn, &o->sim, &s, err,
			                          sizeof err);
			records = st ? DK_OK : dk_dmft_dyn_sim_to_bundle(&s, &r, out);
			dk_dmft_dyn_sim_result_clear(&s);
		}
		dk_dmft_dyn_result_clear(&r);
	} else if (o->multi) {
		dk_dmft_multi_result r;
		st = dk_dmft_multi_run(&o->multi_opts.mr, &r, err, sizeof err);
		records = st ? DK_OK : dk_dmft_multi_to_bundle(&r, out);
		dk_dmft_multi_result_clear(&r);
		if (!st && !records && o->sim.units) {
			dk_dmft_multi_sim_result s;
			st = dk_dmft_multi_simulate(&o->multi_opts.mr, &o->sim, &s, err,
			                            sizeof err);
			records = st ? DK_OK : dk_dmft_multi_sim_to_bundle(&s, out);
			dk_dmft_multi_sim_result_clear(&s);
		}
	} else if (o->scs) {
		dk_dmft_scs_result r;
		st = dk_dmft_scs_run(&o->dmft, &r, err, sizeof err);
		records = st ? DK_OK : dk_dmft_scs_to_bundle(&r, out);
		dk_dmft_scs_result_clear(&r);
		if (!st && !records && o->sim.units) {
			dk_dmft_scs_sim_result s;
			st = dk_dmft_scs_simulate(&o->dmft, &o->sim, &s, err, sizeof err);
			records = st ? DK_OK : dk_dmft_scs_sim_to_bundle(&s, out);
			dk_dmft_scs_sim_result_clear(&s);
		}
	} else {
		dk_dmft_map_result r;
		st = dk_dmft_map_run(&o->dmft, &r, err, sizeof err);
		records = st ? DK_OK : dk_dmft_map_to_bundle(&r, out);
		if (!st && !records && o->sim.units) {
			dk_dmft_sim_result s;
			st = dk_dmft_map_simulate(&o->dmft, &o->sim, &s, err, sizeof err);
			records = st ? DK_OK : dk_dmft_sim_to_bundle(&s, out);
			dk_dmft_sim_result_clear(&s);
		}
	}
	if (st) {
		/* a model's own messages already begin with its kind */
		const char *kind = o->multi ? "multiregion" : o->scs ? "scs" : "map";
		size_t k = strlen(kind);
		int named = !strncmp(err, kind, k) && err[k] == ':';
		tool_warn(named ? NULL : kind, "%s", err);
	}
	else if (records)
		tool_warn(NULL, "out of memory");
	return st || records ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* multiregion's options checked against each other. */
static void check_multiregion(options *o)
{
	if (o->tau_given || o->phi_given)
		tool_usage_error("--phi, --tau-max and --dtau are for scs and map");
	if (o->integrator_given)
		tool_usage_error("--integrator is for scs --simulate");
	if (o->sim_given && !o->sim.units)
		tool_usage_error("--seeds, --transient and --steps are for "
		                 "multiregion --simulate");
	if (o->gain && o->steps_given)
		tool_usage_error("--transient and --steps: with --gain the simulation "
		                 "runs the theory's --dt and --t-max");
	if (o->gain)
		dmft_multi_gain(&o->multi_opts, o->gain);
	dmft_multi_finish(&o->multi_opts);
	char err[256];
	if (o->sim.units && o->sim.units > DK_DMFT_MULTI_MAX_UNITS)
		tool_usage_error("--simulate: from 1 to %d units per region, not %zu",
		                 DK_DMFT_MULTI_MAX_UNITS, o->sim.units);
	if (o->sim.units && dk_dmft_sim_options_check(&(dk_dmft_sim_options){
	        .units = 2, .networks = o->sim.networks, .seed = o->sim.seed,
	        .transient = o->sim.transient, .steps = o->sim.steps}, err, sizeof err))
		tool_usage_error("--simulate: %s", err);
}

/* scs's and map's options checked against each other. */
static void check_single(options *o)
{
	if (o->multi_opts.given)
		tool_usage_error("--a, --b, --signs, --starts, --dt, --t-max, --band, "
		                 "--delta-init and --start are for multiregion");
	if (o->gain) {
		o->dmft.gain = tool_parse_positive("--gain", o->gain);
		if (o->dmft.gain > DK_DMFT_MAX_GAIN)
			tool_usage_error("--gain: '%s' is above %g", o->gain,
			                 DK_DMFT_MAX_GAIN);
	}
	o->sim_given |= o->seed_given;
	if (!o->scs && o->tau_given)
		tool_usage_error("--tau-max and --dtau are for scs, not map");
	if (o->integrator_given && !(o->scs && o->sim.units))
		tool_usage_error("--integrator is for scs --simulate");
	if (o->sim_given && !o->sim.units)
		tool_usage_error("--seeds, --seed, --transient and --steps are for "
		                 "--simulate");
	size_t units = o->sim.units;
	if (units && (units < 2 || units > DK_DMFT_MAX_UNITS))
		tool_usage_error("--simulate: from 2 to %d units, not %zu",
		                 DK_DMFT_MAX_UNITS, units);
	if (o->scs && units && (o->sim.steps < 2 ||
	                        o->sim.steps > DK_DMFT_MAX_RECORDED / units))
		tool_usage_error("--steps: scs --simulate records N T values: T from "
		                 "2 to %zu for N = %zu", DK_DMFT_MAX_RECORDED / units,
		                 units);
	char err[256];
	if (dk_dmft_options_check(&o->dmft, o->scs, err, sizeof err))
		tool_usage_error("--tau-max / --dtau: %s", err);
	if (units && dk_dmft_sim_options_check(&o->sim, err, sizeof err))
		tool_usage_error("--simulate: %s", err);
}

/* The options as run, for the provenance. */
static json_t *provenance(const options *o)
{
	if (!o->multi) {
		/* Euler's provenance as before there was a choice: same bytes */
		json_t *j = dmft_single_json(o->scs, &o->dmft, &o->sim);
		if (j && o->sim.integrator != DK_DMFT_EULER &&
		    json_object_set_new(j, "integrator", json_string(
		        dk_dmft_integrator_name(o->sim.integrator)))) {
			json_decref(j);
			j = NULL;
		}
		return j;
	}
	json_t *prov = dmft_multi_json(&o->multi_opts);
	if (prov && o->sim.units &&
	    json_object_update_new(prov, json_pack("{s:I, s:I, s:I, s:I}",
	        "simulate", (json_int_t)o->sim.units, "seeds", (json_int_t)o->sim.networks,
	        "transient", (json_int_t)o->sim.transient,
	        "steps", (json_int_t)o->sim.steps))) {
		json_decref(prov);
		prov = NULL;
	}
	/* with --gain the simulation runs the theory's times: no steps */
	if (prov && o->sim.units && o->gain) {
		json_object_del(prov, "transient");
		json_object_del(prov, "steps");
	}
	return prov;
}

static const struct option longopts[] = {
	{"gain", required_argument, NULL, 'g'},
	{"phi", required_argument, NULL, OPT_PHI},
	{"tau-max", required_argument, NULL, OPT_TAU_MAX},
	{"dtau", required_argument, NULL, OPT_DTAU},
	{"simulate", required_argument, NULL, OPT_SIMULATE},
	{"seeds", required_argument, NULL, OPT_SEEDS},
	{"seed", required_argument, NULL, 'S'},
	{"transient", required_argument, NULL, OPT_TRANSIENT},
	{"steps", required_argument, NULL, 'T'},
	{"integrator", required_argument, NULL, OPT_INTEGRATOR},
	DMFT_MULTI_LONGOPTS,
	DMFT_LOWRANK_LONGOPTS,
	{"params", required_argument, NULL, OPT_PARAMS},
	{"output", required_argument, NULL, 'o'},
	TOOL_COMMON_LONGOPTS,
	{NULL, 0, NULL, 0},
};

/* argv into *o (after defaults), each option parsed but not yet checked
   against the others. */
static void read_options(int argc, char **argv, options *o)
{
	*o = (options){.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	               .dmft = dk_dmft_options_default(),
	               .sim = dk_dmft_sim_options_default()};
	dmft_multi_init(&o->multi_opts);
	dmft_lowrank_init(&o->lowrank_opts);
	size_t units = 0;
	int c;
	optind = 0; /* a sweep reads an argv per row */
	while ((c = getopt_long(argc, argv, "g:o:S:T:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o->max_elements) ||
		    dmft_multi_option(&o->multi_opts, c, optarg) ||
		    dmft_lowrank_option(&o->lowrank_opts, c, optarg))
			continue;
		switch (c) {
		case 'g': o->gain = optarg; break;
		case OPT_PHI:
			if (!(o->dmft.phi = dk_dmft_phi_from_name(optarg)))
				tool_usage_error("--phi: %s, not '%s'", dk_dmft_phi_names(),
				                 optarg);
			o->phi_given = 1;
			break;
		case OPT_TAU_MAX:
			o->dmft.tau_max = tool_parse_positive("--tau-max", optarg);
			o->tau_given = 1;
			break;
		case OPT_DTAU:
			o->dmft.dtau = tool_parse_positive("--dtau", optarg);
			o->tau_given = 1;
			break;
		case OPT_SIMULATE:
			/* the range is the kind's: checked below */
			if (!(units = tool_parse_count("--simulate", optarg)))
				tool_usage_error("--simulate: at least 1 unit");
			break;
		case OPT_SEEDS:
			o->sim.networks = tool_parse_count("--seeds", optarg);
			if (o->sim.networks < 1 || o->sim.networks > DK_DMFT_MAX_NETWORKS)
				tool_usage_error("--seeds: from 1 to %d, not '%s'",
				                 DK_DMFT_MAX_NETWORKS, optarg);
			o->sim_given = 1;
			break;
		case 'S':
			o->multi_opts.mr.seed = o->sim.seed =
				(uint64_t)tool_parse_count("--seed", optarg);
			o->seed_given = 1;
			break;
		case OPT_TRANSIENT:
			o->sim.transient = tool_parse_count("--transient", optarg);
			o->sim_given = o->steps_given = 1;
			break;
		case 'T':
			if ((o->sim.steps = tool_parse_count("--steps", optarg)) == 0)
				tool_usage_error("--steps must be at least 1");
			o->sim_given = o->steps_given = 1;
			break;
		case OPT_INTEGRATOR:
			if (dk_dmft_integrator_from_name(optarg, &o->sim.integrator))
				tool_usage_error("--integrator: euler, heun or rk4, not '%s'",
				                 optarg);
			o->integrator_given = 1;
			break;
		case OPT_PARAMS: o->params = optarg; break;
		case 'o': o->output = optarg; break;
		}
	}
	if (optind >= argc)
		tool_usage_error("no KIND named (scs, map, multiregion or lowrank)");
	if (argc - optind > 1)
		tool_usage_error("one KIND at a time; '%s' is extra", argv[optind + 1]);
	if (!strcmp(argv[optind], "scs"))
		o->scs = 1;
	else if (!strcmp(argv[optind], "multiregion"))
		o->multi = 1;
	else if (!strcmp(argv[optind], "lowrank"))
		o->lowrank = 1;
	else if (strcmp(argv[optind], "map"))
		tool_usage_error("KIND: scs, map, multiregion or lowrank, not '%s'",
		                 argv[optind]);
	if (!o->lowrank && o->lowrank_opts.given)
		tool_usage_error("--rank, --mean, --cov, --mm, --mn, --mi, --sm, "
		                 "--sn, --si and --overlap are for lowrank");
	o->sim.units = units;
}

/* One solve of the options in argv into out (dmft_sweep.h); its exit
   status. */
static int solve(int argc, char **argv, dk_bundle *out, json_t **prov)
{
	options o;
	read_options(argc, argv, &o);
	if (o.lowrank) {
		if (o.integrator_given)
			tool_usage_error("--integrator is for scs --simulate");
		return dmft_lowrank_solve(&o.lowrank_opts, o.gain,
		                          o.phi_given ? o.dmft.phi : NULL, o.sim.units,
		                          &o.sim, o.sim_given || o.seed_given,
		                          o.multi_opts.given || o.tau_given, out, prov);
	}
	if (o.multi)
		check_multiregion(&o);
	else
		check_single(&o);
	int status = run(&o, out);
	if (prov)
		*prov = provenance(&o);
	dmft_multi_free(&o.multi_opts);
	return status;
}

int main(int argc, char **argv)
{
	tool_init_numeric("dk-dmft", argv);
	options o;
	read_options(argc, argv, &o);
	dk_bundle *out = dk_bundle_alloc();
	json_t *prov = NULL;
	int status = !out ? TOOL_EXIT_FAIL : o.params ?
		dmft_sweep(o.params, o.max_elements, longopts, argc, argv, solve,
		           out, &prov) :
		solve(argc, argv, out, &prov);
	status = tool_finish(status, o.output, out, prov);
	dk_bundle_free(out);
	dmft_multi_free(&o.multi_opts);
	dmft_lowrank_free(&o.lowrank_opts);
	return status;
}
