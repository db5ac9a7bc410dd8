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
 * it, from that entry's h0 or the model's start as dk-run starts.
 * Progress goes to stderr when it is a terminal.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct {
	const char *output;
	size_t max_elements;
	dk_lyap_options lyap;   /* k and steps 0 until given or fitted */
	size_t entry, point;
	int entry_given, point_given;
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
	       "  -k, --exponents K     exponents to compute (default: all); also --k K\n"
	       "  -T, --steps T         measured steps (default 1000; with an input,\n"
	       "                        what the input has left after the transients)\n"
	       "      --transient T0    steps of the state before the basis starts\n"
	       "                        (default 100)\n"
	       "      --basis-transient T1\n"
	       "                        steps of the basis whose growth is discarded\n"
	       "                        (default 100)\n"
	       "  -e, --every E         orthonormalise every E steps (default 1)\n"
	       "      --checkpoints C   rows of the convergence trace (default 20)\n"
	       "      --blocks NB       blocks for the standard errors (default 10)\n"
	       "      --entry I         the input's batch entry to follow (default 0)\n"
	       "      --point I         the state of INPUT to start from (default 0)\n"
	       "  -S, --seed S          seed of the start state, basis, check (default 1)\n"
	       "      --tangent METHOD  jvp (batched Jacobian-vector products) or\n"
	       "                        jacobian (the dense Jacobian; default jvp)\n"
	       "      --qr METHOD       auto (Cholesky QR once, twice where the basis\n"
	       "                        is ill-conditioned or the sums are read;\n"
	       "                        default), cholesky2 (twice always; the\n"
	       "                        default before auto), cholesky (once) or\n"
	       "                        householder: the same exponents to rounding\n"
	       "      --check           also the largest exponent from two nearby\n"
	       "                        trajectories; warn when they disagree\n"
	       "      --max-state X     a trajectory with an entry beyond X diverges,\n"
	       "                        and is an error (default 1e8)\n"
	       "      --allow-divergence\n"
	       "                        measure a diverging trajectory anyway, with a\n"
	       "                        warning and NaN dimension and entropy\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* Compute and gather (lib/analysis/lyap.h); returns the exit status. */
static int run(options *o, const dk_model *m, const dk_bundle *in, const char *src,
               dk_bundle *out)
{
	dk_lyap_start s = {0};
	dk_lyap *l = NULL;
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (in ? dk_lyap_start_from_bundle(&s, m, in, o->entry_given ? o->entry : DK_LYAP_UNSET,
	                                   o->point_given ? o->point : DK_LYAP_UNSET, err,
	                                   sizeof err)
	       : dk_lyap_start_random(&s, m, o->lyap.seed, err, sizeof err)) {
		tool_warn(src, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (dk_lyap_options_fit(&o->lyap, m, &s, err, sizeof err)) {
		tool_warn(src, "%s", err);
		goto done;
	}
	tool_progress prog, *shown = tool_progress_start(&prog, "step");
	if (shown) {
		o->lyap.progress = tool_progress_show;
		o->lyap.progress_arg = shown;
	}
	if (dk_lyap_alloc(m, &o->lyap, &l, err, sizeof err)) {
		tool_warn(NULL, "%s", err[0] ? err : "out of memory");
		goto done;
	}
	dk_lyap_result r;
	int st = dk_lyap_run(l, s.x0, s.u, s.u_stride, &r, err, sizeof err);
	tool_progress_end(shown);
	if (st) {
		tool_warn(src ? src : "model", "%s%s", st == DK_ENOMEM ? "out of memory" : err,
		          st == DK_ELIMIT ? " (--max-state sets the bound; --allow-divergence "
		          "measures it anyway)" : "");
		goto done;
	}
	if (r.diverged_after)
		tool_warn(src ? src : "model", "the trajectory diverges after step %zu (an "
		          "entry beyond --max-state %g): the exponents are the growth rates of "
		          "its perturbations, not a measure of chaos; dimension and entropy "
		          "are NaN", r.diverged_after, o->lyap.max_state);
	if (o->lyap.check && !r.check_agrees)
		tool_warn("check", "the two-trajectory estimate %g differs from the QR's "
		          "largest exponent %g by more than %g", r.check, r.exponents[0],
		          r.check_tolerance);
	if (dk_lyap_to_bundle(&r, &o->lyap, m, &s, out)) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	status = TOOL_EXIT_OK;
done:
	dk_lyap_free(l);
	dk_lyap_start_clear(&s);
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_TRANSIENT = TOOL_OPT_FIRST_FREE, OPT_BASIS_TRANSIENT, OPT_CHECKPOINTS,
	       OPT_BLOCKS, OPT_ENTRY, OPT_POINT, OPT_TANGENT, OPT_QR, OPT_CHECK, OPT_MAX_STATE,
	       OPT_ALLOW_DIVERGENCE };
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
		{"qr", required_argument, NULL, OPT_QR},
		{"check", no_argument, NULL, OPT_CHECK},
		{"max-state", required_argument, NULL, OPT_MAX_STATE},
		{"allow-divergence", no_argument, NULL, OPT_ALLOW_DIVERGENCE},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {
		.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
		.lyap = {.transient = 100, .basis_transient = 100,
		         .every = 1, .checkpoints = 20, .blocks = 10,
		         .tangent = DK_LYAP_JVP, .seed = 1,
		         .max_state = DK_LYAP_MAX_STATE_DEFAULT},
	};
	int c;
	tool_init_numeric("dk-lyap", argv);
	while ((c = getopt_long(argc, argv, "k:T:e:S:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'k': o.lyap.k = tool_parse_nonzero_count("--exponents", optarg); break;
		case 'T': o.lyap.steps = tool_parse_nonzero_count("--steps", optarg); break;
		case OPT_TRANSIENT: o.lyap.transient = tool_parse_count("--transient", optarg); break;
		case OPT_BASIS_TRANSIENT:
			o.lyap.basis_transient = tool_parse_count("--basis-transient", optarg);
			break;
		case 'e': o.lyap.every = tool_parse_nonzero_count("--every", optarg); break;
		case OPT_CHECKPOINTS:
			o.lyap.checkpoints = tool_parse_nonzero_count("--checkpoints", optarg);
			break;
		case OPT_BLOCKS: o.lyap.blocks = tool_parse_count("--blocks", optarg); break;
		case OPT_ENTRY:
			o.entry = tool_parse_count("--entry", optarg);
			o.entry_given = 1;
			break;
		case OPT_POINT:
			o.point = tool_parse_count("--point", optarg);
			o.point_given = 1;
			break;
		case 'S': o.lyap.seed = (uint64_t)tool_parse_count("--seed", optarg); break;
		case OPT_TANGENT:
			if (dk_lyap_tangent_from_name(optarg, &o.lyap.tangent))
				tool_usage_error("--tangent: jvp or jacobian, not '%s'", optarg);
			break;
		case OPT_QR:
			if (dk_lyap_qr_from_name(optarg, &o.lyap.qr))
				tool_usage_error("--qr: auto, cholesky2, cholesky or householder, not '%s'",
				                 optarg);
			break;
		case OPT_CHECK: o.lyap.check = 1; break;
		case OPT_MAX_STATE:
			o.lyap.max_state = tool_parse_positive("--max-state", optarg);
			break;
		case OPT_ALLOW_DIVERGENCE: o.lyap.allow_divergence = 1; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (argc - optind > 2)
		tool_usage_error("at most one MODEL and one INPUT");
	if (o.lyap.blocks < 2)
		tool_usage_error("--blocks must be at least 2");
	const char *model_path = optind < argc ? argv[optind] : "-";
	const char *input_path = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (!input_path && (o.entry_given || o.point_given))
		tool_usage_error("%s: no INPUT: the run starts from a random state",
		                 o.entry_given ? "--entry" : "--point");
	if (input_path && !strcmp(model_path, "-") && !strcmp(input_path, "-"))
		tool_usage_error("MODEL and INPUT cannot both be standard input");

	dk_bundle *mb, *in;
	dk_model *m = tool_read_model_input(model_path, input_path, o.max_elements, &mb, &in);
	int status = TOOL_EXIT_FAIL;
	dk_bundle *out = dk_bundle_alloc();
	if (m && out)
		status = run(&o, m, in, input_path, out);
	status = tool_finish(status, o.output, out, json_pack(
		"{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s*, s:b, s:f, s:b}",
		"model", model_path, "input", input_path,
		"exponents", (json_int_t)o.lyap.k, "steps", (json_int_t)o.lyap.steps,
		"transient", (json_int_t)o.lyap.transient,
		"basis_transient", (json_int_t)o.lyap.basis_transient,
		"every", (json_int_t)o.lyap.every, "checkpoints", (json_int_t)o.lyap.checkpoints,
		"blocks", (json_int_t)o.lyap.blocks, "entry", (json_int_t)o.entry,
		"point", (json_int_t)o.point, "seed", (json_int_t)o.lyap.seed,
		"tangent", dk_lyap_tangent_name(o.lyap.tangent),
		/* only when not the default */
		"qr", o.lyap.qr == DK_LYAP_QR_AUTO ? NULL : dk_lyap_qr_name(o.lyap.qr),
		"check", o.lyap.check, "max_state", o.lyap.max_state,
		"allow_divergence", o.lyap.allow_divergence));
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
