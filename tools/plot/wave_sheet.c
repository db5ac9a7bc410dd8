/*
 * wave_sheet.c -- dk-plot wave on sheets: one step of one sheet's phase
 * as a colour map on a cyclic palette, with arrows along the phase
 * gradient and one arrow along the direction dk-wave fitted, so the eye
 * can check the fit against the field.
 *
 * The phase and its gradient are the phase method's
 * (dk_wave_sheet_phase_frame, with the band and boundary dk-wave
 * recorded in wave/speed's attrs): phase.txt holds rows "col row phase"
 * (radians in (-pi, pi]), a blank line after each row of the sheet;
 * arrows.txt holds "x y dx dy" for every stride-th cell of 2 x 2 units
 * (at most about ARROWS_ACROSS a side), centred on the cell, of length
 * 0.8 strides along -g / |g|: the analytic signal keeps only positive
 * frequencies, so its phase grows in time and the wave moves down its
 * gradient; direction.txt one arrow from the sheet's middle along
 * wave/direction (none when it is NaN).  x is the column, y the row,
 * drawn downward as in the raster.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "plot.h"

/* Enough arrows a side to read, few enough to see the phase between. */
#define ARROWS_ACROSS 12

/* The phase field of o->batch, sheet c at step t into phase.txt and
   arrows.txt. */
static int write_field(const plot_options *o, const dk_wave_states *ws,
                       const dk_wave_options *wo, size_t c, size_t t,
                       plot_script *s)
{
	size_t H = ws->H, W = ws->W;
	int periodic = ws->periodic && !wo->open;
	size_t cy = periodic ? H : H - 1, cx = periodic ? W : W - 1;
	double *phase = malloc(H * W * sizeof *phase);
	double *gx = malloc(cy * cx * sizeof *gx), *gy = malloc(cy * cx * sizeof *gy);
	char err[256];
	int st = !phase || !gx || !gy;
	if (st)
		tool_warn(NULL, "out of memory");
	else if ((st = dk_wave_sheet_phase_frame(ws, wo, o->batch, c, t, phase, gx, gy,
	                                         err, sizeof err)))
		tool_warn(o->input, "%s", err);
	FILE *f = st ? NULL : plot_file(s, "phase.txt");
	for (size_t i = 0; f && i < H; i++) {
		for (size_t j = 0; j < W; j++)
			fprintf(f, "%zu %zu %.17g\n", j, i, phase[i * W + j]);
		fputc('\n', f);
	}
	st = st || !f || plot_file_close(f, "phase.txt");
	f = st ? NULL : plot_file(s, "arrows.txt");
	size_t big = cy > cx ? cy : cx;
	size_t stride = (big + ARROWS_ACROSS - 1) / ARROWS_ACROSS;
	for (size_t i = stride / 2; f && i < cy; i += stride)
		for (size_t j = stride / 2; j < cx; j += stride) {
			double x = gx[i * cx + j], y = gy[i * cx + j], g = hypot(x, y);
			if (!(g > 0))
				continue; /* no gradient: no direction to draw */
			double len = 0.8 * (double)stride;
			double dx = -x / g * len, dy = -y / g * len;
			fprintf(f, "%.17g %.17g %.17g %.17g\n", (double)j + 0.5 - dx / 2,
			        (double)i + 0.5 - dy / 2, dx, dy);
		}
	st = st || !f || plot_file_close(f, "arrows.txt");
	free(phase);
	free(gx);
	free(gy);
	return st;
}

/* The fitted value of record name at o->batch and sheet c; NaN and a
   warning when the record is not dk-wave's (batch, channel). */
static double fitted(const plot_options *o, const dk_bundle *b,
                     const char *name, size_t c, int *bad)
{
	const dk_tensor *t = dk_bundle_get(b, name);
	if (!t || t->rank != 2 || t->dtype != DK_F8 || o->batch >= t->shape[0] ||
	    c >= t->shape[1]) {
		tool_warn(o->input, "%s: no f8 (batch, channel) value at batch %zu, "
		          "channel %zu, as dk-wave writes it", name, o->batch, c);
		*bad = 1;
		return NAN;
	}
	return dk_tensor_get_real(t, o->batch * t->shape[1] + c);
}

