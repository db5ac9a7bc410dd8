/*
 * plot.h -- what dk-plot's pictures share: the options they read, the
 * scratch directory they write their data and gnuplot script into, and
 * the one signature every kind of picture has.
 *
 * A picture kind is a file in tools/plot/ with one entry point
 *	int plot_NAME(const plot_options *o, const dk_bundle *b, plot_script *s);
 * that finds its tensors in b, writes its data files and plot.gp into the
 * scratch directory s (plot_file, plot_script_begin), and returns the exit
 * status; it draws nothing itself and prints only warnings.  It is made
 * known to dk-plot by one row of the table in tools/dk-plot.c.  Running
 * gnuplot and delivering its picture are gnuplot.c's.
 */
#ifndef DK_PLOT_H
#define DK_PLOT_H

#include <complex.h>
#include <limits.h>
#include <stdio.h>

#include "../tool.h"

enum plot_format { PLOT_FORMAT_NONE, PLOT_FORMAT_PNG, PLOT_FORMAT_SVG };

typedef struct plot_options {
	enum plot_format format;
	const char *output;      /* -o FILE, or NULL for stdout */
	const char *select;      /* -s NAME, or the kind's default, or NULL */
	const char *input;       /* the file operand, "-" for stdin */
	unsigned width, height;  /* pixels */
	int linear;              /* loss: a linear loss axis */
	size_t batch, channel, units; /* raster (batch: seg too); channel SIZE_MAX:
	                                 none; units 0: none */
	int have_batch;          /* --batch given */
	size_t step;             /* wave on sheets: the step drawn */
	int have_step;           /* --step given; else the middle step */
	dk_convention convention; /* eig, pca: valid when have_convention */
	int have_convention;     /* --convention given; else by the attrs */
	size_t components;       /* pca: 2 or 3; 0 for the default, 2 */
	size_t frames;           /* frames: how many; 0 for the default, 8 */
	size_t sheet[2];         /* frames: --sheet rows, cols; 0: none */
	size_t max_elements;
} plot_options;

/* The private scratch directory a picture is made in. */
typedef struct plot_script {
	char dir[PATH_MAX]; /* "" when there is none */
} plot_script;

/* ---- the picture kinds (one file each) ---- */
int plot_loss(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_raster(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_eig(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_pca(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_wave(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_lyap(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_dmft(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_equiv(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_seg(const plot_options *o, const dk_bundle *b, plot_script *s);
int plot_frames(const plot_options *o, const dk_bundle *b, plot_script *s);

/* ---- wave_sheet.c: dk-plot wave on sheets, which plot_wave hands over to ---- */
int plot_wave_sheet(const plot_options *o, const dk_bundle *b, plot_script *s);

/* ---- raster.c: the plane of states raster and wave draw ---- */

/* Write data.bin, the (time, unit) plane of o->select's batch element
   o->batch (only ring o->channel with --channel), as little-endian f8
   rows; its T steps and count units.  Nonzero (warned) on failure. */
int plot_raster_plane(const plot_options *o, const dk_bundle *b, plot_script *s,
                      size_t *T, size_t *count);

/* ---- gnuplot.c: the scratch directory, gnuplot, the picture ---- */

/* "png" or "svg" (any case) as a format; PLOT_FORMAT_NONE otherwise. */
enum plot_format plot_format_by_name(const char *name);
/* Make the scratch directory under $TMPDIR; nonzero (warned) on failure. */
int plot_scratch_make(plot_script *s);
/* Remove the scratch directory and everything in it. */
void plot_scratch_remove(plot_script *s);
/* Create the scratch file named file for writing; NULL (warned) on failure. */
FILE *plot_file(plot_script *s, const char *file);
/* Close a scratch file f named file; nonzero (warned) on a write error. */
int plot_file_close(FILE *f, const char *file);
/* Create plot.gp and write the terminal and output lines o asks for. */
FILE *plot_script_begin(plot_script *s, const plot_options *o);
/* Close plot.gp; returns the exit status. */
int plot_script_end(FILE *gp);
/* Run gnuplot on plot.gp in the scratch directory; the exit status. */
int plot_run(const plot_script *s);
/* Copy the picture gnuplot wrote to stdout or -o; the exit status. */
int plot_deliver(const plot_script *s, const plot_options *o);

/* ---- eigvals.c: eigenvalues as a stream holds them ---- */

/* The convention of the eigenvalues at entry i of b (-1: none): the
   option's, else the attrs', else a map's. */
dk_convention plot_convention(const plot_options *o, const dk_bundle *b, long i);
/* Element j of t, complex or real, as a complex number. */
double complex plot_eig_value(const dk_tensor *t, size_t j);

#endif
