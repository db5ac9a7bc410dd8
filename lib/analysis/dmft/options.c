/*
 * options.c -- the options of the mean-field solvers, their defaults
 * and their checks, and the tau grid they ask for; and the root finder
 * the solvers share (dmft_impl.h).
 */
#include <config.h>

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "base/numeric.h"
#include "base/status.h"

dk_dmft_options dk_dmft_options_default(void)
{
	return (dk_dmft_options){.gain = 2, .phi = dk_dmft_phi_from_name("tanh"),
	                         .tau_max = 30, .dtau = 0.1};
}

size_t dk_dmft_grid_points(double tau_max, double dtau)
{
	double steps = floor(tau_max / dtau + 1e-9);
	if (!(steps >= 0) || steps >= (double)DK_DMFT_MAX_POINTS)
		return 0;
	return (size_t)steps + 1;
}

int dk_dmft_options_check(const dk_dmft_options *o, int scs,
                          char *err, size_t errlen)
{
	if (!(o->gain > 0 && o->gain <= DK_DMFT_MAX_GAIN))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "gain must be above 0 and at most %g, not %g",
		                 DK_DMFT_MAX_GAIN, o->gain);
	if (!o->phi)
		return dk_errorf(DK_EINVAL, err, errlen, "no phi (one of %s)",
		                 dk_dmft_phi_names());
	if (!scs)
		return DK_OK;
	if (!(o->tau_max > 0 && isfinite(o->tau_max)))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "tau_max must be finite and above 0, not %g", o->tau_max);
	if (!(o->dtau > 0 && isfinite(o->dtau)))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "dtau must be finite and above 0, not %g", o->dtau);
	if (!dk_dmft_grid_points(o->tau_max, o->dtau))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "tau_max / dtau = %g: more than %zu grid points",
		                 o->tau_max / o->dtau, DK_DMFT_MAX_POINTS);
	return DK_OK;
}

int dk_dmft_root(double (*r)(double x, void *arg), void *arg, double hi,
                 double *root)
{
	dk_numeric_init();
	double lo = hi;
	int tries = 0;
	while (r(lo, arg) >= 0 && tries++ < 1100)
		lo /= 2;
	if (!(lo > 0) || !(r(lo, arg) < 0) || !(r(hi, arg) > 0))
		return DK_ENUMERIC;
	gsl_function F = {r, arg};
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s)
		return DK_ENOMEM;
	int st = gsl_root_fsolver_set(s, &F, lo, hi), status = GSL_CONTINUE;
	for (int it = 0; !st && status == GSL_CONTINUE && it < 500; it++) {
		st = gsl_root_fsolver_iterate(s);
		status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
		                                gsl_root_fsolver_x_upper(s), 0,
		                                DK_DMFT_ROOT_RTOL);
	}
	*root = gsl_root_fsolver_root(s);
	gsl_root_fsolver_free(s);
	return !st && status == GSL_SUCCESS ? DK_OK : DK_ENUMERIC;
}
