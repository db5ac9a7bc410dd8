/*
 * multiregion_records.c -- the schema of the multiregion fixed points
 * (multiregion.h): the currents, their row sums of squares, the
 * residuals, and T-hat's spectrum as dmft records, each with attrs
 * "dmft" that give the model, the prediction and how it was solved.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/dmft/multiregion.h"
#include "base/status.h"
#include "stream/names.h"

#define MULTI_CONVENTION "S^{mu nu} is the current from region nu to region " \
	"mu: dS^{mu nu}/dt = -S^{mu nu} + psi(Delta^nu) sum_rho T^{mu nu rho} " \
	"S^{nu rho}, Delta^mu = sum U^{mu nu rho} S^{mu nu} S^{mu rho}, psi(Delta) " \
	"= 1/sqrt(1 + pi Delta/2); with a, b, signs: T^{mu nu rho} = " \
	"delta_{mu rho} c^{mu nu}, c = u u^T + diag(a - b), u = signs sqrt(b), U = 1"
#define MULTI_METHOD "from each start, Euler steps of the flow until max |F(S) " \
	"- S| < 1e-6, then least-norm Newton steps (dgelsd); T-hat's eigenvalues " \
	"by dgeev"
#define MULTI_ERROR "each fixed point to its residual max |F(S) - S| (at most " \
	"tol when converged); A to about its residual times the size of S; " \
	"T-hat's eigenvalues to a few ulps of its norm"



static json_t *attrs_of(const dk_dmft_multi_result *r)
{
	const dk_dmft_multi_options *o = &r->options;
	size_t P = r->P, P3 = P * P * P;
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:s, "
	                 "s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:b, s:f, s:s, s:s}",
	        "kind", "multiregion", "regions", (json_int_t)P,
	        "a", dk_meta_reals(r->a, P), "b", dk_meta_reals(r->b, P),
	        "signs", dk_meta_reals(r->signs, P), "prediction", dk_meta_reals(r->prediction, P),
	        "T", dk_meta_reals(o->T, P3), "U", dk_meta_reals(o->U, P3),
	        "convention", MULTI_CONVENTION, "phi", "erf(sqrt(pi) x / 2)",
	        "starts", (json_int_t)r->K, "seed", (json_int_t)o->seed,
	        "init_scale", o->init_scale, "tol", o->tol,
	        "max_steps", (json_int_t)o->max_steps,
	        "converged", (json_int_t)r->converged,
	        "zero_stable", r->zero_stable, "that_max_re", r->that_max_re,
	        "method", MULTI_METHOD, "error", MULTI_ERROR);
}

static dk_tensor *reals_tensor(dk_dtype dtype, const double *v, int rank,
                               const size_t *shape, size_t count)
{
	dk_tensor *t = dk_tensor_alloc(dtype, 0, rank, shape);
	if (t)
		memcpy(t->data, v, count * sizeof *v);
	return t;
}

static int add(dk_bundle *b, const char *name, dk_tensor *t,
               const char *const *axes, size_t naxes, const json_t *dmft,
               const char *definition)
{
	json_t *attrs = json_pack("{s:s, s:O}", "definition", definition,
	                          "dmft", dmft);
	if (!attrs) {
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, name, t, axes, naxes, attrs);
	json_decref(attrs);
	return st;
}

int dk_dmft_multi_to_bundle(const dk_dmft_multi_result *r, dk_bundle *b)
{
	static const char *const axes[3] = {"start", "region", "region"};
	static const char *const eig_axis[1] = {"eigenvalue"};
	size_t P = r->P, K = r->K, n = P * P;
	json_t *d = attrs_of(r);
	if (!d)
		return DK_ENOMEM;
	size_t s3[3] = {K, P, P}, s2[2] = {K, P}, s1[1] = {K}, se[1] = {n};
	int st = add(b, DK_NAME_DMFT_S, reals_tensor(DK_F8, r->S, 3, s3, K * n),
	             axes, 3, d, "S^{mu nu} at the fixed point reached from each "
	             "start: the current from region nu to region mu");
	if (!st)
		st = add(b, DK_NAME_DMFT_A, reals_tensor(DK_F8, r->A, 2, s2, K * P),
		         axes, 2, d, "A^mu = sum_nu (S^{mu nu})^2 at each fixed point; "
		         "the paper predicts psi^{-1}(1 / max(a_mu, b_mu)) (attrs "
		         "dmft.prediction)");
	if (!st)
		st = add(b, DK_NAME_DMFT_RESIDUAL,
		         reals_tensor(DK_F8, r->residual, 1, s1, K), axes, 1, d,
		         "max |F(S) - S| at each start's fixed point; above tol when "
		         "the start did not converge");
	if (!st)
		st = add(b, DK_NAME_DMFT_THAT_EIG,
		         reals_tensor(DK_C16, r->that_eig, 1, se, 2 * n), eig_axis, 1,
		         d, "the eigenvalues of T-hat[(mu nu), (rho sigma)] = "
		         "delta_{nu rho} T^{mu nu sigma}, by real part descending: S = 0 "
		         "is stable when all real parts are below 1");
	if (!st) {
		dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 0, NULL);
		if (t)
			((double *)t->data)[0] = r->that_max_re;
		st = add(b, DK_NAME_DMFT_THAT_MAX_RE, t, NULL, 0, d,
		         "max Re lambda(T-hat): S = 0 is stable below 1");
	}
	json_decref(d);
	return st;
}

/* ---- the network simulated (multiregion_simulate.c) ---- */

