/*
 * dmft_sweep.c -- dk-dmft's sweeps: the parameter stream read and
 * checked, each row turned into options and solved, the rows stacked
 * (dmft_sweep.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmft_sweep.h"

/* Options with a value that a parameter stream may not set. */
static const char *const not_swept[] = {"output", "max-elements", "params",
                                        "phi", "integrator"};

/* The names of the options that can be swept, into names (room for
   every option); their count. */
static size_t sweepable(const struct option *longopts, const char **names)
{
	size_t n = 0;
	for (const struct option *o = longopts; o->name; o++) {
		size_t k = 0, nk = sizeof not_swept / sizeof *not_swept;
		while (k < nk && strcmp(o->name, not_swept[k]))
			k++;
		if (o->has_arg == required_argument && k == nk)
			names[n++] = o->name;
	}
	return n;
}

/* "--NAME=v1,v2,..." for row of parameter i of p: a new string. */
static char *row_option(const dk_bundle *p, size_t i, size_t row)
{
	size_t k;
	const double *v = dk_sweep_param_row(dk_bundle_tensor(p, i), row, &k);
	const char *name = dk_bundle_name(p, i);
	/* %.17g keeps every bit of a double in at most 24 characters */
	size_t len = strlen(name) + 4 + k * 26;
	char *s = malloc(len);
	if (!s)
		return NULL;
	size_t at = (size_t)snprintf(s, len, "--%s=", name);
	for (size_t j = 0; j < k; j++)
		at += (size_t)snprintf(s + at, len - at, j ? ",%.17g" : "%.17g", v[j]);
	return s;
}

/* Row row of the sweep solved into its own bundle and stacked; an exit
   status.  rargv has room for argc + the parameters' options. */
static int solve_row(const dk_bundle *p, size_t row, int argc, char **argv,
                     char **rargv, dmft_sweep_solve solve, dk_sweep *stack,
                     json_t **prov)
{
	size_t np = dk_bundle_size(p);
	char **opts = calloc(np, sizeof *opts);
	int ok = !!opts;
	for (size_t i = 0; ok && i < np; i++)
		ok = !!(opts[i] = row_option(p, i, row));
	dk_bundle *b = ok ? dk_bundle_alloc() : NULL;
	int status = TOOL_EXIT_FAIL;
	if (!b) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	/* getopt permutes rargv: it is made anew for every row */
	memcpy(rargv, argv, (size_t)argc * sizeof *rargv);
	memcpy(rargv + argc, opts, np * sizeof *rargv);
	char where[64], err[512];
	snprintf(where, sizeof where, "--params: row %zu", row);
	tool_usage_from_data(where);
	status = solve(argc + (int)np, rargv, b, row ? NULL : prov);
	tool_usage_from_data(NULL);
	if (status)
		tool_warn(where, "no solution for %s%s", opts[0],
		          np > 1 ? " and the rest of the row" : "");
	else if (dk_sweep_add(stack, row, b, err, sizeof err)) {
		tool_warn("--params", "%s", err);
		status = TOOL_EXIT_FAIL;
	}
done:
	dk_bundle_free(b);
	for (size_t i = 0; opts && i < np; i++)
		free(opts[i]);
	free(opts);
	return status;
}

/* Add "sweep": {"rows", "params"} to the provenance's options. */
static int stamp(json_t *prov, const dk_bundle *p, size_t rows)
{
	json_t *names = json_array();
	for (size_t i = 0; names && i < dk_bundle_size(p); i++)
		json_array_append_new(names, json_string(dk_bundle_name(p, i)));
	if (!prov) {
		json_decref(names);
		return 1;
	}
	return !names || json_object_set_new(prov, "sweep",
		json_pack("{s:I, s:o}", "rows", (json_int_t)rows, "params", names));
}

int dmft_sweep(const char *path, size_t max_elements,
               const struct option *longopts, int argc, char **argv,
               dmft_sweep_solve solve, dk_bundle *out, json_t **prov)
{
	dk_bundle *p = tool_read_bundle(path, max_elements);
	if (!p)
		return TOOL_EXIT_FAIL;
	size_t nopts = 0;
	while (longopts[nopts].name)
		nopts++;
	const char **names = malloc((nopts + 1) * sizeof *names);
	size_t np = dk_bundle_size(p), rows = 0;
	char **rargv = calloc((size_t)argc + np + 1, sizeof *rargv);
	dk_sweep *stack = NULL;
	char err[512];
	int status = TOOL_EXIT_FAIL;
	if (!names || !rargv) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	if (dk_sweep_params_check(p, names, sweepable(longopts, names), &rows,
	                          err, sizeof err)) {
		tool_warn("--params", "%s: %s", strcmp(path, "-") ? path : "stdin",
		          err);
		goto done;
	}
	if (!(stack = dk_sweep_alloc(rows))) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	status = TOOL_EXIT_OK;
	for (size_t row = 0; row < rows && !status; row++)
		status = solve_row(p, row, argc, argv, rargv, solve, stack, prov);
	if (!status && (dk_sweep_to_bundle(stack, p, DK_SWEEP_PREFIX, out) ||
	                stamp(*prov, p, rows))) {
		tool_warn(NULL, "out of memory");
		status = TOOL_EXIT_FAIL;
	}
done:
	dk_sweep_free(stack);
	free(rargv);
	free(names);
	dk_bundle_free(p);
	return status;
}
