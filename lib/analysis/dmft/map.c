/*
 * map.c -- the mean-field order parameters of the random map h' = J
 * phi(h) (dmft.h): the fixed point q of the variance, the gain chi1 of
 * a perturbation, and the largest Lyapunov exponent.
 */
#include <config.h>

#include <math.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "base/status.h"

typedef struct {
	const dk_dmft_phi *phi;
	double g2;
} fixed_point;

/* 1 - g^2 <phi(sqrt(q) z)^2> / q: about 1 - g^2 (< 0) for small q (phi
   is x to first order), and at least 1 - g^2 / q > 0 for q > g^2, as
   |phi| <= 1. */
static double excess(double q, void *arg)
{
	const fixed_point *p = arg;
	return 1 - p->g2 * dk_dmft_mean2(p->phi->phi, q) / q;
}

int dk_dmft_map_run(const dk_dmft_options *o, dk_dmft_map_result *r,
                    char *err, size_t errlen)
{
	*r = (dk_dmft_map_result){.options = *o, .lyapunov = NAN};
	int st = dk_dmft_options_check(o, 0, err, errlen);
	if (st)
		return st;
	double g2 = o->gain * o->gain;
	r->chaotic = o->gain > 1;
	if (r->chaotic) {
		fixed_point p = {o->phi, g2};
		if (dk_dmft_root(excess, &p, g2 + 1, &r->q))
			return dk_errorf(DK_ENUMERIC, err, errlen,
			                 "the fixed point of q was not found");
	}
	/* at q = 0 the average is phi'(0)^2 exactly */
	double d0 = o->phi->dphi(0);
	r->chi1 = g2 * (r->q > 0 ? dk_dmft_mean2(o->phi->dphi, r->q) : d0 * d0);
	r->lyapunov = log(r->chi1) / 2;
	return DK_OK;
}
