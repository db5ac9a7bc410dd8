/*
 * test_dmft_multi.c -- the multiregion fixed points (multiregion.h)
 * against what is known without them: A^mu = sum_nu (S^{mu nu})^2
 * against the paper's prediction psi^{-1}(1 / max(a_mu, b_mu)) for P =
 * 2, 3 and 5 where it applies; every fixed point against the fixed-point
 * equation written out here for the a, b parameterisation, F^{mu nu} =
 * psi(A^nu) c^{mu nu} S^{nu mu}, and for a general T and U against a
 * plain loop over the definition; T-hat's eigenvalues against the a_mu
 * and +-sqrt(b_mu b_nu) they must be, and for a general T against the
 * traces of the powers of T-hat built here; the stability boundary
 * max Re lambda(T-hat) = 1, crossed by two families; the options
 * refused; the same seed giving the same bytes; the records.  With
 * disorder, one region's static theory: Delta_inf and A against energy
 * conservation and the static equation evaluated by the quadrature of
 * gauss.h (not the closed forms the solver uses), the phase boundary
 * g^4 = 2 max(a, b)^2 - 1, and the chaos phase against scs.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

/* The solver's tolerance on max |F(S) - S| (its default). */
#define TOL 1e-12
/* A is a smooth function of S near a fixed point, and S is within
   about its residual (<= TOL) divided by the smallest nonzero rate of
   the flow there (about 0.1 for the parameters below) of an exact
   fixed point: A^mu = sum (S^{mu nu})^2 moves by 2 |S| that, a few
   1e-11 for |S| <= 2.  1e-9 relative leaves a margin of 10 to 100. */
#define A_TOL 1e-9

static double psi(double delta) { return 1 / sqrt(1 + M_PI * delta / 2); }

/* max |F(S) - S| for F^{mu nu} = psi(A^nu) c^{mu nu} S^{nu mu}, c from
   a, b, signs (U = 1, so Delta = A). */
static double residual_abs(const double *S, const double *a, const double *b,
                           const double *s, size_t P)
{
	double worst = 0;
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++) {
			double An = 0;
			for (size_t r = 0; r < P; r++)
				An += S[n * P + r] * S[n * P + r];
			double c = m == n ? a[m] : s[m] * s[n] * sqrt(b[m] * b[n]);
			double F = psi(An) * c * S[n * P + m];
			worst = fmax(worst, fabs(F - S[m * P + n]));
		}
	return worst;
}

static dk_dmft_multi_options abs_options(size_t P, const double *a,
                                         const double *b, const double *s)
{
	dk_dmft_multi_options o = dk_dmft_multi_options_default();
	o.regions = P;
	o.a = a;
	o.b = b;
	o.signs = s;
	return o;
}

/* Every start converged, is a fixed point of the equation written out
   above, and its A is the prediction (2 / pi)(max(a, b)^2 - 1). */
static void check_prediction(const char *what, size_t P, const double *a,
                             const double *b, const double *s)
{
	dk_dmft_multi_options o = abs_options(P, a, b, s);
	dk_dmft_multi_result r;
	char err[256];
	int st = dk_dmft_multi_run(&o, &r, err, sizeof err);
	ok(!st, "%s: solved%s%s", what, st ? ": " : "", st ? err : "");
	if (st)
		return;
	is_int(r.converged, r.K, "%s: all %zu starts converged", what, r.K);
	double worst_res = 0, worst_a = 0;
	for (size_t k = 0; k < r.K; k++) {
		worst_res = fmax(worst_res, residual_abs(r.S + k * P * P, a, b, s, P));
		for (size_t m = 0; m < P; m++) {
			double top = fmax(a[m], b[m]);
			double want = top > 1 ? 2 / M_PI * (top * top - 1) : 0;
			double sum = 0;
			for (size_t n = 0; n < P; n++)
				sum += r.S[(k * P + m) * P + n] * r.S[(k * P + m) * P + n];
			worst_a = fmax(worst_a, fabs(r.A[k * P + m] - want) / want);
			worst_a = fmax(worst_a, fabs(sum - r.A[k * P + m]) / want);
			if (fabs(r.prediction[m] - want) > 1e-15 * want)
				worst_a = INFINITY;
		}
	}
	ok(worst_res <= 2 * TOL, "%s: F(S) = S written out here, within %g "
	   "(worst %.2g)", what, 2 * TOL, worst_res);
	ok(worst_a <= A_TOL, "%s: A^mu = psi^-1(1 / max(a, b)) within %g "
	   "relative (worst %.2g)", what, A_TOL, worst_a);
	dk_dmft_multi_result_clear(&r);
}

