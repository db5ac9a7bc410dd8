/*
 * wave.h -- traveling waves on rings and sheets of units: speed,
 * direction, wavelength and frequency by one of two methods, the k-omega
 * power spectrum (with the Wave-RNN paper's diagonal power) or the phase
 * of the analytic signal (wave_phase.c; its definitions below the
 * spectral method's); on sheets also the pattern of the phase-gradient
 * field (the sheets' definitions last).
 *
 * The states x (T, B, N) hold, for each of B sequences and T time steps,
 * C rings of n units (N = C n, channel-major: unit i of ring c at index
 * c n + i, as the wrnn stores them).  Each (sequence, ring) is analysed
 * on its own, as the raster a[t][i] (T x n):
 *
 *  1. each unit's temporal mean is removed;
 *  2. the raster is windowed along time by w_t (hann: w_t = sin^2(pi (t +
 *     1/2) / T); none: w_t = 1) and, on an open ring, along space by the
 *     same window of n points; a periodic ring is not windowed in space;
 *  3. it is zero-padded to Tp = pad T steps (rounded up to even) and, on
 *     an open ring, to np = pad n units (periodic: np = n), and
 *     transformed (FFTW, forward sign):
 *	X(k_j, f_l) = sum_i sum_t w_i w_t a[t][i] exp(-2 pi i (k_j i + f_l t)),
 *     k_j = j / np in (-1/2, 1/2] cycles per unit, f_l = l / Tp cycles
 *     per step; P = |X|^2 for 0 < f_l < 1/2 (the power of a real raster
 *     at -f is that at f mirrored, so nothing is lost);
 *  4. the dominant (k, f) is the largest P away from f = 0, 1/2 and the
 *     spatial Nyquist k = 1/2, refined off the grid within one padded
 *     bin by golden-section searches: f for the most power of the row
 *     c(t) = sum_i w_i a[t][i] exp(-2 pi i k i) that a constant and
 *     exp(2 pi i f t) explain in least squares weighted by w_t (the
 *     constant takes up the lobe about f = 0 that step 1 leaves, which
 *     would pull the peak of a wave of few cycles); then, on an open
 *     ring, k for the maximum of |X| as a continuous function of it and
 *     f again, three times.  On a periodic ring k stays on the grid:
 *     only whole cycles fit around it, and a broadband pulse's other
 *     harmonics would move it between them.  A clean wave's peak is
 *     then found exactly, and a broadband one (a pulse on a ring it
 *     does not wrap around) along its ridge f = s |k|, not where the
 *     ring's own modes cut it.
 *
 * A wave cos(2 pi (k0 i - f0 t)) (k0, f0 > 0) travels toward increasing
 * unit index at f0 / k0 units per step and puts its power at (-k0, f0).
 * Hence, from the refined peak (k, f):
 *	speed      = -f / k    units per step, + toward increasing index
 *	             (NaN when k = 0 or |traveling| < options.standing)
 *	wavelength = 1 / |k|   units (infinite when k = 0: synchrony)
 *	frequency  = f         cycles per step, in (0, 1/2)
 *	traveling  = (F - Bk) / (F + Bk), F the power at k < 0, Bk at k > 0
 *	             (0 < f < 1/2, k = 0 and the Nyquist k excluded): +1 for
 *	             a pure wave toward increasing index, -1 toward
 *	             decreasing, near 0 for a standing wave
 *	diagonal_power = D / D_s, D the fraction of the power (0 < f < 1/2,
 *	             all k) on the speed-V lines f = V |k| (both directions,
 *	             k != 0), a bin on the line when |f - V |k|| <= h_t + V
 *	             h_x, h the main-lobe half width of the window (hann 2 /
 *	             length, none 1 / length; h_x = 0 on a periodic ring);
 *	             D_s the same fraction for a surrogate whose time steps
 *	             are shuffled (one uniform permutation of the T steps,
 *	             drawn from options.seed, the same for every unit):
 *	             about 1 when time order puts no more power on the
 *	             lines than chance, up to about 1 / (4 h_t) (T / 8 with
 *	             hann) for a clean wave at speed V.
 * A ring whose raster is constant has no power: every result is NaN.
 * Frequencies above 1/2 cycle per step alias (a wave of speed s and
 * frequency f > 1/2 appears at 1 - f, travelling the other way).
 *
 * The phase method (options.method = DK_WAVE_PHASE), per (sequence,
 * ring), from the same centred raster:
 *
 *  1. the analytic signal z_i(t) of each unit along time: its DFT (FFTW)
 *     with the negative frequencies zeroed and the positive ones doubled,
 *     transformed back.  With options.band = b > 1 the positive
 *     frequencies are also multiplied by the taper cos^2(pi/2 |ln(f /
 *     f_p)| / ln b) within a factor b of f_p, 0 beyond, f_p the peak
 *     (0 < f < 1/2) of the power summed over the units once the ring's
 *     mean over its units is taken from each (a swell of the whole ring
 *     is no wave, and would often be the peak; the plain power's peak
 *     when all units do the same): a phase is only meaningful for a
 *     narrow band, and white noise left in would pull every phase toward
 *     its own mean rotation of 1/4 cycle per step (band 0: the plain
 *     Hilbert transform, every frequency kept);
 *  2. optionally (options.generalized) the generalized phase (Davis et
 *     al. 2020): each run of steps s..e whose frequency arg(z(t+1)
 *     conj z(t)) is negative marks the samples s .. s + 3 (e - s) (their
 *     rule), and the unwrapped phase is interpolated linearly across each
 *     run of marked samples, the advance over it taken as the one
 *     congruent to the observed one (mod 2 pi), at least 0, nearest
 *     f_p per step and below half a cycle per step, so that no step of
 *     the corrected phase runs backward (a run at an end of the steps
 *     advances at f_p per step from the sample beside it); the modulus
 *     is kept;
 *  3. the cells: each pair of neighbouring units (i, j = i + 1; the
 *     wrap n - 1, 0 on a periodic ring, n - 1 pairs on an open one) and
 *     each step t -> t + 1, with
 *	omega = arg(z_i(t+1) conj z_i(t) + z_j(t+1) conj z_j(t)) / 2 pi
 *	kappa = arg(z_j(t) conj z_i(t) + z_j(t+1) conj z_i(t+1)) / 2 pi
 *     (cycles per step and per unit; each the amplitude-weighted mean
 *     rotation of the cell's two products), its weight the mean of the
 *     four |z|, speed -omega / kappa (a wave cos(2 pi (k0 i - f0 t)) has
 *     z = exp(2 pi i (f0 t - k0 i)), kappa = -k0, speed f0 / k0, as the
 *     spectral method), wavelength 1 / |kappa| and direction the sign of
 *     the speed (none when sin(2 pi kappa) is within 1e-9 of 0: a
 *     gradient of 0 or 1/2 cycle, a standing wave's, points nowhere, and
 *     its sign is only rounding's);
 *  4. the summaries over the cells of the steps m <= t < T - 1 - m, m
 *     the margin of ceil(1 / f_p) steps (one period of the peak; at most
 *     (T - 1) / 4): the transform treats the raster as periodic in time,
 *     and the jump from its last step to its first spreads over about a
 *     period at each end.  Each summary is a weighted median (the cells'
 *     weights: where the amplitude is small, at the troughs of a
 *     rectified wave or where noise cancels the signal, the phase is
 *     mostly noise, and a plain median would count it as much as the
 *     rest; for a clean wave all weights are equal), each spread the
 *     weighted interquartile range (q75 - q25); the weighted quantile q
 *     of the values sorted, the k-th at the cumulative weight (w_0 + ...
 *     + w_{k-1} + w_k / 2) / sum w, is interpolated linearly between
 *     them (NaN values and zero weights left out):
 *	speed        the median cell speed, NaN when |directionality| <
 *	             options.standing
 *	wavelength   the median 1 / |kappa| (infinite: synchrony)
 *	frequency    the median omega
 *	directionality  sum w sign(speed) / sum w, in [-1, 1]: +1 when
 *	             every cell travels toward increasing index, near 0 for
 *	             a standing wave (the one-dimensional phase-gradient
 *	             directionality, the direction's sign kept)
 *	negative_frequency  the fraction of the units' steps t -> t + 1
 *	             (same margin) whose frequency is negative, after the
 *	             correction when there is one
 *     and, with options.series, the median speed of each step's cells
 *     (NaN in the margins, and everywhere when the ring's speed is NaN).
 *     A ring whose raster is constant: every result NaN.
 *
 * Sheets: C sheets of H x W units (rows i, columns j; x = (j, i), the
 * column first), each (sequence, sheet) a movie a[t][i][j] analysed on
 * its own.  Directions are angles from the column axis toward the row
 * axis: a wave moving toward increasing column is at 0 degrees, toward
 * increasing row at 90.  The spectral method, as on rings but in three
 * dimensions:
 *
 *  1. each unit's temporal mean removed; the movie windowed along time
 *     and, on an open sheet, along rows and columns by the same window
 *     (a periodic sheet, a torus, is not windowed in space); padded to
 *     Tp steps and, open, to pad H x pad W units; transformed (FFTW):
 *	X(ky, kx, f) = sum w_i w_j w_t a[t][i][j] exp(-2 pi i (ky i + kx j + f t));
 *  2. the dominant (ky, kx, f) the largest power at 0 < f < 1/2, neither
 *     wavenumber at its Nyquist, refined off the grid: f (a constant in
 *     the fit, as on rings), then on an open sheet kx, ky and f in turn
 *     three times more, each by golden sections within one padded bin
 *     (on a torus the wavevector stays on the grid).
 *
 * A wave cos(2 pi (k . x - f t)) (f > 0) moves along k at f / |k| units
 * per step and puts its power at (-k, f).  Hence, with k the refined
 * peak's wavevector taken as zero when |k| max(H, W) < 1e-6 (a peak at
 * k = 0 moved only by rounding):
 *	speed      = f / |k|, >= 0, along the direction (NaN when k = 0 or
 *	             traveling < options.standing)
 *	direction  = the angle of u = -k / |k|, in [0, 360) (NaN when the
 *	             speed is): on a target or a spiral, that of its
 *	             strongest plane component
 *	wavelength = 1 / |k| (infinite when k = 0), frequency = f
 *	traveling  = (F - Bk) / (F + Bk): F the power (0 < f < 1/2, Nyquist
 *	             wavenumbers excluded) of the bins whose -k points into
 *	             the half-plane of u (-k . u > 0), Bk of those pointing
 *	             out of it: near 1 for a plane wave, near 0 standing
 *	             (NaN when k = 0)
 *	diagonal_power = as on rings, on the cone f = V |k| (k != 0), a bin
 *	             on it when |f - V |k|| <= h_t + V h_x, h_x the window's
 *	             half width over the shorter side (0 on a torus)
 * and the pattern, centre and sense of the phase method below.
 *
 * The phase method on sheets: each unit's analytic signal z as on
 * rings (band, generalized phase and margin of steps alike), and the
 * cells of 2 x 2 units (i, j), (i, j + 1), (i + 1, j), (i + 1, j + 1)
 * (H x W cells on a torus, wrapping; (H - 1) x (W - 1) open), cell (i,
 * j) centred at (i + 1/2, j + 1/2).  Over the analysed steps t (m <= t
 * < T - 1 - m), each cell's
 *	omega = arg sum_t sum_u z_u(t + 1) conj z_u(t) / 2 pi   (its 4 units)
 *	gx    = arg sum_t (z_{i,j+1} conj z_{i,j} + z_{i+1,j+1} conj z_{i+1,j}) / 2 pi
 *	gy    = arg sum_t (z_{i+1,j} conj z_{i,j} + z_{i+1,j+1} conj z_{i,j+1}) / 2 pi
 * (z at step t; a wave cos(2 pi (k . x - f t)) has z = exp(2 pi i (f t -
 * k . x)), so g = (gx, gy) = -k and omega = f), its weight the mean |z|
 * of its units and steps, its speed |omega| / |g|, wavelength 1 / |g|,
 * propagation direction u = -s g / |g| (s = -1 when the median
 * frequency is negative, else +1), and its winding: the sum over the
 * steps of the phase's turn around the cell counter-clockwise in (col,
 * row) ((i, j) -> (i, j + 1) -> (i + 1, j + 1) -> (i + 1, j) -> (i, j)),
 * each step's a whole number of cycles (+1, -1 about a phase
 * singularity, else 0).  The summaries, over the cells:
 *	speed, wavelength, frequency  weighted medians (and their
 *	             spreads) of the cells' speed, wavelength and omega;
 *	             the speed NaN when the pattern is none or synchrony
 *	directionality  |sum w u| / sum w, in [0, 1]: 1 for a plane wave,
 *	             near 0 for a target or spiral about the middle
 *	direction    the angle of -s sum w g, NaN unless the pattern is
 *	             plane
 *	negative_frequency  as on rings
 * and the pattern, in this order (L = max(H, W); the thresholds are the
 * DK_WAVE_* macros below):
 *	synchrony (4)  the median |g| (1 / wavelength) times L below
 *	             DK_WAVE_SYNCHRONY_PHASE: less than a quarter cycle
 *	             across the sheet (a standing wave's too: its phase
 *	             jumps by half a cycle at the nodes, and is flat
 *	             between them);
 *	none (0)     the field's coherence below DK_WAVE_MIN_COHERENCE, or
 *	             the median wavelength below DK_WAVE_MIN_WAVELENGTH: a
 *	             field that does not stay put over the steps, or that
 *	             changes from one unit to the next, as noise's does.
 *	             A cell's coherence is (|Zx| + |Zy|) / (sum_t of the
 *	             moduli of the products Zx and Zy sum), 1 when the
 *	             phase differences of its units stay put; the field's,
 *	             the cells' weighted mean;
 *	spiral (3)   some cell's winding, in size, at least
 *	             DK_WAVE_SPIRAL_PERSISTENCE of the analysed steps: a
 *	             phase singularity that stays put.  Its centre: the
 *	             windings' centroid over that cell and its 8 neighbours
 *	             of the same sign (within 0.71 units of a fixed
 *	             singularity); its sense -s times the winding's sign (a
 *	             pattern turning counter-clockwise at a positive
 *	             frequency sees its phase fall by a cycle around it);
 *	target (2)   the point c nearest, in weighted least squares, to
 *	             the cells' lines through their centres along u, and
 *	             the weighted mean of u . (x - c) / |x - c| over the
 *	             cells at least 1 unit from c at least
 *	             DK_WAVE_TARGET_RADIAL in size, and c on the sheet (0 <=
 *	             row <= H - 1, 0 <= col <= W - 1): sense its sign (+1
 *	             expanding), centre c (a centre beyond the sheet is a
 *	             curved front coming in);
 *	plane (1)    directionality at least DK_WAVE_PLANE_DIRECTIONALITY
 *	             (a spiral or target in a corner sweeps the sheet in
 *	             much one direction too: hence they come first);
 *	none (0)     otherwise.
 * The centre is (row, col), unit (i, j) at (i, j), NaN for plane,
 * synchrony and none; the sense 0 for them.  The target's fit treats
 * the sheet as flat: a torus's seam is not undone (a target or spiral
 * cannot close on a torus).  A sheet whose movie is constant: every
 * result NaN.
 */
