/*
 * records.c -- the schema of the mean-field solutions: scs and map
 * results as dmft records, each with its definition and attrs "dmft"
 * that say what was solved, how, and to what accuracy (dmft.h).
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis/dmft/dmft.h"
#include "base/status.h"
#include "stream/names.h"

/* The accuracy the tests hold the solutions to (tests/test_dmft.c,
   tests/dmft.sh); the tolerances of the solvers are tighter. */
#define SCS_METHOD "Delta0: Brent on V(Delta0) = V(0), averages by the " \
	"trapezoidal rule; Delta(tau): rk8pd on Delta'' = Delta - g^2 C_phi " \
	"(C_phi from a Chebyshev series of the fixed-node rule or erf's closed " \
	"form) while Delta > Delta0 / 2, then rk8pd on d log Delta / dtau from energy " \
	"conservation with C_phi's Hermite series to order 61"
#define SCS_ERROR "Delta0 1e-12 relative (near g = 1, about 1e-16 / (g - 1)); " \
	"Delta and C_phi 1e-9 relative; decay 1e-12 relative (near g = 1, about " \
	"1e-16 / decay^2)"
#define MAP_METHOD "q: Newton on q = g^2 <phi(sqrt(q) z)^2>, averages in " \
	"closed form (erf) or by the trapezoidal rule on nodes fixed in " \
	"sqrt(q) z"
#define SCS_SIM_ERROR "finite N: corrections of order 1/N " \
	"and fluctuations of order 1/sqrt(N) from one network to another; " \
	"the finite window's, of relative order sqrt(tau_c / (N steps dt))"
#define MAP_ERROR "q, chi1 and lyapunov 1e-12 relative"



/* The attrs every record of a solution shares. */
static json_t *common(const char *kind, const dk_dmft_options *o, int chaotic,
                      const char *method, const char *error)
{
	return json_pack("{s:s, s:f, s:s, s:s, s:f, s:s, s:s, s:s}",
	                 "kind", kind, "gain", o->gain, "phi", o->phi->name,
	                 "formula", o->phi->formula, "critical_gain", 1.0,
	                 "phase", chaotic ? "chaotic" : "quiescent",
	                 "method", method, "error", error);
}

/* Add t as name with the shared attrs and a definition. */
static int add(dk_bundle *b, const char *name, dk_tensor *t, int axis,
               const json_t *dmft, const char *definition)
{
	static const char *const tau_axis[1] = {"tau"};
	json_t *attrs = json_pack("{s:s, s:O}", "definition", definition,
	                          "dmft", dmft);
	if (!attrs) {
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	int st = dk_bundle_add_record(b, name, t, axis ? tau_axis : NULL,
	                              axis ? 1 : 0, attrs);
	json_decref(attrs);
	return st;
}

int dk_dmft_scs_to_bundle(const dk_dmft_scs_result *r, dk_bundle *b)
{
	json_t *d = common("scs", &r->options, r->chaotic, SCS_METHOD, SCS_ERROR);
	if (!d || json_object_set_new(d, "tau_switch", isfinite(r->tau_switch) ?
	                              json_real(r->tau_switch) : json_null())) {
		json_decref(d);
		return DK_ENOMEM;
	}
	int st = add(b, DK_NAME_DMFT_DELTA0, dk_tensor_scalar(r->delta0), 0, d,
	             "Delta(0), the variance of x; 0 when quiescent (g <= 1)");
	if (!st)
		st = add(b, DK_NAME_DMFT_DECAY, dk_tensor_scalar(r->decay), 0, d,
		         "lambda = sqrt(1 - g^2 <phi'(sqrt(Delta0) z)>^2): Delta ~ "
		         "exp(-lambda tau) as tau -> inf; NaN when quiescent");
	if (!st)
		st = add(b, DK_NAME_DMFT_TAU, dk_tensor_vector(r->tau, r->n), 1, d,
		         "the lag, in units of the time constant");
	if (!st)
		st = add(b, DK_NAME_DMFT_DELTA, dk_tensor_vector(r->delta, r->n), 1, d,
		         "Delta(tau) = <x(t) x(t + tau)>");
	if (!st)
		st = add(b, DK_NAME_DMFT_CPHI, dk_tensor_vector(r->cphi, r->n), 1, d,
		         "C_phi(tau) = <phi(x(t)) phi(x(t + tau))>");
	json_decref(d);
	return st;
}

int dk_dmft_sim_to_bundle(const dk_dmft_sim_result *r, dk_bundle *b)
{
	static const char *const axes[1] = {"network"};
	const dk_dmft_sim_options *s = &r->sim;
	json_t *sim = json_pack("{s:s, s:f, s:s, s:I, s:I, s:I, s:I, s:I, s:s}",
	        "kind", "map", "gain", r->options.gain, "phi", r->options.phi->name,
	        "units", (json_int_t)s->units, "networks", (json_int_t)s->networks,
	        "seed", (json_int_t)s->seed, "transient", (json_int_t)s->transient,
	        "steps", (json_int_t)s->steps,
	        "error", "finite N: corrections of order 1/N, and fluctuations "
	        "of order 1/sqrt(N) from one network to another");
	if (!sim)
		return DK_ENOMEM;
	json_t *aq = json_pack("{s:s, s:O}", "definition",
	        "the mean of h_i^2 over units and measured steps", "sim", sim);
	json_t *al = json_pack("{s:s, s:O}", "definition",
	        "the mean growth log|J (phi'(h) v)| of a tangent vector v renormalised "
	        "every step: the largest Lyapunov exponent, per step", "sim", sim);
	json_decref(sim);
	int st = aq && al ? DK_OK : DK_ENOMEM;
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_SIM_Q,
		                          dk_tensor_vector(r->q, s->networks), axes, 1, aq);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_SIM_LYAPUNOV,
		                          dk_tensor_vector(r->lyapunov, s->networks), axes, 1, al);
	json_decref(aq);
	json_decref(al);
	return st;
}

