/*
 * fixed_adam.c -- stage 1 of the fixed-point search: first-order
 * minimisation of q(x) = |r(x)|^2 / 2 over many points at once.
 *
 * The method is FixedPointFinder's (Golub and Sussillo 2018): Adam (in
 * the form of Kingma and Ba's section 2, with the bias corrections folded
 * into the rate, as TensorFlow applies it) on the gradient of q, the
 * gradient's norm clipped, and a learning rate that adapts to the recent
 * q values: it shrinks by rate_decrease when the newest q is above all
 * of the rate_window before it, and grows by rate_increase when q fell
 * at every one of the last rate_window steps, with at least rate_window
 * steps between changes.  Adam's epsilon is the PyTorch code's (see
 * dk_fixed_opts_default).  Unlike FixedPointFinder, which runs one Adam
 * on the mean q of all points until every point has converged, each
 * point here has its own rate and its own stopping test, and a point that
 * has stopped costs nothing: the active points are kept packed in the
 * first rows of the workspace, so one model call serves them all.
 *
 * The gradient of q comes from one vector-Jacobian product:
 *	map:  grad q = (J - I)^T r,  r = F(x) - x,  J = dF/dx;
 *	flow: grad q = Jf^T r,       r = f(x),      Jf = df/dx.
 */
#include <config.h>

#include <math.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "analysis/fixed_impl.h"
#include "base/status.h"

/* Adam's step on one point's n coordinates: the moments take the
   gradient c g, and x moves by lr m1 / (sqrt(m2) + eps). */
