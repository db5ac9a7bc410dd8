/*
 * dk-fixed -- fixed and slow points of a model under a constant input:
 * q-minimisation from many start states, a Newton polish, merging of
 * duplicates (lib/analysis/fixed.h).
 *
 *	dk-gen flipflop --batch 64 | dk-run model.npy | dk-fixed model.npy
 *
 * The start states are whatever dk_points_from_bundle finds in STATES:
 * dk-run's states, an earlier dk-fixed's fp/x, or a bare array whose
 * last axis is the state, or with --task the states of the model on a
 * task's batch (dk_task_states); --sample draws some of them at random.
 * The search and its fp records are lib/analysis's (dk_fixed_run,
 * dk_fixed_to_bundle).
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_options.h"
#include "tool.h"

enum {
	OPT_MAP = TASK_OPT_END, OPT_FLOW, OPT_CONVENTION, OPT_INPUT, OPT_SAMPLE,
	OPT_NOISE, OPT_MAX_ITERS, OPT_TOL_Q, OPT_TOL_DQ, OPT_RATE,
	OPT_CLIP, OPT_HANDOFF, OPT_NEWTON_ITERS, OPT_TOL_FIXED, OPT_TOL_UNIQUE,
	OPT_OUTLIER, OPT_STALL, OPT_DENSE_MAX, OPT_KRYLOV_ITERS, OPT_JAC, OPT_TASK,
	OPT_MAX_Q, OPT_KEEP_DIVERGED, OPT_NO_NEWTON_STARTS, OPT_INPUTS
};

typedef struct {
	const char *output;
	size_t max_elements;
	int have_conv;       /* --convention given; else the model's own */
	const char *input;   /* the --input text, or NULL */
	double *u;           /* owned: its values (s.u) */
	int inputs;          /* --inputs: each start's own, from the stream */
	const char *task;    /* --task: the states from its trajectories */
	task_options t;
	dk_fixed_search s;   /* --jac is s.spectra */
} options;

