/*
 * drum_sound.c -- one drum rung and heard (drum.h): the wave equation
 * inside a mask by the sheet models' symplectic Euler step, the
 * recording of its sum over the inside, and the strongest frequencies of
 * that recording, found in its padded, windowed spectrum (FFTW) and
 * refined by the wave analysis's search of the transform's maximum.
 *
 * Only the pixels inside move; the ones outside stay 0, so a step costs
 * the inside's pixels, not the sheet's.
 */
#include <config.h>

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wave_internal.h"
#include "base/status.h"
#include "train/drum.h"
#include "train/task_impl.h"

/* The recording is padded to PAD times its length: peaks are found to a
   quarter bin before they are refined. */
#define PAD 4
/* A peak is the largest value within the Hann window's main lobe, two
   bins (2 PAD padded bins) either side: a sidelobe always has a larger
   neighbour within one bin, towards its own peak, so none is taken. */
#define LOBE (2 * PAD)
/* Peaks weaker than this fraction of the strongest's power are rounding,
   not modes. */
#define FLOOR 1e-20

struct dk_drum_work {
	size_t H, W, T, Tp, nf;
	double *y, *z;            /* H W: displacement and velocity */
	size_t *inside;           /* H W: the inside pixels' indices */
	double *rec, *win;        /* T: the recording, the window */
	double complex *c;        /* T: the windowed recording */
	double *in;               /* Tp: the padded recording */
	fftw_complex *out;        /* nf = Tp / 2 + 1 */
	double *power;            /* nf */
	fftw_plan plan;
};

void dk_drum_work_free(dk_drum_work *w)
{
	if (!w)
		return;
	if (w->plan)
		fftw_destroy_plan(w->plan);
	fftw_free(w->in);
	fftw_free(w->out);
	free(w->y);
	free(w->z);
	free(w->inside);
	free(w->rec);
	free(w->win);
	free(w->c);
	free(w->power);
	free(w);
}

int dk_drum_work_alloc(dk_drum_work **out, size_t H, size_t W, size_t T)
{
	*out = NULL;
	if (!H || !W || T < 2 || H > SIZE_MAX / W || T > SIZE_MAX / PAD / sizeof(double))
		return DK_EINVAL;
	dk_drum_work *w = calloc(1, sizeof *w);
	if (!w)
		return DK_ENOMEM;
	*w = (dk_drum_work){.H = H, .W = W, .T = T, .Tp = PAD * T};
	w->nf = w->Tp / 2 + 1;
	w->y = calloc(H * W, sizeof *w->y);
	w->z = calloc(H * W, sizeof *w->z);
	w->inside = malloc(H * W * sizeof *w->inside);
	w->rec = malloc(T * sizeof *w->rec);
	w->win = malloc(T * sizeof *w->win);
	w->c = malloc(T * sizeof *w->c);
	w->power = malloc(w->nf * sizeof *w->power);
	w->in = fftw_alloc_real(w->Tp);
	w->out = fftw_alloc_complex(w->nf);
	if (w->y && w->z && w->inside && w->rec && w->win && w->c && w->power &&
	    w->in && w->out)
		w->plan = fftw_plan_dft_r2c_1d((int)w->Tp, w->in, w->out, FFTW_ESTIMATE);
	if (!w->plan) {
		dk_drum_work_free(w);
		return DK_ENOMEM;
	}
	dk_wave_window_fill(DK_WAVE_HANN, w->win, T);
	*out = w;
	return DK_OK;
}

/* Ring the drum from y = 1 inside, at rest, for T steps: rec[t] is the
   sum of y over the n inside pixels before step t. */
static void ring(dk_drum_work *w, size_t n)
{
	const double dt = DK_DRUM_DT;
	size_t W = w->W;
	double *y = w->y, *z = w->z;
	memset(y, 0, w->H * W * sizeof *y);
	memset(z, 0, w->H * W * sizeof *z);
	for (size_t k = 0; k < n; k++)
		y[w->inside[k]] = 1;
	for (size_t t = 0; t < w->T; t++) {
		double s = 0;
		for (size_t k = 0; k < n; k++)
			s += y[w->inside[k]];
		w->rec[t] = s;
		/* z first, from the old y everywhere; then y from the new z */
		for (size_t k = 0; k < n; k++) {
			size_t u = w->inside[k];
			z[u] += dt * (y[u - W] + y[u + W] + y[u - 1] + y[u + 1] - 4 * y[u]);
		}
		for (size_t k = 0; k < n; k++)
			y[w->inside[k]] += dt * z[w->inside[k]];
	}
}

/* Whether padded bin k is the largest within LOBE bins either side (the
   first of equals) and above the floor. */
static int is_peak(const double *P, size_t nf, size_t k, double floor)
{
	if (P[k] <= floor)
		return 0;
	size_t a = k > LOBE ? k - LOBE : 0, b = k + LOBE < nf ? k + LOBE + 1 : nf;
	for (size_t j = a; j < b; j++)
		if (j != k && (P[j] > P[k] || (P[j] == P[k] && j < k)))
			return 0;
	return 1;
}

int dk_drum_frequencies(dk_drum_work *w, const double *mask, double *freq,
                        char *err, size_t errlen)
{
	size_t H = w->H, W = w->W, T = w->T, n = 0;
	for (size_t i = 0; i < H; i++)
		for (size_t j = 0; j < W; j++) {
			if (mask[i * W + j] == 0)
				continue;
			if (i == 0 || j == 0 || i == H - 1 || j == W - 1)
				return dk_task_fail(err, errlen, DK_EINVAL,
				                    "drum: mask: pixel (%zu, %zu) is inside and on the sheet's edge",
				                    i, j);
			w->inside[n++] = i * W + j;
		}
	if (!n)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: mask: no pixel inside");
	ring(w, n);

	double mean = 0;
	for (size_t t = 0; t < T; t++)
		mean += w->rec[t];
	mean /= (double)T;
	memset(w->in, 0, w->Tp * sizeof *w->in);
	for (size_t t = 0; t < T; t++) {
		w->c[t] = w->win[t] * (w->rec[t] - mean);
		w->in[t] = creal(w->c[t]);
	}
	fftw_execute(w->plan);
	double top = 0;
	for (size_t k = 0; k < w->nf; k++) {
		double re = creal(w->out[k]), im = cimag(w->out[k]);
		w->power[k] = re * re + im * im;
		top = w->power[k] > top ? w->power[k] : top;
	}

	/* the DK_DRUM_FEATURES strongest peaks, strongest first, by
	   insertion (there are few) */
	size_t best[DK_DRUM_FEATURES], found = 0;
	for (size_t k = 1; k + 1 < w->nf; k++) {
		if (!is_peak(w->power, w->nf, k, FLOOR * top))
			continue;
		size_t at = found < DK_DRUM_FEATURES ? found++ : DK_DRUM_FEATURES;
		while (at > 0 && w->power[best[at - 1]] < w->power[k]) {
			if (at < DK_DRUM_FEATURES)
				best[at] = best[at - 1];
			at--;
		}
		if (at < DK_DRUM_FEATURES)
			best[at] = k;
	}
	double h = 1.0 / (double)w->Tp;
	for (size_t m = 0; m < DK_DRUM_FEATURES; m++) {
		if (m >= found) {
			freq[m] = NAN;
			continue;
		}
		double f0 = (double)best[m] * h;
		double f = dk_wave_golden_max(w->c, T, f0 - h, f0 + h);
		freq[m] = 2 * M_PI * f / DK_DRUM_DT;
	}
	return DK_OK;
}
