/*
 * equiv_fshift.c -- the shift of rings and sheets by a real amount (see
 * equiv_fshift.h): one real-to-complex transform of a plane, a phase per
 * Fourier mode, and the transform back.
 *
 * The phases are products of one factor per axis, exp(-i k w s) or, for
 * the Nyquist mode, cos(pi s); each axis's factors are conjugate for k
 * and -k (and real where k = -k), so the product keeps the spectrum
 * Hermitian and the plane real.  The factors are computed from s reduced
 * mod the side, so that a long flow's shift mu t loses no digits to the
 * turns it has made.
 */
#include <config.h>

#include <complex.h>
#include <fftw3.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv_fshift.h"

struct dk_equiv_fshift {
	size_t H, W, K;        /* sides, and W / 2 + 1 columns of the spectrum */
	double *plane;         /* one plane, in and out of the transforms */
	fftw_complex *spec;    /* H x K */
	fftw_complex *fy, *fx; /* the phases per row wavenumber, per column's */
	fftw_plan fwd, back;
};

dk_equiv_fshift *dk_equiv_fshift_alloc(size_t H, size_t W)
{
	if (!H || !W || H > INT_MAX || W > INT_MAX || H > SIZE_MAX / W)
		return NULL;
	dk_equiv_fshift *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->H = H, f->W = W, f->K = W / 2 + 1;
	f->plane = fftw_malloc(H * W * sizeof *f->plane);
	f->spec = fftw_malloc(H * f->K * sizeof *f->spec);
	f->fy = fftw_malloc(H * sizeof *f->fy);
	f->fx = fftw_malloc(f->K * sizeof *f->fx);
	if (f->plane && f->spec && f->fy && f->fx) {
		/* FFTW_ESTIMATE: the plan, and so the bytes, do not depend on
		   timing */
		f->fwd = fftw_plan_dft_r2c_2d((int)H, (int)W, f->plane, f->spec,
		                              FFTW_ESTIMATE);
		f->back = fftw_plan_dft_c2r_2d((int)H, (int)W, f->spec, f->plane,
		                               FFTW_ESTIMATE);
	}
	if (!f->fwd || !f->back) {
		dk_equiv_fshift_free(f);
		return NULL;
	}
	return f;
}

void dk_equiv_fshift_free(dk_equiv_fshift *f)
{
	if (!f)
		return;
	if (f->fwd)
		fftw_destroy_plan(f->fwd);
	if (f->back)
		fftw_destroy_plan(f->back);
	fftw_free(f->plane);
	fftw_free(f->spec);
	fftw_free(f->fy);
	fftw_free(f->fx);
	free(f);
}

/* The factors of an axis of L units for the shift s, for the wavenumbers
   k = 0 .. count - 1 of the spectrum's indexing (index k above L / 2 is
   the wavenumber k - L). */
static void phases(size_t L, size_t count, double s, fftw_complex *out)
{
	double r = fmod(s, (double)L), w = 2 * M_PI / (double)L;
	for (size_t k = 0; k < count; k++) {
		if (2 * k == L) {
			out[k] = cos(M_PI * r);
			continue;
		}
		double kk = 2 * k < L ? (double)k : (double)k - (double)L;
		out[k] = cexp(-I * kk * w * r);
	}
}

void dk_equiv_fshift_apply(dk_equiv_fshift *f, size_t planes, double sx,
                           double sy, const double *in, double *out)
{
	size_t H = f->H, W = f->W, K = f->K, N = H * W;
	phases(W, K, sx, f->fx);
	phases(H, H, H == 1 ? 0 : sy, f->fy);
	double scale = 1 / (double)N;
	for (size_t p = 0; p < planes; p++) {
		memcpy(f->plane, in + p * N, N * sizeof *f->plane);
		fftw_execute(f->fwd);
		for (size_t r = 0; r < H; r++)
			for (size_t k = 0; k < K; k++)
				f->spec[r * K + k] *= f->fy[r] * f->fx[k] * scale;
		fftw_execute(f->back);
		memcpy(out + p * N, f->plane, N * sizeof *out);
	}
}
