/*
 * dmft_impl.h -- what the scs and map solvers share; not installed.
 */
#ifndef DK_ANALYSIS_DMFT_IMPL_H
#define DK_ANALYSIS_DMFT_IMPL_H

/* The tolerances the solvers are run to (dmft.h states them). */
#define DK_DMFT_ROOT_RTOL 1e-14
#define DK_DMFT_ODE_TOL 1e-13

/*
 * The root in (0, hi] of r(x), which is negative for small x > 0 and
 * positive at hi, by GSL's Brent solver to DK_DMFT_ROOT_RTOL relative:
 * the lower end of the bracket is found by halving hi until r < 0
 * (at most 1100 times, so down to the smallest double).  DK_ENUMERIC
 * when there is no bracket or the solver fails.
 */
int dk_dmft_root(double (*r)(double x, void *arg), void *arg, double hi,
                 double *root);

#endif
