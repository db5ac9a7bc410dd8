/*
 * jacobian.h -- a model's dense Jacobians at given states, through the
 * model interface alone.
 *
 * In the map convention the Jacobian is that of the step, dF/dx; in the
 * flow convention (continuous-time models only) that of the vector
 * field, df/dx, built from field_jvp applied to the columns of the
 * identity in one batch.  The input Jacobian dF/du of the step (n x m,
 * in either convention: the interface differentiates the step, not the
 * field, with respect to the input) comes from vjp with the rows of the
 * identity as gxn, again in one batch.
 */
#ifndef DK_ANALYSIS_JACOBIAN_H
#define DK_ANALYSIS_JACOBIAN_H

#include <stddef.h>

#include "analysis/spectrum.h"
#include "models/model.h"

typedef struct dk_jacobian dk_jacobian;

/* Also compute the input Jacobian (dk_jacobian_input). */
enum { DK_JACOBIAN_INPUT = 1 };

/*
 * A workspace for the Jacobians of m (borrowed: it must outlive the
 * workspace) in convention conv.  DK_EINVAL with a message when conv is
 * flow and m is discrete-time; DK_ENOMEM.
 */
int dk_jacobian_alloc(const dk_model *m, dk_convention conv,
                      unsigned flags, dk_jacobian **out, char *err,
                      size_t errlen);
void dk_jacobian_free(dk_jacobian *j);

/* J (n x n, row-major) at state x (n) and input u (m, or NULL: zero). */
int dk_jacobian_state(dk_jacobian *j, const double *x, const double *u,
                      double *J);
/* Ju = dF/du (n x m, row-major) at (x, u); needs DK_JACOBIAN_INPUT. */
int dk_jacobian_input(dk_jacobian *j, const double *x, const double *u,
                      double *Ju);

#endif
