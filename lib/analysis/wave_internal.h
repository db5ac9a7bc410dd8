/*
 * wave_internal.h -- what the files of the wave analysis share and no
 * one else uses: the windows, the refinement of a spectral peak, each
 * unit's analytic signal, weighted quantiles, and the sheets' methods;
 * the wavenumber of an FFT bin.
 * Not installed.
 */
#ifndef DK_ANALYSIS_WAVE_INTERNAL_H
#define DK_ANALYSIS_WAVE_INTERNAL_H

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/wave.h"
#include "stream/meta.h"

/* The values of the states s: x's, or the tensor s views. */
static inline const double *dk_wave_values(const dk_wave_states *s)
{
	return s->x ? s->x->data : s->view->data;
}

/* Asks the kernel to back the scratch buffer p of bytes with huge pages
   where it offers them on request (Linux's transparent huge pages in
   their "madvise" mode): a transform's buffers of tens of MiB, first
   touched on every call, otherwise cost a page fault every 4 KiB (a
   quarter of a call's time).  Only advice: nothing changes but speed,
   and nothing where it is not offered. */
void dk_wave_huge_pages(void *p, size_t bytes);

/* bytes (NULL when there is no memory, or bytes is 0) for a buffer
   advised as dk_wave_huge_pages, at least 2 MiB of it on whole huge
   pages: aligned to 2 MiB, its size rounded up to them, where malloc's
   large blocks start a page past a huge page's boundary and leave the
   first and last of them on small pages.  Aligned for FFTW's SIMD.
   Freed by free. */
void *dk_wave_huge_alloc(size_t bytes);

/* The window of len points (wave.h): sin^2(pi (t + 1/2) / len), or 1. */
void dk_wave_window_fill(dk_wave_window kind, double *w, size_t len);

/* The f in [lo, hi] where |sum_s c_s exp(-2 pi i f s)| is largest, by
   golden sections (it must be unimodal there). */
double dk_wave_golden_max(const double complex *c, size_t len, double lo,
                          double hi);
/* The f in [lo, hi] where a constant and exp(2 pi i f t) explain most of
   the power of c_t / w_t in least squares weighted by w_t (c the
   windowed series, w the window; wave.c), by golden sections. */
double dk_wave_golden_max_centred(const double complex *c, const double *w,
                                  size_t len, double lo, double hi);

/* The analytic signals of n units over T steps (wave_phase.c). */
typedef struct dk_wave_analytic {
	size_t T, n, nf;        /* nf = T / 2 + 1 */
	double *a;              /* n x T, the centred raster (input), in z's
	                           block */
	fftw_complex *z;        /* owned: n x T, the analytic signals, and
	                           before them each row's first nf the
	                           unit's half spectrum */
	unsigned char *bad;     /* owned: T, the generalized phase's marks */
	double *gain;           /* owned: nf, the band's gains */
	double complex *bin_mean; /* owned: nf, per bin the units' mean */
	double *bin_power;      /* owned: 2 nf, per bin the power about it
	                           and the plain power */
	fftw_plan fwd, bwd;
} dk_wave_analytic;

/* z holds at least spare reals (0: n T complex), for another's scratch
   while no analytic signal is made. */
int dk_wave_analytic_alloc(dk_wave_analytic *an, size_t T, size_t n,
                           size_t spare);
void dk_wave_analytic_free(dk_wave_analytic *an);
/* The peak frequency f_p of the raster in an->a (0 when it has no
   power) and, when it has one, the analytic signals in an->z, band-passed
   and generalized as o says (wave.h, the phase method's steps 1 and 2). */
double dk_wave_analytic_run(dk_wave_analytic *an, const dk_wave_options *o);
/* The margin of steps left out at each end: ceil(1 / fp), at most
   (T - 1) / 4. */
size_t dk_wave_margin(double fp, size_t T);

/* One value and its weight, for the weighted quantiles. */
typedef struct {
	double v, w;
} dk_wave_sample;

/* The phase method's scratch for rings of n units over T steps
   (wave_phase.c). */
