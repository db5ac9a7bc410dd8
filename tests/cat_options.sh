#!/bin/sh
# cat_options.sh -- dk-cat's options: --select, --exclude, --rename, --bare,
# --dtype, --text and --from-text.  Every expected result is built by
# NumPy from the NumPy-written fixture (np.load, astype, np.save), never by
# dynkit itself.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
export DK_DATA="$data" DK_TMP="$tmp"
py_start
named="$data/stream_named.npy"
plain="$data/plain_f8.npy"

# The Python side: read a stream with NumPy alone, and build the bytes a
# result must have with np.save.  A check is a Python snippet on stdin; it
# passes when it runs without an exception.
cat >"$tmp/common.py" <<'EOF'
import io, json, os, sys
import numpy as np

def _hook(t, v, tb):
    import traceback
    fr = traceback.extract_tb(tb)[-1]
    sys.stderr.write("%s (check line %d): %s\n" % (t.__name__, fr.lineno, v))
sys.excepthook = _hook

D = os.environ["DK_DATA"]
T = os.environ["DK_TMP"]
NAMED = os.path.join(D, "stream_named.npy")
PLAIN = os.path.join(D, "plain_f8.npy")

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, arrays, name, by_name, save_bytes, same

def out(fname):
    return open(os.path.join(T, fname), "rb").read()

