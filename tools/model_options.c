/*
 * model_options.c -- parsing the options that make a new model, shared
 * by dk-init and dk-train, and making the model from them.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_options.h"

void model_options_init(model_options *m)
{
	memset(m, 0, sizeof *m);
	m->spec = (dk_model_spec){.units = 64, .inputs = 1, .outputs = 1, .act = DK_ACT_DEFAULT,
	                          .init = NULL, .gain = 1, .seed = 1};
}


/* --a, --b, --signs: up to MODEL_MAX_COUPLINGS numbers into v. */
static void parse_couplings(const char *opt, const char *arg, double *v, size_t *count)
{
	double *list = tool_parse_numbers(opt, arg, count);
	if (*count > MODEL_MAX_COUPLINGS) {
		free(list);
		tool_usage_error("%s: at most %d values, one per region", opt,
		                 MODEL_MAX_COUPLINGS);
	}
	memcpy(v, list, *count * sizeof *v);
	free(list);
}

int model_option(model_options *m, int c, const char *arg)
{
	dk_model_spec *s = &m->spec;
	switch (c) {
	case 'c':
		s->channels = tool_parse_nonzero_count("--channels", arg);
		break;
	case 'n': s->units = tool_parse_count("--units", arg); break;
	case 'i': s->inputs = tool_parse_count("--inputs", arg); break;
	case 'O': s->outputs = tool_parse_count("--outputs", arg); break;
	case 'a':
		if (dk_act_from_name(arg, &s->act))
			tool_usage_error("--act/--phi: unknown nonlinearity '%s' (tanh, relu, erf, identity)", arg);
		break;
	case 'I': s->init = arg; break;
	case 'g':
		/* one gain, or (multiregion) a list, one per region */
		if (strchr(arg, ',')) {
			parse_couplings("--gain", arg, m->gains, &m->ngains);
		} else {
			m->gains[0] = tool_parse_real("--gain", arg, -INFINITY, INFINITY);
			m->ngains = 1;
		}
		s->gain = m->gains[0];
		break;
	case 'S': s->seed = tool_parse_count("the seed", arg); break;
	case MODEL_OPT_DT: s->dt = tool_parse_positive("--dt", arg); break;
	case MODEL_OPT_TAU: s->tau = tool_parse_positive("--tau", arg); break;
	case MODEL_OPT_INTEGRATOR:
		if (strcmp(arg, "euler") && strcmp(arg, "rk4"))
			tool_usage_error("--integrator: unknown integrator '%s' (euler, rk4)", arg);
		s->integrator = arg;
		break;
	case MODEL_OPT_RANK: s->rank = tool_parse_count("--rank", arg); break;
	case MODEL_OPT_SHEET: {
		size_t hw[2];
		tool_parse_sheet("--sheet", arg, 1, hw);
		s->height = hw[0], s->width = hw[1];
		break;
	}
	case MODEL_OPT_VELOCITIES:
		s->velocities = tool_parse_nonzero_count("--velocities", arg);
		break;
	case MODEL_OPT_HIDDEN:
		s->hidden = tool_parse_nonzero_count("--hidden", arg);
		break;
	case MODEL_OPT_LAYERS:
		s->layers = tool_parse_nonzero_count("--layers", arg);
		break;
	case MODEL_OPT_REGIONS:
		s->regions = tool_parse_nonzero_count("--regions", arg);
		break;
	case MODEL_OPT_A: parse_couplings("--a", arg, m->a, &m->na); break;
	case MODEL_OPT_B: parse_couplings("--b", arg, m->b, &m->nb); break;
	case MODEL_OPT_SIGNS: parse_couplings("--signs", arg, m->signs, &m->nsigns); break;
	case MODEL_OPT_CLASSES: s->classes = tool_parse_count("--classes", arg); break;
	case MODEL_OPT_HEAD_STEPS: s->steps = tool_parse_count("--head-steps", arg); break;
	case MODEL_OPT_READOUT: s->readout = arg; break;
	default: return 0;
	}
	if (c >= MODEL_OPT_DT)
		m->ct_given[c - MODEL_OPT_DT] = 1;
	else
		m->given[c] = 1;
	return 1;
}

static const char *const ct_names[MODEL_OPT_END - MODEL_OPT_DT] = {
	"--dt", "--tau", "--integrator", "--rank", "--sheet", "--velocities",
	"--regions", "--a", "--b", "--signs", "--hidden", "--classes",
	"--head-steps", "--readout", "--layers",
};

const char *model_options_first(const model_options *m)
{
	static const struct { char c; const char *name; } letters[] = {
		{'c', "--channels"}, {'n', "--units"}, {'i', "--inputs"}, {'O', "--outputs"},
		{'a', "--act"}, {'I', "--init"}, {'g', "--gain"}, {'S', "--model-seed"},
	};
	for (size_t k = 0; k < sizeof letters / sizeof *letters; k++)
		if (m->given[(unsigned char)letters[k].c])
			return letters[k].name;
	for (int k = 0; k < MODEL_OPT_END - MODEL_OPT_DT; k++)
		if (m->ct_given[k])
			return ct_names[k];
	return NULL;
}

int model_options_any(const model_options *m) { return model_options_first(m) != NULL; }

