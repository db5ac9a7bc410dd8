/*
 * frames.c -- dk-plot frames: a sheet's wave as a strip of still frames,
 * one channel of one sequence at evenly spaced steps, the first and the
 * last among them.
 *
 * The states are read as dk-wave reads them (dk_wave_states_from_bundle:
 * the layout attr's sheets, or --sheet H,W over a bare array, or a
 * (time, row, col) array's own shape); states that are rings are refused,
 * since a frame is a picture of a plane.  Frame k is step
 *	t_k = round(k (T - 1) / (F - 1))   (halves up; t_0 = 0 when F = 1)
 * written to frameK.bin as H x W little-endian f8, row by row, which
 * gnuplot draws as an image titled with its step.  All frames share one
 * colour scale symmetric about 0, +-m with m the largest finite |value|
 * among them, so a crest and a trough of the same height read alike in
 * every frame.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "plot.h"

/* The default number of frames. */
#define FRAMES_DEFAULT 8

/* Step k of F evenly spaced steps of T, rounded half up. */
static size_t frame_step(size_t k, size_t F, size_t T)
{
	if (F == 1)
		return 0;
	/* k (T - 1) = k (q (F - 1) + r): only 2 k r < 2 F^2 is divided, which
	   fits for any F a stream of at most SIZE_MAX bytes can have as steps */
	size_t q = (T - 1) / (F - 1), r = (T - 1) % (F - 1);
	return k * q + (2 * k * r + F - 1) / (2 * (F - 1));
}

/* Write frame k (step t) of batch element b, channel c into frameK.bin;
   the largest finite |value| into *m.  Nonzero (warned) on failure. */
static int write_frame(const dk_wave_states *ws, size_t k, size_t t, size_t b,
                       size_t c, plot_script *s, double *m)
{
	const dk_tensor *x = ws->x ? ws->x : ws->view;
	size_t n = ws->H * ws->W;
	const double *v = (const double *)x->data + (t * ws->B + b) * ws->C * n + c * n;
	char file[64];
	snprintf(file, sizeof file, "frame%zu.bin", k);
	FILE *f = plot_file(s, file);
	if (!f)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && fabs(v[i]) > *m)
			*m = fabs(v[i]);
	fwrite(v, sizeof *v, n, f);
	return plot_file_close(f, file);
}

/* The columns of the grid of F frames: about twice as many as rows. */
static size_t grid_columns(size_t F)
{
	size_t cols = 1;
	while (cols * cols < 2 * F)
		cols++;
	return cols < F ? cols : F;
}

int plot_frames(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	/* -s NAME, else the states as dk-wave finds them: the tensor named
	   states, else the only one outside the model (a bare array) */
	long at = o->select ? dk_bundle_find(b, o->select) : 0;
	if (at < 0) {
		tool_warn(o->input, "no tensor named %s", o->select);
		return TOOL_EXIT_FAIL;
	}
	dk_wave_states ws;
	char err[256];
	const size_t *sheet = o->sheet[0] ? o->sheet : NULL;
	if (o->select ? dk_wave_states_from_record(b, (size_t)at, 0, sheet, &ws, err, sizeof err)
	              : dk_wave_states_from_bundle(b, 0, sheet, &ws, err, sizeof err)) {
		tool_warn(o->input, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	const char *name = *ws.name ? ws.name : "the states";
	size_t F = o->frames ? o->frames : FRAMES_DEFAULT;
	size_t c = o->channel == SIZE_MAX ? 0 : o->channel;
	int st = TOOL_EXIT_FAIL;
	if (!ws.H)
		tool_warn(o->input, "%s: no sheets (no layout attr names them, nor is it a "
		          "(time, row, col) array): give --sheet H,W", name);
	else if (o->batch >= ws.B)
		tool_warn(o->input, "%s: no batch element %zu (of %zu)", name, o->batch, ws.B);
	else if (c >= ws.C)
		tool_warn(o->input, "%s: no channel %zu (of %zu)", name, c, ws.C);
	else if (F > ws.T)
		tool_warn(o->input, "%s: %zu frames of %zu steps: at most one a step", name,
		          F, ws.T);
	else
		st = TOOL_EXIT_OK;
	double m = 0;
	for (size_t k = 0; st == TOOL_EXIT_OK && k < F; k++)
		if (write_frame(&ws, k, frame_step(k, F, ws.T), o->batch, c, s, &m))
			st = TOOL_EXIT_FAIL;
	size_t T = ws.T, H = ws.H, W = ws.W;
	dk_wave_states_clear(&ws);
	if (st)
		return st;
	if (!(m > 0))
		m = 1; /* all zero: any range centred on 0 */
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	size_t cols = grid_columns(F), rows = (F + cols - 1) / cols;
	/* blue below 0, white at 0, red above, the same +-m in every frame */
	/* about four tics a side: small frames have no room for more */
	fprintf(gp, "unset key\nunset colorbox\nset tics out nomirror\nset size ratio -1\n"
	            "set xtics %zu\nset ytics %zu\n"
	            "set palette defined (-1 '#0000b0', 0 'white', 1 '#b00000')\n"
	            "set cbrange [%.17g:%.17g]\n"
	            "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	            "set multiplot layout %zu,%zu title 'batch %zu, channel %zu: "
	            "blue -%.4g, white 0, red %.4g'\n",
	        (W + 3) / 4, (H + 3) / 4, -m, m, W - 1, H - 1, rows, cols, o->batch, c, m, m);
	for (size_t k = 0; k < F; k++)
		fprintf(gp, "set title 'step %zu'\nplot 'frame%zu.bin' binary "
		            "array=(%zu,%zu) format='%%float64' endian=little with image\n",
		        frame_step(k, F, T), k, W, H);
	fputs("unset multiplot\n", gp);
	return plot_script_end(gp);
}
