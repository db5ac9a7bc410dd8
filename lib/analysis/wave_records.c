/*
 * wave_records.c -- the schema of a wave analysis: the result as the
 * wave records, each (batch, ring) with its units, its definition and
 * how the analysis ran (see wave.h).
 */
#include <config.h>

#include <string.h>

#include <jansson.h>

#include "analysis/wave.h"
#include "base/status.h"
#include "stream/names.h"

static int add(dk_bundle *b, const char *name, const double *v,
               const dk_wave_result *r, const json_t *wave,
               const char *units, const char *definition)
{
	static const char *const axes[2] = {"batch", "ring"};
	size_t shape[2] = {r->B, r->C};
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 2, shape);
	if (t)
		memcpy(t->data, v, r->B * r->C * sizeof *v);
	json_t *attrs = json_pack("{s:s, s:s, s:O}", "units", units,
	                          "definition", definition, "wave", wave);
	if (!attrs) {
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, name, t, axes, 2, attrs);
	json_decref(attrs);
	return st;
}

int dk_wave_to_bundle(const dk_wave_result *r, dk_bundle *b)
{
	const dk_wave_options *o = &r->options;
	json_t *wave = json_pack("{s:s, s:s, s:I, s:b, s:I, s:I, s:f, s:f, s:I}",
	        "method", "spectral",
	        "window", dk_wave_window_name(o->window),
	        "pad", (json_int_t)o->pad,
	        "periodic", r->periodic,
	        "steps", (json_int_t)r->T,
	        "units", (json_int_t)r->n,
	        "speed_line", o->speed,
	        "standing", o->standing,
	        "seed", (json_int_t)o->seed);
	if (!wave)
		return DK_ENOMEM;
	int st = add(b, DK_NAME_WAVE_SPEED, r->speed, r, wave, "units per step",
	             "phase velocity -f/k of the k-omega spectrum's refined peak; "
	             "+ toward increasing unit index; NaN when standing or k = 0");
	if (!st)
		st = add(b, DK_NAME_WAVE_WAVELENGTH, r->wavelength, r, wave, "units",
		         "1/|k| at the peak; inf when k = 0");
	if (!st)
		st = add(b, DK_NAME_WAVE_FREQUENCY, r->frequency, r, wave,
		         "cycles per step", "f at the peak, in (0, 1/2)");
	if (!st)
		st = add(b, DK_NAME_WAVE_TRAVELING, r->traveling, r, wave, "1",
		         "(F - B)/(F + B): F the power toward increasing index "
		         "(k < 0 at f > 0), B toward decreasing");
	if (!st)
		st = add(b, DK_NAME_WAVE_DIAGONAL_POWER, r->diagonal_power, r, wave, "1",
		         "fraction of the power on the lines f = V|k| over that "
		         "of a time-shuffled surrogate; V = wave.speed_line");
	json_decref(wave);
	return st;
}
