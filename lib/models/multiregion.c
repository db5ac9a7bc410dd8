/*
 * multiregion.c -- the multiregion network of Clark and Beiran
 * ("Structure of activity in multiregion recurrent neural networks",
 * PNAS 2025), without disorder, held matrix-free: P regions of N units,
 * region mu's units x^mu moving as
 *
 *	dx^mu/dt = -x^mu + sum_nu m^{mu nu} S^{mu nu} + (B u)^mu,
 *	S^{mu nu} = n^{mu nu} . phi(x^nu) / N,
 *
 * phi(x) = erf(sqrt(pi) x / 2) (the model's act, fixed).  The coupling
 * from region nu to region mu is the rank-one block m^{mu nu} n^{mu nu T}
 * / N, never formed: a step computes the P^2 currents S (P^2 dot
 * products of N) and spreads them back (P^2 axpys), O(P^2 N) per state,
 * so that the paper's size (P = 5, N = 100,000) runs.  The step is
 * Euler's, x' = x + dt f(x, u), as the paper's own simulation and the
 * ctrnn's default integrator; dt defaults to 0.05, the paper's.
 *
 * With gains g_mu (spec.gains) the network has the paper's disorder:
 * region mu's units also receive g_mu chi^mu phi(x^mu), chi^mu_ij ~ N(0,
 * 1 / N) a dense N x N block per region (P N^2 doubles, refused above
 * MR_MAX_DISORDER_BYTES), applied by one matrix product per region for
 * a batch; a step then costs O(P N^2).  chi is drawn from the model's
 * stream after the loadings, so a seed's loadings are the same with or
 * without disorder.  Both are parameters, model/chi (P, N, N), element
 * (mu, i, j) at (mu N + i) N + j, and model/g (P), with their gradients
 * like every other parameter's; the attr "disorder" says whether a model
 * has them.
 *
 * The state is the regions one after another: unit i of region mu at
 * mu N + i (n = P N).  Parameters: model/m and model/n, (P, P, N), the
 * loadings m^{mu nu} (a vector over region mu's units) and n^{mu nu}
 * (over region nu's), element (mu, nu, i) at (mu P + nu) N + i; and
 * model/B (P, N, inputs), the input weights, zero when made, so that
 * the network is the paper's until an input is wired in (the kind has
 * an input so that dk-run can drive it; with --inputs 0 it has none).
 *
 * Initialisation "paper" (the only one) draws the loadings as the
 * paper's sample_nm does, from spec.a, b and signs (P each): the
 * effective interactions T^{mu nu rho} = <n^{mu nu} m^{nu rho}> =
 * delta_{mu rho} c^{mu nu}, c = u u^T + diag(a - b), u_mu = signs_mu
 * sqrt(b_mu), and the overlaps U^{nu rho sigma} = <m^{nu rho} m^{nu
 * sigma}> = delta_{rho sigma}.  Each region nu's unit draws the 2 P
 * values (n^{mu nu}_i for every mu, m^{nu rho}_i for every rho) jointly
 * Gaussian with covariance [[s I, T^{. nu .}], [T^{. nu .}^T, I]]: the
 * n's variance s starts at 1 and grows by factors of 1.05 until the
 * matrix is positive definite (its Cholesky factor L exists), and the
 * values are L z, z standard normal.  a, b and signs are read by the
 * initialisation only (the model keeps none of them: its loadings say
 * all); a model read from a stream has its loadings.
 *
 * jvp and vjp are the exact derivatives of the Euler step, matrix-free
 * as the step; the dense Jacobian is written out (for small N only).
 * The step's cache holds per state phi(x), phi'(x) and the currents S
 * (2 P N + P^2 doubles), and with disorder chi^mu phi(x^mu) (P N more).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "models/model_impl.h"

#define MR_DT 0.05
/* The largest |a| and b: the loadings' variance grows as c^2. */
#define MR_MAX_COUPLING 100.0
/* The paper's factor of growth of the n's variance, and how often at
   most: 1.05^400 > 1e8 exceeds every c^2 the couplings allow. */
#define MR_INFLATE 1.05
#define MR_MAX_INFLATIONS 400

