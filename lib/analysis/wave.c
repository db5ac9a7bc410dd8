/*
 * wave.c -- the spectral method of dk-wave: the k-omega power spectrum
 * of each ring's raster (FFTW), its refined peak, the forward and
 * backward power, and the diagonal power against a time-shuffled
 * surrogate (see wave.h for the definitions); and the options and the
 * one call of both methods (the phase method is wave_phase.c).
 *
 * One FFTW plan serves every (sequence, ring): they share a shape.  It
 * is made with FFTW_ESTIMATE, which measures nothing, so the same input
 * gives the same bits run after run.
 */
#include <config.h>

#include <complex.h>
#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/rng.h"
#include "base/status.h"

const char *dk_wave_window_name(dk_wave_window w)
{
	return w == DK_WAVE_HANN ? "hann" : "none";
}

int dk_wave_window_from_name(const char *name, dk_wave_window *w)
{
	if (!strcmp(name, "hann"))
		*w = DK_WAVE_HANN;
	else if (!strcmp(name, "none"))
		*w = DK_WAVE_NO_WINDOW;
	else
		return DK_EINVAL;
	return DK_OK;
}

const char *dk_wave_method_name(dk_wave_method m)
{
	return m == DK_WAVE_PHASE ? "phase" : "spectral";
}

int dk_wave_method_from_name(const char *name, dk_wave_method *m)
{
	if (!strcmp(name, "spectral"))
		*m = DK_WAVE_SPECTRAL;
	else if (!strcmp(name, "phase"))
		*m = DK_WAVE_PHASE;
	else
		return DK_EINVAL;
	return DK_OK;
}

dk_wave_options dk_wave_options_default(void)
{
	return (dk_wave_options){.method = DK_WAVE_SPECTRAL, .speed = 1,
	                         .window = DK_WAVE_HANN, .pad = 2,
	                         .standing = 0.2, .seed = 1, .band = 2,
	                         .exact_cells = DK_WAVE_EXACT_CELLS};
}

/* Scratch for one shape: np x Tp input and its half spectrum in place,
   the raster. */
typedef struct {
	size_t T, n, Tp, np, nf;  /* nf = Tp / 2 + 1 columns of the spectrum */
	int periodic;
	double *in;               /* owned: np rows of 2 nf >= Tp, the input */
	fftw_complex *out;        /* in itself: np x nf, its spectrum */
	double *a;                /* owned: n x T, the centred raster */
	double *wt, *wx;          /* owned: windows, T and n */
	double complex *c;        /* owned: max(T, n), the refinement's sums */
	double complex *e;        /* owned: max(T, n), its phase factors */
	size_t *perm;             /* owned: T */
	fftw_plan plan;
} work;

static void work_free(work *w)
{
	if (w->plan)
		fftw_destroy_plan(w->plan);
	fftw_free(w->in);
	free(w->a);
	free(w->wt);
	free(w->wx);
	free(w->c);
	free(w->e);
	free(w->perm);
}

void dk_wave_huge_pages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	long page = sysconf(_SC_PAGESIZE);
	if (!p || page <= 0 || bytes < ((size_t)2 << 20))
		return;
	/* the whole pages within the buffer */
	uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	uintptr_t e = ((uintptr_t)p + bytes) & ~((uintptr_t)page - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p, (void)bytes;
#endif
}

void *dk_wave_huge_alloc(size_t bytes)
{
	size_t huge = (size_t)2 << 20, align = bytes >= huge ? huge : 64;
	if (!bytes || bytes > SIZE_MAX - huge)
		return NULL;
	if (align == huge)
		bytes = (bytes + huge - 1) & ~(huge - 1);
	void *p = NULL;
	if (posix_memalign(&p, align, bytes))
		return NULL;
	dk_wave_huge_pages(p, bytes);
	return p;
}

/* The window of len points: w_t = sin^2(pi (t + 1/2) / len), or 1. */
void dk_wave_window_fill(dk_wave_window kind, double *w, size_t len)
{
	for (size_t t = 0; t < len; t++) {
		double s = sin(M_PI * ((double)t + 0.5) / (double)len);
		w[t] = kind == DK_WAVE_HANN ? s * s : 1;
	}
}

