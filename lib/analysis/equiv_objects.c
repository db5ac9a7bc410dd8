/*
 * equiv_objects.c -- the shift equivariance of a set of fixed points
 * (see equiv_objects.h): each fixed point moved by each shift, its
 * residual as a fixed point, its distance to the nearest point of the
 * set (a missing orbit member when that is above the tolerance), and the
 * spectrum of the Jacobian there against the point's own.
 *
 * The E shifted copies of one point go through the model as one batch,
 * so a point costs one step of E states; the spectra cost a dense
 * Jacobian and its eigenvalues each, which is why they are refused
 * above a state size.
 */
#include <config.h>

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/equiv_impl.h"
#include "analysis/equiv_objects.h"
#include "analysis/jacobian.h"
#include "analysis/points.h"
#include "analysis/spectrum.h"
#include "base/status.h"
#include "stream/meta.h"
#include "stream/names.h"

dk_equiv_objects_options dk_equiv_objects_options_default(void)
{
	return (dk_equiv_objects_options){
		.tolerance = DK_EQUIV_OBJECTS_TOLERANCE_DEFAULT, .spectra = 1,
		.spectra_max = DK_EQUIV_OBJECTS_SPECTRA_MAX,
	};
}

void dk_equiv_objects_result_clear(dk_equiv_objects_result *r)
{
	free(r->shifts);
	free(r->residual);
	free(r->distance);
	free(r->nearest);
	free(r->missing_at);
	free(r->spectrum_error);
	free(r->lyap_exponents);
	free(r->lyap_difference);
	memset(r, 0, sizeof *r);
}

static double norm(size_t n, const double *x)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i] * x[i];
	return sqrt(s);
}

static double distance(size_t n, const double *a, const double *b)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (a[i] - b[i]) * (a[i] - b[i]);
	return sqrt(s);
}

/* a / b, with 0 / 0 as 0 and x / 0 as infinity. */
static double ratio(double a, double b)
{
	return a == 0 ? 0 : b == 0 ? INFINITY : a / b;
}

/*
 * The largest distance between the spectra a (sorted) and b, each value
 * of a matched in turn with the nearest value of b not yet matched;
 * used marks b's matched ones.  Equal eigenvalues of a degenerate
 * spectrum (a circulant's come in pairs) may come in either order, so
 * the sorted lists are not compared entry by entry.
 */
static double spectrum_distance(size_t n, const double complex *a,
                                const double complex *b, char *used)
{
	double worst = 0;
	memset(used, 0, n);
	for (size_t i = 0; i < n; i++) {
		size_t best = n;
		double d = INFINITY;
		for (size_t j = 0; j < n; j++)
			if (!used[j] && (best == n || cabs(a[i] - b[j]) < d))
				best = j, d = cabs(a[i] - b[j]);
		used[best] = 1;
		worst = fmax(worst, isnan(d) ? INFINITY : d);
	}
	return worst;
}

/* What one run needs besides the result. */
typedef struct {
	size_t n, nu, E;
	double *gx, *gu, *f;     /* E x n, E x nu, E x n */
	size_t *perm, *permu;    /* E x n, E x nu */
	dk_model_work *w;
	dk_jacobian *jac;
	dk_spectrum *spec;
	double *J;
	double complex *eig0, *eig;
	char *used;
} work;

static void work_free(work *k)
{
	free(k->gx), free(k->gu), free(k->f), free(k->perm), free(k->permu);
	dk_model_work_free(k->w);
	dk_jacobian_free(k->jac);
	dk_spectrum_free(k->spec);
	free(k->J), free(k->eig0), free(k->eig), free(k->used);
}

