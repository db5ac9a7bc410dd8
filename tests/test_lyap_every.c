/*
 * test_lyap_every.c -- what orthonormalising only every m steps costs.
 *
 * Over an interval of m steps the basis is carried unnormalised, Y =
 * J_m ... J_1 Q, and one QR gives Y = Q' R.  Since the product of upper
 * triangular factors has the product of their diagonals as its own, the
 * sum of log |R_ii| over a run is, in exact arithmetic, the same for
 * every m along the same trajectory from the same first basis: what m
 * costs is rounding only.  A backward-stable QR of Y gets R_ii to a
 * relative error of about eps times Y's condition number, which grows
 * over the interval like exp(m (l_1 - l_k)); each QR adds that much to
 * the log sums, and the exponents are those sums over the T measured
 * steps.  So the difference from m = 1 is bounded by
 *
 *	bound(m) = (T / m QRs) * C n eps exp(m (l_1 - l_k)) / T
 *
 * with C = 16 for the constants of Householder's and Cholesky QR2's
 * error bounds (both are O(n eps kappa) for the R factor while kappa^2
 * eps stays small, which is what hands a QR from Cholesky to
 * Householder).  Checked for m = 1..8: a linear map with known exponents
 * (to their exact values) and a chaotic tanh network (against m = 1 with
 * the same trajectory and first basis).  The same for one Cholesky QR
 * pass instead of two (--qr cholesky), m = 1..8: the orthogonality its Q
 * lacks the next QR's R takes up, so only the last Q's, about eps
 * exp(2 m (l_1 - l_k)), is left in the sums, once in the run.  And for
 * the default (--qr auto), m = 1..8: one pass through R's inverse while
 * kappa_1(R) <= 1e3, whose Q = A R^-1 has a residual of about k eps
 * kappa_1(R) <= k^2 eps kappa_2(A) (the 1-norms are within sqrt(k) of
 * the 2-norms), so k^2 eps exp(m (l_1 - l_k)) more per QR; two passes
 * where the sums are read leave no residue in them.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define STEPS 600
#define C_QR 16.0
/* The linear map's basis converges to its limit like the largest ratio
   of successive moduli to the power of the steps, 0.82^t: after 240
   steps 2e-21, below any rounding (the bias it leaves in the exponents
   is that over the T steps) */
#define SETTLE_LINEAR 240

static dk_model *rnn(size_t n, dk_act act, const char *init, double gain)
{
	dk_model_spec s = {.kind = "rnn", .units = n, .inputs = 1, .outputs = 1, .act = act,
	                   .init = init, .gain = gain, .seed = 11};
	char err[256];
	dk_model *m = NULL;
	if (dk_model_create(&s, &m, err, sizeof err))
		printf("# create: %s\n", err);
	return m;
}

/* The exponents of m from x0 with QRs every `every` steps, after
   settle steps of basis transient, into out; 0 on success. */
static int spectrum(const dk_model *m, size_t k, size_t every, size_t settle,
                    dk_lyap_qr qr, const double *x0, double *out)
{
	dk_lyap_options o = {.k = k, .steps = STEPS, .transient = 50,
	                     .basis_transient = settle, .every = every,
	                     .checkpoints = 4, .blocks = 4, .seed = 3, .qr = qr};
	char err[256] = "";
	dk_lyap *l = NULL;
	dk_lyap_result r;
	int st = dk_lyap_alloc(m, &o, &l, err, sizeof err);
	if (!st)
		st = dk_lyap_run(l, x0, NULL, 0, &r, err, sizeof err);
	if (st)
		printf("# every %zu: %s\n", every, err);
	else
		memcpy(out, r.exponents, k * sizeof *out);
	dk_lyap_free(l);
	return st;
}

static double bound(size_t n, size_t k, size_t m, double spread, dk_lyap_qr qr)
{
	double b = C_QR * (double)n * DBL_EPSILON * exp((double)m * spread) / (double)m;
	if (qr == DK_LYAP_QR_AUTO)
		b += (double)(k * k) * DBL_EPSILON * exp((double)m * spread) / (double)m;
	/* one Cholesky pass leaves its Q off orthonormal by eps kappa^2; the
	   next QR takes that up, all but the last, once in the T steps */
	if (qr == DK_LYAP_QR_CHOLESKY)
		b += C_QR * (double)n * DBL_EPSILON * exp(2 * (double)m * spread) / STEPS;
	return b;
}

