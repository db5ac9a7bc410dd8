/*
 * test_spectrum.c -- dense spectra against exactly known ones (rotation-
 * scalings, triangular matrices, a Jordan block), the sort orders and
 * the classification, eigenvector and Schur residuals on a random matrix,
 * the circular law, and the Jacobians of lib/analysis/jacobian.c against
 * the model (J = W for a linear rnn) and central finite differences.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static char err[256];

/* The spectrum of the n x n matrix A into eig (and rcond). */
static int eig_of(size_t n, const double *A, dk_convention conv,
                  double complex *eig, double *rcond)
{
	dk_spectrum *s = dk_spectrum_alloc(n, 0);
	dk_spectrum_out out = {.eig = eig, .rcond = rcond};
	int st = s ? dk_spectrum_compute(s, A, conv, &out, err, sizeof err) : DK_ENOMEM;
	dk_spectrum_free(s);
	return st;
}

static void known_spectra(void)
{
	double complex eig[4];
	double rc[4];

	/* r R(theta): r e^{+-i theta}, a normal matrix (every rcond 1) */
	double r = 0.9, th = 0.7;
	double A[4] = {r * cos(th), -r * sin(th), r * sin(th), r * cos(th)};
	is_int(eig_of(2, A, DK_MAP, eig, rc), DK_OK, "rotation-scaling: computed");
	ok(fabs(creal(eig[0]) - r * cos(th)) < 1e-15 && fabs(cimag(eig[0]) - r * sin(th)) < 1e-15 &&
	   eig[1] == conj(eig[0]),
	   "rotation-scaling: r e^{i theta} first, then its conjugate (1e-15)");
	ok(fabs(rc[0] - 1) < 1e-14 && fabs(rc[1] - 1) < 1e-14, "normal matrix: rcond 1");
	dk_spectrum_class c = dk_spectrum_classify(eig, 2, DK_MAP, 1e-10);
	ok(c.stable && c.index == 0 && c.kind == DK_SPECTRUM_FOCUS,
	   "|lambda| = 0.9, map: a stable focus of index 0");
	for (int i = 0; i < 4; i++)
		A[i] /= 0.45; /* r = 2 */
	eig_of(2, A, DK_MAP, eig, rc);
	c = dk_spectrum_classify(eig, 2, DK_MAP, 1e-10);
	ok(!c.stable && c.index == 2 && c.kind == DK_SPECTRUM_FOCUS,
	   "|lambda| = 2, map: an unstable focus of index 2 (a pair counts 2)");
	c = dk_spectrum_classify(eig, 2, DK_FLOW, 1e-10);
	ok(!c.stable && c.index == 2, "Re lambda = 2 cos 0.7 > 0, flow: index 2");

	/* upper triangular: the diagonal, sorted (exact: balancing only
	   permutes, and the QR sweeps find every subdiagonal already zero) */
	double T[16] = {0.5, 3, -1, 2,
	                0, -2, 4, 1,
	                0, 0, 0.25, 7,
	                0, 0, 0, 1.5};
	is_int(eig_of(4, T, DK_MAP, eig, rc), DK_OK, "triangular: computed");
	ok(eig[0] == -2 && eig[1] == 1.5 && eig[2] == 0.5 && eig[3] == 0.25,
	   "triangular, map: -2, 1.5, 0.5, 0.25 (by modulus), exactly");
	c = dk_spectrum_classify(eig, 4, DK_MAP, 1e-10);
	ok(!c.stable && c.index == 2 && c.kind == DK_SPECTRUM_SADDLE,
	   "triangular, map: a saddle of index 2");
	eig_of(4, T, DK_FLOW, eig, rc);
	ok(eig[0] == 1.5 && eig[1] == 0.5 && eig[2] == 0.25 && eig[3] == -2,
	   "triangular, flow: 1.5, 0.5, 0.25, -2 (by real part)");
	c = dk_spectrum_classify(eig, 4, DK_FLOW, 1e-10);
	ok(c.index == 3 && c.kind == DK_SPECTRUM_SADDLE, "triangular, flow: index 3");
	double D[4] = {-0.5, 0, 0, -0.25};
	eig_of(2, D, DK_FLOW, eig, rc);
	c = dk_spectrum_classify(eig, 2, DK_FLOW, 1e-10);
	ok(c.stable && c.index == 0 && c.kind == DK_SPECTRUM_NODE && eig[0] == -0.25,
	   "diag(-0.5, -0.25), flow: a stable node led by -0.25");
	double I2[4] = {1, 0, 0, 0.5};
	eig_of(2, I2, DK_MAP, eig, rc);
	c = dk_spectrum_classify(eig, 2, DK_MAP, 1e-10);
	ok(!c.stable && c.index == 0 && c.kind == DK_SPECTRUM_NONHYPERBOLIC,
	   "diag(1, 0.5), map: nonhyperbolic, not stable, index 0");

	/* ties: a pair and a real eigenvalue of equal modulus, in flow and map */
	double Q[9] = {0, -1, 0,
	               1, 0, 0,
	               0, 0, -1};
	eig_of(3, Q, DK_MAP, eig, rc);
	ok(eig[0] == I && eig[1] == -I && eig[2] == -1,
	   "modulus ties, map: i, -i (real part 0), then -1");
	eig_of(3, Q, DK_FLOW, eig, rc);
	ok(eig[0] == I && eig[1] == -I && eig[2] == -1,
	   "flow: i, -i (real part 0, positive imaginary part first), then -1");

	/* a Jordan block: defective, |y^H x| = 0 */
	double J3[9] = {0.5, 1, 0,
	                0, 0.5, 1,
	                0, 0, 0.5};
	is_int(eig_of(3, J3, DK_MAP, eig, rc), DK_OK, "Jordan block: computed");
	ok(cabs(eig[0] - 0.5) < 1e-4 && rc[0] < 1e-8,
	   "Jordan block: lambda = 0.5, rcond %.3g < 1e-8 (infinitely ill-conditioned)",
	   rc[0]);
	/* a nearly defective pair: rcond = |y^H x| worked out by hand */
	double e = 1e-3, N2[4] = {1, 1, 0, 1 + e};
	eig_of(2, N2, DK_MAP, eig, rc);
	/* x1 = (1, 0), y1 ~ (e, -1); x2 ~ (1, e), y2 = (0, 1) */
	double want = e / sqrt(1 + e * e);
	ok(fabs(rc[0] - want) < 1e-12 && fabs(rc[1] - want) < 1e-12,
	   "[[1, 1], [0, 1+e]]: rcond = e / sqrt(1 + e^2) for both (1e-12)");

	double bad[4] = {1, NAN, 0, 1};
	is_int(eig_of(2, bad, DK_MAP, eig, rc), DK_EINVAL, "a NaN entry: DK_EINVAL");
	ok(strstr(err, "(0, 1)") != NULL, "the message names the entry: %s", err);
	ok(dk_spectrum_alloc(0, 0) == NULL, "n = 0: no workspace");
}

