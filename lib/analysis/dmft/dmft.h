/*
 * dmft.h -- dynamical mean-field theory of random networks: the
 * self-consistent autocorrelation of the rate network of Sompolinsky,
 * Crisanti and Sommers (scs), and the order parameters of the random
 * map (map).  Both take J_ij ~ N(0, g^2 / N) and an odd phi with
 * phi'(0) = 1 (gauss.h), so that the critical gain is g_c = 1.
 *
 * scs (Phys. Rev. Lett. 61, 259, 1988): dx/dt = -x + J phi(x).  In the
 * limit N -> inf the autocorrelation Delta(tau) = <x(t) x(t + tau)> of
 * the stationary state obeys
 *	Delta'' = Delta - g^2 C_phi(Delta; Delta0),
 *	C_phi(Delta; Delta0) = <phi(x1) phi(x2)>, x1, x2 jointly Gaussian,
 *	variance Delta0, covariance Delta,
 * the motion of a particle in V(Delta) = -Delta^2/2 + g^2 F(Delta; Delta0),
 * F = <Phi(x1) Phi(x2)> (dF/dDelta = C_phi by Price's theorem), from
 * Delta(0) = Delta0 at rest.  The chaotic solution (g > 1) reaches the
 * top of the hill Delta = 0 as tau -> inf, so its energy is that of the
 * top: V(Delta0) = V(0), that is Delta0^2 / 2 = g^2 Var[Phi(sqrt(Delta0)
 * z)], solved by Brent's method to 1e-14 relative.  For g <= 1, Delta0 =
 * 0 (quiescent).  Near the top, C_phi ~ Delta <phi'(sqrt(Delta0) z)>^2,
 * so Delta decays as exp(-lambda tau) with the decay rate
 *	lambda = sqrt(1 - g^2 <phi'(sqrt(Delta0) z)>^2).
 * Near g = 1 both equations cancel: the energy condition's terms are of
 * order g - 1 and its residual of order (g - 1) Delta0, so Delta0 keeps a
 * relative accuracy of about 1e-16 / (g - 1); and lambda^2, of order
 * (g - 1)^2, is a difference of terms of order 1, so lambda keeps about
 * 1e-16 / lambda^2.  scs refuses gains where lambda^2 is below
 * DK_DMFT_MIN_DECAY2 (g - 1 below about 2e-5), where lambda would keep
 * fewer than six digits.
 *
 * Delta(tau) is found in two stages.  While rho = Delta / Delta0 > 1/2,
 * the second-order equation is integrated (GSL's rk8pd, absolute and
 * relative tolerance 1e-13 on rho and rho'), C_phi from a Chebyshev
 * series fitted once on rho in [0.3, 1] (scs.c), its values from erf's
 * closed form or the fixed-node rule of gauss.h (dk_dmft_corr_conv).  From rho <= 1/2 on, the particle is put on the orbit of
 * energy V(0) itself, which a forward integration would leave at the
 * rate exp(lambda tau): with C_phi = sum_k a_k^2 rho^k (Mehler; a_k the
 * normalised Hermite coefficients of phi(sqrt(Delta0) z), odd k only),
 * energy conservation gives
 *	d log(rho) / dtau = -sqrt(1 - (2 g^2 / Delta0) sum_k a_k^2 rho^(k-1) / (k + 1)),
 * integrated by rk8pd (tolerance 1e-13 on log rho), the sum to k = 61
 * (the rest is below 2^-62).  It tends to -lambda as rho -> 0.
 *
 * map (Molgedey, Schuchhardt and Schuster, PRL 69, 3717, 1992; Poole et
 * al., NeurIPS 2016): h' = J phi(h).  The variance q of h is the fixed
 * point q = g^2 <phi(sqrt(q) z)^2>, 0 for g <= 1 and the positive root
 * (Newton in a bracket, to a step of 1e-15 q; map.c) above; chi1 = g^2
 * <phi'(sqrt(q) z)^2> is the mean squared gain of a perturbation per
 * step, and the largest
 * Lyapunov exponent is lambda1 = log(chi1) / 2 per step.
 */
#ifndef DK_ANALYSIS_DMFT_DMFT_H
#define DK_ANALYSIS_DMFT_DMFT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/dmft/gauss.h"
#include "stream/bundle.h"

/* The largest gain: the quadrature's nodes grow as g, the two-dimensional
   sums of scs as g^2 (about 4 s at g = 10). */
#define DK_DMFT_MAX_GAIN 10.0
/* The smallest lambda^2 scs solves for (see above). */
#define DK_DMFT_MIN_DECAY2 1e-10
/* The most points of the tau grid. */
#define DK_DMFT_MAX_POINTS ((size_t)1 << 24)

