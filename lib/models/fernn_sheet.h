/*
 * fernn_sheet.h -- the fernn's and grnn's cell on a sheet through
 * products (fernn_sheet.c), and the plain loops it replaced, kept in
 * fernn.c as the reference the tests compare it with (not installed).
 *
 * Each function works on one state (row) at a time with scratch of
 * dk_fernn_sheet_scratch doubles, for a model of kind fernn or grnn on a
 * sheet; parameters and their gradients are the model's (fernn.c).
 */
#ifndef DK_MODELS_FERNN_SHEET_H
#define DK_MODELS_FERNN_SHEET_H

#include <stddef.h>

#include "models/model_impl.h"

/* Doubles of scratch per row. */
size_t dk_fernn_sheet_scratch(const dk_model *m);

/* A (the state's size) = W * T_nu x_nu + U * u + b per slice (u NULL:
   no input). */
void dk_fernn_sheet_preact(const dk_model *m, double *work, const double *x,
                           const double *u, double *A);
/* out = W * T_nu dx_nu per slice (before the relu's mask). */
void dk_fernn_sheet_tangent(const dk_model *m, double *work, const double *dx,
                            double *out);
/*
 * With g = relu'(A) gxn already in g (the state's size): gx (overwritten
 * when not NULL) = T_nu^T W^T g_nu per slice, gu (overwritten when not
 * NULL) = U^T sum_nu g_nu, and when gp is not NULL the gradients of W, U
 * and b added to the model's parameter vector layout gp.
 */
void dk_fernn_sheet_adjoint(const dk_model *m, double *work, const double *x,
                            const double *u, const double *g, double *gx,
                            double *gu, double *gp);

/*
 * The plain loops of fernn.c over B rows, with scratch of
 * dk_fernn_loops_scratch doubles: the step (relu of the pre-activation),
 * the tangent and the adjoint, as the model interface's step, jvp and
 * vjp without a cache.  The reference of tests/test_model_fernn.c.
 */
size_t dk_fernn_loops_scratch(const dk_model *m);
int dk_fernn_loops_step(const dk_model *m, double *work, size_t B,
                        const double *x, const double *u, double *xn);
int dk_fernn_loops_jvp(const dk_model *m, double *work, size_t B,
                       const double *x, const double *u, const double *dx,
                       double *dxn);
int dk_fernn_loops_vjp(const dk_model *m, double *work, size_t B,
                       const double *x, const double *u, const double *gxn,
                       double *gx, double *gu, double *gp);

#endif
