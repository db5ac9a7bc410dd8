/*
 * wave_chunks.c -- the phase method on rings over chunks of
 * o->window_steps steps, so that a long recording is analysed in memory
 * bounded by a chunk (see wave.h, options.window_steps): each chunk
 * analysed as a whole recording, only the cells of its middle half kept
 * (the first chunk keeps its start, the last its end, each less the
 * margin), the directionality's and negative frequency's sums added up
 * across the chunks, and the medians and quartiles taken from the kept
 * cells themselves when all the rings' cells fit DK_WAVE_EXACT_CELLS,
 * else from weighted histograms on a fixed grid.
 *
 * The accumulators serve slots rings at once: one when the rings are
 * taken in turn from states in memory, all of them when the chunks come
 * in time order from a stream (wave_stream.c).  A ring's chunks are
 * added by the same code in the same order either way: the results are
 * the same bits.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"

typedef dk_wave_sample sample;

/* The histograms' grid: |v| from 2^-OCTAVES to 2^OCTAVES, each octave
   [2^e, 2^(e+1)) in PER_OCTAVE bins of equal width 2^e / PER_OCTAVE
   (the top bits of a double's significand: no logarithm per cell), for
   each sign; one bin for |v| below (about 0), and one each side for |v|
   above (infinite). */
#define OCTAVES 20
#define PER_OCTAVE 256
#define SIDE ((size_t)2 * OCTAVES * PER_OCTAVE)
#define ZERO (SIDE + 1)
#define BINS (2 * SIDE + 3)

enum { QUANTITIES = 3 };  /* speed, wavelength, frequency */

/* One ring's sums over its chunks so far. */
typedef struct {
	double dir, wsum;         /* the directionality's sums */
	size_t negative, steps;   /* the negative frequency's counts */
	size_t keep;              /* the first step the next chunk keeps */
	size_t count;             /* exact: the cells kept */
	sample *s[QUANTITIES];    /* exact: the kept cells' values */
	double *h[QUANTITIES];    /* else: BINS weights each */
} ring_sums;

struct dk_wave_chunks {
	dk_wave_phase_work w;     /* one chunk of L steps */
	size_t T, slots, capacity;/* capacity: cells a ring keeps, exact */
	int exact;
	ring_sums *ring;          /* owned: slots */
	dk_wave_options o;
};

int dk_wave_chunks_exact(size_t rings, size_t T, size_t pairs, size_t cap)
{
	return rings > 0 && (T - 1) * pairs <= cap / rings;
}

size_t dk_wave_chunk_next(size_t t0, size_t L, size_t T)
{
	if (t0 + L >= T)
		return T;
	return t0 + L / 2 + L <= T ? t0 + L / 2 : T - L;
}

void dk_wave_chunks_free(dk_wave_chunks *ch)
{
	if (!ch)
		return;
	dk_wave_phase_work_free(&ch->w);
	for (size_t q = 0; ch->ring && q < ch->slots; q++)
		for (int k = 0; k < QUANTITIES; k++) {
			free(ch->ring[q].s[k]);
			free(ch->ring[q].h[k]);
		}
	free(ch->ring);
	free(ch);
}

int dk_wave_chunks_alloc(dk_wave_chunks **out, size_t T, size_t n,
                         int periodic, size_t rings, size_t slots,
                         const dk_wave_options *o)
{
	dk_wave_chunks *ch = calloc(1, sizeof *ch);
	*out = NULL;
	if (!ch)
		return DK_ENOMEM;
	ch->T = T, ch->slots = slots, ch->o = *o;
	size_t pairs = periodic ? n : n - 1;
	ch->exact = dk_wave_chunks_exact(rings, T, pairs, o->exact_cells);
	ch->capacity = ch->exact ? (T - 1) * pairs : 0;
	int st = dk_wave_phase_work_alloc(&ch->w, o->window_steps, n, periodic);
	if (!st && !(ch->ring = calloc(slots, sizeof *ch->ring)))
		st = DK_ENOMEM;
	for (size_t q = 0; !st && q < slots; q++)
		for (int k = 0; k < QUANTITIES; k++)
			if (ch->exact ? !(ch->ring[q].s[k] = malloc(ch->capacity *
			                                             sizeof(sample)))
			              : !(ch->ring[q].h[k] = malloc(BINS * sizeof(double))))
				st = DK_ENOMEM;
	if (st) {
		dk_wave_chunks_free(ch);
		return st;
	}
	*out = ch;
	return DK_OK;
}

