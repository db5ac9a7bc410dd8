/*
 * task_shapes.c -- sheets of tetrominoes labelled pixel by pixel (see
 * shapes.h for the definition): the shapes in their turns and mirror
 * images, their placement apart from one another, the grey levels and the
 * cell texture, and the batch's tensors and metadata.
 *
 * Draw order, per sheet: the number of shapes k (uniform on 1..5), the
 * order of the five families (a uniform permutation); then per shape the
 * quarter turns (0..3), for S/Z and J/L the mirror (uniform < 1/2), the
 * grey level, and positions (the row, then the column) until one fits.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/status.h"
#include "stream/layout.h"
#include "stream/names.h"
#include "train/shapes.h"
#include "train/task_impl.h"

/* Positions tried for one shape before the sheet is drawn again, and
   sheets drawn before giving up (a sheet of DK_SHAPES_MIN_SIDE holds five
   shapes with room to spare, so neither limit is reached in practice). */
#define PLACE_TRIES 1000
#define SHEET_TRIES 1000

#define FAMILIES 5
#define LEVEL_MIN 0.2

static const char *const class_names[DK_SHAPES_CLASSES] = {"background", "I", "O", "T",
                                                          "S/Z", "J/L"};

/* The families' cells (row, col) before any turn, as the paper draws them. */
static const int family_cells[FAMILIES][4][2] = {
	{{0, 0}, {0, 1}, {0, 2}, {0, 3}}, /* I */
	{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, /* O */
	{{0, 1}, {1, 0}, {1, 1}, {1, 2}}, /* T */
	{{0, 1}, {0, 2}, {1, 0}, {1, 1}}, /* S (mirrored: Z) */
	{{0, 0}, {1, 0}, {1, 1}, {1, 2}}, /* J (mirrored: L) */
};

/* Shift the cells so that the smallest row and column are 0. */
static void normalise(dk_shapes_piece *q)
{
	int r0 = q->cells[0][0], c0 = q->cells[0][1], r1 = r0, c1 = c0;
	for (int k = 1; k < 4; k++) {
		int r = q->cells[k][0], c = q->cells[k][1];
		r0 = r < r0 ? r : r0, r1 = r > r1 ? r : r1;
		c0 = c < c0 ? c : c0, c1 = c > c1 ? c : c1;
	}
	for (int k = 0; k < 4; k++)
		q->cells[k][0] -= r0, q->cells[k][1] -= c0;
	q->rows = r1 - r0 + 1;
	q->cols = c1 - c0 + 1;
}

void dk_shapes_make_piece(int family, int turns, int mirror, dk_shapes_piece *q)
{
	memcpy(q->cells, family_cells[family], sizeof q->cells);
	for (int t = 0; t < turns; t++)
		for (int k = 0; k < 4; k++) {
			/* a quarter turn: (r, c) -> (c, -r) */
			int r = q->cells[k][0];
			q->cells[k][0] = q->cells[k][1];
			q->cells[k][1] = -r;
		}
	if (mirror)
		for (int k = 0; k < 4; k++)
			q->cells[k][1] = -q->cells[k][1];
	normalise(q);
}

static size_t cell_size(const dk_shapes_params *p)
{
	size_t side = p->sheet[0] < p->sheet[1] ? p->sheet[0] : p->sheet[1];
	return side / 9 ? side / 9 : 1;
}

/* Whether the box rows r0..r0+h-1, cols c0..c0+w-1 grown by one pixel
   holds no labelled pixel of the sheet. */
static int box_free(const int64_t *label, size_t H, size_t W, size_t r0, size_t c0,
                    size_t h, size_t w)
{
	size_t ra = r0 ? r0 - 1 : 0, rb = r0 + h < H ? r0 + h + 1 : H;
	size_t ca = c0 ? c0 - 1 : 0, cb = c0 + w < W ? c0 + w + 1 : W;
	for (size_t i = ra; i < rb; i++)
		for (size_t j = ca; j < cb; j++)
			if (label[i * W + j])
				return 0;
	return 1;
}

/* Paint the piece's cells at (r0, c0): labels and grey levels, each
   cell's border brighter by half the level. */
static void paint(const dk_shapes_piece *q, int family, double level, size_t cell, size_t W,
                  size_t r0, size_t c0, int64_t *label, double *grey)
{
	double border = level * 1.5 < 1 ? level * 1.5 : 1;
	for (int k = 0; k < 4; k++) {
		size_t top = r0 + (size_t)q->cells[k][0] * cell;
		size_t left = c0 + (size_t)q->cells[k][1] * cell;
		for (size_t a = 0; a < cell; a++)
			for (size_t b = 0; b < cell; b++) {
				size_t u = (top + a) * W + left + b;
				int edge = a == 0 || b == 0 || a == cell - 1 || b == cell - 1;
				label[u] = (int64_t)(family + 1);
				grey[u] = edge ? border : level;
			}
	}
}

/* One sheet into label and grey (H W each); DK_ELIMIT if it never fits. */
static int draw_sheet(const dk_shapes_params *p, dk_rng *r, int64_t *label, double *grey)
{
	size_t H = p->sheet[0], W = p->sheet[1], cell = cell_size(p);
	for (int sheet_try = 0; sheet_try < SHEET_TRIES; sheet_try++) {
		memset(label, 0, H * W * sizeof *label);
		memset(grey, 0, H * W * sizeof *grey);
		size_t k = 1 + dk_rng_index(r, DK_SHAPES_MAX_SHAPES), order[FAMILIES];
		dk_rng_permutation(r, order, FAMILIES);
		size_t placed = 0;
		for (; placed < k; placed++) {
			int family = (int)order[placed];
			int turns = (int)dk_rng_index(r, 4);
			int mirror = family >= 3 && dk_rng_uniform(r) < 0.5;
			double level = LEVEL_MIN + (1 - LEVEL_MIN) * dk_rng_uniform(r);
			dk_shapes_piece q;
			dk_shapes_make_piece(family, turns, mirror, &q);
			size_t h = (size_t)q.rows * cell, w = (size_t)q.cols * cell;
			int fits = 0;
			for (int t = 0; t < PLACE_TRIES && !fits; t++) {
				size_t r0 = dk_rng_index(r, H - h + 1);
				size_t c0 = dk_rng_index(r, W - w + 1);
				if ((fits = box_free(label, H, W, r0, c0, h, w)))
					paint(&q, family, level, cell, W, r0, c0, label, grey);
			}
			if (!fits)
				break;
		}
		if (placed == k)
			return DK_OK;
	}
	return DK_ELIMIT;
}

void dk_shapes_params_init(dk_shapes_params *p)
{
	*p = (dk_shapes_params){.sheet = {32, 32}, .batch = 1, .split = DK_SPLIT_TRAIN};
}

json_t *dk_shapes_params_to_json(const dk_shapes_params *p)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	int bad = json_object_set_new(j, "task", json_string("shapes"));
	bad |= json_object_set_new(j, "batch", json_integer((json_int_t)p->batch));
	bad |= json_object_set_new(j, "seed", dk_task_json_seed(p->seed));
	bad |= json_object_set_new(j, "sheet", json_pack("[II]", (json_int_t)p->sheet[0],
	                                                 (json_int_t)p->sheet[1]));
	bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int check(const dk_shapes_params *p, char *err, size_t errlen)
{
	for (int a = 0; a < 2; a++)
		if (p->sheet[a] < DK_SHAPES_MIN_SIDE || p->sheet[a] > DK_SHAPES_MAX_SIDE)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "shapes: sheet: %zu %s; %d to %d are possible", p->sheet[a],
			                    a ? "columns" : "rows", DK_SHAPES_MIN_SIDE, DK_SHAPES_MAX_SIDE);
	if (p->batch < 1)
		return dk_task_fail(err, errlen, DK_EINVAL, "shapes: batch: at least 1 sheet");
	if (p->seed > DK_SHAPES_MAX_SEED)
		return dk_task_fail(err, errlen, DK_EINVAL, "shapes: seed: at most 2^63-1");
	if ((unsigned)p->split >= DK_NSPLIT)
		return dk_task_fail(err, errlen, DK_EINVAL, "shapes: split: unknown split %d",
		                    (int)p->split);
	return DK_OK;
}

