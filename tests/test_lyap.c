/*
 * test_lyap.c -- Lyapunov spectra against exact values: linear maps whose
 * exponents are the logs of their eigenvalue moduli (diagonal, rotation-
 * scaling blocks, non-normal), a linear flow per unit time, the sum rule
 * (with k = n the exponents add up to the mean log |det J| along the
 * trajectory, computed here by LU), the two tangent methods against each
 * other on every model kind, the two-trajectory check, the Kaplan-Yorke
 * dimension, reproducibility, and refusals.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>

#include "dynkit.h"
#include "tap.h"

static dk_model *make(const char *kind, size_t n, dk_act act, const char *init,
                      double gain, uint64_t seed)
{
	dk_model_spec s = {.kind = kind, .units = n, .inputs = 2, .outputs = 1, .act = act,
	                   .init = init, .gain = gain, .seed = seed,
	                   .channels = strcmp(kind, "wrnn") ? 0 : 2};
	if (!strcmp(kind, "ctrnn"))
		s.integrator = "rk4";
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# create %s: %s\n", kind, err);
	return m;
}

/* A linear map x' = W x: an identity-act rnn with W given, b = 0. */
static dk_model *linear(size_t n, const double *W)
{
	dk_model *m = make("rnn", n, DK_ACT_IDENTITY, "identity", 1, 1);
	size_t off, count;
	dk_model_param_find(m, "model/W", &off, &count);
	memcpy(dk_model_params(m) + off, W, n * n * sizeof *W);
	dk_model_param_find(m, "model/b", &off, &count);
	memset(dk_model_params(m) + off, 0, count * sizeof(double));
	return m;
}

static dk_lyap_options opts(size_t k, size_t steps)
{
	return (dk_lyap_options){.k = k, .steps = steps, .transient = 10,
	                         .basis_transient = 200, .every = 1,
	                         .checkpoints = 10, .blocks = 10, .seed = 7};
}

/* Run and return the workspace (to free) with r filled; NULL on error. */
static dk_lyap *spectrum(const dk_model *m, const dk_lyap_options *o,
                         const double *x0, dk_lyap_result *r)
{
	char err[256] = "";
	dk_lyap *l = NULL;
	if (dk_lyap_alloc(m, o, &l, err, sizeof err) ||
	    dk_lyap_run(l, x0, NULL, 0, r, err, sizeof err)) {
		printf("# %s\n", err);
		dk_lyap_free(l);
		return NULL;
	}
	return l;
}

static double maxdiff(const double *a, const double *b, size_t n)
{
	double d = 0;
	for (size_t i = 0; i < n; i++)
		d = fmax(d, fabs(a[i] - b[i]));
	return d;
}

