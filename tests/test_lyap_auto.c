/*
 * test_lyap_auto.c -- the default QR (DK_LYAP_QR_AUTO): one Cholesky
 * pass through R's inverse where the basis's image is well conditioned,
 * a second where kappa_1(R) > DK_LYAP_KAPPA_ONE_PASS, Householder where
 * Cholesky cannot be trusted; and the basis's finiteness, read from the
 * Gram matrix's diagonal.
 *
 * The linear maps x' = W x here are upper triangular with small entries
 * above the diagonal: the basis converges to the first unit vectors,
 * the exponents are the logs of the diagonal's moduli, and the image's
 * condition number at one step is about max |d| / min |d|, so the ratio
 * of the diagonal decides which path the QRs take.  Bounds as in
 * test_lyap_every.c: a QR's R_ii to C n eps kappa (C = 16), and k^2 eps
 * kappa more for a pass through the inverse, per QR, plus 1e-13 for the
 * rounding of the sums over the steps.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define N 5
#define STEPS 600
#define C_QR 16.0

static dk_model *linear(const double *d, double above)
{
	dk_model_spec s = {.kind = "rnn", .units = N, .inputs = 1, .outputs = 1,
	                   .act = DK_ACT_IDENTITY, .init = "identity", .gain = 1, .seed = 11};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err)) {
		printf("# create: %s\n", err);
		return NULL;
	}
	size_t off, count;
	dk_model_param_find(m, "model/W", &off, &count);
	double *W = dk_model_params(m) + off;
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			W[i * N + j] = i == j ? d[i] : j > i ? above : 0;
	dk_model_param_find(m, "model/b", &off, &count);
	memset(dk_model_params(m) + off, 0, count * sizeof(double));
	return m;
}

/* A run of m from the zero state (k = n = N); NULL with the message in
   err. */
static dk_lyap *spectrum(const dk_model *m, size_t every, dk_lyap_qr qr,
                         dk_lyap_result *r, char *err, size_t errlen)
{
	dk_lyap_options o = {.k = N, .steps = STEPS, .transient = 10,
	                     .basis_transient = 240, .every = every,
	                     .checkpoints = 4, .blocks = 4, .seed = 3, .qr = qr};
	double x0[N] = {0};
	dk_lyap *l = NULL;
	err[0] = 0;
	int st = dk_lyap_alloc(m, &o, &l, err, errlen);
	if (!st)
		st = dk_lyap_run(l, x0, NULL, 0, r, err, errlen);
	if (st) {
		dk_lyap_free(l);
		return NULL;
	}
	return l;
}

static double maxdiff_log(const double *got, const double *d)
{
	double e = 0;
	for (size_t i = 0; i < N; i++)
		e = fmax(e, fabs(got[i] - log(fabs(d[i]))));
	return e;
}

/* kappa about 15: one pass every step, no second passes; then kappa
   about 1500: a second pass at every QR, still no Householder. */
static void test_paths(void)
{
	const double mild[N] = {1.5, -1.0, 0.6, 0.2, 0.1};
	const double ill[N] = {1.5, -1.0, 0.6, 0.2, 1e-3};
	char err[256];
	dk_lyap_result r;

	dk_model *m = linear(mild, 0.02);
	dk_lyap *l = spectrum(m, 1, DK_LYAP_QR_AUTO, &r, err, sizeof err);
	double kappa = 1.5 / 0.1;
	double tol = (C_QR * N + N * N) * DBL_EPSILON * kappa + 1e-13;
	ok(l && maxdiff_log(r.exponents, mild) <= tol,
	   "kappa ~ 15: exponents exact to %.2g (bound %.2g)",
	   l ? maxdiff_log(r.exponents, mild) : NAN, tol);
	ok(l && r.second_passes == 0 && r.householder_qrs == 0,
	   "... with one pass per QR: %zu second passes, %zu Householder",
	   l ? r.second_passes : 0, l ? r.householder_qrs : 0);
	dk_lyap_free(l);
	dk_model_free(m);

	m = linear(ill, 0.02);
	l = spectrum(m, 1, DK_LYAP_QR_AUTO, &r, err, sizeof err);
	kappa = 1.5 / 1e-3;
	/* the QRs go by the triangular solve and a second pass: no k^2 term */
	tol = C_QR * N * DBL_EPSILON * kappa + 1e-13;
	ok(l && maxdiff_log(r.exponents, ill) <= tol,
	   "kappa ~ 1500: exponents exact to %.2g (bound %.2g)",
	   l ? maxdiff_log(r.exponents, ill) : NAN, tol);
	/* every QR but those whose sums are read (at most one a block, one
	   a checkpoint and the basis transient's last) counted, and but the
	   first few by Householder: the random first basis's image, whose
	   fifth direction has shrunk 1e-3 times against the others, lies
	   too close to the span of its first four columns (sin^2 < 1e-4)
	   until the basis has turned to the unit vectors */
	ok(l && r.second_passes + r.householder_qrs + 4 + 4 + 1 >= r.qrs &&
	   r.householder_qrs < 5,
	   "... with a second pass for kappa at %zu of %zu QRs, %zu by Householder",
	   l ? r.second_passes : 0, l ? r.qrs : 0, l ? r.householder_qrs : 0);
	dk_lyap_free(l);
	dk_model_free(m);
}

