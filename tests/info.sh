#!/bin/sh
# info.sh -- dk-info: the listing (index, name, dtype, shape with the axis
# names, summary; attrs with -v) against data/expected/stream_named.json,
# which data/make_fixtures.py wrote from the same Python values it gave
# np.save, the summaries rebuilt here by the rule dk-info(1) states; the
# statistics (-s) against NumPy computed here from the fixture; no line
# of the default listing wider than 100 columns, for a trained network's
# checkpoint, dk-fixed's output and records of long names and attrs.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
export DK_DATA="$data" DK_TMP="$tmp"
named="$data/stream_named.npy"
plain="$data/plain_f8.npy"

cat >"$tmp/prelude.py" <<'EOF'
import io, json, math, os, sys
import numpy as np

D = os.environ["DK_DATA"]
T = os.environ["DK_TMP"]
EXPECTED = json.load(open(os.path.join(D, "expected", "stream_named.json")))
NAMED = os.path.join(D, "stream_named.npy")
PLAIN = os.path.join(D, "plain_f8.npy")

def result(good, desc, detail=""):
    """One assertion, turned into TAP by the shell."""
    print("%s\t%s" % ("ok" if good else "FAIL " + str(detail), desc))

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, arrays, name, by_name, save_bytes, same

def table(path):
    """dk-info's table: cells cut at the header's column starts."""
    lines = open(path).read().split("\n")
    assert lines[-1] == ""
    head, rows = lines[0], lines[1:-1]
    cols = [(m.start(), m.group()) for m in __import__("re").finditer(r"\S+", head)]
    cells = []
    for row in rows:
        c = {}
        for k, (start, title) in enumerate(cols):
            end = cols[k + 1][0] if k + 1 < len(cols) else None
            c[title] = row[start:end].strip()
        cells.append(c)
    return [t for s, t in cols], cells

def shape_text(shape, axes):
    """The shape as dk-info shows it: with the axis names when each is plain."""
    plain = axes is not None and len(axes) == len(shape) and \
        all(__import__("re").fullmatch(r"[^\s,()]+", x) for x in axes)
    return "(%s)" % ", ".join(("%s %d" % (x, n)) if plain else "%d" % n
                              for x, n in zip(axes if plain else shape, shape))

def pair(k, v):
    if isinstance(v, bool):
        v = "true" if v else "false"
    elif isinstance(v, int):
        v = "%d" % v
    elif isinstance(v, float):
        v = "%.6g" % v
    elif v is None:
        v = "null"
    elif isinstance(v, dict):
        v = "{...}"
    elif isinstance(v, list):
        v = "[...]"
    return "%s=%s" % (k, v)

def summary(a, attrs):
    """dk-info(1)'s summary: the values of 1 to 4 elements, else the attrs
    in brief (provenance left out, objects one level down opened)."""
    if 0 < a.size <= 4:
        x = a.reshape(-1)
        if a.dtype.kind == "c":
            return "= " + " ".join("%.6g%+.6gi" % (z.real, z.imag) for z in x)
        if a.dtype.kind in "iub":
            return "= " + " ".join("%d" % z for z in x)
        return "= " + " ".join("%.6g" % float(z) for z in x)
    parts = []
    for k in sorted(attrs or {}):
        v = attrs[k]
        if k == "provenance":
            continue
        if isinstance(v, dict):
            parts.append(k + ":")
            inner = sorted(v)
            if "kind" in inner:
                inner = ["kind"] + [x for x in inner if x != "kind"]
            parts += [pair(x, v[x]) for x in inner]
        else:
            parts.append(pair(k, v))
    return " ".join(parts) or "-"

def stats(a):
    """What -s must say: of the finite elements (complex: the modulus)."""
    x = np.abs(a) if a.dtype.kind == "c" else a.astype(np.float64)
    x = x.reshape(-1)
    fin = x[np.isfinite(x)]
    s = {"finite": int(fin.size), "nan": int(np.isnan(x).sum()),
         "inf": int(np.isinf(x).sum())}
    if fin.size:
        s.update(min=float(fin.min()), max=float(fin.max()),
                 mean=float(fin.mean()), std=float(fin.std()))
    else:
        s.update(min=None, max=None, mean=None, std=None)
    return s

def close(got, want, scale):
    """Within 1e-12 relative."""
    if want is None or got is None:
        return got is want
    if not math.isfinite(want):
        return got == want
    return abs(got - want) <= 1e-12 * max(abs(want), 1e-300)
