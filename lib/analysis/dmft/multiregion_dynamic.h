/*
 * multiregion_dynamic.h -- the multiregion network of multiregion.h with
 * disorder: region mu's units also receive J^{mu mu} phi(x^mu), J^{mu
 * mu}_ij ~ N(0, g_mu^2 / N).  The currents are then driven by a
 * fluctuating x, and the mean-field theory is nonstationary: the
 * currents S^{mu nu}(t) and each region's two-time autocorrelation
 * Delta^mu(t, s) = <x^mu(t) x^mu(s)> from a given start.
 *
 * The equations.  x^mu = sum_nu m^{mu nu} S^{mu nu} + y^mu splits into
 * the currents' part and a chaotic part y^mu, dy/dt = -y + eta^mu, eta^mu
 * Gaussian with <eta^mu(t) eta^mu(s)> = g_mu^2 C_phi^mu(t, s), C_phi^mu(t,
 * s) = <phi(x^mu(t)) phi(x^mu(s))>, independent of the loadings and of
 * y(0).  With the currents filtered as in multiregion.h,
 *	dS^{mu nu}/dt = -S^{mu nu} + psi(Delta^nu(t, t)) sum_rho T^{mu nu rho} S^{nu rho},
 * and the parts uncorrelated,
 *	Delta^mu(t, s) = sum_{nu rho} U^{mu nu rho} S^{mu nu}(t) S^{mu rho}(s) + D^mu(t, s),
 *	(1 + d/dt) D^mu(t, s) = G^mu(t, s),   t > s,
 *	(1 + d/ds) G^mu(t, s) = g_mu^2 C_phi^mu(t, s),   G^mu(t, 0) = 0,
 * D = <y(t) y(s)>, G(t, s) = <eta(t) y(s)>, and for phi = erf(sqrt(pi)
 * x / 2), in closed form,
 *	C_phi(t, s) = (2/pi) asin(Delta(t, s) / sqrt((Delta(t, t) + 2/pi)
 *	              (Delta(s, s) + 2/pi))).
 * The start: S(0) given or uniform in [-init_scale, init_scale] from
 * seed, and D(0, 0) = delta_init (the variance of y(0)).
 *
 * The discretisation: Euler steps of dt (first order; the error at a
 * fixed time is O(dt)).  Step j makes S(t_j) from S(t_{j-1}); D(t_j,
 * t_i) = (1 - dt) D(t_{j-1}, t_i) + dt G(t_{j-1}, t_i) for i < j, and
 * D(t_j, t_j) = (1 - dt) D(t_j, t_{j-1}) + dt G(t_{j-1}, t_{j-1});
 * then G(t_j, t_i) along i by G(t_j, t_i) = (1 - dt) G(t_j, t_{i-1}) +
 * dt g^2 C_phi(t_j, t_{i-1}).
 *
 * The band: only lags up to B = ceil(band / dt) steps are kept, two rows
 * of B + 1 values of D and G per region (the last step's and this
 * one's), so memory is O(B P) beside the O(T P^2) of the currents'
 * history.  G's row at lag B starts from the last row's value at the
 * same time s, G(t_j, t_{j-B}) = G(t_{j-1}, t_{j-B}): C_phi at lags
 * beyond B dt is taken as its value at lag B dt, so what is lost is C_phi's
 * change beyond the band (none once it has settled to its static part
 * within it).  band = 0 keeps the whole run: the exact Euler scheme.
 *
 * Each region's static theory (multiregion.h, dk_dmft_multi_static) at
 * the paper's a, b and its g gives the expected long-time limit and the
 * phase label; none when T is given.
 */
#ifndef DK_ANALYSIS_DMFT_MULTIREGION_DYNAMIC_H
#define DK_ANALYSIS_DMFT_MULTIREGION_DYNAMIC_H

#include <stddef.h>

#include "analysis/dmft/multiregion.h"
#include "stream/bundle.h"

/* The most time steps, and the most values of the histories (steps x
   (P^2 + P)): 512 MB. */
#define DK_DMFT_MAX_TIME_STEPS 10000000
#define DK_DMFT_MAX_HISTORY ((size_t)1 << 26)
/* The most pairs of times, steps x band x P (a few minutes of work): the
   cost grows as their number. */
#define DK_DMFT_MAX_WORK 1e10
#define DK_DMFT_MAX_DT 0.5
#define DK_DMFT_MAX_DELTA_INIT 1000.0

typedef struct dk_dmft_dyn_options {
	dk_dmft_multi_options model; /* regions, a, b, signs or T, U, seed,
	                                init_scale; checked as in
	                                multiregion.h (starts, tol, max_steps
	                                unused) */
	const double *gain;      /* P, each in [0, DK_DMFT_MAX_GAIN] */
	double dt;               /* in (0, DK_DMFT_MAX_DT] (default 0.05) */
	double t_max;            /* > 0, t_max / dt rounded at most
	                            DK_DMFT_MAX_TIME_STEPS (default 100) */
	double band;             /* the lags kept, >= 0; 0 or beyond t_max:
	                            all (default 0); steps x band steps x P
	                            at most DK_DMFT_MAX_WORK */
	const double *S0;        /* P^2, each within +-10 DK_DMFT_MAX_COUPLING,
	                            or NULL: from seed */
	double delta_init;       /* D(0, 0), in [0, DK_DMFT_MAX_DELTA_INIT]
	                            (default 1) */
} dk_dmft_dyn_options;

dk_dmft_dyn_options dk_dmft_dyn_options_default(void);

