/*
 * gauss.c -- Gaussian averages by the trapezoidal rule on the real line
 * (gauss.h gives the rule and its error): one-dimensional ones with the
 * nodes made as they are summed, and the two-dimensional correlation
 * over a grid made once.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "analysis/dmft/gauss.h"
#include "base/status.h"

/* The nodes reach |z| = ZMAX: beyond, the Gaussian holds 2e-19. */
#define ZMAX 9.0
#define MAX_NODES ((size_t)1 << 20)
#define INV_SQRT_2PI 0.39894228040143267794

double dk_dmft_step(double q)
{
	double h = 0.13 / sqrt(q);
	return q > 0 && h < 0.4 ? h : 0.4;
}

/* The half-count M of nodes (i h for |i| <= M) of step h. */
static size_t half_count(double h) { return (size_t)ceil(ZMAX / h); }

/* sum_i w_i g(f(sqrt(q) z_i)) for g = identity (power 1), square (2), or
   (. - m)^2 (3); the terms are summed from both ends in, small first. */
static double sum(double (*f)(double), double q, int power, double m)
{
	double h = dk_dmft_step(q), s = sqrt(q), acc = 0;
	size_t M = half_count(h);
	for (size_t k = M + 1; k-- > 0;) {
		double z = (double)k * h, w = h * INV_SQRT_2PI * exp(-z * z / 2);
		for (int side = 0; side < (k ? 2 : 1); side++) {
			double v = f(side ? -s * z : s * z);
			if (power == 2)
				v *= v;
			else if (power == 3)
				v = (v - m) * (v - m);
			acc += w * v;
		}
	}
	return acc;
}

double dk_dmft_mean(double (*f)(double), double q) { return sum(f, q, 1, 0); }
double dk_dmft_mean2(double (*f)(double), double q) { return sum(f, q, 2, 0); }

double dk_dmft_var(double (*f)(double), double q)
{
	return sum(f, q, 3, sum(f, q, 1, 0));
}

int dk_dmft_grid_init(dk_dmft_grid *g, double q)
{
	g->n = 0;
	g->z = g->w = NULL;
	if (!(q >= 0) || !isfinite(q))
		return DK_EINVAL;
	g->h = dk_dmft_step(q);
	size_t M = half_count(g->h);
	if (M > MAX_NODES / 2)
		return DK_EINVAL;
	g->n = 2 * M + 1;
	g->z = malloc(g->n * sizeof *g->z);
	g->w = malloc(g->n * sizeof *g->w);
	if (!g->z || !g->w) {
		dk_dmft_grid_clear(g);
		return DK_ENOMEM;
	}
	for (size_t i = 0; i < g->n; i++) {
		double z = ((double)i - (double)M) * g->h;
		g->z[i] = z;
		g->w[i] = g->h * INV_SQRT_2PI * exp(-z * z / 2);
	}
	return DK_OK;
}

void dk_dmft_grid_clear(dk_dmft_grid *g)
{
	if (!g)
		return;
	free(g->z);
	free(g->w);
	g->z = g->w = NULL;
	g->n = 0;
}

double dk_dmft_corr(const dk_dmft_grid *g, double (*f)(double),
                    double c, double q0)
{
	c = c < 0 ? 0 : c > q0 ? q0 : c;
	double a = sqrt(q0 - c), b = sqrt(c), acc = 0;
	size_t mid = g->n / 2;
	/* from the tails in, so that small terms are added first */
	for (size_t i = g->n; i-- > mid;) {
		double u = b * g->z[i], m = 0;
		for (size_t j = 0; j < g->n; j++)
			m += g->w[j] * f(a * g->z[j] + u);
		acc += (i == mid ? 1 : 2) * g->w[i] * m * m;
	}
	return acc;
}

int dk_dmft_conv_init(dk_dmft_conv *w, double (*f)(double), int odd)
{
	*w = (dk_dmft_conv){.f = f, .sign = odd ? -1 : 1};
	w->tab = malloc(DK_DMFT_CONV_MAX * sizeof *w->tab);
	w->kern = malloc(DK_DMFT_CONV_MAX * sizeof *w->kern);
	if (!w->tab || !w->kern) {
		dk_dmft_conv_clear(w);
		return DK_ENOMEM;
	}
	return DK_OK;
}

void dk_dmft_conv_clear(dk_dmft_conv *w)
{
	if (!w)
		return;
	free(w->tab);
	free(w->kern);
	w->tab = w->kern = NULL;
	w->n = 0;
}

double dk_dmft_corr_conv(dk_dmft_conv *w, double c, double q0)
{
	c = c < 0 ? 0 : c > q0 ? q0 : c;
	double a = sqrt(q0 - c), b = sqrt(c);
	if (a == 0)
		return dk_dmft_mean2(w->f, q0);
	if (b == 0) {
		double m = dk_dmft_mean(w->f, q0);
		return m * m;
	}
	double h = 0.13;
	if (0.4 * a < h)
		h = 0.4 * a;
	if (0.4 * b < h)
		h = 0.4 * b;
	size_t Ka = (size_t)ceil(ZMAX * a / h), Kb = (size_t)ceil(ZMAX * b / h);
	size_t n = Ka + Kb + 1;
	if (n > DK_DMFT_CONV_MAX)
		return NAN;
	if (h != w->h || n > w->n) {
		for (size_t k = 0; k < n; k++)
			w->tab[k] = w->f((double)k * h);
		w->h = h;
		w->n = n;
	}
	double ka = h * INV_SQRT_2PI / a, kb = h * INV_SQRT_2PI / b;
	for (size_t j = 0; j <= Ka; j++) {
		double v = (double)j * h / a;
		w->kern[j] = ka * exp(-v * v / 2);
	}
	const double *t = w->tab, *g = w->kern;
	double acc = 0;
	/* from the tails in, small terms first; m(y_i)^2 is even in i */
	for (size_t i = Kb + 1; i-- > 0;) {
		double m = g[0] * t[i];
		size_t near = i < Ka ? i : Ka;
		for (size_t j = 1; j <= near; j++)
			m += g[j] * (t[i + j] + t[i - j]);
		for (size_t j = near + 1; j <= Ka; j++)  /* y_(i-j) < 0 */
			m += g[j] * (t[i + j] + w->sign * t[j - i]);
		double v = (double)i * h / b;
		acc += (i ? 2 : 1) * kb * exp(-v * v / 2) * m * m;
	}
	return acc;
}
