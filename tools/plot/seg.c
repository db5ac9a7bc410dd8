/*
 * seg.c -- dk-plot seg: one image of a batch beside its true labels and
 * the labels a model gave its pixels, as three panels.
 *
 * The stream holds the images (input, (batch, channel, row, col), as
 * dk-gen shapes writes them; channel 0 drawn in grey), the labels a model
 * predicted (run/labels, (batch, row, col), as dk-run writes them for a
 * model with a head) and, when it has them, the true labels (target,
 * (batch, row, col)): `dk-cat images.npy run.npy | dk-plot seg`.  Each
 * panel is a binary f8 array gnuplot draws as an image, the labels in a
 * palette of one colour per class (background black).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* Write the H x W plane e of t (f8 or i8), as f8, into file. */
static int write_plane(plot_script *s, const char *file, const dk_tensor *t, size_t e,
                       size_t n, int64_t *largest)
{
	FILE *f = plot_file(s, file);
	if (!f)
		return 1;
	for (size_t i = 0; i < n; i++) {
		double v;
		if (t->dtype == DK_I8) {
			int64_t l = ((const int64_t *)t->data)[e * n + i];
			if (l > *largest)
				*largest = l;
			v = (double)l;
		} else {
			v = ((const double *)t->data)[e * n + i];
		}
		fwrite(&v, sizeof v, 1, f);
	}
	return plot_file_close(f, file);
}

/* That t is (B, H, W) labels, i8; nonzero (warned) otherwise. */
static int check_labels(const plot_options *o, const char *name, const dk_tensor *t,
                        size_t B, size_t H, size_t W)
{
	if (t->dtype == DK_I8 && t->rank == 3 && t->shape[0] == B && t->shape[1] == H &&
	    t->shape[2] == W)
		return 0;
	tool_warn(o->input, "%s: want i8 labels (batch, row, col) of (%zu, %zu, %zu), "
	          "as the images", name, B, H, W);
	return 1;
}

int plot_seg(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	const dk_tensor *img = dk_bundle_get(b, DK_NAME_INPUT);
	const dk_tensor *truth = dk_bundle_get(b, DK_NAME_TARGET);
	const dk_tensor *pred = dk_bundle_get(b, DK_NAME_RUN_LABELS);
	if (!img || !pred) {
		tool_warn(o->input, "no %s: seg draws images (%s, as dk-gen shapes writes "
		          "them) and a model's labels (%s, as dk-run writes them)",
		          img ? DK_NAME_RUN_LABELS : DK_NAME_INPUT, DK_NAME_INPUT,
		          DK_NAME_RUN_LABELS);
		return TOOL_EXIT_FAIL;
	}
	if (img->dtype != DK_F8 || img->rank != 4 || !img->shape[1] || !img->shape[2] ||
	    !img->shape[3]) {
		tool_warn(o->input, "%s: want f8 images (batch, channel, row, col)", DK_NAME_INPUT);
		return TOOL_EXIT_FAIL;
	}
	size_t B = img->shape[0], H = img->shape[2], W = img->shape[3], n = H * W;
	if (check_labels(o, DK_NAME_RUN_LABELS, pred, B, H, W) ||
	    (truth && check_labels(o, DK_NAME_TARGET, truth, B, H, W)))
		return TOOL_EXIT_FAIL;
	if (o->batch >= B) {
		tool_warn(o->input, "%s: no batch element %zu (of %zu)", DK_NAME_INPUT, o->batch, B);
		return TOOL_EXIT_FAIL;
	}
	int64_t largest = 1;
	/* channel 0 of image e: the first n values of its C n, plane e C */
	if (write_plane(s, "image.bin", img, o->batch * img->shape[1], n, &largest) ||
	    write_plane(s, "pred.bin", pred, o->batch, n, &largest) ||
	    (truth && write_plane(s, "truth.bin", truth, o->batch, n, &largest)))
		return TOOL_EXIT_FAIL;
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	static const char *const colours[] = {"black", "red", "green", "blue", "yellow",
	                                      "magenta", "cyan", "orange", "white"};
	size_t K = (size_t)largest + 1, nc = sizeof colours / sizeof *colours;
	fprintf(gp, "unset key\nunset colorbox\nset tics out\nset size ratio -1\n"
	            "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	            "set multiplot layout 1,%d\n", W - 1, H - 1, truth ? 3 : 2);
	fprintf(gp, "set title 'image %zu'\nset palette grey\nset cbrange [*:*]\n"
	            "plot 'image.bin' binary array=(%zu,%zu) format='%%float64' "
	            "endian=little with image\n", o->batch, W, H);
	/* one colour per class, the classes past the list's in grey levels */
	fprintf(gp, "set palette maxcolors %zu\nset palette defined (", K);
	for (size_t k = 0; k < K; k++)
		if (k < nc)
			fprintf(gp, "%s%zu '%s'", k ? ", " : "", k, colours[k]);
		else
			fprintf(gp, ", %zu 'grey%zu'", k, 20 + 60 * k / K);
	fprintf(gp, ")\nset cbrange [-0.5:%zu.5]\n", K - 1);
	if (truth)
		fprintf(gp, "set title 'true labels'\nplot 'truth.bin' binary array=(%zu,%zu) "
		            "format='%%float64' endian=little with image\n", W, H);
	fprintf(gp, "set title 'predicted labels'\nplot 'pred.bin' binary array=(%zu,%zu) "
	            "format='%%float64' endian=little with image\nunset multiplot\n", W, H);
	return plot_script_end(gp);
}
