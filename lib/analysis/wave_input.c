/*
 * wave_input.c -- the states dk-wave analyses, found in a stream, and
 * their rings: from an override, the layout in their attrs, or one ring
 * (see wave.h).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/points.h"
#include "analysis/wave.h"
#include "base/status.h"
#include "stream/layout.h"
#include "stream/names.h"

/* The rings of N units: from rings, else the layout in meta, else one. */
static int rings_of(const dk_meta *meta, size_t rings, size_t N,
                    const char *nm, dk_wave_states *s, char *err,
                    size_t errlen)
{
	s->C = 1, s->n = N, s->periodic = 1;
	const json_t *attrs = meta ? dk_meta_attrs(meta) : NULL;
	const json_t *lj = attrs ? json_object_get(attrs, DK_LAYOUT_ATTR) : NULL;
	if (rings > 0) {
		if (N % rings)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: %zu rings do not divide its %zu units",
			                 nm, rings, N);
		s->C = rings, s->n = N / rings;
	} else if (lj) {
		dk_layout l;
		char why[160];
		if (dk_layout_from_json(lj, &l, why, sizeof why))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: %s", nm, why);
		if (l.rank == 3)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: a sheet layout (%zu x %zu x %zu); only rings "
			                 "are analysed so far", nm, l.shape[0],
			                 l.shape[1], l.shape[2]);
		if (dk_layout_units(&l) != N)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: the layout covers %zu units, the states "
			                 "have %zu", nm, dk_layout_units(&l), N);
		s->C = l.rank == 2 ? l.shape[0] : 1;
		s->n = l.shape[l.rank - 1];
		s->periodic = l.periodic[l.rank - 1];
	}
	if (s->n < 3)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: rings of %zu units; at least 3 are needed",
		                 nm, s->n);
	return DK_OK;
}

int dk_wave_states_from_bundle(const dk_bundle *b, size_t rings,
                               dk_wave_states *s, char *err, size_t errlen)
{
	*s = (dk_wave_states){0};
	static const char *const names[] = {DK_NAME_STATES};
	long i = dk_points_find(b, names, 1, err, errlen);
	if (i < 0)
		return DK_EINVAL;
	const char *nm0 = dk_bundle_name(b, (size_t)i);
	char nm[64];
	snprintf(nm, sizeof nm, "%s", *nm0 ? nm0 : DK_NAME_STATES);
	const dk_tensor *t = dk_bundle_tensor(b, (size_t)i);
	const dk_meta *meta = dk_bundle_meta(b, (size_t)i);
	const json_t *axes = meta ? dk_meta_axes(meta) : NULL;
	const char *a0 = axes ? json_string_value(json_array_get(axes, 0)) : NULL;
	if (t->rank != 2 && t->rank != 3)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: no time axis: rank %d, not (time, unit) or "
		                 "(time, batch, unit)", nm, t->rank);
	if (a0 && strcmp(a0, "time"))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: no time axis: its first axis is '%s'", nm, a0);
	if (t->dtype == DK_C16 || t->dtype == DK_BYTES)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: states must be real, not %s", nm,
		                 dk_dtype_name(t->dtype));
	size_t T = t->shape[0], B = t->rank == 3 ? t->shape[1] : 1;
	size_t N = t->shape[t->rank - 1];
	if (T < DK_WAVE_MIN_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: %zu time steps; at least %d are needed",
		                 nm, T, DK_WAVE_MIN_STEPS);
	if (B == 0 || N == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no states", nm);
	int st = rings_of(meta, rings, N, nm, s, err, errlen);
	if (st)
		return st;
	if ((st = dk_tensor_convert(t, DK_F8, &s->x)))
		return dk_errorf(st, err, errlen, "%s: cannot convert %s to f8",
		                 nm, dk_dtype_name(t->dtype));
	const double *v = s->x->data;
	for (size_t k = 0; k < s->x->count; k++)
		if (!isfinite(v[k])) {
			dk_wave_states_clear(s);
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: a value that is not finite at time %zu, "
			                 "batch %zu, unit %zu", nm, k / (B * N),
			                 k / N % B, k % N);
		}
	s->T = T, s->B = B;
	snprintf(s->name, sizeof s->name, "%s", nm);
	return DK_OK;
}

void dk_wave_states_clear(dk_wave_states *s)
{
	dk_tensor_free(s->x);
	*s = (dk_wave_states){0};
}