/* The most memory of the disorder's blocks (P N^2 doubles): 4 GiB. */
#define MR_MAX_DISORDER_BYTES ((size_t)4 << 30)
/* The largest gain g_mu: the theory's (DK_DMFT_MAX_GAIN) is far below. */
#define MR_MAX_GAIN 100.0

/* Offsets of the parameters in theta (chi and g: with disorder only). */
typedef struct { size_t m, n, B, chi, g; } mr_params;

static mr_params params(const dk_model *m)
{
	mr_params p = {m->view[0].offset, m->view[1].offset, m->view[2].offset, 0, 0};
	if (m->spec.disorder) {
		p.chi = m->view[3].offset;
		p.g = m->view[4].offset;
	}
	return p;
}

static size_t regions(const dk_model *m) { return m->spec.regions; }

static int mr_layout(dk_model *m, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	size_t P = s->regions, N = s->units, in = s->inputs;
	if (!P || !N)
		return dk_errorf(DK_EINVAL, err, errlen, "multiregion: regions and units "
		                 "must be at least 1");
	/* the loadings (2 P^2 N), the cache and scratch of a state (3 P N +
	   2 P^2) and the covariance of the initialisation (4 P^2) must fit */
	size_t PP, PPN, PN, PNI;
	if (__builtin_mul_overflow(P, P, &PP) || __builtin_mul_overflow(PP, N, &PPN) ||
	    __builtin_mul_overflow(P, N, &PN) || __builtin_mul_overflow(PN, in, &PNI) ||
	    PPN > SIZE_MAX / sizeof(double) / 8 || PN > SIZE_MAX / sizeof(double) / 8 ||
	    PNI > SIZE_MAX / sizeof(double) / 2)
		return dk_errorf(DK_EINVAL, err, errlen, "multiregion: %zu regions of %zu "
		                 "units with %zu inputs is too large", P, N, in);
	if (s->dt == 0)
		s->dt = MR_DT;
	if (!(s->dt >= DBL_MIN) || !isfinite(s->dt))
		return dk_errorf(DK_EINVAL, err, errlen, "multiregion: the step dt must be "
		                 "a positive normal number, not %g", s->dt);
	if (s->gains)
		s->disorder = 1;
	size_t PNN;
	if (s->disorder && (__builtin_mul_overflow(PN, N, &PNN) ||
	                    PNN > MR_MAX_DISORDER_BYTES / sizeof(double)))
		return dk_errorf(DK_EINVAL, err, errlen, "multiregion: the disorder of %zu "
		                 "regions of %zu units needs P N^2 = %g doubles (%.3g GiB), "
		                 "more than %zu GiB", P, N, (double)P * (double)N * (double)N,
		                 (double)P * (double)N * (double)N * 8 / (1 << 30),
		                 MR_MAX_DISORDER_BYTES >> 30);
	m->n = PN;
	m->spec.act = DK_ACT_ERF; /* always */
	static const char *const l_axes[3] = {"region_to", "region_from", "unit"};
	static const char *const b_axes[3] = {"region", "unit", "input"};
	size_t ls[3] = {P, P, N}, bs[3] = {P, N, in};
	dk_model_add_param(m, "model/m", 3, ls, l_axes);
	dk_model_add_param(m, "model/n", 3, ls, l_axes);
	dk_model_add_param(m, "model/B", 3, bs, b_axes);
	if (s->disorder) {
		static const char *const c_axes[3] = {"region", "unit_to", "unit_from"};
		static const char *const g_axes[1] = {"region"};
		size_t cs[3] = {P, N, N};
		dk_model_add_param(m, "model/chi", 3, cs, c_axes);
		dk_model_add_param(m, "model/g", 1, &P, g_axes);
	}
	return DK_OK;
}

