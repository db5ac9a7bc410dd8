/*
 * wave_records.c -- the schema of a wave analysis: the result as the
 * wave records of its method, each (batch, ring) (the phase method's
 * series (time, batch, ring)) with its units, its definition and how the
 * analysis ran (see wave.h).
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/wave.h"
#include "base/status.h"
#include "stream/names.h"

/* v as the record name: (batch, ring), or (time, batch, ring) when
   steps > 0; on sheets (batch, channel), or (batch, channel, coord)
   when steps is 2 (the centre). */
static int add_shaped(dk_bundle *b, const char *name, const double *v,
                      size_t steps, const dk_wave_result *r,
                      const json_t *wave, const char *units,
                      const char *definition)
{
	static const char *const ring_axes[3] = {"time", "batch", "ring"};
	static const char *const sheet_axes[3] = {"batch", "channel", "coord"};
	const char *const *axes = r->H ? sheet_axes : ring_axes;
	int rank = steps ? 3 : 2, lead = r->H ? 0 : 3 - rank;
	size_t shape[3] = {steps, r->B, r->C};
	if (r->H)
		shape[0] = r->B, shape[1] = r->C, shape[2] = steps;
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape + lead);
	if (t)
		memcpy(t->data, v, t->count * sizeof *v);
	json_t *attrs = json_pack("{s:s, s:s, s:O}", "units", units,
	                          "definition", definition, "wave", wave);
	if (!attrs) {
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, name, t, axes + lead, rank, attrs);
	json_decref(attrs);
	return st;
}

static int add(dk_bundle *b, const char *name, const double *v,
               const dk_wave_result *r, const json_t *wave,
               const char *units, const char *definition)
{
	return add_shaped(b, name, v, 0, r, wave, units, definition);
}

/* The phase method's records. */
static int phase_records(const dk_wave_result *r, dk_bundle *b,
                         const json_t *wave)
{
	int st = add(b, DK_NAME_WAVE_SPEED, r->speed, r, wave, "units per step",
	             r->H ? "weighted median of the cells' |omega|/|g| "
	             "(instantaneous frequency over phase gradient), >= 0; NaN "
	             "when the pattern is none or synchrony" :
	             "weighted median of the cells' -omega/kappa (instantaneous "
	             "frequency over phase gradient); + toward increasing unit "
	             "index; NaN when |directionality| < wave.standing");
	if (!st)
		st = add(b, DK_NAME_WAVE_WAVELENGTH, r->wavelength, r, wave, "units",
		         r->H ? "weighted median of the cells' 1/|g|"
		              : "weighted median of the cells' 1/|kappa|");
	if (!st)
		st = add(b, DK_NAME_WAVE_FREQUENCY, r->frequency, r, wave,
		         "cycles per step",
		         "weighted median of the cells' instantaneous frequency omega");
	if (!st)
		st = add(b, DK_NAME_WAVE_DIRECTIONALITY, r->directionality, r, wave,
		         "1", r->H ? "|sum of w u| over sum of w, u the cells' "
		         "unit propagation directions and w their mean analytic "
		         "amplitude: 1 for a plane wave, near 0 for a target or "
		         "spiral about the middle" : "sum of w sign(speed) over sum of w, the cells' "
		         "weights w their mean analytic amplitude: +1 toward "
		         "increasing index, -1 toward decreasing, near 0 standing");
	if (!st)
		st = add(b, DK_NAME_WAVE_SPEED_SPREAD, r->speed_spread, r, wave,
		         "units per step", "weighted interquartile range of the "
		         "cells' speeds");
	if (!st)
		st = add(b, DK_NAME_WAVE_WAVELENGTH_SPREAD, r->wavelength_spread, r,
		         wave, "units", "weighted interquartile range of the cells' "
		         "wavelengths");
	if (!st)
		st = add(b, DK_NAME_WAVE_FREQUENCY_SPREAD, r->frequency_spread, r,
		         wave, "cycles per step", "weighted interquartile range of "
		         "the cells' frequencies");
	if (!st)
		st = add(b, DK_NAME_WAVE_NEGATIVE_FREQUENCY, r->negative_frequency, r,
		         wave, "1", "fraction of the units' steps whose "
		         "instantaneous frequency is negative (after the "
		         "generalized phase's correction when wave.generalized)");
	if (!st && r->speed_series)
		st = add_shaped(b, DK_NAME_WAVE_SPEED_SERIES, r->speed_series,
		                r->T - 1, r, wave, "units per step",
		                "weighted median speed of the cells of step t -> "
		                "t + 1; NaN in the margins and when the ring's speed "
		                "is NaN");
	return st;
}

