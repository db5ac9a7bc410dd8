/*
 * hqr.c -- the eigenvalues of a small matrix: its reduction to upper
 * Hessenberg form and the implicit double-shift QR iteration (Francis
 * 1961), for the spectra of many small Jacobians (dk-fixed --jac).
 *
 * The algorithm is the one LAPACK's dlahqr runs for matrices below
 * dhseqr's crossover (75), with eigenvalues alone: a sweep over the
 * active block chases a bulge from the two shifts (the eigenvalues of
 * the block's trailing 2 x 2) with reflectors of three entries; a
 * subdiagonal entry is set to zero when it is negligible by Ahues and
 * Tisseur's test (1997) against its neighbours, which keeps small
 * eigenvalues' relative accuracy where the plain test against the
 * diagonal would not; a sweep starts where two consecutive subdiagonal
 * entries are small enough, below the block's top; every tenth sweep
 * without a deflation uses an exceptional shift, from the bottom and
 * from the top of the block in turn, which breaks the cycles that exact
 * shifts can fall into (a cyclic permutation matrix stalls without it).
 * The 1 x 1 and 2 x 2 blocks left are solved directly.  The Hessenberg
 * form comes from Householder reflectors, as LAPACK's dgehd2 makes it,
 * applied within the block whose eigenvalues are wanted.
 *
 * Why not LAPACK's own: at the sizes of trained networks' states (tens
 * of units) its QR iteration spends most of its time in calls, not in
 * arithmetic: each bulge step calls dlarfg, which calls dnrm2, dlapy2 and
 * dlamch, for reflectors of three entries, and the reduction calls
 * dgemv and dger per column.  Here those are inline, and the constants
 * are computed once; the arithmetic is the same, so the eigenvalues
 * agree with dgehrd's and dhseqr's to rounding, not bit for bit.
 */
#include <config.h>

#include <float.h>
#include <math.h>

#include "base/cpu.h"
#include "linalg/hqr.h"

#define H(i, j) h[(i) + (j) * ld]

/* Sweeps without a deflation before an exceptional shift, and its
   constants (those of LAPACK's dlahqr, which come from EISPACK). */
#define EXCEPTIONAL_EVERY 10
#define EXC_DIAG 0.75
#define EXC_OFF (-0.4375)

/* The larger and the smaller of two numbers, neither NaN: inline,
   where fmax and fmin are calls to libm (their NaN rules have no single
   instruction). */
static inline double larger(double a, double b)
{
	return a > b ? a : b;
}

static inline double smaller(double a, double b)
{
	return a < b ? a : b;
}

/*
 * A reflector I - tau (1 v)(1 v)^T of nr (2 or 3) entries that takes
 * (v[0], v[1], v[2]) to (beta, 0, 0): on return v[0] is beta and v[1..]
 * the reflector's vector below its leading 1; tau is 0 when there is
 * nothing to annihilate.  The entries are scaled by a power of two when
 * their size is far from 1, so that no square overflows or underflows.
 */
static inline __attribute__((always_inline)) double reflector(int nr, double *v)
{
	double a = v[0], x1 = v[1], x2 = nr == 3 ? v[2] : 0;
	if (x1 == 0 && x2 == 0)
		return 0;
	double m = larger(fabs(a), larger(fabs(x1), fabs(x2)));
	double up = 1, down = 1;
	if (m < 0x1p-500 || m > 0x1p500) {
		int e = ilogb(m);
		up = ldexp(1, -e);
		down = ldexp(1, e);
		a *= up;
		x1 *= up;
		x2 *= up;
	}
	double beta = -copysign(sqrt(a * a + x1 * x1 + x2 * x2), a);
	double tau = (beta - a) / beta, s = 1 / (a - beta);
	v[0] = beta * down;
	v[1] = x1 * s;
	if (nr == 3)
		v[2] = x2 * s;
	return tau;
}

/* The eigenvalues of the real 2 x 2 block (a b; c d), by the route of
   LAPACK's dlanv2 where it matters: a well-separated real pair from the
   larger root and the product, so neither loses digits; otherwise the
   mean and the square root of the scaled discriminant. */
