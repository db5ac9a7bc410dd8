/*
 * dk-plot -- pictures of streams through gnuplot: the loss curve of a
 * training run, the space-time raster of a network's states, eigenvalues
 * in the complex plane, fixed points with trajectories in the plane (or
 * space) of their first two (or three) principal components, a ring's
 * raster and k-omega spectrum with the speed dk-wave fitted to it (on
 * sheets a step of the phase with its gradient), the convergence of a
 * Lyapunov spectrum, and dk-dmft's theory beside its simulation or along
 * a sweep, and still frames of a sheet's wave, as PNG or SVG.
 *
 *	dk-train --task flipflop --steps 500 < net.npy | dk-plot loss -o loss.png
 *	dk-run net.npy in.npy | dk-plot raster --batch 2 -o raster.svg
 *	dk-jac net.npy fp.npy | dk-plot eig -o eig.png
 *	cat fp.npy run.npy | dk-plot pca -o pca.png
 *	cat run.npy wave.npy | dk-plot wave --channel 1 -o wave.png
 *	dk-lyap net.npy in.npy | dk-plot lyap -o lyap.png
 *	dk-dmft scs --simulate 1000 | dk-plot dmft -o delta.png
 *	dk-run sheet.npy shapes.npy | dk-plot frames --frames 6 -o frames.png
 *
 * This file is the dispatcher: it reads the options and the stream, picks
 * the kind of picture from the table below, and has it write its data and
 * gnuplot script into a scratch directory (tools/plot/KIND.c), then runs
 * gnuplot and delivers the picture (tools/plot/gnuplot.c).  A new kind of
 * picture is a new file in tools/plot/ and a row of the table.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot.h"

enum { OPT_LINEAR = TOOL_OPT_FIRST_FREE, OPT_FORMAT, OPT_SIZE, OPT_BATCH,
       OPT_CHANNEL, OPT_UNITS, OPT_CONVENTION, OPT_COMPONENTS, OPT_STEP,
       OPT_FRAMES, OPT_SHEET };

/* The options only some kinds take. */
enum { TAKES_LINEAR = 1, TAKES_RING = 2, TAKES_CONVENTION = 4, TAKES_COMPONENTS = 8,
       TAKES_STEP = 16, TAKES_BATCH = 32, TAKES_FRAMES = 64 };

#define SIZE_MAX_PIXELS 16384

/* The kinds of picture: the name on the command line, the entry point,
   the tensor drawn when -s is not given (NULL: the kind looks for its
   own), the options of its own, and its lines in --help. */
