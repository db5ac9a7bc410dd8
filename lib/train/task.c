/*
 * task.c -- the task object: parameters and their names, checking them,
 * the shapes of a batch, and the metadata every batch carries.  Each
 * task's own data are made in task_synthetic.c, task_fmnist.c,
 * task_data.c and task_flow.c.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "base/status.h"
#include "stream/layout.h"
#include "stream/names.h"
#include "train/task_impl.h"

static const char *const kind_names[DK_NTASK] = {"copy", "adding", "flipflop", "fmnist", "data",
                                                  "flow", "shapes"};
static const char *const mode_names[DK_NFMNIST_MODE] = {"pixel", "row", "permuted"};
static const char *const split_names[DK_NSPLIT] = {"train", "test"};
static const char *const loss_names[DK_NLOSS] = {"auto", "mse", "xent"};

int dk_task_fail(char *err, size_t errlen, int st, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

void dk_task_params_init(dk_task_params *p, dk_task_kind kind)
{
	*p = (dk_task_params){
		.kind = kind, .batch = 1, .length = 100, .bits = 3, .prob = 0.05,
		.mode = DK_FMNIST_PIXEL, .split = DK_SPLIT_TRAIN,
		.units = 64, .objects = 1, .pattern = DK_FLOW_BUMP,
		.frames_in = 10, .frames_out = 10, .nvelocities = 5,
		.velocities = {{-2, 0}, {-1, 0}, {0, 0}, {1, 0}, {2, 0}},
	};
}

static int lookup(const char *const *names, int n, const char *name, int *out)
{
	for (int i = 0; i < n; i++)
		if (name && !strcmp(names[i], name)) {
			*out = i;
			return DK_OK;
		}
	return DK_EINVAL;
}

const char *dk_task_kind_name(dk_task_kind kind)
{
	return (unsigned)kind < DK_NTASK ? kind_names[kind] : NULL;
}

int dk_task_kind_from_name(const char *name, dk_task_kind *kind)
{
	int i, st = lookup(kind_names, DK_NTASK, name, &i);
	if (!st)
		*kind = (dk_task_kind)i;
	return st;
}

const char *dk_fmnist_mode_name(dk_fmnist_mode mode)
{
	return (unsigned)mode < DK_NFMNIST_MODE ? mode_names[mode] : NULL;
}

int dk_fmnist_mode_from_name(const char *name, dk_fmnist_mode *mode)
{
	int i, st = lookup(mode_names, DK_NFMNIST_MODE, name, &i);
	if (!st)
		*mode = (dk_fmnist_mode)i;
	return st;
}

const char *dk_split_name(dk_split split)
{
	return (unsigned)split < DK_NSPLIT ? split_names[split] : NULL;
}

int dk_split_from_name(const char *name, dk_split *split)
{
	int i, st = lookup(split_names, DK_NSPLIT, name, &i);
	if (!st)
		*split = (dk_split)i;
	return st;
}

const char *dk_loss_kind_name(dk_loss_kind loss)
{
	return (unsigned)loss < DK_NLOSS ? loss_names[loss] : NULL;
}

int dk_loss_kind_from_name(const char *name, dk_loss_kind *loss)
{
	int i, st = lookup(loss_names, DK_NLOSS, name, &i);
	if (!st)
		*loss = (dk_loss_kind)i;
	return st;
}

/* The sizes of one sequence, or DK_EINVAL when p is out of its domain. */
static int check_params(const dk_task_params *p, dk_task *t, char *err,
                        size_t errlen)
{
	if ((unsigned)p->kind >= DK_NTASK)
		return dk_task_fail(err, errlen, DK_EINVAL, "unknown task %d", (int)p->kind);
	const char *name = kind_names[p->kind];
	if (p->batch < 1)
		return dk_task_fail(err, errlen, DK_EINVAL, "%s: the batch must hold at least 1 example", name);
	switch (p->kind) {
	case DK_TASK_COPY:
		if (p->length < 1)
			return dk_task_fail(err, errlen, DK_EINVAL, "copy: T must be at least 1");
		if (p->length > SIZE_MAX - 2 * DK_COPY_SYMBOLS)
			return dk_task_fail(err, errlen, DK_EINVAL, "copy: T+20 steps overflow");
		t->steps = p->length + 2 * DK_COPY_SYMBOLS;
		t->inputs = t->outputs = DK_COPY_CLASSES;
		t->classify = 1;
		break;
	case DK_TASK_ADDING:
		/* a marker in each half needs two steps */
		if (p->length < 2)
			return dk_task_fail(err, errlen, DK_EINVAL, "adding: the length must be at least 2");
		t->steps = p->length;
		t->inputs = 2;
		t->outputs = 1;
		break;
	case DK_TASK_FLIPFLOP:
		if (p->length < 1)
			return dk_task_fail(err, errlen, DK_EINVAL, "flipflop: the length must be at least 1");
		if (p->bits < 1)
			return dk_task_fail(err, errlen, DK_EINVAL, "flipflop: at least 1 bit");
		if (!(p->prob >= 0 && p->prob <= 1))
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "flipflop: the pulse probability %g is not in [0, 1]", p->prob);
		t->steps = p->length;
		t->inputs = t->outputs = p->bits;
		break;
	case DK_TASK_FMNIST:
		if ((unsigned)p->mode >= DK_NFMNIST_MODE)
			return dk_task_fail(err, errlen, DK_EINVAL, "fmnist: unknown mode %d", (int)p->mode);
		if ((unsigned)p->split >= DK_NSPLIT)
			return dk_task_fail(err, errlen, DK_EINVAL, "fmnist: unknown split %d", (int)p->split);
		t->steps = p->mode == DK_FMNIST_ROW ? DK_FMNIST_SIDE : DK_FMNIST_SIDE * DK_FMNIST_SIDE;
		t->inputs = p->mode == DK_FMNIST_ROW ? DK_FMNIST_SIDE : 1;
		t->outputs = DK_FMNIST_CLASSES;
		t->classify = 1;
		break;
	case DK_TASK_DATA:
		/* the sizes are the file's: task_data.c reads them */
		if (!p->data_path)
			return dk_task_fail(err, errlen, DK_EINVAL, "data: no file of trials named");
		if (!(p->holdout >= 0 && p->holdout < 1))
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "data: the held-out fraction %g is not in [0, 1)", p->holdout);
		if (p->holdout > 0 && p->test_path)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "data: test trials from a file or held out, not both");
		if ((unsigned)p->loss >= DK_NLOSS)
			return dk_task_fail(err, errlen, DK_EINVAL, "data: unknown loss %d", (int)p->loss);
		if ((unsigned)p->split >= DK_NSPLIT)
			return dk_task_fail(err, errlen, DK_EINVAL, "data: unknown split %d", (int)p->split);
		break;
	case DK_TASK_FLOW:
		return dk_task_flow_check(p, t, err, errlen);
	case DK_TASK_SHAPES:
		return dk_task_shapes_check(p, t, err, errlen);
	default:
		break;
	}
	return DK_OK;
}