/* The couplings a, b and signs of the spec, checked. */
static int check_couplings(const dk_model_spec *s, char *err, size_t errlen)
{
	if (!s->a || !s->b)
		return dk_errorf(DK_EINVAL, err, errlen, "multiregion: the initialisation "
		                 "paper needs a and b, one value per region each");
	for (size_t k = 0; k < s->regions; k++) {
		if (!isfinite(s->a[k]) || fabs(s->a[k]) > MR_MAX_COUPLING)
			return dk_errorf(DK_EINVAL, err, errlen, "multiregion: a of region "
			                 "%zu is %g; |a| must be at most %g", k, s->a[k],
			                 MR_MAX_COUPLING);
		if (!(s->b[k] >= 0 && s->b[k] <= MR_MAX_COUPLING))
			return dk_errorf(DK_EINVAL, err, errlen, "multiregion: b of region "
			                 "%zu is %g; it must be in [0, %g]", k, s->b[k],
			                 MR_MAX_COUPLING);
		if (s->signs && s->signs[k] != 1 && s->signs[k] != -1)
			return dk_errorf(DK_EINVAL, err, errlen, "multiregion: signs of region "
			                 "%zu is %g, not +1 or -1", k, s->signs[k]);
	}
	return DK_OK;
}

/* The gains of a model with disorder, checked. */
static int check_gains(const dk_model_spec *s, char *err, size_t errlen)
{
	if (!s->disorder)
		return DK_OK;
	if (!s->gains)
		return dk_errorf(DK_EINVAL, err, errlen, "multiregion: the disorder needs "
		                 "gains, one per region");
	for (size_t k = 0; k < s->regions; k++)
		if (!(s->gains[k] >= 0 && s->gains[k] <= MR_MAX_GAIN))
			return dk_errorf(DK_EINVAL, err, errlen, "multiregion: the gain of "
			                 "region %zu is %g; it must be in [0, %g]", k,
			                 s->gains[k], MR_MAX_GAIN);
	return DK_OK;
}

/* g from the spec's gains, then chi^mu_ij ~ N(0, 1 / N) from rng, after
   the loadings' draws. */
static void draw_disorder(dk_model *m, dk_rng *rng)
{
	size_t P = m->spec.regions, N = m->spec.units;
	mr_params p = params(m);
	memcpy(m->theta + p.g, m->spec.gains, P * sizeof *m->theta);
	double sd = 1 / sqrt((double)N);
	for (size_t i = 0; i < P * N * N; i++)
		m->theta[p.chi + i] = dk_rng_normal(rng, sd);
}

/* The lower Cholesky factor of the n x n matrix A into L; 0 when A is
   not positive definite. */
static int cholesky(const double *A, double *L, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++) {
			double v = A[i * n + j];
			for (size_t k = 0; k < j; k++)
				v -= L[i * n + k] * L[j * n + k];
			if (i == j) {
				if (!(v > 0))
					return 0;
				L[i * n + i] = sqrt(v);
			} else {
				L[i * n + j] = v / L[j * n + j];
			}
		}
	return 1;
}

static int mr_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	int st = DK_OK;
	if (strcmp(s->init, "paper"))
		st = dk_errorf(DK_EINVAL, err, errlen, "multiregion: unknown initialisation "
		               "'%s' (paper)", s->init);
	if (!st)
		st = check_couplings(s, err, errlen);
	if (!st)
		st = check_gains(s, err, errlen);
	size_t P = s->regions, N = s->units, D = 2 * P;
	double *cov = st ? NULL : calloc(2 * D * D + D + D + P * P, sizeof *cov);
	if (!st && !cov)
		st = dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	if (st) {
		s->a = s->b = s->signs = s->gains = NULL;
		return st;
	}
	double *L = cov + D * D, *z = L + D * D, *v = z + D, *c = v + D;
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++) {
			double smu = s->signs ? s->signs[mu] : 1, snu = s->signs ? s->signs[nu] : 1;
			c[mu * P + nu] = mu == nu ? s->a[mu] : smu * snu * sqrt(s->b[mu] * s->b[nu]);
		}
	mr_params p = params(m);
	double *lm = m->theta + p.m, *ln = m->theta + p.n;
	for (size_t nu = 0; nu < P && !st; nu++) {
		/* [n^{mu nu}]_mu then [m^{nu rho}]_rho, with <n^{mu nu}
		   m^{nu rho}> = T^{mu nu rho} = delta_{mu rho} c^{mu nu} */
		memset(cov, 0, D * D * sizeof *cov);
		for (size_t mu = 0; mu < P; mu++) {
			cov[mu * D + P + mu] = cov[(P + mu) * D + mu] = c[mu * P + nu];
			cov[(P + mu) * D + P + mu] = 1;
		}
		double var = 1;
		int k = 0;
		for (;;) {
			for (size_t mu = 0; mu < P; mu++)
				cov[mu * D + mu] = var;
			if (cholesky(cov, L, D))
				break;
			if (++k > MR_MAX_INFLATIONS) {
				st = dk_errorf(DK_ENUMERIC, err, errlen, "multiregion: the loadings' "
				               "covariance of region %zu stays indefinite", nu);
				break;
			}
			var *= MR_INFLATE;
		}
		for (size_t i = 0; i < N && !st; i++) {
			for (size_t d = 0; d < D; d++)
				z[d] = dk_rng_normal(rng, 1);
			for (size_t d = 0; d < D; d++) {
				double acc = 0;
				for (size_t e = 0; e <= d; e++)
					acc += L[d * D + e] * z[e];
				v[d] = acc;
			}
			for (size_t mu = 0; mu < P; mu++)
				ln[(mu * P + nu) * N + i] = v[mu];
			for (size_t rho = 0; rho < P; rho++)
				lm[(nu * P + rho) * N + i] = v[P + rho];
		}
	}
	free(cov);
	if (!st && s->disorder)
		draw_disorder(m, rng);
	/* read once: the caller's arrays need not outlive the model */
	s->a = s->b = s->signs = s->gains = NULL;
	return st; /* B stays 0 */
}

