/*
 * dmft_cli.h -- dk-dmft's command line: its options read into one
 * struct (each parsed, not yet checked against the others), checked
 * against each other for the kind named, turned into the library's
 * problem (lib/analysis/dmft/solve.h), and the provenance of a run.
 * A sweep (dmft_sweep.c) reads and checks each row's command line
 * through the same functions.
 */
#ifndef DK_DMFT_CLI_H
#define DK_DMFT_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "dmft_lowrank_options.h"
#include "dmft_options.h"
#include "tool.h"

#include "analysis/dmft/solve.h"

enum { OPT_PHI = TOOL_OPT_FIRST_FREE, OPT_TAU_MAX, OPT_DTAU, OPT_SIMULATE,
       OPT_SEEDS, OPT_TRANSIENT, OPT_PARAMS, OPT_INTEGRATOR };

typedef struct dmft_cli {
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
} dmft_cli;

/* getopt's table of every option dk-dmft takes (a sweep's names too). */
extern const struct option dmft_cli_longopts[];

/* argv into *o (after defaults); usage is --help's. */
void dmft_cli_read(int argc, char **argv, void (*usage)(void), dmft_cli *o);

/* o's options checked against each other for its kind (exits 2 naming
   them otherwise) and turned into the library's problem, which points
   into o. */
void dmft_cli_check(dmft_cli *o, dk_dmft_problem *p);

/* The options as run, for the provenance; NULL when out of memory. */
json_t *dmft_cli_json(const dmft_cli *o);

/* What reading o allocated. */
void dmft_cli_free(dmft_cli *o);

#endif
