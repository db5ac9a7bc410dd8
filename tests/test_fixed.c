/*
 * test_fixed.c -- the fixed-point search (lib/analysis/fixed.h): linear
 * networks, map and flow, against x* = (I - W)^{-1} (b + V u) solved by
 * GSL's LU; a one-unit tanh network's three fixed points against roots
 * found by bisection; the quadratic fall of Newton's residuals; a slow
 * point past a saddle-node bifurcation, reported as slow; Adam alone
 * lowering q; the merging of duplicates against all-pairs merging;
 * outliers; determinism; refused settings.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_linalg.h>

#include "dynkit.h"
#include "tap.h"

static double *param(dk_model *m, const char *name)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	return dk_model_params(m) + off;
}

static dk_model *make(const char *kind, size_t n, size_t in, dk_act act,
                      uint64_t seed)
{
	dk_model_spec s = {.kind = kind, .units = n, .inputs = in, .outputs = 1,
	                   .act = act, .init = "random", .gain = 0.5, .seed = seed};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# %s\n", err);
	return m;
}

/* x = (I - W)^{-1} (b + V u), by GSL. */
static void linear_fixed(size_t n, size_t in, const double *W, const double *V,
                         const double *b, const double *u, double *x)
{
	gsl_matrix *A = gsl_matrix_alloc(n, n);
	gsl_vector *rhs = gsl_vector_alloc(n), *sol = gsl_vector_alloc(n);
	gsl_permutation *p = gsl_permutation_alloc(n);
	int sg;
	for (size_t i = 0; i < n; i++) {
		double s = b[i];
		for (size_t k = 0; k < in; k++)
			s += V[i * in + k] * u[k];
		gsl_vector_set(rhs, i, s);
		for (size_t j = 0; j < n; j++)
			gsl_matrix_set(A, i, j, (i == j) - W[i * n + j]);
	}
	gsl_linalg_LU_decomp(A, p, &sg);
	gsl_linalg_LU_solve(A, p, rhs, sol);
	for (size_t i = 0; i < n; i++)
		x[i] = gsl_vector_get(sol, i);
	gsl_matrix_free(A);
	gsl_vector_free(rhs);
	gsl_vector_free(sol);
	gsl_permutation_free(p);
}

static double maxdiff(size_t n, const double *a, const double *b)
{
	double d = 0;
	for (size_t i = 0; i < n; i++)
		d = fmax(d, fabs(a[i] - b[i]));
	return d;
}

/* Run the whole search from B random states in [-s, s]^n. */
static dk_fixed_points *search(const dk_model *m, const dk_fixed_opts *o,
                               size_t B, double s, const double *u,
                               uint64_t seed)
{
	size_t n = dk_model_state_size(m);
	double *x0 = malloc(B * n * sizeof *x0);
	dk_rng *r = dk_rng_alloc(seed);
	for (size_t i = 0; i < B * n; i++)
		x0[i] = s * (2 * dk_rng_uniform(r) - 1);
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, o);
	dk_fixed_points *p = dk_fixed_points_alloc(2 * B, n);
	char err[256];
	int st = dk_fixed_find(w, m, B, x0, u, p, err, sizeof err);
	if (st)
		printf("# dk_fixed_find: %s\n", err);
	dk_fixed_work_free(w);
	dk_rng_free(r);
	free(x0);
	if (st) {
		dk_fixed_points_free(p);
		return NULL;
	}
	return p;
}

static void test_linear_map(void)
{
	size_t n = 6, in = 2;
	dk_model *m = make("rnn", n, in, DK_ACT_IDENTITY, 11);
	double u[2] = {0.7, -1.3}, want[6];
	double *b = param(m, "model/b");
	for (size_t i = 0; i < n; i++)
		b[i] = 0.1 * (double)i - 0.2;
	linear_fixed(n, in, param(m, "model/W"), param(m, "model/V"), b, u, want);
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	dk_fixed_points *p = search(m, &o, 20, 2, u, 1);
	ok(p && p->count == 1, "linear map: 20 starts, one fixed point");
	if (p && p->count >= 1) {
		ok(maxdiff(n, p->x, want) < 1e-12, "linear map: x* = (I - W)^-1 (b + V u) to 1e-12 (off by %.2g)",
		   maxdiff(n, p->x, want));
		ok(p->kind[0] == 1 && p->q[0] < 1e-24, "linear map: kind 1, q %.2g < 1e-24", p->q[0]);
	}
	dk_fixed_points_free(p);
	dk_model_free(m);
}

