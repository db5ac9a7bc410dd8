/*
 * arnoldi.c -- leading eigenvalues through ARPACK-ng's dnaupd/dneupd.
 *
 * ARPACK talks by reverse communication: dnaupd returns with ido = -1 or
 * 1 whenever it wants y = OP x for x and y inside its workd array, and
 * with ido = 99 when the Ritz values have converged; dneupd then extracts
 * values and vectors.  OP is A itself, or for shift-invert the operator
 * (A - sigma I)^{-1}, applied by a GMRES solve, whose eigenvalues
 * nu = 1/(lambda - sigma) are largest for the lambda nearest sigma; the
 * mapping back, lambda = sigma + 1/nu, is done here rather than by
 * dneupd's mode 3, so one code path serves both.
 *
 * Three things ARPACK leaves to the caller are done here:
 *  - the start vector: ARPACK's own random one comes from a generator
 *    whose seed lives in a Fortran SAVE variable, so a second solve in
 *    the same process would start elsewhere; a vector drawn from the
 *    project's generator with the caller's seed is passed instead
 *    (info = 1), which makes results reproducible bytewise.  (Where
 *    the Krylov space closes before ncv vectors -- an operator of low
 *    rank -- ARPACK still continues from vectors of its own generator,
 *    orthogonal to the invariant subspace it found; the wanted values
 *    and vectors lie in that subspace, and test_arnoldi checks that a
 *    rank-3 operator gives the same bytes twice);
 *  - the count: when the k-th wanted value is half of a complex pair,
 *    dneupd returns k + 1 values; they are sorted as a dense solver lists
 *    them and exactly k are kept;
 *  - the residuals: ARPACK's error bounds come from the Arnoldi
 *    relation, which a shift-invert solve's inexactness falsifies, so
 *    ||A v - lambda v|| is recomputed with A.
 */
#include <config.h>

#include <complex.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <arpack/arpack.h>

#include "base/lazy.h"
#include "base/rng.h"
#include "base/status.h"
#include "base/complex_make.h"
#include "linalg/arnoldi.h"
#include "linalg/gmres.h"

/* ARPACK's Fortran state is process-wide: one solve at a time. */
static pthread_mutex_t arpack_lock = PTHREAD_MUTEX_INITIALIZER;

struct dk_arnoldi_work {
	size_t n, k, ncv;
	dk_arnoldi_opts o;
	a_int lworkl;
	double *resid;   /* owned: n, start vector, then ARPACK's residual */
	double *V;       /* owned: n x ncv, column-major Arnoldi basis */
	double *workd;   /* owned: 3 n, where ARPACK exchanges x and y */
	double *workl;   /* owned: lworkl */
	double *workev;  /* owned: 3 ncv */
	a_int *select;   /* owned: ncv, dneupd's scratch */
	double *dr, *di; /* owned: k + 1 Ritz values of OP */
	double *Z;       /* owned: n x (k + 1), column-major Ritz vectors */
	double *tmp;     /* owned: 4 n, for the residual check */
	size_t *order;   /* owned: k + 1, the sorted order */
	size_t *first;   /* owned: k + 1, first column of each value's pair */
	double complex *lam; /* owned: k + 1, eigenvalues of A */
	dk_gmres_work *gmres; /* owned: shift-invert solves, or NULL */
};

void dk_arnoldi_opts_default(dk_arnoldi_opts *o)
{
	memset(o, 0, sizeof *o);
	o->which = DK_ARNOLDI_LM;
	o->k = 6;
}

void dk_arnoldi_free(dk_arnoldi_work *w)
{
	if (!w)
		return;
	free(w->resid);
	free(w->V);
	free(w->workd);
	free(w->workl);
	free(w->workev);
	free(w->select);
	free(w->dr);
	free(w->di);
	free(w->Z);
	free(w->tmp);
	free(w->order);
	free(w->first);
	free(w->lam);
	dk_gmres_free(w->gmres);
	free(w);
}

