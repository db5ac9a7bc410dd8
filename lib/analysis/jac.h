/*
 * jac.h -- the Jacobian analysis: at each of a set of states, a model's
 * Jacobian, its spectrum sorted the way the map or flow convention reads
 * it, and the classification of the point (index, stability, kind);
 * optionally eigenvectors, the real Schur form and the input Jacobian.
 *
 * Two methods.  Dense: the whole Jacobian (jacobian.h), every eigenvalue
 * by LAPACK (spectrum.h), the K leading kept.  Arnoldi: the K leading
 * eigenvalues matrix-free (leading.h), for models too large for a dense
 * Jacobian, with their residuals; K values settle stability, and the
 * index unless all K are unstable (dk_spectrum_classify_leading).  Bare
 * square matrices take the dense route without a model.
 *
 * The result is a set of tensors, one row per point, that
 * dk_jac_to_bundle turns into the jac/... records of dk-stream(5); this is
 * what dk-jac computes; dk-fixed's spectra of its points
 * (dk_fixed_spectra) are the same eigenvalues to rounding, by LAPACK's
 * route for eigenvalues alone.  For a tool,
 * dk_jac_points_to_bundles and dk_jac_matrices_to_bundle go from records
 * to records in one call.
 */
#ifndef DK_ANALYSIS_JAC_H
#define DK_ANALYSIS_JAC_H

#include <stddef.h>

#include "base/tensor.h"
#include "linalg/arnoldi.h"
#include "models/convention.h"
#include "models/model.h"
#include "stream/bundle.h"

typedef enum {
	DK_JAC_DENSE,   /* LAPACK on the whole Jacobian */
	DK_JAC_ARNOLDI  /* the K leading eigenvalues by ARPACK on the jvp */
} dk_jac_method;

/* "dense" or "arnoldi" (NULL for another value). */
const char *dk_jac_method_name(dk_jac_method m);

typedef struct dk_jac_options {
	dk_convention convention; /* the spectrum's reading (default map;
	                             dk_convention_of gives a model's own) */
	dk_jac_method method;     /* default dense */
	size_t top;               /* K, the leading eigenvalues kept per
	                             point; 0: all n (dense), or the default
	                             of dk_jac_resolve_top (Arnoldi) */
	int vectors;              /* eigenvectors: right and left (dense),
	                             the Ritz vectors (Arnoldi) */
	int schur;                /* dense: the real Schur form */
	int input_jacobian;       /* dense, a model: dF/du of the step */
	double tol;               /* how far from the stability boundary an
	                             eigenvalue must be to count as stable or
	                             unstable (default 1e-10) */
	dk_arnoldi_opts arnoldi;  /* Arnoldi: its options (default
	                             dk_arnoldi_opts_default's); k and which
	                             are set from top and the convention */
	size_t max_elements;      /* refuse results of more elements than
	                             this (see dk_jac_run); 0: no limit */
	/* called, when not NULL, after each state with the states done of
	   the total (for a progress display; it must not call back in) */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
} dk_jac_options;

/* Fill o with the defaults. */
void dk_jac_options_default(dk_jac_options *o);

/*
 * Settle K for states (or matrices) of size n: with the Arnoldi method
 * and top 0, the default, 6 leading eigenvalues (1 when n <= 8: a state
 * that small is cheaper dense, and ARPACK needs K + 2 <= n).  DK_EINVAL,
 * with a message about K alone, when K exceeds n or, for Arnoldi, K + 1
 * is not below n.
 */
int dk_jac_resolve_top(dk_jac_options *o, size_t n, char *err,
                       size_t errlen);

/*
 * What a run found, for P points of a state (or matrix) of size n, K
 * eigenvalues kept of each.  The tensors are owned (NULL where the
 * options did not ask for them); dk_jac_to_bundle takes them over.
 */
typedef struct dk_jac_result {
	dk_jac_options options; /* as run: top settled, arnoldi.k and .which set */
	size_t points, n, k, inputs;
	char *source;           /* owned: the matrices' name; NULL for states */
	dk_tensor *eig;         /* c16 (P, K): sorted by the convention */
	dk_tensor *cond;        /* f8 (P, K), dense: |y^H x| of each */
	dk_tensor *resid;       /* f8 (P, K), Arnoldi: ||J v - lambda v|| */
	dk_tensor *index;       /* i8 (P): unstable directions, -1 not known */
	dk_tensor *stable;      /* b1 (P) */
	dk_tensor *kind;        /* i8 (P): DK_SPECTRUM_*, -1 not known */
	dk_tensor *right;       /* c16 (P, n, K), vectors: column j belongs to
	                           eig[j] */
	dk_tensor *left;        /* c16 (P, n, K), vectors, dense */
	dk_tensor *schur_t;     /* f8 (P, n, n), schur: J = Z T Z^T */
	dk_tensor *schur_z;     /* f8 (P, n, n), schur */
	dk_tensor *input;       /* f8 (P, n, inputs), input_jacobian */
} dk_jac_result;

