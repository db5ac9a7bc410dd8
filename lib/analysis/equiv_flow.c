/*
 * equiv_flow.c -- equivariance under flows (see equiv.h): shifts that
 * grow with time, on rings and sheets, with a velocity lift where the
 * model has one (the fernn): the velocities measured, the slices
 * compared, the errors along the trajectories and the verdict.
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

/*
 * Flows (see equiv.h).  The state is S slices of `rows` rings or sheets
 * (S = 2 v + 1 on rings, (2 v + 1)^2 on sheets, 1 without a lift); a
 * ring is a sheet of one row, its velocities (mu, 0).  The flowed run is
 * stepped beside the original one, and each is the model's own batched
 * step on its own data, so an equivariant model gives the same numbers
 * permuted.  A fractional velocity (a model without a lift only) moves
 * states and inputs through the FFT instead (equiv_fshift.h), exact for
 * band-limited states only.
 */

/* s mod n in 0 .. n - 1. */
static size_t wrap(int64_t s, size_t n)
{
	int64_t N = (int64_t)n;
	return (size_t)(((s % N) + N) % N);
}

/* out = T_(sx, sy) in for `rows` planes of md.H x md.W: (T x)[j][r][c] =
   x[j][(r - sy) mod H][(c - sx) mod W]. */
static void roll(size_t rows, medium md, int64_t sx, int64_t sy,
                 const double *in, double *out)
{
	size_t kx = wrap(sx, md.W), ky = wrap(sy, md.H), N = md.H * md.W;
	for (size_t j = 0; j < rows; j++)
		for (size_t r = 0; r < md.H; r++) {
			const double *from = in + j * N + r * md.W;
			double *to = out + j * N + ((r + ky) % md.H) * md.W;
			for (size_t c = 0; c < md.W; c++)
				to[(c + kx) % md.W] = from[c];
		}
}

/* mu t mod n, without the product overflowing. */
static int64_t flow_move(int64_t mu, size_t t, size_t n)
{
	int64_t N = (int64_t)n;
	return (mu % N) * (int64_t)(t % n) % N;
}

/* The shift of a flow at velocity mu at step t on a side of n units,
   reduced mod n: whole velocities exactly, fractional ones from mu mod n
   so that a long flow loses no digits to the turns it has made. */
static double flow_shift(double mu, size_t t, size_t n, int fractional)
{
	if (!fractional)
		return (double)flow_move((int64_t)mu, t, n);
	return fmod(fmod(mu, (double)n) * (double)t, (double)n);
}

/* out = T_(sx, sy) in for `rows` planes of md: by permutation for whole
   shifts, through the FFT for a fractional flow's (s->fshift). */
static void move(const scratch *s, size_t rows, medium md, double sx,
                 double sy, const double *in, double *out)
{
	if (s->fshift)
		dk_equiv_fshift_apply(s->fshift, rows, sx, sy, in, out);
	else
		roll(rows, md, (int64_t)sx, (int64_t)sy, in, out);
}

/* Velocity e's components: (mu, 0) on rings. */
static void velocity_of(const dk_equiv_result *r, size_t e, double *mx,
                        double *my)
{
	*mx = r->moves[e * r->axes];
	*my = r->axes == 2 ? r->moves[e * r->axes + 1] : 0;
}

/* The slice whose flowed run slice a of S follows at velocity (mx, my):
   the one of velocity nu - mu when that is in V, -1 when it is not; a
   model without a lift is its own one slice's partner.  Slices go by
   nu_x, then nu_y on sheets (A = 2 v + 1 per axis). */
static long flow_partner(size_t a, double mx, double my, size_t S, size_t A,
                         int sheet)
{
	if (S == 1)
		return (long)a;
	int64_t ix = sheet ? (int64_t)(a / A) : (int64_t)a;
	int64_t iy = sheet ? (int64_t)(a % A) : 0;
	int64_t px = ix - (int64_t)mx, py = iy - (int64_t)my, n = (int64_t)A;
	if (px < 0 || px >= n || (sheet && (py < 0 || py >= n)))
		return -1;
	return (long)(sheet ? px * n + py : px);
}

