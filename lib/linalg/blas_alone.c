/*
 * blas_alone.c -- OpenBLAS on one thread for a call; whether helper
 * threads may make products (see blas_alone.h).
 */
#include <config.h>

#include <pthread.h>
#include <sys/resource.h>
#include <cblas.h>

#include "linalg/blas_alone.h"

int dk_blas_alone(void)
{
	int threads = openblas_get_num_threads();
	if (threads > 1)
		openblas_set_num_threads(1);
	return threads;
}

void dk_blas_restore(int threads)
{
	if (threads > 1)
		openblas_set_num_threads(threads);
}

static int may_multiply;
static pthread_once_t limit_once = PTHREAD_ONCE_INIT;

static void read_limit(void)
{
	struct rlimit lim;
	may_multiply = !getrlimit(RLIMIT_AS, &lim) && lim.rlim_cur == RLIM_INFINITY;
}

int dk_blas_helpers_may_multiply(void)
{
	pthread_once(&limit_once, read_limit);
	return may_multiply;
}