static int work_alloc(work *k, const dk_model *m, const dk_equiv_objects_result *r,
                      int spectra, char *err, size_t errlen)
{
	size_t n = k->n, nu = k->nu, E = k->E;
	k->gx = malloc(E * n * sizeof *k->gx);
	k->f = malloc(E * n * sizeof *k->f);
	k->gu = malloc(E * (nu ? nu : 1) * sizeof *k->gu);
	k->perm = malloc(E * n * sizeof *k->perm);
	k->permu = malloc(E * (nu ? nu : 1) * sizeof *k->permu);
	k->w = dk_model_work_alloc(m, E);
	if (!k->gx || !k->f || !k->gu || !k->perm || !k->permu || !k->w)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	medium md = dk_equiv_medium_of(&r->layout);
	for (size_t e = 0; e < E; e++) {
		size_t dy = r->axes == 2 ? (size_t)r->shifts[2 * e] : 0;
		size_t dx = (size_t)r->shifts[r->axes * e + r->axes - 1];
		dk_equiv_shift_perm(md, md.C, dy, dx, k->perm + e * n);
		if (r->input_transformed)
			dk_equiv_shift_perm(md, nu / (md.H * md.W), dy, dx,
			                    k->permu + e * nu);
	}
	if (!spectra)
		return DK_OK;
	int st = dk_jacobian_alloc(m, DK_MAP, 0, &k->jac, err, errlen);
	if (st)
		return st;
	k->spec = dk_spectrum_alloc(n, 0);
	k->J = malloc(n * n * sizeof *k->J);
	k->eig0 = malloc(n * sizeof *k->eig0);
	k->eig = malloc(n * sizeof *k->eig);
	k->used = malloc(n);
	if (!k->spec || !k->J || !k->eig0 || !k->eig || !k->used)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	return DK_OK;
}

/* The sorted eigenvalues of the step's Jacobian at (x, u) into eig. */
static int eigenvalues(work *k, const double *x, const double *u,
                       double complex *eig, char *err, size_t errlen)
{
	int st = dk_jacobian_state(k->jac, x, u, k->J);
	if (st)
		return dk_errorf(st, err, errlen, "the Jacobian: %s", dk_strerror(st));
	dk_spectrum_out out = {.eig = eig};
	return dk_spectrum_compute(k->spec, k->J, DK_MAP, &out, err,
	                           errlen);
}

/* Point p's row of the result: its shifted copies against the set. */
static int measure_point(const dk_model *m, work *k, size_t P,
                         const double *x, const int64_t *kind,
                         const double *u, size_t p, dk_equiv_objects_result *r,
                         char *err, size_t errlen)
{
	size_t n = k->n, nu = k->nu, E = k->E;
	const double *xp = x + p * n;
	for (size_t e = 0; e < E; e++) {
		for (size_t i = 0; i < n; i++)
			k->gx[e * n + i] = xp[k->perm[e * n + i]];
		for (size_t i = 0; u && i < nu; i++)
			k->gu[e * nu + i] = r->input_transformed ?
			                    u[k->permu[e * nu + i]] : u[i];
	}
	int st = dk_model_step(m, k->w, E, k->gx, u ? k->gu : NULL, k->f, NULL);
	if (st)
		return dk_errorf(st, err, errlen, "the model's step: %s",
		                 dk_strerror(st));
	double size = norm(n, xp);
	for (size_t e = 0; e < E; e++) {
		const double *g = k->gx + e * n;
		double res = ratio(distance(n, k->f + e * n, g), norm(n, g));
		double best = INFINITY;
		int64_t nearest = -1;
		for (size_t j = 0; j < P; j++)
			if (!kind || kind[j] == 1) {
				double d = distance(n, g, x + j * n);
				if (nearest < 0 || d < best)
					best = d, nearest = (int64_t)j;
			}
		best = ratio(best, size);
		r->residual[p * E + e] = isnan(res) ? INFINITY : res;
		r->distance[p * E + e] = best;
		r->nearest[p * E + e] = nearest;
		r->max_residual = fmax(r->max_residual, r->residual[p * E + e]);
		if (!(best <= r->tolerance)) {
			r->missing_at[2 * r->missing] = (int64_t)p;
			r->missing_at[2 * r->missing + 1] = (int64_t)e;
			r->missing++;
		}
	}
	if (!r->spectrum_error)
		return DK_OK;
	if ((st = eigenvalues(k, xp, u, k->eig0, err, errlen)))
		return st;
	double scale = cabs(k->eig0[0]);  /* sorted by modulus, descending */
	for (size_t e = 0; e < E; e++) {
		if ((st = eigenvalues(k, k->gx + e * n, u ? k->gu + e * nu : NULL,
		                      k->eig, err, errlen)))
			return st;
		double d = ratio(spectrum_distance(n, k->eig0, k->eig, k->used), scale);
		r->spectrum_error[p * E + e] = d;
		r->max_spectrum = fmax(r->max_spectrum, d);
	}
	return DK_OK;
}

