/*
 * meta.h -- the metadata that travels before a tensor in a stream.
 *
 * A metadata record is a 0-d |S<n> .npy record holding a UTF-8 JSON
 * object: {"name": "...", "axes": ["...", ...], "attrs": {...}}.  Other
 * keys are kept and passed on untouched.  NumPy reads it back with
 * json.loads(np.load(f)[()]).
 */
#ifndef DK_STREAM_META_H
#define DK_STREAM_META_H

#include <stddef.h>
#include <jansson.h>

typedef struct dk_meta dk_meta;

/*
 * Parse the bytes of a metadata record (trailing NUL padding allowed).
 * DK_EMETA with a message in err when they are not a JSON object, or when
 * name is not a string, axes not an array of strings, or attrs not an
 * object.
 */
int dk_meta_parse(const void *bytes, size_t n, dk_meta **out, char *err,
                  size_t errlen);

/* A new metadata object holding only a name (NULL for none). */
dk_meta *dk_meta_new(const char *name);
dk_meta *dk_meta_copy(const dk_meta *m);
void dk_meta_free(dk_meta *m);

/* The name, or NULL when the record names nothing. */
const char *dk_meta_name(const dk_meta *m);
int dk_meta_set_name(dk_meta *m, const char *name);

/* The axes array (borrowed; NULL when absent). */
json_t *dk_meta_axes(const dk_meta *m);
/* Set the axis names (count strings); replaces any previous axes. */
int dk_meta_set_axes(dk_meta *m, const char *const *axes, size_t count);

/* The attrs object (borrowed; NULL when absent). */
json_t *dk_meta_attrs(const dk_meta *m);
/* Set attrs[key] = value, taking the reference to value. */
int dk_meta_set_attr(dk_meta *m, const char *key, json_t *value);

/* The whole JSON object (borrowed), for keys dynkit does not define. */
json_t *dk_meta_json(const dk_meta *m);

/* The n doubles of v as a new JSON array for attrs (JSON has no NaN or
   infinity: those are null), or null when v is NULL; NULL when out of
   memory. */
json_t *dk_meta_reals(const double *v, size_t n);

/*
 * Serialise to compact JSON with sorted keys (deterministic bytes); *out
 * is malloc'd and NUL-terminated, *len excludes the NUL.
 */
int dk_meta_dump(const dk_meta *m, char **out, size_t *len);

#endif
