/*
 * fftw_lazy.c -- the FFTW functions libdynkit calls, loading FFTW at the
 * first call instead of at every start (see base/lazy.h).  Each has
 * FFTW's own prototype (fftw3.h checks it) and goes on to FFTW's
 * function; they are hidden, so they serve libdynkit's calls only.  If
 * FFTW cannot be loaded, the allocators and planners return NULL, which
 * every caller already takes as a failure (out of memory, or no plan),
 * and nothing else can be reached without a plan or an FFTW buffer.
 *
 * Built only when configure found FFTW's soname and dlopen (then
 * DK_FFTW3_SONAME is defined); otherwise libdynkit links FFTW.  An FFTW
 * function newly called in lib/ needs its line below: libdynkit's link
 * (--no-undefined) names it.
 */
#include <config.h>

#include <complex.h>
#include <fftw3.h>

#include "base/lazy.h"

#define HIDDEN __attribute__((visibility("hidden")))

/* X(return type, name, parameters, arguments, value when not loaded),
   one per function used in lib/ */
#define FFTW_CALLS(X) \
	X(void *, fftw_malloc, (size_t n), (n), NULL) \
	X(double *, fftw_alloc_real, (size_t n), (n), NULL) \
	X(fftw_complex *, fftw_alloc_complex, (size_t n), (n), NULL) \
	X(fftw_plan, fftw_plan_dft_r2c_1d, (int n, double *in, \
		fftw_complex *out, unsigned flags), (n, in, out, flags), NULL) \
	X(fftw_plan, fftw_plan_dft_c2r_1d, (int n, fftw_complex *in, \
		double *out, unsigned flags), (n, in, out, flags), NULL) \
	X(fftw_plan, fftw_plan_dft_r2c_2d, (int n0, int n1, double *in, \
		fftw_complex *out, unsigned flags), (n0, n1, in, out, flags), NULL) \
	X(fftw_plan, fftw_plan_dft_c2r_2d, (int n0, int n1, fftw_complex *in, \
		double *out, unsigned flags), (n0, n1, in, out, flags), NULL) \
	X(fftw_plan, fftw_plan_dft_r2c_3d, (int n0, int n1, int n2, double *in, \
		fftw_complex *out, unsigned flags), \
		(n0, n1, n2, in, out, flags), NULL) \
	X(fftw_plan, fftw_plan_many_dft, (int rank, const int *n, int howmany, \
		fftw_complex *in, const int *inembed, int istride, int idist, \
		fftw_complex *out, const int *onembed, int ostride, int odist, \
		int sign, unsigned flags), \
		(rank, n, howmany, in, inembed, istride, idist, out, onembed, \
		 ostride, odist, sign, flags), NULL) \
	X(fftw_plan, fftw_plan_many_dft_r2c, (int rank, const int *n, \
		int howmany, double *in, const int *inembed, int istride, \
		int idist, fftw_complex *out, const int *onembed, int ostride, \
		int odist, unsigned flags), \
		(rank, n, howmany, in, inembed, istride, idist, out, onembed, \
		 ostride, odist, flags), NULL)
/* and those that take what only FFTW itself can have made, p: with p
   NULL (a workspace freed before it had any), nothing to load or do */
#define FFTW_VOID_CALLS(X) \
	X(fftw_free, (void *p), (p)) \
	X(fftw_execute, (const fftw_plan p), (p)) \
	X(fftw_destroy_plan, (fftw_plan p), (p))

#define INDEX(type, name, params, args, none) I_##name,
#define INDEX_VOID(name, params, args) I_##name,
enum { FFTW_CALLS(INDEX) FFTW_VOID_CALLS(INDEX_VOID) N_CALLS };

#define NAME(type, name, params, args, none) #name,
#define NAME_VOID(name, params, args) #name,
static const char *const names[] = {
	FFTW_CALLS(NAME) FFTW_VOID_CALLS(NAME_VOID)
};
static void (*fns[N_CALLS])(void);
static dk_lazy_lib fftw = DK_LAZY_LIB(DK_FFTW3_SONAME, names, fns);

#define FORWARD(type, name, params, args, none) \
	HIDDEN type name params \
	{ \
		if (!dk_lazy_load(&fftw)) \
			return none; \
		return ((__typeof__(name) *)fns[I_##name]) args; \
	}
#define FORWARD_VOID(name, params, args) \
	HIDDEN void name params \
	{ \
		if (p && dk_lazy_load(&fftw)) \
			((__typeof__(name) *)fns[I_##name]) args; \
	}
FFTW_CALLS(FORWARD)
FFTW_VOID_CALLS(FORWARD_VOID)
