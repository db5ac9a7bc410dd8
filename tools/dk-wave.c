/*
 * dk-wave -- traveling waves in states on rings or sheets of units:
 * speed and direction, wavelength, frequency, traveling against
 * standing, and the Wave-RNN paper's diagonal power (the spectral
 * method), or the phase method's medians, spreads and directionality,
 * per sequence and ring or sheet; on sheets also the pattern (plane,
 * target, spiral, synchrony) with its centre and sense.
 *
 *	dk-init wrnn --channels 2 --units 32 --inputs 3 | dk-run - in.npy | dk-wave
 *
 * The states are dk-run's (their layout attr names the rings or sheets),
 * or any (time, unit), (time, batch, unit), (time, row, col) or (time,
 * batch, row, col) tensor; --rings or --sheet overrides.  The method is
 * lib/analysis/wave.h's.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct {
	const char *output;
	size_t max_elements;
	size_t rings;            /* 0: the layout's, or one ring */
	size_t sheet[2];         /* rows and columns; 0: none */
	int stream;              /* read the states a window at a time */
	int spectrum;            /* also the k-omega power spectra */
	dk_wave_options wave;
} options;

static void usage(void)
{
	printf("Usage: dk-wave [OPTION]... [FILE]\n"
	       "Traveling waves in the states in FILE (standard input when absent or -):\n"
	       "states (time, batch, unit) as dk-run writes them, a bare (time, unit)\n"
	       "array (rings), or a bare (time, row, col) or (time, batch, row, col)\n"
	       "array (sheets).  Each ring or sheet of each sequence is analysed on its\n"
	       "own, by the power spectrum over wavenumber and frequency (spectral) or\n"
	       "by the phase of each unit's analytic signal (phase).  Writes wave/speed,\n"
	       "wave/wavelength, wave/frequency, each (batch, ring or channel), and\n"
	       "spectral: wave/traveling, wave/diagonal_power; phase: wave/directionality,\n"
	       "wave/speed_spread, wave/wavelength_spread, wave/frequency_spread,\n"
	       "wave/negative_frequency; on sheets also wave/direction (degrees, 0 toward\n"
	       "increasing col, 90 toward increasing row), wave/pattern (0 none, 1 plane,\n"
	       "2 target, 3 spiral, 4 synchrony), wave/centre (row, col) and wave/sense.\n"
	       "\n"
	       "      --rings C         C rings of equal size, whatever the states' layout\n"
	       "                        says (default: the layout, else one ring)\n"
	       "      --sheet H,W       sheets of H rows and W columns, whatever the\n"
	       "                        layout or the array's shape says\n"
	       "      --open            the rings or sheets do not wrap around\n"
	       "      --method METHOD   spectral or phase (default spectral)\n"
	       "      --standing X      speed is NaN when |traveling| (spectral) or\n"
	       "                        |directionality| (phase, rings) < X (default 0.2)\n"
	       "      --window-steps W  spectral, average the power over\n"
	       "                        windows of W steps, each overlapping the next by\n"
	       "                        half (Welch); phase, chunks of W steps overlapping\n"
	       "                        by half, each keeping the cells of its middle half\n"
	       "                        (default 0: all steps at once)\n"
	       "      --stream          read the states a window at a time (with\n"
	       "                        --window-steps): memory bounded by the window,\n"
	       "                        not the recording; the same results\n"
	       "the spectral method's:\n"
	       "      --speed V         speed of the diagonal power's lines, units per\n"
	       "                        step (default 1)\n"
	       "      --window KIND     hann or none, along time (default hann)\n"
	       "      --pad P           zero-padding factor, 1 to 64 (default 2)\n"
	       "  -S, --seed S          seed of the time-shuffled surrogate (default 1)\n"
	       "      --spectrum        also the power spectra: wave/spectrum (batch, ring,\n"
	       "                        wavenumber, frequency), on sheets (batch, channel,\n"
	       "                        row_wavenumber, col_wavenumber, frequency), and\n"
	       "                        its axes' values wave/wavenumber (on sheets\n"
	       "                        wave/row_wavenumber, wave/col_wavenumber) and\n"
	       "                        wave/spectrum_frequency\n"
	       "the phase method's:\n"
	       "      --band B          keep the frequencies within a factor B of the\n"
	       "                        ring's peak, B > 1, or 0 for all (default 2)\n"
	       "      --generalized     the generalized phase: runs of negative frequency\n"
	       "                        interpolated across\n"
	       "      --series          also wave/speed_series, the median speed of each\n"
	       "                        step (time, batch, ring); rings only\n"
	       "      --exact-cells K   with --window-steps: exact medians while the kept\n"
	       "                        cells of all rings are at most K, else histograms\n"
	       "                        (default 1048576)\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}


/* Find the states, analyse, gather (lib/analysis/wave.h). */
static int run(const options *o, const dk_bundle *in, const char *src,
               dk_bundle *out)
{
	dk_wave_states s;
	dk_wave_result r;
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (dk_wave_states_from_bundle(in, o->rings, o->sheet[0] ? o->sheet : NULL,
	                               &s, err, sizeof err)) {
		tool_warn(src, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (dk_wave_run(&s, &o->wave, &r, err, sizeof err))
		tool_warn(s.name, "%s", err);
	else if (dk_wave_to_bundle(&r, out))
		tool_warn(NULL, "out of memory");
	else if (o->spectrum && dk_wave_spectrum_to_bundle(&s, &o->wave, out, err,
	                                                   sizeof err))
		tool_warn(s.name, "%s", err);
	else
		status = TOOL_EXIT_OK;
	dk_wave_result_clear(&r);
	dk_wave_states_clear(&s);
	return status;
}

/* The same, the states read from path a window at a time. */
static int run_stream(const options *o, const char *path, dk_bundle *out)
{
	dk_wave_result r;
	char err[768];
	int status = TOOL_EXIT_FAIL, fd = tool_open_input(path);
	if (fd < 0)
		return TOOL_EXIT_FAIL;
	dk_stream_reader *rd = dk_stream_reader_alloc(fd, path);
	if (!rd)
		tool_warn(NULL, "out of memory");
	else
		dk_stream_reader_set_max_elements(rd, o->max_elements);
	if (rd && dk_wave_run_stream(rd, o->rings, o->sheet[0] ? o->sheet : NULL,
	                             &o->wave, &r, err, sizeof err))
		tool_warn(path, "%s", err);
	else if (rd && dk_wave_to_bundle(&r, out))
		tool_warn(NULL, "out of memory");
	else if (rd)
		status = TOOL_EXIT_OK;
	if (rd)
		dk_wave_result_clear(&r);
	dk_stream_reader_free(rd);
	tool_close_input(fd);
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_RINGS = TOOL_OPT_FIRST_FREE, OPT_SHEET, OPT_OPEN, OPT_METHOD, OPT_SPEED,
	       OPT_WINDOW, OPT_PAD, OPT_STANDING, OPT_BAND, OPT_GENERALIZED,
	       OPT_SERIES, OPT_WINDOW_STEPS, OPT_STREAM, OPT_SPECTRUM,
	       OPT_EXACT_CELLS };
	static const struct option longopts[] = {
		{"rings", required_argument, NULL, OPT_RINGS},
		{"sheet", required_argument, NULL, OPT_SHEET},
		{"open", no_argument, NULL, OPT_OPEN},
		{"method", required_argument, NULL, OPT_METHOD},
		{"speed", required_argument, NULL, OPT_SPEED},
		{"window", required_argument, NULL, OPT_WINDOW},
		{"pad", required_argument, NULL, OPT_PAD},
		{"standing", required_argument, NULL, OPT_STANDING},
		{"band", required_argument, NULL, OPT_BAND},
		{"generalized", no_argument, NULL, OPT_GENERALIZED},
		{"series", no_argument, NULL, OPT_SERIES},
		{"window-steps", required_argument, NULL, OPT_WINDOW_STEPS},
		{"stream", no_argument, NULL, OPT_STREAM},
		{"exact-cells", required_argument, NULL, OPT_EXACT_CELLS},
		{"spectrum", no_argument, NULL, OPT_SPECTRUM},
		{"seed", required_argument, NULL, 'S'},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	             .wave = dk_wave_options_default()};
	int c;
	tool_init_numeric("dk-wave", argv);
	while ((c = getopt_long(argc, argv, "S:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case OPT_RINGS:
			o.rings = tool_parse_nonzero_count("--rings", optarg);
			break;
		case OPT_SHEET: tool_parse_sheet("--sheet", optarg, DK_WAVE_MIN_SIDE, o.sheet); break;
		case OPT_OPEN: o.wave.open = 1; break;
		case OPT_METHOD:
			if (dk_wave_method_from_name(optarg, &o.wave.method))
				tool_usage_error("--method: spectral or phase, not '%s'", optarg);
			break;
		case OPT_SPEED: o.wave.speed = tool_parse_positive("--speed", optarg); break;
		case OPT_WINDOW:
			if (dk_wave_window_from_name(optarg, &o.wave.window))
				tool_usage_error("--window: hann or none, not '%s'", optarg);
			break;
		case OPT_PAD:
			o.wave.pad = tool_parse_count("--pad", optarg);
			if (o.wave.pad < 1 || o.wave.pad > 64)
				tool_usage_error("--pad must be from 1 to 64");
			break;
		case OPT_STANDING:
			o.wave.standing = tool_parse_real("--standing", optarg, 0, 1);
			break;
		case OPT_BAND:
			o.wave.band = tool_parse_real("--band", optarg, 0, 64);
			if (o.wave.band > 0 && o.wave.band <= 1)
				tool_usage_error("--band must be 0 or above 1");
			break;
		case OPT_GENERALIZED: o.wave.generalized = 1; break;
		case OPT_SERIES: o.wave.series = 1; break;
		case OPT_WINDOW_STEPS:
			o.wave.window_steps = tool_parse_count("--window-steps", optarg);
			if (o.wave.window_steps && o.wave.window_steps < DK_WAVE_MIN_STEPS)
				tool_usage_error("--window-steps must be 0 or at least %d",
				                 DK_WAVE_MIN_STEPS);
			break;
		case OPT_STREAM: o.stream = 1; break;
		case OPT_EXACT_CELLS:
			o.wave.exact_cells = tool_parse_count("--exact-cells", optarg);
			break;
		case OPT_SPECTRUM: o.spectrum = 1; break;
		case 'S': o.wave.seed = (uint64_t)tool_parse_count("--seed", optarg); break;
		case 'o': o.output = optarg; break;
		}
	}
	if (argc - optind > 1)
		tool_usage_error("at most one FILE");
	if (o.rings && o.sheet[0])
		tool_usage_error("either --rings or --sheet, not both");
	if (o.wave.series && o.wave.method != DK_WAVE_PHASE)
		tool_usage_error("--series needs --method phase");
	if (o.wave.exact_cells != DK_WAVE_EXACT_CELLS &&
	    (o.wave.method != DK_WAVE_PHASE || !o.wave.window_steps))
		tool_usage_error("--exact-cells needs --method phase and --window-steps");
	if (o.wave.window_steps && o.wave.series)
		tool_usage_error("--series is of all steps: not with --window-steps");
	if (o.stream && !o.wave.window_steps)
		tool_usage_error("--stream needs --window-steps");
	if (o.spectrum && o.wave.method != DK_WAVE_SPECTRAL)
		tool_usage_error("--spectrum needs --method spectral");
	if (o.spectrum && o.wave.window_steps)
		tool_usage_error("--spectrum is of all steps: not with --window-steps");
	const char *path = optind < argc ? argv[optind] : "-";
	dk_bundle *in = o.stream ? NULL : tool_read_bundle(path, o.max_elements);
	dk_bundle *out = dk_bundle_alloc();
	int status = !out ? TOOL_EXIT_FAIL
	             : o.stream ? run_stream(&o, path, out)
	             : in ? run(&o, in, path, out) : TOOL_EXIT_FAIL;
	status = tool_finish(status, o.output, out, json_pack(
		"{s:s, s:I, s:[I, I], s:b, s:s, s:f, s:s, s:I, s:f, s:I, s:f, s:b, s:b, s:I, s:I, s:b}",
		"input", path, "rings", (json_int_t)o.rings,
		"sheet", (json_int_t)o.sheet[0], (json_int_t)o.sheet[1], "open", o.wave.open,
		"method", dk_wave_method_name(o.wave.method), "speed", o.wave.speed,
		"window", dk_wave_window_name(o.wave.window),
		"pad", (json_int_t)o.wave.pad, "standing", o.wave.standing,
		"seed", (json_int_t)o.wave.seed, "band", o.wave.band,
		"generalized", o.wave.generalized, "series", o.wave.series,
		"window_steps", (json_int_t)o.wave.window_steps,
		"exact_cells", (json_int_t)o.wave.exact_cells, "spectrum", o.spectrum));
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