static inline __attribute__((always_inline)) void block2(double a, double b, double c, double d, double *r1,
                   double *i1, double *r2, double *i2)
{
	*i1 = *i2 = 0;
	if (c == 0 || b == 0) { /* triangular */
		*r1 = a;
		*r2 = d;
		return;
	}
	double p = 0.5 * (a - d), bcmax = larger(fabs(b), fabs(c));
	double bcmis = smaller(fabs(b), fabs(c)) * copysign(1, b) * copysign(1, c);
	double scale = larger(fabs(p), bcmax);
	double z = p / scale * p + bcmax / scale * bcmis; /* (p^2 + bc) / scale */
	if (z >= 4 * DBL_EPSILON) {
		/* two real eigenvalues, apart */
		z = p + copysign(sqrt(scale) * sqrt(z), p);
		*r1 = d + z;
		*r2 = d - bcmax / z * bcmis;
		return;
	}
	double mean = 0.5 * (a + d), root = sqrt(scale) * sqrt(fabs(z));
	if (z >= 0) {
		*r1 = mean + root;
		*r2 = mean - root;
	} else {
		*r1 = *r2 = mean;
		*i1 = root;
		*i2 = -root;
	}
}

/* The shifts of a sweep: the eigenvalues of the 2 x 2 (h11 h12; h21
   h22), as a conjugate pair, or, when real, the one nearer h22 twice. */
static inline __attribute__((always_inline)) void shifts(double h11, double h12, double h21, double h22,
                   double *s1r, double *s1i, double *s2r, double *s2i)
{
	double s = fabs(h11) + fabs(h12) + fabs(h21) + fabs(h22);
	if (s == 0) {
		*s1r = *s1i = *s2r = *s2i = 0;
		return;
	}
	h11 /= s;
	h12 /= s;
	h21 /= s;
	h22 /= s;
	double tr = 0.5 * (h11 + h22);
	double det = (h11 - tr) * (h22 - tr) - h12 * h21;
	double rtdisc = sqrt(fabs(det));
	if (det >= 0) {
		*s1r = *s2r = tr * s;
		*s1i = rtdisc * s;
		*s2i = -*s1i;
		return;
	}
	double r1 = tr + rtdisc, r2 = tr - rtdisc;
	*s1r = *s2r = (fabs(r1 - h22) <= fabs(r2 - h22) ? r1 : r2) * s;
	*s1i = *s2i = 0;
}

/* Where the active block lo..i (its bottom row i) splits: the largest
   k > lo whose subdiagonal entry H(k, k-1) is negligible, or lo. */
static inline __attribute__((always_inline)) size_t split_point(const double *h, size_t ld, size_t blo, size_t bhi,
                          size_t lo, size_t i, double ulp, double smlnum)
{
	size_t k;
	for (k = i; k > lo; k--) {
		double sub = fabs(H(k, k - 1));
		if (sub <= smlnum)
			break;
		double tst = fabs(H(k - 1, k - 1)) + fabs(H(k, k));
		if (tst == 0) {
			if (k >= blo + 2)
				tst += fabs(H(k - 1, k - 2));
			if (k + 1 <= bhi)
				tst += fabs(H(k + 1, k));
		}
		if (sub <= ulp * tst) {
			/* Ahues and Tisseur's test */
			double sup = fabs(H(k - 1, k));
			double ab = larger(sub, sup), ba = smaller(sub, sup);
			double dd = fabs(H(k - 1, k - 1) - H(k, k)), kk = fabs(H(k, k));
			double aa = larger(kk, dd), bb = smaller(kk, dd), s = aa + ab;
			if (ba * (ab / s) <= larger(smlnum, ulp * (bb * (aa / s))))
				break;
		}
	}
	return k;
}

/* One double-shift sweep over rows l..i (i >= l + 2) from shifts
   (s1r + i s1i, s2r + i s2i), eigenvalues only: the updates stay within
   the active block. */
