/*
 * lyap.c -- Lyapunov spectra by repeated QR along one trajectory (see
 * lyap.h).
 *
 * The k tangent vectors are kept as a batch, k x n row-major, one vector
 * per row, which is how the model interface takes states: one batched
 * jvp (with the state, its cache and the input repeated k times) moves
 * them all.  Read column-major, the same buffer is the n x k basis, so
 * LAPACK's and BLAS's column-major routines work on it in place: the
 * row-major LAPACKE entry points would transpose it into a fresh
 * allocation on every call.
 *
 * The default QR (DK_LYAP_QR_AUTO) is one Cholesky QR pass, Q <- Q R^-1
 * through R's explicit inverse (a triangular product runs about twice
 * as fast as the triangular solve at these shapes, and the inverse gives
 * kappa_1(R) exactly, which decides whether one pass is enough), and a
 * second pass where kappa says so or where the sums are read, so that
 * what they report carries no residue of a Q left off orthonormal.
 *
 * Error bars: the measured steps are cut into blocks of whole QR
 * intervals; the standard error is that of the block estimates' mean.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "analysis/lyap.h"
#include "base/rng.h"
#include "base/status.h"
#include "linalg/blas_alone.h"

const char *dk_lyap_tangent_name(dk_lyap_tangent t)
{
	return t == DK_LYAP_JVP ? "jvp" : "jacobian";
}

int dk_lyap_tangent_from_name(const char *name, dk_lyap_tangent *t)
{
	if (!strcmp(name, "jvp"))
		*t = DK_LYAP_JVP;
	else if (!strcmp(name, "jacobian"))
		*t = DK_LYAP_JACOBIAN;
	else
		return DK_EINVAL;
	return DK_OK;
}

const char *dk_lyap_qr_name(dk_lyap_qr q)
{
	return q == DK_LYAP_QR_HOUSEHOLDER ? "householder" :
	       q == DK_LYAP_QR_CHOLESKY ? "cholesky" :
	       q == DK_LYAP_QR_CHOLESKY2 ? "cholesky2" : "auto";
}

int dk_lyap_qr_from_name(const char *name, dk_lyap_qr *q)
{
	if (!strcmp(name, "auto"))
		*q = DK_LYAP_QR_AUTO;
	else if (!strcmp(name, "cholesky2"))
		*q = DK_LYAP_QR_CHOLESKY2;
	else if (!strcmp(name, "householder"))
		*q = DK_LYAP_QR_HOUSEHOLDER;
	else if (!strcmp(name, "cholesky"))
		*q = DK_LYAP_QR_CHOLESKY;
	else
		return DK_EINVAL;
	return DK_OK;
}

/* The check starts its second trajectory this far from the first,
   relative to max(1, |x|): small enough that the separation grows
   linearly over a step, far enough above rounding (1e-16 |x|). */
#define CHECK_SEPARATION 1e-8
/* The check agrees when |check - l1| <= 3 combined standard errors
   + CHECK_RELATIVE |l1| + CHECK_FLOOR per unit time. */
#define CHECK_RELATIVE 0.05
#define CHECK_FLOOR 1e-6
/* Cholesky QR is trusted while every column keeps sin^2 >= this of its
   angle to the span of the ones before it: R_jj^2 then keeps 12 of its
   16 digits (see cholesky_pass). */
#define CQR_MIN_SIN2 1e-4

