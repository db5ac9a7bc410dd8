/*
 * spectrum.c -- eigenvalues, condition numbers, eigenvectors and Schur
 * form of a dense real matrix through LAPACK, sorted and classified by
 * the map or flow convention (see spectrum.h).
 *
 * The steps are LAPACK's own driver route (dgebal 'P', dgehrd, dorghr,
 * dhseqr, dtrevc), called one by one rather than through dgeev so that
 * the Schur vectors and the back-transformation of the eigenvectors --
 * the larger part of dgeev's cost -- are paid only when the caller wants
 * vectors or the Schur form; eigenvalues and condition numbers need
 * neither.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#include "analysis/spectrum.h"
#include "analysis/spectrum_order.h"
#include "base/complex_make.h"
#include "base/status.h"

struct dk_spectrum {
	size_t n;
	unsigned flags;
	double *T;        /* owned, n x n: the matrix, then its Schur form */
	double *Z;        /* owned, n x n Schur vectors; NULL without VECTORS|SCHUR */
	double *VL, *VR;  /* owned, n x n: eigenvectors of T, real form */
	double *P;        /* owned, n x n: Z times VR or VL; NULL without VECTORS */
	double *wr, *wi, *scale, *tau, *rc; /* owned, n each */
	lapack_logical *select; /* owned, n: unread (all vectors wanted) */
	dk_spectrum_key *ord; /* owned, n */
	double *work;     /* owned, lwork */
	lapack_int lwork;
};

static int needs_z(unsigned flags)
{
	return (flags & (DK_SPECTRUM_VECTORS | DK_SPECTRUM_SCHUR)) != 0;
}

/* LAPACK's workspace for the Hessenberg and Schur steps at size n. */
static lapack_int query_work(dk_spectrum *s)
{
	lapack_int N = (lapack_int)s->n, lw = 3 * N, ilo = 1, ihi = N;
	double q = 0;
	if (LAPACKE_dgehrd_work(LAPACK_ROW_MAJOR, N, ilo, ihi, s->T, N, s->tau,
	                        &q, -1) == 0 && q > lw)
		lw = (lapack_int)q;
	if (s->Z && LAPACKE_dorghr_work(LAPACK_ROW_MAJOR, N, ilo, ihi, s->Z, N,
	                                s->tau, &q, -1) == 0 && q > lw)
		lw = (lapack_int)q;
	if (LAPACKE_dhseqr_work(LAPACK_ROW_MAJOR, 'S', s->Z ? 'V' : 'N', N, ilo,
	                        ihi, s->T, N, s->wr, s->wi,
	                        s->Z ? s->Z : s->VR, N, &q, -1) == 0 && q > lw)
		lw = (lapack_int)q;
	return lw;
}

dk_spectrum *dk_spectrum_alloc(size_t n, unsigned flags)
{
	if (n == 0 || n > (size_t)1 << 20)
		return NULL;
	dk_spectrum *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->n = n;
	s->flags = flags;
	size_t nn = n * n;
	s->T = malloc(nn * sizeof *s->T);
	s->VL = malloc(nn * sizeof *s->VL);
	s->VR = malloc(nn * sizeof *s->VR);
	int ok = s->T && s->VL && s->VR;
	if (needs_z(flags))
		ok = ok && (s->Z = malloc(nn * sizeof *s->Z));
	if (flags & DK_SPECTRUM_VECTORS)
		ok = ok && (s->P = malloc(nn * sizeof *s->P));
	s->wr = malloc(n * sizeof *s->wr);
	s->wi = malloc(n * sizeof *s->wi);
	s->scale = malloc(n * sizeof *s->scale);
	s->tau = malloc(n * sizeof *s->tau);
	s->rc = malloc(n * sizeof *s->rc);
	s->select = calloc(n, sizeof *s->select);
	s->ord = malloc(n * sizeof *s->ord);
	ok = ok && s->wr && s->wi && s->scale && s->tau && s->rc && s->select &&
	     s->ord;
	if (ok) {
		memset(s->T, 0, nn * sizeof *s->T); /* for the size queries */
		s->lwork = query_work(s);
		s->work = malloc((size_t)s->lwork * sizeof *s->work);
		ok = s->work != NULL;
	}
	if (!ok) {
		dk_spectrum_free(s);
		return NULL;
	}
	return s;
}

void dk_spectrum_free(dk_spectrum *s)
{
	if (!s)
		return;
	free(s->T);
	free(s->Z);
	free(s->VL);
	free(s->VR);
	free(s->P);
	free(s->wr);
	free(s->wi);
	free(s->scale);
	free(s->tau);
	free(s->rc);
	free(s->select);
	free(s->ord);
	free(s->work);
	free(s);
}

size_t dk_spectrum_size(const dk_spectrum *s)
{
	return s->n;
}

