/*
 * dk-fixed -- fixed and slow points of a model under a constant input:
 * q-minimisation from many start states, a Newton polish, merging of
 * duplicates (lib/analysis/fixed.h).
 *
 *	dk-gen flipflop --batch 64 | dk-run model.npy | dk-fixed model.npy
 *
 * The start states are whatever dk_points_from_bundle finds in STATES:
 * dk-run's states, an earlier dk-fixed's fp/x, or a bare array whose
 * last axis is the state; --sample draws some of them at random.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_options.h"
#include "tool.h"

/* --jac: how far inside the stability boundary an eigenvalue must lie to
   count as stable (dk-jac's default --tol). */
#define JAC_TOL 1e-10

enum {
	OPT_MAP = TASK_OPT_END, OPT_FLOW, OPT_CONVENTION, OPT_INPUT, OPT_SAMPLE,
	OPT_NOISE, OPT_MAX_ITERS, OPT_TOL_Q, OPT_TOL_DQ, OPT_RATE,
	OPT_CLIP, OPT_HANDOFF, OPT_NEWTON_ITERS, OPT_TOL_FIXED, OPT_TOL_UNIQUE,
	OPT_OUTLIER, OPT_STALL, OPT_DENSE_MAX, OPT_KRYLOV_ITERS, OPT_JAC, OPT_TASK
};

