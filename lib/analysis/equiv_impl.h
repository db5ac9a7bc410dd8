/*
 * equiv_impl.h -- what equiv.c and equiv_flow.c share (not installed):
 * the medium the group acts on, a run's scratch, and the flow's parts.
 */
#ifndef DK_ANALYSIS_EQUIV_IMPL_H
#define DK_ANALYSIS_EQUIV_IMPL_H

#include "analysis/equiv.h"

/* The medium as channels of H x W (a ring is one row). */
typedef struct {
	size_t C, H, W;
} medium;

/* The medium of a layout of channels of rings or sheets. */
medium dk_equiv_medium_of(const dk_layout *l);

/* perm[i]: the unit that the shift (dy, dx) carries to unit i of
   `channels` channels of the medium (g x = x[perm]). */
void dk_equiv_shift_perm(medium md, size_t channels, size_t dy, size_t dx,
                         size_t *perm);

/* The shifts of o (one, or every one along each space axis of l) as a
   new array *shifts of *elements rows of *axes (dy, dx on sheets, dx on
   rings).  DK_EINVAL with a message for a shift too large, DK_ENOMEM. */
int dk_equiv_list_shifts(const dk_equiv_options *o, const dk_layout *l,
                         size_t *axes, size_t *elements, int64_t **shifts,
                         char *err, size_t errlen);

/* The Lyapunov part of dk_equiv_objects_run (equiv_objects_lyap.c): r's
   lyap_exponents and lyap_difference, allocated here, from the shifts
   and layout r holds.  The spectra's errors, prefixed "lyapunov: ". */
struct dk_equiv_objects_result;
struct dk_equiv_objects_options;
int dk_equiv_objects_lyapunov(const dk_model *m,
                              const struct dk_equiv_objects_options *oo,
                              const double *u,
                              struct dk_equiv_objects_result *r,
                              char *err, size_t errlen);

/* Scratch of one run: B states or inputs each, whatever T. */
typedef struct {
	double *x, *xn;   /* the unshifted trajectory's state and next */
	double *y, *yn;   /* the shifted trajectory's */
	double *gx, *gu, *tmp, *ref;
	size_t *ps, *pu;  /* the element's permutations of state and input */
	double sign;      /* and its sign: g x = sign x[ps] */
	struct dk_equiv_fshift *fshift; /* a fractional flow's moves, or NULL */
} scratch;

/* The groups m declares (equiv_perm.c): DK_OK when it declares o's, or
   rings or a sheet are given for a shift or flow; else DK_ENOTFOUND (a
   shift or flow: a medium is missing) or DK_EINVAL with a message naming
   the groups it declares. */
int dk_equiv_check_declared(const dk_model *m, const dk_equiv_options *o,
                            char *err, size_t errlen);
/* The one element of a sign flip or permutation into r (its layout, the
   units, shifts -1 or 1, whether the input is transformed), the
   permutations of o checked against m.  DK_EINVAL, DK_ENOMEM. */
int dk_equiv_unit_elements(const dk_model *m, const dk_equiv_options *o,
                           dk_equiv_result *r, char *err, size_t errlen);
/* s->ps, s->pu and s->sign of element e of a shift, sign or perm, on a
   state of n and an input of nu values. */
void dk_equiv_element_action(const dk_equiv_options *o, const dk_equiv_result *r,
                             medium md, size_t e, size_t n, size_t nu,
                             scratch *s);

/* The index of the first of the count entries of x that is not finite,
   or count. */
size_t dk_equiv_first_not_finite(size_t count, const double *x);

/* Flows (equiv_flow.c): the slices of the lift (DK_EINVAL for a lifted
   model off its own medium, or channels that do not split), the
   velocities to measure, the trajectory errors of velocity e, and the
   verdict. */
int dk_equiv_flow_slices(const dk_model *m, dk_equiv_result *r, char *err,
                         size_t errlen);
int dk_equiv_list_velocities(const dk_equiv_options *o, dk_equiv_result *r,
                             size_t v, char *err, size_t errlen);
int dk_equiv_flow_measure(const dk_model *m, dk_model_work *w,
                          const dk_equiv_start *st, scratch *s, medium md,
                          dk_equiv_result *r, size_t e, char *err, size_t errlen);
void dk_equiv_judge_flow(dk_equiv_result *r, size_t m, size_t ring_units);

#endif
