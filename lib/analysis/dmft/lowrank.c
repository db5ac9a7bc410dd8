/*
 * lowrank.c -- the mean-field branches of the low-rank network with
 * disorder (lowrank.h): the Gaussian averages shifted by mu, the
 * stationary and chaotic equations as residuals, damped iteration and a
 * Newton finish from a grid of starts, and each branch's stability.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "analysis/dmft/lowrank.h"
#include "base/numeric.h"
#include "base/status.h"

#define ZMAX 9.0                 /* gauss.c's: the Gaussian beyond holds 2e-19 */
#define INV_SQRT_2PI 0.39894228040143267794
#define DAMPING 0.5
#define ITER_TOL 1e-10           /* the damped iteration stops below this change */
#define CHAOTIC_ITERATIONS 40
#define CHAOTIC_ITER_TOL 1e-6
#define NEWTON_STEPS 60
#define MAX_HALVINGS 16          /* a step cut below 2^-16 is a stall */
#define SAME_BRANCH 1e-7
#define MAX_UNKNOWNS (DK_DMFT_LOWRANK_MAX_RANK + 2)

typedef struct {
	const dk_dmft_lowrank_options *o;
	size_t R;
	double g2;
	double vmax;     /* variances are clamped to it: a bound of Delta0 */
	size_t cap;      /* nodes the arrays hold */
	double *z, *w;   /* the nodes z >= 0 of the last step set */
	size_t n;
	double h;
	/* the fixed-node rule of average2: tables of phi and Phi on mu + k h
	   and the inner Gaussian, TABLE entries each */
	double *tp, *tP, *kern;
} work;

#define TABLE 8192

/* one-dimensional averages over mu + sqrt(v) z */
typedef struct {
	double p, dp, p2, dp2, P2;  /* <phi>, <phi'>, <phi^2>, <phi'^2>, <Phi^2> */
	double zdp, z2dp;           /* <z phi'>, <(z^2 - 1) phi'> */
} avg1;

/* The nodes z_i = i h, i = 0..M, of the step for variance v, and their
   weights; the sums pair z_i with -z_i, from the tails in, so that an odd
   phi averages to 0 exactly at mu = 0 (kappa = 0 stays a fixed point). */
static void set_nodes(work *w, double v)
{
	double h = dk_dmft_step(v);
	size_t M = (size_t)ceil(ZMAX / h);
	if (M + 1 > w->cap)
		M = w->cap - 1;   /* not reached: vmax bounds v */
	w->n = M + 1;
	w->h = h;
	for (size_t i = 0; i < w->n; i++) {
		double z = (double)i * h;
		w->z[i] = z;
		w->w[i] = h * INV_SQRT_2PI * exp(-z * z / 2);
	}
}

static double clamp_var(const work *w, double v)
{
	return v < 0 ? 0 : v > w->vmax ? w->vmax : v;
}

static void average1(work *w, double mu, double v, avg1 *a)
{
	const dk_dmft_phi *phi = w->o->phi;
	set_nodes(w, v);
	double s = sqrt(v);
	*a = (avg1){0};
	for (size_t i = w->n; i-- > 0;) {
		for (int side = 0; side < (i ? 2 : 1); side++) {
			double z = side ? -w->z[i] : w->z[i], x = mu + s * z, wt = w->w[i];
			double p = phi->phi(x), dp = phi->dphi(x), P = phi->Phi(x);
			a->p += wt * p;
			a->dp += wt * dp;
			a->p2 += wt * p * p;
			a->dp2 += wt * dp * dp;
			a->P2 += wt * P * P;
			a->zdp += wt * z * dp;
			a->z2dp += wt * (z * z - 1) * dp;
		}
	}
}

/* <f(u + b y)> over y on the nodes */
static double inner(const work *w, double (*f)(double), double u, double b)
{
	double m = 0;
	for (size_t j = w->n; j-- > 0;)
		m += w->w[j] * (j ? f(u + b * w->z[j]) + f(u - b * w->z[j]) : f(u));
	return m;
}