EOF

pyresults() { # python check on stdin printing "ok|FAIL ...<TAB>desc" lines
	cat "$tmp/prelude.py" - >"$tmp/check.py"
	"$PY" "$tmp/check.py" >"$tmp/py.out" 2>"$tmp/py.err"
	st=$?
	while IFS='	' read -r res desc; do
		is "$res" ok "$desc"
	done <"$tmp/py.out"
	[ $st -eq 0 ] || { is "$st" 0 "python check ran"; sed 's/^/#   /' "$tmp/py.err"; }
}

# ---- the table ----
dk-info "$named" >"$tmp/table.txt" 2>"$tmp/table.err"
is "$?" 0 "dk-info FILE exits 0"
is "$(wc -c <"$tmp/table.err" | tr -d ' ')" 0 "dk-info FILE: nothing on stderr"
pyresults <<'EOF'
titles, rows = table(os.path.join(T, "table.txt"))
result(titles == ["#", "name", "dtype", "shape", "summary"],
       "table columns: # name dtype shape summary", titles)
result(len(rows) == len(EXPECTED), "one row per tensor (11)", len(rows))
for e, a, r in zip(EXPECTED, arrays(NAMED), rows):
    # the dtype column: NumPy's type string without its byte order
    want = {"#": str(e["index"]), "name": e["name"], "dtype": a.dtype.str[1:],
            "shape": shape_text(e["shape"], e["axes"]),
            "summary": summary(a, e["attrs"])}
    got = {k: r[k] for k in want}
    result(got == want, "row %d: %s %s %s %s" % (e["index"], e["name"],
               want["dtype"], want["shape"], want["summary"]), got)
EOF

dk-info -v "$named" >"$tmp/vtable.txt"
is "$?" 0 "dk-info -v exits 0"
pyresults <<'EOF'
titles, rows = table(os.path.join(T, "vtable.txt"))
result(titles == ["#", "name", "dtype", "shape", "attrs"],
       "-v table columns: # name dtype shape attrs", titles)
for e, r in zip(EXPECTED, rows):
    attrs_ok = (r["attrs"] == "-" if e["attrs"] is None
                else json.loads(r["attrs"]) == e["attrs"])
    result(attrs_ok and r["name"] == e["name"],
           "-v row %d: %s, the whole attrs %s" % (e["index"], e["name"], e["attrs"]), r)
EOF

# ---- JSON Lines ----
dk-info --json "$named" >"$tmp/info.jsonl"
is "$?" 0 "dk-info --json exits 0"
pyresults <<'EOF'
lines = open(os.path.join(T, "info.jsonl")).read().splitlines()
result(len(lines) == len(EXPECTED), "--json: one line per tensor", len(lines))
for e, line in zip(EXPECTED, lines):
    j = json.loads(line)
    # dk-info(1) documents index, name, dtype, shape, axes, attrs; the tool
    # also writes "file", which must then name the operand
    if j.get("file", NAMED) == NAMED:
        j.pop("file", None)
    want = {"index": e["index"], "name": e["name"], "dtype": e["dtype"],
            "shape": e["shape"]}
    if e["axes"] is not None:
        want["axes"] = e["axes"]
    if e["attrs"] is not None:
        want["attrs"] = e["attrs"]
    result(j == want, "--json %s: %s" % (e["name"], json.dumps(want, sort_keys=True)), j)
EOF

# ---- statistics against NumPy ----
dk-info -j -s "$named" >"$tmp/stats.jsonl"
is "$?" 0 "dk-info -j -s exits 0"
pyresults <<'EOF'
arrs = arrays(os.path.join(D, "stream_named.npy"))
lines = open(os.path.join(T, "stats.jsonl")).read().splitlines()
result(len(lines) == len(arrs), "-j -s: one line per tensor", len(lines))
for e, a, line in zip(EXPECTED, arrs, lines):
    j = json.loads(line)
    got, want = j.get("stats"), stats(a)
    if got is None:
        result(False, "-s %s: has stats" % e["name"], j)
        continue
    scale = max(abs(want["min"] or 0), abs(want["max"] or 0))
    counts = all(got[k] == want[k] for k in ("finite", "nan", "inf"))
    if a.dtype.kind == "c":  # the modulus is computed, not an element
        exact = close(got["min"], want["min"], scale) and close(got["max"], want["max"], scale)
    else:  # element values: exact
        exact = got["min"] == want["min"] and got["max"] == want["max"]
    near = all(close(got[k], want[k], scale) for k in ("mean", "std"))
    result(counts, "-s %s: finite %d, nan %d, inf %d as NumPy" %
           (e["name"], want["finite"], want["nan"], want["inf"]), got)
    result(exact and near, "-s %s: min max (complex: 1e-12), mean std to 1e-12 as NumPy" %
           e["name"], (got, want))
