/*
 * gru.c -- the gated recurrent unit, with PyTorch's equations, gate order
 * and parameter layout (torch.nn.GRU, one layer), so that weights taken
 * from PyTorch give PyTorch's states:
 *
 *	r  = sigma(W_ir u + b_ir + W_hr h + b_hr)
 *	z  = sigma(W_iz u + b_iz + W_hz h + b_hz)
 *	n  = tanh(W_in u + b_in + r * (W_hn h + b_hn))
 *	h' = (1 - z) * n + z * h
 *
 * Parameters, named as PyTorch names them: model/weight_ih (3 units x
 * inputs) = [W_ir; W_iz; W_in] stacked by rows, model/weight_hh (3 units x
 * units) = [W_hr; W_hz; W_hn], model/bias_ih = [b_ir b_iz b_in] and
 * model/bias_hh = [b_hr b_hz b_hn].  Every one is drawn uniformly on
 * [-1/sqrt(units), 1/sqrt(units)], as PyTorch draws them.  The state is h.
 *
 * The step caches r, z, n and W_hn h + b_hn per state; jvp and vjp use
 * them (or recompute them into the workspace).  A step's work is shared
 * among threads by rows, each part making its own rows' products and
 * then their elementwise work, and the weights' gradients by gate rows
 * (row_team.h): one hand-off a step forward, two backward.
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
typedef struct { size_t wih, whh, bih, bhh; } gru_params;

static gru_params params(const dk_model *m)
{
	return (gru_params){m->view[0].offset, m->view[1].offset, m->view[2].offset,
	                    m->view[3].offset};
}


static int gru_layout(dk_model *m, char *err, size_t errlen)
{
	int st = dk_gated_layout(m, 3, err, errlen);
	if (st)
		return st;
	m->n = m->spec.units;
	return DK_OK;
}

/* Per state: the cache (r, z, n, hn: 4 units), and for the recomputation
   the two gate pre-activations (3 units each), which the derivatives
   then reuse for their own products; the row team's slots first. */
static size_t gru_cache_size(const dk_model *m)
{
	return 4 * m->n;
}

static size_t gru_work_size(const dk_model *m, size_t batch)
{
	return DK_ROW_TEAM_SLOTS + batch * (4 * m->n + 6 * m->n);
}

static int gru_work_open(const dk_model *m, double *work, size_t batch)
{
	return dk_row_team_open(work, batch, 10 * m->n);
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
	double *Gi, *Gh, *d, *out, *Ai, *Ah, *gx, *gu, *gwih, *gwhh, *gbi, *gbh, *c;
} rows_job;

static rows_job job_of(const dk_model *m)
{
	gru_params p = params(m);
	return (rows_job){.n = m->n, .in = m->spec.inputs, .wih = m->theta + p.wih,
	                  .whh = m->theta + p.whh, .bih = m->theta + p.bih,
	                  .bhh = m->theta + p.bhh};
}

/* Rows [r0, r1) of the gates from the pre-activations Gi and Gh. */
static void gate_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t n = j->n, g = 3 * n;
	for (size_t r = r0; r < r1; r++) {
		const double *gi = j->Gi + r * g, *gh = j->Gh + r * g;
		double *c = j->c + r * 4 * n;
		/* r and z = 1 / (1 + exp(-a)), the 2n exps in one call */
		for (size_t i = 0; i < 2 * n; i++)
			c[i] = -(gi[i] + gh[i]);
		dk_vexp(c, c, 2 * n);
		for (size_t i = 0; i < 2 * n; i++)
			c[i] = 1 / (1 + c[i]);
		for (size_t i = 0; i < n; i++) {
			double hn = gh[2 * n + i];
			c[2 * n + i] = gi[2 * n + i] + c[i] * hn;
			c[3 * n + i] = hn;
		}
		dk_vtanh(c + 2 * n, c + 2 * n, n);
	}
}

/* Rows [r0, r1) of h' = (1 - z) n + z h, from the gates in c.  out
   may be x: a row of x is read before the same row of out is written. */
static void step_rows(const rows_job *j, size_t r0, size_t r1)
{
	size_t n = j->n;
	for (size_t r = r0; r < r1; r++) {
		const double *c = j->c + r * 4 * n, *h = j->x + r * n;
		double *hn = j->out + r * n;
		for (size_t i = 0; i < n; i++) {
			double z = c[n + i];
			hn[i] = (1 - z) * c[2 * n + i] + z * h[i];
		}
	}
}

/* Rows [r0, r1) of Gi = U W_ih^T + b_ih and Gh = X W_hh^T + b_hh, of the
   gates, and of the next state when out is not NULL. */