static void test_diagonal(void)
{
	/* eigenvalues 1.5, -1.2, 0.9, 0.5, -0.3 placed out of order: the
	   exponents must come out sorted, whatever the basis starts as */
	const double a[5] = {0.5, -1.2, -0.3, 1.5, 0.9}, want_a[5] = {1.5, 1.2, 0.9, 0.5, 0.3};
	double W[25] = {0}, x0[5] = {0}, want[5];
	for (int i = 0; i < 5; i++) {
		W[i * 5 + i] = a[i];
		want[i] = log(want_a[i]);
	}
	dk_model *m = linear(5, W);
	dk_lyap_options o = opts(5, 1000);
	dk_lyap_result r;
	dk_lyap *l = spectrum(m, &o, x0, &r);
	ok(l && maxdiff(r.exponents, want, 5) < 1e-12,
	   "diagonal map: exponents = log |eigenvalues|, sorted, to 1e-12 (max diff %.2g)",
	   l ? maxdiff(r.exponents, want, 5) : NAN);
	ok(l && r.std_error[0] < 1e-12, "and the block errors vanish for a constant Jacobian");
	ok(l && r.step_time == 1, "a map's step is its unit of time");
	/* l1 + l2 = log 1.8 > 0, + log 0.9 still > 0, + log 0.5 < 0 */
	double s3 = log(1.5 * 1.2 * 0.9), dky = 3 + s3 / fabs(log(0.5));
	ok(l && fabs(r.dimension - dky) < 1e-11 && !r.dimension_bound,
	   "Kaplan-Yorke dimension 3 + S_3 / |l_4| = %.6f (got %.6f)", dky, l ? r.dimension : NAN);
	ok(l && fabs(r.entropy - log(1.5 * 1.2)) < 1e-12, "entropy: the positive exponents' sum");
	ok(l && r.checkpoints == 10 && r.trace_steps[9] == 1000 && r.trace_steps[0] == 100 &&
	   maxdiff(r.trace + 9 * 5, r.exponents, 5) == 0,
	   "the trace's last row is the final estimate, at 1000 steps");
	dk_lyap_free(l);

	o.k = 2;
	o.every = 7;
	l = spectrum(m, &o, x0, &r);
	ok(l && maxdiff(r.exponents, want, 2) < 1e-12, "k = 2 of 5, QR every 7 steps: the top two");
	dk_lyap_free(l);
	/* (1.2 / 1.5)^40 leaves the second column at sin^2 ~ 1e-8 of the
	   first: Cholesky QR hands it to Householder */
	o.every = 40;
	o.k = 5;
	l = spectrum(m, &o, x0, &r);
	ok(l && maxdiff(r.exponents, want, 5) < 1e-12,
	   "QR every 40 steps, ill-conditioned for Cholesky QR: still exact (%.2g)",
	   l ? maxdiff(r.exponents, want, 5) : NAN);
	ok(l && r.householder_qrs > 0, "with some QRs left to Householder (%zu of %zu)",
	   l ? r.householder_qrs : 0, l ? r.qrs + 1 : 0);
	dk_lyap_free(l);
	o.k = 2;
	o.every = 7;
	l = spectrum(m, &o, x0, &r);
	ok(l && r.dimension_bound && r.dimension == 2, "a Kaplan-Yorke dimension of k is a bound");
	dk_lyap_free(l);
	dk_model_free(m);
}

static void test_rotation(void)
{
	/* two rotation-scaling blocks: modulus 1.1 (angle 0.7) and 0.8
	   (angle 2.1); each pair of exponents is degenerate */
	double W[16] = {0}, x0[4] = {0};
	const double r1 = 1.1, t1 = 0.7, r2 = 0.8, t2 = 2.1;
	W[0] = r1 * cos(t1); W[1] = -r1 * sin(t1); W[4] = r1 * sin(t1); W[5] = r1 * cos(t1);
	W[10] = r2 * cos(t2); W[11] = -r2 * sin(t2); W[14] = r2 * sin(t2); W[15] = r2 * cos(t2);
	const double want[4] = {log(r1), log(r1), log(r2), log(r2)};
	dk_model *m = linear(4, W);
	dk_lyap_options o = opts(4, 500);
	dk_lyap_result r;
	dk_lyap *l = spectrum(m, &o, x0, &r);
	ok(l && maxdiff(r.exponents, want, 4) < 1e-12,
	   "rotation-scaling blocks: exponents log 1.1 (twice), log 0.8 (twice)");
	dk_lyap_free(l);
	dk_model_free(m);

	/* non-normal: eigenvalues 0.9 and 0.5 with a large shear */
	double N[4] = {0.9, 5, 0, 0.5}, z[2] = {0};
	const double wn[2] = {log(0.9), log(0.5)};
	m = linear(2, N);
	o = opts(2, 500);
	l = spectrum(m, &o, z, &r);
	ok(l && maxdiff(r.exponents, wn, 2) < 1e-12,
	   "non-normal map: exponents still log |eigenvalues| (the shear only transient)");
	dk_lyap_free(l);
	dk_model_free(m);
}

