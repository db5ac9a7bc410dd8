/*
 * test_model_ctrnn.c -- the continuous-time rate network (ctrnn): the
 * checks of model_check.h for both integrators, every rate function,
 * with and without a low-rank part and inputs; the vector field against
 * its formula written out with plain loops; the Euler step against
 * x + dt f and the RK4 step against an RK4 written here independently;
 * the order of convergence of both schemes; a linear network against its
 * exact flow expm(dt A) (GSL); the initialisation's variances; the
 * defaults and the refused specs.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "model_check.h"

/* ---- an independent reference, with plain loops ---- */

typedef struct {
	size_t N, in, R;
	const double *J, *Bm, *b, *m, *n;
	double tau;
	dk_act act;
} ref_net;

static const double *param(dk_model *m, const char *name)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	return dk_model_params(m) + off;
}

static ref_net ref_of(dk_model *m, const dk_model_spec *s)
{
	ref_net q = {dk_model_state_size(m), s->inputs, s->rank,
	             param(m, "model/J"), param(m, "model/B"), param(m, "model/b"),
	             param(m, "model/m"), param(m, "model/n"), s->tau, s->act};
	return q;
}

static double phi(dk_act act, double x)
{
	switch (act) {
	case DK_ACT_TANH: return tanh(x);
	case DK_ACT_RELU: return x > 0 ? x : 0;
	case DK_ACT_ERF: return erf(sqrt(M_PI) * x / 2);
	default: return x;
	}
}

/* f = (-x + (J + m n^T / N) phi(x) + B u + b) / tau, for one state. */
static void ref_field(const ref_net *q, const double *x, const double *u, double *f)
{
	size_t N = q->N;
	for (size_t i = 0; i < N; i++) {
		double a = -x[i] + q->b[i];
		for (size_t j = 0; j < N; j++) {
			double Jij = q->J[i * N + j];
			for (size_t r = 0; r < q->R; r++)
				Jij += q->m[i * q->R + r] * q->n[j * q->R + r] / N;
			a += Jij * phi(q->act, x[j]);
		}
		for (size_t k = 0; u && k < q->in; k++)
			a += q->Bm[i * q->in + k] * u[k];
		f[i] = a / q->tau;
	}
}

#define NMAX 16

/* One classic RK4 step of size h, the input held. */
static void ref_rk4(const ref_net *q, double h, const double *x, const double *u, double *xn)
{
	size_t N = q->N;
	double k1[NMAX] = {0}, k2[NMAX] = {0}, k3[NMAX] = {0}, k4[NMAX] = {0}, y[NMAX] = {0};
	ref_field(q, x, u, k1);
	for (size_t i = 0; i < N; i++) y[i] = x[i] + h / 2 * k1[i];
	ref_field(q, y, u, k2);
	for (size_t i = 0; i < N; i++) y[i] = x[i] + h / 2 * k2[i];
	ref_field(q, y, u, k3);
	for (size_t i = 0; i < N; i++) y[i] = x[i] + h * k3[i];
	ref_field(q, y, u, k4);
	for (size_t i = 0; i < N; i++)
		xn[i] = x[i] + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

static double norm2(const double *a, size_t n)
{
	return sqrt(dot(a, a, n));
}

static double dist(const double *a, const double *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (a[i] - b[i]) * (a[i] - b[i]);
	return sqrt(s);
}

static dk_model *make(const dk_model_spec *spec)
{
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(spec, &m, err, sizeof err))
		fprintf(stderr, "create: %s\n", err);
	return m;
}

/* Give b nonzero entries (the init leaves it 0), so formulas see it. */
static void randomise_b(dk_model *m, dk_rng *r)
{
	size_t off, cnt;
	dk_model_param_find(m, "model/b", &off, &cnt);
	fill(r, dk_model_params(m) + off, cnt, 0.5);
}

/* ---- the field and the steps against the formulas ---- */