static double randn_matrix(dk_rng *rng, size_t n, double sigma, double *A)
{
	for (size_t i = 0; i < n * n; i++)
		A[i] = dk_rng_normal(rng, sigma);
	return sigma;
}

/* Eigenvectors and Schur form of the n x n matrix A (n <= 40):
   residuals, norms, phases, and the same eigenvalues whatever else is
   asked. */
static void check_decomposition(size_t n, const double *A, const char *what)
{
	static double T[1600], Z[1600];
	static double complex R[1600], L[1600], eig[40], eig0[40];
	double rc[40];
	dk_spectrum *s = dk_spectrum_alloc(n, DK_SPECTRUM_VECTORS | DK_SPECTRUM_SCHUR);
	dk_spectrum_out out = {eig, rc, R, L, T, Z};
	is_int(dk_spectrum_compute(s, A, DK_MAP, &out, err, sizeof err), DK_OK,
	       "%s: vectors and Schur form computed", what);
	double rres = 0, lres = 0, nrm = 0, phase = 0, rcd = 0;
	for (size_t k = 0; k < n; k++) {
		double n2r = 0, n2l = 0, big = -1;
		size_t at = 0;
		double complex yx = 0;
		for (size_t i = 0; i < n; i++) {
			double complex ax = 0, ya = 0;
			for (size_t j = 0; j < n; j++) {
				ax += A[i * n + j] * R[j * n + k];
				ya += conj(L[j * n + k]) * A[j * n + i];
			}
			rres = fmax(rres, cabs(ax - eig[k] * R[i * n + k]));
			lres = fmax(lres, cabs(ya - eig[k] * conj(L[i * n + k])));
			n2r += creal(R[i * n + k] * conj(R[i * n + k]));
			n2l += creal(L[i * n + k] * conj(L[i * n + k]));
			if (cabs(R[i * n + k]) > big) {
				big = cabs(R[i * n + k]);
				at = i;
			}
			yx += conj(L[i * n + k]) * R[i * n + k];
		}
		nrm = fmax(nrm, fmax(fabs(n2r - 1), fabs(n2l - 1)));
		phase = fmax(phase, fabs(cimag(R[at * n + k])) + (creal(R[at * n + k]) > 0 ? 0 : 1));
		rcd = fmax(rcd, fabs(cabs(yx) - rc[k]));
	}
	ok(rres < 1e-13, "%s: A x = lambda x, max residual %.2g < 1e-13", what, rres);
	ok(lres < 1e-13, "%s: y^H A = lambda y^H, max residual %.2g < 1e-13", what, lres);
	ok(nrm < 1e-14, "%s: unit norms (%.2g)", what, nrm);
	ok(phase == 0, "%s: largest entry of each right vector real and positive", what);
	ok(rcd < 1e-13, "%s: rcond = |y^H x| of the unit vectors (%.2g)", what, rcd);
	double zt = 0, orth = 0, below = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double a = 0, q = 0;
			for (size_t k = 0; k < n; k++) {
				double zt_kj = 0; /* (T Z^T)[k][j] */
				for (size_t l = 0; l < n; l++)
					zt_kj += T[k * n + l] * Z[j * n + l];
				a += Z[i * n + k] * zt_kj;
				q += Z[k * n + i] * Z[k * n + j];
			}
			zt = fmax(zt, fabs(a - A[i * n + j]));
			orth = fmax(orth, fabs(q - (i == j)));
			if (i > j + 1)
				below = fmax(below, fabs(T[i * n + j]));
		}
	ok(zt < 1e-13 && orth < 1e-13 && below == 0,
	   "%s: A = Z T Z^T (%.2g), Z^T Z = I (%.2g), T quasi-triangular", what, zt, orth);
	dk_spectrum_free(s);
	s = dk_spectrum_alloc(n, 0);
	dk_spectrum_out out0 = {.eig = eig0};
	dk_spectrum_compute(s, A, DK_MAP, &out0, err, sizeof err);
	/* exact: dhseqr makes the Schur form T by the same sweeps either way;
	   with vectors it also gathers them into Z, which feeds nothing back */
	ok(!memcmp(eig, eig0, n * sizeof *eig),
	   "%s: the same eigenvalues, bit for bit, without vectors", what);
	out0.right = R;
	is_int(dk_spectrum_compute(s, A, DK_MAP, &out0, err, sizeof err), DK_EINVAL,
	       "%s: vectors from a workspace made without them: DK_EINVAL", what);
	dk_spectrum_free(s);
}

