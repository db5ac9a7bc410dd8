/*
 * dmft_options.c -- dk-dmft's multiregion options, and the provenance
 * of scs and map (dmft_options.h).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "dmft_options.h"

void dmft_multi_init(dmft_multi *m)
{
	*m = (dmft_multi){.mr = dk_dmft_multi_options_default(),
	                  .dyn = dk_dmft_dyn_options_default()};
}

/* Replace *list by the values of arg. */
static void parse_list(const char *opt, const char *arg, double **list,
                       size_t *count)
{
	free(*list);
	*list = tool_parse_numbers(opt, arg, count);
}

int dmft_multi_option(dmft_multi *m, int c, const char *arg)
{
	switch (c) {
	case DMFT_OPT_A: parse_list("--a", arg, &m->a, &m->na); break;
	case DMFT_OPT_B: parse_list("--b", arg, &m->b, &m->nb); break;
	case DMFT_OPT_SIGNS:
		parse_list("--signs", arg, &m->signs, &m->nsigns);
		break;
	case DMFT_OPT_STARTS:
		m->mr.starts = tool_parse_count("--starts", arg);
		if (m->mr.starts < 1 || m->mr.starts > DK_DMFT_MAX_STARTS)
			tool_usage_error("--starts: from 1 to %d, not '%s'",
			                 DK_DMFT_MAX_STARTS, arg);
		break;
	case DMFT_OPT_DT:
		m->dyn.dt = tool_parse_real("--dt", arg, 0, DK_DMFT_MAX_DT);
		if (m->dyn.dt == 0)
			tool_usage_error("--dt must be above 0");
		m->dyn_given = 1;
		break;
	case DMFT_OPT_T_MAX:
		m->dyn.t_max = tool_parse_positive("--t-max", arg);
		m->dyn_given = 1;
		break;
	case DMFT_OPT_BAND:
		m->dyn.band = tool_parse_real("--band", arg, 0, INFINITY);
		m->dyn_given = 1;
		break;
	case DMFT_OPT_DELTA_INIT:
		m->dyn.delta_init = tool_parse_real("--delta-init", arg, 0,
		                                    DK_DMFT_MAX_DELTA_INIT);
		m->dyn_given = 1;
		break;
	case DMFT_OPT_START:
		parse_list("--start", arg, &m->start, &m->nstart);
		m->dyn_given = 1;
		break;
	default:
		return 0;
	}
	m->given = 1;
	return 1;
}

void dmft_multi_gain(dmft_multi *m, const char *arg)
{
	parse_list("--gain", arg, &m->gain, &m->ngain);
}

void dmft_multi_finish(dmft_multi *m)
{
	if (!m->a || !m->b)
		tool_usage_error("multiregion needs --a and --b");
	if (m->na != m->nb || (m->signs && m->nsigns != m->na))
		tool_usage_error("--a, --b and --signs: one value per region each, "
		                 "not %zu, %zu and %zu", m->na, m->nb,
		                 m->signs ? m->nsigns : m->na);
	if (!m->signs) {
		if (!(m->signs = malloc(m->na * sizeof *m->signs))) {
			tool_warn(NULL, "out of memory");
			exit(TOOL_EXIT_FAIL);
		}
		for (size_t i = 0; i < m->na; i++)
			m->signs[i] = 1;
		m->nsigns = m->na;
	}
	m->mr.regions = m->na;
	m->mr.a = m->a;
	m->mr.b = m->b;
	m->mr.signs = m->signs;
	char err[256];
	if (dk_dmft_multi_options_check(&m->mr, err, sizeof err))
		tool_usage_error("--a / --b / --signs: %s", err);
	if (!m->gain) {
		if (m->dyn_given)
			tool_usage_error("--dt, --t-max, --band, --delta-init and "
			                 "--start are for multiregion --gain");
		return;
	}
	if (m->ngain != m->na)
		tool_usage_error("--gain: one value per region, not %zu for %zu",
		                 m->ngain, m->na);
	if (m->start && m->nstart != m->na * m->na)
		tool_usage_error("--start: P^2 = %zu values, not %zu", m->na * m->na,
		                 m->nstart);
	m->dyn.model = m->mr;
	m->dyn.gain = m->gain;
	m->dyn.S0 = m->start;
	if (dk_dmft_dyn_options_check(&m->dyn, err, sizeof err))
		tool_usage_error("--gain / --dt / --t-max / --band / --start: %s", err);
}

static json_t *list(const double *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

json_t *dmft_multi_json(const dmft_multi *m)
{
	if (m->gain)
		return json_pack("{s:s, s:o, s:o, s:o, s:o, s:f, s:f, s:f, s:f, s:I}",
		                 "kind", "multiregion", "a", list(m->a, m->na),
		                 "b", list(m->b, m->nb),
		                 "signs", list(m->signs, m->nsigns),
		                 "gain", list(m->gain, m->ngain), "dt", m->dyn.dt,
		                 "t_max", m->dyn.t_max, "band", m->dyn.band,
		                 "delta_init", m->dyn.delta_init,
		                 "seed", (json_int_t)m->mr.seed);
	return json_pack("{s:s, s:o, s:o, s:o, s:I, s:I}", "kind", "multiregion",
	                 "a", list(m->a, m->na), "b", list(m->b, m->nb),
	                 "signs", list(m->signs, m->nsigns),
	                 "starts", (json_int_t)m->mr.starts,
	                 "seed", (json_int_t)m->mr.seed);
}

json_t *dmft_single_json(int scs, const dk_dmft_options *o,
                         const dk_dmft_sim_options *sim)
{
	json_t *j = json_pack("{s:s, s:f, s:s, s:I, s:I, s:I, s:I, s:I}",
	                      "kind", scs ? "scs" : "map", "gain", o->gain,
	                      "phi", o->phi->name,
	                      "simulate", (json_int_t)sim->units,
	                      "seeds", (json_int_t)sim->networks,
	                      "seed", (json_int_t)sim->seed,
	                      "transient", (json_int_t)sim->transient,
	                      "steps", (json_int_t)sim->steps);
	if (j && scs && json_object_update_new(j, json_pack("{s:f, s:f}",
	        "tau_max", o->tau_max, "dtau", o->dtau))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

void dmft_multi_free(dmft_multi *m)
{
	free(m->a);
	free(m->b);
	free(m->signs);
	free(m->gain);
	free(m->start);
	*m = (dmft_multi){0};
}
