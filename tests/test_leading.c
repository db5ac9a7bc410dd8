/*
 * test_leading.c -- matrix-free leading eigenvalues of model Jacobians
 * against dense ones: a Wave-RNN of 4 rings of 64 units (n = 256) at a
 * state where part of the ReLUs are on, against dk_model_jacobian and
 * LAPACK's dgeev (1e-8, relative to max(1, |lambda|)); a continuous-time
 * network in the flow convention against dgeev of a Jacobian formed by
 * central differences of the vector field (1e-6, the differences'
 * accuracy); and the refusals.
 */
#include <config.h>

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>

#include "dynkit.h"
#include "tap.h"

/* re + i im, exactly (CMPLX is missing from some compilers' headers):
   C11 lays a double complex out as two doubles, real part first */
static double complex cpx(double re, double im)
{
	double v[2] = {re, im};
	double complex z;
	memcpy(&z, v, sizeof z);
	return z;
}

static dk_arnoldi_which g_which;
static int g_si;
static double g_sigma;

static double key(double complex l)
{
	double complex t = g_si ? 1 / (l - g_sigma) : l;
	return g_which == DK_ARNOLDI_LM ? cabs(t) : creal(t);
}

static int cmp_dense(const void *pa, const void *pb)
{
	double complex a = *(const double complex *)pa, b = *(const double complex *)pb;
	double ka = key(a), kb = key(b);
	if (ka != kb)
		return ka > kb ? -1 : 1;
	if (cimag(a) != cimag(b))
		return cimag(a) > cimag(b) ? -1 : 1;
	return creal(a) > creal(b) ? -1 : creal(a) < creal(b);
}

/* eigenvalues of the row-major J (destroyed), sorted as o asks */
static void dense_eigs(double *J, size_t n, const dk_arnoldi_opts *o,
                       double complex *lam)
{
	double *wr = malloc(n * sizeof *wr), *wi = malloc(n * sizeof *wi);
	LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, J, (lapack_int)n,
	              wr, wi, NULL, 1, NULL, 1);
	for (size_t i = 0; i < n; i++)
		lam[i] = cpx(wr[i], wi[i]);
	g_which = o->which;
	g_si = o->shift_invert;
	g_sigma = o->sigma;
	qsort(lam, n, sizeof *lam, cmp_dense);
	free(wr);
	free(wi);
}

static void compare(const char *what, const dk_model *m, const double *x,
                    const double *u, dk_convention conv,
                    const double *J, const dk_arnoldi_opts *o, double tol)
{
	size_t n = dk_model_state_size(m), k = o->k;
	double *Jc = malloc(n * n * sizeof *Jc);
	double complex *lam = malloc(n * sizeof *lam), *eig = malloc(k * sizeof *eig);
	double *res = malloc(k * sizeof *res);
	memcpy(Jc, J, n * n * sizeof *Jc);
	dense_eigs(Jc, n, o, lam);
	char err[256] = "";
	dk_arnoldi_stats s;
	int st = dk_leading_eigs(m, x, u, conv, o, eig, NULL, res, &s, err, sizeof err);
	is_int(st, DK_OK, "%s: solves (%s)", what, err);
	double e = 0, r = 0;
	for (size_t j = 0; j < k; j++) {
		e = fmax(e, cabs(eig[j] - lam[j]) / fmax(1, cabs(lam[j])));
		r = fmax(r, res[j]);
	}
	ok(e <= tol, "%s: %zu leading eigenvalues agree with the dense ones "
	   "to %g (%.2g; |lambda_1| = %.4g, %zu products)", what, k, tol, e,
	   cabs(lam[0]), s.products);
	if (e > tol)
		for (size_t j = 0; j < k; j++)
			printf("#   %zu: %.12g%+.12gi vs %.12g%+.12gi\n", j, creal(eig[j]),
			       cimag(eig[j]), creal(lam[j]), cimag(lam[j]));
	ok(r <= 1e-8, "%s: residuals ||J v - lambda v|| <= 1e-8 (%.2g)", what, r);
	free(Jc);
	free(lam);
	free(eig);
	free(res);
}