int plot_wave_sheet(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	long at = dk_bundle_find(b, o->select);
	if (at < 0) {
		tool_warn(o->input, "no tensor named %s", o->select);
		return TOOL_EXIT_FAIL;
	}
	if (o->units) {
		tool_warn(o->input, "--units is for rings: sheets take their rows and "
		          "columns from the states' layout or shape");
		return TOOL_EXIT_FAIL;
	}
	dk_wave_states ws;
	dk_wave_options wo = dk_wave_options_default();
	char err[256];
	/* the band and boundary dk-wave recorded with its speed */
	long sp = dk_bundle_find(b, DK_NAME_WAVE_SPEED);
	int st = sp < 0 ? DK_OK
	         : dk_wave_options_from_attrs(dk_meta_attrs(dk_bundle_meta(b, (size_t)sp)),
	                                      &wo, err, sizeof err);
	if (!st)
		st = dk_wave_states_from_record(b, (size_t)at, 0, NULL, &ws, err, sizeof err);
	if (st) {
		tool_warn(o->input, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (!ws.H) {
		tool_warn(o->input, "%s are rings, but %s says dk-wave read sheets",
		          o->select, DK_NAME_WAVE_DIRECTION);
		dk_wave_states_clear(&ws);
		return TOOL_EXIT_FAIL;
	}
	size_t c = o->channel == SIZE_MAX ? 0 : o->channel;
	size_t t = o->have_step ? o->step : ws.T / 2;
	size_t H = ws.H, W = ws.W;
	int bad = 0;
	double deg = fitted(o, b, DK_NAME_WAVE_DIRECTION, c, &bad);
	double v = fitted(o, b, DK_NAME_WAVE_SPEED, c, &bad);
	st = bad || write_field(o, &ws, &wo, c, t, s);
	dk_wave_states_clear(&ws);
	if (st)
		return TOOL_EXIT_FAIL;
	int arrow = isfinite(deg);
	if (!arrow)
		tool_warn(o->input, "%s of batch %zu, channel %zu is NaN (no one "
		          "direction): the phase is drawn without it",
		          DK_NAME_WAVE_DIRECTION, o->batch, c);
	FILE *f = arrow ? plot_file(s, "direction.txt") : NULL;
	if (arrow) {
		double len = (double)(H < W ? H : W) / 3, r = deg * M_PI / 180;
		double dx = len * cos(r), dy = len * sin(r);
		if (f)
			fprintf(f, "%.17g %.17g %.17g %.17g\n", ((double)W - 1) / 2 - dx / 2,
			        ((double)H - 1) / 2 - dy / 2, dx, dy);
		if (!f || plot_file_close(f, "direction.txt"))
			return TOOL_EXIT_FAIL;
	}
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	if (arrow)
		fprintf(gp, "set title 'channel %zu, step %zu: direction %.4g deg, speed "
		            "%.4g units per step'\n", c, t, deg, v);
	else
		fprintf(gp, "set title 'channel %zu, step %zu: no one direction'\n", c, t);
	/* a cyclic palette: -pi and pi are the same phase, the same colour */
	fprintf(gp, "set palette defined (0 '#ff0000', 1 '#ffff00', 2 '#00ff00', "
	            "3 '#00ffff', 4 '#0000ff', 5 '#ff00ff', 6 '#ff0000')\n"
	            "set cbrange [-pi:pi]\nset cblabel 'phase (radians)'\n"
	            "set xlabel 'col'\nset ylabel 'row'\nunset key\nset tics out\n"
	            "set size ratio -1\n"
	            "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	            "plot 'phase.txt' using 1:2:3 with image, "
	            "'arrows.txt' using 1:2:3:4 with vectors head filled lc rgb 'black'%s\n",
	        W - 1, H - 1,
	        arrow ? ", 'direction.txt' using 1:2:3:4 with vectors head filled "
	                "lw 4 lc rgb 'white'" : "");
	return plot_script_end(gp);
}
