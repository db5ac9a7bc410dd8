/*
 * test_wave_sheet.c -- the spectral and phase wave analyses on sheets
 * against synthetic movies whose waves are known: plane waves at several
 * angles, wavelengths and speeds, clean and at SNR 2, on open sheets and
 * on a torus; targets from an off-grid centre, expanding and
 * contracting; spirals of both senses; synchrony; the records; and the
 * sheets read from a bundle, with the refusals of bad shapes.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

typedef enum { PLANE, TARGET, SPIRAL, SYNCHRONY } kind;

/* One channel's wave: PLANE cos(2 pi (k . x - f t) + 0.3), k of length
   1 / lambda at angle degrees from the column axis toward the row axis
   (x = (col, row)), f = speed / lambda; TARGET cos(2 pi (sgn r / lambda -
   f t)), r the distance from (ci, cj), f = speed / lambda (sgn +1
   expanding, -1 contracting); SPIRAL cos(2 pi f t - sgn theta - 2 pi r /
   lambda), theta = atan2(row - ci, col - cj); SYNCHRONY sin(2 pi f t).
   Plus noise of standard deviation sd. */
typedef struct {
	kind kind;
	double angle, lambda, speed, f, ci, cj, sgn, sd;
} sheet_wave;

static double value(const sheet_wave *w, double t, double i, double j)
{
	double r = hypot(i - w->ci, j - w->cj), k = 1 / w->lambda;
	switch (w->kind) {
	case PLANE: {
		double a = w->angle * M_PI / 180;
		return cos(2 * M_PI * (k * cos(a) * j + k * sin(a) * i -
		                       w->speed * k * t) + 0.3);
	}
	case TARGET:
		return cos(2 * M_PI * (w->sgn * k * r - w->speed * k * t));
	case SPIRAL:
		return cos(2 * M_PI * w->f * t - w->sgn * atan2(i - w->ci, j - w->cj) -
		           2 * M_PI * r * k);
	default:
		return sin(2 * M_PI * w->f * t);
	}
}

/* States (T, B, C H W): B sequences of C sheets, channel c holding w[c]. */
static dk_wave_states make(size_t T, size_t B, size_t C, size_t H, size_t W,
                           const sheet_wave *w, int periodic, uint64_t seed)
{
	size_t n = H * W, shape[3] = {T, B, C * n};
	dk_wave_states s = {.x = dk_tensor_alloc(DK_F8, 0, 3, shape), .T = T,
	                    .B = B, .C = C, .n = n, .H = H, .W = W,
	                    .periodic = periodic};
	dk_rng *rng = dk_rng_alloc(seed);
	double *x = s.x->data;
	for (size_t t = 0; t < T; t++)
		for (size_t b = 0; b < B; b++)
			for (size_t c = 0; c < C; c++)
				for (size_t u = 0; u < n; u++)
					x[(t * B + b) * C * n + c * n + u] =
					        value(&w[c], (double)t, (double)(u / W),
					              (double)(u % W)) +
					        dk_rng_normal(rng, w[c].sd);
	dk_rng_free(rng);
	return s;
}

static dk_wave_result analyse(const dk_wave_states *s, dk_wave_method m)
{
	dk_wave_options o = dk_wave_options_default();
	o.method = m;
	dk_wave_result r;
	char err[256] = "";
	if (dk_wave_run(s, &o, &r, err, sizeof err))
		printf("# dk_wave_run: %s\n", err);
	return r;
}

static double relerr(double got, double want)
{
	double e = fabs(got - want) / fabs(want);
	return isnan(e) ? INFINITY : e;
}

/* The angle between two directions in degrees, in [0, 180]. */
static double angle_error(double got, double want)
{
	double d = fmod(fabs(got - want), 360);
	return isnan(d) ? INFINITY : fmin(d, 360 - d);
}