static void adam_plain(size_t n, double *x, double *m1, double *m2,
                       const double *g, double c, double b1, double b2,
                       double lr, double eps)
{
	for (size_t k = 0; k < n; k++) {
		double gk = c * g[k];
		m1[k] = b1 * m1[k] + (1 - b1) * gk;
		m2[k] = b2 * m2[k] + (1 - b2) * gk * gk;
		x[k] -= lr * m1[k] / (sqrt(m2[k]) + eps);
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same four coordinates at a time, each operation as above in the
   same order (no FMA: the bits are those of adam_plain, since vector
   square roots and quotients round as scalar ones do). */
__attribute__((target("avx2")))
static void adam_avx2(size_t n, double *x, double *m1, double *m2,
                      const double *g, double c, double b1, double b2,
                      double lr, double eps)
{
	__m256d vc = _mm256_set1_pd(c), vb1 = _mm256_set1_pd(b1);
	__m256d vb2 = _mm256_set1_pd(b2), va1 = _mm256_set1_pd(1 - b1);
	__m256d va2 = _mm256_set1_pd(1 - b2), vlr = _mm256_set1_pd(lr);
	__m256d veps = _mm256_set1_pd(eps);
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		__m256d gk = _mm256_mul_pd(vc, _mm256_loadu_pd(g + k));
		__m256d a = _mm256_add_pd(_mm256_mul_pd(vb1, _mm256_loadu_pd(m1 + k)),
		                          _mm256_mul_pd(va1, gk));
		__m256d b = _mm256_add_pd(_mm256_mul_pd(vb2, _mm256_loadu_pd(m2 + k)),
		                          _mm256_mul_pd(_mm256_mul_pd(va2, gk), gk));
		_mm256_storeu_pd(m1 + k, a);
		_mm256_storeu_pd(m2 + k, b);
		__m256d step = _mm256_div_pd(_mm256_mul_pd(vlr, a),
		                             _mm256_add_pd(_mm256_sqrt_pd(b), veps));
		_mm256_storeu_pd(x + k, _mm256_sub_pd(_mm256_loadu_pd(x + k), step));
	}
	adam_plain(n - k, x + k, m1 + k, m2 + k, g + k, c, b1, b2, lr, eps);
}
#endif

typedef void adam_fn(size_t, double *, double *, double *, const double *,
                     double, double, double, double, double);

static adam_fn *adam_kernel(void)
{
	static adam_fn *cached;
	adam_fn *k = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (!k) { /* threads that race here store the same value */
		k = adam_plain;
#if defined(__x86_64__) && defined(__GNUC__)
		__builtin_cpu_init();
		if (__builtin_cpu_supports("avx2"))
			k = adam_avx2;
#endif
		__atomic_store_n(&cached, k, __ATOMIC_RELAXED);
	}
	return k;
}

/* Swap packed rows i and j with everything that moves with them. */
static void swap_rows(dk_fixed_work *w, size_t i, size_t j)
{
	if (i == j)
		return;
	size_t n = w->n, hw = w->o.rate_window + 1;
	double *arrs[3] = {w->x, w->m1, w->m2};
	for (int a = 0; a < 3; a++) {
		double *p = arrs[a] + i * n, *q = arrs[a] + j * n;
		for (size_t k = 0; k < n; k++) {
			double t = p[k];
			p[k] = q[k];
			q[k] = t;
		}
	}
	for (size_t k = 0; k < hw; k++) {
		double t = w->hist[i * hw + k];
		w->hist[i * hw + k] = w->hist[j * hw + k];
		w->hist[j * hw + k] = t;
	}
#define SWAP(T, a) do { T t_ = (a)[i]; (a)[i] = (a)[j]; (a)[j] = t_; } while (0)
	SWAP(double, w->q);
	SWAP(double, w->qprev);
	SWAP(double, w->rate);
	SWAP(size_t, w->since);
	SWAP(size_t, w->steps);
	SWAP(size_t, w->newton);
	SWAP(double, w->handoff);
	SWAP(double, w->qmark);
	SWAP(size_t, w->who);
#undef SWAP
	w->pos[w->who[i]] = i;
	w->pos[w->who[j]] = j;
}

/* Has the point in row i finished? */
static int finished(const dk_fixed_work *w, size_t i)
{
	const dk_fixed_opts *o = &w->o;
	double q = w->q[i];
	if (!isfinite(q) || w->steps[i] >= o->max_iters || q < o->tol_q)
		return 1;
	/* a point that has stopped making progress (a slow point, mostly) */
	if (o->stall > 0 && o->stall_window && w->steps[i] > 0 &&
	    w->steps[i] % o->stall_window == 0 && q > (1 - o->stall) * w->qmark[i])
		return 1;
	/* FixedPointFinder scales the dq test by the rate, so that small
	   steps from a small rate do not pass for convergence */
	return w->steps[i] > 0 && fabs(q - w->qprev[i]) < o->tol_dq * w->rate[i];
}

/* The learning-rate rule after a step whose starting q was q (row i). */
static void adapt_rate(dk_fixed_work *w, size_t i, double q)
{
	const dk_fixed_opts *o = &w->o;
	size_t win = o->rate_window, hw = win + 1, s = w->steps[i] - 1;
	double *h = w->hist + i * hw;
	h[s % hw] = q;
	if (s == 0) { /* the first update sets the initial rate */
		w->since[i] = 0;
		return;
	}
	if (++w->since[i] < win || s < win)
		return;
	/* the window: the last win + 1 values, oldest first */
	int up = 1, down = 1;
	double last = h[s % hw];
	for (size_t k = 0; k < win; k++) {
		double a = h[(s - win + k) % hw], b = h[(s - win + k + 1) % hw];
		if (!(last > a))
			up = 0;
		if (!(b < a))
			down = 0;
	}
	if (up) {
		w->rate[i] *= o->rate_decrease;
		w->since[i] = 0;
	} else if (down) {
		w->rate[i] *= o->rate_increase;
		w->since[i] = 0;
	}
}

/*
 * A Newton attempt from row i: when it reaches tol_fixed, the row takes
 * its point and 1 is returned; otherwise the row's handoff level drops.
 */
static int attempt(dk_fixed_work *w, const dk_model *m, size_t i,
                   const double *u, int *done)
{
	size_t n = w->n;
	int64_t k;
	double res;
	memcpy(w->ny, w->x + i * n, n * sizeof(double));
	int st = dk_fixed_newton_run(w, m, w->ny, u, 1, &k, &res, NULL);
	w->newton[i] += (size_t)k;
	if (!st && res <= w->o.tol_fixed) {
		memcpy(w->x + i * n, w->ny, n * sizeof(double));
		w->q[i] = 0.5 * res * res;
		*done = 2;
	} else {
		w->handoff[i] *= 1e-3;
	}
	return st;
}

int dk_fixed_stages(dk_fixed_work *w, const dk_model *m, size_t B,
                    double *x, const double *u, int polish, double *qout,
                    int64_t *iters, int64_t *newton, double *res)
{
	const dk_fixed_opts *o = &w->o;
	size_t n = w->n;
	if (B > w->batch)
		return DK_EINVAL;
	if (dk_convention_check(m, o->convention, NULL, 0))
		return DK_EINVAL;
	memcpy(w->x, x, B * n * sizeof(double));
	memset(w->m1, 0, B * n * sizeof(double));
	memset(w->m2, 0, B * n * sizeof(double));
	for (size_t b = 0; b < B; b++) {
		w->pos[b] = w->who[b] = b;
		w->rate[b] = o->rate;
		w->since[b] = 0;
		w->steps[b] = 0;
		w->qprev[b] = NAN;
		w->newton[b] = 0;
		w->handoff[b] = polish ? o->handoff_q : 0;
	}
	/* the same input for every point */
	for (size_t b = 0; w->m && b < B; b++) {
		if (u)
			memcpy(w->ub + b * w->m, u, w->m * sizeof(double));
		else
			memset(w->ub + b * w->m, 0, w->m * sizeof(double));
	}
	const double *ub = w->m ? w->ub : NULL;
	const int flow = o->convention == DK_FLOW;
	const double b1 = o->adam_beta1, b2 = o->adam_beta2;
	adam_fn *adam = adam_kernel();
	size_t na = B;
	int st = DK_OK;
	while (na > 0) {
		if (flow) {
			st = dk_model_field(m, w->mw, na, w->x, ub, w->r);
		} else {
			st = dk_model_step(m, w->mw, na, w->x, ub, w->fx, w->cache);
			for (size_t k = 0; !st && k < na * n; k++)
				w->r[k] = w->fx[k] - w->x[k];
		}
		if (st)
			break;
		for (size_t i = 0; i < na; i++) {
			double s = dk_fixed_norm(n, w->r + i * n);
			w->q[i] = 0.5 * s * s;
		}
		/* retire finished points, from the end so that the row swapped
		   in has been tested already */
		for (size_t i = na; !st && i-- > 0;) {
			int done = finished(w, i);
			if (!done && w->q[i] < w->handoff[i])
				st = attempt(w, m, i, u, &done);
			if (!st && !done && o->stall_window &&
			    w->steps[i] % o->stall_window == 0)
				w->qmark[i] = w->q[i];
			if (st || !done)
				continue;
			size_t p = w->who[i];
			qout[p] = w->q[i];
			iters[p] = (int64_t)w->steps[i];
			memcpy(x + p * n, w->x + i * n, n * sizeof(double));
			if (newton)
				newton[p] = (int64_t)w->newton[i];
			if (polish && done == 2) {
				res[p] = sqrt(2 * w->q[i]);
			} else if (polish) { /* Adam stopped: polish what it found */
				int64_t k;
				st = dk_fixed_newton(w, m, x + p * n, u, &k, &res[p], NULL);
				newton[p] += k;
				qout[p] = 0.5 * res[p] * res[p];
			}
			swap_rows(w, i, na - 1);
			/* r moves with the row too: it is needed below */
			for (size_t k = 0; k < n; k++) {
				double t = w->r[i * n + k];
				w->r[i * n + k] = w->r[(na - 1) * n + k];
				w->r[(na - 1) * n + k] = t;
			}
			if (!flow) /* so is the cache of the row kept */
				memcpy(w->cache + i * dk_model_cache_size(m),
				       w->cache + (na - 1) * dk_model_cache_size(m),
				       dk_model_cache_size(m) * sizeof(double));
			na--;
		}
		if (o->progress)
			o->progress(o->progress_arg, B - na,
			            polish && o->newton_starts ? 2 * B : B);
		if (st || na == 0)
			break;
		if (flow) {
			st = dk_model_field_vjp(m, w->mw, na, w->x, ub, w->r, w->g);
		} else {
			st = dk_model_vjp(m, w->mw, na, w->x, ub, w->cache, w->r,
			                  w->g, NULL, NULL);
			for (size_t k = 0; !st && k < na * n; k++)
				w->g[k] -= w->r[k];
		}
		if (st)
			break;
		for (size_t i = 0; i < na; i++) {
			double *g = w->g + i * n, *xi = w->x + i * n;
			double *m1 = w->m1 + i * n, *m2 = w->m2 + i * n;
			double gn = dk_fixed_norm(n, g);
			double c = gn > o->clip ? o->clip / gn : 1.0;
			size_t t = ++w->steps[i];
			w->kstats.adam_steps++;
			double lr = w->rate[i] * sqrt(1 - pow(b2, (double)t)) /
			            (1 - pow(b1, (double)t));
			adam(n, xi, m1, m2, g, c, b1, b2, lr, o->adam_eps);
			w->qprev[i] = w->q[i];
			adapt_rate(w, i, w->q[i]);
		}
	}
	return st;
}

int dk_fixed_adam(dk_fixed_work *w, const dk_model *m, size_t B, double *x,
                  const double *u, double *q, int64_t *iters)
{
	return dk_fixed_stages(w, m, B, x, u, 0, q, iters, NULL, NULL);
}