/* Per state: phi(x), phi'(x) (P N each), S (P^2), and with disorder
   K^mu = chi^mu phi(x^mu) (P N). */
static size_t mr_cache_size(const dk_model *m)
{
	size_t P = regions(m);
	return (m->spec.disorder ? 3 : 2) * m->n + P * P;
}

/* Where K starts in a state's cache. */
static size_t k_offset(const dk_model *m)
{
	size_t P = regions(m);
	return 2 * m->n + P * P;
}

/* A cache per state, then per state P^2 (pulled-back currents) and P N
   (a field or an adjoint). */
static size_t mr_work_size(const dk_model *m, size_t batch)
{
	size_t P = regions(m);
	return batch * (mr_cache_size(m) + P * P + m->n);
}

/* S[mu P + nu] = w^{mu nu} . v^nu / N for one state, w the loadings n. */
static void currents(const dk_model *m, const double *v, double *S)
{
	size_t P = regions(m), N = m->spec.units;
	const double *ln = m->theta + params(m).n;
	int n = (int)N;
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++)
			S[mu * P + nu] = cblas_ddot(n, ln + (mu * P + nu) * N, 1, v + nu * N, 1) / (double)N;
}

/* y^mu = sum_nu m^{mu nu} S^{mu nu} for one state (y overwritten). */
static void spread(const dk_model *m, const double *S, double *y)
{
	size_t P = regions(m), N = m->spec.units;
	const double *lm = m->theta + params(m).m;
	memset(y, 0, P * N * sizeof *y);
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++)
			cblas_daxpy((int)N, S[mu * P + nu], lm + (mu * P + nu) * N, 1, y + mu * N, 1);
}

/* The adjoint of spread after currents: G^{mu nu} = m^{mu nu} . g^mu,
   y^nu = sum_mu n^{mu nu} G^{mu nu} / N (y overwritten). */
static void pull_back(const dk_model *m, const double *g, double *G, double *y)
{
	size_t P = regions(m), N = m->spec.units;
	mr_params p = params(m);
	const double *lm = m->theta + p.m, *ln = m->theta + p.n;
	memset(y, 0, P * N * sizeof *y);
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++) {
			G[mu * P + nu] = cblas_ddot((int)N, lm + (mu * P + nu) * N, 1, g + mu * N, 1);
			cblas_daxpy((int)N, G[mu * P + nu] / (double)N, ln + (mu * P + nu) * N, 1,
			            y + nu * N, 1);
		}
}

/* phi, phi' (when slope: a step without a cache needs none) and S of B
   states into the cache (cs doubles per state). */
