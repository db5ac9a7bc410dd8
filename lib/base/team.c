/*
 * team.c -- persistent helper threads sharing numbered tasks (team.h).
 *
 * A run publishes (fn, arg, ntasks) under the mutex with a new
 * generation number and wakes the helpers; everyone, the caller first,
 * then claims tasks from one atomic ticket that holds the generation in
 * its high half and the next task in its low half, so a helper that
 * wakes late, after the run it was woken for has ended, claims nothing
 * from the next run with the old job.  The caller waits only for the
 * tasks that were claimed to finish, never for a helper that has not
 * been scheduled yet (on a busy machine it does the work alone).
 */
#include <config.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/team.h"

#define MAX_THREADS 16

struct dk_team {
	pthread_mutex_t lock;
	pthread_cond_t go, done;
	pthread_t helper[MAX_THREADS];
	int helpers;                  /* started */
	int quit;
	uint32_t generation;          /* of the job published */
	void (*fn)(void *, size_t);
	void *arg;
	size_t ntasks;
	uint64_t ticket;              /* generation << 32 | next task (atomic) */
	size_t finished;              /* tasks done in this run (atomic) */
	long spin_ns;                 /* how long to watch before sleeping */
};

static long elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000000L + (t1.tv_nsec - t0->tv_nsec);
}

/* The two things a thread watches for: a new generation, and a task
   finished. */
static int same_generation(const dk_team *t, uint64_t seen)
{
	return __atomic_load_n(&t->generation, __ATOMIC_ACQUIRE) == seen;
}

static int same_finished(const dk_team *t, uint64_t seen)
{
	return __atomic_load_n(&t->finished, __ATOMIC_ACQUIRE) == seen;
}

/* Wait, awake, while same(t, seen) holds, for at most t->spin_ns. */
static void watch(const dk_team *t, int (*same)(const dk_team *, uint64_t),
                  uint64_t seen)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 1; same(t, seen); i++) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		if (i % 64 == 0 && elapsed_ns(&t0) > t->spin_ns)
			return;
	}
}

/* Claim and run tasks of generation gen while there are any; whether
   this thread finished the run's last task. */
static int work(dk_team *t, uint32_t gen, void (*fn)(void *, size_t), void *arg,
                size_t n)
{
	int last = 0;
	uint64_t v = __atomic_load_n(&t->ticket, __ATOMIC_ACQUIRE);
	for (;;) {
		if ((uint32_t)(v >> 32) != gen || (v & 0xffffffffu) >= n)
			return last;
		if (!__atomic_compare_exchange_n(&t->ticket, &v, v + 1, 0,
		                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue; /* v now holds the ticket's value */
		fn(arg, (size_t)(v & 0xffffffffu));
		if (__atomic_add_fetch(&t->finished, 1, __ATOMIC_ACQ_REL) == n)
			last = 1;
		v = __atomic_load_n(&t->ticket, __ATOMIC_ACQUIRE);
	}
}

static void *helper_main(void *p)
{
	dk_team *t = p;
	uint32_t seen = 0;
	pthread_mutex_lock(&t->lock);
	for (;;) {
		if (t->spin_ns && t->generation == seen && !t->quit) {
			pthread_mutex_unlock(&t->lock);
			watch(t, same_generation, seen);
			pthread_mutex_lock(&t->lock);
		}
		while (t->generation == seen && !t->quit)
			pthread_cond_wait(&t->go, &t->lock);
		if (t->quit)
			break;
		seen = t->generation;
		void (*fn)(void *, size_t) = t->fn;
		void *arg = t->arg;
		size_t n = t->ntasks;
		pthread_mutex_unlock(&t->lock);
		int last = work(t, seen, fn, arg, n);
		pthread_mutex_lock(&t->lock);
		if (last) /* under the lock: the caller cannot miss it */
			pthread_cond_signal(&t->done);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

dk_team *dk_team_alloc(int threads)
{
	dk_team *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	if (pthread_mutex_init(&t->lock, NULL)) {
		free(t);
		return NULL;
	}
	if (pthread_cond_init(&t->go, NULL)) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	if (pthread_cond_init(&t->done, NULL)) {
		pthread_cond_destroy(&t->go);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	for (int h = 0; h + 1 < threads; h++) {
		if (pthread_create(&t->helper[h], NULL, helper_main, t))
			break; /* a smaller team still gives the same results */
		t->helpers++;
	}
	return t;
}

void dk_team_free(dk_team *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->quit = 1;
	pthread_cond_broadcast(&t->go);
	pthread_mutex_unlock(&t->lock);
	for (int h = 0; h < t->helpers; h++)
		pthread_join(t->helper[h], NULL);
	pthread_cond_destroy(&t->done);
	pthread_cond_destroy(&t->go);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int dk_team_size(const dk_team *t)
{
	return t ? t->helpers + 1 : 1;
}

void dk_team_run(dk_team *t, void (*fn)(void *arg, size_t task), void *arg,
                 size_t ntasks)
{
	if (!t || t->helpers == 0 || ntasks < 2 || ntasks > 0xffffffffu) {
		for (size_t k = 0; k < ntasks; k++)
			fn(arg, k);
		return;
	}
	pthread_mutex_lock(&t->lock);
	uint32_t gen = t->generation + 1;
	if (gen == 0) /* 0 is no generation: the helpers start having seen it */
		gen = 1;
	__atomic_store_n(&t->generation, gen, __ATOMIC_RELEASE);
	t->fn = fn;
	t->arg = arg;
	t->ntasks = ntasks;
	__atomic_store_n(&t->finished, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&t->ticket, (uint64_t)gen << 32, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&t->go);
	pthread_mutex_unlock(&t->lock);
	work(t, gen, fn, arg, ntasks);
	if (t->spin_ns)
		while (__atomic_load_n(&t->finished, __ATOMIC_ACQUIRE) < ntasks) {
			size_t f = __atomic_load_n(&t->finished, __ATOMIC_ACQUIRE);
			watch(t, same_finished, f);
			if (same_finished(t, f))
				break; /* none for a while: sleep */
		}
	if (__atomic_load_n(&t->finished, __ATOMIC_ACQUIRE) == ntasks)
		return;
	pthread_mutex_lock(&t->lock);
	while (__atomic_load_n(&t->finished, __ATOMIC_ACQUIRE) < ntasks)
		pthread_cond_wait(&t->done, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

void dk_team_set_spin(dk_team *t, long ns)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->spin_ns = ns > 0 ? ns : 0;
	pthread_mutex_unlock(&t->lock);
}
