/*
 * simulate.c -- the random map h' = J phi(h) simulated at finite N, to
 * hold the mean-field q and largest Lyapunov exponent against (dmft.h):
 * the state and one tangent vector advanced together, by one product of
 * J with two columns per step, so that J is read once a step.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include <cblas.h>

#include "analysis/dmft/dmft.h"
#include "base/rng.h"
#include "base/status.h"

dk_dmft_sim_options dk_dmft_sim_options_default(void)
{
	return (dk_dmft_sim_options){.units = 1000, .networks = 1, .seed = 1,
	                             .transient = 200, .steps = 500};
}

int dk_dmft_sim_options_check(const dk_dmft_sim_options *s, char *err,
                              size_t errlen)
{
	if (s->units < 2 || s->units > DK_DMFT_MAX_UNITS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "units must be from 2 to %d, not %zu",
		                 DK_DMFT_MAX_UNITS, s->units);
	if (s->networks < 1 || s->networks > DK_DMFT_MAX_NETWORKS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "networks must be from 1 to %d, not %zu",
		                 DK_DMFT_MAX_NETWORKS, s->networks);
	if (s->steps < 1 || s->steps > DK_DMFT_MAX_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "steps must be from 1 to %d, not %zu",
		                 DK_DMFT_MAX_STEPS, s->steps);
	if (s->transient > DK_DMFT_MAX_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "transient must be at most %d, not %zu",
		                 DK_DMFT_MAX_STEPS, s->transient);
	if (s->seed > UINT64_MAX - s->networks)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "seed + networks passes 2^64");
	if (!dk_dmft_integrator_name(s->integrator))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "integrator must be euler, heun or rk4, not %d",
		                 (int)s->integrator);
	return DK_OK;
}

/* One network: J, the start and the run; b and c are N x 2 scratch. */
static void one_network(const dk_dmft_phi *phi, double gain,
                        const dk_dmft_sim_options *s, double *J, double *b, double *c, double *q,
                        double *lyapunov, dk_rng *rng)
{
	size_t N = s->units;
	double sd = gain / sqrt((double)N), norm = 0;
	for (size_t i = 0; i < N * N; i++)
		J[i] = dk_rng_normal(rng, sd);
	for (size_t i = 0; i < N; i++) {
		c[2 * i] = dk_rng_normal(rng, 1);
		c[2 * i + 1] = dk_rng_normal(rng, 1);
		norm += c[2 * i + 1] * c[2 * i + 1];
	}
	norm = sqrt(norm);
	for (size_t i = 0; i < N; i++)
		c[2 * i + 1] /= norm;
	double sum_q = 0, sum_log = 0;
	for (size_t t = 0; t < s->transient + s->steps; t++) {
		for (size_t i = 0; i < N; i++) {
			double h = c[2 * i];
			b[2 * i] = phi->phi(h);
			b[2 * i + 1] = phi->dphi(h) * c[2 * i + 1];
		}
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, 2,
		            (int)N, 1, J, (int)N, b, 2, 0, c, 2);
		double h2 = 0, v2 = 0;
		for (size_t i = 0; i < N; i++) {
			h2 += c[2 * i] * c[2 * i];
			v2 += c[2 * i + 1] * c[2 * i + 1];
		}
		double len = sqrt(v2);
		for (size_t i = 0; i < N; i++)
			c[2 * i + 1] /= len;
		if (t >= s->transient) {
			sum_q += h2 / (double)N;
			sum_log += log(len);
		}
	}
	*q = sum_q / (double)s->steps;
	*lyapunov = sum_log / (double)s->steps;
}

int dk_dmft_map_simulate(const dk_dmft_options *o, const dk_dmft_sim_options *s,
                         dk_dmft_sim_result *r, char *err, size_t errlen)
{
	*r = (dk_dmft_sim_result){.options = *o, .sim = *s};
	int st = dk_dmft_options_check(o, 0, err, errlen);
	if (!st)
		st = dk_dmft_sim_options_check(s, err, errlen);
	if (st)
		return st;
	size_t N = s->units;
	double *J = malloc(N * N * sizeof *J);
	double *b = malloc(2 * N * sizeof *b), *c = malloc(2 * N * sizeof *c);
	r->q = malloc(s->networks * sizeof *r->q);
	r->lyapunov = malloc(s->networks * sizeof *r->lyapunov);
	st = J && b && c && r->q && r->lyapunov ? DK_OK : DK_ENOMEM;
	for (size_t k = 0; !st && k < s->networks; k++) {
		dk_rng *rng = dk_rng_alloc(s->seed + k);
		if (!rng) {
			st = DK_ENOMEM;
			break;
		}
		one_network(o->phi, o->gain, s, J, b, c, &r->q[k],
		            &r->lyapunov[k], rng);
		dk_rng_free(rng);
	}
	free(J);
	free(b);
	free(c);
	if (st) {
		dk_dmft_sim_result_clear(r);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	return DK_OK;
}

void dk_dmft_sim_result_clear(dk_dmft_sim_result *r)
{
	if (!r)
		return;
	free(r->q);
	free(r->lyapunov);
	r->q = r->lyapunov = NULL;
}