typedef struct {
	const char *output;
	size_t max_elements;
	int have_conv;       /* fo.convention given; else the model's own */
	const char *input;   /* the --input text, or NULL */
	double *u;           /* owned: its values */
	size_t nu;
	size_t sample;       /* 0: every state */
	double noise;
	uint64_t seed;
	const char *task;    /* --task: the states from its trajectories */
	task_options t;
	int jac;             /* --jac: add fp/eig and fp/index */
	dk_fixed_opts fo;
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
	       "                        from the starts' centroid (default 0: keep all)\n"
	       "  -o, --output FILE     write FILE atomically instead of stdout\n"
	       "      --task TASK       no STATES: run MODEL on a batch of TASK (copy,\n"
	       "                        adding, flipflop or fmnist) and start from its\n"
	       "                        states; the task options are dk-gen's:\n"
	       TASK_OPTIONS_HELP
	       "      --max-elements N  refuse tensors of more than N elements\n"
	       "                        (default 2^30)\n"
	       "  -h, --help            show this help and exit\n"
	       "      --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

static int add(dk_bundle *b, const char *name, dk_tensor *t,
               const char *const *axes, size_t naxes, json_t *attrs)
{
	dk_meta *m = dk_meta_new(name);
	if (!t || !m || dk_meta_set_axes(m, axes, naxes) ||
	    dk_meta_set_attr(m, "fixed", json_deep_copy(attrs))) {
		dk_meta_free(m);
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	return dk_bundle_add(b, name, m, t);
}

/* What the outputs' attrs say about the search. */
static json_t *search_attrs(const options *o, const double *u, size_t m)
{
	const dk_fixed_opts *f = &o->fo;
	json_t *uj = json_array();
	for (size_t k = 0; uj && k < m; k++)
		json_array_append_new(uj, json_real(u[k]));
	return json_pack("{s:s, s:o, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f}",
	                 "convention", dk_convention_name(f->convention),
	                 "input", uj,
	                 "max_iters", (json_int_t)f->max_iters,
	                 "tol_q", f->tol_q, "tol_dq", f->tol_dq, "rate", f->rate,
	                 "clip", f->clip, "stall", f->stall, "handoff_q", f->handoff_q,
	                 "newton_iters", (json_int_t)f->newton_iters,
	                 "dense_max", (json_int_t)f->dense_max,
	                 "krylov_iters", (json_int_t)f->krylov_iters,
	                 "tol_fixed", f->tol_fixed, "tol_unique", f->tol_unique,
	                 "outlier_scale", f->outlier_scale, "jac_tol", JAC_TOL);
}

/* --task: the states of m run on a batch of the task, as a (T B, n)
   tensor in *out; 0, or -1 with a message. */
static int task_states(const options *o, const dk_model *m, dk_tensor **out)
{
	char err[256];
	dk_task_batch *b = NULL;
	if (dk_task_generate(&o->t.p, &b, err, sizeof err)) {
		tool_warn("--task", "%s", err);
		return -1;
	}
	size_t T = b->input->shape[0], B = b->input->shape[1];
	size_t n = dk_model_state_size(m), count;
	if (b->input->shape[2] != dk_model_input_size(m)) {
		tool_warn("--task", "%s has %zu input features; the model takes %zu",
		          o->task, b->input->shape[2], dk_model_input_size(m));
		dk_task_batch_free(b);
		return -1;
	}
	size_t shape[2] = {T * B, n};
	if (dk_shape_count(2, shape, sizeof(double), &count) || count > o->max_elements) {
		tool_warn("--task", "states of (%zu, %zu) exceed the limit of %zu elements",
		          T * B, n, o->max_elements);
		dk_task_batch_free(b);
		return -1;
	}
	dk_tensor *s = dk_tensor_alloc(DK_F8, 0, 2, shape);
	dk_tensor *in = NULL;
	int st = s ? dk_tensor_convert(b->input, DK_F8, &in) : DK_ENOMEM;
	if (!st)
		st = dk_model_run(m, T, B, NULL, in->data, s->data, NULL);
	dk_tensor_free(in);
	dk_task_batch_free(b);
	if (st) {
		tool_warn("--task", "%s", dk_strerror(st));
		dk_tensor_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* The search; returns the exit status. */
static int run(options *o, const dk_model *m, const dk_bundle *in,
               const char *src, dk_bundle *out)
{
	size_t n = dk_model_state_size(m), ni = dk_model_input_size(m);
	char err[256];
	dk_tensor *pts;
	if (o->task && task_states(o, m, &pts))
		return TOOL_EXIT_FAIL;
	if (!o->task && dk_points_from_bundle(in, n, &pts, NULL, err, sizeof err)) {
		tool_warn(src, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	size_t P = pts->count / n, B = o->sample ? o->sample : P;
	if (B > P) {
		tool_warn(src, "--sample %zu: only %zu states to draw from", B, P);
		dk_tensor_free(pts);
		return TOOL_EXIT_FAIL;
	}
	if (!o->have_conv)
		o->fo.convention = dk_convention_of(m);
	if (dk_convention_check(m, o->fo.convention, err, sizeof err)) {
		tool_warn("--flow", "%s", err);
		dk_tensor_free(pts);
		return TOOL_EXIT_FAIL;
	}
	double *u = calloc(ni ? ni : 1, sizeof(double));
	double *x0 = malloc(B * n * sizeof(double));
	dk_fixed_points *fp = dk_fixed_points_alloc(B, n);
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, &o->fo);
	int status = TOOL_EXIT_FAIL, st = DK_ENOMEM;
	if (u && x0 && fp && w) {
		if (o->input && o->nu != ni) {
			tool_warn("--input", "%zu values; the model takes %zu inputs",
			          o->nu, ni);
			goto done;
		}
		if (o->input)
			memcpy(u, o->u, ni * sizeof *u);
		if (o->sample || o->noise > 0)
			st = dk_fixed_sample(P, n, pts->data, B, o->noise, o->seed, x0);
		else {
			memcpy(x0, pts->data, B * n * sizeof(double));
			st = DK_OK;
		}
		if (!st && dk_fixed_find(w, m, B, x0, u, fp, err, sizeof err)) {
			tool_warn(NULL, "%s", err);
			goto done;
		}
	}
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		goto done;
	}
	size_t C = fp->count, xs[2] = {C, n}, is[2] = {C, 2};
	dk_tensor *tx = dk_tensor_alloc(DK_F8, 0, 2, xs);
	dk_tensor *tq = dk_tensor_alloc(DK_F8, 0, 1, xs);
	dk_tensor *ti = dk_tensor_alloc(DK_I8, 0, 2, is);
	dk_tensor *tk = dk_tensor_alloc(DK_I8, 0, 1, xs);
	if (tx && tq && ti && tk) {
		memcpy(tx->data, fp->x, C * n * sizeof(double));
		memcpy(tq->data, fp->q, C * sizeof(double));
		memcpy(tk->data, fp->kind, C * sizeof(int64_t));
		for (size_t c = 0; c < C; c++) {
			((int64_t *)ti->data)[2 * c] = fp->adam_iters[c];
			((int64_t *)ti->data)[2 * c + 1] = fp->newton_iters[c];
		}
	}
	static const char *const xaxes[2] = {"point", "unit"};
	static const char *const iaxes[2] = {"point", "stage"};
	json_t *attrs = search_attrs(o, u, ni);
	st = attrs ? add(out, "fp/x", tx, xaxes, 2, attrs) : DK_ENOMEM;
	st = st ? (dk_tensor_free(tq), st) : add(out, "fp/q", tq, xaxes, 1, attrs);
	st = st ? (dk_tensor_free(ti), st) : add(out, "fp/iters", ti, iaxes, 2, attrs);
	st = st ? (dk_tensor_free(tk), st) : add(out, "fp/kind", tk, xaxes, 1, attrs);
	if (!st && o->jac) {
		size_t es[2] = {C, n};
		dk_tensor *te = dk_tensor_alloc(DK_C16, 0, 2, es);
		dk_tensor *tn = dk_tensor_alloc(DK_I8, 0, 1, es);
		if (te && tn && dk_fixed_spectra(m, o->fo.convention, fp, u, JAC_TOL,
		                                 te->data, tn->data, err, sizeof err)) {
			tool_warn(NULL, "--jac: %s", err);
			dk_tensor_free(te);
			dk_tensor_free(tn);
			json_decref(attrs);
			goto done;
		}
		static const char *const eaxes[2] = {"point", "eig"};
		st = add(out, "fp/eig", te, eaxes, 2, attrs);
		st = st ? (dk_tensor_free(tn), st) : add(out, "fp/index", tn, xaxes, 1, attrs);
	}
	json_decref(attrs);
	if (st)
		tool_warn(NULL, "%s", dk_strerror(st));
	else
		status = TOOL_EXIT_OK;
done:
	free(u);
	free(x0);
	dk_fixed_points_free(fp);
	dk_fixed_work_free(w);
	dk_tensor_free(pts);
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
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT, };
	dk_fixed_opts_default(&o.fo);
	int c;
	tool_init("dk-fixed", argv);
	task_options_init(&o.t);
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements) ||
		    task_option(&o.t, c, optarg))
			continue;
		switch (c) {
		case OPT_JAC: o.jac = 1; break;
		case OPT_MAP: o.fo.convention = DK_MAP; o.have_conv = 1; break;
		case OPT_FLOW: o.fo.convention = DK_FLOW; o.have_conv = 1; break;
		case OPT_CONVENTION:
			if (dk_convention_from_name(optarg, &o.fo.convention))
				tool_usage_error("--convention: '%s' is neither map nor flow", optarg);
			o.have_conv = 1;
			break;
		case OPT_INPUT:
			if (o.input)
				tool_usage_error("--input given twice");
			o.input = optarg;
			o.u = tool_parse_numbers("--input", optarg, &o.nu);
			break;
		case OPT_SAMPLE:
			o.sample = tool_parse_count("--sample", optarg);
			if (!o.sample)
				tool_usage_error("--sample: at least one state");
			break;
		case OPT_NOISE: o.noise = tool_parse_real("--noise", optarg, 0, INFINITY); break;
		case OPT_TASK: o.task = optarg; break;
		case OPT_MAX_ITERS: o.fo.max_iters = tool_parse_count("--max-iters", optarg); break;
		case OPT_TOL_Q: o.fo.tol_q = tool_parse_real("--tol-q", optarg, 0, INFINITY); break;
		case OPT_TOL_DQ: o.fo.tol_dq = tool_parse_real("--tol-dq", optarg, 0, INFINITY); break;
		case OPT_RATE: o.fo.rate = tool_parse_real("--rate", optarg, 0, INFINITY); break;
		case OPT_CLIP: o.fo.clip = tool_parse_real("--clip", optarg, 0, INFINITY); break;
		case OPT_STALL: o.fo.stall = tool_parse_real("--stall", optarg, 0, INFINITY); break;
		case OPT_HANDOFF: o.fo.handoff_q = tool_parse_real("--handoff", optarg, 0, INFINITY); break;
		case OPT_NEWTON_ITERS:
			o.fo.newton_iters = tool_parse_count("--newton-iters", optarg);
			break;
		case OPT_TOL_FIXED: o.fo.tol_fixed = tool_parse_real("--tol-fixed", optarg, 0, INFINITY); break;
		case OPT_DENSE_MAX: o.fo.dense_max = tool_parse_count("--dense-max", optarg); break;
		case OPT_KRYLOV_ITERS:
			o.fo.krylov_iters = tool_parse_count("--krylov-iters", optarg);
			if (!o.fo.krylov_iters)
				tool_usage_error("--krylov-iters: at least 1");
			break;
		case OPT_TOL_UNIQUE: o.fo.tol_unique = tool_parse_real("--tol-unique", optarg, 0, INFINITY); break;
		case OPT_OUTLIER: o.fo.outlier_scale = tool_parse_real("--outlier-scale", optarg, 0, INFINITY); break;
		case 'o': o.output = optarg; break;
		}
	}
	if (optind >= argc || argc - optind > 2)
		tool_usage_error(optind >= argc ? "which MODEL?" : "one MODEL and one STATES");
	o.seed = o.t.p.seed;
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
		"{s:s, s:s, s:s?, s:I, s:f, s:I, s:o?}", "model", model_path,
		"convention", dk_convention_name(o.fo.convention),
		"input", o.input, "sample", (json_int_t)o.sample, "noise", o.noise,
		"seed", (json_int_t)o.seed,
		"task", o.task ? dk_task_params_to_json(&o.t.p) : NULL));
	free(o.u);
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