struct dk_lyap {
	const dk_model *m;      /* borrowed */
	dk_lyap_options o;
	size_t n, k, nin, cs;   /* state, exponents, input, cache per state */
	size_t blocks, checkpoints;
	double h;               /* time per step */
	dk_model_work *w;       /* owned, for a batch of k */
	/* all owned: */
	double *x, *xn, *y, *yn;    /* n: state, next, check's state, next */
	double *X, *C, *U;          /* k rows: state, cache, input repeated */
	double *Q, *Qn;             /* k x n: the basis, and its image */
	double *J;                  /* n x n, DK_LYAP_JACOBIAN only */
	double *tau, *lwork;        /* QR reflectors and LAPACK scratch */
	double *G;                  /* k x k: Gram matrix, Cholesky factor */
	double *Ri;                 /* k x k: the factor's inverse (AUTO) */
	lapack_int nlwork;
	double *logr;               /* k: the logs of the last QR */
	double *sum;                /* k: measured sums of log |R_ii| */
	double *bsum, *blen;        /* blocks x k sums, blocks steps */
	double *csum;               /* blocks: the check's sums */
	double *exps, *serr, *sorted, *trace; /* k, k, k, checkpoints x k */
	size_t *trace_steps, *targets;        /* checkpoints each */
	double delta;               /* the check's separation */
	double bound;               /* on max |x_i|: options.max_state */
	size_t diverged_after;      /* the first step beyond it, 0: none */
	size_t qrs, householder_qrs; /* QRs of the run, and how many by Householder */
	size_t second_passes;       /* AUTO: QRs given a second pass for kappa */
};

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

void dk_lyap_free(dk_lyap *l)
{
	if (!l)
		return;
	dk_model_work_free(l->w);
	free(l->x); free(l->xn); free(l->y); free(l->yn);
	free(l->X); free(l->C); free(l->U);
	free(l->Q); free(l->Qn); free(l->J);
	free(l->tau); free(l->lwork); free(l->G); free(l->Ri); free(l->logr); free(l->sum);
	free(l->bsum); free(l->blen); free(l->csum);
	free(l->exps); free(l->serr); free(l->sorted); free(l->trace);
	free(l->trace_steps); free(l->targets);
	free(l);
}

static double *doubles(size_t count, int *bad)
{
	double *p = malloc((count ? count : 1) * sizeof *p);
	if (!p)
		*bad = 1;
	return p;
}

/* LAPACK's scratch size for the QR of n x k and the making of its Q. */
static lapack_int query_lwork(dk_lyap *l)
{
	lapack_int n = (lapack_int)l->n, k = (lapack_int)l->k;
	double q1 = 0, q2 = 0;
	if (LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, n, k, l->Q, n, l->tau, &q1, -1) ||
	    LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, n, k, k, l->Q, n, l->tau, &q2, -1))
		return -1;
	double q = q1 > q2 ? q1 : q2;
	return q < 1 ? 1 : (lapack_int)q;
}

