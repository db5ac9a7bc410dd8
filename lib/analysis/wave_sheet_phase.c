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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"

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
	signed char *cut;         /* owned: (2 cx + W) x T, the crossings
	                             of the phase's cut along two rows of
	                             edges across the columns and one row
	                             of edges down them, each step's */
	double complex *unit_turn;/* owned: H W, each unit's sum of z(t + 1)
	                             conj z(t) */
	double *unit_amp;         /* owned: H W, each unit's sum of |z| */
	double complex *edge_sum; /* owned: 3 W, the edges' sums of products */
	double *edge_mag;         /* owned: 3 W, and of the products' moduli */
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
	free(w->cut);
	free(w->unit_turn);
	free(w->unit_amp);
	free(w->edge_sum);
	free(w->edge_mag);
	free(w);
}

int dk_wave_sheet_work_alloc(dk_wave_sheet_work **out, size_t T, size_t H,
                             size_t W, int periodic, size_t spare)
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
	w->cut = malloc((2 * w->cx + W) * T);
	w->unit_turn = malloc(H * W * sizeof *w->unit_turn);
	w->unit_amp = malloc(H * W * sizeof *w->unit_amp);
	w->edge_sum = malloc(3 * W * sizeof *w->edge_sum);
	w->edge_mag = malloc(3 * W * sizeof *w->edge_mag);
	if (!w->speed || !w->wavelength || !w->coherence || !w->weight || !w->gx || !w->gy ||
	    !w->omega || !w->s || !w->cut || !w->unit_turn || !w->unit_amp ||
	    !w->edge_sum || !w->edge_mag || dk_wave_sheet_sums_alloc(&w->sums, n))
		return DK_ENOMEM;
	return dk_wave_analytic_alloc(&w->an, T, H * W, spare);
}

double *dk_wave_sheet_raster(dk_wave_sheet_work *w)
{
	return w->an.a;
}

double *dk_wave_sheet_spare(dk_wave_sheet_work *w)
{
	return (double *)w->an.z;
}

/* The edge from unit p to unit q at step k of zp and zq: the product
   z_q conj z_p added to *sr, *si, written out, as in dk_wave_sheet_add,
   and its crossing of the phase's cut: with the phases' principal values
   in (-pi, pi], the turn from p to q (the product's angle, in (-pi, pi])
   is their difference less 2 pi cut, cut = 1 where the difference
   exceeds pi (p below the real axis, q on or above it, the turn
   clockwise: the product's imaginary part below 0), -1 where it is -pi
   or less (the other way round, the turn counter-clockwise), 0
   elsewhere.  Sign tests, where the angles would take an arc tangent
   each; a zero signal (a product of 0) crosses nothing. */
static inline signed char step(const double *zp, const double *zq, size_t k,
                               double *sr, double *si)
{
	double a = zq[2 * k], b = zq[2 * k + 1];
	double c = zp[2 * k], d = zp[2 * k + 1];
	double x = a * c + b * d, y = b * c - a * d;
	*sr += x, *si += y;
	return (signed char)(((d < 0) & (b >= 0) & (y < 0)) -
	                     ((d >= 0) & (b < 0) & (y > 0)));
}

/* The n edges from unit p_row + j to unit q_row + (j + shift) % W, j <
   n, over len steps from t0: the sums of their products into sum[j],
   of the products' moduli |z_q(t)| |z_p(t)| (the moduli in mod) into
   mag[j], and their crossings into cut + j len.  Each sum is taken step
   by step in order, but two edges' at once, so that six sums, not
   three, wait on the adder, the products and crossings in their
   shadow. */