static const struct kind {
	const char *name;
	int (*draw)(const plot_options *o, const dk_bundle *b, plot_script *s);
	const char *select;
	unsigned takes;
	const char *help;
} kinds[] = {
	{"loss", plot_loss, DK_NAME_TRAIN_LOSS, TAKES_LINEAR,
	 "  loss    the training loss (train/loss, as dk-train writes it) against\n"
	 "          the step, on a logarithmic scale\n"},
	{"raster", plot_raster, DK_NAME_STATES, TAKES_RING,
	 "  raster  the space-time raster of states (time, batch, unit), as\n"
	 "          dk-run writes them: unit across, time down, one batch element\n"},
	{"eig", plot_eig, NULL, TAKES_CONVENTION,
	 "  eig     eigenvalues (jac/eig, fp/eig, or the one complex tensor) in\n"
	 "          the complex plane, with the unit circle of a map or the\n"
	 "          imaginary axis of a flow\n"},
	{"pca", plot_pca, NULL, TAKES_CONVENTION | TAKES_COMPONENTS,
	 "  pca     fixed points (fp/x) and trajectories (states) in the plane\n"
	 "          of the first two principal components of the states (or\n"
	 "          the space of three), fixed and slow points (fp/kind) apart,\n"
	 "          stable and unstable ones (jac/stable, fp/eig or jac/eig) marked\n"},
	{"wave", plot_wave, DK_NAME_STATES, TAKES_RING | TAKES_STEP,
	 "  wave    the raster of one ring with lines at the speed dk-wave fitted\n"
	 "          to it (wave/speed, beside the states in the stream), and the\n"
	 "          ring's k-omega power spectrum with the speed's line; on sheets\n"
	 "          one step of a sheet's phase with arrows along its gradient\n"
	 "          and the fitted direction (wave/direction)\n"},
	{"lyap", plot_lyap, DK_NAME_LYAP_TRACE, 0,
	 "  lyap    the running estimate of each Lyapunov exponent against the\n"
	 "          step (lyap/trace and lyap/trace_steps, as dk-lyap writes\n"
	 "          them), the final values with their standard errors marked\n"},
	{"dmft", plot_dmft, NULL, 0,
	 "  dmft    dk-dmft's output: scs's Delta(tau) with the simulation's\n"
	 "          (sim/delta) as points; multiregion --gain's currents S(t)\n"
	 "          per pair of regions over each region's Delta(t, t); a\n"
	 "          sweep's Delta0, q or A against the swept parameter\n"},
	{"equiv", plot_equiv, NULL, TAKES_RING,
	 "  equiv   dk-equiv's trajectory errors over time, one line per model\n"
	 "          (records renamed by dk-cat -r to concatenate them), log scale;\n"
	 "          or a fernn's states (dk-run's, beside the model) as a raster per\n"
	 "          velocity slice\n"},
	{"seg", plot_seg, NULL, TAKES_BATCH,
	 "  seg     an image (input, as dk-gen shapes writes it) beside its true\n"
	 "          labels (target) and a model's (run/labels, as dk-run writes\n"
	 "          them for a model with a head)\n"},
	{"frames", plot_frames, NULL, TAKES_BATCH | TAKES_FRAMES,
	 "  frames  one channel of a sheet's states (dk-run's, whose layout names\n"
	 "          the sheets) at evenly spaced steps, first and last among them,\n"
	 "          as a grid of heatmaps on one colour scale symmetric about 0\n"},
};
#define NKINDS (sizeof kinds / sizeof *kinds)

static void usage(void)
{
	printf("Usage: dk-plot KIND [OPTION]... [FILE]\n"
	       "Draw a picture of the stream FILE (standard input when absent or -)\n"
	       "through gnuplot, as PNG or SVG.  KIND is one of:\n");
	for (size_t k = 0; k < NKINDS; k++)
		fputs(kinds[k].help, stdout);
	printf("\n"
	       TOOL_HELP_OUTPUT
	       "      --format png|svg  the picture's format (default: by the extension\n"
	       "                        of -o FILE, else png)\n"
	       "      --size WxH        the picture's size in pixels (default 640x480)\n"
	       "  -s, --select NAME     plot the tensor NAME (default train/loss for\n"
	       "                        loss, states for raster, pca, wave and frames,\n"
	       "                        the first of jac/eig and fp/eig for eig,\n"
	       "                        lyap/trace for lyap)\n"
	       "      --convention map|flow  eig, pca: eigenvalues of a map or of a\n"
	       "                        flow (default: the eigenvalues' attrs say, else\n"
	       "                        map)\n"
	       "      --components 2|3  pca: a plane of two components, or a 3-D\n"
	       "                        picture of three (default 2)\n"
	       "      --linear          loss: a linear loss axis\n"
	       "      --batch B         raster, wave, seg, frames: the batch element\n"
	       "                        (default 0)\n"
	       "      --channel C       raster, wave: only the units of ring C of a\n"
	       "                        Wave-RNN, C*N .. C*N+N-1, with N from --units,\n"
	       "                        the states' layout or the model attributes in\n"
	       "                        the stream (wave: default ring 0); frames: the\n"
	       "                        sheet drawn (default 0)\n"
	       "      --units N         raster, wave: the units per channel\n"
	       "      --step T          wave on sheets: the step drawn (default the\n"
	       "                        middle one)\n"
	       "      --frames F        frames: how many steps are drawn (default 8)\n"
	       "      --sheet H,W       frames: sheets of H rows and W columns, whatever\n"
	       "                        the states' layout or shape says\n"
	       TOOL_HELP_COMMON
	       "\n"
	       "The program run is gnuplot (Debian package gnuplot-nox), or $DK_GNUPLOT.\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* The names of the kinds that take the options flags (all for 0), as
   "a, b or c" with conj between the last two. */
static const char *kind_list(unsigned flags, const char *conj)
{
	static char buf[256];
	const char *name[NKINDS];
	size_t n = 0;
	for (size_t k = 0; k < NKINDS; k++)
		if (!flags || (kinds[k].takes & flags))
			name[n++] = kinds[k].name;
	*buf = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, "%s%s",
		         i == 0 ? "" : i + 1 == n ? conj : ", ", name[i]);
	}
	return buf;
}

