/*
 * dk-jac -- Jacobians of a model at given states, and their spectra:
 * sorted eigenvalues, condition numbers, stability, index and kind of
 * each point, optionally eigenvectors, Schur forms and input Jacobians.
 *
 *	dk-fixed model.npy states.npy | dk-jac model.npy > spectra.npy
 *	dk-jac --matrix J.npy
 *
 * With --matrix the input is bare square matrices instead, so the
 * spectra can be checked against LAPACK or NumPy directly.  Two methods:
 * dense (LAPACK on the whole Jacobian) and, with --arnoldi, the K leading
 * eigenvalues matrix-free (ARPACK on the model's jvp, lib/analysis/
 * leading.h) for models too large for a dense Jacobian.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

enum { OPT_TOL = TOOL_OPT_FIRST_FREE, OPT_ARNOLDI, OPT_SHIFT, OPT_NCV,
       OPT_ARNOLDI_TOL, OPT_SEED };

typedef struct {
	const char *output;
	size_t max_elements;
	const char *method;     /* "dense": LAPACK on the whole Jacobian;
	                           "arnoldi": the top K by ARPACK on jvp */
	int arnoldi;            /* method is "arnoldi" */
	dk_arnoldi_opts ao;     /* its options */
	int matrix;             /* bare matrices instead of a model */
	size_t top;             /* eigenvalues kept; 0 for all */
	int have_conv;          /* --convention given */
	dk_convention conv;
	int vectors, schur, input_jac;
	double *u;              /* owned: its values; NULL for zero input */
	size_t nu;
	double tol;
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
	       "                        default 6) by ARPACK on the model's jvp, with\n"
	       "                        their residuals (jac/resid); largest modulus for\n"
	       "                        maps, largest real part for flows\n"
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
	       "  -o, --output FILE     write FILE atomically instead of stdout\n"
	       "      --max-elements N  refuse tensors of more than N elements\n"
	       "                        (default 2^30)\n"
	       "  -h, --help            show this help and exit\n"
	       "      --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

/* ---- results ---------------------------------------------------------- */

/* The tensors of one group of points, filled point by point. */
typedef struct {
	size_t P, n, k, nin;
	dk_tensor *eig, *cond, *index, *stable, *kind;
	dk_tensor *right, *left, *schur_t, *schur_z, *input;
	dk_tensor *resid;       /* --arnoldi: ||J v - lambda v|| */
	/* owned scratch: all n of one point */
	double complex *eig_all, *R, *L;
	double *cond_all;
} results;

static void results_free(results *r)
{
	dk_tensor_free(r->eig);
	dk_tensor_free(r->cond);
	dk_tensor_free(r->index);
	dk_tensor_free(r->stable);
	dk_tensor_free(r->kind);
	dk_tensor_free(r->right);
	dk_tensor_free(r->left);
	dk_tensor_free(r->schur_t);
	dk_tensor_free(r->schur_z);
	dk_tensor_free(r->input);
	dk_tensor_free(r->resid);
	free(r->eig_all);
	free(r->cond_all);
	free(r->R);
	free(r->L);
}

/* Allocate the outputs; 1 (warned) when over the element limit or out
   of memory. */