/* int Dz [int Dy f]^2 for f = phi (*q) and Phi (*F), x = mu + sqrt(dinf) z
   + sqrt(d0 - dinf) y, on one grid of the step for d0: f at every pair
   of nodes.  The fallback of average2. */
static void average2_pairs(work *w, double mu, double dinf, double d0,
                           double *q, double *F)
{
	const dk_dmft_phi *phi = w->o->phi;
	set_nodes(w, d0);
	double a = sqrt(dinf), b = sqrt(d0 - dinf);
	*q = *F = 0;
	for (size_t i = w->n; i-- > 0;) {
		for (int side = 0; side < (i ? 2 : 1); side++) {
			double u = mu + (side ? -a : a) * w->z[i];
			double mp = inner(w, phi->phi, u, b), mP = inner(w, phi->Phi, u, b);
			*q += w->w[i] * mp * mp;
			*F += w->w[i] * mP * mP;
		}
	}
}

/*
 * The same by the fixed-node rule of gauss.h's dk_dmft_corr_conv, here
 * shifted by mu: phi and Phi tabulated once per call on y_k = mu + k h,
 * the inner averages <f(y_i + b y)> at the nodes as discrete
 * convolutions with the Gaussian of variance b^2 = d0 - dinf, weighed by
 * that of variance a^2 = dinf; h = min(0.13, 0.4 a, 0.4 b), so each
 * variable keeps gauss.h's rule and its error (about 1e-15 of the
 * averages; tests/test_dmft.c holds the rule).  About 2 (9a + 9b) / h
 * calls of phi and Phi instead of that number squared.  A variance so
 * small that the tables would pass TABLE entries falls back to
 * average2_pairs.
 */
static void average2(work *w, double mu, double dinf, double d0, double *q,
                     double *F)
{
	double a = sqrt(dinf), b = sqrt(d0 - dinf), h = 0.13;
	if (0.4 * a < h)
		h = 0.4 * a;
	if (0.4 * b < h)
		h = 0.4 * b;
	double Ka = ceil(ZMAX * a / h), Kb = ceil(ZMAX * b / h);
	if (!(h > 0) || !(2 * (Ka + Kb) + 1 <= TABLE)) {
		average2_pairs(w, mu, dinf, d0, q, F);
		return;
	}
	const dk_dmft_phi *phi = w->o->phi;
	size_t na = (size_t)Ka, nb = (size_t)Kb, off = na + nb;
	for (size_t k = 0; k <= 2 * off; k++) {
		double y = mu + ((double)k - (double)off) * h;
		w->tp[k] = phi->phi(y);
		w->tP[k] = phi->Phi(y);
	}
	double kb = h * INV_SQRT_2PI / b, ka = h * INV_SQRT_2PI / a;
	for (size_t j = 0; j <= nb; j++) {
		double v = (double)j * h / b;
		w->kern[j] = kb * exp(-v * v / 2);
	}
	*q = *F = 0;
	/* the outer nodes i = -na..na, from the tails in, small terms first */
	for (size_t e = na + 1; e-- > 0;) {
		double v = (double)e * h / a, wt = ka * exp(-v * v / 2);
		for (int side = 0; side < (e ? 2 : 1); side++) {
			size_t c = side ? off - e : off + e;
			double mp = w->kern[0] * w->tp[c], mP = w->kern[0] * w->tP[c];
			for (size_t j = 1; j <= nb; j++) {
				mp += w->kern[j] * (w->tp[c + j] + w->tp[c - j]);
				mP += w->kern[j] * (w->tP[c + j] + w->tP[c - j]);
			}
			*q += wt * mp * mp;
			*F += wt * mP * mP;
		}
	}
}

/* mu, S and the covariances c_{n^r}, c_{m^r} with x, at kappa k. */
typedef struct {
	double mu, S;
	double cn[DK_DMFT_LOWRANK_MAX_RANK], cm[DK_DMFT_LOWRANK_MAX_RANK];
} structure;

