/*
 * train_run.c -- a training run's options to and from JSON, and the
 * bundles a run writes: its checkpoints and its result.
 */
#include <config.h>

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
	r->train.steps = (size_t)json_integer_value(json_object_get(j, "steps"));
	r->train.seed = r->task.seed;
	const char *opt = json_string_value(json_object_get(j, "optimizer"));
	const char *sch = json_string_value(json_object_get(j, "schedule"));
	if (!opt || !sch || dk_optim_kind_from_name(opt, &q->kind) ||
	    dk_schedule_from_name(sch, &q->schedule))
		return dk_errorf(DK_EFORMAT, err, errlen, "the run's optimizer or schedule "
		                 "is missing or unknown");
	q->lr = json_number_value(json_object_get(j, "lr"));
	q->momentum = json_number_value(json_object_get(j, "momentum"));
	q->clip = json_number_value(json_object_get(j, "clip"));
	r->every = (size_t)json_integer_value(json_object_get(j, "every"));
	r->train.epochs = (size_t)json_integer_value(json_object_get(j, "epochs"));
	json_t *t = json_object_get(j, "test");
	if (t) {
		json_t *seed = json_object_get(t, "seed");
		r->train.test_every = (size_t)json_integer_value(json_object_get(t, "every"));
		r->test_batch = (size_t)json_integer_value(json_object_get(t, "batch"));
		r->test_seed = json_is_string(seed) ? strtoull(json_string_value(seed), NULL, 10)
		                                    : (uint64_t)json_integer_value(seed);
		if (!r->train.test_every)
			return dk_errorf(DK_EFORMAT, err, errlen, "the run's test has no "
			                 "interval");
	}
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
