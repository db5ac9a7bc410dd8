/*
 * test_hqr.c -- the eigenvalues of general matrices by hqr.c's Hessenberg
 * reduction and QR iteration (and by the iteration alone on the
 * Hessenberg form of LAPACK's dgehrd) against LAPACK's dgeevx, eigenvalue
 * by eigenvalue within LAPACK's own error bound (from each eigenvalue's
 * condition number), on Gaussian matrices of sizes 1 to 100, scaled far
 * from 1, graded, with isolated eigenvalues (dgebal's lo and hi inside
 * the matrix), a Jacobian of a saturated tanh network; with exactly known
 * spectra: orthogonal similarity transforms of Jordan blocks (the
 * defective case, where computed eigenvalues scatter by eps^(1/k) about
 * the true one but the cluster's mean does not), cyclic permutations
 * (roots of unity, which stall the QR iteration without its exceptional
 * shifts), zero, diagonal and triangular matrices; and the traces of A
 * and A^2 against the sums of the eigenvalues and their squares, which
 * hold to rounding whatever the conditioning.
 */
#include <config.h>

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>

#include "dynkit.h"
#include "tap.h"

#define NMAX 100

/* the Hessenberg form from LAPACK's dgehrd rather than hqr.c's */
static int lapack_reduction;

/* The eigenvalues of the n x n row-major A by hqr.c, as fixed_jac.c
   takes them (dgebal 'P', then the reduction, hqr.c's or dgehrd; the
   row-major A is the column-major transpose, of the same spectrum); 0 on
   success. */
static int ours(size_t n, const double *a, double complex *lam)
{
	static double h[NMAX * NMAX], scale[NMAX], tau[NMAX], wr[NMAX], wi[NMAX];
	static double work[64 * NMAX];
	lapack_int N = (lapack_int)n, ilo = 1, ihi = N;
	memcpy(h, a, n * n * sizeof *h);
	if (LAPACKE_dgebal_work(LAPACK_COL_MAJOR, 'P', N, h, N, &ilo, &ihi, scale))
		return -1;
	if (lapack_reduction) {
		if (LAPACKE_dgehrd_work(LAPACK_COL_MAJOR, N, ilo, ihi, h, N, tau, work,
		                        64 * NMAX))
			return -1;
	} else {
		dk_linalg_hessenberg_reduce(n, h, n, (size_t)ilo - 1, (size_t)ihi - 1,
		                            work);
	}
	int st = dk_linalg_hessenberg_eigenvalues(n, h, n, (size_t)ilo - 1,
	                                          (size_t)ihi - 1, wr, wi);
	for (size_t i = 0; i < n; i++)
		lam[i] = wr[i] + I * wi[i];
	return st;
}

/* LAPACK's eigenvalues of A and their reciprocal condition numbers. */
static int lapack(size_t n, const double *a, double complex *lam,
                  double *rcond, double *anorm)
{
	static double m[NMAX * NMAX], vl[NMAX * NMAX], vr[NMAX * NMAX];
	static double wr[NMAX], wi[NMAX], scale[NMAX], rcondv[NMAX];
	lapack_int N = (lapack_int)n, ilo, ihi;
	double abnrm;
	memcpy(m, a, n * n * sizeof *m);
	/* no balancing: the condition numbers are then A's own */
	int info = LAPACKE_dgeevx(LAPACK_ROW_MAJOR, 'N', 'V', 'V', 'E', N, m, N,
	                          wr, wi, vl, N, vr, N, &ilo, &ihi, scale, &abnrm,
	                          rcond, rcondv);
	for (size_t i = 0; i < n; i++)
		lam[i] = wr[i] + I * wi[i];
	*anorm = abnrm;
	return info;
}

/* The largest error of ours against LAPACK's, each in units of its
   bound: eps ||A||_1 / rcond is LAPACK's own approximate bound on each
   eigenvalue's error (the LAPACK Users' Guide, section 4.8); ours and
   LAPACK's are each within about that of the truth, so within twice of
   each other, and n times that bound (n rounding errors per entry of a
   similarity transform, as the bounds of the Users' Guide carry a
   modest function of n) is the test's tolerance.  Matching is greedy:
   each of LAPACK's to the nearest of ours not yet taken. */
/* The index of the value of got[0 .. n) nearest z among those not yet
   taken, and its distance in *d; n when all are taken. */
static size_t nearest_free(size_t n, const double complex *got, const int *taken,
                           double complex z, double *d)
{
	size_t best = n;
	*d = INFINITY;
	for (size_t j = 0; j < n; j++)
		if (!taken[j] && cabs(got[j] - z) < *d) {
			*d = cabs(got[j] - z);
			best = j;
		}
	return best;
}

static double worst_ratio(size_t n, const double complex *got,
                          const double complex *want, const double *rcond,
                          double anorm)
{
	int taken[NMAX] = {0};
	double worst = 0;
	for (size_t i = 0; i < n; i++) {
		double d;
		size_t best = nearest_free(n, got, taken, want[i], &d);
		if (best == n)
			return INFINITY;
		taken[best] = 1;
		double bound = (double)n * 2 * DBL_EPSILON * anorm /
		               fmax(rcond[i], DBL_MIN) + DBL_MIN;
		if (d / bound > worst)
			worst = d / bound;
	}
	return worst;
}

