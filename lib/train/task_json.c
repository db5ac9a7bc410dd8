/*
 * task_json.c -- task parameters as JSON, for provenance and checkpoints,
 * and back: only the fields that apply to the task are written.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "train/task_impl.h"

/* A seed as dk_task_json_seed writes one: an integer, or a decimal
   string past 2^63; anything else is no seed. */
static int seed_value(json_t *v, uint64_t *seed)
{
	const char *text = json_string_value(v);
	if (text) {
		char *end;
		errno = 0;
		*seed = strtoull(text, &end, 10);
		return *text >= '0' && *text <= '9' && !*end && !errno ? DK_OK : DK_EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return DK_EINVAL;
	*seed = (uint64_t)json_integer_value(v);
	return DK_OK;
}

/* A size: a JSON integer >= 0 (a string or a negative number is not one). */
static int count_value(json_t *v, size_t *n)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return DK_EINVAL;
	*n = (size_t)json_integer_value(v);
	return DK_OK;
}

/* A checksum as the JSON holds it: 8 hex digits. */
static json_t *crc_json(uint32_t crc)
{
	char text[16];
	snprintf(text, sizeof text, "%08x", (unsigned)crc);
	return json_string(text);
}

static int crc_value(json_t *v, uint32_t *crc)
{
	const char *text = json_string_value(v);
	char *end;
	if (!text || strlen(text) != 8 || strspn(text, "0123456789abcdef") != 8)
		return DK_EINVAL;
	unsigned long x = strtoul(text, &end, 16);
	if (*end)
		return DK_EINVAL;
	*crc = (uint32_t)x;
	return DK_OK;
}

/* The data task's fields: its files (with their checksums once known),
   the held-out fraction and the loss. */
static int data_to_json(const dk_task_params *p, json_t *j)
{
	int bad = json_object_set_new(j, "data", json_string(p->data_path ? p->data_path : ""));
	if (p->verify)
		bad |= json_object_set_new(j, "data_crc32", crc_json(p->data_crc));
	if (p->test_path) {
		bad |= json_object_set_new(j, "test_data", json_string(p->test_path));
		if (p->verify)
			bad |= json_object_set_new(j, "test_crc32", crc_json(p->test_crc));
	}
	if (p->holdout > 0) {
		bad |= json_object_set_new(j, "holdout", json_real(p->holdout));
		bad |= json_object_set_new(j, "split_seed", dk_task_json_seed(p->split_seed));
	}
	if (p->split != DK_SPLIT_TRAIN)
		bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
	bad |= json_object_set_new(j, "loss", json_string(dk_loss_kind_name(p->loss)));
	if (p->classes)
		bad |= json_object_set_new(j, "classes", json_integer((json_int_t)p->classes));
	return bad;
}

