/*
 * wave_call.c -- the library call of dk-wave alone, for
 * bench/wave_vs_numpy.sh to set beside the NumPy functions alone: reads
 * the states of FILE once (not timed), then times dk_wave_run on them
 * RUNS times with the method and band given, and prints the best wall
 * time and the best CPU time of the process (every thread's) over the
 * call, and the first speed.
 *
 * Usage: wave_call FILE spectral|phase BAND RUNS, or wave_call --version
 * (FFTW's version, which the benchmark prints with its figures).
 */
#include <complex.h>
#include <fcntl.h>
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dynkit.h"

static void die(const char *what, const char *why)
{
	fprintf(stderr, "wave_call: %s: %s\n", what, why);
	exit(1);
}

static double seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("%s\n", fftw_version);
		return 0;
	}
	if (argc != 5)
		die("usage", "wave_call FILE spectral|phase BAND RUNS");
	dk_wave_options o = dk_wave_options_default();
	if (dk_wave_method_from_name(argv[2], &o.method))
		die(argv[2], "not a method");
	o.band = strtod(argv[3], NULL);
	int runs = atoi(argv[4]);
	char err[512] = "";

	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		die(argv[1], "cannot open");
	dk_stream_reader *rd = dk_stream_reader_alloc(fd, argv[1]);
	dk_bundle *b = dk_bundle_alloc();
	dk_wave_states s;
	if (dk_bundle_read(b, rd) ||
	    dk_wave_states_from_bundle(b, 0, NULL, &s, err, sizeof err))
		die(argv[1], err[0] ? err : "cannot read the states");
	dk_stream_reader_free(rd);
	close(fd);

	double wall = 1e300, cpu = 1e300, speed = 0;
	for (int k = 0; k < runs; k++) {
		dk_wave_result r;
		double w0 = seconds(CLOCK_MONOTONIC);
		double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		if (dk_wave_run(&s, &o, &r, err, sizeof err))
			die(argv[1], err);
		double c1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		double w1 = seconds(CLOCK_MONOTONIC);
		if (w1 - w0 < wall)
			wall = w1 - w0;
		if (c1 - c0 < cpu)
			cpu = c1 - c0;
		speed = r.speed[0];
		dk_wave_result_clear(&r);
	}
	dk_wave_states_clear(&s);
	dk_bundle_free(b); /* after the states, which may read its tensor */
	printf("wall %.6f\ncpu %.6f\nspeed %.6g\n", wall, cpu, speed);
	return 0;
}
