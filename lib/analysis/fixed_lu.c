/*
 * fixed_lu.c -- the LU factorisation of the Newton stage's Jacobians
 * (fixed_newton.c, fixed_known.c): P A = L U with partial pivoting, and
 * the solve A d = b with the factors.
 *
 * A Newton run factors one n x n matrix per step, and for the states of
 * trained networks (tens to a hundred or so units) that factorisation is
 * most of the search's time.  At those sizes LAPACK's blocked dgetrf
 * spends more in its panel and triangular-solve calls than in arithmetic,
 * so small matrices (n <= SMALL_MAX) are factored here instead, in their
 * own row-major layout (no transposition): right-looking, four pivot rows
 * at a time, so that each row below is loaded once per four pivots and
 * updated by a rank-4 product (two rows below at a time, which share the
 * loads of the pivot rows); the solves are dot products of rows, four
 * rows at a time against the part of the solution already known (one
 * load of it for four rows, and four independent sums where one row's
 * sum would wait on the last), then the 4 x 4 triangle of the block.
 * These loops run in AVX2 with FMA when the processor has them (chosen
 * once at run time), in plain C otherwise (or always, built with
 * DK_FIXED_LU_PLAIN, as tests/test_fixed_lu_plain is).  Larger matrices go to
 * LAPACK (dgetrf on the row-major matrix, which is its transpose to
 * column-major LAPACK, and dgetrs with 'T').  The pivots and the factors
 * are those of partial pivoting either way; the roundings differ, as they
 * do between BLAS kernels.
 */
#include <config.h>

#include <math.h>
#include <string.h>
#include <lapacke.h>

#include "analysis/fixed_impl.h"
#include "base/cpu.h"

/* The AVX2 loops: on x86-64 with GCC or Clang, unless built plain. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DK_FIXED_LU_PLAIN)
#define LU_AVX2 1
#endif

/* Up to this size the factorisation is this file's; above, LAPACK's. */
#define SMALL_MAX 128

/* The three loops that carry the work, in plain C and, on x86-64, in
   AVX2 with FMA; one set is chosen once, at the first factorisation. */
typedef struct {
	/* rows [r0, n) -= their columns k0..k0+3 times pivot rows k0..k0+3,
	   over columns [c0, n) */
	void (*rank4)(size_t n, double *a, size_t k0, size_t r0, size_t c0);
	/* y[0..len) -= l x[0..len) */
	void (*axpy)(double *y, double l, const double *x, size_t len);
	/* sum of a[j] b[j], j < len */
	double (*dot)(const double *a, const double *b, size_t len);
	/* s[r] = sum of a[r stride + j] b[j], j < len, r < 4: four rows'
	   dot products with one vector, which is loaded once for all */
	void (*dot4)(const double *a, size_t stride, const double *b,
	             size_t len, double *s);
} kernels;

static void rank4_plain(size_t n, double *a, size_t k0, size_t r0, size_t c0)
{
	const double *p0 = a + k0 * n, *p1 = p0 + n, *p2 = p1 + n, *p3 = p2 + n;
	for (size_t i = r0; i < n; i++) {
		double *ri = a + i * n;
		double l0 = ri[k0], l1 = ri[k0 + 1], l2 = ri[k0 + 2], l3 = ri[k0 + 3];
		for (size_t j = c0; j < n; j++)
			ri[j] -= l0 * p0[j] + l1 * p1[j] + l2 * p2[j] + l3 * p3[j];
	}
}

static void axpy_plain(double *y, double l, const double *x, size_t len)
{
	for (size_t j = 0; j < len; j++)
		y[j] -= l * x[j];
}

static double dot_plain(const double *a, const double *b, size_t len)
{
	double s = 0;
	for (size_t j = 0; j < len; j++)
		s += a[j] * b[j];
	return s;
}

static void dot4_plain(const double *a, size_t stride, const double *b,
                       size_t len, double *s)
{
	const double *a0 = a, *a1 = a0 + stride, *a2 = a1 + stride, *a3 = a2 + stride;
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	for (size_t j = 0; j < len; j++) {
		s0 += a0[j] * b[j];
		s1 += a1[j] * b[j];
		s2 += a2[j] * b[j];
		s3 += a3[j] * b[j];
	}
	s[0] = s0;
	s[1] = s1;
	s[2] = s2;
	s[3] = s3;
}

