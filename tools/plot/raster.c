/*
 * raster.c -- dk-plot raster: the space-time raster of a network's
 * states, one batch element, the units across and time running down.
 *
 * data.bin holds the (time, unit) plane as little-endian f8 rows, which
 * gnuplot reads as a binary array and draws as an image.  With --channel
 * only one ring of a Wave-RNN is drawn, its size from --units, from the
 * states' layout or from the model attrs in the stream; cutting the plane
 * out of the tensor is dk_tensor_plane's job.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* The units per ring described in the stream's attrs, or 0: a record's
   layout of rings (dk-run's states), else a Wave-RNN's model attrs. */
static size_t attrs_units(const dk_bundle *b, size_t *channels)
{
	for (size_t i = 0; i < dk_bundle_size(b); i++) {
		const dk_meta *m = dk_bundle_meta(b, i);
		json_t *attrs = m ? dk_meta_attrs(m) : NULL;
		json_t *lj = attrs ? json_object_get(attrs, DK_LAYOUT_ATTR) : NULL;
		dk_layout l;
		if (lj && !dk_layout_from_json(lj, &l, NULL, 0) && l.rank == 2 &&
		    !strcmp(l.axes[0], "channel")) {
			*channels = l.shape[0];
			return l.shape[1];
		}
	}
	for (size_t i = 0; i < dk_bundle_size(b); i++) {
		const dk_meta *m = dk_bundle_meta(b, i);
		json_t *attrs = m ? dk_meta_attrs(m) : NULL;
		json_t *model = attrs ? json_object_get(attrs, "model") : NULL;
		json_t *u = json_object_get(model, "units");
		json_t *c = json_object_get(model, "channels");
		if (json_is_integer(u) && json_is_integer(c) && json_integer_value(u) > 0 &&
		    json_integer_value(c) > 0) {
			*channels = (size_t)json_integer_value(c);
			return (size_t)json_integer_value(u);
		}
	}
	return 0;
}

/* The units to draw, first .. first + count - 1, of U; nonzero (warned)
   when --channel names no ring there. */
static int pick_units(const plot_options *o, const dk_bundle *b, size_t U,
                      size_t *first, size_t *count)
{
	*first = 0;
	*count = U;
	if (o->channel == SIZE_MAX)
		return 0;
	size_t channels = 0, n = o->units ? o->units : attrs_units(b, &channels);
	if (!n) {
		tool_warn(o->input, "--channel: how many units per channel? give --units "
		          "(the stream has no layout or model attrs saying so)");
		return 1;
	}
	if ((channels && o->channel >= channels) || o->channel >= U / n) {
		tool_warn(o->input, "%s: no channel %zu of %zu units in %zu units", o->select,
		          o->channel, n, U);
		return 1;
	}
	*first = o->channel * n;
	*count = n;
	return 0;
}

/* Write data.bin: the T x count plane of batch element o->batch. */
static int write_plane(const plot_options *o, const dk_tensor *t, plot_script *s,
                       size_t T, size_t first, size_t count)
{
	double *plane = malloc(T * count * sizeof *plane);
	if (!plane) {
		tool_warn(NULL, "out of memory");
		return 1;
	}
	int st = dk_tensor_plane(t, o->batch, first, count, plane);
	FILE *f = st ? NULL : plot_file(s, "data.bin");
	if (f)
		fwrite(plane, sizeof *plane, T * count, f);
	free(plane);
	if (st) {
		tool_warn(o->input, "%s: %s", o->select, dk_strerror(st));
		return 1;
	}
	return !f || plot_file_close(f, "data.bin");
}

int plot_raster_plane(const plot_options *o, const dk_bundle *b, plot_script *s,
                      size_t *T, size_t *count)
{
	const char *src = o->input;
	const dk_tensor *t = dk_bundle_get(b, o->select);
	if (!t) {
		tool_warn(src, "no tensor named %s%s", o->select,
		          strcmp(o->select, DK_NAME_STATES) ? "" : " (dk-run writes one)");
		return 1;
	}
	if ((t->rank != 3 && t->rank != 2) || t->dtype == DK_C16 || t->dtype == DK_BYTES) {
		tool_warn(src, "%s: a raster is of a real (time, batch, unit) or "
		          "(time, unit) tensor", o->select);
		return 1;
	}
	size_t B = t->rank == 3 ? t->shape[1] : 1;
	size_t U = t->shape[t->rank - 1], first;
	*T = t->shape[0];
	if (o->batch >= B) {
		tool_warn(src, "%s: no batch element %zu (of %zu)", o->select, o->batch, B);
		return 1;
	}
	if (pick_units(o, b, U, &first, count))
		return 1;
	if (*T == 0 || *count == 0) {
		tool_warn(src, "%s: nothing to plot (no time steps or no units)", o->select);
		return 1;
	}
	return write_plane(o, t, s, *T, first, *count);
}

int plot_raster(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	size_t T, count;
	if (plot_raster_plane(o, b, s, &T, &count))
		return TOOL_EXIT_FAIL;
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	if (o->channel != SIZE_MAX)
		fprintf(gp, "set xlabel 'unit (channel %zu)'\n", o->channel);
	else
		fprintf(gp, "set xlabel 'unit'\n");
	fprintf(gp, "set ylabel 'time'\nunset key\nset tics out\n"
	            "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	            "plot 'data.bin' binary array=(%zu,%zu) format='%%float64' "
	            "endian=little with image\n",
	        count - 1, T - 1, count, T);
	return plot_script_end(gp);
}
