/*
 * run.h -- run a model along an input sequence, through the interface.
 */
#ifndef DK_MODELS_RUN_H
#define DK_MODELS_RUN_H

#include <stddef.h>

#include "models/model.h"

/*
 * From x0 (B x n; NULL for zeros) step T times: states[t] = F(states[t-1],
 * inputs[t]) with states[-1] = x0, for t = 0..T-1.  inputs is T x B x m
 * (NULL for zero input), states T x B x n, outputs T x B x o the readout
 * of each state (NULL to skip).  All row-major; nothing is allocated but
 * the workspace, once.
 */
int dk_model_run(const dk_model *m, size_t T, size_t B, const double *x0,
                 const double *inputs, double *states, double *outputs);

#endif
