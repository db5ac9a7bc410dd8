/*
 * lowrank_simulate.c -- the low-rank network with disorder simulated at
 * finite N (lowrank.h): the loadings drawn through the covariance's
 * square root, Euler steps by one product of chi with phi(x) and R dot
 * products each, and the order parameters measured over the steps after
 * the transient.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/lowrank.h"
#include "base/numeric.h"
#include "base/rng.h"
#include "base/status.h"

#define DIM DK_DMFT_LOWRANK_MAX_DIM

typedef struct {
	size_t N, R, dim;
	double L[DIM][DIM];     /* cov = L L^T */
	double *chi;            /* N x N, g chi */
	double *load;           /* N x dim: each unit's m^1..m^R, n^1..n^R, I */
	double *x, *f, *xsum;   /* the state, phi(x), x summed over steps */
} lr_sim;

/* One network from rng into kappa (R), mu, delta0, delta_inf. */
static void one_network(lr_sim *w, const dk_dmft_lowrank_options *o,
                        const dk_dmft_sim_options *s, dk_rng *rng,
                        double *kappa, double *mu, double *delta0,
                        double *delta_inf)
{
	size_t N = w->N, R = w->R, dim = w->dim, in_at = DK_DMFT_LOWRANK_I(R);
	double sd = o->gain / sqrt((double)N), dt = DK_DMFT_SCS_DT;
	for (size_t i = 0; i < N * N; i++)
		w->chi[i] = dk_rng_normal(rng, sd);
	for (size_t i = 0; i < N; i++) {
		double z[DIM];
		for (size_t j = 0; j < dim; j++)
			z[j] = dk_rng_normal(rng, 1);
		for (size_t j = 0; j < dim; j++) {
			double v = o->mean[j];
			for (size_t k = 0; k < dim; k++)
				v += w->L[j][k] * z[k];
			w->load[i * dim + j] = v;
		}
	}
	for (size_t i = 0; i < N; i++) {
		w->x[i] = dk_rng_normal(rng, 1);
		w->xsum[i] = 0;
	}
	double ksum[DK_DMFT_LOWRANK_MAX_RANK] = {0}, x1 = 0, x2 = 0;
	for (size_t t = 0; t < s->transient + s->steps; t++) {
		double k[DK_DMFT_LOWRANK_MAX_RANK] = {0};
		for (size_t i = 0; i < N; i++) {
			w->f[i] = o->phi->phi(w->x[i]);
			for (size_t r = 0; r < R; r++)
				k[r] += w->load[i * dim + DK_DMFT_LOWRANK_N(R, r)] * w->f[i];
		}
		for (size_t r = 0; r < R; r++)
			k[r] /= (double)N;
		if (t >= s->transient) {
			for (size_t r = 0; r < R; r++)
				ksum[r] += k[r];
			for (size_t i = 0; i < N; i++) {
				x1 += w->x[i];
				x2 += w->x[i] * w->x[i];
				w->xsum[i] += w->x[i];
			}
		}
		/* x <- (1 - dt) x + dt (g chi phi(x) + sum_r m^r kappa_r + I) */
		for (size_t i = 0; i < N; i++) {
			double in = w->load[i * dim + in_at];
			for (size_t r = 0; r < R; r++)
				in += w->load[i * dim + DK_DMFT_LOWRANK_M(r)] * k[r];
			w->x[i] = (1 - dt) * w->x[i] + dt * in;
		}
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)N, dt, w->chi,
		            (int)N, w->f, 1, 1, w->x, 1);
	}
	double T = (double)s->steps, NT = (double)N * T, m = x1 / NT, xb2 = 0;
	for (size_t r = 0; r < R; r++)
		kappa[r] = ksum[r] / T;
	for (size_t i = 0; i < N; i++)
		xb2 += (w->xsum[i] / T) * (w->xsum[i] / T);
	*mu = m;
	*delta0 = x2 / NT - m * m;
	*delta_inf = xb2 / (double)N - m * m;
}

/* The branch of the theory nearest to (kappa, delta0) among those the
   dynamics can settle on (stable stationary, chaotic), or -1. */
static int64_t nearest(const dk_dmft_lowrank_result *th, const double *kappa,
                       double delta0, size_t R)
{
	int64_t best = -1;
	double dbest = INFINITY;
	for (size_t b = 0; th && b < th->branches; b++) {
		const dk_dmft_lowrank_branch *c = &th->branch[b];
		if (c->state == DK_DMFT_LOWRANK_UNSTABLE)
			continue;
		double d = (c->delta0 - delta0) * (c->delta0 - delta0);
		for (size_t r = 0; r < R; r++)
			d += (c->kappa[r] - kappa[r]) * (c->kappa[r] - kappa[r]);
		if (d < dbest) {
			dbest = d;
			best = (int64_t)b;
		}
	}
	return best;
}

/* Mean and standard deviation (n - 1) of the k values of x, stride
   apart, whose branch is known; NaN as lowrank.h says. */
