/*
 * ctrnn.c -- the continuous-time rate network
 *
 *     tau dx/dt = -x + J_eff phi(x) + B u + b,   J_eff = J + m n^T / N,
 *
 * of the random-network mean-field theories (Sompolinsky, Crisanti and
 * Sommers 1988; the low-rank part of Mastrogiuseppe and Ostojic 2018).
 * Its vector field is f(x, u) = (-x + J_eff phi(x) + B u + b) / tau, and
 * the step F integrates f over dt with an explicit Runge-Kutta scheme
 * (spec.integrator): "euler", x' = x + dt f(x), or "rk4", the classic
 * four-stage method, with the input held constant over the step.
 * Defaults: dt = 0.1, tau = 1, euler; the model's attrs record them.
 *
 * Parameters: model/J (N x N), model/B (N x inputs), model/b (N), and,
 * when spec.rank = R > 0, model/m and model/n (N x R).  dt and tau are
 * attrs, not parameters.  Random initialisation (the only one): J_ij ~
 * N(0, gain^2 / N), then m and n with N(0, 1) entries, then B uniform on
 * [-1/sqrt(N), 1/sqrt(N)] as rnn's V, and b = 0.
 *
 * jvp and vjp are the exact derivatives of the discrete scheme: the
 * tangent is carried, and the adjoint pulled back, through every stage.
 * The step's cache holds, per state, phi(x_s) and phi'(x_s) at each stage
 * state x_s (2 N doubles per stage: 2 N for euler, 8 N for rk4), which is
 * all the derivatives need; without a cache they recompute the stages.
 * The low-rank part is applied as two thin products, never formed.
 *
 * A step's and a vjp's rows are shared among as many threads as
 * OpenBLAS uses (row_team.h): the stages and each stage of the adjoint
 * by batch rows, each part making its own rows' products; the
 * parameters' gradient by units (rows of J, m, n and B, entries of b).
 * The bits are those of one thread.  The jvp is not shared (see there).
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "models/model_impl.h"
#include "models/row_team.h"

#define CTRNN_DT 0.1
#define CTRNN_TAU 1.0

/* A diagonal explicit Runge-Kutta scheme: x_1 = x, x_s = x + dt a_s k_{s-1},
   k_s = f(x_s), x' = x + dt sum_s w_s k_s. */
typedef struct {
	size_t stages;
	double a[4], w[4];
} scheme;

static const scheme euler = {1, {0}, {1}};
static const scheme rk4 = {4, {0, 0.5, 0.5, 1}, {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}};

static const scheme *scheme_of(const dk_model *m)
{
	return strcmp(m->spec.integrator, "rk4") ? &euler : &rk4;
}

/* Offsets of the parameters in theta (m and n only when rank > 0). */
typedef struct {
	const double *J, *B, *b, *m, *n;
	size_t oJ, oB, ob, om, on;
} ct_params;

static ct_params params(const dk_model *m)
{
	ct_params p = {0};
	p.oJ = m->view[0].offset;
	p.oB = m->view[1].offset;
	p.ob = m->view[2].offset;
	if (m->spec.rank) {
		p.om = m->view[3].offset;
		p.on = m->view[4].offset;
		p.m = m->theta + p.om;
		p.n = m->theta + p.on;
	}
	p.J = m->theta + p.oJ;
	p.B = m->theta + p.oB;
	p.b = m->theta + p.ob;
	return p;
}

