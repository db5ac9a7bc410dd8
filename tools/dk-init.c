/*
 * dk-init -- write a new model, initialised as its options say, as a
 * stream of model/... tensors.
 *
 *	dk-init rnn --units 64 --inputs 3 --outputs 3 --act tanh --init random
 *	dk-init gru --units 128 --inputs 1 --outputs 3
 *	dk-init ctrnn --units 200 --gain 1.5 --phi erf --dt 0.05 --integrator rk4
 *	dk-init wrnn --channels 6 --units 100 --inputs 10 --outputs 10
 *
 * The model is created by the library (dk_model_create); this tool only
 * reads the options and writes the result, with its provenance.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* The options that apply only to continuous-time models. */
enum { OPT_DT = TOOL_OPT_FIRST_FREE, OPT_TAU, OPT_INTEGRATOR, OPT_RANK, OPT_END };

typedef struct {
	dk_model_spec spec;
	const char *output;
	size_t max_elements; /* unused: dk-init reads no stream */
	int given[OPT_END];  /* which of the continuous-time options were set */
	int act_given, channels_given;
} options;

static void usage(void)
{
	printf("Usage: dk-init MODEL [OPTION]...\n"
	       "Write a new MODEL, initialised, as a stream of model/... tensors.\n"
	       "\n"
	       "Models:\n"
	       "  rnn    h' = act(W h + V u + b); --init identity with --act relu is\n"
	       "         the iRNN\n"
	       "  wrnn   h' = relu(conv(h) + V u + b), conv circular with kernel 3, over\n"
	       "         C rings of N units each: the Wave-RNN\n"
	       "  gru    PyTorch's nn.GRU (gates r, z, n; model/weight_ih, weight_hh,\n"
	       "         bias_ih, bias_hh); state h\n"
	       "  lstm   PyTorch's nn.LSTM (gates i, f, g, o); state [h, c], 2 units;\n"
	       "         the readout reads h\n"
	       "  ctrnn  tau dx/dt = -x + (J + m n^T/N) phi(x) + B u + b, integrated\n"
	       "         over dt; J_ij ~ N(0, G^2/N), m and n (N x R) N(0, 1)\n"
	       "\n"
	       "  -c, --channels C     rings of the wrnn (default 1)\n"
	       "  -n, --units N        units (default 64): the state size, or units per\n"
	       "                       ring of the wrnn; lstm's state [h, c] holds 2N\n"
	       "  -i, --inputs I       input size (default 1)\n"
	       "  -O, --outputs O      readout size (default 1)\n"
	       "  -a, --act F          nonlinearity: tanh, relu, erf, identity\n"
	       "                       (default tanh; gru and lstm: tanh only; the\n"
	       "                       wrnn's is relu)\n"
	       "      --phi F          the same as --act\n"
	       "  -I, --init KIND      rnn: identity, random or orthogonal (default\n"
	       "                       random); wrnn: shift or random (default shift);\n"
	       "                       gru, lstm, ctrnn: random only\n"
	       "  -g, --gain G         W = G I, W_ij ~ N(0, G^2/N), or W = G Q; wrnn\n"
	       "                       random: kernel ~ N(0, G^2/(3C)) (default 1;\n"
	       "                       not used by gru and lstm)\n"
	       "  -S, --seed S         random seed (default 1)\n"
	       "      --dt DT          ctrnn: integration step (default 0.1)\n"
	       "      --tau TAU        ctrnn: time constant (default 1)\n"
	       "      --integrator M   ctrnn: euler or rk4 (default euler)\n"
	       "      --rank R         ctrnn: rank of the part m n^T/N (default 0)\n"
	       "  -o, --output FILE    write FILE atomically instead of stdout\n"
	       "  -h, --help           show this help and exit\n"
	       "      --version        show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

/* The settings, after defaults, as the provenance records them; for a
   continuous-time model also dt, tau, integrator and rank, taken from the
   model's attrs (model_attrs) where the library filled in its defaults. */
static json_t *options_json(const dk_model_spec *s, json_t *model_attrs)
{
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
	return o;
}

/* The model attrs the library wrote on the bundle's first tensor. */
static json_t *bundle_model_attrs(const dk_bundle *b)
{
	if (!dk_bundle_size(b))
		return NULL;
	return json_object_get(dk_meta_attrs(dk_bundle_meta(b, 0)), "model");
}

static double parse_real(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end)
		tool_usage_error("%s: '%s' is not a number", opt, arg);
	return v;
}

/* A positive, finite real (--dt, --tau). */
static double parse_positive(const char *opt, const char *arg)
{
	double v = parse_real(opt, arg);
	if (!(v > 0) || !isfinite(v))
		tool_usage_error("%s: '%s' is not a positive number", opt, arg);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"channels", required_argument, NULL, 'c'},
		{"units", required_argument, NULL, 'n'},
		{"inputs", required_argument, NULL, 'i'},
		{"outputs", required_argument, NULL, 'O'},
		{"act", required_argument, NULL, 'a'},
		{"phi", required_argument, NULL, 'a'},
		{"init", required_argument, NULL, 'I'},
		{"gain", required_argument, NULL, 'g'},
		{"seed", required_argument, NULL, 'S'},
		{"output", required_argument, NULL, 'o'},
		{"dt", required_argument, NULL, OPT_DT},
		{"tau", required_argument, NULL, OPT_TAU},
		{"integrator", required_argument, NULL, OPT_INTEGRATOR},
		{"rank", required_argument, NULL, OPT_RANK},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {
		.spec = {.units = 64, .inputs = 1, .outputs = 1, .act = DK_ACT_TANH,
		         .init = NULL, .gain = 1, .seed = 1},
	};
	int c;
	tool_init("dk-init", argv);
	while ((c = getopt_long(argc, argv, "c:n:i:O:a:I:g:S:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'c':
			o.spec.channels = tool_parse_count("--channels", optarg);
			o.channels_given = 1;
			break;
		case 'n': o.spec.units = tool_parse_count("--units", optarg); break;
		case 'i': o.spec.inputs = tool_parse_count("--inputs", optarg); break;
		case 'O': o.spec.outputs = tool_parse_count("--outputs", optarg); break;
		case 'a':
			if (dk_act_from_name(optarg, &o.spec.act))
				tool_usage_error("--act/--phi: unknown nonlinearity '%s' (tanh, relu, erf, identity)", optarg);
			o.act_given = 1;
			break;
		case 'I': o.spec.init = optarg; break;
		case 'g': o.spec.gain = parse_real("--gain", optarg); break;
		case 'S': o.spec.seed = tool_parse_count("--seed", optarg); break;
		case 'o': o.output = optarg; break;
		case OPT_DT: o.spec.dt = parse_positive("--dt", optarg); break;
		case OPT_TAU: o.spec.tau = parse_positive("--tau", optarg); break;
		case OPT_INTEGRATOR:
			if (strcmp(optarg, "euler") && strcmp(optarg, "rk4"))
				tool_usage_error("--integrator: unknown integrator '%s' (euler, rk4)", optarg);
			o.spec.integrator = optarg;
			break;
		case OPT_RANK: o.spec.rank = tool_parse_count("--rank", optarg); break;
		}
		if (c >= OPT_DT && c < OPT_END)
			o.given[c] = 1;
	}
	if (optind != argc - 1)
		tool_usage_error(optind < argc ? "one MODEL only" : "which MODEL? (rnn, wrnn, gru, lstm, ctrnn)");
	o.spec.kind = argv[optind];
	if (!strcmp(o.spec.kind, "wrnn")) {
		/* the Wave-RNN is always relu, and starts as a delay line */
		if (o.act_given && o.spec.act != DK_ACT_RELU)
			tool_usage_error("--act: the wrnn is always relu");
		o.spec.act = DK_ACT_RELU;
		if (!o.channels_given)
			o.spec.channels = 1;
		if (!o.spec.init)
			o.spec.init = "shift";
	} else if (o.channels_given) {
		tool_usage_error("--channels: only the wrnn has channels");
	}
	if (!o.spec.init)
		o.spec.init = "random";

	dk_model *m;
	char err[256];
	int st = dk_model_create(&o.spec, &m, err, sizeof err);
	if (st == DK_EINVAL)
		tool_usage_error("%s", err);
	if (st) {
		tool_warn(NULL, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	int continuous = dk_model_is_continuous(m);
	static const char *const ct_names[OPT_END] = {
		[OPT_DT] = "--dt", [OPT_TAU] = "--tau", [OPT_INTEGRATOR] = "--integrator",
		[OPT_RANK] = "--rank",
	};
	for (int k = OPT_DT; k < OPT_END && !continuous; k++)
		if (o.given[k]) {
			dk_model_free(m);
			tool_usage_error("%s applies only to continuous-time models (ctrnn), not %s",
			                 ct_names[k], o.spec.kind);
		}
	dk_bundle *b = dk_bundle_alloc();
	st = b ? dk_model_to_bundle(m, b) : DK_ENOMEM;
	dk_model_free(m);
	json_t *prov = NULL;
	if (!st) {
		prov = tool_provenance(options_json(&o.spec, continuous ? bundle_model_attrs(b) : NULL));
		st = prov ? tool_bundle_stamp(b, prov) : DK_ENOMEM;
	}
	json_decref(prov);
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		dk_bundle_free(b);
		return TOOL_EXIT_FAIL;
	}
	int status = tool_write_bundle(o.output, b);
	dk_bundle_free(b);
	return status;
}
