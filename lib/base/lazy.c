/*
 * lazy.c -- a library loaded at its first use (see lazy.h).
 */
#include <config.h>

#include <dlfcn.h>
#include <string.h>

#include "base/lazy.h"

/* pthread_once takes no argument: the library being loaded is passed
   through this, set under the lock below. */
static pthread_mutex_t loading_lock = PTHREAD_MUTEX_INITIALIZER;
static dk_lazy_lib *loading;

static void load_once(void)
{
	dk_lazy_lib *lib = loading;
	/* RTLD_LOCAL: its symbols serve only the calls made through
	   lib->fns, never another library's lookups */
	void *handle = dlopen(lib->soname, RTLD_LAZY | RTLD_LOCAL);
	if (!handle)
		return;
	for (size_t i = 0; i < lib->n; i++) {
		void *sym = dlsym(handle, lib->names[i]);
		if (!sym)
			return;
		/* POSIX guarantees a function's address survives the trip
		   through void *; memcpy says so without a cast warning */
		memcpy(&lib->fns[i], &sym, sizeof sym);
	}
	lib->ok = 1;
	/* the handle stays open: the functions are used until exit */
}

int dk_lazy_load(dk_lazy_lib *lib)
{
	/* after the first call, no lock: LAPACK is called in loops */
	if (__atomic_load_n(&lib->ready, __ATOMIC_ACQUIRE))
		return lib->ok;
	pthread_mutex_lock(&loading_lock);
	loading = lib;
	pthread_once(&lib->once, load_once);
	__atomic_store_n(&lib->ready, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&loading_lock);
	return lib->ok;
}
