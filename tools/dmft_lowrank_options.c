/*
 * dmft_lowrank_options.c -- dk-dmft lowrank's options and its run
 * (dmft_lowrank_options.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "dmft_lowrank_options.h"

void dmft_lowrank_init(dmft_lowrank *l)
{
	*l = (dmft_lowrank){.lr = dk_dmft_lowrank_options_default()};
	l->sd[0] = sqrt(l->lr.cov[0][0]);
	l->sd[1] = sqrt(l->lr.cov[1][1]);
	l->sd[2] = sqrt(l->lr.cov[2][2]);
}

static void parse_list(const char *opt, const char *arg, double **list,
                       size_t *count)
{
	free(*list);
	*list = tool_parse_numbers(opt, arg, count);
}

int dmft_lowrank_option(dmft_lowrank *l, int c, const char *arg)
{
	double big = DK_DMFT_LOWRANK_MAX_MEAN;
	switch (c) {
	case DMFT_OPT_RANK:
		l->lr.rank = tool_parse_count("--rank", arg);
		if (l->lr.rank < 1 || l->lr.rank > DK_DMFT_LOWRANK_MAX_RANK)
			tool_usage_error("--rank: 1 or 2, not '%s'", arg);
		break;
	case DMFT_OPT_MEAN: parse_list("--mean", arg, &l->mean, &l->nmean); break;
	case DMFT_OPT_COV: parse_list("--cov", arg, &l->cov, &l->ncov); break;
	case DMFT_OPT_MM: l->lr.mean[0] = tool_parse_real("--mm", arg, -big, big); break;
	case DMFT_OPT_MN: l->lr.mean[1] = tool_parse_real("--mn", arg, -big, big); break;
	case DMFT_OPT_MI: l->lr.mean[2] = tool_parse_real("--mi", arg, -big, big); break;
	case DMFT_OPT_SM: l->sd[0] = tool_parse_real("--sm", arg, 0, sqrt(big)); break;
	case DMFT_OPT_SN: l->sd[1] = tool_parse_real("--sn", arg, 0, sqrt(big)); break;
	case DMFT_OPT_SI: l->sd[2] = tool_parse_real("--si", arg, 0, sqrt(big)); break;
	case DMFT_OPT_OVERLAP:
		l->overlap = tool_parse_real("--overlap", arg, -big, big);
		break;
	default:
		return 0;
	}
	if (c != DMFT_OPT_RANK && c != DMFT_OPT_MEAN && c != DMFT_OPT_COV)
		l->short_given = 1;
	l->given = 1;
	return 1;
}

/* Check and fill l->lr (gain: --gain's text or NULL; phi: NULL for the
   default); exits 2 naming the options otherwise. */
static void dmft_lowrank_finish(dmft_lowrank *l, const char *gain,
                                const dk_dmft_phi *phi)
{
	dk_dmft_lowrank_options *o = &l->lr;
	size_t R = o->rank, dim = 2 * R + 1;
	if (gain)
		o->gain = tool_parse_real("--gain", gain, 0, DK_DMFT_MAX_GAIN);
	if (phi)
		o->phi = phi;
	if (l->short_given && (R != 1 || l->mean || l->cov))
		tool_usage_error("--mm, --mn, --mi, --sm, --sn, --si and --overlap "
		                 "are for rank one without --mean and --cov");
	if (R == 1 && !l->mean && !l->cov) {
		/* the rank-one shorthand (or its defaults): no input overlaps */
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				o->cov[i][j] = i == j ? l->sd[i] * l->sd[i] : 0;
		o->cov[0][1] = o->cov[1][0] = l->overlap;
	} else {
		if (!l->mean || !l->cov)
			tool_usage_error("rank %zu needs --mean and --cov", R);
		if (l->nmean != dim)
			tool_usage_error("--mean: 2R + 1 = %zu values, not %zu", dim,
			                 l->nmean);
		if (l->ncov != dim * (dim + 1) / 2)
			tool_usage_error("--cov: the lower triangle, (R + 1)(2R + 1) = "
			                 "%zu values, not %zu", dim * (dim + 1) / 2,
			                 l->ncov);
		for (size_t i = 0, k = 0; i < dim; i++) {
			o->mean[i] = l->mean[i];
			for (size_t j = 0; j <= i; j++, k++)
				o->cov[i][j] = o->cov[j][i] = l->cov[k];
		}
	}
	char err[256];
	if (dk_dmft_lowrank_options_check(o, err, sizeof err))
		tool_usage_error("--mean / --cov / --overlap: %s", err);
}

void dmft_lowrank_check(dmft_lowrank *l, const char *gain, const dk_dmft_phi *phi,
                        size_t units, dk_dmft_sim_options *sim, int sim_given,
                        int foreign)
{
	if (foreign)
		tool_usage_error("--a, --b, --signs, --starts, --dt, --t-max, --band, "
		                 "--delta-init, --start, --tau-max and --dtau are not "
		                 "for lowrank");
	if (sim_given && !units)
		tool_usage_error("--seeds, --seed, --transient and --steps are for "
		                 "--simulate");
	if (units && (units < 2 || units > DK_DMFT_MAX_UNITS))
		tool_usage_error("--simulate: from 2 to %d units, not %zu",
		                 DK_DMFT_MAX_UNITS, units);
	sim->units = units;
	char err[256];
	if (units && dk_dmft_sim_options_check(sim, err, sizeof err))
		tool_usage_error("--simulate: %s", err);
	dmft_lowrank_finish(l, gain, phi);
}

json_t *dmft_lowrank_json(const dmft_lowrank *l, const dk_dmft_sim_options *sim)
{
	const dk_dmft_lowrank_options *o = &l->lr;
	size_t dim = 2 * o->rank + 1;
	double cov[DK_DMFT_LOWRANK_MAX_DIM * DK_DMFT_LOWRANK_MAX_DIM];
	for (size_t i = 0; i < dim; i++)
		for (size_t j = 0; j < dim; j++)
			cov[i * dim + j] = o->cov[i][j];
	return json_pack("{s:s, s:I, s:f, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:I}",
	        "kind", "lowrank",
	        "rank", (json_int_t)o->rank, "gain", o->gain, "phi", o->phi->name,
	        "mean", dk_meta_reals(o->mean, dim),
	        "cov", dk_meta_reals(cov, dim * dim),
	        "simulate", (json_int_t)sim->units, "seeds", (json_int_t)sim->networks,
	        "seed", (json_int_t)sim->seed, "transient", (json_int_t)sim->transient,
	        "steps", (json_int_t)sim->steps);
}

void dmft_lowrank_free(dmft_lowrank *l)
{
	free(l->mean);
	free(l->cov);
	l->mean = l->cov = NULL;
}
