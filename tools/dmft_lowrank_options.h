/*
 * dmft_lowrank_options.h -- dk-dmft lowrank's options: the rank, the
 * loadings' means and covariance (rank one by --mm, --mn, --mi, --sm,
 * --sn, --si, --overlap; any rank by --mean and --cov), gathered while
 * getopt runs, checked, and turned into the library's
 * dk_dmft_lowrank_options (lib/analysis/dmft/lowrank.h); and their
 * provenance.
 */
#ifndef DK_DMFT_LOWRANK_OPTIONS_H
#define DK_DMFT_LOWRANK_OPTIONS_H

#include <stddef.h>

#include "tool.h"

#include "analysis/dmft/lowrank.h"

enum { DMFT_OPT_RANK = 0x500, DMFT_OPT_MEAN, DMFT_OPT_COV, DMFT_OPT_MM,
       DMFT_OPT_MN, DMFT_OPT_MI, DMFT_OPT_SM, DMFT_OPT_SN, DMFT_OPT_SI,
       DMFT_OPT_OVERLAP };

#define DMFT_LOWRANK_LONGOPTS \
	{"rank", required_argument, NULL, DMFT_OPT_RANK}, \
	{"mean", required_argument, NULL, DMFT_OPT_MEAN}, \
	{"cov", required_argument, NULL, DMFT_OPT_COV}, \
	{"mm", required_argument, NULL, DMFT_OPT_MM}, \
	{"mn", required_argument, NULL, DMFT_OPT_MN}, \
	{"mi", required_argument, NULL, DMFT_OPT_MI}, \
	{"sm", required_argument, NULL, DMFT_OPT_SM}, \
	{"sn", required_argument, NULL, DMFT_OPT_SN}, \
	{"si", required_argument, NULL, DMFT_OPT_SI}, \
	{"overlap", required_argument, NULL, DMFT_OPT_OVERLAP}

#define DMFT_LOWRANK_HELP \
	"  -g, --gain G          lowrank: the disorder g, 0 to 10 (default 0.5)\n" \
	"      --rank R          lowrank: 1 or 2 (default 1)\n" \
	"      --mm, --mn, --mi M  lowrank, rank one: the means of m, n, I\n" \
	"                        (default 1, 2, 0)\n" \
	"      --sm, --sn, --si S  lowrank, rank one: their standard deviations\n" \
	"                        (default 1, 1, 0)\n" \
	"      --overlap C       lowrank, rank one: Cov(n, m) (default 0)\n" \
	"      --mean M1,..      lowrank: the 2R + 1 means of m^1..m^R,\n" \
	"                        n^1..n^R, I\n" \
	"      --cov C11,C21,C22,.. lowrank: their covariance's lower triangle\n" \
	"                        row by row, (R + 1)(2R + 1) values, positive\n" \
	"                        semidefinite\n"

#define DMFT_LOWRANK_KIND_HELP \
	"or of dx/dt = -x + (g chi + sum_r m^r n^r^T / N) phi(x) + I, rank R:\n" \
	"  lowrank  every mean-field branch: kappa, mu, Delta0, Delta_inf,\n" \
	"        the bulk radius, the outliers and the state; writes\n" \
	"        dmft/kappa, dmft/mu, dmft/delta0, dmft/delta_inf,\n" \
	"        dmft/bulk_radius, dmft/outliers, dmft/state; --simulate:\n" \
	"        sim/kappa, sim/mu, sim/delta0, sim/delta_inf, sim/branch\n"

typedef struct {
	dk_dmft_lowrank_options lr;
	double *mean, *cov;        /* --mean, --cov as parsed (owned) */
	size_t nmean, ncov;
	int short_given;           /* --mm .. --overlap */
	int given;                 /* any of them */
	double sd[3];              /* --sm, --sn, --si */
	double overlap;
} dmft_lowrank;

void dmft_lowrank_init(dmft_lowrank *l);
/* Take getopt's c if it is one of the options above; 0 when not. */
int dmft_lowrank_option(dmft_lowrank *l, int c, const char *arg);
/* What getopt's --mean and --cov took (l stays usable, empty). */
void dmft_lowrank_free(dmft_lowrank *l);

/* dk-dmft lowrank after getopt: the options checked against each other
   (sim_given: a simulation option was given; foreign: another kind's;
   exits 2 naming them otherwise), sim->units set, and l->lr filled. */
void dmft_lowrank_check(dmft_lowrank *l, const char *gain, const dk_dmft_phi *phi,
                        size_t units, dk_dmft_sim_options *sim, int sim_given,
                        int foreign);

/* The options as run, for the provenance; NULL when out of memory. */
json_t *dmft_lowrank_json(const dmft_lowrank *l, const dk_dmft_sim_options *sim);

#endif