int dk_dmft_scs_sim_to_bundle(const dk_dmft_scs_sim_result *r, dk_bundle *b)
{
	static const char *const axes[2] = {"network", "tau"};
	const dk_dmft_sim_options *s = &r->sim;
	/* Euler's attrs are those written before there was a choice, so
	   that its outputs keep their bytes; the others say which */
	static const char *const error[] = {
		"Euler's, of order dt; " SCS_SIM_ERROR,
		"Heun's, of order dt^2; " SCS_SIM_ERROR,
		"RK4's, of order dt^4; " SCS_SIM_ERROR};
	json_t *sim = json_pack("{s:s, s:f, s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:s}",
	        "kind", "scs", "gain", r->options.gain, "phi", r->options.phi->name,
	        "units", (json_int_t)s->units, "networks", (json_int_t)s->networks,
	        "seed", (json_int_t)s->seed, "transient", (json_int_t)s->transient,
	        "steps", (json_int_t)s->steps, "dt", DK_DMFT_SCS_DT,
	        "error", error[s->integrator]);
	if (sim && s->integrator != DK_DMFT_EULER &&
	    json_object_set_new(sim, "integrator", json_string(
	        dk_dmft_integrator_name(s->integrator)))) {
		json_decref(sim);
		sim = NULL;
	}
	if (!sim)
		return DK_ENOMEM;
	json_t *a0 = json_pack("{s:s, s:O}", "definition",
	        "the mean of x_i(t)^2 over units and recorded steps", "sim", sim);
	json_t *ad = json_pack("{s:s, s:O}", "definition",
	        "Delta(tau), the mean of x_i(t) x_i(t + tau) over units and "
	        "recorded steps, at the lags of dmft/tau; NaN past half the window",
	        "sim", sim);
	json_decref(sim);
	int st = a0 && ad ? DK_OK : DK_ENOMEM;
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_SIM_DELTA0,
		                          dk_tensor_vector(r->delta0, s->networks), axes,
		                          1, a0);
	if (!st) {
		size_t shape[2] = {s->networks, r->n};
		dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 2, shape);
		if (t)
			memcpy(t->data, r->delta, s->networks * r->n * sizeof *r->delta);
		st = t ? dk_bundle_add_record(b, DK_NAME_SIM_DELTA, t, axes, 2, ad) :
		         DK_ENOMEM;
	}
	json_decref(a0);
	json_decref(ad);
	return st;
}

int dk_dmft_map_to_bundle(const dk_dmft_map_result *r, dk_bundle *b)
{
	json_t *d = common("map", &r->options, r->chaotic, MAP_METHOD, MAP_ERROR);
	if (!d)
		return DK_ENOMEM;
	int st = add(b, DK_NAME_DMFT_Q, dk_tensor_scalar(r->q), 0, d,
	             "the fixed point q = g^2 <phi(sqrt(q) z)^2>, the variance of h");
	if (!st)
		st = add(b, DK_NAME_DMFT_CHI1, dk_tensor_scalar(r->chi1), 0, d,
		         "chi1 = g^2 <phi'(sqrt(q) z)^2>");
	if (!st)
		st = add(b, DK_NAME_DMFT_LYAPUNOV, dk_tensor_scalar(r->lyapunov), 0, d,
		         "the largest Lyapunov exponent log(chi1) / 2, per step");
	json_decref(d);
	return st;
}
