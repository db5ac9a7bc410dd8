/*
 * equiv_lie.h -- the infinitesimal shift equivariance of a model's step:
 * its Lie derivative along the continuous shift of its rings or sheets.
 *
 * On a ring of L units the shift by a real s is T_s x = F^-1 diag(exp(-i
 * k w s)) F x (F the DFT, w = 2 pi / L, k the signed wavenumbers), which
 * for whole s is equiv.h's roll; its generator is -D, D the spectral
 * derivative, D x = F^-1 (i k w) F x, with the Nyquist wavenumber of an
 * even L given no derivative so that D stays real.  On a sheet there is
 * one generator per axis, along the rows (y) and along the columns (x),
 * every channel moved alike.  The Lie derivative of the step F at x,
 *
 *   L(x) = J_F(x) D x - D F(x),
 *
 * (one jvp per state) is zero for every x exactly when F commutes with
 * every continuous shift; it is reported relative to |D F(x)| per
 * sample and axis.  A circulant linear network commutes with D; a
 * nonlinear one, applied unit by unit, does not (D of tanh(y) is not
 * tanh'(y) D y on a lattice), nor does the Wave-RNN, equivariant to
 * whole shifts only.  The input is held at zero: the step's input part
 * is not differentiated.
 *
 * With a real shift s (o->lie_shift) the run also measures the secant
 * |F(T_s x) - T_s F(x)| / (s |D F(x)|) along each axis, T_s the FFT's
 * shift (equiv_fshift.h, whose generator is -D): since F(T_s x) - T_s
 * F(x) = -s L(x) + O(s^2), it tends to the Lie derivative's ratio as s
 * goes to 0, and both vanish together for a step that commutes with
 * every shift.
 */
#ifndef DK_ANALYSIS_EQUIV_LIE_H
#define DK_ANALYSIS_EQUIV_LIE_H

#include <stddef.h>

#include "analysis/equiv.h"
#include "models/model.h"
#include "stream/bundle.h"

typedef struct dk_equiv_lie_result {
	dk_layout layout;
	size_t samples, axes;  /* B states; 1 (ring) or 2 (sheet: y, x) */
	double *lie;           /* owned: samples x axes, |L| / |D F| */
	double *secant;        /* owned: samples x axes, the secant of the
	                          shift by `shift`, or NULL without one */
	double shift;
	double max, tolerance;
	int equivariant;       /* max <= tolerance */
	size_t worst;          /* the sample of the largest */
	char summary[256];
	char how[96];          /* the start's */
} dk_equiv_lie_result;

/*
 * The Lie derivative of m at the B states s->x0 along the continuous
 * shift of the medium of o (its rings or sheet, else the model's
 * layout), judged against o->tolerance.  DK_EINVAL with a message for a
 * bad option, a medium too small, or a state that is not finite; the
 * layout's errors (dk_equiv_layout); the model's; DK_ENOMEM.
 */
int dk_equiv_lie_run(const dk_model *m, const dk_equiv_options *o,
                     const dk_equiv_start *s, dk_equiv_lie_result *r,
                     char *err, size_t errlen);
void dk_equiv_lie_result_clear(dk_equiv_lie_result *r);

/*
 * As records with the attrs "equiv" (group "lie", layout, samples,
 * tolerance, start; equiv/lie_max also equivariant, worst, summary):
 *
 *	equiv/lie         f8 (sample, axis)
 *	equiv/lie_max     f8 ()
 *	equiv/lie_secant  f8 (sample, axis), with a shift only (attrs also
 *	                  shift)
 *
 * DK_ENOMEM.
 */
int dk_equiv_lie_to_bundle(const dk_equiv_lie_result *r, dk_bundle *b);

#endif
