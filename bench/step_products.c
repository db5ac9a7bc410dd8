/*
 * step_products.c -- the rate of a recurrent network's per-step matrix
 * products alone, as BPTT makes them, for bench/train_vs_torch.sh (which
 * compiles it into a temporary directory with OpenBLAS; it is not part of
 * the build).
 *
 *	step_products B N G [T [REPS]]
 *
 * A network of N units whose recurrent weight W has G rows (G = N for
 * the rnn, 3 N for the GRU's three gates, 4 N for the LSTM's four) takes, at each of T steps
 * (default 100) and batch B, three products: the forward X W^T (B x G
 * from B x N), the backward A W (B x N from B x G) and the weight
 * gradient A^T X (G x N, summed over the batch).  Each step reads its own
 * X and A, as training does (they are T x B x N and T x B x G arrays),
 * so the operands come from memory, not from the last product.  Prints
 * the best of REPS (default 5) runs of the T steps, in GFLOP/s:
 *
 *	step products B=128 N=256 G=256 T=100: best=... GFLOP/s ...
 *
 * This is the ceiling of a training iteration's rate: the iteration also
 * makes its elementwise passes, the readout and the optimiser step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void fill(double *a, size_t n, unsigned *s)
{
	for (size_t i = 0; i < n; i++) {
		*s = *s * 1103515245u + 12345u;
		a[i] = (double)(*s >> 8) / 16777216.0 - 0.5;
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: step_products B N G [T [REPS]]\n");
		return 2;
	}
	int B = atoi(argv[1]), N = atoi(argv[2]), G = atoi(argv[3]);
	int T = argc > 4 ? atoi(argv[4]) : 100, reps = argc > 5 ? atoi(argv[5]) : 5;
	if (B < 1 || N < 1 || G < 1 || T < 1 || reps < 1) {
		fprintf(stderr, "step_products: sizes must be positive\n");
		return 2;
	}
	size_t xs = (size_t)B * N, as = (size_t)B * G;
	double *X = malloc((size_t)T * xs * sizeof *X);
	double *A = malloc((size_t)T * as * sizeof *A);
	double *W = malloc((size_t)G * N * sizeof *W);
	double *gW = calloc((size_t)G * N, sizeof *gW);
	double *out = malloc((as > xs ? as : xs) * sizeof *out);
	if (!X || !A || !W || !gW || !out) {
		fprintf(stderr, "step_products: out of memory\n");
		return 1;
	}
	unsigned s = 1;
	fill(X, (size_t)T * xs, &s);
	fill(A, (size_t)T * as, &s);
	fill(W, (size_t)G * N, &s);
	double best = 1e300;
	for (int r = 0; r <= reps; r++) { /* run 0 warms: threads, pages */
		double t0 = now();
		for (int t = 0; t < T; t++) {
			const double *x = X + (size_t)t * xs, *a = A + (size_t)t * as;
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, G, N, 1.0,
			            x, N, W, N, 0.0, out, G);
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, N, G, 1.0,
			            a, G, W, N, 0.0, out, N);
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, N, B, 1.0,
			            a, G, x, N, 1.0, gW, N);
		}
		double dt = now() - t0;
		if (r > 0 && dt < best)
			best = dt;
	}
	double flop = 6.0 * B * (double)N * G * T;
	printf("step products B=%d N=%d G=%d T=%d: best=%.1f GFLOP/s, %.2f ms (%d runs, gW[0]=%.6g)\n",
	       B, N, G, T, flop / best / 1e9, best * 1e3, reps, gW[0]);
	free(X);
	free(A);
	free(W);
	free(gW);
	free(out);
	return 0;
}