static inline __attribute__((always_inline)) void sweep(double *h, size_t ld, size_t l, size_t i, double s1r,
                  double s1i, double s2r, double s2i, double ulp)
{
	double v[3];
	size_t m;
	/* the first column of (H - s1)(H - s2), from row m, where two
	   consecutive small subdiagonal entries let the sweep start */
	for (m = i - 2;; m--) {
		double h21s = H(m + 1, m);
		double s = fabs(H(m, m) - s2r) + fabs(s2i) + fabs(h21s);
		h21s = H(m + 1, m) / s;
		v[0] = h21s * H(m, m + 1) + (H(m, m) - s1r) * ((H(m, m) - s2r) / s) -
		       s1i * (s2i / s);
		v[1] = h21s * (H(m, m) + H(m + 1, m + 1) - s1r - s2r);
		v[2] = h21s * H(m + 2, m + 1);
		s = fabs(v[0]) + fabs(v[1]) + fabs(v[2]);
		v[0] /= s;
		v[1] /= s;
		v[2] /= s;
		if (m == l)
			break;
		double h00 = fabs(H(m, m - 1)) * (fabs(v[1]) + fabs(v[2]));
		double h01 = fabs(v[0]) * (fabs(H(m - 1, m - 1)) + fabs(H(m, m)) +
		                           fabs(H(m + 1, m + 1)));
		if (h00 <= ulp * h01)
			break;
	}
	/* chase the bulge down */
	for (size_t k = m; k < i; k++) {
		int nr = i - k + 1 < 3 ? (int)(i - k + 1) : 3;
		if (k > m) {
			v[0] = H(k, k - 1);
			v[1] = H(k + 1, k - 1);
			if (nr == 3)
				v[2] = H(k + 2, k - 1);
		}
		double t1 = reflector(nr, v);
		if (k > m) {
			H(k, k - 1) = v[0];
			H(k + 1, k - 1) = 0;
			if (k < i - 1)
				H(k + 2, k - 1) = 0;
		} else if (m > l) {
			/* H(k, k-1) is -H(k, k-1) in exact arithmetic; this form
			   stays right when v[1] and v[2] underflow */
			H(k, k - 1) *= 1 - t1;
		}
		double v2 = v[1], t2 = t1 * v2;
		if (nr == 3) {
			double v3 = v[2], t3 = t1 * v3;
			for (size_t j = k; j <= i; j++) {
				double *c = &H(k, j);
				double sum = c[0] + v2 * c[1] + v3 * c[2];
				c[0] -= sum * t1;
				c[1] -= sum * t2;
				c[2] -= sum * t3;
			}
			size_t jmax = k + 3 < i ? k + 3 : i;
			double *c0 = &H(0, k), *c1 = &H(0, k + 1), *c2 = &H(0, k + 2);
			for (size_t j = l; j <= jmax; j++) {
				double sum = c0[j] + v2 * c1[j] + v3 * c2[j];
				c0[j] -= sum * t1;
				c1[j] -= sum * t2;
				c2[j] -= sum * t3;
			}
		} else {
			for (size_t j = k; j <= i; j++) {
				double *c = &H(k, j);
				double sum = c[0] + v2 * c[1];
				c[0] -= sum * t1;
				c[1] -= sum * t2;
			}
			double *c0 = &H(0, k), *c1 = &H(0, k + 1);
			for (size_t j = l; j <= i; j++) {
				double sum = c0[j] + v2 * c1[j];
				c0[j] -= sum * t1;
				c1[j] -= sum * t2;
			}
		}
	}
}

/* |x| of the len entries of x, scaled by a power of two when their size
   is far from 1, so that no square overflows or underflows. */
static double norm2(size_t len, const double *x)
{
	double m = 0;
	for (size_t i = 0; i < len; i++)
		m = larger(m, fabs(x[i]));
	if (m == 0)
		return 0;
	double s = 0;
	if (m >= 0x1p-500 && m <= 0x1p500) {
		for (size_t i = 0; i < len; i++)
			s += x[i] * x[i];
		return sqrt(s);
	}
	int e = ilogb(m);
	double up = ldexp(1, -e);
	for (size_t i = 0; i < len; i++)
		s += (x[i] * up) * (x[i] * up);
	return ldexp(sqrt(s), e);
}

/*
 * The reduction's loops are dot products and axpys over columns, in
 * vectors: four doubles with AVX2 and FMA where the processor has them
 * (chosen once, at the first call), else two, the SSE2 every x86-64 has
 * (GCC's -O2 leaves such loops scalar, and wider vectors without AVX go
 * through memory).  The two differ in rounding (FMA), not in method.
 */
typedef double v2d __attribute__((vector_size(16), aligned(8), may_alias));

/* sum a[i] b[i], i < len */
static inline double dot2(size_t len, const double *a, const double *b)
{
	v2d s0 = {0, 0}, s1 = s0;
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		s0 += *(const v2d *)(a + i) * *(const v2d *)(b + i);
		s1 += *(const v2d *)(a + i + 2) * *(const v2d *)(b + i + 2);
	}
	s0 += s1;
	double s = s0[0] + s0[1];
	for (; i < len; i++)
		s += a[i] * b[i];
	return s;
}

