/*
 * test_wave.c -- the spectral and phase wave analyses against synthetic
 * rings whose waves are known: speeds off the FFT grid, with noise,
 * rectified, standing, a moving Gaussian pulse; open rings with
 * wavelengths that do not fit them; the generalized phase on a wave whose
 * harmonic turns its phase backward; the two methods against each other;
 * and the refusals of bad states and options.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

/* States (T, B, C n) of B sequences of C rings holding the waves
   amp cos(2 pi (k i - f t) + phase), with noise of standard deviation sd,
   rectified when relu; standing: cos(2 pi k i) cos(2 pi f t) instead. */
typedef struct {
	double k, f, sd;
	int relu, standing;
	double third;  /* amplitude of the third harmonic, added */
} wave;

static dk_wave_states make(size_t T, size_t B, size_t C, size_t n,
                           const wave *w, int periodic, uint64_t seed)
{
	size_t shape[3] = {T, B, C * n};
	dk_wave_states s = {.x = dk_tensor_alloc(DK_F8, 0, 3, shape), .T = T,
	                    .B = B, .C = C, .n = n, .periodic = periodic};
	dk_rng *rng = dk_rng_alloc(seed);
	double *x = s.x->data;
	for (size_t t = 0; t < T; t++)
		for (size_t b = 0; b < B; b++)
			for (size_t c = 0; c < C; c++)
				for (size_t i = 0; i < n; i++) {
					double ph = 0.3 + (double)(b * C + c), ti = (double)t,
					       xi = (double)i, v;
					if (w->standing)
						v = cos(2 * M_PI * w->k * xi + ph) * cos(2 * M_PI * w->f * ti);
					else
						v = cos(2 * M_PI * (w->k * xi - w->f * ti) + ph) +
						    w->third * cos(3 * (2 * M_PI * (w->k * xi - w->f * ti) + ph));
					v += dk_rng_normal(rng, w->sd);
					x[(t * B + b) * C * n + c * n + i] = w->relu && v < 0 ? 0 : v;
				}
	dk_rng_free(rng);
	return s;
}

static double relerr(double got, double want)
{
	return fabs(got - want) / fabs(want);
}

/* Every (batch, ring) of r has speed v, wavelength 1/|k|, frequency f
   within tol (relative), and the sign of v (in traveling or
   directionality, whichever the method gives). */
static void check(const dk_wave_result *r, double v, double k, double f,
                  double tol, const char *what)
{
	double es = 0, el = 0, ef = 0;
	int sign = 1;
	for (size_t q = 0; q < r->B * r->C; q++) {
		double s = relerr(r->speed[q], v);
		es = isnan(s) || s > es ? (isnan(s) ? INFINITY : s) : es;
		el = fmax(el, relerr(r->wavelength[q], 1 / fabs(k)));
		ef = fmax(ef, relerr(r->frequency[q], f));
		double dir = r->traveling ? r->traveling[q] : r->directionality[q];
		sign &= (r->speed[q] > 0) == (v > 0) && (dir > 0) == (v > 0);
	}
	ok(es <= tol, "%s: speed %g within %g%% (worst %.2g%%)", what, v,
	   100 * tol, 100 * es);
	ok(el <= tol, "%s: wavelength %g within %g%% (worst %.2g%%)", what,
	   1 / fabs(k), 100 * tol, 100 * el);
	ok(ef <= tol, "%s: frequency %g within %g%% (worst %.2g%%)", what, f,
	   100 * tol, 100 * ef);
	ok(sign, "%s: the sign of speed and direction is that of %g", what, v);
}

static dk_wave_result analyse(const dk_wave_states *s, const dk_wave_options *o)
{
	dk_wave_result r;
	char err[256] = "";
	int st = dk_wave_run(s, o, &r, err, sizeof err);
	if (st)
		printf("# dk_wave_run: %s\n", err);
	return r;
}

/* Periodic rings of 64 units: k = 4 / 64, speeds off the FFT grid of
   f (T = 200 steps). */
