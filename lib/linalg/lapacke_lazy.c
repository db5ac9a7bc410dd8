/*
 * lapacke_lazy.c -- the LAPACKE functions libdynkit calls, loading
 * LAPACKE at the first call instead of at every start (see
 * base/lazy.h).  Each has LAPACKE's own prototype (lapacke.h checks it)
 * and goes on to LAPACKE's function; they are hidden, so they serve
 * libdynkit's calls only and never stand in for LAPACKE in a program
 * that links it too.  If LAPACKE cannot be loaded, each returns
 * LAPACK_WORK_MEMORY_ERROR, which every caller takes as a failure.
 *
 * Built only when configure found LAPACKE's soname and dlopen (then
 * DK_LAPACKE_SONAME is defined); otherwise libdynkit links LAPACKE.
 * A LAPACKE function newly called in lib/ needs its line in
 * LAPACKE_CALLS below: libdynkit's link (--no-undefined) names it.
 */
#include <config.h>

#include <lapacke.h>

#include "base/lazy.h"

#define HIDDEN __attribute__((visibility("hidden")))

/* X(name, parameters, arguments), one per function used in lib/ */
#define LAPACKE_CALLS(X) \
	X(LAPACKE_dgebak_work, (int layout, char job, char side, lapack_int n, \
		lapack_int ilo, lapack_int ihi, const double *scale, lapack_int m, \
		double *v, lapack_int ldv), \
		(layout, job, side, n, ilo, ihi, scale, m, v, ldv)) \
	X(LAPACKE_dgebal_work, (int layout, char job, lapack_int n, double *a, \
		lapack_int lda, lapack_int *ilo, lapack_int *ihi, double *scale), \
		(layout, job, n, a, lda, ilo, ihi, scale)) \
	X(LAPACKE_dgeev, (int layout, char jobvl, char jobvr, lapack_int n, \
		double *a, lapack_int lda, double *wr, double *wi, double *vl, \
		lapack_int ldvl, double *vr, lapack_int ldvr), \
		(layout, jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr)) \
	X(LAPACKE_dgehrd_work, (int layout, lapack_int n, lapack_int ilo, \
		lapack_int ihi, double *a, lapack_int lda, double *tau, \
		double *work, lapack_int lwork), \
		(layout, n, ilo, ihi, a, lda, tau, work, lwork)) \
	X(LAPACKE_dgelsd, (int layout, lapack_int m, lapack_int n, \
		lapack_int nrhs, double *a, lapack_int lda, double *b, \
		lapack_int ldb, double *s, double rcond, lapack_int *rank), \
		(layout, m, n, nrhs, a, lda, b, ldb, s, rcond, rank)) \
	X(LAPACKE_dgeqrf, (int layout, lapack_int m, lapack_int n, double *a, \
		lapack_int lda, double *tau), \
		(layout, m, n, a, lda, tau)) \
	X(LAPACKE_dgeqrf_work, (int layout, lapack_int m, lapack_int n, \
		double *a, lapack_int lda, double *tau, double *work, \
		lapack_int lwork), \
		(layout, m, n, a, lda, tau, work, lwork)) \
	X(LAPACKE_dgesv, (int layout, lapack_int n, lapack_int nrhs, double *a, \
		lapack_int lda, lapack_int *ipiv, double *b, lapack_int ldb), \
		(layout, n, nrhs, a, lda, ipiv, b, ldb)) \
	X(LAPACKE_dgetrf_work, (int layout, lapack_int m, lapack_int n, \
		double *a, lapack_int lda, lapack_int *ipiv), \
		(layout, m, n, a, lda, ipiv)) \
	X(LAPACKE_dgetrs_work, (int layout, char trans, lapack_int n, \
		lapack_int nrhs, const double *a, lapack_int lda, \
		const lapack_int *ipiv, double *b, lapack_int ldb), \
		(layout, trans, n, nrhs, a, lda, ipiv, b, ldb)) \
	X(LAPACKE_dhseqr_work, (int layout, char job, char compz, lapack_int n, \
		lapack_int ilo, lapack_int ihi, double *h, lapack_int ldh, \
		double *wr, double *wi, double *z, lapack_int ldz, double *work, \
		lapack_int lwork), \
		(layout, job, compz, n, ilo, ihi, h, ldh, wr, wi, z, ldz, work, lwork)) \
	X(LAPACKE_dorghr_work, (int layout, lapack_int n, lapack_int ilo, \
		lapack_int ihi, double *a, lapack_int lda, const double *tau, \
		double *work, lapack_int lwork), \
		(layout, n, ilo, ihi, a, lda, tau, work, lwork)) \
	X(LAPACKE_dorgqr, (int layout, lapack_int m, lapack_int n, lapack_int k, \
		double *a, lapack_int lda, const double *tau), \
		(layout, m, n, k, a, lda, tau)) \
	X(LAPACKE_dorgqr_work, (int layout, lapack_int m, lapack_int n, \
		lapack_int k, double *a, lapack_int lda, const double *tau, \
		double *work, lapack_int lwork), \
		(layout, m, n, k, a, lda, tau, work, lwork)) \
	X(LAPACKE_dpotrf, (int layout, char uplo, lapack_int n, double *a, \
		lapack_int lda), \
		(layout, uplo, n, a, lda)) \
	X(LAPACKE_dpotrf_work, (int layout, char uplo, lapack_int n, double *a, \
		lapack_int lda), \
		(layout, uplo, n, a, lda)) \
	X(LAPACKE_dsyevr, (int layout, char jobz, char range, char uplo, \
		lapack_int n, double *a, lapack_int lda, double vl, double vu, \
		lapack_int il, lapack_int iu, double abstol, lapack_int *m, \
		double *w, double *z, lapack_int ldz, lapack_int *isuppz), \
		(layout, jobz, range, uplo, n, a, lda, vl, vu, il, iu, abstol, m, \
		 w, z, ldz, isuppz)) \
	X(LAPACKE_dtrevc_work, (int layout, char side, char howmny, \
		lapack_int *select, lapack_int n, const double *t, lapack_int ldt, \
		double *vl, lapack_int ldvl, double *vr, lapack_int ldvr, \
		lapack_int mm, lapack_int *m, double *work), \
		(layout, side, howmny, select, n, t, ldt, vl, ldvl, vr, ldvr, mm, \
		 m, work)) \
	X(LAPACKE_dtrtri_work, (int layout, char uplo, char diag, lapack_int n, \
		double *a, lapack_int lda), \
		(layout, uplo, diag, n, a, lda))

#define INDEX(name, params, args) I_##name,
enum { LAPACKE_CALLS(INDEX) N_CALLS };

#define NAME(name, params, args) #name,
static const char *const names[] = { LAPACKE_CALLS(NAME) };
static void (*fns[N_CALLS])(void);
static dk_lazy_lib lapacke = DK_LAZY_LIB(DK_LAPACKE_SONAME, names, fns);

#define FORWARD(name, params, args) \
	HIDDEN lapack_int name params \
	{ \
		if (!dk_lazy_load(&lapacke)) \
			return LAPACK_WORK_MEMORY_ERROR; \
		return ((__typeof__(name) *)fns[I_##name]) args; \
	}
LAPACKE_CALLS(FORWARD)