static void vectors_and_schur(void)
{
	enum { n = 40 };
	static double A[n * n];
	dk_rng *rng = dk_rng_alloc(7);
	randn_matrix(rng, n, 1 / sqrt(n), A);
	dk_rng_free(rng);
	check_decomposition(n, A, "random 40 x 40");
	/* lower triangular: the balancing permutes every row */
	double Lo[16] = {0.5, 0, 0, 0,
	                 3, -2, 0, 0,
	                 -1, 4, 0.25, 0,
	                 2, 1, 7, 1.5};
	check_decomposition(4, Lo, "lower triangular");
	/* an isolated eigenvalue (a zero column) beside a rotation block */
	double Is[16] = {0.3, 0, 0.2, 1,
	                 0.5, 0, -0.8, 0.1,
	                 0.4, 0, 0.9, 0.2,
	                 0, 0, 0.6, 0.7};
	check_decomposition(4, Is, "a zero column");
}

/* Girko's circular law: J_ij ~ N(0, g^2/N) has spectral radius -> g. */
static void circular_law(void)
{
	enum { N = 1000 };
	double *A = malloc(N * N * sizeof *A);
	double complex *eig = malloc(N * sizeof *eig);
	dk_rng *rng = dk_rng_alloc(11);
	double gs[2] = {1.5, 0.5};
	for (int t = 0; t < 2; t++) {
		randn_matrix(rng, N, gs[t] / sqrt(N), A);
		eig_of(N, A, DK_MAP, eig, NULL);
		double rho = cabs(eig[0]);
		ok(fabs(rho / gs[t] - 1) < 0.05,
		   "N = 1000, g = %.1f: spectral radius %.4f within 5%% of g", gs[t], rho);
	}
	dk_rng_free(rng);
	free(A);
	free(eig);
}

