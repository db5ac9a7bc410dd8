/*
 * jacobian.c -- dense Jacobians of a model at a state, from the model
 * interface (see jacobian.h).
 *
 * The batched calls evaluate the model at n copies of the same state,
 * one unit vector each, so one call gives the whole matrix and the BLAS
 * underneath works on matrices rather than vectors.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/jacobian.h"
#include "base/status.h"

struct dk_jacobian {
	const dk_model *m;    /* borrowed */
	dk_convention conv;
	unsigned flags;
	size_t n, nin;
	dk_model_work *w;     /* owned, batch n (1 for the map alone) */
	double *X;            /* owned, n x n: n copies of the state */
	double *U;            /* owned, n x nin: n copies of the input */
	double *E;            /* owned, n x n identity */
	double *D;            /* owned, n x n: J^T (flow) or dF/dx^T (input) */
};

int dk_jacobian_alloc(const dk_model *m, dk_convention conv,
                      unsigned flags, dk_jacobian **out, char *err,
                      size_t errlen)
{
	*out = NULL;
	int st = dk_convention_check(m, conv, err, errlen);
	if (st)
		return st;
	dk_jacobian *j = calloc(1, sizeof *j);
	if (!j)
		return DK_ENOMEM;
	j->m = m;
	j->conv = conv;
	j->flags = flags;
	j->n = dk_model_state_size(m);
	j->nin = dk_model_input_size(m);
	size_t n = j->n;
	int batched = conv == DK_FLOW || (flags & DK_JACOBIAN_INPUT);
	j->w = dk_model_work_alloc(m, batched ? n : 1);
	int ok = j->w != NULL;
	if (batched) {
		j->X = malloc(n * n * sizeof *j->X);
		j->U = malloc((j->nin ? n * j->nin : 1) * sizeof *j->U);
		j->E = calloc(n * n, sizeof *j->E);
		j->D = malloc(n * n * sizeof *j->D);
		ok = ok && j->X && j->U && j->E && j->D;
		if (ok)
			for (size_t i = 0; i < n; i++)
				j->E[i * n + i] = 1;
	}
	if (!ok) {
		dk_jacobian_free(j);
		return DK_ENOMEM;
	}
	*out = j;
	return DK_OK;
}

void dk_jacobian_free(dk_jacobian *j)
{
	if (!j)
		return;
	dk_model_work_free(j->w);
	free(j->X);
	free(j->U);
	free(j->E);
	free(j->D);
	free(j);
}

/* n copies of x and of u (NULL stays NULL: zero input). */
static const double *replicate(dk_jacobian *j, const double *x,
                               const double *u)
{
	size_t n = j->n;
	for (size_t r = 0; r < n; r++)
		memcpy(j->X + r * n, x, n * sizeof *x);
	if (!u || !j->nin)
		return NULL;
	for (size_t r = 0; r < n; r++)
		memcpy(j->U + r * j->nin, u, j->nin * sizeof *u);
	return j->U;
}

int dk_jacobian_state(dk_jacobian *j, const double *x, const double *u,
                      double *J)
{
	if (j->conv == DK_MAP)
		return dk_model_jacobian(j->m, j->w, x, u, J);
	size_t n = j->n;
	const double *U = replicate(j, x, u);
	/* row r of D is (df/dx) e_r, column r of J */
	int st = dk_model_field_jvp(j->m, j->w, n, j->X, U, j->E, j->D);
	if (st)
		return st;
	for (size_t r = 0; r < n; r++)
		for (size_t c = 0; c < n; c++)
			J[c * n + r] = j->D[r * n + c];
	return DK_OK;
}

int dk_jacobian_input(dk_jacobian *j, const double *x, const double *u,
                      double *Ju)
{
	if (!(j->flags & DK_JACOBIAN_INPUT))
		return DK_EINVAL;
	if (!j->nin)
		return DK_OK;
	const double *U = replicate(j, x, u);
	/* gu for gxn = e_r is row r of dF/du */
	return dk_model_vjp(j->m, j->w, j->n, j->X, U, NULL, j->E, j->D, Ju,
	                    NULL);
}