#ifndef DK_ANALYSIS_WAVE_H
#define DK_ANALYSIS_WAVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/tensor.h"
#include "stream/bundle.h"

typedef enum { DK_WAVE_HANN, DK_WAVE_NO_WINDOW } dk_wave_window;
typedef enum { DK_WAVE_SPECTRAL, DK_WAVE_PHASE } dk_wave_method;

/* The pattern of a sheet's phase-gradient field (see above). */
typedef enum {
	DK_WAVE_PATTERN_NONE = 0, DK_WAVE_PATTERN_PLANE = 1,
	DK_WAVE_PATTERN_TARGET = 2, DK_WAVE_PATTERN_SPIRAL = 3,
	DK_WAVE_PATTERN_SYNCHRONY = 4
} dk_wave_pattern;

/* The thresholds of the pattern's rule (see above). */
#define DK_WAVE_SYNCHRONY_PHASE     0.25  /* cycles across the sheet */
#define DK_WAVE_MIN_COHERENCE       0.8
#define DK_WAVE_MIN_WAVELENGTH      3.0   /* units */
#define DK_WAVE_PLANE_DIRECTIONALITY 0.8
#define DK_WAVE_SPIRAL_PERSISTENCE  0.5   /* of the steps */
#define DK_WAVE_TARGET_RADIAL       0.8