EOF

for f in plain_f8 v2_header fortran bigendian; do
	dk-info -j -s "$data/$f.npy" >"$tmp/$f.jsonl"
done
pyresults <<'EOF'
KEYS = ["finite", "nan", "inf", "min", "max", "mean", "std"]
for f in ("plain_f8", "v2_header", "fortran", "bigendian"):
    arrs = arrays(os.path.join(D, f + ".npy"))
    lines = [json.loads(l) for l in open(os.path.join(T, f + ".jsonl"))]
    good = len(lines) == len(arrs)
    for i, (a, j) in enumerate(zip(arrs, lines)):
        want, got = stats(a), j["stats"]
        scale = max(abs(want["min"] or 0), abs(want["max"] or 0))
        good = good and j["name"] == "arr_%d" % i and j["index"] == i
        good = good and j["shape"] == list(a.shape)
        # a big-endian record is listed with the little-endian type it is read as
        good = good and j["dtype"] == a.dtype.newbyteorder("<").str
        for k in KEYS:
            if k not in got:
                continue  # asserted below
            if k == "std" and want[k] == math.inf:
                # NumPy's std overflows here; the true value is finite
                true = float(np.std(a / scale) * scale)
                good = good and (got[k] is None or close(got[k], true, scale))
            elif k in ("min", "max") and a.dtype.kind != "c":
                good = good and got[k] == want[k]  # element values: exact
            else:
                good = good and close(got[k], want[k], scale)
    result(good, "-j -s on %s.npy: names arr_N, dtype, shape, stats as NumPy" % f,
           (lines, [stats(a) for a in arrs]))
    missing = [(j["index"], k) for j in lines for k in KEYS if k not in j["stats"]]
    result(not missing, "-j -s on %s.npy: every stats object has %s" %
           (f, " ".join(KEYS)), "missing (index, key): %s" % missing)
EOF

dk-info -s "$named" >"$tmp/stable.txt"
pyresults <<'EOF'
titles, rows = table(os.path.join(T, "stable.txt"))
result(titles == ["#", "name", "dtype", "shape", "min", "max", "mean",
                  "std", "nan", "inf", "summary"], "-s table columns", titles)
for e, a, r in zip(EXPECTED, arrays(os.path.join(D, "stream_named.npy")), rows):
    s = stats(a)
    want = {"nan": str(s["nan"]), "inf": str(s["inf"])}
    for k in ("min", "max"):
        want[k] = "-" if s[k] is None else "%.6g" % s[k]
    got = {k: r[k] for k in want}
    result(got == want, "-s table %s: min %s max %s nan %s inf %s" %
           (e["name"], want["min"], want["max"], want["nan"], want["inf"]), got)
EOF

# ---- several files, stdin ----
dk-info "$named" "$plain" >"$tmp/two.txt"
is "$?" 0 "dk-info A B exits 0"
{
	echo "==> $named <=="
	cat "$tmp/table.txt"
	echo
	echo "==> $plain <=="
	dk-info "$plain"
} >"$tmp/two.want"
ok "dk-info A B: each file's table under '==> FILE <=='" cmp "$tmp/two.txt" "$tmp/two.want"
pyresults <<'EOF'
lines = open(os.path.join(T, "two.want")).read().split("\n")
i = lines.index("==> %s <==" % os.path.join(D, "plain_f8.npy"))
row = lines[i + 2].split()
result(row == ["0", "arr_0", "f8", "(3,", "4)", "-"],
       "the second file's row: 0 arr_0 f8 (3, 4) -", row)
EOF

dk-info -j "$named" "$plain" >"$tmp/two.jsonl"
pyresults <<'EOF'
lines = [json.loads(l) for l in open(os.path.join(T, "two.jsonl"))]
result([l["index"] for l in lines] == list(range(11)) + [0],
       "-j A B: 12 lines, the index restarts at 0 for B", [l["index"] for l in lines])
last = dict(lines[-1])
if last.get("file", PLAIN) == PLAIN:
    last.pop("file", None)
