/*
 * equiv_objects.h -- the shift equivariance of a model's dynamical
 * objects: whether its fixed points are closed under the cyclic shifts
 * of its rings or sheets, whether the spectra at the shifted points
 * are those at the points, and optionally whether the Lyapunov spectrum
 * from a shifted start is that from the start.
 *
 * For each fixed point x* of a set (dk-fixed's fp/x, the points of kind
 * 1) and each shift g (equiv.h's action, on the input too when it lies
 * on the medium):
 *
 *   residual   |F(g x*, g u) - g x*| / |g x*|: g x* is a fixed point
 *              when this is round-off, as it is for an equivariant F;
 *   distance   min over the set's fixed points x_j of |g x* - x_j| /
 *              |x*|, and the nearest j: g x* is in the set when the
 *              distance is at most the tolerance, else it is a missing
 *              orbit member (point, shift);
 *   spectrum   the largest difference between the Jacobian eigenvalues
 *              at g x* and at x*, each eigenvalue at x* (in sorted
 *              order) matched with the nearest one at g x* not matched
 *              yet, relative to the largest modulus at x* (dense
 *              Jacobians: states of at most spectra_max units).
 *
 * With lyapunov_steps, the Lyapunov spectrum (lyap.h: every exponent,
 * jvp tangents, 100 transient steps of the state and 100 of the basis,
 * 10 blocks) from dk-lyap's random start x0 of the seed under u, and
 * from g x0 under g u with the same basis seed, for each shift: the
 * largest difference of the sorted exponents, and the same in units of
 * their combined standard error, sqrt(se^2 + se_g^2).
 */
#ifndef DK_ANALYSIS_EQUIV_OBJECTS_H
#define DK_ANALYSIS_EQUIV_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/equiv.h"
#include "models/model.h"
#include "stream/bundle.h"

/* dk-fixed's merge tolerance (tol_unique), as a relative distance here */
#define DK_EQUIV_OBJECTS_TOLERANCE_DEFAULT 1e-6
#define DK_EQUIV_OBJECTS_SPECTRA_MAX 400

typedef struct dk_equiv_objects_options {
	double tolerance;      /* a shifted point is in the set within this
	                          relative distance: finite, > 0 */
	int spectra;           /* compare the spectra (default 1) */
	size_t spectra_max;    /* refuse spectra above this state size */
	size_t lyapunov_steps; /* measured steps of the Lyapunov part (0:
	                          none) */
	uint64_t seed;         /* its start and basis */
} dk_equiv_objects_options;

dk_equiv_objects_options dk_equiv_objects_options_default(void);

typedef struct dk_equiv_objects_result {
	dk_layout layout;
	size_t elements, axes;   /* shifts measured, and their axes */
	int64_t *shifts;         /* owned: elements x axes */
	size_t points;           /* P, the set's points */
	size_t n;                /* their units */
	size_t fixed;            /* those of kind 1 */
	double *residual;        /* owned: P x elements (NaN: not fixed) */
	double *distance;        /* owned: P x elements (NaN: not fixed) */
	int64_t *nearest;        /* owned: P x elements (-1: not fixed) */
	size_t missing;          /* orbit members not in the set */
	int64_t *missing_at;     /* owned: missing x 2 (point, element) */
	double *spectrum_error;  /* owned with spectra: P x elements (NaN:
	                            not fixed), else NULL */
	double *lyap_exponents;  /* owned with lyapunov_steps: n, from x0,
	                            decreasing */
	double *lyap_difference; /* owned likewise: elements x 2, the largest
	                            |difference| and the same in standard
	                            errors */
	double max_residual, max_spectrum;
	double tolerance;
	int input_transformed;
	char summary[512];
} dk_equiv_objects_result;

/*
 * Measure the P points x (P x n) of kinds kind (P values, NULL: all
 * fixed) of m, held at the input u (the model's inputs, NULL: zero),
 * under the shifts of o (its shift, rings, sheet; the rest unused) into
 * r.  DK_EINVAL with a message for bad options or a point that is not
 * finite; DK_ELIMIT with one for a state too large for the spectra
 * (above spectra_max: leave them out); the layout's errors
 * (dk_equiv_layout); the model's and the spectra's; DK_ENOMEM.
 */
int dk_equiv_objects_run(const dk_model *m, const dk_equiv_options *o,
                         const dk_equiv_objects_options *oo, size_t P,
                         const double *x, const int64_t *kind,
                         const double *u, dk_equiv_objects_result *r,
                         char *err, size_t errlen);
/*
 * The same on the set of dk-fixed's records in b: the points of fp/x
 * (or those dk_points_from_bundle finds), their kinds fp/kind (all fixed
 * without it), and the input of the attrs fixed.input of fp/x (zero
 * without it).  DK_EINVAL with a message for records that do not fit m,
 * or points held at inputs of their own (fp/u); dk_equiv_objects_run's.
 */
int dk_equiv_objects_from_bundle(const dk_model *m, const dk_equiv_options *o,
                                 const dk_equiv_objects_options *oo,
                                 const dk_bundle *b, dk_equiv_objects_result *r,
                                 char *err, size_t errlen);
void dk_equiv_objects_result_clear(dk_equiv_objects_result *r);

/*
 * As records, each with the attrs "equiv" (group "objects", layout,
 * tolerance, input_transformed), the last also with missing, the
 * largest residual and spectrum error, the Lyapunov exponents from x0
 * (lyapunov_exponents, with lyapunov_steps) and the summary:
 *
 *	equiv/shifts          i8 (element, axis)
 *	equiv/orbit_residual  f8 (point, element)
 *	equiv/orbit_distance  f8 (point, element)
 *	equiv/orbit_nearest   i8 (point, element)
 *	equiv/orbit_spectrum  f8 (point, element)   with spectra
 *	equiv/orbit_lyapunov  f8 (element, field)   with lyapunov_steps:
 *	                      the largest difference, in standard errors
 *	equiv/missing         i8 (missing, field)   point, shift (dy, dx)
 *
 * DK_ENOMEM.
 */
int dk_equiv_objects_to_bundle(const dk_equiv_objects_result *r,
                               dk_bundle *b);

#endif
