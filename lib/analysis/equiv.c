/*
 * equiv.c -- the shift equivariance of a model (see equiv.h): its
 * options, the medium the shifts act on, the trajectories from the start
 * and from its shifted copy, the errors per shift and step, and the
 * verdict with the part that breaks it; flows are equiv_flow.c's, and
 * the groups a model declares and the elements that act unit by unit
 * (sign flips, permutations: signed permutations measured here as a
 * shift is) equiv_perm.c's.
 *
 * A ring is a sheet of one row here: one permutation formula serves
 * both, (g x)[c][r][k] = x[c][(r - dy) mod H][(k - dx) mod W].  Each
 * shift runs the unshifted trajectories and the shifted ones side by
 * side, step by step, so memory does not grow with the steps.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv.h"
#include "analysis/equiv_fshift.h"
#include "analysis/equiv_impl.h"
#include "base/status.h"

static const char *const group_names[] = {
	[DK_EQUIV_SHIFT] = "shift", [DK_EQUIV_FLOW] = "flow",
	[DK_EQUIV_SIGN] = "sign", [DK_EQUIV_PERM] = "perm",
};

const char *dk_equiv_group_name(dk_equiv_group g)
{
	return (size_t)g < sizeof group_names / sizeof *group_names ?
	       group_names[g] : "shift";
}

int dk_equiv_group_from_name(const char *name, dk_equiv_group *g)
{
	for (size_t k = 0; k < sizeof group_names / sizeof *group_names; k++)
		if (!strcmp(name, group_names[k])) {
			*g = (dk_equiv_group)k;
			return DK_OK;
		}
	return DK_EINVAL;
}

const char *dk_equiv_breaks_name(dk_equiv_breaks b)
{
	switch (b) {
	case DK_EQUIV_BREAKS_STATE: return "state";
	case DK_EQUIV_BREAKS_INPUT: return "input";
	case DK_EQUIV_BREAKS_TRAJECTORY: return "trajectory";
	default: return "none";
	}
}

dk_equiv_options dk_equiv_options_default(void)
{
	return (dk_equiv_options){
		.group = DK_EQUIV_SHIFT, .samples = DK_EQUIV_SAMPLES_DEFAULT,
		.seed = 1, .tolerance = DK_EQUIV_TOLERANCE_DEFAULT,
	};
}

int dk_equiv_options_check(const dk_equiv_options *o, char *err,
                           size_t errlen)
{
	if (o->group != DK_EQUIV_SHIFT && o->group != DK_EQUIV_FLOW &&
	    o->group != DK_EQUIV_SIGN && o->group != DK_EQUIV_PERM)
		return dk_errorf(DK_EINVAL, err, errlen, "group: shift, flow, sign "
		                 "or perm");
	int spatial = o->group == DK_EQUIV_SHIFT || o->group == DK_EQUIV_FLOW;
	if (o->group != DK_EQUIV_FLOW && (o->velocity || o->velocity_pair))
		return dk_errorf(DK_EINVAL, err, errlen, "velocity: only flows have "
		                 "velocities, not %ss", dk_equiv_group_name(o->group));
	if (o->group != DK_EQUIV_SHIFT && o->shift)
		return dk_errorf(DK_EINVAL, err, errlen, "shift: the group %s has no "
		                 "shifts", dk_equiv_group_name(o->group));
	if (!spatial && (o->rings || o->sheet[0] || o->sheet[1]))
		return dk_errorf(DK_EINVAL, err, errlen, "rings and sheet: the group "
		                 "%s acts on units, not on a medium",
		                 dk_equiv_group_name(o->group));
	if (o->group == DK_EQUIV_PERM && !o->perm)
		return dk_errorf(DK_EINVAL, err, errlen, "perm: the group perm needs "
		                 "a permutation");
	if (o->group != DK_EQUIV_PERM && (o->perm || o->input_perm))
		return dk_errorf(DK_EINVAL, err, errlen, "perm: permutations belong "
		                 "to the group perm");
	if (!(fabs(o->velocity) <= 1e9 && fabs(o->velocity_y) <= 1e9))
		return dk_errorf(DK_EINVAL, err, errlen, "velocity: (%g, %g) is not "
		                 "finite or not within 1e9", o->velocity, o->velocity_y);
	if (o->velocity_pair && !o->velocity && !o->velocity_y)
		return dk_errorf(DK_EINVAL, err, errlen, "velocity: (0, 0) does not "
		                 "move; a flow's velocity is nonzero");
	if (!o->velocity_pair && o->velocity_y)
		return dk_errorf(DK_EINVAL, err, errlen, "velocity: a y component "
		                 "belongs to a pair (velocity_pair)");
	if (!(o->lie_shift >= 0 && isfinite(o->lie_shift)))
		return dk_errorf(DK_EINVAL, err, errlen, "lie_shift: finite and "
		                 "positive, or 0, not %g", o->lie_shift);
	if (o->samples == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "samples must be at least 1");
	if (!(isfinite(o->tolerance) && o->tolerance > 0))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "tolerance must be finite and positive, not %g",
		                 o->tolerance);
	if (o->rings && (o->sheet[0] || o->sheet[1]))
		return dk_errorf(DK_EINVAL, err, errlen, "rings and sheet: one, not both");
	if ((o->sheet[0] == 0) != (o->sheet[1] == 0))
		return dk_errorf(DK_EINVAL, err, errlen, "sheet: rows and cols both, "
		                 "or neither");
	return DK_OK;
}

int dk_equiv_layout(const dk_model *m, const dk_equiv_options *o,
                    dk_layout *out, char *err, size_t errlen)
{
	size_t N = dk_model_state_size(m);
	if (o->rings) {
		if (N % o->rings || N / o->rings < 2)
			return dk_errorf(DK_EINVAL, err, errlen, "rings: %zu rings do not "
			                 "divide the %zu units of the state into rings of "
			                 "at least 2", o->rings, N);
		*out = dk_layout_rings(o->rings, N / o->rings, 1);
		return DK_OK;
	}
	if (o->sheet[0]) {
		size_t hw = o->sheet[0] * o->sheet[1];
		if (hw < 2 || N % hw)
			return dk_errorf(DK_EINVAL, err, errlen, "sheet: sheets of %zu x "
			                 "%zu units do not divide the %zu units of the state",
			                 o->sheet[0], o->sheet[1], N);
		*out = dk_layout_sheets(N / hw, o->sheet[0], o->sheet[1], 1);
		return DK_OK;
	}
	if (!dk_model_layout(m, out)) {
		dk_model_actions acts;
		char names[64];
		dk_model_action_names(dk_model_actions_of(m, &acts), names,
		                      sizeof names);
		return dk_errorf(DK_ENOTFOUND, err, errlen, "the %s model's state has no "
		                 "spatial layout (it declares: %s): rings or a sheet "
		                 "must be given", dk_model_kind(m), names);
	}
	if (out->rank < 2 || strcmp(out->axes[0], "channel"))
		return dk_errorf(DK_EINVAL, err, errlen, "the model's layout is not "
		                 "channels of rings or sheets");
	for (int k = 1; k < out->rank; k++)
		if (!out->periodic[k])
			return dk_errorf(DK_EINVAL, err, errlen, "the model's layout does "
			                 "not wrap around along %s: shifts do not act on it",
			                 out->axes[k]);
	if (dk_layout_units(out) != N)
		return dk_errorf(DK_EINVAL, err, errlen, "the model's layout covers "
		                 "%zu units, its state has %zu", dk_layout_units(out), N);
	return DK_OK;
}


medium dk_equiv_medium_of(const dk_layout *l)
{
	if (l->rank == 2)
		return (medium){l->shape[0], 1, l->shape[1]};
	return (medium){l->shape[0], l->shape[1], l->shape[2]};
}

void dk_equiv_shift_perm(medium md, size_t channels, size_t dy, size_t dx,
                       size_t *perm)
{
	for (size_t c = 0; c < channels; c++)
		for (size_t r = 0; r < md.H; r++)
			for (size_t k = 0; k < md.W; k++)
				perm[(c * md.H + r) * md.W + k] =
					(c * md.H + (r + md.H - dy) % md.H) * md.W +
					(k + md.W - dx) % md.W;
}

/* out = g in for B rows of width n: the signed permutation of s. */
static void apply(const scratch *s, const size_t *perm, size_t B, size_t n,
                  const double *in, double *out)
{
	dk_model_act_apply(perm, s->sign, B, n, in, out);
}

