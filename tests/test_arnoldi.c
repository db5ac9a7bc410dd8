/*
 * test_arnoldi.c -- ARPACK's leading eigenvalues against LAPACK's dense
 * dgeev on matrices small enough for both (tolerance 1e-8 relative to
 * max(1, |lambda|)): largest modulus and largest real part of a random
 * nonsymmetric matrix, a matrix built with known complex leading pairs
 * (also checked against those exact values, and with k cutting a pair in
 * two), shift-invert near a given sigma; then the residuals, bytewise
 * reproducibility for a seed, and the refusals of bad arguments.
 */
#include <config.h>

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "dynkit.h"
#include "tap.h"

/* re + i im, exactly (CMPLX is missing from some compilers' headers):
   C11 lays a double complex out as two doubles, real part first */
static double complex cpx(double re, double im)
{
	double v[2] = {re, im};
	double complex z;
	memcpy(&z, v, sizeof z);
	return z;
}

typedef struct {
	size_t n;
	const double *A;
	int fail;
} dense_ctx;

static int dense_apply(void *ctx, const double *x, double *y)
{
	dense_ctx *d = ctx;
	if (d->fail)
		return DK_EIO;
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)d->n, (int)d->n, 1.0, d->A,
	            (int)d->n, x, 1, 0.0, y, 1);
	return DK_OK;
}

/* dense reference order, the one arnoldi.h promises */
static dk_arnoldi_which g_which;
static int g_si;
static double g_sigma;

static double key(double complex l)
{
	double complex t = g_si ? 1 / (l - g_sigma) : l;
	return g_which == DK_ARNOLDI_LM ? cabs(t) : creal(t);
}

static int cmp_dense(const void *pa, const void *pb)
{
	double complex a = *(const double complex *)pa, b = *(const double complex *)pb;
	double ka = key(a), kb = key(b);
	if (ka != kb)
		return ka > kb ? -1 : 1;
	if (cimag(a) != cimag(b))
		return cimag(a) > cimag(b) ? -1 : 1;
	return creal(a) > creal(b) ? -1 : creal(a) < creal(b);
}

/* all eigenvalues of A, sorted as the solver sorts them */
static void dense_eigs(const double *A, size_t n, double complex *lam)
{
	double *a = malloc(n * n * sizeof *a), *wr = malloc(n * sizeof *wr),
	       *wi = malloc(n * sizeof *wi);
	memcpy(a, A, n * n * sizeof *a);
	LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, a, (lapack_int)n,
	              wr, wi, NULL, 1, NULL, 1);
	for (size_t i = 0; i < n; i++)
		lam[i] = cpx(wr[i], wi[i]);
	qsort(lam, n, sizeof *lam, cmp_dense);
	free(a);
	free(wr);
	free(wi);
}

static double eig_error(const double complex *got, const double complex *want,
                        size_t k)
{
	double e = 0;
	for (size_t j = 0; j < k; j++)
		e = fmax(e, cabs(got[j] - want[j]) / fmax(1, cabs(want[j])));
	return e;
}

/* ||A v - lambda v|| computed densely here, and ||v|| */
static void check_vectors(const double *A, size_t n, size_t k,
                          const double complex *lam,
                          const double complex *vec, const double *res,
                          double *worst_res, double *worst_norm,
                          double *worst_agree)
{
	*worst_res = *worst_norm = *worst_agree = 0;
	for (size_t j = 0; j < k; j++) {
		double r2 = 0, v2 = 0;
		for (size_t i = 0; i < n; i++) {
			double complex s = 0;
			for (size_t l = 0; l < n; l++)
				s += A[i * n + l] * vec[l * k + j];
			s -= lam[j] * vec[i * k + j];
			r2 += creal(s) * creal(s) + cimag(s) * cimag(s);
			v2 += creal(vec[i * k + j]) * creal(vec[i * k + j]) +
			      cimag(vec[i * k + j]) * cimag(vec[i * k + j]);
		}
		*worst_res = fmax(*worst_res, sqrt(r2));
		*worst_norm = fmax(*worst_norm, fabs(sqrt(v2) - 1));
		*worst_agree = fmax(*worst_agree, fabs(sqrt(r2) - res[j]));
	}
}

