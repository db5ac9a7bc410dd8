/*
 * test_jac.c -- the Jacobian analysis (lib/analysis/jac.h).  The dense
 * run against dk_model_jacobian (or the field's Jacobian) and
 * dk_spectrum_compute called directly, in both conventions, with vectors,
 * the Schur form and the input Jacobian: the same arithmetic, so equal
 * bit for bit; K leading as the first columns of the full result;
 * dk_fixed_spectra's eigenvalues to rounding; bare matrices of known spectra;
 * the classification by K leading eigenvalues (Arnoldi) against the
 * dense one on a linear map of known spectrum; the records, the
 * pass-through of dk-fixed's records, and the refusals.
 */
#include <config.h>

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static char err[256];

/* The dense run with vectors, Schur form and input Jacobian against the
   direct calls, point by point. */
static void dense_against_direct(dk_model *m, dk_convention conv,
                                 const double *x, size_t P, const double *u)
{
	const char *cn = dk_convention_name(conv);
	size_t n = dk_model_state_size(m), nin = dk_model_input_size(m);
	dk_jac_options o;
	dk_jac_options_default(&o);
	o.convention = conv;
	o.vectors = o.schur = o.input_jacobian = 1;
	dk_jac *w = NULL;
	dk_jac_result *r = NULL;
	is_int(dk_jac_alloc(m, &o, &w, err, sizeof err), DK_OK, "%s: workspace (%s)",
	       cn, err);
	is_int(dk_jac_run(w, x, P, u, &r, err, sizeof err), DK_OK, "%s: run (%s)",
	       cn, err);
	if (!r)
		return;
	ok(r->points == P && r->n == n && r->k == n && r->inputs == nin &&
	   r->eig->shape[0] == P && r->eig->shape[1] == n && !r->resid,
	   "%s: %zu points, n = K = %zu, no residuals", cn, P, n);

	dk_jacobian *jw = NULL;
	dk_jacobian_alloc(m, conv, DK_JACOBIAN_INPUT, &jw, err, sizeof err);
	dk_model_work *mw = dk_model_work_alloc(m, 1);
	dk_spectrum *sp = dk_spectrum_alloc(n, DK_SPECTRUM_VECTORS | DK_SPECTRUM_SCHUR);
	double *J = malloc(n * n * sizeof *J), *Ju = malloc(n * nin * sizeof *Ju);
	double *T = malloc(n * n * sizeof *T), *Z = malloc(n * n * sizeof *Z);
	double *rc = malloc(n * sizeof *rc);
	double complex *eig = malloc(n * sizeof *eig);
	double complex *R = malloc(n * n * sizeof *R), *L = malloc(n * n * sizeof *L);
	int all = 1, cls = 1;
	for (size_t p = 0; p < P; p++) {
		const double *xp = x + p * n;
		if (conv == DK_MAP) /* the model's own dense Jacobian */
			dk_model_jacobian(m, mw, xp, u, J);
		else
			dk_jacobian_state(jw, xp, u, J);
		dk_jacobian_input(jw, xp, u, Ju);
		dk_spectrum_out out = {eig, rc, R, L, T, Z};
		if (dk_spectrum_compute(sp, J, conv, &out, err, sizeof err)) {
			all = 0;
			break;
		}
		dk_spectrum_class c = dk_spectrum_classify(eig, n, conv, o.tol);
		all &= !memcmp((double complex *)r->eig->data + p * n, eig, n * sizeof *eig);
		all &= !memcmp((double *)r->cond->data + p * n, rc, n * sizeof *rc);
		all &= !memcmp((double complex *)r->right->data + p * n * n, R, n * n * sizeof *R);
		all &= !memcmp((double complex *)r->left->data + p * n * n, L, n * n * sizeof *L);
		all &= !memcmp((double *)r->schur_t->data + p * n * n, T, n * n * sizeof *T);
		all &= !memcmp((double *)r->schur_z->data + p * n * n, Z, n * n * sizeof *Z);
		all &= !memcmp((double *)r->input->data + p * n * nin, Ju, n * nin * sizeof *Ju);
		cls &= ((int64_t *)r->index->data)[p] == (int64_t)c.index &&
		       ((unsigned char *)r->stable->data)[p] == c.stable &&
		       ((int64_t *)r->kind->data)[p] == c.kind;
	}
	ok(all, "%s: eigenvalues, conditions, vectors, Schur form and dF/du equal "
	   "the direct calls' bit for bit", cn);
	ok(cls, "%s: index, stability and kind are dk_spectrum_classify's", cn);

	/* K = 3: the leading three of the same rows */
	dk_jac_result *r3 = NULL;
	dk_jac *w3 = NULL;
	o.top = 3;
	o.schur = o.input_jacobian = 0;
	dk_jac_alloc(m, &o, &w3, err, sizeof err);
	is_int(dk_jac_run(w3, x, P, u, &r3, err, sizeof err), DK_OK,
	       "%s: --top 3 runs (%s)", cn, err);
	int lead = r3 && r3->k == 3 && !r3->schur_t && !r3->input;
	for (size_t p = 0; lead && p < P; p++) {
		lead &= !memcmp((double complex *)r3->eig->data + p * 3,
		                (double complex *)r->eig->data + p * n, 3 * sizeof *eig);
		for (size_t i = 0; i < n; i++)
			lead &= !memcmp((double complex *)r3->right->data + (p * n + i) * 3,
			                (double complex *)r->right->data + (p * n + i) * n,
			                3 * sizeof *eig) &&
			        !memcmp((double complex *)r3->left->data + (p * n + i) * 3,
			                (double complex *)r->left->data + (p * n + i) * n,
			                3 * sizeof *eig);
		lead &= ((int64_t *)r3->index->data)[p] == ((int64_t *)r->index->data)[p];
	}
	ok(lead, "%s: K = 3 keeps the first 3 eigenvalues and vector columns, and "
	   "classifies by all n", cn);

	/* dk-fixed's spectra: the same eigenvalues by another LAPACK route
	   (the QR iteration for eigenvalues alone), so equal to rounding:
	   each within 1e-12 of the largest modulus of one of the dense run's
	   (backward-stable routes on the same matrix, whose eigenvalues here
	   are well separated and well conditioned, differ by a few hundred
	   ulps at most), sorted by the convention's key, with the same index */
	if (P) {
		double complex *fe = malloc(P * n * sizeof *fe);
		int64_t *fi = malloc(P * sizeof *fi);
		dk_fixed_points fp = {.count = P, .n = n, .x = (double *)x};
		is_int(dk_fixed_spectra(m, conv, &fp, u, o.tol, fe, fi, err, sizeof err),
		       DK_OK, "%s: dk_fixed_spectra runs (%s)", cn, err);
		int near = 1, sorted = 1;
		for (size_t p = 0; p < P; p++) {
			const double complex *a = fe + p * n;
			const double complex *b = (double complex *)r->eig->data + p * n;
			double scale = cabs(b[0]) > 1 ? cabs(b[0]) : 1;
			for (size_t i = 0; i < n; i++) {
				double best = INFINITY;
				for (size_t j = 0; j < n; j++)
					if (cabs(a[i] - b[j]) < best)
						best = cabs(a[i] - b[j]);
				near &= best <= 1e-12 * scale;
				if (i + 1 < n)
					sorted &= conv == DK_MAP
					          ? cabs(a[i]) >= cabs(a[i + 1]) - 1e-12 * scale
					          : creal(a[i]) >= creal(a[i + 1]) - 1e-12 * scale;
			}
		}
		ok(near && sorted && !memcmp(fi, r->index->data, P * sizeof *fi),
		   "%s: dk_fixed_spectra gives the same eigenvalues to 1e-12, sorted, "
		   "and the same index", cn);
		free(fe);
		free(fi);
	}

	free(J);
	free(Ju);
	free(T);
	free(Z);
	free(rc);
	free(eig);
	free(R);
	free(L);
	dk_spectrum_free(sp);
	dk_model_work_free(mw);
	dk_jacobian_free(jw);
	dk_jac_result_free(r3);
	dk_jac_free(w3);
	dk_jac_result_free(r);
	dk_jac_free(w);
}

