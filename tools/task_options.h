/*
 * task_options.h -- the options that name a task and its parameters, as
 * dk-gen and dk-train take them (--batch, --length, --seed, --bits,
 * --prob, --mode, --split, --offset, --shuffle, --perm-seed, --data-dir,
 * and the flow task's --ring, --torus, --objects, --pattern,
 * --velocity-set, --frames-in, --frames-out).  The flow task's medium and
 * velocities have names of their own: dk-train's model options already
 * take --units, --sheet and --velocities for the model.
 */
#ifndef DK_TASK_OPTIONS_H
#define DK_TASK_OPTIONS_H

#include "tool.h"

enum {
	TASK_OPT_BATCH = TOOL_OPT_FIRST_FREE, TASK_OPT_LENGTH, TASK_OPT_SEED,
	TASK_OPT_BITS, TASK_OPT_PROB, TASK_OPT_MODE, TASK_OPT_SPLIT,
	TASK_OPT_OFFSET, TASK_OPT_SHUFFLE, TASK_OPT_PERM_SEED, TASK_OPT_DATA_DIR,
	TASK_OPT_RING, TASK_OPT_TORUS, TASK_OPT_OBJECTS, TASK_OPT_PATTERN,
	TASK_OPT_VELOCITY_SET, TASK_OPT_FRAMES_IN, TASK_OPT_FRAMES_OUT,
	TASK_OPT_END
};

#define TASK_LONGOPTS \
	{"batch", required_argument, NULL, TASK_OPT_BATCH}, \
	{"length", required_argument, NULL, TASK_OPT_LENGTH}, \
	{"seed", required_argument, NULL, TASK_OPT_SEED}, \
	{"bits", required_argument, NULL, TASK_OPT_BITS}, \
	{"prob", required_argument, NULL, TASK_OPT_PROB}, \
	{"mode", required_argument, NULL, TASK_OPT_MODE}, \
	{"split", required_argument, NULL, TASK_OPT_SPLIT}, \
	{"offset", required_argument, NULL, TASK_OPT_OFFSET}, \
	{"shuffle", no_argument, NULL, TASK_OPT_SHUFFLE}, \
	{"perm-seed", required_argument, NULL, TASK_OPT_PERM_SEED}, \
	{"data-dir", required_argument, NULL, TASK_OPT_DATA_DIR}, \
	{"ring", required_argument, NULL, TASK_OPT_RING}, \
	{"torus", required_argument, NULL, TASK_OPT_TORUS}, \
	{"objects", required_argument, NULL, TASK_OPT_OBJECTS}, \
	{"pattern", required_argument, NULL, TASK_OPT_PATTERN}, \
	{"velocity-set", required_argument, NULL, TASK_OPT_VELOCITY_SET}, \
	{"frames-in", required_argument, NULL, TASK_OPT_FRAMES_IN}, \
	{"frames-out", required_argument, NULL, TASK_OPT_FRAMES_OUT}

/* The help lines of these options. */
#define TASK_OPTIONS_HELP \
	"      --batch B         examples in the batch (default 1)\n" \
	"      --length T        copy: T (T+20 steps); adding, flipflop: the\n" \
	"                        steps (default 100)\n" \
	"      --seed S          seed of the random draws (default 0)\n" \
	"      --bits N          flipflop: bits (default 3)\n" \
	"      --prob P          flipflop: pulse probability per bit and step\n" \
	"                        (default 0.05)\n" \
	"      --mode MODE       fmnist: pixel (784 steps), row (28 steps) or\n" \
	"                        permuted (784 steps) (default pixel)\n" \
	"      --split SPLIT     fmnist, flow --pattern fmnist: train or test\n" \
	"                        (default train)\n" \
	"      --offset N        fmnist: the first example taken (default 0)\n" \
	"      --shuffle         fmnist: take examples in a random order drawn\n" \
	"                        from the seed, not in the files' order\n" \
	"      --perm-seed S     fmnist permuted: seed of the pixel order\n" \
	"                        (default 0)\n" \
	"      --data-dir DIR    fmnist, flow --pattern fmnist: directory of the\n" \
	"                        IDX files (default " DK_FMNIST_DIR ")\n" \
	"      --ring N          flow: a ring of N units (default 64)\n" \
	"      --torus H,W       flow: an H x W sheet, periodic both ways, instead\n" \
	"      --objects K       flow: objects moving at once, 1 to 8 (default 1)\n" \
	"      --pattern P       flow: bump (Gaussian) or fmnist (a Fashion-MNIST\n" \
	"                        row, on a torus an image) (default bump)\n" \
	"      --velocity-set S  flow: integer velocities drawn from: A,B,..., ranges\n" \
	"                        A..B, or on a torus pairs ROW:COL; values on a\n" \
	"                        torus are each component (default -2..2)\n" \
	"      --frames-in N     flow: frames shown (default 10)\n" \
	"      --frames-out N    flow: frames to predict after them (default 10)\n"

typedef struct {
	dk_task_params p;
	int given[TASK_OPT_END]; /* which options the command line set */
	const char *text_velocities; /* --velocity-set, parsed by finish */
} task_options;

/* Defaults (dk_task_params_init for copy; the task is set later). */
void task_options_init(task_options *t);
/* Take getopt's c if it is a task option; returns 0 if it is not. */
int task_option(task_options *t, int c, const char *arg);
/* Set the task from its name and check that every option given applies
   to it; usage errors exit 2. */
void task_options_finish(task_options *t, const char *task);
/* The sheet tasks, shapes (lib/train/shapes.h) and drum
   (lib/train/drum.h), named task: only --batch, --seed and --split of
   these apply to them; usage errors exit 2. */
void task_options_finish_sheets(task_options *t, const char *task);
/* A seed: a decimal integer in 0 .. 2^64-1 (usage error otherwise). */
uint64_t task_parse_seed(const char *opt, const char *arg);
/* The data task of the trials in path (dk-train --data): only --batch and
   --seed apply to it. */
void task_options_finish_data(task_options *t, const char *path);

#endif
