/*
 * task.h -- the tasks networks are trained on, as tensors.
 *
 * A task draws batches of examples.  Each batch is three tensors:
 *
 *	input   f8 (time, batch, feature)
 *	target  f8 (time, batch, output)  for regression ("mse") tasks, or
 *	        i8 (time, batch)          class labels for classification
 *	                                  ("xent") tasks, -1 where no label is
 *	mask    f8 (time, batch)          the weight of each step in the loss:
 *	                                  1 where it counts, 0 elsewhere
 *
 * each with metadata (name, axes, and attrs naming the task, its loss,
 * its sizes, its length convention and seed), so that a stream of them
 * says what it holds.  The tasks:
 *
 *	copy      (Arjovsky, Shah & Bengio 2016; Keller et al. 2024)  10
 *	          symbols from 1..8, T-1 blanks (0), the delimiter 9, 10
 *	          blanks: T+20 steps, inputs one-hot over 10 classes; the
 *	          target is 0 (blank) except at the last 10 steps, which hold
 *	          the 10 symbols; every step counts (mask 1).  xent, 10 classes.
 *	adding    (Le, Jaitly & Hinton 2015)  T steps of 2 features: a value
 *	          uniform on [0, 1) and a marker that is 1 at one step of
 *	          [0, T/2) and one of [T/2, T); the target, at the last step
 *	          only (mask), is the sum of the two marked values.  mse.
 *	flipflop  (Sussillo & Barak 2013)  n bits: each step, each bit
 *	          receives a pulse with probability p, +1 or -1 with equal
 *	          chance; the target of a bit is the sign of its latest pulse
 *	          at or before the step, 0 before its first; mask 1.  mse.
 *	fmnist    sequential Fashion-MNIST from IDX files: pixel by pixel
 *	          (784 steps, 1 feature), row by row (28 steps, 28 features)
 *	          or pixel by pixel in a fixed permuted order; pixels scaled
 *	          to [0, 1]; the label at the last step only.  xent, 10 classes.
 *	data      the user's own trials, read from a file (task_data.c): a
 *	          stream or .npz of input (time, trial, feature), target
 *	          (time, trial, output) or integer labels (time, trial), and
 *	          an optional mask (time, trial) or, for mse, (time, trial,
 *	          output); a batch is trials drawn without replacement.
 *	          mse or xent, by the target (or asked for: loss).
 *	flow      (Keller 2025, the moving-MNIST task of flow-equivariant
 *	          RNNs)  1 or more objects -- Gaussian bumps, or Fashion-MNIST
 *	          rows (images on a sheet) -- on a periodic ring of N units
 *	          or an H x W torus, each at a random position and moving
 *	          with an integer velocity drawn from a set; frames_in frames
 *	          shown, then frames_out to predict with zero input (the
 *	          paper feeds the model its own prediction back, which the
 *	          trainer does not); the target at step s is frame s, counted
 *	          (mask) at the frames_out prediction steps.  mse.  The
 *	          input's and the target's attrs hold the medium's layout
 *	          (stream/layout.h: one channel).  The definition is
 *	          task_flow.c's.
 *	shapes    tetrominoes on an H x W sheet to classify pixel by pixel
 *	          (shapes.h), each image shown at every one of length steps;
 *	          its batches differ from the others': target i8 (batch,
 *	          row, col), the labels a model's head (model.h) predicts
 *	          after the last step, and mask f8 (batch).  xent, 6
 *	          classes.  Its sheet is sheet, its split split; the
 *	          definition is task_shapes_seq.c's.
 *
 * Random draws come from a dk_rng the caller gives, so a batch is a
 * function of the seed: training draws batch after batch from one
 * generator, dk-gen one batch from dk_rng_alloc(seed).
 */
#ifndef DK_TRAIN_TASK_H
#define DK_TRAIN_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "base/tensor.h"
#include "stream/meta.h"
#include <jansson.h>

typedef enum {
	DK_TASK_COPY,
	DK_TASK_ADDING,
	DK_TASK_FLIPFLOP,
	DK_TASK_FMNIST,
	DK_TASK_DATA,
	DK_TASK_FLOW,
	DK_TASK_SHAPES,
	DK_NTASK
} dk_task_kind;

typedef enum {
	DK_FMNIST_PIXEL,    /* 784 steps of 1 pixel, in raster order */
	DK_FMNIST_ROW,      /* 28 steps of a 28-pixel row */
	DK_FMNIST_PERMUTED, /* 784 steps of 1 pixel, in a fixed shuffled order */
	DK_NFMNIST_MODE
} dk_fmnist_mode;

typedef enum { DK_SPLIT_TRAIN, DK_SPLIT_TEST, DK_NSPLIT } dk_split;

/* The loss of a data task: as its target says, or asked for. */
typedef enum { DK_LOSS_AUTO, DK_LOSS_MSE, DK_LOSS_XENT, DK_NLOSS } dk_loss_kind;

/* What moves in a flow task. */
typedef enum {
	DK_FLOW_BUMP,   /* a Gaussian bump of DK_FLOW_BUMP_SIGMA units, peak 1 */
	DK_FLOW_FMNIST, /* a Fashion-MNIST row (ring) or image (sheet) */
	DK_NFLOW_PATTERN
} dk_flow_pattern;

