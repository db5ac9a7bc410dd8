/*
 * wave_input.c -- the states dk-wave analyses, found in a stream, and
 * their rings or sheets: from an override, the layout in their attrs,
 * the shape of a bare array, or one ring (see wave.h).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/points.h"
#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"
#include "stream/layout.h"
#include "stream/names.h"

/* Sheets of h x w units dividing N, into s. */
static int sheets_of(size_t h, size_t w, size_t N, int periodic,
                     const char *nm, dk_wave_states *s, char *err,
                     size_t errlen)
{
	if (h < DK_WAVE_MIN_SIDE || w < DK_WAVE_MIN_SIDE)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: sheets of %zu x %zu units; at least %d rows "
		                 "and %d columns are needed", nm, h, w,
		                 DK_WAVE_MIN_SIDE, DK_WAVE_MIN_SIDE);
	if (h > N || w > N / h || N % (h * w))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: sheets of %zu x %zu units do not divide its "
		                 "%zu units", nm, h, w, N);
	s->C = N / (h * w), s->n = h * w, s->H = h, s->W = w;
	s->periodic = periodic;
	return DK_OK;
}

/* The rings or sheets of N units: from rings or sheet, else the layout
   in meta, else the grid (h, w) of the tensor's shape (h = 0: none),
   else one ring. */
static int media_of(const dk_meta *meta, size_t rings, const size_t *sheet,
                    size_t h, size_t w, size_t N, const char *nm,
                    dk_wave_states *s, char *err, size_t errlen)
{
	s->C = 1, s->n = N, s->periodic = 1;
	const json_t *attrs = meta ? dk_meta_attrs(meta) : NULL;
	const json_t *lj = attrs ? json_object_get(attrs, DK_LAYOUT_ATTR) : NULL;
	if (rings > 0 && sheet)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: either rings or sheets, not both", nm);
	if (rings > 0) {
		if (N % rings)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: %zu rings do not divide its %zu units",
			                 nm, rings, N);
		s->C = rings, s->n = N / rings;
	} else if (sheet) {
		return sheets_of(sheet[0], sheet[1], N, 1, nm, s, err, errlen);
	} else if (lj) {
		dk_layout l;
		char why[160];
		if (dk_layout_from_json(lj, &l, why, sizeof why))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: %s", nm, why);
		if (dk_layout_units(&l) != N)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: the layout covers %zu units, the states "
			                 "have %zu", nm, dk_layout_units(&l), N);
		if (l.rank == 3)
			return sheets_of(l.shape[1], l.shape[2], N,
			                 l.periodic[1] && l.periodic[2], nm, s, err,
			                 errlen);
		s->C = l.rank == 2 ? l.shape[0] : 1;
		s->n = l.shape[l.rank - 1];
		s->periodic = l.periodic[l.rank - 1];
	} else if (h > 0) {
		return sheets_of(h, w, N, 1, nm, s, err, errlen);
	}
	if (s->n < 3)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: rings of %zu units; at least 3 are needed",
		                 nm, s->n);
	return DK_OK;
}

/* Axis k's name, or NULL. */
static const char *axis(const json_t *axes, size_t k)
{
	return axes ? json_string_value(json_array_get(axes, k)) : NULL;
}

