/*
 * multiregion.c -- the fixed points of the currents of a multiregion
 * network without disorder, and the stability of the silent state
 * (multiregion.h): the options and their checks, F(S) and its Jacobian,
 * the flow and Newton finish from each start, and T-hat's spectrum.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "analysis/dmft/multiregion.h"
#include "base/rng.h"
#include "base/status.h"

/* The flow hands over to Newton below this residual, and a Newton
   finish is given this many steps. */
#define NEWTON_SWITCH 1e-6
#define NEWTON_STEPS 20
/* Singular values below this, relative to the largest, are dropped
   from a Newton step: the directions along a continuum of fixed points. */
#define NEWTON_RCOND 1e-10

dk_dmft_multi_options dk_dmft_multi_options_default(void)
{
	return (dk_dmft_multi_options){.starts = 20, .seed = 1, .init_scale = 3,
	                               .tol = 1e-12, .max_steps = 100000};
}

double dk_dmft_multi_psi(double delta)
{
	return 1 / sqrt(1 + M_PI * delta / 2);
}

double dk_dmft_multi_psi_inverse(double psi)
{
	return 2 / M_PI * (1 / (psi * psi) - 1);
}

/* Each of the n values finite and within [lo, hi]; else the index of
   the first that is not, or -1. */
static long out_of_range(const double *v, size_t n, double lo, double hi)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= lo && v[i] <= hi))
			return (long)i;
	return -1;
}

/* U^mu symmetric and positive definite (Cholesky), for every mu. */
static int check_u(const double *U, size_t P, char *err, size_t errlen)
{
	double *c = malloc(P * P * sizeof *c);
	if (!c)
		return DK_ENOMEM;
	int st = DK_OK;
	for (size_t m = 0; m < P && !st; m++) {
		const double *u = U + m * P * P;
		for (size_t i = 0; i < P && !st; i++)
			for (size_t j = 0; j < i && !st; j++)
				if (u[i * P + j] != u[j * P + i])
					st = dk_errorf(DK_EINVAL, err, errlen,
					               "U of region %zu is not symmetric", m + 1);
		memcpy(c, u, P * P * sizeof *c);
		if (!st && LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)P, c,
		                          (lapack_int)P))
			st = dk_errorf(DK_EINVAL, err, errlen,
			               "U of region %zu is not positive definite", m + 1);
	}
	free(c);
	return st;
}

int dk_dmft_multi_options_check(const dk_dmft_multi_options *o, char *err,
                                size_t errlen)
{
	size_t P = o->regions;
	long i;
	if (P < 1 || P > DK_DMFT_MAX_REGIONS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "regions must be from 1 to %d, not %zu",
		                 DK_DMFT_MAX_REGIONS, P);
	if (o->T) {
		if (o->a || o->b || o->signs)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "a, b and signs define T: give T or them, not both");
		if ((i = out_of_range(o->T, P * P * P, -DK_DMFT_MAX_COUPLING,
		                      DK_DMFT_MAX_COUPLING)) >= 0)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "T[%ld] must be finite and within +-%g, not %g",
			                 i, DK_DMFT_MAX_COUPLING, o->T[i]);
	} else {
		if (!o->a || !o->b || !o->signs)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "a, b and signs are needed when T is not given");
		if ((i = out_of_range(o->a, P, -DK_DMFT_MAX_COUPLING,
		                      DK_DMFT_MAX_COUPLING)) >= 0)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "a of region %ld must be finite and within +-%g, "
			                 "not %g", i + 1, DK_DMFT_MAX_COUPLING, o->a[i]);
		if ((i = out_of_range(o->b, P, 0, DK_DMFT_MAX_COUPLING)) >= 0)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "b of region %ld must be from 0 to %g, not %g",
			                 i + 1, DK_DMFT_MAX_COUPLING, o->b[i]);
		for (size_t m = 0; m < P; m++)
			if (o->signs[m] != 1 && o->signs[m] != -1)
				return dk_errorf(DK_EINVAL, err, errlen,
				                 "signs of region %zu must be 1 or -1, not %g",
				                 m + 1, o->signs[m]);
	}
	if (o->U) {
		if ((i = out_of_range(o->U, P * P * P, -DK_DMFT_MAX_COUPLING,
		                      DK_DMFT_MAX_COUPLING)) >= 0)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "U[%ld] must be finite and within +-%g, not %g",
			                 i, DK_DMFT_MAX_COUPLING, o->U[i]);
		int st = check_u(o->U, P, err, errlen);
		if (st)
			return st;
	}
	if (o->starts < 1 || o->starts > DK_DMFT_MAX_STARTS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "starts must be from 1 to %d, not %zu",
		                 DK_DMFT_MAX_STARTS, o->starts);
	if (!(o->init_scale > 0 && o->init_scale <= 1000))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "init_scale must be above 0 and at most 1000, not %g",
		                 o->init_scale);
	if (!(o->tol >= 1e-15 && o->tol <= 1e-3))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "tol must be from 1e-15 to 1e-3, not %g", o->tol);
	if (o->max_steps < 1 || o->max_steps > DK_DMFT_MAX_FLOW_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "max_steps must be from 1 to %d, not %zu",
		                 DK_DMFT_MAX_FLOW_STEPS, o->max_steps);
	return DK_OK;
}

