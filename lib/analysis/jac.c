/*
 * jac.c -- the Jacobian analysis at a set of states (jac.h): for each
 * state, its Jacobian, the spectrum and the point's classification into
 * one row of the result.  Dense, through dk_spectrum_compute, with
 * condition numbers and, when asked, vectors and the Schur form
 * (dk_fixed_spectra, which wants eigenvalues alone, takes LAPACK's
 * shorter route to them, sorted and classified the same way);
 * matrix-free, the leading eigenvalues and the rule of
 * dk_spectrum_classify_leading take its place.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/jac.h"
#include "analysis/jacobian.h"
#include "analysis/leading.h"
#include "analysis/spectrum.h"
#include "base/status.h"

struct dk_jac {
	const dk_model *m;        /* borrowed; NULL for bare matrices */
	dk_jac_options o;         /* copied: top settled, arnoldi.k and .which set */
	size_t n, nin, k;
	dk_jacobian *jw;          /* owned: dense, a model */
	double *J;                /* owned: n x n, dense, a model */
	dk_spectrum *sp;          /* owned: dense */
	double complex *eig_all;  /* owned: n, dense: every eigenvalue of a point */
	double *cond_all;         /* owned: n, dense */
	double complex *R, *L;    /* owned, vectors: a point's, n x n (dense;
	                             right and left) or n x K (Arnoldi; R only) */
	dk_leading_work *lw;      /* owned: Arnoldi */
};

const char *dk_jac_method_name(dk_jac_method m)
{
	return m == DK_JAC_DENSE ? "dense" : m == DK_JAC_ARNOLDI ? "arnoldi" : NULL;
}

void dk_jac_options_default(dk_jac_options *o)
{
	memset(o, 0, sizeof *o);
	o->convention = DK_MAP;
	o->method = DK_JAC_DENSE;
	o->tol = 1e-10;
	dk_arnoldi_opts_default(&o->arnoldi);
}

int dk_jac_resolve_top(dk_jac_options *o, size_t n, char *err, size_t errlen)
{
	int arnoldi = o->method == DK_JAC_ARNOLDI;
	if (arnoldi && !o->top)
		o->top = n > 8 ? 6 : 1;
	if (o->top > n || (arnoldi && o->top + 2 > n))
		return dk_errorf(DK_EINVAL, err, errlen, arnoldi
		                 ? "%zu needs a state of more than K + 1 units for "
		                   "the Arnoldi method, not %zu"
		                 : "%zu exceeds the state size %zu", o->top, n);
	return DK_OK;
}

/* What every workspace checks of its options; model says whether there
   is a model (the Arnoldi method and the input Jacobian need one). */
static int check_options(const dk_jac_options *o, int model, char *err,
                         size_t errlen)
{
	if (!dk_jac_method_name(o->method))
		return dk_errorf(DK_EINVAL, err, errlen, "unknown method %d",
		                 (int)o->method);
	if (o->convention != DK_MAP && o->convention != DK_FLOW)
		return dk_errorf(DK_EINVAL, err, errlen, "unknown convention %d",
		                 (int)o->convention);
	if (!(o->tol >= 0) || !isfinite(o->tol))
		return dk_errorf(DK_EINVAL, err, errlen, "the tolerance %g is not "
		                 "a finite number >= 0", o->tol);
	if (o->method == DK_JAC_ARNOLDI && (o->schur || o->input_jacobian))
		return dk_errorf(DK_EINVAL, err, errlen, "the Schur form and the "
		                 "input Jacobian need the dense method");
	if (!model && (o->method == DK_JAC_ARNOLDI || o->input_jacobian))
		return dk_errorf(DK_EINVAL, err, errlen, "the Arnoldi method and "
		                 "the input Jacobian need a model");
	return DK_OK;
}

static int no_memory(char *err, size_t errlen)
{
	return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
}

/* Out of memory for the dense method at state size n: how much it takes
   at the least (the Jacobian and the copy its eigensolver works on), so
   that the user sees why and that a matrix-free method is the way. */
static int no_memory_dense(size_t n, char *err, size_t errlen)
{
	double bytes = 2.0 * (double)n * (double)n * (double)sizeof(double);
	return dk_errorf(DK_ENOMEM, err, errlen, "out of memory: the dense "
	                 "Jacobian of a state of %zu needs at least %.3g GiB (two "
	                 "%zu x %zu matrices); the matrix-free Arnoldi method "
	                 "needs a few vectors of %zu", n, bytes / 1073741824.0, n, n, n);
}

