/*
 * lyap.h -- Lyapunov spectra of a model along one trajectory, by repeated
 * QR (Benettin et al. 1980; Shimada and Nagashima 1979).
 *
 * The state follows x_{t+1} = F(x_t, u_t); an n x k orthonormal basis Q
 * follows the tangent map, Q <- (dF/dx) Q, and is orthonormalised by a
 * QR every `every` steps (Cholesky QR once or twice where the basis is
 * well enough conditioned, Householder where it is not).  The logs of |R_ii| summed over the
 * measured steps, divided by the time they cover, are the k largest
 * exponents.  For a continuous-time model F integrates the flow over dt,
 * so its Jacobian is the flow's over dt and the exponents come out per
 * unit time (dk_model_step_time).  Memory is O(n k) plus the model's
 * workspace; the trajectory is never stored.
 */
#ifndef DK_ANALYSIS_LYAP_H
#define DK_ANALYSIS_LYAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/tensor.h"
#include "models/model.h"
#include "stream/bundle.h"

/* How the tangent vectors are advanced. */
typedef enum {
	DK_LYAP_JVP,      /* one batched jvp of the k basis vectors */
	DK_LYAP_JACOBIAN  /* the dense Jacobian, then one matrix product */
} dk_lyap_tangent;

/* "jvp" or "jacobian", and back (DK_EINVAL for another name). */
const char *dk_lyap_tangent_name(dk_lyap_tangent t);
int dk_lyap_tangent_from_name(const char *name, dk_lyap_tangent *t);

/* How the basis is orthonormalised. */
typedef enum {
	DK_LYAP_QR_AUTO,        /* the default: Cholesky QR once, through
	                           R's inverse, and twice where the basis is
	                           ill-conditioned (kappa_1(R) above
	                           DK_LYAP_KAPPA_ONE_PASS) and at every QR
	                           whose sums are read (the end of the basis
	                           transient, of a block, at a checkpoint, of
	                           the run), Householder where Cholesky
	                           cannot be trusted */
	DK_LYAP_QR_HOUSEHOLDER, /* Householder always */
	DK_LYAP_QR_CHOLESKY,    /* Cholesky QR once (the first basis twice),
	                           Householder as for AUTO: half the work;
	                           the orthogonality a pass leaves undone
	                           the next QR's R takes up, so the sums of
	                           log |R_ii| differ from CHOLESKY2's by
	                           rounding and by the last QR's residue only */
	DK_LYAP_QR_CHOLESKY2    /* Cholesky QR twice every time, Householder
	                           as for AUTO (the default before AUTO) */
} dk_lyap_qr;

/*
 * AUTO keeps one Cholesky pass while kappa_1(R) = |R|_1 |R^-1|_1 stays
 * at or below this: the pass then leaves Q off orthonormal by about
 * eps kappa^2 < 1e-9, which the next QR's R takes up, and its Q = A R^-1
 * (through the explicit inverse) has a residual |Q R - A| of at most
 * about k eps kappa_1 |A| < 2e-11 |A| for k <= 64 (4e-13 for the
 * kappa_1 of 25 to 36 of a step of a 512-unit tanh network of gain 2).
 */
#define DK_LYAP_KAPPA_ONE_PASS 1e3

/* "auto", "householder", "cholesky" or "cholesky2", and back
   (DK_EINVAL for another name). */
const char *dk_lyap_qr_name(dk_lyap_qr q);
int dk_lyap_qr_from_name(const char *name, dk_lyap_qr *q);

/*
 * A trajectory whose state grows without bound (a ReLU network's, say)
 * has no attractor: the growth rate of its perturbations is no measure
 * of chaos.  A state with an entry beyond this bound counts as diverged.
 */
#define DK_LYAP_MAX_STATE_DEFAULT 1e8

