/*
 * spectrum_order.h -- the order dk_spectrum_compute lists eigenvalues in,
 * for other code that computes eigenvalues its own way and must list
 * them alike (dk-fixed --jac's spectra).  Internal (not installed).
 *
 *   map:  modulus descending, then real part descending;
 *   flow: real part descending, then |imaginary part| descending;
 * then the positive imaginary part of a conjugate pair first, then the
 * order the eigenvalues came in.
 */
#ifndef DK_ANALYSIS_SPECTRUM_ORDER_H
#define DK_ANALYSIS_SPECTRUM_ORDER_H

#include <stddef.h>

#include "models/convention.h"

/* One eigenvalue's sort keys and its place among those given. */
typedef struct {
	double k1, k2, aim, im;
	size_t j;
} dk_spectrum_key;

/* The n eigenvalues wr[j] + i wi[j] sorted: keys (n of them, the
   caller's) come back in order, keys[k].j the index of the k-th. */
void dk_spectrum_order(dk_convention conv, size_t n, const double *wr,
                       const double *wi, dk_spectrum_key *keys);

#endif