/* "hann" or "none", and back (DK_EINVAL for another name). */
const char *dk_wave_window_name(dk_wave_window w);
int dk_wave_window_from_name(const char *name, dk_wave_window *w);
/* "spectral" or "phase", and back (DK_EINVAL for another name). */
const char *dk_wave_method_name(dk_wave_method m);
int dk_wave_method_from_name(const char *name, dk_wave_method *m);

/* The fewest time steps either method takes. */
#define DK_WAVE_MIN_STEPS 8

typedef struct dk_wave_options {
	dk_wave_method method;  /* default spectral */
	double speed;           /* V > 0, units per step, of the diagonal
	                           power's lines (default 1) */
	dk_wave_window window;  /* default hann */
	size_t pad;             /* zero-padding factor, 1 to 64 (default 2) */
	int open;               /* 1: every ring open, whatever the states
	                           say (default 0) */
	double standing;        /* |traveling| below which the speed is NaN,
	                           in [0, 1] (default 0.2) */
	uint64_t seed;          /* the surrogate's shuffles (default 1) */
	/* the phase method's (ignored by the spectral one; standing is
	   shared, |directionality| taking the place of |traveling|) */
	double band;            /* 0, or the band's factor b in (1, 64]
	                           (default 2: the harmonic 2 f_p of a
	                           rectified wave falls at the taper's 0) */
	int generalized;        /* 1: the generalized phase (default 0) */
	int series;             /* 1: the median speed of every step
	                           (default 0; the phase method only) */
	size_t window_steps;    /* 0 (the default) for all T steps
	                           at once, else windows of this many steps,
	                           from DK_WAVE_MIN_STEPS to T.  The phase
	                           method: chunks, each the next one's start
	                           half a chunk on (the last the final
	                           window_steps steps), each analysed as a
	                           whole recording (its own peak, band and
	                           margin) and only the cells of its middle
	                           half kept (from a quarter of it to three
	                           quarters; from its margin for the first,
	                           to its margin before the end for the
	                           last): the kept steps tile the whole
	                           run's m .. T - 1 - m.  The directionality
	                           and negative frequency sum over the kept
	                           cells; the medians and spreads are the
	                           kept cells' own when all the rings' kept
	                           cells fit exact_cells, else those of
	                           weighted histograms on a fixed grid (the
	                           record attr wave.quantiles says which):
	                           |v| from 2^-20 to 2^20, each octave
	                           [2^e, 2^(e+1)) in 256 bins of width
	                           2^(e-8), for each sign, the weight spread
	                           evenly through each bin, |v| below 2^-20
	                           one bin about 0, above 2^20 infinite;
	                           such a quantile differs from the exact
	                           one by at most the bins holding the two
	                           cells around it, a relative 2^-8 = 0.39 %
	                           where the cells are dense (the attr
	                           wave.quantile_error); no series.
	                           The spectral method: 0 (the
	                           default) for one spectrum of all T steps,
	                           else the power averaged over windows of
	                           this many steps, each overlapping the next
	                           by half (Welch), from DK_WAVE_MIN_STEPS to
	                           T; the peak then refined by a parabola
	                           through the log power of its bin and its
	                           neighbours, the surrogate shuffled within
	                           each window, ring q = b C + c by a
	                           generator of its own seeded with seed + q
	                           0x9E3779B97F4A7C15 (mod 2^64), so that the
	                           rings may be taken in any order.
	                           On sheets (wave_sheet_windows.c) the
	                           phase method's chunks as on rings, each
	                           cell's sums over the steps (wave.h's
	                           omega, gx, gy, weight, coherence and
	                           winding are sums) added over the kept
	                           steps of all the chunks, the summaries
	                           over the cells taken from them: exact,
	                           no histograms; the spectral method's
	                           windows those of the chunks that start
	                           at a multiple of window_steps / 2, the
	                           peak refined by parabolas along each
	                           axis, the sheet q's generator as a
	                           ring's, and the pattern the chunks'
	                           phase method's */
	size_t exact_cells;     /* the phase method with windows: the
	                           exact quantiles' bound, in cells of all
	                           the rings, each cell 48 bytes (default
	                           DK_WAVE_EXACT_CELLS; 0: histograms
	                           always) */
} dk_wave_options;

