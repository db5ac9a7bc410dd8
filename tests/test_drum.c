/*
 * test_drum.c -- the drum's frequencies against the modes of the masked
 * Laplacian: its eigenvalues from LAPACK's dsyev (and, for rectangles,
 * the closed form), each mode of eigenvalue -lambda turned by the
 * symplectic Euler step at theta / dt with cos theta = 1 - dt^2 lambda /
 * 2 exactly, so the dominant frequency heard must be that of the
 * fundamental to within the bias the Hann window's leakage allows; the
 * other frequencies heard are modes too, not sidelobes; the readout on
 * squares; and the refusals of bad masks and parameters.
 */
#include <config.h>

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

/* The modes of a mask: n inside pixels, angular frequencies omega
   (ascending eigenvalues of -L) and loudness a = (sum of the mode)^2,
   how much the start y = 1 and the summed recording weigh it. */
typedef struct {
	size_t n;
	double *lambda, *omega, *a;
} modes;

static modes modes_of(const double *mask, size_t H, size_t W)
{
	modes m = {0};
	long *idx = malloc(H * W * sizeof *idx);
	for (size_t u = 0; u < H * W; u++)
		idx[u] = mask[u] != 0 ? (long)m.n++ : -1;
	size_t n = m.n;
	double *A = calloc(n * n, sizeof *A);
	m.lambda = malloc(n * sizeof *m.lambda);
	m.omega = malloc(n * sizeof *m.omega);
	m.a = malloc(n * sizeof *m.a);
	for (size_t u = 0; u < H * W; u++) {
		if (idx[u] < 0)
			continue;
		size_t k = (size_t)idx[u];
		A[k * n + k] = 4;
		long nb[4] = {idx[u - W], idx[u + W], idx[u - 1], idx[u + 1]};
		for (int d = 0; d < 4; d++)
			if (nb[d] >= 0)
				A[k * n + (size_t)nb[d]] = -1;
	}
	/* -L is symmetric positive definite: its eigenvalues are lambda */
	LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, A, (lapack_int)n, m.lambda);
	const double dt = DK_DRUM_DT;
	for (size_t k = 0; k < n; k++) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += A[i * n + k];
		m.a[k] = s * s;
		m.omega[k] = acos(1 - dt * dt * m.lambda[k] / 2) / dt;
	}
	free(A);
	free(idx);
	return m;
}

static void modes_free(modes *m)
{
	free(m->lambda);
	free(m->omega);
	free(m->a);
}

/*
 * The bound on the error of mode j's refined peak, in bins of 2 pi / (T
 * dt): the Hann window's transform falls as 1 / D^3, and a tone of
 * relative amplitude r, D >= 2.5 bins away, moves the peak of another by
 * at most 0.6 r / D^3 bins (measured on two tones in NumPy: 0.0094 at D
 * = 4, 0.0012 at D = 8, 0.00015 at D = 16 for r = 1).  The sum over
 * every other audible mode and the mode's own image at -omega, doubled
 * for the amplitudes' approximation (the start's and the recording's
 * weights are the mode's sum only to first order in dt), plus 1e-6 bins
 * for the search's interval and rounding.
 */
static double bound_bins(const modes *m, size_t j, double bin)
{
	double b = 0.6 / pow(2 * m->omega[j] / bin, 3);
	for (size_t k = 0; k < m->n; k++) {
		double D = fabs(m->omega[k] - m->omega[j]) / bin;
		if (k != j && m->a[k] > 1e-20 * m->a[j] && D > 1e-9)
			b += 0.6 * sqrt(m->a[k] / m->a[j]) / pow(D, 3);
	}
	return 2 * b + 1e-6;
}

/* The drum on mask, T steps: the dominant frequency against the
   fundamental, the others against modes. */
static void check_mask(const char *what, const double *mask, size_t H, size_t W,
                       size_t T, double lambda_closed)
{
	dk_drum_work *w;
	double f[DK_DRUM_FEATURES];
	char err[256];
	if (!ok(dk_drum_work_alloc(&w, H, W, T) == DK_OK, "%s: workspace", what))
		return;
	ok(dk_drum_frequencies(w, mask, f, err, sizeof err) == DK_OK, "%s: heard", what);
	dk_drum_work_free(w);
	modes m = modes_of(mask, H, W);
	if (lambda_closed > 0)
		is_close(m.lambda[0], lambda_closed, 1e-12,
		         "%s: dsyev's smallest eigenvalue is the closed form's", what);
	double bin = 2 * M_PI / ((double)T * DK_DRUM_DT), bound = bound_bins(&m, 0, bin);
	double err0 = fabs(f[0] - m.omega[0]) / bin;
	ok(err0 <= bound, "%s, T %zu: the dominant frequency %.12g is the fundamental's "
	   "arccos(1 - dt^2 lambda / 2) / dt = %.12g (%.2g bins <= %.2g)", what, T, f[0],
	   m.omega[0], err0, bound);
	/* the others: each near an audible mode (one whose weight is at
	   least 1e-8 of the fundamental's), within twice its own bound, the
	   weak modes' amplitudes being known less well, and within a quarter
	   bin (where no sidelobe of another peak lies: they are a bin or more
	   from their own) */
	for (int k = 1; k < DK_DRUM_FEATURES; k++) {
		if (isnan(f[k]))
			continue;
		size_t near = 0;
		for (size_t j = 0; j < m.n; j++)
			if (m.a[j] >= 1e-8 * m.a[0] &&
			    fabs(f[k] - m.omega[j]) < fabs(f[k] - m.omega[near]))
				near = j;
		double off = fabs(f[k] - m.omega[near]) / bin, b = bound_bins(&m, near, bin);
		ok(off <= 2 * b && off < 0.25, "%s: frequency %d (%.6g) is a mode's (%.2g bins off <= %.2g)",
		   what, k, f[k], off, 2 * b);
	}
	modes_free(&m);
}