static void test_predictions(void)
{
	static const double one[5] = {1, 1, 1, 1, 1};
	/* P = 2, each region on its own current (a > b; the pair is
	   subcritical, psi1 psi2 b1 b2 = b1 b2 / (a1 a2) < 1) */
	check_prediction("P = 2, a > b", 2, (double[]){2.5, 1.6},
	                 (double[]){1.4, 1.3}, one);
	/* P = 2, the pair carries both: equal b above a (with unequal b the
	   pair cannot make up both A, multiregion.h) */
	check_prediction("P = 2, pair", 2, (double[]){2.0, 1.8},
	                 (double[]){2.5, 2.5}, (double[]){1, -1});
	/* P = 3, three pairs for three regions, all b above a */
	check_prediction("P = 3, pairs", 3, (double[]){2, 2, 2},
	                 (double[]){2.4, 2.5, 2.6}, (double[]){1, -1, 1});
	/* P = 3: region 1 on its own current, 2 and 3 on their pair */
	check_prediction("P = 3, mixed", 3, (double[]){2.6, 1.5, 1.7},
	                 (double[]){1.2, 2.2, 2.2}, one);
	/* P = 5: all b above a, a continuum of fixed points (ten pairs for
	   five sums) */
	check_prediction("P = 5, pairs", 5, (double[]){2.07, 2.02, 2.04, 2.09, 2.07},
	                 (double[]){2.46, 2.54, 2.49, 2.50, 2.52},
	                 (double[]){1, -1, 1, 1, -1});
	/* P = 5: one and two regions on their own currents */
	check_prediction("P = 5, one own", 5, (double[]){2.56, 1.98, 1.98, 1.96, 2.03},
	                 (double[]){1.91, 2.57, 2.47, 2.51, 2.49}, one);
	check_prediction("P = 5, two own", 5, (double[]){2.48, 2.50, 1.91, 2.07, 1.93},
	                 (double[]){1.97, 2.02, 2.45, 2.46, 2.46},
	                 (double[]){-1, 1, 1, -1, 1});
}

static int descending(const void *x, const void *y)
{
	double u = *(const double *)x, v = *(const double *)y;
	return u < v ? 1 : u > v ? -1 : 0;
}

/* With T = delta_{mu rho} c^{mu nu}, T-hat's eigenvalues are the a_mu and
   +-sqrt(b_mu b_nu), mu < nu: real, and well conditioned (T-hat is
   symmetric), so dgeev finds each within about n eps ||T-hat|| = 16 x
   2.2e-16 x 2.1, 1e-14; 1e-13 leaves a margin. */
static void test_that_abs(void)
{
	size_t P = 4;
	double a[4] = {0.3, -1.2, 0.8, 2.1}, b[4] = {0.5, 1.5, 0, 2.5};
	double s[4] = {1, -1, 1, -1}, want[16];
	size_t k = 0;
	for (size_t m = 0; m < P; m++) {
		want[k++] = a[m];
		for (size_t n = m + 1; n < P; n++) {
			want[k++] = sqrt(b[m] * b[n]);
			want[k++] = -sqrt(b[m] * b[n]);
		}
	}
	qsort(want, 16, sizeof *want, descending);
	dk_dmft_multi_options o = abs_options(P, a, b, s);
	o.starts = 2;
	dk_dmft_multi_result r;
	char err[256];
	if (dk_dmft_multi_run(&o, &r, err, sizeof err)) {
		ok(0, "T-hat of a, b: solved (%s)", err);
		return;
	}
	double worst = 0;
	for (size_t i = 0; i < 16; i++)
		worst = fmax(worst, fmax(fabs(r.that_eig[2 * i] - want[i]),
		                         fabs(r.that_eig[2 * i + 1])));
	ok(worst <= 1e-13, "T-hat of a, b: eigenvalues a and +-sqrt(b b) within "
	   "1e-13 (worst %.2g)", worst);
	ok(r.that_max_re == r.that_eig[0] && fabs(r.that_max_re - 2.1) <= 1e-13 &&
	   !r.zero_stable, "... the largest real part a_4 = 2.1: S = 0 unstable");
	dk_dmft_multi_result_clear(&r);
}