static dk_model *make(const char *kind, dk_act act, const char *integrator)
{
	dk_model_spec spec = {.kind = kind, .units = 6, .inputs = 3, .outputs = 2,
	                      .act = act, .init = "random", .gain = 1.2, .seed = 5,
	                      .integrator = integrator};
	dk_model *m = NULL;
	if (dk_model_create(&spec, &m, err, sizeof err))
		printf("# %s: %s\n", kind, err);
	return m;
}

/* max |Ju - central differences of F (or f) in u| for a model */
static double input_fd_error(dk_model *m, const double *x, const double *u)
{
	size_t n = dk_model_state_size(m), nin = dk_model_input_size(m);
	double Ju[64], up[8], fp[16], fm[16], h = 1e-6, worst = 0;
	dk_jacobian *j;
	dk_jacobian_alloc(m, DK_MAP, DK_JACOBIAN_INPUT, &j, err, sizeof err);
	dk_model_work *w = dk_model_work_alloc(m, 1);
	dk_jacobian_input(j, x, u, Ju);
	for (size_t c = 0; c < nin; c++) {
		memcpy(up, u, nin * sizeof *u);
		up[c] = u[c] + h;
		dk_model_step(m, w, 1, x, up, fp, NULL);
		up[c] = u[c] - h;
		dk_model_step(m, w, 1, x, up, fm, NULL);
		for (size_t r = 0; r < n; r++)
			worst = fmax(worst, fabs(Ju[r * nin + c] - (fp[r] - fm[r]) / (2 * h)));
	}
	dk_model_work_free(w);
	dk_jacobian_free(j);
	return worst;
}

/* max |J - central differences| of F (map) or f (flow) in x */
static double state_fd_error(dk_model *m, dk_convention conv,
                             const double *x, const double *u, double *J)
{
	size_t n = dk_model_state_size(m);
	double xp[16], fp[16], fm[16], h = 1e-6, worst = 0;
	dk_jacobian *j;
	if (dk_jacobian_alloc(m, conv, 0, &j, err, sizeof err))
		return INFINITY;
	dk_model_work *w = dk_model_work_alloc(m, 1);
	dk_jacobian_state(j, x, u, J);
	for (size_t c = 0; c < n; c++) {
		memcpy(xp, x, n * sizeof *x);
		xp[c] = x[c] + h;
		if (conv == DK_MAP)
			dk_model_step(m, w, 1, xp, u, fp, NULL);
		else
			dk_model_field(m, w, 1, xp, u, fp);
		xp[c] = x[c] - h;
		if (conv == DK_MAP)
			dk_model_step(m, w, 1, xp, u, fm, NULL);
		else
			dk_model_field(m, w, 1, xp, u, fm);
		for (size_t r = 0; r < n; r++)
			worst = fmax(worst, fabs(J[r * n + c] - (fp[r] - fm[r]) / (2 * h)));
	}
	dk_model_work_free(w);
	dk_jacobian_free(j);
	return worst;
}

