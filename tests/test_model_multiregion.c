/*
 * test_model_multiregion.c -- the multiregion kind: the checks of
 * model_check.h (P = 2 and 3 regions of 5 units, with and without
 * inputs, as made and with every parameter moved); the loadings'
 * statistics against the overlaps T and U they are drawn for; the
 * currents of networks of P = 2 regions of 20,000 units simulated by
 * dk_dmft_multi_simulate against the mean-field theory's A; the spec's
 * checks and the
 * attrs.  The simulation's currents recomputed from the loadings, and
 * the step against a NumPy port of the paper's update is
 * tests/multiregion.sh.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dmft/multiregion.h"
#include "model_check.h"

static int make(size_t P, size_t N, size_t nin, const double *a, const double *b,
                const double *signs, uint64_t seed, dk_model **m)
{
	dk_model_spec spec = {.kind = "multiregion", .regions = P, .units = N,
	                      .inputs = nin, .outputs = 2, .a = a, .b = b,
	                      .signs = signs, .seed = seed};
	char err[256];
	int st = dk_model_create(&spec, m, err, sizeof err);
	if (st)
		printf("# create: %s\n", err);
	return st;
}

static double *param(dk_model *m, const char *name)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	return dk_model_params(m) + off;
}

static void test_derivatives(void)
{
	static const double a[3] = {1.5, -0.8, 2.2}, b[3] = {0.7, 1.3, 0.4};
	static const double signs[3] = {1, -1, 1};
	struct { size_t P, nin; } cases[] = {{2, 0}, {2, 2}, {3, 1}};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		char label[80];
		snprintf(label, sizeof label, "multiregion P=%zu N=5 I=%zu", cases[k].P,
		         cases[k].nin);
		dk_model_spec spec = {.kind = "multiregion", .regions = cases[k].P,
		                      .units = 5, .inputs = cases[k].nin, .outputs = 2,
		                      .a = a, .b = b, .signs = signs, .dt = 0.2,
		                      .seed = 3 + k};
		dk_check_model(&spec, label);
		/* the input weights start at 0: moved, every term of the
		   derivatives is exercised */
		dk_model *m;
		if (make(cases[k].P, 5, cases[k].nin, a, b, signs, 9 + k, &m)) {
			ok(0, "%s: create", label);
			continue;
		}
		dk_rng *r = dk_rng_alloc(70 + k);
		double *th = dk_model_params(m);
		for (size_t i = 0; i < dk_model_param_count(m); i++)
			th[i] += dk_rng_normal(r, 0.3);
		dk_rng_free(r);
		snprintf(label, sizeof label, "multiregion P=%zu N=5 I=%zu moved", cases[k].P,
		         cases[k].nin);
		dk_check_model_of(m, label);
	}
}

/*
 * <n^{mu nu} m^{nu rho}> = delta_{mu rho} c^{mu nu} and <m^{nu rho}
 * m^{nu sigma}> = delta_{rho sigma}, as sample means over N units: each
 * within 5 standard errors (the sample's own second moment over N), a
 * bound a correct draw breaks with probability below 1e-6 per entry.
 */
static void test_loadings(void)
{
	enum { P = 3, N = 20000 };
	static const double a[P] = {2.0, 0.5, -1.0}, b[P] = {1.5, 0.8, 2.5};
	static const double signs[P] = {1, -1, 1};
	dk_model *m;
	if (make(P, N, 0, a, b, signs, 11, &m)) {
		ok(0, "loadings: create");
		return;
	}
	const double *lm = param(m, "model/m"), *ln = param(m, "model/n");
	double worst = 0;
	for (size_t nu = 0; nu < P; nu++)
		for (size_t x = 0; x < 2 * P; x++)
			for (size_t y = 0; y < P; y++) {
				/* x < P: n^{x nu} with m^{nu y}; else m^{nu x-P} with m^{nu y} */
				const double *v = x < P ? ln + (x * P + nu) * N : lm + (nu * P + x - P) * N;
				const double *w = lm + (nu * P + y) * N;
				double want = x < P ? (x == y ? (x == nu ? a[nu] : signs[x] * signs[nu] * sqrt(b[x] * b[nu])) : 0)
				                    : (x - P == y ? 1 : 0);
				double s = 0, s2 = 0;
				for (size_t i = 0; i < N; i++) {
					s += v[i] * w[i];
					s2 += v[i] * w[i] * v[i] * w[i];
				}
				double mean = s / N, se = sqrt(s2 / N / N);
				worst = fmax(worst, fabs(mean - want) / se);
			}
	ok(worst < 5, "loadings: <n m> = T and <m m> = U within %.2f < 5 standard errors",
	   worst);
	dk_model_free(m);
}