/* sum_i lambda_i^k against trace(T-hat^k), T-hat built here. */
static void test_that_general(void)
{
	enum { P = 3, N = P * P };
	double T[P * P * P], M[N * N], Mk[N * N], tmp[N * N];
	dk_rng *g = dk_rng_alloc(7);
	for (size_t i = 0; i < P * P * P; i++)
		T[i] = dk_rng_normal(g, 1.5);
	dk_rng_free(g);
	memset(M, 0, sizeof M);
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++)
			for (size_t r = 0; r < P; r++)
				for (size_t s = 0; s < P; s++)
					if (n == r)
						M[(m * P + n) * N + r * P + s] = T[(m * P + n) * P + s];
	dk_dmft_multi_options o = dk_dmft_multi_options_default();
	o.regions = P;
	o.T = T;
	o.starts = 1;
	o.max_steps = 10;
	dk_dmft_multi_result r;
	char err[256];
	if (dk_dmft_multi_run(&o, &r, err, sizeof err)) {
		ok(0, "random T: solved (%s)", err);
		return;
	}
	ok(!r.prediction && !r.a, "random T: no a, b, prediction");
	memcpy(Mk, M, sizeof M);
	double norm = 0;
	for (size_t i = 0; i < N * N; i++)
		norm += M[i] * M[i];
	norm = sqrt(norm);
	/* the sums of powers of eigenvalues, complex pairs included; the
	   eigenvalues are good to about 1e-15 ||T-hat|| each (a random
	   matrix's are well conditioned), so the k-th power sums to about
	   k N 1e-15 ||T-hat||^k: 1e-12 relative to ||T-hat||^k */
	for (int k = 1; k <= 3; k++) {
		double trace = 0, sum = 0;
		for (size_t i = 0; i < N; i++)
			trace += Mk[i * N + i];
		for (size_t i = 0; i < N; i++) {
			double re = r.that_eig[2 * i], im = r.that_eig[2 * i + 1];
			double pr = 1, pi = 0;
			for (int j = 0; j < k; j++) {
				double t = pr * re - pi * im;
				pi = pr * im + pi * re;
				pr = t;
			}
			sum += pr;
		}
		ok(fabs(sum - trace) <= 1e-12 * pow(norm, k),
		   "random T: sum lambda^%d = trace(T-hat^%d) (%.6g, %.6g)", k, k,
		   sum, trace);
		for (size_t i = 0; i < N; i++)
			for (size_t j = 0; j < N; j++) {
				double v = 0;
				for (size_t l = 0; l < N; l++)
					v += Mk[i * N + l] * M[l * N + j];
				tmp[i * N + j] = v;
			}
		memcpy(Mk, tmp, sizeof tmp);
	}
	int sorted = 1;
	for (size_t i = 1; i < N; i++)
		sorted &= r.that_eig[2 * i] <= r.that_eig[2 * i - 2];
	ok(sorted && r.that_max_re == r.that_eig[0],
	   "random T: eigenvalues by real part descending");
	dk_dmft_multi_result_clear(&r);
}

/* A general T and U: each fixed point against the definition looped
   over here (Delta^mu with U, F with T). */
