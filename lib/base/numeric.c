/*
 * numeric.c -- the one-time switch that turns off GSL's default error
 * handler (which would abort the process).  It lives apart from status.c
 * because status.c belongs to libdynkit_stream, which links no numeric
 * library: dk-info and dk-cat load neither GSL nor BLAS.
 */
#include <config.h>

#include <pthread.h>
#include <gsl/gsl_errno.h>

#include "base/numeric.h"

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_quiet(void)
{
	gsl_set_error_handler_off();
}

void dk_numeric_init(void)
{
	pthread_once(&gsl_once, gsl_quiet);
}
