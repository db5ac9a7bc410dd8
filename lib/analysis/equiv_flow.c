/*
 * equiv_flow.c -- equivariance under flows (see equiv.h): shifts that
 * grow with time, on rings, with a velocity lift where the model has one
 * (the fernn): the velocities measured, the slices compared, the errors
 * along the trajectories and the verdict.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv.h"
#include "analysis/equiv_impl.h"
#include "base/status.h"

/*
 * Flows (see equiv.h).  The state is S = 2 v + 1 slices of `rows` rings
 * of N units (S = 1 without a lift); the flowed run is stepped beside
 * the original one, and each is the model's own batched step on its own
 * data, so an equivariant model gives the same numbers permuted.
 */

/* out = T_s in for `rows` rows of n units, (T_s x)[j][i] = x[j][(i - s)
   mod n], s taken mod n. */
static void roll(size_t rows, size_t n, int64_t s, const double *in, double *out)
{
	int64_t N = (int64_t)n;
	size_t k = (size_t)(((s % N) + N) % N);
	for (size_t j = 0; j < rows; j++)
		for (size_t i = 0; i < n; i++)
			out[j * n + (i + k) % n] = in[j * n + i];
}

/* mu t mod n, without the product overflowing. */
static int64_t flow_move(int64_t mu, size_t t, size_t n)
{
	int64_t N = (int64_t)n;
	return (mu % N) * (int64_t)(t % n) % N;
}

/* The slice whose flowed run slice a of S follows at velocity mu: a - mu
   when that is a slice (velocity nu - mu in V), -1 when it is not; a
   model without a lift is its own one slice's partner. */
static long flow_partner(size_t a, int64_t mu, size_t S, int lifted)
{
	if (!lifted)
		return (long)a;
	int64_t p = (int64_t)a - mu;
	return p < 0 || p >= (int64_t)S ? -1 : (long)p;
}

/* The velocities: one, or every nonzero one in -v .. v (-1 and 1
   without a lift). */
int dk_equiv_list_velocities(const dk_equiv_options *o, dk_equiv_result *r,
                             size_t v, char *err, size_t errlen)
{
	r->axes = 1;
	r->elements = o->velocity ? 1 : v ? 2 * v : 2;
	r->shifts = calloc(r->elements, sizeof *r->shifts);
	r->compared = calloc(r->elements, sizeof *r->compared);
	r->unpartnered_error = calloc(r->elements, sizeof *r->unpartnered_error);
	if (!r->shifts || !r->compared || !r->unpartnered_error)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	if (o->velocity)
		r->shifts[0] = o->velocity;
	else if (!v)
		r->shifts[0] = -1, r->shifts[1] = 1;
	else
		for (size_t e = 0, a = 0; a <= 2 * v; a++)
			if (a != v)
				r->shifts[e++] = (int64_t)a - (int64_t)v;
	return DK_OK;
}

