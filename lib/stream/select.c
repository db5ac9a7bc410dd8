/*
 * select.c -- keeping, dropping and renaming records by name.
 */
#include <config.h>

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/select.h"

void dk_select_init(dk_select *s)
{
	memset(s, 0, sizeof *s);
}

void dk_select_clear(dk_select *s)
{
	for (size_t i = 0; i < s->nrename; i++)
		free(s->rename_from[i]);
	dk_select_init(s);
}

static int add(const char **list, size_t *n, const char *glob)
{
	if (*n == DK_SELECT_MAX)
		return DK_ELIMIT;
	list[(*n)++] = glob;
	return DK_OK;
}

int dk_select_keep(dk_select *s, const char *glob)
{
	return add(s->keep, &s->nkeep, glob);
}

int dk_select_drop(dk_select *s, const char *glob)
{
	return add(s->drop, &s->ndrop, glob);
}

int dk_select_rename(dk_select *s, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return DK_EINVAL;
	if (s->nrename == DK_SELECT_MAX)
		return DK_ELIMIT;
	char *from = strndup(arg, (size_t)(eq - arg));
	if (!from)
		return DK_ENOMEM;
	s->rename_from[s->nrename] = from;
	s->rename_to[s->nrename++] = eq + 1;
	return DK_OK;
}

static int matches_any(const char *const *pat, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pat[i], name, 0) == 0)
			return 1;
	return 0;
}

int dk_select_wanted(const dk_select *s, const char *name)
{
	if (s->nkeep && !matches_any(s->keep, s->nkeep, name))
		return 0;
	return !matches_any(s->drop, s->ndrop, name);
}

const char *dk_select_new_name(const dk_select *s, const char *name)
{
	for (size_t i = 0; i < s->nrename; i++)
		if (!strcmp(s->rename_from[i], name))
			return s->rename_to[i];
	return NULL;
}
