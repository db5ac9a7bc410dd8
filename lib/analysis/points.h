/*
 * points.h -- the states an analysis starts from, gathered from a stream.
 *
 * dk-fixed, dk-jac and dk-lyap take states in whatever form the tool
 * before them wrote: dk-run's "states" (time, batch, state), dk-fixed's
 * "fp/x" (point, state), or a bare array whose last axis is the state.
 * Every leading axis is flattened, so the result is always a (points,
 * state) f8 matrix, one state per row, ready for the model interface.
 */
#ifndef DK_ANALYSIS_POINTS_H
#define DK_ANALYSIS_POINTS_H

#include <stddef.h>

#include "base/tensor.h"
#include "stream/bundle.h"

/*
 * The index of the entry of b holding an analysis's states: the first of
 * the count names present, else the only tensor whose name does not begin
 * with "model/".  -1, with a message in err naming what was looked for,
 * when there is no such tensor or more than one.
 */
long dk_points_find(const dk_bundle *b, const char *const *names,
                    size_t count, char *err, size_t errlen);

/*
 * The (points, n) f8 matrix of the states in b: the tensor named "fp/x",
 * else "states", else the only tensor in b whose name does not begin
 * with "model/".  Its last axis must be n.  On success *out is a new
 * tensor (the caller frees it) and *name, when not NULL, the name the
 * states were found under ("" for an unnamed tensor).  DK_EINVAL with a
 * message in err when no tensor qualifies, the last axis is not n, or a
 * value is not finite; DK_ENOMEM.
 */
int dk_points_from_bundle(const dk_bundle *b, size_t n, dk_tensor **out,
                          const char **name, char *err, size_t errlen);

/*
 * The (P, m) f8 matrix of the inputs beside P states in b: the tensor
 * named "input", its last axis m and its leading axes flattened as the
 * states' are (dk-gen's (time, batch, input) beside dk-run's (time,
 * batch, state)), so that row p is the input that drove state p.
 * DK_EINVAL with a message when there is none, its last axis is not m,
 * its rows are not P, or a value is not finite or not real; DK_ENOMEM.
 */
int dk_points_inputs_from_bundle(const dk_bundle *b, size_t P, size_t m,
                                 dk_tensor **out, char *err, size_t errlen);

#endif
