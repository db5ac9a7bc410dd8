/*
 * scs.c -- the self-consistent autocorrelation of the random rate
 * network (dmft.h): Delta0 from the energy condition, then Delta(tau)
 * by the equation of motion while Delta / Delta0 > 1/2 and by energy
 * conservation on the Hermite series of C_phi below.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_chebyshev.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "base/numeric.h"
#include "base/status.h"

/* The Hermite series to k = KMAX; used for rho <= 1/2, where the terms
   beyond are below 2^-KMAX <phi^2>. */
#define KMAX 61
#define RHO_SWITCH 0.5
/* The Hermite coefficients' nodes reach |z| = 14: |h_k(z)| exp(-z^2/2)
   is below exp(-z^2/4) ~ 5e-22 there (Cramer's bound). */
#define ZCOEF 14.0
#define MAX_STEPS 10000000
/* The equation of motion needs C_phi at every stage of every step; the
   two-dimensional quadrature is evaluated instead at the Chebyshev
   points of [CHEB_LO, 1] once, and the motion reads the Chebyshev series
   through them.  C_phi(rho) is analytic in rho there (Price's theorem
   gives every derivative as a Gaussian average of phi's derivatives), so
   the series converges geometrically, the slower the larger Delta0: the
   order starts at CHEB_ORDER and doubles, up to CHEB_ORDER_MAX, until the
   series meets the quadrature within CHEB_TOL of C_phi(1) = <phi^2> at
   CHEB_CHECKS points between the nodes (order 48 for tanh and erf at g =
   2, 192 at g = 10, where 48 is off by 2e-7).  Failing that the motion
   uses the quadrature itself, as it does below CHEB_LO, which a step
   reaches only between its stages. */
#define CHEB_ORDER 48
#define CHEB_ORDER_MAX 384
#define CHEB_TOL 1e-13
#define CHEB_CHECKS 24
#define CHEB_LO 0.3

typedef struct {
	const dk_dmft_phi *phi;
	double g2;
} energy;

/* 1/2 - g^2 Var[Phi(sqrt(D) z)] / D^2: (1 - g^2) / 2 < 0 as D -> 0
   (Phi = x^2 / 2 + O(x^4), Var[z^2 / 2] = 1/2), above 0 for D > 2 g^2
   (|Phi(x)| <= |x|, so Var <= D). */
static double energy_excess(double d, void *arg)
{
	const energy *e = arg;
	return 0.5 - e->g2 * dk_dmft_var(e->phi->Phi, d) / (d * d);
}

int dk_dmft_scs_delta0(const dk_dmft_phi *phi, double gain, double *delta0)
{
	*delta0 = 0;
	if (gain <= 1)
		return DK_OK;
	energy e = {phi, gain * gain};
	return dk_dmft_root(energy_excess, &e, 2 * e.g2 + 1, delta0);
}

/* b_k = a_k^2 / Delta0 for odd k <= KMAX (even ones vanish for odd phi),
   a_k = <phi(sqrt(Delta0) z) He_k(z)> / sqrt(k!), by the trapezoidal
   rule with a step fine enough for He_KMAX too (gauss.h). */
static void hermite(const dk_dmft_phi *phi, double delta0, double *b)
{
	double a[KMAX + 1] = {0}, s = sqrt(delta0);
	double h = 0.06 / s < 0.1 ? 0.06 / s : 0.1;
	long M = (long)ceil(ZCOEF / h);
	for (long i = -M; i <= M; i++) {
		double z = (double)i * h;
		double v = h * exp(-z * z / 2) / sqrt(2 * M_PI) * phi->phi(s * z);
		double hm = 1, hk = z;   /* h_{k-1}, h_k, normalised */
		a[0] += v;
		for (int k = 1; k <= KMAX; k++) {
			a[k] += v * hk;
			double next = (z * hk - sqrt((double)k) * hm) / sqrt(k + 1.0);
			hm = hk;
			hk = next;
		}
	}
	for (int k = 0; k <= KMAX; k++)
		b[k] = k % 2 ? a[k] * a[k] / delta0 : 0;
}

/* sum over odd k of c_k rho^(k-1), Horner in rho^2 */
static double odd_series(const double *c, double rho)
{
	double r2 = rho * rho, acc = 0;
	for (int k = KMAX; k >= 1; k -= 2)
		acc = acc * r2 + c[k];
	return acc;
}

typedef struct {
	const dk_dmft_phi *phi;
	double g2, delta0;
	const dk_dmft_grid *grid;
	int erf;                  /* phi is erf: C_phi in closed form */
	dk_dmft_conv *conv;       /* the fixed-node rule (gauss.h) */
	double b[KMAX + 1];       /* a_k^2 / Delta0 */
	double e[KMAX + 1];       /* b_k / (k + 1) */
	gsl_cheb_series *cheb;    /* owned: C_phi on [CHEB_LO, 1] */
} scs_work;