static void dense_runs(void)
{
	dk_model_spec spec = {.kind = "ctrnn", .units = 7, .inputs = 2,
	                      .outputs = 1, .act = DK_ACT_TANH, .init = "random",
	                      .gain = 1.5, .seed = 2, .integrator = "rk4"};
	dk_model *m = NULL;
	if (dk_model_create(&spec, &m, err, sizeof err)) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	dk_rng *rng = dk_rng_alloc(9);
	double x[4 * 7], u[2] = {0.3, -0.2};
	for (size_t i = 0; i < 4 * 7; i++)
		x[i] = dk_rng_normal(rng, 1.0);
	dense_against_direct(m, DK_MAP, x, 4, u);
	dense_against_direct(m, DK_FLOW, x, 4, NULL);
	dk_rng_free(rng);
	dk_model_free(m);
}

/* Upper triangular matrices: the diagonal is the spectrum, exactly. */
static void matrices(void)
{
	static const double d[3][4] = {{0.5, -2, 1.5, 0.25},
	                               {0.5, 0.25, -0.75, 0.125},
	                               {3, 2, 0.5, -0.5}};
	static const double want[3][4] = {{-2, 1.5, 0.5, 0.25},
	                                  {-0.75, 0.5, 0.25, 0.125},
	                                  {3, 2, 0.5, -0.5}};
	static const int64_t index[3] = {2, 0, 2}, kind[3] = {3, 1, 3};
	size_t sh[3] = {3, 4, 4};
	dk_tensor *a = dk_tensor_alloc(DK_F4, 0, 3, sh);
	float *f = a->data;
	for (size_t p = 0; p < 3; p++)
		for (size_t i = 0; i < 4; i++)
			for (size_t j = i; j < 4; j++)
				f[(p * 4 + i) * 4 + j] = i == j ? (float)d[p][i]
				                                : (float)(0.25 * (double)(i + 2 * j));
	dk_jac_options o;
	dk_jac_options_default(&o);
	dk_jac_result *r = NULL;
	is_int(dk_jac_matrices(a, "mats", &o, &r, err, sizeof err), DK_OK,
	       "matrices: a (3, 4, 4) f4 tensor (%s)", err);
	int eq = r && r->points == 3 && r->k == 4 && !strcmp(r->source, "mats");
	for (size_t p = 0; eq && p < 3; p++) {
		for (size_t i = 0; i < 4; i++)
			eq &= ((double complex *)r->eig->data)[p * 4 + i] == want[p][i];
		eq &= ((int64_t *)r->index->data)[p] == index[p] &&
		      ((int64_t *)r->kind->data)[p] == kind[p] &&
		      ((unsigned char *)r->stable->data)[p] == (index[p] == 0);
	}
	ok(eq, "matrices: the diagonals sorted by modulus, exactly; index 2, 0, 2; "
	   "saddle, node, saddle");
	dk_bundle *b = dk_bundle_alloc();
	ok(r && !dk_jac_to_bundle(r, NULL, NULL, b) && dk_bundle_size(b) == 5 &&
	   !strcmp(dk_bundle_name(b, 0), "jac/eig") &&
	   !strcmp(json_string_value(json_object_get(
	           dk_meta_attrs(dk_bundle_meta(b, 0)), "source")), "mats"),
	   "matrices: five records from jac/eig, its source the tensor's name");
	dk_bundle_free(b);
	dk_jac_result_free(r);

	o.top = 5;
	is_int(dk_jac_matrices(a, "mats", &o, &r, err, sizeof err), DK_EINVAL,
	       "matrices: K = 5 of 4 is refused: %s", err);
	o.top = 0;
	f[(1 * 4 + 2) * 4 + 3] = NAN;
	is_int(dk_jac_matrices(a, "mats", &o, &r, err, sizeof err), DK_EINVAL,
	       "matrices: a NaN in the second is refused");
	is_str(err, "mats[1]: entry (2, 3) is not finite", "  naming the tensor, "
	       "the matrix and the entry");
	o.method = DK_JAC_ARNOLDI;
	is_int(dk_jac_matrices(a, "mats", &o, &r, err, sizeof err), DK_EINVAL,
	       "matrices: the Arnoldi method needs a model: %s", err);
	dk_tensor_free(a);

	size_t s2[2] = {3, 4};
	a = dk_tensor_alloc(DK_F8, 0, 2, s2);
	dk_jac_options_default(&o);
	is_int(dk_jac_matrices(a, "rect", &o, &r, err, sizeof err), DK_EINVAL,
	       "matrices: (3, 4) is refused");
	is_str(err, "rect: (3, 4) is not a square matrix (n, n) or a batch of them "
	       "(batch, n, n)", "  saying what shapes are taken");
	dk_tensor_free(a);
	s2[0] = 2;
	s2[1] = 2;
	a = dk_tensor_alloc(DK_C16, 0, 2, s2);
	is_int(dk_jac_matrices(a, "c", &o, &r, err, sizeof err), DK_EDTYPE,
	       "matrices: complex ones are refused: %s", err);
	dk_tensor_free(a);
	ok(r == NULL, "matrices: no result after a refusal");
}