static int ctrnn_layout(dk_model *m, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	size_t N = s->units, in = s->inputs, R = s->rank;
	if (N == 0) {
		snprintf(err, errlen, "ctrnn: units must be at least 1");
		return DK_EINVAL;
	}
	if (s->dt == 0)
		s->dt = CTRNN_DT;
	if (s->tau == 0)
		s->tau = CTRNN_TAU;
	if (!(s->dt > 0) || !isfinite(s->dt)) {
		snprintf(err, errlen, "ctrnn: the step dt must be positive and finite, not %g", s->dt);
		return DK_EINVAL;
	}
	if (!(s->tau > 0) || !isfinite(s->tau)) {
		snprintf(err, errlen, "ctrnn: the time constant tau must be positive and finite, not %g",
		         s->tau);
		return DK_EINVAL;
	}
	/* the steps compute 1 / tau and dt / tau: a subnormal dt or tau, a
	   1 / tau that overflows or a dt / tau that underflows would turn the
	   model into one that never moves, or into infinities */
	double ratio = s->dt / s->tau;
	if (s->dt < DBL_MIN || s->tau < DBL_MIN || !isfinite(1 / s->tau) ||
	    !isfinite(ratio) || ratio < DBL_MIN) {
		snprintf(err, errlen, "ctrnn: dt %g and tau %g: each must be a normal number, "
		         "and 1 / tau and dt / tau finite and normal", s->dt, s->tau);
		return DK_EINVAL;
	}
	if (!s->integrator[0])
		snprintf(m->integrator_name, sizeof m->integrator_name, "euler");
	else if (strcmp(s->integrator, "euler") && strcmp(s->integrator, "rk4")) {
		snprintf(err, errlen, "ctrnn: unknown integrator '%s' (euler, rk4)", s->integrator);
		return DK_EINVAL;
	}
	if (R > N) {
		snprintf(err, errlen, "ctrnn: the rank %zu of m n^T exceeds the %zu units", R, N);
		return DK_EINVAL;
	}
	m->n = N;
	static const char *const j_axes[2] = {"unit", "unit_in"};
	static const char *const b_axes[2] = {"unit", "input"};
	static const char *const v_axes[1] = {"unit"};
	static const char *const r_axes[2] = {"unit", "rank"};
	size_t js[2] = {N, N}, bs[2] = {N, in}, vs[1] = {N}, rs[2] = {N, R};
	dk_model_add_param(m, "model/J", 2, js, j_axes);
	dk_model_add_param(m, "model/B", 2, bs, b_axes);
	dk_model_add_param(m, "model/b", 1, vs, v_axes);
	if (R) {
		dk_model_add_param(m, "model/m", 2, rs, r_axes);
		dk_model_add_param(m, "model/n", 2, rs, r_axes);
	}
	return DK_OK;
}

static int ctrnn_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	const char *init = m->spec.init; /* "random" when none was given */
	if (strcmp(init, "random")) {
		snprintf(err, errlen, "ctrnn: unknown initialisation '%s' (random)", init);
		return DK_EINVAL;
	}
	ct_params p = params(m);
	size_t N = m->n, in = m->spec.inputs, R = m->spec.rank;
	double *th = m->theta, g = m->spec.gain;
	for (size_t i = 0; i < N * N; i++)
		th[p.oJ + i] = dk_rng_normal(rng, g / sqrt((double)N));
	for (size_t i = 0; i < N * R; i++)
		th[p.om + i] = dk_rng_normal(rng, 1);
	for (size_t i = 0; i < N * R; i++)
		th[p.on + i] = dk_rng_normal(rng, 1);
	double k = 1 / sqrt((double)N);
	for (size_t i = 0; i < N * in; i++)
		th[p.oB + i] = k * (2 * dk_rng_uniform(rng) - 1);
	return DK_OK; /* b stays 0 */
}

static size_t ctrnn_cache_size(const dk_model *m)
{
	return 2 * scheme_of(m)->stages * m->n;
}

/* The row team's slots, then a cache for batch states, four B x N and
   two B x R temporaries. */
static size_t ctrnn_work_size(const dk_model *m, size_t batch)
{
	return DK_ROW_TEAM_SLOTS + batch * (ctrnn_cache_size(m) + 4 * m->n + 2 * m->spec.rank);
}

static int ctrnn_work_open(const dk_model *m, double *work, size_t batch)
{
	return dk_row_team_open(work, batch, 4 * m->n);
}

/* The scratch of a call on B states: its own cache of the stages (B x
   cs), four B x N temporaries T and two B x R ones Z. */
typedef struct {
	double *cache, *T[4], *Z[2];
} ct_scratch;

static ct_scratch carve(const dk_model *m, double *work, size_t B)
{
	size_t BN = B * m->n;
	ct_scratch s;
	s.cache = work + DK_ROW_TEAM_SLOTS;
	s.T[0] = s.cache + B * ctrnn_cache_size(m);
	for (int i = 1; i < 4; i++)
		s.T[i] = s.T[i - 1] + BN;
	s.Z[0] = s.T[3] + BN;
	s.Z[1] = s.Z[0] + B * m->spec.rank;
	return s;
}

/* C = U B^T + b for B rows: the drive, constant over the step. */
static void drive(const dk_model *m, size_t B, const double *u, double *C)
{
	ct_params p = params(m);
	int N = (int)m->n, in = (int)m->spec.inputs;
	for (size_t r = 0; r < B; r++)
		memcpy(C + r * m->n, p.b, m->n * sizeof *C);
	if (u && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, N, in, 1.0,
		            u, in, p.B, in, 1.0, C, N);
}