/* The problem and its scratch, allocated once per run. */
typedef struct {
	size_t P, n;              /* n = P^2 */
	const double *T, *U;
	double *delta;            /* P */
	double *TS;               /* n: sum_rho T^{mu nu rho} S^{nu rho} */
	double *F;                /* n */
	double *J;                /* n x n: dF/dS - 1 */
	double *rhs, *sv;         /* n each */
	double *keep;             /* n: S before a Newton finish */
} problem;

/* Delta^mu = sum U^{mu nu rho} S^{mu nu} S^{mu rho}, then F (and TS);
   returns max |F - S|. */
static double evaluate(problem *p, const double *S)
{
	size_t P = p->P;
	for (size_t m = 0; m < P; m++) {
		const double *u = p->U + m * P * P, *s = S + m * P;
		double d = 0;
		for (size_t n = 0; n < P; n++) {
			double us = 0;
			for (size_t r = 0; r < P; r++)
				us += u[n * P + r] * s[r];
			d += s[n] * us;
		}
		p->delta[m] = d;
	}
	double worst = 0;
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++) {
			const double *t = p->T + (m * P + n) * P, *s = S + n * P;
			double ts = 0;
			for (size_t r = 0; r < P; r++)
				ts += t[r] * s[r];
			p->TS[m * P + n] = ts;
			double f = dk_dmft_multi_psi(p->delta[n]) * ts;
			p->F[m * P + n] = f;
			worst = fmax(worst, fabs(f - S[m * P + n]));
		}
	return worst;
}

/* J = dF/dS - 1 at S (after evaluate): F^{mu nu} depends on row nu of S
   only, through TS^{mu nu} and Delta^nu:
	dF^{mu nu}/dS^{nu q} = psi'(Delta^nu) 2 (U^nu S^nu)_q TS^{mu nu}
	                       + psi(Delta^nu) T^{mu nu q},
   psi'(Delta) = -(pi / 4) psi(Delta)^3. */
