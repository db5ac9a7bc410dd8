/*
 * equiv_fshift.h -- the cyclic shift of periodic rings and sheets by a
 * real amount, through the FFT: the action of a fractional shift or of a
 * flow at a fractional velocity.
 *
 * On a ring of L units the shift by a real s multiplies the Fourier
 * coefficient of wavenumber k (signed, |k| < L / 2) by exp(-i k w s),
 * w = 2 pi / L, so that a positive s carries activity toward increasing
 * index, as equiv.h's roll does: for a state that is a sum of Fourier
 * modes, (T_s x)_i = sum_k a_k cos(k w (i - s) + phi_k), exactly.  The
 * Nyquist mode of an even L, (-1)^i, has no direction on the lattice; it
 * is multiplied by cos(pi s), the real part of its phase, so that T_s
 * maps real states to real states and equals the roll for whole s (where
 * cos(pi s) = (-1)^s).  Band-limited states (no Nyquist part) are moved
 * exactly, and there T_s T_r = T_(s + r); a Nyquist part shrinks under
 * fractional shifts.  This is the generator that equiv_lie.h
 * differentiates: the Nyquist mode gets no derivative there either.
 *
 * On a sheet of H rows and W columns the shift (sx, sy) moves sx along
 * the columns (x) and sy along the rows (y), each axis as a ring does:
 * (T x)[r][c] = x[r - sy][c - sx] for whole shifts, as equiv.h's.
 */
#ifndef DK_ANALYSIS_EQUIV_FSHIFT_H
#define DK_ANALYSIS_EQUIV_FSHIFT_H

#include <stddef.h>

typedef struct dk_equiv_fshift dk_equiv_fshift;

/* Plans and buffers for planes of H x W (a ring: H = 1); NULL when out of
   memory or a side is 0 or above INT_MAX. */
dk_equiv_fshift *dk_equiv_fshift_alloc(size_t H, size_t W);
void dk_equiv_fshift_free(dk_equiv_fshift *f);

/* out = T_(sx, sy) in for `planes` consecutive planes of H x W (on a
   ring sy is ignored); out may be in.  sx and sy are finite. */
void dk_equiv_fshift_apply(dk_equiv_fshift *f, size_t planes, double sx,
                           double sy, const double *in, double *out);

#endif
