/*
 * fixed.c -- the fixed-point search as one call (see fixed.h): defaults,
 * workspaces, the residual of either convention, the sampling of start
 * states, and dk_fixed_find, which runs the stages in order and sorts
 * what they found.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "analysis/fixed_impl.h"
#include "base/rng.h"
#include "base/status.h"
#include "linalg/gmres.h"

/* GMRES restarts after this many products (its memory: this many + 1
   vectors of the state size). */
#define KRYLOV_RESTART 50

/* The kept points' LU factors take at most this many doubles (16 MiB),
   and there are at most KNOWN_MAX of them. */
#define KNOWN_BUDGET ((size_t)1 << 21)
#define KNOWN_MAX 256

void dk_fixed_opts_default(dk_fixed_opts *o)
{
	/* stage 1: FixedPointFinder's documented defaults (tol_q, tol_dq,
	   max_iters; its AdaptiveLearningRate's initial_rate, factors and
	   5-step windows; no clipping below 1e12); Adam's epsilon is that
	   of its PyTorch code (torch.optim.Adam's 1e-8), not the 0.01 of its
	   TensorFlow code: with 1e-8 the first steps move every coordinate
	   by about the rate, which carries points to the weak saddles the
	   PyTorch search finds and 0.01's small first steps miss */
	*o = (dk_fixed_opts){
		.convention = DK_MAP,
		.max_iters = 5000,
		.tol_q = 1e-12,
		.tol_dq = 1e-20,
		.rate = 1.0,
		.rate_decrease = 0.95,
		.rate_increase = 1.0 / 0.95,
		.rate_window = 5,
		.adam_beta1 = 0.9,
		.adam_beta2 = 0.999,
		.adam_eps = 1e-8,
		.clip = 1e12,
		.stall = 1e-2,
		.stall_window = 100,
		.handoff_q = 1e-1,
		.newton_iters = 50,
		.tol_fixed = 1e-10,
		.dense_max = 1024,
		.krylov_iters = 500,
		.tol_unique = 1e-6,
		.outlier_scale = 10,
		.max_q = INFINITY,
		.keep_diverged = 0,
		.newton_starts = 1,
	};
}

double dk_fixed_norm(size_t n, const double *v)
{
	return cblas_dnrm2((int)n, v, 1);
}

dk_fixed_work *dk_fixed_work_alloc(const dk_model *m, size_t batch,
                                   const dk_fixed_opts *o)
{
	if (batch == 0)
		batch = 1;
	dk_fixed_work *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	size_t n = dk_model_state_size(m), ni = dk_model_input_size(m);
	size_t bn = batch * n, hw = o->rate_window + 1;
	w->o = *o;
	w->n = n;
	w->m = ni;
	w->batch = batch;
	w->mw = dk_model_work_alloc(m, batch);
	w->ub = calloc(batch * (ni ? ni : 1), sizeof(double));
	w->x = malloc(bn * sizeof(double));
	w->r = malloc(bn * sizeof(double));
	w->g = malloc(bn * sizeof(double));
	w->fx = malloc(bn * sizeof(double));
	w->m1 = malloc(bn * sizeof(double));
	w->m2 = malloc(bn * sizeof(double));
	size_t cs = dk_model_cache_size(m);
	w->cache = malloc(batch * (cs ? cs : 1) * sizeof(double));
	w->q = malloc(batch * sizeof(double));
	w->qprev = malloc(batch * sizeof(double));
	w->rate = malloc(batch * sizeof(double));
	w->hist = malloc(batch * hw * sizeof(double));
	w->pos = malloc(batch * sizeof(size_t));
	w->who = malloc(batch * sizeof(size_t));
	w->since = malloc(batch * sizeof(size_t));
	w->steps = malloc(batch * sizeof(size_t));
	w->newton = malloc(batch * sizeof(size_t));
	w->handoff = malloc(batch * sizeof(double));
	w->qmark = malloc(batch * sizeof(double));
	w->ny = malloc(n * sizeof(double));
	int dense = n <= o->dense_max;
	w->A = dense ? malloc(n * n * sizeof(double)) : NULL;
	w->gmres = dense ? NULL : dk_gmres_alloc(n, n < KRYLOV_RESTART ? n : KRYLOV_RESTART);
	w->nr = malloc(n * sizeof(double));
	w->nd = malloc(n * sizeof(double));
	w->nx = malloc(n * sizeof(double));
	w->nt = malloc(n * sizeof(double));
	w->piv = malloc(n * sizeof(int));
	w->nb = malloc(n * sizeof(double));
	w->kd = malloc(n * sizeof(double));
	w->hit = -1;
	if (dense && n > 0) {
		size_t cap = KNOWN_BUDGET / (n * n);
		if (cap > KNOWN_MAX)
			cap = KNOWN_MAX;
		if (cap > 2 * batch)
			cap = 2 * batch;
		w->known_cap = cap;
	}
	if (w->known_cap) {
		size_t c = w->known_cap;
		w->known_x = malloc(c * n * sizeof(double));
		w->known_lu = malloc(c * n * n * sizeof(double));
		w->known_piv = malloc(c * n * sizeof(int));
		w->known_radius = malloc(c * sizeof(double));
		w->known_res = malloc(c * sizeof(double));
	}
	int known_ok = !w->known_cap || (w->known_x && w->known_lu &&
	               w->known_piv && w->known_radius && w->known_res);
	if (!known_ok || !w->nb || !w->kd ||
	    !w->mw || !w->ub || !w->x || !w->r || !w->g || !w->fx || !w->m1 ||
	    !w->m2 || !w->cache || !w->q || !w->qprev || !w->rate || !w->hist ||
	    !w->pos || !w->who || !w->since || !w->steps || (dense ? !w->A : !w->gmres) ||
	    !w->newton || !w->handoff || !w->qmark || !w->ny || !w->nr ||
	    !w->nd || !w->nx || !w->nt || !w->piv) {
		dk_fixed_work_free(w);
		return NULL;
	}
	return w;
}