json_t *dk_task_params_to_json(const dk_task_params *p)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	int bad = json_object_set_new(j, "task", json_string(dk_task_kind_name(p->kind)));
	bad |= json_object_set_new(j, "batch", json_integer((json_int_t)p->batch));
	bad |= json_object_set_new(j, "seed", dk_task_json_seed(p->seed));
	switch (p->kind) {
	case DK_TASK_FLIPFLOP:
		bad |= json_object_set_new(j, "bits", json_integer((json_int_t)p->bits));
		bad |= json_object_set_new(j, "prob", json_real(p->prob));
		/* fall through */
	case DK_TASK_COPY:
	case DK_TASK_ADDING:
		bad |= json_object_set_new(j, "length", json_integer((json_int_t)p->length));
		break;
	case DK_TASK_DATA:
		bad |= data_to_json(p, j);
		break;
	case DK_TASK_FLOW:
		bad |= dk_task_flow_to_json(p, j);
		break;
	case DK_TASK_SHAPES:
		bad |= dk_task_shapes_to_json(p, j);
		break;
	default:
		bad |= json_object_set_new(j, "mode", json_string(dk_fmnist_mode_name(p->mode)));
		bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
		bad |= json_object_set_new(j, "offset", json_integer((json_int_t)p->offset));
		bad |= json_object_set_new(j, "shuffle", json_boolean(p->shuffle));
		bad |= json_object_set_new(j, "data_dir",
		                           json_string(p->data_dir ? p->data_dir : DK_FMNIST_DIR));
		if (p->mode == DK_FMNIST_PERMUTED)
			bad |= json_object_set_new(j, "perm_seed", dk_task_json_seed(p->perm_seed));
		break;
	}
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int dk_task_params_from_json(json_t *j, dk_task_params *p)
{
	const char *task = json_string_value(json_object_get(j, "task"));
	dk_task_kind kind;
	if (!task || dk_task_kind_from_name(task, &kind))
		return DK_EINVAL;
	dk_task_params_init(p, kind);
	json_t *v;
	if ((v = json_object_get(j, "batch")) && count_value(v, &p->batch))
		return DK_EINVAL;
	if ((v = json_object_get(j, "seed")) && seed_value(v, &p->seed))
		return DK_EINVAL;
	if ((v = json_object_get(j, "length")) && count_value(v, &p->length))
		return DK_EINVAL;
	if ((v = json_object_get(j, "bits")) && count_value(v, &p->bits))
		return DK_EINVAL;
	if ((v = json_object_get(j, "prob"))) {
		if (!json_is_number(v))
			return DK_EINVAL;
		p->prob = json_number_value(v);
	}
	if ((v = json_object_get(j, "mode")) && dk_fmnist_mode_from_name(json_string_value(v), &p->mode))
		return DK_EINVAL;
	if ((v = json_object_get(j, "split")) && dk_split_from_name(json_string_value(v), &p->split))
		return DK_EINVAL;
	if ((v = json_object_get(j, "offset")) && count_value(v, &p->offset))
		return DK_EINVAL;
	if ((v = json_object_get(j, "shuffle"))) {
		if (!json_is_boolean(v))
			return DK_EINVAL;
		p->shuffle = json_is_true(v);
	}
	if ((v = json_object_get(j, "perm_seed")) && seed_value(v, &p->perm_seed))
		return DK_EINVAL;
	/* data_dir is borrowed: it points into j, which must outlive p's use */
	if ((v = json_object_get(j, "data_dir")) && !(p->data_dir = json_string_value(v)))
		return DK_EINVAL;
	/* data: its paths are borrowed as data_dir is */
	if ((v = json_object_get(j, "data")) && !(p->data_path = json_string_value(v)))
		return DK_EINVAL;
	if ((v = json_object_get(j, "test_data")) && !(p->test_path = json_string_value(v)))
		return DK_EINVAL;
	if ((v = json_object_get(j, "holdout"))) {
		if (!json_is_number(v))
			return DK_EINVAL;
		p->holdout = json_number_value(v);
	}
	if ((v = json_object_get(j, "split_seed")) && seed_value(v, &p->split_seed))
		return DK_EINVAL;
	if ((v = json_object_get(j, "loss")) && dk_loss_kind_from_name(json_string_value(v), &p->loss))
		return DK_EINVAL;
	if ((v = json_object_get(j, "classes")) && count_value(v, &p->classes))
		return DK_EINVAL;
	if ((v = json_object_get(j, "data_crc32"))) {
		if (crc_value(v, &p->data_crc))
			return DK_EINVAL;
		p->verify = 1;
	}
	if ((v = json_object_get(j, "test_crc32")) && crc_value(v, &p->test_crc))
		return DK_EINVAL;
	if (p->verify && p->test_path && !v)
		return DK_EINVAL; /* a checked run checks both files */
	if (kind == DK_TASK_SHAPES)
		return dk_task_shapes_from_json(j, p);
	return kind == DK_TASK_FLOW ? dk_task_flow_from_json(j, p) : DK_OK;
}
