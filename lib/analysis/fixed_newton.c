/*
 * fixed_newton.c -- stage 2 of the fixed-point search: Newton's method on
 * r(x) = 0, one point at a time, from where stage 1 left it.
 *
 * Each step solves A d = -r with A = dr/dx (J - I for the map, the field's
 * Jacobian for the flow): by dense LU (fixed_lu.c) up to
 * dense_max states; above, by restarted GMRES on products A v, one
 * Jacobian-vector product each, to a relative residual min(0.1, |r|)
 * (the forcing term that keeps Newton's convergence quadratic; Eisenstat
 * and Walker 1996), never forming A.  It then backtracks
 * along d, halving the step until |r| falls by at least a small fraction
 * of the step (Armijo's condition on |r|); d is a descent direction of
 * q = |r|^2 / 2 whenever A is invertible (grad q . d = -|r|^2), so Newton
 * cannot run away from the point stage 1 found.  Near a regular zero the
 * full step is taken and |r| falls quadratically, to rounding level.
 * The iteration stops there, when the line search finds no decrease (a
 * slow point, or a zero of a singular A), when A is singular, when |r|
 * stagnates (falls by less than 10 % in a step), or after newton_iters
 * steps.  An attempt during stage 1 stops sooner, at the first step that
 * is damped or does not halve |r|: the point is not yet in Newton's
 * quadratic basin, and goes back to Adam.  Piecewise-linear models (ReLU) have a piecewise
 * constant A, and Newton then lands on the zero in finitely many steps.
 * Within dk_fixed_find (dense LU only) a run also stops in the basin of a
 * point found before (fixed_known.c; a run from a start state may probe
 * it by chord steps before its first Newton step), and after a full step that cut |r|
 * a thousandfold takes chord steps with the same LU while they cut it
 * tenfold; dk_fixed_newton alone takes neither shortcut.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "analysis/fixed_impl.h"
#include "base/status.h"

/* Armijo's constant, and the halvings tried before giving up. */
#define ARMIJO 1e-4
#define MAX_HALVINGS 30
/* Within dk_fixed_find, a Newton step that cut |r| to this fraction or
   less is followed by chord steps (the same LU, a new residual) while
   each cuts |r| to CHORD_GAIN or less: so close to the zero the Jacobian
   changes by less than the step, and a chord step contracts nearly as
   fast as a Newton step for the price of a residual and a triangular
   solve instead of a Jacobian and its LU. */
#define CHORD_AFTER 1e-3
#define CHORD_GAIN 0.1
/* The chord probe (see probe): at most this many steps, each of which
   must shrink the distance to the kept point by this factor or better. */
#define PROBE_STEPS 3
#define PROBE_CONTRACTION 0.5

/* A = dr/dx at x (n x n, row-major). */
static int residual_jacobian(dk_fixed_work *w, const dk_model *m,
                             const double *x, const double *u)
{
	size_t n = w->n;
	if (w->o.convention == DK_MAP) {
		int st = dk_model_jacobian(m, w->mw, x, u, w->A);
		for (size_t i = 0; !st && i < n; i++)
			w->A[i * n + i] -= 1.0;
		return st;
	}
	/* the field has no dense Jacobian call: its columns, one jvp each */
	for (size_t j = 0; j < n; j++) {
		memset(w->nt, 0, n * sizeof(double));
		w->nt[j] = 1.0;
		int st = dk_model_field_jvp(m, w->mw, 1, x, u, w->nt, w->nd);
		if (st)
			return st;
		for (size_t i = 0; i < n; i++)
			w->A[i * n + j] = w->nd[i];
	}
	return DK_OK;
}

/* The operator v -> A v for GMRES. */
typedef struct {
	dk_fixed_work *w;
	const dk_model *m;
	const double *x, *u;
} krylov_ctx;

static int apply_residual_jacobian(void *ctx, const double *v, double *y)
{
	krylov_ctx *c = ctx;
	dk_fixed_work *w = c->w;
	if (w->o.convention == DK_FLOW)
		return dk_model_field_jvp(c->m, w->mw, 1, c->x, c->u, v, y);
	int st = dk_model_jvp(c->m, w->mw, 1, c->x, c->u, NULL, v, y);
	for (size_t i = 0; !st && i < w->n; i++)
		y[i] -= v[i];
	return st;
}