void dk_fixed_work_free(dk_fixed_work *w)
{
	if (!w)
		return;
	dk_model_work_free(w->mw);
	free(w->ub);
	free(w->x);
	free(w->r);
	free(w->g);
	free(w->fx);
	free(w->m1);
	free(w->m2);
	free(w->cache);
	free(w->q);
	free(w->qprev);
	free(w->rate);
	free(w->hist);
	free(w->pos);
	free(w->who);
	free(w->since);
	free(w->steps);
	free(w->newton);
	free(w->handoff);
	free(w->qmark);
	free(w->ny);
	free(w->A);
	dk_gmres_free(w->gmres);
	free(w->nr);
	free(w->nd);
	free(w->nx);
	free(w->nt);
	free(w->piv);
	free(w->nb);
	free(w->kd);
	free(w->known_x);
	free(w->known_lu);
	free(w->known_piv);
	free(w->known_radius);
	free(w->known_res);
	free(w);
}

void dk_fixed_work_counts(const dk_fixed_work *w, dk_fixed_counts *c)
{
	*c = w->kstats;
}

dk_fixed_points *dk_fixed_points_alloc(size_t P, size_t n)
{
	dk_fixed_points *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	size_t c = P ? P : 1;
	p->n = n;
	p->capacity = P;
	p->x = malloc(c * (n ? n : 1) * sizeof(double));
	p->q = malloc(c * sizeof(double));
	p->residual = malloc(c * sizeof(double));
	p->adam_iters = malloc(c * sizeof(int64_t));
	p->newton_iters = malloc(c * sizeof(int64_t));
	p->kind = malloc(c * sizeof(int64_t));
	if (!p->x || !p->q || !p->residual || !p->adam_iters ||
	    !p->newton_iters || !p->kind) {
		dk_fixed_points_free(p);
		return NULL;
	}
	return p;
}

void dk_fixed_points_free(dk_fixed_points *p)
{
	if (!p)
		return;
	free(p->x);
	free(p->q);
	free(p->residual);
	free(p->adam_iters);
	free(p->newton_iters);
	free(p->kind);
	free(p);
}

/* The input in each of the first B rows of w->ub (zero for u NULL). */
static void spread_input(dk_fixed_work *w, size_t B, const double *u)
{
	if (!w->m)
		return;
	for (size_t b = 0; b < B; b++) {
		if (u)
			memcpy(w->ub + b * w->m, u, w->m * sizeof(double));
		else
			memset(w->ub + b * w->m, 0, w->m * sizeof(double));
	}
}

