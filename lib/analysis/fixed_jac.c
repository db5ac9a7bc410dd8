/*
 * fixed_jac.c -- the spectra of the points a fixed-point search found:
 * the dense Jacobian at each point, in the search's convention, every
 * eigenvalue kept, sorted as dk_spectrum_compute sorts them (jac.c), with
 * the point's index, the number of unstable directions, as
 * dk_spectrum_classify counts them.
 *
 * Only eigenvalues are wanted here, so the route is the short one:
 * permutation-only balancing (LAPACK's dgebal), then a Householder
 * reduction of the block it leaves to Hessenberg form and the implicit
 * double-shift QR iteration for the eigenvalues alone, both of hqr.c
 * (lib/linalg), without the Schur vectors, the eigenvectors and
 * condition numbers that dk-jac reports (and dk_spectrum_compute
 * computes every time).  At the sizes of trained networks LAPACK's own
 * dgehrd and dhseqr spend most of their time in calls to small BLAS and
 * auxiliary routines (see hqr.c); on the 64-unit flip-flop network hqr.c
 * takes about half their time.  The values agree with dk-jac's to
 * rounding, not bit for bit.  LAPACK's dhseqr takes over for a matrix
 * whose iteration does not converge.  The row-major Jacobian is, to
 * column-major LAPACK, its transpose, which has the same eigenvalues: no
 * copy is made.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>

#include "analysis/fixed.h"
#include "analysis/jacobian.h"
#include "analysis/spectrum.h"
#include "analysis/spectrum_order.h"
#include "base/complex_make.h"
#include "base/status.h"
#include "linalg/hqr.h"

/* The scratch of one call, allocated once for all points. */
typedef struct {
	double *J, *H, *wr, *wi, *scale, *tau, *work;
	dk_spectrum_key *key;
	lapack_int lwork;
} eig_work;

static void eig_work_free(eig_work *e)
{
	free(e->J);
	free(e->H);
	free(e->wr);
	free(e->wi);
	free(e->scale);
	free(e->tau);
	free(e->work);
	free(e->key);
}

static int eig_work_alloc(eig_work *e, size_t n)
{
	lapack_int N = (lapack_int)n;
	*e = (eig_work){0};
	e->J = malloc(n * n * sizeof *e->J);
	e->H = malloc(n * n * sizeof *e->H);
	e->wr = malloc(n * sizeof *e->wr);
	e->wi = malloc(n * sizeof *e->wi);
	e->scale = malloc(n * sizeof *e->scale);
	e->tau = malloc(n * sizeof *e->tau);
	e->key = malloc(n * sizeof *e->key);
	if (!e->J || !e->H || !e->wr || !e->wi || !e->scale || !e->tau || !e->key)
		return DK_ENOMEM;
	/* dhseqr's optimal work size, for the rare matrix whose QR
	   iteration here does not converge (eigenvalues) */
	double q = 0;
	if (LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', N, 1, N, e->J, N, e->wr,
	                        e->wi, NULL, 1, &q, -1))
		q = (double)n;
	e->lwork = (lapack_int)(q > (double)n ? q : (double)n);
	e->work = malloc((size_t)e->lwork * sizeof *e->work);
	return e->work ? DK_OK : DK_ENOMEM;
}

/* The sorted eigenvalues of the n x n matrix in e->J (destroyed). */
static int eigenvalues(eig_work *e, size_t n, dk_convention conv,
                       double complex *eig, char *err, size_t errlen)
{
	lapack_int N = (lapack_int)n, ilo = 1, ihi = N;
	for (size_t i = 0; i < n * n; i++)
		if (!isfinite(e->J[i]))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "Jacobian entry (%zu, %zu) is not finite",
			                 i / n, i % n);
	lapack_int info = LAPACKE_dgebal_work(LAPACK_COL_MAJOR, 'P', N, e->J, N,
	                                      &ilo, &ihi, e->scale);
	if (info)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "balancing failed (LAPACK info %d)", (int)info);
	dk_linalg_hessenberg_reduce(n, e->J, n, (size_t)ilo - 1, (size_t)ihi - 1,
	                            e->tau);
	/* the QR iteration of hqr.c; LAPACK's, from a copy of H, in the
	   rare case that it does not converge */
	memcpy(e->H, e->J, n * n * sizeof *e->H);
	if (dk_linalg_hessenberg_eigenvalues(n, e->H, n, (size_t)ilo - 1,
	                                     (size_t)ihi - 1, e->wr, e->wi))
		info = LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', N, ilo, ihi,
		                           e->J, N, e->wr, e->wi, NULL, 1, e->work,
		                           e->lwork);
	if (info)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "the QR iteration did not converge (LAPACK info %d)",
		                 (int)info);
	/* dk_spectrum_compute's order, so that fp/eig lists as jac/eig does */
	dk_spectrum_order(conv, n, e->wr, e->wi, e->key);
	for (size_t k = 0; k < n; k++) {
		size_t j = e->key[k].j;
		eig[k] = dk_complex_make(e->wr[j], e->wi[j]);
	}
	return DK_OK;
}

int dk_fixed_spectra(const dk_model *m, dk_convention conv,
                     const dk_fixed_points *p, const double *u, double tol,
                     double complex *eig, int64_t *index, char *err,
                     size_t errlen)
{
	size_t n = p->n;
	if (n != dk_model_state_size(m))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the points' state size is not the model's");
	if (p->count == 0 || n == 0) {
		for (size_t i = 0; i < p->count; i++)
			index[i] = 0;
		return DK_OK;
	}
	dk_jacobian *jw = NULL;
	int st = dk_jacobian_alloc(m, conv, 0, &jw, err, errlen);
	if (st)
		return st;
	eig_work e;
	st = eig_work_alloc(&e, n);
	if (st)
		st = dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	for (size_t i = 0; !st && i < p->count; i++) {
		st = dk_jacobian_state(jw, p->x + i * n, u, e.J);
		if (st) {
			st = dk_errorf(st, err, errlen, "the Jacobian: %s", dk_strerror(st));
			break;
		}
		st = eigenvalues(&e, n, conv, eig + i * n, err, errlen);
		if (!st)
			index[i] = (int64_t)dk_spectrum_classify(eig + i * n, n, conv,
			                                         tol).index;
	}
	eig_work_free(&e);
	dk_jacobian_free(jw);
	return st;
}