static void fill_cache(const dk_model *m, size_t B, const double *x, double *cache,
                       int slope)
{
	size_t n = m->n, cs = mr_cache_size(m);
	for (size_t r = 0; r < B; r++) {
		double *c = cache + r * cs;
		dk_act_apply(DK_ACT_ERF, x + r * n, c, n);
		if (slope)
			dk_act_derivative(DK_ACT_ERF, x + r * n, c + n, n);
		currents(m, c, c + 2 * n);
	}
	if (!m->spec.disorder)
		return;
	/* K = phi chi^T, region by region, the batch at once */
	size_t P = regions(m), N = m->spec.units;
	const double *chi = m->theta + params(m).chi;
	for (size_t mu = 0; mu < P; mu++)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)N, (int)N,
		            1.0, cache + mu * N, (int)cs, chi + mu * N * N, (int)N, 0.0,
		            cache + k_offset(m) + mu * N, (int)cs);
}

/* F = -x + sum m S + B u for B states, S from the cache. */
static void field_from(const dk_model *m, size_t B, const double *x,
                       const double *u, const double *cache, double *F)
{
	size_t n = m->n, cs = mr_cache_size(m), in = m->spec.inputs;
	const double *Bw = m->theta + params(m).B;
	for (size_t r = 0; r < B; r++) {
		double *f = F + r * n;
		const double *xr = x + r * n;
		spread(m, cache + r * cs + 2 * n, f);
		for (size_t i = 0; i < n; i++)
			f[i] = -xr[i] + f[i];
		if (m->spec.disorder) {
			size_t P = regions(m), N = m->spec.units;
			const double *g = m->theta + params(m).g, *K = cache + r * cs + k_offset(m);
			for (size_t mu = 0; mu < P; mu++)
				cblas_daxpy((int)N, g[mu], K + mu * N, 1, f + mu * N, 1);
		}
		if (u && in)
			cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)in, 1.0, Bw,
			            (int)in, u + r * in, 1, 1.0, f, 1);
	}
}

/* The scratch past the work's own cache: P^2 then P N per state. */
static double *scratch_G(const dk_model *m, double *work, size_t B)
{
	return work + B * mr_cache_size(m);
}

static double *scratch_F(const dk_model *m, double *work, size_t B)
{
	size_t P = regions(m);
	return scratch_G(m, work, B) + B * P * P;
}

static int mr_step(const dk_model *m, double *work, size_t B, const double *x,
                   const double *u, double *xn, double *cache)
{
	double *c = cache ? cache : work, *F = scratch_F(m, work, B), h = m->spec.dt;
	fill_cache(m, B, x, c, cache != NULL);
	field_from(m, B, x, u, c, F);
	for (size_t i = 0; i < B * m->n; i++)
		xn[i] = x[i] + h * F[i];
	return DK_OK;
}

static const double *stages(const dk_model *m, double *work, size_t B,
                            const double *x, const double *cache)
{
	if (cache)
		return cache;
	fill_cache(m, B, x, work, 1);
	return work;
}

/* out = (c1 v + c2 J_f v) per state at the cached state: c1 = 1, c2 = dt
   for the step, c1 = 0, c2 = 1 for the field.  dS is P^2 scratch, Dv
   B P N (with disorder: phi'(x) v per state, for one product per
   region); out may be v. */
static void tangent(const dk_model *m, size_t B, const double *c, const double *v,
                    double c1, double c2, double *dS, double *Dv, double *out)
{
	size_t P = regions(m), N = m->spec.units, n = m->n, cs = mr_cache_size(m);
	const double *lm = m->theta + params(m).m, *ln = m->theta + params(m).n;
	for (size_t r = 0; r < B && m->spec.disorder; r++)
		for (size_t i = 0; i < n; i++)
			Dv[r * n + i] = c[r * cs + n + i] * v[r * n + i];
	for (size_t r = 0; r < B; r++) {
		const double *D = c + r * cs + n, *vr = v + r * n;
		double *o = out + r * n;
		for (size_t mu = 0; mu < P; mu++)
			for (size_t nu = 0; nu < P; nu++) {
				const double *w = ln + (mu * P + nu) * N, *dv = D + nu * N, *vv = vr + nu * N;
				double acc = 0;
				for (size_t i = 0; i < N; i++)
					acc += w[i] * dv[i] * vv[i];
				dS[mu * P + nu] = acc / (double)N;
			}
		for (size_t i = 0; i < n; i++)
			o[i] = c1 * vr[i] - c2 * vr[i];
		for (size_t mu = 0; mu < P; mu++)
			for (size_t nu = 0; nu < P; nu++)
				cblas_daxpy((int)N, c2 * dS[mu * P + nu], lm + (mu * P + nu) * N, 1,
				            o + mu * N, 1);
	}
	if (!m->spec.disorder)
		return;
	const double *chi = m->theta + params(m).chi, *g = m->theta + params(m).g;
	for (size_t mu = 0; mu < P; mu++)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)N, (int)N,
		            c2 * g[mu], Dv + mu * N, (int)n, chi + mu * N * N, (int)N, 1.0,
		            out + mu * N, (int)n);
}

