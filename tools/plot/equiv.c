/*
 * equiv.c -- dk-plot equiv: the equivariance error over time of one or
 * more models, or the hidden state of a flow-equivariant RNN slice by
 * velocity slice.
 *
 * Errors: every record of dk-equiv's trajectory errors (element, time)
 * in the stream, under its own name or renamed (dk-cat -r) so that the
 * outputs for several models can be concatenated, is one line: the
 * largest error over its elements at each step, on a logarithmic scale.
 * err_K.txt holds "step error" rows, errors below 1e-17 (an exact match,
 * 0, among them) raised to it so that a log scale can draw them; the
 * line's title is the model file of the record's provenance, else the
 * record's name.
 *
 * Slices: without such records, the states of dk-run (time, batch,
 * state) beside the model's records (their attrs model.velocities v; a
 * ring model has model.units, else it lies on sheets) are cut into the
 * 2 v + 1 (on sheets (2 v + 1)^2) velocity slices of the lift, and
 * slice_K.txt holds slice K of batch element --batch as a (time, unit)
 * matrix; each is drawn as a raster, time down, the panels side by side.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "plot.h"

#define ERROR_FLOOR 1e-17
#define MAX_LINES 16
#define MAX_SLICES 49

/* Whether entry i is a trajectory error record: real (element, time),
   with dk-equiv's attrs. */
static int is_error_record(const dk_bundle *b, size_t i)
{
	const dk_meta *m = dk_bundle_meta(b, i);
	const dk_tensor *t = dk_bundle_tensor(b, i);
	json_t *axes = m ? dk_meta_axes(m) : NULL;
	json_t *attrs = m ? dk_meta_attrs(m) : NULL;
	return t && t->rank == 2 && t->dtype != DK_C16 && t->dtype != DK_BYTES &&
	       json_object_get(attrs, "equiv") && json_array_size(axes) == 2 &&
	       !strcmp(json_string_value(json_array_get(axes, 0)) ?
	               json_string_value(json_array_get(axes, 0)) : "", "element") &&
	       !strcmp(json_string_value(json_array_get(axes, 1)) ?
	               json_string_value(json_array_get(axes, 1)) : "", "time");
}

/* The line's title: the model file of the provenance, else the name,
   with the quotes gnuplot would stop at left out. */
static void line_title(const dk_bundle *b, size_t i, char *buf, size_t cap)
{
	json_t *attrs = dk_meta_attrs(dk_bundle_meta(b, i));
	json_t *model = json_object_get(json_object_get(json_object_get(attrs,
	                "provenance"), "options"), "model");
	const char *t = json_is_string(model) ? json_string_value(model)
	                                       : dk_bundle_name(b, i);
	const char *slash = strrchr(t, '/');
	if (json_is_string(model) && slash && slash[1])
		t = slash + 1;
	size_t k = 0;
	for (; *t && k + 1 < cap; t++)
		if (*t != '\'' && *t != '"' && *t != '\\')
			buf[k++] = *t;
	buf[k] = '\0';
}

static int draw_errors(const plot_options *o, const dk_bundle *b,
                       plot_script *s, size_t lines)
{
	char file[32], title[MAX_LINES][96];
	size_t k = 0;
	for (size_t i = 0; i < dk_bundle_size(b) && k < MAX_LINES; i++) {
		if (!is_error_record(b, i))
			continue;
		const dk_tensor *t = dk_bundle_tensor(b, i);
		size_t E = t->shape[0], T = t->shape[1];
		snprintf(file, sizeof file, "err_%zu.txt", k);
		line_title(b, i, title[k], sizeof title[k]);
		FILE *f = plot_file(s, file);
		if (!f)
			return TOOL_EXIT_FAIL;
		for (size_t step = 0; step < T; step++) {
			double v = E ? 0 : NAN;
			for (size_t e = 0; e < E; e++) {
				double x = dk_tensor_get_real(t, e * T + step);
				v = isnan(x) || isnan(v) ? NAN : fmax(v, x);
			}
			if (isfinite(v))
				fprintf(f, "%zu %.17g\n", step + 1, fmax(v, ERROR_FLOOR));
		}
		if (plot_file_close(f, file))
			return TOOL_EXIT_FAIL;
		k++;
	}
	if (lines > MAX_LINES)
		tool_warn(o->input, "%zu error records: the first %d are drawn", lines,
		          MAX_LINES);
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set xlabel 'step'\nset ylabel 'equivariance error'\n"
	        "set logscale y\nset format y '10^{%%L}'\nset grid\n"
	        "set key below\n");
	for (size_t j = 0; j < k; j++)
		fprintf(gp, "%s 'err_%zu.txt' using 1:2 with linespoints pt 7 ps 0.5 "
		        "lw 1.5 title '%s'", j ? ", \\\n    " : "plot", j, title[j]);
	fputs("\n", gp);
	return plot_script_end(gp);
}