static int work_alloc(work *w, size_t T, size_t n, int periodic,
                      const dk_wave_options *o)
{
	*w = (work){.T = T, .n = n, .periodic = periodic};
	w->Tp = o->pad * T + (o->pad * T) % 2;
	w->np = periodic ? n : o->pad * n;
	w->nf = w->Tp / 2 + 1;
	/* in place: each row of Tp steps padded to the 2 nf reals of its
	   half spectrum, as FFTW lays in-place real transforms out */
	w->in = fftw_alloc_real(w->np * 2 * w->nf);
	w->out = (fftw_complex *)w->in;
	w->a = malloc(n * T * sizeof *w->a);
	w->wt = malloc(T * sizeof *w->wt);
	w->wx = malloc(n * sizeof *w->wx);
	w->c = malloc((T > n ? T : n) * sizeof *w->c);
	w->e = malloc((T > n ? T : n) * sizeof *w->e);
	w->perm = malloc(T * sizeof *w->perm);
	if (!w->in || !w->out || !w->a || !w->wt || !w->wx || !w->c || !w->e || !w->perm)
		return DK_ENOMEM;
	dk_wave_huge_pages(w->in, w->np * 2 * w->nf * sizeof *w->in);
	dk_wave_huge_pages(w->a, n * T * sizeof *w->a);
	w->plan = fftw_plan_dft_r2c_2d((int)w->np, (int)w->Tp, w->in, w->out,
	                               FFTW_ESTIMATE);
	if (!w->plan)
		return DK_ENOMEM;
	dk_wave_window_fill(o->window, w->wt, T);
	dk_wave_window_fill(periodic ? DK_WAVE_NO_WINDOW : o->window, w->wx, n);
	return DK_OK;
}

/* The spectrum of the raster, its steps in the order perm (NULL: as
   they are), windowed and padded, into w->out. */
static void spectrum(work *w, const size_t *perm)
{
	memset(w->in, 0, w->np * 2 * w->nf * sizeof *w->in);
	for (size_t i = 0; i < w->n; i++)
		for (size_t t = 0; t < w->T; t++)
			w->in[i * 2 * w->nf + t] = w->wx[i] * w->wt[t] *
			                       w->a[i * w->T + (perm ? perm[t] : t)];
	fftw_execute(w->plan);
}

/* The power at k = j nf + l: |X(k_j, f_l)|^2, read from the spectrum
   where it is needed rather than kept in an array of its own. */
static double power(const work *w, size_t k)
{
	double re = creal(w->out[k]), im = cimag(w->out[k]);
	return re * re + im * im;
}

/* The power at k from P, or from the spectrum when P is NULL. */
static double bin(const work *w, const double *P, size_t k)
{
	return P ? P[k] : power(w, k);
}

/* |sum_s c_s exp(-2 pi i f s)|^2.  The phase factors by recurrence,
   one complex product a term, taken afresh from cexp every 64 terms so
   that the recurrence's rounding cannot build up (a cexp a term was most
   of the spectral method's time). */
static double dtft_power(const double complex *c, size_t len, double f)
{
	double complex s = 0, e = 1, step = cexp(-2 * M_PI * I * f);
	for (size_t k = 0; k < len; k++) {
		if (k % 64 == 0)
			e = cexp(-2 * M_PI * I * f * (double)k);
		s += c[k] * e;
		e *= step;
	}
	return creal(s) * creal(s) + cimag(s) * cimag(s);
}

/* The f in [lo, hi] where objective(f, arg) is largest, by 48 golden
   sections, which leave an interval of about 1e-10 of the first (the
   objective must be unimodal there). */
static double golden_max(double (*objective)(double, const void *), const void *arg,
                         double lo, double hi)
{
	const double g = (sqrt(5.0) - 1) / 2;
	double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
	double p1 = objective(x1, arg), p2 = objective(x2, arg);
	for (int it = 0; it < 48; it++) {
		if (p1 < p2) {
			lo = x1;
			x1 = x2, p1 = p2;
			x2 = lo + g * (hi - lo);
			p2 = objective(x2, arg);
		} else {
			hi = x2;
			x2 = x1, p2 = p1;
			x1 = hi - g * (hi - lo);
			p1 = objective(x1, arg);
		}
	}
	return (lo + hi) / 2;
}

