/*
 * dk-equiv -- how far a model is from equivariant under the group actions
 * it declares: cyclic shifts of its rings or sheets (the step errors
 * with and without input, the trajectory errors per step, the verdict
 * and the part that breaks it), flows at whole or fractional velocities,
 * sign flips, permutations of units; with --objects, its fixed points
 * under the shifts; with --lie, the Lie derivative along the continuous
 * shift (and with --shift S the secant of the shift by S).  Every method
 * is the library's (lib/analysis/equiv*.h); this parses, reads, calls
 * and writes.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv_lie.h"
#include "analysis/equiv_objects.h"
#include "stream/names.h"
#include "tool.h"

typedef enum { MODE_ERRORS, MODE_OBJECTS, MODE_LIE } mode;

typedef struct {
	const char *output, *perm_path;
	const char *shift;  /* parsed once the mode is known: --lie's is real */
	size_t max_elements;
	dk_equiv_options equiv;
	dk_equiv_objects_options objects;
	mode mode;
	int samples_given, tolerance_given;
} options;

static void usage(void)
{
	printf("Usage: dk-equiv [OPTION]... [MODEL [INPUT]]\n"
	       "   or: dk-equiv --objects [OPTION]... MODEL FP\n"
	       "   or: dk-equiv --lie [OPTION]... [MODEL [INPUT]]\n"
	       "How far MODEL (standard input when absent or -) is from equivariant\n"
	       "under a group it declares: per element g the relative errors of one\n"
	       "step, with its input and without, and of the trajectory from g x0\n"
	       "driven by g u, from random starts or INPUT's input from its h0,\n"
	       "else the model's start, as dk-run starts; the fixed points of FP under\n"
	       "the shifts (--objects); the Lie derivative along the continuous shift\n"
	       "(--lie).  Conventions: dk-equiv(1).\n"
	       "\n"
	       "      --objects         the fixed points of FP under the shifts\n"
	       "      --no-spectra      --objects: no spectra (needed above 400 units)\n"
	       "      --lyapunov STEPS  --objects: also the Lyapunov spectra's invariance\n"
	       "      --lie             the Lie derivative along continuous shifts\n"
	       "      --group G         shift (default), flow, sign or perm\n"
	       "      --perm FILE       perm: the permutations of FILE\n"
	       "      --shift M         only the shift M (default: every shift); with\n"
	       "                        --lie a real S > 0: also the secant of T_S\n"
	       "      --velocity NU     flow: only NU (X,Y on sheets; fractional without\n"
	       "                        a lift), not every nonzero one of the model's\n"
	       "      --rings C         C rings of equal size, whatever the layout says\n"
	       "      --sheet H,W       sheets of H x W, whatever the layout says\n"
	       "  -T, --steps T         steps of the trajectories (default 50 or INPUT's)\n"
	       "  -B, --samples B       random trajectories (default 8)\n"
	       "  -S, --seed S          seed of the random starts (default 1)\n"
	       "      --tolerance EPS   equivariant up to EPS (default 1e-9; --objects 1e-6)\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* --velocity: NU, or X,Y on sheets, each within 1e9; usage errors. */
static void parse_velocity(const char *arg, dk_equiv_options *o)
{
	size_t count;
	double *v = tool_parse_numbers("--velocity", arg, &count);
	int bad = count > 2 || fabs(v[0]) > 1e9 || fabs(v[count - 1]) > 1e9;
	o->velocity = v[0];
	o->velocity_y = count == 2 ? v[1] : 0;
	o->velocity_pair = count == 2;
	free(v);
	if (bad || (o->velocity == 0 && o->velocity_y == 0))
		tool_usage_error("--velocity: NU or X,Y, nonzero, within 1e9, not "
		                 "'%s'", arg);
}

/* The fixed points of in under the shifts; the exit status. */
static int run_objects(const options *o, const dk_model *m, const dk_bundle *in,
                       const char *src, dk_bundle *out)
{
	dk_equiv_objects_result r;
	char err[256];
	int st = dk_equiv_objects_from_bundle(m, &o->equiv, &o->objects, in, &r,
	                                      err, sizeof err);
	if (st)
		tool_warn(st == DK_EINVAL ? src : "model", "%s%s", err,
		          st == DK_ENOTFOUND ? " (--rings C or --sheet H,W)" :
		          st == DK_ELIMIT ? " (--no-spectra)" : "");
	else if ((st = dk_equiv_objects_to_bundle(&r, out)))
		tool_warn(NULL, "out of memory");
	dk_equiv_objects_result_clear(&r);
	return st ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* Start, measure, gather (lib/analysis/equiv.h, equiv_lie.h); the exit
   status. */
static int run(const options *o, const dk_model *m, const dk_bundle *in,
               const char *src, dk_bundle *out)
{
	dk_equiv_start s = {0};
	dk_equiv_result r = {0};
	dk_equiv_lie_result lie = {0};
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (o->mode == MODE_OBJECTS)
		return run_objects(o, m, in, src, out);
	if (in ? dk_equiv_start_from_bundle(&s, m, in, &o->equiv, err, sizeof err)
	       : dk_equiv_start_random(&s, m, &o->equiv, err, sizeof err)) {
		tool_warn(src ? src : "model", "%s", err);
		return TOOL_EXIT_FAIL;
	}
	int st = o->mode == MODE_LIE ?
	         dk_equiv_lie_run(m, &o->equiv, &s, &lie, err, sizeof err) :
	         dk_equiv_run(m, &o->equiv, &s, &r, err, sizeof err);
	if (st)
		tool_warn("model", "%s%s", err, st == DK_ENOTFOUND ?
		          " (--rings C or --sheet H,W)" : "");
	else if (o->mode == MODE_LIE ? dk_equiv_lie_to_bundle(&lie, out) :
	         dk_equiv_to_bundle(&r, out))
		tool_warn(NULL, "out of memory");
	else {
		size_t nu = o->mode == MODE_ERRORS && !r.input_transformed ?
		            dk_model_input_size(m) : 0;
		if (nu && o->perm_path)
			tool_warn("input", "no %s in %s: it is left as it is",
			          DK_NAME_EQUIV_INPUT_PERM, o->perm_path);
		else if (nu)
			tool_warn("input", "its width %zu is not a multiple of a ring's "
			          "(sheet's) units: it is left unshifted", nu);
		status = TOOL_EXIT_OK;
	}
	dk_equiv_lie_result_clear(&lie);
	dk_equiv_result_clear(&r);
	dk_equiv_start_clear(&s);
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_GROUP = TOOL_OPT_FIRST_FREE, OPT_SHIFT, OPT_VELOCITY, OPT_RINGS,
	       OPT_SHEET, OPT_TOLERANCE, OPT_OBJECTS, OPT_NO_SPECTRA, OPT_LIE,
	       OPT_LYAPUNOV, OPT_PERM };
	static const struct option longopts[] = {
		{"group", required_argument, NULL, OPT_GROUP},
		{"shift", required_argument, NULL, OPT_SHIFT},
		{"velocity", required_argument, NULL, OPT_VELOCITY},
		{"rings", required_argument, NULL, OPT_RINGS},
		{"sheet", required_argument, NULL, OPT_SHEET},
		{"steps", required_argument, NULL, 'T'},
		{"samples", required_argument, NULL, 'B'},
		{"seed", required_argument, NULL, 'S'},
		{"tolerance", required_argument, NULL, OPT_TOLERANCE},
		{"objects", no_argument, NULL, OPT_OBJECTS},
		{"no-spectra", no_argument, NULL, OPT_NO_SPECTRA},
		{"lie", no_argument, NULL, OPT_LIE},
		{"lyapunov", required_argument, NULL, OPT_LYAPUNOV},
		{"perm", required_argument, NULL, OPT_PERM},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT,
	             .equiv = dk_equiv_options_default(),
	             .objects = dk_equiv_objects_options_default()};
	int c;
	tool_init_numeric("dk-equiv", argv);
	while ((c = getopt_long(argc, argv, "T:B:S:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case OPT_GROUP:
			if (dk_equiv_group_from_name(optarg, &o.equiv.group))
				tool_usage_error("--group: shift, flow, sign or perm, not "
				                 "'%s'", optarg);
			break;
		case OPT_SHIFT: o.shift = optarg; break;
		case OPT_VELOCITY: parse_velocity(optarg, &o.equiv); break;
		case OPT_RINGS: o.equiv.rings = tool_parse_nonzero_count("--rings", optarg); break;
		case OPT_SHEET:
			tool_parse_sheet("--sheet", optarg, 1, o.equiv.sheet);
			if (o.equiv.sheet[0] == 1 && o.equiv.sheet[1] == 1)
				tool_usage_error("--sheet: a sheet of one unit has no shift");
			break;
		case 'T': o.equiv.steps = tool_parse_nonzero_count("--steps", optarg); break;
		case 'B':
			o.equiv.samples = tool_parse_nonzero_count("--samples", optarg);
			o.samples_given = 1;
			break;
		case 'S': o.equiv.seed = (uint64_t)tool_parse_count("--seed", optarg); break;
		case OPT_TOLERANCE:
			o.equiv.tolerance = tool_parse_positive("--tolerance", optarg);
			o.tolerance_given = 1;
			break;
		case OPT_OBJECTS:
		case OPT_LIE:
			if (o.mode != MODE_ERRORS)
				tool_usage_error("either --objects or --lie, not both");
			o.mode = c == OPT_LIE ? MODE_LIE : MODE_OBJECTS;
			break;
		case OPT_NO_SPECTRA: o.objects.spectra = 0; break;
		case OPT_LYAPUNOV:
			o.objects.lyapunov_steps = tool_parse_nonzero_count("--lyapunov", optarg);
			break;
		case OPT_PERM: o.perm_path = optarg; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (o.shift && o.mode == MODE_LIE)
		o.equiv.lie_shift = tool_parse_positive("--shift", o.shift);
	else if (o.shift)
		o.equiv.shift = tool_parse_nonzero_count("--shift", o.shift);
	if (o.equiv.group != DK_EQUIV_FLOW && (o.equiv.velocity || o.equiv.velocity_pair))
		tool_usage_error("--velocity belongs to --group flow");
	if (o.equiv.group == DK_EQUIV_FLOW && o.equiv.shift)
		tool_usage_error("--shift belongs to --group shift; a flow's are "
		                 "--velocity");
	if (argc - optind > 2)
		tool_usage_error("at most one MODEL and one INPUT");
	if (o.mode != MODE_ERRORS && o.equiv.group != DK_EQUIV_SHIFT)
		tool_usage_error("--objects and --lie measure shifts, not --group %s",
		                 dk_equiv_group_name(o.equiv.group));
	if ((o.equiv.group == DK_EQUIV_PERM) != (o.perm_path != NULL))
		tool_usage_error("--group perm and --perm FILE go together");
	if (o.equiv.group != DK_EQUIV_SHIFT && o.equiv.group != DK_EQUIV_FLOW &&
	    (o.equiv.rings || o.equiv.sheet[0]))
		tool_usage_error("--rings and --sheet belong to --group shift and flow");
	if (o.mode == MODE_OBJECTS) {
		if (argc - optind != 2)
			tool_usage_error("--objects: MODEL and FP, dk-fixed's output");
		if (o.samples_given || o.equiv.steps)
			tool_usage_error("--objects: the points are FP's, there are no "
			                 "trajectories (--samples, --steps)");
		if (o.tolerance_given)
			o.objects.tolerance = o.equiv.tolerance;
		o.objects.seed = o.equiv.seed;
	} else if (!o.objects.spectra || o.objects.lyapunov_steps) {
		tool_usage_error("--no-spectra and --lyapunov belong to --objects");
	}
	if (o.mode == MODE_LIE && o.equiv.steps)
		tool_usage_error("--lie: at the start states, there are no steps");
	if (o.equiv.rings && o.equiv.sheet[0])
		tool_usage_error("either --rings or --sheet, not both");
	const char *model_path = optind < argc ? argv[optind] : "-";
	const char *input_path = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (input_path && o.samples_given && o.mode != MODE_OBJECTS)
		tool_usage_error("--samples: with INPUT, its batch is the trajectories");
	if (input_path && !strcmp(model_path, "-") && !strcmp(input_path, "-"))
		tool_usage_error("MODEL and INPUT cannot both be standard input");

	dk_bundle *mb, *in, *pb = NULL;
	dk_model *m = tool_read_model_input(model_path, input_path, o.max_elements, &mb, &in);
	int status = TOOL_EXIT_FAIL;
	dk_bundle *out = dk_bundle_alloc();
	char err[256];
	int perm_ok = !o.perm_path ||
	              ((pb = tool_read_bundle(o.perm_path, o.max_elements)) &&
	               !dk_equiv_perm_from_bundle(pb, &o.equiv, err, sizeof err));
	if (pb && !perm_ok)
		tool_warn(o.perm_path, "%s", err);
	if (m && out && perm_ok)
		status = run(&o, m, in, input_path, out);
	status = tool_finish(status, o.output, out, json_pack(
		"{s:s, s:s?, s:s?, s:s, s:I, s:f, s:[f, f], s:I, s:[I, I], s:I, s:I, s:I, s:f, s:I}",
		"model", model_path, "input", input_path, "perm", o.perm_path,
		"group", o.mode == MODE_OBJECTS ? "objects" : o.mode == MODE_LIE ?
		         "lie" : dk_equiv_group_name(o.equiv.group),
		"shift", (json_int_t)o.equiv.shift, "lie_shift", o.equiv.lie_shift,
		"velocity", o.equiv.velocity, o.equiv.velocity_y,
		"rings", (json_int_t)o.equiv.rings,
		"sheet", (json_int_t)o.equiv.sheet[0], (json_int_t)o.equiv.sheet[1],
		"steps", (json_int_t)o.equiv.steps, "samples", (json_int_t)o.equiv.samples,
		"seed", (json_int_t)o.equiv.seed, "tolerance", o.equiv.tolerance,
		"lyapunov", (json_int_t)o.objects.lyapunov_steps));
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(pb);
	dk_bundle_free(out);
	return status;
}