int dk_lyap_alloc(const dk_model *m, const dk_lyap_options *o, dk_lyap **out,
                  char *err, size_t errlen)
{
	*out = NULL;
	size_t n = dk_model_state_size(m);
	if (o->k < 1 || o->k > n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the number of exponents must be 1 to %zu (the state size), not %zu",
		                 n, o->k);
	if (o->steps < 1)
		return dk_errorf(DK_EINVAL, err, errlen, "at least one measured step is needed");
	if (o->every < 1)
		return dk_errorf(DK_EINVAL, err, errlen, "the QR interval must be at least 1");
	if (o->checkpoints < 1)
		return dk_errorf(DK_EINVAL, err, errlen, "at least one checkpoint is needed");
	if (o->blocks < 2)
		return dk_errorf(DK_EINVAL, err, errlen, "at least two blocks are needed");
	if (o->tangent != DK_LYAP_JVP && o->tangent != DK_LYAP_JACOBIAN)
		return dk_errorf(DK_EINVAL, err, errlen, "unknown tangent method");
	if (o->qr != DK_LYAP_QR_AUTO && o->qr != DK_LYAP_QR_HOUSEHOLDER &&
	    o->qr != DK_LYAP_QR_CHOLESKY && o->qr != DK_LYAP_QR_CHOLESKY2)
		return dk_errorf(DK_EINVAL, err, errlen, "unknown QR method");
	if (!(o->max_state >= 0))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the bound on the state must be positive, not %g", o->max_state);
	if (o->transient > SIZE_MAX / 4 || o->basis_transient > SIZE_MAX / 4 ||
	    o->steps > SIZE_MAX / 4)
		return dk_errorf(DK_EINVAL, err, errlen, "too many steps");
	size_t k = o->k;
	if (n > (size_t)INT32_MAX / (k > n ? k : n) ||
	    (o->tangent == DK_LYAP_JACOBIAN && n > (size_t)INT32_MAX / n))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "a basis of %zu x %zu is too large for BLAS", n, k);

	dk_lyap *l = calloc(1, sizeof *l);
	if (!l)
		return DK_ENOMEM;
	l->m = m;
	l->o = *o;
	l->n = n;
	l->k = k;
	l->nin = dk_model_input_size(m);
	l->cs = dk_model_cache_size(m);
	l->h = dk_model_step_time(m);
	l->bound = o->max_state > 0 ? o->max_state : DK_LYAP_MAX_STATE_DEFAULT;
	/* as many blocks and checkpoints as there are measured QRs at most,
	   so that each holds at least one */
	size_t nqr = o->steps / o->every ? o->steps / o->every : 1;
	l->blocks = min_size(o->blocks, nqr);
	l->checkpoints = min_size(o->checkpoints, nqr);
	int bad = 0;
	l->w = dk_model_work_alloc(m, k);
	bad |= !l->w;
	l->x = doubles(n, &bad);
	l->xn = doubles(n, &bad);
	l->y = doubles(n, &bad);
	l->yn = doubles(n, &bad);
	l->X = doubles(k * n, &bad);
	l->C = doubles(k * l->cs, &bad);
	l->U = doubles(k * l->nin, &bad);
	l->Q = doubles(k * n, &bad);
	l->Qn = doubles(k * n, &bad);
	if (o->tangent == DK_LYAP_JACOBIAN)
		l->J = doubles(n * n, &bad);
	l->tau = doubles(k, &bad);
	l->G = doubles(k * k, &bad);
	if (o->qr == DK_LYAP_QR_AUTO)
		l->Ri = doubles(k * k, &bad);
	l->logr = doubles(k, &bad);
	l->sum = doubles(k, &bad);
	l->bsum = doubles(l->blocks * k, &bad);
	l->blen = doubles(l->blocks, &bad);
	l->csum = doubles(l->blocks, &bad);
	l->exps = doubles(k, &bad);
	l->serr = doubles(k, &bad);
	l->sorted = doubles(k, &bad);
	l->trace = doubles(l->checkpoints * k, &bad);
	l->trace_steps = malloc(l->checkpoints * sizeof *l->trace_steps);
	l->targets = malloc(l->checkpoints * sizeof *l->targets);
	bad |= !l->trace_steps || !l->targets;
	if (!bad) {
		l->nlwork = query_lwork(l);
		bad = l->nlwork < 1;
		if (!bad)
			l->lwork = doubles((size_t)l->nlwork, &bad);
	}
	if (bad) {
		dk_lyap_free(l);
		return DK_ENOMEM;
	}
	/* checkpoint c ends at ceil((c + 1) steps / C) measured steps */
	for (size_t c = 0; c < l->checkpoints; c++) /* in doubles: no overflow */
		l->targets[c] = (size_t)ceil((double)(c + 1) * (double)o->steps /
		                             (double)l->checkpoints);
	l->targets[l->checkpoints - 1] = o->steps;
	*out = l;
	return DK_OK;
}

size_t dk_lyap_total_steps(const dk_lyap *l)
{
	return l->o.transient + l->o.basis_transient + l->o.steps;
}

static int all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * After step t (0-based) the state must be finite, and within the bound
 * unless divergence is allowed, when the first step beyond it is kept.
 */