int dk_arnoldi_alloc(size_t n, const dk_arnoldi_opts *o,
                     dk_arnoldi_work **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!o)
		return dk_errorf(DK_EINVAL, err, errlen, "arnoldi: no options");
	if (o->which != DK_ARNOLDI_LM && o->which != DK_ARNOLDI_LR)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: which must be LM or LR");
	if (n < 3 || n > INT_MAX / 4)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: operator size %zu out of range (3 to %d)",
		                 n, INT_MAX / 4);
	size_t k = o->k;
	if (k < 1 || k + 1 >= n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: k = %zu eigenvalues of an operator of size "
		                 "%zu: need 1 <= k < n - 1 (use a dense solver)", k, n);
	size_t ncv = o->ncv;
	if (ncv == 0) {
		ncv = 2 * k + 1 > 40 ? 2 * k + 1 : 40;
		if (ncv > n)
			ncv = n;
	}
	if (ncv < k + 2 || ncv > n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: ncv = %zu out of range: need k + 2 = %zu "
		                 "<= ncv <= n = %zu", ncv, k + 2, n);
	if (!(o->tol >= 0) || !(o->gmres_rtol >= 0))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: tolerances must be >= 0");
	if (o->max_restarts > INT_MAX)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: too many restarts allowed (%zu)",
		                 o->max_restarts);
	if (o->shift_invert && !isfinite(o->sigma))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: shift sigma is not finite");

	dk_arnoldi_work *w = calloc(1, sizeof *w);
	if (!w)
		return DK_ENOMEM;
	w->n = n;
	w->k = k;
	w->ncv = ncv;
	w->o = *o;
	w->o.ncv = ncv;
	if (!w->o.max_restarts)
		w->o.max_restarts = 1000;
	if (!w->o.gmres_rtol)
		w->o.gmres_rtol = 1e-12;
	if (!w->o.gmres_restart)
		w->o.gmres_restart = n < 50 ? n : 50;
	if (!w->o.gmres_maxiter)
		w->o.gmres_maxiter = 20 * n > 1000 ? 20 * n : 1000;
	w->lworkl = (a_int)(3 * ncv * ncv + 6 * ncv);
	w->resid = malloc(n * sizeof *w->resid);
	w->V = malloc(n * ncv * sizeof *w->V);
	w->workd = malloc(3 * n * sizeof *w->workd);
	w->workl = malloc((size_t)w->lworkl * sizeof *w->workl);
	w->workev = malloc(3 * ncv * sizeof *w->workev);
	w->select = malloc(ncv * sizeof *w->select);
	w->dr = malloc((k + 1) * sizeof *w->dr);
	w->di = malloc((k + 1) * sizeof *w->di);
	w->Z = malloc(n * (k + 1) * sizeof *w->Z);
	w->tmp = malloc(4 * n * sizeof *w->tmp);
	w->order = malloc((k + 1) * sizeof *w->order);
	w->first = malloc((k + 1) * sizeof *w->first);
	w->lam = malloc((k + 1) * sizeof *w->lam);
	if (o->shift_invert)
		w->gmres = dk_gmres_alloc(n, w->o.gmres_restart);
	if (!w->resid || !w->V || !w->workd || !w->workl || !w->workev ||
	    !w->select || !w->dr || !w->di || !w->Z || !w->tmp || !w->order || !w->first ||
	    !w->lam || (o->shift_invert && !w->gmres)) {
		dk_arnoldi_free(w);
		return DK_ENOMEM;
	}
	*out = w;
	return DK_OK;
}

/* A - sigma I, for the GMRES solves of shift-invert. */
typedef struct {
	const dk_linop *A;
	double sigma;
	size_t products;
} shifted_ctx;

static int shifted_apply(void *ctx, const double *x, double *y)
{
	shifted_ctx *s = ctx;
	int st = s->A->apply(s->A->ctx, x, y);
	if (st)
		return st;
	s->products++;
	for (size_t i = 0; i < s->A->n; i++)
		y[i] -= s->sigma * x[i];
	return DK_OK;
}

