/*
 * team.h -- a few persistent helper threads that share out numbered tasks.
 *
 * For kernels made of many small independent pieces (one small matrix
 * product per batch row) that OpenBLAS runs single-threaded in the
 * caller: dk_team_run calls fn(arg, k) once for every task k in 0 .. n-1,
 * the caller and the helpers each taking the next unclaimed task, and
 * returns when all are done.  Which thread runs a task is not fixed, so
 * a caller that wants results independent of the number of threads
 * gives each task its own output (partial sums in their own buffers,
 * added up in task order afterwards).
 *
 * Idle helpers sleep on a condition variable (no spinning, unless the
 * owner asks for a short watch: dk_team_set_spin), so a team beside
 * OpenBLAS's own threads costs nothing while it waits.  The team
 * is created once (with the workspace that uses it) and does not
 * allocate when it runs.  One caller at a time.
 */
#ifndef DK_BASE_TEAM_H
#define DK_BASE_TEAM_H

#include <stddef.h>

typedef struct dk_team dk_team;

/* A team of `threads` threads in all, the caller included (threads - 1
   helpers); NULL when out of memory.  When a helper cannot be started
   the team is smaller: dk_team_size says how many there are. */
dk_team *dk_team_alloc(int threads);
void dk_team_free(dk_team *t);
int dk_team_size(const dk_team *t);

/* fn(arg, k) for k = 0 .. ntasks - 1, spread over the team; t may be
   NULL (all in the caller). */
void dk_team_run(dk_team *t, void (*fn)(void *arg, size_t task), void *arg,
                 size_t ntasks);

/* Let idle threads watch for the next run (helpers) or for the last task
   (the caller) for up to ns nanoseconds before they sleep (default 0:
   they sleep at once).  For runs that follow one another closely with
   no other threads busy between them, where waking a sleeping thread
   costs more than the run. */
void dk_team_set_spin(dk_team *t, long ns);

#endif