/* dk_spectrum_classify_leading on spectra written out. */
static void leading_rule(void)
{
	double complex e[5] = {2, -1.5, 0.5, 0.25, 0.125};
	for (size_t k = 1; k <= 5; k++) {
		dk_spectrum_class c = dk_spectrum_classify_leading(e, k, 5, DK_MAP,
		                                                   1e-10, 0);
		dk_spectrum_class d = dk_spectrum_classify(e, 5, DK_MAP, 1e-10);
		if (k <= 2)
			ok(c.kind == DK_SPECTRUM_UNKNOWN && !c.stable,
			   "map, K = %zu of 5, all K unstable: kind unknown, not stable", k);
		else
			ok(c.kind == d.kind && c.index == d.index && c.stable == d.stable,
			   "map, K = %zu of 5: index %zu and kind %d as all 5 give", k,
			   c.index, c.kind);
	}
	dk_spectrum_class c = dk_spectrum_classify_leading(e, 2, 2, DK_MAP, 1e-10, 0);
	ok(c.index == 2 && c.kind == DK_SPECTRUM_NODE && !c.stable,
	   "map, K = n = 2, both unstable: known, an unstable node of index 2");
	double complex f[3] = {-0.1 + 0.5 * I, -0.1 - 0.5 * I, -3};
	c = dk_spectrum_classify_leading(f, 2, 40, DK_FLOW, 1e-10, 0);
	ok(c.stable && c.index == 0 && c.kind == DK_SPECTRUM_FOCUS,
	   "flow, a stable leading pair of 2 of 40: a stable focus of index 0");
	f[0] = 0.2;
	f[1] = -0.1;
	c = dk_spectrum_classify_leading(f, 2, 40, DK_FLOW, 1e-10, 0);
	ok(!c.stable && c.index == 1 && c.kind == DK_SPECTRUM_SADDLE,
	   "flow, 0.2 and -0.1 leading 40: a saddle of index 1");
	c = dk_spectrum_classify_leading(f, 2, 40, DK_FLOW, 1e-10, 1);
	ok(!c.stable && c.kind == DK_SPECTRUM_UNKNOWN,
	   "values nearest a shift settle nothing");
}

