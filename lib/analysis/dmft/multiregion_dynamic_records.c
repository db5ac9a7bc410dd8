/*
 * multiregion_dynamic_records.c -- the schema of the nonstationary
 * multiregion theory (multiregion_dynamic.h): the currents and each
 * region's variance over time, and the autocorrelation at the last time
 * over the band's lags, each with attrs "dmft" that give the model, the
 * discretisation and each region's static theory and phase.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/dmft/multiregion_dynamic.h"
#include "base/status.h"
#include "stream/names.h"

#define DYN_CONVENTION "S^{mu nu} is the current from region nu to region " \
	"mu: dS^{mu nu}/dt = -S^{mu nu} + psi(Delta^nu(t, t)) sum_rho " \
	"T^{mu nu rho} S^{nu rho}; Delta^mu(t, s) = sum U^{mu nu rho} " \
	"S^{mu nu}(t) S^{mu rho}(s) + D^mu(t, s), (1 + d_t)(1 + d_s) D^mu = " \
	"g_mu^2 C_phi^mu(t, s), D^mu(0, 0) = delta_init; with a, b, signs: " \
	"T^{mu nu rho} = delta_{mu rho} c^{mu nu}, c = u u^T + diag(a - b), " \
	"u = signs sqrt(b), U = 1"
#define DYN_METHOD "Euler steps of dt for S, D(t, s) in t and G(t, s) = " \
	"(1 + d_t) D in s, over lags up to band_steps; beyond the band C_phi " \
	"is taken at the band's edge"
#define DYN_ERROR "first order: O(dt) at a fixed time (halving dt halves " \
	"it); with a band, also C_phi's change beyond it"


/* One of the static theory's fields per region, or null without it. */
static json_t *statics(const dk_dmft_dyn_result *r, int field)
{
	if (!r->statics)
		return json_null();
	json_t *a = json_array();
	for (size_t m = 0; a && m < r->P; m++) {
		const dk_dmft_region_static *s = &r->statics[m];
		json_t *v = field == 0 ? json_real(s->delta0) :
		            field == 1 ? json_real(s->delta_inf) :
		            field == 2 ? json_real(s->A) :
		            json_string(dk_dmft_region_phase_name(s->phase));
		if (json_array_append_new(a, v)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *attrs_of(const dk_dmft_dyn_result *r)
{
	const dk_dmft_dyn_options *o = &r->options;
	size_t P = r->P, P3 = P * P * P;
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:f, "
	                 "s:f, s:I, s:f, s:o, s:I, s:o, s:o, s:o, s:o, s:s, s:s, "
	                 "s:s, s:s}",
	        "kind", "multiregion", "regions", (json_int_t)P,
	        "a", dk_meta_reals(r->a, P), "b", dk_meta_reals(r->b, P),
	        "signs", dk_meta_reals(r->signs, P), "T", dk_meta_reals(o->model.T, P3),
	        "U", dk_meta_reals(o->model.U, P3), "gain", dk_meta_reals(r->gain, P),
	        "dt", o->dt, "t_max", (double)r->steps * o->dt, "band", o->band,
	        "band_steps", (json_int_t)r->band_steps,
	        "delta_init", o->delta_init, "S0", dk_meta_reals(r->S0, P * P),
	        "seed", (json_int_t)o->model.seed,
	        "static_delta0", statics(r, 0), "static_delta_inf", statics(r, 1),
	        "static_A", statics(r, 2), "phase", statics(r, 3),
	        "convention", DYN_CONVENTION, "phi", "erf(sqrt(pi) x / 2)",
	        "method", DYN_METHOD, "error", DYN_ERROR);
}

static int add(dk_bundle *b, const char *name, const double *v, int rank,
               const size_t *shape, const char *const *axes, const char *key,
               const json_t *dmft, const char *definition)
{
	size_t count = 1;
	for (int i = 0; i < rank; i++)
		count *= shape[i];
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape);
	json_t *attrs = json_pack("{s:s, s:O}", "definition", definition,
	                          key, dmft);
	if (!t || !attrs) {
		dk_tensor_free(t);
		json_decref(attrs);
		return DK_ENOMEM;
	}
	memcpy(t->data, v, count * sizeof *v);
	int st = dk_bundle_add_record(b, name, t, axes, (size_t)rank, attrs);
	json_decref(attrs);
	return st;
}

int dk_dmft_dyn_to_bundle(const dk_dmft_dyn_result *r, dk_bundle *b)
{
	static const char *const time_axes[3] = {"time", "region", "region"};
	static const char *const lag_axes[2] = {"lag", "region"};
	size_t P = r->P, n = r->steps + 1;
	json_t *d = attrs_of(r);
	if (!d)
		return DK_ENOMEM;
	size_t s3[3] = {n, P, P}, s2[2] = {n, P}, sl[2] = {r->lags, P};
	int st = add(b, DK_NAME_DMFT_S_T, r->S, 3, s3, time_axes, "dmft", d,
	             "S^{mu nu}(t) at t = j dt: the current from region nu to "
	             "region mu");
	if (!st)
		st = add(b, DK_NAME_DMFT_DELTA_T, r->delta, 2, s2, time_axes, "dmft", d,
		         "Delta^mu(t, t) at t = j dt: the variance of region mu's "
		         "units; the static theory's is attrs dmft.static_delta0");
	if (!st)
		st = add(b, DK_NAME_DMFT_DELTA_LAG, r->delta_lag, 2, sl, lag_axes, "dmft", d,
		         "Delta^mu(t_max, t_max - k dt), k = 0..band_steps: the "
		         "autocorrelation at the last time; the static part it "
		         "settles to is attrs dmft.static_delta_inf");
	json_decref(d);
	return st;
}

/* The largest of n values, and the largest |a - b| (null when the
   theory is of other times or regions). */
static double largest(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmax(m, v[i]);
	return m;
}

static json_t *discrepancy(const double *a, const double *b, size_t n, int same)
{
	if (!same)
		return json_null();
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmax(m, fabs(a[i] - b[i]));
	return json_real(m);
}

int dk_dmft_dyn_sim_to_bundle(const dk_dmft_dyn_sim_result *r,
                              const dk_dmft_dyn_result *th, dk_bundle *out)
{
	static const char *const time_axes[3] = {"time", "region", "region"};
	size_t P = r->P, n = r->steps + 1;
	int same = th && th->P == P && th->steps == r->steps;
	json_t *d = json_pack("{s:I, s:I, s:I, s:f, s:f, s:f, s:o, s:o, s:s, s:s}",
	        "units", (json_int_t)r->units, "networks", (json_int_t)r->networks,
	        "seed", (json_int_t)r->seed, "dt", r->dt,
	        "spread_S", largest(r->S_sd, n * P * P),
	        "spread_delta", largest(r->delta_sd, n * P),
	        "discrepancy_S", discrepancy(r->S, same ? th->S : NULL, n * P * P, same),
	        "discrepancy_delta", discrepancy(r->delta, same ? th->delta : NULL,
	                                         n * P, same),
	        "start", "x^mu(0) = sum_nu m^{mu nu} S0^{mu nu} + sqrt(delta_init) z, "
	                 "S0 the theory's",
	        "error", "the networks differ from the theory by O(1 / sqrt(N)): "
	                 "spread_* is the largest standard deviation over the "
	                 "networks, discrepancy_* the largest |mean - theory|");
	if (!d)
		return DK_ENOMEM;
	size_t s3[3] = {n, P, P}, s2[2] = {n, P};
	int st = add(out, DK_NAME_SIM_S_T, r->S, 3, s3, time_axes, "sim", d,
	             "S^{mu nu}(t) at t = j dt, the mean over the networks: the "
	             "filtered current from region nu to region mu, S(t_j) = (1 - "
	             "dt) S(t_{j-1}) + dt n^{mu nu} . phi(x^nu(t_{j-1})) / N");
	if (!st)
		st = add(out, DK_NAME_SIM_DELTA_T, r->delta, 2, s2, time_axes, "sim", d,
		         "Delta^mu(t, t) at t = j dt, the mean over the networks of "
		         "|x^mu(t)|^2 / N");
	json_decref(d);
	return st;
}
