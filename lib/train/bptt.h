/*
 * bptt.h -- the loss of a batch and its gradient with respect to every
 * parameter, by backpropagation through time, through the model
 * interface only (so every model trains the same way).
 *
 * The forward pass keeps each step's state and cache; the backward pass
 * walks back from the last step, adding each step's readout gradient to
 * the state's and passing it through the step's vjp, in the model's
 * sequence mode (model.h: what depends on the input alone, the nwm's
 * omega and alpha, is taken back once a run, not once a step).  Workspaces are
 * allocated once per (model, steps, batch); the passes allocate nothing.
 */
#ifndef DK_TRAIN_BPTT_H
#define DK_TRAIN_BPTT_H

#include <stddef.h>

#include "base/tensor.h"
#include "models/model.h"

typedef struct dk_bptt dk_bptt;

dk_bptt *dk_bptt_alloc(const dk_model *m, size_t steps, size_t batch);
void dk_bptt_free(dk_bptt *bp);

/*
 * For inputs (T x B x m doubles; T, B as allocated), the task's target
 * and mask tensors (see loss.h: xent for i8 labels, mse for f8 values),
 * the mean loss, the accuracy (NaN for mse) and, when grad is not NULL,
 * the gradient of the loss with respect to the parameter vector (it is
 * overwritten).  The run starts from the model's start at the first
 * input (dk_model_start: the zero state for every kind but the nwm, whose
 * y0 is made from the image), and the gradient goes back through it.
 */
int dk_bptt_loss_grad(dk_bptt *bp, const dk_model *m, const double *inputs,
                      const dk_tensor *target, const dk_tensor *mask,
                      double *loss, double *accuracy, double *grad);
/*
 * A model with a head (dk_model_head_steps T, which must be the steps
 * allocated) is scored by its head alone: target i8 labels (B, P) of its
 * P pixels, -1 where there is none; mask NULL or f8 (B), the weight of
 * each example; the loss is the mean cross-entropy over the weighted
 * pixels, the accuracy their fraction labelled right.
 */

/*
 * Closed loop: from step `from` on (0: never, the default), the input of
 * step t is the model's output at step t - 1, its readout of state t,
 * and not the given input, which is not read there; the gradient goes
 * back through the fed-back outputs too.  The flow task's prediction
 * steps are fed back so from its frames_in.  DK_EINVAL with err when the
 * model's outputs are not as many as its inputs or from is not one of
 * steps 1 .. T - 1; DK_ENOMEM.  The buffers are made here, once.
 */
int dk_bptt_set_feedback(dk_bptt *bp, size_t from, char *err, size_t errlen);

#endif
