/*
 * fixed.h -- fixed and slow points of a model under a constant input.
 *
 * A fixed point is a state where the dynamics stand still.  Two
 * conventions say what "still" means, each with its speed q(x):
 *
 *	map:  q(x) = 1/2 |F(x, u) - x|^2   (F the model's step; the default
 *	                                     for discrete-time models)
 *	flow: q(x) = 1/2 |f(x, u)|^2       (f the vector field; the default
 *	                                     for continuous-time models)
 *
 * The residual r(x) is F(x) - x (map) or f(x) (flow), so q = |r|^2 / 2.
 * The search runs in three stages over a batch of start states:
 *
 *  1. first-order minimisation of q, as FixedPointFinder (Golub and
 *     Sussillo 2018) does it: Adam with an adaptive learning rate and
 *     gradient-norm clipping, stopping on q, on the change of q, or at an
 *     iteration cap (fixed_adam.c);
 *  2. a Newton polish of r(x) = 0 with a backtracking line search on |r|,
 *     dense LU for small states, GMRES on Jacobian-vector products
 *     (Newton-Krylov) for large ones (fixed_newton.c), which brings true fixed
 *     points to machine precision in a few steps; a point whose residual
 *     stays above tol_fixed is a slow point (kind 0), not a fixed point;
 *  3. merging of duplicates within tol_unique in the max-norm, keeping the
 *     lowest q, and rejection of distance outliers (fixed_dedup.c).
 *
 * Besides, with newton_starts, a Newton polish from every start state
 * itself, whose converged points join the candidates before stage 3: a
 * fixed point near a start is then found even when Adam, whose steps
 * follow the gradient of q, leaves its basin for another.  This is
 * FixedPointFinder's algorithm (joint Adam on q, adaptive learning rate,
 * gradient clipping, tolerances on q and its change, unique points, distance
 * outliers) run per point rather than jointly, with these two Newton
 * stages added.  Within dk_fixed_find, a dense Newton run stops as soon as
 * it enters the basin of a fixed point an earlier run of the same call
 * polished (fixed_known.c), and reuses its LU near convergence: most
 * starts end at a few points, which are polished once.
 *
 * Points are of three kinds: fixed (1: |r| <= tol_fixed), slow (0), and
 * diverged (2: q not finite, or above the largest q of the start states,
 * so the minimisation ran away rather than down).  Diverged points,
 * slow points whose q exceeds max_q, and distance outliers are left out
 * unless keep_diverged, max_q infinite and outlier_scale 0 say otherwise.
 *
 * The caller owns every array; a workspace is allocated once per model,
 * batch and options (dk_fixed_work_alloc).
 */
#ifndef DK_ANALYSIS_FIXED_H
#define DK_ANALYSIS_FIXED_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "models/convention.h"
#include "models/model.h"
#include "stream/bundle.h"


/* The search's settings; dk_fixed_opts_default gives the defaults below. */
typedef struct dk_fixed_opts {
	dk_convention convention;
	/* stage 1: Adam (FixedPointFinder's defaults) */
	size_t max_iters;     /* iteration cap per point: 5000 */
	double tol_q;         /* stop when q < tol_q: 1e-12 */
	double tol_dq;        /* ... or when |dq| < tol_dq * rate: 1e-20 */
	double rate;          /* initial learning rate: 1 */
	double rate_decrease; /* factor when q rose above the window: 0.95 */
	double rate_increase; /* factor after a monotone window: 1/0.95 */
	size_t rate_window;   /* steps in the window, and between changes: 5 */
	double adam_beta1;    /* 0.9 */
	double adam_beta2;    /* 0.999 */
	double adam_eps;      /* 1e-8, as torch.optim.Adam */
	double clip;          /* gradient-norm ceiling per point: 1e12 */
	double stall;         /* stop a point whose q fell by less than this
	                         fraction over the last stall_window steps:
	                         1e-2 (0: never) */
	size_t stall_window;  /* 100 */
	double handoff_q;     /* try Newton when q falls below this: 0.1 */
	/* stage 2: Newton */
	size_t newton_iters;  /* Newton steps per point at most: 50 (0: none) */
	double tol_fixed;     /* |r| at or below which a point is fixed: 1e-10 */
	size_t dense_max;     /* largest state solved by dense LU: 1024; larger
	                         ones by GMRES on Jacobian-vector products */
	size_t krylov_iters;  /* GMRES products per Newton step at most: 500 */
	/* stage 3 */
	double tol_unique;    /* merge points this close (max-norm): 1e-6 */
	double outlier_scale; /* drop points farther from the starts' centroid
	                         than this many mean start distances: 10, as
	                         FixedPointFinder's outlier_distance_scale
	                         (0: keep them) */
	double max_q;         /* drop slow points whose q exceeds this: inf */
	int keep_diverged;    /* keep the diverged points (kind 2): 0 */
	int newton_starts;    /* also Newton from every start state: 1 */
	/* called, when not NULL, now and then with the work done of the
	   total (points finished by Adam, then starts Newton has tried), for
	   a progress display; it must not call back in */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
} dk_fixed_opts;