/* The largest relative distance of the B rows of a from those of ref:
   0 / 0 is 0, x / 0 and NaN are infinity. */
static double rel_error(size_t B, size_t n, const double *a, const double *ref)
{
	double worst = 0;
	for (size_t b = 0; b < B; b++) {
		double num = 0, den = 0;
		for (size_t i = 0; i < n; i++) {
			double d = a[b * n + i] - ref[b * n + i];
			num += d * d;
			den += ref[b * n + i] * ref[b * n + i];
		}
		double e = num == 0 ? 0 : den == 0 ? INFINITY : sqrt(num / den);
		if (isnan(e))
			e = INFINITY;
		if (e > worst)
			worst = e;
	}
	return worst;
}

void dk_equiv_result_clear(dk_equiv_result *r)
{
	free(r->shifts);
	free(r->moves);
	free(r->compared);
	free(r->unpartnered_error);
	free(r->step_error);
	free(r->free_error);
	free(r->trajectory_error);
	free(r->error);
	memset(r, 0, sizeof *r);
}

int dk_equiv_list_shifts(const dk_equiv_options *o, const dk_layout *l,
                         size_t *axes, size_t *elements, int64_t **shifts,
                         char *err, size_t errlen)
{
	medium md = dk_equiv_medium_of(l);
	int sheet = l->rank == 3;
	*axes = sheet ? 2 : 1;
	if (o->shift && (o->shift >= md.W || (sheet && o->shift >= md.H)))
		return dk_errorf(DK_EINVAL, err, errlen, "shift %zu: the %s %zu units "
		                 "%s; shifts go from 1 to one less", o->shift,
		                 sheet ? "sheets have" : "rings have",
		                 sheet ? (md.H < md.W ? md.H : md.W) : md.W,
		                 sheet ? "along a side" : "each");
	*elements = o->shift ? *axes : (sheet ? md.H - 1 : 0) + md.W - 1;
	if (*elements == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "a medium of one unit has no "
		                 "shifts");
	int64_t *sh = calloc(*elements * *axes, sizeof *sh);
	if (!sh)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	size_t e = 0;
	if (sheet)  /* along rows first: (dy, 0), then (0, dx) */
		for (size_t dy = 1; dy < md.H; dy++)
			if (!o->shift || dy == o->shift)
				sh[2 * e++] = (int64_t)dy;
	for (size_t dx = 1; dx < md.W; dx++)
		if (!o->shift || dx == o->shift)
			sh[*axes * e++ + *axes - 1] = (int64_t)dx;
	*shifts = sh;
	return DK_OK;
}