static void test_general_t_u(void)
{
	enum { P = 3 };
	double T[P * P * P], U[P * P * P];
	dk_rng *g = dk_rng_alloc(11);
	for (size_t i = 0; i < P * P * P; i++)
		T[i] = dk_rng_normal(g, 1.2);
	dk_rng_free(g);
	/* U^mu: 1 on the diagonal, 0.1 (mu + 1) off it (eigenvalues 1 -
	   0.1 (mu + 1) and 1 + 0.2 (mu + 1): positive definite) */
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++)
			for (size_t r = 0; r < P; r++)
				U[(m * P + n) * P + r] = n == r ? 1 : 0.1 * (double)(m + 1);
	dk_dmft_multi_options o = dk_dmft_multi_options_default();
	o.regions = P;
	o.T = T;
	o.U = U;
	o.starts = 10;
	dk_dmft_multi_result r;
	char err[256];
	int st = dk_dmft_multi_run(&o, &r, err, sizeof err);
	ok(!st, "random T, U: solved%s%s", st ? ": " : "", st ? err : "");
	if (st)
		return;
	double worst = 0;
	size_t nonzero = 0;
	for (size_t k = 0; k < r.K; k++) {
		const double *S = r.S + k * P * P;
		if (r.residual[k] > TOL)
			continue;
		double delta[P];
		for (size_t m = 0; m < P; m++) {
			delta[m] = 0;
			for (size_t n = 0; n < P; n++)
				for (size_t q = 0; q < P; q++)
					delta[m] += U[(m * P + n) * P + q] * S[m * P + n] * S[m * P + q];
		}
		double size = 0;
		for (size_t m = 0; m < P; m++)
			for (size_t n = 0; n < P; n++) {
				double F = 0;
				for (size_t q = 0; q < P; q++)
					F += T[(m * P + n) * P + q] * S[n * P + q];
				F *= psi(delta[n]);
				worst = fmax(worst, fabs(F - S[m * P + n]));
				size = fmax(size, fabs(S[m * P + n]));
			}
		nonzero += size > 1e-3;
	}
	ok(r.converged >= 1 && r.that_max_re > 1 && nonzero == r.converged,
	   "random T, U: %zu of %zu starts converged, all away from S = 0 "
	   "(unstable, max Re %.3g)", r.converged, r.K, r.that_max_re);
	ok(worst <= 2 * TOL, "random T, U: F(S) = S as looped here within %g "
	   "(worst %.2g)", 2 * TOL, worst);
	ok(!r.prediction && r.options.U == r.U && r.U[1] == 0.1,
	   "random T, U: U kept, no prediction");
	dk_dmft_multi_result_clear(&r);
}

/* The largest A over all starts, and whether all converged. */
static double largest_a(const dk_dmft_multi_result *r)
{
	double m = 0;
	for (size_t i = 0; i < r->K * r->P; i++)
		m = fmax(m, r->A[i]);
	return m;
}

/* Two families through max Re lambda(T-hat) = s = 1: a region's own
   current (a = s (1, 0.6), b = s (0.5, 0.4)) and a pair (a = s (0.5,
   0.5, 0.5), b = s (1, 1, 0.8)).  Below, psi <= 1 leaves no other
   fixed point (psi a > 1 or psi psi b b > 1 is needed): every start
   ends at S = 0.  Above, S = 0 is unstable and every start ends at the
   predicted A: (2 / pi)(s^2 - 1) in the active regions, 0 in the rest. */
static void test_boundary(void)
{
	static const double one[3] = {1, 1, 1};
	double scales[4] = {0.9, 0.98, 1.02, 1.1};
	for (int fam = 0; fam < 2; fam++)
		for (int i = 0; i < 4; i++) {
			double s = scales[i];
			size_t P = fam ? 3 : 2;
			double a[3], b[3];
			if (fam) {
				a[0] = a[1] = a[2] = 0.5 * s;
				b[0] = b[1] = s;
				b[2] = 0.8 * s;
			} else {
				a[0] = s;
				a[1] = 0.6 * s;
				b[0] = 0.5 * s;
				b[1] = 0.4 * s;
			}
			dk_dmft_multi_options o = abs_options(P, a, b, one);
			dk_dmft_multi_result r;
			char err[256];
			if (dk_dmft_multi_run(&o, &r, err, sizeof err)) {
				ok(0, "boundary: solved (%s)", err);
				continue;
			}
			const char *name = fam ? "pair" : "own";
			/* as in test_that_abs: 1e-13 */
			ok(fabs(r.that_max_re - s) <= 1e-13 && r.zero_stable == (s < 1),
			   "%s, s = %g: max Re lambda(T-hat) = s, S = 0 %s", name, s,
			   s < 1 ? "stable" : "unstable");
			is_int(r.converged, r.K, "%s, s = %g: all starts converged", name, s);
			double big = largest_a(&r);
			if (s < 1) {
				/* |S| <= residual / (1 - s): A below 1e-18 */
				ok(big < 1e-18, "%s, s = %g: every start at S = 0 (largest A "
				   "%.2g)", name, s, big);
			} else {
				double want = 2 / M_PI * (s * s - 1), worst = 0;
				for (size_t k = 0; k < r.K; k++)
					for (size_t m = 0; m < P; m++) {
						int active = fam ? m < 2 : m == 0;
						double w = active ? want : 0;
						worst = fmax(worst, fabs(r.A[k * P + m] - w));
					}
				ok(worst <= A_TOL * want, "%s, s = %g: every start at A = "
				   "%.4g in the active regions, 0 elsewhere (worst %.2g)",
				   name, s, want, worst);
			}
			dk_dmft_multi_result_clear(&r);
		}
}