static void test_krylov(void)
{
	/* the same linear map with GMRES instead of LU */
	size_t n = 40, in = 2;
	dk_model *m = make("rnn", n, in, DK_ACT_IDENTITY, 12);
	double u[2] = {0.3, 0.4}, want[40];
	linear_fixed(n, in, param(m, "model/W"), param(m, "model/V"),
	             param(m, "model/b"), u, want);
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	o.dense_max = 10;
	dk_fixed_points *p = search(m, &o, 8, 1, u, 6);
	ok(p && p->count == 1 && maxdiff(n, p->x, want) < 1e-12 && p->kind[0] == 1,
	   "Newton-Krylov (n 40 > dense_max 10): the linear map's x* to 1e-12 (off by %.2g)",
	   p && p->count ? maxdiff(n, p->x, want) : NAN);
	dk_fixed_points_free(p);
	dk_model_free(m);

	/* a tanh network: Newton by GMRES and by LU from the same start land
	   on the same point, and GMRES's residuals still fall fast */
	n = 30;
	m = make("rnn", n, 1, DK_ACT_TANH, 13);
	double *W = param(m, "model/W");
	for (size_t i = 0; i < n * n; i++)
		W[i] *= 3; /* gain 1.5: fixed points other than near 0 */
	double xd[30], xk[30], hd[64], hk[64], rd, rk;
	int64_t sd, sk;
	dk_rng *r = dk_rng_alloc(3);
	for (size_t i = 0; i < n; i++)
		xd[i] = xk[i] = 0.3 * dk_rng_normal(r, 1);
	dk_fixed_opts_default(&o);
	dk_fixed_work *wd = dk_fixed_work_alloc(m, 1, &o);
	o.dense_max = 0;
	dk_fixed_work *wk = dk_fixed_work_alloc(m, 1, &o);
	int64_t it;
	double q;
	/* Adam first, so that Newton starts near a fixed point */
	dk_fixed_adam(wd, m, 1, xd, NULL, &q, &it);
	memcpy(xk, xd, sizeof xd);
	int st = dk_fixed_newton(wd, m, xd, NULL, &sd, &rd, hd);
	st |= dk_fixed_newton(wk, m, xk, NULL, &sk, &rk, hk);
	ok(!st && rd < 1e-13 && rk < 1e-13 && maxdiff(n, xd, xk) < 1e-12,
	   "tanh n 30: LU (%lld steps, |r| %.1e) and GMRES (%lld steps, |r| %.1e) agree to 1e-12",
	   (long long)sd, rd, (long long)sk, rk);
	dk_fixed_work_free(wd);
	dk_fixed_work_free(wk);
	dk_rng_free(r);
	dk_model_free(m);
}

static void test_linear_flow(void)
{
	size_t n = 5, in = 1;
	dk_model_spec s = {.kind = "ctrnn", .units = n, .inputs = in, .outputs = 1,
	                   .act = DK_ACT_IDENTITY, .init = "random", .gain = 0.5,
	                   .seed = 4, .dt = 0.1, .tau = 1, .integrator = "rk4"};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&s, &m, err, sizeof err)) {
		ok(0, "ctrnn: %s", err);
		return;
	}
	double u[1] = {0.9}, want[5];
	double *b = param(m, "model/b");
	for (size_t i = 0; i < n; i++)
		b[i] = 0.3 - 0.1 * (double)i;
	/* f = -x + J x + B u + b: the same x* as a linear map with W = J */
	linear_fixed(n, in, param(m, "model/J"), param(m, "model/B"), b, u, want);
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	o.convention = DK_FLOW;
	dk_fixed_points *p = search(m, &o, 10, 2, u, 2);
	ok(p && p->count == 1, "linear flow: one equilibrium");
	if (p && p->count >= 1)
		ok(maxdiff(n, p->x, want) < 1e-12 && p->kind[0] == 1,
		   "linear flow: x* = (I - J)^-1 (b + B u) to 1e-12 (off by %.2g)",
		   maxdiff(n, p->x, want));
	dk_fixed_points_free(p);
	o.convention = DK_MAP; /* RK4's map has the same fixed point */
	p = search(m, &o, 10, 2, u, 2);
	if (p && p->count >= 1)
		ok(p->count == 1 && maxdiff(n, p->x, want) < 1e-12,
		   "linear ctrnn, map convention: the same point (off by %.2g)",
		   maxdiff(n, p->x, want));
	dk_fixed_points_free(p);
	dk_model_free(m);
}

