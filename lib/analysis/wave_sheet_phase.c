/*
 * wave_sheet_phase.c -- the phase method of dk-wave on sheets: each
 * unit's analytic signal (as on rings, wave_phase.c), the frequency and
 * the phase gradient along rows and columns of every cell of 2 x 2
 * units summed over the analysed steps, the winding of the phase around
 * each cell, and their summaries: weighted medians and spreads, the
 * direction and directionality of the gradient, and the pattern
 * (wave_pattern.c).  See wave.h for the definitions.
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
#include "base/status.h"
#include "models/vmath.h"

struct dk_wave_sheet_work {
	size_t T, H, W, cy, cx;   /* cy x cx cells: H x W periodic, else one less */
	int periodic;
	dk_wave_analytic an;      /* the movie and its analytic signals */
	dk_wave_sheet_sums sums;  /* a whole recording's sums */
	double *weight;           /* owned: per cell, the mean |z| */
	double *gx, *gy, *omega;  /* owned: per cell, cycles per unit / step */
	double *speed, *wavelength;  /* owned: per cell */
	double *coherence;        /* owned: per cell */
	dk_wave_sample *s;        /* owned: per cell */
	double *row;              /* owned: 8 x T, a cell's turns */
};

void dk_wave_sheet_sums_free(dk_wave_sheet_sums *s)
{
	free(s->zt);
	free(s->zx);
	free(s->zy);
	free(s->amp);
	free(s->mag);
	free(s->wind);
	*s = (dk_wave_sheet_sums){0};
}

int dk_wave_sheet_sums_alloc(dk_wave_sheet_sums *s, size_t cells)
{
	*s = (dk_wave_sheet_sums){.cells = cells};
	s->zt = malloc(cells * sizeof *s->zt);
	s->zx = malloc(cells * sizeof *s->zx);
	s->zy = malloc(cells * sizeof *s->zy);
	s->amp = malloc(cells * sizeof *s->amp);
	s->mag = malloc(cells * sizeof *s->mag);
	s->wind = malloc(cells * sizeof *s->wind);
	if (!s->zt || !s->zx || !s->zy || !s->amp || !s->mag || !s->wind) {
		dk_wave_sheet_sums_free(s);
		return DK_ENOMEM;
	}
	dk_wave_sheet_sums_clear(s);
	return DK_OK;
}

void dk_wave_sheet_sums_clear(dk_wave_sheet_sums *s)
{
	for (size_t q = 0; q < s->cells; q++) {
		s->zt[q] = s->zx[q] = s->zy[q] = 0;
		s->amp[q] = s->mag[q] = 0;
		s->wind[q] = 0;
	}
	s->steps = s->negative = s->unit_steps = s->keep = 0;
}

void dk_wave_sheet_work_free(dk_wave_sheet_work *w)
{
	if (!w)
		return;
	dk_wave_analytic_free(&w->an);
	free(w->speed);
	free(w->wavelength);
	free(w->coherence);
	free(w->weight);
	free(w->gx);
	free(w->gy);
	free(w->omega);
	dk_wave_sheet_sums_free(&w->sums);
	free(w->s);
	free(w->row);
	free(w);
}

int dk_wave_sheet_work_alloc(dk_wave_sheet_work **out, size_t T, size_t H,
                             size_t W, int periodic)
{
	dk_wave_sheet_work *w = calloc(1, sizeof *w);
	*out = w;
	if (!w)
		return DK_ENOMEM;
	*w = (dk_wave_sheet_work){.T = T, .H = H, .W = W, .periodic = periodic,
	                          .cy = periodic ? H : H - 1,
	                          .cx = periodic ? W : W - 1};
	size_t n = w->cy * w->cx;
	w->speed = malloc(n * sizeof *w->speed);
	w->wavelength = malloc(n * sizeof *w->wavelength);
	w->coherence = malloc(n * sizeof *w->coherence);
	w->weight = malloc(n * sizeof *w->weight);
	w->gx = malloc(n * sizeof *w->gx);
	w->gy = malloc(n * sizeof *w->gy);
	w->omega = malloc(n * sizeof *w->omega);
	w->s = malloc(n * sizeof *w->s);
	w->row = malloc(8 * T * sizeof *w->row);
	if (!w->row || !w->speed || !w->wavelength || !w->coherence || !w->weight || !w->gx || !w->gy ||
	    !w->omega || !w->s || dk_wave_sheet_sums_alloc(&w->sums, n))
		return DK_ENOMEM;
	return dk_wave_analytic_alloc(&w->an, T, H * W);
}

double *dk_wave_sheet_raster(dk_wave_sheet_work *w)
{
	return w->an.a;
}

/* Every cell's sums over the steps t0 <= t < t1 (and t + 1) added to
   sm: the cell of units (i, j), (i, j + 1), (i + 1, j), (i + 1, j + 1)
   (wrapping on a periodic sheet).  The turns of the phase around a
   cell, four a step, are taken over all its steps in one dk_vatan2 call
   each. */