/* Each sequence's channel c of r against the plane wave w[c]. */
static void check_planes(const dk_wave_result *r, const sheet_wave *w,
                         double tol, double degrees, const char *what)
{
	for (size_t c = 0; c < r->C; c++) {
		double es = 0, el = 0, ef = 0, ed = 0;
		int plane = 1;
		for (size_t b = 0; b < r->B; b++) {
			size_t q = b * r->C + c;
			es = fmax(es, relerr(r->speed[q], w[c].speed));
			el = fmax(el, relerr(r->wavelength[q], w[c].lambda));
			ef = fmax(ef, relerr(r->frequency[q], w[c].speed / w[c].lambda));
			ed = fmax(ed, angle_error(r->direction[q], w[c].angle));
			plane &= r->pattern[q] == DK_WAVE_PATTERN_PLANE && r->sense[q] == 0;
		}
		ok(es <= tol && el <= tol && ef <= tol,
		   "%s, %g degrees: speed %g, wavelength %g, frequency within %g%% "
		   "(worst %.2g%%, %.2g%%, %.2g%%)", what, w[c].angle, w[c].speed,
		   w[c].lambda, 100 * tol, 100 * es, 100 * el, 100 * ef);
		ok(ed <= degrees, "%s, %g degrees: direction within %g degrees "
		   "(worst %.2g)", what, w[c].angle, degrees, ed);
		ok(plane, "%s, %g degrees: the pattern is plane, sense 0", what,
		   w[c].angle);
	}
}

/* Plane waves on open 32 x 32 sheets, T = 128: two channels (each its
   own medium), at 0 and 30 degrees, then 135 and 250, wavelengths and
   speeds off every grid.  2% and 2 degrees clean, 5% and 5 degrees at
   SNR 2 (signal variance 1/2, noise variance 1/4): the accuracy asked of
   both methods. */
static void planes(void)
{
	const sheet_wave sets[2][2] = {
		{{PLANE, 0, 8.7, 0.5, 0, 0, 0, 0, 0}, {PLANE, 30, 7.3, 0.61, 0, 0, 0, 0, 0}},
		{{PLANE, 135, 6.2, 0.4, 0, 0, 0, 0, 0}, {PLANE, 250, 9.1, 0.83, 0, 0, 0, 0, 0}},
	};
	for (int m = 0; m < 2; m++)
		for (int set = 0; set < 2; set++)
			for (int noisy = 0; noisy < 2; noisy++) {
				sheet_wave w[2] = {sets[set][0], sets[set][1]};
				w[0].sd = w[1].sd = noisy ? 0.5 : 0;
				dk_wave_states s = make(128, 1, 2, 32, 32, w, 0,
				                        (uint64_t)(10 + 4 * m + 2 * set + noisy));
				dk_wave_result r = analyse(&s, m ? DK_WAVE_PHASE : DK_WAVE_SPECTRAL);
				char what[64];
				snprintf(what, sizeof what, "%s, %s", m ? "phase" : "spectral",
				         noisy ? "SNR 2" : "clean");
				check_planes(&r, w, noisy ? 0.05 : 0.02, noisy ? 5 : 2, what);
				if (!m && !noisy)
					ok(r.traveling[0] > 0.95 && r.traveling[1] > 0.95,
					   "spectral, clean: traveling %g and %g above 0.95",
					   r.traveling[0], r.traveling[1]);
				dk_wave_result_clear(&r);
				dk_wave_states_clear(&s);
			}
}

/* A plane wave that wraps around a torus of 32 rows and 24 columns: 2
   cycles along the columns and -3 along the rows (k = (2/24, -3/32) in
   (col, row), at about 311.6 degrees), speed 0.45. */
static void torus(void)
{
	double kx = 2.0 / 24, ky = -3.0 / 32, k = hypot(kx, ky);
	double deg = atan2(ky, kx) * 180 / M_PI + 360;
	sheet_wave w = {PLANE, deg, 1 / k, 0.45, 0, 0, 0, 0, 0};
	dk_wave_states s = make(128, 1, 1, 32, 24, &w, 1, 30);
	for (int m = 0; m < 2; m++) {
		dk_wave_result r = analyse(&s, m ? DK_WAVE_PHASE : DK_WAVE_SPECTRAL);
		check_planes(&r, &w, 0.02, 2, m ? "phase, torus" : "spectral, torus");
		dk_wave_result_clear(&r);
	}
	dk_wave_states_clear(&s);
}

