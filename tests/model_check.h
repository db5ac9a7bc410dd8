/*
 * model_check.h -- the checks every model kind must pass, for its own
 * test program to call: dk_check_model(&spec, "label"), or
 * dk_check_model_of(m, "label") for a model made and then changed (its
 * parameters moved away from their initialisation).
 *
 * Each derivative is compared with central finite differences of the
 * step itself, or with an identity that holds exactly:
 *   jvp         vs (F(x + h dx) - F(x - h dx)) / 2h
 *   vjp (state) vs the adjoint identity <g, J dx> = <J^T g, dx>
 *   vjp (input, parameters) vs finite differences of <g, F>
 *   Jacobian    vs jvp on unit vectors
 *   readout and its vjp vs their own finite differences (the readout
 *   reads the first dk_model_readout_input_size entries of the state,
 *   or the maximum over dk_model_readout_pool blocks of that many)
 *   field, for continuous-time kinds: its jvp and vjp likewise
 * with relative error below 1e-6 (central differences with h = 1e-6 are
 * accurate to about h^2 ~ 1e-12 times the third derivative, and to
 * eps/h ~ 1e-10 in rounding; the input's use h = 1e-5, see FD_H_INPUT).  Also a bundle round trip.
 */
#ifndef DK_TESTS_MODEL_CHECK_H
#define DK_TESTS_MODEL_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define B 3
#define FD_H 1e-6
/* The input's step is larger: a model whose output barely depends on its
   input (the nwm as made: small encoders) has an input gradient small
   against the objective, whose rounding (eps |<g, F>| / h) then sets the
   error; at h = 1e-5 the truncation (h^2 ~ 1e-10 times the third
   derivative) stays far below 1e-6. */
#define FD_H_INPUT 1e-5
#define FD_TOL 1e-6

static double __attribute__((unused)) dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double __attribute__((unused)) rel_err(const double *got, const double *want, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		num += (got[i] - want[i]) * (got[i] - want[i]);
		den += want[i] * want[i];
	}
	return sqrt(num) / fmax(sqrt(den), 1e-300);
}

static void __attribute__((unused)) fill(dk_rng *r, double *v, size_t n, double scale)
{
	for (size_t i = 0; i < n; i++)
		v[i] = dk_rng_normal(r, scale);
}

/* <g, F(x, u)> summed over the batch: the scalar whose gradients vjp gives. */
/* dk_model_create refuses spec with DK_EINVAL, makes no model, and its
   message names word; what describes the case in the test's name */
static void __attribute__((unused))
check_refused(dk_model_spec spec, const char *what, const char *word)
{
	dk_model *m = NULL;
	char err[256] = "";
	int st = dk_model_create(&spec, &m, err, sizeof err);
	ok(st == DK_EINVAL && !m && strstr(err, word), "refused: %s (%s)", what, err);
	dk_model_free(m);
}

static double objective(dk_model *m, dk_model_work *w, const double *x,
                        const double *u, const double *g, double *xn)
{
	dk_model_step(m, w, B, x, u, xn, NULL);
	return dot(g, xn, B * dk_model_state_size(m));
}