/* The phase method with windows keeps every ring's cells, for exact
   medians, up to this many cells in all (48 MiB). */
#define DK_WAVE_EXACT_CELLS ((size_t)1 << 20)

/* The defaults above. */
dk_wave_options dk_wave_options_default(void);

/* States to analyse: C rings of n units, or C sheets of H x W units
   (n = H W; unit (c, i, j) at index (c H + i) W + j), in (T, B, C n). */
typedef struct dk_wave_states {
	dk_tensor *x;           /* owned: f8 (T, B, C n), or NULL when view
	                           is set */
	const dk_tensor *view;  /* not owned: the same, read in place of x:
	                           a bundle's own f8 tensor, which must
	                           outlive these states (NULL: x) */
	size_t T, B, C, n;
	size_t H, W;            /* sheets: rows and columns; 0 for rings */
	int periodic;           /* the rings, or the sheets in both
	                           directions, wrap around */
	char name[64];          /* the record they came from ("" unnamed) */
} dk_wave_states;

/* The fewest rows or columns of a sheet. */
#define DK_WAVE_MIN_SIDE 3

/*
 * The states in b: the tensor named states, else the only tensor whose
 * name does not begin with model/.  Its axes say how it is read:
 *	(time, unit)                 one sequence;
 *	(time, batch, unit)          B sequences;
 *	(time, row, col)             one sequence of one H x W sheet: a
 *	                             rank-3 tensor whose axes are these, or
 *	                             that has no axes, no layout attr and
 *	                             rings = 0 (a bare NumPy array);
 *	(time, batch, row, col)      B sequences of one sheet (any rank-4
 *	                             tensor whose first axis is time).
 * The media: rings > 0 rings of N / rings units (periodic); else sheet
 * (H, W) (sheet non-NULL, both above 0) sheets of H x W units (periodic
 * in both directions); else the attrs' layout (stream/layout.h: [C, n]
 * rings, [n] one ring, [C, H, W] sheets, periodic when both of its
 * space axes are); else the one H x W sheet of the tensor's shape
 * (periodic); else one periodic ring of N units.  DK_EINVAL with a
 * message naming the record when there is no time axis (rank other than
 * 2 to 4, or axes whose first is not "time"), fewer than
 * DK_WAVE_MIN_STEPS steps, both rings and a sheet, a layout or ring or
 * sheet count that does not divide the units (or rings of fewer than 3
 * units, sheets of fewer than DK_WAVE_MIN_SIDE rows or columns), or a
 * value that is not finite; DK_ENOMEM.  States already f8 are not
 * copied: s->view is the bundle's tensor (b must then outlive s); others
 * are converted into s->x.
 */