/* A linear rnn (J = W) whose W = Q diag(d) Q, Q a Householder reflection:
   its spectrum is d, moduli apart. */
static dk_model *linear_map(double scale, double *d)
{
	enum { N = 20 };
	dk_model_spec spec = {.kind = "rnn", .units = N, .inputs = 1, .outputs = 1,
	                      .act = DK_ACT_IDENTITY, .init = "random", .seed = 1};
	dk_model *m = NULL;
	if (dk_model_create(&spec, &m, err, sizeof err)) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	double v[N], vv = 0, Q[N * N];
	for (size_t i = 0; i < N; i++) {
		d[i] = scale * (i == 0 ? 1.6 : i == 1 ? -1.3 : i == 2 ? 1.1
		                : (i % 2 ? -0.9 : 0.9) * pow(0.85, (double)i - 3));
		v[i] = 1 + 0.1 * (double)i;
		vv += v[i] * v[i];
	}
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			Q[i * N + j] = (i == j) - 2 * v[i] * v[j] / vv;
	size_t off, cnt;
	dk_model_param_find(m, "model/W", &off, &cnt);
	double *W = dk_model_params(m) + off;
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++) {
			double s = 0;
			for (size_t l = 0; l < N; l++)
				s += Q[i * N + l] * d[l] * Q[l * N + j];
			W[i * N + j] = s;
		}
	return m;
}

