/*
 * run.h -- run a model along an input sequence, through the interface,
 * and the initial states a stream gives for such a run.
 */
#ifndef DK_MODELS_RUN_H
#define DK_MODELS_RUN_H

#include <stddef.h>

#include "base/tensor.h"
#include "models/model.h"
#include "stream/bundle.h"

/*
 * From x0 (B x n; NULL for the model's start from the first input,
 * dk_model_start: zeros for every kind but the nwm) step T times: states[t] = F(states[t-1],
 * inputs[t]) with states[-1] = x0, for t = 0..T-1.  inputs is T x B x m
 * (NULL for zero input), states T x B x n, outputs T x B x o the readout
 * of each state (NULL to skip).  All row-major; nothing is allocated but
 * the workspace, once.
 */
int dk_model_run(const dk_model *m, size_t T, size_t B, const double *x0,
                 const double *inputs, double *states, double *outputs);

/*
 * dk_model_run in a closed loop: from step `from` on (0: never, as
 * dk_model_run), the input of step t is the output of step t - 1 and the
 * given inputs are not read there.  outputs must be given and the model
 * have as many outputs as inputs (else DK_EINVAL).
 */
int dk_model_run_feedback(const dk_model *m, size_t T, size_t B, const double *x0,
                          const double *inputs, size_t from, double *states,
                          double *outputs);

/*
 * The initial states b gives a run of m on a batch of B: the tensor
 * named h0 (DK_NAME_H0), which must be f8 (B, n).  *h0 is that tensor
 * (borrowed from b), or NULL when b holds none; DK_EINVAL with a message
 * when it has another dtype or shape.
 */
int dk_model_h0_from_bundle(const dk_model *m, const dk_bundle *b, size_t B,
                            const dk_tensor **h0, char *err, size_t errlen);

#endif
