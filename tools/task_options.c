/*
 * task_options.c -- parsing the task options shared by dk-gen and
 * dk-train, and checking that each applies to the task named.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_options.h"

/* A seed: a decimal integer in 0 .. 2^64-1, every digit significant. */
uint64_t task_parse_seed(const char *opt, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (!*arg || arg[0] == '-' || arg[0] == '+' || *end || errno)
		tool_usage_error("%s: '%s' is not a seed (an integer from 0 to 2^64-1)", opt, arg);
	return (uint64_t)v;
}

/* Each option belongs to some tasks; naming it for another is an error,
   not something silently ignored. */
static void check_applies(const task_options *o)
{
	static const struct { int opt; const char *name; unsigned tasks; } rules[] = {
		{TASK_OPT_LENGTH, "--length", 1u << DK_TASK_COPY | 1u << DK_TASK_ADDING | 1u << DK_TASK_FLIPFLOP},
		{TASK_OPT_BITS, "--bits", 1u << DK_TASK_FLIPFLOP},
		{TASK_OPT_PROB, "--prob", 1u << DK_TASK_FLIPFLOP},
		{TASK_OPT_MODE, "--mode", 1u << DK_TASK_FMNIST},
		{TASK_OPT_SPLIT, "--split", 1u << DK_TASK_FMNIST | 1u << DK_TASK_FLOW | 1u << DK_TASK_SHAPES},
		{TASK_OPT_OFFSET, "--offset", 1u << DK_TASK_FMNIST},
		{TASK_OPT_SHUFFLE, "--shuffle", 1u << DK_TASK_FMNIST},
		{TASK_OPT_PERM_SEED, "--perm-seed", 1u << DK_TASK_FMNIST},
		{TASK_OPT_DATA_DIR, "--data-dir", 1u << DK_TASK_FMNIST | 1u << DK_TASK_FLOW},
		{TASK_OPT_RING, "--ring", 1u << DK_TASK_FLOW},
		{TASK_OPT_TORUS, "--torus", 1u << DK_TASK_FLOW},
		{TASK_OPT_OBJECTS, "--objects", 1u << DK_TASK_FLOW},
		{TASK_OPT_PATTERN, "--pattern", 1u << DK_TASK_FLOW},
		{TASK_OPT_VELOCITY_SET, "--velocity-set", 1u << DK_TASK_FLOW},
		{TASK_OPT_FRAMES_IN, "--frames-in", 1u << DK_TASK_FLOW},
		{TASK_OPT_FRAMES_OUT, "--frames-out", 1u << DK_TASK_FLOW},
	};
	const char *task = dk_task_kind_name(o->p.kind);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (!o->given[rules[i].opt] || rules[i].tasks >> o->p.kind & 1)
			continue;
		if (rules[i].opt == TASK_OPT_LENGTH && o->p.kind == DK_TASK_FMNIST) {
			/* the mode's own length is accepted, so that scripts
			   may pass --length to every task alike */
			size_t fixed = o->p.mode == DK_FMNIST_ROW ? DK_FMNIST_SIDE
			               : DK_FMNIST_SIDE * DK_FMNIST_SIDE;
			if (o->p.length == fixed)
				continue;
			tool_usage_error("--length: fmnist's length is fixed by --mode "
			                 "(%s: %zu steps), not %zu",
			                 dk_fmnist_mode_name(o->p.mode), fixed, o->p.length);
		}
		tool_usage_error("%s does not apply to the %s task", rules[i].name, task);
	}
	if (o->given[TASK_OPT_PERM_SEED] && o->p.mode != DK_FMNIST_PERMUTED)
		tool_usage_error("--perm-seed applies only to --mode permuted");
	if (o->p.kind != DK_TASK_FLOW)
		return;
	if (o->given[TASK_OPT_RING] && o->given[TASK_OPT_TORUS])
		tool_usage_error("--ring and --torus: a ring or a torus, not both");
	if (o->p.pattern != DK_FLOW_FMNIST && (o->given[TASK_OPT_SPLIT] || o->given[TASK_OPT_DATA_DIR]))
		tool_usage_error("%s applies to the flow task's --pattern fmnist only",
		                 o->given[TASK_OPT_SPLIT] ? "--split" : "--data-dir");

}

