/*
 * task_data.c -- the data task: trials a user recorded or made, read from
 * a file (a stream, as dk-gen writes one, or an .npz) and checked, then
 * drawn into batches.
 *
 * The file holds the records input (time, trial, feature), target
 * (time, trial, output) values or (time, trial) integer labels, and
 * optionally mask (time, trial), or for values (time, trial, output).
 * f4 and integer values are taken as f8, integer labels as i8.  Every
 * check names the record and what is wrong with it.  Where the mask
 * weighs nothing the target is not looked at (NaN there marks a missing
 * value) and is set to 0, so that no NaN reaches a loss as 0 * NaN.
 *
 * A file is known again by a CRC-32 of its three tensors as read (dtype,
 * shape and bytes; metadata left out), which a checkpoint keeps with the
 * file's name: a resumed run refuses a file whose tensors changed.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/status.h"
#include "stream/container.h"
#include "stream/names.h"
#include "stream/reader.h"
#include "train/task_impl.h"

/* One file's trials, checked. */
typedef struct {
	dk_tensor *x, *y, *w;  /* owned: as in struct dk_task */
	int each, classify;
	size_t steps, trials, inputs, outputs;
	uint32_t crc;
} trial_set;

static void trial_set_free(trial_set *s)
{
	dk_tensor_free(s->x);
	dk_tensor_free(s->y);
	dk_tensor_free(s->w);
	memset(s, 0, sizeof *s);
}

/* The tensor's dtype, shape and bytes into a running CRC-32. */
static uLong crc_tensor(uLong crc, const dk_tensor *t)
{
	const char *descr = dk_dtype_descr(t->dtype);
	uint64_t shape[DK_MAX_RANK];
	for (int i = 0; i < t->rank; i++)
		shape[i] = t->shape[i];
	crc = crc32_z(crc, (const Bytef *)descr, strlen(descr));
	crc = crc32_z(crc, (const Bytef *)shape, (size_t)t->rank * sizeof shape[0]);
	return crc32_z(crc, t->data, dk_tensor_nbytes(t));
}

static int is_integer(dk_dtype d) { return d == DK_I8 || d == DK_I4 || d == DK_U1; }
static int is_real(dk_dtype d) { return d == DK_F8 || d == DK_F4; }

static const char *describe(const dk_tensor *t, char *buf, size_t cap)
{
	char shape[128];
	dk_shape_format(shape, sizeof shape, t->rank, t->shape);
	snprintf(buf, cap, "%s %s", dk_dtype_name(t->dtype), shape);
	return buf;
}

/* t converted to dtype into *out (a copy when it is dtype already). */
static int convert(const char *path, const char *name, const dk_tensor *t, dk_dtype dtype,
                   dk_tensor **out, char *err, size_t errlen)
{
	char e[256];
	int st = dk_tensor_convert_named(t, dtype, out, name, e, sizeof e);
	return st ? dk_task_fail(err, errlen, st == DK_ENOMEM ? st : DK_EFORMAT, "%s: %s", path, e)
	          : DK_OK;
}

/* The tensors of the file at path. */
static int read_bundle(const char *path, dk_bundle *b, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return dk_task_fail(err, errlen, errno == ENOENT ? DK_ENOTFOUND : DK_EIO,
		                    "%s: %s", path, strerror(errno));
	char e[512];
	int st = dk_container_read_fd(fd, path, DK_STREAM_MAX_ELEMENTS_DEFAULT, b, e, sizeof e);
	close(fd);
	if (st)
		return dk_task_fail(err, errlen, st == DK_ENOMEM || st == DK_EIO ? st : DK_EFORMAT,
		                    "%s: %s", path, e);
	return DK_OK;
}

