/*
 * test_team.c -- base/team.h: every task runs exactly once, for teams of
 * 1 to 4 threads, for many runs in a row (a helper that missed a wake-up
 * or ran a job twice would show as a count other than 1), with no team
 * at all, and with fewer tasks than threads; and again with the threads
 * watching for the next run before they sleep (dk_team_set_spin), long
 * enough that most runs find them awake and short enough that some do
 * not.
 */
#include <config.h>

#include <stdlib.h>

#include "base/team.h"
#include "tap.h"

enum { TASKS = 37, RUNS = 500 };

static void count(void *arg, size_t k)
{
	__atomic_fetch_add((int *)arg + k, 1, __ATOMIC_RELAXED);
}

static void check(dk_team *t, size_t ntasks, const char *what)
{
	int hits[TASKS], bad = 0;
	for (int run = 0; run < RUNS; run++) {
		for (size_t k = 0; k < TASKS; k++)
			hits[k] = 0;
		dk_team_run(t, count, hits, ntasks);
		for (size_t k = 0; k < TASKS; k++)
			bad += hits[k] != (k < ntasks);
	}
	ok(bad == 0, "%s, %zu tasks: each ran once in each of %d runs (%d wrong counts)",
	   what, ntasks, RUNS, bad);
}

int main(void)
{
	check(NULL, TASKS, "no team");
	for (int threads = 1; threads <= 4; threads++) {
		dk_team *t = dk_team_alloc(threads);
		char what[32];
		snprintf(what, sizeof what, "a team of %d", threads);
		ok(t && dk_team_size(t) == threads, "%s has %d threads", what, dk_team_size(t));
		check(t, TASKS, what);
		check(t, 1, what);
		check(t, 0, what);
		dk_team_set_spin(t, 20000);
		snprintf(what, sizeof what, "a watching team of %d", threads);
		check(t, TASKS, what);
		check(t, 1, what);
		dk_team_set_spin(t, 1);
		snprintf(what, sizeof what, "a team of %d watching 1 ns", threads);
		check(t, TASKS, what);
		dk_team_free(t);
	}
	dk_team_free(NULL);
	return tap_done();
}
