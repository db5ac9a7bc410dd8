/*
 * multiregion.h -- the mean-field theory of a network of P regions
 * (Clark and Beiran, "Structure of activity in multiregion recurrent
 * neural networks", PNAS 122, e2404039122, 2025; arXiv:2402.12188),
 * without disorder: the fixed points of the currents between regions
 * and the stability of the silent state (with disorder over time:
 * multiregion_dynamic.h).
 *
 * The network: region mu has N units x^mu_i, dx/dt = -x + sum_nu
 * m^{mu nu} (n^{mu nu} . phi(x^nu)) / N, with phi(x) = erf(sqrt(pi) x / 2)
 * (phi'(0) = 1, and the Gaussian averages below in closed form).  The
 * order parameters are the currents
 *	S^{mu nu} = n^{mu nu} . phi(x^nu) / N,   from region nu to region mu,
 * so x^mu = sum_nu m^{mu nu} S^{mu nu} and, as N -> inf, the variance of
 * region mu's units is
 *	Delta^mu = sum_{nu rho} U^{mu nu rho} S^{mu nu} S^{mu rho},
 *	U^{mu nu rho} = <m^{mu nu} m^{mu rho}>   (the loading covariances),
 * and the currents obey
 *	dS^{mu nu}/dt = -S^{mu nu} + psi(Delta^nu) sum_rho T^{mu nu rho} S^{nu rho},
 *	T^{mu nu rho} = <n^{mu nu} m^{nu rho}>   (the effective interactions),
 *	psi(Delta) = <phi'(sqrt(Delta) z)> = 1 / sqrt(1 + pi Delta / 2),
 * the gain of region nu's units (psi(0) = 1).  Arrays are row-major:
 * T[(mu P + nu) P + rho], S[mu P + nu].
 *
 * Fixed points S = F(S), F the right-hand side's second term, are found
 * from K random starts (uniform in [-init_scale, init_scale] per
 * current, from one seeded stream): the flow is followed by Euler steps
 * h = 1 / (1 + max_{mu nu} sum_rho |T^{mu nu rho}|), so that it is the
 * flow's attractors that are reached, until max |F(S) - S| < 1e-6; then
 * Newton's method on F(S) - S = 0, each step the least-norm solution
 * (LAPACK dgelsd) so that a continuum of fixed points (a singular
 * Jacobian) is no obstacle, to max |F(S) - S| <= tol.  A Newton finish
 * that fails, or moves S by more than 1e-2 (1 + max |S|), is undone
 * and the flow goes on.  Each start reports its residual max |F(S) -
 * S|; a start whose flow did not settle in max_steps steps keeps a
 * residual above tol.
 *
 * The silent state S = 0 is a fixed point; linearised there (psi = 1),
 * dS/dt = (T-hat - 1) S with the P^2 x P^2 matrix
 *	T-hat[(mu nu), (rho sigma)] = delta_{nu rho} T^{mu nu sigma},
 * so S = 0 is stable when max Re lambda(T-hat) < 1, and currents grow
 * from it when the largest real part passes 1.
 *
 * The paper's parameterisation, used when T is not given: T^{mu nu rho}
 * = delta_{mu rho} c^{mu nu}, a loop from mu to nu and back, with
 *	c = u u^T + diag(a - b),   u_mu = signs_mu sqrt(b_mu),
 * so c^{mu mu} = a_mu and c^{mu nu} = signs_mu signs_nu sqrt(b_mu b_nu).
 * Then F^{mu nu} = psi(Delta^nu) c^{mu nu} S^{nu mu}: a region's own
 * current grows when psi a > 1, a pair's (S^{mu nu}, S^{nu mu}) when
 * psi^mu psi^nu b_mu b_nu > 1, and T-hat has the eigenvalues a_mu and
 * +-sqrt(b_mu b_nu) (mu < nu).  At the attracting fixed points the
 * paper predicts each region's gain to settle at psi(A^mu) = 1 /
 * max(a_mu, b_mu), so that (U = identity)
 *	A^mu = sum_nu (S^{mu nu})^2 = psi^{-1}(1 / max(a_mu, b_mu))
 *	     = (2 / pi) (max(a_mu, b_mu)^2 - 1)
 * (0 when the maximum is at most 1): the diagonal current carries region
 * mu when a_mu > b_mu, the pairs with the other regions of b above a
 * when b_mu > a_mu.  The pairs must be able to share the A^mu out --
 * (S^{mu nu})^2 = (b_mu / b_nu) (S^{nu mu})^2 on every active pair, all
 * nonnegative -- which holds for a region with b_mu > a_mu only when
 * enough other regions have b above a (with two such regions, only when
 * their b are equal; with three, when the b are close enough): where
 * that fails the prediction does not hold, and the fixed points say so.
 */
#ifndef DK_ANALYSIS_DMFT_MULTIREGION_H
#define DK_ANALYSIS_DMFT_MULTIREGION_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/dmft/dmft.h"
#include "stream/bundle.h"

