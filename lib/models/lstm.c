/*
 * lstm.c -- the long short-term memory network, with PyTorch's equations,
 * gate order and parameter layout (torch.nn.LSTM, one layer, no
 * projection), so that weights taken from PyTorch give PyTorch's states:
 *
 *	i  = sigma(W_ii u + b_ii + W_hi h + b_hi)
 *	f  = sigma(W_if u + b_if + W_hf h + b_hf)
 *	g  = tanh(W_ig u + b_ig + W_hg h + b_hg)
 *	o  = sigma(W_io u + b_io + W_ho h + b_ho)
 *	c' = f * c + i * g
 *	h' = o * tanh(c')
 *
 * The state of the interface is the pair, concatenated: x = [h, c], 2
 * units entries, so every analysis (fixed points, Jacobians, Lyapunov
 * spectra) sees the whole dynamical system.  The readout reads h alone
 * (model.c's readout_in = units), as an nn.Linear on nn.LSTM's output
 * does: model/readout/W is outputs x units.
 *
 * Parameters, named as PyTorch names them: model/weight_ih (4 units x
 * inputs) = [W_ii; W_if; W_ig; W_io] stacked by rows, model/weight_hh
 * (4 units x units), model/bias_ih and model/bias_hh (4 units) in the
 * same gate order.  Every one is drawn uniformly on [-1/sqrt(units),
 * 1/sqrt(units)], as PyTorch draws them.
 *
 * The step caches i, f, g, o and tanh(c') per state.  A step's work is
 * shared among threads by rows, each part making its own rows' products
 * and then their elementwise work, and the weights' gradients by gate
 * rows (row_team.h): one hand-off a step forward, two backward.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "models/model_impl.h"
#include "models/row_team.h"
#include "models/vmath.h"

/* Offsets of the parameters in theta. */
typedef struct { size_t wih, whh, bih, bhh; } lstm_params;

static lstm_params params(const dk_model *m)
{
	return (lstm_params){m->view[0].offset, m->view[1].offset, m->view[2].offset,
	                     m->view[3].offset};
}


static int lstm_layout(dk_model *m, char *err, size_t errlen)
{
	int st = dk_gated_layout(m, 4, err, errlen);
	if (st)
		return st;
	m->n = 2 * m->spec.units;
	m->readout_in = m->spec.units;
	return DK_OK;
}

/* Per state, in units: the cache [i f g o tanh(c')] (5), and the gate
   pre-activations (4), which the derivatives reuse for their products. */
static size_t lstm_cache_size(const dk_model *m)
{
	return 5 * m->spec.units;
}

static size_t lstm_work_size(const dk_model *m, size_t batch)
{
	return DK_ROW_TEAM_SLOTS + batch * 9 * m->spec.units;
}

static int lstm_work_open(const dk_model *m, double *work, size_t batch)
{
	return dk_row_team_open(work, batch, 9 * m->spec.units);
}

/* The scratch after the team's slots. */
static double *scratch(double *work)
{
	return work + DK_ROW_TEAM_SLOTS;
}

/* What the parts below read and write. */
typedef struct {
	size_t n, in, rows;
	const double *wih, *whh, *bih, *bhh;    /* the parameters */
	const double *C, *x, *u, *dx, *gxn;
	double *A, *k, *xn, *out, *gA, *gx, *gu, *gwih, *gwhh, *gbi, *gbh;
} rows_job;

static rows_job job_of(const dk_model *m)
{
	lstm_params p = params(m);
	return (rows_job){.n = m->spec.units, .in = m->spec.inputs,
	                  .wih = m->theta + p.wih, .whh = m->theta + p.whh,
	                  .bih = m->theta + p.bih, .bhh = m->theta + p.bhh};
}

/* y = -a over n entries (loops of their own, which the compiler
   vectorizes, where one loop over all gates with a test would not). */
static void negate(const double *restrict a, double *restrict y, size_t n)
{
	for (size_t j = 0; j < n; j++)
		y[j] = -a[j];
}

/* e = exp(-a) in place becomes sigma(a) = 1 / (1 + e). */
static void logistic_of_exp(double *e, size_t n)
{
	for (size_t j = 0; j < n; j++)
		e[j] = 1 / (1 + e[j]);
}

/* Rows [r0, r1) of the gates from the pre-activations A (and of the
   next states when xn is not NULL). */