result(last == {"index": 0, "name": "arr_0", "dtype": "<f8", "shape": [3, 4]},
       "-j A B: B's tensor without metadata has no axes or attrs keys", lines[-1])
EOF

dk-info <"$named" >"$tmp/stdin.txt"
ok "dk-info <FILE equals dk-info FILE" cmp "$tmp/stdin.txt" "$tmp/table.txt"
cat "$named" | dk-info - >"$tmp/dash.txt"
ok "cat FILE | dk-info - equals dk-info FILE" cmp "$tmp/dash.txt" "$tmp/table.txt"

# ---- 100 columns ----
# a trained network's checkpoint (big attrs: the model's, the training's,
# provenance), dk-fixed's output, and records with a 200-character name,
# long axis names and a long attribute string
dk-init rnn --units 8 --inputs 3 --outputs 3 --seed 1 |
	dk-train --task flipflop --batch 4 --length 20 --steps 20 >"$tmp/ck.npy" 2>/dev/null
dk-gen flipflop --batch 2 --length 20 --seed 1 | dk-run "$tmp/ck.npy" 2>/dev/null |
	dk-fixed --jac "$tmp/ck.npy" >"$tmp/fx.npy" 2>/dev/null
ok "made a checkpoint and dk-fixed's output" test -s "$tmp/ck.npy" -a -s "$tmp/fx.npy"
"$PY" - <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import save_bytes
T = os.environ["DK_TMP"]
long = "model/" + "layer_%d/" * 30 % tuple(range(30)) + "weight"
m1 = {"name": long, "axes": ["a_very_long_axis_name_%d" % i for i in range(3)],
      "attrs": {"note": "x" * 500, "model": {"kind": "rnn", "units": 2 ** 40}}}
m2 = {"name": "w", "axes": ["time", "batch", "unit"], "attrs": {"é": "ü" * 300}}
open(os.path.join(T, "long.npy"), "wb").write(save_bytes([
    (json.dumps(m1).encode(), np.zeros((2, 3, 4))),
    (json.dumps(m2, ensure_ascii=False).encode(), np.zeros((100000, 2, 7)))]))
EOF
for f in ck fx long; do
	dk-info "$tmp/$f.npy" >"$tmp/w-$f.txt"
	is "$?" 0 "dk-info $f.npy exits 0"
	# columns are characters: count them as UTF-8
	"$PY" -c "import sys; L = open(sys.argv[1], encoding='utf-8').read().splitlines(); \
		w = max(len(l) for l in L); print(w); sys.exit(w > 100 or len(L) < 2)" \
		"$tmp/w-$f.txt" >"$tmp/w.out"
	tap_result $? "dk-info $f.npy: no line wider than 100 columns (widest: $(cat "$tmp/w.out"))"
done
grep -q '^0  model/layer_0/layer_1/layer_2/lay\.\.\.  f8     (2, 3, 4)  *model: kind=rnn u.*\.\.\.$' "$tmp/w-long.txt"
tap_result $? "a long name and summary cut, ending in '...'; long axis names left out"
sed 's/^/#   /' "$tmp/w-long.txt"
dk-info -v "$tmp/long.npy" | grep -q 'layer_29/weight  f8     (a_very_long_axis_name_0 2, '
tap_result $? "-v: the whole name and the axis names"

dk-info </dev/null >"$tmp/empty.txt"
is "$?" 0 "dk-info on empty input exits 0"
is "$(wc -c <"$tmp/empty.txt" | tr -d ' ')" 0 "dk-info on empty input prints nothing"

# ---- the dtype column: short names; -j keeps the .npy descr ----
"$PY" -c "import numpy as np, sys; np.save(sys.argv[1], np.array([b'abcde', b'x']))" "$tmp/bytes.npy"
is "$(dk-info "$tmp/bytes.npy" | sed -n 2p)" "0  arr_0  S5     (2)    -" \
	"a byte-string tensor's dtype is S5, as NumPy's |S5 without the '|'"
is "$(dk-info -j "$tmp/bytes.npy" | grep -o '"dtype":"[^"]*"')" '"dtype":"|S5"' \
	"-j: a byte-string tensor's dtype is the .npy descr |S5"
is "$(dk-info "$data/bigendian.npy" | awk 'NR == 2 { print $3 }')" "f8" \
	"a big-endian f8 tensor's dtype column is f8"

done_testing