/* The copy task's sizes (Arjovsky et al.'s, and the Wave-RNN paper's). */
#define DK_COPY_SYMBOLS 10   /* symbols to remember */
#define DK_COPY_CLASSES 10   /* 0 blank, 1..8 symbols, 9 delimiter */
#define DK_COPY_DELIMITER 9
/* Where Debian's dataset-fashion-mnist puts its files. */
#define DK_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#define DK_FMNIST_PACKAGE "dataset-fashion-mnist"
#define DK_FMNIST_SIDE 28
#define DK_FMNIST_CLASSES 10
/* The flow task's limits and its bump's width. */
#define DK_FLOW_MAX_OBJECTS 8
#define DK_FLOW_MAX_VELOCITIES 64
#define DK_FLOW_BUMP_SIGMA 2.0

typedef struct dk_task_params {
	dk_task_kind kind;
	size_t batch;          /* examples per batch, >= 1 */
	size_t length;         /* copy: T (T+20 steps); adding, flipflop: the
	                          steps; fmnist: unused (its mode fixes it) */
	uint64_t seed;         /* recorded in the metadata; dk_task_generate
	                          draws from dk_rng_alloc(seed) */
	size_t bits;           /* flipflop: channels, >= 1 */
	double prob;           /* flipflop: pulse probability per bit and step */
	dk_fmnist_mode mode;   /* fmnist */
	dk_split split;        /* fmnist: the train or the test file */
	size_t offset;         /* fmnist: first example dk_task_generate takes */
	int shuffle;           /* fmnist: take examples from a random order */
	uint64_t perm_seed;    /* fmnist permuted: the pixel order's seed */
	const char *data_dir;  /* fmnist: borrowed; NULL means DK_FMNIST_DIR */
	/* data */
	const char *data_path; /* borrowed: the file of the training trials */
	const char *test_path; /* borrowed; NULL: no file of test trials */
	double holdout;        /* fraction of the trials held out for testing,
	                          in [0, 1); exclusive with test_path */
	uint64_t split_seed;   /* seed of the choice of held-out trials */
	dk_loss_kind loss;     /* DK_LOSS_AUTO: xent for integer labels, mse
	                          for values; dk_task_alloc resolves it */
	size_t classes;        /* xent: the classes, 0 for the target's attr
	                          "classes" or else its largest label + 1;
	                          dk_task_alloc resolves it */
	int verify;            /* the checksums below are the files' expected
	                          ones: a file whose tensors differ is refused */
	uint32_t data_crc, test_crc; /* CRC-32 of the tensors (see task_data.c) */
	/* flow (split and data_dir also serve its fmnist pattern) */
	size_t units;          /* the ring's units, when sheet is {0, 0} */
	size_t sheet[2];       /* rows and columns of a torus; {0, 0}: a ring */
	size_t objects;        /* moving at once, 1 .. DK_FLOW_MAX_OBJECTS */
	dk_flow_pattern pattern;
	size_t frames_in;      /* frames shown, >= 1 */
	size_t frames_out;     /* frames to predict after them, >= 1 */
	size_t nvelocities;    /* entries of velocities, 1 .. DK_FLOW_MAX_VELOCITIES */
	int velocity_pairs;    /* 0: each entry is one value v (velocities[i][0]):
	                          a ring's velocity, or on a sheet one component,
	                          the velocities being every pair (row, col) of
	                          values; 1 (sheets only): each entry is a pair
	                          (velocities[i][0], velocities[i][1]) = (row, col) */
	int velocities[DK_FLOW_MAX_VELOCITIES][2]; /* units per frame, each
	                          component under half its axis's units */
} dk_task_params;

/*
 * The defaults of a task: batch 1, length 100 (copy's T, adding's and
 * flipflop's steps), seed 0, 3 bits, probability 0.05, pixel mode, the
 * train split, offset 0, no shuffle, perm_seed 0, data_dir NULL; flow: a
 * ring of 64 units, 1 bump, 10 frames in and 10 out, velocities -2 .. 2
 * (each component on a sheet, as the paper's moving MNIST draws them).
 */
void dk_task_params_init(dk_task_params *p, dk_task_kind kind);

/* Names as options spell them: "copy", "pixel", "train"; NULL if out of
   range.  The lookups return DK_EINVAL for an unknown name. */
const char *dk_task_kind_name(dk_task_kind kind);
int dk_task_kind_from_name(const char *name, dk_task_kind *kind);
const char *dk_fmnist_mode_name(dk_fmnist_mode mode);
int dk_fmnist_mode_from_name(const char *name, dk_fmnist_mode *mode);
const char *dk_split_name(dk_split split);
int dk_split_from_name(const char *name, dk_split *split);
const char *dk_loss_kind_name(dk_loss_kind loss);  /* "auto", "mse", "xent" */
int dk_loss_kind_from_name(const char *name, dk_loss_kind *loss);
const char *dk_flow_pattern_name(dk_flow_pattern pattern);
int dk_flow_pattern_from_name(const char *name, dk_flow_pattern *pattern);

