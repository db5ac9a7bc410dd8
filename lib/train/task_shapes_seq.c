/*
 * task_shapes_seq.c -- the shapes task (shapes.h) as a task to train on
 * (dk_task): each image shown at every one of T steps, the classes of
 * its pixels the target of a model's head (model.h) at the end.
 *
 * A batch is
 *
 *	input   f8 (time, batch, feature)  the image, the same at each of
 *	                                   the T = length steps (feature =
 *	                                   row W + col, one channel)
 *	target  i8 (batch, row, col)       the class of each pixel
 *	mask    f8 (batch)                 each example's weight: 1
 *
 * Every batch is a fresh draw of dk_shapes_generate, at a seed drawn
 * from the caller's generator, in the split the parameters name: the
 * train split's images come from even seeds of the shapes generator, the
 * test split's from odd ones, so no image of one is drawn for the other.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/names.h"
#include "train/shapes.h"
#include "train/task_impl.h"

int dk_task_shapes_check(const dk_task_params *p, dk_task *t, char *err,
                         size_t errlen)
{
	for (int a = 0; a < 2; a++)
		if (p->sheet[a] < DK_SHAPES_MIN_SIDE || p->sheet[a] > DK_SHAPES_MAX_SIDE)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "shapes: a sheet of %zu x %zu pixels; each side must be %d to %d",
			                    p->sheet[0], p->sheet[1], DK_SHAPES_MIN_SIDE,
			                    DK_SHAPES_MAX_SIDE);
	if (p->length < 1)
		return dk_task_fail(err, errlen, DK_EINVAL, "shapes: the length (steps "
		                    "each image is shown) must be at least 1");
	if ((unsigned)p->split >= DK_NSPLIT)
		return dk_task_fail(err, errlen, DK_EINVAL, "shapes: unknown split %d",
		                    (int)p->split);
	size_t shape[3] = {p->length, p->batch, p->sheet[0] * p->sheet[1]}, count;
	if (dk_shape_count(3, shape, sizeof(double), &count))
		return dk_task_fail(err, errlen, DK_ELIMIT, "shapes: %zu steps of %zu images "
		                    "of %zu x %zu pixels overflow", p->length, p->batch,
		                    p->sheet[0], p->sheet[1]);
	t->steps = p->length;
	t->inputs = p->sheet[0] * p->sheet[1];
	t->outputs = DK_SHAPES_CLASSES;
	t->classify = 1;
	return DK_OK;
}

/* A meta named name with axes and a copy of the attrs of from. */
static dk_meta *meta_like(const char *name, const char *const *axes, size_t naxes,
                          const dk_meta *from)
{
	dk_meta *m = dk_meta_new(name);
	if (!m || dk_meta_set_axes(m, axes, naxes)) {
		dk_meta_free(m);
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(dk_meta_attrs(from), key, v) {
		if (dk_meta_set_attr(m, key, json_deep_copy(v))) {
			dk_meta_free(m);
			return NULL;
		}
	}
	return m;
}

int dk_task_shapes_sample(const dk_task *t, dk_rng *r, dk_task_batch *b, char *err,
                          size_t errlen)
{
	/* 62 bits, under DK_SHAPES_MAX_SEED: the generator's words are 32 */
	uint64_t seed = (uint64_t)dk_rng_index(r, 1ul << 31) << 31 | dk_rng_index(r, 1ul << 31);
	return dk_task_shapes_fill(t, seed, b, err, errlen);
}

int dk_task_shapes_fill(const dk_task *t, uint64_t seed, dk_task_batch *b, char *err,
                        size_t errlen)
{
	const dk_task_params *p = &t->params;
	dk_shapes_params sp;
	dk_shapes_params_init(&sp);
	sp.sheet[0] = p->sheet[0];
	sp.sheet[1] = p->sheet[1];
	sp.batch = p->batch;
	sp.split = p->split;
	sp.seed = seed;
	dk_shapes_batch *sb;
	int st = dk_shapes_generate(&sp, &sb, err, errlen);
	if (st)
		return st;
	size_t T = t->steps, B = p->batch, n = t->inputs;
	static const char *const in_axes[] = {"time", "batch", "feature"};
	static const char *const mask_axes[] = {"batch"};
	b->input = dk_tensor_alloc(DK_F8, 0, 3, (size_t[]){T, B, n});
	b->mask = dk_tensor_alloc(DK_F8, 0, 1, (size_t[]){B});
	b->input_meta = meta_like(DK_NAME_INPUT, in_axes, 3, sb->input_meta);
	b->mask_meta = meta_like(DK_NAME_MASK, mask_axes, 1, sb->target_meta);
	b->target = sb->target;
	b->target_meta = sb->target_meta;
	sb->target = NULL;
	sb->target_meta = NULL;
	if (!b->input || !b->mask || !b->input_meta || !b->mask_meta) {
		dk_shapes_batch_free(sb);
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	}
	for (size_t s = 0; s < T; s++)
		memcpy((double *)b->input->data + s * B * n, sb->input->data, B * n * sizeof(double));
	double *w = b->mask->data;
	for (size_t e = 0; e < B; e++)
		w[e] = 1;
	dk_shapes_batch_free(sb);
	json_t *steps = json_integer((json_int_t)T);
	if (!steps || dk_meta_set_attr(b->input_meta, "steps", steps))
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	return DK_OK;
}

int dk_task_shapes_to_json(const dk_task_params *p, json_t *j)
{
	int bad = json_object_set_new(j, "length", json_integer((json_int_t)p->length));
	bad |= json_object_set_new(j, "sheet", json_pack("[II]", (json_int_t)p->sheet[0],
	                                                 (json_int_t)p->sheet[1]));
	bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
	return bad;
}

int dk_task_shapes_from_json(json_t *j, dk_task_params *p)
{
	json_t *s = json_object_get(j, "sheet");
	if (!json_is_array(s) || json_array_size(s) != 2)
		return DK_EINVAL;
	for (size_t a = 0; a < 2; a++) {
		json_t *v = json_array_get(s, a);
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return DK_EINVAL;
		p->sheet[a] = (size_t)json_integer_value(v);
	}
	return DK_OK;
}