static void forward_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t g = 3 * j->n, R = r1 - r0;
	double *Gi = j->Gi + r0 * g, *Gh = j->Gh + r0 * g;
	for (size_t r = 0; r < R; r++) {
		memcpy(Gi + r * g, j->bih, g * sizeof *Gi);
		memcpy(Gh + r * g, j->bhh, g * sizeof *Gh);
	}
	if (j->u && j->in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)R, (int)g,
		            (int)j->in, 1.0, j->u + r0 * j->in, (int)j->in, j->wih,
		            (int)j->in, 1.0, Gi, (int)g);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)R, (int)g,
	            (int)j->n, 1.0, j->x + r0 * j->n, (int)j->n, j->whh, (int)j->n,
	            1.0, Gh, (int)g);
	gate_rows(p, r0, r1);
	if (j->out)
		step_rows(j, r0, r1);
}

/*
 * The gates of B states into C (B rows of [r z n hn], 4n each), and the
 * next states into xn unless it is NULL, with 6 B n doubles of scratch
 * after work's team slots: Gi = U W_ih^T + b_ih and Gh = X W_hh^T + b_hh
 * (B x 3n each).
 */
static void gates(const dk_model *m, double *work, size_t B, const double *x,
                  const double *u, double *C, double *xn)
{
	rows_job j = job_of(m);
	j.Gi = scratch(work);
	j.Gh = j.Gi + B * 3 * m->n;
	j.x = x;
	j.u = u;
	j.c = C;
	j.out = xn;
	dk_row_team_share_products(work, B, forward_rows, &j);
}

/* The gates from the cache, or recomputed into the end of work. */
static const double *gates_of(const dk_model *m, double *work, size_t B,
                              const double *x, const double *u,
                              const double *cache)
{
	if (cache)
		return cache;
	double *C = scratch(work) + 6 * B * m->n;
	gates(m, work, B, x, u, C, NULL);
	return C;
}

static int gru_step(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, double *xn,
                    double *cache)
{
	double *C = cache ? cache : scratch(work) + 6 * B * m->n;
	gates(m, work, B, x, u, C, xn);
	return DK_OK;
}

/*
 * dh' = (1 - z) dn + (h - n) dz + z dh, where with dG = dh W_hh^T:
 * dr = r (1 - r) dG_r, dz = z (1 - z) dG_z,
 * dn = (1 - n^2) (hn dr + r dG_n).
 */
/* Rows [r0, r1) of dG = dh W_hh^T and of the tangent from it. */
static void jvp_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t n = j->n, g = 3 * n;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)g,
	            (int)n, 1.0, j->dx + r0 * n, (int)n, j->whh, (int)n, 0.0,
	            j->d + r0 * g, (int)g);
	for (size_t r = r0; r < r1; r++) {
		const double *c = j->C + r * 4 * n, *h = j->x + r * n, *dh = j->dx + r * n;
		const double *d = j->d + r * g;
		double *out = j->out + r * n;
		for (size_t i = 0; i < n; i++) {
			double rr = c[i], z = c[n + i], nn = c[2 * n + i], hn = c[3 * n + i];
			double dr = rr * (1 - rr) * d[i];
			double dz = z * (1 - z) * d[n + i];
			double dn = (1 - nn * nn) * (hn * dr + rr * d[2 * n + i]);
			out[i] = (1 - z) * dn + (h[i] - nn) * dz + z * dh[i];
		}
	}
}

static int gru_jvp(const dk_model *m, double *work, size_t B,
                   const double *x, const double *u, const double *cache,
                   const double *dx, double *dxn)
{
	rows_job j = job_of(m);
	j.C = gates_of(m, work, B, x, u, cache);
	j.x = x;
	j.dx = dx;
	j.d = scratch(work);
	j.out = dxn;
	dk_row_team_share_products(work, B, jvp_rows, &j);
	return DK_OK;
}

/*
 * One state's rows Ai and Ah from its gates c, state h and gradient gh.
 * No two of the arrays overlap.
 */
static void pre_activation_grads(size_t n, const double *restrict c,
                                 const double *restrict h,
                                 const double *restrict gh,
                                 double *restrict ai, double *restrict ah)
{
	for (size_t i = 0; i < n; i++) {
		double rr = c[i], z = c[n + i], nn = c[2 * n + i], hn = c[3 * n + i];
		double an = gh[i] * (1 - z) * (1 - nn * nn);
		double ar = an * hn * rr * (1 - rr);
		double az = gh[i] * (h[i] - nn) * z * (1 - z);
		ai[i] = ah[i] = ar;
		ai[n + i] = ah[n + i] = az;
		ai[2 * n + i] = an;
		ah[2 * n + i] = an * rr;
	}
}

/* Rows [r0, r1) of Ai and Ah, of gx = g z + Ah W_hh and of gu = Ai W_ih.
   gx may be gxn: a row of gxn is read before the same row of gx is
   written. */
