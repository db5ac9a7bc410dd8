/*
 * dmft_options.h -- dk-dmft's multiregion options: the lists --a, --b
 * and --signs, one value per region, and --starts; with disorder, the
 * list --gain and the time grid --dt, --t-max, --band, --delta-init;
 * gathered while getopt runs, then checked against each other and
 * turned into the library's dk_dmft_multi_options
 * (lib/analysis/dmft/multiregion.h) or dk_dmft_dyn_options
 * (multiregion_dynamic.h); and the provenance of scs and map.
 */
#ifndef DK_DMFT_OPTIONS_H
#define DK_DMFT_OPTIONS_H

#include <stddef.h>

#include "tool.h"

#include "analysis/dmft/multiregion_dynamic.h"

enum { DMFT_OPT_A = 0x400, DMFT_OPT_B, DMFT_OPT_SIGNS, DMFT_OPT_STARTS,
       DMFT_OPT_DT, DMFT_OPT_T_MAX, DMFT_OPT_BAND, DMFT_OPT_DELTA_INIT,
       DMFT_OPT_START };

#define DMFT_MULTI_LONGOPTS \
	{"a", required_argument, NULL, DMFT_OPT_A}, \
	{"b", required_argument, NULL, DMFT_OPT_B}, \
	{"signs", required_argument, NULL, DMFT_OPT_SIGNS}, \
	{"starts", required_argument, NULL, DMFT_OPT_STARTS}, \
	{"dt", required_argument, NULL, DMFT_OPT_DT}, \
	{"t-max", required_argument, NULL, DMFT_OPT_T_MAX}, \
	{"band", required_argument, NULL, DMFT_OPT_BAND}, \
	{"delta-init", required_argument, NULL, DMFT_OPT_DELTA_INIT}, \
	{"start", required_argument, NULL, DMFT_OPT_START}

#define DMFT_MULTI_HELP \
	"      --a A1,A2,..      multiregion: c^{mu mu} = a_mu, one per region\n" \
	"      --b B1,B2,..      multiregion: c^{mu nu} = signs_mu signs_nu\n" \
	"                        sqrt(b_mu b_nu), each b at least 0\n" \
	"      --signs S1,S2,..  multiregion: each 1 or -1 (default all 1)\n" \
	"      --starts K        multiregion: random starts, 1 to 10000\n" \
	"                        (default 20); --seed S seeds them (default 1)\n" \
	"  -g, --gain G1,G2,..   multiregion: disorder g_mu in each region (0 to\n" \
	"                        10): the nonstationary theory from one start\n" \
	"                        (seeded by --seed); writes dmft/S_t,\n" \
	"                        dmft/delta_t, dmft/delta_lag\n" \
	"      --dt D            multiregion --gain: the Euler step, above 0 and\n" \
	"                        at most 0.5 (default 0.05)\n" \
	"      --t-max T         multiregion --gain: the last time (default 100)\n" \
	"      --band L          multiregion --gain: the lags kept (default 0:\n" \
	"                        all)\n" \
	"      --delta-init D    multiregion --gain: the chaotic part's variance\n" \
	"                        at t = 0, 0 to 1000 (default 1)\n" \
	"      --start S11,S12,.. multiregion --gain: S(0), P^2 values row by\n" \
	"                        row, each within +-1000 (default: uniform in\n" \
	"                        [-3, 3] from --seed)\n"

typedef struct {
	double *a, *b, *signs;     /* as parsed (owned) */
	size_t na, nb, nsigns;
	double *gain;              /* --gain, as parsed (owned), or NULL */
	size_t ngain;
	double *start;             /* --start, as parsed (owned), or NULL */
	size_t nstart;
	int given;                 /* any of the four was given */
	int dyn_given;             /* --dt, --t-max, --band, --delta-init or
	                              --start */
	dk_dmft_multi_options mr;  /* its arrays are a, b and signs */
	dk_dmft_dyn_options dyn;   /* with --gain: model mr, gain */
} dmft_multi;

/* Defaults into m. */
void dmft_multi_init(dmft_multi *m);
/* Take getopt's c if it is one of the options above but --gain; returns
   0 when it is not.  Exits 2 for a malformed value. */
int dmft_multi_option(dmft_multi *m, int c, const char *arg);
/* --gain's list (the tool keeps the text until it knows the kind). */
void dmft_multi_gain(dmft_multi *m, const char *arg);
/* Check the lists agree (signs default to all 1) and the options are in
   range, and fill m->mr (and m->dyn with --gain); exits 2 naming the
   options otherwise. */
void dmft_multi_finish(dmft_multi *m);
/* The options as given, for the provenance. */
json_t *dmft_multi_json(const dmft_multi *m);
/* scs's or map's options as given, with the simulation's, for the
   provenance. */
json_t *dmft_single_json(int scs, const dk_dmft_options *o,
                         const dk_dmft_sim_options *sim);
void dmft_multi_free(dmft_multi *m);

#endif