def compact(obj):
    """JSON as dynkit documents its own metadata: compact, sorted keys."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
EOF

# ======================================================================
# --select / --exclude (fnmatch globs, '*' also matches '/')
# ======================================================================
ok "--select 'model/*' exits 0" dk-cat --select 'model/*' "$named"
dk-cat --select 'model/*' "$named" >"$tmp/sel_model.npy"
pycheck "--select 'model/*' keeps model/W, model/b, model/dt, records unchanged" <<'EOF'
recs = records(NAMED)
want = [r for i, r in enumerate(recs) if name(r, i).startswith("model/")]
assert [name(r, i) for i, r in enumerate(want)] == ["model/W", "model/b", "model/dt"]
assert out("sel_model.npy") == save_bytes(want)
EOF

dk-cat -s 'fp/*' -s labels "$named" >"$tmp/sel_two.npy"
pycheck "-s 'fp/*' -s labels: any pattern keeps, stream order kept" <<'EOF'
recs = records(NAMED)
got = records(os.path.join(T, "sel_two.npy"))
assert [name(r, i) for i, r in enumerate(got)] == \
    ["fp/q", "fp/eig", "fp/idx", "labels", "fp/empty"], [name(r, i) for i, r in enumerate(got)]
want = [r for i, r in enumerate(recs) if name(r, i).startswith("fp/") or name(r, i) == "labels"]
assert out("sel_two.npy") == save_bytes(want)
EOF

dk-cat -s 'model/?' "$named" >"$tmp/sel_q.npy"
pycheck "-s 'model/?' matches one character only (no model/dt)" <<'EOF'
got = records(os.path.join(T, "sel_q.npy"))
assert [name(r, i) for i, r in enumerate(got)] == ["model/W", "model/b"]
EOF

dk-cat -s 'm*W' -s '*/e*' "$named" >"$tmp/sel_slash.npy"
pycheck "'*' also matches '/': -s 'm*W' -s '*/e*' keeps model/W, fp/eig, fp/empty" <<'EOF'
got = records(os.path.join(T, "sel_slash.npy"))
assert [name(r, i) for i, r in enumerate(got)] == ["model/W", "fp/eig", "fp/empty"], \
    [name(r, i) for i, r in enumerate(got)]
EOF

dk-cat -s '*' "$named" >"$tmp/sel_all.npy"
ok "-s '*' keeps everything byte for byte" cmp "$tmp/sel_all.npy" "$named"

dk-cat -s 'nothing/*' "$named" >"$tmp/sel_none.npy"
is "$?" 0 "a glob matching nothing: exit 0"
is "$(wc -c <"$tmp/sel_none.npy" | tr -d ' ')" 0 "a glob matching nothing: empty output"

dk-cat --exclude 'fp/*' -x mask "$named" >"$tmp/exc.npy"
pycheck "--exclude 'fp/*' -x mask drops exactly those, rest unchanged" <<'EOF'
recs = records(NAMED)
want = [r for i, r in enumerate(recs)
        if not name(r, i).startswith("fp/") and name(r, i) != "mask"]
assert [name(r, i) for i, r in enumerate(want)] == \
    ["model/W", "model/b", "model/dt", "labels", "img", "run/h"]
assert out("exc.npy") == save_bytes(want)
EOF

dk-cat -s 'model/*' -x 'model/d*' "$named" >"$tmp/selexc.npy"
pycheck "--select with --exclude: model/W and model/b" <<'EOF'
got = records(os.path.join(T, "selexc.npy"))
assert [name(r, i) for i, r in enumerate(got)] == ["model/W", "model/b"]
EOF

dk-cat -s arr_0 "$plain" >"$tmp/sel_plain.npy"
ok "a tensor without metadata is selected by its fallback name arr_0" \
	cmp "$tmp/sel_plain.npy" "$plain"
dk-cat -s arr_1 "$plain" "$plain" >"$tmp/sel_plain1.npy"
is "$(wc -c <"$tmp/sel_plain1.npy" | tr -d ' ')" 0 \
	"arr_N counts per input file (second file's tensor is arr_0 too)"

# ======================================================================
# --rename
# ======================================================================
dk-cat --rename model/dt=time/dt "$named" >"$tmp/ren_dt.npy"
pycheck "--rename model/dt=time/dt: new compact sorted metadata, all else unchanged" <<'EOF'
recs = records(NAMED)
want = []
for i, (raw, a) in enumerate(recs):
    if name((raw, a), i) == "model/dt":
        raw = compact({"name": "time/dt", "attrs": {"unit": "s"}})
    want.append((raw, a))
assert out("ren_dt.npy") == save_bytes(want)
EOF

dk-cat -r model/W=model/U "$named" >"$tmp/ren_w.npy"
pycheck "-r model/W=model/U keeps axes, attrs (0.1 exactly) and the tensor's bytes" <<'EOF'
old = by_name(NAMED)["model/W"]
got = records(os.path.join(T, "ren_w.npy"))
assert name(got[0], 0) == "model/U"
m_old, m_new = json.loads(old[0]), json.loads(got[0][0])
m_old["name"] = "model/U"
assert m_new == m_old, (m_new, m_old)
assert m_new["attrs"]["dt"] == 0.1
assert save_bytes([(None, got[0][1])]) == save_bytes([(None, old[1])])
assert [name(r, i) for i, r in enumerate(got)][1:] == \
    [name(r, i) for i, r in enumerate(records(NAMED))][1:]
EOF

dk-cat -r arr_0=model/x "$plain" >"$tmp/ren_plain.npy"
pycheck "--rename on a tensor without metadata adds {\"name\": NEW} before it" <<'EOF'
assert out("ren_plain.npy") == \
    save_bytes([(b'{"name":"model/x"}', np.load(PLAIN))])
got = records(os.path.join(T, "ren_plain.npy"))
assert json.loads(got[0][0]) == {"name": "model/x"}
assert same(got[0][1], np.load(PLAIN))
EOF

dk-cat -r model/W=a -r labels=b "$named" >"$tmp/ren_two.npy"
pycheck "two --rename options both apply" <<'EOF'
got = [name(r, i) for i, r in enumerate(records(os.path.join(T, "ren_two.npy")))]
assert got[0] == "a" and got[6] == "b", got
EOF

dk-cat -r no/such=x "$named" >"$tmp/ren_none.npy"
ok "--rename of a name not in the stream changes nothing" \
	cmp "$tmp/ren_none.npy" "$named"

dk-cat -t -m "$named" | dk-cat -T -r model/dt=time/dt >"$tmp/ren_text.npy"
ok "--rename on text input gives the same bytes as on binary input" \
	cmp "$tmp/ren_text.npy" "$tmp/ren_dt.npy"

# ======================================================================
# --bare
# ======================================================================
dk-cat --bare -s model/W "$named" >"$tmp/bare_w.npy"
pycheck "--bare on one tensor: np.load(file) gives the array, bytes = np.save" <<'EOF'
w = by_name(NAMED)["model/W"][1]
x = np.load(os.path.join(T, "bare_w.npy"))
assert same(x, w)
assert out("bare_w.npy") == save_bytes([(None, w)])
EOF

dk-cat -b -s model/dt "$named" >"$tmp/bare_dt.npy"
pycheck "--bare on a rank-0 tensor: np.load gives the 0-d array 0.25" <<'EOF'
x = np.load(os.path.join(T, "bare_dt.npy"))
assert x.shape == () and x.dtype == np.float64 and x[()] == 0.25
EOF

dk-cat --bare "$named" >"$tmp/bare_all.npy"
pycheck "--bare on the whole stream: the arrays alone, as np.save writes them" <<'EOF'
want = [(None, a) for raw, a in records(NAMED)]
assert out("bare_all.npy") == save_bytes(want)
EOF

# ======================================================================
# --dtype
# ======================================================================
dk-cat -s model/b --dtype f8 --bare "$named" >"$tmp/f4f8.npy"
pycheck "--dtype f8 from f4 is exact: equals np.save(b.astype(f8))" <<'EOF'
b = by_name(NAMED)["model/b"][1]
assert b.dtype == np.float32
x = np.load(os.path.join(T, "f4f8.npy"))
assert x.dtype == np.float64 and np.array_equal(x, b.astype(np.float64))
assert out("f4f8.npy") == save_bytes([(None, b.astype(np.float64))])
EOF

dk-cat -s model/b -d f8 "$named" >"$tmp/f4f8m.npy"
pycheck "--dtype keeps the metadata record verbatim" <<'EOF'
raw, b = by_name(NAMED)["model/b"]
assert out("f4f8m.npy") == save_bytes([(raw, b.astype(np.float64))])
EOF

dk-cat -s model/W -d i4 -b "$named" >"$tmp/f8i4.npy"
pycheck "--dtype i4 from f8 truncates toward zero, as NumPy's astype" <<'EOF'
w = by_name(NAMED)["model/W"][1]
x = np.load(os.path.join(T, "f8i4.npy"))
assert x.dtype == np.dtype("<i4")
assert np.array_equal(x, [[0, -1, 2, -3], [0, 0, 0, 123456], [0, 6, 0, -2]]), x
assert np.array_equal(x, w.astype(np.int32))
assert out("f8i4.npy") == save_bytes([(None, w.astype(np.int32))])
EOF

fails_with 1 "--dtype i4 of a tensor holding NaN fails with exit 1" \
	dk-cat -s fp/q -d i4 "$named"
grep -q "^dk-cat: .*record 7 ('fp/q').*i4" "$tmp/.err"
is "$?" 0 "... with a message naming record 7 ('fp/q') and i4 on stderr"
is "$(wc -c <"$tmp/.out" | tr -d ' ')" 0 "... and nothing for that tensor on stdout"
fails_with 1 "--dtype i8 of NaN fails too" dk-cat -s fp/q -d i8 "$named"
printf 'inf\n' >"$tmp/inf.txt"
fails_with 1 "--dtype i4 of Inf fails" dk-cat -T -d i4 "$tmp/inf.txt"
printf '3e9\n' >"$tmp/big.txt"
fails_with 1 "--dtype i4 of 3e9 (beyond 2^31) fails" dk-cat -T -d i4 "$tmp/big.txt"
dk-cat -T -d i8 -b "$tmp/big.txt" >"$tmp/big_i8.npy"
pycheck "--dtype i8 of 3e9 is 3000000000" <<'EOF'
x = np.load(os.path.join(T, "big_i8.npy"))
assert x.dtype == np.int64 and x.shape == (1, 1) and x[0, 0] == 3000000000
EOF

dk-cat -s fp/q -d b1 -b "$named" >"$tmp/q_b1.npy"
dk-cat -s model/W -d c16 -b "$named" >"$tmp/w_c16.npy"
dk-cat -s model/W -d f4 -b "$named" >"$tmp/w_f4.npy"
dk-cat -s fp/eig -d f8 -b "$named" >"$tmp/eig_f8.npy"
dk-cat -s fp/idx -d f8 -b "$named" >"$tmp/idx_f8.npy"
dk-cat -s labels -d i8 -b "$named" >"$tmp/lab_i8.npy"
dk-cat -s mask -d u1 -b "$named" >"$tmp/mask_u1.npy"
dk-cat -s img -d f4 -b "$named" >"$tmp/img_f4.npy"
pycheck "--dtype b1 c16 f4 f8 i8 u1 agree with NumPy's astype (NaN->True, -0->False, c16->real part)" <<'EOF'
t = {k: r[1] for k, r in by_name(NAMED).items()}
cases = [("q_b1", t["fp/q"], "|b1"), ("w_c16", t["model/W"], "<c16"),
         ("w_f4", t["model/W"], "<f4"), ("eig_f8", t["fp/eig"].real, "<f8"),
         ("idx_f8", t["fp/idx"], "<f8"), ("lab_i8", t["labels"], "<i8"),
         ("mask_u1", t["mask"], "|u1"), ("img_f4", t["img"], "<f4")]
bad = []
for fname, src, dt in cases:
    want = src.astype(dt)
    if out(fname + ".npy") != save_bytes([(None, want)]):
        bad.append(fname)
assert not bad, bad
assert np.array_equal(np.load(os.path.join(T, "q_b1.npy")),
                      [True, True, True, True, False, True, True])
EOF

dk-cat -d f8 "$named" >"$tmp/all_f8.npy"
is "$?" 0 "--dtype f8 of the whole stream exits 0"
pycheck "--dtype f8 of the whole stream: every tensor is astype(f8), metadata kept" <<'EOF'
got = records(os.path.join(T, "all_f8.npy"))
want = [(raw, (a.real if a.dtype.kind == "c" else a).astype("<f8"))
        for raw, a in records(NAMED)]
assert len(got) == len(want)
for (graw, g), (wraw, w) in zip(got, want):
    assert graw == wraw
    assert same(g, w), (json.loads(wraw)["name"], g, w)
EOF

dk-cat -d f8 "$plain" >"$tmp/same_dtype.npy"
ok "--dtype equal to the tensor's own leaves it byte-identical" \
	cmp "$tmp/same_dtype.npy" "$plain"

# ======================================================================
# --text
# ======================================================================
dk-cat --text --meta "$named" >"$tmp/named.txt"
is "$?" 0 "--text --meta of the named stream exits 0"
dk-cat --text "$named" >"$tmp/named-short.txt"
is "$?" 0 "--text of the named stream exits 0"
# the header line, rebuilt here from the metadata and the array: the name,
# the dtype's short name, the shape with the axis names (when every axis
# has a plain one), two spaces between; the metadata's JSON only on request
pycheck "--text: header lines, metadata only with --meta, every value agrees with NumPy" <<'EOF'
import re
def header(raw, a):
    m = json.loads(raw) if raw else {}
    axes = m.get("axes")
    plain = axes is not None and len(axes) == a.ndim and \
        all(re.fullmatch(r"[^\s,()]+", x) for x in axes)
    dims = ", ".join(("%s %d" % (x, n)) if plain else "%d" % n
                     for x, n in zip(axes if plain else a.shape, a.shape))
    name = m.get("name")
    return "# %s%s  (%s)" % (name + "  " if name is not None else "", a.dtype.str[1:], dims)
short = open(os.path.join(T, "named-short.txt")).read().split("\n\n\n")
recs = records(NAMED)
assert len(short) == len(recs), len(short)
for (raw, a), block in zip(recs, short):
    lines = block.split("\n")
    assert lines[0] == header(raw, a), (lines[0], header(raw, a))
    assert len(lines[0]) <= 100 and not any(l.startswith("#") for l in lines[1:]), lines[:2]
text = open(os.path.join(T, "named.txt")).read()
recs = records(NAMED)
blocks = text.split("\n\n\n")
assert len(blocks) == len(recs), len(blocks)
parse = {"f": float, "i": int, "u": int, "b": int}
for (raw, a), block in zip(recs, blocks):
    lines = block.split("\n")
    if lines[-1] == "":
        lines.pop()
    assert lines[0] == header(raw, a), lines[0]
    assert lines[1] == "# meta " + raw.decode(), lines[1]
    rows = lines[2:]
    nrows = 1 if a.ndim == 0 else a.shape[0]
    assert len(rows) == nrows, (a.shape, rows)
    flat = a.reshape(nrows, int(np.prod(a.shape[1:], dtype=int)))
    for r, line in enumerate(rows):
        tok = line.split("\t") if line else []
        if a.dtype.kind == "c":
            assert len(tok) == 2 * flat.shape[1]
            v = np.array([complex(float(tok[2*k]), float(tok[2*k+1]))
                          for k in range(flat.shape[1])], dtype=a.dtype)
        elif a.dtype == np.float32:
            v = np.array([np.float32(x) for x in tok], dtype=a.dtype)
        else:
            v = np.array([parse[a.dtype.kind](x) for x in tok], dtype=a.dtype)
        assert same(v, flat[r]), (json.loads(raw)["name"], r, v, flat[r])
        # exact to the sign of zero
        if a.dtype.kind == "f":
            assert np.array_equal(np.signbit(v), np.signbit(flat[r]))
EOF

dk-cat -t -b -s model/W "$named" >"$tmp/w.txt"
pycheck "--text --bare: np.loadtxt reads back model/W exactly; the header names no tensor" <<'EOF'
w = by_name(NAMED)["model/W"][1]
x = np.loadtxt(os.path.join(T, "w.txt"), comments="#", ndmin=2)
assert same(x, w)
t = open(os.path.join(T, "w.txt")).read()
assert "# meta" not in t and t.startswith("# f8  (%d, %d)\n" % w.shape), t[:30]
EOF
fails_with 2 "--meta without --text: usage error" dk-cat --meta "$named"
fails_with 2 "--meta with --bare: usage error" dk-cat -t -m -b "$named"

dk-cat -t -b -s fp/eig "$named" >"$tmp/eig.txt"
pycheck "--text of c16: two columns, real then imaginary" <<'EOF'
e = by_name(NAMED)["fp/eig"][1]
x = np.loadtxt(os.path.join(T, "eig.txt"), comments="#", ndmin=2)
assert x.shape == (5, 2)
assert same(x[:, 0], e.real) and same(x[:, 1], e.imag)
EOF

dk-cat -t -b -s img "$named" >"$tmp/img.txt"
pycheck "--text of a 3-d tensor: one row per leading index, rest flattened in C order" <<'EOF'
img = by_name(NAMED)["img"][1]
x = np.loadtxt(os.path.join(T, "img.txt"), comments="#", ndmin=2, dtype=np.int64)
assert np.array_equal(x, img.reshape(2, 6))
EOF

"$PY" -c 'import numpy as np; np.save("'"$tmp"'/bytes.npy", np.array([b"ab", b"c"]))'
fails_with 1 "--text of a byte-string tensor fails with exit 1" \
	dk-cat --text "$tmp/bytes.npy"
ok "... but a byte-string tensor passes through unchanged" dk-cat "$tmp/bytes.npy"
cmp -s "$tmp/.out" "$tmp/bytes.npy"
is "$?" 0 "... byte for byte"

# ======================================================================
# --from-text
# ======================================================================
printf '1 2.5 -3\n4e2\t5   6  \n' >"$tmp/table.txt"
dk-cat --from-text "$tmp/table.txt" >"$tmp/table.npy"
is "$?" 0 "--from-text of a plain table exits 0"
pycheck "a plain table becomes an f8 (rows, cols) tensor, no metadata" <<'EOF'
want = np.array([[1, 2.5, -3], [400, 5, 6]], dtype="<f8")
assert out("table.npy") == save_bytes([(None, want)])
EOF

printf '# a comment\n\n1\n2\n3\n\n10 20\n30 40\n' >"$tmp/tables.txt"
dk-cat -T "$tmp/tables.txt" >"$tmp/tables.npy"
pycheck "tables separated by a blank line are separate tensors; a comment is skipped" <<'EOF'
want = [(None, np.array([[1.], [2.], [3.]])),
        (None, np.array([[10., 20.], [30., 40.]]))]
assert out("tables.npy") == save_bytes(want)
EOF

dk-cat -T -d i4 -b "$tmp/table.txt" >"$tmp/table_i4.npy"
pycheck "--from-text with --dtype i4: the table truncated, as astype(i4)" <<'EOF'
want = np.array([[1, 2.5, -3], [400, 5, 6]]).astype("<i4")
assert out("table_i4.npy") == save_bytes([(None, want)])
EOF

printf '1 2 3\n4 5\n' >"$tmp/ragged.txt"
fails_with 1 "--from-text of a ragged table fails with exit 1" dk-cat -T "$tmp/ragged.txt"
printf '1 2\n3 x\n' >"$tmp/word.txt"
fails_with 1 "--from-text of a table holding a word fails with exit 1" dk-cat -T "$tmp/word.txt"

# ---- the messages of records that cannot be written ----
printf 'nan 1\n' | dk-cat -T >"$tmp/nan.npy"
fails_with 1 "--dtype i8 of a NaN fails with exit 1" dk-cat -d i8 "$tmp/nan.npy"
is "$(cat "$tmp/.err")" "dk-cat: $tmp/nan.npy: record 0 ('arr_0'): cannot convert f8 to i8: invalid argument" \
	"--dtype i8 of a NaN: the record and both types named"
"$PY" -c "import numpy as np, sys; np.save(sys.argv[1], np.array([b'ab', b'c']))" "$tmp/bytes.npy"
fails_with 1 "--text of a byte-string tensor fails with exit 1" dk-cat -t "$tmp/bytes.npy"
is "$(cat "$tmp/.err")" "dk-cat: $tmp/bytes.npy: record 0 ('arr_0'): byte-string tensors have no text form" \
	"--text of a byte-string tensor: the record named"
dk-cat -t -m "$named" >"$tmp/named.txt"
for how in "-t" "-d f4" "-r fp/x=y" "-T -r fp/x=y -t"; do
	in="$named"
	case $how in -T*) in="$tmp/named.txt" ;; esac
	# shellcheck disable=SC2086 # the options are words
	dk-cat $how "$in" >/dev/full 2>"$tmp/.err"
	is "$?:$(cat "$tmp/.err")" "1:dk-cat: stdout: write error: No space left on device" \
		"dk-cat $how >/dev/full: exit 1, the write error named once"
done

done_testing