/* DK_EINVAL, with a message naming the field (and the region), for
   options out of the ranges above. */
int dk_dmft_dyn_options_check(const dk_dmft_dyn_options *o, char *err,
                              size_t errlen);

typedef struct dk_dmft_dyn_result {
	dk_dmft_dyn_options options; /* as run; arrays point into the copies */
	size_t P;
	size_t steps;            /* n: times t_j = j dt, j = 0..n */
	size_t band_steps;       /* B */
	double *a, *b, *signs;   /* owned copies, NULL when T was given */
	double *gain, *S0;       /* owned copies (S0 as used) */
	double *T, *U;           /* owned: P^3 each, as used */
	double *S;               /* owned: (n + 1) x P x P, S^{mu nu}(t_j) */
	double *delta;           /* owned: (n + 1) x P, Delta^mu(t_j, t_j) */
	size_t lags;             /* min(n, B) + 1 */
	double *delta_lag;       /* owned: lags x P, Delta^mu(t_n, t_n - k dt) */
	dk_dmft_region_static *statics; /* owned: P, NULL when T was given */
} dk_dmft_dyn_result;

/* The nonstationary theory under o into r (above), which owns its
   arrays until dk_dmft_dyn_result_clear.  DK_EINVAL for bad options;
   DK_ENUMERIC when a region's static theory fails or the solution
   leaves the finite numbers; DK_ENOMEM. */
int dk_dmft_dyn_run(const dk_dmft_dyn_options *o, dk_dmft_dyn_result *r,
                    char *err, size_t errlen);
void dk_dmft_dyn_result_clear(dk_dmft_dyn_result *r);

/* S(0) of checked options o into S0 (P^2): o->S0, or uniform in
   [-init_scale, init_scale] from o->model.seed.  DK_ENOMEM. */
int dk_dmft_dyn_start(const dk_dmft_dyn_options *o, double *S0);
/* The steps of t_max / dt, rounded; 0 when out of range. */
size_t dk_dmft_dyn_step_count(double t_max, double dt);

/*
 * The records (multiregion_dynamic_records.c): dmft/S_t (time, region,
 * region), dmft/delta_t (time, region), dmft/delta_lag (lag, region);
 * attrs "definition" and "dmft": kind, regions, a, b, signs, T, U,
 * gain, dt, t_max, band, band_steps, delta_init, S0, seed, and per
 * region the static theory's delta0, delta_inf, A and phase (null when
 * T was given), convention, phi, method, error.  DK_ENOMEM.
 */
int dk_dmft_dyn_to_bundle(const dk_dmft_dyn_result *r, dk_bundle *b);

/*
 * The network with disorder simulated (multiregion_dynamic_simulate.c):
 * `networks` networks of the multiregion model kind with gains (lib/models),
 * P regions of s->units units, network k's loadings and chi drawn from
 * seed + k for the T of a, b, signs (T and U themselves are not
 * simulated), stepped by the model's Euler steps of the theory's dt to
 * its t_max, from the theory's start: x^mu(0) = sum_nu m^{mu nu} S0^{mu
 * nu} + sqrt(delta_init) z, z standard normal per unit from a stream of
 * its own, S0 the theory's (dk_dmft_dyn_start).  Measured at every time:
 * the currents of the theory, the filtered S^{mu nu}(t_j) = (1 - dt)
 * S^{mu nu}(t_{j-1}) + dt n^{mu nu} . phi(x^nu(t_{j-1})) / N from S0,
 * for which x^mu = sum_nu m^{mu nu} S^{mu nu} + y^mu holds exactly with
 * y^mu(0) the start's noise and dy/dt = -y + g_mu chi^mu phi(x^mu) (the
 * same Euler steps); and Delta^mu(t, t) = |x^mu(t)|^2 / N, the second
 * moment over region mu's units.  Each is averaged over the networks,
 * with its standard deviation over them.  A step costs O(P N^2).
 */
typedef struct dk_dmft_dyn_sim_result {
	size_t P, steps, networks, units; /* times t_j = j dt, j = 0..steps */
	uint64_t seed;
	double dt;
	double *S, *S_sd;          /* owned: (steps + 1) x P x P each */
	double *delta, *delta_sd;  /* owned: (steps + 1) x P each */
} dk_dmft_dyn_sim_result;

/* Simulate (above) into r, which owns its arrays until
   dk_dmft_dyn_sim_result_clear.  DK_EINVAL for bad options (o as
   dk_dmft_dyn_options_check, with a and b, not T and U; units from 1 to
   DK_DMFT_MULTI_MAX_UNITS; networks and seed as dk_dmft_sim_options_check;
   the model's memory bound on its disorder); DK_ENOMEM. */
int dk_dmft_dyn_simulate(const dk_dmft_dyn_options *o, const dk_dmft_sim_options *s,
                         dk_dmft_dyn_sim_result *r, char *err, size_t errlen);
void dk_dmft_dyn_sim_result_clear(dk_dmft_dyn_sim_result *r);
/* sim/S_t (time, region, region) and sim/delta_t (time, region), the
   means over the networks, with attrs "definition" and "sim": units,
   networks, seed, dt, the largest standard deviation over the networks
   (spread_S, spread_delta) and, against the theory th of the same
   options, the largest |mean - theory| over times and entries
   (discrepancy_S, discrepancy_delta).  DK_ENOMEM. */
int dk_dmft_dyn_sim_to_bundle(const dk_dmft_dyn_sim_result *r,
                              const dk_dmft_dyn_result *th, dk_bundle *out);

#endif
