/*
 * wrnn_threads.c -- the Wave-RNN's forward and backward passes with its
 * rows shared among 1 thread and among 2, alternately, in one process.
 *
 * usage: wrnn_threads CHANNELS UNITS BATCH STEPS ROUNDS
 *
 * One pass is what a training iteration asks of the model: STEPS steps
 * of a batch with the cache kept, then STEPS adjoint steps back with the
 * parameter gradient.  Each round times one pass with a workspace whose
 * team has 1 thread and one with 2 (the team follows OpenBLAS's thread
 * count when the workspace is allocated, so it is set just before), and
 * prints the best wall and process CPU time of each over the rounds,
 * their ratio, and whether the two gradients are the same bits.
 * Alternating the two keeps a load that comes and goes on a shared
 * machine from favouring either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>

#include "dynkit.h"

static double now(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: wrnn_threads CHANNELS UNITS BATCH STEPS ROUNDS\n");
		return 2;
	}
	size_t c = strtoul(argv[1], NULL, 10), n = strtoul(argv[2], NULL, 10);
	size_t B = strtoul(argv[3], NULL, 10), T = strtoul(argv[4], NULL, 10);
	int rounds = atoi(argv[5]);
	dk_model_spec spec = {.kind = "wrnn", .channels = c, .units = n, .inputs = 2,
	                      .outputs = 1, .init = "random", .gain = 1.0, .seed = 1};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err)) {
		fprintf(stderr, "wrnn_threads: %s\n", err);
		return 1;
	}
	size_t N = dk_model_state_size(m), P = dk_model_param_count(m);
	size_t C = dk_model_cache_size(m);
	double *u = malloc(T * B * 2 * sizeof *u), *x = calloc((T + 1) * B * N, sizeof *x);
	double *cache = malloc(T * B * C * sizeof *cache);
	double *g = malloc(B * N * sizeof *g), *gx = malloc(B * N * sizeof *gx);
	double *gp[2] = {malloc(P * sizeof(double)), malloc(P * sizeof(double))};
	if (!u || !x || !cache || !g || !gx || !gp[0] || !gp[1])
		return 1;
	for (size_t i = 0; i < T * B * 2; i++) /* inputs in [0, 1), fixed */
		u[i] = (double)((i * 2654435761u) % 1000) / 1000;
	double best_wall[2] = {1e30, 1e30}, best_cpu[2] = {1e30, 1e30};
	int saved = openblas_get_num_threads();
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 2; k++) {
			openblas_set_num_threads(k + 1);
			dk_model_work *w = dk_model_work_alloc(m, B);
			openblas_set_num_threads(saved);
			if (!w)
				return 1;
			double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
			for (size_t t = 0; t < T; t++)
				dk_model_step(m, w, B, x + t * B * N, u + t * B * 2,
				              x + (t + 1) * B * N, cache + t * B * C);
			memset(gp[k], 0, P * sizeof(double));
			for (size_t i = 0; i < B * N; i++) /* the loss: the sum of the last state */
				g[i] = 1;
			for (size_t t = T; t-- > 0;) {
				dk_model_vjp(m, w, B, x + t * B * N, u + t * B * 2, cache + t * B * C,
				             g, gx, NULL, gp[k]);
				memcpy(g, gx, B * N * sizeof *g);
			}
			double wall = now(CLOCK_MONOTONIC) - w0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
			dk_model_work_free(w);
			if (wall < best_wall[k])
				best_wall[k] = wall;
			if (cpu < best_cpu[k])
				best_cpu[k] = cpu;
		}
	printf("wrnn c=%zu n=%zu B=%zu T=%zu, forward + backward, best of %d rounds:\n",
	       c, n, B, T, rounds);
	for (int k = 0; k < 2; k++)
		printf("  %d thread%s: wall %.1f ms, cpu %.1f ms\n", k + 1, k ? "s" : " ",
		       1e3 * best_wall[k], 1e3 * best_cpu[k]);
	printf("  speed-up (wall, 1 thread / 2): %.2f\n", best_wall[0] / best_wall[1]);
	printf("  parameter gradients the same bits: %s\n",
	       memcmp(gp[0], gp[1], P * sizeof(double)) ? "NO" : "yes");
	free(u); free(x); free(cache); free(g); free(gx); free(gp[0]); free(gp[1]);
	dk_model_free(m);
	return 0;
}