static void jacobian(problem *p, const double *S)
{
	size_t P = p->P, n = p->n;
	memset(p->J, 0, n * n * sizeof *p->J);
	for (size_t nu = 0; nu < P; nu++) {
		const double *u = p->U + nu * P * P, *s = S + nu * P;
		double psi = dk_dmft_multi_psi(p->delta[nu]);
		double dpsi = -M_PI / 4 * psi * psi * psi;
		for (size_t q = 0; q < P; q++) {
			double us = 0;
			for (size_t r = 0; r < P; r++)
				us += u[q * P + r] * s[r];
			for (size_t mu = 0; mu < P; mu++) {
				size_t row = mu * P + nu;
				p->J[row * n + nu * P + q] = 2 * dpsi * us * p->TS[row] +
				                             psi * p->T[row * P + q];
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		p->J[i * n + i] -= 1;
}

/* One Newton step from S (after evaluate): the least-norm solution d
   of J d = S - F, S += d; returns the new residual (NaN when LAPACK
   fails). */
static double newton_step(problem *p, double *S)
{
	size_t n = p->n;
	jacobian(p, S);
	for (size_t i = 0; i < n; i++)
		p->rhs[i] = S[i] - p->F[i];
	lapack_int rank;
	if (LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, 1,
	                   p->J, (lapack_int)n, p->rhs, 1, p->sv, NEWTON_RCOND,
	                   &rank))
		return NAN;
	for (size_t i = 0; i < n; i++)
		S[i] += p->rhs[i];
	return evaluate(p, S);
}

/* Newton's method from S (residual res, after evaluate) to res <= tol,
   and one step more, kept when it lowers the residual further (the
   last step before tol is often well above rounding).  Returns the
   residual reached; S is restored when the finish fails or strays
   (multiregion.h). */
static double newton(problem *p, double *S, double res, double tol)
{
	size_t n = p->n;
	double size = 0;
	for (size_t i = 0; i < n; i++)
		size = fmax(size, fabs(S[i]));
	memcpy(p->keep, S, n * sizeof *S);
	for (int it = 0; it < NEWTON_STEPS && res > tol && isfinite(res); it++)
		res = newton_step(p, S);
	double moved = 0;
	for (size_t i = 0; i < n; i++)
		moved = fmax(moved, fabs(S[i] - p->keep[i]));
	if (res <= tol && moved <= 1e-2 * (1 + size)) {
		double before = res;
		memcpy(p->keep, S, n * sizeof *S);
		res = newton_step(p, S);
		if (res < before)
			return res;
		memcpy(S, p->keep, n * sizeof *S);
		return evaluate(p, S);
	}
	memcpy(S, p->keep, n * sizeof *S);
	return evaluate(p, S);
}

/* One start: the flow, then Newton (multiregion.h).  Returns the
   residual. */
static double solve(problem *p, double *S, double h, const dk_dmft_multi_options *o)
{
	double res = evaluate(p, S), handover = NEWTON_SWITCH;
	for (size_t step = 0; step < o->max_steps && res > o->tol; step++) {
		if (res < handover) {
			double before = res;
			res = newton(p, S, res, o->tol);
			if (res <= o->tol)
				break;
			/* refused: flow on closer before the next try */
			handover = before / 100;
		}
		for (size_t i = 0; i < p->n; i++)
			S[i] += h * (p->F[i] - S[i]);
		res = evaluate(p, S);
	}
	if (res > o->tol && res < handover)
		res = newton(p, S, res, o->tol);
	return res;
}

/* T^{mu nu rho} = delta_{mu rho} c^{mu nu}, c = u u^T + diag(a - b). */
static void t_from_abs(double *T, const double *a, const double *b,
                       const double *signs, size_t P)
{
	memset(T, 0, P * P * P * sizeof *T);
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++)
			T[(m * P + n) * P + m] = m == n ? a[m] :
				signs[m] * signs[n] * sqrt(b[m] * b[n]);
}

void dk_dmft_multi_coupling(const dk_dmft_multi_options *o, double *T,
                            double *U)
{
	size_t P = o->regions, P3 = P * P * P;
	if (o->T)
		memcpy(T, o->T, P3 * sizeof *T);
	else
		t_from_abs(T, o->a, o->b, o->signs, P);
	if (o->U) {
		memcpy(U, o->U, P3 * sizeof *U);
		return;
	}
	memset(U, 0, P3 * sizeof *U);
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++)
			U[(m * P + n) * P + n] = 1;
}

static int by_real_part(const void *x, const void *y)
{
	const double *u = x, *v = y;
	if (u[0] != v[0])
		return u[0] < v[0] ? 1 : -1;
	return u[1] < v[1] ? 1 : u[1] > v[1] ? -1 : 0;
}

/* The eigenvalues of T-hat[(mu nu), (rho sigma)] = delta_{nu rho}
   T^{mu nu sigma}, sorted; eig holds n (re, im) pairs. */
static int that_spectrum(const double *T, size_t P, double *eig)
{
	size_t n = P * P;
	double *M = calloc(n * n + 2 * n, sizeof *M);
	if (!M)
		return DK_ENOMEM;
	double *wr = M + n * n, *wi = wr + n;
	for (size_t m = 0; m < P; m++)
		for (size_t nu = 0; nu < P; nu++)
			for (size_t s = 0; s < P; s++)
				M[(m * P + nu) * n + nu * P + s] = T[(m * P + nu) * P + s];
	int st = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, M,
	                       (lapack_int)n, wr, wi, NULL, 1, NULL, 1) ?
		DK_ENUMERIC : DK_OK;
	for (size_t i = 0; i < n && !st; i++) {
		eig[2 * i] = wr[i];
		eig[2 * i + 1] = wi[i];
	}
	free(M);
	if (!st)
		qsort(eig, n, 2 * sizeof *eig, by_real_part);
	return st;
}

static double *copy(const double *v, size_t n)
{
	double *c = malloc(n * sizeof *c);
	if (c)
		memcpy(c, v, n * sizeof *c);
	return c;
}