static void test_options(void)
{
	char err[256];
	double a[2] = {2, 1}, b[2] = {1, 1}, s[2] = {1, -1};
	double T[8] = {0}, U[8] = {1, 0, 0, 1, 1, 0, 0, 1};
	/* the bad values, alive to the end of the function */
	double a_nan[2] = {1, NAN}, a_big[2] = {1e3, 1}, b_neg[2] = {1, -0.1};
	double s_half[2] = {0.5, 1}, u_asym[8] = {1, 0.5, 0, 1, 1, 0, 0, 1};
	double u_indef[8] = {1, 0, 0, 1, 1, 2, 2, 1};
	dk_dmft_multi_options good = abs_options(2, a, b, s);
	ok(!dk_dmft_multi_options_check(&good, err, sizeof err), "good options pass");
	struct { const char *what, *field; dk_dmft_multi_options o; } bad[16];
	size_t n = 0;
#define BAD(w, f, ...) do { bad[n].what = w; bad[n].field = f; \
	bad[n].o = good; __VA_ARGS__; n++; } while (0)
	BAD("0 regions", "regions", bad[n].o.regions = 0);
	BAD("17 regions", "regions", bad[n].o.regions = 17);
	BAD("no a", "a, b and signs", bad[n].o.a = NULL);
	BAD("a NaN", "a of region 2", bad[n].o.a = a_nan);
	BAD("a 1e3", "a of region 1", bad[n].o.a = a_big);
	BAD("b -0.1", "b of region 2", bad[n].o.b = b_neg);
	BAD("signs 0.5", "signs of region 1", bad[n].o.signs = s_half);
	BAD("T beside a", "give T or them", bad[n].o.T = T);
	BAD("U not symmetric", "U of region 1 is not symmetric",
	    bad[n].o.U = u_asym);
	BAD("U not positive definite", "U of region 2 is not positive definite",
	    bad[n].o.U = u_indef);
	BAD("starts 0", "starts", bad[n].o.starts = 0);
	BAD("init_scale 0", "init_scale", bad[n].o.init_scale = 0);
	BAD("tol 0", "tol", bad[n].o.tol = 0);
	BAD("tol 1", "tol", bad[n].o.tol = 1);
	BAD("max_steps 0", "max_steps", bad[n].o.max_steps = 0);
#undef BAD
	for (size_t i = 0; i < n; i++) {
		int st = dk_dmft_multi_options_check(&bad[i].o, err, sizeof err);
		ok(st == DK_EINVAL && strstr(err, bad[i].field),
		   "%s: refused, naming %s (%s)", bad[i].what, bad[i].field, err);
	}
	dk_dmft_multi_options o = good;
	o.U = U;
	ok(!dk_dmft_multi_options_check(&o, err, sizeof err), "the identity U passes");
	o = good;
	o.regions = 0;
	dk_dmft_multi_result r;
	ok(dk_dmft_multi_run(&o, &r, err, sizeof err) == DK_EINVAL && !r.S,
	   "multi_run refuses them too, with nothing to free");
	dk_dmft_multi_result_clear(&r);
	dk_dmft_multi_result_clear(NULL);
	ok(fabs(dk_dmft_multi_psi_inverse(dk_dmft_multi_psi(1.7)) - 1.7) <= 1e-14,
	   "psi_inverse undoes psi");
}

/* The same seed: the same bytes (one code path); another seed: other
   starts. */