/* The element e, in words: "shift M", or the sign flip or permutation. */
static void shift_words(const dk_equiv_result *r, size_t e, char *buf, size_t cap)
{
	if (r->group == DK_EQUIV_SIGN || r->group == DK_EQUIV_PERM)
		snprintf(buf, cap, "%s", r->group == DK_EQUIV_SIGN ? "the sign flip" :
		         "the permutation");
	else if (r->axes == 1)
		snprintf(buf, cap, "shift %lld", (long long)r->shifts[e]);
	else
		snprintf(buf, cap, "shift (%lld, %lld)", (long long)r->shifts[2 * e],
		         (long long)r->shifts[2 * e + 1]);
}

/* The verdict: the largest error, where, and the part to blame. */
static void judge(dk_equiv_result *r, size_t m, size_t ring_units)
{
	size_t T = r->steps;
	double max_step = 0, max_free = 0;
	r->max = 0, r->worst = 0, r->first_step = 0;
	for (size_t e = 0; e < r->elements; e++) {
		double v = fmax(r->step_error[e], r->free_error[e]);
		for (size_t t = 0; t < T; t++) {
			double x = r->trajectory_error[e * T + t];
			v = fmax(v, x);
			if (x > r->tolerance && (!r->first_step || t + 1 < r->first_step))
				r->first_step = t + 1;
		}
		r->error[e] = v;
		if (v > r->max || e == 0)
			r->max = v, r->worst = e;
		max_step = fmax(max_step, r->step_error[e]);
		max_free = fmax(max_free, r->free_error[e]);
	}
	r->equivariant = r->max <= r->tolerance;
	char at[64], over[96], input[160] = "";
	shift_words(r, r->worst, at, sizeof at);
	if (r->group == DK_EQUIV_SHIFT)
		snprintf(over, sizeof over, "over %zu shifts", r->elements);
	else
		snprintf(over, sizeof over, "under %s over", at);
	if (m && !r->input_transformed && r->group == DK_EQUIV_PERM)
		snprintf(input, sizeof input, "; the input was left as it is: no "
		         "input permutation was given");
	else if (m && !r->input_transformed)
		snprintf(input, sizeof input, "; the input was left as it is: its width "
		         "%zu is not a multiple of the medium's %zu units", m, ring_units);
	if (r->equivariant) {
		r->breaks = DK_EQUIV_BREAKS_NONE;
		snprintf(r->summary, sizeof r->summary, "equivariant to %g %s%s "
		         "%zu steps (largest error %.3g, %s)%s", r->tolerance, over,
		         r->group == DK_EQUIV_SHIFT ? " and" : "", T, r->max, at, input);
	} else if (max_free > r->tolerance) {
		r->breaks = DK_EQUIV_BREAKS_STATE;
		snprintf(r->summary, sizeof r->summary, "not equivariant: the step "
		         "without input breaks it (error %.3g; largest %.3g at %s)%s",
		         max_free, r->max, at, input);
	} else if (max_step > r->tolerance) {
		r->breaks = DK_EQUIV_BREAKS_INPUT;
		snprintf(r->summary, sizeof r->summary, "not equivariant: the input "
		         "breaks it (step error %.3g with input, %.3g without; largest "
		         "%.3g at %s)%s", max_step, max_free, r->max, at, input);
	} else {
		r->breaks = DK_EQUIV_BREAKS_TRAJECTORY;
		snprintf(r->summary, sizeof r->summary, "not equivariant over time: "
		         "every step is to %g, but the trajectories part by %.3g (%s) "
		         "from step %zu on", r->tolerance, r->max, at, r->first_step);
	}
}