static void rings(void)
{
	const double speeds[4] = {1, 0.5, 0.37, -0.8};
	const double k = 4.0 / 64;
	dk_wave_options o = dk_wave_options_default();
	for (int v = 0; v < 4; v++) {
		double sp = speeds[v];
		/* a wave toward -i is cos(2 pi (-k i - f t)) */
		wave w = {.k = sp > 0 ? k : -k, .f = fabs(sp) * k};
		char what[64];
		dk_wave_states s = make(200, 3, 2, 64, &w, 1, 1);
		dk_wave_result r = analyse(&s, &o);
		snprintf(what, sizeof what, "clean ring, speed %g", sp);
		check(&r, sp, k, w.f, 0.02, what);
		ok(r.traveling[0] * (sp > 0 ? 1 : -1) > 0.95,
		   "%s: traveling %g, of the sign of the speed, above 0.95 in size", what, r.traveling[0]);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);

		/* SNR 2: signal variance 1/2, noise variance 1/4 */
		w.sd = 0.5;
		s = make(200, 3, 2, 64, &w, 1, 2);
		r = analyse(&s, &o);
		snprintf(what, sizeof what, "SNR 2, speed %g", sp);
		check(&r, sp, k, w.f, 0.05, what);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);

		w.sd = 0;
		w.relu = 1;
		s = make(200, 3, 2, 64, &w, 1, 3);
		r = analyse(&s, &o);
		snprintf(what, sizeof what, "rectified, speed %g", sp);
		check(&r, sp, k, w.f, 0.05, what);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);
	}
}

/* A long recording by Welch's method: 20000 steps of noisy waves at
   speeds off the grid of any window, on periodic and open rings, in
   windows of 512 steps; the estimates within 2% of the truth.  And the
   refusals: windows of fewer than DK_WAVE_MIN_STEPS or more than the
   recorded steps, and the phase method's chunks asked for a series
   (windows on sheets: test_wave_sheet_windows.c). */
static void welch(void)
{
	const double speeds[3] = {0.61, -0.37, 1.3};
	for (int v = 0; v < 3; v++) {
		double sp = speeds[v], k = (v == 2 ? 3.3 : 5.0) / 64;
		wave w = {.k = sp > 0 ? k : -k, .f = fabs(sp) * k, .sd = 0.5};
		int periodic = v != 2;
		dk_wave_states s = make(20000, 1, 2, 64, &w, periodic, 11 + (uint64_t)v);
		dk_wave_options o = dk_wave_options_default();
		o.window_steps = 512;
		o.open = !periodic;
		dk_wave_result r = analyse(&s, &o);
		char what[80];
		snprintf(what, sizeof what, "Welch, 512-step windows, %s ring, speed %g",
		         periodic ? "periodic" : "open", sp);
		check(&r, sp, k, w.f, 0.02, what);
		ok(r.diagonal_power && r.diagonal_power[0] > 0,
		   "%s: a diagonal power against the surrogate (%g)", what,
		   r.diagonal_power ? r.diagonal_power[0] : NAN);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);
	}
	wave w = {.k = 0.0625, .f = 0.03};
	dk_wave_states s = make(300, 1, 1, 64, &w, 1, 3);
	dk_wave_options o = dk_wave_options_default();
	dk_wave_result r;
	char err[256];
	o.window_steps = 301;
	ok(dk_wave_run(&s, &o, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "window_steps"), "windows longer than the recording are "
	   "refused (%s)", err);
	o.window_steps = 7;
	ok(dk_wave_run(&s, &o, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "window_steps"), "windows of 7 steps are refused (%s)", err);
	o.window_steps = 100;
	o.method = DK_WAVE_PHASE;
	o.series = 1;
	ok(dk_wave_run(&s, &o, &r, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "series"), "the phase method's chunks have no series "
	   "(%s)", err);
	o.series = 0;
	o.method = DK_WAVE_SPECTRAL;
	o.window_steps = 300;
	int st = dk_wave_run(&s, &o, &r, err, sizeof err);
	double v = st == DK_OK ? r.speed[0] : NAN;
	ok(relerr(v, 0.03 / 0.0625) <= 0.02,
	   "one window of all the steps: speed %g within 2%% of 0.48", v);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* Open rings: wavelengths that are not divisors of the ring. */
