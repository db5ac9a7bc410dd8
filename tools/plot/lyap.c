/*
 * lyap.c -- dk-plot lyap: the convergence of a Lyapunov spectrum, the
 * running estimate of each exponent against the step, as dk-lyap writes
 * it (lyap/trace, checkpoint x exponent, with lyap/trace_steps).
 *
 * trace.txt holds one row per checkpoint: the step (or the time, when the
 * attrs "lyap" say the exponents are per unit time: step x step_time)
 * then the k running estimates; a value that is not finite (the -inf of a
 * silent ReLU direction) is written NaN, which gnuplot leaves out.
 * final.txt holds, at the last checkpoint, each exponent of
 * lyap/exponents with its lyap/stderr, drawn as points with error bars.
 * The first few exponents are named in the key; the rest are drawn
 * untitled, since a key of a hundred lines hides the picture.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "plot.h"

/* Exponents named in the key. */
#define KEY_EXPONENTS 6

/* The x axis: per step, or per unit time with the time of a step. */
typedef struct {
	int per_time;     /* the attrs say "per unit time" */
	int have_units;   /* the attrs say either */
	double step_time; /* time per step (1 when per step) */
	int have_steps;   /* lyap/trace_steps gives the steps; else checkpoints */
} lyap_axis;

/* The units and the step time from the attrs "lyap" of the trace. */
static void read_axis(const plot_options *o, const dk_bundle *b, long at, lyap_axis *ax)
{
	ax->step_time = 1;
	json_t *attrs = dk_meta_attrs(dk_bundle_meta(b, (size_t)at));
	json_t *lyap = attrs ? json_object_get(attrs, "lyap") : NULL;
	const char *units = json_string_value(json_object_get(lyap, "units"));
	if (!units)
		return;
	ax->have_units = 1;
	if (strcmp(units, "per unit time"))
		return;
	double dt = json_number_value(json_object_get(lyap, "step_time"));
	if (!(dt > 0) || !isfinite(dt)) {
		tool_warn(o->input, "%s: the exponents are per unit time, but the attrs give "
		          "no positive step_time; the axis is in steps", o->select);
		ax->have_units = 0;
		return;
	}
	ax->per_time = 1;
	ax->step_time = dt;
}

/* A number for gnuplot: NaN (a gap) when it is not finite. */
static void print_value(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
	else
		fputs("NaN", f);
}

/* The steps of the C checkpoints (NULL: none fit), warned when unusable. */
static const dk_tensor *trace_steps(const plot_options *o, const dk_bundle *b, size_t C)
{
	const dk_tensor *st = dk_bundle_get(b, DK_NAME_LYAP_TRACE_STEPS);
	if (st && (st->count != C || st->dtype == DK_C16 || st->dtype == DK_BYTES)) {
		tool_warn(o->input, DK_NAME_LYAP_TRACE_STEPS " has %zu values for %zu "
		          "checkpoints; the axis counts checkpoints", st->count, C);
		return NULL;
	}
	if (!st)
		tool_warn(o->input, "no " DK_NAME_LYAP_TRACE_STEPS "; the axis counts checkpoints");
	return st;
}

/* Write final.txt: each exponent with its standard error at x (no
   error: 0), counted in *count; nothing when lyap/exponents is absent or
   does not fit. */