/* K = beta K + P J_eff^T for B rows of P (leading dimension ldp); Z is
   B x R scratch. */
static void recurrent(const dk_model *m, size_t B, const double *P, size_t ldp,
                      double beta, double *K, double *Z)
{
	ct_params p = params(m);
	int N = (int)m->n, R = (int)m->spec.rank, b = (int)B;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, N, N, 1.0, P,
	            (int)ldp, p.J, N, beta, K, N);
	if (R) {
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, R, N, 1.0, P,
		            (int)ldp, p.n, R, 0.0, Z, R);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, N, R, 1.0 / N, Z,
		            R, p.m, R, 1.0, K, N);
	}
}

/* Y = G J_eff for B rows of G; Z receives G m (B x R). */
static void recurrent_adjoint(const dk_model *m, size_t B, const double *G,
                              double *Y, double *Z)
{
	ct_params p = params(m);
	int N = (int)m->n, R = (int)m->spec.rank, b = (int)B;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, N, N, 1.0, G, N,
	            p.J, N, 0.0, Y, N);
	if (R) {
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, R, N, 1.0, G,
		            N, p.m, R, 0.0, Z, R);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, N, R, 1.0 / N, Z,
		            R, p.n, R, 1.0, Y, N);
	}
}

/*
 * What the parts of a call read and write, as whole batches: every part
 * works rows [r0, r1) of them (each row's work its own, the products'
 * too: row_team.h), but the parameters' gradient, which the vjp's parts
 * make by units.
 */
typedef struct {
	const dk_model *m;
	ct_scratch s;
	const double *x, *u, *c, *dx, *gxn;
	double *xn, *cache, *dxn, *gp;
	size_t B, stage;
} ct_job;

/*
 * Rows [r0, r1) of the stages of one step: phi(x_s) and phi'(x_s) into
 * the cache (per state: phi at stages 1..S, then phi' at stages 1..S),
 * and, when xn is not NULL, xn = F(x, u).
 */
