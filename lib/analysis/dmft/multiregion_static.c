/*
 * multiregion_static.c -- one region of a multiregion network with
 * disorder g, at the paper's prediction for its gain (multiregion.h):
 * its variance Delta0, the static part Delta_inf of its autocorrelation
 * from the potential, the variance A left to the currents, and the
 * phase these make.  phi = erf(sqrt(pi) x / 2), whose averages have the
 * closed forms of gauss.h.
 */
#include <config.h>

#include <math.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/multiregion.h"
#include "base/status.h"

/* C_phi(D; Delta0) = (2/pi) asin(D / K), K = Delta0 + 2/pi, and its
   primitive in D, (2/pi)(sqrt(K^2 - D^2) + D asin(D / K)). */
static double cphi(double D, double K) { return 2 / M_PI * asin(D / K); }

static double primitive(double D, double K)
{
	return 2 / M_PI * (sqrt((K - D) * (K + D)) + D * asin(D / K));
}

typedef struct {
	double delta0, K, g2;
} region;

/* V(Delta0) - V(D) for V(x) = -x^2 / 2 + g^2 F(x) + A x with the A that
   puts the particle at rest at D, A = D - g^2 C_phi(D). */
static double energy_gap(double D, void *arg)
{
	const region *r = arg;
	double A = D - r->g2 * cphi(D, r->K), d0 = r->delta0;
	return -(d0 - D) * (d0 + D) / 2 +
	       r->g2 * (primitive(d0, r->K) - primitive(D, r->K)) + A * (d0 - D);
}

const char *dk_dmft_region_phase_name(dk_dmft_region_phase p)
{
	switch (p) {
	case DK_DMFT_QUIESCENT: return "quiescent";
	case DK_DMFT_CHAOS_SUPPRESSED: return "chaos suppressed";
	case DK_DMFT_CHAOS_WITH_STRUCTURE: return "chaos with structure";
	case DK_DMFT_CHAOS: return "chaos";
	}
	return "?";
}

/* No currents: the region is the rate network alone (scs), quiescent
   for g <= 1. */
static int without_currents(double gain, dk_dmft_region_static *s)
{
	*s = (dk_dmft_region_static){.phase = gain > 1 ? DK_DMFT_CHAOS :
	                                      DK_DMFT_QUIESCENT};
	if (dk_dmft_scs_delta0(dk_dmft_phi_from_name("erf"), gain, &s->delta0))
		return DK_ENUMERIC;
	return DK_OK;
}

int dk_dmft_multi_static(double a, double b, double gain,
                         dk_dmft_region_static *s, char *err, size_t errlen)
{
	*s = (dk_dmft_region_static){.delta0 = NAN, .delta_inf = NAN, .A = NAN};
	if (!(fabs(a) <= DK_DMFT_MAX_COUPLING) || !(b >= 0 && b <= DK_DMFT_MAX_COUPLING))
		return dk_errorf(DK_EINVAL, err, errlen, "a must be within +-%g and b "
		                 "from 0 to %g, not %g and %g", DK_DMFT_MAX_COUPLING,
		                 DK_DMFT_MAX_COUPLING, a, b);
	if (!(gain >= 0 && gain <= DK_DMFT_MAX_GAIN))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "gain must be from 0 to %g, not %g", DK_DMFT_MAX_GAIN,
		                 gain);
	double top = fmax(a, b), g2 = gain * gain;
	int st;
	if (top <= 1) {
		if ((st = without_currents(gain, s)))
			return dk_errorf(st, err, errlen, "the root for Delta0 was not found");
		return DK_OK;
	}
	region r = {.delta0 = dk_dmft_multi_psi_inverse(1 / top), .g2 = g2};
	r.K = r.delta0 + 2 / M_PI;
	s->delta0 = r.delta0;
	/* the static state is stable while g^2 <phi'^2> = g^2 / sqrt(1 + pi
	   Delta0) <= 1; then A = Delta0 - g^2 <phi^2> >= 0 (Poincare:
	   <phi^2> <= Delta0 <phi'^2>) */
	if (g2 <= sqrt(1 + M_PI * r.delta0)) {
		s->phase = DK_DMFT_CHAOS_SUPPRESSED;
		s->delta_inf = r.delta0;
		s->A = r.delta0 - g2 * cphi(r.delta0, r.K);
		return DK_OK;
	}
	/* chaos: the gap is -Delta0^2 / 2 + g^2 (F(Delta0) - F(0)) at D = 0,
	   and (Delta0 - D)^2 (g^2 <phi'^2> - 1) / 2 > 0 to leading order
	   near Delta0: a root between when the former is negative, found
	   from the first D = Delta0 (1 - 2^-k) where the gap is positive
	   (k <= 26, where it is still far above rounding) */
	double hi = 0;
	for (int k = 1; k <= 26 && !hi; k++) {
		double D = r.delta0 * (1 - ldexp(1, -k));
		if (energy_gap(D, &r) > 0)
			hi = D;
	}
	double D;
	if (energy_gap(0, &r) < 0 && hi > 0 && !dk_dmft_root(energy_gap, &r, hi, &D) &&
	    D - g2 * cphi(D, r.K) > 0) {
		s->phase = DK_DMFT_CHAOS_WITH_STRUCTURE;
		s->delta_inf = D;
		s->A = D - g2 * cphi(D, r.K);
		return DK_OK;
	}
	/* no static part that leaves A >= 0: the chaos takes the region
	   over and its currents vanish */
	if ((st = without_currents(gain, s)))
		return dk_errorf(st, err, errlen, "the root for Delta0 was not found");
	return DK_OK;
}
