/*
 * dk-lyap -- the Lyapunov spectrum of a model along a trajectory, by
 * repeated QR, with its convergence, error bars, Kaplan-Yorke dimension
 * and entropy bound.
 *
 *	dk-init rnn --units 100 --gain 2 | dk-lyap -k 10 > lyap.npy
 *
 * The trajectory is autonomous (zero input) from a seeded random state,
 * or from a state in INPUT (fp/x, states, or a bare array), or driven by
 * the tensor "input" (time, batch, feature) in INPUT, one batch entry of
 * it, from that entry's h0 or the zero state as dk-run starts.
 * Progress goes to stderr when it is a terminal.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

typedef struct {
	const char *output;
	size_t max_elements;
	dk_lyap_options lyap;
	int k_given, steps_given;
	size_t entry, point;
} options;

static void usage(void)
{
	printf("Usage: dk-lyap [OPTION]... [MODEL [INPUT]]\n"
	       "The Lyapunov spectrum of MODEL (standard input when absent or -) by\n"
	       "repeated QR along a trajectory: with no INPUT, autonomous from a random\n"
	       "state; from a state in INPUT (fp/x, states, or a bare array); or driven\n"
	       "by the tensor input (time, batch, feature) in INPUT.\n"
	       "Writes lyap/exponents, lyap/stderr, lyap/trace, lyap/trace_steps,\n"
	       "lyap/dimension, lyap/entropy, and with --check lyap/check.\n"
	       "\n"
	       "  -k, --exponents K      exponents to compute (default: all); also --k K\n"
	       "  -T, --steps T          measured steps (default 1000; with an input,\n"
	       "                         what the input has left after the transients)\n"
	       "      --transient T0     steps of the state before the basis starts\n"
	       "                         (default 100)\n"
	       "      --basis-transient T1  steps of the basis whose growth is\n"
	       "                         discarded (default 100)\n"
	       "  -e, --every E          orthonormalise every E steps (default 1)\n"
	       "      --checkpoints C    rows of the convergence trace (default 20)\n"
	       "      --blocks NB        blocks for the standard errors (default 10)\n"
	       "      --entry I          the input's batch entry to follow (default 0)\n"
	       "      --point I          the state of INPUT to start from (default 0)\n"
	       "  -S, --seed S           seed of the start state, basis, check (default 1)\n"
	       "      --tangent METHOD   jvp (batched Jacobian-vector products) or\n"
	       "                         jacobian (the dense Jacobian; default jvp)\n"
	       "      --check            also the largest exponent from two nearby\n"
	       "                         trajectories; warn when they disagree\n"
	       "  -o, --output FILE      write FILE atomically instead of stdout\n"
	       "      --max-elements N   refuse tensors of more than N elements\n"
	       "                         (default 2^30)\n"
	       "  -h, --help             show this help and exit\n"
	       "      --version          show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

/* Where the trajectory starts and what drives it. */
typedef struct {
	double *x0;          /* owned, n */
	dk_tensor *input;    /* owned f8 (time, batch, feature), or NULL */
	const double *u;     /* row 0 of the entry followed, or NULL */
	size_t u_stride, u_rows;
	char start[96];      /* how, for the attrs */
} trajectory;

/* A seeded random start: N(0, 1) entries, drawn from a stream apart from
   the library's (which draws the basis from the same seed). */
static int random_start(trajectory *tr, size_t n, uint64_t seed)
{
	dk_rng *r = dk_rng_alloc(seed ^ UINT64_C(0x9e3779b97f4a7c15));
	if (!r)
		return -1;
	for (size_t i = 0; i < n; i++)
		tr->x0[i] = dk_rng_normal(r, 1);
	dk_rng_free(r);
	snprintf(tr->start, sizeof tr->start, "random");
	return 0;
}