/* The kinds of point. */
enum { DK_FIXED_SLOW = 0, DK_FIXED_FIXED = 1, DK_FIXED_DIVERGED = 2 };

void dk_fixed_opts_default(dk_fixed_opts *o);

/* The points found: arrays of capacity P points, filled by the calls. */
typedef struct dk_fixed_points {
	size_t count;         /* points held */
	size_t capacity;      /* points the arrays hold at most */
	size_t n;             /* state size */
	double *x;            /* count x n */
	double *q;            /* count */
	double *residual;     /* count: |r(x)| */
	int64_t *adam_iters;  /* count */
	int64_t *newton_iters; /* count */
	int64_t *kind;        /* count: DK_FIXED_FIXED, _SLOW or _DIVERGED */
} dk_fixed_points;

typedef struct dk_fixed_work dk_fixed_work;

/* The work the searches on a workspace have done since it was made, for
   tests and benchmarks (dk_fixed_work_counts). */
typedef struct dk_fixed_counts {
	uint64_t adam_steps;    /* Adam steps, summed over the points */
	uint64_t newton_steps;  /* Newton steps taken (chord steps included) */
	uint64_t jacobians;     /* dense Jacobians formed and LU-factored */
	uint64_t chord_steps;   /* steps that reused the last LU instead */
	uint64_t chord_tests;   /* basin tests against a kept point */
	uint64_t known_hits;    /* Newton runs that ended in a kept point's
	                           basin (fixed_known.c) */
	uint64_t probe_steps;   /* chord steps of the probes of basins
	                           (fixed_newton.c) */
} dk_fixed_counts;

/*
 * A workspace for up to batch start states of model m with settings o
 * (o is copied); NULL when out of memory.  The dense Newton solve needs
 * an n x n matrix, kept here when n <= dense_max; above, GMRES keeps
 * about 50 vectors of size n instead.
 */
dk_fixed_work *dk_fixed_work_alloc(const dk_model *m, size_t batch,
                                   const dk_fixed_opts *o);
void dk_fixed_work_free(dk_fixed_work *w);
void dk_fixed_work_counts(const dk_fixed_work *w, dk_fixed_counts *c);

/* A points array of capacity P for states of size n; NULL when out of
   memory. */
dk_fixed_points *dk_fixed_points_alloc(size_t P, size_t n);
void dk_fixed_points_free(dk_fixed_points *p);

/*
 * The whole search: from the B start states x0 (B x n) under input u
 * (m values; NULL for zero), stages 1 to 3, the distinct points in out
 * (capacity at least B, or 2 B with newton_starts) sorted by kind (fixed,
 * slow, diverged), then q.  DK_EINVAL with a message when the convention
 * does not fit the model (flow on a discrete-time model), B exceeds the
 * workspace or out is too small; a model's status passes through.
 */
int dk_fixed_find(dk_fixed_work *w, const dk_model *m, size_t B,
                  const double *x0, const double *u, dk_fixed_points *out,
                  char *err, size_t errlen);

/*
 * The stages one by one, for tests and for callers that want them apart.
 * Stage 1 on B points in place: x (B x n) moves, q and iters (B each)
 * receive each point's final q and Adam iterations.
 */
int dk_fixed_adam(dk_fixed_work *w, const dk_model *m, size_t B, double *x,
                  const double *u, double *q, int64_t *iters);
/*
 * Stage 2 on one point in place: Newton steps on r(x) = 0 from x, with
 * line search; *steps receives the steps taken, *res the final |r|, and
 * history (when not NULL) the residual before each step and after the
 * last (at most newton_iters + 1 values; *steps + 1 are written).
 */
int dk_fixed_newton(dk_fixed_work *w, const dk_model *m, double *x,
                    const double *u, int64_t *steps, double *res,
                    double *history);
/* r(x) for B points, and q, its half squared norm (q may be NULL). */
int dk_fixed_residual(dk_fixed_work *w, const dk_model *m, size_t B,
                      const double *x, const double *u, double *r,
                      double *q);

/*
 * Stage 3: keep one point per group of points within tol (max-norm,
 * grouped transitively), the one with the lowest q, in their first
 * order; p->count shrinks.  Pairs are found by sorting along a fixed
 * direction, so typical sets take O(P log P), not O(P^2).  DK_ENOMEM.
 */
int dk_fixed_dedup(dk_fixed_points *p, double tol);
/*
 * Drop points farther from the centroid of the B start states x0 than
 * scale times the start states' mean distance to it (FixedPointFinder's
 * distance outliers).
 */
int dk_fixed_drop_outliers(dk_fixed_points *p, size_t B, const double *x0,
                           double scale);

/*
 * The spectrum of each of the p->count points (fixed_jac.c): eig (count
 * x n) the eigenvalues of the Jacobian of the step (map) or of the field
 * (flow) at the point, sorted by decreasing modulus (map) or real part
 * (flow) as dk_spectrum_compute sorts them, and index (count) the
 * unstable directions among them (|lambda| > 1 + tol, or Re lambda >
 * tol).  Dense: O(n^3) per point, eigenvalues alone (dk-jac's to
 * rounding, not bit for bit).  DK_EINVAL, DK_ENOMEM, DK_ENUMERIC with a
 * message.
 */
