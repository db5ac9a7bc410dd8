/*
 * test_gmres.c -- restarted GMRES against LAPACK's dense solve (dgesv),
 * and the behaviours a caller relies on: the stagnation of restarted
 * GMRES on a cyclic shift (a theoretical fact: GMRES(m) makes no progress
 * there for m < n, full GMRES finishes in n steps), the product budget,
 * a zero right-hand side, and an operator that fails.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "dynkit.h"
#include "tap.h"

typedef struct {
	size_t n;
	const double *A; /* row-major n x n */
	int calls;
	int fail_at;     /* fail on this call (1-based); 0 never */
} dense_ctx;

static int dense_apply(void *ctx, const double *x, double *y)
{
	dense_ctx *d = ctx;
	if (d->fail_at && ++d->calls >= d->fail_at)
		return DK_EIO;
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)d->n, (int)d->n, 1.0, d->A,
	            (int)d->n, x, 1, 0.0, y, 1);
	return DK_OK;
}

static double max_rel_diff(const double *a, const double *b, size_t n)
{
	double d = 0, s = 0;
	for (size_t i = 0; i < n; i++) {
		d = fmax(d, fabs(a[i] - b[i]));
		s = fmax(s, fabs(b[i]));
	}
	return d / s;
}

static double true_relres(const double *A, size_t n, const double *x,
                          const double *b)
{
	double *r = malloc(n * sizeof *r);
	memcpy(r, b, n * sizeof *r);
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, -1.0, A, (int)n,
	            x, 1, 1.0, r, 1);
	double v = cblas_dnrm2((int)n, r, 1) / cblas_dnrm2((int)n, b, 1);
	free(r);
	return v;
}

/* x = A \ b by LAPACK */
static void dense_solve(const double *A, size_t n, const double *b, double *x)
{
	double *LU = malloc(n * n * sizeof *LU);
	lapack_int *piv = malloc(n * sizeof *piv);
	memcpy(LU, A, n * n * sizeof *LU);
	memcpy(x, b, n * sizeof *x);
	LAPACKE_dgesv(LAPACK_ROW_MAJOR, (lapack_int)n, 1, LU, (lapack_int)n, piv,
	              x, 1);
	free(LU);
	free(piv);
}

