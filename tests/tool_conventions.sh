#!/bin/sh
# tool_conventions.sh -- what every dk-* tool does the same way (DESIGN.md
# section 6): --help and --version exit 0 on stdout, a usage error exits 2
# with a message on stderr, output errors are noticed (fclose(stdout)),
# a closed pipe ends the tool instead of hanging it, and dk-cat -o replaces
# its file atomically: no temp file left behind, and an old file is kept
# whole when the input turns out bad.
. "$top_srcdir/tests/lib.sh"

named="$data/stream_named.npy"
plain="$data/plain_f8.npy"

byte() { printf "\\$(printf %03o "$1")"; }
tensor_hdr() { # descr shape-text: a format 1.0 header padded to 64 bytes
	d="{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
	n=$((${#d} + 1))
	pad=$(((64 - (10 + n) % 64) % 64))
	len=$((n + pad))
	printf '\223NUMPY\001\000'
	byte $((len & 255))
	byte $((len >> 8))
	printf '%s%*s\n' "$d" "$pad" ''
}
size() { wc -c <"$1" | tr -d ' '; }

for tool in dk-info dk-cat; do
	# ---- --help, --version ----
	$tool --help >"$tmp/help" 2>"$tmp/help.err"
	is "$?" 0 "$tool --help: exit 0"
	is "$(head -n 1 "$tmp/help" | cut -c 1-$((8 + ${#tool})))" "Usage: $tool " \
		"$tool --help: first line of stdout is 'Usage: $tool ...'"
	is "$(size "$tmp/help.err")" 0 "$tool --help: nothing on stderr"
	$tool -h >"$tmp/h" 2>/dev/null
	ok "$tool -h prints the same as --help" cmp "$tmp/h" "$tmp/help"
	$tool --help >/dev/full 2>/dev/null
	is "$?" 1 "$tool --help >/dev/full: the failed write is noticed (exit 1)"

	$tool --version >"$tmp/ver" 2>"$tmp/ver.err"
	is "$?" 0 "$tool --version: exit 0"
	grep -Eq "^$tool \\(dynkit\\) [0-9]+\\.[0-9]+" "$tmp/ver"
	is "$?" 0 "$tool --version prints '$tool (dynkit) VERSION'"
	is "$(size "$tmp/ver.err")" 0 "$tool --version: nothing on stderr"
	$tool --version >/dev/full 2>/dev/null
	is "$?" 1 "$tool --version >/dev/full: exit 1"

	# ---- usage errors: exit 2, message on stderr, nothing on stdout ----
	for args in "--bogus" "-Z" "--max-elements" "--max-elements abc" \
	            "--max-elements -1" "--max-elements 1.5" "--stats=yes"; do
		# shellcheck disable=SC2086
		$tool $args "$plain" >"$tmp/u.out" 2>"$tmp/u.err"
		st=$?
		is "$st" 2 "$tool $args: exit 2"
		grep -q "Try '$tool --help'" "$tmp/u.err"
		is "$?" 0 "$tool $args: stderr says Try '$tool --help'"
		is "$(size "$tmp/u.out")" 0 "$tool $args: nothing on stdout"
	done
	$tool --bogus </dev/null 2>&1 >/dev/null | grep -q -- "^$tool: .*--bogus"
	is "$?" 0 "$tool --bogus: the message is '$tool: ...' and names the option"

	# ---- output errors are noticed ----
	$tool "$named" >/dev/full 2>"$tmp/full.err"
	is "$?" 1 "$tool FILE >/dev/full: exit 1"
	grep -q "^$tool: " "$tmp/full.err"
	is "$?" 0 "$tool FILE >/dev/full: a '$tool: ...' message on stderr"

	# ---- messages: 'dk-NAME: where: what' ----
	$tool "$tmp/no-such" >/dev/null 2>"$tmp/ns.err"
	is "$?" 1 "$tool MISSING: exit 1"
	grep -q "^$tool: $tmp/no-such: No such file or directory" "$tmp/ns.err"
	is "$?" 0 "$tool MISSING: '$tool: MISSING: No such file or directory'"
done

# ---- every tool: --help, --version, an unknown option ----
for src in "$top_srcdir"/tools/dk-*.c; do
	tool=$(basename "$src" .c)
	$tool --help >"$tmp/help" 2>"$tmp/help.err"
	is "$?.$(head -n 1 "$tmp/help" | cut -d ' ' -f 1-2)" "0.Usage: $tool" \
		"$tool --help: exit 0, 'Usage: $tool' on stdout"
	$tool --help >/dev/full 2>/dev/null
	is "$?" 1 "$tool --help >/dev/full: exit 1"
	$tool --version >"$tmp/ver" 2>/dev/null
	is "$?.$(cut -d ' ' -f 1-2 "$tmp/ver")" "0.$tool (dynkit)" "$tool --version: exit 0, '$tool (dynkit) ...'"
	$tool --bogus >"$tmp/u.out" 2>"$tmp/u.err" </dev/null
	is "$?" 2 "$tool --bogus: exit 2"
	grep -q "^$tool: .*--bogus" "$tmp/u.err"
	is "$?" 0 "$tool --bogus: '$tool: ...' names the option"
done

# usage errors of dk-cat's own options
for args in "--dtype xyz" "--dtype f16" "--dtype S" "--rename noequals" \
            "--rename =x" "--rename x=" "--select" "-o"; do
	# shellcheck disable=SC2086
	dk-cat $args </dev/null >"$tmp/u.out" 2>"$tmp/u.err"
	is "$?" 2 "dk-cat $args: exit 2"
	[ -s "$tmp/u.err" ]
	is "$?" 0 "dk-cat $args: a message on stderr"
done
dk-cat --dtype xyz </dev/null 2>&1 >/dev/null | grep -q "xyz"
is "$?" 0 "dk-cat --dtype xyz: the message names 'xyz'"

# ---- a closed pipe does not hang the tools ----
# one 8 MB tensor, much more than a pipe holds
{ tensor_hdr '<f8' '(1048576,)'; head -c 8388608 /dev/zero; } >"$tmp/big.npy"
# 32768 small tensors: dk-info's listing is far longer than a pipe holds
{ tensor_hdr '<f8' '(1,)'; head -c 8 /dev/zero; } >"$tmp/many.npy"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	cat "$tmp/many.npy" "$tmp/many.npy" >"$tmp/many2.npy"
	mv "$tmp/many2.npy" "$tmp/many.npy"
done

closed_pipe() { # description command...: run it into `head -c 100`
	desc=$1
	shift
	{ timeout 10 "$@" 2>"$tmp/cp.err"; echo $? >"$tmp/cp.st"; } | head -c 100 >/dev/null
	st=$(cat "$tmp/cp.st")
	# SIGPIPE (141) by default; 1 if the shell that ran us ignores SIGPIPE
	case $st in 141 | 1) r=0 ;; *) r=1 ;; esac
	tap_result $r "$desc: ends (status $st: SIGPIPE or write error), no hang"
}
closed_pipe "dk-cat BIG | head -c 100" dk-cat "$tmp/big.npy"
closed_pipe "dk-cat --text BIG | head -c 100" dk-cat --text "$tmp/big.npy"
closed_pipe "dk-info MANY | head -c 100" dk-info "$tmp/many.npy"
closed_pipe "dk-info -j MANY | head -c 100" dk-info -j "$tmp/many.npy"

# with SIGPIPE ignored the tools see EPIPE: exit 1 with a message
for cmd in "dk-cat $tmp/big.npy" "dk-info -j $tmp/many.npy"; do
	# shellcheck disable=SC2086
	{ (trap '' PIPE; exec timeout 10 $cmd 2>"$tmp/cp.err"); echo $? >"$tmp/cp.st"; } |
		head -c 100 >/dev/null
	is "$(cat "$tmp/cp.st")" 1 "${cmd%% *} with SIGPIPE ignored into a closed pipe: exit 1"
	grep -q "^${cmd%% *}: " "$tmp/cp.err"
	is "$?" 0 "${cmd%% *} with SIGPIPE ignored into a closed pipe: a message on stderr"
done

# ---- dk-cat -o: atomic replacement ----
mkdir "$tmp/o"
ok "dk-cat -o OUT FILE: exit 0" dk-cat -o "$tmp/o/out.npy" "$named"
ok "dk-cat -o OUT FILE: OUT holds the stream" cmp "$tmp/o/out.npy" "$named"
is "$(ls -A "$tmp/o")" "out.npy" "dk-cat -o: no temp file left behind"
is "$( (umask 022; dk-cat -o "$tmp/o/mode.npy" "$plain"; stat -c %a "$tmp/o/mode.npy"))" 644 \
	"dk-cat -o: the file gets the umask's mode (644 under umask 022), not mkstemp's 600"
rm -f "$tmp/o/mode.npy"

head -c 168 "$plain" >"$tmp/trunc.npy"  # data truncated
printf 'GARBAGE!' >"$tmp/garbage.npy"
printf 'old content\n' >"$tmp/old"
for bad in trunc garbage; do
	cp "$tmp/old" "$tmp/o/out.npy"
	fails_with 1 "dk-cat -o OUT $bad.npy: exit 1" dk-cat -o "$tmp/o/out.npy" "$tmp/$bad.npy"
	ok "dk-cat -o OUT $bad.npy: the old OUT is kept whole" cmp "$tmp/o/out.npy" "$tmp/old"
	is "$(ls -A "$tmp/o")" "out.npy" "dk-cat -o OUT $bad.npy: no temp file left behind"
done
cp "$tmp/old" "$tmp/o/out.npy"
fails_with 1 "dk-cat -o OUT GOOD BAD: exit 1" dk-cat -o "$tmp/o/out.npy" "$plain" "$tmp/garbage.npy"
ok "dk-cat -o OUT GOOD BAD: the old OUT is kept (the good part is not committed)" \
	cmp "$tmp/o/out.npy" "$tmp/old"
fails_with 1 "dk-cat -o OUT MISSING: exit 1" dk-cat -o "$tmp/o/out.npy" "$tmp/no-such"
ok "dk-cat -o OUT MISSING: the old OUT is kept" cmp "$tmp/o/out.npy" "$tmp/old"
fails_with 1 "dk-cat -o OUT --dtype i4 (NaN): exit 1" dk-cat -o "$tmp/o/out.npy" -d i4 "$named"
ok "dk-cat -o OUT --dtype i4 (NaN): the old OUT is kept" cmp "$tmp/o/out.npy" "$tmp/old"
is "$(ls -A "$tmp/o")" "out.npy" "after all the failures: no temp file left behind"

rm "$tmp/o/out.npy"
fails_with 1 "dk-cat -o NEW BAD: exit 1" dk-cat -o "$tmp/o/new.npy" "$tmp/garbage.npy"
is "$(ls -A "$tmp/o")" "" "dk-cat -o NEW BAD: NEW is not created, no temp file"

fails_with 1 "dk-cat -o NODIR/OUT: exit 1" dk-cat -o "$tmp/nodir/out.npy" "$plain"
grep -q "^dk-cat: $tmp/nodir/out.npy: " "$tmp/.err"
is "$?" 0 "dk-cat -o NODIR/OUT: the message names the file"

cp "$named" "$tmp/o/self.npy"
dk-cat -o "$tmp/o/self.npy" -r model/W=model/U "$tmp/o/self.npy"
is "$?" 0 "dk-cat -o F F (rewrite a file in place): exit 0"
dk-cat -r model/W=model/U "$named" >"$tmp/self.want"
ok "dk-cat -o F F: F holds the result computed from the old F" cmp "$tmp/o/self.npy" "$tmp/self.want"

done_testing