static void scratch_free(scratch *s)
{
	free(s->x), free(s->xn), free(s->y), free(s->yn), free(s->gx);
	free(s->gu), free(s->tmp), free(s->ref), free(s->ps), free(s->pu);
	dk_equiv_fshift_free(s->fshift);
}

static int scratch_alloc(scratch *s, size_t B, size_t n, size_t m)
{
	size_t bytes = B * n * sizeof(double);
	memset(s, 0, sizeof *s);
	s->sign = 1;
	s->x = malloc(bytes), s->xn = malloc(bytes);
	s->y = malloc(bytes), s->yn = malloc(bytes);
	s->gx = malloc(bytes), s->tmp = malloc(bytes), s->ref = malloc(bytes);
	s->gu = malloc(B * (m ? m : 1) * sizeof *s->gu);
	s->ps = malloc(n * sizeof *s->ps);
	s->pu = malloc((m ? m : 1) * sizeof *s->pu);
	return s->x && s->xn && s->y && s->yn && s->gx && s->gu && s->tmp &&
	       s->ref && s->ps && s->pu ? DK_OK : DK_ENOMEM;
}

size_t dk_equiv_first_not_finite(size_t count, const double *x)
{
	size_t i = 0;
	while (i < count && isfinite(x[i]))
		i++;
	return i;
}

/*
 * One time step of element e's measurement, from the unshifted state
 * s->x and the shifted trajectory's s->y under input u (shifted: gu):
 * the next states s->xn and s->y, the step errors with and without
 * input folded into *step and *free_step, the trajectory's returned in
 * *traj.  Five batched steps: the trajectory's own, its step without
 * input, and the shifted state's with input, without, and on the shifted
 * trajectory.  The model's status.
 */
static int one_step(const dk_model *m, dk_model_work *w, size_t B, size_t n,
                    scratch *s, const double *u, const double *gu,
                    double *step, double *free_step, double *traj)
{
	int rc = dk_model_step(m, w, B, s->x, u, s->xn, NULL);
	if (rc || dk_equiv_first_not_finite(B * n, s->xn) < B * n)
		return rc;  /* the caller says where it stopped being finite */
	apply(s, s->ps, B, n, s->x, s->gx);
	apply(s, s->ps, B, n, s->xn, s->ref);
	if ((rc = dk_model_step(m, w, B, s->gx, gu, s->tmp, NULL)))
		return rc;
	*step = fmax(*step, rel_error(B, n, s->tmp, s->ref));
	if ((rc = dk_model_step(m, w, B, s->y, gu, s->yn, NULL)))
		return rc;
	*traj = rel_error(B, n, s->yn, s->ref);
	memcpy(s->y, s->yn, B * n * sizeof *s->y);
	/* without input: F(x, 0), shifted, against F(g x, 0) */
	if ((rc = dk_model_step(m, w, B, s->x, NULL, s->tmp, NULL)))
		return rc;
	apply(s, s->ps, B, n, s->tmp, s->ref);
	if ((rc = dk_model_step(m, w, B, s->gx, NULL, s->tmp, NULL)))
		return rc;
	*free_step = fmax(*free_step, rel_error(B, n, s->tmp, s->ref));
	return DK_OK;
}

/*
 * The errors of element e.  The unshifted trajectory is run again beside
 * the shifted one for each element, so that memory stays that of a few
 * batches of states however long the run; it is the same computation
 * each time, so it gives the same bits.
 */