int model_options_create(model_options *m, const char *kind, dk_model **out)
{
	dk_model_spec *s = &m->spec;
	s->kind = kind;
	/* a sheet gives the size: the units are the library's to fill */
	if (m->ct_given[MODEL_OPT_SHEET - MODEL_OPT_DT] && !m->given['n'])
		s->units = 0;
	/* a head has no per-step outputs, unless asked (which it refuses) */
	if (m->ct_given[MODEL_OPT_CLASSES - MODEL_OPT_DT] && !m->given['O'])
		s->outputs = 0;
	/* the couplings, one value per region each */
	if (m->na || m->nb || m->nsigns) {
		if (!s->regions)
			s->regions = m->na;
		if (m->na != s->regions || m->nb != s->regions ||
		    (m->nsigns && m->nsigns != s->regions))
			tool_usage_error("--a, --b and --signs: one value per region each "
			                 "(%zu regions), not %zu, %zu and %zu", s->regions,
			                 m->na, m->nb, m->nsigns);
		s->a = m->a;
		s->b = m->b;
		s->signs = m->nsigns ? m->signs : NULL;
	}
	/* multiregion: --gain is the disorder's, one value per region or one
	   for all; every other kind takes one gain */
	if (!strcmp(kind, "multiregion") && m->given['g']) {
		if (s->regions > MODEL_MAX_COUPLINGS)
			tool_usage_error("--gain: at most %d regions", MODEL_MAX_COUPLINGS);
		if (m->ngains == 1)
			for (size_t k = 1; k < s->regions && k < MODEL_MAX_COUPLINGS; k++)
				m->gains[k] = m->gains[0];
		else if (m->ngains != s->regions)
			tool_usage_error("--gain: one value, or one per region (%zu), not %zu",
			                 s->regions, m->ngains);
		s->gains = m->gains;
	} else if (m->ngains > 1) {
		tool_usage_error("--gain: one value; a list is for multiregion");
	}
	char err[256];
	int st = dk_model_create(s, out, err, sizeof err);
	if (st == DK_EINVAL)
		tool_usage_error("%s", err);
	if (st) {
		tool_warn(NULL, "%s", err);
		return st;
	}
	/* what the library decided, for the provenance (kept past the model) */
	const dk_model_spec *made = dk_model_spec_of(*out);
	snprintf(m->init, sizeof m->init, "%s", made->init);
	s->act = made->act;
	s->channels = made->channels;
	s->units = made->units;
	s->hidden = made->hidden;
	s->init = m->init;
	/* the cnn sets its head's steps and readout */
	s->steps = made->steps;
	snprintf(m->readout, sizeof m->readout, "%s", made->readout ? made->readout : "");
	if (s->classes)
		s->readout = m->readout;
	return DK_OK;
}

json_t *model_options_json(const model_options *m, json_t *model_attrs)
{
	const dk_model_spec *s = &m->spec;
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:f, s:I}", "model", s->kind,
	                      "units", (json_int_t)s->units, "inputs", (json_int_t)s->inputs,
	                      "outputs", (json_int_t)s->outputs, "act", dk_act_name(s->act),
	                      "init", s->init, "gain", s->gain, "seed", (json_int_t)s->seed);
	static const char *const keys[] = {"dt", "tau", "integrator", "rank"};
	for (size_t k = 0; o && model_attrs && k < sizeof keys / sizeof *keys; k++) {
		json_t *v = json_object_get(model_attrs, keys[k]);
		if (v && json_object_set(o, keys[k], v)) {
			json_decref(o);
			o = NULL;
		}
	}
	if (o && s->channels &&
	    json_object_set_new(o, "channels", json_integer((json_int_t)s->channels))) {
		json_decref(o);
		o = NULL;
	}
	if (o && s->velocities &&
	    json_object_set_new(o, "velocities", json_integer((json_int_t)s->velocities))) {
		json_decref(o);
		o = NULL;
	}
	if (o && s->hidden &&
	    json_object_set_new(o, "hidden", json_integer((json_int_t)s->hidden))) {
		json_decref(o);
		o = NULL;
	}
	if (o && s->layers &&
	    json_object_set_new(o, "layers", json_integer((json_int_t)s->layers))) {
		json_decref(o);
		o = NULL;
	}
	if (o && s->regions &&
	    json_object_set_new(o, "regions", json_integer((json_int_t)s->regions))) {
		json_decref(o);
		o = NULL;
	}
	const struct { const char *key; const double *v; size_t n; } lists[] = {
		{"a", m->a, m->na}, {"b", m->b, m->nb}, {"signs", m->signs, m->nsigns},
		{"gains", m->gains, s->gains ? s->regions : 0},
	};
	for (size_t k = 0; o && k < sizeof lists / sizeof *lists; k++) {
		if (!lists[k].n)
			continue;
		json_t *l = json_array();
		for (size_t i = 0; l && i < lists[k].n; i++)
			json_array_append_new(l, json_real(lists[k].v[i]));
		if (!l || json_object_set_new(o, lists[k].key, l)) {
			json_decref(o);
			o = NULL;
		}
	}
	if (o && s->classes &&
	    (json_object_set_new(o, "classes", json_integer((json_int_t)s->classes)) ||
	     json_object_set_new(o, "steps", json_integer((json_int_t)s->steps)) ||
	     json_object_set_new(o, "readout", json_string(s->readout ? s->readout : "linear")))) {
		json_decref(o);
		o = NULL;
	}
	if (o && s->height &&
	    json_object_set_new(o, "sheet", json_pack("[I, I]", (json_int_t)s->height,
	                                              (json_int_t)s->width))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}