/* A series for the searches below: c (len terms), with its window w, the
   window's sum S and the series' sum b0 for the centred search. */
typedef struct {
	const double complex *c;
	const double *w;
	size_t len;
	double S;
	double complex b0;
} series;

static double series_dtft_power(double f, const void *arg)
{
	const series *s = arg;
	return dtft_power(s->c, s->len, f);
}

/* The f in [lo, hi] where dtft_power is largest (the power is unimodal
   there: inside the window's main lobe). */
double dk_wave_golden_max(const double complex *c, size_t len, double lo,
                          double hi)
{
	series s = {.c = c, .len = len};
	return golden_max(series_dtft_power, &s, lo, hi);
}

/* The power of y_t = c_t / w_t (c the windowed series, w the window)
   that a constant and exp(2 pi i f t) together explain in least squares
   weighted by w: with b1 = sum c_t exp(-2 pi i f t), b0 = sum c_t, W =
   sum w_t exp(-2 pi i f t) and S = sum w_t,
	(S (|b1|^2 + |b0|^2) - 2 Re(conj(b1) W b0)) / (S^2 - |W|^2),
   the constant's share alone, |b0|^2 / S, at f = 0.  Each unit's mean is
   taken away before the transform, and that leaves, in a wave of few
   cycles, a window's lobe about f = 0 whose tail moves the peak of |b1|
   (a wave of 1.25 cycles in 40 steps read 8 % slow); with the constant
   in the fit, a clean wave's frequency is its maximum exactly. */
static double explained_power(const double complex *c, const double *w,
                              size_t len, double f, double S, double complex b0)
{
	double complex b1 = 0, W = 0, e = 1, step = cexp(-2 * M_PI * I * f);
	for (size_t k = 0; k < len; k++) {
		if (k % 64 == 0)
			e = cexp(-2 * M_PI * I * f * (double)k);
		b1 += c[k] * e;
		W += w[k] * e;
		e *= step;
	}
	double b12 = creal(b1) * creal(b1) + cimag(b1) * cimag(b1);
	double b02 = creal(b0) * creal(b0) + cimag(b0) * cimag(b0);
	double D = S * S - (creal(W) * creal(W) + cimag(W) * cimag(W));
	if (!(D > 0))
		return S > 0 ? b02 / S : 0;
	return (S * (b12 + b02) - 2 * creal(conj(b1) * W * b0)) / D;
}

static double series_explained_power(double f, const void *arg)
{
	const series *s = arg;
	return explained_power(s->c, s->w, s->len, f, s->S, s->b0);
}

double dk_wave_golden_max_centred(const double complex *c, const double *w,
                                  size_t len, double lo, double hi)
{
	series s = {.c = c, .w = w, .len = len, .S = 0, .b0 = 0};
	for (size_t k = 0; k < len; k++)
		s.S += w[k], s.b0 += c[k];
	return golden_max(series_explained_power, &s, lo, hi);
}

/* f refined at spatial frequency k: the windowed raster projected on
   exp(2 pi i k i) along space, then searched along time, a constant
   fitted beside the wave. */
static double refine_f(work *w, double k, double f0)
{
	for (size_t i = 0; i < w->n; i++)
		w->e[i] = w->wx[i] * cexp(-2 * M_PI * I * k * (double)i);
	for (size_t t = 0; t < w->T; t++)
		w->c[t] = 0;
	for (size_t i = 0; i < w->n; i++)
		for (size_t t = 0; t < w->T; t++)
			w->c[t] += w->e[i] * w->a[i * w->T + t];
	for (size_t t = 0; t < w->T; t++)
		w->c[t] *= w->wt[t];
	double h = 1.0 / (double)w->Tp;
	return dk_wave_golden_max_centred(w->c, w->wt, w->T, f0 - h, f0 + h);
}