static void test_flow(void)
{
	/* a linear ctrnn, tau dx/dt = -x + J x, euler with dt = 0.1: the map
	   is I + dt (J - I) / tau, its exponents per unit time
	   log |1 + dt (c - 1)| / dt for J = diag(c) */
	dk_model_spec s = {.kind = "ctrnn", .units = 3, .inputs = 1, .outputs = 1,
	                   .act = DK_ACT_IDENTITY, .init = "random", .gain = 1, .seed = 1,
	                   .dt = 0.1, .tau = 1, .integrator = "euler"};
	char err[256];
	dk_model *m = NULL;
	dk_model_create(&s, &m, err, sizeof err);
	size_t off, count;
	dk_model_param_find(m, "model/J", &off, &count);
	double *J = dk_model_params(m) + off, c[3] = {2.0, 0.5, -3.0}, want[3], x0[3] = {0};
	memset(J, 0, 9 * sizeof *J);
	for (int i = 0; i < 3; i++) {
		J[i * 4] = c[i];
		want[i] = log(fabs(1 + 0.1 * (c[i] - 1))) / 0.1;
	}
	dk_lyap_options o = opts(3, 300);
	dk_lyap_result r;
	dk_lyap *l = spectrum(m, &o, x0, &r);
	ok(l && r.step_time == 0.1 && maxdiff(r.exponents, want, 3) < 1e-11,
	   "linear flow, euler dt 0.1: exponents per unit time (%.6f %.6f %.6f)",
	   l ? r.exponents[0] : NAN, l ? r.exponents[1] : NAN, l ? r.exponents[2] : NAN);
	dk_lyap_free(l);
	dk_model_free(m);
}

/* The mean of log |det dF/dx| over the measured steps of o from x0. */
static double mean_logdet(const dk_model *m, const dk_lyap_options *o, const double *x0)
{
	size_t n = dk_model_state_size(m);
	dk_model_work *w = dk_model_work_alloc(m, 1);
	double *x = malloc(n * sizeof *x), *xn = malloc(n * sizeof *xn);
	double *J = malloc(n * n * sizeof *J), s = 0;
	lapack_int *piv = malloc(n * sizeof *piv);
	memcpy(x, x0, n * sizeof *x);
	size_t skip = o->transient + o->basis_transient;
	for (size_t t = 0; t < skip + o->steps; t++) {
		if (t >= skip) {
			dk_model_jacobian(m, w, x, NULL, J);
			LAPACKE_dgetrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, J,
			               (lapack_int)n, piv);
			for (size_t i = 0; i < n; i++)
				s += log(fabs(J[i * n + i]));
		}
		dk_model_step(m, w, 1, x, NULL, xn, NULL);
		memcpy(x, xn, n * sizeof *x);
	}
	free(x); free(xn); free(J); free(piv);
	dk_model_work_free(w);
	return s / (double)o->steps;
}

static void test_sum_rule(void)
{
	size_t n = 20;
	dk_model *m = make("rnn", n, DK_ACT_TANH, "random", 1.8, 3);
	double x0[20];
	for (size_t i = 0; i < n; i++)
		x0[i] = sin(1.0 + (double)i);
	dk_lyap_options o = opts(n, 300);
	o.basis_transient = 50;
	/* QR every 3 steps (Householder, mostly: the 20th direction shrinks
	   too fast for Cholesky QR), and every step (Cholesky QR) */
	for (int every = 3; every >= 1; every -= 2) {
		o.every = (size_t)every;
		double want = mean_logdet(m, &o, x0);
		for (int tangent = 0; tangent < 3; tangent++) {
			o.tangent = tangent == 1 ? DK_LYAP_JACOBIAN : DK_LYAP_JVP;
			o.qr = tangent == 2 ? DK_LYAP_QR_HOUSEHOLDER : DK_LYAP_QR_AUTO;
			dk_lyap_result r;
			dk_lyap *l = spectrum(m, &o, x0, &r);
			double s = 0;
			for (size_t i = 0; l && i < n; i++)
				s += r.exponents[i];
			ok(l && fabs(s - want) < 1e-10,
			   "every %d, %s: sum of the %zu exponents = mean log |det J| by LU "
			   "(%.12f vs %.12f; %zu of %zu QRs by Householder)", every,
			   tangent == 0 ? "jvp" : tangent == 1 ? "jacobian" : "jvp, householder",
			   n, s, want, l ? r.householder_qrs : 0, l ? r.qrs + 1 : 0);
			dk_lyap_free(l);
		}
	}
	dk_model_free(m);
}