void dk_jac_free(dk_jac *w)
{
	if (!w)
		return;
	dk_jacobian_free(w->jw);
	free(w->J);
	dk_spectrum_free(w->sp);
	free(w->eig_all);
	free(w->cond_all);
	free(w->R);
	free(w->L);
	dk_leading_free(w->lw);
	free(w);
}

/* The dense parts of w: the spectrum's workspace and a point's scratch,
   and with a model its Jacobians'. */
static int dense_alloc(dk_jac *w, char *err, size_t errlen)
{
	const dk_jac_options *o = &w->o;
	size_t n = w->n;
	if (w->m) {
		int st = dk_jacobian_alloc(w->m, o->convention,
		                           o->input_jacobian ? DK_JACOBIAN_INPUT : 0u,
		                           &w->jw, err, errlen);
		if (st)
			return st;
		if (n > SIZE_MAX / sizeof *w->J / n ||
		    !(w->J = malloc(n * n * sizeof *w->J)))
			return no_memory_dense(n, err, errlen);
	}
	w->sp = dk_spectrum_alloc(n, (o->vectors ? DK_SPECTRUM_VECTORS : 0u) |
	                             (o->schur ? DK_SPECTRUM_SCHUR : 0u));
	w->eig_all = malloc(n * sizeof *w->eig_all);
	w->cond_all = malloc(n * sizeof *w->cond_all);
	if (o->vectors) {
		w->R = malloc(n * n * sizeof *w->R);
		w->L = malloc(n * n * sizeof *w->L);
	}
	if (!w->sp || !w->eig_all || !w->cond_all ||
	    (o->vectors && (!w->R || !w->L)))
		return no_memory_dense(n, err, errlen);
	return DK_OK;
}

/* The matrix-free parts: largest modulus for maps, largest real part for
   flows, or with a shift the values nearest it (by modulus of the
   inverted ones). */
static int leading_alloc(dk_jac *w, char *err, size_t errlen)
{
	dk_arnoldi_opts *ao = &w->o.arnoldi;
	ao->k = w->k;
	ao->which = w->o.convention == DK_FLOW && !ao->shift_invert
	            ? DK_ARNOLDI_LR : DK_ARNOLDI_LM;
	int st = dk_leading_alloc(w->m, w->o.convention, ao, &w->lw, err, errlen);
	if (st)
		return st;
	if (w->o.vectors && !(w->R = malloc(w->n * w->k * sizeof *w->R)))
		return no_memory(err, errlen);
	return DK_OK;
}

int dk_jac_alloc(const dk_model *m, const dk_jac_options *o, dk_jac **out,
                 char *err, size_t errlen)
{
	*out = NULL;
	if (!m || !o)
		return dk_errorf(DK_EINVAL, err, errlen, "no model or no options");
	int st = check_options(o, 1, err, errlen);
	if (st)
		return st;
	dk_jac *w = calloc(1, sizeof *w);
	if (!w)
		return no_memory(err, errlen);
	w->m = m;
	w->o = *o;
	w->n = dk_model_state_size(m);
	w->nin = dk_model_input_size(m);
	st = dk_jac_resolve_top(&w->o, w->n, err, errlen);
	w->k = w->o.top ? w->o.top : w->n;
	if (!st)
		st = o->method == DK_JAC_ARNOLDI ? leading_alloc(w, err, errlen)
		                                 : dense_alloc(w, err, errlen);
	if (st) {
		dk_jac_free(w);
		return st;
	}
	*out = w;
	return DK_OK;
}

void dk_jac_result_free(dk_jac_result *r)
{
	if (!r)
		return;
	dk_tensor *t[] = {r->eig, r->cond, r->resid, r->index, r->stable,
	                  r->kind, r->right, r->left, r->schur_t, r->schur_z,
	                  r->input};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		dk_tensor_free(t[i]);
	free(r->source);
	free(r);
}