static int check_state(dk_lyap *l, size_t t, char *err, size_t errlen)
{
	double top = 0;
	for (size_t i = 0; i < l->n; i++) {
		double a = fabs(l->x[i]);
		if (!(a <= DBL_MAX))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "the state is not finite after step %zu", t + 1);
		if (a > top)
			top = a;
	}
	if (top > l->bound && !l->diverged_after) {
		if (!l->o.allow_divergence)
			return dk_errorf(DK_ELIMIT, err, errlen,
			                 "the trajectory diverges: an entry of the state is %.3g "
			                 "after step %zu, beyond the bound %.3g; a state that grows "
			                 "without bound has no attractor, and the growth of its "
			                 "perturbations is no measure of chaos", top, t + 1, l->bound);
		l->diverged_after = t + 1;
	}
	return DK_OK;
}

static double norm(const double *v, size_t n)
{
	return cblas_dnrm2((int)n, v, 1);
}

/* Householder QR of the basis in place, Q <- its orthonormal factor;
   logr[i] += log |R_ii|. */
static int householder(dk_lyap *l, double *logr)
{
	lapack_int n = (lapack_int)l->n, k = (lapack_int)l->k;
	if (LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, n, k, l->Q, n, l->tau, l->lwork, l->nlwork))
		return DK_ENUMERIC;
	for (size_t i = 0; i < l->k; i++)
		logr[i] += log(fabs(l->Q[i * l->n + i]));
	if (LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, n, k, k, l->Q, n, l->tau, l->lwork, l->nlwork))
		return DK_ENUMERIC;
	return DK_OK;
}

/*
 * The Cholesky factor, its inverse and the Householder QR run with
 * OpenBLAS on one thread (dk_blas_alone): OpenBLAS's Cholesky factor of
 * even a 64 x 64 Gram matrix, and its Householder QR of the basis, take
 * other paths with other roundings on more than one thread (and so may
 * the factor's inverse), so the exponents would change in their last
 * bits with OPENBLAS_NUM_THREADS; the Gram matrix, the triangular
 * products and the tangent product round the same on any number
 * (tests/lyap_threads.sh).  The factor is k x k, too small for threads
 * to pay (a team sharing the Gram matrix and the triangular product over
 * row blocks was tried and gained nothing on two cores); the Householder
 * QR is the rare fallback (or asked for).
 */

/* What a Cholesky pass made of the basis. */
enum {
	PASS_DONE,      /* Q orthonormalised, logr updated */
	PASS_ILL,       /* the same, but kappa_1(R) was above
	                   DK_LYAP_KAPPA_ONE_PASS: a second pass is due */
	PASS_UNTRUSTED, /* Q and logr untouched: Householder must do it */
	PASS_NOT_FINITE /* Q and logr untouched: Q is not finite */
};

/* The largest column sum of |T| over the upper triangle of the k x k
   column-major T: its 1-norm. */
static double upper_norm1(const double *T, size_t k)
{
	double top = 0;
	for (size_t j = 0; j < k; j++) {
		double s = 0;
		for (size_t i = 0; i <= j; i++)
			s += fabs(T[j * k + i]);
		if (s > top)
			top = s;
	}
	return top;
}

/* Ri = R^-1 for the factor R in G; returns kappa_1(R), or infinity
   when the inverse cannot be made. */
static double invert_factor(dk_lyap *l)
{
	lapack_int k = (lapack_int)l->k;
	memcpy(l->Ri, l->G, l->k * l->k * sizeof *l->Ri);
	int threads = dk_blas_alone();
	int failed = LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'U', 'N', k, l->Ri, k) != 0;
	dk_blas_restore(threads);
	if (failed)
		return INFINITY;
	double kappa = upper_norm1(l->G, l->k) * upper_norm1(l->Ri, l->k);
	return isfinite(kappa) ? kappa : INFINITY;
}

