#!/bin/sh
# fuzz_regressions.sh -- every input that once made a fuzzer report a
# bug (tests/fuzz/crashes/ for the stream readers, crashes-model/ for the
# model loader) goes through the tools that read it: each run ends by
# itself within the time limit, with status 0 or 1 (never a signal), and
# writes a bounded amount of output.
. "$top_srcdir/tests/lib.sh"

for f in "$top_srcdir"/tests/fuzz/crashes/* "$top_srcdir"/tests/fuzz/crashes-model/*; do
	base=$(basename "$f")
	case $f in
	*.tsv) runs="dk-cat -T|dk-cat -T -t" ;;
	*/crashes-model/*) runs="dk-run -n|dk-jac|dk-lyap --steps 5 --k 1" ;;
	*) runs="dk-cat|dk-cat -t|dk-cat -d f8|dk-info -s" ;;
	esac
	IFS='|'
	for cmd in $runs; do
		unset IFS
		# output past 10 MB stops the tool with SIGPIPE: a failure too
		# shellcheck disable=SC2086
		{ (limit_memory; exec timeout 20 $cmd "$f" </dev/null) 2>/dev/null; echo $? >"$tmp/st"; } |
			head -c 10000000 >"$tmp/out"
		st=$(cat "$tmp/st")
		[ "$st" -le 1 ]
		tap_result $? "$base: $cmd ends with status 0 or 1 (got $st)"
		[ "$(wc -c <"$tmp/out")" -lt 10000000 ]
		tap_result $? "$base: $cmd writes less than 10 MB"
		IFS='|'
	done
	unset IFS
done
done_testing