static int results_alloc(results *r, const options *o, size_t P, size_t n,
                         size_t nin, const char *src)
{
	memset(r, 0, sizeof *r);
	r->P = P;
	r->n = n;
	r->k = o->top ? o->top : n;
	r->nin = nin;
	size_t k = r->k;
	size_t s1[1] = {P}, s2[2] = {P, k}, s3[3] = {P, n, k}, sq[3] = {P, n, n};
	size_t si[3] = {P, n, nin}, count;
	const size_t *big = o->vectors || o->schur ? sq : s2;
	if (dk_shape_count(o->vectors || o->schur ? 3 : 2, big, 16, &count) ||
	    count > o->max_elements ||
	    (o->input_jac && (dk_shape_count(3, si, 8, &count) || count > o->max_elements))) {
		tool_warn(src, "the results for %zu points of size %zu exceed the "
		          "limit of %zu elements", P, n, o->max_elements);
		return 1;
	}
	r->eig = dk_tensor_alloc(DK_C16, 0, 2, s2);
	r->index = dk_tensor_alloc(DK_I8, 0, 1, s1);
	r->stable = dk_tensor_alloc(DK_B1, 0, 1, s1);
	r->kind = dk_tensor_alloc(DK_I8, 0, 1, s1);
	int ok = r->eig && r->index && r->stable && r->kind;
	if (o->arnoldi) { /* k values and vectors, no condition numbers */
		r->resid = dk_tensor_alloc(DK_F8, 0, 2, s2);
		ok = ok && r->resid;
		if (o->vectors) {
			r->right = dk_tensor_alloc(DK_C16, 0, 3, s3);
			r->R = malloc(n * k * sizeof *r->R);
			ok = ok && r->right && r->R;
		}
		if (!ok)
			tool_warn(src, "out of memory");
		return !ok;
	}
	r->cond = dk_tensor_alloc(DK_F8, 0, 2, s2);
	r->eig_all = malloc(n * sizeof *r->eig_all);
	r->cond_all = malloc(n * sizeof *r->cond_all);
	ok = ok && r->cond && r->eig_all && r->cond_all;
	if (o->vectors) {
		r->right = dk_tensor_alloc(DK_C16, 0, 3, s3);
		r->left = dk_tensor_alloc(DK_C16, 0, 3, s3);
		r->R = malloc(n * n * sizeof *r->R);
		r->L = malloc(n * n * sizeof *r->L);
		ok = ok && r->right && r->left && r->R && r->L;
	}
	if (o->schur) {
		r->schur_t = dk_tensor_alloc(DK_F8, 0, 3, sq);
		r->schur_z = dk_tensor_alloc(DK_F8, 0, 3, sq);
		ok = ok && r->schur_t && r->schur_z;
	}
	if (o->input_jac) {
		r->input = dk_tensor_alloc(DK_F8, 0, 3, si);
		ok = ok && r->input;
	}
	if (!ok) {
		tool_warn(src, "out of memory");
		return 1;
	}
	return 0;
}

/* The spectrum of point p's matrix J into r. */
static int analyse_point(const options *o, dk_spectrum *sp, results *r,
                         size_t p, const double *J, char *err, size_t errlen)
{
	size_t n = r->n, k = r->k;
	dk_spectrum_out out = {
		.eig = r->eig_all,
		.rcond = r->cond_all,
		.right = r->R,
		.left = r->L,
		.schur_t = o->schur ? (double *)r->schur_t->data + p * n * n : NULL,
		.schur_z = o->schur ? (double *)r->schur_z->data + p * n * n : NULL,
	};
	int st = dk_spectrum_compute(sp, J, o->conv, &out, err, errlen);
	if (st)
		return st;
	memcpy((double complex *)r->eig->data + p * k, r->eig_all,
	       k * sizeof *r->eig_all);
	memcpy((double *)r->cond->data + p * k, r->cond_all,
	       k * sizeof *r->cond_all);
	dk_spectrum_class c = dk_spectrum_classify(r->eig_all, n, o->conv, o->tol);
	((int64_t *)r->index->data)[p] = (int64_t)c.index;
	((unsigned char *)r->stable->data)[p] = (unsigned char)c.stable;
	((int64_t *)r->kind->data)[p] = c.kind;
	if (o->vectors) { /* the first k columns */
		double complex *R = (double complex *)r->right->data + p * n * k;
		double complex *L = (double complex *)r->left->data + p * n * k;
		for (size_t i = 0; i < n; i++) {
			memcpy(R + i * k, r->R + i * n, k * sizeof *R);
			memcpy(L + i * k, r->L + i * n, k * sizeof *L);
		}
	}
	return DK_OK;
}

/* Add t to b under name with axes and attrs (both taken; attrs may be
   NULL); frees t on failure. */