/* The velocity of element e, in words. */
static void velocity_words(const dk_equiv_result *r, size_t e, char *buf,
                           size_t cap)
{
	double mx, my;
	velocity_of(r, e, &mx, &my);
	if (r->axes == 1)
		snprintf(buf, cap, "%.10g", mx);
	else
		snprintf(buf, cap, "(%.10g, %.10g)", mx, my);
}

/* The velocities: one, or every nonzero one of the lift (on rings -v ..
   v, on sheets {-v .. v}^2 in the slices' order), or without a lift the
   unit ones (-1 and 1; on sheets (+-1, 0) and (0, +-1)). */
int dk_equiv_list_velocities(const dk_equiv_options *o, dk_equiv_result *r,
                             size_t v, char *err, size_t errlen)
{
	int sheet = r->layout.rank == 3;
	size_t A = 2 * v + 1;
	r->axes = sheet ? 2 : 1;
	if (!sheet && o->velocity_pair)
		return dk_errorf(DK_EINVAL, err, errlen, "velocity: a pair (x, y) "
		                 "moves a sheet, and the medium is rings");
	if (sheet && o->velocity && !o->velocity_pair)
		return dk_errorf(DK_EINVAL, err, errlen, "velocity: on sheets a pair "
		                 "(x along the columns, y along the rows), not one "
		                 "number");
	int one = o->velocity || o->velocity_pair;
	r->fractional = o->velocity != floor(o->velocity) ||
	                o->velocity_y != floor(o->velocity_y);
	if (r->fractional && v) {
		char at[64];
		if (sheet)
			snprintf(at, sizeof at, "(%.10g, %.10g)", o->velocity, o->velocity_y);
		else
			snprintf(at, sizeof at, "%.10g", o->velocity);
		return dk_errorf(DK_EINVAL, err, errlen, "velocity %s: the lift of the "
		                 "%zu velocities of the model holds whole ones only; a "
		                 "fractional velocity measures a model without a lift",
		                 at, A * (sheet ? A : 1));
	}
	r->elements = one ? 1 : sheet ? (v ? A * A - 1 : 4) : v ? 2 * v : 2;
	r->moves = calloc(r->elements * r->axes, sizeof *r->moves);
	r->compared = calloc(r->elements, sizeof *r->compared);
	r->unpartnered_error = calloc(r->elements, sizeof *r->unpartnered_error);
	if (!r->moves || !r->compared || !r->unpartnered_error)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	double *s = r->moves;
	if (one) {
		s[0] = o->velocity;
		if (sheet)
			s[1] = o->velocity_y;
	} else if (!sheet && !v) {
		s[0] = -1, s[1] = 1;
	} else if (!sheet) {
		for (size_t e = 0, a = 0; a < A; a++)
			if (a != v)
				s[e++] = (int64_t)a - (int64_t)v;
	} else if (!v) {
		static const double unit[8] = {-1, 0, 1, 0, 0, -1, 0, 1};
		memcpy(s, unit, sizeof unit);
	} else {
		for (size_t e = 0, a = 0; a < A * A; a++)
			if (a != (A * A) / 2) {
				s[2 * e] = (double)(a / A) - (double)v;
				s[2 * e++ + 1] = (double)(a % A) - (double)v;
			}
	}
	if (r->fractional)
		return DK_OK;
	/* whole velocities are also the integers of equiv/shifts */
	r->shifts = malloc(r->elements * r->axes * sizeof *r->shifts);
	if (!r->shifts)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	for (size_t k = 0; k < r->elements * r->axes; k++)
		r->shifts[k] = (int64_t)s[k];
	return DK_OK;
}

