/*
 * test_fixed_lu.c -- the LU factorisation of the Newton stage
 * (lib/analysis/fixed_lu.c), on random matrices of every size from 1 to
 * 40 and of 63, 64, 65, 100, 128 (its own routine, with the four-row
 * blocks whole and cut short) and 129, 150 (LAPACK's): the solve against
 * the residual of a known solution, the pivots against LAPACK's dgetrf
 * of the same matrix (partial pivoting picks the same rows when no two
 * candidates tie, as they do not in random matrices), and a singular
 * matrix reported as LAPACK reports it.  Built a second time with
 * lib/analysis/fixed_lu.c compiled in under DK_FIXED_LU_PLAIN
 * (test_fixed_lu_plain), whose definitions the program's calls then
 * reach instead of the library's, it checks the plain C loops too.
 */
#include <config.h>

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "analysis/fixed_impl.h"
#include "tap.h"

/* A random n x n matrix (entries uniform in [-1, 1), row-major), a known
   x, and b = A x. */
static void fill(dk_rng *r, size_t n, double *A, double *x, double *b)
{
	for (size_t i = 0; i < n * n; i++)
		A[i] = 2 * dk_rng_uniform(r) - 1;
	for (size_t i = 0; i < n; i++)
		x[i] = 2 * dk_rng_uniform(r) - 1;
	for (size_t i = 0; i < n; i++) {
		double s = 0;
		for (size_t j = 0; j < n; j++)
			s += A[i * n + j] * x[j];
		b[i] = s;
	}
}

static void one_size(dk_rng *r, size_t n)
{
	double *A = malloc(n * n * sizeof *A), *F = malloc(n * n * sizeof *F);
	double *L = malloc(n * n * sizeof *L), *x = malloc(n * sizeof *x);
	double *b = malloc(n * sizeof *b), *y = malloc(n * sizeof *y);
	int *piv = malloc(n * sizeof *piv), *lpiv = malloc(n * sizeof *lpiv);
	if (!A || !F || !L || !x || !b || !y || !piv || !lpiv) {
		ok(0, "n = %zu: memory", n);
		goto out;
	}
	fill(r, n, A, x, b);
	memcpy(F, A, n * n * sizeof *A);
	int info = dk_fixed_lu_factor(n, F, piv);
	memcpy(y, b, n * sizeof *b);
	dk_fixed_lu_solve(n, F, piv, y);
	/* backward error |A y - b|_inf / (|A|_inf |y|_inf): partial pivoting
	   keeps it to a small multiple of n eps (Higham 2002, sec. 9.3) with
	   the growth of random matrices; 1e-13 is that for n up to 150 with
	   a margin of about ten */
	double res = 0, an = 0, yn = 0;
	for (size_t i = 0; i < n; i++) {
		double s = 0, row = 0;
		for (size_t j = 0; j < n; j++) {
			s += A[i * n + j] * y[j];
			row += fabs(A[i * n + j]);
		}
		res = fmax(res, fabs(s - b[i]));
		an = fmax(an, row);
		yn = fmax(yn, fabs(y[i]));
	}
	double berr = res / (an * yn);
	/* LAPACK's pivots: for n <= 128 those of A, whose row-major form
	   read as column-major is A^T, so factor a transposed copy; above,
	   the routine is LAPACK's on A^T (no copy), so factor A as it lies */
	int small = n <= 128;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			L[small ? j * n + i : i * n + j] = A[i * n + j];
	lapack_int linfo = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, (lapack_int)n,
	                                       (lapack_int)n, L, (lapack_int)n,
	                                       lpiv);
	/* fixed_lu.c's own pivots are 0-based rows; LAPACK's 1-based */
	int same = 1, base = small;
	for (size_t k = 0; k < n; k++)
		same &= piv[k] + base == lpiv[k];
	ok(info == 0 && linfo == 0 && berr < 1e-13 && same,
	   "n = %zu: factored, backward error %.2g < 1e-13, LAPACK's pivots", n,
	   berr);
out:
	free(A);
	free(F);
	free(L);
	free(x);
	free(b);
	free(y);
	free(piv);
	free(lpiv);
}

/* A zero column k: singular.  The own routine (n <= 128) meets the zero
   at the k-th pivot, info k + 1, as LAPACK's dgetrf of A would; LAPACK's
   route factors A^T, whose zero row k shows at some pivot: info > 0. */
static void singular(dk_rng *r, size_t n, size_t k)
{
	double *A = malloc(n * n * sizeof *A), *x = malloc(n * sizeof *x);
	double *b = malloc(n * sizeof *b);
	int *piv = malloc(n * sizeof *piv);
	if (A && x && b && piv) {
		fill(r, n, A, x, b);
		for (size_t i = 0; i < n; i++)
			A[i * n + k] = 0;
		int info = dk_fixed_lu_factor(n, A, piv);
		ok(n <= 128 ? info == (int)k + 1 : info > 0,
		   "n = %zu, column %zu zero: singular (info %d)", n, k, info);
	}
	free(A);
	free(x);
	free(b);
	free(piv);
}

int main(void)
{
	dk_rng *r = dk_rng_alloc(11);
	if (!r)
		return 1;
	for (size_t n = 1; n <= 40; n++)
		one_size(r, n);
	static const size_t big[] = {63, 64, 65, 100, 128, 129, 150};
	for (size_t i = 0; i < sizeof big / sizeof *big; i++)
		one_size(r, big[i]);
	singular(r, 9, 0);
	singular(r, 64, 37);
	singular(r, 150, 100);
	dk_rng_free(r);
	return tap_done();
}
