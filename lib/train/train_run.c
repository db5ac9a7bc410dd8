/*
 * train_run.c -- a training run's options to and from JSON, and the
 * bundles a run writes: its checkpoints and its result.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/names.h"
#include "train/train_run.h"

/* A seed as attrs hold one: an integer, or past JSON's signed 64 bits a
   decimal string. */
static json_t *seed_json(uint64_t seed)
{
	if (seed <= INT64_MAX)
		return json_integer((json_int_t)seed);
	char text[32];
	snprintf(text, sizeof text, "%llu", (unsigned long long)seed);
	return json_string(text);
}

json_t *dk_train_run_to_json(const dk_train_run *r)
{
	const dk_optim_opts *q = &r->train.optim;
	json_t *j = json_pack("{s:o, s:I, s:s, s:f, s:f, s:f, s:s, s:I}",
	                      "task", dk_task_params_to_json(&r->task),
	                      "steps", (json_int_t)r->train.steps,
	                      "optimizer", dk_optim_kind_name(q->kind), "lr", q->lr,
	                      "momentum", q->momentum, "clip", q->clip,
	                      "schedule", dk_schedule_name(q->schedule),
	                      "every", (json_int_t)r->every);
	if (j && r->train.epochs &&
	    json_object_set_new(j, "epochs", json_integer((json_int_t)r->train.epochs))) {
		json_decref(j);
		return NULL;
	}
	/* written only when set: an open-loop run's options are as before */
	if (j && r->train.feedback &&
	    json_object_set_new(j, "feedback", json_integer((json_int_t)r->train.feedback))) {
		json_decref(j);
		return NULL;
	}
	if (j && r->train.test_every) {
		json_t *t = json_pack("{s:I, s:I, s:o}", "every", (json_int_t)r->train.test_every,
		                      "batch", (json_int_t)r->test_batch,
		                      "seed", seed_json(r->test_seed));
		if (!t || json_object_set_new(j, "test", t)) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

/* The count at key ("steps", ...): a JSON integer in 0..2^63 - 1, as
   the command line's counts are; absent is def when def is not
   NO_DEFAULT. */
#define NO_DEFAULT ((size_t)-1)
static int get_count(json_t *j, const char *where, const char *key, size_t def,
                     size_t *v, char *err, size_t errlen)
{
	json_t *x = json_object_get(j, key);
	if (!x && def != NO_DEFAULT) {
		*v = def;
		return DK_OK;
	}
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's %s%s is %s, not a count",
		                 where, key, !x ? "missing" : json_is_integer(x) ? "negative"
		                 : "of another type");
	*v = (size_t)json_integer_value(x);
	return DK_OK;
}

/* The rate at key ("lr", ...): a finite JSON number >= 0, as the command
   line's are (an integer is a number). */
static int get_rate(json_t *j, const char *key, double *v, char *err, size_t errlen)
{
	json_t *x = json_object_get(j, key);
	if (!json_is_number(x))
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's %s is %s, not a number", key,
		                 x ? "of another type" : "missing");
	*v = json_number_value(x);
	if (!isfinite(*v) || *v < 0)
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's %s is %g, not a finite "
		                 "number >= 0", key, *v);
	return DK_OK;
}

/* A seed as seed_json writes one. */
static int get_seed(json_t *j, const char *where, uint64_t *v, char *err, size_t errlen)
{
	json_t *x = json_object_get(j, "seed");
	const char *text = json_string_value(x);
	char *end = NULL;
	if (text && *text >= '0' && *text <= '9') {
		errno = 0;
		*v = strtoull(text, &end, 10);
		if (!*end && !errno)
			return DK_OK;
	} else if (json_is_integer(x) && json_integer_value(x) >= 0) {
		*v = (uint64_t)json_integer_value(x);
		return DK_OK;
	}
	return dk_errorf(DK_EFORMAT, err, errlen, "the run's %sseed is not a seed", where);
}

