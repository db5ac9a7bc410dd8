/*
 * dk-gen -- write a batch of task data: the input, target and mask
 * tensors of the copy, adding, flip-flop or sequential Fashion-MNIST
 * task (lib/train/task.h), as a stream.
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

#include "tool.h"

enum {
	OPT_BATCH = TOOL_OPT_FIRST_FREE, OPT_LENGTH, OPT_SEED, OPT_BITS, OPT_PROB,
	OPT_MODE, OPT_SPLIT, OPT_OFFSET, OPT_SHUFFLE, OPT_PERM_SEED, OPT_DATA_DIR,
	OPT_END
};

typedef struct {
	dk_task_params p;
	int given[OPT_END];   /* which options the command line set */
	size_t max_elements;
	const char *output;
} options;

static void usage(void)
{
	printf("Usage: dk-gen TASK [OPTION]...\n"
	       "Write a batch of task data -- input, target and mask tensors -- to\n"
	       "standard output.  TASK is copy, adding, flipflop or fmnist.\n"
	       "\n"
	       "      --batch B         examples in the batch (default 1)\n"
	       "      --length T        copy: T (T+20 steps); adding, flipflop: the\n"
	       "                        steps (default 100)\n"
	       "      --seed S          seed of the random draws (default 0)\n"
	       "      --bits N          flipflop: bits (default 3)\n"
	       "      --prob P          flipflop: pulse probability per bit and step\n"
	       "                        (default 0.05)\n"
	       "      --mode MODE       fmnist: pixel (784 steps), row (28 steps) or\n"
	       "                        permuted (784 steps) (default pixel)\n"
	       "      --split SPLIT     fmnist: train or test (default train)\n"
	       "      --offset N        fmnist: the first example taken (default 0)\n"
	       "      --shuffle         fmnist: take examples in a random order drawn\n"
	       "                        from the seed, not in the files' order\n"
	       "      --perm-seed S     fmnist permuted: seed of the pixel order\n"
	       "                        (default 0)\n"
	       "      --data-dir DIR    fmnist: directory of the IDX files\n"
	       "                        (default " DK_FMNIST_DIR ")\n"
	       "  -o, --output FILE     write FILE atomically instead of stdout\n"
	       "      --max-elements N  refuse tensors of more than N elements\n"
	       "                        (default 2^30)\n"
	       "  -h, --help            show this help and exit\n"
	       "      --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on a missing dataset, bad data or I/O error,\n"
	       "2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

/* A seed: a decimal integer in 0 .. 2^64-1, every digit significant. */
static uint64_t parse_seed(const char *opt, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (!*arg || arg[0] == '-' || arg[0] == '+' || *end || errno)
		tool_usage_error("%s: '%s' is not a seed (an integer from 0 to 2^64-1)", opt, arg);
	return (uint64_t)v;
}

static double parse_prob(const char *arg)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end == arg || *end || errno || !(v >= 0 && v <= 1))
		tool_usage_error("--prob: '%s' is not a probability in [0, 1]", arg);
	return v;
}

/* Each option belongs to some tasks; naming it for another is an error,
   not something silently ignored. */
static void check_applies(const options *o)
{
	static const struct { int opt; const char *name; unsigned tasks; } rules[] = {
		{OPT_LENGTH, "--length", 1u << DK_TASK_COPY | 1u << DK_TASK_ADDING | 1u << DK_TASK_FLIPFLOP},
		{OPT_BITS, "--bits", 1u << DK_TASK_FLIPFLOP},
		{OPT_PROB, "--prob", 1u << DK_TASK_FLIPFLOP},
		{OPT_MODE, "--mode", 1u << DK_TASK_FMNIST},
		{OPT_SPLIT, "--split", 1u << DK_TASK_FMNIST},
		{OPT_OFFSET, "--offset", 1u << DK_TASK_FMNIST},
		{OPT_SHUFFLE, "--shuffle", 1u << DK_TASK_FMNIST},
		{OPT_PERM_SEED, "--perm-seed", 1u << DK_TASK_FMNIST},
		{OPT_DATA_DIR, "--data-dir", 1u << DK_TASK_FMNIST},
	};
	const char *task = dk_task_kind_name(o->p.kind);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (o->given[rules[i].opt] && !(rules[i].tasks >> o->p.kind & 1)) {
			if (rules[i].opt == OPT_LENGTH)
				tool_usage_error("--length: fmnist's length is fixed by --mode");
			tool_usage_error("%s does not apply to the %s task", rules[i].name, task);
		}
	if (o->given[OPT_PERM_SEED] && o->p.mode != DK_FMNIST_PERMUTED)
		tool_usage_error("--perm-seed applies only to --mode permuted");
}

/* A seed as the task's attrs hold it: an integer, or beyond JSON's
   signed 64 bits a decimal string. */
static json_t *json_seed(uint64_t seed)
{
	if (seed <= INT64_MAX)
		return json_integer((json_int_t)seed);
	char text[32];
	snprintf(text, sizeof text, "%llu", (unsigned long long)seed);
	return json_string(text);
}