/*
 * P = 2 regions of N = 20,000 units, a = (2, 1.5), b = (0.5, 0.5): each
 * region's own current grows (a > 1) and the pair's does not (b < 1), so
 * the theory's A^mu = psi^{-1}(1 / a_mu) = (2 / pi)(a_mu^2 - 1).  The
 * networks of dk_dmft_multi_simulate (this kind, from the paper's start)
 * run 600 Euler steps of 0.05 (t = 30: the slowest rate at the fixed
 * point is well above 0.1), then A^mu = sum_nu (S^{mu nu})^2 is averaged
 * over 200 more.
 *
 * The finite-N error: the sample overlaps of the loadings differ from T
 * by O(1 / sqrt(N)) (n's variance is inflated to ~ a^2, so by about
 * a / sqrt(N) = 0.014), and A moves with them.  Over seeds 1 .. 10 (20
 * regions) the relative deviation A_net / A_theory - 1 had an rms of
 * 0.020 and a largest size of 0.044, so 0.1 -- 5 times the rms -- fails
 * only a network that does not carry the theory's fixed point (a wrong
 * coupling or gain moves A by O(1)).
 */
#define A_TOL 0.1
static void test_theory(void)
{
	enum { P = 2 };
	static const double a[P] = {2.0, 1.5}, b[P] = {0.5, 0.5}, signs[P] = {1, 1};
	dk_dmft_multi_options o = dk_dmft_multi_options_default();
	o.regions = P;
	o.a = a;
	o.b = b;
	o.signs = signs;
	o.starts = 1;
	dk_dmft_sim_options s = {.units = 20000, .networks = 2, .seed = 1,
	                         .transient = 600, .steps = 200};
	dk_dmft_multi_result r;
	dk_dmft_multi_sim_result sim;
	char err[256];
	if (!ok(dk_dmft_multi_run(&o, &r, err, sizeof err) == DK_OK, "theory: %s", err))
		return;
	if (ok(dk_dmft_multi_simulate(&o, &s, &sim, err, sizeof err) == DK_OK,
	       "theory: simulate %s", err)) {
		ok(sim.samples == 801 && sim.dt == 0.05, "theory: 801 samples of dt 0.05");
		for (size_t k = 0; k < s.networks; k++) {
			double worst = 0;
			for (size_t mu = 0; mu < P; mu++) {
				double A = sim.A[k * P + mu], want = r.prediction[mu];
				printf("# network %zu region %zu: A %.6f, theory %.6f\n", k, mu, A, want);
				worst = fmax(worst, fabs(A / want - 1));
			}
			ok(worst < A_TOL, "theory: network %zu: A of 2 x 20000 units within "
			   "%.4f < %g of the theory's", k, worst, A_TOL);
		}
		dk_dmft_multi_sim_result_clear(&sim);
	}
	dk_dmft_multi_result_clear(&r);
}

static void refused(const dk_model_spec *spec, const char *field, const char *what)
{
	dk_model *m = NULL;
	char err[256] = "";
	int st = dk_model_create(spec, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, field), "refused: %s (%s)", what, err);
	dk_model_free(m);
}

static void test_spec(void)
{
	static const double a[2] = {1, 1}, b[2] = {1, 1}, bad[2] = {1, -1};
	static const double signs[2] = {1, 0.5}, huge[2] = {1, 1e3};
	dk_model_spec s = {.kind = "multiregion", .regions = 2, .units = 3, .a = a, .b = b};
	dk_model_spec t = s;
	t.regions = 0;
	refused(&t, "regions", "no regions");
	t = s;
	t.a = NULL;
	refused(&t, "a and b", "no couplings");
	t = s;
	t.b = bad;
	refused(&t, "b of region 1", "negative b");
	t = s;
	t.a = huge;
	refused(&t, "a of region 1", "a beyond the limit");
	t = s;
	t.signs = signs;
	refused(&t, "signs", "a sign of 0.5");
	t = s;
	t.act = DK_ACT_TANH;
	refused(&t, "fixed", "tanh");
	t = s;
	t.init = "random";
	refused(&t, "paper", "init random");
	t = s;
	t.tau = 2;
	refused(&t, "tau", "tau");
	t = s;
	t.units = (size_t)1 << 40;
	t.regions = (size_t)1 << 20;
	refused(&t, "too large", "P^2 N overflows");
	dk_model_spec r = {.kind = "ctrnn", .units = 3, .regions = 2};
	refused(&r, "regions", "regions for a ctrnn");
	r.regions = 0;
	r.a = a;
	refused(&r, "multiregion", "couplings for a ctrnn");
}

