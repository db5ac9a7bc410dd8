/*
 * dk-gen -- write a batch of task data: the input, target and mask
 * tensors of the copy, adding, flip-flop, sequential Fashion-MNIST or
 * flow task (lib/train/task.h), the input sheets and pixel labels of
 * the shapes task (lib/train/shapes.h), or the drum's shapes and their
 * frequencies, or its readout fitted (lib/train/drum.h), as a stream.
 *
 * The options fill one dk_task_params; the library makes the batch; this
 * file checks that each option applies to the task asked for, adds its
 * provenance to the metadata, and writes.  The same options give the same
 * bytes, so a batch can be made again instead of kept.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_options.h"

/* dk-gen's own options, after the task options' */
enum { OPT_SHEET = TASK_OPT_END, OPT_STEPS, OPT_SHAPES, OPT_MODES, OPT_FIT };

typedef struct {
	task_options t;
	size_t sheet[2];   /* shapes, drum: --sheet, 0 when not given */
	dk_drum_params drum; /* --steps, --shapes, --modes */
	int drum_given;    /* one of those was given */
	int modes_given;
	int fit;
	size_t max_elements;
	const char *output;
} options;

static void usage(void)
{
	printf("Usage: dk-gen TASK [OPTION]...\n"
	       "Write a batch of task data -- input, target and mask tensors -- to\n"
	       "standard output.  TASK is copy, adding, flipflop, fmnist, flow, shapes\n"
	       "(input sheets and target pixel labels, no mask) or drum (shapes, their\n"
	       "sizes and the frequencies they ring at).\n"
	       "\n"
	       TASK_OPTIONS_HELP
	       "      --sheet H,W       shapes: rows and columns of each sheet, 16 to\n"
	       "                        4096 (default 32,32); drum: 12 to 256 (default\n"
	       "                        32,32); --batch, --seed and --split apply to them\n"
	       "      --steps T         drum: steps recorded, 256 to 1048576 (default 4096)\n"
	       "      --shapes KIND     drum: all, squares, rectangles or tetrominoes\n"
	       "                        (default all)\n"
	       "      --fit             drum: fit linear readouts of size and class on the\n"
	       "                        train split of --batch sheets, score them on the\n"
	       "                        test split\n"
	       "      --modes K         drum --fit: frequencies read, 1 to 4 (default 1)\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on a missing dataset, bad data or I/O error,\n"
	       "2 on usage error.\n");
	tool_exit_stdout();
}

/* attrs.provenance on each tensor. */
static int stamp(const options *o, dk_task_batch *b)
{
	json_t *prov = tool_provenance(dk_task_params_to_json(&o->t.p));
	if (!prov)
		return DK_ENOMEM;
	dk_meta *metas[3] = {b->input_meta, b->target_meta, b->mask_meta};
	int st = DK_OK;
	for (int i = 0; i < 3 && !st; i++)
		st = dk_meta_set_attr(metas[i], "provenance", json_deep_copy(prov));
	json_decref(prov);
	return st;
}

/* Make the batch; usage errors exit 2 here, other failures return 1. */
static int generate(const options *o, dk_task_batch **out)
{
	char err[1024];
	dk_task *task;
	int st = dk_task_alloc(&o->t.p, &task, err, sizeof err);
	if (st == DK_EINVAL)
		tool_usage_error("%s", err);
	if (st) {
		tool_warn(NULL, "%s", err);
		return 1;
	}
	size_t in = dk_task_inputs(task), outs = dk_task_outputs(task);
	size_t shape[3] = {dk_task_steps(task), o->t.p.batch, in > outs ? in : outs};
	size_t count;
	if (dk_shape_count(3, shape, sizeof(double), &count) || count > o->max_elements) {
		tool_warn(NULL, "%s: %zu steps x %zu examples x %zu features exceed the limit of %zu elements",
		          dk_task_kind_name(o->t.p.kind), shape[0], shape[1], shape[2], o->max_elements);
		dk_task_free(task);
		return 1;
	}
	dk_rng *r = dk_rng_alloc(o->t.p.seed);
	if (!r)
		snprintf(err, sizeof err, "out of memory");
	st = r ? dk_task_sample(task, r, o->t.p.offset, out, err, sizeof err) : DK_ENOMEM;
	dk_rng_free(r);
	dk_task_free(task);
	if (st == DK_EINVAL)
		tool_usage_error("%s", err);
	if (st) {
		tool_warn(NULL, "%s", err);
		return 1;
	}
	if (stamp(o, *out)) {
		tool_warn(NULL, "out of memory");
		return 1;
	}
	return 0;
}

