/*
 * row_team.c -- the rows of a batch shared among threads (row_team.h).
 *
 * The range of elementwise work is cut into twice as many parts as
 * there are threads, so a helper that the scheduler wakes late leaves
 * its share to the others (base/team.c hands parts out by ticket)
 * instead of holding up the step.  Parts that make products are as
 * many as the threads: their helpers are awake (they watch for the
 * next part), rows in larger blocks make faster products, and equal
 * parts end together.
 */
#include <config.h>

#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "base/team.h"
#include "linalg/blas_alone.h"
#include "models/row_team.h"

/* Below this many elementwise values in a batch, waking a helper costs
   more than the half of the work it takes: no team. */
#define DK_ROW_TEAM_MIN_WORK 16384

/* How long the gated kinds' threads watch for the next part of a step
   before they sleep: a step's parts follow one another within a few
   microseconds, and waking a sleeping thread here costs tens. */
#define DK_ROW_TEAM_SPIN_NS 50000

dk_team *dk_row_team_of(const double *work)
{
	dk_team *t;
	memcpy(&t, work, sizeof t);
	return t;
}

int dk_row_team_put(double *work, int max_threads, int wanted)
{
	dk_team *t = NULL;
	int threads = openblas_get_num_threads();
	if (threads > max_threads)
		threads = max_threads;
	if (wanted && threads > 1) {
		t = dk_team_alloc(threads);
		if (!t)
			return DK_ENOMEM;
	}
	memcpy(work, &t, sizeof t);
	return DK_OK;
}

int dk_row_team_open(double *work, size_t batch, size_t values_per_row)
{
	int most = batch < 64 ? (int)batch : 64;
	int st = dk_row_team_put(work, most, batch > 1 && (double)batch *
	                         (double)values_per_row >= DK_ROW_TEAM_MIN_WORK);
	if (!st)
		dk_team_set_spin(dk_row_team_of(work), DK_ROW_TEAM_SPIN_NS);
	return st;
}

void dk_row_team_close(double *work)
{
	dk_team_free(dk_row_team_of(work));
}

typedef struct {
	void (*fn)(void *, size_t, size_t);
	void (*numbered)(void *, size_t, size_t, size_t);
	void *arg;
	size_t count, parts;
} share_job;

static void run_part(void *p, size_t k)
{
	const share_job *j = p;
	size_t i0 = k * j->count / j->parts, i1 = (k + 1) * j->count / j->parts;
	if (i1 <= i0)
		return;
	if (j->numbered)
		j->numbered(j->arg, k, i0, i1);
	else
		j->fn(j->arg, i0, i1);
}

/* The parts of [0, count) on team t; whether they were shared (else
   the caller should run them itself). */
static int share_on(dk_team *t, size_t count, size_t per_thread, share_job *j)
{
	size_t parts = per_thread * (size_t)dk_team_size(t);
	if (dk_team_size(t) < 2 || count < 2)
		return 0;
	if (parts > count)
		parts = count;
	j->count = count;
	j->parts = parts;
	dk_team_run(t, run_part, j, parts);
	return 1;
}

void dk_row_team_share(const double *work, size_t count,
                       void (*fn)(void *arg, size_t i0, size_t i1), void *arg)
{
	share_job j = {.fn = fn, .arg = arg};
	if (!share_on(dk_row_team_of(work), count, 2, &j))
		fn(arg, 0, count);
}

/* The parts of share_products, numbered or not. */
static void share_products(const double *work, size_t count, share_job *j)
{
	dk_team *t = dk_row_team_of(work);
	if (dk_team_size(t) < 2 || count < 2 || !dk_blas_helpers_may_multiply()) {
		j->count = count;
		j->parts = 1;
		run_part(j, 0);
		return;
	}
	/* OpenBLAS on one thread while the team's threads each make
	   products of their own: its workers, left waiting, would otherwise
	   spin beside them for the cores */
	int threads = dk_blas_alone();
	share_on(t, count, 1, j);
	dk_blas_restore(threads);
}

void dk_row_team_share_products(const double *work, size_t count,
                                void (*fn)(void *arg, size_t i0, size_t i1),
                                void *arg)
{
	share_job j = {.fn = fn, .arg = arg};
	share_products(work, count, &j);
}

void dk_row_team_share_numbered(const double *work, size_t count,
                                void (*fn)(void *arg, size_t part, size_t i0,
                                           size_t i1),
                                void *arg)
{
	share_job j = {.numbered = fn, .arg = arg};
	share_products(work, count, &j);
}