/* k refined at temporal frequency f. */
static double refine_k(work *w, double f, double k0)
{
	for (size_t t = 0; t < w->T; t++)
		w->e[t] = w->wt[t] * cexp(-2 * M_PI * I * f * (double)t);
	for (size_t i = 0; i < w->n; i++) {
		double complex s = 0;
		for (size_t t = 0; t < w->T; t++)
			s += w->e[t] * w->a[i * w->T + t];
		w->c[i] = w->wx[i] * s;
	}
	double h = 1.0 / (double)w->np;
	return dk_wave_golden_max(w->c, w->n, k0 - h, k0 + h);
}

/* The fraction of the spectrum's power (0 < f < 1/2) on the speed-V lines. */
static double line_fraction(const work *w, const double *P, double V,
                            double half)
{
	double on = 0, all = 0;
	for (size_t j = 0; j < w->np; j++) {
		double k = fabs(dk_wave_wavenumber(j, w->np));
		for (size_t l = 1; l + 1 < w->nf; l++) {
			double p = bin(w, P, j * w->nf + l), f = (double)l / (double)w->Tp;
			all += p;
			if (j != 0 && fabs(f - V * k) <= half)
				on += p;
		}
	}
	return all > 0 ? on / all : NAN;
}

typedef struct {
	double speed, wavelength, frequency, traveling, diagonal;
} ring_result;

/* The peak of the power (P, or the spectrum when NULL) at 0 < f < 1/2,
   its row and column, and the forward and backward power; 0 when there
   is no power. */
static double peak(const work *w, const double *P, size_t *bj, size_t *bl,
                   double *fwd, double *bwd)
{
	double best = -1;
	int even = w->np % 2 == 0;
	*bj = 0, *bl = 1, *fwd = 0, *bwd = 0;
	for (size_t j = 0; j < w->np; j++) {
		if (even && 2 * j == w->np)
			continue; /* the spatial Nyquist: no direction */
		double k = dk_wave_wavenumber(j, w->np);
		for (size_t l = 1; l + 1 < w->nf; l++) {
			double p = bin(w, P, j * w->nf + l);
			if (k < 0)
				*fwd += p;
			else if (k > 0)
				*bwd += p;
			if (p > best)
				best = p, *bj = j, *bl = l;
		}
	}
	return best > 0 ? best : 0;
}

/* The ring's results from its peak (k, f) and powers; D the diagonal
   power's fraction and Ds the surrogate's. */
static ring_result results(double k, double f, double fwd, double bwd,
                           double D, double Ds, const dk_wave_options *o)
{
	ring_result r;
	r.frequency = f;
	r.wavelength = k != 0 ? 1 / fabs(k) : INFINITY;
	r.traveling = fwd + bwd > 0 ? (fwd - bwd) / (fwd + bwd) : NAN;
	r.speed = k != 0 && fabs(r.traveling) >= o->standing ? -f / k : NAN;
	r.diagonal = Ds > 0 ? D / Ds : NAN;
	return r;
}

/* One ring: the raster in w->a (centred). */
static ring_result analyse(work *w, const dk_wave_options *o, dk_rng *rng)
{
	ring_result r = {NAN, NAN, NAN, NAN, NAN};
	spectrum(w, NULL);
	size_t bj, bl;
	double fwd, bwd;
	if (!(peak(w, NULL, &bj, &bl, &fwd, &bwd) > 0))
		return r; /* no power: a constant raster */
	double k = dk_wave_wavenumber(bj, w->np), f = (double)bl / (double)w->Tp;
	f = refine_f(w, k, f);
	for (int round = 0; !w->periodic && round < 3; round++) {
		k = refine_k(w, f, k);
		f = refine_f(w, k, f);
	}
	/* the diagonal power against the surrogate */
	double lobe = o->window == DK_WAVE_HANN ? 2 : 1;
	double half = lobe / (double)w->T +
	              (w->periodic ? 0 : o->speed * lobe / (double)w->n);
	double D = line_fraction(w, NULL, o->speed, half);
	dk_rng_permutation(rng, w->perm, w->T);
	spectrum(w, w->perm);
	double Ds = line_fraction(w, NULL, o->speed, half);
	return results(k, f, fwd, bwd, D, Ds, o);
}

/* The window of w->T steps from step t0 of ring c of sequence b of the
   states x ((steps, B, N), N = C n) into w->a, each unit's mean over the
   window removed. */