static int mr_jvp(const dk_model *m, double *work, size_t B, const double *x,
                  const double *u, const double *cache, const double *dx,
                  double *dxn)
{
	(void)u;
	const double *c = stages(m, work, B, x, cache);
	tangent(m, B, c, dx, 1, m->spec.dt, scratch_G(m, work, B), scratch_F(m, work, B),
	        dxn);
	return DK_OK;
}

/* The disorder's part of the adjoint of one state (cache cr, adjoint gr):
   into Y (P N), and into gp (when not NULL) scaled by c2. */
static void disorder_adjoint(const dk_model *m, const double *cr, const double *gr,
                             double c2, double *Y, double *gp)
{
	size_t P = regions(m), N = m->spec.units;
	mr_params p = params(m);
	const double *chi = m->theta + p.chi, *g = m->theta + p.g, *K = cr + k_offset(m);
	for (size_t mu = 0; mu < P; mu++) {
		const double *c = chi + mu * N * N, *gm = gr + mu * N;
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)N, (int)N, g[mu], c, (int)N,
		            gm, 1, 1.0, Y + mu * N, 1);
		if (!gp)
			continue;
		cblas_dger(CblasRowMajor, (int)N, (int)N, c2 * g[mu], gm, 1, cr + mu * N, 1,
		           gp + p.chi + mu * N * N, (int)N);
		gp[p.g + mu] += c2 * cblas_ddot((int)N, gm, 1, K + mu * N, 1);
	}
}

/*
 * With xn = x + dt f: gx = g + dt (-g + phi'(x) . Y), Y^nu = sum_mu
 * n^{mu nu} G^{mu nu} / N, G^{mu nu} = m^{mu nu} . g^mu; gu = dt B^T g;
 * and m^{mu nu} += dt S^{mu nu} g^mu, n^{mu nu} += dt (G^{mu nu} / N)
 * phi(x^nu), B += dt g u^T, summed over the batch.  With disorder Y^mu
 * also has g_mu chi^mu^T g^mu, and chi^mu += dt g_mu g^mu phi(x^mu)^T,
 * g_mu += dt g^mu . K^mu.
 */
static void adjoint(const dk_model *m, size_t B, const double *c, const double *u,
                    const double *g, double c1, double c2, double *G, double *Y,
                    double *gx, double *gu, double *gp)
{
	size_t P = regions(m), N = m->spec.units, n = m->n, cs = mr_cache_size(m);
	size_t in = m->spec.inputs;
	mr_params p = params(m);
	const double *Bw = m->theta + p.B;
	for (size_t r = 0; r < B; r++) {
		const double *cr = c + r * cs, *gr = g + r * n;
		pull_back(m, gr, G, Y);
		if (m->spec.disorder)
			disorder_adjoint(m, cr, gr, c2, Y, gp);
		if (gp) {
			const double *S = cr + 2 * n;
			for (size_t mu = 0; mu < P; mu++)
				for (size_t nu = 0; nu < P; nu++) {
					size_t o = (mu * P + nu) * N;
					cblas_daxpy((int)N, c2 * S[mu * P + nu], gr + mu * N, 1,
					            gp + p.m + o, 1);
					cblas_daxpy((int)N, c2 * G[mu * P + nu] / (double)N,
					            cr + nu * N, 1, gp + p.n + o, 1);
				}
			if (u && in)
				cblas_dger(CblasRowMajor, (int)n, (int)in, c2, gr, 1, u + r * in, 1,
				           gp + p.B, (int)in);
		}
		if (gu && in)
			cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)in, c2, Bw, (int)in,
			            gr, 1, 0.0, gu + r * in, 1);
		if (gx) {
			const double *D = cr + n;
			double *o = gx + r * n;
			for (size_t i = 0; i < n; i++)
				o[i] = c1 * gr[i] + c2 * (-gr[i] + D[i] * Y[i]);
		}
	}
}

