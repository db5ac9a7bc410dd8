/*
 * lowrank_records.c -- the schema of the low-rank mean-field branches
 * and of their simulation (lowrank.h): one value (or one row) per branch
 * or per network, with attrs that give the model, how it was solved and
 * to what accuracy.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/dmft/lowrank.h"
#include "base/status.h"
#include "stream/meta.h"
#include "stream/names.h"

#define LOWRANK_MODEL "dx_i/dt = -x_i + sum_j J_ij phi(x_j) + I_i, J_ij = g " \
	"chi_ij + sum_r m^r_i n^r_j / N, chi_ij ~ N(0, 1/N); (m^1..m^R, n^1..n^R, " \
	"I) of each unit Gaussian with mean `mean` and covariance `cov` in that order"
#define LOWRANK_METHOD "damped fixed-point iteration from a grid of kappa " \
	"starts, then Newton with a central-difference Jacobian to a residual " \
	"below 1e-12; averages by the trapezoidal rule shifted by mu"
#define LOWRANK_ERROR "kappa, mu, Delta0, Delta_inf to about 1e-12 (their " \
	"residual, over the equations' conditioning); the outliers exact at " \
	"g = 0, to leading order for g > 0"

/* The attrs every record of the theory shares. */
static json_t *theory_attrs(const dk_dmft_lowrank_options *o)
{
	size_t dim = 2 * o->rank + 1;
	double cov[DK_DMFT_LOWRANK_MAX_DIM * DK_DMFT_LOWRANK_MAX_DIM];
	for (size_t i = 0; i < dim; i++)
		for (size_t j = 0; j < dim; j++)
			cov[i * dim + j] = o->cov[i][j];
	json_t *states = json_pack("[s, s, s]",
	        dk_dmft_lowrank_state_name(DK_DMFT_LOWRANK_STABLE),
	        dk_dmft_lowrank_state_name(DK_DMFT_LOWRANK_UNSTABLE),
	        dk_dmft_lowrank_state_name(DK_DMFT_LOWRANK_CHAOTIC));
	return json_pack("{s:s, s:I, s:f, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o}",
	        "kind", "lowrank", "rank", (json_int_t)o->rank, "gain", o->gain,
	        "phi", o->phi->name, "formula", o->phi->formula,
	        "mean", dk_meta_reals(o->mean, dim), "cov", dk_meta_reals(cov, dim * dim),
	        "model", LOWRANK_MODEL, "method", LOWRANK_METHOD,
	        "error", LOWRANK_ERROR, "states", states);
}

static int add(dk_bundle *b, const char *name, dk_tensor *t,
               const char *const *axes, int naxes, const char *key,
               json_t *shared, const char *definition)
{
	json_t *attrs = json_pack("{s:s, s:O}", "definition", definition, key,
	                          shared);
	if (!attrs || !t) {
		json_decref(attrs);
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, name, t, axes, naxes, attrs);
	json_decref(attrs);
	return st;
}

/* A tensor of n rows of `cols` values (cols 0: a vector of one), each
   row copied from base + i stride (n structs, stride bytes apart). */
static dk_tensor *gather(dk_dtype dtype, const void *base, size_t stride,
                         size_t n, size_t cols)
{
	size_t shape[2] = {n, cols};
	dk_tensor *t = dk_tensor_alloc(dtype, 0, cols ? 2 : 1, shape);
	if (!t)
		return NULL;
	size_t width = (cols ? cols : 1) * (dtype == DK_C16 ? 2 : 1) * sizeof(double);
	for (size_t i = 0; i < n; i++)
		memcpy((char *)t->data + i * width, (const char *)base + i * stride,
		       width);
	return t;
}

int dk_dmft_lowrank_to_bundle(const dk_dmft_lowrank_result *r, dk_bundle *b)
{
	static const char *const axes[2] = {"branch", "rank"};
	const dk_dmft_lowrank_branch *br = r->branch;
	size_t n = r->branches, R = r->options.rank, sz = sizeof *br;
	json_t *d = theory_attrs(&r->options);
	if (!d)
		return DK_ENOMEM;
	double state[DK_DMFT_LOWRANK_MAX_BRANCHES];
	for (size_t i = 0; i < n; i++)
		state[i] = br[i].state;
	int st = add(b, DK_NAME_DMFT_KAPPA, gather(DK_F8, br->kappa, sz, n, R),
	             axes, 2, "dmft", d,
	             "kappa_r = <n^r phi(x)>, the low-rank input along m^r");
	if (!st)
		st = add(b, DK_NAME_DMFT_MU, gather(DK_F8, &br->mu, sz, n, 0), axes,
		         1, "dmft", d, "mu = sum_r M_m^r kappa_r + M_I, the mean of x");
	if (!st)
		st = add(b, DK_NAME_DMFT_DELTA0, gather(DK_F8, &br->delta0, sz, n, 0),
		         axes, 1, "dmft", d, "Delta0, the variance of x over units "
		         "and time");
	if (!st)
		st = add(b, DK_NAME_DMFT_DELTA_INF,
		         gather(DK_F8, &br->delta_inf, sz, n, 0), axes, 1, "dmft", d,
		         "Delta_inf, the variance over units of x's time average "
		         "(= Delta0 on a stationary branch)");
	if (!st)
		st = add(b, DK_NAME_DMFT_BULK_RADIUS,
		         gather(DK_F8, &br->bulk_radius, sz, n, 0), axes, 1, "dmft", d,
		         "g sqrt(<phi'(x)^2>), the radius of the disc of eigenvalues of "
		         "J diag(phi'(x)); stationary and stable needs it below 1");
	if (!st)
		st = add(b, DK_NAME_DMFT_OUTLIERS,
		         gather(DK_C16, br->outliers, sz, n, R), axes, 2, "dmft", d,
		         "the eigenvalues of A_rs = <n^r phi'(x) m^s>, the outliers of "
		         "J diag(phi'(x)), by real part descending; stationary and "
		         "stable needs their real parts below 1");
	if (!st)
		st = add(b, DK_NAME_DMFT_STATE, dk_tensor_vector(state, n), axes, 1,
		         "dmft", d, "0 stationary stable, 1 stationary unstable, "
		         "2 chaotic (attr states)");
	json_decref(d);
	return st;
}