/* The positive root of x = tanh(g x + c), by bisection on [lo, hi]. */
static double bisect(double g, double c, double lo, double hi)
{
	for (int k = 0; k < 200; k++) {
		double mid = 0.5 * (lo + hi);
		double flo = lo - tanh(g * lo + c), fm = mid - tanh(g * mid + c);
		if ((flo < 0) == (fm < 0))
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

static dk_model *one_unit(double g, double c)
{
	dk_model *m = make("rnn", 1, 1, DK_ACT_TANH, 1);
	param(m, "model/W")[0] = g;
	param(m, "model/b")[0] = c;
	return m;
}

static void test_tanh_three(void)
{
	dk_model *m = one_unit(2, 0);
	double xs = bisect(2, 0, 0.5, 1.5);
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	dk_fixed_points *p = search(m, &o, 50, 3, NULL, 3);
	ok(p && p->count == 3, "tanh(2x): three fixed points from 50 starts (%zu)",
	   p ? p->count : 0);
	if (p && p->count == 3) {
		double v[3] = {p->x[0], p->x[1], p->x[2]};
		for (int i = 0; i < 3; i++)
			for (int j = i + 1; j < 3; j++)
				if (v[j] < v[i]) {
					double t = v[i];
					v[i] = v[j];
					v[j] = t;
				}
		ok(fabs(v[0] + xs) < 1e-14 && fabs(v[1]) < 1e-14 && fabs(v[2] - xs) < 1e-14,
		   "tanh(2x): -x*, 0, x* (x* = %.15f by bisection) to 1e-14", xs);
		ok(p->kind[0] && p->kind[1] && p->kind[2], "all three of kind 1");
	}
	dk_fixed_points_free(p);

	/* Newton's residuals from near x*: each at most a constant times the
	   square of the last, down to rounding */
	dk_fixed_work *w = dk_fixed_work_alloc(m, 1, &o);
	double x = xs + 0.05, hist[64], res;
	int64_t steps;
	int st = dk_fixed_newton(w, m, &x, NULL, &steps, &res, hist);
	ok(!st && fabs(x - xs) < 1e-15 && res < 1e-15,
	   "Newton from x* + 0.05 lands on x* (|r| %.2g in %lld steps)", res, (long long)steps);
	int quad = steps >= 3;
	for (int64_t k = 0; k + 1 <= steps && quad; k++) {
		if (hist[k + 1] < 1e-14)
			break;
		quad = hist[k + 1] <= 2 * hist[k] * hist[k];
		if (!quad)
			printf("#   step %lld: %.3g -> %.3g\n", (long long)k, hist[k], hist[k + 1]);
	}
	ok(quad, "residuals fall quadratically: r_{k+1} <= 2 r_k^2 (%.1e %.1e %.1e %.1e)",
	   hist[0], hist[1], hist[2], steps >= 3 ? hist[3] : 0.0);
	dk_fixed_work_free(w);
	dk_model_free(m);
}

static void test_slow_point(void)
{
	/* x' = tanh(2x - 0.6): past the saddle-node at c = -0.5328 the
	   upper pair of fixed points is gone; q keeps a positive minimum
	   (a ghost) near x = 0.7, and the one fixed point left is below 0 */
	dk_model *m = one_unit(2, -0.6);
	double lo = -bisect(2, 0.6, 0.5, 1.5); /* the fixed point x = -r */
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	size_t B = 8;
	double x0[8] = {0.6, 0.65, 0.7, 0.72, 0.75, 0.8, -2, -0.5};
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, &o);
	dk_fixed_points *p = dk_fixed_points_alloc(2 * B, 1);
	char err[256];
	int st = dk_fixed_find(w, m, B, x0, NULL, p, err, sizeof err);
	ok(!st && p->count >= 2, "ghost: the search runs (%zu points)", p->count);
	int fixed_ok = 0, slow_ok = 0;
	for (size_t i = 0; i < p->count; i++) {
		if (p->kind[i] == 1 && fabs(p->x[i] - lo) < 1e-14)
			fixed_ok++;
		if (p->kind[i] == 0 && p->q[i] > 1e-6 && fabs(p->x[i] - 0.7) < 0.1)
			slow_ok++;
		if (p->kind[i] == 1 && p->x[i] > 0)
			fixed_ok = -100; /* no fixed point may be claimed up there */
	}
	ok(fixed_ok == 1, "ghost: the one true fixed point, %.15f, is found", lo);
	ok(slow_ok >= 1, "ghost: a slow point (kind 0, q > 1e-6) near x = 0.7");
	dk_fixed_points_free(p);
	dk_fixed_work_free(w);
	dk_model_free(m);
}

static void test_relu(void)
{
	/* x' = relu(W x + b): Newton on a piecewise-linear map lands exactly
	   on its fixed points; each checked against relu(W x + b) here */
	size_t n = 6;
	dk_model *m = make("rnn", n, 1, DK_ACT_RELU, 14);
	double *W = param(m, "model/W"), *b = param(m, "model/b");
	for (size_t i = 0; i < n; i++)
		b[i] = 0.2 * (double)i - 0.4;
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	dk_fixed_points *p = search(m, &o, 30, 2, NULL, 8);
	int good = p && p->count >= 1;
	double worst = 0;
	for (size_t k = 0; good && k < p->count; k++) {
		const double *x = p->x + k * n;
		for (size_t i = 0; i < n; i++) {
			double a = b[i];
			for (size_t j = 0; j < n; j++)
				a += W[i * n + j] * x[j];
			worst = fmax(worst, fabs((a > 0 ? a : 0) - x[i]));
		}
		good &= p->kind[k] == 1 && p->newton_iters[k] <= 10;
	}
	ok(good && worst < 1e-14, "relu: %zu fixed points, relu(W x + b) = x to 1e-14 (%.1e), in few Newton steps",
	   p ? p->count : 0, worst);
	dk_fixed_points_free(p);
	dk_model_free(m);
}

static void test_adam(void)
{
	dk_model *m = make("rnn", 8, 2, DK_ACT_TANH, 5);
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	o.max_iters = 300;
	size_t B = 16, n = 8;
	double x[16 * 8], q0[16], q[16], r[16 * 8];
	int64_t it[16];
	dk_rng *g = dk_rng_alloc(9);
	for (size_t i = 0; i < B * n; i++)
		x[i] = dk_rng_normal(g, 1);
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, &o);
	dk_fixed_residual(w, m, B, x, NULL, r, q0);
	int st = dk_fixed_adam(w, m, B, x, NULL, q, it);
	int lower = !st, capped = 1;
	double q1[16], worst = 0, widest = 0;
	dk_fixed_residual(w, m, B, x, NULL, r, q1);
	/*
	 * Adam's q of a point and q recomputed at the x it returns come from
	 * the same formula by different paths: Adam steps the points still
	 * active, a batch that shrinks as points finish, with rows swapped
	 * about, while dk_fixed_residual steps all 16 at once.  The step's
	 * GEMM may then sum a row's a_i = b_i + sum_j W_ij x_j in another
	 * order or with other FMA contractions (OpenBLAS's Haswell and Zen
	 * kernels treat the last row of an odd batch apart from the rows of
	 * its micro-tile), and vmath's tanh may take libmvec's vector code
	 * for a value in one batch and libm's scalar code in the other.  So
	 * compare |r| = sqrt(2 q), with the bound of both sides' rounding:
	 * each a_i is within (n + 1) eps (|b_i| + sum_j |W_ij| |x_j|) of the
	 * exact sum; tanh is 1-Lipschitz and each evaluation within 4 ulp of
	 * a value at most 1; r_i = tanh - x_i rounds by eps (1 + |x_i|); and
	 * dnrm2 adds (n + 2) eps |r| <= (n + 2) eps sum_i (1 + |x_i|).  Both
	 * sides' errors together stay below 4 (n + 2) eps sum_i (sum_j
	 * |W_ij| |x_j| + |b_i| + |x_i| + 1), at most 1.3e-13 here.  The q
	 * of another x than the one returned is far outside it: at the x
	 * before each point's last step, |r| is 2.4e-7 or more away.
	 */
	const double *W = param(m, "model/W"), *bias = param(m, "model/b");
	for (size_t b = 0; b < B; b++) {
		const double *xb = x + b * n;
		double scale = 0;
		for (size_t i = 0; i < n; i++) {
			double a = fabs(bias[i]);
			for (size_t j = 0; j < n; j++)
				a += fabs(W[i * n + j]) * fabs(xb[j]);
			scale += a + fabs(xb[i]) + 1;
		}
		double gap = fabs(sqrt(2 * q[b]) - sqrt(2 * q1[b]));
		double bound = 4 * (double)(n + 2) * DBL_EPSILON * scale;
		worst = fmax(worst, gap / bound);
		widest = fmax(widest, bound);
		lower &= q[b] < q0[b] && gap <= bound;
		capped &= it[b] <= 300;
	}
	ok(lower, "Adam lowers every point's q, and reports the q of where it leaves it "
	   "(|r| within the rounding of two batch sizes: at most %.2g of a bound up to %.2g)",
	   worst, widest);
	ok(capped, "Adam stops at max_iters");
	dk_fixed_work_free(w);
	dk_rng_free(g);
	dk_model_free(m);
}