int dk_wave_states_from_bundle(const dk_bundle *b, size_t rings,
                               const size_t *sheet, dk_wave_states *s,
                               char *err, size_t errlen);
/* The same from record i of b, whatever its name (dk-plot -s NAME). */
int dk_wave_states_from_record(const dk_bundle *b, size_t i, size_t rings,
                               const size_t *sheet, dk_wave_states *s,
                               char *err, size_t errlen);
void dk_wave_states_clear(dk_wave_states *s);

/* Per (sequence, ring or sheet): arrays of B C values, row-major
   (batch, ring or channel). */
typedef struct dk_wave_result {
	size_t B, C, T, n;
	size_t H, W;             /* sheets: rows and columns; 0 for rings */
	int periodic;            /* as analysed (after options.open) */
	dk_wave_options options; /* as run */
	double *speed;           /* owned, and the four below */
	double *wavelength;
	double *frequency;
	double *traveling;       /* spectral: owned, and the one below */
	double *diagonal_power;
	double *directionality;  /* phase: owned, and the ones below */
	double *speed_spread;
	double *wavelength_spread;
	double *frequency_spread;
	double *negative_frequency;
	int histogram;           /* phase with windows: 1 when the medians
	                            and spreads are the histograms' */
	double *speed_series;    /* phase with options.series: owned,
	                            (T - 1, B, C), step t the cells t -> t + 1 */
	double *direction;       /* sheets: owned, and the three below */
	double *pattern;         /* a dk_wave_pattern */
	double *centre;          /* (B, C, 2): row, col */
	double *sense;
} dk_wave_result;