static const char *qr_name(dk_lyap_qr qr)
{
	return qr == DK_LYAP_QR_CHOLESKY ? "one Cholesky pass" :
	       qr == DK_LYAP_QR_AUTO ? "the default QR" : "CholeskyQR2";
}

/* Run i of 24: CholeskyQR2, the default, one pass, each every 1..8. */
static const dk_lyap_qr methods[3] = {DK_LYAP_QR_CHOLESKY2, DK_LYAP_QR_AUTO,
                                      DK_LYAP_QR_CHOLESKY};

static double maxdiff(const double *a, const double *b, size_t k)
{
	double d = 0;
	for (size_t i = 0; i < k; i++)
		d = fmax(d, fabs(a[i] - b[i]));
	return d;
}

/*
 * x' = W x with W upper triangular: diagonal 1.4, -1.1, 0.9, 0.6, -0.45
 * and ones above it, so that the basis really turns between QRs; the
 * exponents are the logs of the diagonal's moduli.
 */
static void test_linear(void)
{
	const size_t n = 5;
	const double d[5] = {1.4, -1.1, 0.9, 0.6, -0.45};
	dk_model *m = rnn(n, DK_ACT_IDENTITY, "identity", 1);
	size_t off, count;
	dk_model_param_find(m, "model/W", &off, &count);
	double *W = dk_model_params(m) + off;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			W[i * n + j] = i == j ? d[i] : j > i ? 1 : 0;
	dk_model_param_find(m, "model/b", &off, &count);
	memset(dk_model_params(m) + off, 0, count * sizeof(double));
	double want[5], got[5], x0[5] = {0};
	for (size_t i = 0; i < n; i++)
		want[i] = log(fabs(d[i]));
	double spread = want[0] - want[n - 1];
	for (size_t i = 0; i < 24; i++) {
		dk_lyap_qr qr = methods[i / 8];
		size_t e = i % 8 + 1;
		int st = spectrum(m, n, e, SETTLE_LINEAR, qr, x0, got);
		/* the transient leaves the basis at its limit, where the R of a
		   constant Jacobian is exact up to rounding; 1e-13 more for the
		   sum over 600 steps of log |R_ii|, each rounded to 1e-16
		   relative (600 x 1e-16 x |log 0.45| / 600 < 1e-13) */
		double tol = bound(n, n, e, spread, qr) + 1e-13;
		ok(!st && maxdiff(got, want, n) <= tol,
		   "linear map, %s every %zu: exponents exact to %.2g (bound %.2g)", qr_name(qr),
		   e, st ? NAN : maxdiff(got, want, n), tol);
	}
	dk_model_free(m);
}

/* A chaotic tanh network, N = 48, k = 12: every m, and one pass or the
   default, against CholeskyQR2 every step. */
static void test_tanh(void)
{
	const size_t n = 48, k = 12;
	dk_model *m = rnn(n, DK_ACT_TANH, "random", 2);
	double x0[48], ref[12], got[12];
	for (size_t i = 0; i < n; i++)
		x0[i] = sin(1.0 + (double)i);
	int st = spectrum(m, k, 1, 48, DK_LYAP_QR_CHOLESKY2, x0, ref);
	ok(!st && ref[0] > 0, "tanh network, gain 2: chaotic (l1 = %.4f)", st ? NAN : ref[0]);
	double spread = st ? 0 : ref[0] - ref[k - 1];
	for (size_t i = 1; i < 24; i++) {
		dk_lyap_qr qr = methods[i / 8];
		size_t e = i % 8 + 1;
		int s2 = spectrum(m, k, e, 48, qr, x0, got);
		double tol = bound(n, k, e, spread, qr);
		ok(!st && !s2 && maxdiff(got, ref, k) <= tol,
		   "tanh network, %s every %zu: within %.2g of CholeskyQR2 every step (%.2g)",
		   qr_name(qr), e, tol, st || s2 ? NAN : maxdiff(got, ref, k));
	}
	dk_model_free(m);
}

int main(void)
{
	test_linear();
	test_tanh();
	return tap_done();
}
