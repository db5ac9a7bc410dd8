/*
 * optim.h -- gradient-norm clipping and the optimisers, as PyTorch
 * defines them, over one flat parameter vector.
 *
 *   clip   if ||g|| > c: g *= c / (||g|| + 1e-6)   (clip_grad_norm_)
 *   adam   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *          theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *   sgd    with momentum mu: buf = mu buf + g (g at the first step);
 *          theta -= lr buf
 *
 * The learning rate follows a schedule over the run: constant, or cosine
 * (lr (1 + cos(pi t / steps)) / 2).
 */
#ifndef DK_TRAIN_OPTIM_H
#define DK_TRAIN_OPTIM_H

#include <stddef.h>

typedef enum { DK_OPTIM_ADAM, DK_OPTIM_SGD } dk_optim_kind;
typedef enum { DK_SCHEDULE_CONSTANT, DK_SCHEDULE_COSINE } dk_schedule;

typedef struct dk_optim_opts {
	dk_optim_kind kind;
	double lr;                 /* base learning rate */
	double beta1, beta2, eps;  /* adam */
	double momentum;           /* sgd */
	double clip;               /* gradient-norm cap; 0 for none */
	dk_schedule schedule;
	size_t steps;              /* length of the run, for the schedule */
} dk_optim_opts;

/* PyTorch's defaults: adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
void dk_optim_opts_init(dk_optim_opts *o);

typedef struct dk_optim dk_optim;

dk_optim *dk_optim_alloc(const dk_optim_opts *o, size_t nparams);
void dk_optim_free(dk_optim *op);

/*
 * Clip g (in place), then update theta; counts the step.  *norm (may be
 * NULL) receives the norm of g before clipping.
 */
int dk_optim_step(dk_optim *op, double *theta, double *g, double *norm);

/* The moments (2 x nparams doubles: m then v, or the momentum buffer and
   zeros) and the step count, for checkpoints. */
size_t dk_optim_state_size(const dk_optim *op);
double *dk_optim_state(dk_optim *op);
size_t dk_optim_steps(const dk_optim *op);
void dk_optim_set_steps(dk_optim *op, size_t steps);

/* Names for options and attrs. */
int dk_optim_kind_from_name(const char *name, dk_optim_kind *kind);
const char *dk_optim_kind_name(dk_optim_kind kind);
int dk_schedule_from_name(const char *name, dk_schedule *s);
const char *dk_schedule_name(dk_schedule s);

#endif
