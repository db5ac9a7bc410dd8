/*
 * lowrank.h -- mean-field theory of a random network with low-rank
 * structure (Mastrogiuseppe and Ostojic, Neuron 99, 609, 2018), and the
 * same network simulated at finite N.
 *
 * The network, i = 1..N:
 *	dx_i/dt = -x_i + sum_j J_ij phi(x_j) + I_i,
 *	J_ij = g chi_ij + sum_{r=1..R} m^r_i n^r_j / N,  chi_ij ~ N(0, 1/N),
 * R = 1 or 2, the loadings (m^1..m^R, n^1..n^R, I) of each unit drawn
 * jointly Gaussian with means M (2R + 1 values in that order) and
 * covariance Sigma ((2R + 1)^2, positive semidefinite).
 *
 * In the limit N -> inf the low-rank input sum_j n^r_j phi(x_j) / N is
 * the same for every unit, kappa_r, and x_i is Gaussian over units (and
 * time) with mean mu and variance Delta0:
 *	mu      = sum_r M_m^r kappa_r + M_I,
 *	S       = Var[sum_r m^r kappa_r + I]
 *	        = sum_{r,s} Sigma_{m^r m^s} kappa_r kappa_s
 *	          + 2 sum_r Sigma_{m^r I} kappa_r + Sigma_{II}   (the structured,
 *	          static variance),
 *	kappa_r = <n^r phi(x)> = M_n^r <[phi]> + c_{n^r} <[phi']>   (Stein's lemma),
 *	c_a     = Cov(a, x) = sum_s Sigma_{a m^s} kappa_s + Sigma_{a I},
 * where <[f]> = <f(mu + sqrt(Delta0) z)>, z ~ N(0, 1).
 *
 * Stationary branches: x_i = sum_r m^r_i kappa_r + I_i + g eta_i, eta_i
 * a static Gaussian field of variance <[phi^2]>, so
 *	Delta0 = g^2 <[phi^2]> + S,   Delta_inf = Delta0.
 * Chaotic branches: the disordered part g eta_i(t) varies in time; with
 * x = mu + sqrt(Delta_inf) z + sqrt(Delta0 - Delta_inf) y (z static, y the
 * time-varying part), its autocorrelation D(tau) = Delta(tau) - S obeys
 * D'' = D - g^2 C_phi(tau), a particle in V(D) = -D^2/2 + g^2 F, F =
 * <Phi(x(t)) Phi(x(t + tau))> (dF/dDelta = C_phi by Price's theorem),
 * from rest at Delta0 to rest at Delta_inf:
 *	Delta_inf = S + g^2 int Dz [int Dy phi]^2,
 *	(Delta0^2 - Delta_inf^2)/2 = g^2 (int Dz int Dy Phi^2 - int Dz [int Dy Phi]^2)
 *	                             + S (Delta0 - Delta_inf),
 * and kappa as above, its averages over the full variance Delta0 (kappa
 * is constant in time).  The energy condition is solved divided by
 * Delta0 - Delta_inf, and a chaotic branch is kept only when Delta0 -
 * Delta_inf exceeds DK_DMFT_LOWRANK_MIN_SPLIT Delta0 (else it is a
 * stationary one, which solves the divided equations too).
 *
 * Stability of a stationary branch: the Jacobian is -1 + J diag(phi'(x)).
 * The random part's eigenvalues fill a disc of radius r = g sqrt(<[phi'^2]>)
 * (the bulk); the low-rank part adds the eigenvalues of the R x R matrix
 *	A_rs = <n^r phi'(x) m^s>
 *	     = (M_n^r M_m^s + Sigma_{n^r m^s}) <[phi']> + (M_n^r c_{m^s} +
 *	       M_m^s c_{n^r}) <[phi'']> + c_{n^r} c_{m^s} <[phi''']>,
 * (the Gaussian moments of a jointly Gaussian triple; <[phi'']> =
 * <z phi'> / sqrt(Delta0), <[phi''']> = <(z^2 - 1) phi'> / Delta0), the
 * outliers; exact at g = 0, where the Jacobian's other eigenvalues are
 * -1; for g > 0 the random part shifts them, and these are their values
 * to leading order (tests/dmft_lowrank.sh holds the stability they imply
 * against simulated networks).  A stationary branch is stable when r < 1
 * and every outlier has real part below 1.  For a chaotic branch the
 * same quantities are reported with the averages over Delta0.
 *
 * Solution: from a grid of kappa starts (DK_DMFT_LOWRANK_GRID per axis,
 * DK_DMFT_LOWRANK_CHAOTIC_GRID for the chaotic equations, across [-K_r,
 * K_r], K_r = sqrt(M_n^r^2 + Sigma_{n^r n^r}), which bounds |kappa_r|
 * since |phi| <= 1), Newton's method on the equations with a central
 * (chaotic: forward) finite-difference Jacobian and a halved step until
 * the residual falls, until it is below DK_DMFT_LOWRANK_TOL: once from
 * the start itself (which reaches the saddles of the iteration too),
 * once after a damped fixed-point iteration (the unknowns moved half way
 * to their images, at most DK_DMFT_LOWRANK_ITERATIONS times, 40 for the
 * chaotic equations, whose averages are two-dimensional; chaotic: Delta0
 * by the energy condition solved for its term (Delta0 + Delta_inf) / 2);
 * the stationary start's Delta0 is S + g^2, the chaotic one's S plus
 * scs's Delta0 with Delta_inf = S.  Branches whose order parameters
 * differ by less than 1e-7 in all (summed) are one, the one of smaller
 * residual kept.  The chaotic equations are tried for g > 1 only (chaos
 * needs r > 1, and r <= g since |phi'| <= 1).  The Gaussian averages are
 * the trapezoidal rule of gauss.h, shifted by mu, one- and
 * two-dimensional.
 */
