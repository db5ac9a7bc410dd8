/*
 * wave_phase.c -- the phase method of dk-wave: each unit's analytic
 * signal along time (FFTW), band-passed around the ring's peak and
 * optionally made a generalized phase; the instantaneous frequency and
 * phase gradient of every cell of two neighbouring units and one step;
 * and their weighted medians, spreads and directionality (see wave.h for
 * the definitions).
 *
 * The two FFTW plans (real to half complex forward, complex backward,
 * each over the n units of a ring at once) are made once with
 * FFTW_ESTIMATE, which measures nothing, and serve every (sequence,
 * ring): the same input gives the same bits run after run.
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
#include "base/complex_make.h"
#include "base/status.h"
#include "models/vmath.h"

typedef dk_wave_sample sample;

typedef dk_wave_phase_work work;

void dk_wave_analytic_free(dk_wave_analytic *an)
{
	if (an->fwd)
		fftw_destroy_plan(an->fwd);
	if (an->bwd)
		fftw_destroy_plan(an->bwd);
	free(an->z); /* and a, in its block */
	free(an->bad);
	free(an->gain);
	free(an->bin_mean);
	free(an->bin_power);
	*an = (dk_wave_analytic){0};
}

int dk_wave_analytic_alloc(dk_wave_analytic *an, size_t T, size_t n,
                           size_t spare)
{
	*an = (dk_wave_analytic){.T = T, .n = n, .nf = T / 2 + 1};
	size_t zn = n * T > (spare + 1) / 2 ? n * T : (spare + 1) / 2;
	/* one block, z then a: one rounding to huge pages, not two */
	size_t zb = (zn * sizeof *an->z + 63) & ~(size_t)63;
	an->z = dk_wave_huge_alloc(zb + n * T * sizeof *an->a);
	an->a = an->z ? (double *)(void *)((char *)an->z + zb) : NULL;
	an->bad = malloc(T);
	an->gain = malloc(an->nf * sizeof *an->gain);
	an->bin_mean = malloc(an->nf * sizeof *an->bin_mean);
	an->bin_power = malloc(2 * an->nf * sizeof *an->bin_power);
	if (!an->a || !an->z || !an->bad || !an->gain ||
	    !an->bin_mean || !an->bin_power)
		return DK_ENOMEM;
	/* each unit's half spectrum at the front of its row of z, where its
	   analytic signal is then made in place: no buffer of its own */
	int len = (int)T;
	an->fwd = fftw_plan_many_dft_r2c(1, &len, (int)n, an->a, NULL, 1, (int)T,
	                                 an->z, NULL, 1, (int)T,
	                                 FFTW_ESTIMATE);
	an->bwd = fftw_plan_many_dft(1, &len, (int)n, an->z, NULL, 1, (int)T,
	                             an->z, NULL, 1, (int)T, FFTW_BACKWARD,
	                             FFTW_ESTIMATE);
	return an->fwd && an->bwd ? DK_OK : DK_ENOMEM;
}

void dk_wave_phase_work_free(dk_wave_phase_work *w)
{
	dk_wave_analytic_free(&w->an);
	free(w->omega);
	free(w->kappa);
	free(w->weight);
	free(w->row);
}

int dk_wave_phase_work_alloc(dk_wave_phase_work *w, size_t T, size_t n,
                             int periodic)
{
	*w = (work){.T = T, .n = n, .nf = T / 2 + 1, .periodic = periodic,
	            .pairs = periodic ? n : n - 1};
	size_t cells = (T - 1) * w->pairs;
	w->omega = malloc(cells * sizeof *w->omega);
	w->kappa = malloc(cells * sizeof *w->kappa);
	w->weight = malloc(cells * sizeof *w->weight);
	w->row = malloc(4 * (T - 1) * sizeof *w->row);
	if (!w->omega || !w->kappa || !w->weight || !w->row)
		return DK_ENOMEM;
	dk_wave_huge_pages(w->omega, cells * sizeof *w->omega);
	dk_wave_huge_pages(w->kappa, cells * sizeof *w->kappa);
	dk_wave_huge_pages(w->weight, cells * sizeof *w->weight);
	int st = dk_wave_analytic_alloc(&w->an, T, n, 0);
	w->amp = w->an.a;
	w->s = (sample *)w->an.z; /* 16 n T bytes, at least 16 (T - 1) pairs */
	return st;
}

/* The frequency of the ring's largest power, 0 < f < 1/2, in cycles per
   step: the units' power summed after the ring's mean over its units is
   taken from each (what all units do in step, such as a slow swell of
   the whole ring, is no wave, and would otherwise often be the largest);
   the plain power's when the units all do the same (synchrony); 0 when
   the ring has no power at all. */