/* The most regions: a Newton step solves a P^2 x P^2 system (P^6 / 3
   flops, 10 ms at P = 16) and a flow step costs P^3. */
#define DK_DMFT_MAX_REGIONS 16
#define DK_DMFT_MAX_STARTS 10000
/* The largest |a|, b, |T|: the Euler step shrinks as 1 / |T|. */
#define DK_DMFT_MAX_COUPLING 100.0
#define DK_DMFT_MAX_FLOW_STEPS 100000000

typedef struct dk_dmft_multi_options {
	size_t regions;          /* P, 1 to DK_DMFT_MAX_REGIONS */
	const double *a;         /* P, finite, |a| <= DK_DMFT_MAX_COUPLING */
	const double *b;         /* P, in [0, DK_DMFT_MAX_COUPLING] */
	const double *signs;     /* P, each +1 or -1 */
	const double *T;         /* P^3, or NULL: from a, b, signs (then
	                            a, b, signs NULL when T is given) */
	const double *U;         /* P^3, each U^mu symmetric positive
	                            definite, or NULL: the identity */
	size_t starts;           /* K, 1 to DK_DMFT_MAX_STARTS (default 20) */
	uint64_t seed;           /* the starts' stream (default 1) */
	double init_scale;       /* in (0, 1000] (default 3) */
	double tol;              /* max |F(S) - S|, in [1e-15, 1e-3]
	                            (default 1e-12) */
	size_t max_steps;        /* flow steps per start, 1 to
	                            DK_DMFT_MAX_FLOW_STEPS (default 100000) */
} dk_dmft_multi_options;

dk_dmft_multi_options dk_dmft_multi_options_default(void);

/* DK_EINVAL, with a message naming the field (and the region), for
   options out of the ranges above. */
int dk_dmft_multi_options_check(const dk_dmft_multi_options *o, char *err,
                                size_t errlen);

typedef struct dk_dmft_multi_result {
	dk_dmft_multi_options options; /* as run; its arrays point into
	                                  the result's copies below */
	size_t P, K;
	double *a, *b, *signs;   /* owned copies (P each), NULL when T was
	                            given */
	double *T, *U;           /* owned: P^3 each, as used */
	double *S;               /* owned: K x P x P, the fixed points */
	double *A;               /* owned: K x P, sum_nu (S^{mu nu})^2 */
	double *residual;        /* owned: K, max |F(S) - S| */
	size_t converged;        /* starts with residual <= tol */
	double *prediction;      /* owned: P, the paper's A^mu; NULL when
	                            T was given */
	double *that_eig;        /* owned: P^2 eigenvalues of T-hat as (re,
	                            im) pairs, by real part, then imaginary
	                            part, descending */
	double that_max_re;      /* the largest real part */
	int zero_stable;         /* that_max_re < 1 */
} dk_dmft_multi_result;

/* Fixed points and the stability of S = 0 under o into r (above),
   which owns its arrays until dk_dmft_multi_result_clear.  DK_EINVAL
   for bad options; DK_ENUMERIC when LAPACK fails; DK_ENOMEM.  Starts
   that do not converge are not an error: their residuals say so. */
int dk_dmft_multi_run(const dk_dmft_multi_options *o, dk_dmft_multi_result *r,
                      char *err, size_t errlen);
void dk_dmft_multi_result_clear(dk_dmft_multi_result *r);

/* The model's T and U (P^3 each) from checked options o: T as given or
   from a, b and signs, U as given or the identity. */
void dk_dmft_multi_coupling(const dk_dmft_multi_options *o, double *T,
                            double *U);

/* psi(Delta) = 1 / sqrt(1 + pi Delta / 2), and its inverse (2 / pi)
   (1 / psi^2 - 1). */
double dk_dmft_multi_psi(double delta);
double dk_dmft_multi_psi_inverse(double psi);

/*
 * One region with disorder, J^{mu mu}_ij ~ N(0, g^2 / N) added within it
 * (multiregion_static.c): the static theory at the prediction above.
 * The currents' fixed point still asks psi(Delta0) = 1 / max(a, b) of
 * the region's full variance Delta0 (psi averages phi' over all of x),
 * so Delta0 = psi^{-1}(1 / max(a, b)).  The autocorrelation Delta(tau)
 * of a unit then moves as a particle in the potential
 *	V(Delta) = -Delta^2 / 2 + g^2 F(Delta; Delta0) + A Delta,
 *	F the primitive of C_phi (dmft.h), A = sum_nu (S^{mu nu})^2
 * the variance of the static input of the currents, from Delta0 at rest
 * to rest at Delta_inf = A + g^2 C_phi(Delta_inf; Delta0), the static
 * part: so V(Delta0) = V(Delta_inf), one equation for Delta_inf once A
 * is eliminated, solved by Brent's method (1e-14 relative) with erf's
 * closed forms.  The phases:
 *	chaos suppressed      g^2 <phi'(sqrt(Delta0) z)^2> = g^2 / sqrt(1 +
 *	                      pi Delta0) <= 1: the static state is stable,
 *	                      Delta_inf = Delta0, A = Delta0 - g^2 <phi^2>;
 *	chaos with structure  above that, a root 0 < Delta_inf < Delta0
 *	                      with A > 0: currents and chaos together;
 *	chaos                 no such root: the currents cannot hold the
 *	                      region's gain, they vanish (A = 0), and the
 *	                      region is the rate network alone, Delta0 that
 *	                      of scs with phi = erf, Delta_inf = 0;
 *	quiescent             max(a, b) <= 1 and g <= 1: nothing moves.
 * With max(a, b) <= 1 and g > 1 the phase is chaos.  As a prediction for
 * the whole network it holds where the one without disorder does.
 */