/* R, bounded for the compiler's sake (the options check holds it). */
static size_t rank_of(const work *w)
{
	return w->R < DK_DMFT_LOWRANK_MAX_RANK ? w->R : DK_DMFT_LOWRANK_MAX_RANK;
}

static structure structure_at(const work *w, const double *k)
{
	const dk_dmft_lowrank_options *o = w->o;
	size_t R = w->R, in = DK_DMFT_LOWRANK_I(R);
	structure s;
	memset(&s, 0, sizeof s);
	s.mu = o->mean[in];
	s.S = o->cov[in][in];
	for (size_t r = 0; r < R; r++) {
		size_t m = DK_DMFT_LOWRANK_M(r), n = DK_DMFT_LOWRANK_N(R, r);
		s.mu += o->mean[m] * k[r];
		s.S += 2 * o->cov[m][in] * k[r];
		s.cn[r] = o->cov[n][in];
		s.cm[r] = o->cov[m][in];
		for (size_t t = 0; t < R; t++) {
			size_t mt = DK_DMFT_LOWRANK_M(t);
			s.S += o->cov[m][mt] * k[r] * k[t];
			s.cn[r] += o->cov[n][mt] * k[t];
			s.cm[r] += o->cov[m][mt] * k[t];
		}
	}
	return s;
}

/* The equations at u (kappa, then Delta0 or Delta_inf, Delta0) as res. */
static void residual(work *w, int chaotic, const double *u, double *res)
{
	size_t R = rank_of(w);
	structure s = structure_at(w, u);
	double d0 = clamp_var(w, u[chaotic ? R + 1 : R]);
	avg1 a;
	average1(w, s.mu, d0, &a);
	for (size_t r = 0; r < R; r++)
		res[r] = u[r] - (w->o->mean[DK_DMFT_LOWRANK_N(R, r)] * a.p +
		                 s.cn[r] * a.dp);
	if (!chaotic) {
		res[R] = u[R] - w->g2 * a.p2 - s.S;
		return;
	}
	double dinf = clamp_var(w, u[R]);
	if (dinf > d0)
		dinf = d0;
	double q, F;
	average2(w, s.mu, dinf, d0, &q, &F);
	res[R] = u[R] - s.S - w->g2 * q;
	/* the energy condition divided by Delta0 - Delta_inf (lowrank.h) */
	res[R + 1] = (u[R + 1] + u[R]) / 2 - s.S - w->g2 * (a.P2 - F) / (d0 - dinf);
}

static double max_abs(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		if (!(fabs(v[i]) <= m))
			m = fabs(v[i]);
	return m;
}

/* A chaotic state needs Delta0 - Delta_inf > 0 and Delta_inf >= 0. */
static int admissible(const work *w, int chaotic, const double *u)
{
	size_t R = w->R;
	if (!chaotic)
		return u[R] >= 0 && u[R] <= w->vmax;
	return u[R] >= 0 && u[R + 1] > u[R] && u[R + 1] <= w->vmax;
}

/* Newton's method from u, the Jacobian by central differences, the step
   halved until the residual falls; the final residual into *res_max.
   The Jacobian is kept by columns, as LAPACK takes it, so that the
   solve copies nothing. */
