/*
 * fixed_impl.h -- the fixed-point workspace, shared by the stages
 * (fixed.c, fixed_adam.c, fixed_newton.c); not installed.
 */
#ifndef DK_ANALYSIS_FIXED_IMPL_H
#define DK_ANALYSIS_FIXED_IMPL_H

#include "analysis/fixed.h"
#include "linalg/gmres.h"

struct dk_fixed_work {
	dk_fixed_opts o;
	size_t n, m, batch;     /* state size, input size, largest batch */
	dk_model_work *mw;      /* owned: model scratch for batch states */
	double *ub;             /* owned: batch x m, the input in every row */
	/* stage 1, per point (batch rows; rows are kept packed, the
	   active points first, so one model call covers them all) */
	double *x, *r, *g, *fx; /* owned: batch x n each */
	double *m1, *m2;        /* owned: Adam's moments, batch x n */
	double *cache;          /* owned: batch x the model's cache size */
	double *q, *qprev, *rate; /* owned: batch each */
	double *hist;           /* owned: batch x (rate_window + 1) q values */
	size_t *pos;            /* owned: batch, the packed row of each point */
	size_t *who;            /* owned: batch, the point in each packed row */
	size_t *since;          /* owned: batch, steps since the last rate change */
	size_t *steps;          /* owned: batch, Adam steps taken */
	size_t *newton;         /* owned: batch, Newton steps taken */
	double *qmark;          /* owned: batch, q at the last stall check */
	double *handoff;        /* owned: batch, the q below which Newton is
	                           tried next */
	/* stage 2, one point at a time */
	double *A;              /* owned: n x n, the residual's Jacobian, when
	                           n <= dense_max (else NULL) */
	dk_gmres_work *gmres;   /* owned: when n > dense_max (else NULL) */
	double *nr, *nd, *nx, *nt; /* owned: n each: r, step, trial x, trial r */
	double *ny;             /* owned: n, the point a Newton attempt moves */
	int *piv;               /* owned: n, the pivots of the LU in A */
	double *nb;             /* owned: n, where the run's last streak of
	                           quadratic steps began */
	/* the fixed points this dk_fixed_find has polished (fixed_known.c),
	   dense Newton only: known_cap of them at most (0 above dense_max) */
	int known_on;           /* consulted and filled: only within
	                           dk_fixed_find */
	size_t known_cap, known_count;
	double *known_x;        /* owned: known_cap x n, the points */
	double *known_lu;       /* owned: known_cap x n x n, LU factors of the
	                           last Jacobian of each one's run */
	int *known_piv;         /* owned: known_cap x n, their pivots */
	double *known_radius;   /* owned: known_cap, how far the run was seen
	                           converging quadratically */
	double *known_res;      /* owned: known_cap, |r| at each point */
	double *kd;             /* owned: n, a chord step */
	int hit;                /* the kept point the last Newton run ended
	                           on, or -1 */
	int probe;              /* the runs from the start states: a chord
	                           probe may find a kept point's basin */
	dk_fixed_counts kstats; /* the work done, for tests and benchmarks */
};

/* The nearest kept point within its radius of x (residual r), or -1;
   *before receives the distance to it, *after the distance from it of
   x plus the chord step with its LU (the step left in w->kd), or plus
   step when not NULL (a Newton step from x): x is in its basin when
   dk_fixed_known_in_basin(*before, *after). */
int dk_fixed_known_find(dk_fixed_work *w, const double *x, const double *r,
                        const double *step, double *before, double *after);
int dk_fixed_known_in_basin(double before, double after);
/* Keep x (|r| res), polished by a dense run whose last LU is in w->A and
   w->piv and whose quadratic streak began radius away; nothing when
   full, off, or x is within tol_unique of a kept point. */
/* Kept point j was reached by quadratic steps from radius away: its
   radius grows to that. */
void dk_fixed_known_widen(dk_fixed_work *w, size_t j, double radius);
void dk_fixed_known_add(dk_fixed_work *w, const double *x, double res,
                        double radius);

/* dk_fixed_newton, as an attempt (attempt = 1: give up at the first step
   that is not a quadratic one) or as the final polish (attempt = 0). */
int dk_fixed_newton_run(dk_fixed_work *w, const dk_model *m, double *x,
                        const double *u, int attempt, int64_t *steps,
                        double *res, double *history);

/*
 * Stages 1 and 2 interleaved on B points in place (x, B x n): Adam, and,
 * when polish is set, a Newton attempt whenever a point's q falls below
 * its handoff level (a point Newton brings to tol_fixed is done; one it
 * does not goes on with Adam, its level a thousandfold lower), and a
 * final Newton polish of the points Adam stops.  q, adam and newton
 * receive each point's final q and steps; res (|r|) only with polish.
 */
int dk_fixed_stages(dk_fixed_work *w, const dk_model *m, size_t B,
                    double *x, const double *u, int polish, double *q,
                    int64_t *adam, int64_t *newton, double *res);

/* The LU factors of the n x n row-major A in place, with pivots piv
   (n), by fixed_lu.c's own routine for small n, by LAPACK above; 0, or
   > 0 when a pivot is zero (A singular; the factors are then of no
   use). */
int dk_fixed_lu_factor(size_t n, double *a, int *piv);
/* b = A^{-1} b with the factors dk_fixed_lu_factor left. */
void dk_fixed_lu_solve(size_t n, const double *lu, const int *piv, double *b);

/* sqrt(sum v_i^2), guarded against overflow by no more than BLAS does. */
double dk_fixed_norm(size_t n, const double *v);

#endif