int dk_fixed_residual(dk_fixed_work *w, const dk_model *m, size_t B,
                      const double *x, const double *u, double *r,
                      double *q)
{
	if (B > w->batch)
		return DK_EINVAL;
	spread_input(w, B, u);
	const double *ub = w->m ? w->ub : NULL;
	size_t n = w->n;
	int st;
	if (w->o.convention == DK_FLOW) {
		st = dk_model_field(m, w->mw, B, x, ub, r);
	} else {
		st = dk_model_step(m, w->mw, B, x, ub, r, NULL);
		for (size_t i = 0; !st && i < B * n; i++)
			r[i] -= x[i];
	}
	if (st)
		return st;
	for (size_t b = 0; q && b < B; b++) {
		double s = dk_fixed_norm(n, r + b * n);
		q[b] = 0.5 * s * s;
	}
	return DK_OK;
}

int dk_fixed_sample(size_t P, size_t n, const double *states, size_t count,
                    double sigma, uint64_t seed, double *out)
{
	if (count > P)
		return DK_EINVAL;
	dk_rng *r = dk_rng_alloc(seed);
	size_t *perm = malloc((P ? P : 1) * sizeof(size_t));
	if (!r || !perm) {
		dk_rng_free(r);
		free(perm);
		return DK_ENOMEM;
	}
	dk_rng_permutation(r, perm, P);
	for (size_t k = 0; k < count; k++) {
		const double *s = states + perm[k] * n;
		for (size_t i = 0; i < n; i++)
			out[k * n + i] = s[i] + (sigma > 0 ? dk_rng_normal(r, sigma) : 0);
	}
	dk_rng_free(r);
	free(perm);
	return DK_OK;
}

/* Order of the output: fixed points first, then by q, then as found. */
typedef struct {
	int64_t kind;
	double q;
	size_t i;
} order_key;