static void edge_row(dk_wave_sheet_work *w, const double *mod, size_t p_row,
                     size_t q_row, size_t shift, size_t n, size_t t0,
                     size_t len, double complex *sum, double *mag,
                     signed char *cut)
{
	size_t T = w->T, W = w->W;
	const double complex *z = w->an.z;
	for (size_t j = 0; j < n; j += 2) {
		size_t p0 = p_row + j, q0 = q_row + (j + shift) % W;
		const double *zp0 = (const double *)(z + p0 * T + t0);
		const double *zq0 = (const double *)(z + q0 * T + t0);
		const double *mp0 = mod + p0 * T + t0, *mq0 = mod + q0 * T + t0;
		signed char *c0 = cut + j * len;
		double r0 = 0, i0 = 0, m0 = 0;
		if (j + 1 == n) {
			for (size_t k = 0; k < len; k++) {
				c0[k] = step(zp0, zq0, k, &r0, &i0);
				m0 += mq0[k] * mp0[k];
			}
			sum[j] = CMPLX(r0, i0), mag[j] = m0;
			break;
		}
		size_t p1 = p0 + 1, q1 = q_row + (j + 1 + shift) % W;
		const double *zp1 = (const double *)(z + p1 * T + t0);
		const double *zq1 = (const double *)(z + q1 * T + t0);
		const double *mp1 = mod + p1 * T + t0, *mq1 = mod + q1 * T + t0;
		signed char *c1 = c0 + len;
		double r1 = 0, i1 = 0, m1 = 0;
		for (size_t k = 0; k < len; k++) {
			c0[k] = step(zp0, zq0, k, &r0, &i0);
			m0 += mq0[k] * mp0[k];
			c1[k] = step(zp1, zq1, k, &r1, &i1);
			m1 += mq1[k] * mp1[k];
		}
		sum[j] = CMPLX(r0, i0), mag[j] = m0;
		sum[j + 1] = CMPLX(r1, i1), mag[j + 1] = m1;
	}
}

/* x[k] = sqrt(x[k]) for k < n, two at a time where SSE2 is there: the
   square root is correctly rounded, the same in a vector register as
   alone, but the compiler, keeping errno for negative x, would take
   them one at a time. */
static void roots(double *x, size_t n)
{
	size_t k = 0;
#if defined(__SSE2__)
	for (; k + 2 <= n; k += 2)
		_mm_storeu_pd(x + k, _mm_sqrt_pd(_mm_loadu_pd(x + k)));
#endif
	for (; k < n; k++)
		x[k] = sqrt(x[k]);
}

/* Every cell's sums over the steps t0 <= t < t1 (and t + 1) added to
   sm: the cell of units a = (i, j), b = (i, j + 1), c = (i + 1, j),
   d = (i + 1, j + 1) (wrapping on a periodic sheet).  What two cells
   share is computed once: each unit's turn along time and amplitude,
   and each edge's products (b conj a and d conj c across, c conj a and
   d conj b down), their moduli and, step by step, their crossings of
   the phase's cut (edge); the phase's turn around a cell,
   counter-clockwise in (col, row), a, b, d, c, the angles of a -> b and
   b -> d less those of c -> d and a -> c, is then, the principal values'
   differences summing to 0 around it, 2 pi times the crossings of
   c -> d and a -> c less those of a -> b and b -> d.  The
   cells are taken a row at a time, the edges across the next row kept
   for the one after.  The raster (an.a) is overwritten with the
   moduli. */