static dk_jac_result *run(const dk_model *m, const dk_jac_options *o,
                          const double *x, size_t P)
{
	dk_jac *w = NULL;
	dk_jac_result *r = NULL;
	if (dk_jac_alloc(m, o, &w, err, sizeof err) ||
	    dk_jac_run(w, x, P, NULL, &r, err, sizeof err))
		printf("# %s\n", err);
	dk_jac_free(w);
	return r;
}

static int64_t at(const dk_tensor *t, size_t p)
{
	return t->dtype == DK_B1 ? ((unsigned char *)t->data)[p]
	                         : ((int64_t *)t->data)[p];
}

/* Index, stability and kind of every point of r are (index, stable, kind). */
static int classed(const dk_jac_result *r, int64_t index, int64_t stable,
                   int64_t kind)
{
	int all = r != NULL;
	for (size_t p = 0; all && p < r->points; p++)
		all = at(r->index, p) == index && at(r->stable, p) == stable &&
		      at(r->kind, p) == kind;
	return all;
}

/* The largest |a_ij - b_ij| over the first k columns of a (P, ka) and a
   (P, kb) eigenvalue tensor. */
static double eig_gap(const dk_tensor *a, const dk_tensor *b, size_t k)
{
	double g = 0;
	for (size_t p = 0; p < a->shape[0]; p++)
		for (size_t j = 0; j < k; j++)
			g = fmax(g, cabs(((double complex *)a->data)[p * a->shape[1] + j] -
			                 ((double complex *)b->data)[p * b->shape[1] + j]));
	return g;
}