static void parse_size(const char *arg, unsigned *w, unsigned *h)
{
	char *end;
	errno = 0;
	unsigned long a = isdigit((unsigned char)*arg) ? strtoul(arg, &end, 10) : 0;
	if (a && errno == 0 && (*end == 'x' || *end == 'X') &&
	    isdigit((unsigned char)end[1])) {
		unsigned long b = strtoul(end + 1, &end, 10);
		if (errno == 0 && *end == '\0' && b && a <= SIZE_MAX_PIXELS &&
		    b <= SIZE_MAX_PIXELS) {
			*w = (unsigned)a;
			*h = (unsigned)b;
			return;
		}
	}
	tool_usage_error("--size: '%s' is not WxH with W and H in 1..%d", arg,
	                 SIZE_MAX_PIXELS);
}

/* The options of argv into o; returns the index of KIND in argv. */
static int parse_options(int argc, char **argv, plot_options *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"select", required_argument, NULL, 's'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"size", required_argument, NULL, OPT_SIZE},
		{"linear", no_argument, NULL, OPT_LINEAR},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"channel", required_argument, NULL, OPT_CHANNEL},
		{"units", required_argument, NULL, OPT_UNITS},
		{"convention", required_argument, NULL, OPT_CONVENTION},
		{"components", required_argument, NULL, OPT_COMPONENTS},
		{"step", required_argument, NULL, OPT_STEP},
		{"frames", required_argument, NULL, OPT_FRAMES},
		{"sheet", required_argument, NULL, OPT_SHEET},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:s:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o->max_elements))
			continue;
		switch (c) {
		case 'o': o->output = optarg; break;
		case 's': o->select = optarg; break;
		case OPT_FORMAT:
			if (!(o->format = plot_format_by_name(optarg)))
				tool_usage_error("--format: '%s' is not png or svg", optarg);
			break;
		case OPT_SIZE: parse_size(optarg, &o->width, &o->height); break;
		case OPT_LINEAR: o->linear = 1; break;
		case OPT_BATCH:
			o->batch = tool_parse_count("--batch", optarg);
			o->have_batch = 1;
			break;
		case OPT_CHANNEL: o->channel = tool_parse_count("--channel", optarg); break;
		case OPT_UNITS:
			o->units = tool_parse_nonzero_count("--units", optarg);
			break;
		case OPT_STEP:
			o->step = tool_parse_count("--step", optarg);
			o->have_step = 1;
			break;
		case OPT_FRAMES:
			o->frames = tool_parse_nonzero_count("--frames", optarg);
			break;
		case OPT_SHEET:
			tool_parse_sheet("--sheet", optarg, DK_WAVE_MIN_SIDE, o->sheet);
			break;
		case OPT_CONVENTION:
			if (dk_convention_from_name(optarg, &o->convention))
				tool_usage_error("--convention: map or flow, not '%s'", optarg);
			o->have_convention = 1;
			break;
		case OPT_COMPONENTS:
			o->components = tool_parse_count("--components", optarg);
			if (o->components != 2 && o->components != 3)
				tool_usage_error("--components: 2 or 3, not '%s'", optarg);
			break;
		}
	}
	return optind;
}