static void test_formulas(const char *integrator, dk_act act, size_t rank, size_t in)
{
	dk_model_spec spec = {.kind = "ctrnn", .units = 9, .inputs = in, .outputs = 2,
	                      .act = act, .init = "random", .gain = 1.4, .seed = 21,
	                      .dt = 0.13, .tau = 0.8, .integrator = integrator, .rank = rank};
	dk_model *m = make(&spec);
	dk_rng *r = dk_rng_alloc(99);
	randomise_b(m, r);
	ref_net q = ref_of(m, &spec);
	size_t N = 9;
	double x[2 * 9], u[2 * 3 + 1], f[2 * 9], fr[9], xn[2 * 9], want[9], y[2 * 9];
	fill(r, x, 2 * N, 0.8);
	fill(r, u, 2 * in, 1.0);
	dk_model_work *w = dk_model_work_alloc(m, 2);
	char label[96];
	snprintf(label, sizeof label, "ctrnn %s %s rank %zu inputs %zu", integrator,
	         dk_act_name(act), rank, in);

	dk_model_field(m, w, 2, x, in ? u : NULL, f);
	double worst = 0;
	for (size_t b = 0; b < 2; b++) {
		ref_field(&q, x + b * N, in ? u + b * in : NULL, fr);
		worst = fmax(worst, dist(f + b * N, fr, N) / norm2(fr, N));
	}
	ok(worst < 1e-14, "%s: field = (-x + (J + m n^T/N) phi(x) + B u + b)/tau (rel err %.2g)",
	   label, worst);

	dk_model_step(m, w, 2, x, in ? u : NULL, xn, NULL);
	worst = 0;
	for (size_t b = 0; b < 2; b++) {
		const double *xb = x + b * N, *ub = in ? u + b * in : NULL;
		if (!strcmp(integrator, "euler")) {
			ref_field(&q, xb, ub, fr);
			for (size_t i = 0; i < N; i++)
				want[i] = xb[i] + spec.dt * fr[i];
		} else {
			ref_rk4(&q, spec.dt, xb, ub, want);
		}
		worst = fmax(worst, dist(xn + b * N, want, N) / norm2(want, N));
	}
	ok(worst < 1e-14, "%s: step = %s (rel err %.2g)", label,
	   strcmp(integrator, "euler") ? "an RK4 step written with plain loops"
	                               : "x + dt f(x, u)", worst);

	/* in place (xn = x) gives the same */
	memcpy(y, x, 2 * N * sizeof *y);
	dk_model_step(m, w, 2, y, in ? u : NULL, y, NULL);
	ok(!memcmp(y, xn, 2 * N * sizeof *y), "%s: the step in place (xn = x) is the same", label);

	dk_rng_free(r);
	dk_model_work_free(w);
	dk_model_free(m);
}

/* Euler's step is x + dt f with the model's own field, to rounding. */
static void test_euler_is_field(void)
{
	dk_model_spec spec = {.kind = "ctrnn", .units = 12, .inputs = 2, .outputs = 1,
	                      .act = DK_ACT_ERF, .init = "random", .gain = 2, .seed = 4,
	                      .dt = 0.07, .tau = 1.3, .integrator = "euler", .rank = 2};
	dk_model *m = make(&spec);
	dk_rng *r = dk_rng_alloc(5);
	randomise_b(m, r);
	double x[3 * 12], u[3 * 2], f[3 * 12], xn[3 * 12], worst = 0;
	fill(r, x, 36, 1.0);
	fill(r, u, 6, 1.0);
	dk_model_work *w = dk_model_work_alloc(m, 3);
	dk_model_field(m, w, 3, x, u, f);
	dk_model_step(m, w, 3, x, u, xn, NULL);
	for (size_t i = 0; i < 36; i++)
		worst = fmax(worst, fabs(xn[i] - (x[i] + 0.07 * f[i])));
	ok(worst < 1e-15, "ctrnn euler: step = x + dt dk_model_field (worst %.2g)", worst);
	dk_rng_free(r);
	dk_model_work_free(w);
	dk_model_free(m);
}

