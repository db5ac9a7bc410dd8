/*
 * dk-jac -- Jacobians of a model at given states, and their spectra:
 * sorted eigenvalues, condition numbers, stability, index and kind of
 * each point, optionally eigenvectors, Schur forms and input Jacobians.
 *
 *	dk-fixed model.npy states.npy | dk-jac model.npy > spectra.npy
 *	dk-jac --matrix J.npy
 *
 * With --matrix the input is bare square matrices instead, so the
 * spectra can be checked against LAPACK or NumPy directly.  The analysis
 * (dense, or matrix-free with --arnoldi) and its records are
 * lib/analysis/jac.h's; this is options, reading and writing.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

enum { OPT_TOL = TOOL_OPT_FIRST_FREE, OPT_SHIFT, OPT_NCV, OPT_ARNOLDI_TOL,
       OPT_SEED };

typedef struct {
	const char *output;
	size_t max_elements;
	dk_jac_options jo;      /* the analysis's options */
	int matrix;             /* bare matrices instead of a model */
	int have_conv;          /* --convention given; else the model's own */
	double *u;              /* owned: its values; NULL for zero input */
	size_t nu;
} options;

static void usage(void)
{
	printf("Usage: dk-jac [OPTION]... MODEL [STATES]\n"
	       "  or:  dk-jac --matrix [OPTION]... [FILE]\n"
	       "The Jacobian of MODEL at each state of STATES (standard input when absent\n"
	       "or -): fp/x from dk-fixed, states from dk-run, or a bare array whose last\n"
	       "axis is the state.  Writes jac/x, jac/eig (sorted eigenvalues), jac/cond\n"
	       "(reciprocal condition numbers), jac/index, jac/stable and jac/kind\n"
	       "(0 nonhyperbolic, 1 node, 2 focus, 3 saddle).  With --matrix, the\n"
	       "spectra of the (n, n) or (batch, n, n) tensors of FILE instead.\n"
	       "\n"
	       "  -c, --convention C    map (|lambda| < 1 is stable; eigenvalues sorted by\n"
	       "                        modulus) or flow (Re lambda < 0; sorted by real\n"
	       "                        part); default flow for continuous-time models and\n"
	       "                        map otherwise (map with --matrix)\n"
	       "  -k, --top K           keep the K leading eigenvalues (default all)\n"
	       "  -v, --vectors         also right and left eigenvectors (jac/right, jac/left)\n"
	       "  -s, --schur           also the real Schur form (jac/schur_t, jac/schur_z)\n"
	       "  -j, --input-jacobian  also dF/du of the step (jac/input)\n"
	       "  -u, --input U         the constant input: comma-separated values, one\n"
	       "                        per model input (default zero)\n"
	       "  -m, --matrix          take bare square matrices instead of a model\n"
	       "  -a, --arnoldi         matrix-free: the K leading eigenvalues (--top,\n"
	       "                        default 6; 1 for 8 units or fewer) by ARPACK on\n"
	       "                        the model's jvp, with their residuals (jac/resid);\n"
	       "                        largest modulus for maps, largest real part for\n"
	       "                        flows\n"
	       "      --shift SIGMA     with --arnoldi: the K eigenvalues nearest SIGMA\n"
	       "                        (shift-invert, solves by GMRES); e.g. 1 for maps,\n"
	       "                        0 for flows\n"
	       "      --ncv M           with --arnoldi: Arnoldi basis size (default\n"
	       "                        max(2K + 1, 40))\n"
	       "      --arnoldi-tol T   with --arnoldi: relative accuracy of the values\n"
	       "                        (default machine precision)\n"
	       "      --seed S          with --arnoldi: seed of the start vector (default 0)\n"
	       "      --tol T           how far from the stability boundary an eigenvalue\n"
	       "                        must be to count as stable or unstable (default 1e-10)\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* The settings, after defaults, for the provenance. */
static json_t *options_json(const options *o, const char *model)
{
	json_t *r = json_pack("{s:s?, s:b}", "model", model, "matrix", o->matrix);
	if (r && json_object_update_new(r, dk_jac_options_to_json(&o->jo, o->u, o->nu))) {
		json_decref(r);
		r = NULL;
	}
	return r;
}

/* Stamp b with prov (none when NULL: records passed through keep their
   own) and write it; returns 0 or 1 (warned). */
static int write_group(tool_output *out, dk_bundle *b, json_t *prov)
{
	int st = prov ? tool_bundle_stamp(b, prov) : DK_OK;
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		return 1;
	}
	if (dk_bundle_write(b, out->w)) {
		tool_warn(out->path ? out->path : "stdout", "write error");
		return 1;
	}
	return 0;
}

/* The spectra of MODEL's Jacobians at STATES; *prov becomes the
   provenance (the model decides the default convention and K). */
static int run_model(options *o, const char *model_path, const char *states_path,
                     tool_output *out, json_t **prov)
{
	dk_bundle *mb = tool_read_bundle(model_path, o->max_elements);
	dk_bundle *sb = mb ? tool_read_bundle(states_path, o->max_elements) : NULL;
	dk_bundle *pass = NULL, *b = NULL;
	dk_model *m = NULL;
	dk_tensor *X = NULL;
	dk_jac *w = NULL;
	const char *name;
	char err[256];
	int st, fail = 1;
	if (!sb)
		goto done;
	if (dk_model_from_bundle(mb, &m, err, sizeof err)) {
		tool_warn(model_path, "%s", err);
		goto done;
	}
	size_t n = dk_model_state_size(m);
	if (o->u && dk_model_check_inputs(m, o->nu, err, sizeof err)) {
		tool_warn("--input", "%s", err);
		goto done;
	}
	if (!o->have_conv)
		o->jo.convention = dk_convention_of(m);
	if (dk_jac_resolve_top(&o->jo, n, err, sizeof err)) {
		tool_warn("--top", "%s", err);
		goto done;
	}
	if (!(*prov = tool_provenance(options_json(o, model_path)))) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	if (dk_points_from_bundle(sb, n, &X, &name, err, sizeof err)) {
		tool_warn(states_path, "%s", err);
		goto done;
	}
	tool_progress prog, *shown = tool_progress_start(&prog, "state");
	o->jo.progress = shown ? tool_progress_show : NULL;
	o->jo.progress_arg = shown;
	if ((st = dk_jac_alloc(m, &o->jo, &w, err, sizeof err))) {
		tool_warn(model_path, "%s%s", err, st == DK_ENOMEM &&
		          o->jo.method == DK_JAC_DENSE ? " (--arnoldi)" : "");
		goto done;
	}
	st = dk_jac_points_to_bundles(w, X, name, sb, o->u, &pass, &b, err, sizeof err);
	X = NULL;
	tool_progress_end(shown);
	if (st)
		tool_warn(st == DK_ENOMEM ? NULL : states_path, "%s", err);
	else
		fail = write_group(out, pass, NULL) || write_group(out, b, *prov);
done:
	dk_jac_free(w);
	dk_tensor_free(X);
	dk_bundle_free(b);
	dk_bundle_free(pass);
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(sb);
	return fail;
}

/* The spectra of each (n, n) or (batch, n, n) tensor of path, a group of
   jac/... records each; *prov becomes the provenance. */
static int run_matrices(const options *o, const char *path, tool_output *out,
                        json_t **prov)
{
	dk_bundle *in = tool_read_bundle(path, o->max_elements);
	if (!in)
		return 1;
	int fail = !(*prov = tool_provenance(options_json(o, NULL)));
	if (fail)
		tool_warn(NULL, "out of memory");
	else if ((fail = dk_bundle_size(in) == 0))
		tool_warn(path, "no matrices");
	for (size_t i = 0; i < dk_bundle_size(in) && !fail; i++) {
		dk_bundle *b = NULL;
		char err[256];
		int st = dk_jac_matrices_to_bundle(dk_bundle_tensor(in, i), dk_bundle_name(in, i),
		                                   &o->jo, &b, err, sizeof err);
		if (st)
			tool_warn(st == DK_ENOMEM ? NULL : path, "%s", err);
		fail = st || write_group(out, b, *prov);
		dk_bundle_free(b);
	}
	dk_bundle_free(in);
	return fail;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"convention", required_argument, NULL, 'c'},
		{"top", required_argument, NULL, 'k'},
		{"vectors", no_argument, NULL, 'v'},
		{"schur", no_argument, NULL, 's'},
		{"input-jacobian", no_argument, NULL, 'j'},
		{"input", required_argument, NULL, 'u'},
		{"matrix", no_argument, NULL, 'm'},
		{"arnoldi", no_argument, NULL, 'a'},
		{"shift", required_argument, NULL, OPT_SHIFT},
		{"ncv", required_argument, NULL, OPT_NCV},
		{"arnoldi-tol", required_argument, NULL, OPT_ARNOLDI_TOL},
		{"seed", required_argument, NULL, OPT_SEED},
		{"tol", required_argument, NULL, OPT_TOL},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	dk_jac_options *j = &o.jo;
	int c;
	int arnoldi_only = 0; /* an option that needs --arnoldi was given */
	dk_jac_options_default(j);
	tool_init_numeric("dk-jac", argv);
	while ((c = getopt_long(argc, argv, "c:k:vsju:mao:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		arnoldi_only |= c == OPT_SHIFT || c == OPT_NCV || c == OPT_ARNOLDI_TOL ||
		                c == OPT_SEED;
		switch (c) {
		case 'c':
			if (dk_convention_from_name(optarg, &j->convention))
				tool_usage_error("--convention: '%s' is neither map nor flow", optarg);
			o.have_conv = 1;
			break;
		case 'k':
			j->top = tool_parse_nonzero_count("--top", optarg);
			break;
		case 'v': j->vectors = 1; break;
		case 's': j->schur = 1; break;
		case 'j': j->input_jacobian = 1; break;
		case 'u':
			if (o.u)
				tool_usage_error("--input given twice");
			o.u = tool_parse_numbers("--input", optarg, &o.nu);
			break;
		case 'm': o.matrix = 1; break;
		case 'a': j->method = DK_JAC_ARNOLDI; break;
		case OPT_SHIFT:
			j->arnoldi.sigma = tool_parse_real("--shift", optarg, -INFINITY, INFINITY);
			j->arnoldi.shift_invert = 1;
			break;
		case OPT_NCV: j->arnoldi.ncv = tool_parse_count("--ncv", optarg); break;
		case OPT_ARNOLDI_TOL:
			j->arnoldi.tol = tool_parse_real("--arnoldi-tol", optarg, 0, INFINITY);
			break;
		case OPT_SEED: j->arnoldi.seed = tool_parse_count("--seed", optarg); break;
		case OPT_TOL: j->tol = tool_parse_real("--tol", optarg, 0, INFINITY); break;
		case 'o': o.output = optarg; break;
		}
	}
	const char *model_path = NULL, *in_path = "-";
	int arnoldi = j->method == DK_JAC_ARNOLDI;
	j->max_elements = o.max_elements;
	if (arnoldi_only && !arnoldi)
		tool_usage_error("--shift, --ncv, --arnoldi-tol and --seed go with --arnoldi");
	if (arnoldi && (o.matrix || j->schur || j->input_jacobian))
		tool_usage_error("--arnoldi takes a model, without --matrix, --schur or "
		                 "--input-jacobian");
	if (o.matrix) {
		if (argc - optind > 1)
			tool_usage_error("--matrix takes one FILE");
		if (j->input_jacobian || o.u)
			tool_usage_error("--input and --input-jacobian need a model, not --matrix");
		if (optind < argc)
			in_path = argv[optind];
	} else {
		if (optind >= argc || argc - optind > 2)
			tool_usage_error(optind >= argc ? "which MODEL?" : "one MODEL and one STATES");
		model_path = argv[optind];
		if (optind + 1 < argc)
			in_path = argv[optind + 1];
		if (!strcmp(model_path, "-") && !strcmp(in_path, "-"))
			tool_usage_error("MODEL and STATES cannot both be standard input");
	}

	tool_output out;
	if (tool_output_open(&out, o.output)) {
		free(o.u);
		return TOOL_EXIT_FAIL;
	}
	json_t *prov = NULL;
	int fail = o.matrix ? run_matrices(&o, in_path, &out, &prov)
	                    : run_model(&o, model_path, in_path, &out, &prov);
	json_decref(prov);
	free(o.u);
	int status = tool_output_close(&out, !fail);
	return fail ? TOOL_EXIT_FAIL : status;
}
