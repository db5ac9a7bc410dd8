/*
 * row_team.h -- a workspace's team of threads, kept in the first slots of
 * a kind's scratch, and the rows of a batch shared among it.
 *
 * OpenBLAS runs a step's large products on all its threads, but work it
 * does not share -- the gate nonlinearities and their derivatives between
 * the gru's and lstm's products, the many small products of the wrnn's
 * and fernn's convolutions -- would run on the caller alone while
 * OpenBLAS's other threads wait.  Such a kind keeps a team of threads
 * (base/team.h), as many as OpenBLAS uses, in the first DK_ROW_TEAM_SLOTS
 * doubles of its scratch, set up by its work_open and released by its
 * work_close.  The gated kinds hand the parts of a step to
 * dk_row_team_share_products: each part makes its own rows' products on
 * one OpenBLAS thread and then their gates, so a step hands work over
 * once (forward) or twice (backward: rows, then the weights' gradients
 * by gate rows) instead of at every product, and OpenBLAS's own threads
 * stay asleep; their team watches for the next part for a few
 * microseconds before it sleeps.  The work of every index is the same
 * whichever thread does it and however the range is split, so the
 * results are the same bits for any number of threads (the loops shared
 * this way must not add across the indices they are split over).  The
 * convolutions run their own fixed blocks on the team (dk_row_team_of);
 * the oscillator sheet's rows run in parts that know their number
 * (dk_row_team_share_numbered), each with workspaces of its own.
 */
#ifndef DK_MODELS_ROW_TEAM_H
#define DK_MODELS_ROW_TEAM_H

#include <stddef.h>

#include "base/team.h"

/* Doubles at the start of the scratch that hold the team's pointer. */
#define DK_ROW_TEAM_SLOTS ((sizeof(void *) + sizeof(double) - 1) / sizeof(double))

/* A team in work's first slots when OpenBLAS runs on more than one
   thread and a batch does at least DK_ROW_TEAM_MIN_WORK elementwise
   values (batch x values_per_row), else none (a null pointer). */
int dk_row_team_open(double *work, size_t batch, size_t values_per_row);
void dk_row_team_close(double *work);

/* A team of as many threads as OpenBLAS uses, at most max_threads, in
   work's first slots when wanted and that is more than one thread, else
   none.  DK_ENOMEM. */
int dk_row_team_put(double *work, int max_threads, int wanted);

/* The team in work's first slots, NULL when there is none. */
dk_team *dk_row_team_of(const double *work);

/* fn(arg, i0, i1) over consecutive parts [i0, i1) of [0, count), shared
   among the team in work (all in the caller when there is none). */
void dk_row_team_share(const double *work, size_t count,
                       void (*fn)(void *arg, size_t i0, size_t i1), void *arg);

/* As dk_row_team_share, for parts that make matrix products of their
   own rows (or columns): while the team shares them, OpenBLAS runs on
   one thread (the setting is the process's, restored at the end), so
   each part's products run in the thread that makes them.  The results
   are those of one product over the whole range: OpenBLAS 0.3.21 adds
   each entry's terms in the same order whichever rows or columns a
   call is given (checked for its Haswell, SkylakeX, Cooperlake, Zen and
   Sandybridge kernels, and by tests/gated_threads.sh).  Under a finite
   address-space limit (ulimit -v) all parts run in the caller, with
   OpenBLAS's own threads: a helper's first product would need a buffer
   of OpenBLAS's that the limit may not leave room for. */
void dk_row_team_share_products(const double *work, size_t count,
                                void (*fn)(void *arg, size_t i0, size_t i1),
                                void *arg);

/* As dk_row_team_share_products, fn told the number of its part: 0 ..
   P - 1, P at most the team's size (1 without a team), so that each
   part may use scratch of its own (part k the k-th).  A part's number
   says nothing of the thread that runs it. */
void dk_row_team_share_numbered(const double *work, size_t count,
                                void (*fn)(void *arg, size_t part, size_t i0,
                                           size_t i1),
                                void *arg);

#endif