/* A result for P points of w's size, its tensors allocated (zero). */
static int result_alloc(const dk_jac *w, size_t P, dk_jac_result **out,
                        char *err, size_t errlen)
{
	const dk_jac_options *o = &w->o;
	size_t n = w->n, k = w->k, nin = w->nin;
	size_t s1[1] = {P}, s2[2] = {P, k}, s3[3] = {P, n, k}, sq[3] = {P, n, n};
	size_t si[3] = {P, n, nin}, count;
	size_t limit = o->max_elements ? o->max_elements : SIZE_MAX;
	int square = o->vectors || o->schur; /* the largest tensor is (P, n, n) */
	if (dk_shape_count(square ? 3 : 2, square ? sq : s2, 16, &count) ||
	    count > limit ||
	    (o->input_jacobian && (dk_shape_count(3, si, 8, &count) || count > limit)))
		return dk_errorf(DK_ELIMIT, err, errlen, "the results for %zu points "
		                 "of size %zu exceed the limit of %zu elements", P, n,
		                 limit);
	dk_jac_result *r = calloc(1, sizeof *r);
	if (!r)
		return no_memory(err, errlen);
	r->options = *o;
	r->points = P;
	r->n = n;
	r->k = k;
	r->inputs = nin;
	r->eig = dk_tensor_alloc(DK_C16, 0, 2, s2);
	r->index = dk_tensor_alloc(DK_I8, 0, 1, s1);
	r->stable = dk_tensor_alloc(DK_B1, 0, 1, s1);
	r->kind = dk_tensor_alloc(DK_I8, 0, 1, s1);
	int ok = r->eig && r->index && r->stable && r->kind;
	if (o->method == DK_JAC_ARNOLDI) { /* K values and vectors, no conditions */
		r->resid = dk_tensor_alloc(DK_F8, 0, 2, s2);
		ok = ok && r->resid;
		if (o->vectors) {
			r->right = dk_tensor_alloc(DK_C16, 0, 3, s3);
			ok = ok && r->right;
		}
	} else {
		r->cond = dk_tensor_alloc(DK_F8, 0, 2, s2);
		ok = ok && r->cond;
		if (o->vectors) {
			r->right = dk_tensor_alloc(DK_C16, 0, 3, s3);
			r->left = dk_tensor_alloc(DK_C16, 0, 3, s3);
			ok = ok && r->right && r->left;
		}
		if (o->schur) {
			r->schur_t = dk_tensor_alloc(DK_F8, 0, 3, sq);
			r->schur_z = dk_tensor_alloc(DK_F8, 0, 3, sq);
			ok = ok && r->schur_t && r->schur_z;
		}
		if (o->input_jacobian) {
			r->input = dk_tensor_alloc(DK_F8, 0, 3, si);
			ok = ok && r->input;
		}
	}
	if (!ok) {
		dk_jac_result_free(r);
		return no_memory(err, errlen);
	}
	*out = r;
	return DK_OK;
}

/* Row p of the classification tensors. */
static void store_class(dk_jac_result *r, size_t p, dk_spectrum_class c)
{
	((int64_t *)r->index->data)[p] =
		c.kind == DK_SPECTRUM_UNKNOWN ? -1 : (int64_t)c.index;
	((unsigned char *)r->stable->data)[p] = (unsigned char)c.stable;
	((int64_t *)r->kind->data)[p] = c.kind;
}

/* Point p's row of r from its n x n matrix J: every eigenvalue, sorted,
   the K leading kept, and the classification by all n. */
static int dense_point(dk_jac *w, const double *J, dk_jac_result *r,
                       size_t p, char *err, size_t errlen)
{
	size_t n = w->n, k = w->k;
	int schur = r->schur_t != NULL;
	dk_spectrum_out out = {
		.eig = w->eig_all,
		.rcond = w->cond_all,
		.right = w->R,
		.left = w->L,
		.schur_t = schur ? (double *)r->schur_t->data + p * n * n : NULL,
		.schur_z = schur ? (double *)r->schur_z->data + p * n * n : NULL,
	};
	int st = dk_spectrum_compute(w->sp, J, w->o.convention, &out, err, errlen);
	if (st)
		return st;
	memcpy((double complex *)r->eig->data + p * k, w->eig_all,
	       k * sizeof *w->eig_all);
	memcpy((double *)r->cond->data + p * k, w->cond_all,
	       k * sizeof *w->cond_all);
	store_class(r, p, dk_spectrum_classify(w->eig_all, n, w->o.convention,
	                                       w->o.tol));
	if (r->right) { /* the first K columns */
		double complex *R = (double complex *)r->right->data + p * n * k;
		double complex *L = (double complex *)r->left->data + p * n * k;
		for (size_t i = 0; i < n; i++) {
			memcpy(R + i * k, w->R + i * n, k * sizeof *R);
			memcpy(L + i * k, w->L + i * n, k * sizeof *L);
		}
	}
	return DK_OK;
}

/* Dense, at state x: its Jacobian, then dense_point, then dF/du. */
static int state_point(dk_jac *w, const double *x, const double *u,
                       dk_jac_result *r, size_t p, char *err, size_t errlen)
{
	int st = dk_jacobian_state(w->jw, x, u, w->J);
	if (st)
		return dk_errorf(st, err, errlen, "the Jacobian: %s", dk_strerror(st));
	st = dense_point(w, w->J, r, p, err, errlen);
	if (st || !r->input)
		return st;
	st = dk_jacobian_input(w->jw, x, u,
	                       (double *)r->input->data + p * w->n * w->nin);
	if (st)
		return dk_errorf(st, err, errlen, "the input Jacobian: %s",
		                 dk_strerror(st));
	return DK_OK;
}