/*
 * x' = 1e200 x: the image of an orthonormal basis is finite, but its
 * squared norms overflow, so the Gram matrix is not finite while the
 * basis is: Householder does those QRs, exactly.  Every second step, the
 * image itself overflows: the run stops with the message that says so.
 */
static void test_finite(void)
{
	const double big[N] = {1e200, 1e200, 1e200, 1e200, 1e200};
	char err[256];
	dk_lyap_result r;
	dk_model *m = linear(big, 0);
	dk_lyap *l = spectrum(m, 1, DK_LYAP_QR_AUTO, &r, err, sizeof err);
	/* log 1e200 = 460.5, summed and divided exactly up to rounding:
	   1e-13 relative */
	ok(l && maxdiff_log(r.exponents, big) <= 1e-13 * log(1e200),
	   "a finite basis whose Gram matrix overflows: exponents log 1e200 (%.2g off)",
	   l ? maxdiff_log(r.exponents, big) : NAN);
	ok(l && r.householder_qrs == r.qrs,
	   "... every QR after the first basis by Householder (%zu of %zu)",
	   l ? r.householder_qrs : 0, l ? r.qrs : 0);
	dk_lyap_free(l);
	for (int q = 0; q < 2; q++) {
		dk_lyap_qr qr = q ? DK_LYAP_QR_HOUSEHOLDER : DK_LYAP_QR_AUTO;
		l = spectrum(m, 2, qr, &r, err, sizeof err);
		ok(!l && strstr(err, "tangent vectors are not finite after step 12"),
		   "%s, every 2: the image overflows at the first QR, and is refused: %s",
		   q ? "householder" : "auto", err);
		dk_lyap_free(l);
	}
	dk_model_free(m);
}

/*
 * A chaotic tanh network, N = 48, k = 12: the running estimates of the
 * trace, as the exponents, within the per-step rounding of CholeskyQR2's
 * (with the second pass where they are read, no residue of a Q off
 * orthonormal is left in them): the sums to T times the per-QR bound,
 * each row over its own steps.
 */
static void test_trace(void)
{
	dk_model_spec s = {.kind = "rnn", .units = 48, .inputs = 1, .outputs = 1,
	                   .act = DK_ACT_TANH, .init = "random", .gain = 2, .seed = 11};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# create: %s\n", err);
	double x0[48];
	for (size_t i = 0; i < 48; i++)
		x0[i] = sin(1.0 + (double)i);
	dk_lyap_options o = {.k = 12, .steps = STEPS, .transient = 50, .basis_transient = 48,
	                     .every = 1, .checkpoints = 7, .blocks = 5, .seed = 3};
	dk_lyap *l1 = NULL, *l2 = NULL;
	dk_lyap_result r1, r2;
	int st = !m || dk_lyap_alloc(m, &o, &l1, err, sizeof err) ||
	         dk_lyap_run(l1, x0, NULL, 0, &r1, err, sizeof err);
	o.qr = DK_LYAP_QR_CHOLESKY2;
	st = st || dk_lyap_alloc(m, &o, &l2, err, sizeof err) ||
	     dk_lyap_run(l2, x0, NULL, 0, &r2, err, sizeof err);
	if (st)
		printf("# %s\n", err);
	double spread = st ? 0 : r2.exponents[0] - r2.exponents[11];
	double per_qr = (C_QR * 48 + 12 * 12) * DBL_EPSILON * exp(spread);
	int good = !st && r1.checkpoints == 7 && r2.checkpoints == 7;
	double worst = 0;
	for (size_t c = 0; good && c < 7; c++) {
		double tol = per_qr * (double)STEPS / (double)r1.trace_steps[c];
		for (size_t i = 0; i < 12; i++) {
			double d = fabs(r1.trace[c * 12 + i] - r2.trace[c * 12 + i]);
			good &= d <= tol;
			worst = fmax(worst, d / tol);
		}
	}
	ok(good && r1.second_passes == 0,
	   "tanh network: the trace within the bound of CholeskyQR2's (at most %.2g of it), "
	   "no second passes", worst);
	dk_lyap_free(l1);
	dk_lyap_free(l2);
	dk_model_free(m);
}

int main(void)
{
	test_paths();
	test_finite();
	test_trace();
	return tap_done();
}
