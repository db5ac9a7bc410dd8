/*
 * wave_sheet.c -- the spectral method of dk-wave on sheets: the power
 * spectrum over (row wavenumber, column wavenumber, frequency) of each
 * sheet's movie (FFTW, one 3-D plan for every sheet), its peak refined
 * off the grid one coordinate at a time, the power ahead of and behind
 * the dominant direction, and the power on the speed-V cone against a
 * time-shuffled surrogate (see wave.h for the definitions).  The
 * pattern is the phase method's (wave_sheet_phase.c), run on the same
 * sheet.  The power spectrum itself, of one sheet, for dk-wave
 * --spectrum (dk_wave_sheet_spectrum).
 */
#include <config.h>

#include <complex.h>
#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/rng.h"
#include "base/status.h"

/* Scratch for one shape: Hp x Wp x Tp input, its half spectrum and its
   power, all in one buffer. */
typedef struct {
	size_t T, H, W, Tp, Hp, Wp, nf;  /* nf = Tp / 2 + 1 */
	int periodic;
	double *in;               /* Hp x Wp rows of 2 nf >= Tp: owned
	                             unless lent (work_alloc) */
	fftw_complex *out;        /* in itself: Hp x Wp x nf, in place */
	double *P;                /* in itself: Hp x Wp x nf, the power */
	double *a;                /* H W x T, the centred movie: owned
	                             unless lent (work_alloc) */
	int lent;                 /* a and in are another's */
	double *wt, *wy, *wx;     /* owned: windows, T, H and W */
	double complex *S;        /* owned: H W, the movie at one frequency */
	double complex *c, *e;    /* owned: max(T, H, W) each */
	size_t *perm;             /* owned: T */
	fftw_plan plan;
} work;

static void work_free(work *w)
{
	if (w->plan)
		fftw_destroy_plan(w->plan);
	if (!w->lent) {
		fftw_free(w->in);
		free(w->a);
	}
	free(w->wt);
	free(w->wy);
	free(w->wx);
	free(w->S);
	free(w->c);
	free(w->e);
	free(w->perm);
}