/* The number of classes: the target's attr, else its largest label + 1. */
static int count_classes(const char *path, const dk_bundle *b, const dk_tensor *y,
                         size_t *classes, char *err, size_t errlen)
{
	if (*classes)
		return DK_OK;
	json_t *attr = json_object_get(dk_meta_attrs(dk_bundle_meta(b, (size_t)dk_bundle_find(b,
	                               DK_NAME_TARGET))), "classes");
	if (attr) {
		if (!json_is_integer(attr) || json_integer_value(attr) < 1)
			return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s: attrs.classes is not "
			                    "a count >= 1", path, DK_NAME_TARGET);
		*classes = (size_t)json_integer_value(attr);
		return DK_OK;
	}
	const int64_t *label = y->data;
	int64_t top = -1;
	for (size_t i = 0; i < y->count; i++)
		if (label[i] > top)
			top = label[i];
	if (top < 0)
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s holds no label (all -1)",
		                    path, DK_NAME_TARGET);
	*classes = (size_t)top + 1;
	return DK_OK;
}

/* The target as read into s->y, with the loss it means. */
static int take_target(const char *path, const dk_tensor *y, dk_loss_kind *loss,
                       trial_set *s, char *err, size_t errlen)
{
	char d[160];
	int labels = is_integer(y->dtype) && y->rank == 2;
	int values = (is_real(y->dtype) || (is_integer(y->dtype) && *loss == DK_LOSS_MSE)) &&
	             y->rank == 3;
	if (labels && *loss == DK_LOSS_MSE)
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s is %s, class labels, which "
		                    "take the xent loss; mse needs values (time, trial, output)",
		                    path, DK_NAME_TARGET, describe(y, d, sizeof d));
	if (values && *loss == DK_LOSS_XENT)
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s is %s, values; the xent loss "
		                    "needs integer class labels (time, trial)", path, DK_NAME_TARGET,
		                    describe(y, d, sizeof d));
	if (!labels && !values)
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s is %s, not f8 or f4 values "
		                    "(time, trial, output) or integer class labels (time, trial)%s",
		                    path, DK_NAME_TARGET, describe(y, d, sizeof d),
		                    is_integer(y->dtype) && y->rank == 3
		                    ? " (integer values are taken with the mse loss)" : "");
	if (y->shape[0] != s->steps || y->shape[1] != s->trials)
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s has %zu steps and %zu trials; "
		                    "%s has %zu and %zu", path, DK_NAME_TARGET, y->shape[0],
		                    y->shape[1], DK_NAME_INPUT, s->steps, s->trials);
	if (values && y->shape[2] == 0)
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s has no outputs", path,
		                    DK_NAME_TARGET);
	*loss = labels ? DK_LOSS_XENT : DK_LOSS_MSE;
	s->classify = labels;
	s->outputs = labels ? 0 : y->shape[2];
	return convert(path, DK_NAME_TARGET, y, labels ? DK_I8 : DK_F8, &s->y, err, errlen);
}

/* The mask as read (or all ones, or for labels 1 where there is one). */
static int take_mask(const char *path, const dk_tensor *w, trial_set *s, char *err,
                     size_t errlen)
{
	char d[160];
	size_t T = s->steps, N = s->trials;
	if (!w) {
		size_t shape[2] = {T, N};
		if (!(s->w = dk_tensor_alloc(DK_F8, 0, 2, shape)))
			return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
		double *m = s->w->data;
		const int64_t *label = s->y->data;
		for (size_t i = 0; i < T * N; i++)
			m[i] = s->classify ? label[i] >= 0 : 1;
		return DK_OK;
	}
	if (!(is_real(w->dtype) || is_integer(w->dtype) || w->dtype == DK_B1) ||
	    (w->rank != 2 && w->rank != 3) || w->shape[0] != T || w->shape[1] != N ||
	    (w->rank == 3 && (s->classify || w->shape[2] != s->outputs)))
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s is %s, not (time, trial) = "
		                    "(%zu, %zu)%s", path, DK_NAME_MASK, describe(w, d, sizeof d), T, N,
		                    s->classify ? " (class labels take one weight a step)"
		                    : " or, a weight per output, (time, trial, output)");
	s->each = w->rank == 3;
	int st = convert(path, DK_NAME_MASK, w, DK_F8, &s->w, err, errlen);
	if (st)
		return st;
	const double *m = s->w->data;
	size_t per = s->each ? s->outputs : 1;
	for (size_t i = 0; i < s->w->count; i++) {
		if (isfinite(m[i]) && m[i] >= 0)
			continue;
		char at[96];
		if (s->each)
			snprintf(at, sizeof at, "%zu, %zu, %zu", i / per / N, i / per % N, i % per);
		else
			snprintf(at, sizeof at, "%zu, %zu", i / N, i % N);
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s[%s] is %g, not a finite "
		                    "weight >= 0", path, DK_NAME_MASK, at, m[i]);
	}
	return DK_OK;
}

