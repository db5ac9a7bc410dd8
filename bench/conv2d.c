/*
 * conv2d.c -- im2col and GEMM against direct loops for the 2-D
 * convolution layer (lib/models/conv2d.c), for bench/conv2d.sh (which
 * compiles it against the build tree's libdynkit; it is not part of the
 * build).
 *
 *	conv2d [REPS]
 *
 * For each shape of a list (the sheets and conv nets the models use:
 * one channel to many, 3x3 and 5x5 kernels, circular padding "same"),
 * times the forward and the vjp wrt the input over a batch, by each
 * method, best of REPS (default 7) runs, and prints the times and the
 * ratio direct / gemm (below 1: the loops are faster).  The rule in
 * conv2d.c's choose() is read off these ratios.  (The vjp wrt the
 * weights is by GEMM for both.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

#include "dynkit.h"

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

/* Best seconds of reps runs of job (0 forward, 1 vjp x). */
static double best(dk_conv2d *c, int job, int reps, const double *x, const double *W,
                   const double *b, double *y, double *gx)
{
	size_t B = dk_conv2d_get_spec(c)->batch;
	double t = 1e30;
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		if (job == 0)
			dk_conv2d_forward(c, B, x, W, b, y);
		else
			dk_conv2d_vjp_input(c, B, W, y, gx);
		double dt = now() - t0;
		if (dt < t)
			t = dt;
	}
	return t;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 7;
	printf("openblas: %s, %d threads\n", openblas_get_corename(),
	       openblas_get_num_threads());
	/* batch, in, out, H = W, kernel */
	static const size_t shapes[][5] = {
		{16, 1, 1, 64, 3}, {16, 1, 1, 32, 3}, {16, 1, 2, 64, 3}, {16, 2, 1, 64, 3},
		{16, 2, 2, 64, 3}, {16, 1, 4, 64, 3}, {16, 4, 1, 64, 3}, {16, 3, 3, 64, 3},
		{16, 4, 4, 64, 3}, {16, 1, 8, 32, 5}, {16, 8, 8, 32, 3}, {16, 8, 1, 32, 5},
		{16, 16, 16, 32, 3}, {16, 64, 64, 16, 3},
	};
	printf("%-22s %-8s %11s %11s %7s\n", "shape", "call", "gemm (ms)", "direct (ms)",
	       "ratio");
	static const char *const calls[] = {"forward", "vjp x"};
	unsigned seed = 1;
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		dk_conv2d_spec s = dk_conv2d_spec_default();
		s.batch = shapes[k][0];
		s.in_channels = shapes[k][1];
		s.out_channels = shapes[k][2];
		s.height = s.width = shapes[k][3];
		s.kernel_h = s.kernel_w = shapes[k][4];
		s.padding = DK_CONV2D_CIRCULAR;
		dk_conv2d *c[2];
		char err[256];
		for (int m = 0; m < 2; m++) {
			s.method = m ? DK_CONV2D_DIRECT : DK_CONV2D_GEMM;
			if (dk_conv2d_alloc(&s, &c[m], err, sizeof err)) {
				fprintf(stderr, "conv2d: %s\n", err);
				return 1;
			}
		}
		const dk_conv2d_shape *sh = dk_conv2d_get_shape(c[0]);
		size_t nx = s.batch * sh->in_size, ny = s.batch * sh->out_size;
		double *x = malloc(nx * sizeof *x), *gx = malloc(nx * sizeof *gx);
		double *y = malloc(ny * sizeof *y), *W = malloc(sh->weight_count * sizeof *W);
		double *b = malloc(s.out_channels * sizeof *b);
		fill(x, nx, &seed);
		fill(W, sh->weight_count, &seed);
		fill(b, s.out_channels, &seed);
		char name[64];
		snprintf(name, sizeof name, "B%zu %zu->%zu %zux%zu k%zu", s.batch,
		         s.in_channels, s.out_channels, s.height, s.width, s.kernel_h);
		for (int job = 0; job < 2; job++) {
			double t[2];
			for (int m = 0; m < 2; m++)
				t[m] = best(c[m], job, reps, x, W, b, y, gx);
			printf("%-22s %-8s %11.3f %11.3f %7.2f\n", name, calls[job], 1e3 * t[0],
			       1e3 * t[1], t[1] / t[0]);
		}
		free(x); free(gx); free(y); free(W); free(b);
		dk_conv2d_free(c[0]);
		dk_conv2d_free(c[1]);
	}
	return 0;
}