/* Both tangent methods, and both reproducible, on one model kind. */
static void test_methods(const char *kind, dk_act act)
{
	dk_model *m = make(kind, 6, act, "", 1.5, 5);
	size_t n = dk_model_state_size(m);
	double *x0 = malloc(n * sizeof *x0);
	for (size_t i = 0; i < n; i++)
		x0[i] = 0.3 * cos((double)i);
	dk_lyap_options o = opts(n < 5 ? n : 5, 200);
	o.basis_transient = 20;
	dk_lyap_result r1, r2, r3;
	dk_lyap *l1 = spectrum(m, &o, x0, &r1);
	dk_lyap *l2 = spectrum(m, &o, x0, &r2);
	o.tangent = DK_LYAP_JACOBIAN;
	o.qr = DK_LYAP_QR_HOUSEHOLDER;
	dk_lyap *l3 = spectrum(m, &o, x0, &r3);
	ok(l1 && l2 && !memcmp(r1.exponents, r2.exponents, o.k * sizeof(double)) &&
	   !memcmp(r1.trace, r2.trace, r1.checkpoints * o.k * sizeof(double)),
	   "%s: the same seed gives the same bits", kind);
	/* where a relu network's Jacobian has the rows of silent units zero,
	   the basis's image is rank-deficient, and Householder's to do */
	int smooth = act != DK_ACT_RELU;
	ok(l1 && l3 && (!smooth || r1.householder_qrs < 3) && r3.householder_qrs == r3.qrs + 1,
	   "%s: QRs by Householder: %zu of %zu (%s), and all in the Householder run",
	   kind, l1 ? r1.householder_qrs : 0, l1 ? r1.qrs + 1 : 0,
	   smooth ? "Cholesky QR does the rest" : "relu: as many as are rank-deficient");
	ok(l1 && l3 && maxdiff(r1.exponents, r3.exponents, o.k) < 1e-10,
	   "%s: jvp with Cholesky QR and Jacobian with Householder agree to 1e-10 (%.2g)", kind,
	   l1 && l3 ? maxdiff(r1.exponents, r3.exponents, o.k) : NAN);
	dk_lyap_free(l1);
	dk_lyap_free(l2);
	dk_lyap_free(l3);
	free(x0);
	dk_model_free(m);
}

static void test_check(void)
{
	size_t n = 60;
	dk_model *m = make("rnn", n, DK_ACT_TANH, "random", 2.5, 11);
	double x0[60];
	for (size_t i = 0; i < n; i++)
		x0[i] = cos(0.5 * (double)i);
	dk_lyap_options o = opts(3, 3000);
	o.check = 1;
	dk_lyap_result r;
	dk_lyap *l = spectrum(m, &o, x0, &r);
	ok(l && r.exponents[0] > 0.05 && r.check_agrees &&
	   fabs(r.check - r.exponents[0]) < 0.1 * r.exponents[0],
	   "chaotic tanh network: two-trajectory l1 %.4f within 10%% of QR's %.4f (+- %.4f)",
	   l ? r.check : NAN, l ? r.exponents[0] : NAN, l ? r.std_error[0] : NAN);
	ok(l && r.std_error[0] > 0 && r.std_error[0] < 0.2 * r.exponents[0],
	   "with a standard error that is small but not zero");
	dk_lyap_free(l);
	dk_model_free(m);

	/* a contracting map: both estimates log 0.5 */
	double W[4] = {0.5, 0, 0, 0.25}, z[2] = {0.1, -0.2};
	m = linear(2, W);
	o = opts(2, 100);
	o.check = 1;
	l = spectrum(m, &o, z, &r);
	ok(l && fabs(r.check - log(0.5)) < 1e-6 && r.check_agrees,
	   "contracting linear map: the check gives log 0.5 (%.9f)", l ? r.check : NAN);
	dk_lyap_free(l);
	dk_model_free(m);
}