static void segment(work *w, const double *x, size_t B, size_t N, size_t b,
                    size_t c, size_t t0)
{
	size_t T = w->T, n = w->n;
	for (size_t i = 0; i < n; i++) {
		double *a = w->a + i * T, mean = 0;
		for (size_t t = 0; t < T; t++)
			mean += a[t] = x[((t0 + t) * B + b) * N + c * n + i];
		mean /= (double)T;
		for (size_t t = 0; t < T; t++)
			a[t] -= mean;
	}
}

int dk_wave_slots_alloc(dk_wave_slots *s, size_t slots, size_t bins)
{
	memset(s, 0, sizeof *s);
	s->slots = slots, s->bins = bins;
	if (bins && slots > SIZE_MAX / sizeof *s->P / bins)
		return DK_ENOMEM;
	s->P = malloc(slots * bins * sizeof *s->P);
	s->Ps = malloc(slots * bins * sizeof *s->Ps);
	s->rng = calloc(slots, sizeof *s->rng);
	return s->P && s->Ps && s->rng ? DK_OK : DK_ENOMEM;
}

void dk_wave_slots_free(dk_wave_slots *s)
{
	free(s->P);
	free(s->Ps);
	for (size_t q = 0; s->rng && q < s->slots; q++)
		dk_rng_free(s->rng[q]);
	free(s->rng);
	memset(s, 0, sizeof *s);
}

int dk_wave_slots_start(dk_wave_slots *s, size_t slot, uint64_t seed, size_t q)
{
	memset(s->P + slot * s->bins, 0, s->bins * sizeof *s->P);
	memset(s->Ps + slot * s->bins, 0, s->bins * sizeof *s->Ps);
	dk_rng_free(s->rng[slot]);
	s->rng[slot] = dk_rng_alloc(seed + q * UINT64_C(0x9E3779B97F4A7C15));
	return s->rng[slot] ? DK_OK : DK_ENOMEM;
}

/* Welch's method on rings: one work for windows of L steps, and the
   averaged powers and the surrogate's generator of each of slots rings
   (one when the rings are taken in turn from states in memory, all of
   them when the windows come in time order from a stream). */
struct dk_wave_welch {
	work w;
	dk_wave_slots s;        /* per slot: power sums and shuffles */
	dk_wave_options o;
};

void dk_wave_welch_free(dk_wave_welch *wl)
{
	if (!wl)
		return;
	work_free(&wl->w);
	dk_wave_slots_free(&wl->s);
	free(wl);
}

int dk_wave_welch_alloc(dk_wave_welch **out, size_t n, int periodic,
                        size_t slots, const dk_wave_options *o)
{
	dk_wave_welch *wl = calloc(1, sizeof *wl);
	*out = NULL;
	if (!wl)
		return DK_ENOMEM;
	wl->o = *o;
	int st = work_alloc(&wl->w, o->window_steps, n, periodic, o);
	if (!st)
		st = dk_wave_slots_alloc(&wl->s, slots, wl->w.np * wl->w.nf);
	if (st) {
		dk_wave_welch_free(wl);
		return st;
	}
	*out = wl;
	return DK_OK;
}

int dk_wave_welch_start(dk_wave_welch *wl, size_t slot, size_t q)
{
	return dk_wave_slots_start(&wl->s, slot, wl->o.seed, q);
}

void dk_wave_welch_add(dk_wave_welch *wl, size_t slot, const double *x,
                       size_t B, size_t C, size_t b, size_t c, size_t t0)
{
	work *w = &wl->w;
	double *P = wl->s.P + slot * wl->s.bins, *Ps = wl->s.Ps + slot * wl->s.bins;
	segment(w, x, B, C * w->n, b, c, t0);
	spectrum(w, NULL);
	for (size_t k = 0; k < wl->s.bins; k++)
		P[k] += power(w, k);
	dk_rng_permutation(wl->s.rng[slot], w->perm, w->T);
	spectrum(w, w->perm);
	for (size_t k = 0; k < wl->s.bins; k++)
		Ps[k] += power(w, k);
}

