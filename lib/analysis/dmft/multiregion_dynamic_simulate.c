/*
 * multiregion_dynamic_simulate.c -- the multiregion network with
 * disorder simulated at finite N (multiregion_dynamic.h), to hold the
 * nonstationary theory's currents S^{mu nu}(t) and variances Delta^mu(t,
 * t) against: networks of the multiregion model kind with gains, made
 * and stepped through the model interface from the theory's start, the
 * two measured at every step and gathered over the networks.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/multiregion_dynamic.h"
#include "base/rng.h"
#include "base/status.h"
#include "models/model.h"

static int check(const dk_dmft_dyn_options *o, const dk_dmft_sim_options *s,
                 char *err, size_t errlen)
{
	int st = dk_dmft_dyn_options_check(o, err, errlen);
	if (st)
		return st;
	return dk_dmft_multi_sim_check(&o->model, s, err, errlen);
}

/* Delta^mu = |x^mu|^2 / N into d (P), added with its square into the
   sums. */
static void gather(const double *x, const double *S, size_t P, size_t N,
                   double *sS, double *qS, double *sd, double *qd)
{
	for (size_t i = 0; i < P * P; i++) {
		sS[i] += S[i];
		qS[i] += S[i] * S[i];
	}
	for (size_t mu = 0; mu < P; mu++) {
		double d = cblas_ddot((int)N, x + mu * N, 1, x + mu * N, 1) / (double)N;
		sd[mu] += d;
		qd[mu] += d * d;
	}
}

/* Network k made from seed + k, started at S0 and run; its S and Delta
   added into the sums (sums of squares in qS, qd). */
static int one_network(const dk_dmft_dyn_options *o, const dk_dmft_sim_options *s,
                       size_t k, size_t steps, const double *S0, double *sS,
                       double *qS, double *sd, double *qd, char *err,
                       size_t errlen)
{
	size_t P = o->model.regions, N = s->units, PP = P * P;
	dk_model_spec spec = {.kind = "multiregion", .regions = P, .units = N,
	                      .a = o->model.a, .b = o->model.b,
	                      .signs = o->model.signs, .gains = o->gain,
	                      .dt = o->dt, .seed = s->seed + k};
	dk_model *m = NULL;
	int st = dk_model_create(&spec, &m, err, errlen);
	if (st)
		return st;
	size_t om, on, count;
	double *th = dk_model_params(m);
	dk_model_param_find(m, "model/m", &om, &count);
	dk_model_param_find(m, "model/n", &on, &count);
	const double *lm = th + om, *ln = th + on;
	double *buf = malloc((3 * P * N + 2 * PP) * sizeof *buf), *x = buf;
	dk_model_work *w = dk_model_work_alloc(m, 1);
	/* the start's own stream, apart from the model's */
	dk_rng *rng = dk_rng_alloc(~(s->seed + k));
	if (!buf || !w || !rng) {
		st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory for %zu regions of "
		               "%zu units", P, N);
		goto done;
	}
	double *xn = x + P * N, *f = xn + P * N, *S = f + P * N, *H = S + PP;
	double sigma = sqrt(o->delta_init);
	for (size_t i = 0; i < P * N; i++)
		x[i] = dk_rng_normal(rng, sigma);
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++)
			cblas_daxpy((int)N, S0[mu * P + nu], lm + (mu * P + nu) * N, 1,
			            x + mu * N, 1);
	memcpy(S, S0, PP * sizeof *S);
	gather(x, S, P, N, sS, qS, sd, qd);
	double dt = o->dt;
	for (size_t j = 1; j <= steps; j++) {
		dk_dmft_multi_drives(ln, P, N, x, f, H);
		for (size_t i = 0; i < PP; i++)
			S[i] = (1 - dt) * S[i] + dt * H[i];
		if ((st = dk_model_step(m, w, 1, x, NULL, xn, NULL))) {
			dk_errorf(st, err, errlen, "the step failed");
			goto done;
		}
		double *tmp = x;
		x = xn;
		xn = tmp;
		gather(x, S, P, N, sS + j * PP, qS + j * PP, sd + j * P, qd + j * P);
	}
done:
	free(buf);
	dk_rng_free(rng);
	dk_model_work_free(w);
	dk_model_free(m);
	return st;
}

/* Sums and sums of squares of K values into means and standard
   deviations (0 for one network), in place. */
static void finish(double *sum, double *sq, size_t n, size_t K)
{
	for (size_t i = 0; i < n; i++) {
		double mean = sum[i] / (double)K;
		double var = K > 1 ? (sq[i] - (double)K * mean * mean) / (double)(K - 1) : 0;
		sum[i] = mean;
		sq[i] = sqrt(fmax(0, var));
	}
}

int dk_dmft_dyn_simulate(const dk_dmft_dyn_options *o, const dk_dmft_sim_options *s,
                         dk_dmft_dyn_sim_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	int st = check(o, s, err, errlen);
	if (st)
		return st;
	size_t P = o->model.regions, K = s->networks;
	size_t steps = dk_dmft_dyn_step_count(o->t_max, o->dt), T = steps + 1;
	/* T (P^2 + P) is bounded by the options' check (DK_DMFT_MAX_HISTORY) */
	r->S = calloc(T * P * P, sizeof *r->S);
	r->S_sd = calloc(T * P * P, sizeof *r->S_sd);
	r->delta = calloc(T * P, sizeof *r->delta);
	r->delta_sd = calloc(T * P, sizeof *r->delta_sd);
	double *S0 = malloc(P * P * sizeof *S0);
	if (!r->S || !r->S_sd || !r->delta || !r->delta_sd || !S0 ||
	    dk_dmft_dyn_start(o, S0)) {
		free(S0);
		dk_dmft_dyn_sim_result_clear(r);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory for %zu times", T);
	}
	*r = (dk_dmft_dyn_sim_result){.P = P, .steps = steps, .networks = K,
	                              .units = s->units, .seed = s->seed, .dt = o->dt,
	                              .S = r->S, .S_sd = r->S_sd, .delta = r->delta,
	                              .delta_sd = r->delta_sd};
	for (size_t k = 0; k < K && !st; k++)
		st = one_network(o, s, k, steps, S0, r->S, r->S_sd, r->delta, r->delta_sd,
		                 err, errlen);
	free(S0);
	if (st) {
		dk_dmft_dyn_sim_result_clear(r);
		return st;
	}
	finish(r->S, r->S_sd, T * P * P, K);
	finish(r->delta, r->delta_sd, T * P, K);
	return DK_OK;
}

void dk_dmft_dyn_sim_result_clear(dk_dmft_dyn_sim_result *r)
{
	if (!r)
		return;
	free(r->S);
	free(r->S_sd);
	free(r->delta);
	free(r->delta_sd);
	memset(r, 0, sizeof *r);
}