#ifndef DK_ANALYSIS_DMFT_LOWRANK_H
#define DK_ANALYSIS_DMFT_LOWRANK_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/gauss.h"
#include "stream/bundle.h"

#define DK_DMFT_LOWRANK_MAX_RANK 2
#define DK_DMFT_LOWRANK_MAX_DIM (2 * DK_DMFT_LOWRANK_MAX_RANK + 1)
#define DK_DMFT_LOWRANK_MAX_MEAN 100.0   /* |M| and Sigma's diagonal */
#define DK_DMFT_LOWRANK_GRID 5
#define DK_DMFT_LOWRANK_CHAOTIC_GRID 3
#define DK_DMFT_LOWRANK_ITERATIONS 200
#define DK_DMFT_LOWRANK_TOL 1e-12
#define DK_DMFT_LOWRANK_MIN_SPLIT 1e-6
#define DK_DMFT_LOWRANK_MAX_BRANCHES 64

typedef struct dk_dmft_lowrank_options {
	size_t rank;            /* R, 1 or 2 (default 1) */
	double gain;            /* g, in [0, DK_DMFT_MAX_GAIN] (default 0.5) */
	const dk_dmft_phi *phi; /* not owned (default tanh) */
	/* means and covariance in the order m^1..m^R, n^1..n^R, I; only the
	   first 2R + 1 rows and columns are read; cov symmetric (default, rank
	   one: M = (1, 2, 0), Sigma = diag(1, 1, 0)) */
	double mean[DK_DMFT_LOWRANK_MAX_DIM];
	double cov[DK_DMFT_LOWRANK_MAX_DIM][DK_DMFT_LOWRANK_MAX_DIM];
} dk_dmft_lowrank_options;

dk_dmft_lowrank_options dk_dmft_lowrank_options_default(void);

/* The index of m^r, n^r (r from 0) and I in mean and cov for rank R. */
#define DK_DMFT_LOWRANK_M(r) (r)
#define DK_DMFT_LOWRANK_N(R, r) ((R) + (r))
#define DK_DMFT_LOWRANK_I(R) (2 * (R))

/* DK_EINVAL, naming the field: rank, gain or phi out of range, a mean or
   variance not finite or beyond DK_DMFT_LOWRANK_MAX_MEAN, cov not
   symmetric or not positive semidefinite (its least eigenvalue below
   -1e-12 times its largest). */
int dk_dmft_lowrank_options_check(const dk_dmft_lowrank_options *o,
                                  char *err, size_t errlen);

enum {
	DK_DMFT_LOWRANK_STABLE = 0,    /* stationary, stable */
	DK_DMFT_LOWRANK_UNSTABLE = 1,  /* stationary, unstable */
	DK_DMFT_LOWRANK_CHAOTIC = 2
};