static int write_batch(tool_output *out, const dk_task_batch *b)
{
	int st = dk_stream_write_named(out->w, b->input_meta, b->input);
	if (!st)
		st = dk_stream_write_named(out->w, b->target_meta, b->target);
	if (!st)
		st = dk_stream_write_named(out->w, b->mask_meta, b->mask);
	if (st == DK_EIO)
		tool_warn(out->path ? out->path : "stdout", "write error: %s",
		          strerror(dk_stream_writer_errno(out->w)));
	else if (st)
		tool_warn(NULL, "%s", dk_strerror(st));
	return st != DK_OK;
}

/* A task on sheets (shapes, drum): --batch, --seed, --split and --sheet
   into its parameters; 1 when its sheets exceed --max-elements. */
static int sheet_options(const options *o, const char *task, size_t *batch,
                         uint64_t *seed, dk_split *split, size_t sheet[2])
{
	*batch = o->t.p.batch;
	*seed = o->t.p.seed;
	*split = o->t.p.split;
	if (o->sheet[0])
		sheet[0] = o->sheet[0], sheet[1] = o->sheet[1];
	size_t shape[3] = {*batch, sheet[0], sheet[1]}, count;
	if (dk_shape_count(3, shape, sizeof(double), &count) || count > o->max_elements) {
		tool_warn(NULL, "%s: %zu sheets of %zu x %zu pixels exceed the limit of %zu elements",
		          task, shape[0], shape[1], shape[2], o->max_elements);
		return 1;
	}
	return 0;
}

/* The shapes task's sheets and labels into b; its parameters out of
   their domain are a usage error. */
static int shapes(const dk_shapes_params *p, dk_bundle *b, char *err, size_t errlen)
{
	dk_shapes_batch *s;
	int st = dk_shapes_generate(p, &s, err, errlen);
	if (st == DK_EINVAL)
		tool_usage_error("%s", err);
	if (st)
		return st;
	st = dk_bundle_add(b, DK_NAME_INPUT, s->input_meta, s->input);
	s->input_meta = NULL, s->input = NULL;
	if (!st)
		st = dk_bundle_add(b, DK_NAME_TARGET, s->target_meta, s->target);
	s->target_meta = NULL, s->target = NULL;
	dk_shapes_batch_free(s);
	return st;
}

/* The drum: its sheets, or with --fit its readout fitted and scored,
   into b; its parameters out of their domain are a usage error. */
static int drum(const options *o, dk_bundle *b, char *err, size_t errlen)
{
	if (dk_drum_params_check(&o->drum, err, errlen))
		tool_usage_error("%s", err);
	if (!o->fit)
		return dk_drum_generate(&o->drum, b, err, errlen);
	dk_drum_fit fit;
	int st = dk_drum_fit_run(&o->drum, &fit, err, errlen);
	if (!st && dk_drum_fit_to_bundle(&o->drum, &fit, b))
		st = DK_ENOMEM;
	return st;
}

/* The shapes or the drum task: its records, written with the
   parameters as their provenance. */