static void integrate_rows(void *p, size_t r0, size_t r1)
{
	const ct_job *j = p;
	const dk_model *m = j->m;
	const scheme *sc = scheme_of(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, R = m->spec.rank;
	size_t B = r1 - r0, BN = B * N, in = m->spec.inputs;
	const double *x = j->x + r0 * N;
	double *cache = j->cache + r0 * cs, *xn = j->xn ? j->xn + r0 * N : NULL;
	double *C = j->s.T[0] + r0 * N, *XS = j->s.T[1] + r0 * N, *K = j->s.T[2] + r0 * N;
	double *ACC = j->s.T[3] + r0 * N, *Z = j->s.Z[0] + r0 * R;
	double h = m->spec.dt, itau = 1 / m->spec.tau;
	drive(m, B, j->u ? j->u + r0 * in : NULL, C);
	for (size_t s = 0; s < S; s++) {
		const double *xs = x;
		if (s > 0) {
			double c = h * sc->a[s];
			for (size_t i = 0; i < BN; i++)
				XS[i] = x[i] + c * K[i];
			xs = XS;
		}
		for (size_t r = 0; r < B; r++) {
			dk_act_apply(m->spec.act, xs + r * N, cache + r * cs + s * N, N);
			dk_act_derivative(m->spec.act, xs + r * N, cache + r * cs + (S + s) * N, N);
		}
		if (!xn && s == S - 1)
			return;
		memcpy(K, C, BN * sizeof *K);
		recurrent(m, B, cache + s * N, cs, 1.0, K, Z);
		for (size_t i = 0; i < BN; i++)
			K[i] = (K[i] - xs[i]) * itau;
		if (S > 1)
			for (size_t i = 0; i < BN; i++)
				ACC[i] = (s ? ACC[i] : 0) + sc->w[s] * K[i];
	}
	const double *inc = S > 1 ? ACC : K;
	for (size_t i = 0; i < BN; i++)
		xn[i] = x[i] + h * inc[i];
}

/* The stages of B states into cache, and xn = F(x, u) unless it is NULL. */
static void integrate(const dk_model *m, double *work, size_t B, const double *x,
                      const double *u, double *xn, double *cache)
{
	ct_job j = {.m = m, .s = carve(m, work, B), .x = x, .u = u, .xn = xn,
	            .cache = cache, .B = B};
	dk_row_team_share_products(work, B, integrate_rows, &j);
}

static int ctrnn_step(const dk_model *m, double *work, size_t B,
                      const double *x, const double *u, double *xn,
                      double *cache)
{
	integrate(m, work, B, x, u, xn, cache ? cache : carve(m, work, B).cache);
	return DK_OK;
}

/* The step's cache, or the stages recomputed into the work's own. */
static const double *stages(const dk_model *m, double *work, size_t B,
                            const double *x, const double *u,
                            const double *cache)
{
	if (cache)
		return cache;
	double *own = carve(m, work, B).cache;
	integrate(m, work, B, x, u, NULL, own);
	return own;
}

/* out = (-v + (D . v) J_eff^T) / tau: the field's tangent, D = phi'(x_s)
   with leading dimension ldd; T is B x N scratch, Z B x R. */
static void field_tangent(const dk_model *m, size_t B, const double *v,
                          const double *D, size_t ldd, double *T, double *out,
                          double *Z)
{
	size_t N = m->n;
	double itau = 1 / m->spec.tau;
	for (size_t r = 0; r < B; r++)
		for (size_t i = 0; i < N; i++)
			T[r * N + i] = D[r * ldd + i] * v[r * N + i];
	recurrent(m, B, T, N, 0.0, out, Z);
	for (size_t i = 0; i < B * N; i++)
		out[i] = (out[i] - v[i]) * itau;
}

/* Rows [r0, r1) of dxn = (dF/dx) dx through the stages, given the cache
   c.  dx may be dxn: it is read for the last time as dxn is written. */
static void tangent_rows(void *p, size_t r0, size_t r1)
{
	const ct_job *j = p;
	const dk_model *m = j->m;
	const scheme *sc = scheme_of(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, R = m->spec.rank;
	size_t BN = (r1 - r0) * N;
	const double *c = j->c + r0 * cs, *dx = j->dx + r0 * N;
	double *dxn = j->dxn + r0 * N, *T = j->s.T[0] + r0 * N, *DK = j->s.T[1] + r0 * N;
	double *DXS = j->s.T[2] + r0 * N, *ACC = j->s.T[3] + r0 * N, *Z = j->s.Z[0] + r0 * R;
	double h = m->spec.dt;
	for (size_t s = 0; s < S; s++) {
		const double *dxs = dx;
		if (s > 0) {
			double a = h * sc->a[s];
			for (size_t i = 0; i < BN; i++)
				DXS[i] = dx[i] + a * DK[i];
			dxs = DXS;
		}
		field_tangent(m, r1 - r0, dxs, c + (S + s) * N, cs, T, DK, Z);
		if (S > 1)
			for (size_t i = 0; i < BN; i++)
				ACC[i] = (s ? ACC[i] : 0) + sc->w[s] * DK[i];
	}
	const double *inc = S > 1 ? ACC : DK;
	for (size_t i = 0; i < BN; i++)
		dxn[i] = dx[i] + h * inc[i];
}

static int ctrnn_jvp(const dk_model *m, double *work, size_t B,
                     const double *x, const double *u, const double *cache,
                     const double *dx, double *dxn)
{
	ct_job j = {.m = m, .s = carve(m, work, B), .c = stages(m, work, B, x, u, cache),
	            .dx = dx, .dxn = dxn, .B = B};
	/* all rows at once, OpenBLAS's threads sharing the products: the
	   tangents' callers (dk-lyap's basis of k vectors, Newton's and
	   Arnoldi's single ones) make few rows of a large network, where
	   parts of rows each pack all of J_eff, and their other work keeps
	   OpenBLAS's workers awake beside a team (dk-lyap on 512 units, 64
	   vectors: 3 to 8 % slower shared) */
	tangent_rows(&j, 0, B);
	return DK_OK;
}

/*
 * The adjoint of the stages, last to first: with g = gxn,
 *   gk_s = dt w_s g + dt a_{s+1} gx_{s+1}   (the second term for s < S),
 *   gx_s = J_f(x_s)^T gk_s,                  gx = g + sum_s gx_s,
 * and each stage's G_s = gk_s / tau feeds the parameter gradients of
 * k_s = f(x_s): J += G^T phi(x_s), m += G^T (phi(x_s) n) / N,
 * n += phi(x_s)^T (G m) / N; the drive's (B, b, u) take sum_s G_s.
 *
 * A stage's work by rows (G, gx_s and the sums, each row's own), then its
 * parameters' gradient by units (rows of J, m and n: each entry summed
 * over the batch by one product), the stages in turn; the drive's after
 * the last.  In the scratch: GX (the sum), G, GXS (gx_s), GS (sum_s G_s),
 * Zg = G m, Zp = phi(x_s) n.
 */
static void adjoint_rows(void *p, size_t r0, size_t r1)
{
	const ct_job *j = p;
	const dk_model *m = j->m;
	const scheme *sc = scheme_of(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, R = m->spec.rank, s = j->stage;
	size_t B = r1 - r0, BN = B * N;
	const double *gxn = j->gxn + r0 * N, *c = j->c + r0 * cs;
	const double *P = c + s * N, *D = c + (S + s) * N;
	double *GX = j->s.T[0] + r0 * N, *G = j->s.T[1] + r0 * N, *GXS = j->s.T[2] + r0 * N;
	double *GS = j->s.T[3] + r0 * N, *Zg = j->s.Z[0] + r0 * R, *Zp = j->s.Z[1] + r0 * R;
	double h = m->spec.dt, itau = 1 / m->spec.tau;
	double wg = h * sc->w[s], wx = s + 1 < S ? h * sc->a[s + 1] : 0;
	if (s + 1 == S)
		memcpy(GX, gxn, BN * sizeof *GX);
	for (size_t i = 0; i < BN; i++) {
		G[i] = (wg * gxn[i] + (wx != 0 ? wx * GXS[i] : 0)) * itau;
		GS[i] = (s + 1 < S ? GS[i] : 0) + G[i];
	}
	/* GXS = D . (G J_eff) - G, and Zg = G m */
	recurrent_adjoint(m, B, G, GXS, Zg);
	for (size_t q = 0; q < B; q++)
		for (size_t i = 0; i < N; i++)
			GXS[q * N + i] = D[q * cs + i] * GXS[q * N + i] - G[q * N + i];
	for (size_t i = 0; i < BN; i++)
		GX[i] += GXS[i];
	if (j->gp && R)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)R, (int)N,
		            1.0, P, (int)cs, params(m).n, (int)R, 0.0, Zp, (int)R);
}

/* Units [i0, i1) of stage s's share of the parameters' gradient (rows
   i0 .. i1 - 1 of J, m and n), and after the last stage, of the drive's
   (B's rows and b's entries). */
static void adjoint_units(void *p, size_t i0, size_t i1)
{
	const ct_job *j = p;
	const dk_model *m = j->m;
	const scheme *sc = scheme_of(m);
	ct_params q = params(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, R = m->spec.rank, s = j->stage;
	size_t B = j->B, in = m->spec.inputs;
	int n = (int)N, b = (int)B, r = (int)R, k = (int)(i1 - i0);
	const double *P = j->c + s * N, *G = j->s.T[1], *GS = j->s.T[3];
	const double *Zg = j->s.Z[0], *Zp = j->s.Z[1];
	double *gp = j->gp;
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, b, 1.0, G + i0, n, P,
	            (int)cs, 1.0, gp + q.oJ + i0 * N, n);
	if (R) {
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, r, b, 1.0 / N, G + i0, n,
		            Zp, r, 1.0, gp + q.om + i0 * R, r);
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, r, b, 1.0 / N, P + i0,
		            (int)cs, Zg, r, 1.0, gp + q.on + i0 * R, r);
	}
	if (s > 0)
		return;
	if (j->u && in)
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, (int)in, b, 1.0, GS + i0,
		            n, j->u, (int)in, 1.0, gp + q.oB + i0 * in, (int)in);
	for (size_t row = 0; row < B; row++)
		for (size_t i = i0; i < i1; i++)
			gp[q.ob + i] += GS[row * N + i];
}