static void test_seed_and_records(void)
{
	double a[3] = {2, 2, 2}, b[3] = {2.4, 2.5, 2.6}, s[3] = {1, 1, -1};
	dk_dmft_multi_options o = abs_options(3, a, b, s);
	o.starts = 4;
	dk_dmft_multi_result r1, r2, r3;
	char err[256];
	int st = dk_dmft_multi_run(&o, &r1, err, sizeof err);
	st |= dk_dmft_multi_run(&o, &r2, err, sizeof err);
	o.seed = 2;
	st |= dk_dmft_multi_run(&o, &r3, err, sizeof err);
	ok(!st, "three runs");
	if (st)
		return;
	ok(!memcmp(r1.S, r2.S, 4 * 9 * sizeof *r1.S), "the same seed: the same S");
	ok(memcmp(r1.S, r3.S, 4 * 9 * sizeof *r1.S), "another seed: another S");
	/* one flow step cannot reach a fixed point from a random start:
	   not an error, but the residuals and the count say so */
	o.max_steps = 1;
	dk_dmft_multi_result r4;
	st = dk_dmft_multi_run(&o, &r4, err, sizeof err);
	int above = !st;
	for (size_t k = 0; !st && k < r4.K; k++)
		above &= r4.residual[k] > o.tol;
	ok(!st && r4.converged == 0 && above,
	   "max_steps 1: no start converged, every residual above tol");
	dk_dmft_multi_result_clear(&r4);
	dk_bundle *bundle = dk_bundle_alloc();
	ok(bundle && !dk_dmft_multi_to_bundle(&r1, bundle), "the records");
	static const struct { const char *name; int rank; size_t shape0; } want[] = {
		{DK_NAME_DMFT_S, 3, 4}, {DK_NAME_DMFT_A, 2, 4},
		{DK_NAME_DMFT_RESIDUAL, 1, 4}, {DK_NAME_DMFT_THAT_EIG, 1, 9},
		{DK_NAME_DMFT_THAT_MAX_RE, 0, 0},
	};
	is_int(dk_bundle_size(bundle), 5, "five records");
	for (size_t i = 0; i < 5 && i < dk_bundle_size(bundle); i++) {
		dk_tensor *t = dk_bundle_tensor(bundle, i);
		ok(!strcmp(dk_bundle_name(bundle, i), want[i].name) &&
		   t->rank == want[i].rank && (!t->rank || t->shape[0] == want[i].shape0),
		   "%s: rank %d", want[i].name, want[i].rank);
	}
	dk_tensor *eig = dk_bundle_tensor(bundle, 3);
	ok(eig->dtype == DK_C16, "dmft/that_eig is complex");
	dk_bundle_free(bundle);
	dk_dmft_multi_result_clear(&r1);
	dk_dmft_multi_result_clear(&r2);
	dk_dmft_multi_result_clear(&r3);
}

/* V(Delta0) - V(Delta_inf) and the static equation by the quadrature,
   whose averages are good to 1e-13 relative (gauss.h): 1e-10 of Delta0^2
   and Delta0 leaves room for the rounding of V's terms, of order Delta0^2 */
static void test_static_structure(void)
{
	const dk_dmft_phi *erf = dk_dmft_phi_from_name("erf");
	double gains[3] = {1.9, 2.0, 2.25};
	for (int i = 0; i < 3; i++) {
		double g = gains[i], g2 = g * g;
		dk_dmft_region_static s;
		char err[256];
		int st = dk_dmft_multi_static(2.0, 2.5, g, &s, err, sizeof err);
		ok(!st && s.phase == DK_DMFT_CHAOS_WITH_STRUCTURE &&
		   !strcmp(dk_dmft_region_phase_name(s.phase), "chaos with structure"),
		   "a 2, b 2.5, g %g: chaos with structure", g);
		double d0 = 2 / M_PI * (2.5 * 2.5 - 1);
		ok(fabs(s.delta0 - d0) <= 1e-14 * d0, "... Delta0 = psi^-1(1 / 2.5)");
		dk_dmft_grid grid;
		if (dk_dmft_grid_init(&grid, d0)) {
			ok(0, "the quadrature grid");
			continue;
		}
		double D = s.delta_inf, A = s.A;
		double V0 = -d0 * d0 / 2 + g2 * dk_dmft_corr(&grid, erf->Phi, d0, d0) + A * d0;
		double Vi = -D * D / 2 + g2 * dk_dmft_corr(&grid, erf->Phi, D, d0) + A * D;
		double rest = D - A - g2 * dk_dmft_corr(&grid, erf->phi, D, d0);
		dk_dmft_grid_clear(&grid);
		ok(D > 0 && D < d0 && A > 0, "... 0 < Delta_inf = %.6g < Delta0, A = %.6g > 0",
		   D, A);
		ok(fabs(V0 - Vi) <= 1e-10 * d0 * d0, "... V(Delta0) = V(Delta_inf) by "
		   "quadrature within 1e-10 Delta0^2 (%.2g)", V0 - Vi);
		ok(fabs(rest) <= 1e-10 * d0, "... Delta_inf = A + g^2 C_phi(Delta_inf) "
		   "by quadrature within 1e-10 Delta0 (%.2g)", rest);
	}
}

