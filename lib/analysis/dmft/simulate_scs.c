/*
 * simulate_scs.c -- the rate network dx/dt = -x + J phi(x) simulated at
 * finite N, to hold the mean-field Delta0 and Delta(tau) against
 * (dmft.h): steps of the integrator asked for (integrate.c), the
 * recorded window's autocorrelation by FFT, unit by unit.
 */
#include <config.h>

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "analysis/dmft/dmft.h"
#include "base/rng.h"
#include "base/status.h"

typedef struct {
	size_t N, T, P, lmax; /* units, recorded steps, padded length, last lag */
	double *J;            /* N x N */
	double *x, *work;     /* the state; the step's 6 N scratch */
	double *rec;          /* T x N: x at each recorded step */
	double *in;           /* P: one unit's record, padded; then its power */
	fftw_complex *spec;   /* P / 2 + 1 */
	double *acc;          /* lmax + 1: sums of lagged products */
	fftw_plan fwd, back;
} scs_sim;

static void sim_free(scs_sim *w)
{
	free(w->J);
	free(w->x);
	free(w->work);
	free(w->rec);
	free(w->acc);
	if (w->fwd)
		fftw_destroy_plan(w->fwd);
	if (w->back)
		fftw_destroy_plan(w->back);
	fftw_free(w->in);
	fftw_free(w->spec);
}

static int sim_alloc(scs_sim *w, const dk_dmft_sim_options *s)
{
	*w = (scs_sim){.N = s->units, .T = s->steps, .P = 2 * s->steps,
	               .lmax = s->steps / 2};
	w->J = malloc(w->N * w->N * sizeof *w->J);
	w->x = malloc(w->N * sizeof *w->x);
	w->work = malloc(6 * w->N * sizeof *w->work);
	w->rec = malloc(w->T * w->N * sizeof *w->rec);
	w->acc = malloc((w->lmax + 1) * sizeof *w->acc);
	w->in = fftw_malloc(w->P * sizeof *w->in);
	w->spec = fftw_malloc((w->P / 2 + 1) * sizeof *w->spec);
	if (!w->J || !w->x || !w->work || !w->rec || !w->acc || !w->in || !w->spec)
		return DK_ENOMEM;
	/* FFTW_ESTIMATE: the plan, and so the bytes, do not depend on timing */
	w->fwd = fftw_plan_dft_r2c_1d((int)w->P, w->in, w->spec, FFTW_ESTIMATE);
	w->back = fftw_plan_dft_c2r_1d((int)w->P, w->spec, w->in, FFTW_ESTIMATE);
	return w->fwd && w->back ? DK_OK : DK_ENOMEM;
}

/* One network from rng: J, x(0), the run, then Delta at the lags tau
   (n of them) into delta. */
static void one_network(scs_sim *w, const dk_dmft_phi *phi, double gain,
                        size_t transient, dk_dmft_integrator integrator,
                        const double *tau, size_t n,
                        double *delta, dk_rng *rng)
{
	size_t N = w->N, T = w->T;
	double sd = gain / sqrt((double)N), dt = DK_DMFT_SCS_DT;
	for (size_t i = 0; i < N * N; i++)
		w->J[i] = dk_rng_normal(rng, sd);
	for (size_t i = 0; i < N; i++)
		w->x[i] = dk_rng_normal(rng, 1);
	for (size_t t = 0; t < transient + T; t++) {
		dk_dmft_rate_step(w->J, N, phi, integrator, dt, w->x, w->work);
		if (t >= transient)
			memcpy(w->rec + (t - transient) * N, w->x, N * sizeof *w->x);
	}
	/* sum over units of the lagged products, by the Wiener-Khinchin
	   theorem on the record padded with T zeros (no wrap-around) */
	memset(w->acc, 0, (w->lmax + 1) * sizeof *w->acc);
	for (size_t i = 0; i < N; i++) {
		for (size_t t = 0; t < T; t++)
			w->in[t] = w->rec[t * N + i];
		memset(w->in + T, 0, (w->P - T) * sizeof *w->in);
		fftw_execute(w->fwd);
		for (size_t k = 0; k <= w->P / 2; k++) {
			double re = creal(w->spec[k]), im = cimag(w->spec[k]);
			w->spec[k] = re * re + im * im;
		}
		fftw_execute(w->back);
		for (size_t l = 0; l <= w->lmax; l++)
			w->acc[l] += w->in[l];
	}
	/* the mean over units and the T - l products of each lag (FFTW's
	   inverse is unnormalised: a factor P) */
	for (size_t l = 0; l <= w->lmax; l++)
		w->acc[l] /= (double)w->P * (double)N * (double)(T - l);
	/* the grid's lags, linear between the steps'; NaN past half the
	   window, where fewer than half the products remain */
	for (size_t k = 0; k < n; k++) {
		double u = tau[k] / dt, near = round(u);
		if (fabs(u - near) <= 1e-9 * (near > 1 ? near : 1))
			u = near;   /* a lag on a step, to rounding: that step */
		size_t l = (size_t)floor(u);
		double a = u - (double)l;
		if (u > (double)w->lmax)
			delta[k] = NAN;
		else if (l == w->lmax)
			delta[k] = w->acc[l];
		else
			delta[k] = (1 - a) * w->acc[l] + a * w->acc[l + 1];
	}
}

int dk_dmft_scs_simulate(const dk_dmft_options *o, const dk_dmft_sim_options *s,
                         dk_dmft_scs_sim_result *r, char *err, size_t errlen)
{
	*r = (dk_dmft_scs_sim_result){.options = *o, .sim = *s};
	int st = dk_dmft_options_check(o, 1, err, errlen);
	if (!st)
		st = dk_dmft_sim_options_check(s, err, errlen);
	if (st)
		return st;
	if (s->steps < 2 || s->steps > DK_DMFT_MAX_RECORDED / s->units)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "steps must be from 2 to %zu for %zu units "
		                 "(units * steps at most %zu recorded values)",
		                 DK_DMFT_MAX_RECORDED / s->units, s->units,
		                 DK_DMFT_MAX_RECORDED);
	r->n = dk_dmft_grid_points(o->tau_max, o->dtau);
	r->tau = malloc(r->n * sizeof *r->tau);
	r->delta0 = malloc(s->networks * sizeof *r->delta0);
	r->delta = malloc(s->networks * r->n * sizeof *r->delta);
	scs_sim w;
	st = sim_alloc(&w, s);
	if (!st && (!r->tau || !r->delta0 || !r->delta))
		st = DK_ENOMEM;
	for (size_t k = 0; !st && k < r->n; k++)
		r->tau[k] = (double)k * o->dtau;
	for (size_t k = 0; !st && k < s->networks; k++) {
		dk_rng *rng = dk_rng_alloc(s->seed + k);
		if (!rng) {
			st = DK_ENOMEM;
			break;
		}
		one_network(&w, o->phi, o->gain, s->transient, s->integrator,
		            r->tau, r->n,
		            r->delta + k * r->n, rng);
		r->delta0[k] = r->delta[k * r->n];
		dk_rng_free(rng);
	}
	sim_free(&w);
	if (st) {
		dk_dmft_scs_sim_result_clear(r);
		return dk_errorf(st, err, errlen, "out of memory");
	}
	return DK_OK;
}

void dk_dmft_scs_sim_result_clear(dk_dmft_scs_sim_result *r)
{
	if (!r)
		return;
	free(r->tau);
	free(r->delta0);
	free(r->delta);
	r->tau = r->delta0 = r->delta = NULL;
	r->n = 0;
}