static int ctrnn_vjp(const dk_model *m, double *work, size_t B,
                     const double *x, const double *u, const double *cache,
                     const double *gxn, double *gx, double *gu, double *gp)
{
	ct_job j = {.m = m, .s = carve(m, work, B), .c = stages(m, work, B, x, u, cache),
	            .u = u, .gxn = gxn, .gp = gp, .B = B};
	size_t BN = B * m->n, S = scheme_of(m)->stages;
	int n = (int)m->n, in = (int)m->spec.inputs;
	for (size_t s = S; s-- > 0;) {
		j.stage = s;
		dk_row_team_share_products(work, B, adjoint_rows, &j);
		if (gp)
			dk_row_team_share_products(work, m->n, adjoint_units, &j);
	}
	if (gx)
		memcpy(gx, j.s.T[0], BN * sizeof *gx);
	if (gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, in, n, 1.0,
		            j.s.T[3], n, params(m).B, in, 0.0, gu, in);
	return DK_OK;
}

/* ---- the vector field ---- */

static int ctrnn_field(const dk_model *m, double *work, size_t B,
                       const double *x, const double *u, double *f)
{
	size_t BN = B * m->n;
	double *P = work + DK_ROW_TEAM_SLOTS, *K = P + BN, *Z = K + BN, itau = 1 / m->spec.tau;
	dk_act_apply(m->spec.act, x, P, BN);
	drive(m, B, u, K);
	recurrent(m, B, P, m->n, 1.0, K, Z);
	for (size_t i = 0; i < BN; i++)
		f[i] = (K[i] - x[i]) * itau;
	return DK_OK;
}