int dk_task_sheet_attrs(json_t *a, const char *const *names, int classes,
                        size_t H, size_t W)
{
	json_t *list = json_array();
	int bad = !list;
	for (int c = 0; !bad && c < classes; c++)
		bad = json_array_append_new(list, json_string(names[c]));
	if (bad) {
		json_decref(list);
		return 1;
	}
	bad = json_object_set_new(a, "class_names", list);
	bad |= json_object_set_new(a, "classes", json_integer(classes));
	dk_layout l = dk_layout_sheets(1, H, W, 0);
	bad |= json_object_set_new(a, DK_LAYOUT_ATTR, dk_layout_to_json(&l));
	return bad;
}

/* The attrs of both tensors: the parameters, the classes, the cell. */
static json_t *batch_attrs(const dk_shapes_params *p)
{
	json_t *a = dk_shapes_params_to_json(p);
	int bad = !a || dk_task_sheet_attrs(a, class_names, DK_SHAPES_CLASSES, p->sheet[0],
	                                    p->sheet[1]);
	if (!bad) {
		bad |= json_object_set_new(a, "loss", json_string("xent"));
		bad |= json_object_set_new(a, "cell", json_integer((json_int_t)cell_size(p)));
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static dk_meta *tensor_meta(const char *name, const char *const *axes, size_t naxes,
                            json_t *attrs)
{
	dk_meta *m = dk_meta_new(name);
	if (!m || dk_meta_set_axes(m, axes, naxes)) {
		dk_meta_free(m);
		return NULL;
	}
	/* the values are shared by the two tensors' attrs: none changes */
	const char *key;
	json_t *v;
	json_object_foreach(attrs, key, v) {
		if (dk_meta_set_attr(m, key, json_incref(v))) {
			dk_meta_free(m);
			return NULL;
		}
	}
	return m;
}

static int make_meta(const dk_shapes_params *p, dk_shapes_batch *b)
{
	static const char *const in_axes[] = {"batch", "channel", "row", "col"};
	static const char *const out_axes[] = {"batch", "row", "col"};
	json_t *attrs = batch_attrs(p);
	if (!attrs)
		return DK_ENOMEM;
	b->input_meta = tensor_meta(DK_NAME_INPUT, in_axes, 4, attrs);
	b->target_meta = tensor_meta(DK_NAME_TARGET, out_axes, 3, attrs);
	json_decref(attrs);
	return b->input_meta && b->target_meta ? DK_OK : DK_ENOMEM;
}

int dk_shapes_generate(const dk_shapes_params *p, dk_shapes_batch **out,
                       char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	int st = check(p, err, errlen);
	if (st)
		return st;
	size_t H = p->sheet[0], W = p->sheet[1], B = p->batch;
	size_t in_shape[4] = {B, 1, H, W}, count;
	if (dk_shape_count(4, in_shape, sizeof(double), &count))
		return dk_task_fail(err, errlen, DK_ELIMIT,
		                    "shapes: %zu sheets of %zu x %zu pixels overflow", B, H, W);
	dk_shapes_batch *b = calloc(1, sizeof *b);
	dk_rng *r = dk_rng_alloc(2 * p->seed + (p->split == DK_SPLIT_TEST));
	if (b) {
		b->input = dk_tensor_alloc(DK_F8, 0, 4, in_shape);
		b->target = dk_tensor_alloc(DK_I8, 0, 3, (size_t[]){B, H, W});
	}
	if (!b || !r || !b->input || !b->target) {
		st = dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t e = 0; e < B && !st; e++)
		if ((st = draw_sheet(p, r, (int64_t *)b->target->data + e * H * W,
		                     (double *)b->input->data + e * H * W)))
			dk_task_fail(err, errlen, st, "shapes: sheet %zu: no room found for its shapes", e);
	if (!st && (st = make_meta(p, b)))
		dk_task_fail(err, errlen, st, "out of memory");
done:
	dk_rng_free(r);
	if (st) {
		dk_shapes_batch_free(b);
		return st;
	}
	*out = b;
	return DK_OK;
}

void dk_shapes_batch_free(dk_shapes_batch *b)
{
	if (!b)
		return;
	dk_tensor_free(b->input);
	dk_tensor_free(b->target);
	dk_meta_free(b->input_meta);
	dk_meta_free(b->target_meta);
	free(b);
}