typedef struct dk_lyap_options {
	size_t k;               /* exponents, 1 <= k <= n (0 before
	                           dk_lyap_options_fit: n) */
	size_t steps;           /* measured steps, >= 1 (0 before
	                           dk_lyap_options_fit: as the start allows) */
	size_t transient;       /* steps of the state before the basis starts */
	size_t basis_transient; /* steps of the basis whose R are discarded */
	size_t every;           /* orthonormalise every this many steps, >= 1 */
	size_t checkpoints;     /* rows of the trace wanted, >= 1 */
	size_t blocks;          /* blocks of the standard errors wanted, >= 2 */
	dk_lyap_tangent tangent;
	dk_lyap_qr qr;
	int check;              /* also the two-trajectory estimate of l1 */
	double max_state;       /* bound on max_i |x_i|, > 0, may be
	                           infinite (0: DK_LYAP_MAX_STATE_DEFAULT) */
	int allow_divergence;   /* 1: a state beyond the bound is flagged in
	                           the result, not an error */
	uint64_t seed;          /* the first basis and the check's direction */
	/* called, when not NULL, now and then with the steps done of the
	   total (for a progress display; it must not call back in) */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
} dk_lyap_options;

/* What a run found; the arrays belong to the workspace and live until
   the next run or dk_lyap_free. */
typedef struct dk_lyap_result {
	size_t k;
	double step_time;         /* time per step: dt, or 1 for maps */
	const double *exponents;  /* k, per unit time, in QR order */
	const double *std_error;  /* k: standard error of the block estimates */
	size_t blocks;            /* blocks used (fewer when few QRs) */
	size_t checkpoints;       /* rows of the trace (fewer when few QRs) */
	const double *trace;      /* checkpoints x k: running estimates */
	const size_t *trace_steps; /* checkpoints: measured steps at each */
	double dimension;         /* Kaplan-Yorke dimension */
	int dimension_bound;      /* 1: every partial sum >= 0 with k < n, so
	                             dimension = k is only a lower bound */
	double entropy;           /* sum of the positive exponents */
	size_t qrs;               /* QRs after the first basis's */
	size_t householder_qrs;   /* how many of them (and of the first
	                             basis's) Cholesky QR left to Householder */
	size_t second_passes;     /* AUTO: how many of them had a second
	                             Cholesky pass for their kappa (not
	                             counting those whose sums are read) */
	/* with options.check: l1 from two nearby trajectories, renormalised
	   every step, its standard error, the tolerance allowed, and whether
	   |check - exponents[0]| <= tolerance */
	double check, check_error, check_tolerance;
	int check_agrees;
	/* with options.allow_divergence: the first step after which an entry
	   of the state was beyond the bound (0: none), and then dimension
	   and entropy are NaN; the exponents are the perturbations' growth
	   rates along the diverging trajectory */
	size_t diverged_after;
} dk_lyap_result;

typedef struct dk_lyap dk_lyap;

/*
 * A workspace for spectra of m under options o (copied).  DK_EINVAL with
 * a message for options out of range; DK_ENOMEM.
 */
int dk_lyap_alloc(const dk_model *m, const dk_lyap_options *o, dk_lyap **out,
                  char *err, size_t errlen);
void dk_lyap_free(dk_lyap *l);

/* Steps a run takes in all: transient + basis_transient + steps. */
size_t dk_lyap_total_steps(const dk_lyap *l);

/*
 * The spectrum along the trajectory from x0 (n doubles).  u is NULL for
 * zero input, else row t of the input is u + t * u_stride (input-size
 * doubles), for dk_lyap_total_steps rows.  DK_EINVAL with a message when
 * the state stops being finite; DK_ELIMIT with a message when an entry
 * of it goes beyond options.max_state, unless options.allow_divergence;
 * DK_ENUMERIC when a QR fails.
 */
int dk_lyap_run(dk_lyap *l, const double *x0, const double *u,
                size_t u_stride, dk_lyap_result *res, char *err,
                size_t errlen);

/*
 * The Kaplan-Yorke dimension of the spectrum l (k values of a system of n
 * dimensions; sorted in place into decreasing order): j + S_j / |l_{j+1}|
 * with j the largest index whose partial sum S_j >= 0; 0 when l_1 < 0.
 * *bound (may be NULL) is set when every partial sum is >= 0 and k < n:
 * the value k is then only a lower bound.
 */
