/*
 * wave_stream.c -- either method with windows on rings or sheets whose
 * states are read from a stream a window at a time, so that the memory
 * is that of one window of all the rings or sheets and their sums (the
 * spectral method's powers, Welch; the phase method's chunks,
 * wave_chunks.c; on sheets both, wave_sheet_windows.c), whatever the
 * length of the recording (see wave.h).
 *
 * The states are found as dk_wave_states_from_bundle finds them, though
 * only the record being read is held: the one named states, else the
 * only other tensor whose name does not begin with model/.  A record is
 * analysed as it passes; one named states later on is analysed in its
 * place, and a second unnamed candidate makes the choice ambiguous, as
 * it does in memory.  Each ring's windows are summed by the same code,
 * in the same order, as in memory (wave.c's dk_wave_welch,
 * wave_chunks.c's dk_wave_chunks): the results are the same bits.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"
#include "stream/names.h"

/* What a record's analysis came to: done (or refused, err says why), or
   the stream itself failed (the reader's message). */
enum { ANALYSED, STREAM_FAILED };

/* Rows t0 .. t0 + rows - 1 of the states read into x, their values
   checked as dk_wave_states_from_bundle checks them. */
static int read_rows(dk_stream_reader *rd, const dk_wave_states *s,
                     double *x, size_t t0, size_t rows, int *how,
                     char *err, size_t errlen)
{
	size_t N = s->C * s->n, BN = s->B * N;
	int st = dk_stream_read_rows_f8(rd, x, rows);
	if (st) {
		*how = STREAM_FAILED;
		return dk_errorf(st, err, errlen, "%s", dk_stream_reader_error(rd));
	}
	for (size_t k = 0; k < rows * BN; k++)
		if (!isfinite(x[k]))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: a value that is not finite at time %zu, "
			                 "batch %zu, unit %zu", s->name, t0 + k / BN,
			                 k / N % s->B, k % N);
	return DK_OK;
}

/* The current record of rd as the states: into r, or why not in err. */
static int analyse_record(dk_stream_reader *rd, const dk_record *rec,
                          size_t rings, const size_t *sheet,
                          const dk_wave_options *o, dk_wave_result *r,
                          int *how, char *err, size_t errlen)
{
	dk_wave_states s;
	*how = ANALYSED;
	int st = dk_wave_states_describe(*rec->name ? rec->name : DK_NAME_STATES,
	                                 rec->meta, rec->npy.dtype,
	                                 rec->npy.rank, rec->npy.shape, rings,
	                                 sheet, &s, err, errlen);
	if (st)
		return st;
	char why[256];
	if ((st = dk_wave_check(&s, o, why, sizeof why)))
		return dk_errorf(st, err, errlen, "%s: %s", s.name, why);
	if (!o->window_steps)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: window_steps: the "
		                 "states are read a window at a time only with "
		                 "windows", s.name);
	size_t L = o->window_steps, BN = s.B * s.C * s.n;
	size_t BC = s.B * s.C;
	int phase = o->method == DK_WAVE_PHASE, sheets = s.H > 0;
	/* L steps of B N values: within the record, whose bytes fit */
	double *x = malloc(L * BN * sizeof *x);
	dk_wave_welch *wl = NULL;
	dk_wave_chunks *ch = NULL;
	dk_wave_sheet_windows *sw = NULL;
	if (!x)
		st = DK_ENOMEM;
	else if (sheets) {
		*r = (dk_wave_result){.B = s.B, .C = s.C, .T = s.T, .n = s.n,
		                      .H = s.H, .W = s.W,
		                      .periodic = s.periodic && !o->open,
		                      .options = *o};
		st = dk_wave_sheet_arrays(r);
		if (!st)
			st = dk_wave_sheet_windows_alloc(&sw, s.T, s.H, s.W,
			                                 r->periodic, BC, o);
		for (size_t q = 0; !st && q < BC; q++)
			st = dk_wave_sheet_windows_start(sw, q, q);
	} else if (phase) {
		*r = (dk_wave_result){.B = s.B, .C = s.C, .T = s.T, .n = s.n,
		                      .periodic = s.periodic && !o->open,
		                      .options = *o};
		st = dk_wave_chunks_arrays(&s, r);
		if (!st)
			st = dk_wave_chunks_alloc(&ch, s.T, s.n, r->periodic, BC, BC, o);
		for (size_t q = 0; !st && q < BC; q++)
			dk_wave_chunks_start(ch, q);
	} else {
		st = dk_wave_spectral_arrays(&s, o, r);
		if (!st)
			st = dk_wave_welch_alloc(&wl, s.n, r->periodic, BC, o);
		for (size_t q = 0; !st && q < BC; q++)
			st = dk_wave_welch_start(wl, q, q);
	}
	if (st)
		dk_errorf(st, err, errlen, "%s: out of memory for windows of %zu "
		          "steps of %zu rings", s.name, L, BC);
	else
		st = read_rows(rd, &s, x, 0, L, how, err, errlen);
	/* the spectral method's windows on rings stop where the next would
	   not fit, the phase method's chunks (and the sheets' windows) end
	   with the last L steps */
	size_t t0 = 0, end = L;
	int chunked = phase || sheets;
	while (!st) {
		for (size_t q = 0; q < BC; q++)
			if (sheets)
				dk_wave_sheet_windows_add(sw, q, x, s.B, s.C, q / s.C,
				                          q % s.C, t0);
			else if (phase)
				dk_wave_chunks_add(ch, q, x, s.B, s.C, q / s.C, q % s.C, t0);
			else
				dk_wave_welch_add(wl, q, x, s.B, s.C, q / s.C, q % s.C, 0);
		size_t next = chunked ? dk_wave_chunk_next(t0, L, s.T)
		          : t0 + L / 2 + L <= s.T ? t0 + L / 2 : s.T;
		if (next >= s.T)
			break;
		/* the next window: the last L - d steps of this one, and d
		   steps more */
		size_t d = next - t0;
		memmove(x, x + d * BN, (L - d) * BN * sizeof *x);
		st = read_rows(rd, &s, x + (L - d) * BN, t0 + L, d, how, err,
		               errlen);
		t0 = next, end = t0 + L;
	}
	/* the steps after the last window are read, and checked, too */
	for (size_t t = end; !st && t < s.T; t += L)
		st = read_rows(rd, &s, x, t, s.T - t < L ? s.T - t : L, how, err,
		               errlen);
	for (size_t q = 0; !st && q < BC; q++)
		if (sheets)
			dk_wave_sheet_windows_result(sw, q, r, q);
		else if (phase)
			dk_wave_chunks_result(ch, q, r, q);
		else
			dk_wave_welch_result(wl, q, r, q);
	if (!st && phase && !sheets)
		r->histogram = !dk_wave_chunks_exact(BC, s.T, r->periodic ? s.n
		                                     : s.n - 1, o->exact_cells);
	dk_wave_welch_free(wl);
	dk_wave_chunks_free(ch);
	dk_wave_sheet_windows_free(sw);
	free(x);
	if (st)
		dk_wave_result_clear(r);
	return st;
}