static void newton(work *w, int chaotic, double *u, double *res_max)
{
	size_t n = w->R + (chaotic ? 2 : 1);
	double f[MAX_UNKNOWNS], jac[MAX_UNKNOWNS * MAX_UNKNOWNS];
	residual(w, chaotic, u, f);
	double norm = max_abs(f, n);
	for (int it = 0; it < NEWTON_STEPS && norm > DK_DMFT_LOWRANK_TOL; it++) {
		for (size_t j = 0; j < n; j++) {
			double up[MAX_UNKNOWNS], um[MAX_UNKNOWNS], fp[MAX_UNKNOWNS],
			       fm[MAX_UNKNOWNS];
			double h = 1e-6 * (fabs(u[j]) > 1 ? fabs(u[j]) : 1);
			memcpy(up, u, n * sizeof *u);
			memcpy(um, u, n * sizeof *u);
			up[j] += h;
			um[j] -= h;
			/* forward differences for the chaotic equations (each
			   residual costs a two-dimensional average; Newton still
			   converges, at a rate of about h), and for a variance near
			   0, which is not stepped below it */
			int forward = chaotic || (j >= w->R && um[j] < 0);
			if (forward)
				um[j] = u[j];
			residual(w, chaotic, up, fp);
			residual(w, chaotic, um, fm);
			for (size_t i = 0; i < n; i++)
				jac[j * n + i] = (fp[i] - fm[i]) / (forward ? h : 2 * h);
		}
		double step[MAX_UNKNOWNS];
		for (size_t i = 0; i < n; i++)
			step[i] = -f[i];
		lapack_int pivots[MAX_UNKNOWNS];
		if (LAPACKE_dgesv(LAPACK_COL_MAJOR, (lapack_int)n, 1, jac,
		                  (lapack_int)n, pivots, step, (lapack_int)n))
			break; /* singular, or a NaN in it */
		double t = 1, trial[MAX_UNKNOWNS], ft[MAX_UNKNOWNS], nt = INFINITY;
		for (int half = 0; half < MAX_HALVINGS; half++, t /= 2) {
			for (size_t i = 0; i < n; i++)
				trial[i] = u[i] + t * step[i];
			if (!admissible(w, chaotic, trial))
				continue;
			residual(w, chaotic, trial, ft);
			nt = max_abs(ft, n);
			if (nt < norm)
				break;
		}
		if (!(nt < norm))
			break;
		memcpy(u, trial, n * sizeof *u);
		memcpy(f, ft, n * sizeof *f);
		norm = nt;
	}
	*res_max = norm;
}

/* The damped fixed-point iteration (lowrank.h) from u. */
static void iterate(work *w, int chaotic, double *u)
{
	size_t R = w->R, n = R + (chaotic ? 2 : 1);
	double f[MAX_UNKNOWNS];
	/* the chaotic equations cost a two-dimensional average each: fewer
	   iterations, to a looser change, for Newton to finish */
	int iterations = chaotic ? CHAOTIC_ITERATIONS : DK_DMFT_LOWRANK_ITERATIONS;
	double tol = chaotic ? CHAOTIC_ITER_TOL : ITER_TOL;
	for (int it = 0; it < iterations; it++) {
		residual(w, chaotic, u, f);
		if (!chaotic) {
			/* the residuals are u minus the map's image */
			for (size_t i = 0; i < n; i++)
				u[i] -= DAMPING * f[i];
		} else {
			for (size_t i = 0; i <= R; i++)
				u[i] -= DAMPING * f[i];
			/* Delta0 <- 2 S - Delta_inf + 2 g^2 (F0 - F_inf) / (Delta0 -
			   Delta_inf): the energy condition solved for its first term */
			u[R + 1] -= DAMPING * 2 * f[R + 1];
			if (!admissible(w, chaotic, u))
				return;
		}
		if (max_abs(f, n) < tol)
			return;
	}
}

dk_dmft_lowrank_options dk_dmft_lowrank_options_default(void)
{
	dk_dmft_lowrank_options o = {.rank = 1, .gain = 0.5,
	                             .phi = dk_dmft_phi_from_name("tanh")};
	o.mean[DK_DMFT_LOWRANK_M(0)] = 1;
	o.mean[DK_DMFT_LOWRANK_N(1, 0)] = 2;
	o.cov[0][0] = o.cov[1][1] = 1;
	return o;
}

const char *dk_dmft_lowrank_state_name(int state)
{
	return state == DK_DMFT_LOWRANK_STABLE ? "stationary stable" :
	       state == DK_DMFT_LOWRANK_UNSTABLE ? "stationary unstable" :
	       "chaotic";
}