static void gate_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *jb = p;
	size_t n = jb->n, g4 = 4 * n;
	double *xn = jb->xn;
	for (size_t r = r0; r < r1; r++) {
		const double *a = jb->A + r * g4, *c = jb->x + r * 2 * n + n;
		double *k = jb->k + r * 5 * n;
		/* i, f, o = 1 / (1 + exp(-a)) and g = tanh(a), each over n at
		   once; then c' and tanh(c') */
		negate(a, k, 2 * n);
		memcpy(k + 2 * n, a + 2 * n, n * sizeof *k);
		negate(a + 3 * n, k + 3 * n, n);
		dk_vexp(k, k, 2 * n);
		dk_vtanh(k + 2 * n, k + 2 * n, n);
		dk_vexp(k + 3 * n, k + 3 * n, n);
		logistic_of_exp(k, 2 * n);
		logistic_of_exp(k + 3 * n, n);
		for (size_t j = 0; j < n; j++)
			k[4 * n + j] = k[n + j] * c[j] + k[j] * k[2 * n + j];
		if (xn) /* c' before tanh(c') overwrites it; xn may be x */
			for (size_t j = 0; j < n; j++)
				xn[r * 2 * n + n + j] = k[4 * n + j];
		dk_vtanh(k + 4 * n, k + 4 * n, n);
		if (xn)
			for (size_t j = 0; j < n; j++)
				xn[r * 2 * n + j] = k[3 * n + j] * k[4 * n + j];
	}
}

/*
 * The gates of B states into C (B rows of [i f g o tc], 5 units each),
 * with the pre-activations A = U W_ih^T + H W_hh^T + b_ih + b_hh (B x 4
 * units) in the scratch after work's team slots; and, when xn is not NULL, the next states [h', c'] there.
 */
/* Rows [r0, r1) of the pre-activations and then of the gates (and of
   the next states when xn is not NULL). */
static void forward_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *jb = p;
	size_t n = jb->n, in = jb->in, g4 = 4 * n, R = r1 - r0;
	double *A = jb->A + r0 * g4;
	for (size_t r = 0; r < R; r++)
		for (size_t i = 0; i < g4; i++)
			A[r * g4 + i] = jb->bih[i] + jb->bhh[i];
	if (jb->u && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)R, (int)g4,
		            (int)in, 1.0, jb->u + r0 * in, (int)in, jb->wih, (int)in,
		            1.0, A, (int)g4);
	/* h is the first half of each state row (leading dimension 2n) */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)R, (int)g4,
	            (int)n, 1.0, jb->x + r0 * 2 * n, (int)(2 * n), jb->whh, (int)n,
	            1.0, A, (int)g4);
	gate_rows(p, r0, r1);
}

static void gates(const dk_model *m, double *work, size_t B, const double *x,
                  const double *u, double *C, double *xn)
{
	rows_job jb = job_of(m);
	jb.A = scratch(work);
	jb.x = x;
	jb.u = u;
	jb.k = C;
	jb.xn = xn;
	dk_row_team_share_products(work, B, forward_rows, &jb);
}

/* The gates from the cache, or recomputed into the end of work. */
static const double *gates_of(const dk_model *m, double *work, size_t B,
                              const double *x, const double *u,
                              const double *cache)
{
	if (cache)
		return cache;
	double *C = scratch(work) + 4 * B * m->spec.units;
	gates(m, work, B, x, u, C, NULL);
	return C;
}

/* xn may be x: each entry of x is read before the same entry of xn is written. */
static int lstm_step(const dk_model *m, double *work, size_t B,
                     const double *x, const double *u, double *xn,
                     double *cache)
{
	double *C = cache ? cache : scratch(work) + 4 * B * m->spec.units;
	gates(m, work, B, x, u, C, xn);
	return DK_OK;
}

/*
 * With dA = dh W_hh^T: di = i (1 - i) dA_i, df = f (1 - f) dA_f,
 * dg = (1 - g^2) dA_g, do = o (1 - o) dA_o;
 * dc' = df c + f dc + di g + i dg, dh' = do tc + o (1 - tc^2) dc'.
 */
/* One state's tangent out = [dh', dc'] from its gates k, cell c, cell
   tangent dc and dA's row d.  No two of the arrays overlap. */
