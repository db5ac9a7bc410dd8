/*
 * gmres.h -- restarted GMRES on a matrix-free operator.
 *
 * Solves A x = b for a dk_linop A seen only through its action, as the
 * Newton-Krylov polish of fixed points and the shift-invert mode of the
 * Arnoldi eigensolver need: each step of Newton's method or of
 * shift-invert is one such solve with a model's Jacobian.  The Krylov
 * basis is orthogonalised by modified Gram-Schmidt with a second pass
 * (which keeps it orthogonal to working precision), the small
 * least-squares problem is kept triangular by Givens rotations, and the
 * method restarts every `restart` iterations to bound memory at
 * (restart + 1) vectors of size n.
 */
#ifndef DK_LINALG_GMRES_H
#define DK_LINALG_GMRES_H

#include <stddef.h>

#include "linalg/linop.h"

typedef struct dk_gmres_work dk_gmres_work;

/*
 * Workspace for operators of size n, restarting every `restart`
 * iterations; NULL when out of memory or when n or restart is 0.
 */
dk_gmres_work *dk_gmres_alloc(size_t n, size_t restart);
void dk_gmres_free(dk_gmres_work *w);

/*
 * Solve A x = b.  x holds the initial guess on entry (all zeros is the
 * usual choice, and costs no product), the solution on return.
 * Stops when ||b - A x|| <= rtol * ||b|| or after maxiter (>= 1)
 * matrix-vector products.  *iters and *relres (either may be NULL)
 * receive the products used and the final relative residual
 * ||b - A x|| / ||b||, computed from a true residual, not the Krylov
 * estimate.
 *
 * Returns DK_OK when the iteration ran, converged or not: the caller
 * judges convergence from *relres.  b = 0 gives x = 0 with no products.
 * Otherwise DK_EINVAL (sizes differ, rtol < 0, maxiter 0), DK_ENUMERIC
 * (a residual or basis vector is not finite), or the status apply
 * returned, with x left at the last complete restart.
 */
int dk_gmres_solve(dk_gmres_work *w, const dk_linop *A, const double *b,
                   double *x, double rtol, size_t maxiter, size_t *iters,
                   double *relres);

#endif