/* The ring's results from the powers summed in slot. */
static ring_result welch_result(const dk_wave_welch *wl, size_t slot)
{
	const work *w = &wl->w;
	const dk_wave_options *o = &wl->o;
	const double *P = wl->s.P + slot * wl->s.bins, *Ps = wl->s.Ps + slot * wl->s.bins;
	ring_result r = {NAN, NAN, NAN, NAN, NAN};
	size_t L = w->T, bj, bl;
	double fwd, bwd;
	if (!(peak(w, P, &bj, &bl, &fwd, &bwd) > 0))
		return r;
	size_t jm = (bj + w->np - 1) % w->np, jp = (bj + 1) % w->np;
	double f = ((double)bl + dk_wave_vertex(P[bj * w->nf + bl - 1], P[bj * w->nf + bl],
	                                P[bj * w->nf + bl + 1])) / (double)w->Tp;
	double k = dk_wave_wavenumber(bj, w->np) + dk_wave_vertex(P[jm * w->nf + bl], P[bj * w->nf + bl],
	                                 P[jp * w->nf + bl]) / (double)w->np;
	double lobe = o->window == DK_WAVE_HANN ? 2 : 1;
	double half = lobe / (double)L +
	              (w->periodic ? 0 : o->speed * lobe / (double)w->n);
	return results(k, f, fwd, bwd, line_fraction(w, P, o->speed, half),
	               line_fraction(w, Ps, o->speed, half), o);
}

void dk_wave_welch_result(const dk_wave_welch *wl, size_t slot,
                          dk_wave_result *r, size_t q)
{
	ring_result rr = welch_result(wl, slot);
	r->speed[q] = rr.speed;
	r->wavelength[q] = rr.wavelength;
	r->frequency[q] = rr.frequency;
	r->traveling[q] = rr.traveling;
	r->diagonal_power[q] = rr.diagonal;
}

static int check_options(const dk_wave_options *o, char *err, size_t errlen)
{
	if (!(o->speed > 0) || !isfinite(o->speed))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "speed must be a finite number above 0, not %g", o->speed);
	if (o->pad < 1 || o->pad > 64)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "pad must be from 1 to 64, not %zu", o->pad);
	if (!(o->standing >= 0 && o->standing <= 1))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "standing must be in [0, 1], not %g", o->standing);
	if (o->window != DK_WAVE_HANN && o->window != DK_WAVE_NO_WINDOW)
		return dk_errorf(DK_EINVAL, err, errlen, "window: unknown kind %d",
		                 (int)o->window);
	if (o->method != DK_WAVE_SPECTRAL && o->method != DK_WAVE_PHASE)
		return dk_errorf(DK_EINVAL, err, errlen, "method: unknown kind %d",
		                 (int)o->method);
	if (!(o->band == 0 || (o->band > 1 && o->band <= 64)))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "band must be 0 or above 1 and at most 64, not %g",
		                 o->band);
	if (o->series && o->method != DK_WAVE_PHASE)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "series: only the phase method has one");
	if (o->window_steps && o->series)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "series: not with window_steps (chunks keep no "
		                 "steps)");
	if (o->window_steps && o->window_steps < DK_WAVE_MIN_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "window_steps must be 0 or at least %d, not %zu",
		                 DK_WAVE_MIN_STEPS, o->window_steps);
	return DK_OK;
}

/* The states are step-major and the raster unit-major: the transpose
   goes in tiles of 8 steps by 256 units, and the 256 units' rows of the
   raster are centred at once, while what cache holds of them is still
   there. */
void dk_wave_raster(const dk_wave_states *s, size_t b, size_t c, double *a)
{
	size_t T = s->T, B = s->B, n = s->n, N = s->C * n;
	const double *x = dk_wave_values(s) + b * N + c * n;
	for (size_t i0 = 0; i0 < n; i0 += 256) {
		size_t i1 = i0 + 256 < n ? i0 + 256 : n;
		for (size_t t0 = 0; t0 < T; t0 += 8) {
			size_t t1 = t0 + 8 < T ? t0 + 8 : T;
			for (size_t i = i0; i < i1; i++)
				for (size_t t = t0; t < t1; t++)
					a[i * T + t] = x[t * B * N + i];
		}
		for (size_t i = i0; i < i1; i++) {
			double *ai = a + i * T, mean = 0;
			for (size_t t = 0; t < T; t++)
				mean += ai[t];
			mean /= (double)T;
			for (size_t t = 0; t < T; t++)
				ai[t] -= mean;
		}
	}
}