static void tangent_row(size_t n, const double *restrict k,
                        const double *restrict c, const double *restrict dc,
                        const double *restrict d, double *restrict out)
{
	for (size_t j = 0; j < n; j++) {
		double ig = k[j], fg = k[n + j], gg = k[2 * n + j], og = k[3 * n + j];
		double tc = k[4 * n + j];
		double di = ig * (1 - ig) * d[j], df = fg * (1 - fg) * d[n + j];
		double dg = (1 - gg * gg) * d[2 * n + j], dog = og * (1 - og) * d[3 * n + j];
		double dcn = df * c[j] + fg * dc[j] + di * gg + ig * dg;
		out[j] = dog * tc + og * (1 - tc * tc) * dcn;
		out[n + j] = dcn;
	}
}

/* Rows [r0, r1) of dA = dh W_hh^T and of the tangent from it. */
static void jvp_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *jb = p;
	size_t n = jb->n, g4 = 4 * n;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)g4,
	            (int)n, 1.0, jb->dx + r0 * 2 * n, (int)(2 * n), jb->whh, (int)n,
	            0.0, jb->A + r0 * g4, (int)g4);
	for (size_t r = r0; r < r1; r++)
		tangent_row(n, jb->C + r * 5 * n, jb->x + r * 2 * n + n,
		            jb->dx + r * 2 * n + n, jb->A + r * g4, jb->out + r * 2 * n);
}

static int lstm_jvp(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, const double *cache,
                    const double *dx, double *dxn)
{
	rows_job jb = job_of(m);
	jb.C = gates_of(m, work, B, x, u, cache);
	jb.A = scratch(work);
	jb.x = x;
	jb.dx = dx;
	jb.out = dxn;
	dk_row_team_share_products(work, B, jvp_rows, &jb);
	return DK_OK;
}

/* One state's row a of gA from its gates k, cell c and gradients gh, gc.
   No two of the arrays overlap. */
static void pre_activation_grads(size_t n, const double *restrict k,
                                 const double *restrict c,
                                 const double *restrict gh,
                                 const double *restrict gc, double *restrict a)
{
	for (size_t j = 0; j < n; j++) {
		double ig = k[j], fg = k[n + j], gg = k[2 * n + j], og = k[3 * n + j];
		double tc = k[4 * n + j];
		double gct = gc[j] + gh[j] * og * (1 - tc * tc);
		a[j] = gct * gg * ig * (1 - ig);
		a[n + j] = gct * c[j] * fg * (1 - fg);
		a[2 * n + j] = gct * ig * (1 - gg * gg);
		a[3 * n + j] = gh[j] * tc * og * (1 - og);
	}
}

/* Rows [r0, r1) of gA, of gx = [gA W_hh, gct f] and of gu = gA W_ih.
   gx may be gxn: entry j of a row is read before it is written (the h
   half is written after the row, by the product). */
static void vjp_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *jb = p;
	size_t n = jb->n, in = jb->in, g4 = 4 * n, R = r1 - r0;
	for (size_t r = r0; r < r1; r++) {
		const double *k = jb->C + r * 5 * n, *c = jb->x + r * 2 * n + n;
		const double *gh = jb->gxn + r * 2 * n, *gc = gh + n;
		pre_activation_grads(n, k, c, gh, gc, jb->gA + r * g4);
		if (jb->gx) {
			double *gxc = jb->gx + r * 2 * n + n;
			for (size_t j = 0; j < n; j++) {
				double og = k[3 * n + j], tc = k[4 * n + j];
				gxc[j] = (gc[j] + gh[j] * og * (1 - tc * tc)) * k[n + j];
			}
		}
	}
	if (jb->gx)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)n,
		            (int)g4, 1.0, jb->gA + r0 * g4, (int)g4, jb->whh, (int)n, 0.0,
		            jb->gx + r0 * 2 * n, (int)(2 * n));
	if (jb->gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)in,
		            (int)g4, 1.0, jb->gA + r0 * g4, (int)g4, jb->wih, (int)in, 0.0,
		            jb->gu + r0 * in, (int)in);
}

/* Gate rows [i0, i1) of the parameters' gradients: the biases' entries,
   each summed over the batch rows in row order, and the weights' rows,
   gW_ih += gA^T U and gW_hh += gA^T H. */
