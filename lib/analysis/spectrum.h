/*
 * spectrum.h -- the dense eigen-decomposition of a real square matrix,
 * sorted and classified the way a dynamical system reads it.
 *
 * A Jacobian J at a state says how small perturbations grow or decay.
 * For a map x' = F(x) (the "map" convention, discrete time) a direction
 * grows when |lambda| > 1; for a flow dx/dt = f(x) (the "flow"
 * convention, continuous time) when Re lambda > 0.  This part computes
 * every eigenvalue of J, the reciprocal condition number of each
 * (|y^H x| for unit left and right eigenvectors y and x, the quantity
 * LAPACK's dtrsna returns as S), optionally the eigenvectors themselves
 * and the real Schur form, and classifies the point.
 *
 * The route is the one LAPACK's dgees and dgeev share: permutation-only
 * balancing (dgebal 'P', which keeps the similarity orthogonal, so
 * condition numbers are those of J itself), Hessenberg reduction
 * (dgehrd), the Schur form T (dhseqr, with the Schur vectors Z only when
 * they are asked for), and the eigenvectors of T (dtrevc).  Condition
 * numbers are invariant under the orthogonal similarity, so they come
 * from T's eigenvectors directly; J's eigenvectors are Z times T's, formed
 * only when asked for.
 *
 * Sort order (so that eig[0] is the leading eigenvalue):
 *   map:  modulus descending, then real part descending;
 *   flow: real part descending, then |imaginary part| descending;
 *   then, in both, positive imaginary part first (a conjugate pair is
 *   adjacent, lambda before conj(lambda)).
 *
 * A workspace is allocated once per size n; computing a spectrum then
 * allocates nothing of its own (LAPACKE's row-major layer makes its
 * transposed copies internally).
 */
#ifndef DK_ANALYSIS_SPECTRUM_H
#define DK_ANALYSIS_SPECTRUM_H

#include <complex.h>
#include <stddef.h>

#include "models/convention.h"

/* The kind of a point, by its spectrum (small integers: they are what
   the jac/kind tensor holds). */
enum {
	DK_SPECTRUM_UNKNOWN = -1,      /* not settled by the leading eigenvalues */
	DK_SPECTRUM_NONHYPERBOLIC = 0, /* an eigenvalue on the boundary (within tol) */
	DK_SPECTRUM_NODE = 1,          /* index 0 or n; leading eigenvalue real */
	DK_SPECTRUM_FOCUS = 2,         /* index 0 or n; leading pair complex */
	DK_SPECTRUM_SADDLE = 3         /* 0 < index < n */
};

/* What a workspace computes besides eigenvalues and condition numbers. */
enum {
	DK_SPECTRUM_VECTORS = 1, /* right and left eigenvectors */
	DK_SPECTRUM_SCHUR = 2    /* the real Schur form T and vectors Z */
};

typedef struct dk_spectrum dk_spectrum;

/* A workspace for n x n matrices (n >= 1) computing what flags (an OR
   of DK_SPECTRUM_*) say; NULL when out of memory or n is 0. */
dk_spectrum *dk_spectrum_alloc(size_t n, unsigned flags);
void dk_spectrum_free(dk_spectrum *s);
size_t dk_spectrum_size(const dk_spectrum *s);

/* Where the results of one decomposition go; any pointer but eig may be
   NULL.  right, left, schur_t and schur_z are n x n, row-major. */
typedef struct dk_spectrum_out {
	double complex *eig;   /* n eigenvalues, sorted */
	double *rcond;         /* n: |y^H x| of each, in the same order */
	/* Column j is the eigenvector of eig[j], of unit 2-norm, its entry of
	   largest modulus (the first such) made real and positive; right:
	   A x = lambda x; left: y^H A = lambda y^H.  Needs VECTORS. */
	double complex *right;
	double complex *left;
	/* A = Z T Z^T, T quasi-triangular (LAPACK's standardised 2 x 2
	   blocks, in LAPACK's order, not the sort order).  Needs SCHUR. */
	double *schur_t;
	double *schur_z;
} dk_spectrum_out;

/*
 * Decompose the n x n row-major matrix A (not modified) and sort its
 * eigenvalues by conv.  DK_EINVAL (with a message in err) for a
 * non-finite entry or an output the workspace was not made for;
 * DK_ENUMERIC when the QR iteration does not converge.
 */
int dk_spectrum_compute(dk_spectrum *s, const double *A,
                        dk_convention conv, dk_spectrum_out *out,
                        char *err, size_t errlen);

/* The classification of a point whose n sorted eigenvalues are eig. */
typedef struct dk_spectrum_class {
	size_t index; /* unstable directions (a complex pair counts 2); not
	                 known (0) when kind is DK_SPECTRUM_UNKNOWN */
	int stable;   /* 1 when every direction is stable */
	int kind;     /* DK_SPECTRUM_UNKNOWN .. DK_SPECTRUM_SADDLE */
} dk_spectrum_class;

/*
 * Classify by the sorted spectrum eig (n values, sorted by conv, as
 * dk_spectrum_compute leaves them).  A direction is unstable when
 * |lambda| > 1 + tol (map) or Re lambda > tol (flow), stable when
 * |lambda| < 1 - tol or Re lambda < -tol, and marginal otherwise; any
 * marginal direction makes the point nonhyperbolic (and not stable).
 */
dk_spectrum_class dk_spectrum_classify(const double complex *eig, size_t n,
                                       dk_convention conv,
                                       double tol);

/*
 * Classify by the k leading of a spectrum of n eigenvalues (k <= n),
 * sorted by conv (as dk_leading_solve leaves those of the largest
 * modulus, map, or real part, flow).  Every other eigenvalue lies further
 * inside (smaller modulus, or real part), so the k values settle
 * stability, and the index too unless all k are unstable: then (k < n)
 * the kind is DK_SPECTRUM_UNKNOWN and the index not known.  With
 * nearest_shift, eig holds the k values nearest a shift instead, which
 * settle nothing: DK_SPECTRUM_UNKNOWN, and not stable.  With k = n this
 * is dk_spectrum_classify.
 */
dk_spectrum_class dk_spectrum_classify_leading(const double complex *eig,
                                               size_t k, size_t n,
                                               dk_convention conv, double tol,
                                               int nearest_shift);

/* "nonhyperbolic", "node", "focus", "saddle" (NULL for another code). */
const char *dk_spectrum_kind_name(int kind);

#endif