void dk_wave_sheet_add(dk_wave_sheet_work *w, dk_wave_sheet_sums *sm,
                       size_t t0, size_t t1)
{
	size_t T = w->T, H = w->H, W = w->W, len = t1 - t0;
	const double complex *z = w->an.z;
	double *ty[4], *tx[4];
	for (int e = 0; e < 4; e++)
		ty[e] = w->row + 2 * e * T, tx[e] = ty[e] + T;
	for (size_t i = 0; i < w->cy; i++)
		for (size_t j = 0; j < w->cx; j++) {
			size_t i1 = (i + 1) % H, j1 = (j + 1) % W, q = i * w->cx + j;
			const double complex *a = z + (i * W + j) * T;   /* (i, j) */
			const double complex *b = z + (i * W + j1) * T;  /* (i, j+1) */
			const double complex *c = z + (i1 * W + j) * T;  /* (i+1, j) */
			const double complex *d = z + (i1 * W + j1) * T; /* (i+1, j+1) */
			double complex zt = 0, zx = 0, zy = 0;
			double amp = 0, mag = 0;
			for (size_t t = t0; t < t1; t++) {
				zt += a[t + 1] * conj(a[t]) + b[t + 1] * conj(b[t]) +
				      c[t + 1] * conj(c[t]) + d[t + 1] * conj(d[t]);
				zx += b[t] * conj(a[t]) + d[t] * conj(c[t]);
				zy += c[t] * conj(a[t]) + d[t] * conj(b[t]);
				double ma = dk_wave_modulus(a[t]), mb = dk_wave_modulus(b[t]),
				       mc = dk_wave_modulus(c[t]), md = dk_wave_modulus(d[t]);
				amp += ma + mb + mc + md;
				mag += mb * ma + md * mc + mc * ma + md * mb;
				/* counter-clockwise in (col, row): a, b, d, c */
				double complex r[4] = {b[t] * conj(a[t]), d[t] * conj(b[t]),
				                       c[t] * conj(d[t]), a[t] * conj(c[t])};
				for (int e = 0; e < 4; e++)
					ty[e][t - t0] = cimag(r[e]), tx[e][t - t0] = creal(r[e]);
			}
			for (int e = 0; e < 4; e++)
				dk_vatan2(ty[e], tx[e], ty[e], len);
			int wind = 0;
			for (size_t k = 0; k < len; k++) {
				double loop = ty[0][k] + ty[1][k] + ty[2][k] + ty[3][k];
				wind += (int)lround(loop / (2 * M_PI));
			}
			sm->zt[q] += zt, sm->zx[q] += zx, sm->zy[q] += zy;
			sm->amp[q] += amp, sm->mag[q] += mag;
			sm->wind[q] += wind;
		}
	size_t negative = 0;
	for (size_t u = 0; u < w->H * w->W; u++)
		for (size_t t = t0; t < t1; t++)
			negative += dk_wave_backward(w->an.z[u * T + t + 1], w->an.z[u * T + t]);
	sm->negative += negative;
	sm->unit_steps += w->H * w->W * len;
	sm->steps += len;
}

/* The weighted median and interquartile range of v over the cells. */
static void summary(dk_wave_sheet_work *w, const double *v, double *median,
                    double *spread)
{
	static const double q[3] = {0.25, 0.5, 0.75};
	double out[3];
	size_t n = w->cy * w->cx;
	for (size_t k = 0; k < n; k++)
		w->s[k] = (dk_wave_sample){v[k], w->weight[k]};
	dk_wave_quantiles(w->s, n, q, 3, out);
	*median = out[1];
	*spread = out[2] - out[0];
}

