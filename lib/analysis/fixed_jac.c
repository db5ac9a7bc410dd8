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
#include <cblas.h>
#include <lapacke.h>

#include "analysis/fixed.h"
#include "analysis/jacobian.h"
#include "analysis/spectrum.h"
#include "analysis/spectrum_order.h"
#include "base/complex_make.h"
#include "base/team.h"
#include "base/status.h"
#include "linalg/blas_alone.h"
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

/* Most threads for the spectra, each with a Jacobian and scratch of
   its own. */
#define SPECTRA_LANES 8

/* One lane: its points' Jacobians and eigenvalues, and the first
   failure among them. */
typedef struct {
	dk_jacobian *jw;
	eig_work e;
	int st;
	size_t failed_at;
	char err[256];
} lane;

typedef struct {
	dk_convention conv;
	const dk_fixed_points *p;
	const double *u;
	double tol;
	double complex *eig;
	int64_t *index;
	lane *lanes;
	size_t parts;
} spectra_job;

/* The points of part k, with lane k; it stops at its first failure. */
static void spectra_part(void *arg, size_t k)
{
	const spectra_job *j = arg;
	const dk_fixed_points *p = j->p;
	size_t n = p->n, i0 = k * p->count / j->parts, i1 = (k + 1) * p->count / j->parts;
	lane *l = &j->lanes[k];
	for (size_t i = i0; i < i1; i++) {
		int st = dk_jacobian_state(l->jw, p->x + i * n, j->u, l->e.J);
		if (st)
			st = dk_errorf(st, l->err, sizeof l->err, "the Jacobian: %s",
			               dk_strerror(st));
		else
			st = eigenvalues(&l->e, n, j->conv, j->eig + i * n, l->err, sizeof l->err);
		if (st) {
			/* the point, for the message: the one in order to
			   report is the first that failed */
			char why[sizeof l->err];
			memcpy(why, l->err, sizeof why);
			l->st = dk_errorf(st, l->err, sizeof l->err, "point %zu: %s", i, why);
			l->failed_at = i;
			return;
		}
		j->index[i] = (int64_t)dk_spectrum_classify(j->eig + i * n, n, j->conv,
		                                            j->tol).index;
	}
}

/* How many lanes: the threads OpenBLAS may use, one a point at most;
   one under an address-space limit (blas_alone.h). */
static size_t lanes_for(size_t count)
{
	size_t t = (size_t)openblas_get_num_threads();
	if (!dk_blas_helpers_may_multiply() || t < 1)
		t = 1;
	if (t > SPECTRA_LANES)
		t = SPECTRA_LANES;
	return t < count ? t : count;
}

/*
 * The points are shared among threads in parts, each part with its own
 * Jacobian workspace and scratch, OpenBLAS on one thread meanwhile: a
 * point's spectrum is the same bits whichever thread makes it.  The
 * failure reported is that of the first point that failed, as one
 * thread going through them in order would report it.
 */
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
	size_t L = lanes_for(p->count);
	lane lanes[SPECTRA_LANES] = {0};
	int st = DK_OK;
	for (size_t k = 0; k < L && !st; k++) {
		st = dk_jacobian_alloc(m, conv, 0, &lanes[k].jw, err, errlen);
		if (!st && (st = eig_work_alloc(&lanes[k].e, n)))
			st = dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	}
	dk_team *team = NULL;
	if (!st && L > 1 && !(team = dk_team_alloc((int)L)))
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	if (!st) {
		/* parts as many as the team's threads (a helper that could not
		   be started leaves its part to the others) */
		spectra_job j = {conv, p, u, tol, eig, index, lanes, L};
		int threads = dk_blas_alone();
		dk_team_run(team, spectra_part, &j, L);
		dk_blas_restore(threads);
		const lane *first = NULL;
		for (size_t k = 0; k < L; k++)
			if (lanes[k].st && (!first || lanes[k].failed_at < first->failed_at))
				first = &lanes[k];
		if (first)
			st = dk_errorf(first->st, err, errlen, "%s", first->err);
	}
	dk_team_free(team);
	for (size_t k = 0; k < SPECTRA_LANES; k++) {
		eig_work_free(&lanes[k].e);
		dk_jacobian_free(lanes[k].jw);
	}
	return st;
}