/* The trajectory errors of velocity e over the slices with a partner. */
int dk_equiv_flow_measure(const dk_model *m, dk_model_work *w,
                          const dk_equiv_start *st, scratch *s, medium md,
                          dk_equiv_result *r, size_t e, char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	size_t B = st->batch, T = st->steps, S = r->slices, N = md.H * md.W;
	size_t rows = md.C / S, CN = rows * N, A = 2 * r->velocities + 1;
	int sheet = r->axes == 2, frac = r->fractional;
	double mx, my;
	velocity_of(r, e, &mx, &my);
	size_t compared = 0;
	for (size_t a = 0; a < S; a++)
		compared += flow_partner(a, mx, my, S, A, sheet) >= 0;
	if (!compared) {
		char at[48];
		velocity_words(r, e, at, sizeof at);
		return dk_errorf(DK_EINVAL, err, errlen, "velocity %s: no slice "
		                 "nu has its partner nu - mu in -%zu .. %zu%s", at,
		                 r->velocities, r->velocities, sheet ? " squared" : "");
	}
	r->compared[e] = compared;
	r->unpartnered_error[e] = NAN;
	memcpy(s->x, st->x0, B * n * sizeof *s->x);
	for (size_t b = 0; b < B; b++)
		for (size_t a = 0; a < S; a++) {
			long p = flow_partner(a, mx, my, S, A, sheet);
			move(s, rows, md, -fmod(mx, (double)md.W),
			     -fmod(my, (double)md.H),
			     st->x0 + b * n + (p < 0 ? a : (size_t)p) * CN,
			     s->y + b * n + a * CN);
		}
	for (size_t t = 0; t < T; t++) {
		const double *u = nu ? st->u + t * B * nu : NULL;
		const double *gu = u;
		double move_x = flow_shift(mx, t, md.W, frac);
		double move_y = flow_shift(my, t, md.H, frac);
		if (u && r->input_transformed) {
			move(s, B * nu / N, md, move_x, move_y, u, s->gu);
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
				long p = flow_partner(a, mx, my, S, A, sheet);
				int c = p < 0;
				move(s, rows, md, move_x, move_y,
				     s->xn + b * n + (c ? a : (size_t)p) * CN, s->ref);
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
	char input[160] = "", at[48];
	if (m && !r->input_transformed)
		snprintf(input, sizeof input, "; the input was left as it is: its width "
		         "%zu is not a multiple of a %s's %zu units", m,
		         r->axes == 2 ? "sheet" : "ring", ring_units);
	velocity_words(r, r->worst, at, sizeof at);
	if (r->equivariant)
		snprintf(r->summary, sizeof r->summary, "flow-equivariant to %g over "
		         "%zu velocit%s and %zu steps (largest error %.3g, velocity "
		         "%s)%s", r->tolerance, r->elements,
		         r->elements == 1 ? "y" : "ies", T, r->max, at, input);
	else
		snprintf(r->summary, sizeof r->summary, "not flow-equivariant: the "
		         "flowed run parts from the original moved along by %.3g "
		         "(velocity %s) from step %zu on%s", r->max, at,
		         r->first_step, input);
}

/*
 * The flow's slices: a lifted model's 2 v + 1 (on rings) or (2 v + 1)^2
 * (on sheets) of the layout's rings or sheets each, one without a lift.
 * DK_EINVAL with a message when a lifted model is measured on another
 * medium than its own (its velocities are of that medium), or the
 * channels do not split into the slices.
 */
int dk_equiv_flow_slices(const dk_model *m, dk_equiv_result *r, char *err,
                         size_t errlen)
{
	dk_model_actions acts;  /* the lift the model declares */
	dk_model_actions_of(m, &acts);
	size_t v = acts.velocities, A = 2 * v + 1;
	int sheet = r->layout.rank == 3;
	dk_layout own;
	if (v && dk_model_layout(m, &own) && own.rank != r->layout.rank)
		return dk_errorf(DK_EINVAL, err, errlen, "the %s model's velocities "
		                 "move it on %s, not on %s", dk_model_kind(m),
		                 own.rank == 3 ? "sheets" : "rings",
		                 sheet ? "sheets" : "rings");
	r->velocities = v;
	r->slices = sheet ? A * A : A;
	if (r->layout.shape[0] % r->slices)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: the %zu %s do not "
		                 "split into the model's %zu velocity slices",
		                 sheet ? "sheet" : "rings", r->layout.shape[0],
		                 sheet ? "sheets" : "rings", r->slices);
	return DK_OK;
}
