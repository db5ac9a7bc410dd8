/*
 * lazy.h -- a library loaded at its first use, not at every start.
 *
 * Loading LAPACKE, ARPACK and FFTW costs every process that names them
 * about 0.9 ms (LAPACKE and FFTW bind all their symbols at load), while
 * most tools never call them, and none does before its options are
 * read.  So libdynkit does not name them: lib/linalg/lapacke_lazy.c,
 * lib/linalg/arpack_lazy.c and fftw_lazy.c define the few functions of
 * theirs it calls, which load the library by its soname on the first
 * call (dlopen) and go on to its own function.  Its symbols resolve as
 * they would have at start: the loader looks in the libraries already
 * loaded first, so LAPACK's routines are OpenBLAS's either way, and the
 * results the same bits.
 *
 * Internal (not installed).
 */
#ifndef DK_BASE_LAZY_H
#define DK_BASE_LAZY_H

#include <pthread.h>
#include <stddef.h>

/* The functions wanted from one library, filled in once. */
typedef struct dk_lazy_lib {
	const char *soname;        /* what dlopen loads, e.g. "liblapacke.so.3" */
	const char *const *names;  /* n function names */
	size_t n;
	void (**fns)(void);        /* n pointers, filled by dk_lazy_load */
	pthread_once_t once;
	int ok;                    /* all n found */
	int ready;                 /* once has run (read atomically) */
} dk_lazy_lib;

/* A dk_lazy_lib for SONAME, with the arrays NAMES and FNS. */
#define DK_LAZY_LIB(soname, names, fns) \
	{ (soname), (names), sizeof(names) / sizeof((names)[0]), (fns), \
	  PTHREAD_ONCE_INIT, 0, 0 }

/* Loads the library and looks all its functions up, the first time
   only (thread-safe); 1 when all were found, 0 otherwise (then every
   call reports an error through the function's own status). */
/* What a stand-in whose function reports through an info argument (ARPACK's)
   sets it to when its library could not be loaded: a value the library
   itself never gives, so that the caller's message can say so. */
#define DK_LAZY_UNLOADED (-990001)

int dk_lazy_load(dk_lazy_lib *lib);

#endif