static void jacobians(void)
{
	/* 12 entries: lstm's state is [h, c] */
	double x[12] = {0.3, -0.2, 0.5, 0.1, -0.4, 0.25, 0.6, -0.1, 0.2, -0.3, 0.45, 0.05};
	double u[3] = {0.2, -0.7, 1.1};
	double J[144], Jf[36];
	size_t off, cnt;

	dk_model *m = make("rnn", DK_ACT_IDENTITY, NULL);
	dk_jacobian *j;
	dk_jacobian_alloc(m, DK_MAP, 0, &j, err, sizeof err);
	dk_jacobian_state(j, x, u, J);
	dk_model_param_find(m, "model/W", &off, &cnt);
	/* exact: the identity's slope is 1, and 1 * W_ij is W_ij */
	ok(!memcmp(J, dk_model_params(m) + off, 36 * sizeof *J),
	   "linear rnn, map: J = W exactly");
	dk_jacobian_free(j);
	is_int(dk_jacobian_alloc(m, DK_FLOW, 0, &j, err, sizeof err), DK_EINVAL,
	       "flow convention on a discrete-time rnn: DK_EINVAL");
	ok(strstr(err, "discrete") != NULL, "  saying why: %s", err);
	dk_model_free(m);

	const char *kinds[] = {"rnn", "gru", "lstm"};
	for (int k = 0; k < 3; k++) {
		m = make(kinds[k], DK_ACT_TANH, NULL);
		double e = state_fd_error(m, DK_MAP, x, u, J);
		ok(e < 1e-8, "%s: dF/dx against central differences (%.2g < 1e-8)", kinds[k], e);
		e = input_fd_error(m, x, u);
		ok(e < 1e-8, "%s: dF/du against central differences (%.2g < 1e-8)", kinds[k], e);
		dk_model_free(m);
	}

	const char *schemes[] = {"euler", "rk4"};
	for (int k = 0; k < 2; k++) {
		m = make("ctrnn", DK_ACT_TANH, schemes[k]);
		double e = state_fd_error(m, DK_FLOW, x, u, Jf);
		ok(e < 1e-8, "ctrnn %s: df/dx (flow) against central differences of the field "
		   "(%.2g < 1e-8)", schemes[k], e);
		e = state_fd_error(m, DK_MAP, x, u, J);
		ok(e < 1e-8, "ctrnn %s: dF/dx (map) against central differences (%.2g)",
		   schemes[k], e);
		e = input_fd_error(m, x, u);
		ok(e < 1e-8, "ctrnn %s: dF/du against central differences (%.2g)", schemes[k], e);
		if (k == 0) { /* euler: F = x + dt f, so lambda_F = 1 + dt lambda_f */
			double complex ef[6], em[6];
			eig_of(6, Jf, DK_FLOW, ef, NULL);
			eig_of(6, J, DK_MAP, em, NULL);
			double worst = 0;
			for (int a = 0; a < 6; a++) {
				double best = INFINITY;
				for (int b = 0; b < 6; b++)
					best = fmin(best, cabs(em[b] - (1 + 0.1 * ef[a])));
				worst = fmax(worst, best);
			}
			ok(worst < 1e-12, "ctrnn euler: map spectrum = 1 + dt x flow spectrum (%.2g)",
			   worst);
		}
		dk_model_free(m);
	}
}

int main(void)
{
	known_spectra();
	vectors_and_schur();
	jacobians();
	circular_law();
	return tap_done();
}
