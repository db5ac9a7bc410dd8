/*
 * multiregion_dynamic.c -- the nonstationary two-time mean-field theory
 * of a multiregion network with disorder (multiregion_dynamic.h): the
 * options and their checks, the Euler steps of the currents and of each
 * region's banded D and G rows, and the static theory beside them.
 */
#include <config.h>

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dmft/dmft.h"
#include "analysis/dmft/dmft_impl.h"
#include "analysis/dmft/multiregion_dynamic.h"
#include "base/cpu.h"
#include "base/rng.h"
#include "base/status.h"

dk_dmft_dyn_options dk_dmft_dyn_options_default(void)
{
	return (dk_dmft_dyn_options){.model = dk_dmft_multi_options_default(),
	                             .dt = 0.05, .t_max = 100, .delta_init = 1};
}

/* The number of steps t_max / dt, rounded; 0 when it is out of range. */
size_t dk_dmft_dyn_step_count(double t_max, double dt)
{
	double n = round(t_max / dt);
	return n >= 1 && n <= DK_DMFT_MAX_TIME_STEPS ? (size_t)n : 0;
}

/* B: the lags kept, in steps, 1 to n (n for band 0). */
static size_t band_steps(double band, double dt, size_t n)
{
	double b = ceil(band / dt);
	if (band == 0 || b >= (double)n)
		return n;
	return b < 1 ? 1 : (size_t)b;
}

int dk_dmft_dyn_options_check(const dk_dmft_dyn_options *o, char *err,
                              size_t errlen)
{
	int st = dk_dmft_multi_options_check(&o->model, err, errlen);
	if (st)
		return st;
	size_t P = o->model.regions;
	if (!o->gain)
		return dk_errorf(DK_EINVAL, err, errlen, "gain is needed, one per region");
	for (size_t m = 0; m < P; m++)
		if (!(o->gain[m] >= 0 && o->gain[m] <= DK_DMFT_MAX_GAIN))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "gain of region %zu must be from 0 to %g, not %g",
			                 m + 1, DK_DMFT_MAX_GAIN, o->gain[m]);
	if (!(o->dt > 0 && o->dt <= DK_DMFT_MAX_DT))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "dt must be above 0 and at most %g, not %g",
		                 DK_DMFT_MAX_DT, o->dt);
	if (!(o->t_max > 0) || !dk_dmft_dyn_step_count(o->t_max, o->dt))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "t_max / dt must round to 1 to %d steps, not %g / %g",
		                 DK_DMFT_MAX_TIME_STEPS, o->t_max, o->dt);
	size_t n = dk_dmft_dyn_step_count(o->t_max, o->dt);
	if ((n + 1) > DK_DMFT_MAX_HISTORY / (P * P + P))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "t_max / dt: %zu steps of %zu regions hold more than "
		                 "%zu values", n, P, DK_DMFT_MAX_HISTORY);
	if (!(o->band >= 0 && o->band < INFINITY))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "band must be finite and at least 0, not %g", o->band);
	size_t B = band_steps(o->band, o->dt, n);
	if ((double)n * (double)B * (double)P > DK_DMFT_MAX_WORK)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "t_max / dt: %zu steps over a band of %zu in %zu "
		                 "regions are more than %g pairs of times; narrow "
		                 "the band", n, B, P, DK_DMFT_MAX_WORK);
	if (!(o->delta_init >= 0 && o->delta_init <= DK_DMFT_MAX_DELTA_INIT))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "delta_init must be from 0 to %g, not %g",
		                 DK_DMFT_MAX_DELTA_INIT, o->delta_init);
	for (size_t i = 0; o->S0 && i < P * P; i++)
		if (!(fabs(o->S0[i]) <= DK_DMFT_MAX_COUPLING * 10))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "S0[%zu] must be finite and within +-%g, not %g",
			                 i, DK_DMFT_MAX_COUPLING * 10, o->S0[i]);
	return DK_OK;
}

static double *copy(const double *v, size_t n)
{
	double *c = malloc(n * sizeof *c);
	if (c)
		memcpy(c, v, n * sizeof *c);
	return c;
}