static int order_cmp(const void *a, const void *b)
{
	const order_key *x = a, *y = b;
	/* fixed, slow, diverged */
	int rx = x->kind == DK_FIXED_FIXED ? 0 : x->kind == DK_FIXED_SLOW ? 1 : 2;
	int ry = y->kind == DK_FIXED_FIXED ? 0 : y->kind == DK_FIXED_SLOW ? 1 : 2;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (isnan(x->q) != isnan(y->q)) /* NaN last, for a total order */
		return isnan(x->q) ? 1 : -1;
	if (x->q != y->q && !isnan(x->q))
		return x->q < y->q ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Reorder p by kind and q; DK_ENOMEM. */
static int sort_points(dk_fixed_points *p)
{
	size_t P = p->count, n = p->n;
	if (P < 2)
		return DK_OK;
	order_key *k = malloc(P * sizeof *k);
	dk_fixed_points *t = dk_fixed_points_alloc(P, n);
	if (!k || !t) {
		free(k);
		dk_fixed_points_free(t);
		return DK_ENOMEM;
	}
	for (size_t i = 0; i < P; i++)
		k[i] = (order_key){p->kind[i], p->q[i], i};
	qsort(k, P, sizeof *k, order_cmp);
	for (size_t j = 0; j < P; j++) {
		size_t i = k[j].i;
		memcpy(t->x + j * n, p->x + i * n, n * sizeof(double));
		t->q[j] = p->q[i];
		t->residual[j] = p->residual[i];
		t->adam_iters[j] = p->adam_iters[i];
		t->newton_iters[j] = p->newton_iters[i];
		t->kind[j] = p->kind[i];
	}
	memcpy(p->x, t->x, P * n * sizeof(double));
	memcpy(p->q, t->q, P * sizeof(double));
	memcpy(p->residual, t->residual, P * sizeof(double));
	memcpy(p->adam_iters, t->adam_iters, P * sizeof(int64_t));
	memcpy(p->newton_iters, t->newton_iters, P * sizeof(int64_t));
	memcpy(p->kind, t->kind, P * sizeof(int64_t));
	free(k);
	dk_fixed_points_free(t);
	return DK_OK;
}

/* Newton from each of the B starts x0; the points it brings to
   tol_fixed are appended to out (whose capacity allows B more), but
   for those that end in a kept point's basin: that point is in out. */
static int newton_from_starts(dk_fixed_work *w, const dk_model *m, size_t B,
                              const double *x0, const double *u,
                              dk_fixed_points *out)
{
	size_t n = w->n;
	for (size_t b = 0; b < B; b++) {
		size_t j = out->count;
		double *x = out->x + j * n, res;
		int64_t k;
		memcpy(x, x0 + b * n, n * sizeof(double));
		w->probe = 1;
		int st = dk_fixed_newton(w, m, x, u, &k, &res, NULL);
		w->probe = 0;
		if (st)
			return st;
		int add = res <= w->o.tol_fixed && w->hit < 0;
		if (w->o.progress && !add)
			w->o.progress(w->o.progress_arg, B + b + 1, 2 * B);
		if (!add)
			continue;
		out->q[j] = 0.5 * res * res;
		out->residual[j] = res;
		out->adam_iters[j] = 0;
		out->newton_iters[j] = k;
		out->kind[j] = DK_FIXED_FIXED;
		out->count++;
		if (w->o.progress)
			w->o.progress(w->o.progress_arg, B + b + 1, 2 * B);
	}
	return DK_OK;
}

/* Mark the diverged points (q not finite, or above qmax, the largest q
   of a start), then drop them unless kept, and the slow points above
   max_q. */
static void sift(dk_fixed_points *p, double qmax, const dk_fixed_opts *o)
{
	size_t n = p->n, kept = 0;
	for (size_t i = 0; i < p->count; i++) {
		if (p->kind[i] != DK_FIXED_FIXED && !(p->q[i] <= qmax))
			p->kind[i] = DK_FIXED_DIVERGED;
		int drop = (p->kind[i] == DK_FIXED_DIVERGED && !o->keep_diverged) ||
		           (p->kind[i] == DK_FIXED_SLOW && p->q[i] > o->max_q);
		if (drop)
			continue;
		if (kept != i) {
			memcpy(p->x + kept * n, p->x + i * n, n * sizeof(double));
			p->q[kept] = p->q[i];
			p->residual[kept] = p->residual[i];
			p->adam_iters[kept] = p->adam_iters[i];
			p->newton_iters[kept] = p->newton_iters[i];
			p->kind[kept] = p->kind[i];
		}
		kept++;
	}
	p->count = kept;
}

int dk_fixed_find(dk_fixed_work *w, const dk_model *m, size_t B,
                  const double *x0, const double *u, dk_fixed_points *out,
                  char *err, size_t errlen)
{
	size_t n = w->n;
	int cst = dk_convention_check(m, w->o.convention, err, errlen);
	if (cst)
		return cst;
	if (B > w->batch)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%zu start states exceed the workspace's %zu",
		                 B, w->batch);
	if (dk_model_state_size(m) != n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the model's state size is not the workspace's");
	size_t need = w->o.newton_starts ? 2 * B : B;
	if (out->capacity < need || out->n != n)
		return dk_errorf(DK_EINVAL, err, errlen, "room for %zu points of %zu "
		                 "is needed, not %zu of %zu", need, n, out->capacity,
		                 out->n);
	/* the largest q of a start: a point above it ran away */
	int st = dk_fixed_residual(w, m, B, x0, u, w->r, w->qmark);
	double qmax = 0;
	for (size_t b = 0; !st && b < B; b++)
		if (w->qmark[b] > qmax)
			qmax = w->qmark[b];
	if (st)
		return dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	memcpy(out->x, x0, B * n * sizeof(double));
	out->count = B;
	/* the points polished by this search, and only them (fixed_known.c) */
	w->known_on = w->known_cap > 0;
	w->known_count = 0;
	st = dk_fixed_stages(w, m, B, out->x, u, 1, out->q,
	                     out->adam_iters, out->newton_iters,
	                     out->residual);
	for (size_t b = 0; !st && b < B; b++)
		out->kind[b] = out->residual[b] <= w->o.tol_fixed ? DK_FIXED_FIXED
		                                                  : DK_FIXED_SLOW;
	if (!st && w->o.newton_starts)
		st = newton_from_starts(w, m, B, x0, u, out);
	w->known_on = 0;
	if (!st) {
		sift(out, qmax, &w->o);
		if (w->o.outlier_scale > 0)
			st = dk_fixed_drop_outliers(out, B, x0, w->o.outlier_scale);
	}
	if (!st)
		st = dk_fixed_dedup(out, w->o.tol_unique);
	if (!st)
		st = sort_points(out);
	if (st)
		return dk_errorf(st, err, errlen, "%s", dk_strerror(st));
	return DK_OK;
}