void dk_jac_result_free(dk_jac_result *r);

typedef struct dk_jac dk_jac;

/*
 * A workspace for the Jacobians of m (borrowed: it must outlive the
 * workspace) with options o (copied; top settled by dk_jac_resolve_top).
 * DK_EINVAL with a message for options out of range (K, the tolerance,
 * the Schur form or the input Jacobian with Arnoldi, the Arnoldi
 * options), the flow convention on a discrete-time model; DK_ENOMEM.
 */
int dk_jac_alloc(const dk_model *m, const dk_jac_options *o, dk_jac **out,
                 char *err, size_t errlen);
void dk_jac_free(dk_jac *w);

/*
 * The analysis at the P states x (P x n, row-major) under the constant
 * input u (the model's inputs, or NULL for zero input) into a new result
 * *out.  DK_ELIMIT when the results would exceed o->max_elements (the
 * eigenvalues, or with vectors or the Schur form the (P, n, n) tensors,
 * and the input Jacobians), a failure at a state as "state %zu: ...",
 * DK_ENOMEM; all with a message in err.
 */
int dk_jac_run(dk_jac *w, const double *x, size_t P, const double *u,
               dk_jac_result **out, char *err, size_t errlen);

/*
 * The dense analysis of bare matrices: a (n, n) or (P, n, n) real tensor
 * named name, into a new result *out (its source: name).  DK_EDTYPE for
 * a complex or bytes tensor, DK_EINVAL for another shape, K above n,
 * options for a model (Arnoldi, the input Jacobian) or a failure of one
 * matrix, DK_ELIMIT, DK_ENOMEM; the messages begin with name (and the
 * matrix's index in a batch).
 */
int dk_jac_matrices(const dk_tensor *a, const char *name,
                    const dk_jac_options *o, dk_jac_result **out,
                    char *err, size_t errlen);

/*
 * Add r's records to b, in this order: jac/x (the states x, taken, with
 * the name they were found under as attrs.source; none when x is NULL,
 * for matrices), jac/eig, jac/resid, jac/cond, jac/index, jac/stable,
 * jac/kind, jac/right, jac/left, jac/schur_t, jac/schur_z, jac/input,
 * those r holds, each with its axes, convention and definition.  r's
 * tensors are taken (NULL after, whatever the status); free r still.
 * DK_ENOMEM.
 */
int dk_jac_to_bundle(dk_jac_result *r, dk_tensor *x, const char *x_source,
                     dk_bundle *b);

/*
 * When the states came from dk-fixed's fp/x (name, as dk_points_from_bundle
 * gave it), its other per-point records in in (fp/q, fp/kind, fp/iters,
 * ...: every fp/... whose first axis is P) go into out, unchanged and with
 * their own metadata, so that a pipe dk-fixed | dk-jac still tells fixed
 * points from slow ones row by row beside jac/x.  Written before the jac/...
 * records and not stamped with their provenance.  Nothing for states
 * from elsewhere.  DK_ENOMEM.
 */
int dk_jac_fixed_records(const dk_bundle *in, const char *name, size_t P,
                         dk_bundle *out);

/*
 * The analysis of the (P, n) states x (taken, freed whatever the status)
 * found under name among the records in (dk_points_from_bundle), under
 * the constant input u (NULL: zero), in one call: dk-fixed's per-point
 * records that travel with them into a new bundle *pass
 * (dk_jac_fixed_records), the jac/... records into a new bundle *out
 * (dk_jac_to_bundle); both NULL on failure.  dk_jac_run's status and
 * message, or DK_ENOMEM.
 */
int dk_jac_points_to_bundles(dk_jac *w, dk_tensor *x, const char *name,
                             const dk_bundle *in, const double *u,
                             dk_bundle **pass, dk_bundle **out, char *err,
                             size_t errlen);

/*
 * dk_jac_matrices on a, then its result as records into a new bundle
 * *out (dk_jac_to_bundle, without states; NULL on failure); the status
 * and message of dk_jac_matrices, or DK_ENOMEM.
 */
int dk_jac_matrices_to_bundle(const dk_tensor *a, const char *name,
                              const dk_jac_options *o, dk_bundle **out,
                              char *err, size_t errlen);

/*
 * The settings of an analysis with options o under the constant input u
 * (nu values; none for zero input), as a new JSON object for the
 * provenance of its records: method, convention, top, vectors, schur,
 * input_jacobian, input, tol, and with the Arnoldi method its solver's
 * settings (shift null without shift-invert; 0 for a default).  NULL when
 * memory runs out.
 */
json_t *dk_jac_options_to_json(const dk_jac_options *o, const double *u,
                               size_t nu);

#endif