static int solve(size_t n, const double *A, const dk_arnoldi_opts *o,
                 double complex *eig, double complex *vec, double *res,
                 char *err)
{
	dense_ctx ctx = {n, A, 0};
	dk_linop op = {n, dense_apply, &ctx};
	dk_arnoldi_work *w = NULL;
	int st = dk_arnoldi_alloc(n, o, &w, err, 256);
	if (st)
		return st;
	st = dk_arnoldi_solve(w, &op, eig, vec, res, NULL, err, 256);
	dk_arnoldi_free(w);
	return st;
}

static void compare(const char *what, size_t n, const double *A,
                    dk_arnoldi_opts *o)
{
	size_t k = o->k;
	double complex *lam = malloc(n * sizeof *lam), *eig = malloc(k * sizeof *eig);
	double complex *vec = malloc(n * k * sizeof *vec);
	double *res = malloc(k * sizeof *res);
	char err[256] = "";
	g_which = o->which;
	g_si = o->shift_invert;
	g_sigma = o->sigma;
	dense_eigs(A, n, lam);
	int st = solve(n, A, o, eig, vec, res, err);
	is_int(st, DK_OK, "%s: solves (%s)", what, err);
	double e = eig_error(eig, lam, k);
	ok(e <= 1e-8, "%s: %zu eigenvalues agree with dgeev to 1e-8 (%.2g)",
	   what, k, e);
	if (e > 1e-8)
		for (size_t j = 0; j < k; j++)
			printf("#   %zu: %.12g%+.12gi vs %.12g%+.12gi\n", j, creal(eig[j]),
			       cimag(eig[j]), creal(lam[j]), cimag(lam[j]));
	double wr, wn, wa;
	check_vectors(A, n, k, eig, vec, res, &wr, &wn, &wa);
	ok(wr <= 1e-8 && wn <= 1e-12 && wa <= 1e-12,
	   "%s: unit Ritz vectors with residuals <= 1e-8 (%.2g), as reported",
	   what, wr);
	free(lam);
	free(eig);
	free(vec);
	free(res);
}

