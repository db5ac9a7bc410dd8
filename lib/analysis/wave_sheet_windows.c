/*
 * wave_sheet_windows.c -- either method on sheets over windows of
 * o->window_steps steps, so that a long movie is analysed in memory
 * bounded by a window (see wave.h, options.window_steps): the phase
 * method's per-cell sums taken over chunks overlapping by half, each
 * chunk's analytic signals its own and only the steps of its middle
 * half kept (as on rings, wave_chunks.c); with the spectral method also
 * the power averaged over the windows that start at multiples of half a
 * window (Welch; wave_sheet.c), whose pattern, centre and sense are the
 * chunks' phase method's.  A sheet's phase summaries are over its cells,
 * not its steps: the sums of the chunks hold all they need, and the
 * medians are exact whatever the length.
 *
 * The accumulators serve slots sheets at once: one when the sheets are
 * taken in turn from states in memory, all of them when the chunks come
 * in time order from a stream (wave_stream.c).  A sheet's chunks are
 * added by the same code in the same order either way: the results are
 * the same bits.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"

struct dk_wave_sheet_windows {
	dk_wave_sheet_work *w;    /* one chunk of L steps */
	dk_wave_sheet_welch *wl;  /* the spectral method's, else NULL */
	dk_wave_sheet_sums *sums; /* owned: slots */
	size_t T, L, H, W, slots;
	dk_wave_options o;
};

void dk_wave_sheet_windows_free(dk_wave_sheet_windows *sw)
{
	if (!sw)
		return;
	dk_wave_sheet_work_free(sw->w);
	dk_wave_sheet_welch_free(sw->wl);
	for (size_t q = 0; sw->sums && q < sw->slots; q++)
		dk_wave_sheet_sums_free(&sw->sums[q]);
	free(sw->sums);
	free(sw);
}

int dk_wave_sheet_windows_alloc(dk_wave_sheet_windows **out, size_t T,
                                size_t H, size_t W, int periodic,
                                size_t slots, const dk_wave_options *o)
{
	dk_wave_sheet_windows *sw = calloc(1, sizeof *sw);
	*out = NULL;
	if (!sw)
		return DK_ENOMEM;
	*sw = (dk_wave_sheet_windows){.T = T, .L = o->window_steps, .H = H,
	                              .W = W, .slots = slots, .o = *o};
	size_t cells = periodic ? H * W : (H - 1) * (W - 1);
	int st = dk_wave_sheet_work_alloc(&sw->w, sw->L, H, W, periodic, 0);
	if (!st && o->method == DK_WAVE_SPECTRAL)
		st = dk_wave_sheet_welch_alloc(&sw->wl, H, W, periodic, slots, o);
	if (!st && !(sw->sums = calloc(slots, sizeof *sw->sums)))
		st = DK_ENOMEM;
	for (size_t q = 0; !st && q < slots; q++)
		st = dk_wave_sheet_sums_alloc(&sw->sums[q], cells);
	if (st) {
		dk_wave_sheet_windows_free(sw);
		return st;
	}
	*out = sw;
	return DK_OK;
}

int dk_wave_sheet_windows_start(dk_wave_sheet_windows *sw, size_t slot,
                                size_t q)
{
	dk_wave_sheet_sums_clear(&sw->sums[slot]);
	return sw->wl ? dk_wave_sheet_welch_start(sw->wl, slot, q) : DK_OK;
}

void dk_wave_sheet_windows_add(dk_wave_sheet_windows *sw, size_t slot,
                               const double *rows, size_t B, size_t C,
                               size_t b, size_t c, size_t t0)
{
	size_t L = sw->L, HW = sw->H * sw->W, N = C * HW;
	/* the spectral windows are the chunks at multiples of half a window:
	   all but a last one at T - L, which is never one of them */
	if (sw->wl && t0 % (L / 2) == 0)
		dk_wave_sheet_welch_add(sw->wl, slot, rows, B, C, b, c);
	double *a = dk_wave_sheet_raster(sw->w);
	for (size_t u = 0; u < HW; u++, a += L) {
		double mean = 0;
		for (size_t t = 0; t < L; t++)
			mean += a[t] = rows[(t * B + b) * N + c * HW + u];
		mean /= (double)L;
		for (size_t t = 0; t < L; t++)
			a[t] -= mean;
	}
	dk_wave_sheet_sums *sm = &sw->sums[slot];
	double fp = dk_wave_sheet_analytic(sw->w, &sw->o);
	size_t lo, hi, m = fp > 0 ? dk_wave_margin(fp, L) : 0;
	dk_wave_chunk_span(t0, L, sw->T, m, &sm->keep, &lo, &hi);
	if (fp > 0 && lo < hi)
		dk_wave_sheet_add(sw->w, sm, lo, hi);
}

void dk_wave_sheet_windows_result(dk_wave_sheet_windows *sw, size_t slot,
                                  dk_wave_result *r, size_t q)
{
	dk_wave_sheet_values v;
	dk_wave_sheet_finish(sw->w, &sw->sums[slot], &v);
	r->pattern[q] = v.pattern;
	r->sense[q] = v.sense;
	r->centre[2 * q] = v.centre[0];
	r->centre[2 * q + 1] = v.centre[1];
	if (sw->wl) {
		dk_wave_sheet_welch_result(sw->wl, slot, r, q);
		return;
	}
	r->speed[q] = v.speed;
	r->wavelength[q] = v.wavelength;
	r->frequency[q] = v.frequency;
	r->direction[q] = v.direction;
	r->directionality[q] = v.directionality;
	r->speed_spread[q] = v.speed_spread;
	r->wavelength_spread[q] = v.wavelength_spread;
	r->frequency_spread[q] = v.frequency_spread;
	r->negative_frequency[q] = v.negative;
}

int dk_wave_sheet_windows_run(const dk_wave_states *s,
                              const dk_wave_options *o, dk_wave_result *r)
{
	size_t L = o->window_steps, BC = s->B * s->C, BN = BC * s->n;
	dk_wave_sheet_windows *sw = NULL;
	int st = dk_wave_sheet_arrays(r);
	if (!st)
		st = dk_wave_sheet_windows_alloc(&sw, s->T, s->H, s->W, r->periodic,
		                                 1, o);
	for (size_t q = 0; !st && q < BC; q++) {
		if ((st = dk_wave_sheet_windows_start(sw, 0, q)))
			break;
		for (size_t t0 = 0; t0 < s->T; t0 = dk_wave_chunk_next(t0, L, s->T))
			dk_wave_sheet_windows_add(sw, 0, dk_wave_values(s) + t0 * BN,
			                          s->B, s->C, q / s->C, q % s->C, t0);
		dk_wave_sheet_windows_result(sw, 0, r, q);
	}
	dk_wave_sheet_windows_free(sw);
	return st;
}