#ifdef LU_AVX2
typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

__attribute__((target("avx2,fma")))
static void rank4_avx2(size_t n, double *a, size_t k0, size_t r0, size_t c0)
{
	const double *p0 = a + k0 * n, *p1 = p0 + n, *p2 = p1 + n, *p3 = p2 + n;
	size_t i = r0;
	/* two rows at a time, so that each load of the pivot rows serves
	   both (each entry is the same expression as one row at a time) */
	for (; i + 2 <= n; i += 2) {
		double *ri = a + i * n, *rj = ri + n;
		v4d b0 = {ri[k0], ri[k0], ri[k0], ri[k0]};
		v4d b1 = {ri[k0 + 1], ri[k0 + 1], ri[k0 + 1], ri[k0 + 1]};
		v4d b2 = {ri[k0 + 2], ri[k0 + 2], ri[k0 + 2], ri[k0 + 2]};
		v4d b3 = {ri[k0 + 3], ri[k0 + 3], ri[k0 + 3], ri[k0 + 3]};
		v4d d0 = {rj[k0], rj[k0], rj[k0], rj[k0]};
		v4d d1 = {rj[k0 + 1], rj[k0 + 1], rj[k0 + 1], rj[k0 + 1]};
		v4d d2 = {rj[k0 + 2], rj[k0 + 2], rj[k0 + 2], rj[k0 + 2]};
		v4d d3 = {rj[k0 + 3], rj[k0 + 3], rj[k0 + 3], rj[k0 + 3]};
		size_t j = c0;
		for (; j + 4 <= n; j += 4) {
			v4d q0 = *(const v4d *)(p0 + j), q1 = *(const v4d *)(p1 + j);
			v4d q2 = *(const v4d *)(p2 + j), q3 = *(const v4d *)(p3 + j);
			v4d x = *(const v4d *)(ri + j), y = *(const v4d *)(rj + j);
			x -= b0 * q0 + b1 * q1 + b2 * q2 + b3 * q3;
			y -= d0 * q0 + d1 * q1 + d2 * q2 + d3 * q3;
			*(v4d *)(ri + j) = x;
			*(v4d *)(rj + j) = y;
		}
		for (; j < n; j++) {
			ri[j] -= ri[k0] * p0[j] + ri[k0 + 1] * p1[j] +
			         ri[k0 + 2] * p2[j] + ri[k0 + 3] * p3[j];
			rj[j] -= rj[k0] * p0[j] + rj[k0 + 1] * p1[j] +
			         rj[k0 + 2] * p2[j] + rj[k0 + 3] * p3[j];
		}
	}
	for (; i < n; i++) {
		double *ri = a + i * n;
		double l0 = ri[k0], l1 = ri[k0 + 1], l2 = ri[k0 + 2], l3 = ri[k0 + 3];
		v4d b0 = {l0, l0, l0, l0}, b1 = {l1, l1, l1, l1};
		v4d b2 = {l2, l2, l2, l2}, b3 = {l3, l3, l3, l3};
		size_t j = c0;
		for (; j + 4 <= n; j += 4) {
			v4d x = *(const v4d *)(ri + j);
			x -= b0 * *(const v4d *)(p0 + j) + b1 * *(const v4d *)(p1 + j) +
			     b2 * *(const v4d *)(p2 + j) + b3 * *(const v4d *)(p3 + j);
			*(v4d *)(ri + j) = x;
		}
		for (; j < n; j++)
			ri[j] -= l0 * p0[j] + l1 * p1[j] + l2 * p2[j] + l3 * p3[j];
	}
}

__attribute__((target("avx2,fma")))
static void axpy_avx2(double *y, double l, const double *x, size_t len)
{
	v4d b = {l, l, l, l};
	size_t j = 0;
	for (; j + 4 <= len; j += 4)
		*(v4d *)(y + j) -= b * *(const v4d *)(x + j);
	for (; j < len; j++)
		y[j] -= l * x[j];
}

__attribute__((target("avx2,fma")))
static double dot_avx2(const double *a, const double *b, size_t len)
{
	v4d s0 = {0, 0, 0, 0}, s1 = s0;
	size_t j = 0;
	for (; j + 8 <= len; j += 8) {
		s0 += *(const v4d *)(a + j) * *(const v4d *)(b + j);
		s1 += *(const v4d *)(a + j + 4) * *(const v4d *)(b + j + 4);
	}
	for (; j + 4 <= len; j += 4)
		s0 += *(const v4d *)(a + j) * *(const v4d *)(b + j);
	s0 += s1;
	double s = (s0[0] + s0[1]) + (s0[2] + s0[3]);
	for (; j < len; j++)
		s += a[j] * b[j];
	return s;
}