/* Said when ARPACK's library, loaded at the first call, could not be. */
#ifdef DK_ARPACK_SONAME
#define UNLOADED "ARPACK's library (" DK_ARPACK_SONAME ") could not be loaded"
#else
#define UNLOADED "ARPACK's library could not be loaded"
#endif

static const char *naupd_message(a_int info)
{
	switch (info) {
	case 3: return "no shifts could be applied during a restart cycle "
	               "(raise ncv)";
	case -8: return "the dense eigenvalue computation of the Hessenberg "
	                "matrix (LAPACK dlahqr) failed";
	case -9: return "the start vector is zero";
	case -9999: return "no Arnoldi factorisation could be built: the "
	                   "operator seems to have an invariant subspace "
	                   "smaller than ncv";
	case DK_LAZY_UNLOADED: return UNLOADED;
	default: return "ARPACK rejected an argument that dk_arnoldi_alloc "
	                "accepted";
	}
}

static const char *neupd_message(a_int info)
{
	switch (info) {
	case 1: return "the reordering of the Schur form (LAPACK dtrsen) "
	               "failed: eigenvalues too close to one another";
	case -8: return "the Schur form computation (LAPACK dlahqr) failed";
	case -9: return "the eigenvector computation (LAPACK dtrevc) failed";
	case -14: return "no Ritz value reached the requested accuracy";
	case -15: return "the extraction found a different number of converged "
	                 "Ritz values than the iteration did";
	case DK_LAZY_UNLOADED: return UNLOADED;
	default: return "ARPACK rejected an argument that dk_arnoldi_alloc "
	                "accepted";
	}
}

/* Sorting: the key of an ARPACK Ritz value theta (an eigenvalue of OP),
   larger first; ties (conjugate pairs) by the eigenvalue's imaginary,
   then real part, larger first, as LAPACK lists pairs. */
static double sort_key(const dk_arnoldi_work *w, size_t j)
{
	return w->o.which == DK_ARNOLDI_LM ? hypot(w->dr[j], w->di[j]) : w->dr[j];
}

static int before(const dk_arnoldi_work *w, size_t a, size_t b)
{
	double ka = sort_key(w, a), kb = sort_key(w, b);
	if (ka != kb)
		return ka > kb;
	if (cimag(w->lam[a]) != cimag(w->lam[b]))
		return cimag(w->lam[a]) > cimag(w->lam[b]);
	if (creal(w->lam[a]) != creal(w->lam[b]))
		return creal(w->lam[a]) > creal(w->lam[b]);
	return a < b;
}

/* The complex Ritz vector of ARPACK's value j into re, im (unit norm,
   largest entry real positive).  dneupd stores a conjugate pair in two
   adjacent columns p, p + 1, first member first: Z_p + i Z_{p+1} belongs
   to the first member, its conjugate to the second.  first[j] is p for
   either member, or j for a real value. */
static void ritz_vector(const dk_arnoldi_work *w, size_t j, double *re,
                        double *im)
{
	size_t n = w->n, p = w->first[j];
	const double *Z = w->Z;
	if (w->di[j] == 0) {
		memcpy(re, Z + j * n, n * sizeof *re);
		memset(im, 0, n * sizeof *im);
	} else {
		double s = p == j ? 1 : -1;
		for (size_t i = 0; i < n; i++) {
			re[i] = Z[p * n + i];
			im[i] = s * Z[(p + 1) * n + i];
		}
	}
	/* phase and norm */
	size_t imax = 0;
	double amax = -1, nrm = 0;
	for (size_t i = 0; i < n; i++) {
		double a = re[i] * re[i] + im[i] * im[i];
		nrm += a;
		if (a > amax) {
			amax = a;
			imax = i;
		}
	}
	if (!(nrm > 0))
		return;
	double a = sqrt(amax), pr = re[imax] / a, pi = -im[imax] / a;
	double s = 1 / sqrt(nrm);
	for (size_t i = 0; i < n; i++) {
		double r = re[i] * pr - im[i] * pi, m = re[i] * pi + im[i] * pr;
		re[i] = r * s;
		im[i] = m * s;
	}
	im[imax] = 0;
}