/* The attrs say regions and dt, and a bundle gives the same model back
   (the couplings are not needed: the loadings are the parameters). */
static void test_attrs(void)
{
	static const double a[2] = {1.2, 0.7}, b[2] = {0.3, 0.9};
	dk_model *m;
	if (make(2, 4, 1, a, b, NULL, 5, &m)) {
		ok(0, "attrs: create");
		return;
	}
	const dk_model_spec *s = dk_model_spec_of(m);
	ok(s->dt == 0.05 && s->act == DK_ACT_ERF && !strcmp(s->init, "paper") && !s->a,
	   "attrs: defaults dt 0.05, erf, paper; the couplings not kept");
	ok(dk_model_state_size(m) == 8 && dk_model_is_continuous(m), "attrs: state P N = 8");
	dk_bundle *bu = dk_bundle_alloc();
	dk_model *back = NULL;
	char err[256];
	int st = dk_model_to_bundle(m, bu);
	json_t *attrs = json_object_get(dk_meta_attrs(dk_bundle_meta(bu, 0)), "model");
	ok(!st && json_integer_value(json_object_get(attrs, "regions")) == 2 &&
	   json_real_value(json_object_get(attrs, "dt")) == 0.05, "attrs: regions 2, dt 0.05");
	st = st ? st : dk_model_from_bundle(bu, &back, err, sizeof err);
	ok(!st && dk_model_param_count(back) == dk_model_param_count(m) &&
	   !memcmp(dk_model_params(back), dk_model_params(m),
	           dk_model_param_count(m) * sizeof(double)),
	   "attrs: the bundle gives the model back %s", st ? err : "");
	dk_model_free(back);
	dk_bundle_free(bu);
	dk_model_free(m);
}

/*
 * The disorder (spec.gains): the checks of model_check.h with it, as made
 * and moved (chi and g among the parameters moved, so their gradients are
 * held against finite differences too); a seed's loadings the same with
 * and without it (bit for bit: the same draws of the same code); chi's
 * entries of variance 1 / N; the step's field against -x + sum m S +
 * g chi phi(x) summed here by plain loops; the bound on its memory; the
 * attrs and the bundle round trip.
 */