static int add(dk_bundle *b, const char *name, dk_tensor *t,
               const char *const *axes, size_t naxes, json_t *attrs)
{
	dk_meta *m = dk_meta_new(name);
	int st = !m || dk_meta_set_axes(m, axes, naxes) ? DK_ENOMEM : DK_OK;
	const char *key;
	json_t *v;
	if (attrs)
		json_object_foreach(attrs, key, v)
			if (!st && dk_meta_set_attr(m, key, json_incref(v)))
				st = DK_ENOMEM;
	json_decref(attrs);
	if (st) {
		dk_meta_free(m);
		dk_tensor_free(t);
		return st;
	}
	return dk_bundle_add(b, name, m, t);
}

static const char *sort_text(dk_convention conv)
{
	return conv == DK_MAP
	       ? "modulus descending, then real part descending, then "
	         "positive imaginary part first"
	       : "real part descending, then |imaginary part| descending, "
	         "then positive imaginary part first";
}

/* Move the results into b, each tensor with its axes and attrs; the
   tensors are taken (NULL in r after). */
static int results_to_bundle(const options *o, results *r, dk_bundle *b,
                             const char *source)
{
	static const char *const a1[] = {"point"}, *const a2[] = {"point", "k"};
	static const char *const a3[] = {"point", "unit", "k"};
	static const char *const aq[] = {"point", "unit", "unit"};
	static const char *const ai[] = {"point", "unit", "input"};
	const char *conv = dk_convention_name(o->conv);
	json_t *src = source ? json_string(source) : json_null();
	int st = add(b, "jac/eig", r->eig, a2, 2,
	             json_pack("{s:s, s:s, s:s, s:O}", "convention", conv, "sort",
	                       sort_text(o->conv), "method", o->method, "source", src));
	if (!st && r->resid)
		st = add(b, "jac/resid", r->resid, a2, 2,
		         json_pack("{s:s}", "definition", "||J v - lambda v|| of each "
		                   "Ritz pair, v of unit 2-norm, computed with the "
		                   "model's jvp"));
	r->resid = NULL;
	if (!st && r->cond)
		st = add(b, "jac/cond", r->cond, a2, 2,
		         json_pack("{s:s, s:s}", "convention", conv, "definition",
		                   "reciprocal condition number |y^H x| of each "
		                   "eigenvalue, y and x its unit left and right "
		                   "eigenvectors (LAPACK dtrsna's S)"));
	if (!st)
		st = add(b, "jac/index", r->index, a1, 1,
		         json_pack("{s:s, s:f, s:s}", "convention", conv, "tol", o->tol,
		                   "definition", o->arnoldi
		                   ? "unstable directions, a complex pair counting "
		                     "two; -1 where all K leading eigenvalues are "
		                     "unstable, so the count is not known"
		                   : "unstable directions, a complex pair counting "
		                     "two"));
	if (!st)
		st = add(b, "jac/stable", r->stable, a1, 1,
		         json_pack("{s:s, s:f}", "convention", conv, "tol", o->tol));
	if (!st)
		st = add(b, "jac/kind", r->kind, a1, 1,
		         json_pack("{s:s, s:f, s:{s:i, s:i, s:i, s:i}}", "convention",
		                   conv, "tol", o->tol, "codes", "nonhyperbolic",
		                   DK_SPECTRUM_NONHYPERBOLIC, "node", DK_SPECTRUM_NODE,
		                   "focus", DK_SPECTRUM_FOCUS, "saddle",
		                   DK_SPECTRUM_SADDLE));
	r->eig = r->cond = r->index = r->stable = r->kind = NULL;
	const char *vec = "column j is the eigenvector of jac/eig[j], unit "
	                  "2-norm, its first largest-modulus entry real and "
	                  "positive";
	if (!st && r->right)
		st = add(b, "jac/right", r->right, a3, 3,
		         json_pack("{s:s, s:s}", "columns", vec, "definition",
		                   "J x = lambda x"));
	if (!st && r->left)
		st = add(b, "jac/left", r->left, a3, 3,
		         json_pack("{s:s, s:s}", "columns", vec, "definition",
		                   "y^H J = lambda y^H"));
	if (!st && r->schur_t)
		st = add(b, "jac/schur_t", r->schur_t, aq, 3,
		         json_pack("{s:s}", "definition", "J = Z T Z^T, T quasi-"
		                   "triangular in LAPACK's order"));
	if (!st && r->schur_z)
		st = add(b, "jac/schur_z", r->schur_z, aq, 3,
		         json_pack("{s:s}", "definition", "J = Z T Z^T, Z orthogonal"));
	if (!st && r->input)
		st = add(b, "jac/input", r->input, ai, 3,
		         json_pack("{s:s}", "definition", "dF/du of the step F"));
	r->right = r->left = r->schur_t = r->schur_z = r->input = NULL;
	json_decref(src);
	return st;
}