/*
 * The analysis of s under o by its method (see above) into r, which owns
 * its arrays until dk_wave_result_clear.  DK_EINVAL with a message naming
 * the field for options out of range or states that are too short;
 * DK_ENOMEM.
 */
int dk_wave_run(const dk_wave_states *s, const dk_wave_options *o,
                dk_wave_result *r, char *err, size_t errlen);
void dk_wave_result_clear(dk_wave_result *r);

/*
 * The k-omega power spectrum of ring c of sequence b of s, as the
 * spectral method computes it under o (window, pad, open): each unit's
 * mean removed, the steps windowed and zero-padded to 2 (nf - 1), the
 * units windowed and padded too when the ring is open.  *P (the caller
 * frees it) is nk x nf, row-major: |X|^2 at spatial frequency j / nk
 * (j - nk when 2 j > nk) in row j and frequency l / (2 (nf - 1)) in
 * column l; a wave of speed v has its power on f = -v k.  DK_EINVAL with
 * a message naming the field for options out of range, sheets, a
 * sequence or ring that is not there, or too few steps; DK_ENOMEM.
 */
int dk_wave_spectrum(const dk_wave_states *s, const dk_wave_options *o, size_t b,
                     size_t c, double **P, size_t *nk, size_t *nf, char *err,
                     size_t errlen);