static int mr_vjp(const dk_model *m, double *work, size_t B, const double *x,
                  const double *u, const double *cache, const double *gxn,
                  double *gx, double *gu, double *gp)
{
	const double *c = stages(m, work, B, x, cache);
	adjoint(m, B, c, u, gxn, 1, m->spec.dt, scratch_G(m, work, B),
	        scratch_F(m, work, B), gx, gu, gp);
	return DK_OK;
}

/*
 * The dense Jacobian of the step, I + dt (-I + K diag(phi'(x))), K's
 * block (mu, nu) being m^{mu nu} n^{mu nu T} / N, plus g_mu chi^mu when
 * mu = nu with disorder: O(n^2) written out, where the n jvps of
 * model.c's would cost O(n P N^2) with disorder.
 */
static int mr_jacobian(const dk_model *m, double *work, const double *x,
                       const double *u, double *J)
{
	(void)u;
	size_t P = regions(m), N = m->spec.units, n = m->n;
	mr_params p = params(m);
	const double *lm = m->theta + p.m, *ln = m->theta + p.n;
	double *D = work, h = m->spec.dt;
	dk_act_derivative(DK_ACT_ERF, x, D, n);
	for (size_t mu = 0; mu < P; mu++)
		for (size_t nu = 0; nu < P; nu++) {
			const double *a = lm + (mu * P + nu) * N, *b = ln + (mu * P + nu) * N;
			const double *chi = m->spec.disorder && mu == nu ? m->theta + p.chi + mu * N * N
			                                                 : NULL;
			double g = chi ? m->theta[p.g + mu] : 0;
			for (size_t i = 0; i < N; i++) {
				double *row = J + (mu * N + i) * n + nu * N;
				for (size_t j = 0; j < N; j++) {
					double k = a[i] * b[j] / (double)N + (chi ? g * chi[i * N + j] : 0);
					row[j] = h * k * D[nu * N + j];
				}
			}
		}
	for (size_t i = 0; i < n; i++)
		J[i * n + i] += 1 - h;
	return DK_OK;
}

/* ---- the vector field ---- */

static int mr_field(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, double *f)
{
	fill_cache(m, B, x, work, 0);
	field_from(m, B, x, u, work, f);
	return DK_OK;
}

static int mr_field_jvp(const dk_model *m, double *work, size_t B,
                        const double *x, const double *u, const double *dx,
                        double *df)
{
	(void)u;
	fill_cache(m, B, x, work, 1);
	tangent(m, B, work, dx, 0, 1, scratch_G(m, work, B), scratch_F(m, work, B), df);
	return DK_OK;
}

static int mr_field_vjp(const dk_model *m, double *work, size_t B,
                        const double *x, const double *u, const double *gf,
                        double *gx)
{
	fill_cache(m, B, x, work, 1);
	adjoint(m, B, work, u, gf, 0, 1, scratch_G(m, work, B), scratch_F(m, work, B),
	        gx, NULL, NULL);
	return DK_OK;
}

const dk_model_ops dk_multiregion_ops = {
	.kind = "multiregion",
	.act_default = DK_ACT_ERF,
	.act_fixed = 1,
	.init_default = "paper",
	.has_regions = 1,
	.dt_only = 1,
	.layout = mr_layout,
	.init = mr_init,
	.work_size = mr_work_size,
	.cache_size = mr_cache_size,
	.step = mr_step,
	.jvp = mr_jvp,
	.vjp = mr_vjp,
	.jacobian = mr_jacobian,
	.field = mr_field,
	.field_jvp = mr_field_jvp,
	.field_vjp = mr_field_vjp,
};
