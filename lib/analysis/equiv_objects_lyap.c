/*
 * equiv_objects_lyap.c -- the Lyapunov part of dk-equiv --objects (see
 * equiv_objects.h): the spectrum along the run from a random start x0
 * (dk-lyap's, from the seed) under the points' constant input, and along
 * the run from g x0 under g u for each shift g, with the same basis
 * seed, compared exponent by exponent.
 *
 * For an equivariant step the two runs are the same orbit moved by g;
 * their finite-time spectra differ only because the random first basis
 * is not moved with it, by an amount the standard errors of the block
 * estimates measure.  So the difference is reported in those units.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv_impl.h"
#include "analysis/equiv_objects.h"
#include "analysis/lyap.h"
#include "base/status.h"

static int descending(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The exponents and standard errors of one run, sorted together by
   decreasing exponent into ex and se (k each). */
static int run_sorted(dk_lyap *l, const double *x0, const double *u, size_t k,
                      double *ex, double *se, double *pair, char *err,
                      size_t errlen)
{
	dk_lyap_result res;
	int st = dk_lyap_run(l, x0, u, 0, &res, err, errlen);
	if (st)
		return st;
	for (size_t i = 0; i < k; i++)
		pair[2 * i] = res.exponents[i], pair[2 * i + 1] = res.std_error[i];
	qsort(pair, k, 2 * sizeof *pair, descending);
	for (size_t i = 0; i < k; i++)
		ex[i] = pair[2 * i], se[i] = pair[2 * i + 1];
	return DK_OK;
}

int dk_equiv_objects_lyapunov(const dk_model *m,
                              const dk_equiv_objects_options *oo,
                              const double *u, dk_equiv_objects_result *r,
                              char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t E = r->elements;
	dk_lyap_options lo = {.k = n, .steps = oo->lyapunov_steps,
	                      .transient = 100, .basis_transient = 100,
	                      .every = 1, .checkpoints = 1, .blocks = 10,
	                      .tangent = DK_LYAP_JVP, .qr = DK_LYAP_QR_AUTO,
	                      .seed = oo->seed};
	dk_lyap *l = NULL;
	dk_lyap_start start = {0};
	int st = dk_lyap_alloc(m, &lo, &l, err, errlen);
	if (!st)
		st = dk_lyap_start_random(&start, m, oo->seed, err, errlen);
	r->lyap_exponents = malloc(n * sizeof *r->lyap_exponents);
	r->lyap_difference = malloc(2 * E * sizeof *r->lyap_difference);
	double *se0 = malloc(n * sizeof *se0), *ex = malloc(n * sizeof *ex);
	double *se = malloc(n * sizeof *se), *pair = malloc(2 * n * sizeof *pair);
	double *gx = malloc(n * sizeof *gx), *gu = malloc((nu ? nu : 1) * sizeof *gu);
	size_t *perm = malloc(n * sizeof *perm), *permu = malloc((nu ? nu : 1) * sizeof *permu);
	if (!st && (!r->lyap_exponents || !r->lyap_difference || !se0 || !ex ||
	            !se || !pair || !gx || !gu || !perm || !permu))
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	if (!st)
		st = run_sorted(l, start.x0, u, n, r->lyap_exponents, se0, pair, err,
		                errlen);
	medium md = dk_equiv_medium_of(&r->layout);
	for (size_t e = 0; !st && e < E; e++) {
		size_t dy = r->axes == 2 ? (size_t)r->shifts[2 * e] : 0;
		size_t dx = (size_t)r->shifts[r->axes * e + r->axes - 1];
		dk_equiv_shift_perm(md, md.C, dy, dx, perm);
		for (size_t i = 0; i < n; i++)
			gx[i] = start.x0[perm[i]];
		if (u && r->input_transformed)
			dk_equiv_shift_perm(md, nu / (md.H * md.W), dy, dx, permu);
		for (size_t i = 0; u && i < nu; i++)
			gu[i] = r->input_transformed ? u[permu[i]] : u[i];
		st = run_sorted(l, gx, u ? gu : NULL, n, ex, se, pair, err, errlen);
		double worst = 0, sigmas = 0;
		for (size_t i = 0; !st && i < n; i++) {
			double d = fabs(ex[i] - r->lyap_exponents[i]);
			double s = sqrt(se[i] * se[i] + se0[i] * se0[i]);
			worst = fmax(worst, d);
			sigmas = fmax(sigmas, d == 0 ? 0 : s == 0 ? INFINITY : d / s);
		}
		r->lyap_difference[2 * e] = worst;
		r->lyap_difference[2 * e + 1] = sigmas;
	}
	if (st) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		st = dk_errorf(st, err, errlen, "lyapunov: %s", why);
	}
	free(se0), free(ex), free(se), free(pair), free(gx), free(gu);
	free(perm), free(permu);
	dk_lyap_start_clear(&start);
	dk_lyap_free(l);
	return st;
}