/* The options, as the batch's provenance records them. */
static json_t *options_json(const options *o)
{
	const dk_task_params *p = &o->p;
	json_t *j = json_object();
	if (!j)
		return NULL;
	int bad = json_object_set_new(j, "task", json_string(dk_task_kind_name(p->kind)));
	bad |= json_object_set_new(j, "batch", json_integer((json_int_t)p->batch));
	bad |= json_object_set_new(j, "seed", json_seed(p->seed));
	switch (p->kind) {
	case DK_TASK_FLIPFLOP:
		bad |= json_object_set_new(j, "bits", json_integer((json_int_t)p->bits));
		bad |= json_object_set_new(j, "prob", json_real(p->prob));
		/* fall through */
	case DK_TASK_COPY:
	case DK_TASK_ADDING:
		bad |= json_object_set_new(j, "length", json_integer((json_int_t)p->length));
		break;
	default:
		bad |= json_object_set_new(j, "mode", json_string(dk_fmnist_mode_name(p->mode)));
		bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
		bad |= json_object_set_new(j, "offset", json_integer((json_int_t)p->offset));
		bad |= json_object_set_new(j, "shuffle", json_boolean(p->shuffle));
		bad |= json_object_set_new(j, "data_dir",
		                           json_string(p->data_dir ? p->data_dir : DK_FMNIST_DIR));
		if (p->mode == DK_FMNIST_PERMUTED)
			bad |= json_object_set_new(j, "perm_seed", json_seed(p->perm_seed));
		break;
	}
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* attrs.provenance on each tensor. */
static int stamp(const options *o, dk_task_batch *b)
{
	json_t *prov = tool_provenance(options_json(o));
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
	int st = dk_task_alloc(&o->p, &task, err, sizeof err);
	if (st == DK_EINVAL)
		tool_usage_error("%s", err);
	if (st) {
		tool_warn(NULL, "%s", err);
		return 1;
	}
	size_t in = dk_task_inputs(task), outs = dk_task_outputs(task);
	size_t shape[3] = {dk_task_steps(task), o->p.batch, in > outs ? in : outs};
	size_t count;
	if (dk_shape_count(3, shape, sizeof(double), &count) || count > o->max_elements) {
		tool_warn(NULL, "%s: %zu steps x %zu examples x %zu features exceed the limit of %zu elements",
		          dk_task_kind_name(o->p.kind), shape[0], shape[1], shape[2], o->max_elements);
		dk_task_free(task);
		return 1;
	}
	dk_rng *r = dk_rng_alloc(o->p.seed);
	if (!r)
		snprintf(err, sizeof err, "out of memory");
	st = r ? dk_task_sample(task, r, o->p.offset, out, err, sizeof err) : DK_ENOMEM;
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"batch", required_argument, NULL, OPT_BATCH},
		{"length", required_argument, NULL, OPT_LENGTH},
		{"seed", required_argument, NULL, OPT_SEED},
		{"bits", required_argument, NULL, OPT_BITS},
		{"prob", required_argument, NULL, OPT_PROB},
		{"mode", required_argument, NULL, OPT_MODE},
		{"split", required_argument, NULL, OPT_SPLIT},
		{"offset", required_argument, NULL, OPT_OFFSET},
		{"shuffle", no_argument, NULL, OPT_SHUFFLE},
		{"perm-seed", required_argument, NULL, OPT_PERM_SEED},
		{"data-dir", required_argument, NULL, OPT_DATA_DIR},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	dk_task_params_init(&o.p, DK_TASK_COPY);
	int c;
	tool_init("dk-gen", argv);
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		if (c >= OPT_BATCH && c < OPT_END)
			o.given[c] = 1;
		switch (c) {
		case OPT_BATCH:
			o.p.batch = tool_parse_count("--batch", optarg);
			if (o.p.batch < 1)
				tool_usage_error("--batch: at least 1 example");
			break;
		case OPT_LENGTH: o.p.length = tool_parse_count("--length", optarg); break;
		case OPT_SEED: o.p.seed = parse_seed("--seed", optarg); break;
		case OPT_BITS: o.p.bits = tool_parse_count("--bits", optarg); break;
		case OPT_PROB: o.p.prob = parse_prob(optarg); break;
		case OPT_MODE:
			if (dk_fmnist_mode_from_name(optarg, &o.p.mode))
				tool_usage_error("--mode: '%s' is not pixel, row or permuted", optarg);
			break;
		case OPT_SPLIT:
			if (dk_split_from_name(optarg, &o.p.split))
				tool_usage_error("--split: '%s' is not train or test", optarg);
			break;
		case OPT_OFFSET: o.p.offset = tool_parse_count("--offset", optarg); break;
		case OPT_SHUFFLE: o.p.shuffle = 1; break;
		case OPT_PERM_SEED: o.p.perm_seed = parse_seed("--perm-seed", optarg); break;
		case OPT_DATA_DIR: o.p.data_dir = optarg; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (optind >= argc)
		tool_usage_error("no task named (copy, adding, flipflop or fmnist)");
	if (argc - optind > 1)
		tool_usage_error("one task at a time; '%s' is extra", argv[optind + 1]);
	if (dk_task_kind_from_name(argv[optind], &o.p.kind))
		tool_usage_error("unknown task '%s' (copy, adding, flipflop or fmnist)", argv[optind]);
	check_applies(&o);

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
