/*
 * solve.h -- every kind of dk-dmft as one call: the theory of the kind
 * asked for and, when sim->units > 0, its networks simulated at that
 * size, both as records into a bundle.
 *
 * The kinds and the calls they make: scs (dk_dmft_scs_run, then
 * dk_dmft_scs_simulate), map (dk_dmft_map_run, dk_dmft_map_simulate),
 * multiregion without disorder (dk_dmft_multi_run, dk_dmft_multi_simulate),
 * with disorder (dk_dmft_dyn_run, dk_dmft_dyn_simulate) and lowrank
 * (dk_dmft_lowrank_solve, dk_dmft_lowrank_simulate); each result goes
 * through its *_to_bundle and is cleared.
 */
#ifndef DK_ANALYSIS_DMFT_SOLVE_H
#define DK_ANALYSIS_DMFT_SOLVE_H

#include <stddef.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/lowrank.h"
#include "analysis/dmft/multiregion.h"
#include "analysis/dmft/multiregion_dynamic.h"
#include "stream/bundle.h"

typedef enum {
	DK_DMFT_KIND_SCS,
	DK_DMFT_KIND_MAP,
	DK_DMFT_KIND_MULTIREGION,     /* without disorder */
	DK_DMFT_KIND_MULTIREGION_DYN, /* with disorder: the two-time theory */
	DK_DMFT_KIND_LOWRANK,
	DK_DMFT_NKIND
} dk_dmft_kind;

/* What to solve: the kind, and the options of that kind (the others may
   be NULL); sim NULL or units 0 for no simulation. */
typedef struct {
	dk_dmft_kind kind;
	const dk_dmft_options *single;         /* scs, map */
	const dk_dmft_multi_options *multi;    /* multiregion */
	const dk_dmft_dyn_options *dyn;        /* multiregion with disorder */
	const dk_dmft_lowrank_options *lowrank;
	const dk_dmft_sim_options *sim;
} dk_dmft_problem;

/* "scs", "map", "multiregion" (both) or "lowrank"; NULL out of range. */
const char *dk_dmft_kind_name(dk_dmft_kind kind);

/*
 * Solve p, simulate when asked, and add the records to out.  The
 * solvers' and simulations' statuses, with a message in err that begins
 * with the kind's name; DK_ENOMEM ("out of memory") when a record could
 * not be added; DK_EINVAL for a problem without the options of its kind.
 */
int dk_dmft_solve_to_bundle(const dk_dmft_problem *p, dk_bundle *out,
                            char *err, size_t errlen);

#endif