static int measure(const dk_model *m, const dk_equiv_options *o,
                   dk_model_work *w, const dk_equiv_start *st, scratch *s, medium md, dk_equiv_result *r, size_t e,
                   char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t B = st->batch, T = st->steps;
	dk_equiv_element_action(o, r, md, e, n, nu, s);
	double step = 0, free_step = 0;
	memcpy(s->x, st->x0, B * n * sizeof *s->x);
	apply(s, s->ps, B, n, s->x, s->y);
	for (size_t t = 0; t < T; t++) {
		const double *u = nu ? st->u + t * B * nu : NULL;
		const double *gu = u;
		if (u && r->input_transformed) {
			apply(s, s->pu, B, nu, u, s->gu);
			gu = s->gu;
		}
		int rc = one_step(m, w, B, n, s, u, gu, &step, &free_step,
		                  &r->trajectory_error[e * T + t]);
		if (rc)
			return dk_errorf(rc, err, errlen, "the model's step: %s",
			                 dk_strerror(rc));
		size_t bad = dk_equiv_first_not_finite(B * n, s->xn);
		if (bad < B * n)
			return dk_errorf(DK_EINVAL, err, errlen, "the trajectory of entry "
			                 "%zu stops being finite at step %zu", bad / n, t + 1);
		memcpy(s->x, s->xn, B * n * sizeof *s->x);
	}
	r->step_error[e] = step;
	r->free_error[e] = free_step;
	return DK_OK;
}

int dk_equiv_run(const dk_model *m, const dk_equiv_options *o,
                 const dk_equiv_start *s, dk_equiv_result *r, char *err,
                 size_t errlen)
{
	memset(r, 0, sizeof *r);
	int unitwise = o->group == DK_EQUIV_SIGN || o->group == DK_EQUIV_PERM;
	int st = dk_equiv_options_check(o, err, errlen);
	if (!st)
		st = dk_equiv_check_declared(m, o, err, errlen);
	if (!st && !unitwise)
		st = dk_equiv_layout(m, o, &r->layout, err, errlen);
	if (st)
		return st;
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t B = s->batch, T = s->steps;
	if (B == 0 || T == 0 || !s->x0 || (nu && !s->u))
		return dk_errorf(DK_EINVAL, err, errlen, "the start has no trajectories "
		                 "or no steps");
	medium md = unitwise ? (medium){1, 1, n} : dk_equiv_medium_of(&r->layout);
	size_t units = md.H * md.W;
	r->steps = T, r->batch = B, r->tolerance = o->tolerance;
	r->input_transformed = nu > 0 && nu % units == 0;
	r->input_channels = r->input_transformed ? nu / units : 0;
	snprintf(r->how, sizeof r->how, "%s", s->how);
	r->group = o->group;
	r->slices = 1;
	if (o->group == DK_EQUIV_FLOW) {
		st = dk_equiv_flow_slices(m, r, err, errlen);
		if (!st)
			st = dk_equiv_list_velocities(o, r, r->velocities, err, errlen);
	} else if (unitwise) {
		st = dk_equiv_unit_elements(m, o, r, err, errlen);
	} else {
		st = dk_equiv_list_shifts(o, &r->layout, &r->axes, &r->elements,
		                          &r->shifts, err, errlen);
	}
	if (st) {
		dk_equiv_result_clear(r);
		return st;
	}
	r->step_error = malloc(r->elements * sizeof *r->step_error);
	r->free_error = malloc(r->elements * sizeof *r->free_error);
	r->error = malloc(r->elements * sizeof *r->error);
	r->trajectory_error = malloc(r->elements * T * sizeof *r->trajectory_error);
	scratch sc;
	st = scratch_alloc(&sc, B, n, nu);
	if (!st && r->fractional && !(sc.fshift = dk_equiv_fshift_alloc(md.H, md.W)))
		st = DK_ENOMEM;
	dk_model_work *w = st ? NULL : dk_model_work_alloc(m, B);
	if (!w || !r->step_error || !r->free_error || !r->error || !r->trajectory_error) {
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	} else {
		int flow = o->group == DK_EQUIV_FLOW;
		for (size_t e = 0; !st && e < r->elements; e++)
			st = flow ? dk_equiv_flow_measure(m, w, s, &sc, md, r, e, err, errlen)
			          : measure(m, o, w, s, &sc, md, r, e, err, errlen);
		if (!st && flow)
			dk_equiv_judge_flow(r, nu, units);
		else if (!st)
			judge(r, nu, units);
	}
	dk_model_work_free(w);
	scratch_free(&sc);
	if (st)
		dk_equiv_result_clear(r);
	return st;
}
