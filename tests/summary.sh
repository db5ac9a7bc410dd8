#!/bin/sh
# summary.sh -- count the TAP results of a finished `make check` in the
# build tree $1 and print "N passed, N failed, N skipped".
#
# Every assertion counts, not every test program: the .trs files that
# tap-driver.sh leaves hold one ":test-result:" line per assertion.  A test
# program that crashed or whose plan was wrong shows up as ERROR: a failure.
dir=${1:-.}
find "$dir/tests" -name '*.trs' -exec cat {} + 2>/dev/null | awk '
	/^:test-result: (PASS|XFAIL)/ { pass++ }
	/^:test-result: (FAIL|XPASS|ERROR)/ { fail++ }
	/^:test-result: SKIP/ { skip++ }
	END { printf "%d passed, %d failed, %d skipped\n", pass, fail, skip }'