/* The checks on m, which is freed. */
static void __attribute__((unused))
dk_check_model_of(dk_model *m, const char *label)
{
	char err[256];
	int st;
	size_t n = dk_model_state_size(m), in = dk_model_input_size(m);
	size_t np = dk_model_param_count(m), o = dk_model_output_size(m);
	dk_model_work *w = dk_model_work_alloc(m, B);
	dk_rng *r = dk_rng_alloc(7);
	double *x = malloc(B * n * sizeof *x), *u = malloc(B * in * sizeof *u + 1);
	double *dx = malloc(B * n * sizeof *dx), *g = malloc(B * n * sizeof *g);
	double *xn = malloc(B * n * sizeof *xn), *jv = malloc(B * n * sizeof *jv);
	double *fd = malloc(B * n * sizeof *fd), *xp = malloc(B * n * sizeof *xp);
	double *xm = malloc(B * n * sizeof *xm), *gx = malloc(B * n * sizeof *gx);
	double *gu = malloc(B * in * sizeof *gu + 1), *gp = calloc(np, sizeof *gp);
	double *fdp = malloc(np * sizeof *fdp), *fdu = malloc(B * in * sizeof *fdu + 1);
	double *cache = malloc(B * dk_model_cache_size(m) * sizeof *cache);
	double *J = malloc(n * n * sizeof *J), *Jc = malloc(n * n * sizeof *Jc);
	fill(r, x, B * n, 0.7);
	fill(r, u, B * in, 1.0);
	fill(r, dx, B * n, 1.0);
	fill(r, g, B * n, 1.0);

	/* jvp, with and without the step's cache */
	dk_model_step(m, w, B, x, u, xn, cache);
	dk_model_jvp(m, w, B, x, u, NULL, dx, jv);
	for (size_t i = 0; i < B * n; i++) {
		xp[i] = x[i] + FD_H * dx[i];
		xm[i] = x[i] - FD_H * dx[i];
	}
	dk_model_step(m, w, B, xp, u, fd, NULL);
	dk_model_step(m, w, B, xm, u, xn, NULL);
	for (size_t i = 0; i < B * n; i++)
		fd[i] = (fd[i] - xn[i]) / (2 * FD_H);
	double e = rel_err(jv, fd, B * n);
	ok(e < FD_TOL, "%s: jvp matches finite differences (rel err %.2g)", label, e);
	dk_model_jvp(m, w, B, x, u, cache, dx, xn);
	ok(rel_err(xn, jv, B * n) < 1e-14, "%s: jvp from the cache is the same", label);
	if (dk_model_cache_is_state(m)) {
		/* BPTT's use: no cache from the step, its state given instead */
		dk_model_step(m, w, B, x, u, xp, NULL);
		ok(dk_model_cache_size(m) == n && !memcmp(xp, cache, B * n * sizeof *xp),
		   "%s: the cache is the state the step makes", label);
		dk_model_jvp(m, w, B, x, u, xp, dx, xm);
		ok(!memcmp(xm, xn, B * n * sizeof *xm),
		   "%s: jvp with the state as cache, the same bits", label);
	}

	/* vjp against the adjoint identity and finite differences */
	dk_model_vjp(m, w, B, x, u, cache, g, gx, gu, gp);
	double lhs = dot(g, jv, B * n), rhs = dot(gx, dx, B * n);
	is_close(rhs, lhs, 1e-12, "%s: <J^T g, dx> = <g, J dx>", label);
	for (size_t i = 0; i < B * in; i++) {
		double keep = u[i];
		u[i] = keep + FD_H_INPUT;
		double fp = objective(m, w, x, u, g, xn);
		u[i] = keep - FD_H_INPUT;
		double fm = objective(m, w, x, u, g, xn);
		u[i] = keep;
		fdu[i] = (fp - fm) / (2 * FD_H_INPUT);
	}
	if (in) {
		e = rel_err(gu, fdu, B * in);
		ok(e < FD_TOL, "%s: input vjp matches finite differences (rel err %.2g)", label, e);
	}
	double *theta = dk_model_params(m);
	for (size_t k = 0; k < np; k++) {
		double keep = theta[k];
		theta[k] = keep + FD_H;
		double fp = objective(m, w, x, u, g, xn);
		theta[k] = keep - FD_H;
		double fm = objective(m, w, x, u, g, xn);
		theta[k] = keep;
		fdp[k] = (fp - fm) / (2 * FD_H);
	}
	e = rel_err(gp, fdp, np);
	ok(e < FD_TOL, "%s: parameter vjp matches finite differences over %zu parameters (rel err %.2g)",
	   label, np, e);

	/* the dense Jacobian against jvp on unit vectors */
	dk_model_jacobian(m, w, x, u, J);
	double *ej = calloc(n, sizeof *ej);
	for (size_t j = 0; j < n; j++) {
		ej[j] = 1;
		dk_model_jvp(m, w, 1, x, u, NULL, ej, jv);
		ej[j] = 0;
		for (size_t i = 0; i < n; i++)
			Jc[i * n + j] = jv[i];
	}
	ok(rel_err(J, Jc, n * n) < 1e-14, "%s: dense Jacobian equals its jvp columns", label);
	free(ej);

	/* readout: y = W x + b and its vjp */
	double *y = malloc(B * o * sizeof *y), *gy = malloc(B * o * sizeof *gy);
	double *gxr = malloc(B * n * sizeof *gxr), *gpr = calloc(np, sizeof *gpr);
	fill(r, gy, B * o, 1.0);
	dk_model_readout(m, B, x, y);
	dk_model_readout_vjp(m, B, x, gy, gxr, gpr);
	size_t wo, bo, cnt;
	dk_model_param_find(m, "model/readout/b", &bo, &cnt);
	dk_model_param_find(m, "model/readout/W", &wo, &cnt);
	/* the readout reads the first k state entries (all n but for lstm),
	   or their maximum over S blocks of k (fernn) */
	size_t kin = dk_model_readout_input_size(m), S = dk_model_readout_pool(m);
	ok(kin >= 1 && S >= 1 && kin * S <= n && cnt == o * kin,
	   "%s: readout W_out is outputs x %zu, over %zu blocks", label, kin, S);
	/* a model with a head has no per-step outputs (o = 0): no y[0] */
	if (o) {
		double want = theta[bo];
		for (size_t j = 0; j < kin; j++) {
			double z = x[j];
			for (size_t a = 1; a < S; a++)
				z = fmax(z, x[a * kin + j]);
			want += theta[wo + j] * z;
		}
		is_close(y[0], want, 1e-13, "%s: readout y[0] = W_out[0] . max_a x[0][a k:(a+1) k] + b_out[0]",
		         label);
	}
	for (size_t k = 0; k < np; k++) {
		double keep = theta[k];
		theta[k] = keep + FD_H;
		dk_model_readout(m, B, x, y);
		double fp = dot(gy, y, B * o);
		theta[k] = keep - FD_H;
		dk_model_readout(m, B, x, y);
		double fm = dot(gy, y, B * o);
		theta[k] = keep;
		fdp[k] = (fp - fm) / (2 * FD_H);
	}
	e = rel_err(gpr, fdp, np);
	ok(e < FD_TOL, "%s: readout parameter vjp matches finite differences (rel err %.2g)", label, e);
	double *zero = calloc(B * n, sizeof *zero), *y0 = malloc(B * o * sizeof *y0);
	if (S == 1) { /* affine: <gy, R(dx) - R(0)> = <R^T gy, dx> */
		dk_model_readout(m, B, dx, y);
		dk_model_readout(m, B, zero, y0);
		for (size_t i = 0; i < B * o; i++)
			y[i] -= y0[i];
		is_close(dot(gxr, dx, B * n), dot(gy, y, B * o), 1e-12,
		         "%s: readout adjoint identity", label);
	} else {
		/* piecewise linear: central differences along dx are exact but
		   for rounding (eps |y| / h ~ 1e-10) where no maximum changes
		   within h, as for random states, whose entries differ by O(1) */
		for (size_t i = 0; i < B * n; i++) {
			xp[i] = x[i] + FD_H * dx[i];
			xm[i] = x[i] - FD_H * dx[i];
		}
		dk_model_readout(m, B, xp, y);
		dk_model_readout(m, B, xm, y0);
		for (size_t i = 0; i < B * o; i++)
			y[i] = (y[i] - y0[i]) / (2 * FD_H);
		e = fabs(dot(gxr, dx, B * n) - dot(gy, y, B * o)) /
		    fmax(fabs(dot(gy, y, B * o)), 1e-300);
		ok(e < FD_TOL, "%s: readout state vjp matches finite differences (rel err %.2g)",
		   label, e);
	}
	free(zero);
	free(y0);

	/* the vector field of continuous-time kinds */
	if (dk_model_is_continuous(m)) {
		double *f = malloc(B * n * sizeof *f), *fm = malloc(B * n * sizeof *fm);
		double *df = malloc(B * n * sizeof *df), *gf = malloc(B * n * sizeof *gf);
		dk_model_field_jvp(m, w, B, x, u, dx, df);
		dk_model_field(m, w, B, xp, u, f);
		dk_model_field(m, w, B, xm, u, fm);
		for (size_t i = 0; i < B * n; i++)
			f[i] = (f[i] - fm[i]) / (2 * FD_H);
		e = rel_err(df, f, B * n);
		ok(e < FD_TOL, "%s: field jvp matches finite differences (rel err %.2g)", label, e);
		dk_model_field_vjp(m, w, B, x, u, g, gf);
		is_close(dot(gf, dx, B * n), dot(g, df, B * n), 1e-12,
		         "%s: field <J_f^T g, dx> = <g, J_f dx>", label);
		free(f); free(fm); free(df); free(gf);
	} else {
		ok(dk_model_field(m, w, B, x, u, gx) == DK_EINVAL,
		   "%s: a discrete-time model has no vector field", label);
	}

	/* bundle round trip: the same parameters, the same step */
	dk_bundle *bundle = dk_bundle_alloc();
	dk_model *back = NULL;
	st = dk_model_to_bundle(m, bundle);
	if (!st)
		st = dk_model_from_bundle(bundle, &back, err, sizeof err);
	ok(st == DK_OK && back && dk_model_param_count(back) == np &&
	   !memcmp(dk_model_params(back), theta, np * sizeof *theta),
	   "%s: parameters survive a bundle round trip (%s)", label, st ? err : "ok");
	dk_bundle_free(bundle);
	dk_model_free(back);

	free(y); free(gy); free(gxr); free(gpr);
	free(x); free(u); free(dx); free(g); free(xn); free(jv); free(fd);
	free(xp); free(xm); free(gx); free(gu); free(gp); free(fdp); free(fdu);
	free(cache); free(J); free(Jc);
	dk_rng_free(r);
	dk_model_work_free(w);
	dk_model_free(m);
}

static void __attribute__((unused))
dk_check_model(const dk_model_spec *spec, const char *label)
{
	dk_model *m;
	char err[256];
	int st = dk_model_create(spec, &m, err, sizeof err);
	if (!ok(st == DK_OK, "%s: create %s", label, st ? err : ""))
		return;
	dk_check_model_of(m, label);
}

#endif