static void mean_sd(const double *x, size_t stride, const int64_t *branch,
                    size_t n, double out[2])
{
	double sum = 0, sum2 = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (branch[i] >= 0) {
			sum += x[i * stride];
			k++;
		}
	out[0] = k ? sum / (double)k : NAN;
	for (size_t i = 0; i < n; i++)
		if (branch[i] >= 0)
			sum2 += (x[i * stride] - out[0]) * (x[i * stride] - out[0]);
	out[1] = k > 1 ? sqrt(sum2 / (double)(k - 1)) : NAN;
}

/* The discrepancies from the theory (lowrank.h); diff is n x (R + 3)
   scratch. */
static void discrepancies(dk_dmft_lowrank_sim_result *r,
                          const dk_dmft_lowrank_result *th, double *diff)
{
	size_t n = r->sim.networks, R = r->options.rank, w = R + 3;
	for (size_t k = 0; k < n; k++) {
		const dk_dmft_lowrank_branch *b = r->branch[k] >= 0 ?
		                                  &th->branch[r->branch[k]] : NULL;
		for (size_t q = 0; q < R; q++)
			diff[k * w + q] = b ? r->kappa[k * R + q] - b->kappa[q] : NAN;
		diff[k * w + R] = b ? r->mu[k] - b->mu : NAN;
		diff[k * w + R + 1] = b ? r->delta0[k] - b->delta0 : NAN;
		diff[k * w + R + 2] = b ? r->delta_inf[k] - b->delta_inf : NAN;
	}
	for (size_t q = 0; q < R; q++)
		mean_sd(diff + q, w, r->branch, n, r->kappa_error[q]);
	mean_sd(diff + R, w, r->branch, n, r->mu_error);
	mean_sd(diff + R + 1, w, r->branch, n, r->delta0_error);
	mean_sd(diff + R + 2, w, r->branch, n, r->delta_inf_error);
}

int dk_dmft_lowrank_simulate(const dk_dmft_lowrank_options *o,
                             const dk_dmft_sim_options *s,
                             const dk_dmft_lowrank_result *theory,
                             dk_dmft_lowrank_sim_result *r,
                             char *err, size_t errlen)
{
	dk_numeric_init();
	*r = (dk_dmft_lowrank_sim_result){.options = *o, .sim = *s};
	int st = dk_dmft_lowrank_options_check(o, err, errlen);
	if (!st)
		st = dk_dmft_sim_options_check(s, err, errlen);
	if (st)
		return st;
	size_t N = s->units, R = o->rank, n = s->networks;
	lr_sim w = {.N = N, .R = R, .dim = 2 * R + 1};
	w.chi = malloc(N * N * sizeof *w.chi);
	w.load = malloc(N * w.dim * sizeof *w.load);
	w.x = malloc(N * sizeof *w.x);
	w.f = malloc(N * sizeof *w.f);
	w.xsum = malloc(N * sizeof *w.xsum);
	r->kappa = malloc(n * R * sizeof *r->kappa);
	r->mu = malloc(n * sizeof *r->mu);
	r->delta0 = malloc(n * sizeof *r->delta0);
	r->delta_inf = malloc(n * sizeof *r->delta_inf);
	r->branch = malloc(n * sizeof *r->branch);
	st = w.chi && w.load && w.x && w.f && w.xsum && r->kappa && r->mu &&
	     r->delta0 && r->delta_inf && r->branch ? DK_OK : DK_ENOMEM;
	if (!st)
		st = dk_dmft_lowrank_sqrt_cov(o, w.L);
	for (size_t k = 0; !st && k < n; k++) {
		dk_rng *rng = dk_rng_alloc(s->seed + k);
		if (!rng) {
			st = DK_ENOMEM;
			break;
		}
		one_network(&w, o, s, rng, r->kappa + k * R, &r->mu[k],
		            &r->delta0[k], &r->delta_inf[k]);
		r->branch[k] = nearest(theory, r->kappa + k * R, r->delta0[k], R);
		dk_rng_free(rng);
	}
	double *diff = st ? NULL : malloc(n * (R + 3) * sizeof *diff);
	if (!st && !diff)
		st = DK_ENOMEM;
	if (!st)
		discrepancies(r, theory, diff);
	free(diff);
	free(w.chi);
	free(w.load);
	free(w.x);
	free(w.f);
	free(w.xsum);
	if (st) {
		dk_dmft_lowrank_sim_result_clear(r);
		return dk_errorf(st, err, errlen, st == DK_ENOMEM ? "out of memory" :
		                 "the covariance's square root failed");
	}
	return DK_OK;
}

void dk_dmft_lowrank_sim_result_clear(dk_dmft_lowrank_sim_result *r)
{
	if (!r)
		return;
	free(r->kappa);
	free(r->mu);
	free(r->delta0);
	free(r->delta_inf);
	free(r->branch);
	r->kappa = r->mu = r->delta0 = r->delta_inf = NULL;
	r->branch = NULL;
}