/* Stability and the outliers of branch b (lowrank.h). */
static void stability(work *w, dk_dmft_lowrank_branch *b, int chaotic)
{
	const dk_dmft_lowrank_options *o = w->o;
	size_t R = w->R;
	structure s = structure_at(w, b->kappa);
	avg1 a;
	average1(w, s.mu, b->delta0, &a);
	b->bulk_radius = sqrt(w->g2 * a.dp2);
	double A[DK_DMFT_LOWRANK_MAX_RANK][DK_DMFT_LOWRANK_MAX_RANK];
	double sd = sqrt(b->delta0);
	for (size_t r = 0; r < R; r++)
		for (size_t t = 0; t < R; t++) {
			size_t n = DK_DMFT_LOWRANK_N(R, r), m = DK_DMFT_LOWRANK_M(t);
			A[r][t] = (o->mean[n] * o->mean[m] + o->cov[n][m]) * a.dp;
			if (sd > 0)
				A[r][t] += (o->mean[n] * s.cm[t] + o->mean[m] * s.cn[r]) /
				           sd * a.zdp + s.cn[r] / sd * (s.cm[t] / sd) * a.z2dp;
		}
	if (R == 1) {
		b->outliers[0][0] = A[0][0];
		b->outliers[0][1] = 0;
	} else {
		double tr = A[0][0] + A[1][1];
		double det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
		double disc = tr * tr / 4 - det;
		double r = disc >= 0 ? sqrt(disc) : sqrt(-disc);
		b->outliers[0][0] = tr / 2 + (disc >= 0 ? r : 0);
		b->outliers[1][0] = tr / 2 - (disc >= 0 ? r : 0);
		b->outliers[0][1] = disc >= 0 ? 0 : r;
		b->outliers[1][1] = disc >= 0 ? 0 : -r;
	}
	int stable = b->bulk_radius < 1;
	for (size_t r = 0; r < R; r++)
		stable &= b->outliers[r][0] < 1;
	b->state = chaotic ? DK_DMFT_LOWRANK_CHAOTIC :
	           stable ? DK_DMFT_LOWRANK_STABLE : DK_DMFT_LOWRANK_UNSTABLE;
}

/* Whether b is one of r's branches of the same kind already; if so, that
   one becomes b when b's residual is smaller. */
static int known(dk_dmft_lowrank_result *r, const dk_dmft_lowrank_branch *b,
                 int chaotic)
{
	for (size_t i = 0; i < r->branches; i++) {
		dk_dmft_lowrank_branch *c = &r->branch[i];
		if ((c->state == DK_DMFT_LOWRANK_CHAOTIC) != chaotic)
			continue;
		double d = fabs(c->delta0 - b->delta0) + fabs(c->delta_inf - b->delta_inf);
		for (size_t k = 0; k < r->options.rank; k++)
			d += fabs(c->kappa[k] - b->kappa[k]);
		if (d < SAME_BRANCH) {
			if (b->residual < c->residual)
				*c = *b;
			return 1;
		}
	}
	return 0;
}

static int by_kind_then_kappa(const void *pa, const void *pb)
{
	const dk_dmft_lowrank_branch *a = pa, *b = pb;
	int ca = a->state == DK_DMFT_LOWRANK_CHAOTIC;
	int cb = b->state == DK_DMFT_LOWRANK_CHAOTIC;
	if (ca != cb)
		return ca - cb;
	for (int k = 0; k < DK_DMFT_LOWRANK_MAX_RANK; k++)
		if (a->kappa[k] != b->kappa[k])
			return a->kappa[k] < b->kappa[k] ? -1 : 1;
	return 0;
}

/* The kappa start j of the grid of `grid` points per axis across [-K_r,
   K_r] (lowrank.h). */
static void start_kappa(size_t R, size_t j, size_t grid, const double *K,
                        double *k)
{
	for (size_t r = 0; r < R; r++, j /= grid) {
		size_t i = j % grid;
		k[r] = K[r] * (2.0 * (double)i / (double)(grid - 1) - 1);
	}
}