static int write_final(const plot_options *o, const dk_bundle *b, plot_script *s,
                       size_t k, double x, size_t *count)
{
	const dk_tensor *e = dk_bundle_get(b, DK_NAME_LYAP_EXPONENTS);
	const dk_tensor *se = dk_bundle_get(b, DK_NAME_LYAP_STDERR);
	*count = 0;
	if (!e)
		return 0;
	if (e->count != k || e->dtype == DK_C16 || e->dtype == DK_BYTES) {
		tool_warn(o->input, DK_NAME_LYAP_EXPONENTS " has %zu values for %zu exponents "
		          "in %s: the final values are not marked", e->count, k, o->select);
		return 0;
	}
	if (se && (se->count != k || se->dtype == DK_C16 || se->dtype == DK_BYTES)) {
		tool_warn(o->input, DK_NAME_LYAP_STDERR " has %zu values for %zu exponents: "
		          "no error bars", se->count, k);
		se = NULL;
	}
	FILE *f = plot_file(s, "final.txt");
	if (!f)
		return 1;
	for (size_t j = 0; j < k; j++) {
		double v = dk_tensor_get_real(e, j);
		double err = se ? dk_tensor_get_real(se, j) : 0;
		if (!isfinite(v))
			continue;
		fprintf(f, "%.17g %.17g %.17g\n", x, v, isfinite(err) ? err : 0);
		++*count;
	}
	return plot_file_close(f, "final.txt");
}

static int write_script(const plot_options *o, plot_script *s, const lyap_axis *ax,
                        size_t k, size_t C, size_t finals)
{
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	const char *per = !ax->have_units ? "" : ax->per_time ? " (per unit time)"
	                                                      : " (per step)";
	fprintf(gp, "set xlabel '%s'\nset ylabel 'exponent%s'\n"
	            "set grid\nset tics out\nset key outside right top vertical title 'exponent'\n"
	            "set offsets 0, graph 0.04, 0, 0\n",
	        !ax->have_steps ? "checkpoint" : ax->per_time ? "time" : "step", per);
	fputs("set xzeroaxis lt -1 lw 0.5\n", gp);
	const char *sep = "plot ";
	for (size_t j = 0; j < k; j++) {
		fprintf(gp, "%s'trace.txt' using 1:%zu with %s lw 1.5 lc %zu ", sep, j + 2,
		        C == 1 ? "points pt 7" : "lines", j % 8 + 1);
		if (j < KEY_EXPONENTS)
			fprintf(gp, "title '%zu'", j + 1);
		else
			fputs("notitle", gp);
		sep = ", \\\n     ";
	}
	if (finals)
		fprintf(gp, "%s'final.txt' using 1:2:3 with yerrorbars pt 7 ps 0.8 lc rgb '#000000' "
		            "title 'final, s.e.'", sep);
	fputs("\n", gp);
	return plot_script_end(gp);
}

int plot_lyap(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	const char *src = o->input;
	long at = dk_bundle_find(b, o->select);
	if (at < 0) {
		tool_warn(src, "no tensor named %s%s", o->select,
		          strcmp(o->select, DK_NAME_LYAP_TRACE) ? ""
		          : " (the convergence trace dk-lyap writes)");
		return TOOL_EXIT_FAIL;
	}
	const dk_tensor *t = dk_bundle_tensor(b, (size_t)at);
	if (t->rank != 2 || t->shape[0] == 0 || t->shape[1] == 0 || t->dtype == DK_C16 ||
	    t->dtype == DK_BYTES) {
		tool_warn(src, "%s: a trace is a real (checkpoint, exponent) tensor with at "
		          "least one of each", o->select);
		return TOOL_EXIT_FAIL;
	}
	size_t C = t->shape[0], k = t->shape[1];
	lyap_axis ax = {0};
	read_axis(o, b, at, &ax);
	const dk_tensor *steps = trace_steps(o, b, C);
	ax.have_steps = steps != NULL;
	FILE *f = plot_file(s, "trace.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	double x = 0;
	for (size_t c = 0; c < C; c++) {
		x = steps ? dk_tensor_get_real(steps, c) * ax.step_time : (double)(c + 1);
		print_value(f, x);
		for (size_t j = 0; j < k; j++) {
			fputc(' ', f);
			print_value(f, dk_tensor_get_real(t, c * k + j));
		}
		fputc('\n', f);
	}
	if (plot_file_close(f, "trace.txt"))
		return TOOL_EXIT_FAIL;
	size_t finals = 0;
	if (write_final(o, b, s, k, x, &finals))
		return TOOL_EXIT_FAIL;
	return write_script(o, s, &ax, k, C, finals);
}
