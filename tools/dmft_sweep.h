/*
 * dmft_sweep.h -- dk-dmft --params FILE: one solve per row of a
 * parameter stream, each row's values given to the solve as options
 * after the command line's (so they override it), the records of the
 * rows stacked along a leading axis "row" (lib/stream/sweep.h) with the
 * parameters echoed as sweep/NAME records.  A tensor is named after the
 * long option it sets (gain, tau-max, a, ...): every option with a
 * value but the tool's own (output, max-elements, params) and those
 * whose value is a name (phi, integrator) can be swept, for every kind, without code for
 * it here.
 */
#ifndef DK_DMFT_SWEEP_H
#define DK_DMFT_SWEEP_H

#include <getopt.h>

#include "tool.h"

/* One solve of the options of argv into out, and (when prov is not
   NULL) their provenance; returns an exit status.  Bad options exit. */
typedef int (*dmft_sweep_solve)(int argc, char **argv, dk_bundle *out,
                                json_t **prov);

/*
 * The sweep of the parameter stream at path over the command line argv
 * (whose options are those of longopts): the stacked records into out,
 * the provenance of row 0's options and {"sweep": {"rows", "params"}}
 * into *prov.  A bad parameter stream, an option value out of range in a
 * row, or a row whose solve fails (named) give exit status 1.
 */
int dmft_sweep(const char *path, size_t max_elements,
               const struct option *longopts, int argc, char **argv,
               dmft_sweep_solve solve, dk_bundle *out, json_t **prov);

#endif