static size_t max3(size_t a, size_t b, size_t c)
{
	return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

/* The padded shape of a work for T steps of H x W sheets. */
static void shape(work *w, size_t T, size_t H, size_t W, int periodic,
                  const dk_wave_options *o)
{
	*w = (work){.T = T, .H = H, .W = W, .periodic = periodic};
	w->Tp = o->pad * T + (o->pad * T) % 2;
	w->Hp = periodic ? H : o->pad * H;
	w->Wp = periodic ? W : o->pad * W;
	w->nf = w->Tp / 2 + 1;
}

/* The reals of a work's transform (its in). */
static size_t transform_reals(size_t T, size_t H, size_t W, int periodic,
                              const dk_wave_options *o)
{
	work w;
	shape(&w, T, H, W, periodic, o);
	return 2 * w.Hp * w.Wp * w.nf;
}

/* movie, H W x T values, is lent to hold the centred movie and in,
   transform_reals of them, the transform (NULL both: the work allocates
   its own). */
static int work_alloc(work *w, size_t T, size_t H, size_t W, int periodic,
                      const dk_wave_options *o, double *movie, double *in)
{
	shape(w, T, H, W, periodic, o);
	w->a = movie, w->in = in, w->lent = movie != NULL;
	size_t m = max3(T, H, W), bins = w->Hp * w->Wp * w->nf;
	/* in place: each row of Tp steps padded to the 2 nf reals of its
	   half spectrum, as FFTW lays in-place real transforms out; the
	   power, nf reals a row, then overwrites the spectrum from the
	   front, behind the values it reads */
	if (!w->lent)
		w->in = fftw_alloc_real(2 * bins);
	w->out = (fftw_complex *)w->in;
	w->P = w->in;
	if (!w->lent)
		w->a = malloc(H * W * T * sizeof *w->a);
	w->wt = malloc(T * sizeof *w->wt);
	w->wy = malloc(H * sizeof *w->wy);
	w->wx = malloc(W * sizeof *w->wx);
	w->S = malloc(H * W * sizeof *w->S);
	w->c = malloc(m * sizeof *w->c);
	w->e = malloc(m * sizeof *w->e);
	w->perm = malloc(T * sizeof *w->perm);
	if (!w->in || !w->out || !w->P || !w->a || !w->wt || !w->wy || !w->wx ||
	    !w->S || !w->c || !w->e || !w->perm)
		return DK_ENOMEM;
	if (!w->lent)
		dk_wave_huge_pages(w->in, 2 * bins * sizeof *w->in);
	w->plan = fftw_plan_dft_r2c_3d((int)w->Hp, (int)w->Wp, (int)w->Tp, w->in,
	                               w->out, FFTW_ESTIMATE);
	if (!w->plan)
		return DK_ENOMEM;
	dk_wave_window_fill(o->window, w->wt, T);
	dk_wave_window space = periodic ? DK_WAVE_NO_WINDOW : o->window;
	dk_wave_window_fill(space, w->wy, H);
	dk_wave_window_fill(space, w->wx, W);
	return DK_OK;
}

/* The power spectrum of the movie, its steps in the order perm (NULL:
   as they are), windowed and padded, into w->P. */
static void spectrum(work *w, const size_t *perm)
{
	size_t T = w->T, row = 2 * w->nf;
	memset(w->in, 0, w->Hp * w->Wp * row * sizeof *w->in);
	for (size_t i = 0; i < w->H; i++)
		for (size_t j = 0; j < w->W; j++) {
			double *in = w->in + (i * w->Wp + j) * row, g = w->wy[i] * w->wx[j];
			const double *a = w->a + (i * w->W + j) * T;
			for (size_t t = 0; t < T; t++)
				in[t] = g * w->wt[t] * a[perm ? perm[t] : t];
		}
	fftw_execute(w->plan);
	for (size_t k = 0; k < w->Hp * w->Wp * w->nf; k++) {
		/* P[k] lies in out[k / 2], already read */
		double re = creal(w->out[k]), im = cimag(w->out[k]);
		w->P[k] = re * re + im * im;
	}
}

/* Bin j of np is the Nyquist wavenumber, which has no direction. */
static int nyquist(size_t j, size_t np)
{
	return np % 2 == 0 && 2 * j == np;
}

/* f refined at (ky, kx): the windowed movie projected on the plane wave
   along space, then searched along time, a constant fitted beside the
   wave (wave.c). */
static double refine_f(work *w, double ky, double kx, double f0)
{
	size_t T = w->T;
	for (size_t t = 0; t < T; t++)
		w->c[t] = 0;
	for (size_t i = 0; i < w->H; i++)
		for (size_t j = 0; j < w->W; j++) {
			double complex e = w->wy[i] * w->wx[j] *
			        cexp(-2 * M_PI * I * (ky * (double)i + kx * (double)j));
			const double *a = w->a + (i * w->W + j) * T;
			for (size_t t = 0; t < T; t++)
				w->c[t] += e * a[t];
		}
	for (size_t t = 0; t < T; t++)
		w->c[t] *= w->wt[t];
	double h = 1.0 / (double)w->Tp;
	return dk_wave_golden_max_centred(w->c, w->wt, T, f0 - h, f0 + h);
}

/* w->S: each unit's windowed series at frequency f. */
static void at_frequency(work *w, double f)
{
	size_t T = w->T;
	for (size_t t = 0; t < T; t++)
		w->e[t] = w->wt[t] * cexp(-2 * M_PI * I * f * (double)t);
	for (size_t u = 0; u < w->H * w->W; u++) {
		double complex s = 0;
		const double *a = w->a + u * T;
		for (size_t t = 0; t < T; t++)
			s += w->e[t] * a[t];
		w->S[u] = s;
	}
}

/* kx refined at (ky, f) from w->S. */
static double refine_kx(work *w, double ky, double kx0)
{
	for (size_t j = 0; j < w->W; j++) {
		double complex s = 0;
		for (size_t i = 0; i < w->H; i++)
			s += w->wy[i] * cexp(-2 * M_PI * I * ky * (double)i) *
			     w->S[i * w->W + j];
		w->c[j] = w->wx[j] * s;
	}
	double h = 1.0 / (double)w->Wp;
	return dk_wave_golden_max(w->c, w->W, kx0 - h, kx0 + h);
}

/* ky refined at (kx, f) from w->S. */
static double refine_ky(work *w, double kx, double ky0)
{
	for (size_t i = 0; i < w->H; i++) {
		double complex s = 0;
		for (size_t j = 0; j < w->W; j++)
			s += w->wx[j] * cexp(-2 * M_PI * I * kx * (double)j) *
			     w->S[i * w->W + j];
		w->c[i] = w->wy[i] * s;
	}
	double h = 1.0 / (double)w->Hp;
	return dk_wave_golden_max(w->c, w->H, ky0 - h, ky0 + h);
}

/* The fraction of the power Pw (0 < f < 1/2) on the cone f = V |k|. */
static double cone_fraction(const work *w, const double *Pw, double V,
                            double half)
{
	double on = 0, all = 0;
	for (size_t jy = 0; jy < w->Hp; jy++)
		for (size_t jx = 0; jx < w->Wp; jx++) {
			double ky = dk_wave_wavenumber(jy, w->Hp), kx = dk_wave_wavenumber(jx, w->Wp);
			double k = sqrt(kx * kx + ky * ky);
			const double *P = Pw + (jy * w->Wp + jx) * w->nf;
			for (size_t l = 1; l + 1 < w->nf; l++) {
				double f = (double)l / (double)w->Tp;
				all += P[l];
				if (k > 0 && fabs(f - V * k) <= half)
					on += P[l];
			}
		}
	return all > 0 ? on / all : NAN;
}

typedef struct {
	double speed, wavelength, frequency, direction, traveling, diagonal;
} sheet_result;

/* The largest power of Pw at 0 < f < 1/2, neither wavenumber at its
   Nyquist, and its bin; 0 when there is no power. */
static double peak(const work *w, const double *Pw, size_t *by, size_t *bx,
                   size_t *bl)
{
	double best = -1;
	*by = 0, *bx = 0, *bl = 1;
	for (size_t jy = 0; jy < w->Hp; jy++)
		for (size_t jx = 0; jx < w->Wp; jx++) {
			if (nyquist(jy, w->Hp) || nyquist(jx, w->Wp))
				continue;
			const double *P = Pw + (jy * w->Wp + jx) * w->nf;
			for (size_t l = 1; l + 1 < w->nf; l++)
				if (P[l] > best)
					best = P[l], *by = jy, *bx = jx, *bl = l;
		}
	return best > 0 ? best : 0;
}

/* The results from the refined peak (ky, kx, f) of the power Pw, and
   the cone's fractions D of Pw and Ds of the surrogate's (half: the
   cone's half width). */
static sheet_result from_peak(const work *w, const double *Pw, double ky,
                              double kx, double f, const dk_wave_options *o,
                              double D, double Ds)
{
	sheet_result r = {NAN, NAN, NAN, NAN, NAN, NAN};
	/* cos(2 pi (k . x - f t)) puts its power at (-k, f), f > 0: the
	   wave travels along -k of the peak */
	double k = sqrt(kx * kx + ky * ky);
	if (k * (double)max3(w->Hp, w->Wp, 1) < 1e-6)
		k = 0; /* a peak at k = 0 refined only by rounding: synchrony */
	r.frequency = f;
	r.wavelength = k > 0 ? 1 / k : INFINITY;
	if (k > 0) {
		double ux = -kx / k, uy = -ky / k, ahead = 0, behind = 0;
		for (size_t jy = 0; jy < w->Hp; jy++)
			for (size_t jx = 0; jx < w->Wp; jx++) {
				if (nyquist(jy, w->Hp) || nyquist(jx, w->Wp))
					continue;
				double d = -(dk_wave_wavenumber(jx, w->Wp) * ux + dk_wave_wavenumber(jy, w->Hp) * uy);
				const double *P = Pw + (jy * w->Wp + jx) * w->nf;
				for (size_t l = 1; l + 1 < w->nf; l++) {
					if (d > 0)
						ahead += P[l];
					else if (d < 0)
						behind += P[l];
				}
			}
		r.traveling = ahead + behind > 0 ? (ahead - behind) / (ahead + behind)
		                                 : NAN;
		if (r.traveling >= o->standing) {
			r.speed = f / k;
			double deg = atan2(uy, ux) * 180 / M_PI;
			r.direction = deg < 0 ? deg + 360 : deg;
			if (r.direction >= 360)
				r.direction = 0;
		}
	}
	r.diagonal = Ds > 0 ? D / Ds : NAN;
	return r;
}

/* The cone's half width in frequency for windows of L steps. */
static double cone_half(const work *w, const dk_wave_options *o, size_t L)
{
	double lobe = o->window == DK_WAVE_HANN ? 2 : 1;
	double side = (double)(w->H < w->W ? w->H : w->W);
	return lobe / (double)L + (w->periodic ? 0 : o->speed * lobe / side);
}

/* One sheet, its centred movie in w->a. */
static sheet_result analyse(work *w, const dk_wave_options *o, dk_rng *rng)
{
	sheet_result r = {NAN, NAN, NAN, NAN, NAN, NAN};
	spectrum(w, NULL);
	size_t by, bx, bl;
	if (!(peak(w, w->P, &by, &bx, &bl) > 0))
		return r; /* no power: a constant movie */
	double ky = dk_wave_wavenumber(by, w->Hp), kx = dk_wave_wavenumber(bx, w->Wp);
	double f = refine_f(w, ky, kx, (double)bl / (double)w->Tp);
	for (int round = 0; !w->periodic && round < 3; round++) {
		at_frequency(w, f);
		kx = refine_kx(w, ky, kx);
		ky = refine_ky(w, kx, ky);
		f = refine_f(w, ky, kx, f);
	}
	/* the cone's fractions of the spectrum, then of the surrogate's,
	   which overwrites it: the direction's powers taken first */
	double half = cone_half(w, o, w->T);
	double D = cone_fraction(w, w->P, o->speed, half);
	sheet_result fwd = from_peak(w, w->P, ky, kx, f, o, D, 1);
	dk_rng_permutation(rng, w->perm, w->T);
	spectrum(w, w->perm);
	double Ds = cone_fraction(w, w->P, o->speed, half);
	fwd.diagonal = Ds > 0 ? D / Ds : NAN;
	return fwd;
}

/* Welch's method on sheets: one work for windows of L steps, and the
   powers summed over the windows of each of slots sheets, and the
   surrogate's, with each sheet's generator of shuffles. */
struct dk_wave_sheet_welch {
	work w;
	dk_wave_slots s;        /* per slot: power sums and shuffles */
	dk_wave_options o;
};

void dk_wave_sheet_welch_free(dk_wave_sheet_welch *wl)
{
	if (!wl)
		return;
	work_free(&wl->w);
	dk_wave_slots_free(&wl->s);
	free(wl);
}

int dk_wave_sheet_welch_alloc(dk_wave_sheet_welch **out, size_t H, size_t W,
                              int periodic, size_t slots,
                              const dk_wave_options *o)
{
	dk_wave_sheet_welch *wl = calloc(1, sizeof *wl);
	*out = NULL;
	if (!wl)
		return DK_ENOMEM;
	wl->o = *o;
	int st = work_alloc(&wl->w, o->window_steps, H, W, periodic, o, NULL, NULL);
	if (!st)
		st = dk_wave_slots_alloc(&wl->s, slots, wl->w.Hp * wl->w.Wp * wl->w.nf);
	if (st) {
		dk_wave_sheet_welch_free(wl);
		return st;
	}
	*out = wl;
	return DK_OK;
}

int dk_wave_sheet_welch_start(dk_wave_sheet_welch *wl, size_t slot, size_t q)
{
	return dk_wave_slots_start(&wl->s, slot, wl->o.seed, q);
}

void dk_wave_sheet_welch_add(dk_wave_sheet_welch *wl, size_t slot,
                             const double *rows, size_t B, size_t C, size_t b,
                             size_t c)
{
	work *w = &wl->w;
	size_t L = w->T, HW = w->H * w->W, N = C * HW;
	double *P = wl->s.P + slot * wl->s.bins, *Ps = wl->s.Ps + slot * wl->s.bins;
	for (size_t u = 0; u < HW; u++) {
		double *a = w->a + u * L, mean = 0;
		for (size_t t = 0; t < L; t++)
			mean += a[t] = rows[(t * B + b) * N + c * HW + u];
		mean /= (double)L;
		for (size_t t = 0; t < L; t++)
			a[t] -= mean;
	}
	spectrum(w, NULL);
	for (size_t k = 0; k < wl->s.bins; k++)
		P[k] += w->P[k];
	dk_rng_permutation(wl->s.rng[slot], w->perm, L);
	spectrum(w, w->perm);
	for (size_t k = 0; k < wl->s.bins; k++)
		Ps[k] += w->P[k];
}

void dk_wave_sheet_welch_result(const dk_wave_sheet_welch *wl, size_t slot,
                                dk_wave_result *r, size_t q)
{
	const work *w = &wl->w;
	const double *P = wl->s.P + slot * wl->s.bins, *Ps = wl->s.Ps + slot * wl->s.bins;
	sheet_result sr = {NAN, NAN, NAN, NAN, NAN, NAN};
	size_t by, bx, bl, nf = w->nf, Wp = w->Wp;
	if (peak(w, P, &by, &bx, &bl) > 0) {
		/* the peak refined by the parabolas through its bin's log power
		   and its neighbours' along each axis, the wavenumbers' wrapping */
		size_t ym = (by + w->Hp - 1) % w->Hp, yp = (by + 1) % w->Hp;
		size_t xm = (bx + Wp - 1) % Wp, xp = (bx + 1) % Wp;
		const double *p0 = P + (by * Wp + bx) * nf;
		double f = ((double)bl + dk_wave_vertex(p0[bl - 1], p0[bl], p0[bl + 1])) /
		           (double)w->Tp;
		double kx = dk_wave_wavenumber(bx, Wp) + dk_wave_vertex(P[(by * Wp + xm) * nf + bl], p0[bl],
		                                   P[(by * Wp + xp) * nf + bl]) / (double)Wp;
		double ky = dk_wave_wavenumber(by, w->Hp) + dk_wave_vertex(P[(ym * Wp + bx) * nf + bl], p0[bl],
		                                      P[(yp * Wp + bx) * nf + bl]) /
		            (double)w->Hp;
		double half = cone_half(w, &wl->o, w->T);
		sr = from_peak(w, P, ky, kx, f, &wl->o,
		               cone_fraction(w, P, wl->o.speed, half),
		               cone_fraction(w, Ps, wl->o.speed, half));
	}
	r->speed[q] = sr.speed;
	r->wavelength[q] = sr.wavelength;
	r->frequency[q] = sr.frequency;
	r->direction[q] = sr.direction;
	r->traveling[q] = sr.traveling;
	r->diagonal_power[q] = sr.diagonal;
}

int dk_wave_sheet_arrays(dk_wave_result *r)
{
	size_t BC = r->B * r->C;
	int phase = r->options.method == DK_WAVE_PHASE;
	double **arrays[14] = {&r->speed, &r->wavelength, &r->frequency,
	                       &r->direction, &r->pattern, &r->sense,
	                       &r->traveling, &r->diagonal_power,
	                       &r->directionality, &r->speed_spread,
	                       &r->wavelength_spread, &r->frequency_spread,
	                       &r->negative_frequency, &r->centre};
	for (int k = 0; k < 14; k++) {
		if (k == 13)
			*arrays[k] = malloc(2 * BC * sizeof **arrays[k]);
		else if ((k >= 6 && k < 8 && phase) || (k >= 8 && !phase))
			continue; /* the other method's */
		else
			*arrays[k] = malloc(BC * sizeof **arrays[k]);
		if (!*arrays[k])
			return DK_ENOMEM;
	}
	return DK_OK;
}

int dk_wave_sheet_spectral_run(const dk_wave_states *s,
                               const dk_wave_options *o, dk_wave_result *r,
                               char *err, size_t errlen)
{
	size_t B = s->B, C = s->C;
	int st = dk_wave_sheet_arrays(r);
	work w = {0};
	dk_wave_sheet_work *pw = NULL;
	dk_rng *rng = NULL;
	/* the spectrum's movie is the phase method's raster, which
	   analyse leaves as it was, and its transform the phase method's
	   analytic signals, made after it: fewer pages for the kernel to
	   clear on every call */
	if (!st)
		st = dk_wave_sheet_work_alloc(&pw, s->T, s->H, s->W, r->periodic,
		                              transform_reals(s->T, s->H, s->W,
		                                              r->periodic, o));
	if (!st)
		st = work_alloc(&w, s->T, s->H, s->W, r->periodic, o,
		                dk_wave_sheet_raster(pw), dk_wave_sheet_spare(pw));
	if (!st && !(rng = dk_rng_alloc(o->seed)))
		st = DK_ENOMEM;
	for (size_t b = 0; b < B && !st; b++)
		for (size_t c = 0; c < C; c++) {
			size_t q = b * C + c;
			dk_wave_raster(s, b, c, w.a);
			sheet_result sr = analyse(&w, o, rng);
			r->speed[q] = sr.speed;
			r->wavelength[q] = sr.wavelength;
			r->frequency[q] = sr.frequency;
			r->direction[q] = sr.direction;
			r->traveling[q] = sr.traveling;
			r->diagonal_power[q] = sr.diagonal;
			dk_wave_sheet_values v;
			dk_wave_sheet_phase(pw, o, &v);
			r->pattern[q] = v.pattern;
			r->sense[q] = v.sense;
			r->centre[2 * q] = v.centre[0];
			r->centre[2 * q + 1] = v.centre[1];
		}
	dk_rng_free(rng);
	dk_wave_sheet_work_free(pw);
	work_free(&w);
	if (st) {
		dk_wave_result_clear(r);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	return DK_OK;
}

int dk_wave_sheet_spectrum(const dk_wave_states *s, const dk_wave_options *o,
                           size_t b, size_t c, double **P, size_t shape[3],
                           char *err, size_t errlen)
{
	*P = NULL;
	shape[0] = shape[1] = shape[2] = 0;
	if (!s->H)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: the sheet spectrum is of sheets, not rings",
		                 s->name);
	if (o->pad < 1 || o->pad > 64)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "pad must be from 1 to 64, not %zu", o->pad);
	if (o->window != DK_WAVE_HANN && o->window != DK_WAVE_NO_WINDOW)
		return dk_errorf(DK_EINVAL, err, errlen, "window: unknown kind %d",
		                 (int)o->window);
	if (b >= s->B || c >= s->C)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no sequence %zu, sheet "
		                 "%zu in %zu sequences of %zu sheets", s->name, b, c,
		                 s->B, s->C);
	size_t pad = o->pad, T = s->T;
	/* as dk_wave_run: every padded side fits FFTW's int, and the bins'
	   bytes a size_t */
	if (T < DK_WAVE_MIN_STEPS || s->H < DK_WAVE_MIN_SIDE ||
	    s->W < DK_WAVE_MIN_SIDE || pad * T >= (size_t)INT_MAX ||
	    pad * s->H >= (size_t)INT_MAX || pad * s->W >= (size_t)INT_MAX ||
	    pad * s->H > SIZE_MAX / 16 / pad / s->W / (pad * T + 2))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: sheets of %zu x %zu "
		                 "units over %zu steps padded %zu times: too small or "
		                 "too many for one transform", s->name, s->H, s->W, T,
		                 pad);
	work w;
	int st = work_alloc(&w, T, s->H, s->W, s->periodic && !o->open, o, NULL,
	                    NULL);
	size_t bins = w.Hp * w.Wp * w.nf;
	double *p = st ? NULL : malloc(bins * sizeof *p);
	if (p) {
		dk_wave_raster(s, b, c, w.a);
		spectrum(&w, NULL);
		memcpy(p, w.P, bins * sizeof *p);
		*P = p;
		shape[0] = w.Hp, shape[1] = w.Wp, shape[2] = w.nf;
	}
	work_free(&w);
	return p ? DK_OK : dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
}