static double peak_frequency(const dk_wave_analytic *w)
{
	/* the sums bin by bin, each over the units in order, but taken a
	   unit's half spectrum at a time, along memory */
	size_t L = (w->T + 1) / 2; /* the bins 1 <= l < T / 2 */
	double complex *mean = w->bin_mean;
	double *p = w->bin_power, *p_all = p + w->nf;
	for (size_t l = 1; l < L; l++)
		mean[l] = 0, p[l] = p_all[l] = 0;
	for (size_t i = 0; i < w->n; i++)
		for (size_t l = 1; l < L; l++)
			mean[l] += w->z[i * w->T + l];
	for (size_t l = 1; l < L; l++)
		mean[l] /= (double)w->n;
	for (size_t i = 0; i < w->n; i++)
		for (size_t l = 1; l < L; l++) {
			double complex X = w->z[i * w->T + l], D = X - mean[l];
			p[l] += creal(D) * creal(D) + cimag(D) * cimag(D);
			p_all[l] += creal(X) * creal(X) + cimag(X) * cimag(X);
		}
	double best = 0, best_all = 0;
	size_t bl = 0, bl_all = 0;
	for (size_t l = 1; l < L; l++) {
		if (p[l] > best)
			best = p[l], bl = l;
		if (p_all[l] > best_all)
			best_all = p_all[l], bl_all = l;
	}
	return (double)(bl ? bl : bl_all) / (double)w->T;
}

/* The analytic signal's gain at bin l: 0 for the negative frequencies,
   and for the others 2 (1 for f = 0 and 1/2, their own mirror) times
   the band's taper, cos^2(pi/2 |ln(f / fp)| / ln band) within a factor
   band of fp, 0 beyond.  The taper is smooth: a band cut square would
   ring, and the phase of a wave whose frequency falls between the bins
   (its power spread over all of them) would wobble from step to step
   by several percent. */
static double gain(size_t l, size_t T, double fp, double band)
{
	if (2 * l > T)
		return 0;
	double g = l == 0 || 2 * l == T ? 1 : 2;
	if (band > 0) {
		double r = l ? fabs(log((double)l / (double)T / fp)) / log(band) : 1;
		double c = cos(M_PI / 2 * r);
		g = r < 1 ? g * c * c : 0;
	}
	return g;
}

/* Each unit's analytic signal into w->z, from its half spectrum at the
   front of its row (each bin read before it is written). */
static void analytic(dk_wave_analytic *w, double fp, double band)
{
	size_t T = w->T;
	for (size_t l = 0; l < w->nf; l++)
		w->gain[l] = gain(l, T, fp, band) / (double)T;
	for (size_t i = 0; i < w->n; i++)
		for (size_t l = 0; l < T; l++)
			w->z[i * T + l] = 2 * l <= T ? w->z[i * w->T + l] * w->gain[l] : 0;
	fftw_execute(w->bwd);
}

/* The rotation from z0 to z1, in (-pi, pi]. */
static double turn(double complex z1, double complex z0)
{
	return carg(z1 * conj(z0));
}

/* z at phase p, its modulus kept. */
static double complex at_phase(double complex z, double p)
{
	double m = cabs(z);
	return dk_complex_make(m * cos(p), m * sin(p));
}

/* The advance over len >= 2 steps congruent to d (mod 2 pi), at least 0,
   below pi len (half a cycle a step), nearest 2 pi fp len. */
static double advance(double d, size_t len, double fp)
{
	double a0 = d < 0 ? d + 2 * M_PI : d, L = (double)len;
	double m = fmax(0, round((2 * M_PI * fp * L - a0) / (2 * M_PI)));
	while (m > 0 && a0 + 2 * M_PI * m >= M_PI * L)
		m--;
	return a0 + 2 * M_PI * m;
}

/* The generalized phase of one unit's analytic signal z (T steps): the
   samples of its negative-frequency runs and after (wave.h) re-phased
   by linear interpolation between the good samples around them, or at
   fp per step from the one good sample beside a run at an end. */