void dk_wave_chunks_start(dk_wave_chunks *ch, size_t slot)
{
	ring_sums *r = &ch->ring[slot];
	r->dir = r->wsum = 0;
	r->negative = r->steps = r->keep = r->count = 0;
	for (int k = 0; k < QUANTITIES; k++)
		if (r->h[k])
			memset(r->h[k], 0, BINS * sizeof *r->h[k]);
}

/* The histogram's bin of v (NaN left out before). */
static size_t bin(double v)
{
	double a = fabs(v);
	if (a < 0x1p-20)
		return ZERO;
	if (!(a < 0x1p20))
		return v < 0 ? 0 : BINS - 1;
	uint64_t bits;
	memcpy(&bits, &a, sizeof bits);
	/* the octave from the exponent, the bin from the significand's top
	   8 bits (PER_OCTAVE = 2^8) */
	size_t e = (size_t)((int)(bits >> 52) - 1023 + OCTAVES);
	size_t k = e * PER_OCTAVE + (size_t)(bits >> 44 & 0xff);
	return v < 0 ? ZERO - 1 - k : ZERO + 1 + k;
}

/* The value a fraction f of the way through bin b, in the order of the
   values (linear within a bin). */
static double within(size_t b, double f)
{
	if (b == 0)
		return -INFINITY;
	if (b == BINS - 1)
		return INFINITY;
	if (b == ZERO)
		return (2 * f - 1) * 0x1p-20;
	size_t k = b > ZERO ? b - ZERO - 1 : ZERO - 1 - b;
	double base = ldexp(1, (int)(k / PER_OCTAVE) - OCTAVES);
	double lo = base * (1 + (double)(k % PER_OCTAVE) / PER_OCTAVE);
	double width = base / PER_OCTAVE;
	return b > ZERO ? lo + f * width : -(lo + (1 - f) * width);
}

/* The weighted quantiles q[0..nq) of histogram h: the value where the
   cumulative weight, spread evenly through each bin, reaches q of the
   whole; NaN when it is empty. */
static void histogram_quantiles(const double *h, const double *q, size_t nq,
                                double *out)
{
	double W = 0;
	for (size_t b = 0; b < BINS; b++)
		W += h[b];
	size_t j = 0;
	double below = 0;
	for (size_t b = 0; b < BINS && j < nq && W > 0; b++) {
		if (!(h[b] > 0))
			continue;
		for (; j < nq && below + h[b] >= q[j] * W; j++) {
			double f = (q[j] * W - below) / h[b];
			out[j] = within(b, f < 0 ? 0 : f > 1 ? 1 : f);
		}
		below += h[b];
	}
	for (; j < nq; j++)
		out[j] = NAN;
}

/* A cell's speed, wavelength and frequency (wave.h). */
static void values(const dk_wave_phase_work *w, size_t c, double v[QUANTITIES])
{
	v[0] = -w->omega[c] / w->kappa[c];
	v[1] = 1 / fabs(w->kappa[c]);
	v[2] = w->omega[c];
}