/* tr A and tr A^2 against sum lam and sum lam^2, all divided by the
   largest |a_ij| first (so that neither overflows nor underflows): each
   trace is a sum of n (or n^2) products, exact to about n eps |A|^2;
   the eigenvalues' sums carry the backward error of the reduction and
   the iteration, a few n eps ||A|| per eigenvalue.  The tolerance is
   8 n^2 eps times the scale (the Frobenius norm, and its square). */
static int traces_hold(size_t n, const double *a, const double complex *lam)
{
	double big = 0;
	for (size_t i = 0; i < n * n; i++)
		big = fmax(big, fabs(a[i]));
	if (big == 0)
		big = 1;
	double t1 = 0, t2 = 0, fro = 0;
	double complex s1 = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		t1 += a[i * n + i] / big;
		for (size_t k = 0; k < n; k++) {
			t2 += (a[i * n + k] / big) * (a[k * n + i] / big);
			fro += (a[i * n + k] / big) * (a[i * n + k] / big);
		}
		s1 += lam[i] / big;
		s2 += (lam[i] / big) * (lam[i] / big);
	}
	fro = sqrt(fro);
	double tol = 8 * (double)(n * n) * DBL_EPSILON;
	return cabs(s1 - t1) <= tol * fro && cabs(s2 - t2) <= tol * fro * fro;
}

static void check_against_lapack(const char *what, size_t n, const double *a)
{
	double complex got[NMAX], want[NMAX];
	double rcond[NMAX], anorm;
	int st = ours(n, a, got);
	int info = lapack(n, a, want, rcond, &anorm);
	double r = st || info ? INFINITY : worst_ratio(n, got, want, rcond, anorm);
	ok(r <= 1 && traces_hold(n, a, got),
	   "%s (n %zu): every eigenvalue within n eps ||A|| / rcond of LAPACK's "
	   "(worst at %.3g of it), traces hold", what, n, r);
}

static void gaussian(dk_rng *rng, size_t n, double s, double *a)
{
	for (size_t i = 0; i < n * n; i++)
		a[i] = s * dk_rng_normal(rng, 1.0);
}

/* Q B Q^T with a Haar-random Q, in a (all n x n, row-major). */
static void rotate(dk_rng *rng, size_t n, const double *b, double *a)
{
	static double q[NMAX * NMAX], t[NMAX * NMAX];
	dk_linalg_random_orthogonal(rng, n, q);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double s = 0;
			for (size_t k = 0; k < n; k++)
				s += q[i * n + k] * b[k * n + j];
			t[i * n + j] = s;
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double s = 0;
			for (size_t k = 0; k < n; k++)
				s += t[i * n + k] * q[j * n + k];
			a[i * n + j] = s;
		}
}

/* Jordan blocks of size k at the values v[0..c) (n = c k), rotated: each
   computed eigenvalue lies within C (eps ||A||)^(1/k) of one of them, and
   the mean of the k nearest to each value, a well-conditioned function
   of the matrix, within a small multiple of eps ||A|| of it. */
static void jordan(dk_rng *rng, size_t k, size_t c, const double *v)
{
	static double b[NMAX * NMAX], a[NMAX * NMAX];
	size_t n = k * c;
	memset(b, 0, n * n * sizeof *b);
	for (size_t j = 0; j < c; j++)
		for (size_t i = 0; i < k; i++) {
			size_t r = j * k + i;
			b[r * n + r] = v[j];
			if (i + 1 < k)
				b[r * n + r + 1] = 1;
		}
	rotate(rng, n, b, a);
	double complex got[NMAX];
	int st = ours(n, a, got);
	/* ||A|| is about 3 here (values up to 2, ones above the diagonal);
	   the scatter of a k-fold defective eigenvalue under a perturbation
	   of size e is e^(1/k): with e = 100 n eps ||A|| (the backward
	   error, generously), 1e-12^(1/k), and 10 times that is the test */
	double scatter = 10 * pow(100 * (double)n * DBL_EPSILON * 3, 1.0 / (double)k);
	double worst_each = 0, worst_mean = 0;
	int used[NMAX] = {0};
	for (size_t j = 0; !st && j < c; j++) {
		/* the k nearest not yet used */
		double complex mean = 0;
		for (size_t t = 0; t < k; t++) {
			double d;
			size_t best = nearest_free(n, got, used, v[j], &d);
			if (best == n) {
				st = 1;
				break;
			}
			used[best] = 1;
			mean += got[best];
			if (d > worst_each)
				worst_each = d;
		}
		mean /= (double)k;
		if (cabs(mean - v[j]) > worst_mean)
			worst_mean = cabs(mean - v[j]);
	}
	/* the mean: k^2 n eps ||A||, the departure from normality of a
	   Jordan block of size k costing about a factor k in each of the
	   cluster's first-order terms */
	double mean_tol = (double)(k * k * n) * DBL_EPSILON * 3 * 10;
	ok(!st && worst_each <= scatter && worst_mean <= mean_tol && traces_hold(n, a, got),
	   "Jordan blocks of %zu at %zu values: each eigenvalue within %.2g "
	   "(%.2g), each cluster's mean within %.2g (%.2g)", k, c, scatter,
	   worst_each, mean_tol, worst_mean);
}