/* y[i] += c x[i], i < len */
static inline void axpy2(size_t len, double c, const double *x, double *y)
{
	v2d vc = {c, c};
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		*(v2d *)(y + i) += vc * *(const v2d *)(x + i);
		*(v2d *)(y + i + 2) += vc * *(const v2d *)(x + i + 2);
	}
	for (; i < len; i++)
		y[i] += c * x[i];
}

#if defined(__x86_64__) && defined(__GNUC__)
#define HQR_AVX2 1
typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

__attribute__((target("avx2,fma")))
static inline double dot4(size_t len, const double *a, const double *b)
{
	v4d s0 = {0, 0, 0, 0}, s1 = s0;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		s0 += *(const v4d *)(a + i) * *(const v4d *)(b + i);
		s1 += *(const v4d *)(a + i + 4) * *(const v4d *)(b + i + 4);
	}
	for (; i + 4 <= len; i += 4)
		s0 += *(const v4d *)(a + i) * *(const v4d *)(b + i);
	s0 += s1;
	double s = (s0[0] + s0[1]) + (s0[2] + s0[3]);
	for (; i < len; i++)
		s += a[i] * b[i];
	return s;
}

__attribute__((target("avx2,fma")))
static inline void axpy4(size_t len, double c, const double *x, double *y)
{
	v4d vc = {c, c, c, c};
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		*(v4d *)(y + i) += vc * *(const v4d *)(x + i);
		*(v4d *)(y + i + 4) += vc * *(const v4d *)(x + i + 4);
	}
	for (; i + 4 <= len; i += 4)
		*(v4d *)(y + i) += vc * *(const v4d *)(x + i);
	for (; i < len; i++)
		y[i] += c * x[i];
}
#endif

typedef double dot_fn(size_t, const double *, const double *);
typedef void axpy_fn(size_t, double, const double *, double *);

/* The reduction with the loops dot and axpy: inlined into each caller
   below, where they are known, so that they are inlined too. */
static inline __attribute__((always_inline)) void
reduce(double *h, size_t ld, size_t lo, size_t hi, double *y, dot_fn *dot,
       axpy_fn *axpy)
{
	for (size_t k = lo; k + 2 <= hi; k++) {
		/* the reflector that takes H(k+1..hi, k) to (beta, 0, ..., 0) */
		double *x = &H(k + 1, k), alpha = x[0];
		size_t len = hi - k; /* rows k+1..hi */
		double xnorm = norm2(len - 1, x + 1);
		if (xnorm == 0)
			continue;
		double m = larger(fabs(alpha), xnorm), a = alpha / m, b = xnorm / m;
		double beta = -copysign(m * sqrt(a * a + b * b), alpha);
		double tau = (beta - alpha) / beta, scal = 1 / (alpha - beta);
		for (size_t i = 1; i < len; i++)
			x[i] *= scal; /* v = (1, x[1..]) */
		x[0] = beta;
		const double *v = x;
		/* from the left, on columns k+1..hi: H -= tau v (v^T H) */
		for (size_t j = k + 1; j <= hi; j++) {
			double *c = &H(k + 1, j);
			double w = tau * (c[0] + dot(len - 1, v + 1, c + 1));
			c[0] -= w;
			axpy(len - 1, -w, v + 1, c + 1);
		}
		/* from the right, on rows lo..hi: H -= tau (H v) v^T */
		size_t rows = hi - lo + 1;
		double *c1 = &H(lo, k + 1);
		for (size_t i = 0; i < rows; i++)
			y[i] = c1[i];
		for (size_t j = 1; j < len; j++)
			axpy(rows, v[j], &H(lo, k + 1 + j), y);
		for (size_t i = 0; i < rows; i++)
			y[i] *= tau;
		for (size_t i = 0; i < rows; i++)
			c1[i] -= y[i];
		for (size_t j = 1; j < len; j++)
			axpy(rows, -v[j], y, &H(lo, k + 1 + j));
		/* the reflector's vector is not H's */
		for (size_t i = 1; i < len; i++)
			x[i] = 0;
	}
}

static void reduce_plain(double *h, size_t ld, size_t lo, size_t hi,
                         double *y)
{
	reduce(h, ld, lo, hi, y, dot2, axpy2);
}

#ifdef HQR_AVX2
__attribute__((target("avx2,fma")))
static void reduce_avx2(double *h, size_t ld, size_t lo, size_t hi,
                        double *y)
{
	reduce(h, ld, lo, hi, y, dot4, axpy4);
}
#endif

typedef void reduce_fn(double *, size_t, size_t, size_t, double *);