typedef enum {
	DK_DMFT_QUIESCENT,
	DK_DMFT_CHAOS_SUPPRESSED,
	DK_DMFT_CHAOS_WITH_STRUCTURE,
	DK_DMFT_CHAOS
} dk_dmft_region_phase;

typedef struct dk_dmft_region_static {
	double delta0;             /* the variance of x */
	double delta_inf;          /* the static part of Delta(tau) */
	double A;                  /* the currents' part, sum_nu (S^{mu nu})^2 */
	dk_dmft_region_phase phase;
} dk_dmft_region_static;

/* The region of a, b and gain g (above) into s.  DK_EINVAL for |a| or b
   beyond DK_DMFT_MAX_COUPLING, b < 0, g outside [0, DK_DMFT_MAX_GAIN];
   DK_ENUMERIC when a root is not found. */
int dk_dmft_multi_static(double a, double b, double gain,
                         dk_dmft_region_static *s, char *err, size_t errlen);
/* "quiescent", "chaos suppressed", "chaos with structure", "chaos". */
const char *dk_dmft_region_phase_name(dk_dmft_region_phase p);

/*
 * The network simulated (multiregion_simulate.c): `networks` networks of
 * the multiregion model kind (lib/models), P regions of s->units units
 * each, network k's loadings drawn from seed + k for the T of a, b, signs
 * and U the identity (T and U themselves are not simulated), started at
 * the paper's x^mu = 2.5 sum_nu m^{mu nu} z_nu / sqrt(P), z standard
 * normal from a stream of its own, and stepped by the model's Euler steps
 * (dt 0.05) for transient and then steps steps.  The currents S^{mu nu}
 * = n^{mu nu} . phi(x^nu) / N are measured at the start and after every
 * step; A^mu = sum_nu (S^{mu nu})^2 is averaged over the measured steps.
 * Both tend to the theory's as N grows, with fluctuations from one
 * network to another of order 1 / sqrt(N) (the sample overlaps of the
 * loadings differ from T by that much).  Each step costs O(P^2 N).
 */
#define DK_DMFT_MULTI_MAX_UNITS 10000000

typedef struct dk_dmft_multi_sim_result {
	dk_dmft_multi_options options; /* as run; its arrays point into
	                                  the copies below */
	double *a, *b, *signs;         /* owned copies, P each */
	dk_dmft_sim_options sim;       /* as run: units per region */
	size_t P, samples;             /* samples = transient + steps + 1 */
	double dt;                     /* the time of a step */
	double *S;  /* owned: networks x samples x P x P */
	double *A;  /* owned: networks x P */
} dk_dmft_multi_sim_result;

/* Simulate (above) into r, which owns its arrays until
   dk_dmft_multi_sim_result_clear.  DK_EINVAL for bad options (units from
   1 to DK_DMFT_MULTI_MAX_UNITS; networks, transient and steps as
   dk_dmft_sim_options_check has them); DK_ENOMEM. */
int dk_dmft_multi_simulate(const dk_dmft_multi_options *o,
                           const dk_dmft_sim_options *s,
                           dk_dmft_multi_sim_result *r, char *err, size_t errlen);
void dk_dmft_multi_sim_result_clear(dk_dmft_multi_sim_result *r);
/* sim/S (network, step, region, region) and sim/A (network, region), with
   attrs "definition" and "sim" (regions, a, b, signs, units, networks,
   seed, transient, steps, dt, start, error).  DK_ENOMEM. */
int dk_dmft_multi_sim_to_bundle(const dk_dmft_multi_sim_result *r,
                                dk_bundle *out);

/*
 * The records (multiregion_records.c): dmft/S (start, region, region),
 * dmft/A and (start, region), dmft/residual (start), dmft/that_eig
 * (eigenvalue; complex), dmft/that_max_re (0-d); each with attrs
 * "definition" and "dmft": kind, regions, a, b, signs and prediction
 * (null when T was given), T and U when given, convention, phi, starts,
 * seed, init_scale, tol, converged, zero_stable, method, error.
 * DK_ENOMEM.
 */
int dk_dmft_multi_to_bundle(const dk_dmft_multi_result *r, dk_bundle *b);

#endif
