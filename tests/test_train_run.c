/*
 * test_train_run.c -- a checkpoint is input: its run options are read as
 * strictly as the command line reads them, the sizes a run takes from
 * them are checked for overflow before they are allocated, and a
 * trainer's state that does not fit its run is refused by restore.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

/* A run of 6 steps of flipflop, tested every 2, as JSON. */
static json_t *good_run(void)
{
	dk_train_run r = {.every = 3, .test_batch = 2, .test_seed = 999};
	dk_task_params_init(&r.task, DK_TASK_FLIPFLOP);
	r.task.batch = 2;
	r.task.length = 5;
	dk_optim_opts_init(&r.train.optim);
	r.train.steps = 6;
	r.train.test_every = 2;
	return dk_train_run_to_json(&r);
}

/* The run JSON with key (at path "task.batch" depth 2 at most) set to v;
   refused with a message holding words. */
static void refused(const char *key, json_t *v, const char *words)
{
	json_t *j = good_run(), *at = j;
	char k[64];
	snprintf(k, sizeof k, "%s", key);
	char *dot = strchr(k, '.');
	if (dot) {
		*dot = 0;
		if (!json_object_get(j, k))
			json_object_set_new(j, k, json_object());
		at = json_object_get(j, k);
		memmove(k, dot + 1, strlen(dot + 1) + 1);
	}
	if (v)
		json_object_set_new(at, k, v);
	else
		json_object_del(at, k);
	dk_train_run r;
	char err[256] = "";
	int st = dk_train_run_from_json(j, &r, err, sizeof err);
	ok(st == DK_EFORMAT && strstr(err, words), "%s %s: refused (%s)", key,
	   v ? "edited" : "missing", err);
	json_decref(j);
}

static void check_options(void)
{
	json_t *j = good_run();
	dk_train_run r;
	char err[256];
	ok(dk_train_run_from_json(j, &r, err, sizeof err) == DK_OK && r.train.steps == 6 &&
	   r.every == 3 && r.train.optim.lr == 1e-3 && r.train.test_every == 2 &&
	   r.test_batch == 2 && r.test_seed == 999, "a run's own JSON reads back");
	json_decref(j);
	refused("lr", json_real(-0.01), "lr is -0.01");
	refused("lr", json_string("fast"), "lr is of another type");
	refused("lr", NULL, "lr is missing");
	refused("clip", json_integer(-1), "clip is -1");
	refused("momentum", json_real(-5), "momentum is -5");
	refused("momentum", json_real(INFINITY), "momentum"); /* jansson: no inf; missing then */
	refused("steps", json_integer(-1), "steps is negative");
	refused("steps", json_string("10"), "steps is of another type");
	refused("steps", json_real(10), "steps is of another type");
	refused("every", json_integer(-1), "every is negative");
	refused("every", NULL, "every is missing");
	refused("epochs", json_integer(-2), "epochs is negative");
	refused("test.every", json_integer(0), "test has no interval");
	refused("test.every", json_integer(-3), "test.every is negative");
	refused("test.batch", json_integer(-3), "test.batch");
	refused("test.seed", json_string("x"), "test.seed is not a seed");
	refused("test.batch", json_integer(0), "test.batch is 0");
	refused("task.batch", json_string("2"), "task is missing or malformed");
	refused("task.prob", json_string("high"), "task is missing or malformed");
	refused("task.seed", json_integer(-1), "task is missing or malformed");
	refused("optimizer", json_string("adamw"), "optimizer or schedule");
	/* an integer learning rate is a number */
	j = good_run();
	json_object_set_new(j, "lr", json_integer(1));
	ok(dk_train_run_from_json(j, &r, err, sizeof err) == DK_OK && r.train.optim.lr == 1,
	   "an integer lr is a number");
	json_decref(j);
}

