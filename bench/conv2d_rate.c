/*
 * conv2d_rate.c -- the 2-D convolution layer's forward and backward (the
 * product, the input's adjoint and the weights' gradient) at the
 * segmentation sizes, as a fraction of the machine's DGEMM rate, for
 * bench/conv2d_rate.sh (which compiles it against the build tree's
 * libdynkit; it is not part of the build).
 *
 *	conv2d_rate [REPS]
 *
 * For each shape (a 32 x 32 sheet, 16 or 32 channels in and out, a 3x3
 * circular kernel, batch 16 or 64) and each of the layer's methods for
 * it (im2col and GEMM per state, Winograd's F(2x2, 3x3)), timed in turn
 * within each repetition, the best of REPS (default 5) timings of
 * forward + vjp_input + vjp_params, each counted as the 2 B out in 9 H W
 * flops of the direct sum (so that Winograd, which does 2.25 times fewer
 * multiplications, can pass 100 %), and the best DGEMM rate of N = 1024
 * products timed in the same run, before and after the shapes (the
 * higher of the two is the reference).  Times are the process's CPU
 * time, steadier than wall time on a shared machine (one thread: set
 * OPENBLAS_NUM_THREADS=1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

#include "dynkit.h"

char *openblas_get_corename(void);
int openblas_get_num_threads(void);

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double *filled(size_t n, unsigned *s)
{
	double *v = malloc(n * sizeof *v);
	for (size_t i = 0; v && i < n; i++) {
		*s = *s * 1103515245u + 12345u;
		v[i] = (double)(*s >> 8) / 16777216.0 - 0.5;
	}
	return v;
}

/* The best DGEMM rate, GFLOP/s, of reps products of 1024 x 1024. */
static double dgemm_rate(int reps)
{
	int n = 1024;
	unsigned s = 1;
	size_t nn = (size_t)n * n;
	double *A = filled(nn, &s), *B = filled(nn, &s), *C = filled(nn, &s), best = 1e30;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0,
		            C, n);
		double t = now() - t0;
		best = t < best ? t : best;
	}
	free(A);
	free(B);
	free(C);
	return 2.0 * n * (double)n * n / best / 1e9;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	if (reps < 1) {
		fprintf(stderr, "usage: conv2d_rate [REPS]\n");
		return 2;
	}
	printf("core=%s threads=%d\n", openblas_get_corename(), openblas_get_num_threads());
	double before = dgemm_rate(reps);
	static const size_t shapes[][3] = {{16, 16, 16}, {16, 32, 16}, {32, 32, 16},
	                                   {16, 16, 64}, {32, 32, 64}, {28, 28, 16},
	                                   {11, 11, 1}};
	static const dk_conv2d_method methods[2] = {DK_CONV2D_GEMM, DK_CONV2D_WINOGRAD};
	static const char *const names[2] = {"gemm", "winograd"};
	enum { NS = sizeof shapes / sizeof *shapes };
	double rates[NS][2];
	for (size_t k = 0; k < NS; k++) {
		dk_conv2d *c[2];
		dk_conv2d_spec sp = dk_conv2d_spec_default();
		for (int m = 0; m < 2; m++) {
			sp.in_channels = shapes[k][0];
			sp.out_channels = shapes[k][1];
			sp.batch = shapes[k][2];
			sp.height = sp.width = 32;
			sp.kernel_h = sp.kernel_w = 3;
			sp.padding = DK_CONV2D_CIRCULAR;
			sp.method = methods[m];
			char err[256];
			if (dk_conv2d_alloc(&sp, &c[m], err, sizeof err)) {
				fprintf(stderr, "conv2d_rate: %s\n", err);
				return 1;
			}
		}
		size_t B = sp.batch, nx = B * sp.in_channels * 1024, ny = B * sp.out_channels * 1024;
		size_t nw = sp.out_channels * sp.in_channels * 9;
		unsigned s = 7;
		double *x = filled(nx, &s), *W = filled(nw, &s), *b = filled(sp.out_channels, &s);
		double *y = filled(ny, &s), *g = filled(ny, &s), *gx = filled(nx, &s);
		double *gW = filled(nw, &s), *gb = filled(sp.out_channels, &s);
		double best[2] = {1e30, 1e30}, part[2][3];
		for (int m = 0; m < 2; m++)
			part[m][0] = part[m][1] = part[m][2] = 1e30;
		for (int r = 0; r <= reps; r++) /* the first untimed */
			for (int m = 0; m < 2; m++) {
				double t0 = now();
				dk_conv2d_forward(c[m], B, x, W, b, y);
				double t1 = now();
				dk_conv2d_vjp_input(c[m], B, W, g, gx);
				double t2 = now();
				dk_conv2d_vjp_params(c[m], B, x, g, gW, gb);
				double t3 = now(), t = t3 - t0, d[3] = {t1 - t0, t2 - t1, t3 - t2};
				if (r && t < best[m])
					best[m] = t;
				for (int i = 0; r && i < 3; i++)
					part[m][i] = d[i] < part[m][i] ? d[i] : part[m][i];
			}
		double flop = 3 * 2.0 * (double)B * sp.out_channels * sp.in_channels * 9 * 1024;
		for (int m = 0; m < 2; m++) {
			rates[k][m] = flop / best[m] / 1e9;
			printf("conv2d 32x32 in=%zu out=%zu batch=%zu %s: %.3f ms, %.1f GFLOP/s "
			       "(forward %.3f, input's adjoint %.3f, weights' gradient %.3f ms)\n",
			       sp.in_channels, sp.out_channels, B, names[m], 1e3 * best[m],
			       rates[k][m], 1e3 * part[m][0], 1e3 * part[m][1], 1e3 * part[m][2]);
			dk_conv2d_free(c[m]);
		}
		free(x); free(W); free(b); free(y); free(g); free(gx); free(gW); free(gb);
	}
	double after = dgemm_rate(reps), ref = before > after ? before : after;
	printf("dgemm N=1024: %.1f GFLOP/s before, %.1f after\n", before, after);
	for (size_t k = 0; k < NS; k++)
		printf("in=%zu out=%zu batch=%zu: gemm %.0f%%, winograd %.0f%% of DGEMM\n",
		       shapes[k][0], shapes[k][1], shapes[k][2], 100 * rates[k][0] / ref,
		       100 * rates[k][1] / ref);
	return 0;
}