/* Solve from every start of one kind into r. */
static void solve_kind(work *w, int chaotic, const double *K,
                       dk_dmft_lowrank_result *res)
{
	size_t R = w->R, starts = 1;
	size_t grid = chaotic ? DK_DMFT_LOWRANK_CHAOTIC_GRID : DK_DMFT_LOWRANK_GRID;
	for (size_t r = 0; r < R; r++)
		starts *= grid;
	double scs0 = 0;
	if (chaotic && dk_dmft_scs_delta0(w->o->phi, w->o->gain, &scs0))
		return;
	for (size_t j = 0; j < 2 * starts; j++) {
		double u[MAX_UNKNOWNS], res_max;
		start_kappa(R, j / 2, grid, K, u);
		structure s = structure_at(w, u);
		if (chaotic) {
			/* the random network's variance on the structured one */
			u[R] = s.S;
			u[R + 1] = s.S + scs0;
		} else {
			u[R] = s.S + w->g2;
		}
		/* each start twice: Newton from it, which finds saddles of the
		   iteration too, and Newton after the damped iteration */
		if (j % 2)
			iterate(w, chaotic, u);
		if (!admissible(w, chaotic, u))
			continue;
		newton(w, chaotic, u, &res_max);
		if (!(res_max <= DK_DMFT_LOWRANK_TOL) || !admissible(w, chaotic, u))
			continue;
		dk_dmft_lowrank_branch b = {.residual = res_max};
		memcpy(b.kappa, u, R * sizeof *u);
		b.mu = structure_at(w, u).mu;
		b.delta0 = u[chaotic ? R + 1 : R];
		b.delta_inf = u[R];
		if (chaotic && !(b.delta0 - b.delta_inf >
		                 DK_DMFT_LOWRANK_MIN_SPLIT * b.delta0))
			continue;
		stability(w, &b, chaotic);
		if (!known(res, &b, chaotic) &&
		    res->branches < DK_DMFT_LOWRANK_MAX_BRANCHES)
			res->branch[res->branches++] = b;
	}
}

int dk_dmft_lowrank_solve(const dk_dmft_lowrank_options *o,
                          dk_dmft_lowrank_result *r, char *err, size_t errlen)
{
	dk_numeric_init();
	memset(r, 0, sizeof *r);
	r->options = *o;
	int st = dk_dmft_lowrank_options_check(o, err, errlen);
	if (st)
		return st;
	size_t R = o->rank, in = DK_DMFT_LOWRANK_I(R);
	double K[DK_DMFT_LOWRANK_MAX_RANK], sbound = sqrt(o->cov[in][in]);
	for (size_t k = 0; k < R; k++) {
		size_t n = DK_DMFT_LOWRANK_N(R, k), m = DK_DMFT_LOWRANK_M(k);
		K[k] = sqrt(o->mean[n] * o->mean[n] + o->cov[n][n]);
		sbound += sqrt(o->cov[m][m]) * K[k];
	}
	/* Delta0 <= g^2 + S (|phi| <= 1), S <= sbound^2; twice that, for the
	   iterations on their way */
	work w = {.o = &r->options, .R = R, .g2 = o->gain * o->gain};
	w.vmax = 2 * (w.g2 + sbound * sbound) + 1;
	w.cap = (size_t)ceil(ZMAX / dk_dmft_step(w.vmax)) + 1;
	w.z = malloc(w.cap * sizeof *w.z);
	w.w = malloc(w.cap * sizeof *w.w);
	w.tp = malloc(3 * TABLE * sizeof *w.tp);
	if (!w.z || !w.w || !w.tp) {
		free(w.z);
		free(w.w);
		free(w.tp);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	w.tP = w.tp + TABLE;
	w.kern = w.tP + TABLE;
	solve_kind(&w, 0, K, r);
	if (o->gain > 1)
		solve_kind(&w, 1, K, r);
	free(w.z);
	free(w.w);
	free(w.tp);
	qsort(r->branch, r->branches, sizeof *r->branch, by_kind_then_kappa);
	return DK_OK;
}