/*
 * Either method with windows (o->window_steps > 0) on rings or sheets
 * whose states are read from rd a window at a time (wave_stream.c), into r as
 * dk_wave_run would put them (the same bits): the states found and read
 * as dk_wave_states_from_bundle and dk_wave_run read them (any real
 * dtype, converted), but only o->window_steps steps of them held at
 * once, with the spectral method's power summed over the windows of
 * every ring (about pad times a window's states on rings that wrap
 * around, pad^2 on open ones, which are padded in space too), or the
 * phase method's sums of every ring (its kept cells while they fit
 * o->exact_cells, else 3 histograms of 20483 bins, 480 KiB, a ring).
 * The rest of the stream is read to its end.  DK_EINVAL with a message
 * naming the record and field as dk_wave_states_from_bundle and
 * dk_wave_run give them, or for no windows; the reader's status and
 * message for a stream that is not well formed (a truncated record,
 * named); DK_ENOMEM.
 */
int dk_wave_run_stream(dk_stream_reader *rd, size_t rings, const size_t *sheet,
                       const dk_wave_options *o, dk_wave_result *r,
                       char *err, size_t errlen);

/*
 * The power spectrum of sheet c of sequence b of s, as the spectral
 * method on sheets computes it under o (window, pad, open; wave_sheet.c):
 * *P (the caller frees it) is shape[0] x shape[1] x shape[2] = Hp x Wp x
 * nf, row-major: |X|^2 at row wavenumber jy / Hp, column wavenumber jx /
 * Wp (each less 1 when above 1/2) and frequency l / (2 (nf - 1)); Hp = H
 * and Wp = W on a torus, pad H and pad W open.  DK_EINVAL with a message
 * naming the field for options out of range, rings, a sequence or sheet
 * that is not there, too few steps or too large a transform; DK_ENOMEM.
 */