/* v of the model in the stream (attrs model.velocities), and whether it
   lies on rings; -1 (warned) when there is none. */
static long velocities(const plot_options *o, const dk_bundle *b, int *rings)
{
	for (size_t i = 0; i < dk_bundle_size(b); i++) {
		json_t *model = json_object_get(dk_meta_attrs(dk_bundle_meta(b, i)), "model");
		json_t *v = json_object_get(model, "velocities");
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= 3) {
			json_t *u = json_object_get(model, "units");
			*rings = json_is_integer(u) && json_integer_value(u) > 0;
			return (long)json_integer_value(v);
		}
	}
	tool_warn(o->input, "no %s record (dk-equiv's output), and no model with "
	          "velocities (at most 3) beside the states: cat the fernn's "
	          "model and dk-run's states", DK_NAME_EQUIV_TRAJECTORY_ERROR);
	return -1;
}

static int draw_slices(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	int rings = 1;
	long v = velocities(o, b, &rings);
	if (v < 0)
		return TOOL_EXIT_FAIL;
	const dk_tensor *t = dk_bundle_get(b, DK_NAME_STATES);
	if (!t || t->rank != 3 || t->dtype == DK_C16 || t->dtype == DK_BYTES) {
		tool_warn(o->input, "%s: no (time, batch, state) real states beside "
		          "the model", DK_NAME_STATES);
		return TOOL_EXIT_FAIL;
	}
	size_t T = t->shape[0], B = t->shape[1], n = t->shape[2];
	size_t side = 2 * (size_t)v + 1, S = rings ? side : side * side;
	if (n % S || n == 0) {
		tool_warn(o->input, "%s: %zu units do not split into the %zu velocity "
		          "slices of the model", DK_NAME_STATES, n, S);
		return TOOL_EXIT_FAIL;
	}
	if (o->batch >= B) {
		tool_warn(o->input, "--batch %zu: the states hold %zu", o->batch, B);
		return TOOL_EXIT_FAIL;
	}
	size_t per = n / S;
	for (size_t k = 0; k < S; k++) {
		char file[32];
		snprintf(file, sizeof file, "slice_%zu.txt", k);
		FILE *f = plot_file(s, file);
		if (!f)
			return TOOL_EXIT_FAIL;
		for (size_t time = 0; time < T; time++)
			for (size_t u = 0; u < per; u++)
				fprintf(f, "%.17g%c", dk_tensor_get_real(t, (time * B + o->batch) *
				        n + k * per + u), u + 1 < per ? ' ' : '\n');
		if (plot_file_close(f, file))
			return TOOL_EXIT_FAIL;
	}
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set multiplot layout %zu,%zu\nunset key\n"
	        "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	        "set xtics 0,%zu out nomirror\nset ytics out nomirror\n"
	        "set palette defined (0 '#ffffff', 1 '#1f4e96')\nunset colorbox\n"
	        "set xlabel 'unit'\n", rings ? 1 : side, side, per - 1, T - 1,
	        per > 2 ? per / 2 : 1);
	for (size_t k = 0; k < S; k++) {
		if (rings)
			fprintf(gp, "set title 'nu = %ld'\n", (long)k - v);
		else
			fprintf(gp, "set title 'nu = (%ld, %ld)'\n", (long)(k / side) - v,
			        (long)(k % side) - v);
		fprintf(gp, "set ylabel '%s'\n", k ? "" : "time");
		fprintf(gp, "plot 'slice_%zu.txt' matrix with image\n", k);
	}
	fputs("unset multiplot\n", gp);
	return plot_script_end(gp);
}

int plot_equiv(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	if (o->channel != SIZE_MAX || o->units)
		tool_usage_error("--channel and --units are not for equiv (a slice is "
		                 "every channel of one velocity)");
	size_t lines = 0;
	for (size_t i = 0; i < dk_bundle_size(b); i++)
		lines += is_error_record(b, i);
	if (lines && o->have_batch)
		tool_usage_error("--batch is for the states of slices, not for "
		                 "dk-equiv's errors");
	return lines ? draw_errors(o, b, s, lines) : draw_slices(o, b, s);
}