void dk_wave_result_clear(dk_wave_result *r)
{
	free(r->speed);
	free(r->wavelength);
	free(r->frequency);
	free(r->traveling);
	free(r->diagonal_power);
	free(r->directionality);
	free(r->speed_spread);
	free(r->wavelength_spread);
	free(r->frequency_spread);
	free(r->negative_frequency);
	free(r->speed_series);
	free(r->direction);
	free(r->pattern);
	free(r->centre);
	free(r->sense);
	*r = (dk_wave_result){0};
}

int dk_wave_check(const dk_wave_states *s, const dk_wave_options *o,
                  char *err, size_t errlen)
{
	int st = check_options(o, err, errlen);
	if (st)
		return st;
	if (s->T < DK_WAVE_MIN_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%zu time steps; the %s method needs at least %d",
		                 s->T, dk_wave_method_name(o->method), DK_WAVE_MIN_STEPS);
	if (s->n < 3 || s->C < 1 || s->B < 1)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "rings of %zu units; at least 3 are needed", s->n);
	if (s->H && (s->H < DK_WAVE_MIN_SIDE || s->W < DK_WAVE_MIN_SIDE ||
	             s->H * s->W != s->n))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "sheets of %zu x %zu units in %zu; at least %d rows "
		                 "and columns are needed", s->H, s->W, s->n,
		                 DK_WAVE_MIN_SIDE);
	if (s->H && o->series)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "series: only rings have one");
	if (o->window_steps > s->T)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "window_steps: %zu steps in a window, only %zu "
		                 "recorded", o->window_steps, s->T);
	size_t T = s->T, n = s->n;
	int periodic = s->periodic && !o->open;
	size_t pad = o->method == DK_WAVE_PHASE ? 1 : o->pad;
	if (pad * T >= (size_t)INT_MAX || (!periodic && pad * n >= (size_t)INT_MAX))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%zu steps padded %zu times are too many for one "
		                 "transform", T, pad);
	if (s->H && (n >= (size_t)INT_MAX || pad * s->H >= (size_t)INT_MAX ||
	             pad * s->W >= (size_t)INT_MAX ||
	             pad * s->H > SIZE_MAX / 16 / pad / s->W / (pad * T + 2)))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "sheets of %zu x %zu units over %zu steps are too "
		                 "many for one transform", s->H, s->W, T);
	return DK_OK;
}

int dk_wave_spectral_arrays(const dk_wave_states *s, const dk_wave_options *o,
                            dk_wave_result *r)
{
	size_t BC = s->B * s->C;
	*r = (dk_wave_result){.B = s->B, .C = s->C, .T = s->T, .n = s->n,
	                      .H = s->H, .W = s->W,
	                      .periodic = s->periodic && !o->open, .options = *o};
	double **arrays[5] = {&r->speed, &r->wavelength, &r->frequency,
	                      &r->traveling, &r->diagonal_power};
	for (int k = 0; k < 5; k++)
		if (!(*arrays[k] = malloc(BC * sizeof **arrays[k])))
			return DK_ENOMEM;
	return DK_OK;
}

/* The spectral method with windows: each ring in turn, its windows in
   time order. */
static int run_welch(const dk_wave_states *s, const dk_wave_options *o,
                     dk_wave_result *r)
{
	size_t L = o->window_steps, hop = L / 2;
	dk_wave_welch *wl;
	int st = dk_wave_welch_alloc(&wl, s->n, r->periodic, 1, o);
	for (size_t q = 0; !st && q < s->B * s->C; q++) {
		size_t b = q / s->C, c = q % s->C;
		if ((st = dk_wave_welch_start(wl, 0, q)))
			break;
		for (size_t t0 = 0; t0 + L <= s->T; t0 += hop)
			dk_wave_welch_add(wl, 0, dk_wave_values(s), s->B, s->C, b, c, t0);
		dk_wave_welch_result(wl, 0, r, q);
	}
	dk_wave_welch_free(wl);
	return st;
}

