/*
 * solve.c -- every kind of dk-dmft as one call (solve.h): the kind's
 * solver, its simulation when asked, their records, and the messages
 * named by the kind.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dmft/solve.h"
#include "base/status.h"

static const char *const kind_names[DK_DMFT_NKIND] = {
	"scs", "map", "multiregion", "multiregion", "lowrank"};

const char *dk_dmft_kind_name(dk_dmft_kind kind)
{
	return (unsigned)kind < DK_DMFT_NKIND ? kind_names[kind] : NULL;
}

static int simulating(const dk_dmft_problem *p)
{
	return p->sim && p->sim->units > 0;
}

static int scs(const dk_dmft_problem *p, dk_bundle *out, int *records,
               char *err, size_t errlen)
{
	dk_dmft_scs_result r;
	int st = dk_dmft_scs_run(p->single, &r, err, errlen);
	*records = st ? DK_OK : dk_dmft_scs_to_bundle(&r, out);
	dk_dmft_scs_result_clear(&r);
	if (!st && !*records && simulating(p)) {
		dk_dmft_scs_sim_result s;
		st = dk_dmft_scs_simulate(p->single, p->sim, &s, err, errlen);
		*records = st ? DK_OK : dk_dmft_scs_sim_to_bundle(&s, out);
		dk_dmft_scs_sim_result_clear(&s);
	}
	return st;
}

static int map(const dk_dmft_problem *p, dk_bundle *out, int *records,
               char *err, size_t errlen)
{
	dk_dmft_map_result r;
	int st = dk_dmft_map_run(p->single, &r, err, errlen);
	*records = st ? DK_OK : dk_dmft_map_to_bundle(&r, out);
	if (!st && !*records && simulating(p)) {
		dk_dmft_sim_result s;
		st = dk_dmft_map_simulate(p->single, p->sim, &s, err, errlen);
		*records = st ? DK_OK : dk_dmft_sim_to_bundle(&s, out);
		dk_dmft_sim_result_clear(&s);
	}
	return st;
}

static int multi(const dk_dmft_problem *p, dk_bundle *out, int *records,
                 char *err, size_t errlen)
{
	dk_dmft_multi_result r;
	int st = dk_dmft_multi_run(p->multi, &r, err, errlen);
	*records = st ? DK_OK : dk_dmft_multi_to_bundle(&r, out);
	dk_dmft_multi_result_clear(&r);
	if (!st && !*records && simulating(p)) {
		dk_dmft_multi_sim_result s;
		st = dk_dmft_multi_simulate(p->multi, p->sim, &s, err, errlen);
		*records = st ? DK_OK : dk_dmft_multi_sim_to_bundle(&s, out);
		dk_dmft_multi_sim_result_clear(&s);
	}
	return st;
}

static int dyn(const dk_dmft_problem *p, dk_bundle *out, int *records,
               char *err, size_t errlen)
{
	dk_dmft_dyn_result r;
	int st = dk_dmft_dyn_run(p->dyn, &r, err, errlen);
	*records = st ? DK_OK : dk_dmft_dyn_to_bundle(&r, out);
	if (!st && !*records && simulating(p)) {
		dk_dmft_dyn_sim_result s;
		st = dk_dmft_dyn_simulate(p->dyn, p->sim, &s, err, errlen);
		*records = st ? DK_OK : dk_dmft_dyn_sim_to_bundle(&s, &r, out);
		dk_dmft_dyn_sim_result_clear(&s);
	}
	dk_dmft_dyn_result_clear(&r);
	return st;
}

static int lowrank(const dk_dmft_problem *p, dk_bundle *out, int *records,
                   char *err, size_t errlen)
{
	dk_dmft_lowrank_result *r = malloc(sizeof *r); /* large: not on the stack */
	if (!r)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	int st = dk_dmft_lowrank_solve(p->lowrank, r, err, errlen);
	*records = st ? DK_OK : dk_dmft_lowrank_to_bundle(r, out);
	if (!st && !*records && simulating(p)) {
		dk_dmft_lowrank_sim_result s;
		st = dk_dmft_lowrank_simulate(p->lowrank, p->sim, r, &s, err, errlen);
		*records = st ? DK_OK : dk_dmft_lowrank_sim_to_bundle(&s, out);
		dk_dmft_lowrank_sim_result_clear(&s);
	}
	free(r);
	return st;
}

int dk_dmft_solve_to_bundle(const dk_dmft_problem *p, dk_bundle *out,
                            char *err, size_t errlen)
{
	static int (*const solve[DK_DMFT_NKIND])(const dk_dmft_problem *, dk_bundle *,
	                                         int *, char *, size_t) = {
		scs, map, multi, dyn, lowrank};
	const char *kind = dk_dmft_kind_name(p->kind);
	if (!kind)
		return dk_errorf(DK_EINVAL, err, errlen, "unknown kind %d", (int)p->kind);
	const void *opts[DK_DMFT_NKIND] = {p->single, p->single, p->multi, p->dyn,
	                                   p->lowrank};
	if (!opts[p->kind])
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no options", kind);
	char msg[256];
	int records = DK_OK;
	int st = solve[p->kind](p, out, &records, msg, sizeof msg);
	if (st) {
		/* a model's own messages already begin with its kind */
		size_t k = strlen(kind);
		if (!strncmp(msg, kind, k) && msg[k] == ':')
			snprintf(err, errlen, "%s", msg);
		else
			snprintf(err, errlen, "%s: %s", kind, msg);
		return st;
	}
	if (records)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	return DK_OK;
}