static unsigned spectrum_flags(const options *o)
{
	return (o->vectors ? DK_SPECTRUM_VECTORS : 0u) |
	       (o->schur ? DK_SPECTRUM_SCHUR : 0u);
}

/* Stamp b with provenance and write it; returns 0 or 1 (warned). */
static int write_group(tool_output *out, dk_bundle *b, json_t *prov)
{
	int st = tool_bundle_stamp(b, prov);
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

/* ---- a model at states -------------------------------------------------- */

/*
 * When the states are dk-fixed's fp/x, its other per-point tensors (fp/q,
 * fp/kind, fp/iters, ...) go out first, unchanged and with their own
 * provenance, so that a pipe dk-fixed | dk-jac still tells fixed points
 * from slow ones, row by row beside jac/x.
 */
static int pass_fixed_points(const dk_bundle *sb, const char *name, size_t P,
                             tool_output *out)
{
	if (strcmp(name, "fp/x"))
		return 0;
	dk_bundle *pass = dk_bundle_alloc();
	int st = pass ? DK_OK : DK_ENOMEM;
	for (long i = dk_bundle_match(sb, "fp/*", 0); !st && i >= 0;
	     i = dk_bundle_match(sb, "fp/*", (size_t)i + 1)) {
		const dk_tensor *t = dk_bundle_tensor(sb, (size_t)i);
		const char *nm = dk_bundle_name(sb, (size_t)i);
		if (!strcmp(nm, "fp/x") || t->rank < 1 || t->shape[0] != P)
			continue;
		dk_tensor *copy;
		st = dk_tensor_convert(t, t->dtype, &copy);
		if (!st)
			st = dk_bundle_add(pass, nm, dk_meta_copy(dk_bundle_meta(sb, (size_t)i)),
			                   copy);
	}
	if (!st && dk_bundle_write(pass, out->w)) {
		dk_bundle_free(pass);
		tool_warn(out->path ? out->path : "stdout", "write error");
		return 1;
	}
	dk_bundle_free(pass);
	if (st)
		tool_warn(NULL, "%s", dk_strerror(st));
	return st != DK_OK;
}

/*
 * Stability from the K leading eigenvalues alone: every other eigenvalue
 * lies further inside (smaller modulus for a map, smaller real part for
 * a flow), so K values settle stability, and the index too unless all K
 * are unstable (then index and kind are -1: not known).  Shift-invert
 * finds the values nearest a shift, which settle nothing: -1 throughout.
 */
static void classify_leading(const options *o, results *r, size_t p,
                             const double complex *eig)
{
	size_t k = r->k;
	int64_t index = -1, kind = -1;
	int stable = 0;
	if (!o->ao.shift_invert) {
		dk_spectrum_class c = dk_spectrum_classify(eig, k, o->conv, o->tol);
		stable = c.stable;
		if (c.index < k || k == r->n) {
			index = (int64_t)c.index;
			kind = c.kind;
		}
	}
	((int64_t *)r->index->data)[p] = index;
	((unsigned char *)r->stable->data)[p] = (unsigned char)stable;
	((int64_t *)r->kind->data)[p] = kind;
}

/* --arnoldi: the K leading eigenvalues at each state, matrix-free. */
static int leading_points(const options *o, const dk_model *m, const dk_tensor *X,
                          results *r, const char *model_path,
                          const char *states_path)
{
	char err[256];
	dk_leading_work *lw = NULL;
	dk_convention conv = o->conv;
	dk_arnoldi_opts ao = o->ao;
	ao.k = r->k;
	ao.which = conv == DK_FLOW && !ao.shift_invert ? DK_ARNOLDI_LR
	                                                      : DK_ARNOLDI_LM;
	if (dk_leading_alloc(m, conv, &ao, &lw, err, sizeof err)) {
		tool_warn(model_path, "%s", err);
		return 1;
	}
	size_t n = r->n, k = r->k;
	int fail = 0;
	for (size_t p = 0; p < r->P && !fail; p++) {
		double complex *eig = (double complex *)r->eig->data + p * k;
		if (dk_leading_solve(lw, (const double *)X->data + p * n, o->u, eig,
		                     r->R, (double *)r->resid->data + p * k, NULL,
		                     err, sizeof err)) {
			tool_warn(states_path, "state %zu: %s", p, err);
			fail = 1;
			break;
		}
		classify_leading(o, r, p, eig);
		if (r->right)
			memcpy((double complex *)r->right->data + p * n * k, r->R,
			       n * k * sizeof *r->R);
	}
	dk_leading_free(lw);
	return fail;
}

static json_t *options_json(const options *o, const char *model);

/* The spectra of MODEL's Jacobians at STATES; *prov becomes the
   provenance (the model decides the default convention). */
static int run_model(options *o, const char *model_path, const char *states_path,
                     tool_output *out, json_t **prov)
{
	dk_bundle *mb = tool_read_bundle(model_path, o->max_elements);
	dk_bundle *sb = mb ? tool_read_bundle(states_path, o->max_elements) : NULL;
	dk_model *m = NULL;
	dk_tensor *X = NULL;
	dk_jacobian *jw = NULL;
	dk_spectrum *sp = NULL;
	dk_bundle *b = NULL;
	double *J = NULL;
	results r = {0};
	char err[256];
	int fail = 1;
	if (!sb)
		goto done;
	if (dk_model_from_bundle(mb, &m, err, sizeof err)) {
		tool_warn(model_path, "%s", err);
		goto done;
	}
	size_t n = dk_model_state_size(m), nin = dk_model_input_size(m);
	if (o->u && o->nu != nin) {
		tool_warn("--input", "%zu values; the model takes %zu inputs", o->nu, nin);
		goto done;
	}
	if (!o->have_conv)
		o->conv = dk_convention_of(m);
	if (o->arnoldi && !o->top)
		o->top = n > 8 ? 6 : 1;
	if (o->top > n || (o->arnoldi && o->top + 2 > n)) {
		tool_warn("--top", o->arnoldi ? "%zu needs a state of more than K + 1 "
		          "units for --arnoldi, not %zu" : "%zu exceeds the state size %zu",
		          o->top, n);
		goto done;
	}
	if (!(*prov = tool_provenance(options_json(o, model_path)))) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	const char *name;
	if (dk_points_from_bundle(sb, n, &X, &name, err, sizeof err)) {
		tool_warn(states_path, "%s", err);
		goto done;
	}
	size_t P = X->shape[0];
	if (o->arnoldi) {
		if (results_alloc(&r, o, P, n, nin, states_path) ||
		    !(b = dk_bundle_alloc()) ||
		    leading_points(o, m, X, &r, model_path, states_path)) {
			if (!b)
				tool_warn(NULL, "out of memory");
			goto done;
		}
		goto write;
	}
	if (dk_jacobian_alloc(m, o->conv, o->input_jac ? DK_JACOBIAN_INPUT : 0u, &jw,
	                      err, sizeof err)) {
		tool_warn(model_path, "%s", err);
		goto done;
	}
	if (results_alloc(&r, o, P, n, nin, states_path))
		goto done;
	sp = dk_spectrum_alloc(n, spectrum_flags(o));
	J = malloc(n * n * sizeof *J);
	b = dk_bundle_alloc();
	if (!sp || !J || !b) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	for (size_t p = 0; p < P; p++) {
		const double *x = (const double *)X->data + p * n;
		int st = dk_jacobian_state(jw, x, o->u, J);
		if (!st)
			st = analyse_point(o, sp, &r, p, J, err, sizeof err);
		else
			snprintf(err, sizeof err, "%s", dk_strerror(st));
		if (!st && o->input_jac)
			st = dk_jacobian_input(jw, x, o->u, (double *)r.input->data + p * n * nin);
		if (st) {
			tool_warn(states_path, "state %zu: %s", p, err);
			goto done;
		}
	}
write:;
	static const char *const ax[] = {"point", "unit"};
	int st = add(b, "jac/x", X, ax, 2, json_pack("{s:s}", "source", name));
	X = NULL;
	if (!st)
		st = results_to_bundle(o, &r, b, NULL);
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		goto done;
	}
	fail = pass_fixed_points(sb, name, P, out) || write_group(out, b, *prov);
done:
	results_free(&r);
	dk_bundle_free(b);
	free(J);
	dk_spectrum_free(sp);
	dk_jacobian_free(jw);
	dk_tensor_free(X);
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(sb);
	return fail;
}