/* Arnoldi's classification by K leading eigenvalues against the dense one. */
static void arnoldi_against_dense(void)
{
	double d[20], x[2 * 20];
	for (size_t i = 0; i < 40; i++)
		x[i] = 0.1 * (double)i - 2;
	dk_model *m = linear_map(1, d);
	dk_jac_options o;
	dk_jac_options_default(&o);
	dk_jac_result *dense = run(m, &o, x, 2);
	double want = 0;
	for (size_t j = 0; j < 4; j++) /* 1.6, -1.3, 1.1, 0.9 */
		want = fmax(want, cabs(((double complex *)dense->eig->data)[j] - d[j]));
	ok(want < 1e-13, "unstable W: the dense spectrum leads with d (%.1e < 1e-13, "
	   "the rounding of Q diag(d) Q)", want);
	ok(classed(dense, 3, 0, DK_SPECTRUM_SADDLE), "unstable W, dense: a saddle "
	   "of index 3");

	o.method = DK_JAC_ARNOLDI;
	o.top = 3;
	dk_jac_result *a3 = run(m, &o, x, 2);
	ok(a3 && a3->resid && !a3->cond && eig_gap(a3->eig, dense->eig, 3) < 1e-10,
	   "Arnoldi, K = 3: the dense leading 3 to 1e-10 (ARPACK to machine "
	   "precision; W is symmetric, its eigenvalues well conditioned)");
	ok(classed(a3, -1, 0, DK_SPECTRUM_UNKNOWN), "Arnoldi, K = 3, all unstable: "
	   "index and kind -1, not stable");
	o.top = 4;
	dk_jac_result *a4 = run(m, &o, x, 2);
	ok(classed(a4, 3, 0, DK_SPECTRUM_SADDLE), "Arnoldi, K = 4: a saddle of "
	   "index 3, as dense");
	o.top = 2;
	o.arnoldi.shift_invert = 1;
	o.arnoldi.sigma = 1;
	dk_jac_result *si = run(m, &o, x, 2);
	ok(classed(si, -1, 0, DK_SPECTRUM_UNKNOWN), "Arnoldi nearest 1: nothing "
	   "settled (-1), not stable");
	dk_jac_result_free(dense);
	dk_jac_result_free(a3);
	dk_jac_result_free(a4);
	dk_jac_result_free(si);
	dk_model_free(m);

	m = linear_map(0.5, d);
	dk_jac_options_default(&o);
	dense = run(m, &o, x, 2);
	o.method = DK_JAC_ARNOLDI;
	dk_jac_result *a = run(m, &o, x, 2);
	ok(classed(dense, 0, 1, DK_SPECTRUM_NODE) && a && a->k == 6 &&
	   classed(a, 0, 1, DK_SPECTRUM_NODE) && eig_gap(a->eig, dense->eig, 6) < 1e-10,
	   "stable W (d / 2): Arnoldi's default K = 6 of 20 says a stable node of "
	   "index 0, as dense, with its leading 6 to 1e-10");

	/* the records of both */
	dk_bundle *b = dk_bundle_alloc();
	size_t sh[2] = {2, 20};
	dk_tensor *xt = dk_tensor_alloc(DK_F8, 0, 2, sh);
	memcpy(xt->data, x, sizeof x);
	is_int(dk_jac_to_bundle(a, xt, "states", b), DK_OK, "Arnoldi: the records");
	static const char *const an[] = {"jac/x", "jac/eig", "jac/resid",
	                                 "jac/index", "jac/stable", "jac/kind"};
	int names = dk_bundle_size(b) == 6 && !a->eig && !a->resid && !a->index;
	for (size_t i = 0; names && i < 6; i++)
		names = !strcmp(dk_bundle_name(b, i), an[i]);
	ok(names, "  jac/x, eig, resid, index, stable, kind, taken from the result");
	json_t *ea = dk_meta_attrs(dk_bundle_meta(b, 1));
	json_t *ia = dk_meta_attrs(dk_bundle_meta(b, 3));
	ok(!strcmp(json_string_value(json_object_get(ea, "method")), "arnoldi") &&
	   !strcmp(json_string_value(json_object_get(ea, "convention")), "map") &&
	   json_is_null(json_object_get(ea, "source")) &&
	   strstr(json_string_value(json_object_get(ia, "definition")), "-1") &&
	   json_real_value(json_object_get(ia, "tol")) == 1e-10 &&
	   !strcmp(json_string_value(json_object_get(
	           dk_meta_attrs(dk_bundle_meta(b, 0)), "source")), "states"),
	   "  jac/eig says arnoldi, map, no source; jac/index the tol and what -1 "
	   "means; jac/x where the states came from");
	dk_bundle_free(b);

	dk_jac_options_default(&o);
	o.vectors = o.schur = o.input_jacobian = 1;
	dk_jac_result *full = run(m, &o, x, 2);
	b = dk_bundle_alloc();
	is_int(dk_jac_to_bundle(full, NULL, NULL, b), DK_OK, "dense: the records");
	static const char *const dn[] = {"jac/eig", "jac/cond", "jac/index",
	                                 "jac/stable", "jac/kind", "jac/right",
	                                 "jac/left", "jac/schur_t", "jac/schur_z",
	                                 "jac/input"};
	names = dk_bundle_size(b) == 10;
	for (size_t i = 0; names && i < 10; i++)
		names = !strcmp(dk_bundle_name(b, i), dn[i]);
	ok(names, "  without states: eig, cond, index, stable, kind, right, left, "
	   "schur_t, schur_z, input");
	const dk_tensor *in = dk_bundle_tensor(b, 9);
	ok(in->rank == 3 && in->shape[0] == 2 && in->shape[1] == 20 &&
	   in->shape[2] == 1, "  jac/input is (2, 20, 1)");
	dk_bundle_free(b);
	dk_jac_result_free(full);

	/* the limit on the results */
	dk_jac_options_default(&o);
	o.max_elements = 39;
	dk_jac *w = NULL;
	dk_jac_alloc(m, &o, &w, err, sizeof err);
	dk_jac_result *r = NULL;
	is_int(dk_jac_run(w, x, 2, NULL, &r, err, sizeof err), DK_ELIMIT,
	       "2 x 20 eigenvalues over a limit of 39: %s", err);
	dk_jac_free(w);

	dk_jac_result_free(dense);
	dk_jac_result_free(a);
	dk_model_free(m);
}