static double inv_scale(double d) { return 1 / sqrt(d + 2 / M_PI); }

/* The working rows: for each region, D and G at lags 0..B of the last
   step (prev) and of this one (cur), and w^{mu rho}(t_j) = sum_nu
   U^{mu nu rho} S^{mu nu}(t_j); the histories by time, so that a row of
   the pairs (t_j, t_i) over i reads them in order; and the row of C_phi's
   arguments and arcsines of every region. */
typedef struct {
	size_t P, L, H;                      /* H = n + 1 times */
	double *dprev, *gprev, *dcur, *gcur; /* P x L each */
	double *w;                           /* P x P */
	double *Hc;                          /* P x P */
	double *inv;                         /* P x H: inv_scale(Delta^mu(t_i, t_i)) */
	double *hist;                        /* P x P x H: S^{mu rho}(t_i) */
	double *arg, *asn;                   /* P x L each */
} rows;

/* sum_{nu rho} U^{mu nu rho} S^{mu nu}(t_j) S^{mu rho}(t_i): w of t_j
   against S of t_i. */
static double currents_part(const double *w, const double *Si, size_t P,
                            size_t mu)
{
	double s = 0;
	for (size_t r = 0; r < P; r++)
		s += w[mu * P + r] * Si[mu * P + r];
	return s;
}

static void set_w(const double *U, const double *S, size_t P, double *w)
{
	for (size_t m = 0; m < P; m++)
		for (size_t r = 0; r < P; r++) {
			double s = 0;
			for (size_t n = 0; n < P; n++)
				s += U[(m * P + n) * P + r] * S[m * P + n];
			w[m * P + r] = s;
		}
}

/* S(t_j) from S(t_{j-1}) and Delta(t_{j-1}, t_{j-1}). */
static void step_currents(const dk_dmft_dyn_result *r, size_t j, double *H)
{
	size_t P = r->P;
	double dt = r->options.dt;
	const double *Sp = r->S + (j - 1) * P * P, *dp = r->delta + (j - 1) * P;
	double *S = r->S + j * P * P;
	for (size_t m = 0; m < P; m++)
		for (size_t n = 0; n < P; n++) {
			double s = 0;
			for (size_t q = 0; q < P; q++)
				s += r->T[(m * P + n) * P + q] * Sp[n * P + q];
			H[m * P + n] = dk_dmft_multi_psi(dp[n]) * s;
		}
	for (size_t i = 0; i < P * P; i++)
		S[i] = (1 - dt) * Sp[i] + dt * H[i];
}

/*
 * The two loops over the pairs, each written once as an inline body and
 * compiled twice, for any x86-64 and for AVX2 with FMA (chosen once by
 * asking the CPU), as the arcsines are: they are the solve's time.
 *
 * pair_args: x[m] for the earlier times t_{i0 + m}, m < kmax, which
 * lie kmax - m steps back: D's lag row dc read backwards plus the
 * currents' part sum_q wm[q] h[q H + m], four terms of it at a time (so
 * that the row is passed over about P / 4 times, not P), times sj iv[m],
 * clamped to [-1, 1] against rounding.
 */
static inline __attribute__((always_inline)) void
pair_args_body(double *x, const double *dc, size_t kmax, const double *h,
               size_t H, const double *wm, size_t P, const double *iv,
               double sj)
{
	for (size_t m = 0; m < kmax; m++)
		x[m] = dc[kmax - m];
	size_t q = 0;
	for (; q + 4 <= P; q += 4) {
		const double *h0 = h + q * H, *h1 = h0 + H, *h2 = h1 + H,
		             *h3 = h2 + H;
		double w0 = wm[q], w1 = wm[q + 1], w2 = wm[q + 2], w3 = wm[q + 3];
		for (size_t m = 0; m < kmax; m++)
			x[m] += w0 * h0[m] + w1 * h1[m] + w2 * h2[m] + w3 * h3[m];
	}
	for (; q + 2 <= P; q += 2) {
		const double *h0 = h + q * H, *h1 = h0 + H;
		double w0 = wm[q], w1 = wm[q + 1];
		for (size_t m = 0; m < kmax; m++)
			x[m] += w0 * h0[m] + w1 * h1[m];
	}
	/* the last term, if P is odd, with the scaling */
	const double *hl = q < P ? h + q * H : iv;
	double wl = q < P ? wm[q] : 0;
	for (size_t m = 0; m < kmax; m++) {
		double a = (x[m] + wl * hl[m]) * sj * iv[m];
		a = a < 1 ? a : 1;
		x[m] = a > -1 ? a : -1;
	}
}