typedef struct dk_dmft_options {
	double gain;            /* g, in (0, DK_DMFT_MAX_GAIN] (default 2) */
	const dk_dmft_phi *phi; /* not owned (default tanh) */
	double tau_max;         /* scs: the grid's end, > 0 (default 30) */
	double dtau;            /* scs: its step, > 0 (default 0.1) */
} dk_dmft_options;

dk_dmft_options dk_dmft_options_default(void);

/* DK_EINVAL, with a message naming the field, for options out of range,
   and (scs) for a grid of more than DK_DMFT_MAX_POINTS points. */
int dk_dmft_options_check(const dk_dmft_options *o, int scs,
                          char *err, size_t errlen);

/* The points of the grid 0, dtau, ..., k dtau <= tau_max (to 1e-9 of a
   step, so that 0.3 / 0.1 counts 4); 0 when there are too many. */
size_t dk_dmft_grid_points(double tau_max, double dtau);

typedef struct dk_dmft_scs_result {
	dk_dmft_options options; /* as run */
	int chaotic;             /* g > 1 */
	double delta0;           /* Delta(0); 0 when quiescent */
	double decay;            /* lambda; NaN when quiescent */
	double tau_switch;       /* where the energy stage began (inf if not) */
	size_t n;                /* grid points */
	double *tau;             /* owned: the n points */
	double *delta;           /* owned: Delta there */
	double *cphi;            /* owned: C_phi(Delta; Delta0) there */
} dk_dmft_scs_result;

/* The scs solution under o (see above) into r, which owns its arrays
   until dk_dmft_scs_result_clear.  DK_EINVAL for bad options;
   DK_ENUMERIC when a root or an integration fails, or g is too close to
   1 (lambda^2 < DK_DMFT_MIN_DECAY2); DK_ENOMEM. */
int dk_dmft_scs_run(const dk_dmft_options *o, dk_dmft_scs_result *r,
                    char *err, size_t errlen);
void dk_dmft_scs_result_clear(dk_dmft_scs_result *r);

/* Delta0 alone: the root of Delta0^2 / 2 = g^2 Var[Phi(sqrt(Delta0) z)]
   (0 for g <= 1).  DK_ENUMERIC when the root is not found. */
int dk_dmft_scs_delta0(const dk_dmft_phi *phi, double gain, double *delta0);

typedef struct dk_dmft_map_result {
	dk_dmft_options options; /* as run */
	int chaotic;             /* g > 1 */
	double q;                /* the fixed point of the variance */
	double chi1;             /* g^2 <phi'(sqrt(q) z)^2> */
	double lyapunov;         /* log(chi1) / 2 */
} dk_dmft_map_result;

int dk_dmft_map_run(const dk_dmft_options *o, dk_dmft_map_result *r,
                    char *err, size_t errlen);

/*
 * The map simulated (simulate.c): for each of `networks` networks of N
 * units, network k drawn from seed + k (lib/base/rng.h): J_ij ~ N(0,
 * g^2 / N), h_i ~ N(0, 1), a tangent vector v_i ~ N(0, 1); then
 *	h <- J phi(h),  v <- J (phi'(h) v) / |J (phi'(h) v)|
 * for transient steps, and as many measured steps, over which q is the
 * mean of h_i^2 over units and steps, and the largest Lyapunov exponent
 * the mean of log |J (phi'(h) v)| per step.  Both tend to the mean-field
 * values as N grows, with corrections of order 1 / N and fluctuations
 * from one network to another of order 1 / sqrt(N).
 */
#define DK_DMFT_MAX_UNITS 8192          /* J takes 8 N^2 bytes: 512 MiB */
#define DK_DMFT_MAX_NETWORKS 10000
#define DK_DMFT_MAX_STEPS 10000000

/* The rule of scs --simulate's time steps (integrate.c). */
typedef enum {
	DK_DMFT_EULER,          /* x += dt F(x): first order, one product */
	DK_DMFT_HEUN,           /* explicit trapezoidal: second order, two */
	DK_DMFT_RK4             /* classical Runge-Kutta: fourth order, four */
} dk_dmft_integrator;

/* "euler", "heun", "rk4"; NULL for another value. */
const char *dk_dmft_integrator_name(dk_dmft_integrator m);
/* The rule of that name into *m; DK_EINVAL for another name. */
int dk_dmft_integrator_from_name(const char *name, dk_dmft_integrator *m);
/*
 * One step of dt of dx/dt = F(x) = -x + J phi(x), x of N units, J N x N
 * row-major, by rule m; work holds 6 N doubles.  Euler's is the one
 * product x <- (1 - dt) x + dt J phi(x).
 */
void dk_dmft_rate_step(const double *J, size_t N, const dk_dmft_phi *phi,
                       dk_dmft_integrator m, double dt, double *x,
                       double *work);