/* d = -A^{-1} r at x, dense or by GMRES; 1 when no direction is found. */
static int direction(dk_fixed_work *w, const dk_model *m, const double *x,
                     const double *u, const double *r, double nr, double *d,
                     int *none)
{
	size_t n = w->n;
	*none = 0;
	if (!w->A) {
		krylov_ctx c = {w, m, x, u};
		dk_linop A = {n, apply_residual_jacobian, &c};
		double eta = nr < 0.1 ? nr : 0.1, relres;
		if (eta < 1e-14)
			eta = 1e-14;
		for (size_t i = 0; i < n; i++) {
			w->nt[i] = -r[i];
			d[i] = 0;
		}
		int st = dk_gmres_solve(w->gmres, &A, w->nt, d, eta, w->o.krylov_iters,
		                        NULL, &relres);
		if (st == DK_ENUMERIC || (!st && !(relres < 1))) {
			*none = 1; /* no descent from this direction */
			return DK_OK;
		}
		return st;
	}
	int st = residual_jacobian(w, m, x, u);
	if (st)
		return st;
	w->kstats.jacobians++;
	for (size_t i = 0; i < n; i++)
		d[i] = -r[i];
	int info = dk_fixed_lu_factor(n, w->A, w->piv);
	if (info == 0)
		dk_fixed_lu_solve(n, w->A, w->piv, d);
	*none = info != 0; /* singular: no Newton direction */
	return DK_OK;
}

/* r and |r| at one point x into r. */
static int residual1(dk_fixed_work *w, const dk_model *m, const double *x,
                     const double *u, double *r, double *norm)
{
	int st = dk_fixed_residual(w, m, 1, x, u, r, NULL);
	*norm = st ? NAN : dk_fixed_norm(w->n, r);
	return st;
}

/* The chord step d = -A^{-1} r with the LU factors kept in w->A. */
static void chord_direction(dk_fixed_work *w, const double *r, double *d)
{
	for (size_t i = 0; i < w->n; i++)
		d[i] = -r[i];
	dk_fixed_lu_solve(w->n, w->A, w->piv, d);
}

/* |a - b|, Euclidean */
static double distance(size_t n, const double *a, const double *b)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (a[i] - b[i]) * (a[i] - b[i]);
	return sqrt(s);
}

/*
 * The chord probe: from x, whose chord step towards kept point j (in
 * w->kd) took the distance to it from before to after, not enough for
 * the basin test, chord steps go on with j's factors, each a residual
 * and a triangular solve, while each shrinks the distance by
 * PROBE_CONTRACTION or better, and by more than the step before (near a
 * regular zero the chord iteration's ratio falls with the distance), up
 * to PROBE_STEPS: 1 when an iterate passes the basin test, which then
 * holds for x's chord iteration as for the iterate's.  *st: a model's
 * status.
 */
static int probe(dk_fixed_work *w, const dk_model *m, const double *u,
                 const double *x, size_t j, double before, double after,
                 int *st)
{
	size_t n = w->n;
	double *y = w->nx, *ry = w->nt;
	const double *xs = w->known_x + j * n;
	for (size_t i = 0; i < n; i++)
		y[i] = x[i] + w->kd[i];
	for (int k = 0; k < PROBE_STEPS; k++) {
		double e = distance(n, y, xs), nry;
		if (e == 0)
			return 1;
		*st = residual1(w, m, y, u, ry, &nry);
		w->kstats.probe_steps++;
		if (*st || !isfinite(nry))
			return 0;
		for (size_t i = 0; i < n; i++)
			w->kd[i] = -ry[i];
		dk_fixed_lu_solve(n, w->known_lu + j * n * n, w->known_piv + j * n,
		                  w->kd);
		double s = 0;
		for (size_t i = 0; i < n; i++) {
			double d = y[i] + w->kd[i] - xs[i];
			s += d * d;
		}
		double next = sqrt(s);
		if (dk_fixed_known_in_basin(e, next))
			return 1;
		/* next / e <= PROBE_CONTRACTION and < after / before */
		if (!(next <= PROBE_CONTRACTION * e && next * before < after * e))
			return 0;
		before = e;
		after = next;
		for (size_t i = 0; i < n; i++)
			y[i] += w->kd[i];
	}
	return 0;
}

/* Does x (residual r; step, a Newton step from it, or NULL) lie in a
   kept point's basin, by the basin test or, in a run from a start state
   without step, the chord probe?  Then x and *nr become the point's. */