/* The trajectory errors of velocity e over the slices with a partner. */
int dk_equiv_flow_measure(const dk_model *m, dk_model_work *w,
                          const dk_equiv_start *st, scratch *s, medium md,
                          dk_equiv_result *r, size_t e, char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t B = st->batch, T = st->steps, N = md.W, S = r->slices;
	size_t rows = md.C / S, CN = rows * N;
	int lifted = S > 1;
	int64_t mu = r->shifts[e];
	size_t compared = 0;
	for (size_t a = 0; a < S; a++)
		compared += flow_partner(a, mu, S, lifted) >= 0;
	if (!compared)
		return dk_errorf(DK_EINVAL, err, errlen, "velocity %lld: no slice "
		                 "nu has its partner nu - mu in -%zu .. %zu",
		                 (long long)mu, S / 2, S / 2);
	r->compared[e] = compared;
	r->unpartnered_error[e] = NAN;
	memcpy(s->x, st->x0, B * n * sizeof *s->x);
	for (size_t b = 0; b < B; b++)
		for (size_t a = 0; a < S; a++) {
			long p = flow_partner(a, mu, S, lifted);
			roll(rows, N, -(mu % (int64_t)N), st->x0 + b * n +
			     (p < 0 ? a : (size_t)p) * CN, s->y + b * n + a * CN);
		}
	for (size_t t = 0; t < T; t++) {
		const double *u = nu ? st->u + t * B * nu : NULL;
		const double *gu = u;
		int64_t move = flow_move(mu, t, N);
		if (u && r->input_transformed) {
			roll(B * nu / N, N, move, u, s->gu);
			gu = s->gu;
		}
		int rc = dk_model_step(m, w, B, s->x, u, s->xn, NULL);
		if (!rc)
			rc = dk_model_step(m, w, B, s->y, gu, s->yn, NULL);
		if (rc)
			return dk_errorf(rc, err, errlen, "the model's step: %s",
			                 dk_strerror(rc));
		size_t bad = dk_equiv_first_not_finite(B * n, s->xn);
		if (bad < B * n)
			return dk_errorf(DK_EINVAL, err, errlen, "the trajectory of entry "
			                 "%zu stops being finite at step %zu", bad / n, t + 1);
		/* h'_nu(t + 1) against T_{mu t} h_{nu - mu}(t + 1) */
		/* and, reported only, a slice without a partner against its own
		   slice moved alike: the truncation of V, bound by nothing */
		double worst[2] = {0, 0};
		for (size_t b = 0; b < B; b++) {
			double num[2] = {0, 0}, den[2] = {0, 0};
			for (size_t a = 0; a < S; a++) {
				long p = flow_partner(a, mu, S, lifted);
				int c = p < 0;
				roll(rows, N, move, s->xn + b * n + (c ? a : (size_t)p) * CN,
				     s->ref);
				const double *y = s->yn + b * n + a * CN;
				for (size_t i = 0; i < CN; i++) {
					double d = y[i] - s->ref[i];
					num[c] += d * d;
					den[c] += s->ref[i] * s->ref[i];
				}
			}
			for (int c = 0; c < 2; c++) {
				double x = num[c] == 0 ? 0 : den[c] == 0 ? INFINITY
				                                         : sqrt(num[c] / den[c]);
				worst[c] = fmax(worst[c], isnan(x) ? INFINITY : x);
			}
		}
		r->trajectory_error[e * T + t] = worst[0];
		if (compared < S)
			r->unpartnered_error[e] = fmax(t ? r->unpartnered_error[e] : 0,
			                               worst[1]);
		memcpy(s->x, s->xn, B * n * sizeof *s->x);
		memcpy(s->y, s->yn, B * n * sizeof *s->y);
	}
	r->step_error[e] = r->free_error[e] = NAN;
	return DK_OK;
}

/* The verdict of a flow: only trajectories are measured. */
void dk_equiv_judge_flow(dk_equiv_result *r, size_t m, size_t ring_units)
{
	size_t T = r->steps;
	r->max = 0, r->worst = 0, r->first_step = 0;
	for (size_t e = 0; e < r->elements; e++) {
		double v = 0;
		for (size_t t = 0; t < T; t++) {
			double x = r->trajectory_error[e * T + t];
			v = fmax(v, x);
			if (x > r->tolerance && (!r->first_step || t + 1 < r->first_step))
				r->first_step = t + 1;
		}
		r->error[e] = v;
		if (v > r->max || e == 0)
			r->max = v, r->worst = e;
	}
	r->equivariant = r->max <= r->tolerance;
	r->breaks = r->equivariant ? DK_EQUIV_BREAKS_NONE
	                           : DK_EQUIV_BREAKS_TRAJECTORY;
	char input[160] = "";
	if (m && !r->input_transformed)
		snprintf(input, sizeof input, "; the input was left as it is: its width "
		         "%zu is not a multiple of a ring's %zu units", m, ring_units);
	long long mu = (long long)r->shifts[r->worst];
	if (r->equivariant)
		snprintf(r->summary, sizeof r->summary, "flow-equivariant to %g over "
		         "%zu velocit%s and %zu steps (largest error %.3g, velocity "
		         "%lld)%s", r->tolerance, r->elements,
		         r->elements == 1 ? "y" : "ies", T, r->max, mu, input);
	else
		snprintf(r->summary, sizeof r->summary, "not flow-equivariant: the "
		         "flowed run parts from the original moved along by %.3g "
		         "(velocity %lld) from step %zu on%s", r->max, mu,
		         r->first_step, input);
}

/* The flow's slices: 2 v + 1 of the layout's rings each (one without a
   lift); DK_EINVAL with a message on sheets or rings that do not split. */
int dk_equiv_flow_slices(const dk_model *m, dk_equiv_result *r, char *err,
                         size_t errlen)
{
	if (r->layout.rank != 2)
		return dk_errorf(DK_EINVAL, err, errlen, "group: flows act on rings "
		                 "only, and the %s model's state lies on sheets",
		                 dk_model_kind(m));
	const dk_model_spec *spec = dk_model_spec_of(m);
	size_t v = spec ? spec->velocities : 0;
	r->slices = 2 * v + 1;
	if (r->layout.shape[0] % r->slices)
		return dk_errorf(DK_EINVAL, err, errlen, "rings: the %zu rings do not "
		                 "split into the model's %zu velocity slices",
		                 r->layout.shape[0], r->slices);
	return DK_OK;
}