typedef struct dk_wave_phase_work {
	size_t T, n, nf, pairs;   /* nf = T / 2 + 1; pairs n (periodic) or n - 1 */
	int periodic;
	dk_wave_analytic an;      /* the raster and its analytic signals */
	double *omega, *kappa;    /* owned: pairs x (T - 1), pair-major:
	                             cell (t, p) at p (T - 1) + t */
	double *weight;           /* owned: pairs x (T - 1) */
	double *amp;              /* n x T, |z|: an.a, free once transformed */
	double *row;              /* owned: 4 x (T - 1), a pair's products */
	dk_wave_sample *s;        /* (T - 1) x pairs: an.z, free once the
	                             cells are taken */
} dk_wave_phase_work;

int dk_wave_phase_work_alloc(dk_wave_phase_work *w, size_t T, size_t n,
                             int periodic);
void dk_wave_phase_work_free(dk_wave_phase_work *w);
/* The omega, kappa and weight of every cell of the steps t0 <= t < t1
   into w (wave.h, the phase method's step 3), from the analytic signals
   in w->an.z (which it keeps; w->an.a it overwrites), and the weighted
   sum of their directions and their weight. */
void dk_wave_phase_cells(dk_wave_phase_work *w, size_t t0, size_t t1,
                         double *dir, double *wsum);

/* Whether the rotation from z0 to z1 is negative (its angle in (-pi,
   pi] below 0, but for a rotation so small that the angle would round
   to -0), without the arctangent. */
static inline int dk_wave_backward(double complex z1, double complex z0)
{
	double complex p = z1 * conj(z0);
	double y = cimag(p);
	return y < 0 || (y == 0 && signbit(y) && signbit(creal(p)));
}

/* The steps t0 <= t < t1 of the signal z that go backward, as
   dk_wave_backward, counted without a branch: the product written out
   (the same operations as the complex product's, without its checks
   for infinities, which a finite signal never needs), so that the loop
   vectorizes. */
static inline size_t dk_wave_backward_count(const double complex *z,
                                            size_t t0, size_t t1)
{
	const double *x = (const double *)z;
	size_t n = 0;
	for (size_t t = t0; t < t1; t++) {
		double a = x[2 * t + 2], b = x[2 * t + 3], c = x[2 * t], d = x[2 * t + 1];
		double re = a * c + b * d, im = b * c - a * d;
		n += (size_t)((im < 0) | ((im == 0) & !!signbit(im) & !!signbit(re)));
	}
	return n;
}

/* |z|: the square root of the squares, which vectorizes, unless they
   overflow or underflow, where hypot takes over. */
static inline double dk_wave_modulus(double complex z)
{
	double x = creal(z), y = cimag(z), m2 = x * x + y * y;
	return m2 < 1e300 && m2 > 1e-300 ? sqrt(m2) : hypot(x, y);
}

/* The weighted quantiles q[0..nq) (ascending) of the len samples s
   (reordered; NaN values and zero weights left out; wave.h), by
   selection (wave_quantiles.c); NaN when none is left. */
void dk_wave_quantiles(dk_wave_sample *s, size_t len, const double *q,
                       size_t nq, double *out);

/* The checks dk_wave_run makes of o and of s's shape (not of its
   values): DK_EINVAL with a message naming the field. */
int dk_wave_check(const dk_wave_states *s, const dk_wave_options *o,
                  char *err, size_t errlen);
/* r shaped for s under o, with the spectral method's five arrays on
   rings; DK_ENOMEM (r then for dk_wave_result_clear). */
int dk_wave_spectral_arrays(const dk_wave_states *s, const dk_wave_options *o,
                            dk_wave_result *r);

/* The shape and media of states from their record: its name, metadata
   (or NULL), dtype, rank and shape, as dk_wave_states_from_bundle reads
   them (wave_input.c): s's fields but x and view set, and the same
   refusals. */
int dk_wave_states_describe(const char *name, const dk_meta *meta,
                            dk_dtype dtype, int rank, const size_t *shape,
                            size_t rings, const size_t *sheet,
                            dk_wave_states *s, char *err, size_t errlen);

/*
 * Welch's method on rings (wave.c): the power of windows of
 * o->window_steps steps summed for each of slots rings at once, each
 * slot with its ring's generator of shuffles.  start readies slot for
 * ring q (= b C + c); add sums the window of ring (b, c) starting at
 * step t0 of x ((steps, B, C n) values); result writes the ring's
 * results at q of r.  Any order of slots and windows gives a ring the
 * same bits, as long as its own windows come in time order.
 */