/* Values the loss can use: a finite input everywhere (a step's input
   reaches every later state), a finite target and a label in -1..classes-1
   wherever the mask weighs it; and some weight somewhere. */
static int check_values(const char *path, trial_set *s, size_t classes, char *err,
                        size_t errlen)
{
	const double *x = s->x->data, *m = s->w->data;
	size_t T = s->steps, N = s->trials, F = s->inputs, o = s->outputs;
	for (size_t i = 0; i < s->x->count; i++)
		if (!isfinite(x[i]))
			return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s[%zu, %zu, %zu] is %g",
			                    path, DK_NAME_INPUT, i / F / N, i / F % N, i % F, x[i]);
	double total = 0;
	for (size_t i = 0; i < s->w->count; i++)
		total += m[i];
	if (!(total > 0))
		return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s weighs no step of any trial",
		                    path, DK_NAME_MASK);
	if (s->classify) {
		int64_t *label = s->y->data;
		for (size_t i = 0; i < T * N; i++) {
			if (label[i] < -1 || label[i] >= (int64_t)classes)
				return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s[%zu, %zu] is %lld, "
				                    "not a label in -1..%zu", path, DK_NAME_TARGET, i / N,
				                    i % N, (long long)label[i], classes - 1);
			if (label[i] < 0 && m[i] > 0)
				return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s[%zu, %zu] is -1 (no "
				                    "label) where %s weighs it %g", path, DK_NAME_TARGET,
				                    i / N, i % N, DK_NAME_MASK, m[i]);
		}
		return DK_OK;
	}
	double *y = s->y->data;
	for (size_t i = 0; i < T * N * o; i++) {
		double weight = s->each ? m[i] : m[i / o];
		if (weight == 0)
			y[i] = 0; /* not looked at: may be NaN, as missing values are */
		else if (!isfinite(y[i]))
			return dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s[%zu, %zu, %zu] is %g where "
			                    "%s weighs it", path, DK_NAME_TARGET, i / o / N, i / o % N,
			                    i % o, y[i], DK_NAME_MASK);
	}
	return DK_OK;
}

/*
 * The trials of the file at path into s: loss (AUTO is resolved) and
 * classes (0 is resolved) as the task's parameters give them.
 */