/* The cyclic shift of n: its eigenvalues are the n-th roots of unity,
   each to a few eps (a permutation is normal: condition 1). */
static void cyclic(size_t n)
{
	static double a[NMAX * NMAX];
	double complex got[NMAX];
	memset(a, 0, n * n * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[((i + 1) % n) * n + i] = 1;
	int st = ours(n, a, got);
	double worst = 0;
	for (size_t i = 0; !st && i < n; i++) {
		/* got^n = 1, and the nearest root of unity is got's */
		double ang = carg(got[i]) * (double)n / (2 * M_PI);
		double complex root = cexp(2 * M_PI * I * round(ang) / (double)n);
		if (cabs(got[i] - root) > worst)
			worst = cabs(got[i] - root);
	}
	/* distinct roots too: the sum of them is 0 (traces_hold) and each
	   is near one; 100 n eps for a normal matrix's eigenvalues */
	ok(!st && worst <= 100 * (double)n * DBL_EPSILON && traces_hold(n, a, got),
	   "cyclic permutation of %zu: the roots of unity (%.2g)", n, worst);
}

int main(void)
{
	dk_rng *rng = dk_rng_alloc(20261205);
	static double a[NMAX * NMAX];
	const size_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 16, 33, 64, 100};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
		for (int rep = 0; rep < 3; rep++) {
			gaussian(rng, sizes[s], 1.0, a);
			check_against_lapack("Gaussian", sizes[s], a);
		}
	/* the iteration on LAPACK's Hessenberg form too, whose reflectors
	   below the subdiagonal it must ignore */
	lapack_reduction = 1;
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		gaussian(rng, sizes[s], 1.0, a);
		check_against_lapack("Gaussian, reduced by dgehrd", sizes[s], a);
	}
	lapack_reduction = 0;
	/* far from 1, where the squares in a reflector would underflow or
	   overflow unscaled (not below about 1e-290, where the iteration,
	   like LAPACK's dhseqr, takes every subdiagonal entry for
	   negligible; dgeev scales such matrices first) */
	gaussian(rng, 16, 1e-200, a);
	check_against_lapack("Gaussian times 1e-200", 16, a);
	gaussian(rng, 16, 1e200, a);
	check_against_lapack("Gaussian times 1e200", 16, a);
	/* graded: rows and columns scaled over 40 orders of magnitude */
	gaussian(rng, 40, 1.0, a);
	for (size_t i = 0; i < 40; i++)
		for (size_t j = 0; j < 40; j++)
			a[i * 40 + j] *= pow(10, (double)i - (double)j);
	check_against_lapack("graded", 40, a);
	/* isolated eigenvalues: rows 0 and 1 zero off the diagonal, column 29
	   zero below it, so that dgebal's permutations leave lo > 0, hi < n - 1 */
	gaussian(rng, 30, 1.0, a);
	for (size_t j = 0; j < 30; j++) {
		if (j != 0)
			a[0 * 30 + j] = 0;
		if (j != 1)
			a[1 * 30 + j] = 0;
		if (j != 29)
			a[j * 30 + 29] = 0;
	}
	check_against_lapack("isolated eigenvalues", 30, a);
	/* a Jacobian of the flip-flop kind: diag(1 - tanh^2) W, W Gaussian of
	   gain 1.5, some units saturated */
	gaussian(rng, 64, 1.5 / 8, a);
	for (size_t i = 0; i < 64; i++) {
		double t = tanh(3 * sin((double)i));
		for (size_t j = 0; j < 64; j++)
			a[i * 64 + j] *= 1 - t * t;
	}
	check_against_lapack("diag(1 - tanh^2) W", 64, a);
	/* zero, diagonal, triangular: exact */
	memset(a, 0, 64 * 64 * sizeof *a);
	check_against_lapack("zero", 64, a);
	for (size_t i = 0; i < 64; i++)
		a[i * 64 + i] = (double)i - 20.5;
	check_against_lapack("diagonal", 64, a);
	for (size_t i = 0; i < 64; i++)
		for (size_t j = i + 1; j < 64; j++)
			a[i * 64 + j] = dk_rng_normal(rng, 1.0);
	check_against_lapack("upper triangular", 64, a);
	/* defective */
	const double v3[] = {0.5, -1.25, 2.0}, v1[] = {0.75};
	jordan(rng, 3, 3, v3);
	jordan(rng, 2, 3, v3);
	jordan(rng, 8, 1, v1);
	/* stalling without exceptional shifts */
	cyclic(3);
	cyclic(4);
	cyclic(10);
	cyclic(64);
	dk_rng_free(rng);
	return tap_done();
}
