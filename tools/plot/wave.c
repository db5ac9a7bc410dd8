/*
 * wave.c -- dk-plot wave: the space-time raster of one sequence and ring
 * with the speed dk-wave fitted to it drawn across it, so the eye can
 * check that the wave follows the lines.
 *
 * The stream holds the states and dk-wave's records beside them.  The
 * raster is raster.c's data.bin; lines.txt holds the speed lines, each
 * a block of two points (unit, time) at the first and the last step,
 * x = x0 + v t: in the raster's (unit, time) plane their slope dt/dx is
 * 1 / v.  A NaN speed (no one speed: a standing wave) draws no lines.
 *
 * The second panel is the ring's k-omega power spectrum as dk-wave's
 * spectral method computes it (dk_wave_spectrum, with the window,
 * padding and boundary dk-wave recorded in wave/speed's attrs): spec.txt
 * holds rows "k f power" in increasing k, a blank line after each k, and
 * kline.txt the speed line f = -v k, two points.  Both read the states
 * -s names (states by default).  Sheets are wave_sheet.c's.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* Enough lines to cross the panel without drawing thousands when the
   wave runs fast (nearly flat lines). */
#define WAVE_MAX_LINES 200

/* Write lines.txt: parallel lines of speed v over units 0 .. count - 1
   and steps 0 .. T - 1, spaced so that about four cross each step. */
static int write_lines(plot_script *s, double v, size_t T, size_t count)
{
	FILE *f = plot_file(s, "lines.txt");
	if (!f)
		return 1;
	double run = v * (double)(T - 1); /* how far a line moves over the raster */
	double lo = run < 0 ? 0 : -run, hi = (double)count - (run < 0 ? run : 0);
	double gap = fmax((double)count / 4, (hi - lo) / WAVE_MAX_LINES);
	for (double x0 = lo; x0 <= hi; x0 += gap)
		fprintf(f, "%.17g 0\n%.17g %zu\n\n", x0, x0 + run, T - 1);
	return plot_file_close(f, "lines.txt");
}

/* Write spec.txt and kline.txt: the k-omega power of ring c of sequence
   o->batch of the states, read as rings of count units, and the line of
   speed v (none when v is not finite). */
static int write_spectrum(const plot_options *o, const dk_bundle *b, plot_script *s,
                          size_t count, size_t c, double v)
{
	/* o->select is there: plot_raster_plane has drawn it */
	size_t rec = (size_t)dk_bundle_find(b, o->select);
	const dk_tensor *t = dk_bundle_tensor(b, rec);
	dk_wave_states ws;
	dk_wave_options wo = dk_wave_options_default();
	char err[256];
	double *P = NULL;
	size_t nk, nf;
	/* the window, padding and boundary dk-wave recorded with its speed */
	long at = dk_bundle_find(b, DK_NAME_WAVE_SPEED);
	int st = at < 0 ? DK_OK
	         : dk_wave_options_from_attrs(dk_meta_attrs(dk_bundle_meta(b, (size_t)at)),
	                                      &wo, err, sizeof err);
	if (!st)
		st = dk_wave_states_from_record(b, rec, t->shape[t->rank - 1] / count,
		                                NULL, &ws, err, sizeof err);
	if (!st) {
		st = dk_wave_spectrum(&ws, &wo, o->batch, c, &P, &nk, &nf, err, sizeof err);
		dk_wave_states_clear(&ws);
	}
	FILE *f = st ? NULL : plot_file(s, "spec.txt");
	if (st)
		tool_warn(o->input, "%s", err);
	for (size_t i = 0; f && i < nk; i++) {
		size_t j = (i + nk / 2 + 1) % nk; /* k in increasing order */
		double k = (2 * j <= nk ? (double)j : (double)j - (double)nk) / (double)nk;
		for (size_t l = 0; l < nf; l++)
			fprintf(f, "%.17g %.17g %.17g\n", k, (double)l / (double)(2 * (nf - 1)),
			        P[j * nf + l]);
		fputc('\n', f);
	}
	free(P);
	if (!f || plot_file_close(f, "spec.txt"))
		return 1;
	if (!isfinite(v))
		return 0;
	f = plot_file(s, "kline.txt");
	if (f)
		fprintf(f, "-0.5 %.17g\n0.5 %.17g\n", 0.5 * v, -0.5 * v);
	return !f || plot_file_close(f, "kline.txt");
}