__attribute__((target("avx2,fma")))
static void dot4_avx2(const double *a, size_t stride, const double *b,
                      size_t len, double *s)
{
	const double *a0 = a, *a1 = a0 + stride, *a2 = a1 + stride, *a3 = a2 + stride;
	v4d s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
	size_t j = 0;
	for (; j + 4 <= len; j += 4) {
		v4d x = *(const v4d *)(b + j);
		s0 += *(const v4d *)(a0 + j) * x;
		s1 += *(const v4d *)(a1 + j) * x;
		s2 += *(const v4d *)(a2 + j) * x;
		s3 += *(const v4d *)(a3 + j) * x;
	}
	double t0 = (s0[0] + s0[1]) + (s0[2] + s0[3]);
	double t1 = (s1[0] + s1[1]) + (s1[2] + s1[3]);
	double t2 = (s2[0] + s2[1]) + (s2[2] + s2[3]);
	double t3 = (s3[0] + s3[1]) + (s3[2] + s3[3]);
	for (; j < len; j++) {
		t0 += a0[j] * b[j];
		t1 += a1[j] * b[j];
		t2 += a2[j] * b[j];
		t3 += a3[j] * b[j];
	}
	s[0] = t0;
	s[1] = t1;
	s[2] = t2;
	s[3] = t3;
}
#endif

static const kernels *kernels_chosen(void)
{
	static const kernels plain = {rank4_plain, axpy_plain, dot_plain,
	                              dot4_plain};
#ifdef LU_AVX2
	static const kernels avx2 = {rank4_avx2, axpy_avx2, dot_avx2, dot4_avx2};
	if (dk_cpu_has_avx2_fma())
		return &avx2;
#endif
	return &plain;
}

/* Row-major P A = L U in place; piv[k] the row swapped with row k. */
static int small_factor(size_t n, double *a, int *piv)
{
	const kernels *K = kernels_chosen();
	int info = 0;
	for (size_t k0 = 0; k0 < n; k0 += 4) {
		size_t ke = k0 + 4 < n ? k0 + 4 : n;
		/* the panel: pivot rows k0..ke-1, each also brought up to date
		   right of the panel with the block's earlier pivots */
		for (size_t k = k0; k < ke; k++) {
			size_t p = k;
			double big = fabs(a[k * n + k]);
			/* the first row of the largest |entry|, by selects rather
			   than branches, which random entries would mispredict */
			for (size_t i = k + 1; i < n; i++) {
				double v = fabs(a[i * n + k]);
				int more = v > big;
				big = more ? v : big;
				p = more ? i : p;
			}
			piv[k] = (int)p;
			if (p != k) {
				double *x = a + k * n, *y = a + p * n;
				for (size_t j = 0; j < n; j++) {
					double t = x[j];
					x[j] = y[j];
					y[j] = t;
				}
			}
			double *rk = a + k * n;
			for (size_t q = k0; q < k; q++)
				K->axpy(rk + ke, rk[q], a + q * n + ke, n - ke);
			if (big == 0) { /* singular: no multipliers from this column */
				if (!info)
					info = (int)k + 1;
				continue;
			}
			double inv = 1 / rk[k];
			/* the multipliers, and the panel's columns right of k in
			   each row below: as many as ke - k - 1, written out for
			   each count so that no inner loop is left per row */
			switch (ke - k - 1) {
			case 3: {
				double u1 = rk[k + 1], u2 = rk[k + 2], u3 = rk[k + 3];
				for (size_t i = k + 1; i < n; i++) {
					double *ri = a + i * n, l = ri[k] * inv;
					ri[k] = l;
					ri[k + 1] -= l * u1;
					ri[k + 2] -= l * u2;
					ri[k + 3] -= l * u3;
				}
				break;
			}
			case 2: {
				double u1 = rk[k + 1], u2 = rk[k + 2];
				for (size_t i = k + 1; i < n; i++) {
					double *ri = a + i * n, l = ri[k] * inv;
					ri[k] = l;
					ri[k + 1] -= l * u1;
					ri[k + 2] -= l * u2;
				}
				break;
			}
			case 1: {
				double u1 = rk[k + 1];
				for (size_t i = k + 1; i < n; i++) {
					double *ri = a + i * n, l = ri[k] * inv;
					ri[k] = l;
					ri[k + 1] -= l * u1;
				}
				break;
			}
			default:
				for (size_t i = k + 1; i < n; i++)
					a[i * n + k] *= inv;
			}
		}
		if (ke == n)
			break;
		if (ke - k0 == 4) {
			K->rank4(n, a, k0, ke, ke);
		} else {
			for (size_t i = ke; i < n; i++)
				for (size_t q = k0; q < ke; q++)
					K->axpy(a + i * n + ke, a[i * n + q],
					        a + q * n + ke, n - ke);
		}
	}
	return info;
}