/*
 * One pass of Cholesky QR: G = Q^T Q = R^T R, Q <- Q R^-1, logr[i] +=
 * log R_ii.  PASS_UNTRUSTED when R cannot be trusted: R_jj^2 = G_jj -
 * sum_i R_ij^2 loses CQR_MIN_SIN2 / eps of its digits to cancellation
 * when column j lies that close to the span of the others (sin^2 of the
 * angle = R_jj^2 / G_jj), and Householder, which has no such loss, must
 * do it.  The finiteness of Q is read from G's diagonal, the squared
 * column norms: a NaN or an infinity in a column makes its sum of
 * squares one, so a finite diagonal means a finite Q, and Q itself is
 * scanned only when the diagonal is not (a finite Q whose squares
 * overflow goes to Householder; PASS_NOT_FINITE otherwise).
 *
 * With via_inverse (AUTO), Q <- Q R^-1 is a triangular product with R's
 * inverse while kappa_1(R) <= DK_LYAP_KAPPA_ONE_PASS; above it, the
 * triangular solve, backward stable whatever kappa, and PASS_ILL.
 */
static int cholesky_pass(dk_lyap *l, double *logr, int via_inverse)
{
	int n = (int)l->n, k = (int)l->k;
	double *G = l->G;
	cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, k, n, 1.0, l->Q, n, 0.0, G, k);
	for (int j = 0; j < k; j++)
		l->tau[j] = G[j * k + j]; /* the squared column norms, kept */
	if (!all_finite(l->tau, l->k))
		return all_finite(l->Q, l->k * l->n) ? PASS_UNTRUSTED : PASS_NOT_FINITE;
	int threads = dk_blas_alone();
	int failed = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', k, G, k) != 0;
	dk_blas_restore(threads);
	if (failed)
		return PASS_UNTRUSTED;
	for (int j = 0; j < k; j++) {
		double r = G[j * k + j];
		if (!(r * r >= CQR_MIN_SIN2 * l->tau[j]) || !isfinite(r))
			return PASS_UNTRUSTED;
	}
	int got = PASS_DONE;
	if (via_inverse) {
		if (invert_factor(l) <= DK_LYAP_KAPPA_ONE_PASS)
			cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans,
			            CblasNonUnit, n, k, 1.0, l->Ri, k, l->Q, n);
		else
			got = PASS_ILL;
	}
	if (!via_inverse || got == PASS_ILL)
		cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
		            n, k, 1.0, G, k, l->Q, n);
	for (int j = 0; j < k; j++)
		logr[j] += log(G[j * k + j]);
	return got;
}

/* orthonormalise's answer when the basis is not finite */
#define QR_NOT_FINITE (-1)

/*
 * Orthonormalise the basis in place; logr[i] = log |R_ii| of Q = Q' R.
 * DK_OK, DK_ENUMERIC when the QR fails, QR_NOT_FINITE when the basis is
 * not finite.
 *
 * CHOLESKY2: twice Cholesky QR (all level-3 BLAS, several times faster
 * than Householder for a tall n x k basis; the second pass restores the
 * orthogonality the first loses, R = R2 R1), and Householder for what
 * Cholesky cannot trust (after one Cholesky pass, R = R_H R1).
 *
 * CHOLESKY, after the first basis (first set): one pass only.  Its Q is
 * off orthonormal by about eps kappa^2 of the basis's image, and no more
 * whatever the Q it came from: the next QR's R absorbs the difference,
 * since the R's of a run multiply to that of the whole tangent product,
 * J_T ... J_1 Q_0 = Q_T R_T ... R_1, whether or not the Q's between are
 * orthonormal.  Only the last Q's residue is left in the sums, once per
 * run.
 *
 * AUTO: one pass, as CHOLESKY, while kappa_1(R) <= DK_LYAP_KAPPA_ONE_PASS,
 * so that no Q of the run is off orthonormal by more than about eps
 * kappa^2 < 1e-9 (and the next image's conditioning stays the
 * Jacobian's); a second pass above it, and at the first basis and every
 * QR whose sums are read (read set), so that no residue is left in them.
 */