static int load_trials(const char *path, dk_loss_kind *loss, size_t *classes, trial_set *s,
                       char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	dk_bundle *b = dk_bundle_alloc();
	if (!b)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	int st = read_bundle(path, b, err, errlen);
	const dk_tensor *x = st ? NULL : dk_bundle_get(b, DK_NAME_INPUT);
	const dk_tensor *y = st ? NULL : dk_bundle_get(b, DK_NAME_TARGET);
	const dk_tensor *w = st ? NULL : dk_bundle_get(b, DK_NAME_MASK);
	char d[160];
	if (st) {
		/* read_bundle said what */
	} else if (!x || !y) {
		st = dk_task_fail(err, errlen, DK_EFORMAT, "%s: no record named %s: trials are "
		                  "records %s (time, trial, feature), %s and optionally %s", path,
		                  !x ? DK_NAME_INPUT : DK_NAME_TARGET, DK_NAME_INPUT, DK_NAME_TARGET,
		                  DK_NAME_MASK);
	} else if (!is_real(x->dtype) || x->rank != 3) {
		st = dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s is %s, not f8 or f4 (time, trial, "
		                  "feature)", path, DK_NAME_INPUT, describe(x, d, sizeof d));
	} else if (!x->shape[0] || !x->shape[1] || !x->shape[2]) {
		st = dk_task_fail(err, errlen, DK_EFORMAT, "%s: %s holds no %s", path, DK_NAME_INPUT,
		                  !x->shape[0] ? "time steps" : !x->shape[1] ? "trials" : "features");
	} else {
		s->steps = x->shape[0];
		s->trials = x->shape[1];
		s->inputs = x->shape[2];
		uLong crc = crc_tensor(crc_tensor(crc32_z(0, Z_NULL, 0), x), y);
		s->crc = (uint32_t)(w ? crc_tensor(crc, w) : crc);
		st = convert(path, DK_NAME_INPUT, x, DK_F8, &s->x, err, errlen);
		if (!st)
			st = take_target(path, y, loss, s, err, errlen);
		if (!st && s->classify)
			st = count_classes(path, b, s->y, classes, err, errlen);
		if (!st && s->classify)
			s->outputs = *classes;
		if (!st)
			st = take_mask(path, w, s, err, errlen);
		if (!st)
			st = check_values(path, s, *classes, err, errlen);
	}
	dk_bundle_free(b);
	if (st)
		trial_set_free(s);
	return st;
}

static int verify(const char *path, uint32_t got, uint32_t want, char *err, size_t errlen)
{
	if (got == want)
		return DK_OK;
	return dk_task_fail(err, errlen, DK_EFORMAT, "%s: the trials have changed since the run "
	                    "began (CRC-32 of input, target and mask %08x, the run's %08x)",
	                    path, (unsigned)got, (unsigned)want);
}

/* The trials of split: all of them, or the training or the held-out ones
   (the first round(holdout * n) of a random order drawn from split_seed). */
static int choose_trials(dk_task *t, size_t n, int held_out, char *err, size_t errlen)
{
	const dk_task_params *p = &t->params;
	size_t k = p->holdout > 0 ? (size_t)floor(p->holdout * (double)n + 0.5) : 0;
	if (p->holdout > 0 && (k == 0 || k == n))
		return dk_task_fail(err, errlen, DK_EINVAL, "data: holding out %g of %zu trials "
		                    "leaves %s", p->holdout, n, k ? "none to train on" : "none to test on");
	size_t *order = malloc(n * sizeof *order);
	unsigned char *held = calloc(n, 1);
	t->trials = malloc(n * sizeof *t->trials);
	t->draw = malloc(n * sizeof *t->draw);
	dk_rng *r = k ? dk_rng_alloc(p->split_seed) : NULL;
	if (!order || !held || !t->trials || !t->draw || (k && !r)) {
		free(order);
		free(held);
		dk_rng_free(r);
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	}
	if (k) {
		dk_rng_permutation(r, order, n);
		for (size_t i = 0; i < k; i++)
			held[order[i]] = 1;
	}
	t->ntrials = 0;
	for (size_t i = 0; i < n; i++)
		if (held[i] == held_out)
			t->trials[t->ntrials++] = i;
	free(order);
	free(held);
	dk_rng_free(r);
	return DK_OK;
}