void dk_wave_sheet_finish(dk_wave_sheet_work *w, const dk_wave_sheet_sums *sm,
                          dk_wave_sheet_values *v)
{
	*v = (dk_wave_sheet_values){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
	                            NAN, {NAN, NAN}, NAN};
	size_t n = w->cy * w->cx;
	if (!sm->steps)
		return; /* no power: a constant movie */
	v->negative = (double)sm->negative / (double)sm->unit_steps;
	for (size_t q = 0; q < n; q++) {
		w->weight[q] = sm->amp[q] / (4.0 * (double)sm->steps);
		w->coherence[q] = sm->mag[q] > 0
		                  ? (cabs(sm->zx[q]) + cabs(sm->zy[q])) / sm->mag[q] : 0;
		w->omega[q] = carg(sm->zt[q]) / (2 * M_PI);
		w->gx[q] = carg(sm->zx[q]) / (2 * M_PI);
		w->gy[q] = carg(sm->zy[q]) / (2 * M_PI);
	}
	summary(w, w->omega, &v->frequency, &v->frequency_spread);
	/* the propagation direction is -g at a positive frequency */
	double sign = v->frequency < 0 ? -1 : 1;
	double dx = 0, dy = 0, ux = 0, uy = 0, W = 0, coh = 0;
	for (size_t q = 0; q < n; q++) {
		double g = hypot(w->gx[q], w->gy[q]), wq = w->weight[q];
		W += wq;
		coh += wq * w->coherence[q];
		dx -= sign * wq * w->gx[q];
		dy -= sign * wq * w->gy[q];
		if (g > 0) {
			ux -= sign * wq * w->gx[q] / g;
			uy -= sign * wq * w->gy[q] / g;
		}
		w->speed[q] = fabs(w->omega[q]) / g;
		w->wavelength[q] = 1 / g;
	}
	summary(w, w->speed, &v->speed, &v->speed_spread);
	summary(w, w->wavelength, &v->wavelength, &v->wavelength_spread);
	v->directionality = W > 0 ? hypot(ux, uy) / W : NAN;
	coh = W > 0 ? coh / W : NAN;
	dk_wave_pattern_find(&(dk_wave_field){
		.cy = w->cy, .cx = w->cx, .H = w->H, .W = w->W,
		.steps = sm->steps, .sign = sign, .gx = w->gx, .gy = w->gy,
		.weight = w->weight, .charge = sm->wind,
		.directionality = v->directionality, .gradient = 1 / v->wavelength,
		.coherence = coh},
		&v->pattern, v->centre, &v->sense);
	int p = (int)v->pattern;
	if (p == DK_WAVE_PATTERN_NONE || p == DK_WAVE_PATTERN_SYNCHRONY)
		v->speed = NAN;
	if (p == DK_WAVE_PATTERN_PLANE && hypot(dx, dy) > 0) {
		double deg = atan2(dy, dx) * 180 / M_PI;
		v->direction = deg < 0 ? deg + 360 : deg;
		if (v->direction >= 360)
			v->direction = 0;
	}
}

void dk_wave_sheet_phase(dk_wave_sheet_work *w, const dk_wave_options *o,
                         dk_wave_sheet_values *v)
{
	dk_wave_sheet_sums_clear(&w->sums);
	double fp = dk_wave_analytic_run(&w->an, o);
	if (fp > 0) {
		size_t m = dk_wave_margin(fp, w->T);
		dk_wave_sheet_add(w, &w->sums, m, w->T - 1 - m);
	}
	dk_wave_sheet_finish(w, &w->sums, v);
}

double dk_wave_sheet_analytic(dk_wave_sheet_work *w, const dk_wave_options *o)
{
	return dk_wave_analytic_run(&w->an, o);
}

int dk_wave_sheet_phase_run(const dk_wave_states *s, const dk_wave_options *o,
                            dk_wave_result *r, char *err, size_t errlen)
{
	size_t T = s->T, B = s->B, C = s->C, BC = B * C;
	if (s->n >= (size_t)INT_MAX || T >= (size_t)INT_MAX ||
	    T > SIZE_MAX / sizeof(fftw_complex) / s->n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "sheets of %zu units over %zu steps are too many "
		                 "for one transform", s->n, T);
	int st = DK_OK;
	double **arrays[12] = {&r->speed, &r->wavelength, &r->frequency,
	                       &r->direction, &r->directionality,
	                       &r->speed_spread, &r->wavelength_spread,
	                       &r->frequency_spread, &r->negative_frequency,
	                       &r->pattern, &r->sense, &r->centre};
	for (int k = 0; k < 12; k++)
		if (!(*arrays[k] = malloc((k < 11 ? BC : 2 * BC) * sizeof **arrays[k])))
			st = DK_ENOMEM;
	dk_wave_sheet_work *w = NULL;
	if (!st)
		st = dk_wave_sheet_work_alloc(&w, T, s->H, s->W, r->periodic);
	for (size_t b = 0; b < B && !st; b++)
		for (size_t c = 0; c < C; c++) {
			size_t q = b * C + c;
			dk_wave_sheet_values v;
			dk_wave_raster(s, b, c, dk_wave_sheet_raster(w));
			dk_wave_sheet_phase(w, o, &v);
			r->speed[q] = v.speed;
			r->wavelength[q] = v.wavelength;
			r->frequency[q] = v.frequency;
			r->direction[q] = v.direction;
			r->directionality[q] = v.directionality;
			r->speed_spread[q] = v.speed_spread;
			r->wavelength_spread[q] = v.wavelength_spread;
			r->frequency_spread[q] = v.frequency_spread;
			r->negative_frequency[q] = v.negative;
			r->pattern[q] = v.pattern;
			r->sense[q] = v.sense;
			r->centre[2 * q] = v.centre[0];
			r->centre[2 * q + 1] = v.centre[1];
		}
	dk_wave_sheet_work_free(w);
	if (st) {
		dk_wave_result_clear(r);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	return DK_OK;
}
