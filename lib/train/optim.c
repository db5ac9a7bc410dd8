/*
 * optim.c -- clipping, Adam and SGD over a flat parameter vector.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "train/optim.h"

struct dk_optim {
	dk_optim_opts o;
	size_t n;
	double *state; /* owned: 2n doubles, m then v (adam) or buf (sgd) */
	size_t t;      /* steps taken */
};

void dk_optim_opts_init(dk_optim_opts *o)
{
	*o = (dk_optim_opts){.kind = DK_OPTIM_ADAM, .lr = 1e-3, .beta1 = 0.9,
	                     .beta2 = 0.999, .eps = 1e-8, .momentum = 0,
	                     .clip = 0, .schedule = DK_SCHEDULE_CONSTANT};
}

dk_optim *dk_optim_alloc(const dk_optim_opts *o, size_t nparams)
{
	dk_optim *op = calloc(1, sizeof *op);
	if (!op)
		return NULL;
	op->o = *o;
	op->n = nparams;
	op->state = calloc(2 * nparams + 1, sizeof *op->state);
	if (!op->state) {
		free(op);
		return NULL;
	}
	return op;
}

void dk_optim_free(dk_optim *op)
{
	if (!op)
		return;
	free(op->state);
	free(op);
}

static double learning_rate(const dk_optim *op)
{
	if (op->o.schedule == DK_SCHEDULE_COSINE && op->o.steps > 0)
		return op->o.lr * (1 + cos(M_PI * (double)op->t / (double)op->o.steps)) / 2;
	return op->o.lr;
}

int dk_optim_step(dk_optim *op, double *theta, double *g, double *norm)
{
	size_t n = op->n;
	double gn = cblas_dnrm2((int)n, g, 1);
	if (norm)
		*norm = gn;
	if (!isfinite(gn))
		return DK_ENUMERIC;
	if (op->o.clip > 0 && gn > op->o.clip)
		cblas_dscal((int)n, op->o.clip / (gn + 1e-6), g, 1);
	double lr = learning_rate(op);
	op->t++;
	if (op->o.kind == DK_OPTIM_SGD) {
		double *buf = op->state;
		for (size_t i = 0; i < n; i++) {
			buf[i] = op->t == 1 ? g[i] : op->o.momentum * buf[i] + g[i];
			theta[i] -= lr * buf[i];
		}
		return DK_OK;
	}
	double *m = op->state, *v = op->state + n, b1 = op->o.beta1, b2 = op->o.beta2;
	double c1 = 1 - pow(b1, (double)op->t), c2 = 1 - pow(b2, (double)op->t);
	for (size_t i = 0; i < n; i++) {
		m[i] = b1 * m[i] + (1 - b1) * g[i];
		v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
		theta[i] -= lr * (m[i] / c1) / (sqrt(v[i] / c2) + op->o.eps);
	}
	return DK_OK;
}

size_t dk_optim_state_size(const dk_optim *op) { return 2 * op->n; }
double *dk_optim_state(dk_optim *op) { return op->state; }
size_t dk_optim_steps(const dk_optim *op) { return op->t; }
void dk_optim_set_steps(dk_optim *op, size_t steps) { op->t = steps; }

static const char *const kind_names[] = {[DK_OPTIM_ADAM] = "adam", [DK_OPTIM_SGD] = "sgd"};
static const char *const schedule_names[] = {[DK_SCHEDULE_CONSTANT] = "constant",
                                             [DK_SCHEDULE_COSINE] = "cosine"};

int dk_optim_kind_from_name(const char *name, dk_optim_kind *kind)
{
	for (int k = 0; k < 2; k++)
		if (!strcmp(name, kind_names[k])) {
			*kind = (dk_optim_kind)k;
			return DK_OK;
		}
	return DK_EINVAL;
}

const char *dk_optim_kind_name(dk_optim_kind kind)
{
	return (unsigned)kind < 2 ? kind_names[kind] : "?";
}

int dk_schedule_from_name(const char *name, dk_schedule *s)
{
	for (int k = 0; k < 2; k++)
		if (!strcmp(name, schedule_names[k])) {
			*s = (dk_schedule)k;
			return DK_OK;
		}
	return DK_EINVAL;
}

const char *dk_schedule_name(dk_schedule s)
{
	return (unsigned)s < 2 ? schedule_names[s] : "?";
}