static void generalize(double complex *z, size_t T, unsigned char *bad,
                       double fp)
{
	memset(bad, 0, T);
	for (size_t t = 0; t + 1 < T;) {
		if (!dk_wave_backward(z[t + 1], z[t])) {
			t++;
			continue;
		}
		size_t s = t;
		while (t + 1 < T && dk_wave_backward(z[t + 1], z[t]))
			t++;
		size_t e = t - 1, end = s + 3 * (e - s); /* the last negative step */
		for (size_t u = s; u <= end && u < T; u++)
			bad[u] = 1;
	}
	for (size_t u0 = 0; u0 < T;) {
		if (!bad[u0]) {
			u0++;
			continue;
		}
		size_t u1 = u0;
		while (u1 + 1 < T && bad[u1 + 1])
			u1++;
		int left = u0 > 0, right = u1 + 1 < T;
		if (left && right) {
			size_t L = u0 - 1, R = u1 + 1;
			double p = carg(z[L]);
			double a = advance(turn(z[R], z[L]), R - L, fp);
			for (size_t u = u0; u <= u1; u++)
				z[u] = at_phase(z[u], p + a * (double)(u - L) / (double)(R - L));
		} else if (left) {
			double p = carg(z[u0 - 1]);
			for (size_t u = u0; u <= u1; u++)
				z[u] = at_phase(z[u], p + 2 * M_PI * fp * (double)(u - u0 + 1));
		} else if (right) {
			double p = carg(z[u1 + 1]);
			for (size_t u = u0; u <= u1; u++)
				z[u] = at_phase(z[u], p - 2 * M_PI * fp * (double)(u1 + 1 - u));
		}
		u0 = u1 + 1;
	}
}

/* The frequency, phase gradient and weight (wave.h) of every cell of
   the steps t0 <= t < t1 (the others are not read, and are left as they
   were), and over them the weighted sum of the cells' directions and
   their weight, for the directionality: a cell points forward when its
   frequency and the sine of its phase gradient have opposite signs.  A
   gradient whose sine is within 1e-9 of 0 (a standing wave's, 0 or 1/2
   cycle exactly in theory) points nowhere: its sign is the rounding's.
   Each unit's amplitude is taken once, not once for each of its four
   cells, and a pair's angles over the steps in one call over arrays
   (dk_vatan2), which takes 4 or 8 at a time; pair by pair, each unit's
   signal is read along its row. */
void dk_wave_phase_cells(dk_wave_phase_work *w, size_t t0, size_t t1,
                         double *dir, double *wsum)
{
	size_t T = w->T, P = w->pairs, S = T - 1;
	double *ty = w->row, *tx = ty + S, *sy = tx + S, *sx = sy + S;
	for (size_t i = 0; i < w->n; i++)
		for (size_t t = t0; t <= t1; t++)
			w->amp[i * T + t] = dk_wave_modulus(w->an.z[i * T + t]);
	double sum = 0, W = 0;
	for (size_t p = 0; p < P; p++) {
		size_t i = p * T, j = (p + 1) % w->n * T;
		const double complex *zi = w->an.z + i, *zj = w->an.z + j;
		const double *ai = w->amp + i, *aj = w->amp + j;
		double *om = w->omega + p * S, *ka = w->kappa + p * S;
		double *wt = w->weight + p * S;
		for (size_t t = t0; t < t1; t++) {
			double complex tp = zi[t + 1] * conj(zi[t]) + zj[t + 1] * conj(zj[t]);
			double complex sp = zj[t] * conj(zi[t]) + zj[t + 1] * conj(zi[t + 1]);
			ty[t] = cimag(tp), tx[t] = creal(tp);
			sy[t] = cimag(sp), sx[t] = creal(sp);
			wt[t] = (ai[t] + ai[t + 1] + aj[t] + aj[t + 1]) / 4;
		}
		dk_vatan2(ty + t0, tx + t0, om + t0, t1 - t0);
		dk_vatan2(sy + t0, sx + t0, ka + t0, t1 - t0);
		for (size_t t = t0; t < t1; t++) {
			om[t] /= 2 * M_PI;
			ka[t] /= 2 * M_PI;
		}
		for (size_t t = t0; t < t1; t++) {
			/* sin(2 pi kappa) = y / |sp|, above 1e-9 in size when
			   |y| > 1e-9 |sp|, that is when |x| < 1e9 |y| */
			double x = sx[t], y = sy[t];
			if (fabs(y) * 1e9 > fabs(x)) {
				int so = (om[t] > 0) - (om[t] < 0), sg = (y > 0) - (y < 0);
				sum -= wt[t] * (double)(so * sg);
			}
			W += wt[t];
		}
	}
	*dir = sum, *wsum = W;
}

typedef enum { SPEED, WAVELENGTH, FREQUENCY } quantity;

/* A cell's speed, wavelength or frequency. */
static double value(const work *w, size_t q, quantity what)
{
	switch (what) {
	case SPEED: return -w->omega[q] / w->kappa[q];
	case WAVELENGTH: return 1 / fabs(w->kappa[q]);
	default: return w->omega[q];
	}
}

/* The median and interquartile range of a quantity over the cells of
   the steps t0 <= t < t1. */
