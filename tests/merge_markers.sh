#!/bin/sh
# merge_markers.sh -- no source, page, script or document of the tree
# holds the lines a merge leaves where it could not join two changes
# ("<<<<<<< ours" ... ">>>>>>> theirs"): mandoc and the shell would
# take them as text, and a C file's would only fail at the build.

. "$top_srcdir/tests/lib.sh"

found=$(cd "$top_srcdir" && grep -rlE '^(<<<<<<<|>>>>>>>) ' \
	--include='*.[ch]' --include='*.[157]' --include='*.sh' --include='*.py' \
	--include='*.am' --include='*.ac' --include='*.md' --include='*.in' \
	lib tools tests man bench python data README.md Makefile.am configure.ac bootstrap 2>/dev/null)
[ -z "$found" ]
tap_result $? "no merge markers${found:+ (in: $(echo $found))}"
done_testing