/* The fitted speed of sequence o->batch and ring *ring (SIZE_MAX: the
   one ring); NaN is a standing wave.  Nonzero (warned) when there is none. */
static int fitted_speed(const plot_options *o, const dk_bundle *b, size_t *ring,
                        double *v)
{
	const dk_tensor *t = dk_bundle_get(b, DK_NAME_WAVE_SPEED);
	if (!t) {
		tool_warn(o->input, "no %s: put dk-wave's records beside the states "
		          "(cat run.npy wave.npy | dk-plot wave)", DK_NAME_WAVE_SPEED);
		return 1;
	}
	if (t->rank != 2 || t->dtype != DK_F8) {
		tool_warn(o->input, "%s: not f8 (batch, ring) as dk-wave writes it",
		          DK_NAME_WAVE_SPEED);
		return 1;
	}
	size_t r = *ring == SIZE_MAX ? 0 : *ring;
	if (o->batch >= t->shape[0] || r >= t->shape[1]) {
		tool_warn(o->input, "%s: no batch %zu, ring %zu in (%zu, %zu)",
		          DK_NAME_WAVE_SPEED, o->batch, r, t->shape[0], t->shape[1]);
		return 1;
	}
	/* with several rings and no --channel, the first ring is drawn */
	if (*ring == SIZE_MAX && t->shape[1] > 1)
		*ring = 0;
	*v = dk_tensor_get_real(t, o->batch * t->shape[1] + r);
	return 0;
}

int plot_wave(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	plot_options ro = *o;
	double v;
	size_t T, count;
	if (dk_bundle_get(b, DK_NAME_WAVE_DIRECTION))
		return plot_wave_sheet(o, b, s); /* dk-wave's records of sheets */
	if (o->have_step) {
		tool_warn(o->input, "--step is for sheets; %s is of rings",
		          DK_NAME_WAVE_SPEED);
		return TOOL_EXIT_FAIL;
	}
	if (fitted_speed(o, b, &ro.channel, &v) || plot_raster_plane(&ro, b, s, &T, &count))
		return TOOL_EXIT_FAIL;
	int lines = isfinite(v);
	if (!lines)
		tool_warn(o->input, "%s of batch %zu is %g (no one speed: a standing "
		          "wave?): the raster is drawn without speed lines",
		          DK_NAME_WAVE_SPEED, o->batch, v);
	size_t c = ro.channel == SIZE_MAX ? 0 : ro.channel;
	if ((lines && write_lines(s, v, T, count)) || write_spectrum(o, b, s, count, c, v))
		return TOOL_EXIT_FAIL;
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set multiplot layout 1,2\n");
	if (ro.channel != SIZE_MAX)
		fprintf(gp, "set xlabel 'unit (channel %zu)'\n", ro.channel);
	else
		fprintf(gp, "set xlabel 'unit'\n");
	/* most lines enter and leave the panel outside it: gnuplot leaves
	   such lines out unless told to clip them */
	if (lines)
		fprintf(gp, "set title 'speed %.4g units per step'\nset clip two\n", v);
	fprintf(gp, "set ylabel 'time'\nunset key\nset tics out\n"
	            "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	            "plot 'data.bin' binary array=(%zu,%zu) format='%%float64' "
	            "endian=little with image%s\n",
	        count - 1, T - 1, count, T,
	        lines ? ", 'lines.txt' using 1:2 with lines lc rgb '#00c0ff' lw 1.5" : "");
	/* the power on a log scale: a wave's peak is decades above the rest */
	fprintf(gp, "unset title\nset xlabel 'k (cycles per unit)'\n"
	            "set ylabel 'f (cycles per step)'\nset xrange [-0.5:0.5]\n"
	            "set yrange [0:0.5]\nset cblabel 'log10 power'\n"
	            "plot 'spec.txt' using 1:2:($3 > 0 ? log10($3) : 1/0) with image%s\n"
	            "unset multiplot\n",
	        lines ? ", 'kline.txt' using 1:2 with lines lc rgb '#00c0ff' lw 1.5" : "");
	return plot_script_end(gp);
}