/* The trajectory INPUT asks for; returns 0 or warns and returns -1. */
static int find_trajectory(const options *o, const dk_model *m,
                           const dk_bundle *in, const char *src, trajectory *tr)
{
	size_t n = dk_model_state_size(m), nin = dk_model_input_size(m);
	const dk_tensor *x = dk_bundle_get(in, "input");
	if (x) {
		if (x->rank != 3 || x->shape[2] != nin) {
			char sh[64];
			dk_shape_format(sh, sizeof sh, x->rank, x->shape);
			tool_warn(src, "input must be (time, batch, %zu), not %s", nin, sh);
			return -1;
		}
		if (o->entry >= x->shape[1]) {
			tool_warn(src, "--entry %zu: the input has %zu batch entries",
			          o->entry, x->shape[1]);
			return -1;
		}
		if (dk_tensor_convert(x, DK_F8, &tr->input)) {
			tool_warn(src, "input: cannot convert %s to f8", dk_dtype_name(x->dtype));
			return -1;
		}
		tr->u = (const double *)tr->input->data + o->entry * nin;
		tr->u_stride = x->shape[1] * nin;
		tr->u_rows = x->shape[0];
		const dk_tensor *h0 = dk_bundle_get(in, "h0");
		if (h0 && (h0->dtype != DK_F8 || h0->rank != 2 ||
		           h0->shape[0] != x->shape[1] || h0->shape[1] != n)) {
			tool_warn(src, "h0 must be f8 (%zu, %zu)", x->shape[1], n);
			return -1;
		}
		if (h0)
			memcpy(tr->x0, (const double *)h0->data + o->entry * n, n * sizeof *tr->x0);
		else
			memset(tr->x0, 0, n * sizeof *tr->x0);
		snprintf(tr->start, sizeof tr->start, "input entry %zu from %s",
		         o->entry, h0 ? "h0" : "zero");
		return 0;
	}
	dk_tensor *p = NULL;
	const char *name = NULL;
	char err[256];
	if (dk_points_from_bundle(in, n, &p, &name, err, sizeof err)) {
		tool_warn(src, "%s", err);
		return -1;
	}
	if (o->point >= p->shape[0]) {
		tool_warn(src, "--point %zu: %s holds %zu states", o->point,
		          name[0] ? name : "the tensor", p->shape[0]);
		dk_tensor_free(p);
		return -1;
	}
	memcpy(tr->x0, (const double *)p->data + o->point * n, n * sizeof *tr->x0);
	snprintf(tr->start, sizeof tr->start, "point %zu of %s", o->point,
	         name[0] ? name : "the input");
	dk_tensor_free(p);
	return 0;
}

static dk_tensor *vector(const double *v, size_t count)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 1, &count);
	if (t)
		memcpy(t->data, v, count * sizeof *v);
	return t;
}

static dk_tensor *scalar(double v)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 0, NULL);
	if (t)
		((double *)t->data)[0] = v;
	return t;
}

/* A number for the attrs: JSON has no NaN or infinity, so those are null. */
static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Add t as name with axes and a copy of attrs (t taken over). */
static int add(dk_bundle *b, const char *name, dk_tensor *t, const char *const *axes,
               size_t naxes, json_t *attrs)
{
	dk_meta *m = t ? dk_meta_new(name) : NULL;
	json_t *a = json_deep_copy(attrs);
	if (!m || !a || (naxes && dk_meta_set_axes(m, axes, naxes)) ||
	    dk_meta_set_attr(m, "lyap", a)) {
		dk_meta_free(m);
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	return dk_bundle_add(b, name, m, t);
}

/* The results as lyap/... tensors. */
static int gather(const options *o, const dk_lyap_result *r, const trajectory *tr,
                  size_t n, int continuous, dk_bundle *out)
{
	size_t k = r->k, C = r->checkpoints;
	json_t *attrs = json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I}",
	        "units", continuous ? "per unit time" : "per step",
	        "step_time", r->step_time,
	        "steps", (json_int_t)o->lyap.steps,
	        "transient", (json_int_t)o->lyap.transient,
	        "basis_transient", (json_int_t)o->lyap.basis_transient,
	        "every", (json_int_t)o->lyap.every,
	        "blocks", (json_int_t)r->blocks,
	        "tangent", o->lyap.tangent == DK_LYAP_JVP ? "jvp" : "jacobian",
	        "start", tr->start,
	        "qrs", (json_int_t)r->qrs,
	        "householder_qrs", (json_int_t)r->householder_qrs);
	if (!attrs)
		return DK_ENOMEM;
	static const char *const ax_exp[1] = {"exponent"};
	static const char *const ax_trace[2] = {"checkpoint", "exponent"};
	static const char *const ax_steps[1] = {"checkpoint"};
	int st = add(out, "lyap/exponents", vector(r->exponents, k), ax_exp, 1, attrs);
	if (!st)
		st = add(out, "lyap/stderr", vector(r->std_error, k), ax_exp, 1, attrs);
	if (!st) {
		size_t shape[2] = {C, k};
		dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 2, shape);
		if (t)
			memcpy(t->data, r->trace, C * k * sizeof *r->trace);
		st = add(out, "lyap/trace", t, ax_trace, 2, attrs);
	}
	if (!st) {
		dk_tensor *t = dk_tensor_alloc(DK_I8, 0, 1, &C);
		for (size_t c = 0; t && c < C; c++)
			((int64_t *)t->data)[c] = (int64_t)r->trace_steps[c];
		st = add(out, "lyap/trace_steps", t, ax_steps, 1, attrs);
	}
	if (!st) {
		json_t *a = json_deep_copy(attrs);
		st = a && !json_object_set_new(a, "lower_bound", json_boolean(r->dimension_bound))
		     ? add(out, "lyap/dimension", scalar(r->dimension), NULL, 0, a) : DK_ENOMEM;
		json_decref(a);
	}
	if (!st) {
		json_t *a = json_deep_copy(attrs);
		/* with k < n and the last exponent positive, positive ones may be missing */
		st = a && !json_object_set_new(a, "partial", json_boolean(k < n && r->exponents[k - 1] > 0))
		     ? add(out, "lyap/entropy", scalar(r->entropy), NULL, 0, a) : DK_ENOMEM;
		json_decref(a);
	}
	if (!st && o->lyap.check) {
		json_t *a = json_deep_copy(attrs);
		st = a && !json_object_set_new(a, "stderr", number(r->check_error)) &&
		     !json_object_set_new(a, "qr", number(r->exponents[0])) &&
		     !json_object_set_new(a, "tolerance", number(r->check_tolerance)) &&
		     !json_object_set_new(a, "agrees", json_boolean(r->check_agrees))
		     ? add(out, "lyap/check", scalar(r->check), NULL, 0, a) : DK_ENOMEM;
		json_decref(a);
	}
	json_decref(attrs);
	return st;
}

