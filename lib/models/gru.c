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
 * them (or recompute them into the workspace).  The elementwise work
 * between the products is shared among threads by rows (row_team.h).
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

/* What the loops over rows below read and write. */
typedef struct {
	size_t n, rows;
	const double *Gi, *Gh, *C, *x, *dx, *d, *gxn;
	double *out, *Ai, *Ah, *gx, *gbi, *gbh, *c;
} rows_job;

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

/*
 * The gates of B states into C (B rows of [r z n hn], 4n each), with
 * 6 B n doubles of scratch after work's team slots: Gi = U W_ih^T + b_ih
 * and Gh = X W_hh^T + b_hh (B x 3n each).
 */
static void gates(const dk_model *m, double *work, size_t B, const double *x,
                  const double *u, double *C)
{
	gru_params p = params(m);
	size_t n = m->n, in = m->spec.inputs, g = 3 * n;
	double *Gi = scratch(work), *Gh = Gi + B * g;
	for (size_t r = 0; r < B; r++) {
		memcpy(Gi + r * g, m->theta + p.bih, g * sizeof *Gi);
		memcpy(Gh + r * g, m->theta + p.bhh, g * sizeof *Gh);
	}
	if (u && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)g,
		            (int)in, 1.0, u, (int)in, m->theta + p.wih, (int)in, 1.0,
		            Gi, (int)g);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)g,
	            (int)n, 1.0, x, (int)n, m->theta + p.whh, (int)n, 1.0, Gh,
	            (int)g);
	rows_job j = {.n = n, .Gi = Gi, .Gh = Gh, .c = C};
	dk_row_team_share(work, B, gate_rows, &j);
}

/* The gates from the cache, or recomputed into the end of work. */
static const double *gates_of(const dk_model *m, double *work, size_t B,
                              const double *x, const double *u,
                              const double *cache)
{
	if (cache)
		return cache;
	double *C = scratch(work) + 6 * B * m->n;
	gates(m, work, B, x, u, C);
	return C;
}

/* Rows [r0, r1) of h' = (1 - z) n + z h. */
static void step_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t n = j->n;
	for (size_t r = r0; r < r1; r++) {
		const double *c = j->C + r * 4 * n, *h = j->x + r * n;
		double *hn = j->out + r * n;
		for (size_t i = 0; i < n; i++) {
			double z = c[n + i];
			hn[i] = (1 - z) * c[2 * n + i] + z * h[i];
		}
	}
}

static int gru_step(const dk_model *m, double *work, size_t B,
                    const double *x, const double *u, double *xn,
                    double *cache)
{
	size_t n = m->n;
	double *C = cache ? cache : scratch(work) + 6 * B * n;
	gates(m, work, B, x, u, C);
	rows_job j = {.n = n, .C = C, .x = x, .out = xn};
	dk_row_team_share(work, B, step_rows, &j);
	return DK_OK;
}

/*
 * dh' = (1 - z) dn + (h - n) dz + z dh, where with dG = dh W_hh^T:
 * dr = r (1 - r) dG_r, dz = z (1 - z) dG_z,
 * dn = (1 - n^2) (hn dr + r dG_n).
 */
/* Rows [r0, r1) of the tangent from dG = dh W_hh^T. */
static void jvp_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t n = j->n, g = 3 * n;
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
	size_t n = m->n, g = 3 * n;
	const double *C = gates_of(m, work, B, x, u, cache);
	double *dG = scratch(work);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)g,
	            (int)n, 1.0, dx, (int)n, m->theta + params(m).whh, (int)n, 0.0,
	            dG, (int)g);
	rows_job j = {.n = n, .C = C, .x = x, .dx = dx, .d = dG, .out = dxn};
	dk_row_team_share(work, B, jvp_rows, &j);
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

/* Rows [r0, r1) of Ai and Ah, and of gx's direct term g z.  gx may be
   gxn: a row of gxn is read before the same row of gx is written. */
static void vjp_rows(void *p, size_t r0, size_t r1)
{
	const rows_job *j = p;
	size_t n = j->n, g = 3 * n;
	for (size_t r = r0; r < r1; r++) {
		const double *c = j->C + r * 4 * n, *gh = j->gxn + r * n;
		pre_activation_grads(n, c, j->x + r * n, gh, j->Ai + r * g, j->Ah + r * g);
		if (j->gx)
			for (size_t i = 0; i < n; i++)
				j->gx[r * n + i] = gh[i] * c[n + i];
	}
}

/* Entries [i0, i1) of the bias gradients, each summed over the rows in
   row order (so the sum does not depend on how the entries are shared). */
static void bias_columns(void *p, size_t i0, size_t i1)
{
	const rows_job *j = p;
	size_t g = 3 * j->n;
	for (size_t r = 0; r < j->rows; r++) {
		const double *ai = j->Ai + r * g, *ah = j->Ah + r * g;
		for (size_t i = i0; i < i1; i++) {
			j->gbi[i] += ai[i];
			j->gbh[i] += ah[i];
		}
	}
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
	size_t n = m->n, in = m->spec.inputs, g = 3 * n;
	const double *C = gates_of(m, work, B, x, u, cache);
	double *Ai = scratch(work), *Ah = Ai + B * g;
	rows_job j = {.n = n, .rows = B, .C = C, .x = x, .gxn = gxn, .Ai = Ai,
	              .Ah = Ah, .gx = gx};
	dk_row_team_share(work, B, vjp_rows, &j);
	if (gp) {
		j.gbi = gp + p.bih;
		j.gbh = gp + p.bhh;
		dk_row_team_share(work, g, bias_columns, &j);
	}
	if (gx)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)n,
		            (int)g, 1.0, Ah, (int)g, m->theta + p.whh, (int)n, 1.0, gx,
		            (int)n);
	if (gu && in)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)in,
		            (int)g, 1.0, Ai, (int)g, m->theta + p.wih, (int)in, 0.0, gu,
		            (int)in);
	if (gp) {
		if (u && in)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)g, (int)in,
			            (int)B, 1.0, Ai, (int)g, u, (int)in, 1.0, gp + p.wih,
			            (int)in);
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)g, (int)n,
		            (int)B, 1.0, Ah, (int)g, x, (int)n, 1.0, gp + p.whh, (int)n);
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