/* Targets and spirals, clean and at SNR 2, on open 32 x 32 sheets; the
   pattern, its centre within 1.5 units and its sense, by both methods
   (which share the pattern).  An expanding target's crests move away
   from the centre (r = f lambda t + const), a contracting one's toward
   it; a spiral with sgn +1 has its crest at theta = 2 pi (f t - r /
   lambda) + const, turning toward increasing theta: counter-clockwise
   in (col, row), sense +1.  A target or spiral centred in a corner
   sweeps the sheet in much the same direction everywhere (a
   directionality near 0.9), and is still no plane wave. */
static void centred(void)
{
	const sheet_wave w[6] = {
		{TARGET, 0, 6.1, 0.7, 0, 13.3, 17.6, 1, 0},
		{TARGET, 0, 7.5, 0.5, 0, 20.2, 9.9, -1, 0},
		{SPIRAL, 0, 8, 0, 0.07, 15.4, 12.7, 1, 0},
		{SPIRAL, 0, 6, 0, 0.11, 17.4, 16.2, -1, 0},
		{TARGET, 0, 6.1, 0.7, 0, 2.2, 29.4, 1, 0},
		{SPIRAL, 0, 7, 0, 0.08, 1.5, 30.2, 1, 0},
	};
	const char *names[6] = {"expanding target", "contracting target",
	                        "counter-clockwise spiral", "clockwise spiral",
	                        "target in a corner", "spiral in a corner"};
	for (int noisy = 0; noisy < 2; noisy++)
		for (int k = 0; k < 6; k++) {
			sheet_wave v = w[k];
			v.sd = noisy ? 0.5 : 0;
			dk_wave_states s = make(128, 1, 1, 32, 32, &v, 0,
			                        (uint64_t)(40 + 4 * noisy + k));
			for (int m = 0; m < 2; m++) {
				dk_wave_result r = analyse(&s, m ? DK_WAVE_PHASE
				                                 : DK_WAVE_SPECTRAL);
				double want = w[k].kind == TARGET ? DK_WAVE_PATTERN_TARGET
				                                  : DK_WAVE_PATTERN_SPIRAL;
				double worst = 0;
				int right = 1;
				for (size_t b = 0; b < r.B; b++) {
					double d = hypot(r.centre[2 * b] - v.ci,
					                 r.centre[2 * b + 1] - v.cj);
					worst = fmax(worst, isnan(d) ? INFINITY : d);
					right &= r.pattern[b] == want && r.sense[b] == v.sgn;
				}
				ok(right && worst <= 1.5, "%s, %s, %s: pattern %g, sense %g, "
				   "centre (%.2f, %.2f) within 1.5 of (%g, %g) (worst %.2g)",
				   m ? "phase" : "spectral", noisy ? "SNR 2" : "clean",
				   names[k], r.pattern[0], r.sense[0], r.centre[0],
				   r.centre[1], v.ci, v.cj, worst);
				dk_wave_result_clear(&r);
			}
			dk_wave_states_clear(&s);
		}
}

/* Every unit in step: synchrony, no gradient; the phase method's
   wavelength infinite and speed NaN, the spectral method's peak at k =
   0 (infinite wavelength, no direction). */
static void synchrony(void)
{
	sheet_wave w = {SYNCHRONY, 0, 1, 0, 0.0437, 0, 0, 0, 0};
	dk_wave_states s = make(128, 1, 1, 16, 20, &w, 0, 50);
	for (int m = 0; m < 2; m++) {
		dk_wave_result r = analyse(&s, m ? DK_WAVE_PHASE : DK_WAVE_SPECTRAL);
		ok(r.pattern[0] == DK_WAVE_PATTERN_SYNCHRONY && isinf(r.wavelength[0]) &&
		   isnan(r.speed[0]) && isnan(r.direction[0]) && r.sense[0] == 0 &&
		   isnan(r.centre[0]) && relerr(r.frequency[0], 0.0437) < 0.02,
		   "%s, synchrony: pattern %g, wavelength %g, speed %g, direction "
		   "%g, frequency %g", m ? "phase" : "spectral", r.pattern[0],
		   r.wavelength[0], r.speed[0], r.direction[0], r.frequency[0]);
		dk_wave_result_clear(&r);
	}
	dk_wave_states_clear(&s);
}

