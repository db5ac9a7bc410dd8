/*
 * dmft_options.h -- dk-dmft's multiregion options: the lists --a, --b
 * and --signs, one value per region, and --starts; gathered while
 * getopt runs, then checked against each other and turned into the
 * library's dk_dmft_multi_options (lib/analysis/dmft/multiregion.h).
 */
#ifndef DK_DMFT_OPTIONS_H
#define DK_DMFT_OPTIONS_H

#include <stddef.h>

#include "tool.h"

enum { DMFT_OPT_A = 0x400, DMFT_OPT_B, DMFT_OPT_SIGNS, DMFT_OPT_STARTS };

#define DMFT_MULTI_LONGOPTS \
	{"a", required_argument, NULL, DMFT_OPT_A}, \
	{"b", required_argument, NULL, DMFT_OPT_B}, \
	{"signs", required_argument, NULL, DMFT_OPT_SIGNS}, \
	{"starts", required_argument, NULL, DMFT_OPT_STARTS}

#define DMFT_MULTI_HELP \
	"      --a A1,A2,..      multiregion: c^{mu mu} = a_mu, one per region\n" \
	"      --b B1,B2,..      multiregion: c^{mu nu} = signs_mu signs_nu\n" \
	"                        sqrt(b_mu b_nu), each b at least 0\n" \
	"      --signs S1,S2,..  multiregion: each 1 or -1 (default all 1)\n" \
	"      --starts K        multiregion: random starts, 1 to 10000\n" \
	"                        (default 20); --seed S seeds them (default 1)\n"

typedef struct {
	double *a, *b, *signs;     /* as parsed (owned) */
	size_t na, nb, nsigns;
	int given;                 /* any of the four was given */
	dk_dmft_multi_options mr;  /* its arrays are a, b and signs */
} dmft_multi;

/* Defaults into m. */
void dmft_multi_init(dmft_multi *m);
/* Take getopt's c if it is one of the four; returns 0 when it is not.
   Exits 2 for a malformed value. */
int dmft_multi_option(dmft_multi *m, int c, const char *arg);
/* Check the lists agree (signs default to all 1) and the options are in
   range, and fill m->mr; exits 2 naming the options otherwise. */
void dmft_multi_finish(dmft_multi *m);
/* The options as given, for the provenance. */
json_t *dmft_multi_json(const dmft_multi *m);
void dmft_multi_free(dmft_multi *m);

#endif