/* ---- order of convergence ---- */

/*
 * One step of size h from x, against a reference that takes 4000 RK4
 * substeps of h/4000 (its own error, ~ (h/4000)^4 h, is far below the
 * errors measured).  The local error of RK4 is C h^5 + O(h^6), Euler's
 * C h^2 + O(h^3): halving h divides them by 32 and 4, up to the next
 * order's share.  At h = 0.1, 0.05, 0.025 the tolerance is 15% on the
 * ratio (log2 of it within 0.2 of 5 and of 2).
 */
static void test_order(void)
{
	const char *integrators[] = {"euler", "rk4"};
	const double want[] = {4, 32};
	const double hs[] = {0.1, 0.05, 0.025};
	size_t N = 8, in = 2;
	for (int k = 0; k < 2; k++) {
		double err[3];
		dk_model *m = NULL;
		dk_rng *r = dk_rng_alloc(17);
		double x[8], u[2], xn[8], ref[8], y[8];
		fill(r, x, N, 1.0);
		fill(r, u, in, 1.0);
		for (int j = 0; j < 3; j++) {
			dk_model_spec spec = {.kind = "ctrnn", .units = N, .inputs = in, .outputs = 1,
			                      .act = DK_ACT_TANH, .init = "random", .gain = 1.5,
			                      .seed = 8, .dt = hs[j], .tau = 1,
			                      .integrator = integrators[k], .rank = 1};
			m = make(&spec);
			dk_rng *rb = dk_rng_alloc(3);
			randomise_b(m, rb);
			dk_rng_free(rb);
			ref_net q = ref_of(m, &spec);
			memcpy(ref, x, sizeof ref);
			for (int s = 0; s < 4000; s++) {
				ref_rk4(&q, hs[j] / 4000, ref, u, y);
				memcpy(ref, y, sizeof ref);
			}
			dk_model_work *w = dk_model_work_alloc(m, 1);
			dk_model_step(m, w, 1, x, u, xn, NULL);
			err[j] = dist(xn, ref, N);
			dk_model_work_free(w);
			dk_model_free(m);
		}
		for (int j = 0; j < 2; j++) {
			double ratio = err[j] / err[j + 1];
			ok(fabs(ratio / want[k] - 1) < 0.15,
			   "ctrnn %s: one-step error %.3g at dt %g, %.3g at dt %g: ratio %.2f, want %g within 15%%",
			   integrators[k], err[j], hs[j], err[j + 1], hs[j + 1], ratio, want[k]);
		}
		dk_rng_free(r);
	}
}

/* ---- a linear network against its exact flow ---- */

/*
 * With phi = identity the field is affine, f = A x + c with A = (J_eff -
 * I)/tau and c = (B u + b)/tau, and the flow over h is x(h) = E x + e,
 * where [E e; 0 1] = expm(h [A c; 0 0]) (GSL's scaling and squaring).
 * RK4 on an affine field is the degree-4 Taylor polynomial of that flow,
 * so its error is the Taylor tail, h^5 A^4 (A x + c) / 120 to leading
 * order: the test asks for the measured error within 10% of that term
 * (the next term is h ||A|| / 6 ~ 5% of it here) and, independently,
 * RK4 equal to the degree-4 polynomial to rounding.
 */