/* A real, or null for NaN (JSON has no NaN). */
static json_t *real_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *pair(const double v[2])
{
	return json_pack("{s:o, s:o}", "mean", real_or_null(v[0]),
	                 "sd", real_or_null(v[1]));
}

/* The finite-N discrepancies (lowrank.h) as {mean, sd} each. */
static json_t *discrepancy(const dk_dmft_lowrank_sim_result *r)
{
	json_t *k = json_array();
	for (size_t q = 0; k && q < r->options.rank; q++)
		if (json_array_append_new(k, pair(r->kappa_error[q]))) {
			json_decref(k);
			k = NULL;
		}
	if (!k)
		return NULL;
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "definition",
	        "sim minus the theory's branch each network landed on (sim/branch): "
	        "mean and standard deviation over those networks (null for too few)",
	        "kappa", k, "mu", pair(r->mu_error), "delta0", pair(r->delta0_error),
	        "delta_inf", pair(r->delta_inf_error));
}

int dk_dmft_lowrank_sim_to_bundle(const dk_dmft_lowrank_sim_result *r,
                                  dk_bundle *b)
{
	static const char *const axes[2] = {"network", "rank"};
	const dk_dmft_sim_options *s = &r->sim;
	size_t n = s->networks, R = r->options.rank, shape[2] = {n, R};
	json_t *sim = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:s}",
	        "kind", "lowrank", "units", (json_int_t)s->units,
	        "networks", (json_int_t)n, "seed", (json_int_t)s->seed,
	        "transient", (json_int_t)s->transient,
	        "steps", (json_int_t)s->steps, "dt", DK_DMFT_SCS_DT,
	        "error", "finite N: fluctuations of order 1/sqrt(N) from one "
	        "network to another; Euler's, of order dt; delta_inf biased up by "
	        "the time-varying part's residual mean over the window");
	json_t *theory = sim ? theory_attrs(&r->options) : NULL;
	if (!theory || json_object_set_new(sim, "model", theory) ||
	    json_object_set_new(sim, "discrepancy", discrepancy(r))) {
		json_decref(sim);
		return DK_ENOMEM;
	}
	dk_tensor *kappa = dk_tensor_alloc(DK_F8, 0, 2, shape);
	if (kappa)
		memcpy(kappa->data, r->kappa, n * R * sizeof *r->kappa);
	int st = add(b, DK_NAME_SIM_KAPPA, kappa, axes, 2, "sim", sim,
	             "the mean of n^r_i phi(x_i) over units and measured steps");
	if (!st)
		st = add(b, DK_NAME_SIM_MU, dk_tensor_vector(r->mu, n), axes, 1, "sim",
		         sim, "the mean of x_i over units and measured steps");
	if (!st)
		st = add(b, DK_NAME_SIM_DELTA0, dk_tensor_vector(r->delta0, n), axes,
		         1, "sim", sim, "the variance of x_i over units and measured "
		         "steps");
	if (!st)
		st = add(b, DK_NAME_SIM_DELTA_INF, dk_tensor_vector(r->delta_inf, n),
		         axes, 1, "sim", sim, "the variance over units of each "
		         "unit's mean over the measured steps");
	dk_tensor *branch = st ? NULL : dk_tensor_alloc(DK_I8, 0, 1, shape);
	if (branch)
		memcpy(branch->data, r->branch, n * sizeof *r->branch);
	if (!st)
		st = add(b, DK_NAME_SIM_BRANCH, branch, axes, 1, "sim", sim,
		         "the index of the theory's branch (dmft/kappa) nearest in "
		         "kappa and Delta0 among the stable stationary and chaotic "
		         "ones, -1 without one");
	json_decref(sim);
	return st;
}