/*
 * A flow task's velocity set from text into p: comma-separated items,
 * each an integer or an inclusive range A..B of them ("-2..2",
 * "-4..-3,3..4"), in the order given (ranges ascending); or, for a
 * sheet, pairs ROW:COL ("1:0,0:1,-1:-1"), which set velocity_pairs.
 * A value listed twice is refused, so that each velocity is drawn with
 * the same chance.  DK_EINVAL with err naming what is wrong; p is left
 * as it was then.  Whether the values fit the ring or sheet is checked
 * by dk_task_alloc.
 */
int dk_flow_velocities_parse(const char *text, dk_task_params *p, char *err,
                             size_t errlen);

/*
 * The parameters as a JSON object (only those that apply to the task),
 * for provenance and checkpoints; NULL when out of memory.  from_json
 * reads one back (data_dir then points into j); DK_EINVAL for an object
 * that names no known task.
 */
json_t *dk_task_params_to_json(const dk_task_params *p);
int dk_task_params_from_json(json_t *j, dk_task_params *p);

/* A task ready to draw batches from: parameters checked, data loaded. */
typedef struct dk_task dk_task;

/*
 * Check p and, for fmnist, load the split's images and labels from
 * data_dir (train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz,
 * or t10k-...; the names without .gz are tried too) and make the pixel
 * permutation from perm_seed.  For data, read and check the file of the
 * split (the train split: data_path less the held-out trials, with the
 * test file checked too; the test split: the held-out trials or
 * test_path) and resolve loss; with verify, refuse files whose tensors'
 * checksums are not data_crc and test_crc, else record them (see
 * dk_task_get_params).  A data file that is missing is DK_ENOTFOUND, one
 * that is not a valid set of trials DK_EFORMAT.  DK_EINVAL for parameters out of their
 * domain, DK_ENOTFOUND when the dataset's files are missing (err names
 * the package that installs them), the IDX reader's errors (see idx.h)
 * for bad files, DK_EFORMAT when the files are not images of 28 x 28
 * with one label in 0..9 for each.  err (may be NULL) says what.
 */
int dk_task_alloc(const dk_task_params *p, dk_task **out, char *err,
                  size_t errlen);
void dk_task_free(dk_task *t);

/* The parameters the task was made with (data_dir not kept: NULL); for
   data, with the loss resolved, the checksums set and verify on, so that
   a run made from them finds the same files again or refuses to go on. */
const dk_task_params *dk_task_get_params(const dk_task *t);
/* Time steps of one sequence. */
size_t dk_task_steps(const dk_task *t);
/* Input features per step. */
size_t dk_task_inputs(const dk_task *t);
/* Network outputs: classes for xent tasks, target features for mse. */
size_t dk_task_outputs(const dk_task *t);
/* "xent" (target i8 class labels) or "mse" (target f8). */
const char *dk_task_loss(const dk_task *t);
/* fmnist, data: examples (trials) in the loaded split; 0 for the
   generated tasks. */
/* fmnist: examples in the loaded split; 0 for the generated tasks (flow
   too, whose images are drawn at random). */
size_t dk_task_examples(const dk_task *t);

/* One batch; every pointer is owned by the batch. */
typedef struct dk_task_batch {
	dk_tensor *input, *target, *mask;
	dk_meta *input_meta, *target_meta, *mask_meta; /* names "input",
	                                                  "target", "mask" */
} dk_task_batch;

/*
 * Draw a batch of p->batch examples.  The generated tasks draw from r;
 * fmnist takes the examples at offset, offset+1, ... of the split, or,
 * with shuffle, of a random order of the whole split drawn from r (the
 * same generator state gives the same order, so successive offsets page
 * through it without repeats).  data draws batch trials of its split
 * from r without replacement (offset unused) and puts them in the batch
 * in their order in the file, through a scratch the task keeps: one
 * thread at a time samples a task.  DK_EINVAL when offset + batch
 * exceeds the examples, DK_ELIMIT when the tensors' sizes overflow,
 * DK_ENOMEM.
 */
int dk_task_sample(const dk_task *t, dk_rng *r, size_t offset,
                   dk_task_batch **out, char *err, size_t errlen);
void dk_task_batch_free(dk_task_batch *b);

/*
 * A dataset's batch of the examples index[0..count-1] (count <= the
 * batch size), in that order; the batch's other slots are padding -- zero
 * input, no label (-1), mask 0 -- so they weigh nothing in the loss, and
 * an epoch's last, short batch keeps the batch's shape.  DK_EINVAL for a
 * generated task, count over the batch, or an index out of the split.
 */
int dk_task_sample_examples(const dk_task *t, const size_t *index, size_t count,
                            dk_task_batch **out, char *err, size_t errlen);

/*
 * The whole job of dk-gen: dk_task_alloc, then dk_task_sample from
 * dk_rng_alloc(p->seed) at p->offset, then dk_task_free.
 */
int dk_task_generate(const dk_task_params *p, dk_task_batch **out,
                     char *err, size_t errlen);

#endif
