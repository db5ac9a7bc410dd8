/*
 * brief.c -- a tensor in a few words: its values, or its attrs in brief.
 */
#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/brief.h"

/* Append to *s (owned, growing); *s becomes NULL when memory runs out. */
static void append(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **s, const char *fmt, ...)
{
	if (!*s)
		return;
	char *more = NULL, *both = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		more = NULL;
	va_end(ap);
	if (!more || asprintf(&both, "%s%s", *s, more) < 0)
		both = NULL;
	free(more);
	free(*s);
	*s = both;
}

int dk_brief_values(const dk_tensor *x, char **out)
{
	if (x->dtype == DK_BYTES)
		return DK_EINVAL;
	char *s = strdup("=");
	for (size_t i = 0; i < x->count; i++) {
		const unsigned char *p = (const unsigned char *)x->data + i * x->itemsize;
		switch (x->dtype) {
		case DK_I8: { int64_t v; memcpy(&v, p, 8); append(&s, " %" PRId64, v); break; }
		case DK_I4: { int32_t v; memcpy(&v, p, 4); append(&s, " %" PRId32, v); break; }
		case DK_U1: case DK_B1: append(&s, " %u", (unsigned)*p); break;
		case DK_C16: {
			double v[2];
			memcpy(v, p, 16);
			append(&s, " %.6g%+.6gi", v[0], v[1]);
			break;
		}
		default: append(&s, " %.6g", dk_tensor_get_real(x, i)); break;
		}
	}
	*out = s;
	return s ? DK_OK : DK_ENOMEM;
}

static int by_key(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	return strcmp(x, y);
}

/* The keys of o, sorted, "kind" first when first_kind; NULL when out of
   memory (or when o is empty: *n 0). */
static const char **sorted_keys(const json_t *o, int first_kind, size_t *n)
{
	const char *key;
	json_t *v;
	*n = 0;
	const char **keys = malloc((json_object_size(o) + 1) * sizeof *keys);
	if (!keys)
		return NULL;
	json_object_foreach((json_t *)o, key, v)
		keys[(*n)++] = key;
	qsort(keys, *n, sizeof *keys, by_key);
	for (size_t i = 0; first_kind && i < *n; i++)
		if (!strcmp(keys[i], "kind")) {
			memmove(keys + 1, keys, i * sizeof *keys);
			keys[0] = "kind";
		}
	return keys;
}

/* " key=value" of a value that is not shown further down. */
static void append_pair(char **s, const char *key, const json_t *v)
{
	append(s, "%s%s=", *s && **s ? " " : "", key);
	if (json_is_string(v))
		append(s, "%s", json_string_value(v));
	else if (json_is_integer(v))
		append(s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		append(s, "%.6g", json_real_value(v));
	else
		append(s, "%s", json_is_object(v) ? "{...}" : json_is_array(v) ? "[...]"
		                 : json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null");
}

int dk_brief_attrs(const json_t *attrs, char **out)
{
	size_t n;
	const char **keys = sorted_keys(attrs, 0, &n);
	char *s = keys ? strdup("") : NULL;
	for (size_t i = 0; s && i < n; i++) {
		if (!strcmp(keys[i], "provenance"))
			continue;
		const json_t *v = json_object_get(attrs, keys[i]);
		if (!json_is_object(v)) {
			append_pair(&s, keys[i], v);
			continue;
		}
		size_t m;
		const char **inner = sorted_keys(v, 1, &m);
		append(&s, "%s%s:", *s ? " " : "", keys[i]);
		for (size_t j = 0; inner && j < m; j++)
			append_pair(&s, inner[j], json_object_get(v, inner[j]));
		if (!inner) {
			free(s);
			s = NULL;
		}
		free(inner);
	}
	free(keys);
	if (s && !*s) {
		free(s);
		s = strdup("-");
	}
	*out = s;
	return s ? DK_OK : DK_ENOMEM;
}

void dk_brief_cut(char *s, size_t max)
{
	if (!s || strlen(s) <= max)
		return;
	size_t keep = max > 3 ? max - 3 : 0;
	while (keep && ((unsigned char)s[keep] & 0xc0) == 0x80)
		keep--;
	memcpy(s + keep, "...", 4);
}