static void test_linear_exact(void)
{
	size_t N = 6, in = 2, R = 1;
	dk_model_spec spec = {.kind = "ctrnn", .units = N, .inputs = in, .outputs = 1,
	                      .act = DK_ACT_IDENTITY, .init = "random", .gain = 0.9,
	                      .seed = 31, .dt = 0.1, .tau = 0.8, .integrator = "rk4",
	                      .rank = R};
	dk_model *m = make(&spec);
	dk_rng *r = dk_rng_alloc(41);
	randomise_b(m, r);
	ref_net q = ref_of(m, &spec);
	double x[6], u[2], c[6], A[36], xn[6], exact[6], h = spec.dt;
	fill(r, x, N, 1.0);
	fill(r, u, in, 1.0);
	for (size_t i = 0; i < N; i++) {
		c[i] = q.b[i];
		for (size_t k = 0; k < in; k++)
			c[i] += q.Bm[i * in + k] * u[k];
		c[i] /= q.tau;
		for (size_t j = 0; j < N; j++) {
			double Jij = q.J[i * N + j];
			for (size_t s = 0; s < R; s++)
				Jij += q.m[i * R + s] * q.n[j * R + s] / N;
			A[i * N + j] = (Jij - (i == j)) / q.tau;
		}
	}
	gsl_matrix *M = gsl_matrix_calloc(N + 1, N + 1), *E = gsl_matrix_alloc(N + 1, N + 1);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < N; j++)
			gsl_matrix_set(M, i, j, h * A[i * N + j]);
		gsl_matrix_set(M, i, N, h * c[i]);
	}
	int st = gsl_linalg_exponential_ss(M, E, GSL_PREC_DOUBLE);
	ok(st == GSL_SUCCESS, "GSL computes expm(h [A c; 0 0])");
	for (size_t i = 0; i < N; i++) {
		exact[i] = gsl_matrix_get(E, i, N);
		for (size_t j = 0; j < N; j++)
			exact[i] += gsl_matrix_get(E, i, j) * x[j];
	}
	/* the Taylor terms v_k = h^k A^(k-1) (A x + c) / k! */
	double v[6][6], taylor4[6], lead = 0, t[6];
	for (size_t i = 0; i < N; i++) {
		v[1][i] = c[i];
		for (size_t j = 0; j < N; j++)
			v[1][i] += A[i * N + j] * x[j];
		v[1][i] *= h;
	}
	for (int k = 2; k <= 5; k++)
		for (size_t i = 0; i < N; i++) {
			v[k][i] = 0;
			for (size_t j = 0; j < N; j++)
				v[k][i] += A[i * N + j] * v[k - 1][j];
			v[k][i] *= h / k;
		}
	for (size_t i = 0; i < N; i++) {
		taylor4[i] = x[i] + v[1][i] + v[2][i] + v[3][i] + v[4][i];
		t[i] = v[5][i];
	}
	lead = norm2(t, N);

	dk_model_work *w = dk_model_work_alloc(m, 1);
	dk_model_step(m, w, 1, x, u, xn, NULL);
	double e4 = dist(xn, taylor4, N) / norm2(x, N);
	ok(e4 < 1e-14, "ctrnn rk4, linear: the step is the degree-4 Taylor polynomial of the flow (rel err %.2g)", e4);
	double e = dist(xn, exact, N);
	ok(fabs(e / lead - 1) < 0.1,
	   "ctrnn rk4, linear: error against expm %.3g, predicted h^5 |A^4 (A x + c)| / 120 = %.3g (within 10%%)",
	   e, lead);
	/* and the Euler step of the same network is the degree-1 polynomial */
	dk_model_free(m);
	spec.integrator = "euler";
	m = make(&spec);
	dk_rng_free(r);
	r = dk_rng_alloc(41);
	randomise_b(m, r);
	dk_model_step(m, w, 1, x, u, xn, NULL);
	for (size_t i = 0; i < N; i++)
		t[i] = x[i] + v[1][i];
	e = dist(xn, t, N) / norm2(x, N);
	ok(e < 1e-15, "ctrnn euler, linear: the step is x + h (A x + c) (rel err %.2g)", e);
	gsl_matrix_free(M);
	gsl_matrix_free(E);
	dk_rng_free(r);
	dk_model_work_free(w);
	dk_model_free(m);
}

/* ---- initialisation, defaults, refusals ---- */