/* All-pairs merging, for comparison: a group number per point. */
static void brute_groups(size_t P, size_t n, const double *x, double tol, size_t *grp)
{
	for (size_t i = 0; i < P; i++)
		grp[i] = i;
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < P; i++)
			for (size_t j = 0; j < P; j++)
				if (grp[j] > grp[i] && maxdiff(n, x + i * n, x + j * n) <= tol) {
					grp[j] = grp[i];
					changed = 1;
				}
	}
}

static void test_dedup(void)
{
	size_t P = 300, n = 4, C = 30;
	dk_fixed_points *p = dk_fixed_points_alloc(P, n);
	double *centres = malloc(C * n * sizeof *centres), *orig = malloc(P * n * sizeof *orig);
	size_t *grp = malloc(P * sizeof *grp);
	dk_rng *r = dk_rng_alloc(21);
	for (size_t i = 0; i < C * n; i++)
		centres[i] = dk_rng_uniform(r);
	/* clusters of radius 3e-7 around 30 centres, and chains: points 5e-7
	   apart in a row, which only transitive merging joins */
	for (size_t i = 0; i < P; i++) {
		size_t c = i % C;
		for (size_t k = 0; k < n; k++)
			p->x[i * n + k] = centres[c * n + k] +
			                  (i < 200 ? 3e-7 * (2 * dk_rng_uniform(r) - 1)
			                           : 5e-7 * (double)((i - 200) / C + 1));
		p->q[i] = dk_rng_uniform(r);
		p->kind[i] = 1;
		p->residual[i] = p->adam_iters[i] = p->newton_iters[i] = 0;
	}
	p->count = P;
	memcpy(orig, p->x, P * n * sizeof *orig);
	double *q = malloc(P * sizeof *q);
	memcpy(q, p->q, P * sizeof *q);
	brute_groups(P, n, orig, 1e-6, grp);
	size_t ngroups = 0;
	for (size_t i = 0; i < P; i++)
		ngroups += grp[i] == i;
	int st = dk_fixed_dedup(p, 1e-6);
	ok(!st && p->count == ngroups, "dedup: %zu groups, as all-pairs merging finds (%zu)",
	   ngroups, p->count);
	/* each kept point is its group's lowest q */
	int best = 1;
	for (size_t j = 0; j < p->count; j++) {
		size_t i = 0;
		while (i < P && maxdiff(n, orig + i * n, p->x + j * n) != 0)
			i++;
		for (size_t k = 0; i < P && k < P; k++)
			if (grp[k] == grp[i] && q[k] < q[i])
				best = 0;
		best &= i < P;
	}
	ok(best, "dedup keeps the lowest q of each group");
	ok(ngroups == C, "the clusters and chains are the %zu centres", C);
	/* distinct points stay */
	p->count = 3;
	double three[12] = {0, 0, 0, 0, 2e-6, 0, 0, 0, 0, 0, 0, 1};
	memcpy(p->x, three, sizeof three);
	dk_fixed_dedup(p, 1e-6);
	is_int(p->count, 3, "points 2e-6 apart stay apart at tol 1e-6");
	free(centres);
	free(orig);
	free(grp);
	free(q);
	dk_rng_free(r);
	dk_fixed_points_free(p);
}

