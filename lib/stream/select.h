/*
 * select.h -- which records of a stream to keep, and under what names:
 * glob patterns to keep (any match keeps; none given keeps all), glob
 * patterns to drop, and renames OLD=NEW of exact names.  fnmatch(3)
 * globs, as dk_bundle_match takes them.
 *
 * Patterns and names are borrowed from the caller (argv, typically),
 * except the OLD half of a rename, which is copied.
 */
#ifndef DK_STREAM_SELECT_H
#define DK_STREAM_SELECT_H

#include <stddef.h>

#define DK_SELECT_MAX 64 /* patterns of each list, and renames */

typedef struct dk_select {
	const char *keep[DK_SELECT_MAX];   /* borrowed */
	size_t nkeep;
	const char *drop[DK_SELECT_MAX];   /* borrowed */
	size_t ndrop;
	char *rename_from[DK_SELECT_MAX];  /* owned */
	const char *rename_to[DK_SELECT_MAX]; /* borrowed */
	size_t nrename;
} dk_select;

/* An empty selection: every record kept, under its own name. */
void dk_select_init(dk_select *s);
void dk_select_clear(dk_select *s);

/* Add a pattern to keep or to drop; DK_ELIMIT past DK_SELECT_MAX. */
int dk_select_keep(dk_select *s, const char *glob);
int dk_select_drop(dk_select *s, const char *glob);
/* Add a rename written OLD=NEW; DK_EINVAL when it is not of that form,
   DK_ELIMIT past DK_SELECT_MAX, DK_ENOMEM. */
int dk_select_rename(dk_select *s, const char *old_eq_new);

/* Is the record named name kept? */
int dk_select_wanted(const dk_select *s, const char *name);
/* Its new name, or NULL when it keeps its own. */
const char *dk_select_new_name(const dk_select *s, const char *name);

#endif
