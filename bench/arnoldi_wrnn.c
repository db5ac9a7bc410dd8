/*
 * arnoldi_wrnn.c -- the leading eigenvalues of a model's Jacobian at a
 * driven state, matrix-free, timed; for bench/arnoldi_wrnn.sh (which
 * compiles it against the libdynkit of the build tree; it is not part
 * of the build and not installed).
 *
 *	arnoldi_wrnn MODEL K STEPS SEED [dense]
 *
 * reads MODEL (a dk-init stream), runs it STEPS steps from rest on
 * normal random input (seed SEED), and at the last state and input
 * times dk_leading_eigs for the K eigenvalues of largest modulus (map
 * convention; Arnoldi tolerance from BENCH_TOL, default 1e-10; basis
 * size BENCH_NCV, default ARPACK's), printing the eigenvalues, their
 * residuals ||J v - lambda v||, the products used, and the memory a
 * dense Jacobian would take.  With "dense" it also times the dense way,
 * dk_model_jacobian then LAPACK's dgeev, and prints the agreement of the
 * K leading values and the time ratio.
 */
#include <complex.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lapacke.h>

#include "dynkit.h"

/* re + i im, exactly (CMPLX is missing from some compilers' headers):
   C11 lays a double complex out as two doubles, real part first */
static double complex cpx(double re, double im)
{
	double v[2] = {re, im};
	double complex z;
	memcpy(&z, v, sizeof z);
	return z;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_modulus(const void *pa, const void *pb)
{
	double complex a = *(const double complex *)pa, b = *(const double complex *)pb;
	if (cabs(a) != cabs(b))
		return cabs(a) > cabs(b) ? -1 : 1;
	return cimag(a) > cimag(b) ? -1 : cimag(a) < cimag(b);
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "arnoldi_wrnn: %s: %s\n", what, msg);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 5)
		die("usage", "arnoldi_wrnn MODEL K STEPS SEED [dense]");
	size_t k = strtoul(argv[2], NULL, 10), T = strtoul(argv[3], NULL, 10);
	uint64_t seed = strtoull(argv[4], NULL, 10);
	int dense = argc > 5 && !strcmp(argv[5], "dense");
	char err[512] = "";

	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		die(argv[1], "cannot open");
	dk_stream_reader *r = dk_stream_reader_alloc(fd, argv[1]);
	dk_bundle *b = dk_bundle_alloc();
	dk_model *m = NULL;
	if (dk_bundle_read(b, r) || dk_model_from_bundle(b, &m, err, sizeof err))
		die(argv[1], err[0] ? err : "cannot read the model");
	dk_bundle_free(b);
	dk_stream_reader_free(r);
	close(fd);

	size_t n = dk_model_state_size(m), nin = dk_model_input_size(m);
	double *inputs = malloc((T * nin + 1) * sizeof *inputs);
	double *states = malloc(T * n * sizeof *states);
	dk_rng *rng = dk_rng_alloc(seed);
	for (size_t i = 0; i < T * nin; i++)
		inputs[i] = dk_rng_normal(rng, 1.0);
	dk_rng_free(rng);
	int st = dk_model_run(m, T, 1, NULL, inputs, states, NULL);
	if (st)
		die("run", dk_strerror(st));
	const double *x = states + (T - 1) * n, *u = inputs + (T - 1) * nin;
	size_t on = 0;
	double xmax = 0;
	for (size_t i = 0; i < n; i++) {
		on += x[i] > 0;
		xmax = fmax(xmax, fabs(x[i]));
	}
	printf("state: n=%zu after %zu steps, %zu units on (%.1f %%), max |x| %.3g\n",
	       n, T, on, 100.0 * (double)on / (double)n, xmax);

	dk_arnoldi_opts o;
	dk_arnoldi_opts_default(&o);
	o.k = k;
	o.seed = seed;
	o.tol = getenv("BENCH_TOL") ? atof(getenv("BENCH_TOL")) : 1e-10;
	o.ncv = getenv("BENCH_NCV") ? strtoul(getenv("BENCH_NCV"), NULL, 10) : 0;
	double complex *eig = malloc(k * sizeof *eig);
	double *res = malloc(k * sizeof *res);
	dk_arnoldi_stats s;
	double t0 = now();
	st = dk_leading_eigs(m, x, u, DK_MAP, &o, eig, NULL, res, &s,
	                         err, sizeof err);
	double ta = now() - t0;
	if (st)
		die("arnoldi", err);
	double rmax = 0;
	for (size_t j = 0; j < k; j++)
		rmax = fmax(rmax, res[j]);
	printf("arnoldi: k=%zu LM tol=%g ncv=%zu: %.2f s, %zu restarts, %zu "
	       "products, max residual %.2g\n", k, o.tol,
	       o.ncv ? o.ncv : (2 * k + 1 > 20 ? 2 * k + 1 : 20), ta, s.restarts,
	       s.products, rmax);
	for (size_t j = 0; j < k; j++)
		printf("  %2zu  %+.10f %+.10fi  |lambda| %.10f  residual %.2g\n", j,
		       creal(eig[j]), cimag(eig[j]), cabs(eig[j]), res[j]);
	{ /* what the products alone cost: 50 jvps at the same state */
		dk_model_work *w = dk_model_work_alloc(m, 1);
		double *cache = malloc((dk_model_cache_size(m) + 1) * sizeof *cache);
		double *xn = malloc(n * sizeof *xn), *dx = malloc(n * sizeof *dx);
		if (!w || !cache || !xn || !dx)
			die("jvp", "out of memory");
		dk_model_step(m, w, 1, x, u, xn, cache);
		for (size_t i = 0; i < n; i++)
			dx[i] = sin((double)i);
		t0 = now();
		for (int rep = 0; rep < 50; rep++) {
			dk_model_jvp(m, w, 1, x, u, cache, dx, xn);
			dx[rep] += xn[rep] * 1e-3;
		}
		double tj = (now() - t0) / 50;
		printf("one product (jvp) %.3g ms: the %zu products are %.2f s of "
		       "the %.2f s, ARPACK's own work the rest\n", 1e3 * tj,
		       s.products, tj * (double)s.products, ta);
		dk_model_work_free(w);
		free(cache);
		free(xn);
		free(dx);
	}
	double bytes = (double)n * (double)n * 8;
	printf("dense Jacobian would need n^2 x 8 = %.4g bytes (%.1f GB)\n", bytes,
	       bytes / 1e9);

	if (dense) {
		double *J = malloc(n * n * sizeof *J), *wr = malloc(n * sizeof *wr),
		       *wi = malloc(n * sizeof *wi);
		double complex *lam = malloc(n * sizeof *lam);
		if (!J || !wr || !wi || !lam)
			die("dense", "out of memory");
		dk_model_work *w = dk_model_work_alloc(m, 1);
		t0 = now();
		dk_model_jacobian(m, w, x, u, J);
		if (LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, J,
		                  (lapack_int)n, wr, wi, NULL, 1, NULL, 1))
			die("dense", "dgeev failed");
		double td = now() - t0;
		for (size_t i = 0; i < n; i++)
			lam[i] = cpx(wr[i], wi[i]);
		qsort(lam, n, sizeof *lam, by_modulus);
		double e = 0;
		for (size_t j = 0; j < k; j++)
			e = fmax(e, cabs(eig[j] - lam[j]) / fmax(1, cabs(lam[j])));
		printf("dense: dk_model_jacobian + dgeev: %.2f s; the %zu leading "
		       "values agree to %.2g\n", td, k, e);
		printf("ratio dense/arnoldi: %.1f\n", td / ta);
		dk_model_work_free(w);
		free(J);
		free(wr);
		free(wi);
		free(lam);
	}
	free(eig);
	free(res);
	free(inputs);
	free(states);
	dk_model_free(m);
	return 0;
}