void dk_wave_chunks_add(dk_wave_chunks *ch, size_t slot, const double *rows,
                        size_t B, size_t C, size_t b, size_t c, size_t t0)
{
	dk_wave_phase_work *w = &ch->w;
	ring_sums *r = &ch->ring[slot];
	size_t L = w->T, n = w->n, N = C * n, S = L - 1;
	/* the chunk's raster, in blocks of 16 steps whose rows stay in
	   cache while every unit takes its 16 values from them, then each
	   unit's mean over the chunk taken away */
	for (size_t t0b = 0; t0b < L; t0b += 16) {
		size_t t1b = t0b + 16 < L ? t0b + 16 : L;
		for (size_t i = 0; i < n; i++)
			for (size_t t = t0b; t < t1b; t++)
				w->an.a[i * L + t] = rows[(t * B + b) * N + c * n + i];
	}
	for (size_t i = 0; i < n; i++) {
		double *a = w->an.a + i * L, mean = 0;
		for (size_t t = 0; t < L; t++)
			mean += a[t];
		mean /= (double)L;
		for (size_t t = 0; t < L; t++)
			a[t] -= mean;
	}
	double fp = dk_wave_analytic_run(&w->an, &ch->o);
	size_t m = fp > 0 ? dk_wave_margin(fp, L) : 0;
	/* the steps this chunk keeps: from where the one before stopped (the
	   margin for the first), to the end of its middle half (the margin
	   before its end for the last) */
	size_t lo, hi;
	dk_wave_chunk_span(t0, L, ch->T, m, &r->keep, &lo, &hi);
	if (!(fp > 0) || lo >= hi)
		return; /* a constant chunk: no phase, no cells */
	double dir, wsum;
	dk_wave_phase_cells(w, lo, hi, &dir, &wsum);
	r->dir += dir, r->wsum += wsum;
	for (size_t i = 0; i < n; i++)
		r->negative += dk_wave_backward_count(w->an.z + i * L, lo, hi);
	r->steps += n * (hi - lo);
	for (size_t p = 0; p < w->pairs; p++)
		for (size_t t = lo; t < hi; t++) {
			double v[QUANTITIES], wt = w->weight[p * S + t];
			values(w, p * S + t, v);
			for (int k = 0; k < QUANTITIES; k++) {
				if (ch->exact)
					r->s[k][r->count] = (sample){v[k], wt};
				else if (!isnan(v[k]) && wt > 0)
					r->h[k][bin(v[k])] += wt;
			}
			r->count += ch->exact;
		}
}

void dk_wave_chunks_result(dk_wave_chunks *ch, size_t slot, dk_wave_result *r,
                           size_t q)
{
	static const double qs[3] = {0.25, 0.5, 0.75};
	ring_sums *s = &ch->ring[slot];
	double *med[QUANTITIES] = {r->speed, r->wavelength, r->frequency};
	double *spread[QUANTITIES] = {r->speed_spread, r->wavelength_spread,
	                              r->frequency_spread};
	for (int k = 0; k < QUANTITIES; k++) {
		double out[3];
		if (ch->exact)
			dk_wave_quantiles(s->s[k], s->count, qs, 3, out);
		else
			histogram_quantiles(s->h[k], qs, 3, out);
		med[k][q] = out[1];
		spread[k][q] = out[2] - out[0];
	}
	r->directionality[q] = s->wsum > 0 ? s->dir / s->wsum : NAN;
	r->negative_frequency[q] = s->steps
	                           ? (double)s->negative / (double)s->steps : NAN;
	if (!(s->wsum > 0))
		for (int k = 0; k < QUANTITIES; k++)
			med[k][q] = spread[k][q] = NAN; /* no power in any chunk */
	if (!(fabs(r->directionality[q]) >= ch->o.standing))
		r->speed[q] = NAN;
}

int dk_wave_chunks_arrays(const dk_wave_states *s, dk_wave_result *r)
{
	size_t BC = s->B * s->C;
	double **arrays[8] = {&r->speed, &r->wavelength, &r->frequency,
	                      &r->directionality, &r->speed_spread,
	                      &r->wavelength_spread, &r->frequency_spread,
	                      &r->negative_frequency};
	for (int k = 0; k < 8; k++)
		if (!(*arrays[k] = malloc(BC * sizeof **arrays[k])))
			return DK_ENOMEM;
	return DK_OK;
}

int dk_wave_chunks_run(const dk_wave_states *s, const dk_wave_options *o,
                       dk_wave_result *r)
{
	size_t L = o->window_steps, BC = s->B * s->C, BN = s->B * s->C * s->n;
	dk_wave_chunks *ch = NULL;
	int st = dk_wave_chunks_arrays(s, r);
	if (!st)
		st = dk_wave_chunks_alloc(&ch, s->T, s->n, r->periodic, BC, 1, o);
	for (size_t q = 0; !st && q < BC; q++) {
		dk_wave_chunks_start(ch, 0);
		for (size_t t0 = 0; t0 < s->T; t0 = dk_wave_chunk_next(t0, L, s->T))
			dk_wave_chunks_add(ch, 0, dk_wave_values(s) + t0 * BN, s->B,
			                   s->C, q / s->C, q % s->C, t0);
		dk_wave_chunks_result(ch, 0, r, q);
	}
	r->histogram = ch && !ch->exact;
	dk_wave_chunks_free(ch);
	return st;
}