static int ctrnn_field_jvp(const dk_model *m, double *work, size_t B,
                           const double *x, const double *u, const double *dx,
                           double *df)
{
	(void)u;
	size_t BN = B * m->n;
	double *D = work + DK_ROW_TEAM_SLOTS, *T = D + BN, *K = T + BN, *Z = K + BN;
	dk_act_derivative(m->spec.act, x, D, BN);
	field_tangent(m, B, dx, D, m->n, T, K, Z);
	memcpy(df, K, BN * sizeof *df);
	return DK_OK;
}

static int ctrnn_field_vjp(const dk_model *m, double *work, size_t B,
                           const double *x, const double *u, const double *gf,
                           double *gx)
{
	(void)u;
	size_t BN = B * m->n;
	double *D = work + DK_ROW_TEAM_SLOTS, *G = D + BN, *Y = G + BN, *Z = Y + BN;
	double itau = 1 / m->spec.tau;
	dk_act_derivative(m->spec.act, x, D, BN);
	for (size_t i = 0; i < BN; i++)
		G[i] = gf[i] * itau;
	recurrent_adjoint(m, B, G, Y, Z);
	for (size_t i = 0; i < BN; i++)
		gx[i] = D[i] * Y[i] - G[i];
	return DK_OK;
}

/*
 * The dense Jacobian: for euler, I + dt J_f = (1 - dt/tau) I +
 * (dt/tau) J_eff diag(phi'(x)); for rk4, the jvp of every unit vector
 * from one computation of the stages (J is filled transposed, row j =
 * column j, then transposed in place).
 */
static int ctrnn_jacobian(const dk_model *m, double *work, const double *x,
                          const double *u, double *Jm)
{
	size_t N = m->n, R = m->spec.rank;
	if (scheme_of(m) == &rk4) {
		ct_job jb = {.m = m, .s = carve(m, work, 1), .c = stages(m, work, 1, x, u, NULL),
		             .B = 1};
		for (size_t j = 0; j < N; j++) {
			double *row = Jm + j * N;
			memset(row, 0, N * sizeof *row);
			row[j] = 1;
			jb.dx = jb.dxn = row;
			tangent_rows(&jb, 0, 1);
		}
		for (size_t i = 0; i < N; i++)
			for (size_t j = i + 1; j < N; j++) {
				double t = Jm[i * N + j];
				Jm[i * N + j] = Jm[j * N + i];
				Jm[j * N + i] = t;
			}
		return DK_OK;
	}
	ct_params p = params(m);
	double *D = work + DK_ROW_TEAM_SLOTS, c = m->spec.dt / m->spec.tau;
	dk_act_derivative(m->spec.act, x, D, N);
	memcpy(Jm, p.J, N * N * sizeof *Jm);
	if (R)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, (int)N,
		            (int)R, 1.0 / N, p.m, (int)R, p.n, (int)R, 1.0, Jm, (int)N);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < N; j++)
			Jm[i * N + j] *= c * D[j];
		Jm[i * N + i] += 1 - c;
	}
	return DK_OK;
}

const dk_model_ops dk_ctrnn_ops = {
	.kind = "ctrnn",
	.layout = ctrnn_layout,
	.init = ctrnn_init,
	.work_size = ctrnn_work_size,
	.cache_size = ctrnn_cache_size,
	.work_open = ctrnn_work_open,
	.work_close = dk_row_team_close,
	.actions = dk_model_unit_actions,
	.step = ctrnn_step,
	.jvp = ctrnn_jvp,
	.vjp = ctrnn_vjp,
	.jacobian = ctrnn_jacobian,
	.field = ctrnn_field,
	.field_jvp = ctrnn_field_jvp,
	.field_vjp = ctrnn_field_vjp,
};