int dk_wave_sheet_spectrum(const dk_wave_states *s, const dk_wave_options *o,
                           size_t b, size_t c, double **P, size_t shape[3],
                           char *err, size_t errlen);

/*
 * Step `step` of sheet c of sequence b of s (wave_sheet_frame.c), for
 * pictures: phase[H W] (row-major) each unit's phase arg z in (-pi, pi],
 * z its analytic signal as the phase method computes it under o (band,
 * generalized), and gx, gy (cy x cx cells, row-major: H x W on a torus,
 * (H - 1) x (W - 1) open) the phase gradient of each cell of 2 x 2 units
 * at that step, cycles per unit, as the phase method's cells sum it over
 * the steps (above): a plane wave cos(2 pi (k . x - f t)) has g = -k.
 * DK_EINVAL with a message naming the field for a band out of range,
 * rings, a sequence, sheet or step that is not there, or a constant
 * sheet (no phase); DK_ENOMEM.
 */
int dk_wave_sheet_phase_frame(const dk_wave_states *s, const dk_wave_options *o,
                              size_t b, size_t c, size_t step, double *phase,
                              double *gx, double *gy, char *err, size_t errlen);

/*
 * The spectra of every (sequence, ring or sheet) of s under o as records
 * (wave_spectrum_records.c), for dk-wave --spectrum, the wavenumbers in
 * increasing order (from above -1/2 to at most 1/2):
 *	wave/spectrum  rings: f8 (batch, ring, wavenumber, frequency), B x C
 *	               x np x nf; sheets: f8 (batch, channel, row_wavenumber,
 *	               col_wavenumber, frequency), B x C x Hp x Wp x nf: the
 *	               power |X|^2 of dk_wave_spectrum and
 *	               dk_wave_sheet_spectrum
 *	wave/wavenumber            rings: f8 (wavenumber), cycles per unit
 *	wave/row_wavenumber, wave/col_wavenumber   sheets: the same, (Hp)
 *	               and (Wp)
 *	wave/spectrum_frequency    f8 (frequency), cycles per step, 0 to 1/2
 * each with attrs "units", "definition" and "wave" (window, pad,
 * periodic, steps, units, and rows and cols on sheets).  DK_EINVAL with
 * a message naming the field when o is not the spectral method or has
 * window_steps (the spectrum is of all steps at once), and as the two
 * spectra; DK_ELIMIT when the records' size overflows; DK_ENOMEM.
 */
int dk_wave_spectrum_to_bundle(const dk_wave_states *s,
                               const dk_wave_options *o, dk_bundle *b,
                               char *err, size_t errlen);

/* The phase method (wave_phase.c), which dk_wave_run calls once it has
   checked o and s: r's shape fields set, its arrays not yet allocated. */
int dk_wave_phase_run(const dk_wave_states *s, const dk_wave_options *o,
                      dk_wave_result *r, char *err, size_t errlen);

/*
 * r as records (wave_records.c), each f8 (batch, ring) with attrs
 * "units", "definition" and "wave" (method, periodic, steps, units per
 * ring, standing; spectral: window, pad, speed_line, seed, window_steps;
 * phase: band, generalized):
 *	wave/speed wave/wavelength wave/frequency, and
 *	spectral: wave/traveling wave/diagonal_power
 *	phase: wave/directionality wave/speed_spread wave/wavelength_spread
 *	       wave/frequency_spread wave/negative_frequency, and with the
 *	       series wave/speed_series, f8 (time, batch, ring)
 * DK_ENOMEM.
 */
int dk_wave_to_bundle(const dk_wave_result *r, dk_bundle *b);

/*
 * The settings a run recorded in the "wave" object of its records'
 * attrs (window, pad, periodic: an open ring sets o->open; the phase
 * method's band and generalized), over o's; a key that is absent leaves
 * o's value, as the phase method's records have no window or pad and
 * the spectral method's no band.  DK_EMETA with a message naming the key
 * when one is of the wrong type or out of range.
 */
int dk_wave_options_from_attrs(const json_t *attrs, dk_wave_options *o,
                               char *err, size_t errlen);

#endif
