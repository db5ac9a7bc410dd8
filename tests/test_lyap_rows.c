/*
 * test_lyap_rows.c -- the Cholesky QR's row blocks (analysis/lyap_rows.h):
 * the number of blocks, and the Gram matrix and the products with an
 * upper triangular factor (and its inverse) over the blocks against the
 * same sums done directly in long double.
 *
 * Tolerances are the standard rounding bounds of the sums in double, with
 * a factor 2 of slack: a sum of m products is within m eps sum |terms| of
 * the exact one whatever the order of its terms (so however the rows are
 * blocked), hence |G - Q^T Q| <= 2 n eps (|Q|^T |Q|) entrywise, |Q T -
 * ref| <= 2 k eps (|Q| |T|); the solve X = Q T^-1 is backward stable,
 * X (T + dT) = Q with |dT| <= k eps |T|, so |X T - Q| <= 2 k eps (|X| |T|).
 * The long double references carry about 3 more digits than that.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/lyap_rows.h"
#include "tap.h"

/* uniform on [-1, 1), from a fixed 64-bit LCG: the test needs any
   matrix, not a particular one */
static double uniform(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

static void check(size_t n, size_t k, size_t want_blocks)
{
	uint64_t seed = n * 31 + k;
	double *Q = malloc(n * k * sizeof *Q), *X = malloc(n * k * sizeof *X);
	double *G = malloc(k * k * sizeof *G), *T = calloc(k * k, sizeof *T);
	dk_lyap_rows *r = dk_lyap_rows_alloc(n, k);
	if (!Q || !X || !G || !T || !r) {
		ok(0, "n %zu k %zu: allocation", n, k);
		goto out;
	}
	is_int(dk_lyap_rows_blocks(r), want_blocks, "n %zu: %zu row blocks", n, want_blocks);
	for (size_t i = 0; i < n * k; i++)
		Q[i] = uniform(&seed);
	/* upper triangular, diagonal 1 to 2: well conditioned */
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++)
			T[j * k + i] = i == j ? 1.5 + 0.5 * uniform(&seed) : 0.3 * uniform(&seed);

	dk_lyap_rows_gram(r, Q, G);
	int good = 1;
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++) {
			long double s = 0, a = 0;
			for (size_t m = 0; m < n; m++) {
				s += (long double)Q[i * n + m] * Q[j * n + m];
				a += fabsl((long double)Q[i * n + m] * Q[j * n + m]);
			}
			good &= fabsl(G[j * k + i] - s) <= 2 * (long double)n * DBL_EPSILON * a;
		}
	ok(good, "n %zu k %zu: the Gram matrix over the blocks within 2 n eps |Q|^T |Q|", n, k);

	for (size_t i = 0; i < n * k; i++)
		X[i] = Q[i];
	dk_lyap_rows_times_upper(r, T, 0, X);
	good = 1;
	for (size_t m = 0; m < n; m++)
		for (size_t j = 0; j < k; j++) {
			long double s = 0, a = 0;
			for (size_t i = 0; i <= j; i++) {
				s += (long double)Q[i * n + m] * T[j * k + i];
				a += fabsl((long double)Q[i * n + m] * T[j * k + i]);
			}
			good &= fabsl(X[j * n + m] - s) <= 2 * (long double)k * DBL_EPSILON * a;
		}
	ok(good, "n %zu k %zu: Q T over the blocks within 2 k eps |Q| |T|", n, k);

	for (size_t i = 0; i < n * k; i++)
		X[i] = Q[i];
	dk_lyap_rows_times_upper(r, T, 1, X);
	good = 1;
	for (size_t m = 0; m < n; m++)
		for (size_t j = 0; j < k; j++) {
			long double s = 0, a = 0;
			for (size_t i = 0; i <= j; i++) {
				s += (long double)X[i * n + m] * T[j * k + i];
				a += fabsl((long double)X[i * n + m] * T[j * k + i]);
			}
			good &= fabsl(s - Q[j * n + m]) <= 2 * (long double)k * DBL_EPSILON * a;
		}
	ok(good, "n %zu k %zu: Q T^-1 over the blocks, X T within 2 k eps |X| |T| of Q", n, k);
out:
	dk_lyap_rows_free(r);
	free(Q); free(X); free(G); free(T);
}

int main(void)
{
	dk_lyap_rows_free(NULL);
	ok(1, "dk_lyap_rows_free(NULL) is a no-op");
	check(100, 7, 1);   /* fewer than 256 rows: one block */
	check(389, 7, 3);   /* blocks of 129 and 130 rows */
	check(1000, 70, 4); /* at most 4 blocks; a team when OpenBLAS has threads */
	return tap_done();
}