static void test_disorder(void)
{
	static const double a[3] = {1.5, -0.8, 2.2}, b[3] = {0.7, 1.3, 0.4};
	static const double signs[3] = {1, -1, 1}, gains[3] = {1.7, 0.6, 2.5};
	struct { size_t P, nin; } cases[] = {{2, 0}, {3, 1}};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		char label[80];
		snprintf(label, sizeof label, "disorder P=%zu N=5 I=%zu", cases[k].P,
		         cases[k].nin);
		dk_model_spec spec = {.kind = "multiregion", .regions = cases[k].P,
		                      .units = 5, .inputs = cases[k].nin, .outputs = 2,
		                      .a = a, .b = b, .signs = signs, .gains = gains,
		                      .dt = 0.2, .seed = 3 + k};
		dk_check_model(&spec, label);
		dk_model *m;
		char err[256];
		if (!ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "%s: %s", label,
		        err))
			continue;
		dk_rng *r = dk_rng_alloc(80 + k);
		double *th = dk_model_params(m);
		for (size_t i = 0; i < dk_model_param_count(m); i++)
			th[i] += dk_rng_normal(r, 0.3);
		dk_rng_free(r);
		snprintf(label, sizeof label, "disorder P=%zu N=5 I=%zu moved", cases[k].P,
		         cases[k].nin);
		dk_check_model_of(m, label); /* frees m */
	}

	/* the same seed's loadings, and chi's variance: P N^2 = 2 x 300^2
	   entries, whose sample variance has a relative standard error of
	   sqrt(2 / 180000) = 0.0033; 0.02 is 6 of them */
	enum { P = 2, N = 300 };
	dk_model *plain, *dis;
	dk_model_spec spec = {.kind = "multiregion", .regions = P, .units = N,
	                      .a = a, .b = b, .seed = 21};
	char err[256];
	if (!ok(dk_model_create(&spec, &plain, err, sizeof err) == DK_OK, "plain: %s", err))
		return;
	spec.gains = gains;
	if (!ok(dk_model_create(&spec, &dis, err, sizeof err) == DK_OK, "disorder: %s", err)) {
		dk_model_free(plain);
		return;
	}
	size_t count = (size_t)P * P * N * sizeof(double);
	ok(!memcmp(param(plain, "model/m"), param(dis, "model/m"), count) &&
	   !memcmp(param(plain, "model/n"), param(dis, "model/n"), count),
	   "disorder: a seed's loadings are the same with and without it");
	ok(!param(plain, "model/chi") && !param(plain, "model/g"),
	   "disorder: none without gains");
	const double *chi = param(dis, "model/chi"), *g = param(dis, "model/g");
	double s2 = 0;
	for (size_t i = 0; i < (size_t)P * N * N; i++)
		s2 += chi[i] * chi[i];
	double var = s2 / ((double)P * N * N) * N;
	ok(fabs(var - 1) < 0.02 && g && g[0] == gains[0] && g[1] == gains[1],
	   "disorder: N var(chi) = %.4f within 0.02 of 1; g as given", var);

	/* the field against plain loops (different summation order from
	   the BLAS products: 1e-12 relative to the terms' size, O(1)) */
	const double *lm = param(dis, "model/m"), *ln = param(dis, "model/n");
	double *x = malloc(4 * P * N * sizeof *x), *f = x + P * N, *ph = f + P * N,
	       *want = ph + P * N;
	dk_model_work *w = dk_model_work_alloc(dis, 1);
	dk_rng *r = dk_rng_alloc(5);
	for (size_t i = 0; i < P * N; i++) {
		x[i] = dk_rng_normal(r, 1);
		ph[i] = erf(sqrt(M_PI) / 2 * x[i]);
	}
	dk_rng_free(r);
	for (size_t mu = 0; mu < P; mu++)
		for (size_t i = 0; i < N; i++) {
			double v = -x[mu * N + i];
			for (size_t nu = 0; nu < P; nu++) {
				double S = 0;
				for (size_t j = 0; j < N; j++)
					S += ln[(mu * P + nu) * N + j] * ph[nu * N + j];
				v += lm[(mu * P + nu) * N + i] * S / N;
			}
			for (size_t j = 0; j < N; j++)
				v += g[mu] * chi[(mu * N + i) * N + j] * ph[mu * N + j];
			want[mu * N + i] = v;
		}
	double worst = 0;
	if (w && !dk_model_field(dis, w, 1, x, NULL, f))
		for (size_t i = 0; i < P * N; i++)
			worst = fmax(worst, fabs(f[i] - want[i]));
	else
		worst = INFINITY;
	ok(worst < 1e-12, "disorder: the field within %.2g < 1e-12 of plain sums", worst);
	free(x);
	dk_model_work_free(w);

	/* the attrs say so, and a bundle gives chi and g back */
	dk_bundle *bu = dk_bundle_alloc();
	dk_model *back = NULL;
	int st = dk_model_to_bundle(dis, bu);
	st = st ? st : dk_model_from_bundle(bu, &back, err, sizeof err);
	ok(!st && dk_model_spec_of(back)->disorder &&
	   dk_model_param_count(back) == dk_model_param_count(dis) &&
	   !memcmp(dk_model_params(back), dk_model_params(dis),
	           dk_model_param_count(dis) * sizeof(double)),
	   "disorder: the bundle gives chi and g back %s", st ? err : "");
	dk_model_free(back);
	dk_bundle_free(bu);
	dk_model_free(plain);
	dk_model_free(dis);

	/* refused: above the memory bound (5 x 20000^2 x 8 bytes = 16 GB),
	   a negative gain, gains for another kind */
	static const double five[5] = {1, 1, 1, 1, 1}, neg[2] = {1, -0.5};
	dk_model_spec t = {.kind = "multiregion", .regions = 5, .units = 20000,
	                   .a = five, .b = five, .gains = five};
	refused(&t, "GiB", "disorder above 4 GiB");
	t = (dk_model_spec){.kind = "multiregion", .regions = 2, .units = 3, .a = a,
	                    .b = b, .gains = neg};
	refused(&t, "gain of region 1", "a negative gain");
	t = (dk_model_spec){.kind = "ctrnn", .units = 3, .gains = gains};
	refused(&t, "gains", "gains for a ctrnn");
}

int main(void)
{
	test_disorder();
	test_derivatives();
	test_loadings();
	test_theory();
	test_spec();
	test_attrs();
	return tap_done();
}
