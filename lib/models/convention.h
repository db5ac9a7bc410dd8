/*
 * convention.h -- map or flow: the one choice every dynamical analysis
 * makes about time.
 *
 * A model's step is a map x' = F(x, u).  Read as a map (discrete time), a
 * point is fixed where F(x) = x and a direction grows where |lambda| > 1;
 * read as a flow (continuous time; only models that expose their vector
 * field f, dk_model_is_continuous), a point is fixed where f(x) = 0 and a
 * direction grows where Re lambda > 0.  Fixed points, dense and leading
 * spectra and pictures of eigenvalues all take this one type, so the rule
 * "a flow needs a continuous-time model" and the default (flow for
 * continuous-time models, map otherwise) are written once, here.
 */
#ifndef DK_MODELS_CONVENTION_H
#define DK_MODELS_CONVENTION_H

#include <stddef.h>

#include "models/model.h"

typedef enum {
	DK_MAP = 0,  /* discrete time: F(x) = x; stable when |lambda| < 1 */
	DK_FLOW = 1  /* continuous time: f(x) = 0; stable when Re lambda < 0 */
} dk_convention;

/* "map" or "flow". */
const char *dk_convention_name(dk_convention c);
/* The convention named name; DK_EINVAL for another name. */
int dk_convention_from_name(const char *name, dk_convention *c);

/* The natural convention of m: flow when it is continuous-time, else map. */
dk_convention dk_convention_of(const dk_model *m);

/*
 * DK_OK when m can be read in convention c; DK_EINVAL, with a message in
 * err, for a convention that is neither map nor flow, or for the flow
 * convention on a discrete-time model (it has no vector field).
 */
int dk_convention_check(const dk_model *m, dk_convention c, char *err,
                        size_t errlen);

#endif