int main(void)
{
	const size_t n = 120;
	dk_rng *rng = dk_rng_alloc(7);
	double *A = malloc(n * n * sizeof *A), *b = malloc(n * sizeof *b);
	double *x = malloc(n * sizeof *x), *xref = malloc(n * sizeof *xref);
	/* nonsymmetric, eigenvalues in a disc of radius ~1 around 1.5: well
	   conditioned, yet slow enough to make restarts matter */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			A[i * n + j] = dk_rng_normal(rng, 1.0 / sqrt((double)n)) +
			               (i == j ? 1.5 : 0.0);
	for (size_t i = 0; i < n; i++)
		b[i] = dk_rng_normal(rng, 1.0);
	dense_solve(A, n, b, xref);

	dense_ctx ctx = {n, A, 0, 0};
	dk_linop op = {n, dense_apply, &ctx};
	size_t restarts[] = {n, 30, 5};
	for (size_t t = 0; t < 3; t++) {
		dk_gmres_work *w = dk_gmres_alloc(n, restarts[t]);
		memset(x, 0, n * sizeof *x);
		size_t iters = 0;
		double rel = -1;
		int st = dk_gmres_solve(w, &op, b, x, 1e-12, 2000, &iters, &rel);
		is_int(st, DK_OK, "GMRES(%zu) runs", restarts[t]);
		ok(rel <= 1e-12, "GMRES(%zu) converges (relres %.3g, %zu products)",
		   restarts[t], rel, iters);
		is_close(rel, true_relres(A, n, x, b), 1e-14,
		         "GMRES(%zu) reports the true residual", restarts[t]);
		ok(max_rel_diff(x, xref, n) <= 1e-10,
		   "GMRES(%zu) agrees with dgesv to 1e-10 (%.3g)", restarts[t],
		   max_rel_diff(x, xref, n));
		dk_gmres_free(w);
	}

	/* a nonzero initial guess at the answer costs one product */
	{
		dk_gmres_work *w = dk_gmres_alloc(n, 20);
		memcpy(x, xref, n * sizeof *x);
		size_t iters = 0;
		double rel = -1;
		int st = dk_gmres_solve(w, &op, b, x, 1e-10, 100, &iters, &rel);
		ok(st == DK_OK && iters == 1 && rel <= 1e-10,
		   "the exact solution as a guess: one product (%zu, relres %.3g)",
		   iters, rel);
		dk_gmres_free(w);
	}

	/* the cyclic shift P e_i = e_{i+1}: K_m(P, e_0) = span(e_1..e_m) for
	   A x = e_0 -- restarted GMRES(m < n) cannot reduce the residual, full
	   GMRES solves it exactly in n products */
	{
		const size_t c = 16;
		double *P = calloc(c * c, sizeof *P), *e = calloc(c, sizeof *e);
		double *xc = calloc(c, sizeof *xc);
		for (size_t i = 0; i < c; i++)
			P[((i + 1) % c) * c + i] = 1;
		e[0] = 1;
		dense_ctx pc = {c, P, 0, 0};
		dk_linop pop = {c, dense_apply, &pc};
		dk_gmres_work *w = dk_gmres_alloc(c, c - 1);
		size_t iters = 0;
		double rel = -1;
		int st = dk_gmres_solve(w, &pop, e, xc, 1e-12, 100, &iters, &rel);
		ok(st == DK_OK && iters == 100 && fabs(rel - 1) < 1e-12,
		   "GMRES(n-1) stagnates on a cyclic shift and stops at the budget "
		   "(%zu products, relres %.3g)", iters, rel);
		dk_gmres_free(w);
		w = dk_gmres_alloc(c, c);
		memset(xc, 0, c * sizeof *xc);
		st = dk_gmres_solve(w, &pop, e, xc, 1e-12, 100, &iters, &rel);
		/* n products, then one for the true residual */
		ok(st == DK_OK && rel <= 1e-12 && iters == c + 1,
		   "full GMRES solves it in n steps (%zu products, relres %.3g)",
		   iters, rel);
		/* the solution is P^{-1} e_0 = P^T e_0 = e_{n-1} */
		ok(fabs(xc[c - 1] - 1) < 1e-12 && fabs(xc[0]) < 1e-12,
		   "and the solution is e_{n-1}");
		dk_gmres_free(w);
		free(P);
		free(e);
		free(xc);
	}

	/* the budget: maxiter products at most */
	{
		dk_gmres_work *w = dk_gmres_alloc(n, 4);
		memset(x, 0, n * sizeof *x);
		size_t iters = 0;
		double rel = -1;
		int st = dk_gmres_solve(w, &op, b, x, 1e-14, 7, &iters, &rel);
		ok(st == DK_OK && iters == 7 && rel > 1e-14 && rel < 1,
		   "an unreached tolerance stops at maxiter (%zu products, relres %.3g)",
		   iters, rel);
		is_close(rel, true_relres(A, n, x, b), 1e-12,
		         "and the reported residual is the true one");
		dk_gmres_free(w);
	}

	/* zero right-hand side: x = 0 without a product */
	{
		dk_gmres_work *w = dk_gmres_alloc(n, 10);
		double *z = calloc(n, sizeof *z);
		for (size_t i = 0; i < n; i++)
			x[i] = 1;
		size_t iters = 99;
		double rel = -1;
		ctx.calls = 0;
		ctx.fail_at = 1; /* any product would fail */
		int st = dk_gmres_solve(w, &op, z, x, 1e-10, 10, &iters, &rel);
		int zero = 1;
		for (size_t i = 0; i < n; i++)
			zero &= x[i] == 0;
		ok(st == DK_OK && zero && iters == 0 && rel == 0,
		   "b = 0 gives x = 0 with no product");
		free(z);

		/* an operator that fails: its status comes back */
		ctx.calls = 0;
		ctx.fail_at = 3;
		memset(x, 0, n * sizeof *x);
		st = dk_gmres_solve(w, &op, b, x, 1e-12, 100, &iters, NULL);
		is_int(st, DK_EIO, "a failing apply's status is returned");
		ok(iters == 2, "after the products that succeeded (%zu)", iters);
		ctx.fail_at = 0;

		/* bad arguments */
		dk_linop small = {n - 1, dense_apply, &ctx};
		is_int(dk_gmres_solve(w, &small, b, x, 1e-12, 10, NULL, NULL),
		       DK_EINVAL, "an operator of another size is refused");
		is_int(dk_gmres_solve(w, &op, b, x, 1e-12, 0, NULL, NULL), DK_EINVAL,
		       "maxiter 0 is refused");
		is_int(dk_gmres_solve(w, &op, b, x, -1, 10, NULL, NULL), DK_EINVAL,
		       "a negative tolerance is refused");
		b[3] = NAN;
		is_int(dk_gmres_solve(w, &op, b, x, 1e-12, 10, NULL, NULL),
		       DK_ENUMERIC, "a NaN right-hand side is a numerical failure");
		dk_gmres_free(w);
	}
	ok(dk_gmres_alloc(0, 5) == NULL && dk_gmres_alloc(5, 0) == NULL,
	   "alloc refuses n = 0 and restart = 0");
	dk_gmres_free(NULL);

	free(A);
	free(b);
	free(x);
	free(xref);
	dk_rng_free(rng);
	return tap_done();
}