void task_options_init(task_options *t)
{
	memset(t, 0, sizeof *t);
	dk_task_params_init(&t->p, DK_TASK_COPY);
}

int task_option(task_options *t, int c, const char *arg)
{
	if (c < TASK_OPT_BATCH || c >= TASK_OPT_END)
		return 0;
	t->given[c] = 1;
	dk_task_params *p = &t->p;
	switch (c) {
	case TASK_OPT_BATCH:
		p->batch = tool_parse_count("--batch", arg);
		if (p->batch < 1)
			tool_usage_error("--batch: at least 1 example");
		break;
	case TASK_OPT_LENGTH: p->length = tool_parse_count("--length", arg); break;
	case TASK_OPT_SEED: p->seed = task_parse_seed("--seed", arg); break;
	case TASK_OPT_BITS: p->bits = tool_parse_count("--bits", arg); break;
	case TASK_OPT_PROB: p->prob = tool_parse_real("--prob", arg, 0, 1); break;
	case TASK_OPT_MODE:
		if (dk_fmnist_mode_from_name(arg, &p->mode))
			tool_usage_error("--mode: '%s' is not pixel, row or permuted", arg);
		break;
	case TASK_OPT_SPLIT:
		if (dk_split_from_name(arg, &p->split))
			tool_usage_error("--split: '%s' is not train or test", arg);
		break;
	case TASK_OPT_OFFSET: p->offset = tool_parse_count("--offset", arg); break;
	case TASK_OPT_SHUFFLE: p->shuffle = 1; break;
	case TASK_OPT_PERM_SEED: p->perm_seed = task_parse_seed("--perm-seed", arg); break;
	case TASK_OPT_DATA_DIR: p->data_dir = arg; break;
	case TASK_OPT_RING: p->units = tool_parse_count("--ring", arg); break;
	case TASK_OPT_TORUS: tool_parse_sheet("--torus", arg, 1, p->sheet); break;
	case TASK_OPT_OBJECTS: p->objects = tool_parse_count("--objects", arg); break;
	case TASK_OPT_PATTERN:
		if (dk_flow_pattern_from_name(arg, &p->pattern))
			tool_usage_error("--pattern: '%s' is not bump or fmnist", arg);
		break;
	/* parsed when the task is known (the parser needs no more, but a
	   bad set for another task is reported as not applying) */
	case TASK_OPT_VELOCITY_SET: t->text_velocities = arg; break;
	case TASK_OPT_FRAMES_IN: p->frames_in = tool_parse_count("--frames-in", arg); break;
	case TASK_OPT_FRAMES_OUT: p->frames_out = tool_parse_count("--frames-out", arg); break;
	}
	return 1;
}

void task_options_finish(task_options *t, const char *task)
{
	if (dk_task_kind_from_name(task, &t->p.kind) || t->p.kind == DK_TASK_DATA)
		tool_usage_error("unknown task '%s' (copy, adding, flipflop, fmnist, flow or shapes)%s",
		                 task, t->p.kind == DK_TASK_DATA ? "; trials of one's own: "
		                 "dk-train --data FILE" : "");
	check_applies(t);
	if (t->text_velocities) {
		char err[256];
		if (dk_flow_velocities_parse(t->text_velocities, &t->p, err, sizeof err))
			tool_usage_error("--velocity-set: %s", err);
	}
}

void task_options_finish_sheets(task_options *t, const char *task)
{
	static const struct option opts[] = {TASK_LONGOPTS};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		int c = opts[i].val;
		if (t->given[c] && c != TASK_OPT_BATCH && c != TASK_OPT_SEED && c != TASK_OPT_SPLIT)
			tool_usage_error("--%s does not apply to the %s task", opts[i].name, task);
	}
}

void task_options_finish_data(task_options *t, const char *path)
{
	t->p.kind = DK_TASK_DATA;
	t->p.data_path = path;
	check_applies(t);
}