static void test_kaplan_yorke(void)
{
	double a[3] = {-1, 0.5, 0};
	ok(fabs(dk_lyap_kaplan_yorke(a, 3, 3, NULL) - 2.5) < 1e-15, "KY of {0.5, 0, -1} is 2.5");
	ok(a[0] == 0.5 && a[2] == -1, "and the spectrum is sorted in place");
	double b[2] = {-0.1, -2};
	ok(dk_lyap_kaplan_yorke(b, 2, 2, NULL) == 0, "KY of a stable spectrum is 0");
	double c[2] = {0.3, -0.1};
	int bound = 0;
	ok(dk_lyap_kaplan_yorke(c, 2, 2, &bound) == 2 && !bound,
	   "KY with every partial sum positive and k = n is n");
}

static void test_refusals(void)
{
	double W[4] = {2, 0, 0, 2}, x0[2] = {1, 1};
	dk_model *m = linear(2, W);
	char err[256];
	dk_lyap *l = NULL;
	dk_lyap_options o = opts(3, 10);
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_EINVAL, "k > n is refused: %s", err);
	o = opts(0, 10);
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_EINVAL, "k = 0 is refused");
	o = opts(2, 0);
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_EINVAL, "no measured steps");
	o = opts(2, 10);
	o.every = 0;
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_EINVAL, "a QR interval of 0");
	o = opts(2, 10);
	o.blocks = 1;
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_EINVAL, "one block");
	ok(l == NULL, "and nothing allocated");

	o = opts(2, 2000);
	dk_lyap_result r;
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_OK, "a doubling map");
	is_int(dk_lyap_run(l, x0, NULL, 0, &r, err, sizeof err), DK_ELIMIT,
	       "whose state passes the default bound is refused: %s", err);
	ok(strstr(err, "diverges") && strstr(err, "bound 1e+08"), "saying so, and the bound");
	dk_lyap_free(l);
	o.max_state = INFINITY;
	is_int(dk_lyap_alloc(m, &o, &l, err, sizeof err), DK_OK, "with no bound");
	is_int(dk_lyap_run(l, x0, NULL, 0, &r, err, sizeof err), DK_EINVAL,
	       "its state overflows and is refused: %s", err);
	o.max_state = NAN;
	dk_lyap *l2 = NULL;
	is_int(dk_lyap_alloc(m, &o, &l2, err, sizeof err), DK_EINVAL, "a NaN bound: %s", err);
	ok(l2 == NULL, "and nothing allocated");
	double bad[2] = {NAN, 0};
	is_int(dk_lyap_run(l, bad, NULL, 0, &r, err, sizeof err), DK_EINVAL,
	       "a start state that is not finite: %s", err);
	dk_lyap_free(l);
	dk_lyap_free(NULL);
	dk_model_free(m);
}

int main(void)
{
	test_diagonal();
	test_rotation();
	test_flow();
	test_sum_rule();
	test_methods("rnn", DK_ACT_TANH);
	test_methods("rnn", DK_ACT_RELU);
	test_methods("gru", DK_ACT_TANH);
	test_methods("lstm", DK_ACT_TANH);
	test_methods("wrnn", DK_ACT_RELU);
	test_methods("ctrnn", DK_ACT_TANH);
	test_check();
	test_kaplan_yorke();
	test_refusals();
	return tap_done();
}