/* The copies of the inputs, the model's T and U, and the outputs. */
static int result_alloc(const dk_dmft_multi_options *o, dk_dmft_multi_result *r)
{
	size_t P = o->regions, P3 = P * P * P, K = o->starts;
	if (!o->T) {
		r->a = copy(o->a, P);
		r->b = copy(o->b, P);
		r->signs = copy(o->signs, P);
		r->prediction = malloc(P * sizeof *r->prediction);
		if (!r->a || !r->b || !r->signs || !r->prediction)
			return DK_ENOMEM;
	}
	r->T = malloc(P3 * sizeof *r->T);
	r->U = malloc(P3 * sizeof *r->U);
	r->S = malloc(K * P * P * sizeof *r->S);
	r->A = malloc(K * P * sizeof *r->A);
	r->residual = malloc(K * sizeof *r->residual);
	r->that_eig = malloc(2 * P * P * sizeof *r->that_eig);
	if (!r->T || !r->U || !r->S || !r->A || !r->residual || !r->that_eig)
		return DK_ENOMEM;
	dk_dmft_multi_coupling(o, r->T, r->U);
	r->options.a = r->a;
	r->options.b = r->b;
	r->options.signs = r->signs;
	r->options.T = o->T ? r->T : NULL;
	r->options.U = o->U ? r->U : NULL;
	return DK_OK;
}

static int find_fixed_points(dk_dmft_multi_result *r)
{
	const dk_dmft_multi_options *o = &r->options;
	size_t P = r->P, n = P * P;
	problem p = {.P = P, .n = n, .T = r->T, .U = r->U};
	double *work = malloc((2 * P + 5 * n + n * n) * sizeof *work);
	dk_rng *rng = dk_rng_alloc(o->seed);
	int st = work && rng ? DK_OK : DK_ENOMEM;
	if (!st) {
		p.delta = work;
		p.TS = p.delta + P;
		p.F = p.TS + n;
		p.rhs = p.F + n;
		p.sv = p.rhs + n;
		p.keep = p.sv + n;
		p.J = p.keep + n;
		double rowsum = 0;
		for (size_t i = 0; i < n; i++) {
			double s = 0;
			for (size_t q = 0; q < P; q++)
				s += fabs(r->T[i * P + q]);
			rowsum = fmax(rowsum, s);
		}
		double h = 1 / (1 + rowsum);
		for (size_t k = 0; k < r->K; k++) {
			double *S = r->S + k * n;
			for (size_t i = 0; i < n; i++)
				S[i] = o->init_scale * (2 * dk_rng_uniform(rng) - 1);
			r->residual[k] = solve(&p, S, h, o);
			if (r->residual[k] <= o->tol)
				r->converged++;
			for (size_t m = 0; m < P; m++) {
				double A = 0;
				for (size_t nu = 0; nu < P; nu++)
					A += S[m * P + nu] * S[m * P + nu];
				r->A[k * P + m] = A;
			}
		}
	}
	dk_rng_free(rng);
	free(work);
	return st;
}

int dk_dmft_multi_run(const dk_dmft_multi_options *o, dk_dmft_multi_result *r,
                      char *err, size_t errlen)
{
	*r = (dk_dmft_multi_result){.options = *o, .P = o->regions, .K = o->starts,
	                            .that_max_re = NAN};
	int st = dk_dmft_multi_options_check(o, err, errlen);
	if (st)
		return st;
	if ((st = result_alloc(o, r)))
		return dk_errorf(st, err, errlen, "out of memory");
	size_t P = r->P;
	if (r->prediction)
		for (size_t m = 0; m < P; m++) {
			double top = fmax(r->a[m], r->b[m]);
			r->prediction[m] = top > 1 ? dk_dmft_multi_psi_inverse(1 / top) : 0;
		}
	if ((st = that_spectrum(r->T, P, r->that_eig)))
		return dk_errorf(st, err, errlen, st == DK_ENOMEM ? "out of memory" :
		                 "the eigenvalues of T-hat were not found");
	r->that_max_re = r->that_eig[0];
	r->zero_stable = r->that_max_re < 1;
	if ((st = find_fixed_points(r)))
		return dk_errorf(st, err, errlen, "out of memory");
	return DK_OK;
}

void dk_dmft_multi_result_clear(dk_dmft_multi_result *r)
{
	if (!r)
		return;
	free(r->a);
	free(r->b);
	free(r->signs);
	free(r->T);
	free(r->U);
	free(r->S);
	free(r->A);
	free(r->residual);
	free(r->prediction);
	free(r->that_eig);
	*r = (dk_dmft_multi_result){.that_max_re = NAN};
}