int dk_task_alloc(const dk_task_params *p, dk_task **out, char *err,
                  size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	dk_task *t = calloc(1, sizeof *t);
	if (!t)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	int st = check_params(p, t, err, errlen);
	if (!st) {
		t->params = *p;
		t->params.data_dir = NULL;
		if (p->kind == DK_TASK_FMNIST)
			st = dk_task_fmnist_load(t, p->data_dir ? p->data_dir : DK_FMNIST_DIR,
			                         err, errlen);
		else if (p->kind == DK_TASK_DATA)
			st = dk_task_data_load(t, err, errlen);
		else if (p->kind == DK_TASK_FLOW)
			st = dk_task_flow_prepare(t, p->data_dir ? p->data_dir : DK_FMNIST_DIR,
			                          err, errlen);
	}
	if (st) {
		dk_task_free(t);
		return st;
	}
	*out = t;
	return DK_OK;
}

void dk_task_free(dk_task *t)
{
	if (!t)
		return;
	dk_tensor_free(t->images);
	dk_tensor_free(t->labels);
	free(t->pixel_order);
	dk_tensor_free(t->x);
	dk_tensor_free(t->y);
	dk_tensor_free(t->w);
	free(t->trials);
	free(t->draw);
	free(t->flow_bump);
	free(t);
}

