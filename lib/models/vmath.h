/*
 * vmath.h -- exp, tanh and erf over arrays, for the gates and
 * nonlinearities of the models, atan2, for the phases of the wave
 * analysis, and the relu's mask, for the relu models' steps and gradients.
 *
 * A GRU step spends more time in scalar exp and tanh than in its matrix
 * products' elementwise neighbours together; glibc's vector math library
 * (libmvec, at most 4 ulp from the correctly rounded value) evaluates 4
 * or 8 at once.  The vector width is chosen once, at run time, by what
 * the CPU supports; without libmvec, or on another architecture, these
 * are plain loops over libm.
 */
#ifndef DK_MODELS_VMATH_H
#define DK_MODELS_VMATH_H

#include <stddef.h>

/* y[i] = exp(x[i]) for i < n; y may be x. */
void dk_vexp(const double *x, double *y, size_t n);
/* y[i] = tanh(x[i]) for i < n; y may be x. */
void dk_vtanh(const double *x, double *y, size_t n);
/* y[i] = erf(c x[i]) for i < n; y may be x.  The erf networks' drive
   (c = sqrt(pi) / 2): half of a step of 500,000 units in libm's erf. */
void dk_verf_scaled(double c, const double *x, double *y, size_t n);
/* a[i] = atan2(y[i], x[i]) for i < n; a may be y or x. */
void dk_vatan2(const double *y, const double *x, double *a, size_t n);
/* y[i] = a[i] > 0 ? v[i] : +0 for the leading i the vector registers
   take; returns how many (the caller does the rest).  y may be a or v. */
size_t dk_vrelu_mask(const double *a, const double *v, double *y, size_t n);

#endif
