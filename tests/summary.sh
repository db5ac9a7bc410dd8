#!/bin/sh
# summary.sh -- count the TAP results of a finished `make check` in the
# build tree $1 and print "N passed, N failed, N skipped".
#
# Every assertion counts, not every test program: the .trs files that
# tap-driver.sh leaves hold one ":test-result:" line per assertion, and
# ERROR lines for a program that exited nonzero, crashed or broke its
# plan.  Each failed assertion is one failure; a program's errors add one
# failure more only when none of its assertions failed (they are then
# the only sign of the crash), so that one failed assertion, and the
# nonzero exit it causes, count as 1 failed, not 2.
dir=${1:-.}
find "$dir/tests" -name '*.trs' 2>/dev/null | sort | while read -r f; do
	echo ":file: $f"
	cat "$f"
done | awk '
	function flush() { fail += f + (f == 0 && e > 0) }
	/^:file: / { flush(); f = 0; e = 0 }
	/^:test-result: (PASS|XFAIL)/ { pass++ }
	/^:test-result: (FAIL|XPASS)/ { f++ }
	/^:test-result: ERROR/ { e++ }
	/^:test-result: SKIP/ { skip++ }
	END { flush(); printf "%d passed, %d failed, %d skipped\n", pass, fail, skip }'
