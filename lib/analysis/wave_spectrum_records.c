/*
 * wave_spectrum_records.c -- the k-omega power spectra of dk-wave
 * --spectrum as records: each (sequence, ring or sheet)'s spectrum as
 * the spectral method computes it (dk_wave_spectrum on rings,
 * dk_wave_sheet_spectrum on sheets), its wavenumber axes put in
 * increasing order, and the values of its axes beside it (see wave.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"
#include "stream/names.h"

/* The FFT bin of the i-th wavenumber in increasing order, of np: the
   most negative, above -1/2, first and 1/2 itself (np even) last. */
static size_t bin_of(size_t i, size_t np)
{
	return (i + np / 2 + 1) % np;
}

/* A record of one axis's len values v(i) with its units and meaning. */
static int add_axis(dk_bundle *b, const char *name, const char *axis,
                    size_t len, size_t np, int is_k, const json_t *wave,
                    const char *units, const char *definition)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 1, &len);
	if (!t)
		return DK_ENOMEM;
	double *v = t->data;
	for (size_t i = 0; i < len; i++)
		v[i] = is_k ? dk_wave_wavenumber(bin_of(i, np), np)
		            : (double)i / (double)(2 * (len - 1));
	json_t *attrs = json_pack("{s:s, s:s, s:O}", "units", units,
	                          "definition", definition, "wave", wave);
	if (!attrs) {
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	const char *axes[1] = {axis};
	int st = dk_bundle_add_record(b, name, t, axes, 1, attrs);
	json_decref(attrs);
	return st;
}

/* The spectrum of sequence b and medium c: its power P and its shape
   (ny x nx x nf; rings ny = 1). */
static int one(const dk_wave_states *s, const dk_wave_options *o, size_t b,
               size_t c, double **P, size_t shape[3], char *err,
               size_t errlen)
{
	if (s->H)
		return dk_wave_sheet_spectrum(s, o, b, c, P, shape, err, errlen);
	shape[0] = 1;
	return dk_wave_spectrum(s, o, b, c, P, &shape[1], &shape[2], err, errlen);
}

/* Copy P (ny x nx x nf, FFT order) into out with both wavenumber axes
   in increasing order. */
static void reorder(const double *P, const size_t shape[3], double *out)
{
	size_t ny = shape[0], nx = shape[1], nf = shape[2];
	for (size_t iy = 0; iy < ny; iy++) {
		size_t jy = ny > 1 ? bin_of(iy, ny) : 0;
		for (size_t ix = 0; ix < nx; ix++)
			memcpy(out + (iy * nx + ix) * nf,
			       P + (jy * nx + bin_of(ix, nx)) * nf, nf * sizeof *P);
	}
}

int dk_wave_spectrum_to_bundle(const dk_wave_states *s,
                               const dk_wave_options *o, dk_bundle *b,
                               char *err, size_t errlen)
{
	if (o->method != DK_WAVE_SPECTRAL)
		return dk_errorf(DK_EINVAL, err, errlen, "method: the spectrum is "
		                 "the spectral method's, not the %s method's",
		                 dk_wave_method_name(o->method));
	if (o->window_steps)
		return dk_errorf(DK_EINVAL, err, errlen, "window_steps: the spectrum "
		                 "is of all steps at once, not of windows");
	double *P = NULL;
	size_t shape[3];
	int st = one(s, o, 0, 0, &P, shape, err, errlen);
	if (st)
		return st;
	/* (batch, medium, [row_wavenumber,] wavenumber, frequency) */
	int sheets = s->H > 0, rank = sheets ? 5 : 4;
	size_t full[5] = {s->B, s->C, shape[0], shape[1], shape[2]}, count;
	if (!sheets)
		full[2] = shape[1], full[3] = shape[2];
	if (dk_shape_count(rank, full, sizeof(double), &count)) {
		free(P);
		return dk_errorf(DK_ELIMIT, err, errlen, "%s: %zu sequences of %zu "
		                 "spectra of %zu x %zu x %zu bins are too many",
		                 s->name, s->B, s->C, shape[0], shape[1], shape[2]);
	}
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, full);
	if (!t) {
		free(P);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	size_t per = shape[0] * shape[1] * shape[2];
	double *out = t->data;
	for (size_t q = 0; q < s->B * s->C && !st; q++) {
		if (q > 0)
			st = one(s, o, q / s->C, q % s->C, &P, shape, err, errlen);
		if (!st)
			reorder(P, shape, out + q * per);
		free(P);
		P = NULL;
	}
	if (st) {
		dk_tensor_free(t);
		return st;
	}
	int periodic = s->periodic && !o->open;
	json_t *wave = json_pack("{s:s, s:s, s:I, s:b, s:I, s:I}",
	        "method", dk_wave_method_name(o->method),
	        "window", dk_wave_window_name(o->window),
	        "pad", (json_int_t)o->pad, "periodic", periodic,
	        "steps", (json_int_t)s->T, "units", (json_int_t)s->n);
	if (wave && sheets &&
	    json_object_set_new(wave, "rows", json_integer((json_int_t)s->H)) +
	    json_object_set_new(wave, "cols", json_integer((json_int_t)s->W))) {
		json_decref(wave);
		wave = NULL;
	}
	json_t *attrs = wave ? json_pack("{s:s, s:s, s:O}",
	        "units", "squared units of the states",
	        "definition", "|X|^2, X the Fourier transform over space and time "
	        "of the raster with each unit's mean removed, windowed along time "
	        "(and space when open) and zero-padded; a wave cos(2 pi (k.x - f "
	        "t)) puts its power at wavenumber -k, frequency f", "wave", wave)
	                         : NULL;
	static const char *const ring_axes[4] = {"batch", "ring", "wavenumber",
	                                         "frequency"};
	static const char *const sheet_axes[5] = {"batch", "channel",
	        "row_wavenumber", "col_wavenumber", "frequency"};
	st = attrs ? dk_bundle_add_record(b, DK_NAME_WAVE_SPECTRUM, t,
	                                  sheets ? sheet_axes : ring_axes, (size_t)rank,
	                                  attrs)
	           : DK_ENOMEM;
	if (!attrs)
		dk_tensor_free(t);
	json_decref(attrs);
	const char *k_units = "cycles per unit";
	if (!st && sheets)
		st = add_axis(b, DK_NAME_WAVE_ROW_WAVENUMBER, "row_wavenumber",
		              full[2], full[2], 1, wave, k_units,
		              "row wavenumber of wave/spectrum's axis, increasing");
	if (!st)
		st = add_axis(b, sheets ? DK_NAME_WAVE_COL_WAVENUMBER
		                        : DK_NAME_WAVE_WAVENUMBER,
		              sheets ? "col_wavenumber" : "wavenumber",
		              full[rank - 2], full[rank - 2], 1, wave, k_units,
		              sheets ? "column wavenumber of wave/spectrum's axis, "
		                       "increasing"
		                     : "wavenumber of wave/spectrum's axis, increasing");
	if (!st)
		st = add_axis(b, DK_NAME_WAVE_SPECTRUM_FREQUENCY, "frequency",
		              full[rank - 1], 0, 0, wave, "cycles per step",
		              "frequency of wave/spectrum's last axis, 0 to 1/2");
	json_decref(wave);
	if (st)
		return dk_errorf(st, err, errlen, "out of memory");
	return DK_OK;
}
