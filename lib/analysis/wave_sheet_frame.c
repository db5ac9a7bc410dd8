/*
 * wave_sheet_frame.c -- one step of a sheet's phase field, for pictures:
 * each unit's phase from the analytic signal the phase method computes
 * (wave_phase.c: band and generalized phase as the options say) and the
 * phase gradient of each cell of 2 x 2 units at that step (see wave.h).
 */
#include <config.h>

#include <complex.h>
#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"
#include "base/status.h"

int dk_wave_sheet_phase_frame(const dk_wave_states *s, const dk_wave_options *o,
                              size_t b, size_t c, size_t step, double *phase,
                              double *gx, double *gy, char *err, size_t errlen)
{
	if (!s->H)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: the phase frame is of sheets, not rings", s->name);
	if (!(o->band == 0 || (o->band > 1 && o->band <= 64)))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "band must be 0 or above 1 and at most 64, not %g",
		                 o->band);
	if (b >= s->B || c >= s->C)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no sequence %zu, sheet "
		                 "%zu in %zu sequences of %zu sheets", s->name, b, c,
		                 s->B, s->C);
	if (step >= s->T)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no step %zu in %zu",
		                 s->name, step, s->T);
	if (s->T < DK_WAVE_MIN_STEPS || s->H < DK_WAVE_MIN_SIDE ||
	    s->W < DK_WAVE_MIN_SIDE || s->T >= (size_t)INT_MAX ||
	    s->n >= (size_t)INT_MAX)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu steps of %zu x %zu "
		                 "sheets: at least %d steps and %d rows and columns "
		                 "are needed, and fewer than 2^31 of each", s->name, s->T, s->H, s->W,
		                 DK_WAVE_MIN_STEPS, DK_WAVE_MIN_SIDE);
	size_t T = s->T, H = s->H, W = s->W;
	int periodic = s->periodic && !o->open;
	size_t cy = periodic ? H : H - 1, cx = periodic ? W : W - 1;
	dk_wave_analytic an;
	int st = dk_wave_analytic_alloc(&an, T, H * W, 0);
	if (st) {
		dk_wave_analytic_free(&an);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	dk_wave_raster(s, b, c, an.a);
	if (!(dk_wave_analytic_run(&an, o) > 0)) {
		dk_wave_analytic_free(&an);
		return dk_errorf(DK_EINVAL, err, errlen, "%s: sequence %zu, sheet "
		                 "%zu is constant: it has no phase", s->name, b, c);
	}
	const double complex *z = (const double complex *)an.z;
	for (size_t u = 0; u < H * W; u++)
		phase[u] = carg(z[u * T + step]);
	/* the cell's two pairs along each axis, as the phase method sums
	   them over the steps, at this step alone */
	for (size_t i = 0; i < cy; i++)
		for (size_t j = 0; j < cx; j++) {
			size_t i1 = (i + 1) % H, j1 = (j + 1) % W;
			double complex a = z[(i * W + j) * T + step];
			double complex bx = z[(i * W + j1) * T + step];
			double complex cy1 = z[(i1 * W + j) * T + step];
			double complex d = z[(i1 * W + j1) * T + step];
			gx[i * cx + j] = carg(bx * conj(a) + d * conj(cy1)) / (2 * M_PI);
			gy[i * cx + j] = carg(cy1 * conj(a) + d * conj(bx)) / (2 * M_PI);
		}
	dk_wave_analytic_free(&an);
	return DK_OK;
}