static void open_rings(void)
{
	dk_wave_options o = dk_wave_options_default();
	o.open = 1;
	const double lambda[2] = {13.7, 9.3}, speeds[2] = {0.61, -1.3};
	for (int c = 0; c < 2; c++) {
		double k = 1 / lambda[c], sp = speeds[c];
		wave w = {.k = sp > 0 ? k : -k, .f = fabs(sp) * k};
		dk_wave_states s = make(256, 2, 1, 80, &w, 1, 4);
		dk_wave_result r = analyse(&s, &o);
		char what[64];
		snprintf(what, sizeof what, "open ring, wavelength %g, speed %g",
		         lambda[c], sp);
		ok(!r.periodic, "%s: analysed as open", what);
		check(&r, sp, k, w.f, 0.02, what);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);
	}
}

static void standing(void)
{
	dk_wave_options o = dk_wave_options_default();
	wave w = {.k = 5.0 / 64, .f = 0.0437, .standing = 1};
	dk_wave_states s = make(200, 2, 2, 64, &w, 1, 5);
	dk_wave_result r = analyse(&s, &o);
	double worst = 0;
	int nan = 1;
	for (size_t q = 0; q < 4; q++) {
		worst = fmax(worst, fabs(r.traveling[q]));
		nan &= isnan(r.speed[q]);
	}
	ok(worst < 0.05, "standing wave: |traveling| %.3g below 0.05", worst);
	ok(nan, "standing wave: no speed (NaN)");
	ok(relerr(r.frequency[0], w.f) < 0.02 && relerr(r.wavelength[0], 64.0 / 5) < 0.02,
	   "standing wave: its frequency and wavelength (%g, %g)", r.frequency[0],
	   r.wavelength[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* A Gaussian pulse (width 3 units) going round a ring of 64 at speeds
   off the grid: broadband, every harmonic at the pulse's speed; both
   methods. */
static void pulse(void)
{
	const double speeds[2] = {0.37, -0.8};
	dk_wave_options o = dk_wave_options_default();
	for (int v = 0; v < 2; v++) {
		size_t T = 300, n = 64;
		dk_wave_states s = {.T = T, .B = 1, .C = 1, .n = n, .periodic = 1};
		size_t shape[3] = {T, 1, n};
		s.x = dk_tensor_alloc(DK_F8, 0, 3, shape);
		double *x = s.x->data;
		for (size_t t = 0; t < T; t++)
			for (size_t i = 0; i < n; i++) {
				double c = fmod(10 + speeds[v] * (double)t + 64 * 100, 64);
				double d = fabs((double)i - c);
				d = fmin(d, 64 - d);
				x[t * n + i] = exp(-d * d / 18);
			}
		dk_wave_result r = analyse(&s, &o);
		ok(relerr(r.speed[0], speeds[v]) < 0.02,
		   "a Gaussian pulse at %g units per step: speed %g within 2%%",
		   speeds[v], r.speed[0]);
		ok(relerr(fabs(r.speed[0]), r.frequency[0] * r.wavelength[0]) < 1e-12 &&
		   r.traveling[0] * speeds[v] > 0.9 * fabs(speeds[v]),
		   "... frequency x wavelength is its speed, and it travels (%g)",
		   r.traveling[0]);
		dk_wave_result_clear(&r);
		/* the phase method: every harmonic travels at the pulse's speed,
		   so every cell's -omega / kappa is it */
		dk_wave_options op = o;
		op.method = DK_WAVE_PHASE;
		r = analyse(&s, &op);
		ok(relerr(r.speed[0], speeds[v]) < 0.02 &&
		   r.directionality[0] * speeds[v] > 0.9 * fabs(speeds[v]),
		   "phase: the pulse's speed %g within 2%%, directionality %g",
		   r.speed[0], r.directionality[0]);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);
	}
}

/* The diagonal power: high for a wave at the line's speed, about 1 for
   noise, and not high for a wave at another speed. */
static void diagonal(void)
{
	dk_wave_options o = dk_wave_options_default();
	wave w = {.k = -3.0 / 32, .f = 3.0 / 32 * 1.0, .sd = 0.3};
	dk_wave_states s = make(256, 1, 1, 32, &w, 1, 6);
	dk_wave_result r = analyse(&s, &o);
	ok(r.diagonal_power[0] > 10, "a speed-1 wave's diagonal power %g above 10",
	   r.diagonal_power[0]);
	dk_wave_result_clear(&r);
	o.speed = 0.5;
	r = analyse(&s, &o);
	ok(r.diagonal_power[0] < 1, "at --speed 0.5 it is %g, below 1",
	   r.diagonal_power[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
	o.speed = 1;
	wave noise = {.sd = 1};
	s = make(256, 4, 1, 32, &noise, 1, 7);
	r = analyse(&s, &o);
	double lo = INFINITY, hi = 0;
	for (size_t q = 0; q < 4; q++)
		lo = fmin(lo, r.diagonal_power[q]), hi = fmax(hi, r.diagonal_power[q]);
	ok(lo > 0.7 && hi < 1.4, "white noise: diagonal power in [%.3g, %.3g], "
	   "within [0.7, 1.4]", lo, hi);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* What the records hold, and the refusals. */
static void records(void)
{
	dk_wave_options o = dk_wave_options_default();
	wave w = {.k = 1.0 / 16, .f = 0.05};
	dk_wave_states s = make(64, 2, 3, 16, &w, 1, 8);
	dk_wave_result r = analyse(&s, &o);
	dk_bundle *b = dk_bundle_alloc();
	is_int(dk_wave_to_bundle(&r, b), DK_OK, "the records are made");
	const char *names[5] = {DK_NAME_WAVE_SPEED, DK_NAME_WAVE_WAVELENGTH,
	                        DK_NAME_WAVE_FREQUENCY, DK_NAME_WAVE_TRAVELING,
	                        DK_NAME_WAVE_DIAGONAL_POWER};
	int shapes = 1;
	for (int k = 0; k < 5; k++) {
		const dk_tensor *t = dk_bundle_get(b, names[k]);
		shapes &= t && t->rank == 2 && t->shape[0] == 2 && t->shape[1] == 3;
	}
	ok(shapes, "each of the five is (batch 2, ring 3)");
	dk_bundle_free(b);
	dk_wave_result_clear(&r);

	char err[256];
	o.pad = 0;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL, "pad 0 refused");
	ok(strstr(err, "pad") != NULL, "the message names pad: %s", err);
	o = dk_wave_options_default();
	o.speed = -1;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL,
	       "a speed below 0 refused: %s", err);
	o = dk_wave_options_default();
	s.T = 7;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL,
	       "7 steps refused: %s", err);
	dk_wave_states_clear(&s);
}

/* The phase method and the spectral one on the same states: each within
   tol of the truth (check), so within 2 tol of each other; the phase
   method's directionality of the sign of v and above dmin in size. */
static void both(const dk_wave_states *s, int open, double v, double k,
                 double f, double tol, double dmin, const char *what)
{
	dk_wave_options o = dk_wave_options_default();
	o.open = open;
	dk_wave_result rs = analyse(s, &o);
	o.method = DK_WAVE_PHASE;
	dk_wave_result rp = analyse(s, &o);
	char w2[96];
	snprintf(w2, sizeof w2, "phase, %s", what);
	check(&rp, v, k, f, tol, w2);
	snprintf(w2, sizeof w2, "spectral, %s", what);
	check(&rs, v, k, f, tol, w2);
	double agree = 0, dir = INFINITY;
	for (size_t q = 0; q < rp.B * rp.C; q++) {
		agree = fmax(agree, relerr(rp.speed[q], rs.speed[q]));
		dir = fmin(dir, rp.directionality[q] * (v > 0 ? 1 : -1));
	}
	ok(agree <= 2 * tol, "%s: the methods' speeds agree within %g%% (worst "
	   "%.2g%%)", what, 200 * tol, 100 * agree);
	ok(dir > dmin, "%s: directionality of the speed's sign, above %g in "
	   "size (least %.3g)", what, dmin, dir);
	dk_wave_result_clear(&rs);
	dk_wave_result_clear(&rp);
}

/* The phase method on periodic rings of 64 units, wavelength 8 (it
   fits: k = 8 / 64), speeds whose frequencies f = |v| / 8 are off the
   grid of T = 200 steps; clean within 2%, at SNR 2 within 5% and
   rectified within 2% (the accuracy asked of the method).  Wavelength 8,
   not the 16 of the spectral tests: the phase gradient is measured one
   pair of units at a time, and its noise relative to k halves with k;
   at 16 the speed's error at SNR 2 comes within a factor 2 of the 5%,
   at 32 it is beyond (the limit is in dk-wave(1)).  Directionality: the
   noise turns some cells' gradients, so 0.9 at SNR 2, 0.99 when clean. */
static void phase_rings(void)
{
	const double speeds[4] = {1, 0.5, 0.37, -0.8};
	const double k = 8.0 / 64;
	for (int v = 0; v < 4; v++) {
		double sp = speeds[v];
		wave w = {.k = sp > 0 ? k : -k, .f = fabs(sp) * k};
		char what[64];
		dk_wave_states s = make(200, 3, 2, 64, &w, 1, 11);
		snprintf(what, sizeof what, "clean ring, speed %g", sp);
		both(&s, 0, sp, k, w.f, 0.02, 0.99, what);
		dk_wave_states_clear(&s);

		w.sd = 0.5; /* SNR 2: signal variance 1/2, noise 1/4 */
		s = make(200, 3, 2, 64, &w, 1, 12);
		snprintf(what, sizeof what, "SNR 2, speed %g", sp);
		both(&s, 0, sp, k, w.f, 0.05, 0.9, what);
		dk_wave_states_clear(&s);

		/* rectified: harmonics at 2f, 4f..., all at the same speed;
		   the band weakens them */
		w.sd = 0;
		w.relu = 1;
		s = make(200, 3, 2, 64, &w, 1, 13);
		snprintf(what, sizeof what, "rectified, speed %g", sp);
		both(&s, 0, sp, k, w.f, 0.02, 0.99, what);
		dk_wave_states_clear(&s);
	}
	/* open rings of 50 units: wavelengths 11.3 and 9.3 do not fit */
	const double lambda[2] = {11.3, 9.3}, ospeeds[2] = {0.37, -1.3};
	for (int c = 0; c < 2; c++) {
		double kk = 1 / lambda[c], sp = ospeeds[c];
		wave w = {.k = sp > 0 ? kk : -kk, .f = fabs(sp) * kk};
		dk_wave_states s = make(300, 2, 1, 50, &w, 1, 14);
		char what[64];
		snprintf(what, sizeof what, "open ring, wavelength %g, speed %g",
		         lambda[c], sp);
		both(&s, 1, sp, kk, w.f, 0.02, 0.99, what);
		dk_wave_states_clear(&s);
	}
}

/* A standing wave has no direction: its cells' gradients are 0 or 1/2
   cycle up to rounding, which point nowhere, so its directionality is 0
   but for the cells beside a node, and it has no speed. */
static void phase_standing(void)
{
	dk_wave_options o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	wave w = {.k = 5.0 / 64, .f = 0.0437, .standing = 1};
	dk_wave_states s = make(200, 2, 2, 64, &w, 1, 15);
	dk_wave_result r = analyse(&s, &o);
	double worst = 0;
	int nan = 1;
	for (size_t q = 0; q < 4; q++) {
		worst = fmax(worst, fabs(r.directionality[q]));
		nan &= isnan(r.speed[q]);
	}
	ok(worst < 0.1, "phase, standing wave: |directionality| %.3g below 0.1", worst);
	ok(nan, "phase, standing wave: no speed (NaN)");
	ok(relerr(r.frequency[0], w.f) < 0.02,
	   "phase, standing wave: its frequency %g within 2%%", r.frequency[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
	/* at SNR 2 the cells' gradients are the noise's, of either sign as
	   often: |directionality| stays below the default threshold 0.2, so
	   there is still no speed */
	w.sd = 0.5;
	s = make(200, 2, 2, 64, &w, 1, 18);
	r = analyse(&s, &o);
	worst = 0;
	nan = 1;
	for (size_t q = 0; q < 4; q++) {
		worst = fmax(worst, fabs(r.directionality[q]));
		nan &= isnan(r.speed[q]);
	}
	ok(worst < 0.2 && nan, "phase, standing wave at SNR 2: |directionality| "
	   "%.3g below 0.2, no speed", worst);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* A wave under a swell of the whole ring (all units in step, 3 times
   the wave's amplitude, 1.3 cycles over the run): the swell holds most
   of the power but no wave, and the phase method's band follows the
   wave (speed within 2%).  Synchrony alone: no gradient, so an infinite
   wavelength, no direction and no speed. */
static void phase_swell(void)
{
	dk_wave_options o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	wave w = {.k = 8.0 / 64, .f = 0.5 * 8.0 / 64};
	dk_wave_states s = make(200, 1, 1, 64, &w, 1, 19);
	double *x = s.x->data;
	for (size_t t = 0; t < 200; t++)
		for (size_t i = 0; i < 64; i++)
			x[t * 64 + i] += 3 * sin(2 * M_PI * 1.3 * (double)t / 200);
	dk_wave_result r = analyse(&s, &o);
	ok(relerr(r.speed[0], 0.5) < 0.02, "phase, a wave under a swell: speed "
	   "%g, 0.5 within 2%%", r.speed[0]);
	dk_wave_result_clear(&r);
	for (size_t t = 0; t < 200; t++)
		for (size_t i = 0; i < 64; i++)
			x[t * 64 + i] = sin(2 * M_PI * 0.0437 * (double)t);
	r = analyse(&s, &o);
	ok(isinf(r.wavelength[0]) && r.directionality[0] == 0 && isnan(r.speed[0]) &&
	   relerr(r.frequency[0], 0.0437) < 0.02,
	   "phase, synchrony: wavelength %g, directionality %g, speed %g, "
	   "frequency %g", r.wavelength[0], r.directionality[0], r.speed[0],
	   r.frequency[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* The generalized phase: a wave with its third harmonic at 0.6 of the
   fundamental, analysed with every frequency kept (band 0).  Its phase
   runs backward where the harmonic outweighs the fundamental's turn
   (wherever 0.6 > 1/3 and the two are opposed); the correction leaves
   no negative step, and the cells' speeds (every one -omega/kappa = v
   for a profile that travels rigidly) stay within 2%. */
static void generalized(void)
{
	dk_wave_options o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	o.band = 0;
	wave w = {.k = 4.0 / 64, .f = 0.6 * 4.0 / 64, .third = 0.6};
	dk_wave_states s = make(256, 2, 1, 64, &w, 1, 16);
	dk_wave_result r = analyse(&s, &o);
	ok(r.negative_frequency[0] > 0.05 && r.negative_frequency[1] > 0.05,
	   "a strong third harmonic: %.3g and %.3g of the steps run backward",
	   r.negative_frequency[0], r.negative_frequency[1]);
	dk_wave_result_clear(&r);
	o.generalized = 1;
	r = analyse(&s, &o);
	ok(r.negative_frequency[0] == 0 && r.negative_frequency[1] == 0,
	   "the generalized phase: no step runs backward (%g, %g)",
	   r.negative_frequency[0], r.negative_frequency[1]);
	ok(relerr(r.speed[0], 0.6) < 0.02 && relerr(r.speed[1], 0.6) < 0.02,
	   "... and the speed is 0.6 within 2%% (%g, %g)", r.speed[0], r.speed[1]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* The phase method's records, its series, and the refusals of its
   options. */
static void phase_records(void)
{
	dk_wave_options o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	o.series = 1;
	wave w = {.k = -1.0 / 8, .f = 0.0437};
	dk_wave_states s = make(200, 2, 3, 16, &w, 1, 17);
	dk_wave_result r = analyse(&s, &o);
	dk_bundle *b = dk_bundle_alloc();
	is_int(dk_wave_to_bundle(&r, b), DK_OK, "phase: the records are made");
	const char *names[8] = {DK_NAME_WAVE_SPEED, DK_NAME_WAVE_WAVELENGTH,
	                        DK_NAME_WAVE_FREQUENCY, DK_NAME_WAVE_DIRECTIONALITY,
	                        DK_NAME_WAVE_SPEED_SPREAD,
	                        DK_NAME_WAVE_WAVELENGTH_SPREAD,
	                        DK_NAME_WAVE_FREQUENCY_SPREAD,
	                        DK_NAME_WAVE_NEGATIVE_FREQUENCY};
	int shapes = 1;
	for (int k = 0; k < 8; k++) {
		const dk_tensor *t = dk_bundle_get(b, names[k]);
		shapes &= t && t->rank == 2 && t->shape[0] == 2 && t->shape[1] == 3;
	}
	ok(shapes, "phase: each of the eight is (batch 2, ring 3)");
	ok(!dk_bundle_get(b, DK_NAME_WAVE_TRAVELING) &&
	   !dk_bundle_get(b, DK_NAME_WAVE_DIAGONAL_POWER),
	   "phase: no spectral records");
	const dk_tensor *t = dk_bundle_get(b, DK_NAME_WAVE_SPEED_SERIES);
	ok(t && t->rank == 3 && t->shape[0] == 199 && t->shape[1] == 2 &&
	   t->shape[2] == 3, "phase: the series is (time 199, batch 2, ring 3)");
	/* a clean wave toward decreasing index (k < 0), off the grid (8.74
	   cycles in 200 steps): every step's median speed is the wave's,
	   -0.0437 * 8, within 5%.  Not the summaries' 2%: a frequency between
	   the bins spreads its power over all of them, the band keeps only
	   part of it, and what is cut makes the phase's rate wobble from
	   step to step by a few percent, which the summaries' medians over
	   all steps average out.  The margins, ceil(1 / f_p) = 23 steps
	   (f_p = 9 / 200, the peak bin), are NaN. */
	int margins = 1;
	double worst = 0;
	const double *v = t ? t->data : NULL;
	for (size_t k = 0; v && k < 199; k++)
		for (size_t q = 0; q < 6; q++) {
			double x = v[k * 6 + q];
			if (k < 23 || k >= 199 - 23)
				margins &= isnan(x);
			else
				worst = fmax(worst, isnan(x) ? INFINITY : relerr(x, -0.0437 * 8));
		}
	ok(worst < 0.05, "phase: every step's median speed is %g within 5%% "
	   "(worst %.2g%%)", -0.0437 * 8, 100 * worst);
	ok(margins, "phase: the 23 steps at each end are NaN");
	dk_bundle_free(b);
	dk_wave_result_clear(&r);

	char err[256];
	o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	o.band = 1;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL, "band 1 refused");
	ok(strstr(err, "band") != NULL, "the message names band: %s", err);
	o = dk_wave_options_default();
	o.series = 1;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL,
	       "a series of the spectral method refused: %s", err);
	o = dk_wave_options_default();
	o.method = (dk_wave_method)7;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL,
	       "an unknown method refused: %s", err);
	dk_wave_method m;
	ok(dk_wave_method_from_name("phase", &m) == DK_OK && m == DK_WAVE_PHASE &&
	   dk_wave_method_from_name("fourier", &m) == DK_EINVAL &&
	   !strcmp(dk_wave_method_name(DK_WAVE_SPECTRAL), "spectral"),
	   "the methods' names, both ways");
	dk_wave_states_clear(&s);
}

/* dk_wave_spectrum: a wave of speed f0 / k0 on the grid's bins has its
   peak at k = -k0, f = f0 (on the line f = -v k), with the power of the
   half of the cosine there, (n / 2 sum_t w_t)^2, to 1e-10 (rounding of
   one transform); and its refusals. */
static void spectrum(void)
{
	wave w = {.k = 2.0 / 16, .f = 8.0 / 64};
	dk_wave_states s = make(64, 2, 2, 16, &w, 1, 21);
	dk_wave_options o = dk_wave_options_default();
	char err[256];
	double *P;
	size_t nk, nf;
	int st = dk_wave_spectrum(&s, &o, 1, 1, &P, &nk, &nf, err, sizeof err);
	ok(st == DK_OK && nk == 16 && nf == 65, "spectrum: 16 x 65 bins (pad 2): %s",
	   st ? err : "ok");
	size_t best = 0;
	for (size_t k = 0; !st && k < nk * nf; k++)
		if (P[k] > P[best])
			best = k;
	/* k = -2/16 is row 14; f = 8/64 of 128 padded steps is column 16 */
	ok(!st && best == 14 * nf + 16, "spectrum: the peak at row 14, column 16, not %zu, %zu",
	   best / nf, best % nf);
	/* the hann window's sum is T / 2 */
	double want = pow(16.0 / 2 * 64 / 2, 2);
	ok(!st && relerr(P[best], want) < 1e-10, "spectrum: peak power %g, want %g",
	   st ? 0 : P[best], want);
	free(P);
	st = dk_wave_spectrum(&s, &o, 2, 0, &P, &nk, &nf, err, sizeof err);
	ok(st == DK_EINVAL && P == NULL && strstr(err, "sequence 2"),
	   "spectrum: no sequence 2 of 2: %s", err);
	o.pad = 0;
	st = dk_wave_spectrum(&s, &o, 0, 0, &P, &nk, &nf, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "pad"), "spectrum: pad 0 refused: %s", err);
	o = dk_wave_options_default();
	s.H = s.W = 4;
	st = dk_wave_spectrum(&s, &o, 0, 0, &P, &nk, &nf, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "sheets"), "spectrum: sheets refused: %s", err);
	s.H = s.W = 0;
	dk_wave_states_clear(&s);
}

/* The settings a run records, read back for its spectrum. */
static void options_from_attrs(void)
{
	char err[256];
	dk_wave_options o = dk_wave_options_default();
	json_t *a = json_pack("{s:{s:s, s:i, s:b}}", "wave", "window", "none", "pad", 3,
	                      "periodic", 0);
	ok(!dk_wave_options_from_attrs(a, &o, err, sizeof err) &&
	   o.window == DK_WAVE_NO_WINDOW && o.pad == 3 && o.open,
	   "attrs: window none, pad 3, an open ring");
	json_decref(a);
	o = dk_wave_options_default();
	a = json_pack("{s:{s:s}}", "wave", "method", "phase");
	ok(!dk_wave_options_from_attrs(a, &o, err, sizeof err) && o.pad == 2 &&
	   o.window == DK_WAVE_HANN && !o.open, "a phase run's attrs leave the defaults");
	json_decref(a);
	const char *bad[3] = {"{\"wave\": {\"pad\": 0}}", "{\"wave\": {\"window\": 1}}",
	                      "{\"wave\": {\"periodic\": \"yes\"}}"};
	for (int k = 0; k < 3; k++) {
		a = json_loads(bad[k], 0, NULL);
		ok(a && dk_wave_options_from_attrs(a, &o, err, sizeof err) == DK_EMETA &&
		   strstr(err, "attrs: wave."), "refused: %s (%s)", bad[k], err);
		json_decref(a);
	}
}

int main(void)
{
	rings();
	options_from_attrs();
	welch();
	open_rings();
	standing();
	pulse();
	diagonal();
	records();
	phase_rings();
	phase_standing();
	phase_swell();
	generalized();
	phase_records();
	spectrum();
	return tap_done();
}