/* ---- bare matrices ------------------------------------------------------ */

/* The spectra of one (n, n) or (batch, n, n) tensor. */
static int one_matrix(const options *o, const char *src, const char *name,
                      const dk_tensor *t, dk_spectrum **sp, tool_output *out,
                      json_t *prov)
{
	char shape[128], err[256];
	dk_shape_format(shape, sizeof shape, t->rank, t->shape);
	if (t->dtype == DK_C16 || t->dtype == DK_BYTES) {
		tool_warn(src, "%s: matrices must be real, not %s", name,
		          dk_dtype_name(t->dtype));
		return 1;
	}
	int r3 = t->rank == 3;
	if ((t->rank != 2 && !r3) || t->shape[r3] != t->shape[r3 + 1] ||
	    t->shape[r3] == 0) {
		tool_warn(src, "%s: %s is not a square matrix (n, n) or a batch of "
		          "them (batch, n, n)", name, shape);
		return 1;
	}
	size_t P = r3 ? t->shape[0] : 1, n = t->shape[r3];
	if (o->top > n) {
		tool_warn("--top", "%zu exceeds the matrix size %zu (%s)", o->top, n, name);
		return 1;
	}
	if (*sp && dk_spectrum_size(*sp) != n) {
		dk_spectrum_free(*sp);
		*sp = NULL;
	}
	if (!*sp && !(*sp = dk_spectrum_alloc(n, spectrum_flags(o)))) {
		tool_warn(NULL, "out of memory");
		return 1;
	}
	dk_tensor *f8 = NULL;
	dk_bundle *b = NULL;
	results r;
	int fail = 1;
	if (results_alloc(&r, o, P, n, 0, src))
		goto done;
	if (dk_tensor_convert(t, DK_F8, &f8) || !(b = dk_bundle_alloc())) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	for (size_t p = 0; p < P; p++)
		if (analyse_point(o, *sp, &r, p, (const double *)f8->data + p * n * n,
		                  err, sizeof err)) {
			if (r3)
				tool_warn(src, "%s[%zu]: %s", name, p, err);
			else
				tool_warn(src, "%s: %s", name, err);
			goto done;
		}
	if (results_to_bundle(o, &r, b, name)) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	fail = write_group(out, b, prov);
done:
	results_free(&r);
	dk_bundle_free(b);
	dk_tensor_free(f8);
	return fail;
}