/*
 * What the Welch averages of rings and of sheets keep per slot: the
 * power summed over the windows and its surrogate's (slots x bins
 * each), and each slot's generator of shuffles, seeded by the ring's or
 * sheet's index q so the shuffles do not depend on the order rings,
 * sheets and windows are taken in (wave.h).  Allocated with its slots
 * and bins; free releases what alloc got, also after a failed alloc.
 */
typedef struct {
	size_t slots, bins;
	double *P, *Ps;
	struct dk_rng **rng;
} dk_wave_slots;
int dk_wave_slots_alloc(dk_wave_slots *s, size_t slots, size_t bins);
void dk_wave_slots_free(dk_wave_slots *s);
/* zero slot's sums, and seed its generator from seed and q */
int dk_wave_slots_start(dk_wave_slots *s, size_t slot, uint64_t seed, size_t q);

typedef struct dk_wave_welch dk_wave_welch;
int dk_wave_welch_alloc(dk_wave_welch **wl, size_t n, int periodic,
                        size_t slots, const dk_wave_options *o);
void dk_wave_welch_free(dk_wave_welch *wl);
int dk_wave_welch_start(dk_wave_welch *wl, size_t slot, size_t q);
void dk_wave_welch_add(dk_wave_welch *wl, size_t slot, const double *x,
                       size_t B, size_t C, size_t b, size_t c, size_t t0);
void dk_wave_welch_result(const dk_wave_welch *wl, size_t slot,
                          dk_wave_result *r, size_t q);

/*
 * The phase method over chunks of o->window_steps steps on rings
 * (wave_chunks.c; wave.h): the sums of slots rings at once, of a
 * recording of T steps of rings of n units, exact quantiles when the
 * cells of all the rings (rings of them) fit o->exact_cells.  start
 * readies slot for a ring; add analyses the chunk of ring (b, c) that
 * starts at step t0 of the recording, rows its first row ((L, B, C n)
 * values from there); result writes the ring's results at q of r.  A
 * ring's chunks must come in time order, at the steps 0,
 * dk_wave_chunk_next(0, L, T), ... before T.
 */
typedef struct dk_wave_chunks dk_wave_chunks;
int dk_wave_chunks_alloc(dk_wave_chunks **ch, size_t T, size_t n,
                         int periodic, size_t rings, size_t slots,
                         const dk_wave_options *o);
void dk_wave_chunks_free(dk_wave_chunks *ch);
void dk_wave_chunks_start(dk_wave_chunks *ch, size_t slot);
void dk_wave_chunks_add(dk_wave_chunks *ch, size_t slot, const double *rows,
                        size_t B, size_t C, size_t b, size_t c, size_t t0);
void dk_wave_chunks_result(dk_wave_chunks *ch, size_t slot, dk_wave_result *r,
                           size_t q);
/* Whether rings rings of T steps and pairs cells a step fit cap cells,
   the exact quantiles' bound. */
int dk_wave_chunks_exact(size_t rings, size_t T, size_t pairs, size_t cap);
/* The start of the chunk of L steps after the one at t0: half a chunk
   on, or the last L steps when that chunk would not fit; T after the
   last. */
size_t dk_wave_chunk_next(size_t t0, size_t L, size_t T);
/* r's eight arrays of the phase method on rings (no series); DK_ENOMEM. */
int dk_wave_chunks_arrays(const dk_wave_states *s, dk_wave_result *r);
/* The phase method over chunks on the states s in memory, each ring in
   turn; r shaped, its arrays not yet allocated; DK_ENOMEM. */
int dk_wave_chunks_run(const dk_wave_states *s, const dk_wave_options *o,
                       dk_wave_result *r);

/* The raster a (n x T, unit-major) of sequence b and medium c of s,
   each unit's temporal mean removed. */
void dk_wave_raster(const dk_wave_states *s, size_t b, size_t c, double *a);

/* One sheet's phase-gradient field and what it shows
   (wave_sheet_phase.c, wave_pattern.c). */
typedef struct dk_wave_sheet_values {
	double speed, wavelength, frequency, direction, directionality;
	double speed_spread, wavelength_spread, frequency_spread, negative;
	double pattern, centre[2], sense;
} dk_wave_sheet_values;