int dk_wave_states_describe(const char *nm, const dk_meta *meta,
                            dk_dtype dtype, int rank, const size_t *shape,
                            size_t rings, const size_t *sheet,
                            dk_wave_states *s, char *err, size_t errlen)
{
	*s = (dk_wave_states){0};
	const json_t *axes = meta ? dk_meta_axes(meta) : NULL;
	const json_t *attrs = meta ? dk_meta_attrs(meta) : NULL;
	const char *a0 = axis(axes, 0);
	if (sheet && !(sheet[0] > 0 && sheet[1] > 0))
		sheet = NULL;
	if (rank < 2 || rank > 4)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: no time axis: rank %d, not (time, unit), "
		                 "(time, batch, unit), (time, row, col) or (time, "
		                 "batch, row, col)", nm, rank);
	if (a0 && strcmp(a0, "time"))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: no time axis: its first axis is '%s'", nm, a0);
	if (dtype == DK_C16 || dtype == DK_BYTES)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: states must be real, not %s", nm,
		                 dk_dtype_name(dtype));
	/* a rank-3 tensor is a sheet when its axes say so, or when nothing
	   says otherwise (no axes, no layout, no rings) */
	const char *a1 = axis(axes, 1), *a2 = axis(axes, 2);
	int grid = rank == 4 ||
	           (rank == 3 && (axes ? a1 && a2 && !strcmp(a1, "row") &&
	                                 !strcmp(a2, "col")
	                               : !(attrs && json_object_get(attrs,
	                                   DK_LAYOUT_ATTR)) && rings == 0));
	size_t T = shape[0], B = rank == 4 || (rank == 3 && !grid)
	                         ? shape[1] : 1;
	size_t h = grid ? shape[rank - 2] : 0;
	size_t w = grid ? shape[rank - 1] : 0;
	size_t N = grid ? h * w : shape[rank - 1];
	if (T < DK_WAVE_MIN_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: %zu time steps; at least %d are needed",
		                 nm, T, DK_WAVE_MIN_STEPS);
	if (B == 0 || N == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no states", nm);
	int st = media_of(meta, rings, sheet, h, w, N, nm, s, err, errlen);
	if (st)
		return st;
	s->T = T, s->B = B;
	snprintf(s->name, sizeof s->name, "%s", nm);
	return DK_OK;
}

int dk_wave_states_from_bundle(const dk_bundle *b, size_t rings,
                               const size_t *sheet, dk_wave_states *s,
                               char *err, size_t errlen)
{
	*s = (dk_wave_states){0};
	static const char *const names[] = {DK_NAME_STATES};
	long i = dk_points_find(b, names, 1, err, errlen);
	if (i < 0)
		return DK_EINVAL;
	return dk_wave_states_from_record(b, (size_t)i, rings, sheet, s, err,
	                                  errlen);
}

int dk_wave_states_from_record(const dk_bundle *b, size_t i, size_t rings,
                               const size_t *sheet, dk_wave_states *s,
                               char *err, size_t errlen)
{
	*s = (dk_wave_states){0};
	if (i >= dk_bundle_size(b))
		return dk_errorf(DK_EINVAL, err, errlen, "no record %zu in %zu", i,
		                 dk_bundle_size(b));
	const char *nm0 = dk_bundle_name(b, i);
	char nm[64];
	snprintf(nm, sizeof nm, "%s", *nm0 ? nm0 : DK_NAME_STATES);
	const dk_tensor *t = dk_bundle_tensor(b, i);
	int st = dk_wave_states_describe(nm, dk_bundle_meta(b, i),
	                                 t->dtype, t->rank, t->shape, rings,
	                                 sheet, s, err, errlen);
	if (st)
		return st;
	size_t B = s->B, N = s->C * s->n;
	/* f8 states are read where they are: a copy would double the
	   memory of a long recording */
	if (t->dtype == DK_F8)
		s->view = t;
	else if ((st = dk_tensor_convert(t, DK_F8, &s->x)))
		return dk_errorf(st, err, errlen, "%s: cannot convert %s to f8",
		                 nm, dk_dtype_name(t->dtype));
	const double *v = dk_wave_values(s);
	for (size_t k = 0; k < t->count; k++)
		if (!isfinite(v[k])) {
			dk_wave_states_clear(s);
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: a value that is not finite at time %zu, "
			                 "batch %zu, unit %zu", nm, k / (B * N),
			                 k / N % B, k % N);
		}
	return DK_OK;
}

void dk_wave_states_clear(dk_wave_states *s)
{
	dk_tensor_free(s->x);
	*s = (dk_wave_states){0};
}