static int sheets(options *o, const char *task)
{
	int is_drum = !strcmp(task, "drum");
	dk_drum_params *dp = &o->drum;
	dk_shapes_params sp;
	dk_shapes_params_init(&sp);
	if (is_drum ? sheet_options(o, task, &dp->batch, &dp->seed, &dp->split, dp->sheet)
	            : sheet_options(o, task, &sp.batch, &sp.seed, &sp.split, sp.sheet))
		return TOOL_EXIT_FAIL;
	char err[512];
	dk_bundle *b = dk_bundle_alloc();
	int st = !b ? DK_ENOMEM : is_drum ? drum(o, b, err, sizeof err)
	                                  : shapes(&sp, b, err, sizeof err);
	if (st)
		tool_warn(NULL, "%s", st == DK_ENOMEM ? "out of memory" : err);
	json_t *opts = is_drum ? dk_drum_params_to_json(dp) : dk_shapes_params_to_json(&sp);
	if (is_drum && opts && json_object_set_new(opts, "fit", json_boolean(o->fit)))
		json_decref(opts), opts = NULL;
	st = tool_finish(st ? TOOL_EXIT_FAIL : TOOL_EXIT_OK, o->output, b, opts);
	dk_bundle_free(b);
	return st;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TASK_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		{"sheet", required_argument, NULL, OPT_SHEET},
		{"steps", required_argument, NULL, OPT_STEPS},
		{"shapes", required_argument, NULL, OPT_SHAPES},
		{"modes", required_argument, NULL, OPT_MODES},
		{"fit", no_argument, NULL, OPT_FIT},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	task_options_init(&o.t);
	dk_drum_params_init(&o.drum);
	int c;
	tool_init_numeric("dk-gen", argv);
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements) ||
		    task_option(&o.t, c, optarg))
			continue;
		if (c == 'o')
			o.output = optarg;
		else if (c == OPT_SHEET)
			tool_parse_sheet("--sheet", optarg, 1, o.sheet);
		else if (c == OPT_STEPS)
			o.drum.steps = tool_parse_count("--steps", optarg);
		else if (c == OPT_SHAPES && dk_drum_shapes_from_name(optarg, &o.drum.shapes))
			tool_usage_error("--shapes: '%s' is not all, squares, rectangles or tetrominoes",
			                 optarg);
		else if (c == OPT_MODES)
			o.drum.modes = tool_parse_count("--modes", optarg), o.modes_given = 1;
		else if (c == OPT_FIT)
			o.fit = 1;
		o.drum_given |= c == OPT_STEPS || c == OPT_SHAPES || c == OPT_MODES || c == OPT_FIT;
	}
	if (optind >= argc)
		tool_usage_error("no task named (copy, adding, flipflop, fmnist, flow, shapes or drum)");
	if (argc - optind > 1)
		tool_usage_error("one task at a time; '%s' is extra", argv[optind + 1]);
	if (!strcmp(argv[optind], "drum")) {
		task_options_finish_sheets(&o.t, "drum");
		if (o.fit && o.t.given[TASK_OPT_SPLIT])
			tool_usage_error("--fit uses both splits: not with --split");
		if (o.modes_given && !o.fit)
			tool_usage_error("--modes applies to --fit only");
		return sheets(&o, "drum");
	}
	if (o.drum_given)
		tool_usage_error("--steps, --shapes, --modes and --fit apply to the drum task only");
	if (!strcmp(argv[optind], "shapes")) {
		task_options_finish_sheets(&o.t, "shapes");
		return sheets(&o, "shapes");
	}
	if (o.sheet[0])
		tool_usage_error("--sheet applies to the shapes and drum tasks only");
	task_options_finish(&o.t, argv[optind]);

	dk_task_batch *b = NULL;
	if (generate(&o, &b)) {
		dk_task_batch_free(b);
		return TOOL_EXIT_FAIL;
	}
	tool_output out;
	if (tool_output_open(&out, o.output)) {
		dk_task_batch_free(b);
		return TOOL_EXIT_FAIL;
	}
	int failed = write_batch(&out, b);
	dk_task_batch_free(b);
	return tool_output_close(&out, !failed) || failed ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