#define SIM_START "x^mu = 2.5 sum_nu m^{mu nu} z_nu / sqrt(P), z ~ N(0, 1): " \
	"the paper's start"
#define SIM_ERROR "finite N: fluctuations of order 1/sqrt(N) from one network " \
	"to another (the loadings' sample overlaps differ from T by that much); " \
	"A also carries what is left of the transient"

int dk_dmft_multi_sim_to_bundle(const dk_dmft_multi_sim_result *r,
                                dk_bundle *out)
{
	static const char *const axes[4] = {"network", "step", "region", "region"};
	static const char *const a_axes[2] = {"network", "region"};
	const dk_dmft_sim_options *s = &r->sim;
	size_t P = r->P, K = s->networks;
	json_t *d = json_pack("{s:s, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, "
	                      "s:f, s:s, s:s, s:s}",
	        "kind", "multiregion", "regions", (json_int_t)P,
	        "a", dk_meta_reals(r->a, P), "b", dk_meta_reals(r->b, P), "signs", dk_meta_reals(r->signs, P),
	        "units", (json_int_t)s->units, "networks", (json_int_t)K,
	        "seed", (json_int_t)s->seed, "transient", (json_int_t)s->transient,
	        "steps", (json_int_t)s->steps, "dt", r->dt,
	        "start", SIM_START, "phi", "erf(sqrt(pi) x / 2)", "error", SIM_ERROR);
	if (!d)
		return DK_ENOMEM;
	size_t s4[4] = {K, r->samples, P, P}, s2[2] = {K, P};
	json_t *as = json_pack("{s:s, s:O}", "definition", "S^{mu nu} = n^{mu nu} . "
	                       "phi(x^nu) / N, the current from region nu to region "
	                       "mu, at the start and after each step of dt", "sim", d);
	json_t *aa = json_pack("{s:s, s:O}", "definition", "A^mu = sum_nu "
	                       "(S^{mu nu})^2, averaged over the measured steps (after "
	                       "the transient)", "sim", d);
	json_decref(d);
	int st = as && aa ? DK_OK : DK_ENOMEM;
	if (!st)
		st = dk_bundle_add_record(out, DK_NAME_SIM_S,
		                          reals_tensor(DK_F8, r->S, 4, s4, K * r->samples * P * P),
		                          axes, 4, as);
	if (!st)
		st = dk_bundle_add_record(out, DK_NAME_SIM_A,
		                          reals_tensor(DK_F8, r->A, 2, s2, K * P), a_axes, 2, aa);
	json_decref(as);
	json_decref(aa);
	return st;
}