static reduce_fn *reduce_chosen(void)
{
#ifdef HQR_AVX2
	if (dk_cpu_has_avx2_fma())
		return reduce_avx2;
#endif
	return reduce_plain;
}

void dk_linalg_hessenberg_reduce(size_t n, double *h, size_t ld, size_t lo,
                                 size_t hi, double *work)
{
	(void)n;
	reduce_chosen()(h, ld, lo, hi, work);
}

static inline __attribute__((always_inline)) int
eigenvalues(size_t n, double *h, size_t ld, size_t lo, size_t hi, double *wr,
            double *wi)
{
	if (n == 0)
		return 0;
	/* the isolated eigenvalues, and the block's own when it is small */
	for (size_t j = 0; j < n; j++)
		if (j < lo || j > hi || lo == hi) {
			wr[j] = H(j, j);
			wi[j] = 0;
		}
	if (lo >= hi)
		return 0;
	/* dgehrd's reflectors below the subdiagonal are not H's */
	for (size_t j = lo; j + 2 <= hi; j++) {
		H(j + 2, j) = 0;
		if (j + 3 <= hi)
			H(j + 3, j) = 0;
	}
	size_t nh = hi - lo + 1;
	double ulp = DBL_EPSILON; /* LAPACK's dlamch('P') */
	double smlnum = DBL_MIN * ((double)nh / ulp);
	size_t itmax = 30 * (nh > 10 ? nh : 10), defl = 0;
	/* i: the bottom row of the part not yet deflated */
	for (size_t i = hi + 1; i-- > lo;) {
		size_t l = lo, its;
		for (its = 0; its <= itmax; its++) {
			l = split_point(h, ld, lo, hi, l, i, ulp, smlnum);
			if (l > lo)
				H(l, l - 1) = 0;
			if (l + 1 >= i)
				break; /* a 1 x 1 or 2 x 2 block split off */
			defl++;
			double h11, h12, h21, h22;
			if (defl % (2 * EXCEPTIONAL_EVERY) == 0) {
				double s = fabs(H(i, i - 1)) + fabs(H(i - 1, i - 2));
				h11 = EXC_DIAG * s + H(i, i);
				h12 = EXC_OFF * s;
				h21 = s;
				h22 = h11;
			} else if (defl % EXCEPTIONAL_EVERY == 0) {
				double s = fabs(H(l + 1, l)) + fabs(H(l + 2, l + 1));
				h11 = EXC_DIAG * s + H(l, l);
				h12 = EXC_OFF * s;
				h21 = s;
				h22 = h11;
			} else {
				h11 = H(i - 1, i - 1);
				h21 = H(i, i - 1);
				h12 = H(i - 1, i);
				h22 = H(i, i);
			}
			double s1r, s1i, s2r, s2i;
			shifts(h11, h12, h21, h22, &s1r, &s1i, &s2r, &s2i);
			sweep(h, ld, l, i, s1r, s1i, s2r, s2i, ulp);
		}
		if (its > itmax)
			return 1;
		if (l == i) {
			wr[i] = H(i, i);
			wi[i] = 0;
		} else {
			block2(H(i - 1, i - 1), H(i - 1, i), H(i, i - 1), H(i, i),
			       &wr[i - 1], &wi[i - 1], &wr[i], &wi[i]);
			i--;
		}
		defl = 0;
	}
	return 0;
}

static int eigenvalues_plain(size_t n, double *h, size_t ld, size_t lo,
                             size_t hi, double *wr, double *wi)
{
	return eigenvalues(n, h, ld, lo, hi, wr, wi);
}

#ifdef HQR_AVX2
__attribute__((target("avx2,fma")))
static int eigenvalues_avx2(size_t n, double *h, size_t ld, size_t lo,
                            size_t hi, double *wr, double *wi)
{
	return eigenvalues(n, h, ld, lo, hi, wr, wi);
}
#endif

typedef int eigenvalues_fn(size_t, double *, size_t, size_t, size_t, double *,
                           double *);

int dk_linalg_hessenberg_eigenvalues(size_t n, double *h, size_t ld,
                                     size_t lo, size_t hi, double *wr,
                                     double *wi)
{
	eigenvalues_fn *f = eigenvalues_plain;
#ifdef HQR_AVX2
	if (dk_cpu_has_avx2_fma())
		f = eigenvalues_avx2;
#endif
	return f(n, h, ld, lo, hi, wr, wi);
}