/* b = A^{-1} b with small_factor's factors. */
static void small_solve(size_t n, const double *lu, const int *piv, double *b)
{
	const kernels *K = kernels_chosen();
	for (size_t k = 0; k < n; k++) {
		size_t p = (size_t)piv[k];
		if (p != k) {
			double t = b[k];
			b[k] = b[p];
			b[p] = t;
		}
	}
	/* L (unit lower), four rows at a time: their dot products with the
	   solved part at once, then the 4 x 4 triangle within the block */
	size_t i0 = 0;
	double s[4];
	for (; i0 + 4 <= n; i0 += 4) {
		const double *r1 = lu + (i0 + 1) * n, *r2 = r1 + n, *r3 = r2 + n;
		K->dot4(lu + i0 * n, n, b, i0, s);
		double b0 = b[i0] - s[0];
		double b1 = b[i0 + 1] - s[1] - r1[i0] * b0;
		double b2 = b[i0 + 2] - s[2] - r2[i0] * b0 - r2[i0 + 1] * b1;
		double b3 = b[i0 + 3] - s[3] - r3[i0] * b0 - r3[i0 + 1] * b1 -
		            r3[i0 + 2] * b2;
		b[i0] = b0;
		b[i0 + 1] = b1;
		b[i0 + 2] = b2;
		b[i0 + 3] = b3;
	}
	for (size_t i = i0; i < n; i++)
		b[i] -= K->dot(lu + i * n, b, i);
	/* U, from the bottom: the rows below the last whole block of four,
	   then the blocks upwards */
	size_t top = n - n % 4;
	for (size_t i = n; i-- > top;) {
		const double *ri = lu + i * n;
		b[i] = (b[i] - K->dot(ri + i + 1, b + i + 1, n - i - 1)) / ri[i];
	}
	for (i0 = top; i0 >= 4;) {
		i0 -= 4;
		const double *r0 = lu + i0 * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;
		K->dot4(r0 + i0 + 4, n, b + i0 + 4, n - i0 - 4, s);
		double b3 = (b[i0 + 3] - s[3]) / r3[i0 + 3];
		double b2 = (b[i0 + 2] - s[2] - r2[i0 + 3] * b3) / r2[i0 + 2];
		double b1 = (b[i0 + 1] - s[1] - r1[i0 + 2] * b2 - r1[i0 + 3] * b3) /
		            r1[i0 + 1];
		double b0 = (b[i0] - s[0] - r0[i0 + 1] * b1 - r0[i0 + 2] * b2 -
		             r0[i0 + 3] * b3) / r0[i0];
		b[i0] = b0;
		b[i0 + 1] = b1;
		b[i0 + 2] = b2;
		b[i0 + 3] = b3;
	}
}

int dk_fixed_lu_factor(size_t n, double *a, int *piv)
{
	if (n <= SMALL_MAX)
		return small_factor(n, a, piv);
	/* the row-major A is, to column-major LAPACK, A^T: factor that (no
	   copy to column-major, no NaN scan, as LAPACKE's row-major layer
	   would make) and solve with its transpose below */
	lapack_int ln = (lapack_int)n;
	return (int)LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, ln, ln, a, ln, piv);
}

void dk_fixed_lu_solve(size_t n, const double *lu, const int *piv, double *b)
{
	if (n <= SMALL_MAX) {
		small_solve(n, lu, piv, b);
		return;
	}
	lapack_int ln = (lapack_int)n;
	LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'T', ln, 1, lu, ln, piv, b, ln);
}
