/*
 * gauss.h -- the nonlinearities of the mean-field theories and the
 * Gaussian averages over them.
 *
 * A nonlinearity is three functions: phi, its derivative phi' and its
 * primitive Phi (Phi' = phi, Phi(0) = 0).  The theories here take phi
 * odd, bounded by 1 in absolute value, with phi'(0) = 1 (so that the
 * critical gain is 1): tanh(x), and erf(sqrt(pi) x / 2), whose Gaussian
 * averages have closed forms (below) that the tests check the quadrature
 * against.  Another odd phi plugs in as one more entry of phi.c.
 *
 * The averages <f(sqrt(q) z)>, z ~ N(0, 1), are sums over the nodes
 * z_i = i h, |z_i| <= 9, with weights h exp(-z_i^2 / 2) / sqrt(2 pi):
 * the trapezoidal rule, whose error for an integrand analytic in the strip
 * |Im z| < d is of order exp(-2 pi d / h) (Trefethen and Weideman, SIAM
 * Review 56, 2014).  tanh(sqrt(q) z) has its poles at Im z = pi / (2
 * sqrt(q)); the step h = min(0.4, 0.13 / sqrt(q)) then puts the error of
 * the rule, over half that strip, below exp(-38) ~ 3e-17 relative, and
 * the mass of the Gaussian beyond |z| = 9 is 2e-19.  erf is entire and
 * converges faster.  The tests hold the averages to erf's closed forms
 * within 1e-13 relative and to GSL's adaptive quadrature within 1e-12.
 */
#ifndef DK_ANALYSIS_DMFT_GAUSS_H
#define DK_ANALYSIS_DMFT_GAUSS_H

#include <stddef.h>

typedef struct dk_dmft_phi {
	const char *name;          /* "tanh", "erf" */
	const char *formula;       /* "tanh(x)", "erf(sqrt(pi) x / 2)" */
	double (*phi)(double x);
	double (*dphi)(double x);  /* phi' */
	double (*Phi)(double x);   /* the primitive, Phi(0) = 0 */
	/* phi'(x) from phi(x) where one determines the other (tanh: 1 -
	   phi^2), so that a table of phi serves phi' too; or NULL */
	double (*dphi_of_phi)(double p);
} dk_dmft_phi;

/* The nonlinearity of that name, or NULL. */
const dk_dmft_phi *dk_dmft_phi_from_name(const char *name);
/* The names there are, as "tanh, erf" (for messages). */
const char *dk_dmft_phi_names(void);

/* The trapezoidal step for variances up to q (above). */
double dk_dmft_step(double q);

/* Over z ~ N(0, 1), q >= 0: <f(sqrt(q) z)>, <f(sqrt(q) z)^2>, and the
   variance of f(sqrt(q) z) (two passes, so that a small variance of a
   large mean keeps its digits). */
double dk_dmft_mean(double (*f)(double), double q);
double dk_dmft_mean2(double (*f)(double), double q);
double dk_dmft_var(double (*f)(double), double q);

/*
 * The nodes and weights of the two-dimensional averages, made once for
 * variances up to q (dk_dmft_grid_init; DK_EINVAL for q < 0 or not
 * finite, or more than 2^20 nodes; DK_ENOMEM).
 */
typedef struct dk_dmft_grid {
	size_t n;       /* nodes, odd: z = 0 is the middle one */
	double h;       /* the step */
	double *z;      /* owned: the n nodes, (i - n/2) h */
	double *w;      /* owned: their weights */
} dk_dmft_grid;
int dk_dmft_grid_init(dk_dmft_grid *g, double q);
void dk_dmft_grid_clear(dk_dmft_grid *g);

/*
 * <f(x1) f(x2)> for x1, x2 jointly Gaussian with mean 0, variance q0 and
 * covariance c, 0 <= c <= q0 <= the grid's q (c is clamped to [0, q0]):
 * with x1 = sqrt(q0 - c) x + sqrt(c) z, x2 = sqrt(q0 - c) y + sqrt(c) z,
 * the average over z of <f(sqrt(q0 - c) x + sqrt(c) z)>_x^2.  f must be
 * odd or even (then the inner average squared is even in z, and only
 * z >= 0 is summed).  With f = phi it is C_phi(c; q0), with f = Phi the
 * potential's F(c; q0) (dmft.h).
 */
