/*
 * leading.h -- the leading eigenvalues of a model's Jacobian at a state,
 * matrix-free.
 *
 * A network of 10^4 - 10^5 units has a Jacobian too big to form, but
 * Arnoldi (lib/linalg/arnoldi.h) needs only its products with vectors,
 * which the model interface gives: the jvp of the step for the map
 * convention (stability of x -> F(x, u): eigenvalues against the unit
 * circle), the jvp of the vector field for the flow convention of a
 * continuous-time model (eigenvalues against the imaginary axis).  This
 * is what dk-jac's matrix-free option calls, once per state.
 */
#ifndef DK_ANALYSIS_LEADING_H
#define DK_ANALYSIS_LEADING_H

#include <complex.h>
#include <stddef.h>

#include "linalg/arnoldi.h"
#include "models/convention.h"
#include "models/model.h"


typedef struct dk_leading_work dk_leading_work;

/*
 * A workspace for Jacobians of m (borrowed: it must outlive the
 * workspace) in convention conv, with the Arnoldi options o (k, which,
 * shift-invert sigma, ...; copied).  DK_EINVAL with a message in err for
 * the flow convention on a discrete-time model or options out of range
 * for the state size; DK_ENOMEM.
 */
int dk_leading_alloc(const dk_model *m, dk_convention conv,
                     const dk_arnoldi_opts *o, dk_leading_work **out,
                     char *err, size_t errlen);
void dk_leading_free(dk_leading_work *w);

/*
 * The o->k leading eigenvalues of the Jacobian at state x (n doubles)
 * and input u (the model's m inputs, or NULL for zero input), in the
 * order and with the outputs of dk_arnoldi_solve: eig (k), vec (n x k
 * row-major, or NULL), resid (k residuals ||J v - lambda v||, or NULL),
 * stats (or NULL).  DK_EINVAL when x or u holds a value that is not
 * finite, or a status of the model's calls or of the eigensolver, with a
 * message in err.
 */
int dk_leading_solve(dk_leading_work *w, const double *x, const double *u,
                     double complex *eig, double complex *vec, double *resid,
                     dk_arnoldi_stats *stats, char *err, size_t errlen);

/* dk_leading_alloc, dk_leading_solve and dk_leading_free in one call, for
   a single state. */
int dk_leading_eigs(const dk_model *m, const double *x, const double *u,
                    dk_convention conv, const dk_arnoldi_opts *o,
                    double complex *eig, double complex *vec, double *resid,
                    dk_arnoldi_stats *stats, char *err, size_t errlen);

#endif
