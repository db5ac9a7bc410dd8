#!/bin/sh
# driver.sh -- a test driver for `make check` that prints one line per
# test program instead of one per assertion:
#
#   PASS tests/test_fixed (29 assertions, 0.04 s)
#   ERROR tests/fixed.sh (37 assertions, 1 failed, 1 error, 3.14 s; see tests/fixed.sh.log)
#
# followed, for a program that failed, by what failed (an error is a
# crash, a nonzero exit status or a wrong plan; tests/summary.sh counts
# it as a failure).  It runs Automake's own tap-driver.sh (build-aux/),
# which still writes the .log and .trs files that tests/summary.sh and
# test-suite.log read, and keeps that driver's per-assertion lines to
# itself.  ./bootstrap check and .ci/run select it with `make check
# LOG_DRIVER="sh tests/driver.sh"`; a plain `make check` keeps
# Automake's driver.  Takes the arguments of any Automake test driver
# (--test-name, --log-file, --trs-file, ...).
here=$(cd "$(dirname "$0")" && pwd)
name= log= trs=
for a; do
	case $prev in
	--test-name) name=$a ;;
	--log-file) log=$a ;;
	--trs-file) trs=$a ;;
	esac
	prev=$a
done
: "${AM_TAP_AWK:=awk}"
export AM_TAP_AWK

now() { date +%s.%N 2>/dev/null || date +%s; }
start=$(now)
out=$(mktemp "${TMPDIR:-/tmp}/dkdriver.XXXXXX") || exit 99
AM_TAP_AWK=$AM_TAP_AWK sh "$here/../build-aux/tap-driver.sh" "$@" >"$out" 2>&1
st=$?
end=$(now)
# The per-assertion results are in the .trs file; the verdict of the
# whole program is its :global-test-result: line.
awk -v name="$name" -v logfile="$log" -v start="$start" -v end="$end" '
	/^:test-result:/ {
		if ($2 == "ERROR") { errors++; next } # a crash, exit status or bad plan
		n++
		if ($2 ~ /^(FAIL|XPASS)$/) failed++
		if ($2 == "SKIP") skipped++
	}
	/^:global-test-result:/ { verdict = $2 }
	END {
		s = sprintf("%d assertion%s", n, n == 1 ? "" : "s")
		if (failed) s = s sprintf(", %d failed", failed)
		if (skipped) s = s sprintf(", %d skipped", skipped)
		if (errors) s = s sprintf(", %d error%s", errors, errors == 1 ? "" : "s")
		s = s sprintf(", %.2f s", end - start)
		if (verdict != "PASS" && verdict != "SKIP") s = s "; see " logfile
		printf "%s %s (%s)\n", verdict == "" ? "ERROR" : verdict, name, s
	}' "$trs"
# the failed assertions, as tap-driver.sh reported them
grep -E '^(FAIL|XPASS|ERROR):' "$out" | sed 's/^/    /'
rm -f "$out"
exit $st
