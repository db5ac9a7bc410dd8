/*
 * dgemm_rate.c -- the machine's DGEMM rate through OpenBLAS's CBLAS, as
 * libdynkit calls it, for bench/train_vs_torch.sh (which compiles it into
 * a temporary directory with -lopenblas; it is not part of the build).
 *
 *	dgemm_rate [N [REPS]]
 *
 * times REPS (default 10) row-major products C = A B of N x N matrices
 * (default N = 1024), after one untimed product, and prints OpenBLAS's
 * core and thread count and the best rate, 2 N^3 / time, in GFLOP/s:
 *
 *	core=SkylakeX threads=2 config=OpenBLAS 0.3.21 ...
 *	dgemm N=1024 best=... GFLOP/s median=... GFLOP/s
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

/* OpenBLAS's own; declared here so that no OpenBLAS-only header is needed */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1024, reps = argc > 2 ? atoi(argv[2]) : 10;
	if (n < 1 || reps < 1) {
		fprintf(stderr, "usage: dgemm_rate [N [REPS]]\n");
		return 2;
	}
	size_t nn = (size_t)n * (size_t)n;
	double *A = malloc(nn * sizeof *A), *B = malloc(nn * sizeof *B);
	double *C = malloc(nn * sizeof *C), *t = malloc((size_t)reps * sizeof *t);
	if (!A || !B || !C || !t) {
		fprintf(stderr, "dgemm_rate: out of memory\n");
		return 1;
	}
	unsigned s = 1;
	for (size_t i = 0; i < nn; i++) {
		s = s * 1103515245u + 12345u;
		A[i] = (double)(s >> 8) / 16777216.0 - 0.5;
		s = s * 1103515245u + 12345u;
		B[i] = (double)(s >> 8) / 16777216.0 - 0.5;
		C[i] = 0;
	}
	printf("core=%s threads=%d config=%s\n", openblas_get_corename(),
	       openblas_get_num_threads(), openblas_get_config());
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n,
	            B, n, 0.0, C, n); /* warm: threads started, pages touched */
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A,
		            n, B, n, 0.0, C, n);
		t[r] = now() - t0;
	}
	qsort(t, (size_t)reps, sizeof *t, cmp);
	double flop = 2.0 * n * (double)n * n;
	printf("dgemm N=%d best=%.1f GFLOP/s median=%.1f GFLOP/s (%d products, C[0]=%.6g)\n",
	       n, flop / t[0] / 1e9, flop / t[reps / 2] / 1e9, reps, C[0]);
	free(A);
	free(B);
	free(C);
	free(t);
	return 0;
}