static void summarize(dk_equiv_objects_result *r)
{
	char sp[200] = "";
	int used = 0;
	if (r->spectrum_error)
		used = snprintf(sp, sizeof sp, "; spectra at the shifted points differ "
		              "by %.3g at most", r->max_spectrum);
	if (r->lyap_difference) {
		double d = 0, sig = 0;
		for (size_t e = 0; e < r->elements; e++)
			d = fmax(d, r->lyap_difference[2 * e]),
			sig = fmax(sig, r->lyap_difference[2 * e + 1]);
		snprintf(sp + used, sizeof sp - (size_t)used, "; Lyapunov exponents from "
		         "shifted starts differ by %.3g at most (%.3g standard errors)",
		         d, sig);
	}
	if (r->missing == 0) {
		snprintf(r->summary, sizeof r->summary, "closed under %zu shifts: every "
		         "shifted copy of the %zu fixed points is in the set to %g "
		         "(largest residual %.3g)%s", r->elements, r->fixed,
		         r->tolerance, r->max_residual, sp);
		return;
	}
	size_t p = (size_t)r->missing_at[0], e = (size_t)r->missing_at[1];
	char at[48];
	if (r->axes == 1)
		snprintf(at, sizeof at, "%lld", (long long)r->shifts[e]);
	else
		snprintf(at, sizeof at, "(%lld, %lld)", (long long)r->shifts[2 * e],
		         (long long)r->shifts[2 * e + 1]);
	snprintf(r->summary, sizeof r->summary, "not closed under %zu shifts: %zu "
	         "shifted copies of the %zu fixed points are missing from the set "
	         "(first: point %zu, shift %s, residual %.3g, distance %.3g; largest "
	         "residual %.3g)%s", r->elements, r->missing, r->fixed, p, at,
	         r->residual[p * r->elements + e], r->distance[p * r->elements + e],
	         r->max_residual, sp);
}

int dk_equiv_objects_run(const dk_model *m, const dk_equiv_options *o,
                         const dk_equiv_objects_options *oo, size_t P,
                         const double *x, const int64_t *kind,
                         const double *u, dk_equiv_objects_result *r,
                         char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	if (!(isfinite(oo->tolerance) && oo->tolerance > 0))
		return dk_errorf(DK_EINVAL, err, errlen, "tolerance must be finite and "
		                 "positive, not %g", oo->tolerance);
	if (oo->spectra && n > oo->spectra_max)
		return dk_errorf(DK_ELIMIT, err, errlen, "spectra: a state of %zu units "
		                 "is above the %zu of dense Jacobians", n, oo->spectra_max);
	if (P == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "points: the set is empty");
	if (dk_equiv_first_not_finite(P * n, x) < P * n)
		return dk_errorf(DK_EINVAL, err, errlen, "points: point %zu is not "
		                 "finite", dk_equiv_first_not_finite(P * n, x) / n);
	if (u && dk_equiv_first_not_finite(nu, u) < nu)
		return dk_errorf(DK_EINVAL, err, errlen, "input: not finite");
	int st = dk_equiv_layout(m, o, &r->layout, err, errlen);
	if (!st)
		st = dk_equiv_list_shifts(o, &r->layout, &r->axes, &r->elements,
		                          &r->shifts, err, errlen);
	if (st)
		return st;
	medium md = dk_equiv_medium_of(&r->layout);
	size_t E = r->elements;
	r->points = P, r->n = n, r->tolerance = oo->tolerance;
	r->input_transformed = nu > 0 && nu % (md.H * md.W) == 0;
	for (size_t p = 0; p < P; p++)
		r->fixed += !kind || kind[p] == 1;
	r->residual = malloc(P * E * sizeof *r->residual);
	r->distance = malloc(P * E * sizeof *r->distance);
	r->nearest = malloc(P * E * sizeof *r->nearest);
	r->missing_at = malloc(2 * P * E * sizeof *r->missing_at);
	if (oo->spectra)
		r->spectrum_error = malloc(P * E * sizeof *r->spectrum_error);
	work k = {.n = n, .nu = nu, .E = E};
	if (!r->residual || !r->distance || !r->nearest || !r->missing_at ||
	    (oo->spectra && !r->spectrum_error))
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	if (!st)
		st = work_alloc(&k, m, r, oo->spectra, err, errlen);
	for (size_t p = 0; !st && p < P; p++) {
		if (kind && kind[p] != 1) {
			for (size_t e = 0; e < E; e++) {
				r->residual[p * E + e] = r->distance[p * E + e] = NAN;
				r->nearest[p * E + e] = -1;
				if (r->spectrum_error)
					r->spectrum_error[p * E + e] = NAN;
			}
			continue;
		}
		st = measure_point(m, &k, P, x, kind, u, p, r, err, errlen);
	}
	work_free(&k);
	if (!st && r->fixed == 0)
		st = dk_errorf(DK_EINVAL, err, errlen, "points: none of the %zu is a "
		               "fixed point (kind 1)", P);
	if (!st && oo->lyapunov_steps)
		st = dk_equiv_objects_lyapunov(m, oo, u, r, err, errlen);
	if (st)
		dk_equiv_objects_result_clear(r);
	else
		summarize(r);
	return st;
}