typedef struct dk_wave_sheet_work dk_wave_sheet_work;
int dk_wave_sheet_work_alloc(dk_wave_sheet_work **w, size_t T, size_t H,
                             size_t W, int periodic, size_t spare);
void dk_wave_sheet_work_free(dk_wave_sheet_work *w);
/* The raster to fill (H W x T, unit-major, centred). */
double *dk_wave_sheet_raster(dk_wave_sheet_work *w);
/* The analytic signals' buffer, at least spare reals (the alloc's), free
   for another's use between calls of dk_wave_sheet_phase. */
double *dk_wave_sheet_spare(dk_wave_sheet_work *w);
/* The phase method on the raster (wave.h). */
void dk_wave_sheet_phase(dk_wave_sheet_work *w, const dk_wave_options *o,
                         dk_wave_sheet_values *v);

/* What the phase method on a sheet sums over the analysed steps, per
   cell (wave.h): the products along time, columns and rows, the
   amplitudes and the products' moduli, the phase's windings; and the
   steps, the units' negative-frequency steps and all their steps.
   Sums over the steps of several chunks are the sums over all of
   them. */
typedef struct dk_wave_sheet_sums {
	size_t cells;
	double complex *zt, *zx, *zy;   /* owned: per cell */
	double *amp, *mag;              /* owned: per cell */
	int *wind;                      /* owned: per cell */
	size_t steps, negative, unit_steps;
	size_t keep;                    /* chunks: the first step the next
	                                   one keeps */
} dk_wave_sheet_sums;
int dk_wave_sheet_sums_alloc(dk_wave_sheet_sums *s, size_t cells);
void dk_wave_sheet_sums_free(dk_wave_sheet_sums *s);
void dk_wave_sheet_sums_clear(dk_wave_sheet_sums *s);
/* The analytic signals of the raster (dk_wave_analytic_run): the peak
   frequency, 0 when the raster has no power. */
double dk_wave_sheet_analytic(dk_wave_sheet_work *w, const dk_wave_options *o);
/* The cells' sums over the steps t0 <= t < t1 of the analytic signals
   added to s. */
void dk_wave_sheet_add(dk_wave_sheet_work *w, dk_wave_sheet_sums *s,
                       size_t t0, size_t t1);
/* The phase method's values from the sums s (all NaN when they hold no
   steps). */
void dk_wave_sheet_finish(dk_wave_sheet_work *w, const dk_wave_sheet_sums *s,
                          dk_wave_sheet_values *v);

/* The steps lo <= t < hi that the chunk of L steps at step t0 of T keeps
   (wave.h, window_steps), m its margin, *keep the first step the chunk
   before did not keep (0 for the first), updated for the next. */
static inline void dk_wave_chunk_span(size_t t0, size_t L, size_t T, size_t m,
                                      size_t *keep, size_t *lo, size_t *hi)
{
	*lo = t0 == 0 ? m : *keep - t0;
	*hi = t0 + L >= T ? L - 1 - m : L / 4 + L / 2;
	*keep = t0 + *hi;
}

/*
 * Windows on sheets (wave_sheet_windows.c; wave.h, window_steps): the
 * phase method's sums over chunks of o->window_steps steps, and with
 * the spectral method also the power of the windows among them that
 * start at a multiple of half a window (Welch), of slots sheets at
 * once, each with its generator of shuffles.  start readies slot for
 * sheet q (= b C + c); add takes the chunk of sheet (b, c) that starts
 * at step t0, rows its first row ((L, B, C H W) values from there);
 * result writes the sheet's results at q of r.  A sheet's chunks must
 * come in time order, at the steps 0, dk_wave_chunk_next(0, L, T), ...
 * before T.
 */
typedef struct dk_wave_sheet_windows dk_wave_sheet_windows;
int dk_wave_sheet_windows_alloc(dk_wave_sheet_windows **sw, size_t T,
                                size_t H, size_t W, int periodic,
                                size_t slots, const dk_wave_options *o);
void dk_wave_sheet_windows_free(dk_wave_sheet_windows *sw);
int dk_wave_sheet_windows_start(dk_wave_sheet_windows *sw, size_t slot,
                                size_t q);