/* The boundary g^4 = 1 + pi Delta0 = 2 max(a, b)^2 - 1, where g^2
   <phi'^2> = 1: below, the static state (A = Delta0 - g^2 <phi^2>, by
   quadrature to 1e-12); above, Delta_inf leaves Delta0 continuously;
   far above, the chaos of scs takes over. */
static void test_static_phases(void)
{
	const dk_dmft_phi *erf = dk_dmft_phi_from_name("erf");
	double top = 2.5, gc = pow(2 * top * top - 1, 0.25);
	double d0 = 2 / M_PI * (top * top - 1);
	dk_dmft_region_static s, near, far;
	char err[256];
	int st = dk_dmft_multi_static(top, 1.0, 0.999 * gc, &s, err, sizeof err);
	double A = d0 - 0.999 * 0.999 * gc * gc * dk_dmft_mean2(erf->phi, d0);
	ok(!st && s.phase == DK_DMFT_CHAOS_SUPPRESSED && s.delta_inf == s.delta0 &&
	   fabs(s.A - A) <= 1e-12 * A, "g = 0.999 g_c: chaos suppressed, A = "
	   "Delta0 - g^2 <phi^2> (%.6g, %.6g)", s.A, A);
	st = dk_dmft_multi_static(top, 1.0, 1.001 * gc, &near, err, sizeof err);
	st |= dk_dmft_multi_static(top, 1.0, 1.01 * gc, &far, err, sizeof err);
	ok(!st && near.phase == DK_DMFT_CHAOS_WITH_STRUCTURE &&
	   far.phase == DK_DMFT_CHAOS_WITH_STRUCTURE &&
	   d0 - near.delta_inf < d0 - far.delta_inf && d0 - near.delta_inf < 0.01 * d0,
	   "g = 1.001 g_c and 1.01 g_c: Delta0 - Delta_inf = %.3g, %.3g, shrinking "
	   "to the boundary", d0 - near.delta_inf, d0 - far.delta_inf);
	double scs;
	st = dk_dmft_multi_static(2.0, top, 3.0, &s, err, sizeof err) ||
	     dk_dmft_scs_delta0(erf, 3.0, &scs);
	ok(!st && s.phase == DK_DMFT_CHAOS && s.A == 0 && s.delta_inf == 0 &&
	   s.delta0 == scs, "g = 3: chaos, the currents gone, Delta0 that of scs");
	st = dk_dmft_multi_static(0.8, 0.9, 0.5, &s, err, sizeof err);
	ok(!st && s.phase == DK_DMFT_QUIESCENT && s.delta0 == 0 && s.A == 0,
	   "max(a, b) <= 1, g 0.5: quiescent");
	st = dk_dmft_multi_static(0.8, 0.9, 2, &s, err, sizeof err) ||
	     dk_dmft_scs_delta0(erf, 2, &scs);
	ok(!st && s.phase == DK_DMFT_CHAOS && s.delta0 == scs,
	   "max(a, b) <= 1, g 2: chaos as scs");
	struct { double a, b, g; const char *field; } bad[] = {
		{NAN, 1, 1, "a must"}, {1, -1, 1, "b from"}, {1, 1, -0.5, "gain"},
		{1, 1, 11, "gain"}, {1, 1, NAN, "gain"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		st = dk_dmft_multi_static(bad[i].a, bad[i].b, bad[i].g, &s, err, sizeof err);
		ok(st == DK_EINVAL && strstr(err, bad[i].field) && isnan(s.delta0),
		   "a %g, b %g, g %g: refused (%s)", bad[i].a, bad[i].b, bad[i].g, err);
	}
}

int main(void)
{
	dk_numeric_init();
	test_predictions();
	test_that_abs();
	test_that_general();
	test_general_t_u();
	test_boundary();
	test_options();
	test_seed_and_records();
	test_static_structure();
	test_static_phases();
	return tap_done();
}