const dk_task_params *dk_task_get_params(const dk_task *t) { return &t->params; }
size_t dk_task_steps(const dk_task *t) { return t->steps; }
size_t dk_task_inputs(const dk_task *t) { return t->inputs; }
size_t dk_task_outputs(const dk_task *t) { return t->outputs; }
const char *dk_task_loss(const dk_task *t) { return t->classify ? "xent" : "mse"; }

size_t dk_task_examples(const dk_task *t)
{
	if (t->params.kind == DK_TASK_DATA)
		return t->ntrials;
	/* the flow task's images are drawn at random, not paged through */
	return t->labels && t->params.kind == DK_TASK_FMNIST ? t->labels->shape[0] : 0;
}

void dk_task_batch_free(dk_task_batch *b)
{
	if (!b)
		return;
	dk_tensor_free(b->input);
	dk_tensor_free(b->target);
	dk_tensor_free(b->mask);
	dk_meta_free(b->input_meta);
	dk_meta_free(b->target_meta);
	dk_meta_free(b->mask_meta);
	free(b);
}

/* Seeds are 64-bit unsigned; JSON integers here are signed. */
json_t *dk_task_json_seed(uint64_t seed)
{
	if (seed <= INT64_MAX)
		return json_integer((json_int_t)seed);
	char text[32];
	snprintf(text, sizeof text, "%llu", (unsigned long long)seed);
	return json_string(text);
}

static const char *length_convention(const dk_task *t)
{
	switch (t->params.kind) {
	case DK_TASK_COPY:
		return "T+20 steps: 10 symbols, T-1 blanks, delimiter, 10 blanks";
	case DK_TASK_ADDING:
		return "T steps, the target at the last";
	case DK_TASK_FLIPFLOP:
		return "T steps";
	case DK_TASK_DATA:
		return "the file's steps";
	case DK_TASK_SHAPES:
		return "T steps, each showing the image; the labels after the last";
	case DK_TASK_FLOW:
		return "frames_in + frames_out steps: frames 0 .. frames_in-1 shown, "
		       "then zero input; the target at step s is frame s, counted at "
		       "the last frames_out steps";
	default:
		switch (t->params.mode) {
		case DK_FMNIST_ROW: return "28 steps: rows of 28 pixels, top to bottom";
		case DK_FMNIST_PERMUTED: return "784 steps: pixels in an order drawn from perm_seed";
		default: return "784 steps: pixels in raster order";
		}
	}
}

/* The attrs every tensor of a batch carries: the parameters, and what
   follows from them. */
