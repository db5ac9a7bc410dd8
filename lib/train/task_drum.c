/*
 * task_drum.c -- the drum's sheets (drum.h): the parameters, one shape
 * drawn on each sheet, each sheet rung (drum_sound.c), and the batch's
 * records.
 *
 * Draw order, per sheet: the class (uniform among those allowed); for a
 * square its side; for a rectangle its rows, then its columns, again
 * until they differ; for a tetromino the quarter turns (0..3), for S/Z
 * and J/L the mirror (uniform < 1/2), then the cell; then the position's
 * row and column.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/status.h"
#include "stream/names.h"
#include "train/drum.h"
#include "train/task_impl.h"

#define SMALLEST_SIDE 4   /* of squares and rectangles, pixels */
#define SMALLEST_CELL 2   /* of tetrominoes, pixels */

static const char *const class_names[DK_DRUM_CLASSES] = {
	"square", "rectangle", "I", "O", "T", "S/Z", "J/L"};
static const char *const shapes_names[DK_DRUM_NSHAPES] = {
	"all", "squares", "rectangles", "tetrominoes"};

const char *dk_drum_class_name(int cls)
{
	return cls >= 0 && cls < DK_DRUM_CLASSES ? class_names[cls] : "?";
}

const char *dk_drum_shapes_name(dk_drum_shapes s)
{
	return (unsigned)s < DK_DRUM_NSHAPES ? shapes_names[s] : "?";
}

int dk_drum_shapes_from_name(const char *name, dk_drum_shapes *s)
{
	for (int k = 0; k < DK_DRUM_NSHAPES; k++)
		if (!strcmp(name, shapes_names[k])) {
			*s = (dk_drum_shapes)k;
			return 0;
		}
	return -1;
}

void dk_drum_params_init(dk_drum_params *p)
{
	*p = (dk_drum_params){.sheet = {32, 32}, .batch = 1, .split = DK_SPLIT_TRAIN,
	                      .steps = 4096, .shapes = DK_DRUM_ALL, .modes = 1};
}

json_t *dk_drum_params_to_json(const dk_drum_params *p)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	int bad = json_object_set_new(j, "task", json_string("drum"));
	bad |= json_object_set_new(j, "batch", json_integer((json_int_t)p->batch));
	bad |= json_object_set_new(j, "seed", dk_task_json_seed(p->seed));
	bad |= json_object_set_new(j, "sheet", json_pack("[II]", (json_int_t)p->sheet[0],
	                                                 (json_int_t)p->sheet[1]));
	bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
	bad |= json_object_set_new(j, "steps", json_integer((json_int_t)p->steps));
	bad |= json_object_set_new(j, "shapes", json_string(dk_drum_shapes_name(p->shapes)));
	bad |= json_object_set_new(j, "modes", json_integer((json_int_t)p->modes));
	bad |= json_object_set_new(j, "dt", json_real(DK_DRUM_DT));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int dk_drum_params_check(const dk_drum_params *p, char *err, size_t errlen)
{
	for (int a = 0; a < 2; a++)
		if (p->sheet[a] < DK_DRUM_MIN_SIDE || p->sheet[a] > DK_DRUM_MAX_SIDE)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "drum: sheet: %zu %s; %d to %d are possible", p->sheet[a],
			                    a ? "columns" : "rows", DK_DRUM_MIN_SIDE, DK_DRUM_MAX_SIDE);
	if (p->batch < 1)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: batch: at least 1 sheet");
	if (p->seed > DK_DRUM_MAX_SEED)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: seed: at most 2^63-1");
	if ((unsigned)p->split >= DK_NSPLIT)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: split: unknown split %d",
		                    (int)p->split);
	if (p->steps < DK_DRUM_MIN_STEPS || p->steps > DK_DRUM_MAX_STEPS)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: steps: %zu; %u to %u are possible",
		                    p->steps, DK_DRUM_MIN_STEPS, DK_DRUM_MAX_STEPS);
	if ((unsigned)p->shapes >= DK_DRUM_NSHAPES)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: shapes: unknown kind %d",
		                    (int)p->shapes);
	if (p->modes < 1 || p->modes > DK_DRUM_FEATURES)
		return dk_task_fail(err, errlen, DK_EINVAL, "drum: modes: %zu; 1 to %d are possible",
		                    p->modes, DK_DRUM_FEATURES);
	return DK_OK;
}

/* The class of the next sheet. */
static int draw_class(dk_drum_shapes shapes, dk_rng *r)
{
	switch (shapes) {
	case DK_DRUM_SQUARES: return 0;
	case DK_DRUM_RECTANGLES: return 1;
	case DK_DRUM_TETROMINOES: return 2 + (int)dk_rng_index(r, 5);
	default: return (int)dk_rng_index(r, DK_DRUM_CLASSES);
	}
}

/* A uniform whole number in lo .. hi. */
static size_t between(dk_rng *r, size_t lo, size_t hi)
{
	return lo + dk_rng_index(r, hi - lo + 1);
}

