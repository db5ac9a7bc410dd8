/*
 * arpack_lazy.c -- the ARPACK functions libdynkit calls (lib/linalg/
 * arnoldi.c), loading ARPACK, and through it the reference LAPACK and
 * BLAS it names, at the first call instead of at every start (see
 * base/lazy.h).  Hidden, with ARPACK's own prototypes; LAPACK and BLAS
 * routines ARPACK calls are still OpenBLAS's, loaded first.  If ARPACK
 * cannot be loaded, a call ends the iteration (ido 99) with info
 * DK_LAZY_UNLOADED, which dk_arnoldi reports as that.
 *
 * Built only when configure found ARPACK's soname and dlopen (then
 * DK_ARPACK_SONAME is defined); otherwise libdynkit links ARPACK.  Another
 * ARPACK function called in lib/ needs its stand-in here: libdynkit's
 * link (--no-undefined) names it.
 */
#include <config.h>

#include <arpack/arpack.h>

#include "base/lazy.h"

#define HIDDEN __attribute__((visibility("hidden")))

enum { I_DNAUPD, I_DNEUPD, N_CALLS };
static const char *const names[] = { "dnaupd_c", "dneupd_c" };
static void (*fns[N_CALLS])(void);
static dk_lazy_lib arpack = DK_LAZY_LIB(DK_ARPACK_SONAME, names, fns);

HIDDEN void dnaupd_c(a_int *ido, char const *bmat, a_int n, char const *which,
                     a_int nev, double tol, double *resid, a_int ncv,
                     double *v, a_int ldv, a_int *iparam, a_int *ipntr,
                     double *workd, double *workl, a_int lworkl, a_int *info)
{
	if (!dk_lazy_load(&arpack)) {
		*ido = 99;
		*info = DK_LAZY_UNLOADED;
		return;
	}
	((__typeof__(dnaupd_c) *)fns[I_DNAUPD])(ido, bmat, n, which, nev, tol,
		resid, ncv, v, ldv, iparam, ipntr, workd, workl, lworkl, info);
}

HIDDEN void dneupd_c(a_int rvec, char const *howmny, a_int const *select,
                     double *dr, double *di, double *z, a_int ldz,
                     double sigmar, double sigmai, double *workev,
                     char const *bmat, a_int n, char const *which, a_int nev,
                     double tol, double *resid, a_int ncv, double *v,
                     a_int ldv, a_int *iparam, a_int *ipntr, double *workd,
                     double *workl, a_int lworkl, a_int *info)
{
	if (!dk_lazy_load(&arpack)) {
		*info = DK_LAZY_UNLOADED;
		return;
	}
	((__typeof__(dneupd_c) *)fns[I_DNEUPD])(rvec, howmny, select, dr, di, z,
		ldz, sigmar, sigmai, workev, bmat, n, which, nev, tol, resid, ncv, v,
		ldv, iparam, ipntr, workd, workl, lworkl, info);
}
