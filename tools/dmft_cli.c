/*
 * dmft_cli.c -- dk-dmft's command line (dmft_cli.h): the options read,
 * checked against each other for the kind named, the library's problem
 * made of them, and their provenance.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmft_cli.h"

/* multiregion's options checked against each other. */
static void check_multiregion(dmft_cli *o)
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
static void check_single(dmft_cli *o)
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
static json_t *provenance(const dmft_cli *o)
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

const struct option dmft_cli_longopts[] = {
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
void dmft_cli_read(int argc, char **argv, void (*usage)(void), dmft_cli *o)
{
	*o = (dmft_cli){.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	               .dmft = dk_dmft_options_default(),
	               .sim = dk_dmft_sim_options_default()};
	dmft_multi_init(&o->multi_opts);
	dmft_lowrank_init(&o->lowrank_opts);
	size_t units = 0;
	int c;
	optind = 0; /* a sweep reads an argv per row */
	while ((c = getopt_long(argc, argv, "g:o:S:T:h", dmft_cli_longopts, NULL)) != -1) {
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

void dmft_cli_check(dmft_cli *o, dk_dmft_problem *p)
{
	*p = (dk_dmft_problem){.sim = &o->sim};
	if (o->lowrank) {
		if (o->integrator_given)
			tool_usage_error("--integrator is for scs --simulate");
		dmft_lowrank_check(&o->lowrank_opts, o->gain,
		                   o->phi_given ? o->dmft.phi : NULL, o->sim.units,
		                   &o->sim, o->sim_given || o->seed_given,
		                   o->multi_opts.given || o->tau_given);
		p->kind = DK_DMFT_KIND_LOWRANK;
		p->lowrank = &o->lowrank_opts.lr;
	} else if (o->multi) {
		check_multiregion(o);
		p->kind = o->multi_opts.gain ? DK_DMFT_KIND_MULTIREGION_DYN
		                             : DK_DMFT_KIND_MULTIREGION;
		p->multi = &o->multi_opts.mr;
		p->dyn = &o->multi_opts.dyn;
	} else {
		check_single(o);
		p->kind = o->scs ? DK_DMFT_KIND_SCS : DK_DMFT_KIND_MAP;
		p->single = &o->dmft;
	}
}

json_t *dmft_cli_json(const dmft_cli *o)
{
	return o->lowrank ? dmft_lowrank_json(&o->lowrank_opts, &o->sim) : provenance(o);
}

void dmft_cli_free(dmft_cli *o)
{
	dmft_multi_free(&o->multi_opts);
	dmft_lowrank_free(&o->lowrank_opts);
}