int main(void)
{
	/* a Wave-RNN with a random kernel, driven a few steps by random
	   input from rest, so that part of its ReLUs are on */
	dk_model_spec spec = {.kind = "wrnn", .channels = 4, .units = 64,
	                      .inputs = 3, .outputs = 1, .init = "random",
	                      .gain = 1.8, .seed = 3};
	dk_model *m = NULL;
	char err[256] = "";
	int st = dk_model_create(&spec, &m, err, sizeof err);
	if (st) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	size_t n = dk_model_state_size(m), T = 30, nin = 3;
	dk_rng *rng = dk_rng_alloc(5);
	double *inputs = malloc(T * nin * sizeof *inputs);
	double *states = malloc(T * n * sizeof *states);
	for (size_t i = 0; i < T * nin; i++)
		inputs[i] = dk_rng_normal(rng, 1.0);
	dk_model_run(m, T, 1, NULL, inputs, states, NULL);
	const double *x = states + (T - 1) * n, *u = inputs + (T - 1) * nin;
	size_t on = 0;
	for (size_t i = 0; i < n; i++)
		on += x[i] > 0;
	ok(on > n / 10 && on < n, "the state has part of its ReLUs on (%zu of %zu)",
	   on, n);

	double *J = malloc(n * n * sizeof *J);
	dk_model_work *mw = dk_model_work_alloc(m, 1);
	dk_model_jacobian(m, mw, x, u, J);
	dk_model_work_free(mw);

	dk_arnoldi_opts o;
	dk_arnoldi_opts_default(&o);
	/* its leading eigenvalues include a cluster of 4 pairs within 2e-5
	   of each other (alike modes on segments of the rings where all
	   units are on): k = 12 takes the whole cluster, up to a gap */
	o.k = 12;
	o.seed = 2;
	compare("wrnn 4 x 64, LM", m, x, u, DK_MAP, J, &o, 1e-8);
	o.k = 6;
	o.which = DK_ARNOLDI_LR;
	compare("wrnn 4 x 64, LR", m, x, u, DK_MAP, J, &o, 1e-8);
	o.which = DK_ARNOLDI_LM;
	o.shift_invert = 1;
	o.sigma = 1.0;
	o.k = 4;
	compare("wrnn 4 x 64, nearest 1", m, x, u, DK_MAP, J, &o, 1e-8);
	o.shift_invert = 0;
	o.k = 6;

	/* the flow convention on a continuous-time network */
	dk_model_spec cs = {.kind = "ctrnn", .units = 120, .inputs = 2,
	                    .outputs = 1, .act = DK_ACT_TANH, .init = "random",
	                    .gain = 1.5, .seed = 4};
	dk_model *c = NULL;
	if (dk_model_create(&cs, &c, err, sizeof err)) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	size_t nc = dk_model_state_size(c);
	double *xc = malloc(nc * sizeof *xc), uc[2] = {0.3, -0.2};
	for (size_t i = 0; i < nc; i++)
		xc[i] = dk_rng_normal(rng, 1.0);
	double *Jf = malloc(nc * nc * sizeof *Jf), *fp = malloc(nc * sizeof *fp),
	       *fm = malloc(nc * sizeof *fm);
	dk_model_work *cw = dk_model_work_alloc(c, 1);
	const double h = 1e-5;
	for (size_t j = 0; j < nc; j++) { /* column j by central differences */
		double x0 = xc[j];
		xc[j] = x0 + h;
		dk_model_field(c, cw, 1, xc, uc, fp);
		xc[j] = x0 - h;
		dk_model_field(c, cw, 1, xc, uc, fm);
		xc[j] = x0;
		for (size_t i = 0; i < nc; i++)
			Jf[i * nc + j] = (fp[i] - fm[i]) / (2 * h);
	}
	dk_model_work_free(cw);
	o.which = DK_ARNOLDI_LR;
	compare("ctrnn 120, flow, LR", c, xc, uc, DK_FLOW, Jf, &o, 1e-6);
	o.shift_invert = 1;
	o.sigma = 0;
	o.which = DK_ARNOLDI_LM;
	o.k = 4;
	compare("ctrnn 120, flow, nearest 0", c, xc, uc, DK_FLOW, Jf, &o, 1e-6);
	o.shift_invert = 0;
	o.k = 6;

	/* refusals */
	double complex eig[12];
	is_int(dk_leading_eigs(m, x, u, DK_FLOW, &o, eig, NULL, NULL, NULL,
	                       err, sizeof err), DK_EINVAL,
	       "the flow convention on a map is refused: %s", err);
	double *bad = malloc(n * sizeof *bad);
	memcpy(bad, x, n * sizeof *bad);
	bad[7] = NAN;
	is_int(dk_leading_eigs(m, bad, u, DK_MAP, &o, eig, NULL, NULL, NULL,
	                       err, sizeof err), DK_EINVAL,
	       "a NaN in the state is refused: %s", err);
	o.k = n - 1;
	is_int(dk_leading_eigs(m, x, u, DK_MAP, &o, eig, NULL, NULL, NULL,
	                       err, sizeof err), DK_EINVAL,
	       "k = n - 1 is refused: %s", err);
	dk_leading_free(NULL);

	free(bad);
	free(xc);
	free(Jf);
	free(fp);
	free(fm);
	free(J);
	free(inputs);
	free(states);
	dk_rng_free(rng);
	dk_model_free(m);
	dk_model_free(c);
	return tap_done();
}