/* The input dk-fixed held its points at: attrs.fixed.input of fp/x, m
   values, or NULL (zero input) when there is none. */
static int fixed_input(const dk_bundle *b, const char *name, size_t nu,
                       double *u, int *found, char *err, size_t errlen)
{
	*found = 0;
	long i = dk_bundle_find(b, name);
	json_t *attrs = i < 0 ? NULL : dk_meta_attrs(dk_bundle_meta(b, (size_t)i));
	json_t *in = json_object_get(json_object_get(attrs, "fixed"), "input");
	if (!json_is_array(in))
		return DK_OK;
	if (json_array_size(in) != nu)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: attrs fixed.input holds "
		                 "%zu values, the model takes %zu inputs", name,
		                 json_array_size(in), nu);
	for (size_t k = 0; k < nu; k++) {
		json_t *v = json_array_get(in, k);
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: attrs fixed.input "
			                 "[%zu] is not a finite number", name, k);
		u[k] = json_number_value(v);
	}
	*found = nu > 0;
	return DK_OK;
}

int dk_equiv_objects_from_bundle(const dk_model *m, const dk_equiv_options *o,
                                 const dk_equiv_objects_options *oo,
                                 const dk_bundle *b, dk_equiv_objects_result *r,
                                 char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	dk_tensor *x = NULL;
	const char *name = NULL;
	memset(r, 0, sizeof *r);
	int st = dk_points_from_bundle(b, n, &x, &name, err, errlen);
	if (st)
		return st;
	size_t P = x->shape[0];  /* (points, n) */
	const dk_tensor *kt = dk_bundle_get(b, DK_NAME_FP_KIND);
	const int64_t *kind = NULL;
	if (kt && (kt->dtype != DK_I8 || kt->rank != 1 || kt->shape[0] != P))
		st = dk_errorf(DK_EINVAL, err, errlen, "%s: not 64-bit integers, one "
		               "per point of %s", DK_NAME_FP_KIND, name);
	else if (kt)
		kind = (const int64_t *)kt->data;
	double *u = malloc((nu ? nu : 1) * sizeof *u);
	int found = 0;
	if (!st && !u)
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	if (!st)
		st = fixed_input(b, name, nu, u, &found, err, errlen);
	if (!st && dk_bundle_get(b, DK_NAME_FP_U))
		st = dk_errorf(DK_EINVAL, err, errlen, "%s: points held at inputs of "
		               "their own are not measured; one input for the set",
		               DK_NAME_FP_U);
	if (!st)
		st = dk_equiv_objects_run(m, o, oo, P, (const double *)x->data, kind,
		                          found ? u : NULL, r, err, errlen);
	free(u);
	dk_tensor_free(x);
	return st;
}
