/*
 * lyap_rows.c -- a Cholesky QR's Gram matrix and triangular products over
 * fixed row blocks of the basis, shared among a team (lyap_rows.h).
 */
#include <config.h>

#include <stdlib.h>
#include <cblas.h>

#include "base/team.h"
#include "analysis/lyap_rows.h"

/* Rows per block at least (a block of fewer is not worth a task), and
   blocks at most: 4 blocks of 128 rows for the 512 x 64 basis, two per
   thread on two cores, so that a helper woken late leaves its share to
   the caller. */
#define ROWS_MIN 128
#define BLOCKS_MAX 4
/* Below this many elements in the basis (n k), waking a helper costs
   more than the half of the work it would take: no team. */
#define TEAM_MIN_ELEMENTS 16384

struct dk_lyap_rows {
	size_t n, k, blocks;
	dk_team *team;          /* NULL: all in the caller */
	double *parts;          /* blocks x k x k: each block's Gram matrix */
	/* the job in hand */
	const double *Q, *T;
	double *Qw;
	int solve;
};

size_t dk_lyap_rows_blocks(const dk_lyap_rows *r)
{
	return r->blocks;
}

dk_lyap_rows *dk_lyap_rows_alloc(size_t n, size_t k)
{
	dk_lyap_rows *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->n = n;
	r->k = k;
	r->blocks = n / ROWS_MIN;
	if (r->blocks > BLOCKS_MAX)
		r->blocks = BLOCKS_MAX;
	if (r->blocks < 1)
		r->blocks = 1;
	if (r->blocks > 1) {
		r->parts = malloc(r->blocks * k * k * sizeof *r->parts);
		if (!r->parts) {
			free(r);
			return NULL;
		}
	}
	int threads = openblas_get_num_threads();
	if (threads > (int)r->blocks)
		threads = (int)r->blocks;
	if (threads > 1 && (double)n * (double)k >= TEAM_MIN_ELEMENTS) {
		r->team = dk_team_alloc(threads);
		if (!r->team) {
			dk_lyap_rows_free(r);
			return NULL;
		}
	}
	return r;
}

void dk_lyap_rows_free(dk_lyap_rows *r)
{
	if (!r)
		return;
	dk_team_free(r->team);
	free(r->parts);
	free(r);
}

int dk_lyap_rows_blas_alone(void)
{
	int threads = openblas_get_num_threads();
	if (threads > 1)
		openblas_set_num_threads(1);
	return threads;
}

void dk_lyap_rows_blas_shared(int threads)
{
	if (threads > 1)
		openblas_set_num_threads(threads);
}

/* The first row of block b: the blocks split the rows as evenly as
   integers allow. */
static size_t block_start(const dk_lyap_rows *r, size_t b)
{
	return b * r->n / r->blocks;
}

static void gram_block(void *arg, size_t b)
{
	const dk_lyap_rows *r = arg;
	size_t i0 = block_start(r, b), i1 = block_start(r, b + 1);
	int k = (int)r->k;
	cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, k, (int)(i1 - i0), 1.0,
	            r->Q + i0, (int)r->n, 0.0, r->parts + b * r->k * r->k, k);
}

void dk_lyap_rows_gram(dk_lyap_rows *r, const double *Q, double *G)
{
	size_t k = r->k;
	if (r->blocks == 1) {
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)k, (int)r->n, 1.0,
		            Q, (int)r->n, 0.0, G, (int)k);
		return;
	}
	r->Q = Q;
	dk_team_run(r->team, gram_block, r, r->blocks);
	/* the blocks' sums added in block order, whoever made them */
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++) {
			double s = r->parts[j * k + i];
			for (size_t b = 1; b < r->blocks; b++)
				s += r->parts[(b * k + j) * k + i];
			G[j * k + i] = s;
		}
}

static void upper_block(void *arg, size_t b)
{
	const dk_lyap_rows *r = arg;
	size_t i0 = block_start(r, b), i1 = block_start(r, b + 1);
	int k = (int)r->k, rows = (int)(i1 - i0);
	if (r->solve)
		cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
		            rows, k, 1.0, r->T, k, r->Qw + i0, (int)r->n);
	else
		cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
		            rows, k, 1.0, r->T, k, r->Qw + i0, (int)r->n);
}

void dk_lyap_rows_times_upper(dk_lyap_rows *r, const double *T, int solve, double *Q)
{
	r->T = T;
	r->Qw = Q;
	r->solve = solve;
	dk_team_run(r->team, upper_block, r, r->blocks);
}