/* C_phi(rho Delta0; Delta0): erf's closed form, or the fixed-node rule,
   or (for rho so near 1 that its table would not fit) the grid's. */
static double cphi_quad(const scs_work *w, double rho)
{
	double c = rho * w->delta0;
	if (w->erf)
		return dk_dmft_erf_corr(w->delta0, w->delta0, fmin(c, w->delta0));
	double v = dk_dmft_corr_conv(w->conv, c, w->delta0);
	return isnan(v) ? dk_dmft_corr(w->grid, w->phi->phi, c, w->delta0) : v;
}

static double cphi_quad_fn(double rho, void *arg)
{
	return cphi_quad(arg, rho);
}

/* C_phi for the motion: the Chebyshev series on [CHEB_LO, 1]. */
static double cphi_motion(const scs_work *w, double rho)
{
	if (w->cheb && rho >= CHEB_LO && rho <= 1)
		return gsl_cheb_eval(w->cheb, rho);
	return cphi_quad(w, rho);
}

/* w->cheb: the first series of order CHEB_ORDER, 2 CHEB_ORDER, ... that
   meets the quadrature (above), or NULL; DK_ENOMEM. */
static int cheb_fit(scs_work *w)
{
	gsl_function f = {cphi_quad_fn, w};
	double scale = fabs(cphi_quad(w, 1.0));
	for (size_t order = CHEB_ORDER; order <= CHEB_ORDER_MAX; order *= 2) {
		gsl_cheb_series *c = gsl_cheb_alloc(order);
		if (!c)
			return DK_ENOMEM;
		gsl_cheb_init(c, &f, CHEB_LO, 1.0);
		double worst = 0;
		for (int i = 0; i < CHEB_CHECKS; i++) {
			/* points off the nodes of every order tried */
			double rho = CHEB_LO + (1 - CHEB_LO) * (i + 0.37) / CHEB_CHECKS;
			double e = fabs(gsl_cheb_eval(c, rho) - cphi_quad(w, rho));
			if (!(e <= worst))
				worst = e;
		}
		if (worst <= CHEB_TOL * scale) {
			w->cheb = c;
			return DK_OK;
		}
		gsl_cheb_free(c);
	}
	return DK_OK;
}

static double cphi_series(const scs_work *w, double rho)
{
	return w->delta0 * rho * odd_series(w->b, rho);
}

/* rho'' = rho - g^2 C_phi(rho Delta0) / Delta0 */
static int motion(double t, const double y[], double f[], void *arg)
{
	(void)t;
	const scs_work *w = arg;
	f[0] = y[1];
	f[1] = y[0] - w->g2 * cphi_motion(w, y[0]) / w->delta0;
	return GSL_SUCCESS;
}

/* d log(rho) / dtau on the orbit of energy V(0) (dmft.h) */
static int on_orbit(double t, const double y[], double f[], void *arg)
{
	(void)t;
	const scs_work *w = arg;
	double s = 1 - 2 * w->g2 * odd_series(w->e, exp(y[0]));
	f[0] = -sqrt(s > 0 ? s : 0);
	return GSL_SUCCESS;
}

/* Evolve y from *t to t1 in steps; stop early, with *t between, when
   stop(y) holds after a step.  DK_ENUMERIC when a step fails or there
   are too many. */
static int evolve(gsl_odeiv2_evolve *e, gsl_odeiv2_control *c,
                  gsl_odeiv2_step *s, const gsl_odeiv2_system *sys,
                  double *t, double t1, double *h, double *y,
                  int (*stop)(const double *y), long *steps)
{
	while (*t < t1) {
		if (++*steps > MAX_STEPS ||
		    gsl_odeiv2_evolve_apply(e, c, s, sys, t, t1, h, y) != GSL_SUCCESS)
			return DK_ENUMERIC;
		if (stop && stop(y))
			break;
	}
	return DK_OK;
}

static int below_switch(const double *y) { return y[0] <= RHO_SWITCH; }

/* Integrate one stage (dim 2: the motion, from the grid point *k on;
   dim 1: on the orbit) over the grid points from *k, filling r. */
