/*
 * multiregion_simulate.c -- the multiregion network simulated at finite
 * N, to hold the currents of the mean-field theory (multiregion.h)
 * against: networks of the multiregion model kind (lib/models), made and
 * stepped through the model interface, their currents S^{mu nu} = n^{mu
 * nu} . phi(x^nu) / N measured at every step.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/multiregion.h"
#include "base/rng.h"
#include "base/status.h"
#include "base/tensor.h"
#include "models/model.h"
#include "models/vmath.h"

/* The paper's start: x^mu = 2.5 sum_nu m^{mu nu} z_nu / sqrt(P). */
#define START_SCALE 2.5

static int check(const dk_dmft_multi_options *o, const dk_dmft_sim_options *s,
                 char *err, size_t errlen)
{
	int st = dk_dmft_multi_options_check(o, err, errlen);
	if (st)
		return st;
	return dk_dmft_multi_sim_check(o, s, err, errlen);
}

int dk_dmft_multi_sim_check(const dk_dmft_multi_options *model,
                            const dk_dmft_sim_options *s, char *err,
                            size_t errlen)
{
	if (!model->a || !model->b || model->T || model->U)
		return dk_errorf(DK_EINVAL, err, errlen, "the simulation draws its "
		                 "loadings from a, b and signs (U the identity); T "
		                 "and U are not simulated");
	if (s->units < 1 || s->units > DK_DMFT_MULTI_MAX_UNITS)
		return dk_errorf(DK_EINVAL, err, errlen, "units must be from 1 to %d "
		                 "per region, not %zu", DK_DMFT_MULTI_MAX_UNITS, s->units);
	dk_dmft_sim_options t = *s;
	t.units = 2; /* the map's bound on units is not this one's */
	return dk_dmft_sim_options_check(&t, err, errlen);
}

void dk_dmft_multi_drives(const double *ln, size_t P, size_t N, const double *x,
                          double *f, double *C)
{
	dk_verf_scaled(sqrt(M_PI) / 2, x, f, P * N);
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++)
			C[mu * P + nu] = cblas_ddot((int)N, ln + (mu * P + nu) * N, 1,
			                            f + nu * N, 1) / (double)N;
}

/* Network k: made, started, run; its currents into S (samples x P x P),
   A (P) and the time of its step into dt. */
static int one_network(const dk_dmft_multi_options *o, const dk_dmft_sim_options *s,
                       size_t k, double *S, double *A, double *dt, char *err,
                       size_t errlen)
{
	size_t P = o->regions, N = s->units, PP = P * P;
	dk_model_spec spec = {.kind = "multiregion", .regions = P, .units = N,
	                      .a = o->a, .b = o->b, .signs = o->signs,
	                      .seed = s->seed + k};
	dk_model *m = NULL;
	int st = dk_model_create(&spec, &m, err, errlen);
	if (st)
		return st;
	size_t om, on, count;
	double *th = dk_model_params(m);
	dk_model_param_find(m, "model/m", &om, &count);
	dk_model_param_find(m, "model/n", &on, &count);
	const double *lm = th + om, *ln = th + on;
	double *buf = malloc(3 * P * N * sizeof *buf), *x = buf;
	dk_model_work *w = dk_model_work_alloc(m, 1);
	/* the start's own stream, apart from the loadings' */
	dk_rng *rng = dk_rng_alloc(~(s->seed + k));
	*dt = dk_model_step_time(m);
	if (!buf || !w || !rng) {
		st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory for %zu regions of "
		               "%zu units", P, N);
		goto done;
	}
	double *xn = x + P * N, *f = xn + P * N;
	memset(x, 0, P * N * sizeof *x);
	for (size_t nu = 0; nu < P; nu++) {
		double z = START_SCALE * dk_rng_normal(rng, 1) / sqrt((double)P);
		for (size_t mu = 0; mu < P; mu++)
			cblas_daxpy((int)N, z, lm + (mu * P + nu) * N, 1, x + mu * N, 1);
	}
	memset(A, 0, P * sizeof *A);
	dk_dmft_multi_drives(ln, P, N, x, f, S);
	size_t total = s->transient + s->steps;
	for (size_t t = 1; t <= total; t++) {
		if ((st = dk_model_step(m, w, 1, x, NULL, xn, NULL))) {
			dk_errorf(st, err, errlen, "the step failed");
			goto done;
		}
		double *tmp = x;
		x = xn;
		xn = tmp;
		double *St = S + t * PP;
		dk_dmft_multi_drives(ln, P, N, x, f, St);
		if (t > s->transient)
			for (size_t mu = 0; mu < P; mu++)
				for (size_t nu = 0; nu < P; nu++)
					A[mu] += St[mu * P + nu] * St[mu * P + nu] / (double)s->steps;
	}
done:
	free(buf);
	dk_rng_free(rng);
	dk_model_work_free(w);
	dk_model_free(m);
	return st;
}

int dk_dmft_multi_simulate(const dk_dmft_multi_options *o,
                           const dk_dmft_sim_options *s,
                           dk_dmft_multi_sim_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	int st = check(o, s, err, errlen);
	if (st)
		return st;
	size_t P = o->regions, K = s->networks, samples = s->transient + s->steps + 1;
	size_t shape[4] = {K, samples, P, P}, count;
	if (dk_shape_count(4, shape, sizeof(double), &count))
		return dk_errorf(DK_EINVAL, err, errlen, "%zu networks of %zu steps of "
		                 "%zu regions' currents is too large", K, samples - 1, P);
	r->S = malloc(count * sizeof *r->S);
	r->A = malloc(K * P * sizeof *r->A);
	r->a = malloc(3 * P * sizeof *r->a);
	if (!r->S || !r->A || !r->a) {
		dk_dmft_multi_sim_result_clear(r);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory for %zu currents",
		                 count);
	}
	r->sim = *s;
	r->options = *o;
	r->b = r->a + P;
	r->signs = r->b + P;
	memcpy(r->a, o->a, P * sizeof *r->a);
	memcpy(r->b, o->b, P * sizeof *r->b);
	for (size_t k = 0; k < P; k++)
		r->signs[k] = o->signs ? o->signs[k] : 1;
	r->options.a = r->a;
	r->options.b = r->b;
	r->options.signs = r->signs;
	r->P = P;
	r->samples = samples;
	for (size_t k = 0; k < K && !st; k++)
		st = one_network(o, s, k, r->S + k * samples * P * P, r->A + k * P,
		                 &r->dt, err, errlen);
	if (st)
		dk_dmft_multi_sim_result_clear(r);
	return st;
}

void dk_dmft_multi_sim_result_clear(dk_dmft_multi_sim_result *r)
{
	free(r->S);
	free(r->A);
	free(r->a); /* b and signs share it */
	memset(r, 0, sizeof *r);
}
