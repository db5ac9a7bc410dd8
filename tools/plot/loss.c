/*
 * loss.c -- dk-plot loss: the training loss against the step.
 *
 * data.txt holds "step loss" lines for the finite values of the 1-D real
 * tensor (train/loss as dk-train writes it, steps from 1); the loss axis
 * is logarithmic unless --linear is given or no value is positive, and a
 * single value is drawn as a point since a line of one point is nothing.
 * When the stream holds train/log (row, column: step, train loss, test
 * loss, test accuracy) beside train/loss, test.txt holds its "step test
 * loss" rows, drawn over the training loss with a key.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "plot.h"

/* test.txt: the test rows of train/log with a finite test loss (positive
   for a log scale), counted in *count; none when there is no log. */
static int write_test(const plot_options *o, const dk_bundle *b, plot_script *s,
                      int log, size_t *count)
{
	const dk_tensor *l = dk_bundle_get(b, DK_NAME_TRAIN_LOG);
	*count = 0;
	if (!l)
		return 0;
	if (l->rank != 2 || l->shape[1] != 4 || l->dtype == DK_C16 || l->dtype == DK_BYTES) {
		tool_warn(o->input, DK_NAME_TRAIN_LOG " is not (row, 4) real rows "
		          "(step, train loss, test loss, test accuracy): not drawn");
		return 0;
	}
	FILE *f = plot_file(s, "test.txt");
	if (!f)
		return 1;
	for (size_t r = 0; r < l->shape[0]; r++) {
		double step = dk_tensor_get_real(l, 4 * r), v = dk_tensor_get_real(l, 4 * r + 2);
		if (!isfinite(step) || !isfinite(v) || (log && !(v > 0)))
			continue;
		fprintf(f, "%.17g %.17g\n", step, v);
		++*count;
	}
	return plot_file_close(f, "test.txt");
}

int plot_loss(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	const char *src = o->input;
	const dk_tensor *t = dk_bundle_get(b, o->select);
	if (!t) {
		tool_warn(src, "no tensor named %s%s", o->select,
		          strcmp(o->select, DK_NAME_TRAIN_LOSS) ? ""
		          : " (dk-train writes one with the model)");
		return TOOL_EXIT_FAIL;
	}
	if (t->rank != 1 || t->dtype == DK_C16 || t->dtype == DK_BYTES) {
		tool_warn(src, "%s: a loss curve is a 1-D real tensor", o->select);
		return TOOL_EXIT_FAIL;
	}
	FILE *f = plot_file(s, "data.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	size_t finite = 0, positive = 0;
	for (size_t i = 0; i < t->count; i++) {
		double v = dk_tensor_get_real(t, i);
		if (!isfinite(v))
			continue;
		finite++;
		positive += v > 0;
		fprintf(f, "%zu %.17g\n", i + 1, v);
	}
	if (plot_file_close(f, "data.txt"))
		return TOOL_EXIT_FAIL;
	if (!finite) {
		tool_warn(src, "%s: no finite value to plot", o->select);
		return TOOL_EXIT_FAIL;
	}
	int log = !o->linear;
	if (log && !positive) {
		tool_warn(src, "%s: no positive value for a log scale; plotting it linear",
		          o->select);
		log = 0;
	}
	size_t tests = 0;
	if (!strcmp(o->select, DK_NAME_TRAIN_LOSS) && write_test(o, b, s, log, &tests))
		return TOOL_EXIT_FAIL;
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set xlabel 'step'\nset ylabel 'loss'\nset grid\n");
	fprintf(gp, tests ? "set key top right\n" : "unset key\n");
	if (log)
		fprintf(gp, "set logscale y\n");
	fprintf(gp, "plot 'data.txt' using 1:2 with %s lw 1.5 lc rgb '#1f4e96' title 'train'",
	        finite == 1 ? "points pt 7" : "lines");
	if (tests)
		fprintf(gp, ", \\\n     'test.txt' using 1:2 with %s lw 1.5 lc rgb '#c0392b' "
		        "title 'test'", tests == 1 ? "points pt 5" : "linespoints pt 5 ps 0.6");
	fputs("\n", gp);
	return plot_script_end(gp);
}