void dk_wave_sheet_windows_add(dk_wave_sheet_windows *sw, size_t slot,
                               const double *rows, size_t B, size_t C,
                               size_t b, size_t c, size_t t0);
void dk_wave_sheet_windows_result(dk_wave_sheet_windows *sw, size_t slot,
                                  dk_wave_result *r, size_t q);
/* r's arrays of the method on sheets (r shaped); DK_ENOMEM. */
int dk_wave_sheet_arrays(dk_wave_result *r);
/* Windows on the sheets of s in memory, each in turn; r shaped, its
   arrays not yet allocated; DK_ENOMEM. */
int dk_wave_sheet_windows_run(const dk_wave_states *s,
                              const dk_wave_options *o, dk_wave_result *r);

/*
 * Welch's method on sheets (wave_sheet.c): as on rings, the power of
 * windows of o->window_steps steps summed for each of slots sheets.
 */
typedef struct dk_wave_sheet_welch dk_wave_sheet_welch;
int dk_wave_sheet_welch_alloc(dk_wave_sheet_welch **wl, size_t H, size_t W,
                              int periodic, size_t slots,
                              const dk_wave_options *o);
void dk_wave_sheet_welch_free(dk_wave_sheet_welch *wl);
int dk_wave_sheet_welch_start(dk_wave_sheet_welch *wl, size_t slot, size_t q);
/* The window of sheet (b, c) whose first row is rows ((L, B, C H W)). */
void dk_wave_sheet_welch_add(dk_wave_sheet_welch *wl, size_t slot,
                             const double *rows, size_t B, size_t C, size_t b,
                             size_t c);
/* Speed, wavelength, frequency, direction, traveling and diagonal power
   at q of r. */
void dk_wave_sheet_welch_result(const dk_wave_sheet_welch *wl, size_t slot,
                                dk_wave_result *r, size_t q);

/* A sheet's phase-gradient field, per cell of 2 x 2 units (cell (i, j)
   centred at row i + 1/2, column j + 1/2), over the analysed steps. */
typedef struct dk_wave_field {
	size_t cy, cx;          /* cells: rows and columns */
	size_t H, W;            /* the sheet's units */
	size_t steps;           /* the steps analysed */
	double sign;            /* +1, or -1 when the median frequency is < 0 */
	const double *gx, *gy;  /* the phase gradient, cycles per unit */
	const double *weight;   /* the cells' mean amplitude */
	const int *charge;      /* the phase's winding around each cell,
	                           counter-clockwise, summed over the steps */
	double directionality;  /* of the whole field */
	double gradient;        /* the median |gradient| */
	double coherence;       /* the weighted mean of the cells' */
} dk_wave_field;

/* The pattern of f (wave.h), its centre (row, col) and sense
   (wave_pattern.c). */
void dk_wave_pattern_find(const dk_wave_field *f, double *pattern,
                          double centre[2], double *sense);

/* The sheets' methods (wave_sheet.c, wave_sheet_phase.c), which
   dk_wave_run calls once it has checked o and s: r's shape fields set,
   its arrays not yet allocated. */
int dk_wave_sheet_spectral_run(const dk_wave_states *s,
                               const dk_wave_options *o, dk_wave_result *r,
                               char *err, size_t errlen);
int dk_wave_sheet_phase_run(const dk_wave_states *s, const dk_wave_options *o,
                            dk_wave_result *r, char *err, size_t errlen);

/* The wavenumber, cycles per unit, of FFT bin j of np, in (-1/2, 1/2]. */
static inline double dk_wave_wavenumber(size_t j, size_t np)
{
	return 2 * j <= np ? (double)j / (double)np
	                   : ((double)j - (double)np) / (double)np;
}

/* The offset, in bins, of the vertex of the parabola through the log
   powers of a peak's bin (p0) and its neighbours (pm before, pp after);
   0 where there is none: the spectral peaks' refinement on rings and
   sheets. */
static inline double dk_wave_vertex(double pm, double p0, double pp)
{
	if (!(pm > 0 && p0 > 0 && pp > 0))
		return 0;
	double a = log(pm), b = log(p0), c = log(pp), d = a - 2 * b + c;
	return d < 0 ? 0.5 * (a - c) / d : 0;
}

#endif