static int orthonormalise(dk_lyap *l, double *logr, int first, int read)
{
	memset(logr, 0, l->k * sizeof *logr);
	dk_lyap_qr q = l->o.qr;
	if (q == DK_LYAP_QR_HOUSEHOLDER) {
		if (!all_finite(l->Q, l->k * l->n))
			return QR_NOT_FINITE;
	} else {
		int via_inverse = q == DK_LYAP_QR_AUTO;
		int p = cholesky_pass(l, logr, via_inverse);
		if (p == PASS_NOT_FINITE)
			return QR_NOT_FINITE;
		if (p == PASS_DONE && ((q == DK_LYAP_QR_CHOLESKY && !first) ||
		                       (via_inverse && !first && !read)))
			return DK_OK;
		if (p != PASS_UNTRUSTED) {
			if (p == PASS_ILL && !first && !read)
				l->second_passes++;
			p = cholesky_pass(l, logr, via_inverse);
			if (p == PASS_DONE || p == PASS_ILL)
				return DK_OK;
		}
	}
	l->householder_qrs++;
	int threads = dk_blas_alone();
	int st = householder(l, logr);
	dk_blas_restore(threads);
	return st;
}

/* Swap two buffers. */
static void swap(double **a, double **b)
{
	double *t = *a;
	*a = *b;
	*b = t;
}

/*
 * One step of the state; with basis, of the tangent vectors too (at the
 * state before the step); with clog not NULL, of the check's second
 * trajectory, whose log growth goes to *clog before it is pulled back
 * to its distance delta.
 */
static int advance(dk_lyap *l, const double *ut, int basis, double *clog)
{
	const dk_model *m = l->m;
	size_t n = l->n, k = l->k;
	int st = dk_model_step(m, l->w, 1, l->x, ut, l->xn, l->cs ? l->C : NULL);
	if (!st && basis && l->o.tangent == DK_LYAP_JVP) {
		for (size_t r = 0; r < k; r++) {
			memcpy(l->X + r * n, l->x, n * sizeof *l->X);
			if (r > 0 && l->cs)
				memcpy(l->C + r * l->cs, l->C, l->cs * sizeof *l->C);
			if (ut && l->nin)
				memcpy(l->U + r * l->nin, ut, l->nin * sizeof *l->U);
		}
		st = dk_model_jvp(m, l->w, k, l->X, ut ? l->U : NULL, l->cs ? l->C : NULL,
		                  l->Q, l->Qn);
		swap(&l->Q, &l->Qn);
	} else if (!st && basis) {
		st = dk_model_jacobian(m, l->w, l->x, ut, l->J);
		if (!st) /* Qn = Q J^T: each row a vector v -> J v */
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)n,
			            (int)n, 1.0, l->Q, (int)n, l->J, (int)n, 0.0, l->Qn, (int)n);
		swap(&l->Q, &l->Qn);
	}
	if (!st && clog) {
		st = dk_model_step(m, l->w, 1, l->y, ut, l->yn, NULL);
		if (!st) {
			for (size_t i = 0; i < n; i++)
				l->yn[i] -= l->xn[i];
			double d = norm(l->yn, n);
			*clog = log(d / l->delta);
			/* a separation that vanished or blew up stays -inf/inf/nan;
			   restart it along the first basis vector so it can go on */
			const double *dir = l->yn;
			if (!(d > 0) || !isfinite(d)) {
				dir = l->Q;
				d = norm(l->Q, n);
			}
			for (size_t i = 0; i < n; i++)
				l->y[i] = l->xn[i] + l->delta / d * dir[i];
		}
	}
	swap(&l->x, &l->xn);
	return st;
}

/* Run count steps of the state alone, from input row *t on. */
static int run_transient(dk_lyap *l, size_t count, const double *u, size_t us,
                         size_t *t, char *err, size_t errlen)
{
	for (size_t s = 0; s < count; s++, (*t)++) {
		if (l->o.progress && s % 256 == 0)
			l->o.progress(l->o.progress_arg, *t, dk_lyap_total_steps(l));
		int st = advance(l, u ? u + *t * us : NULL, 0, NULL);
		if (st)
			return dk_errorf(st, err, errlen, "the model step failed at step %zu", *t);
		if ((st = check_state(l, *t, err, errlen)))
			return st;
	}
	return DK_OK;
}

