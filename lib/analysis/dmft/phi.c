/*
 * phi.c -- the nonlinearities of the mean-field theories (gauss.h): each
 * odd, bounded by 1, with phi'(0) = 1; its derivative and its primitive
 * Phi with Phi(0) = 0, written so that they keep their digits for large
 * |x| and near 0.  erf's closed-form Gaussian averages are here too.
 */
#include <config.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "analysis/dmft/gauss.h"

static double tanh_phi(double x) { return tanh(x); }

static double tanh_dphi_of_phi(double t) { return 1 - t * t; }

static double tanh_dphi(double x) { return tanh_dphi_of_phi(tanh(x)); }

/* log cosh x = log(1 + 2 sinh(x/2)^2), which keeps its digits near 0;
   for large |x|, where cosh would overflow, |x| - log 2 + log(1 +
   exp(-2|x|)), which cancels nothing there. */
static double tanh_Phi(double x)
{
	double a = fabs(x);
	if (a < 20) {
		double s = sinh(a / 2);
		return log1p(2 * s * s);
	}
	return a - M_LN2 + log1p(exp(-2 * a));
}

/* erf(k x), k = sqrt(pi) / 2: phi' = (2 k / sqrt(pi)) exp(-k^2 x^2)
   = exp(-pi x^2 / 4). */
#define ERF_K 0.88622692545275801365 /* sqrt(pi) / 2 */

static double erf_phi(double x) { return erf(ERF_K * x); }
static double erf_dphi(double x) { return exp(-M_PI / 4 * x * x); }

/* x erf(k x) + (2/pi)(exp(-k^2 x^2) - 1): near 0 the terms are about
   x^2 and -x^2 / 2, so their sum loses no more than a couple of bits
   (expm1 keeps the second's digits). */
static double erf_Phi(double x)
{
	return x * erf(ERF_K * x) + M_2_PI * expm1(-M_PI / 4 * x * x);
}

/* Every nonlinearity there is; dk_dmft_phi_names lists their names. */
static const dk_dmft_phi phis[] = {
	{"tanh", "tanh(x)", tanh_phi, tanh_dphi, tanh_Phi, tanh_dphi_of_phi},
	{"erf", "erf(sqrt(pi) x / 2)", erf_phi, erf_dphi, erf_Phi, NULL},
};

const dk_dmft_phi *dk_dmft_phi_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof phis / sizeof *phis; i++)
		if (!strcmp(name, phis[i].name))
			return &phis[i];
	return NULL;
}

const char *dk_dmft_phi_names(void) { return "tanh, erf"; }

double dk_dmft_erf_corr(double sx, double sy, double c)
{
	double k2 = M_PI / 4;
	return M_2_PI * asin(2 * k2 * c / sqrt((1 + 2 * k2 * sx) * (1 + 2 * k2 * sy)));
}

double dk_dmft_erf_mean_dphi(double q) { return 1 / sqrt(1 + M_PI * q / 2); }
double dk_dmft_erf_mean2_dphi(double q) { return 1 / sqrt(1 + M_PI * q); }

/* q / s + (2/pi)(1/s - 1), s = sqrt(1 + pi q / 2), is q / (1 + s):
   (2/pi)(1 - s) / s = -(2/pi)(s^2 - 1) / (s (1 + s)) = -q / (s (1 + s)).
   Written so, it keeps its digits as q -> 0. */
double dk_dmft_erf_mean_Phi(double q)
{
	return q / (1 + sqrt(1 + M_PI * q / 2));
}

double dk_dmft_erf_F_rise(double c, double q0)
{
	/* (sqrt(1 - u^2) - 1) / a = -a c^2 / (1 + sqrt(1 - u^2)), u = a c,
	   which does not cancel as c -> 0 */
	double a = M_PI / (2 + M_PI * q0), u = a * c;
	return M_2_PI * (c * asin(u) - a * c * c / (1 + sqrt(1 - u * u)));
}
