/*
 * complex_make.h -- a double complex from its real and imaginary parts,
 * exactly, on every compiler.
 *
 * re + im * I is not exact when im is infinite or a NaN (the product with
 * I mixes the parts), and C11's CMPLX, which is, is missing from glibc's
 * <complex.h> under clang.  C11 lays a double complex out as two doubles,
 * real part first, so the parts are copied in.  Internal to libdynkit.
 */
#ifndef DK_BASE_COMPLEX_MAKE_H
#define DK_BASE_COMPLEX_MAKE_H

#include <complex.h>
#include <string.h>

static inline double complex dk_complex_make(double re, double im)
{
	double v[2] = {re, im};
	double complex z;
	memcpy(&z, v, sizeof z);
	return z;
}

#endif