/* fp/... records beside fp/x travel on, unchanged. */
static void fixed_records(void)
{
	dk_bundle *in = dk_bundle_alloc(), *out = dk_bundle_alloc();
	size_t sx[2] = {3, 4}, s3[1] = {3}, s5[1] = {5};
	dk_meta *qm = dk_meta_new("fp/q");
	dk_meta_set_attr(qm, "note", json_string("kept"));
	dk_bundle_add(in, "fp/x", NULL, dk_tensor_alloc(DK_F8, 0, 2, sx));
	dk_bundle_add(in, "fp/q", qm, dk_tensor_alloc(DK_F8, 0, 1, s3));
	dk_bundle_add(in, "fp/kind", NULL, dk_tensor_alloc(DK_I8, 0, 1, s3));
	dk_bundle_add(in, "fp/other", NULL, dk_tensor_alloc(DK_F8, 0, 1, s5));
	dk_bundle_add(in, "run/loss", NULL, dk_tensor_alloc(DK_F8, 0, 1, s3));
	((double *)dk_bundle_tensor(in, 1)->data)[2] = 0.5;
	is_int(dk_jac_fixed_records(in, "fp/x", 3, out), DK_OK, "fp/x: passes");
	ok(dk_bundle_size(out) == 2 && !strcmp(dk_bundle_name(out, 0), "fp/q") &&
	   !strcmp(dk_bundle_name(out, 1), "fp/kind") &&
	   ((double *)dk_bundle_tensor(out, 0)->data)[2] == 0.5 &&
	   dk_bundle_tensor(out, 1)->dtype == DK_I8 &&
	   !strcmp(json_string_value(json_object_get(
	           dk_meta_attrs(dk_bundle_meta(out, 0)), "note")), "kept"),
	   "  fp/q and fp/kind, values, dtype and attrs kept; not fp/x, nor fp/other "
	   "(5 rows), nor run/loss");
	dk_bundle_free(out);
	out = dk_bundle_alloc();
	is_int(dk_jac_fixed_records(in, "states", 3, out), DK_OK, "states: passes");
	is_int(dk_bundle_size(out), 0, "  nothing, for states from elsewhere");
	dk_bundle_free(out);
	dk_bundle_free(in);
}

/* K's default and bounds, and what a workspace refuses. */
static void refusals(void)
{
	dk_jac_options o;
	dk_jac_options_default(&o);
	is_int(dk_jac_resolve_top(&o, 6, err, sizeof err), DK_OK, "dense, K unset: ok");
	is_int(o.top, 0, "  and stays 0: all n");
	o.top = 7;
	is_int(dk_jac_resolve_top(&o, 6, err, sizeof err), DK_EINVAL,
	       "dense, K = 7 of 6: %s", err);
	o.method = DK_JAC_ARNOLDI;
	o.top = 0;
	dk_jac_resolve_top(&o, 9, err, sizeof err);
	is_int(o.top, 6, "Arnoldi, n = 9: K = 6 by default");
	o.top = 0;
	dk_jac_resolve_top(&o, 8, err, sizeof err);
	is_int(o.top, 1, "Arnoldi, n = 8: K = 1 by default");
	o.top = 7;
	is_int(dk_jac_resolve_top(&o, 8, err, sizeof err), DK_EINVAL,
	       "Arnoldi, K = 7 of 8: %s", err);

	double d[20];
	dk_model *m = linear_map(1, d);
	dk_jac *w = NULL;
	dk_jac_options_default(&o);
	o.convention = DK_FLOW;
	is_int(dk_jac_alloc(m, &o, &w, err, sizeof err), DK_EINVAL,
	       "flow on a discrete-time model: %s", err);
	dk_jac_options_default(&o);
	o.method = DK_JAC_ARNOLDI;
	o.schur = 1;
	is_int(dk_jac_alloc(m, &o, &w, err, sizeof err), DK_EINVAL,
	       "Arnoldi with the Schur form: %s", err);
	dk_jac_options_default(&o);
	o.tol = NAN;
	is_int(dk_jac_alloc(m, &o, &w, err, sizeof err), DK_EINVAL,
	       "a NaN tolerance: %s", err);
	ok(w == NULL, "no workspace after a refusal");
	dk_jac_free(NULL);
	dk_jac_result_free(NULL);
	dk_model_free(m);
}

int main(void)
{
	dense_runs();
	matrices();
	leading_rule();
	arnoldi_against_dense();
	fixed_records();
	refusals();
	return tap_done();
}
