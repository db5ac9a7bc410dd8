#!/bin/sh
# bad_input.sh -- corrupt streams: every one gives exit status 1 and a
# message "dk-NAME: SOURCE: record N: ..." naming the 0-based record
# (metadata records count), never a crash (a signal: status > 128) or a
# hang (each run is under `timeout 10`: status 124), and no allocation of
# what a hostile header names (each run is under limit_memory: about
# 1 GB of address space, except in sanitizer builds).  The corrupt files are built here with
# printf, byte by byte, from the .npy grammar (magic, version, length,
# header dict padded to 64 bytes, data).
. "$top_srcdir/tests/lib.sh"

plain="$data/plain_f8.npy"   # one <f8 (3, 4) record: 128 header + 96 data
named="$data/stream_named.npy"  # 11 tensors, each after a metadata record

byte() { printf "\\$(printf %03o "$1")"; }

# A .npy header: magic, version MAJOR.0, length, DICT padded with spaces
# and ended by a newline so that the data starts at a multiple of 64.
hdr() { # dict [major] [length override]
	d=$1 major=${2:-1}
	pre=$([ "$major" -eq 1 ] && echo 10 || echo 12)
	n=$((${#d} + 1))
	pad=$(((64 - (pre + n) % 64) % 64))
	len=${3:-$((n + pad))}
	printf '\223NUMPY'
	byte "$major"
	byte 0
	byte $((len & 255))
	byte $(((len >> 8) & 255))
	if [ "$pre" -eq 12 ]; then
		byte $(((len >> 16) & 255))
		byte $(((len >> 24) & 255))
	fi
	printf '%s%*s\n' "$d" "$pad" ''
}
tensor_hdr() { # descr shape-text: a C-order header
	hdr "{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
}
meta() { # JSON text: a complete metadata record (0-d |S<n>)
	hdr "{'descr': '|S${#1}', 'fortran_order': False, 'shape': (), }"
	printf '%s' "$1"
}
zeros() { head -c "$1" /dev/zero; }
f8x3() { tensor_hdr '<f8' '(3,)'; zeros 24; }  # a valid small tensor

# run TOOL... on stdin FILE; sets st, leaves stdout in $tmp/o, stderr in $tmp/e
run() {
	file=$1
	shift
	(limit_memory; exec timeout 10 "$@" <"$file") \
		>"$tmp/o" 2>"$tmp/e"
	st=$?
}

# bad DESC FILE RECORD [ERE the message must match too] [tool variants...]
bad() {
	desc=$1 file=$2 rec=$3 pat=${4:-}
	shift 3
	[ $# -gt 0 ] && shift
	[ $# -gt 0 ] || set -- dk-cat dk-info
	for cmd in "$@"; do
		# shellcheck disable=SC2086 # cmd holds a tool and its options
		run "$file" $cmd "$file"
		tool=${cmd%% *}
		is "$st" 1 "$cmd: $desc: exit 1"
		good=$([ "$st" -eq 1 ] && echo 1 || echo 0)
		grep -Eq "^$tool: .*record $rec([^0-9]|\$)" "$tmp/e"
		r=$?
		is "$r" 0 "$cmd: $desc: message names record $rec"
		[ $r -eq 0 ] || good=0
		if [ -n "$pat" ]; then
			grep -Eq -- "$pat" "$tmp/e"
			r=$?
			is "$r" 0 "$cmd: $desc: message says /$pat/"
			[ $r -eq 0 ] || good=0
		fi
		[ "$good" -eq 1 ] || sed 's/^/#   stderr: /' "$tmp/e" | head -3
	done
}

B=$tmp  # corrupt files go here

# ---- magic ----
printf 'GARBAGE! this is not a .npy file at all\n' >"$B/garbage"
bad "garbage magic" "$B/garbage" 0 "magic"
{ cat "$plain"; printf 'XXXXXXXXXXXXXXXX'; } >"$B/garbage_after"
bad "garbage after one good record" "$B/garbage_after" 1 "magic"
{ cat "$named"; printf '\223NUMPX\001\000'; } >"$B/garbage_named"
bad "bad magic after the named stream (22 records)" "$B/garbage_named" 22 "magic"

# a good record before a bad one is still passed on through a pipe
run "$B/garbage_after" dk-cat
head -c 224 "$plain" | cmp -s - "$tmp/o"
is "$?" 0 "dk-cat: the good record before the bad one reaches stdout intact"

# ---- truncated header, cut at several points ----
for cut in 1 5 6 7 8 9 64 127; do
	head -c $cut "$plain" >"$B/hcut$cut"
	bad "header cut after $cut bytes" "$B/hcut$cut" 0 "truncated"
done
{ cat "$plain"; head -c 50 "$plain"; } >"$B/hcut_second"
bad "second record's header cut after 50 bytes" "$B/hcut_second" 1 "truncated"
head -c 30 "$named" >"$B/hcut_meta"
bad "metadata record's header cut" "$B/hcut_meta" 0 "truncated"

# ---- truncated data ----
head -c 168 "$plain" >"$B/dcut"
bad "data cut: 56 of 96 bytes missing" "$B/dcut" 0 \
	"record 0 \('arr_0'\): data truncated: 56 of 96 bytes missing" \
	dk-cat "dk-cat --dtype f4" "dk-cat --text" dk-info "dk-info -s"
run "$B/dcut" dk-cat
ok "dk-cat: of a truncated record, the part read is passed on (dk-cat(1))" \
	cmp "$tmp/o" "$B/dcut"
{ f8x3; meta '{"name": "fp/x"}'; tensor_hdr '<f8' '(3, 4)'; zeros 40; } >"$B/dcut_named"
bad "named tensor's data cut" "$B/dcut_named" 2 \
	"record 2 \('fp/x'\): data truncated: 56 of 96 bytes missing" \
	dk-cat "dk-cat -r fp/x=y" "dk-info -s"
{ hdr "{'descr': '|S50', 'fortran_order': False, 'shape': (), }"; printf '{"name": "a"'; } >"$B/mcut"
bad "metadata record's data cut" "$B/mcut" 0 "metadata truncated: 38 of 50 bytes missing"
{ tensor_hdr '<f8' '(3, 4)'; } >"$B/dnone"
bad "header and no data at all" "$B/dnone" 0 "96 of 96 bytes missing"

# ---- shapes too large: refused before anything is allocated ----
tensor_hdr '<f8' '(1099511627776, 1099511627776)' >"$B/overflow"
bad "shape (2**40, 2**40) overflows" "$B/overflow" 0 "overflow" \
	dk-cat "dk-cat --text" dk-info "dk-info -s"
tensor_hdr '<f8' '(18446744073709551616,)' >"$B/overflow_axis"
bad "shape (2**64,) overflows an axis" "$B/overflow_axis" 0 "overflow"
{ tensor_hdr '<f8' '(34359738368,)'; zeros 64; } >"$B/overcap"
bad "shape (2**35,) exceeds the element cap" "$B/overcap" 0 \
	"34359738368 elements exceed the limit of 1073741824" \
	dk-cat "dk-cat --dtype f4" dk-info "dk-info -s"
{ tensor_hdr '|u1' '(65536, 65536)'; zeros 64; } >"$B/overcap2"
bad "u1 (2**16, 2**16) exceeds the element cap" "$B/overcap2" 0 "exceed the limit" \
	"dk-cat --text" "dk-info -s"
# 8 elements under the cap, but of 10**9 bytes each: the reader must not
# allocate the 8 GB the header names (it is refused, or found truncated)
{ tensor_hdr '|S1000000000' '(8,)'; zeros 100; } >"$B/bigbytes"
bad "|S1000000000 (8,): 8 GB named, 100 bytes present" "$B/bigbytes" 0 \
	"data truncated|exceed|limit" \
	dk-cat dk-info "dk-info -s" "dk-cat --text" "dk-cat --dtype f8"
{ tensor_hdr '<f8' '(1073741824,)'; zeros 64; } >"$B/atcap"
bad "(2**30,) at the cap, 64 bytes of 8 GiB present" "$B/atcap" 0 "bytes missing|out of memory" \
	dk-cat dk-info "dk-info -s" "dk-cat --text"

# ---- oversized header ----
{ hdr "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" 2 65537; zeros 70000; } >"$B/bighdr"
bad "v2.0 header length 65537 > 65536" "$B/bighdr" 0 "65537 bytes exceeds the limit of 65536"
{ hdr "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" 2 4294967295; } >"$B/hugehdr"
bad "v2.0 header length 2**32-1" "$B/hugehdr" 0 "exceeds the limit"
{ hdr "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" 1 65535; } >"$B/longhdr"
bad "v1.0 header length 65535, input much shorter" "$B/longhdr" 0 "truncated"

# ---- metadata ----
{ meta 'not json {'; f8x3; } >"$B/m_notjson"
bad "metadata that is not JSON" "$B/m_notjson" 0 "not JSON"
{ f8x3; meta '[1, 2, 3]'; f8x3; } >"$B/m_array"
bad "metadata that is a JSON array" "$B/m_array" 1 "not an object"
{ meta '"model/W"'; f8x3; } >"$B/m_string"
bad "metadata that is a JSON string" "$B/m_string" 0 "not JSON|not an object"
{ meta '{"name": 5}'; f8x3; } >"$B/m_name"
bad "metadata name that is a number" "$B/m_name" 0 "name"
{ meta '{"name": ["a"]}'; f8x3; } >"$B/m_name2"
bad "metadata name that is an array" "$B/m_name2" 0 "name"
{ meta '{"name": "a", "axes": "xy"}'; f8x3; } >"$B/m_axes"
bad "metadata axes not an array" "$B/m_axes" 0 "axes"
{ meta '{"name": "a", "axes": [1, 2]}'; f8x3; } >"$B/m_axes2"
bad "metadata axes holding numbers" "$B/m_axes2" 0 "axes"
{ meta '{"name": "a", "attrs": [1]}'; f8x3; } >"$B/m_attrs"
bad "metadata attrs not an object" "$B/m_attrs" 0 "attrs"
{ meta '{"name": "a", "name": "b"}'; f8x3; } >"$B/m_dup"
bad "metadata with a duplicate key" "$B/m_dup" 0
{ f8x3; meta '{"name": "a"}'; } >"$B/m_last"
bad "a metadata record with no tensor after it" "$B/m_last" 1 "no tensor after it"
{ meta '{"name": "a"}'; meta '{"name": "b"}'; f8x3; } >"$B/m_two"
bad "two metadata records in a row" "$B/m_two" 0 "no tensor after it"
{ f8x3; f8x3; meta '{"name": "a"}'; meta '{"name": "b"}'; f8x3; } >"$B/m_two_later"
bad "two metadata records in a row after two tensors" "$B/m_two_later" 2 "no tensor after it"
{ hdr "{'descr': '|S1000000000', 'fortran_order': False, 'shape': (), }"; printf '{}'; } >"$B/m_huge"
bad "a metadata record of 10**9 bytes" "$B/m_huge" 0 "exceeds the limit"

# ---- element types ----
for dt in '<u2' '<f2' '<i2' '>u4' '<U3' '|O' '<M8[s]' '<f16' '<c8' '|V8'; do
	tensor_hdr "$dt" '(3,)' >"$B/dtype"
	zeros 48 >>"$B/dtype"
	bad "unsupported dtype '$dt'" "$B/dtype" 0 "unsupported dtype|not supported"
done
{ hdr "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,), }"; zeros 36; } >"$B/structured"
bad "structured dtype" "$B/structured" 0 "structured"

# ---- versions ----
for v in '4 0' '0 0' '1 1' '255 0'; do
	set -- $v
	{ printf '\223NUMPY'; byte "$1"; byte "$2"; byte 118; byte 0; printf '%117s\n' '{}'; } >"$B/version"
	bad "unknown version $1.$2" "$B/version" 0 "version $1\\.$2"
done
{ f8x3; printf '\223NUMPY'; byte 4; byte 0; byte 118; byte 0; printf '%117s\n' '{}'; } >"$B/version4b"
bad "unknown version 4.0 in the second record" "$B/version4b" 1 "version 4\\.0"

# ---- header dict ----
for dict in "{'descr': '<f8', 'shape': (3,), }" \
         "{'fortran_order': False, 'shape': (3,), }" \
         "{'descr': '<f8', 'fortran_order': False, }" \
         "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'evil': __import__('os'), }" \
         "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" \
         "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }" \
         "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }" \
         "{'descr': '<f8', 'fortran_order': False, 'shape': [3], }" \
         "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } x" \
         "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)" \
         "['descr', '<f8']"; do
	{ hdr "$dict"; zeros 24; } >"$B/dict"
	bad "header $dict" "$B/dict" 0 "header"
done
r33="(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)"
{ tensor_hdr '<f8' "$r33"; zeros 8; } >"$B/rank33"
bad "33 axes (NumPy's limit is 32)" "$B/rank33" 0 "axes"

# ---- corrupt input on a pipe ----
cat "$B/dcut_named" | (limit_memory; exec timeout 10 dk-cat) >"$tmp/o" 2>"$tmp/e"
is "$?" 1 "cat CORRUPT | dk-cat: exit 1"
grep -Eq "^dk-cat: -: record 2 \('fp/x'\): data truncated" "$tmp/e"
is "$?" 0 "cat CORRUPT | dk-cat: 'dk-cat: -: record 2 ('fp/x'): data truncated'"

# ---- empty input, missing files ----
for tool in dk-cat dk-info; do
	run /dev/null $tool
	is "$st" 0 "$tool on empty input: exit 0"
	is "$(wc -c <"$tmp/o" | tr -d ' ')$(wc -c <"$tmp/e" | tr -d ' ')" 00 \
		"$tool on empty input: no output, no message"
	run /dev/null $tool "$tmp/no-such-file"
	is "$st" 1 "$tool on a nonexistent file: exit 1"
	grep -q "^$tool: $tmp/no-such-file: " "$tmp/e"
	is "$?" 0 "$tool on a nonexistent file: the message names it"
done
run /dev/null dk-cat "$plain" "$tmp/no-such-file"
is "$st" 1 "dk-cat GOOD MISSING: exit 1"

# ---- --max-elements ----
for tool in dk-cat dk-info; do
	run /dev/null $tool --max-elements 11 "$plain"
	is "$st" 1 "$tool --max-elements 11 on 12 elements: exit 1"
	grep -q "record 0 ('arr_0'): 12 elements exceed the limit of 11" "$tmp/e"
	is "$?" 0 "$tool --max-elements 11: message says 12 elements exceed the limit of 11"
	run /dev/null $tool --max-elements 12 "$plain"
	is "$st" 0 "$tool --max-elements 12 on 12 elements: exit 0"
	run /dev/null $tool --max-elements '2^3' "$plain"
	is "$st" 1 "$tool --max-elements 2^3 on 12 elements: exit 1"
done
run /dev/null dk-cat --max-elements 12 "$named"
is "$st" 1 "dk-cat --max-elements 12 on the named stream (run/h has 24): exit 1"
grep -q "record 21 ('run/h'): 24 elements exceed the limit of 12" "$tmp/e"
is "$?" 0 "... the message names record 21 ('run/h')"

dk-cat --text "$plain" >"$B/plain.txt"
run /dev/null dk-cat --from-text --max-elements 11 "$B/plain.txt"
is "$st" 1 "--from-text --max-elements 11 on a 12-element text block: exit 1"
run /dev/null dk-cat --from-text --max-elements 12 "$B/plain.txt"
is "$st" 0 "--from-text --max-elements 12 on a 12-element text block: exit 0"
printf '1 2 3 4\n5 6 7 8\n9 10 11 12\n' >"$B/table.txt"
run /dev/null dk-cat --from-text --max-elements 11 "$B/table.txt"
is "$st" 1 "--from-text --max-elements 11 on a 12-number plain table: exit 1"
run /dev/null dk-cat --from-text --max-elements 12 "$B/table.txt"
is "$st" 0 "--from-text --max-elements 12 on a 12-number plain table: exit 0"
[ "$st" -eq 0 ] || sed 's/^/#   stderr: /' "$tmp/e"
run /dev/null dk-cat --from-text --max-elements 1000 "$B/table.txt"
is "$st" 0 "--from-text --max-elements 1000 on a 12-number plain table: exit 0"
[ "$st" -eq 0 ] || sed 's/^/#   stderr: /' "$tmp/e"

done_testing
