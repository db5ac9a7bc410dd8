/*
 * test_select.c -- keeping, dropping and renaming records by name
 * (lib/stream/select.h), against what dk-cat(1) promises: keep patterns
 * are alternatives, drop patterns win over them, no keep pattern keeps
 * everything, renames match whole names, and malformed or too many
 * entries are refused.
 */
#include <config.h>

#include <stdio.h>

#include "dynkit.h"
#include "tap.h"

int main(void)
{
	dk_select s;
	dk_select_init(&s);
	ok(dk_select_wanted(&s, "model/W") && dk_select_wanted(&s, "states"),
	   "an empty selection keeps everything");
	ok(!dk_select_new_name(&s, "model/W"), "... under its own name");

	ok(!dk_select_keep(&s, "model/*") && !dk_select_keep(&s, "fp/x"), "two keep patterns");
	ok(dk_select_wanted(&s, "model/W") && dk_select_wanted(&s, "model/readout/b") &&
	   dk_select_wanted(&s, "fp/x"), "any keep pattern keeps ('*' also matches '/')");
	ok(!dk_select_wanted(&s, "fp/q") && !dk_select_wanted(&s, "states"),
	   "a name no keep pattern matches is dropped");
	ok(!dk_select_drop(&s, "model/readout/*"), "a drop pattern");
	ok(!dk_select_wanted(&s, "model/readout/W") && dk_select_wanted(&s, "model/W"),
	   "drop wins over keep");

	ok(!dk_select_rename(&s, "model/W=W"), "a rename OLD=NEW");
	ok(!dk_select_rename(&s, "a=b=c"), "a rename whose NEW holds '='");
	const char *w = dk_select_new_name(&s, "model/W");
	ok(w && !strcmp(w, "W"), "the renamed name");
	w = dk_select_new_name(&s, "a");
	ok(w && !strcmp(w, "b=c"), "the first '=' splits OLD from NEW");
	ok(!dk_select_new_name(&s, "model/W2") && !dk_select_new_name(&s, "model/*"),
	   "renames match whole names, not patterns");
	static const char *const bad[] = {"noequals", "=new", "old=", ""};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		is_int(dk_select_rename(&s, bad[k]), DK_EINVAL, "rename '%s' refused", bad[k]);

	int st = DK_OK;
	size_t n = s.nkeep;
	while (!st)
		st = dk_select_keep(&s, "x");
	ok(st == DK_ELIMIT && s.nkeep == DK_SELECT_MAX && n < DK_SELECT_MAX,
	   "keep patterns past %d are refused", DK_SELECT_MAX);
	dk_select_clear(&s);
	ok(s.nkeep == 0 && s.nrename == 0 && dk_select_wanted(&s, "fp/q"),
	   "clear leaves an empty selection");
	return tap_done();
}