int dk_train_run_from_json(const json_t *cj, dk_train_run *r, char *err,
                           size_t errlen)
{
	json_t *j = (json_t *)cj; /* jansson's getters take no const */
	memset(r, 0, sizeof *r);
	dk_optim_opts *q = &r->train.optim;
	dk_optim_opts_init(q);
	if (!json_is_object(j) ||
	    dk_task_params_from_json(json_object_get(j, "task"), &r->task))
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's task is missing or malformed");
	r->train.seed = r->task.seed;
	const char *opt = json_string_value(json_object_get(j, "optimizer"));
	const char *sch = json_string_value(json_object_get(j, "schedule"));
	if (!opt || !sch || dk_optim_kind_from_name(opt, &q->kind) ||
	    dk_schedule_from_name(sch, &q->schedule))
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's optimizer or schedule "
		                 "is missing or unknown");
	int st = get_count(j, "", "steps", NO_DEFAULT, &r->train.steps, err, errlen);
	if (!st)
		st = get_rate(j, "lr", &q->lr, err, errlen);
	if (!st)
		st = get_rate(j, "momentum", &q->momentum, err, errlen);
	if (!st)
		st = get_rate(j, "clip", &q->clip, err, errlen);
	if (!st)
		st = get_count(j, "", "every", NO_DEFAULT, &r->every, err, errlen);
	if (!st)
		st = get_count(j, "", "epochs", 0, &r->train.epochs, err, errlen);
	if (!st)
		st = get_count(j, "", "feedback", 0, &r->train.feedback, err, errlen);
	if (st)
		return st;
	json_t *t = json_object_get(j, "test");
	if (t) {
		if (!json_is_object(t))
			return dk_errorf(DK_EFORMAT, err, errlen, "the run's test is not an object");
		st = get_count(t, "test.", "every", NO_DEFAULT, &r->train.test_every, err, errlen);
		if (!st)
			st = get_count(t, "test.", "batch", NO_DEFAULT, &r->test_batch, err, errlen);
		if (!st)
			st = get_seed(t, "test.", &r->test_seed, err, errlen);
		if (st)
			return st;
		if (!r->train.test_every)
			return dk_errorf(DK_EFORMAT, err, errlen, "the run's test has no "
			                 "interval");
		/* 0 is all of a dataset's test split; a generated task has none */
		if (!r->test_batch && r->task.kind != DK_TASK_FMNIST &&
		    r->task.kind != DK_TASK_DATA)
			return dk_errorf(DK_EFORMAT, err, errlen, "the run's test.batch is 0; "
			                 "a %s test needs at least 1 example",
			                 dk_task_kind_name(r->task.kind));
	}
	if (r->train.epochs && r->task.offset)
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's epochs take every example "
		                 "of the split, from no offset (%zu)", r->task.offset);
	return DK_OK;
}

int dk_train_run_to_bundle(const dk_train_run *r, const dk_model *m,
                           const dk_trainer *tr, int with_state, dk_bundle *b)
{
	int st = dk_model_to_bundle(m, b);
	if (st || !with_state)
		return st ? st : dk_trainer_to_bundle(tr, b);
	json_t *opts = dk_train_run_to_json(r);
	st = opts ? dk_trainer_save(tr, b) : DK_ENOMEM;
	long i = st ? -1 : dk_bundle_find(b, DK_NAME_TRAIN_STEP);
	if (i >= 0)
		st = dk_meta_set_attr(dk_bundle_meta(b, (size_t)i), "options", json_incref(opts));
	json_decref(opts);
	return st;
}

int dk_train_run_from_bundle(const dk_bundle *b, dk_train_run *r, char *err,
                             size_t errlen)
{
	long i = dk_bundle_find(b, DK_NAME_TRAIN_STEP);
	json_t *attrs = i >= 0 ? dk_meta_attrs(dk_bundle_meta(b, (size_t)i)) : NULL;
	json_t *opts = json_object_get(attrs, "options");
	if (!opts)
		return dk_errorf(DK_EFORMAT, err, errlen, "not a dk-train checkpoint "
		                 "(no run options in %s)", DK_NAME_TRAIN_STEP);
	return dk_train_run_from_json(opts, r, err, errlen);
}
