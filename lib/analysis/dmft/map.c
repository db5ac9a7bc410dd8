/*
 * map.c -- the mean-field order parameters of the random map h' = J
 * phi(h) (dmft.h): the fixed point q of the variance, the gain chi1 of
 * a perturbation, and the largest Lyapunov exponent.
 *
 * erf has closed forms for both averages (gauss.h).  Another phi is
 * averaged by the trapezoidal rule of gauss.h written in x = sqrt(q) z
 * rather than z: <f(sqrt(q) z)> = sum_k h w_k(q) f(k h), w_k(q) =
 * exp(-(k h)^2 / (2 q)) / sqrt(2 pi q), the same rule as gauss.h's at
 * the z step h / sqrt(q) as long as h <= 0.13 and h <= 0.4 sqrt(q) (so
 * its error is the one gauss.h states), but with nodes that do not move
 * with q: phi^2 is tabulated once, and every Newton step costs only the
 * weights.  The step is made finer (h = 0.2 sqrt(q)) when q falls below
 * what the table's h allows, which only a gain near 1 asks for.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "base/status.h"

#define STEP 0.13
#define ZMAX 9.0
#define MAX_NEWTON 200
#define INV_SQRT_2PI 0.39894228040143267794

/* phi^2 at k h, k = 0..n - 1, for variances up to hi (9 sqrt(hi) / h
   nodes); NULL when out of memory. */
typedef struct {
	double h;
	size_t n;
	double *f2;     /* n: phi(k h)^2 */
	double *d2;     /* n: phi'(k h)^2 when phi->dphi_of_phi gives it */
	double *w;      /* n: the weights' scratch */
} table;

static int tabulate(table *t, const dk_dmft_phi *phi, double h, double hi)
{
	size_t n = (size_t)ceil(ZMAX * sqrt(hi) / h) + 1;
	double *f2 = realloc(t->f2, 3 * n * sizeof *f2);
	if (!f2)
		return DK_ENOMEM;
	*t = (table){h, n, f2, f2 + n, f2 + 2 * n};
	for (size_t k = 0; k < n; k++) {
		double v = phi->phi((double)k * h);
		f2[k] = v * v;
		if (phi->dphi_of_phi) {
			double d = phi->dphi_of_phi(v);
			t->d2[k] = d * d;
		}
	}
	return DK_OK;
}

/* w_k = exp(-al k^2), k < n, with one exp in four: for k = 8 m + j,
   al k^2 = 64 al m^2 + 16 al m j + al j^2, so w_k = E_m A_m^j B_j from
   exps E_m, A_m per block of 8 and B_j per j; each w_k carries at most
   about ten roundings (1e-15 relative). */
static void weights(double al, size_t n, double *w)
{
	double B[8];
	for (int j = 0; j < 8; j++)
		B[j] = exp(-al * j * j);
	for (size_t m = 0; 8 * m < n; m++) {
		double md = (double)m, E = exp(-64 * al * md * md);
		double A = exp(-16 * al * md), Aj = 1;
		for (size_t j = 0; j < 8 && 8 * m + j < n; j++) {
			w[8 * m + j] = E * Aj * B[j];
			Aj *= A;
		}
	}
}

/* <phi(sqrt(q) z)^2> into *s and its derivative in q into *ds, over the
   nodes within ZMAX standard deviations (phi^2 even: z >= 0 twice). */
static void average(const table *t, double q, double *s, double *ds)
{
	double a = 1 / (2 * q), c = t->h * INV_SQRT_2PI / sqrt(q);
	size_t n = (size_t)ceil(ZMAX * sqrt(q) / t->h) + 1;
	if (n > t->n)
		n = t->n;
	double acc = 0, dacc = 0;
	weights(a * t->h * t->h, n, t->w);
	for (size_t k = n; k-- > 1;) {
		double x2 = (double)k * t->h * (double)k * t->h;
		double v = t->w[k] * t->f2[k];
		acc += v;
		dacc += v * x2;
	}
	acc = c * (2 * acc + t->f2[0]);
	dacc = c * 2 * dacc;
	*s = acc;
	/* d/dq of exp(-x^2 / 2q) / sqrt(q): (x^2 / (2 q^2) - 1 / (2 q)) */
	*ds = dacc * a / q - acc * a;
}