/* Progress on a terminal: the percentage of the steps done, when it
   changes. */
static void progress(void *arg, size_t done, size_t total)
{
	int *last = arg, pct = total ? (int)(100.0 * (double)done / (double)total) : 100;
	if (pct != *last) {
		fprintf(stderr, "\r%s: step %zu/%zu (%d%%) ", tool_name(), done, total, pct);
		*last = pct;
	}
}

/* Compute and gather; returns the exit status. */
static int run(options *o, const dk_model *m, const dk_bundle *in, const char *src,
               dk_bundle *out)
{
	size_t n = dk_model_state_size(m);
	trajectory tr = {.x0 = malloc(n * sizeof(double))};
	int status = TOOL_EXIT_FAIL;
	dk_lyap *l = NULL;
	char err[256];
	if (!tr.x0) {
		tool_warn(NULL, "out of memory");
		return TOOL_EXIT_FAIL;
	}
	if (in ? find_trajectory(o, m, in, src, &tr) : random_start(&tr, n, o->lyap.seed))
		goto done;
	if (!o->k_given)
		o->lyap.k = n;
	if (tr.u) {
		size_t pre = o->lyap.transient + o->lyap.basis_transient;
		if (!o->steps_given)
			o->lyap.steps = tr.u_rows > pre ? tr.u_rows - pre : 0;
		if (o->lyap.steps == 0 || pre + o->lyap.steps > tr.u_rows) {
			tool_warn(src, "the input has %zu steps; the transients (%zu) and "
			          "at least one measured step need %zu",
			          tr.u_rows, pre, pre + (o->lyap.steps ? o->lyap.steps : 1));
			goto done;
		}
	}
	int last = -1, tty = isatty(STDERR_FILENO);
	if (tty) {
		o->lyap.progress = progress;
		o->lyap.progress_arg = &last;
	}
	if (dk_lyap_alloc(m, &o->lyap, &l, err, sizeof err)) {
		tool_warn(NULL, "%s", err[0] ? err : "out of memory");
		goto done;
	}
	dk_lyap_result r;
	int st = dk_lyap_run(l, tr.x0, tr.u, tr.u_stride, &r, err, sizeof err);
	if (tty && last >= 0)
		fputc('\n', stderr);
	if (st) {
		tool_warn(src ? src : "model", "%s", st == DK_ENOMEM ? "out of memory" : err);
		goto done;
	}
	if (o->lyap.check && !r.check_agrees)
		tool_warn("check", "the two-trajectory estimate %g differs from the QR's "
		          "largest exponent %g by more than %g", r.check, r.exponents[0],
		          r.check_tolerance);
	if (gather(o, &r, &tr, n, dk_model_is_continuous(m), out)) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	status = TOOL_EXIT_OK;
done:
	dk_lyap_free(l);
	dk_tensor_free(tr.input);
	free(tr.x0);
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_TRANSIENT = TOOL_OPT_FIRST_FREE, OPT_BASIS_TRANSIENT, OPT_CHECKPOINTS,
	       OPT_BLOCKS, OPT_ENTRY, OPT_POINT, OPT_TANGENT, OPT_CHECK };
	static const struct option longopts[] = {
		{"exponents", required_argument, NULL, 'k'},
		{"k", required_argument, NULL, 'k'},
		{"steps", required_argument, NULL, 'T'},
		{"transient", required_argument, NULL, OPT_TRANSIENT},
		{"basis-transient", required_argument, NULL, OPT_BASIS_TRANSIENT},
		{"every", required_argument, NULL, 'e'},
		{"checkpoints", required_argument, NULL, OPT_CHECKPOINTS},
		{"blocks", required_argument, NULL, OPT_BLOCKS},
		{"entry", required_argument, NULL, OPT_ENTRY},
		{"point", required_argument, NULL, OPT_POINT},
		{"seed", required_argument, NULL, 'S'},
		{"tangent", required_argument, NULL, OPT_TANGENT},
		{"check", no_argument, NULL, OPT_CHECK},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {
		.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
		.lyap = {.steps = 1000, .transient = 100, .basis_transient = 100,
		         .every = 1, .checkpoints = 20, .blocks = 10,
		         .tangent = DK_LYAP_JVP, .seed = 1},
	};
	int c;
	tool_init("dk-lyap", argv);
	while ((c = getopt_long(argc, argv, "k:T:e:S:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'k': o.lyap.k = tool_parse_count("--exponents", optarg); o.k_given = 1; break;
		case 'T': o.lyap.steps = tool_parse_count("--steps", optarg); o.steps_given = 1; break;
		case OPT_TRANSIENT: o.lyap.transient = tool_parse_count("--transient", optarg); break;
		case OPT_BASIS_TRANSIENT:
			o.lyap.basis_transient = tool_parse_count("--basis-transient", optarg);
			break;
		case 'e': o.lyap.every = tool_parse_count("--every", optarg); break;
		case OPT_CHECKPOINTS: o.lyap.checkpoints = tool_parse_count("--checkpoints", optarg); break;
		case OPT_BLOCKS: o.lyap.blocks = tool_parse_count("--blocks", optarg); break;
		case OPT_ENTRY: o.entry = tool_parse_count("--entry", optarg); break;
		case OPT_POINT: o.point = tool_parse_count("--point", optarg); break;
		case 'S': o.lyap.seed = (uint64_t)tool_parse_count("--seed", optarg); break;
		case OPT_TANGENT:
			if (!strcmp(optarg, "jvp"))
				o.lyap.tangent = DK_LYAP_JVP;
			else if (!strcmp(optarg, "jacobian"))
				o.lyap.tangent = DK_LYAP_JACOBIAN;
			else
				tool_usage_error("--tangent: jvp or jacobian, not '%s'", optarg);
			break;
		case OPT_CHECK: o.lyap.check = 1; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (argc - optind > 2)
		tool_usage_error("at most one MODEL and one INPUT");
	if (o.k_given && o.lyap.k == 0)
		tool_usage_error("--exponents must be at least 1");
	if (o.steps_given && o.lyap.steps == 0)
		tool_usage_error("--steps must be at least 1");
	if (o.lyap.every == 0)
		tool_usage_error("--every must be at least 1");
	if (o.lyap.checkpoints == 0)
		tool_usage_error("--checkpoints must be at least 1");
	if (o.lyap.blocks < 2)
		tool_usage_error("--blocks must be at least 2");
	const char *model_path = optind < argc ? argv[optind] : "-";
	const char *input_path = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (input_path && !strcmp(model_path, "-") && !strcmp(input_path, "-"))
		tool_usage_error("MODEL and INPUT cannot both be standard input");

	dk_bundle *mb = tool_read_bundle(model_path, o.max_elements);
	dk_bundle *in = mb && input_path ? tool_read_bundle(input_path, o.max_elements) : NULL;
	dk_model *m = NULL;
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (mb && (!input_path || in) && dk_model_from_bundle(mb, &m, err, sizeof err))
		tool_warn(model_path, "%s", err);
	dk_bundle *out = dk_bundle_alloc();
	if (m && out)
		status = run(&o, m, in, input_path, out);
	status = tool_finish(status, o.output, out, json_pack(
		"{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:b}",
		"model", model_path, "input", input_path,
		"exponents", (json_int_t)o.lyap.k, "steps", (json_int_t)o.lyap.steps,
		"transient", (json_int_t)o.lyap.transient,
		"basis_transient", (json_int_t)o.lyap.basis_transient,
		"every", (json_int_t)o.lyap.every, "checkpoints", (json_int_t)o.lyap.checkpoints,
		"blocks", (json_int_t)o.lyap.blocks, "entry", (json_int_t)o.entry,
		"point", (json_int_t)o.point, "seed", (json_int_t)o.lyap.seed,
		"tangent", o.lyap.tangent == DK_LYAP_JVP ? "jvp" : "jacobian",
		"check", o.lyap.check));
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