static void summary(work *w, size_t t0, size_t t1, quantity what,
                    double *median, double *spread)
{
	static const double q[3] = {0.25, 0.5, 0.75};
	double out[3];
	size_t S = w->T - 1, k = 0;
	for (size_t p = 0; p < w->pairs; p++)
		for (size_t t = t0; t < t1; t++)
			w->s[k++] = (sample){value(w, p * S + t, what), w->weight[p * S + t]};
	dk_wave_quantiles(w->s, k, q, 3, out);
	*median = out[1];
	if (spread)
		*spread = out[2] - out[0];
}

typedef struct {
	double speed, wavelength, frequency, directionality;
	double speed_spread, wavelength_spread, frequency_spread, negative;
} ring_result;

/* One ring, its centred raster in w->a; series (T - 1 values, stride
   apart) or NULL. */
static ring_result analyse(work *w, const dk_wave_options *o, double *series,
                           size_t stride)
{
	ring_result r = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
	size_t T = w->T;
	if (series)
		for (size_t t = 0; t + 1 < T; t++)
			series[t * stride] = NAN;
	double fp = dk_wave_analytic_run(&w->an, o);
	if (!(fp > 0))
		return r; /* no power: a constant raster */
	/* the steps m <= t < T - 1 - m, clear of the ends */
	size_t m = dk_wave_margin(fp, T), t0 = m, t1 = T - 1 - m;
	double sum, W;
	dk_wave_phase_cells(w, t0, t1, &sum, &W);
	size_t negative = 0;
	for (size_t i = 0; i < w->n; i++)
		negative += dk_wave_backward_count(w->an.z + i * T, t0, t1);
	r.negative = (double)negative / (double)(w->n * (t1 - t0));
	r.directionality = W > 0 ? sum / W : NAN;
	summary(w, t0, t1, SPEED, &r.speed, &r.speed_spread);
	summary(w, t0, t1, WAVELENGTH, &r.wavelength, &r.wavelength_spread);
	summary(w, t0, t1, FREQUENCY, &r.frequency, &r.frequency_spread);
	if (!(fabs(r.directionality) >= o->standing))
		r.speed = NAN; /* standing: no one speed */
	else if (series)
		for (size_t t = t0; t < t1; t++)
			summary(w, t, t + 1, SPEED, series + t * stride, NULL);
	return r;
}

double dk_wave_analytic_run(dk_wave_analytic *an, const dk_wave_options *o)
{
	fftw_execute(an->fwd);
	double fp = peak_frequency(an);
	if (!(fp > 0))
		return 0;
	analytic(an, fp, o->band);
	if (o->generalized)
		for (size_t i = 0; i < an->n; i++)
			generalize(an->z + i * an->T, an->T, an->bad, fp);
	return fp;
}

size_t dk_wave_margin(double fp, size_t T)
{
	size_t m = (size_t)ceil(1 / fp);
	return m > (T - 1) / 4 ? (T - 1) / 4 : m;
}

int dk_wave_phase_run(const dk_wave_states *s, const dk_wave_options *o,
                      dk_wave_result *r, char *err, size_t errlen)
{
	size_t T = s->T, B = s->B, C = s->C, n = s->n;
	if (n >= (size_t)INT_MAX || T >= (size_t)INT_MAX ||
	    T > SIZE_MAX / sizeof(fftw_complex) / n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "rings of %zu units over %zu steps are too many "
		                 "for one transform", n, T);
	int st = DK_OK;
	double **arrays[9] = {&r->speed, &r->wavelength, &r->frequency,
	                      &r->directionality, &r->speed_spread,
	                      &r->wavelength_spread, &r->frequency_spread,
	                      &r->negative_frequency, &r->speed_series};
	for (int k = 0; k < 9; k++) {
		size_t len = k < 8 ? B * C : (o->series ? (T - 1) * B * C : 0);
		if (len && !(*arrays[k] = malloc(len * sizeof **arrays[k])))
			st = DK_ENOMEM;
	}
	work w = {0};
	if (!st)
		st = dk_wave_phase_work_alloc(&w, T, n, r->periodic);
	for (size_t b = 0; b < B && !st; b++)
		for (size_t c = 0; c < C; c++) {
			dk_wave_raster(s, b, c, w.an.a);
			size_t q = b * C + c;
			ring_result rr = analyse(&w, o, r->speed_series ?
			                         r->speed_series + q : NULL, B * C);
			r->speed[q] = rr.speed;
			r->wavelength[q] = rr.wavelength;
			r->frequency[q] = rr.frequency;
			r->directionality[q] = rr.directionality;
			r->speed_spread[q] = rr.speed_spread;
			r->wavelength_spread[q] = rr.wavelength_spread;
			r->frequency_spread[q] = rr.frequency_spread;
			r->negative_frequency[q] = rr.negative;
		}
	dk_wave_phase_work_free(&w);
	if (st) {
		dk_wave_result_clear(r);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	return DK_OK;
}
