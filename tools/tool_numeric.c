/*
 * tool_numeric.c -- the start of every tool over libdynkit (all but
 * dk-info and dk-cat, which need only the stream): GSL's error handler
 * off, and OpenBLAS's buffers taken before any work, so that under
 * ulimit -v the tool ends with a message instead of hanging.
 */
#include <config.h>

#include <stdio.h>
#include <unistd.h>

#include "tool.h"

void tool_init_numeric(const char *name, char **argv)
{
	char err[320];
	tool_init(name, argv);
	dk_numeric_init();
	if (dk_blas_reserve(err, sizeof err)) {
		tool_warn(NULL, "%s", err);
		fflush(stderr);
		/* not exit: OpenBLAS's exit handler joins its worker threads,
		   which may be retrying an allocation for ever */
		_exit(TOOL_EXIT_FAIL);
	}
}

dk_model *tool_read_model_input(const char *model_path, const char *input_path,
                                size_t max_elements, dk_bundle **mb, dk_bundle **in)
{
	char err[256];
	dk_model *m = NULL;
	*mb = tool_read_bundle(model_path, max_elements);
	*in = *mb && input_path ? tool_read_bundle(input_path, max_elements) : NULL;
	if (*mb && (!input_path || *in) && dk_model_from_bundle(*mb, &m, err, sizeof err))
		tool_warn(model_path, "%s", err);
	return m;
}