/* The records of both methods on sheets that the rings do not have. */
static int sheet_records(const dk_wave_result *r, dk_bundle *b,
                         const json_t *wave)
{
	int st = add(b, DK_NAME_WAVE_DIRECTION, r->direction, r, wave, "degrees",
	             "direction of propagation in [0, 360), from the column "
	             "axis toward the row axis: 0 toward increasing column, 90 "
	             "toward increasing row; NaN when the speed is (spectral) or "
	             "the pattern is not plane (phase)");
	if (!st)
		st = add(b, DK_NAME_WAVE_PATTERN, r->pattern, r, wave, "1",
		         "pattern of the phase-gradient field: 0 none, 1 plane, 2 "
		         "target, 3 spiral, 4 synchrony");
	if (!st)
		st = add_shaped(b, DK_NAME_WAVE_CENTRE, r->centre, 2, r, wave,
		                "units", "(row, col) of a target's or spiral's "
		                "centre, unit (i, j) at (i, j); NaN for the other "
		                "patterns");
	if (!st)
		st = add(b, DK_NAME_WAVE_SENSE, r->sense, r, wave, "1",
		         "+1 an expanding target or a spiral turning "
		         "counter-clockwise in (col, row), -1 the other way, 0 "
		         "for the other patterns");
	return st;
}