static void vjp_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t n = j->n, g = 3 * n, R = r1 - r0;
	for (size_t r = r0; r < r1; r++) {
		const double *c = j->C + r * 4 * n, *gh = j->gxn + r * n;
		pre_activation_grads(n, c, j->x + r * n, gh, j->Ai + r * g, j->Ah + r * g);
		if (j->gx)
			for (size_t i = 0; i < n; i++)
				j->gx[r * n + i] = gh[i] * c[n + i];
	}
	if (j->gx)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)n,
		            (int)g, 1.0, j->Ah + r0 * g, (int)g, j->whh, (int)n, 1.0,
		            j->gx + r0 * n, (int)n);
	if (j->gu && j->in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)j->in,
		            (int)g, 1.0, j->Ai + r0 * g, (int)g, j->wih, (int)j->in, 0.0,
		            j->gu + r0 * j->in, (int)j->in);
}

/* Gate rows [i0, i1) of the parameters' gradients: the biases' entries,
   each summed over the batch rows in row order, and the weights' rows,
   gW_ih += Ai^T U and gW_hh += Ah^T X. */
static void param_rows(void *p, size_t i0, size_t i1)
{
	const rows_job *j = p;
	size_t n = j->n, g = 3 * n, B = j->rows, R = i1 - i0;
	for (size_t r = 0; r < B; r++) {
		const double *ai = j->Ai + r * g, *ah = j->Ah + r * g;
		for (size_t i = i0; i < i1; i++) {
			j->gbi[i] += ai[i];
			j->gbh[i] += ah[i];
		}
	}
	if (j->u && j->in)
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)R, (int)j->in,
		            (int)B, 1.0, j->Ai + i0, (int)g, j->u, (int)j->in, 1.0,
		            j->gwih + i0 * j->in, (int)j->in);
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)R, (int)n, (int)B,
	            1.0, j->Ah + i0, (int)g, j->x, (int)n, 1.0, j->gwhh + i0 * n,
	            (int)n);
}

/*
 * With g = dL/dh': the gradients of the pre-activations,
 * a_n = g (1 - z) (1 - n^2), a_r = a_n hn r (1 - r),
 * a_z = g (h - n) z (1 - z); Ai = [a_r a_z a_n] for the input side and
 * Ah = [a_r a_z a_n r] for the recurrent side.  Then
 * gh = g z + Ah W_hh, gu = Ai W_ih, gW_ih += Ai^T U, gW_hh += Ah^T X,
 * gb_ih += sum Ai, gb_hh += sum Ah.
 */
static int gru_vjp(const dk_model *m, double *work, size_t B,
                   const double *x, const double *u, const double *cache,
                   const double *gxn, double *gx, double *gu, double *gp)
{
	gru_params p = params(m);
	size_t g = 3 * m->n;
	rows_job j = job_of(m);
	j.rows = B;
	j.C = gates_of(m, work, B, x, u, cache);
	j.x = x;
	j.u = u;
	j.gxn = gxn;
	j.Ai = scratch(work);
	j.Ah = j.Ai + B * g;
	j.gx = gx;
	j.gu = gu;
	dk_row_team_share_products(work, B, vjp_rows, &j);
	if (gp) {
		j.gbi = gp + p.bih;
		j.gbh = gp + p.bhh;
		j.gwih = gp + p.wih;
		j.gwhh = gp + p.whh;
		dk_row_team_share_products(work, g, param_rows, &j);
	}
	return DK_OK;
}

/*
 * J_ij = z_i delta_ij + (h_i - n_i) z_i (1 - z_i) W_hz,ij
 *        + (1 - z_i) (1 - n_i^2) (hn_i r_i (1 - r_i) W_hr,ij + r_i W_hn,ij)
 */
static int gru_jacobian(const dk_model *m, double *work, const double *x,
                        const double *u, double *J)
{
	size_t n = m->n;
	const double *W = m->theta + params(m).whh;
	const double *c = gates_of(m, work, 1, x, u, NULL);
	for (size_t i = 0; i < n; i++) {
		double rr = c[i], z = c[n + i], nn = c[2 * n + i], hn = c[3 * n + i];
		double kn = (1 - z) * (1 - nn * nn);
		double kr = kn * hn * rr * (1 - rr), kz = (x[i] - nn) * z * (1 - z);
		double kh = kn * rr;
		const double *wr = W + i * n, *wz = W + (n + i) * n, *wn = W + (2 * n + i) * n;
		for (size_t j = 0; j < n; j++)
			J[i * n + j] = kr * wr[j] + kz * wz[j] + kh * wn[j];
		J[i * n + i] += z;
	}
	return DK_OK;
}

const dk_model_ops dk_gru_ops = {
	.kind = "gru",
	.act_fixed = 1,
	.layout = gru_layout,
	.init = dk_gated_init,
	.work_size = gru_work_size,
	.cache_size = gru_cache_size,
	.work_open = gru_work_open,
	.work_close = dk_row_team_close,
	.step = gru_step,
	.jvp = gru_jvp,
	.vjp = gru_vjp,
	.jacobian = gru_jacobian,
};