int dk_task_data_load(dk_task *t, char *err, size_t errlen)
{
	dk_task_params *p = &t->params;
	int test = p->split == DK_SPLIT_TEST;
	if (test && !p->test_path && !(p->holdout > 0))
		return dk_task_fail(err, errlen, DK_EINVAL, "data: no test trials: neither a file "
		                    "of them nor a held-out fraction");
	const char *path = test && p->test_path ? p->test_path : p->data_path;
	trial_set s;
	int st = load_trials(path, &p->loss, &p->classes, &s, err, errlen);
	if (st)
		return st;
	if (p->verify)
		st = verify(path, s.crc, path == p->test_path ? p->test_crc : p->data_crc, err,
		            errlen);
	if (path == p->test_path)
		p->test_crc = s.crc;
	else
		p->data_crc = s.crc;
	t->x = s.x;
	t->y = s.y;
	t->w = s.w;
	t->mask_each = s.each;
	t->classify = s.classify;
	t->steps = s.steps;
	t->inputs = s.inputs;
	t->outputs = s.outputs;
	if (st)
		return st;
	if ((st = choose_trials(t, s.trials, test && !p->test_path, err, errlen)))
		return st;
	if (!test && t->ntrials < p->batch)
		return dk_task_fail(err, errlen, DK_EINVAL, "data: a batch of %zu trials, drawn "
		                    "without replacement, from %zu training trials", p->batch,
		                    t->ntrials);
	if (!test && p->test_path) { /* the test file, checked now and known again later */
		trial_set u;
		if ((st = load_trials(p->test_path, &p->loss, &p->classes, &u, err, errlen)))
			return st;
		if (u.inputs != t->inputs || u.outputs != t->outputs)
			st = dk_task_fail(err, errlen, DK_EFORMAT, "%s: %zu features and %zu outputs; "
			                  "the training trials of %s have %zu and %zu", p->test_path,
			                  u.inputs, u.outputs, p->data_path, t->inputs, t->outputs);
		else if (p->verify)
			st = verify(p->test_path, u.crc, p->test_crc, err, errlen);
		p->test_crc = u.crc;
		trial_set_free(&u);
		if (st)
			return st;
	}
	p->verify = 1;
	return DK_OK;
}

static int ascending(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

int dk_task_data_draw(const dk_task *t, dk_rng *r, dk_task_batch *b, char *err,
                      size_t errlen)
{
	size_t n = t->ntrials, batch = t->params.batch;
	if (batch > n)
		return dk_task_fail(err, errlen, DK_EINVAL, "data: a batch of %zu trials from %zu",
		                    batch, n);
	size_t *pos = t->draw;
	for (size_t i = 0; i < n; i++)
		pos[i] = i;
	/* the first draws of a Fisher-Yates shuffle: batch distinct trials */
	for (size_t i = 0; i < batch; i++) {
		size_t j = i + dk_rng_index(r, n - i), swap = pos[i];
		pos[i] = pos[j];
		pos[j] = swap;
	}
	qsort(pos, batch, sizeof *pos, ascending);
	dk_task_fill_data(t, pos, batch, b);
	return DK_OK;
}

void dk_task_fill_data(const dk_task *t, const size_t *index, size_t count,
                       dk_task_batch *b)
{
	size_t T = t->steps, N = t->x->shape[1], B = t->params.batch, F = t->inputs;
	size_t o = t->outputs, per = t->mask_each ? o : 1;
	double *bx = b->input->data, *bw = b->mask->data;
	const double *x = t->x->data, *w = t->w->data;
	if (t->classify) { /* padding: no label */
		int64_t *by = b->target->data;
		for (size_t i = 0; i < T * B; i++)
			by[i] = -1;
	}
	for (size_t e = 0; e < count; e++) {
		size_t n = t->trials[index[e]];
		for (size_t s = 0; s < T; s++) {
			size_t from = s * N + n, to = s * B + e;
			memcpy(bx + to * F, x + from * F, F * sizeof *bx);
			memcpy(bw + to * per, w + from * per, per * sizeof *bw);
			if (t->classify)
				((int64_t *)b->target->data)[to] = ((const int64_t *)t->y->data)[from];
			else
				memcpy((double *)b->target->data + to * o,
				       (const double *)t->y->data + from * o, o * sizeof(double));
		}
	}
}