static void param_rows(void *p, size_t i0, size_t i1)
{
	const rows_job *jb = p;
	size_t n = jb->n, in = jb->in, g4 = 4 * n, B = jb->rows, R = i1 - i0;
	for (size_t r = 0; r < B; r++) {
		const double *a = jb->gA + r * g4;
		for (size_t i = i0; i < i1; i++) {
			jb->gbi[i] += a[i];
			jb->gbh[i] += a[i];
		}
	}
	if (jb->u && in)
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)R, (int)in,
		            (int)B, 1.0, jb->gA + i0, (int)g4, jb->u, (int)in, 1.0,
		            jb->gwih + i0 * in, (int)in);
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)R, (int)n, (int)B,
	            1.0, jb->gA + i0, (int)g4, jb->x, (int)(2 * n), 1.0,
	            jb->gwhh + i0 * n, (int)n);
}

/*
 * With gxn = [gh', gc']: the total gradient of c',
 * gct = gc' + gh' o (1 - tc^2), and of the pre-activations,
 * gA = [gct g i (1 - i), gct c f (1 - f), gct i (1 - g^2),
 *       gh' tc o (1 - o)], the same for the input and the recurrent side.
 * Then gh = gA W_hh, gc = gct f, gu = gA W_ih, gW_ih += gA^T U,
 * gW_hh += gA^T H, gb_ih and gb_hh += sum gA.
 */
static int lstm_vjp(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, const double *cache,
                    const double *gxn, double *gx, double *gu, double *gp)
{
	lstm_params p = params(m);
	rows_job jb = job_of(m);
	jb.rows = B;
	jb.C = gates_of(m, work, B, x, u, cache);
	jb.x = x;
	jb.u = u;
	jb.gxn = gxn;
	jb.gA = scratch(work);
	jb.gx = gx;
	jb.gu = gu;
	dk_row_team_share_products(work, B, vjp_rows, &jb);
	if (gp) {
		jb.gbi = gp + p.bih;
		jb.gbh = gp + p.bhh;
		jb.gwih = gp + p.wih;
		jb.gwhh = gp + p.whh;
		dk_row_team_share_products(work, 4 * jb.n, param_rows, &jb);
	}
	return DK_OK;
}

/*
 * The 2n x 2n Jacobian in blocks, with K = dc'/dh =
 * diag(g i (1 - i)) W_hi + diag(c f (1 - f)) W_hf + diag(i (1 - g^2)) W_hg:
 *	[ diag(tc o (1 - o)) W_ho + diag(o (1 - tc^2)) K   diag(o (1 - tc^2) f) ]
 *	[ K                                                diag(f)              ]
 */
static int lstm_jacobian(const dk_model *m, double *work, const double *x,
                         const double *u, double *J)
{
	size_t n = m->spec.units, N = 2 * n;
	const double *W = m->theta + params(m).whh;
	const double *k = gates_of(m, work, 1, x, u, NULL);
	memset(J, 0, N * N * sizeof *J);
	for (size_t i = 0; i < n; i++) {
		double ig = k[i], fg = k[n + i], gg = k[2 * n + i], og = k[3 * n + i];
		double tc = k[4 * n + i], ci = x[n + i];
		double ki = gg * ig * (1 - ig), kf = ci * fg * (1 - fg), kg = ig * (1 - gg * gg);
		double ko = tc * og * (1 - og), kc = og * (1 - tc * tc);
		const double *wi = W + i * n, *wf = W + (n + i) * n;
		const double *wg = W + (2 * n + i) * n, *wo = W + (3 * n + i) * n;
		for (size_t j = 0; j < n; j++) {
			double K = ki * wi[j] + kf * wf[j] + kg * wg[j];
			J[i * N + j] = ko * wo[j] + kc * K;
			J[(n + i) * N + j] = K;
		}
		J[i * N + n + i] = kc * fg;
		J[(n + i) * N + n + i] = fg;
	}
	return DK_OK;
}

const dk_model_ops dk_lstm_ops = {
	.kind = "lstm",
	.act_fixed = 1,
	.layout = lstm_layout,
	.init = dk_gated_init,
	.work_size = lstm_work_size,
	.cache_size = lstm_cache_size,
	.work_open = lstm_work_open,
	.work_close = dk_row_team_close,
	.step = lstm_step,
	.jvp = lstm_jvp,
	.vjp = lstm_vjp,
	.jacobian = lstm_jacobian,
};