/* One sheet's shape into mask (H W, zeroed here); its class. */
static int draw_sheet(const dk_drum_params *p, dk_rng *r, double *mask)
{
	size_t H = p->sheet[0], W = p->sheet[1];
	memset(mask, 0, H * W * sizeof *mask);
	int cls = draw_class(p->shapes, r);
	size_t h, w;
	dk_shapes_piece q = {.rows = 0};
	size_t cell = 0;
	if (cls == 0) {
		h = w = between(r, SMALLEST_SIDE, (H < W ? H : W) - 2);
	} else if (cls == 1) {
		do {
			h = between(r, SMALLEST_SIDE, H - 2);
			w = between(r, SMALLEST_SIDE, W - 2);
		} while (h == w);
	} else {
		int family = cls - 2;
		int turns = (int)dk_rng_index(r, 4);
		int mirror = family >= 3 && dk_rng_uniform(r) < 0.5;
		dk_shapes_make_piece(family, turns, mirror, &q);
		size_t ch = (H - 2) / (size_t)q.rows, cw = (W - 2) / (size_t)q.cols;
		cell = between(r, SMALLEST_CELL, ch < cw ? ch : cw);
		h = (size_t)q.rows * cell;
		w = (size_t)q.cols * cell;
	}
	size_t r0 = between(r, 1, H - 1 - h), c0 = between(r, 1, W - 1 - w);
	if (cls < 2) {
		for (size_t i = 0; i < h; i++)
			for (size_t j = 0; j < w; j++)
				mask[(r0 + i) * W + c0 + j] = 1;
		return cls;
	}
	for (int k = 0; k < 4; k++)
		for (size_t a = 0; a < cell; a++)
			for (size_t b = 0; b < cell; b++)
				mask[(r0 + (size_t)q.cells[k][0] * cell + a) * W + c0 +
				     (size_t)q.cells[k][1] * cell + b] = 1;
	return cls;
}

void dk_drum_batch_free(dk_drum_batch *b)
{
	if (!b)
		return;
	free(b->mask);
	free(b->size);
	free(b->freq);
	free(b->cls);
	free(b);
}

int dk_drum_batch_make(const dk_drum_params *p, dk_drum_batch **out,
                       char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	int st = dk_drum_params_check(p, err, errlen);
	if (st)
		return st;
	size_t H = p->sheet[0], W = p->sheet[1], B = p->batch, count;
	if (dk_shape_count(3, (size_t[]){B, H, W}, sizeof(double), &count) ||
	    dk_shape_count(2, (size_t[]){B, DK_DRUM_FEATURES}, sizeof(double), &count))
		return dk_task_fail(err, errlen, DK_ELIMIT,
		                    "drum: %zu sheets of %zu x %zu pixels overflow", B, H, W);
	dk_drum_batch *b = calloc(1, sizeof *b);
	dk_rng *r = dk_rng_alloc(2 * p->seed + (p->split == DK_SPLIT_TEST));
	dk_drum_work *w = NULL;
	if (b) {
		*b = (dk_drum_batch){.batch = B, .H = H, .W = W};
		b->mask = malloc(B * H * W * sizeof *b->mask);
		b->size = malloc(B * sizeof *b->size);
		b->freq = malloc(B * DK_DRUM_FEATURES * sizeof *b->freq);
		b->cls = malloc(B * sizeof *b->cls);
	}
	st = !b || !r || !b->mask || !b->size || !b->freq || !b->cls ? DK_ENOMEM
	     : dk_drum_work_alloc(&w, H, W, p->steps);
	if (st) {
		dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t e = 0; e < B && !st; e++) {
		double *m = b->mask + e * H * W;
		b->cls[e] = draw_sheet(p, r, m);
		double area = 0;
		for (size_t u = 0; u < H * W; u++)
			area += m[u];
		b->size[e] = sqrt(area);
		st = dk_drum_frequencies(w, m, b->freq + e * DK_DRUM_FEATURES, err, errlen);
	}
done:
	dk_drum_work_free(w);
	dk_rng_free(r);
	if (st) {
		dk_drum_batch_free(b);
		return st;
	}
	*out = b;
	return DK_OK;
}

/* The attrs of every record: the parameters, the classes, the layout. */
static json_t *batch_attrs(const dk_drum_params *p)
{
	json_t *a = dk_drum_params_to_json(p);
	if (a && dk_task_sheet_attrs(a, class_names, DK_DRUM_CLASSES, p->sheet[0],
	                             p->sheet[1])) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int dk_drum_generate(const dk_drum_params *p, dk_bundle *out, char *err,
                     size_t errlen)
{
	static const char *const mask_axes[] = {"batch", "channel", "row", "col"};
	static const char *const batch_axes[] = {"batch"};
	static const char *const freq_axes[] = {"batch", "mode"};
	dk_drum_batch *b;
	int st = dk_drum_batch_make(p, &b, err, errlen);
	if (st)
		return st;
	size_t B = b->batch, H = b->H, W = b->W;
	json_t *a = batch_attrs(p);
	st = !a ? DK_ENOMEM
	     : dk_bundle_add_record(out, DK_NAME_DRUM_MASK,
	                            dk_tensor_from(DK_F8, 4, (size_t[]){B, 1, H, W}, b->mask),
	                            mask_axes, 4, a);
	if (!st)
		st = dk_bundle_add_record(out, DK_NAME_DRUM_SIZE,
		                          dk_tensor_from(DK_F8, 1, &B, b->size),
		                          batch_axes, 1, a);
	if (!st)
		st = dk_bundle_add_record(out, DK_NAME_DRUM_CLASS,
		                          dk_tensor_from(DK_I8, 1, &B, b->cls),
		                          batch_axes, 1, a);
	if (!st)
		st = dk_bundle_add_record(out, DK_NAME_DRUM_FREQUENCY,
		                          dk_tensor_from(DK_F8, 2, (size_t[]){B, DK_DRUM_FEATURES},
		                                         b->freq),
		                          freq_axes, 2, a);
	json_decref(a);
	dk_drum_batch_free(b);
	if (st)
		dk_task_fail(err, errlen, st, "out of memory");
	return st;
}