int main(void)
{
	const size_t n = 200;
	dk_rng *rng = dk_rng_alloc(11);
	double *G = malloc(n * n * sizeof *G), *B = malloc(n * n * sizeof *B);
	double *Q = malloc(n * n * sizeof *Q), *T = malloc(n * n * sizeof *T);

	/* a random nonsymmetric matrix: the circular law puts its
	   eigenvalues in the unit disc, with complex pairs near the rim */
	for (size_t i = 0; i < n * n; i++)
		G[i] = dk_rng_normal(rng, 1 / sqrt((double)n));
	/* a few outliers to make the leading values well separated */
	for (size_t i = 0; i < 4; i++)
		G[i * n + i] += 1.5 + 0.3 * (double)i;

	dk_arnoldi_opts o;
	dk_arnoldi_opts_default(&o);
	o.k = 6;
	o.seed = 1;
	compare("LM, random", n, G, &o);
	o.which = DK_ARNOLDI_LR;
	compare("LR, random", n, G, &o);

	/* known leading pairs: B = Q T Q^T, T block diagonal with rotation-
	   scalings r (cos t, -sin t; sin t, cos t) for 3 pairs, then a real
	   value, then a small random block */
	const double radius[3] = {1.2, 1.1, 1.0}, angle[3] = {0.3, 1.1, 2.0};
	memset(T, 0, n * n * sizeof *T);
	for (size_t p = 0; p < 3; p++) {
		size_t i = 2 * p;
		double c = radius[p] * cos(angle[p]), s = radius[p] * sin(angle[p]);
		T[i * n + i] = c;
		T[i * n + i + 1] = -s;
		T[(i + 1) * n + i] = s;
		T[(i + 1) * n + i + 1] = c;
	}
	T[6 * n + 6] = 0.95;
	for (size_t i = 7; i < n; i++)
		for (size_t j = 7; j < n; j++)
			T[i * n + j] = dk_rng_normal(rng, 0.5 / sqrt((double)n));
	for (size_t i = 0; i < 6; i++) /* couple the blocks: not normal */
		T[i * n + 6 + i] = 0.2;
	dk_linalg_random_orthogonal(rng, n, Q);
	double *QT = malloc(n * n * sizeof *QT);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n,
	            (int)n, 1.0, Q, (int)n, T, (int)n, 0.0, QT, (int)n);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n,
	            (int)n, 1.0, QT, (int)n, Q, (int)n, 0.0, B, (int)n);
	free(QT);
	o.which = DK_ARNOLDI_LM;
	compare("LM, complex leading pairs", n, B, &o);
	{
		double complex eig[6];
		char err[256] = "";
		solve(n, B, &o, eig, NULL, NULL, err);
		double e = 0;
		for (size_t p = 0; p < 3; p++) {
			double complex l = radius[p] * cexp(I * angle[p]);
			e = fmax(e, cabs(eig[2 * p] - l));
			e = fmax(e, cabs(eig[2 * p + 1] - conj(l)));
		}
		ok(e <= 1e-8, "LM pairs are the exact r e^{+-it}, positive "
		   "imaginary part first (%.2g)", e);
	}
	o.k = 5; /* the 5th value is half of the third pair */
	compare("LM, k cutting a pair", n, B, &o);
	{
		dense_ctx ctx = {n, B, 0};
		dk_linop op = {n, dense_apply, &ctx};
		dk_arnoldi_work *w = NULL;
		dk_arnoldi_stats s;
		double complex eig[5];
		char err[256] = "";
		dk_arnoldi_alloc(n, &o, &w, err, sizeof err);
		int st = dk_arnoldi_solve(w, &op, eig, NULL, NULL, &s, err, sizeof err);
		ok(st == DK_OK && s.nconv == 6 && cimag(eig[4]) > 0,
		   "there ARPACK returns k + 1 = %zu values, and the one kept is the "
		   "pair's first", s.nconv);
		dk_arnoldi_free(w);
	}
	o.k = 6;

	/* shift-invert: the values nearest sigma, nearest first */
	o.shift_invert = 1;
	o.sigma = 1.2; /* between the bulk and the outliers */
	o.k = 4;
	compare("shift-invert sigma = 1.2, random", n, G, &o);
	/* inside the bulk A - sigma I is indefinite all round: restarted
	   GMRES stalls there, full GMRES does not */
	o.sigma = 0.5;
	o.gmres_restart = n;
	compare("shift-invert sigma = 0.5 (full GMRES), random", n, G, &o);
	o.gmres_restart = 10;
	o.gmres_maxiter = 200;
	{
		double complex eig[4];
		char err[256] = "";
		int st = solve(n, G, &o, eig, NULL, NULL, err);
		ok(st == DK_ENUMERIC && strstr(err, "GMRES"),
		   "a shift-invert solve that stalls is reported: %s", err);
	}
	o.gmres_restart = 0;
	o.gmres_maxiter = 0;
	o.sigma = 1.0;
	compare("shift-invert sigma = 1, complex pairs", n, B, &o);
	o.shift_invert = 0;
	o.k = 6;

	/* reproducibility: the same seed, the same bytes */
	{
		double complex e1[6], e2[6], e3[6];
		double complex *v1 = malloc(n * 6 * sizeof *v1),
		               *v2 = malloc(n * 6 * sizeof *v2);
		double r1[6], r2[6];
		char err[256];
		o.seed = 1234;
		solve(n, G, &o, e1, v1, r1, err);
		solve(n, B, &o, e3, NULL, NULL, err); /* something in between */
		solve(n, G, &o, e2, v2, r2, err);
		ok(!memcmp(e1, e2, sizeof e1) && !memcmp(v1, v2, n * 6 * sizeof *v1) &&
		   !memcmp(r1, r2, sizeof r1),
		   "the same seed gives the same bytes, after another solve");
		o.seed = 99;
		solve(n, G, &o, e2, NULL, NULL, err);
		ok(eig_error(e1, e2, 6) <= 1e-8, "another seed, the same values");
		free(v1);
		free(v2);
	}

	/* rank 3: the Krylov space closes after 4 vectors, well short of
	   ncv, and ARPACK must continue from fresh vectors of its own; the
	   wanted values and vectors come out, and the same bytes again */
	{
		double *L = calloc(n * n, sizeof *L), *U = malloc(3 * n * sizeof *U),
		       *W = malloc(3 * n * sizeof *W);
		for (size_t i = 0; i < 3 * n; i++) {
			U[i] = dk_rng_normal(rng, 1.0);
			W[i] = dk_rng_normal(rng, 0.1);
		}
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)n, 3,
		            1.0, U, (int)n, W, (int)n, 0.0, L, (int)n);
		dk_arnoldi_opts r = o;
		r.k = 2;
		compare("rank 3, LM", n, L, &r);
		double complex e1[2], e2[2];
		double complex *v1 = malloc(n * 2 * sizeof *v1),
		               *v2 = malloc(n * 2 * sizeof *v2);
		double r1[2], r2[2];
		char err[256];
		solve(n, L, &r, e1, v1, r1, err);
		solve(n, L, &r, e2, v2, r2, err);
		ok(!memcmp(e1, e2, sizeof e1) && !memcmp(v1, v2, n * 2 * sizeof *v1),
		   "rank 3: the same bytes on a second solve");
		free(v1);
		free(v2);
		free(L);
		free(U);
		free(W);
	}

	/* bad arguments */
	{
		dk_arnoldi_work *w = NULL;
		char err[256] = "";
		dk_arnoldi_opts b = o;
		b.k = n - 1;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "k = n - 1 is refused: %s", err);
		b.k = 0;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "k = 0 is refused");
		b = o;
		b.ncv = o.k + 1;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "ncv < k + 2 is refused: %s", err);
		b.ncv = n + 1;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "ncv > n is refused");
		b = o;
		b.tol = -1;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "a negative tolerance is refused");
		b = o;
		b.shift_invert = 1;
		b.sigma = NAN;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "a NaN shift is refused");
		b = o;
		b.which = (dk_arnoldi_which)7;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_EINVAL,
		       "an unknown which is refused");
		is_int(dk_arnoldi_alloc(2, &o, &w, err, sizeof err), DK_EINVAL,
		       "n = 2 is refused");
		ok(w == NULL, "and no workspace is returned");

		b = o;
		b.ncv = 0;
		is_int(dk_arnoldi_alloc(n, &b, &w, err, sizeof err), DK_OK,
		       "defaults allocate");
		double complex eig[12];
		dense_ctx ctx = {n, G, 0};
		dk_linop small = {n - 1, dense_apply, &ctx};
		is_int(dk_arnoldi_solve(w, &small, eig, NULL, NULL, NULL, err,
		                        sizeof err), DK_EINVAL,
		       "an operator of another size is refused: %s", err);
		ctx.fail = 1;
		dk_linop op = {n, dense_apply, &ctx};
		is_int(dk_arnoldi_solve(w, &op, eig, NULL, NULL, NULL, err, sizeof err),
		       DK_EIO, "a failing operator's status comes back: %s", err);
		ctx.fail = 0;
		dk_arnoldi_free(w);

		/* a hopeless budget: no convergence, said so */
		b = o;
		b.max_restarts = 1;
		b.k = 10;
		b.ncv = 12;
		dk_arnoldi_alloc(n, &b, &w, err, sizeof err);
		int st = dk_arnoldi_solve(w, &op, eig, NULL, NULL, NULL, err, sizeof err);
		ok(st == DK_ENUMERIC && strstr(err, "no convergence"),
		   "too few restarts: %s", err);
		dk_arnoldi_free(w);
		dk_arnoldi_free(NULL);
	}

	free(G);
	free(B);
	free(Q);
	free(T);
	dk_rng_free(rng);
	return tap_done();
}