static int descending(double a, double b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

static int order_cmp(const void *pa, const void *pb)
{
	const dk_spectrum_key *a = pa, *b = pb;
	int c = descending(a->k1, b->k1);
	if (!c)
		c = descending(a->k2, b->k2);
	if (!c)
		c = descending(a->aim, b->aim);
	if (!c) /* conjugates: positive imaginary part first */
		c = descending(a->im, b->im);
	if (!c)
		c = a->j < b->j ? -1 : a->j > b->j;
	return c;
}

void dk_spectrum_order(dk_convention conv, size_t n, const double *wr,
                       const double *wi, dk_spectrum_key *keys)
{
	for (size_t j = 0; j < n; j++) {
		double re = wr[j], im = wi[j];
		dk_spectrum_key *o = &keys[j];
		o->j = j;
		o->im = im;
		o->aim = fabs(im);
		if (conv == DK_MAP) {
			o->k1 = hypot(re, im);
			o->k2 = re;
		} else {
			o->k1 = re;
			o->k2 = o->aim;
		}
	}
	qsort(keys, n, sizeof *keys, order_cmp);
}

/*
 * |y^H x| / (|y| |x|) for each eigenvalue of T from the real-form
 * eigenvectors dtrevc wrote: a complex pair's x is column j + i column
 * j+1, and both members share the value.  Orthogonal similarity keeps
 * it, so it is the value for the original matrix too.
 */
static void rcond_from_t(dk_spectrum *s)
{
	size_t n = s->n;
	const double *L = s->VL, *R = s->VR;
	for (size_t j = 0; j < n; j++) {
		if (s->wi[j] == 0) {
			double d = 0, nl = 0, nr = 0;
			for (size_t i = 0; i < n; i++) {
				d += L[i * n + j] * R[i * n + j];
				nl += L[i * n + j] * L[i * n + j];
				nr += R[i * n + j] * R[i * n + j];
			}
			s->rc[j] = fabs(d) / sqrt(nl * nr);
			continue;
		}
		double re = 0, im = 0, nl = 0, nr = 0;
		for (size_t i = 0; i < n; i++) {
			double yr = L[i * n + j], yi = L[i * n + j + 1];
			double xr = R[i * n + j], xi = R[i * n + j + 1];
			re += yr * xr + yi * xi;
			im += yr * xi - yi * xr;
			nl += yr * yr + yi * yi;
			nr += xr * xr + xi * xi;
		}
		s->rc[j] = s->rc[j + 1] = hypot(re, im) / sqrt(nl * nr);
		j++;
	}
}

/*
 * Column k of out (n x n complex, row-major) from LAPACK's real-form
 * column p of V, conjugated for the second member of a pair (sign -1);
 * then scaled to unit norm with its first largest-modulus entry real
 * and positive, so the vector is the same whatever phase LAPACK chose.
 */
static void put_vector(size_t n, const double *V, const double *wi, size_t p,
                       double complex *out, size_t k)
{
	size_t re = p, im = p;
	double sign = 1;
	if (wi[p] > 0)
		im = p + 1;
	else if (wi[p] < 0) {
		re = p - 1;
		sign = -1;
	}
	double big = -1, norm2 = 0;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		double a = V[i * n + re], b = wi[p] ? sign * V[i * n + im] : 0;
		double m2 = a * a + b * b;
		norm2 += m2;
		if (m2 > big) {
			big = m2;
			at = i;
		}
		out[i * n + k] = dk_complex_make(a, b);
	}
	double norm = sqrt(norm2), mod = sqrt(big);
	if (norm == 0)
		return;
	double complex phase = conj(out[at * n + k]) / (mod * norm);
	for (size_t i = 0; i < n; i++)
		out[i * n + k] *= phase;
	out[at * n + k] = mod / norm;
}

static void vectors_out(dk_spectrum *s, const double *VT, double complex *out)
{
	size_t n = s->n;
	int N = (int)n;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0,
	            s->Z, N, VT, N, 0.0, s->P, N);
	for (size_t k = 0; k < n; k++)
		put_vector(n, s->P, s->wi, s->ord[k].j, out, k);
}