static void usage(void)
{
	printf("Usage: dk-fixed [OPTION]... MODEL [STATES]\n"
	       "Find the fixed and slow points of MODEL under a constant input, starting\n"
	       "from the states in STATES (standard input when absent or -): dk-run's\n"
	       "states, an earlier fp/x, or an array whose last axis is the state.\n"
	       "Writes fp/x, fp/q, fp/iters and fp/kind (1 fixed, 0 slow).\n"
	       "\n"
	       "      --jac             add fp/eig, each point's Jacobian eigenvalues\n"
	       "                        (sorted by modulus, map, or real part, flow), and\n"
	       "                        fp/index, its unstable directions\n"
	       "      --map             seek F(x, u) = x (default for discrete-time models)\n"
	       "      --flow            seek f(x, u) = 0 (default for continuous-time models)\n"
	       "      --convention C    map or flow: the same as --map or --flow\n"
	       "      --input U         the constant input, comma-separated (default 0)\n"
	       "      --inputs          each start keeps its own input: the stream's input\n"
	       "                        (time, batch, input) beside its states, row by row\n"
	       "      --sample N        start from N states drawn without replacement\n"
	       "      --noise SIGMA     add N(0, SIGMA^2) noise to the start states\n"
	       "      --seed S          seed of --sample and --noise, and of --task's\n"
	       "                        batch (default 0)\n"
	       "      --max-iters N     Adam iterations per point at most (default 5000)\n"
	       "      --tol-q Q         Adam stops a point when q < Q (default 1e-12)\n"
	       "      --tol-dq D        ... or when |dq| < D times its rate (default 1e-20)\n"
	       "      --rate R          Adam's initial learning rate (default 1)\n"
	       "      --clip C          clip each point's gradient norm at C (default 1e12)\n"
	       "      --stall F         stop Adam on a point whose q fell by less than the\n"
	       "                        fraction F in 100 steps (default 0.01; 0: never)\n"
	       "      --handoff Q       try Newton when q < Q, again at Q/1000, ...\n"
	       "                        (default 0.1)\n"
	       "      --newton-iters N  Newton steps per point at most (default 50)\n"
	       "      --tol-fixed E     a point is fixed when |r| <= E (default 1e-10)\n"
	       "      --dense-max N     Newton by dense LU up to N states, by GMRES\n"
	       "                        above (default 1024)\n"
	       "      --krylov-iters N  GMRES products per Newton step at most\n"
	       "                        (default 500)\n"
	       "      --tol-unique E    merge points within E in every coordinate\n"
	       "                        (default 1e-6)\n"
	       "      --outlier-scale S drop points farther than S mean start distances\n"
	       "                        from the starts' centroid (default 10; 0: keep)\n"
	       "      --max-q Q         drop slow points whose q exceeds Q (default: none)\n"
	       "      --keep-diverged   keep the points whose q ended above every start's\n"
	       "                        (kind 2; dropped by default)\n"
	       "      --no-newton-starts\n"
	       "                        no Newton polish from the start states themselves\n"
	       TOOL_HELP_OUTPUT
	       "      --task TASK       no STATES: run MODEL on a batch of TASK (copy,\n"
	       "                        adding, flipflop, fmnist or flow) and start from\n"
	       "                        its states; the task options are dk-gen's:\n"
	       TASK_OPTIONS_HELP
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* The search; returns the exit status. */
static int run(options *o, const dk_model *m, const dk_bundle *in,
               const char *src, dk_bundle *out)
{
	size_t n = dk_model_state_size(m);
	char err[256];
	dk_tensor *pts;
	if (o->task && dk_task_states(&o->t.p, m, o->max_elements, &pts, err, sizeof err)) {
		tool_warn("--task", "%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (!o->task && dk_points_from_bundle(in, n, &pts, NULL, err, sizeof err)) {
		tool_warn(src, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	dk_tensor *ins = NULL;
	if (o->inputs && dk_points_inputs_from_bundle(in, pts->shape[0],
	                                              dk_model_input_size(m), &ins, err,
	                                              sizeof err)) {
		tool_warn(src, "--inputs: %s", err);
		dk_tensor_free(pts);
		return TOOL_EXIT_FAIL;
	}
	o->s.inputs = ins ? ins->data : NULL;
	if (!o->have_conv)
		o->s.opts.convention = dk_convention_of(m);
	/* the spec's checks one by one first, to name the option at fault */
	size_t P = pts->shape[0];
	const char *bad = dk_fixed_check_sample(P, o->s.sample, err, sizeof err) ? "--sample"
	        : dk_convention_check(m, o->s.opts.convention, err, sizeof err) ? "--flow"
	        : o->input && dk_model_check_inputs(m, o->s.nu, err, sizeof err) ? "--input"
	        : NULL;
	dk_fixed_result *r = NULL;
	int st = DK_OK, status = TOOL_EXIT_FAIL;
	tool_progress prog, *shown = bad ? NULL : tool_progress_start(&prog, "point");
	o->s.opts.progress = shown ? tool_progress_show : NULL;
	o->s.opts.progress_arg = shown;
	if (bad)
		tool_warn(bad, "%s", err);
	else if ((st = dk_fixed_run(m, P, pts->data, &o->s, &r, err, sizeof err),
	          tool_progress_end(shown), st))
		tool_warn(NULL, "%s", err);
	else if ((st = dk_fixed_to_bundle(r, out)))
		tool_warn(NULL, "%s", dk_strerror(st));
	else
		status = TOOL_EXIT_OK;
	dk_fixed_result_free(r);
	dk_tensor_free(pts);
	dk_tensor_free(ins);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"jac", no_argument, NULL, OPT_JAC},
		{"map", no_argument, NULL, OPT_MAP},
		{"flow", no_argument, NULL, OPT_FLOW},
		{"convention", required_argument, NULL, OPT_CONVENTION},
		{"input", required_argument, NULL, OPT_INPUT},
		{"inputs", no_argument, NULL, OPT_INPUTS},
		{"sample", required_argument, NULL, OPT_SAMPLE},
		{"noise", required_argument, NULL, OPT_NOISE},
		{"task", required_argument, NULL, OPT_TASK},
		TASK_LONGOPTS,
		{"max-iters", required_argument, NULL, OPT_MAX_ITERS},
		{"tol-q", required_argument, NULL, OPT_TOL_Q},
		{"tol-dq", required_argument, NULL, OPT_TOL_DQ},
		{"rate", required_argument, NULL, OPT_RATE},
		{"clip", required_argument, NULL, OPT_CLIP},
		{"handoff", required_argument, NULL, OPT_HANDOFF},
		{"stall", required_argument, NULL, OPT_STALL},
		{"newton-iters", required_argument, NULL, OPT_NEWTON_ITERS},
		{"tol-fixed", required_argument, NULL, OPT_TOL_FIXED},
		{"dense-max", required_argument, NULL, OPT_DENSE_MAX},
		{"krylov-iters", required_argument, NULL, OPT_KRYLOV_ITERS},
		{"tol-unique", required_argument, NULL, OPT_TOL_UNIQUE},
		{"outlier-scale", required_argument, NULL, OPT_OUTLIER},
		{"max-q", required_argument, NULL, OPT_MAX_Q},
		{"keep-diverged", no_argument, NULL, OPT_KEEP_DIVERGED},
		{"no-newton-starts", no_argument, NULL, OPT_NO_NEWTON_STARTS},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT, };
	dk_fixed_search_default(&o.s);
	dk_fixed_opts *fo = &o.s.opts;
	int c;
	tool_init_numeric("dk-fixed", argv);
	task_options_init(&o.t);
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements) ||
		    task_option(&o.t, c, optarg))
			continue;
		switch (c) {
		case OPT_JAC: o.s.spectra = 1; break;
		case OPT_MAP: fo->convention = DK_MAP; o.have_conv = 1; break;
		case OPT_FLOW: fo->convention = DK_FLOW; o.have_conv = 1; break;
		case OPT_CONVENTION:
			if (dk_convention_from_name(optarg, &fo->convention))
				tool_usage_error("--convention: '%s' is neither map nor flow", optarg);
			o.have_conv = 1;
			break;
		case OPT_INPUT:
			if (o.input)
				tool_usage_error("--input given twice");
			o.input = optarg;
			o.s.u = o.u = tool_parse_numbers("--input", optarg, &o.s.nu);
			break;
		case OPT_SAMPLE:
			o.s.sample = tool_parse_count("--sample", optarg);
			if (!o.s.sample)
				tool_usage_error("--sample: at least one state");
			break;
		case OPT_NOISE: o.s.noise = tool_parse_real("--noise", optarg, 0, INFINITY); break;
		case OPT_TASK: o.task = optarg; break;
		case OPT_MAX_ITERS: fo->max_iters = tool_parse_count("--max-iters", optarg); break;
		case OPT_TOL_Q: fo->tol_q = tool_parse_real("--tol-q", optarg, 0, INFINITY); break;
		case OPT_TOL_DQ: fo->tol_dq = tool_parse_real("--tol-dq", optarg, 0, INFINITY); break;
		case OPT_RATE: fo->rate = tool_parse_real("--rate", optarg, 0, INFINITY); break;
		case OPT_CLIP: fo->clip = tool_parse_real("--clip", optarg, 0, INFINITY); break;
		case OPT_STALL: fo->stall = tool_parse_real("--stall", optarg, 0, INFINITY); break;
		case OPT_HANDOFF: fo->handoff_q = tool_parse_real("--handoff", optarg, 0, INFINITY); break;
		case OPT_NEWTON_ITERS:
			fo->newton_iters = tool_parse_count("--newton-iters", optarg);
			break;
		case OPT_TOL_FIXED: fo->tol_fixed = tool_parse_real("--tol-fixed", optarg, 0, INFINITY); break;
		case OPT_DENSE_MAX: fo->dense_max = tool_parse_count("--dense-max", optarg); break;
		case OPT_KRYLOV_ITERS:
			fo->krylov_iters = tool_parse_nonzero_count("--krylov-iters", optarg);
			break;
		case OPT_TOL_UNIQUE: fo->tol_unique = tool_parse_real("--tol-unique", optarg, 0, INFINITY); break;
		case OPT_OUTLIER: fo->outlier_scale = tool_parse_real("--outlier-scale", optarg, 0, INFINITY); break;
		case OPT_MAX_Q: fo->max_q = tool_parse_positive("--max-q", optarg); break;
		case OPT_KEEP_DIVERGED: fo->keep_diverged = 1; break;
		case OPT_NO_NEWTON_STARTS: fo->newton_starts = 0; break;
		case OPT_INPUTS: o.inputs = 1; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (optind >= argc || argc - optind > 2)
		tool_usage_error(optind >= argc ? "which MODEL?" : "one MODEL and one STATES");
	o.s.seed = o.t.p.seed;
	if (o.inputs && (o.input || o.task))
		tool_usage_error("--inputs takes each start's input from STATES: not with %s",
		                 o.input ? "--input" : "--task");
	if (o.task) {
		if (argc - optind > 1)
			tool_usage_error("--task makes the states: no STATES operand");
		task_options_finish(&o.t, o.task);
	} else {
		for (int k = TASK_OPT_BATCH; k < TASK_OPT_END; k++)
			if (o.t.given[k] && k != TASK_OPT_SEED)
				tool_usage_error("the task options need --task");
	}
	const char *model_path = argv[optind];
	const char *states_path = optind + 1 < argc ? argv[optind + 1] : "-";
	if (!o.task && !strcmp(model_path, "-") && !strcmp(states_path, "-"))
		tool_usage_error("MODEL and STATES cannot both be standard input");

	dk_bundle *mb = tool_read_bundle(model_path, o.max_elements);
	dk_bundle *in = !mb ? NULL : o.task ? dk_bundle_alloc()
	                            : tool_read_bundle(states_path, o.max_elements);
	dk_model *m = NULL;
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (in && dk_model_from_bundle(mb, &m, err, sizeof err))
		tool_warn(model_path, "%s", err);
	dk_bundle *out = dk_bundle_alloc();
	if (m && out)
		status = run(&o, m, in, states_path, out);
	status = tool_finish(status, o.output, out, json_pack(
		"{s:s, s:s, s:s?, s:b, s:I, s:f, s:I, s:o?}", "model", model_path,
		"convention", dk_convention_name(fo->convention),
		"input", o.input, "inputs", o.inputs, "sample", (json_int_t)o.s.sample,
		"noise", o.s.noise,
		"seed", (json_int_t)o.s.seed,
		"task", o.task ? dk_task_params_to_json(&o.t.p) : NULL));
	free(o.u);
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