static void fill_stats(dk_arnoldi_stats *stats, const a_int *iparam,
                       size_t products, double worst)
{
	if (!stats)
		return;
	stats->restarts = (size_t)iparam[2];
	stats->op_applies = (size_t)iparam[8];
	stats->products = products;
	stats->nconv = (size_t)iparam[4];
	stats->gmres_relres = worst;
}

static int run(dk_arnoldi_work *w, const dk_linop *A, double complex *eig,
               double complex *vec, double *resid, dk_arnoldi_stats *stats,
               char *err, size_t errlen)
{
	const size_t n = w->n, k = w->k, ncv = w->ncv;
	const dk_arnoldi_opts *o = &w->o;
	const char *which = o->which == DK_ARNOLDI_LM ? "LM" : "LR";
	shifted_ctx sh = {A, o->sigma, 0};
	dk_linop shifted = {n, shifted_apply, &sh};
	size_t products = 0;
	double worst = 0;

	dk_rng *rng = dk_rng_alloc(o->seed);
	if (!rng)
		return DK_ENOMEM;
	for (size_t i = 0; i < n; i++)
		w->resid[i] = dk_rng_normal(rng, 1.0);
	dk_rng_free(rng);

	a_int iparam[11] = {0}, ipntr[14] = {0};
	iparam[0] = 1;                       /* exact shifts */
	iparam[2] = (a_int)o->max_restarts;
	iparam[3] = 1;                       /* block size */
	iparam[6] = 1;                       /* mode: OP x = lambda x */
	a_int ido = 0, info = 1;             /* 1: resid is the start vector */
	for (;;) {
		dnaupd_c(&ido, "I", (a_int)n, which, (a_int)k, o->tol, w->resid,
		         (a_int)ncv, w->V, (a_int)n, iparam, ipntr, w->workd, w->workl,
		         w->lworkl, &info);
		if (ido == 99)
			break;
		if (ido != -1 && ido != 1)
			return dk_errorf(DK_ENUMERIC, err, errlen,
			                 "arnoldi: ARPACK asked for an unexpected "
			                 "operation (ido = %d)", (int)ido);
		const double *x = w->workd + ipntr[0] - 1;
		double *y = w->workd + ipntr[1] - 1;
		int st;
		if (o->shift_invert) {
			size_t it = 0;
			double rel = 0;
			memset(y, 0, n * sizeof *y);
			st = dk_gmres_solve(w->gmres, &shifted, x, y, o->gmres_rtol,
			                    o->gmres_maxiter, &it, &rel);
			if (st == DK_OK && !(rel <= 10 * o->gmres_rtol))
				return dk_errorf(DK_ENUMERIC, err, errlen,
				                 "arnoldi: shift-invert: GMRES reached a "
				                 "relative residual of only %.3g (wanted %.3g) "
				                 "in %zu products solving with A - %g I; sigma "
				                 "may sit on an eigenvalue, or the solve needs a "
				                 "longer GMRES restart or more products", rel, o->gmres_rtol, it,
				                 o->sigma);
			if (rel > worst)
				worst = rel;
		} else {
			st = A->apply(A->ctx, x, y);
			products++;
		}
		if (st)
			return dk_errorf(st, err, errlen,
			                 "arnoldi: the operator failed: %s",
			                 dk_strerror(st));
	}
	products += sh.products;
	fill_stats(stats, iparam, products, worst);
	if (info == 1)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "arnoldi: no convergence after %d restarts: %d of %zu "
		                 "eigenvalues converged (allow more restarts, a "
		                 "larger ncv, or a looser tolerance)",
		                 (int)iparam[2], (int)iparam[4], k);
	if (info != 0) {
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "arnoldi: ARPACK dnaupd: %s (info %d)",
		                 naupd_message(info), (int)info);
	}

	a_int rvec = vec || resid;
	dneupd_c(rvec, "A", w->select, w->dr, w->di, w->Z, (a_int)n, 0.0, 0.0,
	         w->workev, "I", (a_int)n, which, (a_int)k, o->tol, w->resid,
	         (a_int)ncv, w->V, (a_int)n, iparam, ipntr, w->workd, w->workl,
	         w->lworkl, &info);
	if (info != 0) {
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "arnoldi: ARPACK dneupd: %s (info %d)",
		                 neupd_message(info), (int)info);
	}
	size_t nconv = (size_t)iparam[4];
	if (nconv > k + 1)
		nconv = k + 1;
	if (nconv < k)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "arnoldi: only %zu of %zu eigenvalues converged "
		                 "(allow more restarts or a larger ncv)", nconv, k);

	for (size_t j = 0; j < nconv; j++) {
		double complex theta = dk_complex_make(w->dr[j], w->di[j]);
		w->lam[j] = o->shift_invert ? o->sigma + 1 / theta : theta;
		w->order[j] = j;
	}
	/* insertion sort: k is small */
	for (size_t a = 1; a < nconv; a++)
		for (size_t b = a; b > 0 && before(w, w->order[b], w->order[b - 1]); b--) {
			size_t t = w->order[b];
			w->order[b] = w->order[b - 1];
			w->order[b - 1] = t;
		}
	for (size_t j = 0; j < k; j++)
		eig[j] = w->lam[w->order[j]];
	for (size_t j = 0; j < nconv; j++) {
		if (w->di[j] == 0) {
			w->first[j] = j;
			continue;
		}
		w->first[j] = j;
		if (j + 1 < nconv)
			w->first[j + 1] = j;
		else if (rvec) /* half a pair: only its own column was stored */
			for (size_t i = 0; i < k; i++)
				if (w->order[i] == j)
					return dk_errorf(DK_ENUMERIC, err, errlen,
					                 "arnoldi: ARPACK returned half of a "
					                 "complex pair (raise k by one)");
		j++;
	}

	if (rvec) {
		double *re = w->tmp, *im = re + n, *Are = im + n, *Aim = Are + n;
		for (size_t j = 0; j < k; j++) {
			size_t s = w->order[j];
			ritz_vector(w, s, re, im);
			if (vec)
				for (size_t i = 0; i < n; i++)
					vec[i * k + j] = dk_complex_make(re[i], im[i]);
			if (!resid)
				continue;
			double lr = creal(eig[j]), li = cimag(eig[j]);
			int st = A->apply(A->ctx, re, Are);
			products++;
			if (!st && li != 0) {
				st = A->apply(A->ctx, im, Aim);
				products++;
			}
			if (st)
				return dk_errorf(st, err, errlen,
				                 "arnoldi: the operator failed: %s",
				                 dk_strerror(st));
			double r2 = 0;
			for (size_t i = 0; i < n; i++) {
				double a = Are[i] - lr * re[i] + li * im[i];
				double b = li != 0 ? Aim[i] - lr * im[i] - li * re[i] : 0;
				r2 += a * a + b * b;
			}
			resid[j] = sqrt(r2);
		}
	}
	fill_stats(stats, iparam, products, worst);
	return DK_OK;
}

int dk_arnoldi_solve(dk_arnoldi_work *w, const dk_linop *A,
                     double complex *eig, double complex *vec, double *resid,
                     dk_arnoldi_stats *stats, char *err, size_t errlen)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	if (!w || !A || !A->apply || !eig)
		return dk_errorf(DK_EINVAL, err, errlen, "arnoldi: missing argument");
	if (A->n != w->n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "arnoldi: operator of size %zu, workspace for %zu",
		                 A->n, w->n);
	pthread_mutex_lock(&arpack_lock);
	int st = run(w, A, eig, vec, resid, stats, err, errlen);
	pthread_mutex_unlock(&arpack_lock);
	return st;
}
