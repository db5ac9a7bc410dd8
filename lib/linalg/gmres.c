/*
 * gmres.c -- restarted GMRES(m): Arnoldi with modified Gram-Schmidt run
 * twice, Givens rotations for the least-squares problem.
 *
 * Each cycle starts from the true residual r = b - A x, builds an
 * orthonormal basis V of the Krylov space K_j(A, r) and the Hessenberg
 * matrix H with A V_j = V_{j+1} H_j, and keeps the QR factors of H by
 * Givens rotations so that the residual norm of the best x in x + K_j is
 * known after every product without forming x.  One Gram-Schmidt pass
 * loses orthogonality when A is far from normal; a second pass ("twice is
 * enough") restores it at the price of one more set of dot products,
 * cheap against a Jacobian-vector product.
 *
 * The estimate can claim convergence that rounding has not delivered, so
 * the loop stops only on a true residual, which the next cycle computes
 * anyway.  One product of the budget is kept back for that last check.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "linalg/gmres.h"

struct dk_gmres_work {
	size_t n, m;  /* operator size, restart length */
	double *V;    /* owned: (m + 1) basis vectors of length n, one per row */
	double *H;    /* owned: Hessenberg columns, column j at H + j (m + 1) */
	double *cs;   /* owned: m Givens cosines */
	double *sn;   /* owned: m Givens sines */
	double *g;    /* owned: m + 1, rotated right-hand side beta e_1 */
	double *y;    /* owned: m, the least-squares solution */
};

dk_gmres_work *dk_gmres_alloc(size_t n, size_t restart)
{
	if (n == 0 || restart == 0 || restart + 1 > SIZE_MAX / sizeof(double) / n)
		return NULL;
	dk_gmres_work *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	size_t m = restart;
	w->n = n;
	w->m = m;
	w->V = malloc((m + 1) * n * sizeof *w->V);
	w->H = malloc((m + 1) * m * sizeof *w->H);
	w->cs = malloc(m * sizeof *w->cs);
	w->sn = malloc(m * sizeof *w->sn);
	w->g = malloc((m + 1) * sizeof *w->g);
	w->y = malloc(m * sizeof *w->y);
	if (!w->V || !w->H || !w->cs || !w->sn || !w->g || !w->y) {
		dk_gmres_free(w);
		return NULL;
	}
	return w;
}

void dk_gmres_free(dk_gmres_work *w)
{
	if (!w)
		return;
	free(w->V);
	free(w->H);
	free(w->cs);
	free(w->sn);
	free(w->g);
	free(w->y);
	free(w);
}

static int all_zero(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x[i] != 0)
			return 0;
	return 1;
}

/* Make column j of H upper triangular with the rotations so far and a
   new one, and rotate g along. */
static void givens_step(dk_gmres_work *w, size_t j)
{
	double *h = w->H + j * (w->m + 1);
	for (size_t i = 0; i < j; i++) {
		double t = w->cs[i] * h[i] + w->sn[i] * h[i + 1];
		h[i + 1] = -w->sn[i] * h[i] + w->cs[i] * h[i + 1];
		h[i] = t;
	}
	double r = hypot(h[j], h[j + 1]);
	double c = 1, s = 0;
	if (r > 0) {
		c = h[j] / r;
		s = h[j + 1] / r;
	}
	w->cs[j] = c;
	w->sn[j] = s;
	h[j] = r;
	h[j + 1] = 0;
	w->g[j + 1] = -s * w->g[j];
	w->g[j] = c * w->g[j];
}

/* x += V_k y, where R_k y = g_k (R the rotated H, upper triangular). */
static void update_solution(dk_gmres_work *w, size_t k, double *x)
{
	size_t ld = w->m + 1;
	for (size_t i = k; i-- > 0;) {
		double s = w->g[i];
		for (size_t l = i + 1; l < k; l++)
			s -= w->H[l * ld + i] * w->y[l];
		/* a zero pivot means the Krylov space stopped growing at i:
		   that direction adds nothing */
		w->y[i] = w->H[i * ld + i] != 0 ? s / w->H[i * ld + i] : 0;
	}
	for (size_t i = 0; i < k; i++)
		cblas_daxpy((int)w->n, w->y[i], w->V + i * w->n, 1, x, 1);
}

int dk_gmres_solve(dk_gmres_work *w, const dk_linop *A, const double *b,
                   double *x, double rtol, size_t maxiter, size_t *iters,
                   double *relres)
{
	size_t used = 0;
	double rel = 0;
	int st = DK_OK;
	if (iters)
		*iters = 0;
	if (relres)
		*relres = NAN;
	if (!w || !A || !A->apply || !b || !x || A->n != w->n || !(rtol >= 0) ||
	    maxiter == 0)
		return DK_EINVAL;

	const size_t n = w->n, m = w->m;
	const int N = (int)n;
	double bnorm = cblas_dnrm2(N, b, 1);
	if (!isfinite(bnorm))
		return DK_ENUMERIC;
	if (bnorm == 0) {
		memset(x, 0, n * sizeof *x);
		if (relres)
			*relres = 0;
		return DK_OK;
	}

	int first = 1;
	for (;;) {
		/* the true residual, into V[0] */
		double *r = w->V;
		if (first && all_zero(x, n)) {
			memcpy(r, b, n * sizeof *r);
		} else {
			if ((st = A->apply(A->ctx, x, r)) != DK_OK)
				break;
			used++;
			for (size_t i = 0; i < n; i++)
				r[i] = b[i] - r[i];
		}
		first = 0;
		double beta = cblas_dnrm2(N, r, 1);
		if (!isfinite(beta)) {
			st = DK_ENUMERIC;
			break;
		}
		rel = beta / bnorm;
		if (rel <= rtol || used >= maxiter)
			break;

		cblas_dscal(N, 1 / beta, r, 1);
		memset(w->g, 0, (m + 1) * sizeof *w->g);
		w->g[0] = beta;
		size_t k = 0; /* columns of H built this cycle */
		while (k < m && used + 1 < maxiter) {
			double *v = w->V + k * n, *q = w->V + (k + 1) * n;
			double *h = w->H + k * (m + 1);
			if ((st = A->apply(A->ctx, v, q)) != DK_OK)
				break;
			used++;
			double qnorm0 = cblas_dnrm2(N, q, 1);
			memset(h, 0, (m + 1) * sizeof *h);
			for (int pass = 0; pass < 2; pass++)
				for (size_t i = 0; i <= k; i++) {
					double c = cblas_ddot(N, w->V + i * n, 1, q, 1);
					cblas_daxpy(N, -c, w->V + i * n, 1, q, 1);
					h[i] += c;
				}
			double hn = cblas_dnrm2(N, q, 1);
			if (!isfinite(qnorm0) || !isfinite(hn)) {
				st = DK_ENUMERIC;
				break;
			}
			/* breakdown: A v lies in the basis, so the Krylov space
			   holds the exact solution of this cycle */
			int breakdown = hn <= 1e-14 * qnorm0;
			h[k + 1] = breakdown ? 0 : hn;
			if (!breakdown)
				cblas_dscal(N, 1 / hn, q, 1);
			givens_step(w, k);
			k++;
			if (breakdown || fabs(w->g[k]) <= rtol * bnorm)
				break;
		}
		if (st != DK_OK)
			break;
		if (k == 0) /* budget spent; the residual above is final */
			break;
		update_solution(w, k, x);
	}
	if (iters)
		*iters = used;
	if (relres)
		*relres = rel;
	return st;
}