static void check_sizes(void)
{
	dk_model_spec spec = {.kind = "rnn", .units = 4, .inputs = 3, .outputs = 3,
	                      .init = "random", .gain = 1, .seed = 1};
	dk_model *m;
	char err[256] = "";
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "a model: %s", err);
	dk_task_params p;
	dk_task_params_init(&p, DK_TASK_FLIPFLOP);
	p.batch = 2;
	p.length = 5;
	dk_task *task;
	ok(dk_task_alloc(&p, &task, err, sizeof err) == DK_OK, "a task: %s", err);
	static const size_t huge[] = {(size_t)1 << 62, (size_t)1 << 61, SIZE_MAX, SIZE_MAX - 1,
	                              SIZE_MAX / 8};
	for (size_t k = 0; k < sizeof huge / sizeof *huge; k++) {
		dk_train_opts o = {.steps = huge[k]};
		dk_optim_opts_init(&o.optim);
		dk_trainer *tr = NULL;
		err[0] = 0;
		ok(dk_trainer_alloc(m, task, &o, &tr, err, sizeof err) == DK_ELIMIT && !tr &&
		   strstr(err, "steps"), "%zu steps: refused before allocating (%s)", huge[k], err);
	}
	/* the losses fit, the test log's rows of 4 do not */
	dk_train_opts o = {.steps = (size_t)1 << 59, .test_every = 1};
	dk_optim_opts_init(&o.optim);
	dk_trainer *tr = NULL;
	ok(dk_trainer_alloc(m, task, &o, &tr, err, sizeof err) == DK_ELIMIT && !tr &&
	   strstr(err, "test log"), "2^59 steps tested at every one: the log's size overflows (%s)", err);

	/* workspaces of a batch whose size wraps */
	ok(dk_model_work_alloc(m, SIZE_MAX / 16) == NULL, "a workspace for 2^60 states: NULL");
	ok(dk_bptt_alloc(m, (size_t)1 << 22, (size_t)1 << 40) == NULL,
	   "backpropagation through 2^22 steps of 2^40 states: NULL");
	ok(dk_bptt_alloc(m, SIZE_MAX, 1) == NULL, "through SIZE_MAX steps: NULL");

	/* restore: a state that does not fit its run */
	o = (dk_train_opts){.steps = 6};
	dk_optim_opts_init(&o.optim);
	ok(dk_trainer_alloc(m, task, &o, &tr, err, sizeof err) == DK_OK, "a trainer of 6 steps");
	double loss;
	for (int i = 0; i < 3; i++)
		dk_trainer_step(tr, &loss, err, sizeof err);
	dk_bundle *b = dk_bundle_alloc();
	ok(dk_trainer_save(tr, b) == DK_OK, "its state after 3 steps");
	ok(dk_trainer_restore(tr, b, err, sizeof err) == DK_OK, "restores");
	dk_tensor *step = dk_bundle_get(b, "train/step"), *l = dk_bundle_get(b, "train/loss");
	int64_t *s = step->data;
	double *lv = l->data;
	*s = 7;
	ok(dk_trainer_restore(tr, b, err, sizeof err) == DK_EFORMAT && strstr(err, "not in 0..6"),
	   "7 steps taken of 6: refused (%s)", err);
	*s = -1;
	ok(dk_trainer_restore(tr, b, err, sizeof err) == DK_EFORMAT, "-1 steps taken: refused (%s)",
	   err);
	*s = 2;
	ok(dk_trainer_restore(tr, b, err, sizeof err) == DK_EFORMAT && strstr(err, "3 losses"),
	   "3 losses for 2 steps: refused (%s)", err);
	*s = 3;
	lv[1] = NAN;
	ok(dk_trainer_restore(tr, b, err, sizeof err) == DK_EFORMAT && strstr(err, "[1] is nan"),
	   "a NaN loss: refused (%s)", err);
	lv[1] = 1;
	ok(dk_trainer_restore(tr, b, err, sizeof err) == DK_OK, "mended, restores again");
	dk_bundle_free(b);
	dk_trainer_free(tr);
	dk_task_free(task);
	dk_model_free(m);

	/* a parameter count that wraps */
	spec.units = (size_t)1 << 32;
	spec.inputs = spec.outputs = 0;
	m = NULL;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_ELIMIT && !m,
	   "2^32 units: the count of parameters overflows (%s)", err);
	spec.units = 3;
	spec.inputs = SIZE_MAX / 2;
	ok(dk_model_create(&spec, &m, err, sizeof err) != DK_OK && !m,
	   "2^63 inputs: refused (%s)", err);
}

int main(void)
{
	check_options();
	check_sizes();
	return tap_done();
}