int dk_wave_run(const dk_wave_states *s, const dk_wave_options *o,
                dk_wave_result *r, char *err, size_t errlen)
{
	*r = (dk_wave_result){0};
	int st = dk_wave_check(s, o, err, errlen);
	if (st)
		return st;
	size_t T = s->T, B = s->B, C = s->C, n = s->n, N = C * n;
	int periodic = s->periodic && !o->open;
	const dk_tensor *x = s->x ? s->x : s->view;
	if (!x || x->dtype != DK_F8 || x->count != T * B * N)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the states are not f8 (%zu, %zu, %zu)", T, B, N);
	*r = (dk_wave_result){.B = B, .C = C, .T = T, .n = n, .H = s->H,
	                      .W = s->W, .periodic = periodic, .options = *o};
	if (s->H && o->window_steps) {
		if ((st = dk_wave_sheet_windows_run(s, o, r))) {
			dk_wave_result_clear(r);
			return dk_errorf(st, err, errlen, "out of memory");
		}
		return DK_OK;
	}
	if (s->H)
		return o->method == DK_WAVE_PHASE
		       ? dk_wave_sheet_phase_run(s, o, r, err, errlen)
		       : dk_wave_sheet_spectral_run(s, o, r, err, errlen);
	if (o->method == DK_WAVE_PHASE && !o->window_steps)
		return dk_wave_phase_run(s, o, r, err, errlen);
	if (o->method == DK_WAVE_PHASE) {
		if ((st = dk_wave_chunks_run(s, o, r))) {
			dk_wave_result_clear(r);
			return dk_errorf(st, err, errlen, "out of memory");
		}
		return DK_OK;
	}
	st = dk_wave_spectral_arrays(s, o, r);
	if (!st && o->window_steps)
		st = run_welch(s, o, r);
	work w = {0};
	dk_rng *rng = NULL;
	if (!st && !o->window_steps) {
		st = work_alloc(&w, T, n, periodic, o);
		if (!st && !(rng = dk_rng_alloc(o->seed)))
			st = DK_ENOMEM;
		for (size_t q = 0; !st && q < B * C; q++) {
			dk_wave_raster(s, q / C, q % C, w.a);
			ring_result rr = analyse(&w, o, rng);
			r->speed[q] = rr.speed;
			r->wavelength[q] = rr.wavelength;
			r->frequency[q] = rr.frequency;
			r->traveling[q] = rr.traveling;
			r->diagonal_power[q] = rr.diagonal;
		}
	}
	dk_rng_free(rng);
	work_free(&w);
	if (st) {
		dk_wave_result_clear(r);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	return DK_OK;
}

int dk_wave_spectrum(const dk_wave_states *s, const dk_wave_options *o, size_t b,
                     size_t c, double **P, size_t *nk, size_t *nf, char *err,
                     size_t errlen)
{
	*P = NULL;
	*nk = *nf = 0;
	int st = check_options(o, err, errlen);
	if (st)
		return st;
	if (s->H)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: the spectrum is of rings, not sheets", s->name);
	if (b >= s->B || c >= s->C)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no sequence %zu, ring %zu "
		                 "in %zu sequences of %zu rings", s->name, b, c, s->B, s->C);
	if (s->T < DK_WAVE_MIN_STEPS || o->pad * s->T >= (size_t)INT_MAX ||
	    o->pad * s->n >= (size_t)INT_MAX)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu steps of %zu units "
		                 "padded %zu times: fewer than %d steps, or too many "
		                 "for one transform", s->name, s->T, s->n, o->pad,
		                 DK_WAVE_MIN_STEPS);
	work w;
	st = work_alloc(&w, s->T, s->n, s->periodic && !o->open, o);
	double *p = st ? NULL : malloc(w.np * w.nf * sizeof *p);
	if (!st && p) {
		dk_wave_raster(s, b, c, w.a);
		spectrum(&w, NULL);
		for (size_t k = 0; k < w.np * w.nf; k++)
			p[k] = power(&w, k);
		*P = p, *nk = w.np, *nf = w.nf;
	}
	work_free(&w);
	return p ? DK_OK : dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
}