int dk_wave_run_stream(dk_stream_reader *rd, size_t rings, const size_t *sheet,
                       const dk_wave_options *o, dk_wave_result *r,
                       char *err, size_t errlen)
{
	*r = (dk_wave_result){0};
	const dk_record *rec;
	int st, chosen = 0, how, run = DK_EINVAL; /* chosen: 1 unnamed, 2 named */
	size_t others = 0, tensors = 0;
	char first[64] = "", cand[64] = "", second[64] = "", msg[512] = "";
	while (!(st = dk_stream_next(rd, &rec)) && rec) {
		int named = !strcmp(rec->name, DK_NAME_STATES);
		if (tensors++ == 0)
			snprintf(first, sizeof first, "%s", rec->name);
		if (chosen == 2 || (!named && !strncmp(rec->name, "model/", 6)))
			continue;
		if (!named && others++ > 0) {
			if (others == 2)
				snprintf(second, sizeof second, "%s", rec->name);
			continue;
		}
		if (!named)
			snprintf(cand, sizeof cand, "%s", rec->name);
		dk_wave_result_clear(r);
		run = analyse_record(rd, rec, rings, sheet, o, r, &how, msg,
		                     sizeof msg);
		if (run && how == STREAM_FAILED)
			return dk_errorf(run, err, errlen, "%s", msg);
		chosen = named ? 2 : 1;
	}
	if (st) {
		dk_wave_result_clear(r);
		return dk_errorf(st, err, errlen, "%s", dk_stream_reader_error(rd));
	}
	if (chosen == 1 && others > 1) {
		dk_wave_result_clear(r);
		return dk_errorf(DK_EINVAL, err, errlen, "no tensor named %s, and "
		                 "more than one other tensor (%s, %s)",
		                 DK_NAME_STATES, cand, second);
	}
	if (!chosen)
		return tensors == 0
		       ? dk_errorf(DK_EINVAL, err, errlen,
		                   "no states: the stream holds no tensors")
		       : dk_errorf(DK_EINVAL, err, errlen, "no states: no tensor "
		                   "named %s; the stream holds only a model's "
		                   "tensors (%s, ...)", DK_NAME_STATES, first);
	if (run)
		return dk_errorf(run, err, errlen, "%s", msg);
	return DK_OK;
}