/* g_recur: each region's G row backwards along the earlier times,
   g[mu][-m] = (1 - dt) g[mu][1 - m] + c[mu] a[mu][m], the regions side
   by side, which are independent, so that one's latency hides under
   another's; the last value carried in a local, not read back from the
   row just stored. */
static inline __attribute__((always_inline)) void
g_recur_body(double *const *g, const double *const *a, const double *c,
             size_t P, size_t kmax, double dt)
{
	double last[DK_DMFT_MAX_REGIONS];
	for (size_t mu = 0; mu < P; mu++)
		last[mu] = g[mu][1];
	for (size_t m = 0; m < kmax; m++)
#pragma GCC unroll 8
		for (size_t mu = 0; mu < P; mu++) {
			last[mu] = (1 - dt) * last[mu] + c[mu] * a[mu][m];
			g[mu][-(ptrdiff_t)m] = last[mu];
		}
}

#define PAIR_ARGS_ARGS double *x, const double *dc, size_t kmax, \
	const double *h, size_t H, const double *wm, size_t P,        \
	const double *iv, double sj
#define G_RECUR_ARGS double *const *g, const double *const *a, \
	const double *c, size_t P, size_t kmax, double dt

static void pair_args_any(PAIR_ARGS_ARGS)
{
	pair_args_body(x, dc, kmax, h, H, wm, P, iv, sj);
}

static void g_recur_any(G_RECUR_ARGS)
{
	g_recur_body(g, a, c, P, kmax, dt);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) static void pair_args_avx2(PAIR_ARGS_ARGS)
{
	pair_args_body(x, dc, kmax, h, H, wm, P, iv, sj);
}

/* with P known to the compiler for the usual counts, so that the loop
   over the regions is unrolled and its rows stay in registers */
__attribute__((target("avx2,fma"))) static void g_recur_avx2(G_RECUR_ARGS)
{
	switch (P) {
	case 2: g_recur_body(g, a, c, 2, kmax, dt); break;
	case 3: g_recur_body(g, a, c, 3, kmax, dt); break;
	case 4: g_recur_body(g, a, c, 4, kmax, dt); break;
	case 5: g_recur_body(g, a, c, 5, kmax, dt); break;
	case 6: g_recur_body(g, a, c, 6, kmax, dt); break;
	default: g_recur_body(g, a, c, P, kmax, dt);
	}
}
#else
#define pair_args_avx2 pair_args_any
#define g_recur_avx2 g_recur_any
#endif

/* Region mu's D row at step j >= 1 from the last rows, Delta(t_j, t_j),
   and the arguments of C_phi for phi = erf(sqrt(pi) x / 2) along the
   earlier times t_i, i = j - kmax .. j - 1, in order: the covariance
   d_ji over sqrt((d_jj + 2/pi)(d_ii + 2/pi)). */
static void region_args(dk_dmft_dyn_result *r, rows *w, size_t j,
                        size_t kmax, size_t mu, int avx2)
{
	size_t P = r->P, L = w->L, H = w->H, i0 = j - kmax;
	double dt = r->options.dt;
	const double *dp = w->dprev + mu * L, *gp = w->gprev + mu * L;
	double *dc = w->dcur + mu * L;
	for (size_t k = 1; k <= kmax; k++)
		dc[k] = (1 - dt) * dp[k - 1] + dt * gp[k - 1];
	dc[0] = (1 - dt) * dc[1] + dt * gp[0];
	const double *Sj = r->S + j * P * P;
	double dj = currents_part(w->w, Sj, P, mu) + dc[0], sj = inv_scale(dj);
	r->delta[j * P + mu] = dj;
	w->inv[mu * H + j] = sj;
	(avx2 ? pair_args_avx2 : pair_args_any)(
		w->arg + mu * L, dc, kmax, w->hist + mu * P * H + i0, H,
		w->w + mu * P, P, w->inv + mu * H + i0, sj);
}