double dk_dmft_corr(const dk_dmft_grid *g, double (*f)(double),
                    double c, double q0);

/*
 * The same correlation with the nodes fixed in x rather than in z:
 * x1 = u + v, x2 = u + v', u ~ N(0, c), v, v' ~ N(0, q0 - c), so that
 *	<f(x1) f(x2)> = <m(u)^2>_u,  m(u) = <f(u + v)>_v,
 * and both averages are trapezoidal sums over the one grid y_k = k h:
 * m at the nodes is a discrete convolution of the table f(y_k) with the
 * Gaussian of variance q0 - c, and the outer sum weighs m(y_i)^2 by the
 * Gaussian of variance c.  The table is made once for all c that share
 * the step h = min(0.13, 0.4 sqrt(q0 - c), 0.4 sqrt(c)), so a call costs
 * products and two exps per node, not a call of f per pair of nodes.
 * The rule is gauss.h's in each variable (z steps at most 0.4, and at
 * most 0.13 / sqrt(variance), so the poles of tanh are as far in units
 * of the step), with nodes to 9 standard deviations.  f odd or even (the
 * table holds y >= 0).  The workspace holds DK_DMFT_CONV_MAX entries;
 * a c so close to q0 that the table would need more gives NaN (the
 * caller then uses dk_dmft_corr).  Init: DK_ENOMEM.
 */
#define DK_DMFT_CONV_MAX ((size_t)1 << 14)
typedef struct dk_dmft_conv {
	double (*f)(double);
	double sign;    /* f(-y) = sign f(y) */
	double h;       /* the table's step (0: none yet) */
	size_t n;       /* entries made: f(k h), k < n */
	double *tab;    /* owned: DK_DMFT_CONV_MAX */
	double *kern;   /* owned: DK_DMFT_CONV_MAX, the inner Gaussian */
} dk_dmft_conv;
int dk_dmft_conv_init(dk_dmft_conv *w, double (*f)(double), int odd);
void dk_dmft_conv_clear(dk_dmft_conv *w);
double dk_dmft_corr_conv(dk_dmft_conv *w, double c, double q0);

/*
 * Closed forms for phi = erf(k x), k = sqrt(pi) / 2 (x, y jointly
 * Gaussian, mean 0, variances sx, sy, covariance c):
 *	<erf(k x) erf(k y)> = (2/pi) asin(2 k^2 c / sqrt((1 + 2 k^2 sx)(1 + 2 k^2 sy)))
 *	<phi'(sqrt(q) z)>   = 1 / sqrt(1 + pi q / 2)   (phi'(x) = exp(-pi x^2 / 4))
 *	<phi'(sqrt(q) z)^2> = 1 / sqrt(1 + pi q)
 *	<Phi(sqrt(q) z)>    = q / sqrt(1 + pi q / 2) + (2/pi) (1 / sqrt(1 + pi q / 2) - 1)
 *	                    = q / (1 + sqrt(1 + pi q / 2))
 *	                      (Phi(x) = x erf(k x) + (2/pi)(exp(-pi x^2 / 4) - 1);
 *	                      <x erf(k x)> = q <phi'> by Stein's lemma)
 *	F(c; q0) - F(0; q0) = (2/pi) (c asin(a c) + (sqrt(1 - a^2 c^2) - 1) / a),
 *	                      a = pi / (2 + pi q0), the integral of C_phi over c
 */
double dk_dmft_erf_corr(double sx, double sy, double c);
double dk_dmft_erf_mean_dphi(double q);
double dk_dmft_erf_mean2_dphi(double q);
double dk_dmft_erf_mean_Phi(double q);
double dk_dmft_erf_F_rise(double c, double q0);

#endif