static void test_init(void)
{
	size_t N = 400, in = 3, R = 3;
	dk_model_spec spec = {.kind = "ctrnn", .units = N, .inputs = in, .outputs = 1,
	                      .act = DK_ACT_TANH, .init = "random", .gain = 2, .seed = 12,
	                      .rank = R};
	dk_model *m = make(&spec);
	size_t off, cnt;
	dk_model_param_find(m, "model/J", &off, &cnt);
	const double *J = dk_model_params(m) + off;
	double s1 = 0, s2 = 0;
	for (size_t i = 0; i < cnt; i++) {
		s1 += J[i];
		s2 += J[i] * J[i];
	}
	/* 160000 draws of variance 0.01: standard errors 2.5e-4 (mean) and
	   3.5e-5 (variance); tolerances 1e-3 and 2e-4 */
	ok(cnt == N * N && fabs(s1 / cnt) < 1e-3, "init: mean of J near 0 (%.2g)", s1 / cnt);
	is_close(s2 / cnt, 4.0 / N, 2e-4, "init: Var J_ij = gain^2 / N = 0.01");
	s2 = 0;
	const char *lr[2] = {"model/m", "model/n"};
	for (int k = 0; k < 2; k++) {
		dk_model_param_find(m, lr[k], &off, &cnt);
		for (size_t i = 0; i < cnt; i++)
			s2 += dk_model_params(m)[off + i] * dk_model_params(m)[off + i];
	}
	/* 2400 draws of variance 1: standard error 0.029; tolerance 0.15 */
	is_close(s2 / (2 * N * R), 1.0, 0.15, "init: m and n entries have variance 1");
	dk_model_param_find(m, "model/B", &off, &cnt);
	int within = cnt == N * in;
	for (size_t i = 0; i < cnt; i++)
		within &= fabs(dk_model_params(m)[off + i]) <= 1 / sqrt((double)N);
	ok(within, "init: B uniform within 1/sqrt(N)");
	dk_model_param_find(m, "model/b", &off, &cnt);
	int zero = cnt == N;
	for (size_t i = 0; i < cnt; i++)
		zero &= dk_model_params(m)[off + i] == 0;
	ok(zero, "init: b = 0");
	ok(dk_model_param_count(m) == N * N + N * in + N + 2 * N * R + N + 1,
	   "init: N^2 + N inputs + N + 2 N R parameters, then the readout");
	ok(dk_model_is_continuous(m), "ctrnn is a continuous-time model");
	dk_model_free(m);

	spec.rank = 0;
	m = make(&spec);
	ok(dk_model_param_find(m, "model/m", &off, &cnt) == DK_ENOTFOUND,
	   "rank 0: no model/m or model/n");
	dk_model_free(m);
}

static json_t *model_attrs(dk_bundle *b)
{
	long k = dk_bundle_find(b, "model/J");
	return k < 0 ? NULL : json_object_get(dk_meta_attrs(dk_bundle_meta(b, (size_t)k)), "model");
}

