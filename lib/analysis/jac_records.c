/*
 * jac_records.c -- the schema of the Jacobian analysis: its result as the
 * jac/... records of dk-stream(5), each with its axes and the attrs that
 * say how to read it (convention, sort order, tolerance, definitions),
 * and the fp/... records of dk-fixed that travel on beside them.
 */
#include <config.h>

#include <string.h>

#include "analysis/jac.h"
#include "analysis/spectrum.h"
#include "base/status.h"
#include "stream/names.h"

/* Add *t (taken; NULL after) to b under name, with attrs (taken, NULL
   when their allocation failed), unless an earlier step failed (*st):
   then just free it. */
static void put(dk_bundle *b, int *st, const char *name, dk_tensor **t,
                const char *const *axes, size_t naxes, json_t *attrs)
{
	if (*t && !*st)
		*st = attrs ? dk_bundle_add_record(b, name, *t, axes, naxes, attrs)
		            : (dk_tensor_free(*t), DK_ENOMEM);
	else
		dk_tensor_free(*t);
	*t = NULL;
	json_decref(attrs);
}

static const char *sort_text(dk_convention conv)
{
	return conv == DK_MAP
	       ? "modulus descending, then real part descending, then "
	         "positive imaginary part first"
	       : "real part descending, then |imaginary part| descending, "
	         "then positive imaginary part first";
}

int dk_jac_to_bundle(dk_jac_result *r, dk_tensor *x, const char *x_source,
                     dk_bundle *b)
{
	static const char *const a1[] = {"point"}, *const a2[] = {"point", "k"};
	static const char *const ax[] = {"point", "unit"};
	static const char *const a3[] = {"point", "unit", "k"};
	static const char *const aq[] = {"point", "unit", "unit"};
	static const char *const ai[] = {"point", "unit", "input"};
	static const char *const vec = "column j is the eigenvector of "
	                               "jac/eig[j], unit 2-norm, its first "
	                               "largest-modulus entry real and positive";
	const dk_jac_options *o = &r->options;
	const char *conv = dk_convention_name(o->convention);
	int st = DK_OK;
	put(b, &st, DK_NAME_JAC_X, &x, ax, 2,
	    json_pack("{s:s}", "source", x_source ? x_source : ""));
	put(b, &st, DK_NAME_JAC_EIG, &r->eig, a2, 2,
	    json_pack("{s:s, s:s, s:s, s:o}", "convention", conv, "sort",
	              sort_text(o->convention), "method",
	              dk_jac_method_name(o->method), "source",
	              r->source ? json_string(r->source) : json_null()));
	put(b, &st, DK_NAME_JAC_RESID, &r->resid, a2, 2,
	    json_pack("{s:s}", "definition", "||J v - lambda v|| of each Ritz "
	              "pair, v of unit 2-norm, computed with the model's jvp"));
	put(b, &st, DK_NAME_JAC_COND, &r->cond, a2, 2,
	    json_pack("{s:s, s:s}", "convention", conv, "definition",
	              "reciprocal condition number |y^H x| of each eigenvalue, "
	              "y and x its unit left and right eigenvectors (LAPACK "
	              "dtrsna's S)"));
	put(b, &st, DK_NAME_JAC_INDEX, &r->index, a1, 1,
	    json_pack("{s:s, s:f, s:s}", "convention", conv, "tol", o->tol,
	              "definition", o->method == DK_JAC_ARNOLDI
	              ? "unstable directions, a complex pair counting two; -1 "
	                "where all K leading eigenvalues are unstable, so the "
	                "count is not known"
	              : "unstable directions, a complex pair counting two"));
	put(b, &st, DK_NAME_JAC_STABLE, &r->stable, a1, 1,
	    json_pack("{s:s, s:f}", "convention", conv, "tol", o->tol));
	put(b, &st, DK_NAME_JAC_KIND, &r->kind, a1, 1,
	    json_pack("{s:s, s:f, s:{s:i, s:i, s:i, s:i}}", "convention", conv,
	              "tol", o->tol, "codes", "nonhyperbolic",
	              DK_SPECTRUM_NONHYPERBOLIC, "node", DK_SPECTRUM_NODE,
	              "focus", DK_SPECTRUM_FOCUS, "saddle", DK_SPECTRUM_SADDLE));
	put(b, &st, DK_NAME_JAC_RIGHT, &r->right, a3, 3,
	    json_pack("{s:s, s:s}", "columns", vec, "definition", "J x = lambda x"));
	put(b, &st, DK_NAME_JAC_LEFT, &r->left, a3, 3,
	    json_pack("{s:s, s:s}", "columns", vec, "definition",
	              "y^H J = lambda y^H"));
	put(b, &st, DK_NAME_JAC_SCHUR_T, &r->schur_t, aq, 3,
	    json_pack("{s:s}", "definition", "J = Z T Z^T, T quasi-triangular "
	              "in LAPACK's order"));
	put(b, &st, DK_NAME_JAC_SCHUR_Z, &r->schur_z, aq, 3,
	    json_pack("{s:s}", "definition", "J = Z T Z^T, Z orthogonal"));
	put(b, &st, DK_NAME_JAC_INPUT, &r->input, ai, 3,
	    json_pack("{s:s}", "definition", "dF/du of the step F"));
	return st;
}

int dk_jac_fixed_records(const dk_bundle *in, const char *name, size_t P,
                         dk_bundle *out)
{
	if (!name || strcmp(name, DK_NAME_FP_X))
		return DK_OK;
	int st = DK_OK;
	for (long i = dk_bundle_match(in, DK_NAME_FP_ALL, 0); !st && i >= 0;
	     i = dk_bundle_match(in, DK_NAME_FP_ALL, (size_t)i + 1)) {
		const dk_tensor *t = dk_bundle_tensor(in, (size_t)i);
		const char *nm = dk_bundle_name(in, (size_t)i);
		if (!strcmp(nm, DK_NAME_FP_X) || t->rank < 1 || t->shape[0] != P)
			continue;
		dk_tensor *copy;
		st = dk_tensor_convert(t, t->dtype, &copy);
		if (!st)
			st = dk_bundle_add(out, nm,
			                   dk_meta_copy(dk_bundle_meta(in, (size_t)i)),
			                   copy);
	}
	return st;
}
