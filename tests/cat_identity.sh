#!/bin/sh
# cat_identity.sh -- dk-cat without options is the identity on a stream:
# the bytes out are the bytes in (DESIGN.md section 4: "tests can cmp"),
# from a file, from a pipe, with -o, and through the text form and back
# (with --meta exactly; without, the names and axes of the header lines;
# the older "# tensor" form too).
# The fixtures are written by NumPy (data/make_fixtures.py), so cmp against
# them compares dk-cat with NumPy's own np.save.
. "$top_srcdir/tests/lib.sh"

named="$data/stream_named.npy"
plain="$data/plain_f8.npy"

# ---- files and pipes ----
ok "dk-cat FILE exits 0" dk-cat "$named"
dk-cat "$named" >"$tmp/named.out"
ok "dk-cat FILE is byte-identical to FILE (NumPy-written named stream)" \
	cmp "$tmp/named.out" "$named"

cat "$named" | dk-cat >"$tmp/pipe.out"
ok "cat FILE | dk-cat is byte-identical" cmp "$tmp/pipe.out" "$named"

cat "$named" | dk-cat - >"$tmp/dash.out"
ok "cat FILE | dk-cat - is byte-identical" cmp "$tmp/dash.out" "$named"

dk-cat <"$named" >"$tmp/redir.out"
ok "dk-cat <FILE is byte-identical" cmp "$tmp/redir.out" "$named"

dk-cat "$plain" >"$tmp/plain.out"
ok "plain np.save file (no metadata) passes through identical" \
	cmp "$tmp/plain.out" "$plain"

for f in v2_header fortran bigendian; do
	dk-cat "$data/$f.npy" >"$tmp/$f.out"
	ok "$f.npy passes through identical (raw records are not rewritten)" \
		cmp "$tmp/$f.out" "$data/$f.npy"
done

# ---- concatenation ----
cat "$named" "$plain" >"$tmp/cat2.want"
dk-cat "$named" "$plain" >"$tmp/cat2.out"
ok "dk-cat A B equals cat A B" cmp "$tmp/cat2.out" "$tmp/cat2.want"

cat "$plain" "$named" "$plain" >"$tmp/cat3.want"
dk-cat "$plain" - "$plain" <"$named" >"$tmp/cat3.out"
ok "dk-cat A - A (stdin in the middle) equals cat A B A" \
	cmp "$tmp/cat3.out" "$tmp/cat3.want"

cat "$named" "$plain" | dk-cat >"$tmp/catpipe.out"
ok "cat A B | dk-cat equals cat A B" cmp "$tmp/catpipe.out" "$tmp/cat2.want"

# 512 copies of the stream (2 MB): records cross the 1 MiB buffer edges
cp "$named" "$tmp/many.want"
for i in 1 2 3 4 5 6 7 8 9; do
	cat "$tmp/many.want" "$tmp/many.want" >"$tmp/many.2"
	mv "$tmp/many.2" "$tmp/many.want"
done
dk-cat <"$tmp/many.want" >"$tmp/many.out"
ok "512 concatenated copies (2 MB) pass through identical" \
	cmp "$tmp/many.out" "$tmp/many.want"
cat "$tmp/many.want" | dk-cat -o "$tmp/many.o" && cmp -s "$tmp/many.o" "$tmp/many.want"
is "$?" 0 "the same from a pipe to -o FILE"

# ---- empty input ----
dk-cat </dev/null >"$tmp/empty.out"
is "$?" 0 "empty input: exit 0"
is "$(wc -c <"$tmp/empty.out" | tr -d ' ')" 0 "empty input: no output"

# ---- -o FILE ----
ok "dk-cat -o FILE exits 0" dk-cat -o "$tmp/o.npy" "$named"
ok "dk-cat -o FILE writes the same bytes" cmp "$tmp/o.npy" "$named"
dk-cat --output "$tmp/o2.npy" "$named" "$plain" >"$tmp/o2.stdout"
ok "dk-cat --output FILE A B writes cat A B" cmp "$tmp/o2.npy" "$tmp/cat2.want"
is "$(wc -c <"$tmp/o2.stdout" | tr -d ' ')" 0 "with -o nothing goes to stdout"

# ---- through text and back ----
dk-cat --text --meta "$named" >"$tmp/named.txt"
is "$?" 0 "dk-cat --text --meta exits 0"
dk-cat --from-text "$tmp/named.txt" >"$tmp/named.rt"
is "$?" 0 "dk-cat --from-text exits 0"
ok "--text --meta | --from-text is byte-identical for the named stream" \
	cmp "$tmp/named.rt" "$named"
dk-cat --text --meta "$named" | dk-cat --from-text >"$tmp/named.rt2"
ok "the same through a pipe" cmp "$tmp/named.rt2" "$named"
dk-cat --text "$plain" | dk-cat -T >"$tmp/plain.rt"
ok "--text | -T is byte-identical for a plain np.save file" \
	cmp "$tmp/plain.rt" "$plain"
dk-cat -t -m "$named" "$plain" | dk-cat -T >"$tmp/cat2.rt"
ok "--text --meta of two files | -T equals cat A B" cmp "$tmp/cat2.rt" "$tmp/cat2.want"

# text of a record, and text of the text-round-tripped record, agree
dk-cat --text --meta "$tmp/named.rt" >"$tmp/named.txt2"
ok "--text is deterministic (same text from the round-tripped stream)" \
	cmp "$tmp/named.txt2" "$tmp/named.txt"

# without --meta the header line alone comes back: every array, name and
# axis names, not the attrs
dk-cat --text "$named" | dk-cat -T >"$tmp/short.rt"
is "$?" 0 "--text | -T without --meta exits 0"
PYC=$(numpy_python)
if [ -n "$PYC" ]; then
	"$PYC" - "$named" "$tmp/short.rt" <<'EOF' >"$tmp/short.out" 2>&1
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records
a, b = records(sys.argv[1]), records(sys.argv[2])
assert len(a) == len(b)
for (ra, xa), (rb, xb) in zip(a, b):
    assert xa.dtype == xb.dtype and xa.shape == xb.shape
    assert np.array_equal(xa, xb, equal_nan=xa.dtype.kind in "fc")
    ma, mb = json.loads(ra) if ra else {}, json.loads(rb) if rb else {}
    assert ma.get("name") == mb.get("name") and ma.get("axes") == mb.get("axes"), (ma, mb)
    assert "attrs" not in mb
EOF
	tap_result $? "...the same arrays, names and axes; no attrs"
	sed 's/^/#   /' "$tmp/short.out" | tail -3
	# the older text form ('# meta' line, then '# tensor DESCR SHAPE'),
	# made here from the records, still reads back to the very stream
	"$PYC" - "$named" "$tmp/named.txt" >"$tmp/old.txt" <<'EOF'
import os, sys
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records
blocks = open(sys.argv[2]).read().split("\n\n\n")
out = []
for (raw, a), block in zip(records(sys.argv[1]), blocks):
    lines = block.split("\n")
    head = ["# meta " + raw.decode()] if raw else []
    out.append("\n".join(head + ["# tensor %s %r" % (a.dtype.str, a.shape)] +
                         lines[2 if raw else 1:]))
sys.stdout.write("\n\n\n".join(out))
EOF
	grep -q '^# tensor <f8 ' "$tmp/old.txt"
	tap_result $? "made text in the older form"
	ok "the older form | -T is byte-identical to the stream" \
		sh -c "dk-cat -T '$tmp/old.txt' | cmp - '$named'"
fi

done_testing