static json_t *batch_attrs(const dk_task *t, size_t offset)
{
	json_t *a = dk_task_params_to_json(&t->params);
	if (!a)
		return NULL;
	int bad = 0;
	bad |= json_object_set_new(a, "loss", json_string(dk_task_loss(t)));
	bad |= json_object_set_new(a, "inputs", json_integer((json_int_t)t->inputs));
	bad |= json_object_set_new(a, "outputs", json_integer((json_int_t)t->outputs));
	if (t->classify)
		bad |= json_object_set_new(a, "classes", json_integer((json_int_t)t->outputs));
	bad |= json_object_set_new(a, "steps", json_integer((json_int_t)t->steps));
	bad |= json_object_set_new(a, "length_convention", json_string(length_convention(t)));
	if (t->params.kind == DK_TASK_FMNIST) {
		bad |= json_object_set_new(a, "offset", json_integer((json_int_t)offset));
		json_object_del(a, "data_dir"); /* where the files were is no property of the data */
	}
	if (t->params.kind == DK_TASK_FLOW) {
		bad |= dk_task_flow_attrs(t, a);
		json_object_del(a, "data_dir");
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static dk_meta *tensor_meta(const char *name, const char *const *axes,
                            size_t naxes, json_t *attrs)
{
	dk_meta *m = dk_meta_new(name);
	if (!m || dk_meta_set_axes(m, axes, naxes)) {
		dk_meta_free(m);
		return NULL;
	}
	/* the values are shared between the three tensors' attrs, by
	   reference: none is changed after this */
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

static int make_meta(const dk_task *t, size_t offset, dk_task_batch *b)
{
	static const char *const in_axes[] = {"time", "batch", "feature"};
	static const char *const out_axes[] = {"time", "batch", "output"};
	json_t *attrs = batch_attrs(t, offset);
	if (!attrs)
		return DK_ENOMEM;
	b->input_meta = tensor_meta(DK_NAME_INPUT, in_axes, 3, attrs);
	b->target_meta = tensor_meta(DK_NAME_TARGET, out_axes, t->classify ? 2 : 3, attrs);
	b->mask_meta = tensor_meta(DK_NAME_MASK, out_axes, t->mask_each ? 3 : 2, attrs);
	json_decref(attrs);
	if (!b->input_meta || !b->target_meta || !b->mask_meta)
		return DK_ENOMEM;
	if (t->params.kind == DK_TASK_FLOW) {
		/* where the input's and the target's features sit: the ring or
		   torus, as a model's states carry theirs (stream/layout.h) */
		json_t *layout;
		if (dk_task_flow_layout(t, &layout))
			return DK_ENOMEM;
		int bad = dk_meta_set_attr(b->input_meta, DK_LAYOUT_ATTR, json_incref(layout));
		bad |= dk_meta_set_attr(b->target_meta, DK_LAYOUT_ATTR, json_incref(layout));
		json_decref(layout);
		if (bad)
			return DK_ENOMEM;
	}
	return DK_OK;
}

/* Allocate the batch's three zero-filled tensors. */
static int make_tensors(const dk_task *t, size_t batch, dk_task_batch *b,
                        char *err, size_t errlen)
{
	size_t in_shape[3] = {t->steps, batch, t->inputs};
	size_t out_shape[3] = {t->steps, batch, t->outputs};
	size_t count;
	if (dk_shape_count(3, in_shape, sizeof(double), &count) ||
	    dk_shape_count(3, out_shape, sizeof(double), &count))
		return dk_task_fail(err, errlen, DK_ELIMIT,
		                    "%s: %zu steps x %zu examples x %zu features overflow",
		                    kind_names[t->params.kind], t->steps, batch,
		                    t->inputs > t->outputs ? t->inputs : t->outputs);
	b->input = dk_tensor_alloc(DK_F8, 0, 3, in_shape);
	b->target = t->classify ? dk_tensor_alloc(DK_I8, 0, 2, out_shape)
	                        : dk_tensor_alloc(DK_F8, 0, 3, out_shape);
	b->mask = dk_tensor_alloc(DK_F8, 0, t->mask_each ? 3 : 2, out_shape);
	if (!b->input || !b->target || !b->mask)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	return DK_OK;
}

/* The examples of an fmnist batch: offset.. of the split or of a shuffle. */
static int fmnist_sample(const dk_task *t, dk_rng *r, size_t offset,
                         dk_task_batch *b, char *err, size_t errlen)
{
	size_t n = dk_task_examples(t), batch = t->params.batch;
	if (offset > n || batch > n - offset)
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "fmnist: examples %zu to %zu asked for, the %s split has %zu",
		                    offset, offset + batch - 1, split_names[t->params.split], n);
	size_t *order = malloc((t->params.shuffle ? n : batch) * sizeof *order);
	if (!order)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	if (t->params.shuffle) {
		dk_rng_permutation(r, order, n);
		dk_task_fill_fmnist(t, order + offset, batch, b);
	} else {
		for (size_t i = 0; i < batch; i++)
			order[i] = offset + i;
		dk_task_fill_fmnist(t, order, batch, b);
	}
	free(order);
	return DK_OK;
}

int dk_task_sample(const dk_task *t, dk_rng *r, size_t offset,
                   dk_task_batch **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	dk_task_batch *b = calloc(1, sizeof *b);
	if (!b)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	if (t->params.kind == DK_TASK_SHAPES) { /* tensors of its own shapes */
		int st = dk_task_shapes_sample(t, r, b, err, errlen);
		if (st)
			dk_task_batch_free(b);
		else
			*out = b;
		return st;
	}
	int st = make_tensors(t, t->params.batch, b, err, errlen);
	if (!st) {
		switch (t->params.kind) {
		case DK_TASK_COPY: dk_task_fill_copy(t, r, b); break;
		case DK_TASK_ADDING: dk_task_fill_adding(t, r, b); break;
		case DK_TASK_FLIPFLOP: dk_task_fill_flipflop(t, r, b); break;
		case DK_TASK_DATA: st = dk_task_data_draw(t, r, b, err, errlen); break;
		case DK_TASK_FLOW: dk_task_fill_flow(t, r, b); break;
		default: st = fmnist_sample(t, r, offset, b, err, errlen); break;
		}
	}
	if (!st && (st = make_meta(t, offset, b)))
		dk_task_fail(err, errlen, st, "out of memory");
	if (st) {
		dk_task_batch_free(b);
		return st;
	}
	*out = b;
	return DK_OK;
}

int dk_task_sample_examples(const dk_task *t, const size_t *index, size_t count,
                            dk_task_batch **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	size_t n = dk_task_examples(t);
	if (!n)
		return dk_task_fail(err, errlen, DK_EINVAL, "%s: a generated task has no examples to pick",
		                    kind_names[t->params.kind]);
	if (count > t->params.batch)
		return dk_task_fail(err, errlen, DK_EINVAL, "%s: %zu examples asked for, the batch holds %zu",
		                    kind_names[t->params.kind], count, t->params.batch);
	for (size_t i = 0; i < count; i++)
		if (index[i] >= n)
			return dk_task_fail(err, errlen, DK_EINVAL, "%s: example %zu asked for, the %s split has %zu",
			                    kind_names[t->params.kind], index[i],
			                    split_names[t->params.split], n);
	dk_task_batch *b = calloc(1, sizeof *b);
	if (!b)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	int st = make_tensors(t, t->params.batch, b, err, errlen);
	if (!st) {
		if (t->params.kind == DK_TASK_DATA)
			dk_task_fill_data(t, index, count, b);
		else
			dk_task_fill_fmnist(t, index, count, b);
		if ((st = make_meta(t, count ? index[0] : 0, b)))
			dk_task_fail(err, errlen, st, "out of memory");
	}
	if (st) {
		dk_task_batch_free(b);
		return st;
	}
	*out = b;
	return DK_OK;
}

int dk_task_generate(const dk_task_params *p, dk_task_batch **out,
                     char *err, size_t errlen)
{
	*out = NULL;
	dk_task *t;
	int st = dk_task_alloc(p, &t, err, errlen);
	if (st)
		return st;
	dk_rng *r = dk_rng_alloc(p->seed);
	if (!r)
		st = dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	else
		st = dk_task_sample(t, r, p->offset, out, err, errlen);
	dk_rng_free(r);
	dk_task_free(t);
	return st;
}