/* The spectral method's diagonal power on a torus: a clean wave at
   the cone's speed 1 has all its power on the cone, a time-shuffled
   surrogate spreads it evenly over 0 < f < 1/2, of which the cone's
   band of 2 h_t = 4 / T (hann) holds 8 / T: about T / 8 = 16, and above
   8 whatever the window's side lobes leak off.  White noise is as
   likely on the cone as its shuffle: 1, within 20% (thousands of bins).
   A standing wave cos(k . x) cos(2 pi f t) has as much power behind as
   ahead: |traveling| below 0.2, no speed and no direction. */
static void diagonal(void)
{
	double kx = 2.0 / 24, ky = -3.0 / 32, k = hypot(kx, ky);
	sheet_wave w = {PLANE, atan2(ky, kx) * 180 / M_PI, 1 / k, 1, 0, 0, 0, 0, 0};
	dk_wave_states s = make(128, 1, 1, 32, 24, &w, 1, 80);
	dk_wave_result r = analyse(&s, DK_WAVE_SPECTRAL);
	ok(r.diagonal_power[0] > 8 && r.diagonal_power[0] < 32,
	   "a wave at speed 1 on a torus: diagonal power %g, about 16",
	   r.diagonal_power[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
	w = (sheet_wave){SYNCHRONY, 0, 1, 0, 0, 0, 0, 0, 1}; /* sin(0) + noise */
	s = make(128, 1, 1, 32, 24, &w, 1, 81);
	r = analyse(&s, DK_WAVE_SPECTRAL);
	ok(fabs(r.diagonal_power[0] - 1) < 0.2,
	   "white noise on a torus: diagonal power %g, 1 within 20%%",
	   r.diagonal_power[0]);
	dk_wave_result_clear(&r);
	double *x = s.x->data;
	for (size_t t = 0; t < 128; t++)
		for (size_t u = 0; u < 32 * 24; u++)
			x[t * 32 * 24 + u] = cos(2 * M_PI * (kx * (double)(u % 24) +
			                                     ky * (double)(u / 24))) *
			                     cos(2 * M_PI * 0.07 * (double)t);
	r = analyse(&s, DK_WAVE_SPECTRAL);
	ok(fabs(r.traveling[0]) < 0.2 && isnan(r.speed[0]) && isnan(r.direction[0]),
	   "a standing wave: traveling %g, speed %g, direction %g",
	   r.traveling[0], r.speed[0], r.direction[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* A target centred 3 rows above the sheet: a curved front coming in,
   which the sheet sees as a plane wave moving down the rows (its
   directionality about 0.86). */
static void beyond(void)
{
	sheet_wave w = {TARGET, 0, 6.1, 0.7, 0, -3, 16, 1, 0};
	dk_wave_states s = make(128, 1, 1, 32, 32, &w, 0, 90);
	dk_wave_result r = analyse(&s, DK_WAVE_PHASE);
	ok(r.pattern[0] == DK_WAVE_PATTERN_PLANE && angle_error(r.direction[0], 90) < 5,
	   "a target centred beyond the sheet: pattern %g (plane), direction %g "
	   "(90 within 5)", r.pattern[0], r.direction[0]);
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
}

/* White noise, sixteen draws: no pattern and no speed.  Band-passed
   around its own peak, noise has phase singularities that can stay put
   for a long time when the peak is slow (without the rule of coherence
   and resolution two of these draws are spirals); its field neither
   stays nor is resolved from one unit to the next. */
static void noise(void)
{
	sheet_wave w = {SYNCHRONY, 0, 1, 0, 0, 0, 0, 0, 1}; /* sin(0) + noise */
	int none = 1;
	for (uint64_t seed = 0; seed < 16; seed++) {
		dk_wave_states s = make(128, 1, 1, 32, 32, &w, 0, 70 + seed);
		dk_wave_result r = analyse(&s, DK_WAVE_PHASE);
		none &= r.pattern[0] == DK_WAVE_PATTERN_NONE && isnan(r.speed[0]) &&
		        isnan(r.direction[0]) && r.sense[0] == 0;
		if (r.pattern[0] != DK_WAVE_PATTERN_NONE)
			printf("# seed %d: pattern %g\n", (int)seed, r.pattern[0]);
		dk_wave_result_clear(&r);
		dk_wave_states_clear(&s);
	}
	ok(none, "white noise, sixteen draws: pattern none, no speed, no direction");
}

/* The records on sheets: (batch, channel), the centre (batch, channel,
   2), the spectral and phase records each method's. */
static void records(void)
{
	sheet_wave w[3] = {{PLANE, 30, 7.3, 0.61, 0, 0, 0, 0, 0},
	                   {PLANE, 200, 5.3, 0.3, 0, 0, 0, 0, 0},
	                   {PLANE, 100, 6.7, 0.9, 0, 0, 0, 0, 0}};
	dk_wave_states s = make(64, 2, 3, 8, 12, w, 0, 60);
	for (int m = 0; m < 2; m++) {
		dk_wave_result r = analyse(&s, m ? DK_WAVE_PHASE : DK_WAVE_SPECTRAL);
		dk_bundle *b = dk_bundle_alloc();
		is_int(dk_wave_to_bundle(&r, b), DK_OK, "%s: the records are made",
		       m ? "phase" : "spectral");
		const char *names[6] = {DK_NAME_WAVE_SPEED, DK_NAME_WAVE_WAVELENGTH,
		                        DK_NAME_WAVE_FREQUENCY, DK_NAME_WAVE_DIRECTION,
		                        DK_NAME_WAVE_PATTERN, DK_NAME_WAVE_SENSE};
		int shapes = 1;
		for (int k = 0; k < 6; k++) {
			const dk_tensor *t = dk_bundle_get(b, names[k]);
			shapes &= t && t->rank == 2 && t->shape[0] == 2 && t->shape[1] == 3;
		}
		const dk_tensor *t = dk_bundle_get(b, DK_NAME_WAVE_CENTRE);
		shapes &= t && t->rank == 3 && t->shape[0] == 2 && t->shape[1] == 3 &&
		          t->shape[2] == 2;
		ok(shapes, "%s: (batch 2, channel 3), the centre (2, 3, 2)",
		   m ? "phase" : "spectral");
		ok(m ? dk_bundle_get(b, DK_NAME_WAVE_DIRECTIONALITY) &&
		       !dk_bundle_get(b, DK_NAME_WAVE_TRAVELING)
		     : dk_bundle_get(b, DK_NAME_WAVE_DIAGONAL_POWER) &&
		       !dk_bundle_get(b, DK_NAME_WAVE_DIRECTIONALITY),
		   "%s: the method's own records", m ? "phase" : "spectral");
		dk_bundle_free(b);
		dk_wave_result_clear(&r);
	}
	char err[256];
	dk_wave_result r;
	dk_wave_options o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	o.series = 1;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL,
	       "a series on sheets refused: %s", err);
	s.H = 7;
	is_int(dk_wave_run(&s, &o, &r, err, sizeof err), DK_EINVAL,
	       "sheets of 7 x 12 in 96 units refused: %s", err);
	dk_wave_states_clear(&s);
}

/* A states record of shape (T, ...) with the given axes (NULL: none)
   and layout attr (NULL: none), in a new bundle. */
static dk_bundle *bundle(int rank, const size_t *shape, const char *const *axes,
                         const dk_layout *layout)
{
	dk_bundle *b = dk_bundle_alloc();
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape);
	for (size_t k = 0; t && k < t->count; k++)
		((double *)t->data)[k] = sin(0.1 * (double)k);
	json_t *attrs = layout ? json_pack("{s:o}", DK_LAYOUT_ATTR,
	                                   dk_layout_to_json(layout)) : NULL;
	dk_bundle_add_record(b, DK_NAME_STATES, t, axes, axes ? (size_t)rank : 0,
	                     attrs);
	json_decref(attrs);
	return b;
}

/* How sheets are read from a bundle, and the refusals. */
static void input(void)
{
	char err[256] = "";
	dk_wave_states s;
	size_t bare[3] = {16, 6, 10};
	dk_bundle *b = bundle(3, bare, NULL, NULL);
	is_int(dk_wave_states_from_bundle(b, 0, NULL, &s, err, sizeof err), DK_OK,
	       "a bare (time, row, col) array %s", err);
	ok(s.B == 1 && s.C == 1 && s.H == 6 && s.W == 10 && s.n == 60 && s.periodic,
	   "... is one periodic sheet of 6 x 10 units");
	dk_wave_states_clear(&s);
	size_t sheet[2] = {3, 10};
	is_int(dk_wave_states_from_bundle(b, 0, sheet, &s, err, sizeof err), DK_OK,
	       "... and with the sheet 3 x 10 %s", err);
	ok(s.B == 1 && s.C == 2 && s.H == 3 && s.W == 10,
	   "... is two channels of 3 x 10");
	dk_wave_states_clear(&s);
	is_int(dk_wave_states_from_bundle(b, 2, NULL, &s, err, sizeof err), DK_OK,
	       "... and with 2 rings %s", err);
	ok(s.B == 6 && s.C == 2 && s.n == 5 && s.H == 0,
	   "... is (time, batch 6, unit 10) in rings of 5");
	dk_wave_states_clear(&s);
	sheet[0] = 4;
	is_int(dk_wave_states_from_bundle(b, 0, sheet, &s, err, sizeof err),
	       DK_EINVAL, "4 x 10 sheets on 60 units refused");
	ok(strstr(err, "states: sheets of 4 x 10 units do not divide its 60 units") != NULL,
	   "... naming the record: %s", err);
	sheet[0] = 2;
	is_int(dk_wave_states_from_bundle(b, 0, sheet, &s, err, sizeof err),
	       DK_EINVAL, "2 x 10 sheets refused");
	ok(strstr(err, "states: sheets of 2 x 10 units; at least 3 rows") != NULL,
	   "... naming the record: %s", err);
	sheet[0] = 3;
	is_int(dk_wave_states_from_bundle(b, 2, sheet, &s, err, sizeof err),
	       DK_EINVAL, "rings and sheets together refused");
	dk_bundle_free(b);

	size_t thin[3] = {16, 2, 10};
	b = bundle(3, thin, NULL, NULL);
	is_int(dk_wave_states_from_bundle(b, 0, NULL, &s, err, sizeof err),
	       DK_EINVAL, "a bare (16, 2, 10) array refused: %s", err);
	dk_bundle_free(b);

	static const char *const run_axes[3] = {"time", "batch", "unit"};
	size_t runs[3] = {16, 3, 2 * 4 * 5};
	dk_layout l = dk_layout_sheets(2, 4, 5, 0);
	b = bundle(3, runs, run_axes, &l);
	is_int(dk_wave_states_from_bundle(b, 0, NULL, &s, err, sizeof err), DK_OK,
	       "(time, batch, unit) with a [2, 4, 5] layout %s", err);
	ok(s.B == 3 && s.C == 2 && s.H == 4 && s.W == 5 && !s.periodic,
	   "... is 3 sequences of 2 open sheets of 4 x 5");
	dk_wave_states_clear(&s);
	dk_bundle_free(b);
	l = dk_layout_sheets(2, 5, 5, 1);
	b = bundle(3, runs, run_axes, &l);
	is_int(dk_wave_states_from_bundle(b, 0, NULL, &s, err, sizeof err),
	       DK_EINVAL, "a [2, 5, 5] layout on 40 units refused: %s", err);
	dk_bundle_free(b);

	size_t four[4] = {16, 3, 4, 5};
	b = bundle(4, four, NULL, NULL);
	is_int(dk_wave_states_from_bundle(b, 0, NULL, &s, err, sizeof err), DK_OK,
	       "a bare (time, batch, row, col) array %s", err);
	ok(s.B == 3 && s.C == 1 && s.H == 4 && s.W == 5,
	   "... is 3 sequences of one 4 x 5 sheet");
	dk_wave_states_clear(&s);
	dk_bundle_free(b);
}

/* dk_wave_sheet_phase_frame on an open sheet of 16 x 20 units carrying
   a plane wave at 30 degrees, wavelength 6, speed 0.5: its frequency,
   1/12 cycle per step, is bin 8 of the 96 steps' transform, so each
   unit's analytic signal is exp(i (2 pi (f t - k . x) - 0.3)) to
   rounding, and every one of the 15 x 19 cells' gradients is -k: its
   direction within 1e-6 degrees of 30 + 180 and its length within 1e-9
   of 1/6 (rounding is near 1e-13; a wrong sign, axis or pair of units
   is off by degrees); the refusals. */
static void frames(void)
{
	sheet_wave w = {.kind = PLANE, .angle = 30, .lambda = 6, .speed = 0.5};
	dk_wave_states s = make(96, 2, 1, 16, 20, &w, 0, 5);
	dk_wave_options o = dk_wave_options_default();
	double phase[16 * 20], gx[16 * 20], gy[16 * 20];
	char err[256];
	int st = dk_wave_sheet_phase_frame(&s, &o, 1, 0, 48, phase, gx, gy, err,
	                                   sizeof err);
	ok(st == DK_OK, "phase frame of an open sheet: %s", st ? err : "ok");
	double worst = 0, worst_len = 0;
	for (size_t q = 0; q < 15 * 19 && st == DK_OK; q++) {
		double deg = atan2(-gy[q], -gx[q]) * 180 / M_PI;
		worst = fmax(worst, angle_error(deg, 30));
		worst_len = fmax(worst_len, relerr(hypot(gx[q], gy[q]), 1.0 / 6));
	}
	ok(worst < 1e-6 && worst_len < 1e-9, "every cell's -g within 1e-6 degrees "
	   "of 30 (worst %g) and |g| within 1e-9 of 1/6 (worst %g)", worst,
	   worst_len);
	ok(fabs(phase[0]) <= M_PI, "the phase is in (-pi, pi]: %g", phase[0]);
	ok(dk_wave_sheet_phase_frame(&s, &o, 0, 0, 96, phase, gx, gy, err,
	                             sizeof err) == DK_EINVAL && strstr(err, "step"),
	   "step 96 of 96 is refused: %s", err);
	ok(dk_wave_sheet_phase_frame(&s, &o, 2, 0, 0, phase, gx, gy, err,
	                             sizeof err) == DK_EINVAL, "sequence 2 of 2 is "
	   "refused: %s", err);
	o.band = 0.5;
	ok(dk_wave_sheet_phase_frame(&s, &o, 0, 0, 0, phase, gx, gy, err,
	                             sizeof err) == DK_EINVAL && strstr(err, "band"),
	   "band 0.5 is refused: %s", err);
	o = dk_wave_options_default();
	double *P;
	size_t shape[3];
	st = dk_wave_sheet_spectrum(&s, &o, 1, 0, &P, shape, err, sizeof err);
	ok(st == DK_OK && shape[0] == 32 && shape[1] == 40 && shape[2] == 97,
	   "the open sheet's spectrum is 32 x 40 x 97 (pad 2): %zu x %zu x %zu",
	   shape[0], shape[1], shape[2]);
	free(P);
	o.pad = 65;
	ok(dk_wave_sheet_spectrum(&s, &o, 0, 0, &P, shape, err, sizeof err) ==
	   DK_EINVAL && !P && strstr(err, "pad"), "pad 65 is refused: %s", err);
	o = dk_wave_options_default();
	o.method = DK_WAVE_PHASE;
	dk_bundle *b = dk_bundle_alloc();
	ok(dk_wave_spectrum_to_bundle(&s, &o, b, err, sizeof err) == DK_EINVAL &&
	   strstr(err, "method") && dk_bundle_size(b) == 0,
	   "the spectrum of the phase method is refused: %s", err);
	dk_bundle_free(b);
	/* the same states read as rings: no sheet spectrum, no phase frame */
	s.H = s.W = 0;
	ok(dk_wave_sheet_spectrum(&s, &o, 0, 0, &P, shape, err, sizeof err) ==
	   DK_EINVAL, "rings have no sheet spectrum: %s", err);
	ok(dk_wave_sheet_phase_frame(&s, &o, 0, 0, 0, phase, gx, gy, err,
	                             sizeof err) == DK_EINVAL, "rings have no "
	   "phase frame: %s", err);
	dk_wave_states_clear(&s);
}

int main(void)
{
	planes();
	torus();
	centred();
	synchrony();
	noise();
	beyond();
	diagonal();
	records();
	input();
	frames();
	return tap_done();
}