int dk_spectrum_compute(dk_spectrum *s, const double *A,
                        dk_convention conv, dk_spectrum_out *out,
                        char *err, size_t errlen)
{
	size_t n = s->n, nn = n * n;
	lapack_int N = (lapack_int)n, ilo = 1, ihi = N, m = 0;
	if (!out->eig)
		return dk_errorf(DK_EINVAL, err, errlen, "no place for the eigenvalues");
	if ((out->right || out->left) && !(s->flags & DK_SPECTRUM_VECTORS))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "eigenvectors asked of a workspace made without them");
	if ((out->schur_t || out->schur_z) && !(s->flags & DK_SPECTRUM_SCHUR))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "Schur form asked of a workspace made without it");
	for (size_t i = 0; i < nn; i++)
		if (!isfinite(A[i]))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "entry (%zu, %zu) is not finite", i / n, i % n);
	memcpy(s->T, A, nn * sizeof *s->T);

	/* permutations only: scaling would make the similarity non-orthogonal */
	lapack_int info = LAPACKE_dgebal_work(LAPACK_ROW_MAJOR, 'P', N, s->T, N,
	                                      &ilo, &ihi, s->scale);
	if (!info)
		info = LAPACKE_dgehrd_work(LAPACK_ROW_MAJOR, N, ilo, ihi, s->T, N,
		                           s->tau, s->work, s->lwork);
	if (!info && s->Z) {
		memcpy(s->Z, s->T, nn * sizeof *s->Z);
		info = LAPACKE_dorghr_work(LAPACK_ROW_MAJOR, N, ilo, ihi, s->Z, N,
		                           s->tau, s->work, s->lwork);
	}
	if (info)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "Hessenberg reduction failed (LAPACK info %d)", (int)info);
	info = LAPACKE_dhseqr_work(LAPACK_ROW_MAJOR, 'S', s->Z ? 'V' : 'N', N, ilo,
	                           ihi, s->T, N, s->wr, s->wi,
	                           s->Z ? s->Z : s->VR, N, s->work, s->lwork);
	if (info > 0)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "the QR iteration did not converge (%d eigenvalues "
		                 "left)", (int)info);
	if (!info && s->Z)
		info = LAPACKE_dgebak_work(LAPACK_ROW_MAJOR, 'P', 'R', N, ilo, ihi,
		                           s->scale, N, s->Z, N);
	if (!info)
		info = LAPACKE_dtrevc_work(LAPACK_ROW_MAJOR, 'B', 'A', s->select, N,
		                           s->T, N, s->VL, N, s->VR, N, N, &m,
		                           s->work);
	if (info)
		return dk_errorf(DK_ENUMERIC, err, errlen,
		                 "LAPACK failed (info %d)", (int)info);
	rcond_from_t(s);

	dk_spectrum_order(conv, n, s->wr, s->wi, s->ord);
	for (size_t k = 0; k < n; k++) {
		size_t j = s->ord[k].j;
		out->eig[k] = dk_complex_make(s->wr[j], s->wi[j]);
		if (out->rcond)
			out->rcond[k] = s->rc[j];
	}
	if (out->right)
		vectors_out(s, s->VR, out->right);
	if (out->left)
		vectors_out(s, s->VL, out->left);
	if (out->schur_t) {
		memcpy(out->schur_t, s->T, nn * sizeof *s->T);
		/* below the quasi-triangle: zero, whatever LAPACK left there */
		for (size_t i = 2; i < n; i++)
			memset(out->schur_t + i * n, 0, (i - 1) * sizeof *s->T);
	}
	if (out->schur_z)
		memcpy(out->schur_z, s->Z, nn * sizeof *s->Z);
	return DK_OK;
}

dk_spectrum_class dk_spectrum_classify(const double complex *eig, size_t n,
                                       dk_convention conv,
                                       double tol)
{
	dk_spectrum_class c = {0, 0, DK_SPECTRUM_NODE};
	size_t marginal = 0;
	for (size_t k = 0; k < n; k++) {
		double v = conv == DK_MAP ? cabs(eig[k]) - 1 : creal(eig[k]);
		if (v > tol)
			c.index++;
		else if (!(v < -tol))
			marginal++;
	}
	c.stable = c.index == 0 && marginal == 0;
	if (marginal)
		c.kind = DK_SPECTRUM_NONHYPERBOLIC;
	else if (c.index > 0 && c.index < n)
		c.kind = DK_SPECTRUM_SADDLE;
	else
		c.kind = n > 0 && cimag(eig[0]) != 0 ? DK_SPECTRUM_FOCUS
		                                     : DK_SPECTRUM_NODE;
	return c;
}

dk_spectrum_class dk_spectrum_classify_leading(const double complex *eig,
                                               size_t k, size_t n,
                                               dk_convention conv, double tol,
                                               int nearest_shift)
{
	dk_spectrum_class unknown = {0, 0, DK_SPECTRUM_UNKNOWN};
	if (nearest_shift)
		return unknown;
	dk_spectrum_class c = dk_spectrum_classify(eig, k, conv, tol);
	return c.index == k && k < n ? unknown /* the rest may be unstable too */
	                             : c;
}

const char *dk_spectrum_kind_name(int kind)
{
	static const char *const names[] = {"nonhyperbolic", "node", "focus",
	                                    "saddle"};
	return kind >= 0 && kind <= DK_SPECTRUM_SADDLE ? names[kind] : NULL;
}