/*
 * count steps of state and basis in QR intervals; with measure, the
 * logs go to the sums, the blocks and the trace.
 */
static int run_basis(dk_lyap *l, size_t count, int measure, const double *u,
                     size_t us, size_t *t, char *err, size_t errlen)
{
	size_t k = l->k, ci = 0;
	for (size_t done = 0; done < count;) {
		size_t len = min_size(l->o.every, count - done);
		size_t b = measure ? (size_t)((double)done * (double)l->blocks / (double)count) : 0;
		if (b >= l->blocks)
			b = l->blocks - 1;
		for (size_t s = 0; s < len; s++, (*t)++) {
			double clog = 0;
			int st = advance(l, u ? u + *t * us : NULL, 1, l->o.check ? &clog : NULL);
			if (st)
				return dk_errorf(st, err, errlen, "the model failed at step %zu", *t);
			if ((st = check_state(l, *t, err, errlen)))
				return st;
			if (measure)
				l->csum[b] += clog;
		}
		/* the sums are read after this QR when it ends the run, a
		   block or a checkpoint's steps */
		size_t next = done + len;
		int read = next == count;
		if (measure && !read) {
			size_t nb = (size_t)((double)next * (double)l->blocks / (double)count);
			read = (nb < l->blocks && nb != b) ||
			       (ci < l->checkpoints && next >= l->targets[ci]);
		}
		int st = orthonormalise(l, l->logr, 0, read);
		if (st == QR_NOT_FINITE)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "the tangent vectors are not finite after step %zu "
			                 "(orthonormalise more often)", *t);
		if (st)
			return dk_errorf(DK_ENUMERIC, err, errlen, "the QR failed after step %zu", *t);
		l->qrs++;
		done = next;
		if (l->o.progress)
			l->o.progress(l->o.progress_arg, *t, dk_lyap_total_steps(l));
		if (!measure)
			continue;
		for (size_t i = 0; i < k; i++) {
			l->sum[i] += l->logr[i];
			l->bsum[b * k + i] += l->logr[i];
		}
		l->blen[b] += (double)len;
		while (ci < l->checkpoints && done >= l->targets[ci]) {
			for (size_t i = 0; i < k; i++)
				l->trace[ci * k + i] = l->sum[i] / ((double)done * l->h);
			l->trace_steps[ci++] = done;
		}
	}
	return DK_OK;
}