double dk_lyap_kaplan_yorke(double *l, size_t k, size_t n, int *bound);

/*
 * Where a trajectory starts and what drives it (lyap_start.c): a state,
 * and an input sequence or none.
 */
typedef struct dk_lyap_start {
	double *x0;          /* owned: n, the first state */
	dk_tensor *input;    /* owned: f8 (time, batch, feature), or NULL */
	const double *u;     /* into input: row 0 of the entry followed, or
	                        NULL for zero input */
	size_t u_stride, u_rows; /* doubles from row to row; rows */
	char how[96];        /* how it started, for the attrs */
} dk_lyap_start;

/* The measured steps of an autonomous run when none are asked for. */
#define DK_LYAP_STEPS_DEFAULT 1000

/*
 * An autonomous start: N(0, 1) entries drawn from seed, from a stream
 * apart from the one dk_lyap_run draws the basis from with the same
 * seed.  DK_ENOMEM with a message.
 */
int dk_lyap_start_random(dk_lyap_start *s, const dk_model *m, uint64_t seed,
                         char *err, size_t errlen);
/*
 * A start from the stream b.  When b holds the tensor named input
 * (time, batch, m's input size), the run follows its batch entry entry,
 * from that entry's row of h0 (dk_model_h0_from_bundle) or the zero
 * state; otherwise it starts from the state number point of the states
 * dk_points_from_bundle finds, with zero input.  DK_EINVAL with a
 * message for an entry or point out of range or tensors that do not fit
 * m; DK_ENOMEM.  Either may be DK_LYAP_UNSET (then 0); one set that the
 * stream gives no use for (a point beside an input, an entry beside
 * states) is refused rather than ignored.
 */
#define DK_LYAP_UNSET ((size_t)-1)
int dk_lyap_start_from_bundle(dk_lyap_start *s, const dk_model *m,
                              const dk_bundle *b, size_t entry, size_t point,
                              char *err, size_t errlen);
/* Free what s owns and reset it; a zeroed s is clear already. */
void dk_lyap_start_clear(dk_lyap_start *s);

/*
 * Complete o for a run of m from s: k 0 becomes n (every exponent);
 * steps 0 becomes what s's input leaves after the transients, or
 * DK_LYAP_STEPS_DEFAULT with no input.  DK_EINVAL with a message when
 * s's input is too short for the transients and the measured steps.
 */
int dk_lyap_options_fit(dk_lyap_options *o, const dk_model *m,
                        const dk_lyap_start *s, char *err, size_t errlen);

/*
 * The result r of a run of m from s under o as records (lyap_records.c),
 * each with the attrs "lyap" that say how it ran (units, step time,
 * steps, transients, QR interval, blocks, tangent, start, QRs, and the
 * QR method when not AUTO, else AUTO's second passes):
 *
 *	lyap/exponents    f8 (exponent)              in QR order
 *	lyap/stderr       f8 (exponent)              their standard errors
 *	lyap/trace        f8 (checkpoint, exponent)  the running estimates
 *	lyap/trace_steps  i8 (checkpoint)            measured steps at each
 *	lyap/dimension    f8 ()   Kaplan-Yorke; attrs: lower_bound
 *	lyap/entropy      f8 ()   attrs: partial (positive ones may be
 *	                          missing: k < n and the last one positive)
 *	                          (both NaN when the trajectory diverged;
 *	                          the attrs "lyap" then say after which step)
 *	lyap/check        f8 ()   with o->check: the two-trajectory estimate;
 *	                          attrs: stderr, qr, tolerance, agrees
 *
 * Non-finite numbers are null in the attrs.  DK_ENOMEM.
 */
int dk_lyap_to_bundle(const dk_lyap_result *r, const dk_lyap_options *o,
                      const dk_model *m, const dk_lyap_start *s,
                      dk_bundle *b);

#endif