typedef struct dk_dmft_sim_options {
	size_t units;           /* N, 2 to DK_DMFT_MAX_UNITS (default 1000) */
	size_t networks;        /* 1 to DK_DMFT_MAX_NETWORKS (default 1) */
	uint64_t seed;          /* network k from seed + k (default 1) */
	size_t transient;       /* steps before measuring (default 200) */
	size_t steps;           /* measured steps, >= 1 (default 500) */
	dk_dmft_integrator integrator; /* scs only (default DK_DMFT_EULER) */
} dk_dmft_sim_options;

dk_dmft_sim_options dk_dmft_sim_options_default(void);
/* DK_EINVAL, naming the field, for values out of the ranges above. */
int dk_dmft_sim_options_check(const dk_dmft_sim_options *s, char *err,
                              size_t errlen);

typedef struct dk_dmft_sim_result {
	dk_dmft_options options;     /* as run */
	dk_dmft_sim_options sim;     /* as run */
	double *q;                   /* owned: per network */
	double *lyapunov;            /* owned: per network, per step */
} dk_dmft_sim_result;

/* Simulate (above) into r, which owns its arrays until
   dk_dmft_sim_result_clear.  DK_EINVAL for bad options; DK_ENOMEM. */
int dk_dmft_map_simulate(const dk_dmft_options *o, const dk_dmft_sim_options *s,
                         dk_dmft_sim_result *r, char *err, size_t errlen);
void dk_dmft_sim_result_clear(dk_dmft_sim_result *r);

/*
 * The rate network simulated (simulate_scs.c): for each of `networks`
 * networks of N units, network k from seed + k: J_ij ~ N(0, g^2 / N)
 * drawn as the map's, then x_i(0) ~ N(0, 1); dx/dt = -x + J phi(x) by
 * steps of DK_DMFT_SCS_DT (Euler's by default; Heun's or RK4's on
 * request, dk_dmft_rate_step), `transient` of them discarded and
 * `steps` recorded.  Delta(tau) is the mean over units and recorded times
 * t of x_i(t) x_i(t + tau), nothing subtracted (the ensemble is symmetric
 * under x -> -x, so <x> = 0), each lag's mean over the steps - lag
 * products it has, by FFT of every unit's record padded with as many
 * zeros; read at the lags of the scs grid (o->tau_max, o->dtau), linearly
 * between steps, NaN for lags past half the window.  Delta0 = Delta(0).
 * Errors: the integrator's, of order dt (Euler), dt^2 (Heun) or dt^4
 * (RK4); the finite network's, of order 1 / N
 * with fluctuations of order 1 / sqrt(N) from one network to another;
 * and the finite window's, of relative order sqrt(tau_c / (N T dt)) at
 * each lag, tau_c the correlation time.
 */
#define DK_DMFT_SCS_DT 0.05
#define DK_DMFT_MAX_RECORDED ((size_t)1 << 27) /* units * steps: 1 GiB */

typedef struct dk_dmft_scs_sim_result {
	dk_dmft_options options;     /* as run */
	dk_dmft_sim_options sim;     /* as run */
	size_t n;                    /* lags: the scs grid's points */
	double *tau;                 /* owned: the n lags */
	double *delta0;              /* owned: per network */
	double *delta;               /* owned: networks x n, network-major */
} dk_dmft_scs_sim_result;

/* Simulate (above) into r, which owns its arrays until
   dk_dmft_scs_sim_result_clear.  DK_EINVAL for bad options (steps from 2
   to DK_DMFT_MAX_RECORDED / units); DK_ENOMEM. */
int dk_dmft_scs_simulate(const dk_dmft_options *o, const dk_dmft_sim_options *s,
                         dk_dmft_scs_sim_result *r, char *err, size_t errlen);
void dk_dmft_scs_sim_result_clear(dk_dmft_scs_sim_result *r);

/*
 * The results as records (records.c).  scs: dmft/delta0 and dmft/decay
 * (0-d), dmft/tau, dmft/delta, dmft/cphi (tau); map: dmft/q, dmft/chi1,
 * dmft/lyapunov (0-d).  Each has attrs "definition" and "dmft": kind,
 * gain, phi, critical_gain, phase ("chaotic" or "quiescent"), method and
 * error (the accuracy stated above).  The simulation: sim/q and
 * sim/lyapunov (network), attrs "sim" (units, networks, seed, transient,
 * steps, gain, phi); the rate network's: sim/delta0 (network) and
 * sim/delta (network, tau), attrs "sim" with dt too.  DK_ENOMEM.
 */
int dk_dmft_scs_to_bundle(const dk_dmft_scs_result *r, dk_bundle *b);
int dk_dmft_map_to_bundle(const dk_dmft_map_result *r, dk_bundle *b);
int dk_dmft_sim_to_bundle(const dk_dmft_sim_result *r, dk_bundle *b);
int dk_dmft_scs_sim_to_bundle(const dk_dmft_scs_sim_result *r, dk_bundle *b);

#endif