/* Arnoldi, at state x: the K leading eigenvalues, their residuals and
   (vectors) Ritz vectors, and what they settle of the classification. */
static int leading_point(dk_jac *w, const double *x, const double *u,
                         dk_jac_result *r, size_t p, char *err, size_t errlen)
{
	size_t n = w->n, k = w->k;
	double complex *eig = (double complex *)r->eig->data + p * k;
	int st = dk_leading_solve(w->lw, x, u, eig, w->R,
	                          (double *)r->resid->data + p * k, NULL, err,
	                          errlen);
	if (st)
		return st;
	store_class(r, p, dk_spectrum_classify_leading(eig, k, n, w->o.convention,
	                                               w->o.tol,
	                                               w->o.arnoldi.shift_invert));
	if (r->right)
		memcpy((double complex *)r->right->data + p * n * k, w->R,
		       n * k * sizeof *w->R);
	return DK_OK;
}

int dk_jac_run(dk_jac *w, const double *x, size_t P, const double *u,
               dk_jac_result **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!w || !w->m || (P && !x))
		return dk_errorf(DK_EINVAL, err, errlen, "no workspace or no states");
	dk_jac_result *r = NULL;
	int st = result_alloc(w, P, &r, err, errlen);
	char msg[256] = "";
	for (size_t p = 0; !st && p < P; p++) {
		const double *xp = x + p * w->n;
		st = w->lw ? leading_point(w, xp, u, r, p, msg, sizeof msg)
		           : state_point(w, xp, u, r, p, msg, sizeof msg);
		if (st)
			dk_errorf(st, err, errlen, "state %zu: %s", p, msg);
		else if (w->o.progress)
			w->o.progress(w->o.progress_arg, p + 1, P);
	}
	if (st) {
		dk_jac_result_free(r);
		return st;
	}
	*out = r;
	return DK_OK;
}

int dk_jac_matrices(const dk_tensor *a, const char *name,
                    const dk_jac_options *o, dk_jac_result **out,
                    char *err, size_t errlen)
{
	*out = NULL;
	if (!a || !o)
		return dk_errorf(DK_EINVAL, err, errlen, "no matrices or no options");
	if (!name)
		name = "";
	int st = check_options(o, 0, err, errlen);
	if (st)
		return st;
	if (a->dtype == DK_C16 || a->dtype == DK_BYTES)
		return dk_errorf(DK_EDTYPE, err, errlen, "%s: matrices must be real, "
		                 "not %s", name, dk_dtype_name(a->dtype));
	int r3 = a->rank == 3;
	if ((a->rank != 2 && !r3) || a->shape[r3] != a->shape[r3 + 1] ||
	    a->shape[r3] == 0) {
		char shape[128];
		dk_shape_format(shape, sizeof shape, a->rank, a->shape);
		return dk_errorf(DK_EINVAL, err, errlen, "%s: %s is not a square "
		                 "matrix (n, n) or a batch of them (batch, n, n)",
		                 name, shape);
	}
	size_t P = r3 ? a->shape[0] : 1, n = a->shape[r3];
	if (o->top > n)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: top %zu exceeds the "
		                 "matrix size %zu", name, o->top, n);
	dk_jac *w = calloc(1, sizeof *w);
	dk_jac_result *r = NULL;
	dk_tensor *f8 = NULL;
	if (!w)
		return no_memory(err, errlen);
	w->o = *o;
	w->n = n;
	w->k = o->top ? o->top : n;
	st = dense_alloc(w, err, errlen);
	if (!st)
		st = result_alloc(w, P, &r, err, errlen);
	if (!st && (dk_tensor_convert(a, DK_F8, &f8) ||
	            !(r->source = strdup(name))))
		st = no_memory(err, errlen);
	char msg[256] = "";
	for (size_t p = 0; !st && p < P; p++)
		if ((st = dense_point(w, (const double *)f8->data + p * n * n, r, p,
		                      msg, sizeof msg))) {
			if (r3)
				dk_errorf(st, err, errlen, "%s[%zu]: %s", name, p, msg);
			else
				dk_errorf(st, err, errlen, "%s: %s", name, msg);
		}
	dk_tensor_free(f8);
	dk_jac_free(w);
	if (st) {
		dk_jac_result_free(r);
		return st;
	}
	*out = r;
	return DK_OK;
}