/* Every region's rows at step j >= 1: the arguments, one pass of asin
   over them, then G along the earlier times, C_phi = 2/pi asin. */
static void step_regions(dk_dmft_dyn_result *r, rows *w, size_t j)
{
	size_t P = r->P, L = w->L, B = r->band_steps, kmax = j < B ? j : B;
	double dt = r->options.dt;
	int avx2 = dk_cpu_has_avx2_fma();
	for (size_t mu = 0; mu < P; mu++) {
		region_args(r, w, j, kmax, mu, avx2);
		dk_dmft_asin_row(w->arg + mu * L, w->asn + mu * L, kmax);
		/* G(t_j, 0) = 0 while the row reaches t = 0; beyond, the
		   band's edge carries the last row's value at the same
		   earlier time */
		w->gcur[mu * L + kmax] = j <= B ? 0 : w->gprev[mu * L + B - 1];
	}
	double *g[DK_DMFT_MAX_REGIONS], c[DK_DMFT_MAX_REGIONS];
	const double *a[DK_DMFT_MAX_REGIONS];
	for (size_t mu = 0; mu < P; mu++) {
		g[mu] = w->gcur + mu * L + kmax - 1;
		a[mu] = w->asn + mu * L;
		c[mu] = dt * r->options.gain[mu] * r->options.gain[mu] * (2 / M_PI);
	}
	(avx2 ? g_recur_avx2 : g_recur_any)(g, a, c, P, kmax, dt);
}

static int result_alloc(const dk_dmft_dyn_options *o, dk_dmft_dyn_result *r)
{
	const dk_dmft_multi_options *m = &o->model;
	size_t P = m->regions, P3 = P * P * P, n = r->steps;
	if (!m->T) {
		r->a = copy(m->a, P);
		r->b = copy(m->b, P);
		r->signs = copy(m->signs, P);
		r->statics = malloc(P * sizeof *r->statics);
		if (!r->a || !r->b || !r->signs || !r->statics)
			return DK_ENOMEM;
	}
	r->gain = copy(o->gain, P);
	r->S0 = malloc(P * P * sizeof *r->S0);
	r->T = malloc(P3 * sizeof *r->T);
	r->U = malloc(P3 * sizeof *r->U);
	r->S = malloc((n + 1) * P * P * sizeof *r->S);
	r->delta = malloc((n + 1) * P * sizeof *r->delta);
	r->delta_lag = malloc(r->lags * P * sizeof *r->delta_lag);
	if (!r->gain || !r->S0 || !r->T || !r->U || !r->S || !r->delta ||
	    !r->delta_lag)
		return DK_ENOMEM;
	dk_dmft_multi_coupling(m, r->T, r->U);
	r->options.model.a = r->a;
	r->options.model.b = r->b;
	r->options.model.signs = r->signs;
	r->options.model.T = m->T ? r->T : NULL;
	r->options.model.U = m->U ? r->U : NULL;
	r->options.gain = r->gain;
	r->options.S0 = o->S0 ? r->S0 : NULL;
	return DK_OK;
}

/* S(0): given, or uniform from the seed as multiregion's starts. */
int dk_dmft_dyn_start(const dk_dmft_dyn_options *o, double *S0)
{
	size_t n = o->model.regions * o->model.regions;
	if (o->S0) {
		memcpy(S0, o->S0, n * sizeof *S0);
		return DK_OK;
	}
	dk_rng *rng = dk_rng_alloc(o->model.seed);
	if (!rng)
		return DK_ENOMEM;
	for (size_t i = 0; i < n; i++)
		S0[i] = o->model.init_scale * (2 * dk_rng_uniform(rng) - 1);
	dk_rng_free(rng);
	return DK_OK;
}