/* Check the options against the kind k and fill in the defaults. */
static void settle_options(plot_options *o, const struct kind *k)
{
	if ((k->takes & TAKES_BATCH) && o->units)
		tool_usage_error("--units is for %s", kind_list(TAKES_RING, " and "));
	else if ((k->takes & TAKES_BATCH) && !(k->takes & TAKES_FRAMES) &&
	         o->channel != SIZE_MAX)
		tool_usage_error("--channel is for %s",
		                 kind_list(TAKES_RING | TAKES_FRAMES, " and "));
	else if (!(k->takes & (TAKES_RING | TAKES_BATCH)) &&
	         (o->have_batch || o->channel != SIZE_MAX || o->units))
		tool_usage_error("--batch, --channel and --units are for %s",
		                 kind_list(TAKES_RING, " and "));
	if (!(k->takes & TAKES_LINEAR) && o->linear)
		tool_usage_error("--linear is for %s", kind_list(TAKES_LINEAR, " and "));
	if (o->have_step && !(k->takes & TAKES_STEP))
		tool_usage_error("--step is for %s", kind_list(TAKES_STEP, " and "));
	if (o->have_convention && !(k->takes & TAKES_CONVENTION))
		tool_usage_error("--convention is for %s", kind_list(TAKES_CONVENTION, " and "));
	if ((o->frames || o->sheet[0]) && !(k->takes & TAKES_FRAMES))
		tool_usage_error("--frames and --sheet are for %s",
		                 kind_list(TAKES_FRAMES, " and "));
	if (o->components && !(k->takes & TAKES_COMPONENTS))
		tool_usage_error("--components is for %s", kind_list(TAKES_COMPONENTS, " and "));
	if (o->units && o->channel == SIZE_MAX)
		tool_usage_error("--units goes with --channel");
	if (!o->select)
		o->select = k->select;
	if (!o->format && o->output) {
		const char *dot = strrchr(o->output, '.');
		if (!dot || strchr(dot, '/') || !(o->format = plot_format_by_name(dot + 1)))
			tool_usage_error("cannot tell the format of '%s' by its extension: "
			                 "give --format png or svg", o->output);
	}
	if (!o->format)
		o->format = PLOT_FORMAT_PNG;
	if (!o->output && isatty(STDOUT_FILENO))
		tool_usage_error("will not write a picture to a terminal: give -o FILE");
}

int main(int argc, char **argv)
{
	plot_options o = {.width = 640, .height = 480, .channel = SIZE_MAX,
	                  .max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	tool_init_numeric("dk-plot", argv);
	int at = parse_options(argc, argv, &o);
	if (at >= argc)
		tool_usage_error("which KIND of plot? %s", kind_list(0, " or "));
	const struct kind *k = NULL;
	for (size_t i = 0; i < NKINDS && !k; i++)
		if (!strcmp(argv[at], kinds[i].name))
			k = &kinds[i];
	if (!k)
		tool_usage_error("unknown KIND '%s' (%s)", argv[at], kind_list(0, " or "));
	if (argc - at > 2)
		tool_usage_error("one FILE at most");
	o.input = at + 1 < argc ? argv[at + 1] : "-";
	settle_options(&o, k);

	dk_bundle *b = tool_read_bundle(o.input, o.max_elements);
	if (!b)
		return TOOL_EXIT_FAIL;
	plot_script s;
	int status = plot_scratch_make(&s) ? TOOL_EXIT_FAIL : k->draw(&o, b, &s);
	dk_bundle_free(b);
	if (status == TOOL_EXIT_OK)
		status = plot_run(&s);
	if (status == TOOL_EXIT_OK)
		status = plot_deliver(&s, &o);
	plot_scratch_remove(&s);
	return status;
}