static double *rectangle(size_t H, size_t W, size_t r0, size_t c0, size_t a, size_t b)
{
	double *mask = calloc(H * W, sizeof *mask);
	for (size_t i = 0; i < a; i++)
		for (size_t j = 0; j < b; j++)
			mask[(r0 + i) * W + c0 + j] = 1;
	return mask;
}

static double closed_form(size_t a, size_t b)
{
	double sa = sin(M_PI / (2 * ((double)a + 1))), sb = sin(M_PI / (2 * ((double)b + 1)));
	return 4 * sa * sa + 4 * sb * sb;
}

static void rectangles(void)
{
	static const size_t cases[][4] = {{5, 9, 1024, 0}, {12, 7, 4096, 0},
	                                  {20, 20, 4096, 0}, {4, 4, 512, 0},
	                                  {30, 11, 16384, 0}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t a = cases[c][0], b = cases[c][1], T = cases[c][2], H = a + 5, W = b + 3;
		double *mask = rectangle(H, W, 2, 1, a, b);
		char what[64];
		snprintf(what, sizeof what, "%zu x %zu rectangle", a, b);
		check_mask(what, mask, H, W, T, closed_form(a, b));
		free(mask);
	}
}

/* Shapes with no closed form: an L, a T tetromino of cells 3, a plus. */
static void other_shapes(void)
{
	size_t H = 16, W = 16;
	double *mask = rectangle(H, W, 2, 2, 10, 4);
	for (size_t i = 8; i < 12; i++)
		for (size_t j = 6; j < 12; j++)
			mask[i * W + j] = 1;
	check_mask("L shape", mask, H, W, 4096, 0);
	free(mask);
	mask = rectangle(H, W, 2, 2, 3, 9);
	for (size_t i = 5; i < 8; i++)
		for (size_t j = 5; j < 8; j++)
			mask[i * W + j] = 1;
	check_mask("T tetromino, cells 3", mask, H, W, 4096, 0);
	free(mask);
	mask = rectangle(H, W, 6, 2, 3, 11);
	for (size_t i = 2; i < 13; i++)
		for (size_t j = 6; j < 9; j++)
			mask[i * W + j] = 1;
	check_mask("plus", mask, H, W, 8192, 0);
	free(mask);
}

/* The readout on squares: the side L is (L + 1) = pi / (2 asin(sqrt(lambda
   / 8))) exactly, and within 0.1 pixel of a line in 1 / omega over sides 4
   to 22 (the asin and the step's arccos bend it that little), so every
   test square's side is read to within half a pixel. */
static void readout(void)
{
	dk_drum_params p;
	dk_drum_params_init(&p);
	p.sheet[0] = p.sheet[1] = 24;
	p.batch = 40;
	p.shapes = DK_DRUM_SQUARES;
	p.steps = 2048;
	p.seed = 4;
	dk_drum_fit fit;
	char err[256];
	if (!ok(dk_drum_fit_run(&p, &fit, err, sizeof err) == DK_OK, "fit on squares"))
		return;
	is_close(fit.test_accuracy, 1, 0, "squares: every side read to half a pixel");
	ok(fit.test_rms < 0.2 && fit.train_rms < 0.2, "squares: rms %.3g (train %.3g) < 0.2",
	   fit.test_rms, fit.train_rms);
	ok(fit.test_r2 > 0.99, "squares: r2 %.6f > 0.99", fit.test_r2);
	/* c_1 ~ pi sqrt(2): omega ~ pi sqrt(2) / (L + 1) for large L */
	ok(fabs(fit.coef[1] / (M_PI * sqrt(2)) - 1) < 0.05,
	   "squares: the slope %.4g is pi sqrt(2) to 5%%", fit.coef[1]);
}

static void refusals(void)
{
	char err[256];
	dk_drum_work *w;
	double f[DK_DRUM_FEATURES];
	if (!ok(dk_drum_work_alloc(&w, 8, 8, 256) == DK_OK, "workspace"))
		return;
	double *mask = rectangle(8, 8, 0, 2, 3, 3);
	is_int(dk_drum_frequencies(w, mask, f, err, sizeof err), DK_EINVAL, "a mask on the edge");
	ok(strstr(err, "edge") != NULL, "... named: %s", err);
	memset(mask, 0, 64 * sizeof *mask);
	is_int(dk_drum_frequencies(w, mask, f, err, sizeof err), DK_EINVAL, "an empty mask");
	free(mask);
	dk_drum_work_free(w);
	dk_drum_work_free(NULL);

	dk_drum_params p;
	dk_drum_batch *b;
	dk_drum_params_init(&p);
	p.sheet[1] = 11;
	is_int(dk_drum_batch_make(&p, &b, err, sizeof err), DK_EINVAL, "sheet 11 columns");
	ok(strstr(err, "sheet") != NULL, "... named: %s", err);
	dk_drum_params_init(&p);
	p.steps = 255;
	is_int(dk_drum_batch_make(&p, &b, err, sizeof err), DK_EINVAL, "255 steps");
	dk_drum_params_init(&p);
	p.modes = 5;
	is_int(dk_drum_params_check(&p, err, sizeof err), DK_EINVAL, "5 modes");
	dk_drum_params_init(&p);
	p.batch = 0;
	is_int(dk_drum_params_check(&p, err, sizeof err), DK_EINVAL, "batch 0");
	dk_drum_batch_free(NULL);
}

int main(void)
{
	rectangles();
	other_shapes();
	readout();
	refusals();
	return tap_done();
}