/* S(t_j) into the histories by time. */
static void keep_currents(const dk_dmft_dyn_result *r, rows *w, size_t j)
{
	size_t PP = r->P * r->P;
	for (size_t q = 0; q < PP; q++)
		w->hist[q * w->H + j] = r->S[j * PP + q];
}

static int integrate(dk_dmft_dyn_result *r)
{
	size_t P = r->P, L = r->band_steps + 1, n = r->steps, H = n + 1;
	rows w = {.P = P, .L = L, .H = H};
	double *block = calloc(6 * P * L + 2 * P * P + H * P * (P + 1),
	                       sizeof *block);
	if (!block)
		return DK_ENOMEM;
	w.dprev = block;
	w.gprev = w.dprev + P * L;
	w.dcur = w.gprev + P * L;
	w.gcur = w.dcur + P * L;
	w.arg = w.gcur + P * L;
	w.asn = w.arg + P * L;
	w.w = w.asn + P * L;
	w.Hc = w.w + P * P;
	w.inv = w.Hc + P * P;
	w.hist = w.inv + H * P;
	memcpy(r->S, r->S0, P * P * sizeof *r->S);
	keep_currents(r, &w, 0);
	set_w(r->U, r->S, P, w.w);
	for (size_t m = 0; m < P; m++) {
		w.dprev[m * L] = r->options.delta_init;
		r->delta[m] = currents_part(w.w, r->S, P, m) + r->options.delta_init;
		w.inv[m * H] = inv_scale(r->delta[m]);
	}
	int st = DK_OK;
	for (size_t j = 1; j <= n && !st; j++) {
		step_currents(r, j, w.Hc);
		keep_currents(r, &w, j);
		set_w(r->U, r->S + j * P * P, P, w.w);
		step_regions(r, &w, j);
		for (size_t m = 0; m < P; m++)
			if (!isfinite(r->delta[j * P + m]))
				st = DK_ENUMERIC;
		double *t = w.dprev;
		w.dprev = w.dcur;
		w.dcur = t;
		t = w.gprev;
		w.gprev = w.gcur;
		w.gcur = t;
	}
	/* the last row, now in prev: Delta(t_n, t_n - k dt) */
	for (size_t k = 0; k < r->lags && !st; k++)
		for (size_t m = 0; m < P; m++)
			r->delta_lag[k * P + m] =
				currents_part(w.w, r->S + (n - k) * P * P, P, m) +
				w.dprev[m * L + k];
	free(block);
	return st;
}

int dk_dmft_dyn_run(const dk_dmft_dyn_options *o, dk_dmft_dyn_result *r,
                    char *err, size_t errlen)
{
	*r = (dk_dmft_dyn_result){0};
	int st = dk_dmft_dyn_options_check(o, err, errlen);
	if (st)
		return st;
	size_t P = o->model.regions, n = dk_dmft_dyn_step_count(o->t_max, o->dt);
	r->options = *o;
	r->P = P;
	r->steps = n;
	r->band_steps = band_steps(o->band, o->dt, n);
	r->lags = r->band_steps + 1;
	if ((st = result_alloc(o, r)) || (st = dk_dmft_dyn_start(o, r->S0)))
		return dk_errorf(st, err, errlen, "out of memory");
	for (size_t m = 0; r->statics && m < P; m++)
		if ((st = dk_dmft_multi_static(r->a[m], r->b[m], r->gain[m],
		                               &r->statics[m], err, errlen)))
			return st;
	if ((st = integrate(r)))
		return dk_errorf(st, err, errlen, st == DK_ENOMEM ? "out of memory" :
		                 "Delta left the finite numbers: dt too large?");
	return DK_OK;
}

void dk_dmft_dyn_result_clear(dk_dmft_dyn_result *r)
{
	if (!r)
		return;
	free(r->a);
	free(r->b);
	free(r->signs);
	free(r->gain);
	free(r->S0);
	free(r->T);
	free(r->U);
	free(r->S);
	free(r->delta);
	free(r->delta_lag);
	free(r->statics);
	*r = (dk_dmft_dyn_result){0};
}
