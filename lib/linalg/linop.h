/*
 * linop.h -- a linear operator given only by its action, y = A x.
 *
 * Matrix-free solvers (GMRES for Newton-Krylov fixed points and
 * shift-invert, Arnoldi through ARPACK for leading eigenvalues) see a
 * model's Jacobian only through jvp calls; this is the one shape those
 * calls take, so every solver accepts every operator.
 */
#ifndef DK_LINALG_LINOP_H
#define DK_LINALG_LINOP_H

#include <stddef.h>

/*
 * y = A x for vectors of the operator's size n (x and y do not overlap).
 * Returns 0 (DK_OK) or a DK_E* status, which the solver passes back.
 */
typedef int (*dk_linop_apply)(void *ctx, const double *x, double *y);

typedef struct dk_linop {
	size_t n;              /* rows and columns */
	dk_linop_apply apply;
	void *ctx;             /* borrowed; passed to apply */
} dk_linop;

#endif