static int by_decreasing(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

double dk_lyap_kaplan_yorke(double *l, size_t k, size_t n, int *bound)
{
	qsort(l, k, sizeof *l, by_decreasing);
	if (bound)
		*bound = 0;
	double s = 0;
	for (size_t j = 0; j < k; j++) {
		if (s + l[j] < 0)
			return (double)j + s / fabs(l[j]);
		s += l[j];
	}
	if (bound)
		*bound = k < n;
	return (double)k;
}

/* Mean and standard error of the mean of v (count values, stride). */
static void mean_error(const double *v, size_t count, size_t stride,
                       double *mean, double *error)
{
	double s = 0, ss = 0;
	for (size_t i = 0; i < count; i++)
		s += v[i * stride];
	*mean = s / (double)count;
	for (size_t i = 0; i < count; i++) {
		double d = v[i * stride] - *mean;
		ss += d * d;
	}
	*error = count > 1 ? sqrt(ss / (double)(count - 1) / (double)count) : NAN;
}

int dk_lyap_run(dk_lyap *l, const double *x0, const double *u,
                size_t u_stride, dk_lyap_result *res, char *err,
                size_t errlen)
{
	size_t n = l->n, k = l->k, t = 0;
	if (!all_finite(x0, n))
		return dk_errorf(DK_EINVAL, err, errlen, "the start state is not finite");
	memcpy(l->x, x0, n * sizeof *l->x);
	l->qrs = l->householder_qrs = l->second_passes = 0;
	l->diverged_after = 0;
	memset(l->sum, 0, k * sizeof *l->sum);
	memset(l->bsum, 0, l->blocks * k * sizeof *l->bsum);
	memset(l->blen, 0, l->blocks * sizeof *l->blen);
	memset(l->csum, 0, l->blocks * sizeof *l->csum);
	int st = run_transient(l, l->o.transient, u, u_stride, &t, err, errlen);
	if (st)
		return st;

	/* a random orthonormal basis (and direction for the check), so that
	   no vector starts inside an invariant subspace */
	dk_rng *rng = dk_rng_alloc(l->o.seed);
	if (!rng)
		return DK_ENOMEM;
	for (size_t i = 0; i < k * n; i++)
		l->Q[i] = dk_rng_normal(rng, 1);
	if (l->o.check) {
		for (size_t i = 0; i < n; i++)
			l->yn[i] = dk_rng_normal(rng, 1);
		double sx = norm(l->x, n), d = norm(l->yn, n);
		l->delta = CHECK_SEPARATION * (sx > 1 ? sx : 1);
		for (size_t i = 0; i < n; i++)
			l->y[i] = l->x[i] + l->delta / d * l->yn[i];
	}
	dk_rng_free(rng);
	if (orthonormalise(l, l->logr, 1, 1))
		return dk_errorf(DK_ENUMERIC, err, errlen, "the QR of the first basis failed");

	st = run_basis(l, l->o.basis_transient, 0, u, u_stride, &t, err, errlen);
	if (!st)
		st = run_basis(l, l->o.steps, 1, u, u_stride, &t, err, errlen);
	if (st)
		return st;

	double h = l->h, T = (double)l->o.steps * h;
	for (size_t i = 0; i < k; i++) {
		l->exps[i] = l->sum[i] / T;
		/* block estimates, in place in bsum */
		for (size_t b = 0; b < l->blocks; b++)
			l->bsum[b * k + i] /= l->blen[b] * h;
		double mean;
		mean_error(l->bsum + i, l->blocks, k, &mean, &l->serr[i]);
	}
	memcpy(l->sorted, l->exps, k * sizeof *l->sorted);
	int bound;
	res->dimension = dk_lyap_kaplan_yorke(l->sorted, k, n, &bound);
	res->dimension_bound = bound;
	double ent = 0;
	for (size_t i = 0; i < k; i++)
		if (l->exps[i] > 0)
			ent += l->exps[i];
	res->entropy = ent;
	res->diverged_after = l->diverged_after;
	if (l->diverged_after)
		res->dimension = res->entropy = NAN;
	res->k = k;
	res->step_time = h;
	res->exponents = l->exps;
	res->std_error = l->serr;
	res->blocks = l->blocks;
	res->checkpoints = l->checkpoints;
	res->trace = l->trace;
	res->trace_steps = l->trace_steps;
	res->qrs = l->qrs;
	res->householder_qrs = l->householder_qrs;
	res->second_passes = l->second_passes;
	res->check = res->check_error = res->check_tolerance = NAN;
	res->check_agrees = 0;
	if (l->o.check) {
		double csum = 0;
		for (size_t b = 0; b < l->blocks; b++) {
			csum += l->csum[b];
			l->csum[b] /= l->blen[b] * h;
		}
		double mean;
		res->check = csum / T;
		mean_error(l->csum, l->blocks, 1, &mean, &res->check_error);
		double e1 = isfinite(l->serr[0]) ? l->serr[0] : 0;
		double ec = isfinite(res->check_error) ? res->check_error : 0;
		res->check_tolerance = 3 * sqrt(e1 * e1 + ec * ec) +
		                       CHECK_RELATIVE * fabs(l->exps[0]) + CHECK_FLOOR;
		double diff = fabs(res->check - l->exps[0]);
		res->check_agrees = diff <= res->check_tolerance ||
		                    (isinf(res->check) && res->check == l->exps[0]);
	}
	return DK_OK;
}
