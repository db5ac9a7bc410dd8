/*
 * arnoldi.h -- a few leading eigenvalues of a matrix-free operator, by
 * ARPACK's implicitly restarted Arnoldi method.
 *
 * A model's Jacobian at a state of a network of 10^4 - 10^5 units is far
 * too big to form (n^2 doubles), but its leading eigenvalues -- those of
 * largest modulus for a map, of largest real part for a flow, or those
 * nearest a shift sigma -- need only Jacobian-vector products.  This
 * wraps ARPACK-ng's dnaupd/dneupd (reverse communication) around a
 * dk_linop: a deterministic start vector from the project's generator
 * (so the same seed gives the same bytes), shift-invert by GMRES solves
 * with A - sigma I, eigenvalues sorted as a dense solver's would be, and
 * residuals ||A v - lambda v|| recomputed with the operator itself rather
 * than taken from ARPACK's estimate.
 *
 * ARPACK keeps state in Fortran SAVE variables, so solves are serialised
 * by a process-wide lock: calls from several threads are safe, but wait
 * for one another.
 */
#ifndef DK_LINALG_ARNOLDI_H
#define DK_LINALG_ARNOLDI_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "linalg/linop.h"

/* Which end of the spectrum: largest modulus or largest real part.  In
   shift-invert mode the criterion applies to nu = 1/(lambda - sigma), so
   LM finds the eigenvalues nearest sigma. */
typedef enum { DK_ARNOLDI_LM, DK_ARNOLDI_LR } dk_arnoldi_which;

typedef struct dk_arnoldi_opts {
	dk_arnoldi_which which;
	size_t k;            /* eigenvalues wanted, 1 <= k < n - 1 */
	size_t ncv;          /* Arnoldi basis size, k + 2 <= ncv <= n;
	                        0 takes max(2k + 1, 40) capped at n: a
	                        basis of 20 (SciPy's default) let a random
	                        tanh network's 5th and 6th values of 120
	                        slip past for the 7th and 8th, 1 % smaller
	                        in modulus (tests/jac.sh) */
	double tol;          /* ARPACK's relative accuracy of the Ritz
	                        values; 0 takes machine precision */
	size_t max_restarts; /* implicit restarts allowed; 0 takes 1000 */
	uint64_t seed;       /* of the start vector */
	int shift_invert;    /* nonzero: work with (A - sigma I)^{-1} */
	double sigma;        /* the (real) shift */
	double gmres_rtol;   /* shift-invert solves: 0 takes 1e-12 */
	size_t gmres_restart; /* 0 takes min(50, n) */
	size_t gmres_maxiter; /* products per solve; 0 takes 20 n, at least 1000 */
} dk_arnoldi_opts;

/* Fill o with the defaults: LM, k = 6, every 0 above, seed 0. */
void dk_arnoldi_opts_default(dk_arnoldi_opts *o);

/* What a solve cost. */
typedef struct dk_arnoldi_stats {
	size_t restarts;      /* ARPACK's implicit restarts */
	size_t op_applies;    /* products with the operator ARPACK saw */
	size_t products;      /* products with A in all (GMRES's included,
	                         and those of the residual check) */
	size_t nconv;         /* Ritz values that converged */
	double gmres_relres;  /* worst relative residual of a shift-invert
	                         solve (0 without shift-invert) */
} dk_arnoldi_stats;

typedef struct dk_arnoldi_work dk_arnoldi_work;

/*
 * A workspace for operators of size n with options o (copied).
 * DK_EINVAL with a message in err for options out of range (k >= n - 1,
 * ncv < k + 2 or > n, a tolerance below 0, n above ARPACK's int range,
 * shift-invert with a non-finite sigma), DK_ENOMEM.
 */
int dk_arnoldi_alloc(size_t n, const dk_arnoldi_opts *o,
                     dk_arnoldi_work **out, char *err, size_t errlen);
void dk_arnoldi_free(dk_arnoldi_work *w);

/*
 * The k leading eigenvalues of A into eig (k values), sorted as a dense
 * solver's would be listed: decreasing modulus for LM, decreasing real
 * part for LR (decreasing |nu| or Re nu with shift-invert, so nearest
 * sigma first for LM), the member of a conjugate pair with positive
 * imaginary part first.  When vec is not NULL it receives the Ritz
 * vectors, n x k row-major (column j belongs to eig[j]), each of unit
 * 2-norm with its largest entry real and positive; when resid is not
 * NULL, resid[j] = ||A v_j - eig[j] v_j||, computed with A.  stats may
 * be NULL.
 *
 * Returns DK_OK, DK_EINVAL (A's size is not the workspace's), DK_ENUMERIC
 * with ARPACK's complaint in words (no convergence within the restarts,
 * fewer than k values converged, a shift-invert solve that GMRES could
 * not finish), or a status A's apply returned.
 */
int dk_arnoldi_solve(dk_arnoldi_work *w, const dk_linop *A,
                     double complex *eig, double complex *vec, double *resid,
                     dk_arnoldi_stats *stats, char *err, size_t errlen);

#endif