/* <phi'(sqrt(q) z)^2> by the table's rule (phi'^2 even). */
static double mean2_dphi(const table *t, const dk_dmft_phi *phi, double q)
{
	double a = 1 / (2 * q), acc = 0, d0 = phi->dphi(0);
	size_t n = (size_t)ceil(ZMAX * sqrt(q) / t->h) + 1;
	if (n > t->n)
		n = t->n;
	weights(a * t->h * t->h, n, t->w);
	for (size_t k = n; k-- > 1;) {
		double v = phi->dphi_of_phi ? 0 : phi->dphi((double)k * t->h);
		acc += t->w[k] * (phi->dphi_of_phi ? t->d2[k] : v * v);
	}
	return t->h * INV_SQRT_2PI / sqrt(q) * (2 * acc + d0 * d0);
}

/* F(q) = g^2 <phi^2> - q is positive below the root and negative above
   (g > 1; phi^2 <= 1 puts the root below g^2).  Newton's steps, each kept
   inside the bracket or replaced by its midpoint, to a step of 1e-15 q;
   then <phi'^2> at the root into *dphi2. */
static int solve_q(const dk_dmft_phi *phi, double g2, double *q, double *dphi2)
{
	table t = {0, 0, NULL, NULL, NULL};
	double lo = 0, hi = g2, x = g2;
	int st = tabulate(&t, phi, STEP, hi);
	for (int it = 0; !st && it < MAX_NEWTON; it++) {
		if (t.h > 0.4 * sqrt(x) && (st = tabulate(&t, phi, 0.2 * sqrt(x), hi)))
			break;
		double s, ds;
		average(&t, x, &s, &ds);
		double F = g2 * s - x, dF = g2 * ds - 1;
		if (F > 0)
			lo = x;
		else
			hi = x;
		double next = x - F / dF;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		double step = fabs(next - x);
		x = next;
		if (step <= 1e-15 * x || hi - lo <= 1e-15 * x)
			break;
	}
	*q = x;
	if (!st && !(x > 0))
		st = DK_ENUMERIC;
	if (!st && t.h > 0.4 * sqrt(x))
		st = tabulate(&t, phi, 0.2 * sqrt(x), x);
	if (!st)
		*dphi2 = mean2_dphi(&t, phi, x);
	free(t.f2);
	return st;
}

/* The same for erf, in closed form: <phi^2> = (2/pi) asin(u / (1 + u)),
   u = pi q / 2. */
static int solve_q_erf(double g2, double *q)
{
	double lo = 0, hi = g2, x = g2;
	for (int it = 0; it < MAX_NEWTON; it++) {
		double u = M_PI * x / 2, r = u / (1 + u);
		double F = g2 * M_2_PI * asin(r) - x;
		/* d asin(r)/dq = r' / sqrt(1 - r^2), r' = (pi / 2) / (1 + u)^2 */
		double dF = g2 * M_2_PI * (M_PI / 2) / ((1 + u) * (1 + u) *
		                                        sqrt(1 - r * r)) - 1;
		if (F > 0)
			lo = x;
		else
			hi = x;
		double next = x - F / dF;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		double step = fabs(next - x);
		x = next;
		if (step <= 1e-15 * x || hi - lo <= 1e-15 * x)
			break;
	}
	*q = x;
	return x > 0 ? DK_OK : DK_ENUMERIC;
}

int dk_dmft_map_run(const dk_dmft_options *o, dk_dmft_map_result *r,
                    char *err, size_t errlen)
{
	*r = (dk_dmft_map_result){.options = *o, .lyapunov = NAN};
	int st = dk_dmft_options_check(o, 0, err, errlen);
	if (st)
		return st;
	double g2 = o->gain * o->gain;
	int erf = o->phi == dk_dmft_phi_from_name("erf");
	double dphi2 = NAN;
	r->chaotic = o->gain > 1;
	if (r->chaotic) {
		st = erf ? solve_q_erf(g2, &r->q) : solve_q(o->phi, g2, &r->q, &dphi2);
		if (st == DK_ENOMEM)
			return dk_errorf(st, err, errlen, "out of memory");
		if (st)
			return dk_errorf(DK_ENUMERIC, err, errlen,
			                 "the fixed point of q was not found");
	}
	/* at q = 0 the average is phi'(0)^2 exactly */
	double d0 = o->phi->dphi(0);
	r->chi1 = g2 * (!(r->q > 0) ? d0 * d0 : erf ? dk_dmft_erf_mean2_dphi(r->q) :
	                dphi2);
	r->lyapunov = log(r->chi1) / 2;
	return DK_OK;
}