int dk_fixed_spectra(const dk_model *m, dk_convention conv,
                     const dk_fixed_points *p, const double *u, double tol,
                     double complex *eig, int64_t *index, char *err,
                     size_t errlen);

/*
 * Start states: count rows drawn at random without replacement from the
 * P rows of states (P x n; count <= P), in the order drawn, each plus
 * N(0, sigma^2) noise per entry; the draws come from seed alone.
 * DK_EINVAL when count > P; DK_ENOMEM.
 */
int dk_fixed_sample(size_t P, size_t n, const double *states, size_t count,
                    double sigma, uint64_t seed, double *out);

/*
 * The search on a model as one call (fixed_run.c): where the start
 * states come from, the input held, the settings, and whether the
 * points' spectra are wanted.  dk_fixed_search_default gives the
 * defaults below.
 */
typedef struct dk_fixed_search {
	const double *u;      /* borrowed: the constant input, nu values (the
	                         model's input size); NULL: zero input */
	size_t nu;
	const double *inputs; /* borrowed: P x the model's input size, each
	                         state's own constant input (FixedPointFinder's
	                         sample_inputs_and_states), which its start
	                         keeps; NULL: u for every start.  Not with u. */
	size_t sample;        /* start from this many of the states, drawn
	                         without replacement; 0: every state, in order */
	double noise;         /* add N(0, noise^2) to every start value: 0 */
	uint64_t seed;        /* of the draws of sample and noise: 0 */
	int spectra;          /* also each point's spectrum: 0 */
	double spectra_tol;   /* how far inside the stability boundary an
	                         eigenvalue must lie to be stable: 1e-10 (as
	                         dense spectra take it) */
	dk_fixed_opts opts;   /* dk_fixed_opts_default */
} dk_fixed_search;

void dk_fixed_search_default(dk_fixed_search *s);

/* What dk_fixed_run found; dk_fixed_result_free frees it all. */
typedef struct dk_fixed_result {
	dk_fixed_search search; /* as run (its u borrowed from the caller's
	                           and not to be read after) */
	size_t m;               /* the model's input size */
	double *input;          /* owned: m values, the input held */
	dk_fixed_points *points; /* owned: the distinct points */
	double complex *eig;    /* owned: points->count x n eigenvalues with
	                           spectra (dk_fixed_spectra), else NULL */
	int64_t *index;         /* owned: points->count unstable directions
	                           with spectra, else NULL */
	double *point_input;    /* owned: points->count x m, each point's
	                           input, with search.inputs (else NULL) */
	size_t outputs;         /* the model's readout size */
	double *output;         /* owned: points->count x outputs, the readout
	                           at each point (NULL without outputs) */
	dk_fixed_counts counts; /* the work the search did */
} dk_fixed_result;

/*
 * count start states can be drawn from P states: DK_OK, or DK_EINVAL
 * with a message.
 */
int dk_fixed_check_sample(size_t P, size_t count, char *err, size_t errlen);

/*
 * The search s on model m from the P states (P x n; or s->sample of
 * them drawn, with s->noise, from s->seed; with noise alone all P in a
 * drawn order): dk_fixed_find on those starts under the input, and with
 * s->spectra dk_fixed_spectra of every point found.  With s->inputs the
 * starts are searched in groups of equal input, each group as one
 * dk_fixed_find (points are merged only within a group), the groups in
 * the order their input first comes among the starts.  *out is a new
 * result.  DK_EINVAL with a message for a spec that does not fit the
 * model or the states (dk_fixed_check_sample, dk_convention_check,
 * dk_model_check_inputs, in that order); the search's and the spectra's
 * errors pass through; DK_ENOMEM.
 */
int dk_fixed_run(const dk_model *m, size_t P, const double *states,
                 const dk_fixed_search *s, dk_fixed_result **out, char *err,
                 size_t errlen);
void dk_fixed_result_free(dk_fixed_result *r);

/*
 * The result as records (fixed_records.c), each with the attrs "fixed"
 * that say how the search ran (its convention, input and settings):
 *
 *	fp/x      f8 (point, unit)   the points
 *	fp/q      f8 (point)         their q
 *	fp/iters  i8 (point, stage)  Adam's and Newton's steps
 *	fp/kind   i8 (point)         1 fixed, 0 slow, 2 diverged
 *	fp/eig    c16 (point, eig)   with spectra: the eigenvalues
 *	fp/index  i8 (point)         with spectra: the unstable directions
 *	fp/output f8 (point, output) the readout at each point (models with
 *	                             outputs), which memory a point holds
 *	fp/u      f8 (point, input)  with search.inputs: each point's input
 *
 * DK_ENOMEM.
 */
int dk_fixed_to_bundle(const dk_fixed_result *r, dk_bundle *b);

#endif