int dk_wave_to_bundle(const dk_wave_result *r, dk_bundle *b)
{
	const dk_wave_options *o = &r->options;
	json_t *wave;
	if (o->method == DK_WAVE_PHASE)
		wave = json_pack("{s:s, s:f, s:b, s:b, s:I, s:I, s:f}",
		        "method", dk_wave_method_name(o->method),
		        "band", o->band,
		        "generalized", o->generalized,
		        "periodic", r->periodic,
		        "steps", (json_int_t)r->T,
		        "units", (json_int_t)r->n,
		        "standing", o->standing);
	else
		wave = json_pack("{s:s, s:s, s:I, s:b, s:I, s:I, s:f, s:f, s:I, s:I}",
		        "method", dk_wave_method_name(o->method),
		        "window", dk_wave_window_name(o->window),
		        "pad", (json_int_t)o->pad,
		        "periodic", r->periodic,
		        "steps", (json_int_t)r->T,
		        "units", (json_int_t)r->n,
		        "speed_line", o->speed,
		        "standing", o->standing,
		        "seed", (json_int_t)o->seed,
		        "window_steps", (json_int_t)o->window_steps);
	if (wave && o->method == DK_WAVE_PHASE && o->window_steps &&
	    json_object_set_new(wave, "window_steps",
	                        json_integer((json_int_t)o->window_steps)) +
	    json_object_set_new(wave, "quantiles", json_string(
	                        r->histogram ? "histogram" : "exact")) +
	    json_object_set_new(wave, "quantile_error", json_real(
	                        r->histogram ? ldexp(1, -8) : 0))) {
		json_decref(wave);
		wave = NULL;
	}
	if (wave && r->H &&
	    json_object_set_new(wave, "rows", json_integer((json_int_t)r->H)) +
	    json_object_set_new(wave, "cols", json_integer((json_int_t)r->W))) {
		json_decref(wave);
		wave = NULL;
	}
	if (!wave)
		return DK_ENOMEM;
	if (o->method == DK_WAVE_PHASE) {
		int st = phase_records(r, b, wave);
		if (!st && r->H)
			st = sheet_records(r, b, wave);
		json_decref(wave);
		return st;
	}
	int st = add(b, DK_NAME_WAVE_SPEED, r->speed, r, wave, "units per step",
	             r->H ? "phase velocity f/|k| of the k-omega spectrum's "
	             "refined peak, along wave/direction; NaN when traveling < "
	             "wave.standing or k = 0"
	             : "phase velocity -f/k of the k-omega spectrum's refined peak; "
	             "+ toward increasing unit index; NaN when standing or k = 0");
	if (!st)
		st = add(b, DK_NAME_WAVE_WAVELENGTH, r->wavelength, r, wave, "units",
		         "1/|k| at the peak; inf when k = 0");
	if (!st)
		st = add(b, DK_NAME_WAVE_FREQUENCY, r->frequency, r, wave,
		         "cycles per step", "f at the peak, in (0, 1/2)");
	if (!st)
		st = add(b, DK_NAME_WAVE_TRAVELING, r->traveling, r, wave, "1",
		         r->H ? "(F - B)/(F + B): F the power travelling into the "
		         "half-plane of wave/direction, B out of it"
		         : "(F - B)/(F + B): F the power toward increasing index "
		         "(k < 0 at f > 0), B toward decreasing");
	if (!st)
		st = add(b, DK_NAME_WAVE_DIAGONAL_POWER, r->diagonal_power, r, wave, "1",
		         "fraction of the power on the lines f = V|k| over that "
		         "of a time-shuffled surrogate; V = wave.speed_line");
	if (!st && r->H)
		st = sheet_records(r, b, wave);
	json_decref(wave);
	return st;
}

int dk_wave_options_from_attrs(const json_t *attrs, dk_wave_options *o,
                               char *err, size_t errlen)
{
	const json_t *w = json_object_get(attrs, "wave");
	if (!w)
		return DK_OK;
	if (!json_is_object(w))
		return dk_errorf(DK_EMETA, err, errlen, "attrs: wave is not an object");
	const json_t *win = json_object_get(w, "window"), *pad = json_object_get(w, "pad");
	const json_t *per = json_object_get(w, "periodic");
	if (win && (!json_is_string(win) ||
	            dk_wave_window_from_name(json_string_value(win), &o->window)))
		return dk_errorf(DK_EMETA, err, errlen, "attrs: wave.window is not hann "
		                 "or none");
	if (pad && (!json_is_integer(pad) || json_integer_value(pad) < 1 ||
	            json_integer_value(pad) > 64))
		return dk_errorf(DK_EMETA, err, errlen, "attrs: wave.pad is not a whole "
		                 "number from 1 to 64");
	if (per && !json_is_boolean(per))
		return dk_errorf(DK_EMETA, err, errlen, "attrs: wave.periodic is not "
		                 "true or false");
	const json_t *band = json_object_get(w, "band");
	const json_t *gen = json_object_get(w, "generalized");
	if (band && (!json_is_number(band) ||
	             !(json_number_value(band) == 0 ||
	               (json_number_value(band) > 1 && json_number_value(band) <= 64))))
		return dk_errorf(DK_EMETA, err, errlen, "attrs: wave.band is not 0 "
		                 "or a number above 1 and at most 64");
	if (gen && !json_is_boolean(gen))
		return dk_errorf(DK_EMETA, err, errlen, "attrs: wave.generalized is "
		                 "not true or false");
	if (pad)
		o->pad = (size_t)json_integer_value(pad);
	if (per)
		o->open = !json_is_true(per);
	if (band)
		o->band = json_number_value(band);
	if (gen)
		o->generalized = json_is_true(gen);
	return DK_OK;
}