static int stage(scs_work *w, int dim, double *t, double *y, size_t *k,
                 dk_dmft_scs_result *r, long *steps)
{
	gsl_odeiv2_system sys = {dim == 2 ? motion : on_orbit, NULL,
	                         (size_t)dim, w};
	gsl_odeiv2_step *s = gsl_odeiv2_step_alloc(gsl_odeiv2_step_rk8pd, (size_t)dim);
	gsl_odeiv2_control *c = gsl_odeiv2_control_y_new(DK_DMFT_ODE_TOL,
	                                                 DK_DMFT_ODE_TOL);
	gsl_odeiv2_evolve *e = gsl_odeiv2_evolve_alloc((size_t)dim);
	int st = s && c && e ? DK_OK : DK_ENOMEM;
	double h = 1e-3;
	while (!st && *k < r->n) {
		double t1 = r->tau[*k];
		st = evolve(e, c, s, &sys, t, t1, &h, y,
		            dim == 2 ? below_switch : NULL, steps);
		if (st)
			break;
		if (*t >= t1) {
			double rho = dim == 2 ? y[0] : exp(y[0]);
			r->delta[*k] = rho * w->delta0;
			r->cphi[*k] = dim == 2 ? cphi_quad(w, rho) : cphi_series(w, rho);
			++*k;
		}
		if (dim == 2 && y[0] <= RHO_SWITCH)
			break;
	}
	if (!st && dim == 2 && !(y[0] > 0))
		st = DK_ENUMERIC;
	gsl_odeiv2_evolve_free(e);
	gsl_odeiv2_control_free(c);
	gsl_odeiv2_step_free(s);
	return st;
}

int dk_dmft_scs_run(const dk_dmft_options *o, dk_dmft_scs_result *r,
                    char *err, size_t errlen)
{
	dk_numeric_init();
	*r = (dk_dmft_scs_result){.options = *o, .decay = NAN,
	                          .tau_switch = INFINITY};
	int st = dk_dmft_options_check(o, 1, err, errlen);
	if (st)
		return st;
	r->n = dk_dmft_grid_points(o->tau_max, o->dtau);
	r->tau = calloc(r->n, sizeof *r->tau);
	r->delta = calloc(r->n, sizeof *r->delta);
	r->cphi = calloc(r->n, sizeof *r->cphi);
	if (!r->tau || !r->delta || !r->cphi) {
		dk_dmft_scs_result_clear(r);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	for (size_t k = 0; k < r->n; k++)
		r->tau[k] = (double)k * o->dtau;
	r->chaotic = o->gain > 1;
	if (!r->chaotic)
		return DK_OK;   /* Delta = C_phi = 0 */
	if (dk_dmft_scs_delta0(o->phi, o->gain, &r->delta0))
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "the energy condition for Delta0 has no root found");
	double g2 = o->gain * o->gain, dphi = dk_dmft_mean(o->phi->dphi, r->delta0);
	double lambda2 = 1 - g2 * dphi * dphi;
	if (!(lambda2 >= DK_DMFT_MIN_DECAY2))
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "gain %.10g is too close to the critical gain 1: "
		                 "the decay rate's lambda^2 = %.3g, below %g, is lost "
		                 "to rounding", o->gain, lambda2, DK_DMFT_MIN_DECAY2);
	r->decay = sqrt(lambda2);

	dk_dmft_grid grid;
	if ((st = dk_dmft_grid_init(&grid, r->delta0)))
		return dk_errorf(st, err, errlen, "the quadrature grid: %s",
		                 dk_strerror(st));
	dk_dmft_conv conv;
	scs_work w = {.phi = o->phi, .g2 = g2, .delta0 = r->delta0, .grid = &grid,
	              .erf = o->phi == dk_dmft_phi_from_name("erf"), .conv = &conv};
	if (dk_dmft_conv_init(&conv, o->phi->phi, 1) || cheb_fit(&w)) {
		dk_dmft_conv_clear(&conv);
		dk_dmft_grid_clear(&grid);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	hermite(o->phi, r->delta0, w.b);
	for (int k = 0; k <= KMAX; k++)
		w.e[k] = w.b[k] / (k + 1);

	double t = 0, y[2] = {1, 0};
	size_t k = 0;
	long steps = 0;
	st = stage(&w, 2, &t, y, &k, r, &steps);
	if (!st && k < r->n) {
		r->tau_switch = t;
		y[0] = log(y[0]);
		st = stage(&w, 1, &t, y, &k, r, &steps);
	}
	dk_dmft_conv_clear(&conv);
	dk_dmft_grid_clear(&grid);
	gsl_cheb_free(w.cheb);
	if (st == DK_ENOMEM)
		return dk_errorf(st, err, errlen, "out of memory");
	if (st)
		return dk_errorf(st, err, errlen,
		                 "the integration of Delta(tau) failed at tau = %g", t);
	return DK_OK;
}

void dk_dmft_scs_result_clear(dk_dmft_scs_result *r)
{
	if (!r)
		return;
	free(r->tau);
	free(r->delta);
	free(r->cphi);
	r->tau = r->delta = r->cphi = NULL;
	r->n = 0;
}