static void test_outliers_and_sample(void)
{
	dk_fixed_points *p = dk_fixed_points_alloc(3, 1);
	double x0[4] = {-1, 1, -1, 1}; /* centroid 0, mean distance 1 */
	p->count = 3;
	p->x[0] = 0.5;
	p->x[1] = 20;
	p->x[2] = -9;
	for (int i = 0; i < 3; i++)
		p->q[i] = 0;
	dk_fixed_drop_outliers(p, 4, x0, 10);
	ok(p->count == 2 && p->x[0] == 0.5 && p->x[1] == -9,
	   "outliers: the point 20 mean distances away goes, 9 stays");
	dk_fixed_points_free(p);

	double st[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, a[5], b2[5];
	dk_fixed_sample(10, 1, st, 5, 0, 7, a);
	dk_fixed_sample(10, 1, st, 5, 0, 7, b2);
	int distinct = 1;
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			distinct &= a[i] != a[j];
	ok(distinct && !memcmp(a, b2, sizeof a), "sample: without replacement, the same for one seed");
	ok(dk_fixed_sample(10, 1, st, 11, 0, 7, a) == DK_EINVAL, "sample: more than given is refused");
}

static void test_determinism_and_refusals(void)
{
	dk_model *m = make("rnn", 10, 3, DK_ACT_TANH, 8);
	param(m, "model/W")[0] = 1.5;
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	double u[3] = {0.1, 0.2, -0.3};
	dk_fixed_points *a = search(m, &o, 40, 1.5, u, 5), *b = search(m, &o, 40, 1.5, u, 5);
	ok(a && b && a->count == b->count &&
	   !memcmp(a->x, b->x, a->count * 10 * sizeof(double)) &&
	   !memcmp(a->q, b->q, a->count * sizeof(double)),
	   "the same search twice gives the same bytes");
	dk_fixed_points_free(a);
	dk_fixed_points_free(b);
	o.convention = DK_FLOW;
	dk_fixed_work *w = dk_fixed_work_alloc(m, 2, &o);
	dk_fixed_points *p = dk_fixed_points_alloc(4, 10);
	double x0[40] = {0};
	char err[256] = "";
	ok(dk_fixed_find(w, m, 2, x0, u, p, err, sizeof err) == DK_EINVAL && strstr(err, "flow"),
	   "flow on a discrete-time model is refused (%s)", err);
	o.convention = DK_MAP;
	dk_fixed_work_free(w);
	w = dk_fixed_work_alloc(m, 2, &o);
	ok(dk_fixed_find(w, m, 4, x0, u, p, err, sizeof err) == DK_EINVAL,
	   "more states than the workspace holds is refused");
	dk_fixed_points_free(p);
	dk_fixed_work_free(w);
	dk_fixed_work_free(NULL);
	dk_fixed_points_free(NULL);
	dk_model_free(m);
}

/* Run dk_fixed_find from the B starts x0 of the 1-unit model m. */
static dk_fixed_points *from_starts(const dk_model *m, const dk_fixed_opts *o,
                                    size_t B, const double *x0)
{
	dk_fixed_work *w = dk_fixed_work_alloc(m, B, o);
	dk_fixed_points *p = dk_fixed_points_alloc(2 * B, 1);
	char err[256];
	if (!w || !p || dk_fixed_find(w, m, B, x0, NULL, p, err, sizeof err)) {
		printf("# %s\n", w && p ? err : "out of memory");
		dk_fixed_points_free(p);
		p = NULL;
	}
	dk_fixed_work_free(w);
	return p;
}

static int has_point(const dk_fixed_points *p, double x, int64_t kind, double tol)
{
	for (size_t i = 0; p && i < p->count; i++)
		if (fabs(p->x[i] - x) <= tol && p->kind[i] == kind)
			return 1;
	return 0;
}

/*
 * The Newton polish from every start finds a fixed point that Adam
 * leaves: x' = tanh(2x) from x = 0.01, 0.9 and -0.9, with Adam cut to
 * one step and no Newton attempt during it.  Adam's first step (with
 * FixedPointFinder's epsilon, 0.01, added to sqrt(v) before bias
 * correction) is rate sqrt(1 - beta2) / (1 - beta1) (1 - beta1) g /
 * (sqrt(1 - beta2) |g| + eps) long; at 0.01 the gradient g is 0.01, so
 * with a rate of 50 it goes about 1.45 toward -x*, whose basin the
 * final polish then finds.  With the starts' polish all three fixed points are found
 * (against bisection, to 1e-14); without, 0 is not.
 */
static void test_newton_starts(void)
{
	dk_model *m = one_unit(2, 0);
	double xs = bisect(2, 0, 0.5, 1.5), x0[3] = {0.01, 0.9, -0.9};
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	o.max_iters = 1;
	o.handoff_q = 0;
	o.rate = 50;
	dk_fixed_points *p = from_starts(m, &o, 3, x0);
	ok(p && p->count == 3 && has_point(p, 0, DK_FIXED_FIXED, 1e-14) &&
	   has_point(p, xs, DK_FIXED_FIXED, 1e-14) && has_point(p, -xs, DK_FIXED_FIXED, 1e-14),
	   "Newton from the starts: 0 and +-x* (%zu points)", p ? p->count : 0);
	dk_fixed_points_free(p);
	o.newton_starts = 0;
	p = from_starts(m, &o, 3, x0);
	ok(p && !has_point(p, 0, DK_FIXED_FIXED, 1e-6),
	   "without it, Adam's one step leaves 0 behind (%zu points)", p ? p->count : 0);
	dk_fixed_points_free(p);
	dk_model_free(m);
}

/*
 * Diverged points, slow points above max_q and distance outliers: on
 * x' = tanh(2x) Adam with a learning rate of 1e6 and one step throws
 * every start beyond 1e4, where q = (tanh(2x) - x)^2 / 2 > 5e7 is
 * far above any start's (at most 0.5 for starts in [-1, 1]): kind 2,
 * dropped unless kept.  With a learning rate of 0.01 and one step the
 * points stay slow (q near the starts'), and max_q sorts them.
 */
static void test_sift(void)
{
	dk_model *m = one_unit(2, 0);
	double x0[4] = {0.3, -0.4, 0.5, 1.0};
	dk_fixed_opts o;
	dk_fixed_opts_default(&o);
	o.max_iters = 1;
	o.handoff_q = 0;
	o.newton_iters = 0;
	o.newton_starts = 0;
	o.rate = 1e6;
	o.outlier_scale = 0;
	dk_fixed_points *p = from_starts(m, &o, 4, x0);
	ok(p && p->count == 0, "runaway points are dropped (%zu left)", p ? p->count : 0);
	dk_fixed_points_free(p);
	o.keep_diverged = 1;
	p = from_starts(m, &o, 4, x0);
	int all2 = p && p->count == 4;
	for (size_t i = 0; all2 && i < p->count; i++)
		all2 = p->kind[i] == DK_FIXED_DIVERGED && fabs(p->x[i]) > 1e3;
	ok(all2, "--keep-diverged keeps them, of kind 2");
	dk_fixed_points_free(p);
	o.keep_diverged = 0;
	o.outlier_scale = 10;
	o.rate = 1e6;
	p = from_starts(m, &o, 4, x0);
	ok(p && p->count == 0, "distance outliers go too");
	dk_fixed_points_free(p);

	o.rate = 0.01;
	p = from_starts(m, &o, 4, x0);
	size_t slow = 0;
	double qmid = 0;
	for (size_t i = 0; p && i < p->count; i++)
		slow += p->kind[i] == DK_FIXED_SLOW;
	ok(p && p->count == 4 && slow == 4, "a small step leaves four slow points");
	if (p && p->count == 4) { /* sorted by q: between the 2nd and 3rd */
		qmid = sqrt(p->q[1] * p->q[2]);
		ok(p->q[1] < p->q[2], "of distinct q (%g, %g)", p->q[1], p->q[2]);
	}
	dk_fixed_points_free(p);
	o.max_q = qmid;
	p = from_starts(m, &o, 4, x0);
	int below = p && p->count == 2;
	for (size_t i = 0; below && i < p->count; i++)
		below = p->q[i] <= qmid;
	ok(below, "max_q keeps the two slow points below it");
	dk_fixed_points_free(p);
	dk_model_free(m);
}

int main(void)
{
	test_linear_map();
	test_linear_flow();
	test_krylov();
	test_tanh_three();
	test_slow_point();
	test_relu();
	test_newton_starts();
	test_sift();
	test_adam();
	test_dedup();
	test_outliers_and_sample();
	test_determinism_and_refusals();
	return tap_done();
}
