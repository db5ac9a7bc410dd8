/*
 * orthogonal.c -- Haar-random orthogonal matrices through LAPACK's QR.
 */
#include <config.h>

#include <stdlib.h>
#include <lapacke.h>

#include "base/status.h"
#include "linalg/orthogonal.h"

int dk_linalg_random_orthogonal(dk_rng *rng, size_t n, double *Q)
{
	if (n == 0)
		return DK_OK;
	double *tau = malloc(n * sizeof *tau), *sign = malloc(n * sizeof *sign);
	if (!tau || !sign) {
		free(tau);
		free(sign);
		return DK_ENOMEM;
	}
	for (size_t i = 0; i < n * n; i++)
		Q[i] = dk_rng_normal(rng, 1.0);
	lapack_int N = (lapack_int)n;
	int st = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, N, N, Q, N, tau) ? DK_ENUMERIC : DK_OK;
	if (!st) {
		for (size_t i = 0; i < n; i++)
			sign[i] = Q[i * n + i] < 0 ? -1.0 : 1.0;
		st = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, N, N, N, Q, N, tau) ? DK_ENUMERIC : DK_OK;
	}
	if (!st) /* Q diag(sign(R_ii)) */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				Q[i * n + j] *= sign[j];
	free(tau);
	free(sign);
	return st;
}
