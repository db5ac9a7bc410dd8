/*
 * dmft_impl.h -- what the mean-field solvers share; not installed.
 */
#ifndef DK_ANALYSIS_DMFT_IMPL_H
#define DK_ANALYSIS_DMFT_IMPL_H

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/lowrank.h"
#include "analysis/dmft/multiregion.h"

/* asin of x[0..n), each in [-1, 1], into y (asin_row.c): a vector
   series within 2 ulp of libm's asin where the CPU has AVX2 and FMA,
   libm's asin elsewhere, so the bits depend on the CPU. */
void dk_dmft_asin_row(const double *x, double *y, size_t n);

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

/* L with L L^T = cov (the first 2R + 1 rows and columns), L = V
   sqrt(max(lambda, 0)) from cov's eigenvectors V and values lambda
   (lowrank_options.c).  DK_ENOMEM, DK_ENUMERIC. */
int dk_dmft_lowrank_sqrt_cov(const dk_dmft_lowrank_options *o,
                             double L[DK_DMFT_LOWRANK_MAX_DIM][DK_DMFT_LOWRANK_MAX_DIM]);

/* A simulation of the multiregion network (multiregion_simulate.c,
   multiregion_dynamic_simulate.c): its loadings drawn from a, b and
   signs (not T, U), 1 to DK_DMFT_MULTI_MAX_UNITS units a region, and the
   simulation's own options in range.  DK_EINVAL with a message. */
int dk_dmft_multi_sim_check(const dk_dmft_multi_options *model,
                            const dk_dmft_sim_options *s, char *err,
                            size_t errlen);

/* n^{mu nu} . phi(x^nu) / N into C (P x P) for the loadings ln (P^2
   vectors of N, pair by pair) and the state x (P N), phi the erf of the
   multiregion model; f is P N of scratch. */
void dk_dmft_multi_drives(const double *ln, size_t P, size_t N, const double *x,
                          double *f, double *C);

#endif
