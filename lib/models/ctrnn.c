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
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "models/model_impl.h"

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

/* A cache for batch states, then four B x N and two B x R temporaries. */
static size_t ctrnn_work_size(const dk_model *m, size_t batch)
{
	return batch * (ctrnn_cache_size(m) + 4 * m->n + 2 * m->spec.rank);
}

/* C = U B^T + b: the drive, constant over the step. */
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
 * The stages of one step for B states: phi(x_s) and phi'(x_s) into the
 * cache (per state: phi at stages 1..S, then phi' at stages 1..S), and,
 * when xn is not NULL, xn = F(x, u).  Temporaries after the work's cache.
 */
static void integrate(const dk_model *m, double *work, size_t B,
                      const double *x, const double *u, double *xn,
                      double *cache)
{
	const scheme *sc = scheme_of(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, BN = B * N;
	double *C = work + B * cs, *XS = C + BN, *K = XS + BN, *ACC = K + BN;
	double *Z = ACC + BN, h = m->spec.dt, itau = 1 / m->spec.tau;
	drive(m, B, u, C);
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

static int ctrnn_step(const dk_model *m, double *work, size_t B,
                      const double *x, const double *u, double *xn,
                      double *cache)
{
	integrate(m, work, B, x, u, xn, cache ? cache : work);
	return DK_OK;
}

/* The step's cache, or the stages recomputed into the work's own. */
static const double *stages(const dk_model *m, double *work, size_t B,
                            const double *x, const double *u,
                            const double *cache)
{
	if (cache)
		return cache;
	integrate(m, work, B, x, u, NULL, work);
	return work;
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

/* dxn = (dF/dx) dx through the stages, given the cache c.  dx may be
   dxn: it is read for the last time as dxn is written. */
static void tangent(const dk_model *m, double *work, size_t B, const double *c,
                    const double *dx, double *dxn)
{
	const scheme *sc = scheme_of(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, BN = B * N;
	double *T = work + B * cs, *DK = T + BN, *DXS = DK + BN, *ACC = DXS + BN;
	double *Z = ACC + BN, h = m->spec.dt;
	for (size_t s = 0; s < S; s++) {
		const double *dxs = dx;
		if (s > 0) {
			double a = h * sc->a[s];
			for (size_t i = 0; i < BN; i++)
				DXS[i] = dx[i] + a * DK[i];
			dxs = DXS;
		}
		field_tangent(m, B, dxs, c + (S + s) * N, cs, T, DK, Z);
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
	tangent(m, work, B, stages(m, work, B, x, u, cache), dx, dxn);
	return DK_OK;
}

/*
 * The adjoint of the stages, last to first: with g = gxn,
 *   gk_s = dt w_s g + dt a_{s+1} gx_{s+1}   (the second term for s < S),
 *   gx_s = J_f(x_s)^T gk_s,                  gx = g + sum_s gx_s,
 * and each stage's G_s = gk_s / tau feeds the parameter gradients of
 * k_s = f(x_s): J += G^T phi(x_s), m += G^T (phi(x_s) n) / N,
 * n += phi(x_s)^T (G m) / N; the drive's (B, b, u) take sum_s G_s.
 */
static int ctrnn_vjp(const dk_model *m, double *work, size_t B,
                     const double *x, const double *u, const double *cache,
                     const double *gxn, double *gx, double *gu, double *gp)
{
	const double *c = stages(m, work, B, x, u, cache);
	const scheme *sc = scheme_of(m);
	ct_params p = params(m);
	size_t N = m->n, S = sc->stages, cs = 2 * S * N, BN = B * N, R = m->spec.rank;
	double *GX = work + B * cs, *G = GX + BN, *GXS = G + BN, *GS = GXS + BN;
	double *Zg = GS + BN, *Zp = Zg + B * R;
	double h = m->spec.dt, itau = 1 / m->spec.tau;
	int n = (int)N, in = (int)m->spec.inputs, b = (int)B, r = (int)R;
	memcpy(GX, gxn, BN * sizeof *GX);
	for (size_t s = S; s-- > 0;) {
		const double *P = c + s * N, *D = c + (S + s) * N;
		double wg = h * sc->w[s], wx = s + 1 < S ? h * sc->a[s + 1] : 0;
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
		if (gp) {
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, b, 1.0,
			            G, n, P, (int)cs, 1.0, gp + p.oJ, n);
			if (R) {
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, r, n,
				            1.0, P, (int)cs, p.n, r, 0.0, Zp, r);
				cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, r, b,
				            1.0 / N, G, n, Zp, r, 1.0, gp + p.om, r);
				cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, r, b,
				            1.0 / N, P, (int)cs, Zg, r, 1.0, gp + p.on, r);
			}
		}
	}
	if (gx)
		memcpy(gx, GX, BN * sizeof *gx);
	if (gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, in, n, 1.0,
		            GS, n, p.B, in, 0.0, gu, in);
	if (gp) {
		if (u && in)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, in, b, 1.0,
			            GS, n, u, in, 1.0, gp + p.oB, in);
		for (size_t q = 0; q < B; q++)
			for (size_t i = 0; i < N; i++)
				gp[p.ob + i] += GS[q * N + i];
	}
	return DK_OK;
}

/* ---- the vector field ---- */

static int ctrnn_field(const dk_model *m, double *work, size_t B,
                       const double *x, const double *u, double *f)
{
	size_t BN = B * m->n;
	double *P = work, *K = P + BN, *Z = K + BN, itau = 1 / m->spec.tau;
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
	double *D = work, *T = D + BN, *K = T + BN, *Z = K + BN;
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
	double *D = work, *G = D + BN, *Y = G + BN, *Z = Y + BN, itau = 1 / m->spec.tau;
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
		const double *c = stages(m, work, 1, x, u, NULL);
		for (size_t j = 0; j < N; j++) {
			double *row = Jm + j * N;
			memset(row, 0, N * sizeof *row);
			row[j] = 1;
			tangent(m, work, 1, c, row, row);
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
	double *D = work, c = m->spec.dt / m->spec.tau;
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
	.actions = dk_model_unit_actions,
	.step = ctrnn_step,
	.jvp = ctrnn_jvp,
	.vjp = ctrnn_vjp,
	.jacobian = ctrnn_jacobian,
	.field = ctrnn_field,
	.field_jvp = ctrnn_field_jvp,
	.field_vjp = ctrnn_field_vjp,
};
