/*
 * row_team.h -- the rows of a batch shared among threads, for the kinds
 * whose elementwise work between matrix products is a large part of a
 * step (gru, lstm).
 *
 * OpenBLAS runs a step's products on all its threads, but the gate
 * nonlinearities and their derivatives between those products would run
 * on the caller alone while OpenBLAS's other threads wait.  A kind that
 * uses this keeps a team of threads (base/team.h), as many as OpenBLAS
 * uses, in the first DK_ROW_TEAM_SLOTS doubles of its scratch, set up by
 * its work_open and released by its work_close, and hands its loops over
 * rows (or over columns) to dk_row_team_share.  The work of every index
 * is the same whichever thread does it and however the range is split,
 * so the results are the same bits for any number of threads: the loops
 * shared this way must not add across the indices they are split over.
 */
#ifndef DK_MODELS_ROW_TEAM_H
#define DK_MODELS_ROW_TEAM_H

#include <stddef.h>

/* Doubles at the start of the scratch that hold the team's pointer. */
#define DK_ROW_TEAM_SLOTS ((sizeof(void *) + sizeof(double) - 1) / sizeof(double))

/* A team in work's first slots when OpenBLAS runs on more than one
   thread and a batch does at least DK_ROW_TEAM_MIN_WORK elementwise
   values (batch x values_per_row), else none (a null pointer). */
int dk_row_team_open(double *work, size_t batch, size_t values_per_row);
void dk_row_team_close(double *work);

/* fn(arg, i0, i1) over consecutive parts [i0, i1) of [0, count), shared
   among the team in work (all in the caller when there is none). */
void dk_row_team_share(const double *work, size_t count,
                       void (*fn)(void *arg, size_t i0, size_t i1), void *arg);

#endif
