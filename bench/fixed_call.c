/*
 * fixed_call.c -- the library call of dk-fixed alone, for
 * bench/fixed_vs_fpf.sh to show where dk-fixed's time goes: reads MODEL
 * (a stream) and STATES once (not timed), then times dk_fixed_run on them
 * RUNS times, with the spectra (as dk-fixed --jac) when JAC is 1, and
 * prints the median and best CPU time of the call, and the work the
 * search did (dk_fixed_counts) and the points it found.
 *
 * Usage: fixed_call MODEL STATES JAC RUNS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dynkit.h"

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fixed_call: %s: %s\n", what, why);
	exit(1);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static dk_bundle *read_bundle(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path, "cannot open");
	dk_stream_reader *rd = dk_stream_reader_alloc(fd, path);
	dk_bundle *b = dk_bundle_alloc();
	if (!rd || !b || dk_bundle_read(b, rd))
		die(path, "cannot read");
	dk_stream_reader_free(rd);
	close(fd);
	return b;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 5)
		die("usage", "fixed_call MODEL STATES JAC RUNS");
	int runs = atoi(argv[4]);
	if (runs < 1)
		die("RUNS", "at least 1");
	char err[512] = "";
	dk_bundle *mb = read_bundle(argv[1]), *sb = read_bundle(argv[2]);
	dk_model *m = NULL;
	if (dk_model_from_bundle(mb, &m, err, sizeof err))
		die(argv[1], err);
	dk_tensor *pts = NULL;
	if (dk_points_from_bundle(sb, dk_model_state_size(m), &pts, NULL, err,
	                          sizeof err))
		die(argv[2], err);
	dk_fixed_search s;
	dk_fixed_search_default(&s);
	s.spectra = atoi(argv[3]) != 0;
	s.opts.convention = dk_convention_of(m);
	double *t = malloc((size_t)runs * sizeof *t);
	dk_fixed_result *r = NULL;
	for (int k = 0; t && k < runs; k++) {
		dk_fixed_result_free(r);
		r = NULL;
		double c0 = cpu_seconds();
		if (dk_fixed_run(m, pts->shape[0], pts->data, &s, &r, err, sizeof err))
			die("dk_fixed_run", err);
		t[k] = cpu_seconds() - c0;
	}
	if (!t)
		die("memory", "out of it");
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	size_t fixed = 0;
	for (size_t i = 0; i < r->points->count; i++)
		fixed += r->points->kind[i] == DK_FIXED_FIXED;
	const dk_fixed_counts *c = &r->counts;
	printf("cpu median %.6f best %.6f (%d runs)\n", t[runs / 2], t[0], runs);
	printf("points %zu, fixed %zu\n", r->points->count, fixed);
	printf("adam_steps %llu newton_steps %llu jacobians %llu chord_steps %llu "
	       "chord_tests %llu known_hits %llu probe_steps %llu\n",
	       (unsigned long long)c->adam_steps, (unsigned long long)c->newton_steps,
	       (unsigned long long)c->jacobians, (unsigned long long)c->chord_steps,
	       (unsigned long long)c->chord_tests, (unsigned long long)c->known_hits,
	       (unsigned long long)c->probe_steps);
	free(t);
	dk_fixed_result_free(r);
	dk_tensor_free(pts);
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(sb);
	return 0;
}