void dk_wave_sheet_add(dk_wave_sheet_work *w, dk_wave_sheet_sums *sm,
                       size_t t0, size_t t1)
{
	size_t T = w->T, H = w->H, W = w->W, len = t1 - t0, cx = w->cx;
	const double complex *z = w->an.z;
	double *mod = w->an.a;
	size_t negative = 0;
	/* the moduli as dk_wave_modulus: the square roots first, which
	   vectorize, then hypot where the squares leave its range */
	for (size_t u = 0; u < H * W; u++) {
		const double *zu = (const double *)(z + u * T);
		double *mu = mod + u * T;
		int out = 0;
		for (size_t t = t0; t < t1; t++) {
			double x = zu[2 * t], y = zu[2 * t + 1], m2 = x * x + y * y;
			mu[t] = m2;
			out |= !(m2 < 1e300 && m2 > 1e-300);
		}
		roots(mu + t0, len);
		for (size_t t = t0; out && t < t1; t++)
			mu[t] = dk_wave_modulus(z[u * T + t]);
	}
	/* each unit's sums step by step in order, but two units' at once, so
	   that six sums, not three, wait on the adder (an odd last unit with
	   its neighbour again, its sums stored twice alike) */
	for (size_t u = 0; u < H * W; u += 2) {
		size_t v = u + 1 < H * W ? u + 1 : u;
		const double *zu = (const double *)(z + u * T);
		const double *zv = (const double *)(z + v * T);
		const double *mu = mod + u * T, *mv = mod + v * T;
		double amp = 0, tr = 0, ti = 0, amp1 = 0, tr1 = 0, ti1 = 0;
		size_t neg = 0, neg1 = 0;
		/* the product z(t + 1) conj z(t) written out, as in
		   dk_wave_backward_count, so that the turn and the backward
		   steps take it at once */
		for (size_t t = t0; t < t1; t++) {
			double a = zu[2 * t + 2], b = zu[2 * t + 3];
			double c = zu[2 * t], d = zu[2 * t + 1];
			double pr = a * c + b * d, pi = b * c - a * d;
			tr += pr, ti += pi, amp += mu[t];
			neg += (size_t)((pi < 0) |
			                ((pi == 0) & !!signbit(pi) & !!signbit(pr)));
			a = zv[2 * t + 2], b = zv[2 * t + 3];
			c = zv[2 * t], d = zv[2 * t + 1];
			pr = a * c + b * d, pi = b * c - a * d;
			tr1 += pr, ti1 += pi, amp1 += mv[t];
			neg1 += (size_t)((pi < 0) |
			                 ((pi == 0) & !!signbit(pi) & !!signbit(pr)));
		}
		negative += neg + (v != u ? neg1 : 0);
		w->unit_turn[u] = CMPLX(tr, ti), w->unit_amp[u] = amp;
		w->unit_turn[v] = CMPLX(tr1, ti1), w->unit_amp[v] = amp1;
	}
	double complex *across = w->edge_sum, *next = across + W, *down = next + W;
	double *across_m = w->edge_mag, *next_m = across_m + W, *down_m = next_m + W;
	signed char *across_a = w->cut, *next_a = across_a + cx * len;
	signed char *down_a = next_a + cx * len;
	edge_row(w, mod, 0, 0, 1, cx, t0, len, across, across_m, across_a);
	for (size_t i = 0; i < w->cy; i++) {
		size_t i1 = (i + 1) % H;
		edge_row(w, mod, i1 * W, i1 * W, 1, cx, t0, len, next, next_m, next_a);
		edge_row(w, mod, i * W, i1 * W, 0, W, t0, len, down, down_m, down_a);
		for (size_t j = 0; j < cx; j++) {
			size_t j1 = (j + 1) % W, q = i * cx + j;
			size_t a = i * W + j, b = i * W + j1, c = i1 * W + j, d = i1 * W + j1;
			sm->zt[q] += w->unit_turn[a] + w->unit_turn[b] + w->unit_turn[c] +
			             w->unit_turn[d];
			sm->amp[q] += w->unit_amp[a] + w->unit_amp[b] + w->unit_amp[c] +
			              w->unit_amp[d];
			sm->zx[q] += across[j] + next[j];
			sm->zy[q] += down[j] + down[j1];
			sm->mag[q] += across_m[j] + next_m[j] + down_m[j] + down_m[j1];
			const signed char *ab = across_a + j * len, *bd = down_a + j1 * len;
			const signed char *cd = next_a + j * len, *ac = down_a + j * len;
			int wind = 0;
			for (size_t k = 0; k < len; k++)
				wind += cd[k] + ac[k] - ab[k] - bd[k];
			sm->wind[q] += wind;
		}
		/* the next row's edges across are the following cells' first */
		double complex *ts = across;
		across = next, next = ts;
		double *tm = across_m;
		across_m = next_m, next_m = tm;
		signed char *ta = across_a;
		across_a = next_a, next_a = ta;
	}
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
		st = dk_wave_sheet_work_alloc(&w, T, s->H, s->W, r->periodic, 0);
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
