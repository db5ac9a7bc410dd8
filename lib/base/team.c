/*
 * team.c -- persistent helper threads sharing numbered tasks (team.h).
 *
 * A run publishes (fn, arg, ntasks) under the mutex, bumps a generation
 * number and wakes the helpers; everyone, the caller first, then claims
 * tasks from an atomic counter until none are left.  The caller waits
 * until every helper has checked in for that generation, so no helper is
 * still reading the published job when the next run replaces it.
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>

#include "base/team.h"

#define MAX_THREADS 16

struct dk_team {
	pthread_mutex_t lock;
	pthread_cond_t go, done;
	pthread_t helper[MAX_THREADS];
	int helpers;                  /* started */
	unsigned long generation;     /* of the job published */
	int pending;                  /* helpers yet to finish this job */
	int quit;
	void (*fn)(void *, size_t);
	void *arg;
	size_t ntasks;
	size_t next;                  /* the next task to claim (atomic) */
};

static void work(dk_team *t, void (*fn)(void *, size_t), void *arg, size_t n)
{
	for (;;) {
		size_t k = __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);
		if (k >= n)
			return;
		fn(arg, k);
	}
}

static void *helper_main(void *p)
{
	dk_team *t = p;
	unsigned long seen = 0;
	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (t->generation == seen && !t->quit)
			pthread_cond_wait(&t->go, &t->lock);
		if (t->quit)
			break;
		seen = t->generation;
		void (*fn)(void *, size_t) = t->fn;
		void *arg = t->arg;
		size_t n = t->ntasks;
		pthread_mutex_unlock(&t->lock);
		work(t, fn, arg, n);
		pthread_mutex_lock(&t->lock);
		if (--t->pending == 0)
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
	if (!t || t->helpers == 0 || ntasks < 2) {
		for (size_t k = 0; k < ntasks; k++)
			fn(arg, k);
		return;
	}
	pthread_mutex_lock(&t->lock);
	t->fn = fn;
	t->arg = arg;
	t->ntasks = ntasks;
	__atomic_store_n(&t->next, 0, __ATOMIC_RELAXED);
	t->pending = t->helpers;
	t->generation++;
	pthread_cond_broadcast(&t->go);
	pthread_mutex_unlock(&t->lock);
	work(t, fn, arg, ntasks);
	pthread_mutex_lock(&t->lock);
	while (t->pending > 0)
		pthread_cond_wait(&t->done, &t->lock);
	pthread_mutex_unlock(&t->lock);
}