static void test_defaults_and_attrs(void)
{
	dk_model_spec spec = {.kind = "ctrnn", .units = 5, .inputs = 1, .outputs = 1,
	                      .act = DK_ACT_ERF, .gain = 1, .seed = 2};
	dk_model *m = make(&spec);
	dk_bundle *b = dk_bundle_alloc();
	dk_model_to_bundle(m, b);
	json_t *a = model_attrs(b);
	ok(a && json_real_value(json_object_get(a, "dt")) == 0.1 &&
	   json_real_value(json_object_get(a, "tau")) == 1 &&
	   !strcmp(json_string_value(json_object_get(a, "integrator")), "euler") &&
	   json_integer_value(json_object_get(a, "rank")) == 0 &&
	   !strcmp(json_string_value(json_object_get(a, "act")), "erf"),
	   "defaults dt 0.1, tau 1, euler, rank 0 are recorded in the attrs");
	dk_bundle_free(b);
	dk_model_free(m);

	/* a round trip keeps dt, tau, the integrator and the rank: the same step */
	spec = (dk_model_spec){.kind = "ctrnn", .units = 6, .inputs = 2, .outputs = 1,
	                       .act = DK_ACT_TANH, .init = "random", .gain = 1.3, .seed = 2,
	                       .dt = 0.05, .tau = 2.5, .integrator = "rk4", .rank = 2};
	m = make(&spec);
	b = dk_bundle_alloc();
	dk_model_to_bundle(m, b);
	dk_model *back = NULL;
	char err[256];
	int st = dk_model_from_bundle(b, &back, err, sizeof err);
	double x[6] = {0.1, -0.4, 0.3, 0.9, -1.2, 0.5}, u[2] = {0.3, -0.7}, y1[6], y2[6];
	dk_model_work *w = dk_model_work_alloc(m, 1);
	dk_model_step(m, w, 1, x, u, y1, NULL);
	if (!st)
		dk_model_step(back, w, 1, x, u, y2, NULL);
	ok(!st && !memcmp(y1, y2, sizeof y1), "a bundle round trip keeps dt, tau, rk4 and the rank (%s)",
	   st ? err : "ok");
	dk_model_work_free(w);
	dk_model_free(back);
	dk_bundle_free(b);
	dk_model_free(m);

	struct { dk_model_spec s; const char *what, *msg; } bad[] = {
		{{.kind = "ctrnn", .units = 4, .integrator = "midpoint"}, "unknown integrator", "midpoint"},
		{{.kind = "ctrnn", .units = 4, .dt = -0.1}, "negative dt", "dt"},
		{{.kind = "ctrnn", .units = 4, .tau = -1}, "negative tau", "tau"},
		{{.kind = "ctrnn", .units = 4, .dt = INFINITY}, "infinite dt", "dt"},
		{{.kind = "ctrnn", .units = 4, .rank = 5}, "rank above units", "rank"},
		{{.kind = "ctrnn", .units = 0}, "zero units", "units"},
		{{.kind = "ctrnn", .units = 4, .init = "identity"}, "unknown initialisation", "identity"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		err[0] = 0;
		st = dk_model_create(&bad[k].s, &m, err, sizeof err);
		ok(st == DK_EINVAL && strstr(err, bad[k].msg), "refused: %s (%s)", bad[k].what, err);
	}
}

int main(void)
{
	gsl_set_error_handler_off();
	const char *integrators[] = {"euler", "rk4"};
	const dk_act acts[] = {DK_ACT_TANH, DK_ACT_ERF, DK_ACT_RELU};
	const size_t shapes[][2] = {{0, 3}, {2, 0}, {2, 3}}; /* rank, inputs */
	for (int k = 0; k < 2; k++)
		for (int a = 0; a < 3; a++)
			for (int s = 0; s < 3; s++) {
				dk_model_spec spec = {.kind = "ctrnn", .units = 7, .inputs = shapes[s][1],
				                      .outputs = 2, .act = acts[a], .init = "random",
				                      .gain = 1.3, .seed = 11, .dt = 0.15, .tau = 0.7,
				                      .integrator = integrators[k], .rank = shapes[s][0]};
				char label[96];
				snprintf(label, sizeof label, "ctrnn %s %s rank %zu inputs %zu",
				         integrators[k], dk_act_name(acts[a]), shapes[s][0], shapes[s][1]);
				dk_check_model(&spec, label);
			}
	dk_model_spec lin = {.kind = "ctrnn", .units = 5, .inputs = 1, .outputs = 1,
	                     .act = DK_ACT_IDENTITY, .init = "random", .gain = 1, .seed = 3,
	                     .integrator = "rk4", .rank = 1};
	dk_check_model(&lin, "ctrnn rk4 identity rank 1 (default dt, tau)");

	for (int k = 0; k < 2; k++)
		for (int a = 0; a < 3; a++) {
			test_formulas(integrators[k], acts[a], 0, 0);
			test_formulas(integrators[k], acts[a], 2, 3);
		}
	test_euler_is_field();
	test_order();
	test_linear_exact();
	test_init();
	test_defaults_and_attrs();
	return tap_done();
}