typedef struct dk_dmft_lowrank_branch {
	double kappa[DK_DMFT_LOWRANK_MAX_RANK];
	double mu, delta0, delta_inf;
	double bulk_radius;
	/* the outliers as (re, im), by real part descending */
	double outliers[DK_DMFT_LOWRANK_MAX_RANK][2];
	double residual;        /* max |equation| at the solution */
	int state;              /* DK_DMFT_LOWRANK_* */
} dk_dmft_lowrank_branch;

typedef struct dk_dmft_lowrank_result {
	dk_dmft_lowrank_options options;   /* as run */
	size_t branches;
	/* stationary first, then chaotic; each by kappa_1 ascending */
	dk_dmft_lowrank_branch branch[DK_DMFT_LOWRANK_MAX_BRANCHES];
} dk_dmft_lowrank_result;

/* Every branch found (above) into r.  DK_EINVAL for bad options;
   DK_ENOMEM. */
int dk_dmft_lowrank_solve(const dk_dmft_lowrank_options *o,
                          dk_dmft_lowrank_result *r, char *err, size_t errlen);

/* The state's words: "stationary stable", "stationary unstable",
   "chaotic". */
const char *dk_dmft_lowrank_state_name(int state);

/*
 * The network simulated (lowrank_simulate.c): network k from seed + k
 * draws chi (N x N, N(0, 1/N)), then each unit's loadings (M + L z, L
 * Sigma's Cholesky-like square root from its eigenvectors), then x(0) ~
 * N(0, 1); Euler steps of DK_DMFT_SCS_DT, `transient` discarded and
 * `steps` measured: kappa_r the mean of n^r_i phi(x_i) over units and
 * measured steps, mu the mean of x, Delta0 its variance over units and
 * steps, Delta_inf the variance over units of each unit's time mean
 * (biased up by the time-varying part's residual over a finite window),
 * and the branch the nearest (in kappa and Delta0) of the theory's
 * branches that the dynamics can settle on (stable stationary, chaotic),
 * or -1 without one.  Errors: of order 1 / sqrt(N) from network to network,
 * Euler's of order dt.
 */
typedef struct dk_dmft_lowrank_sim_result {
	dk_dmft_lowrank_options options; /* as run */
	dk_dmft_sim_options sim;         /* as run */
	double *kappa;                   /* owned: networks x R */
	double *mu, *delta0, *delta_inf; /* owned: per network */
	int64_t *branch;                 /* owned: per network */
	/* the finite-N discrepancy from the branch landed on, over the
	   networks that landed on one: mean and standard deviation (n - 1;
	   NaN for fewer than two) of sim - theory, for kappa_r (R each),
	   mu, Delta0 and Delta_inf; NaN without any */
	double kappa_error[2][DK_DMFT_LOWRANK_MAX_RANK];
	double mu_error[2], delta0_error[2], delta_inf_error[2];
} dk_dmft_lowrank_sim_result;

/* DK_EINVAL for bad options (units up to DK_DMFT_MAX_UNITS); DK_ENOMEM.
   theory may be NULL. */
int dk_dmft_lowrank_simulate(const dk_dmft_lowrank_options *o,
                             const dk_dmft_sim_options *s,
                             const dk_dmft_lowrank_result *theory,
                             dk_dmft_lowrank_sim_result *r,
                             char *err, size_t errlen);
void dk_dmft_lowrank_sim_result_clear(dk_dmft_lowrank_sim_result *r);

/*
 * Records (lowrank_records.c): dmft/kappa (branch, rank), dmft/mu,
 * dmft/delta0, dmft/delta_inf, dmft/bulk_radius, dmft/state (branch),
 * dmft/outliers (branch, rank; complex), with attrs "definition" and
 * "dmft" (kind, rank, gain, phi, mean, cov, method, error, states); the
 * simulation's sim/kappa (network, rank), sim/mu, sim/delta0,
 * sim/delta_inf, sim/branch (network), attrs "sim" (with the
 * discrepancies' means and standard deviations).  DK_ENOMEM.
 */
int dk_dmft_lowrank_to_bundle(const dk_dmft_lowrank_result *r, dk_bundle *b);
int dk_dmft_lowrank_sim_to_bundle(const dk_dmft_lowrank_sim_result *r,
                                  dk_bundle *b);

#endif