static int run_matrices(const options *o, const char *path, tool_output *out,
                        json_t *prov)
{
	dk_bundle *in = tool_read_bundle(path, o->max_elements);
	if (!in)
		return 1;
	int fail = 0;
	if (dk_bundle_size(in) == 0) {
		tool_warn(path, "no matrices");
		fail = 1;
	}
	dk_spectrum *sp = NULL;
	for (size_t i = 0; i < dk_bundle_size(in) && !fail; i++)
		fail = one_matrix(o, path, dk_bundle_name(in, i), dk_bundle_tensor(in, i),
		                  &sp, out, prov);
	dk_spectrum_free(sp);
	dk_bundle_free(in);
	return fail;
}

/* ---- main --------------------------------------------------------------- */

static json_t *options_json(const options *o, const char *model)
{
	json_t *u = json_array();
	for (size_t i = 0; u && i < o->nu; i++)
		json_array_append_new(u, json_real(o->u[i]));
	json_t *j = json_pack("{s:s?, s:b, s:s, s:s, s:I, s:b, s:b, s:b, s:o, s:f}",
	                      "model", model, "matrix", o->matrix, "method", o->method,
	                      "convention", dk_convention_name(o->conv),
	                      "top", (json_int_t)o->top, "vectors", o->vectors,
	                      "schur", o->schur, "input_jacobian", o->input_jac,
	                      "input", u, "tol", o->tol);
	if (j && o->arnoldi) /* the solver's settings, defaults as 0 */
		json_object_set_new(j, "arnoldi",
		                    json_pack("{s:o, s:I, s:f, s:I}",
		                              "shift", o->ao.shift_invert
		                              ? json_real(o->ao.sigma) : json_null(),
		                              "ncv", (json_int_t)o->ao.ncv,
		                              "tol", o->ao.tol,
		                              "seed", (json_int_t)o->ao.seed));
	return j;
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
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	             .method = "dense", .conv = DK_MAP, .tol = 1e-10};
	int c;
	int arnoldi_only = 0; /* an option that needs --arnoldi was given */
	dk_arnoldi_opts_default(&o.ao);
	tool_init("dk-jac", argv);
	while ((c = getopt_long(argc, argv, "c:k:vsju:mao:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'c':
			if (dk_convention_from_name(optarg, &o.conv))
				tool_usage_error("--convention: '%s' is neither map nor flow", optarg);
			o.have_conv = 1;
			break;
		case 'k':
			o.top = tool_parse_count("--top", optarg);
			if (o.top == 0)
				tool_usage_error("--top: K must be at least 1");
			break;
		case 'v': o.vectors = 1; break;
		case 's': o.schur = 1; break;
		case 'j': o.input_jac = 1; break;
		case 'u':
			if (o.u)
				tool_usage_error("--input given twice");
			o.u = tool_parse_numbers("--input", optarg, &o.nu);
			break;
		case 'm': o.matrix = 1; break;
		case 'a': o.arnoldi = 1; o.method = "arnoldi"; break;
		case OPT_SHIFT:
			o.ao.sigma = tool_parse_real("--shift", optarg, -INFINITY, INFINITY);
			o.ao.shift_invert = 1;
			arnoldi_only = 1;
			break;
		case OPT_NCV:
			o.ao.ncv = tool_parse_count("--ncv", optarg);
			arnoldi_only = 1;
			break;
		case OPT_ARNOLDI_TOL:
			o.ao.tol = tool_parse_real("--arnoldi-tol", optarg, 0, INFINITY);
			arnoldi_only = 1;
			break;
		case OPT_SEED:
			o.ao.seed = tool_parse_count("--seed", optarg);
			arnoldi_only = 1;
			break;
		case OPT_TOL:
			o.tol = tool_parse_real("--tol", optarg, 0, INFINITY);
			break;
		case 'o': o.output = optarg; break;
		}
	}
	const char *model_path = NULL, *in_path = "-";
	if (arnoldi_only && !o.arnoldi)
		tool_usage_error("--shift, --ncv, --arnoldi-tol and --seed go with --arnoldi");
	if (o.arnoldi && (o.matrix || o.schur || o.input_jac))
		tool_usage_error("--arnoldi takes a model, without --matrix, --schur or "
		                 "--input-jacobian");
	if (o.matrix) {
		if (argc - optind > 1)
			tool_usage_error("--matrix takes one FILE");
		if (o.input_jac || o.u)
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
	int fail;
	json_t *prov = NULL;
	if (o.matrix) {
		prov = tool_provenance(options_json(&o, NULL));
		if (!prov)
			tool_warn(NULL, "out of memory");
		fail = prov ? run_matrices(&o, in_path, &out, prov) : 1;
	} else {
		fail = run_model(&o, model_path, in_path, &out, &prov);
	}
	json_decref(prov);
	free(o.u);
	int status = tool_output_close(&out, !fail);
	return fail ? TOOL_EXIT_FAIL : status;
}