static int known_hit(dk_fixed_work *w, const dk_model *m, const double *u,
                     double *x, const double *r, const double *step,
                     double *nr, int *st)
{
	size_t n = w->n;
	double before, after;
	int j = dk_fixed_known_find(w, x, r, step, &before, &after);
	if (j < 0)
		return 0;
	if (!dk_fixed_known_in_basin(before, after) &&
	    (step || !w->probe || !(after <= PROBE_CONTRACTION * before) ||
	     !probe(w, m, u, x, (size_t)j, before, after, st)))
		return 0;
	memcpy(x, w->known_x + (size_t)j * n, n * sizeof(double));
	*nr = w->known_res[j];
	w->hit = j;
	/* this run converged quadratically from its streak's start into
	   x*'s basin: x* is reached from there too */
	dk_fixed_known_widen(w, (size_t)j, distance(n, w->nb, x));
	w->kstats.known_hits++;
	return 1;
}

int dk_fixed_newton_run(dk_fixed_work *w, const dk_model *m, double *x,
                        const double *u, int attempt, int64_t *steps,
                        double *res, double *history)
{
	size_t n = w->n;
	double *r = w->nr, *d = w->nd, *xt = w->nx, *rt = w->nt;
	double nr;
	int64_t k = 0;
	/* fast: within dk_fixed_find, with dense LU (fixed_known.c) */
	const int fast = w->known_on && w->A;
	int factored = 0, chord = 0;
	w->hit = -1;
	int st = residual1(w, m, x, u, r, &nr);
	if (fast)
		memcpy(w->nb, x, n * sizeof(double));
	while (!st && isfinite(nr)) {
		if (history)
			history[k] = nr;
		/* rounding level: |F(x) - x| cannot be known better than this;
		   at least 4 eps, so that a zero at x = 0 ends the run too
		   (chord steps would otherwise shrink x by a constant factor
		   every step, down to the subnormals) */
		double xn = dk_fixed_norm(n, x);
		double floor = 4 * DBL_EPSILON * (xn > 1 ? xn : 1);
		if (nr <= floor || (size_t)k >= w->o.newton_iters)
			break;
		/* in the basin of a point found before: done */
		if (fast && known_hit(w, m, u, x, r, NULL, &nr, &st))
			break;
		if (st)
			break;
		if (chord) {
			chord_direction(w, r, d);
			for (size_t i = 0; i < n; i++)
				xt[i] = x[i] + d[i];
			double ntr;
			st = residual1(w, m, xt, u, rt, &ntr);
			if (st)
				break;
			if (ntr <= CHORD_GAIN * nr) {
				memcpy(x, xt, n * sizeof(double));
				memcpy(r, rt, n * sizeof(double));
				nr = ntr;
				k++;
				w->kstats.newton_steps++;
				w->kstats.chord_steps++;
				continue;
			}
		}
		chord = 0; /* a Newton step from here */
		int none;
		st = direction(w, m, x, u, r, nr, d, &none);
		if (st || none)
			break;
		factored = w->A != NULL;
		/* ... as the Newton step from x predicts */
		if (fast && known_hit(w, m, u, x, r, d, &nr, &st))
			break;
		double t = 1, ntr = NAN;
		int accepted = 0;
		for (int h = 0; h < MAX_HALVINGS; h++, t *= 0.5) {
			for (size_t i = 0; i < n; i++)
				xt[i] = x[i] + t * d[i];
			/* rt doubles as the jacobian's scratch: recomputed here */
			st = residual1(w, m, xt, u, rt, &ntr);
			if (st)
				break;
			if (ntr <= (1 - ARMIJO * t) * nr) {
				accepted = 1;
				break;
			}
		}
		if (st || !accepted)
			break;
		/* the last streak of quadratic steps starts after any other */
		int quadratic = t == 1 && ntr <= 0.5 * nr;
		if (fast && !quadratic)
			memcpy(w->nb, xt, n * sizeof(double));
		chord = fast && t == 1 && ntr <= CHORD_AFTER * nr;
		memcpy(x, xt, n * sizeof(double));
		memcpy(r, rt, n * sizeof(double));
		/* An attempt gives up outside Newton's quadratic basin (a damped
		   step, or |r| not halved): Adam is cheaper there.  The polish
		   gives up when |r| stagnates, as it does at a slow point. */
		int slow = attempt ? !quadratic : ntr > 0.9 * nr;
		nr = ntr;
		k++;
		w->kstats.newton_steps++;
		if (slow)
			break;
	}
	if (history && !isfinite(nr))
		history[k] = nr;
	if (!st && fast && w->hit < 0 && factored && nr <= w->o.tol_fixed)
		dk_fixed_known_add(w, x, nr, distance(n, w->nb, x));
	*steps = k;
	*res = nr;
	return st;
}

int dk_fixed_newton(dk_fixed_work *w, const dk_model *m, double *x,
                    const double *u, int64_t *steps, double *res,
                    double *history)
{
	return dk_fixed_newton_run(w, m, x, u, 0, steps, res, history);
}
