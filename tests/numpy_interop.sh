#!/bin/sh
# numpy_interop.sh -- NumPy reads what the tools write, and the tools read
# what NumPy writes: every dtype, rank 0, empty shapes, 3-d, .npy format
# 2.0 and 3.0 headers, Fortran order, big-endian, complex, NaN and Inf.
#
# NumPy writes each case; the tools re-serialise it (through the text form
# and back, by a --dtype conversion, or by a rename that adds metadata);
# NumPy then loads the result and compares values exactly, NaN where NaN,
# and compares the bytes with what np.save writes for the same array.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
export DK_DATA="$data" DK_TMP="$tmp"
mkdir "$tmp/in" "$tmp/out"

cat >"$tmp/prelude.py" <<'EOF'
import io, json, os, sys
import numpy as np

D = os.environ["DK_DATA"]
T = os.environ["DK_TMP"]

def result(good, desc, detail=""):
    print("%s\t%s" % ("ok" if good else "FAIL " + str(detail)[:300], desc))

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import same

def save_bytes(*arrays):
    f = io.BytesIO()
    for a in arrays:
        np.save(f, a)
    return f.getvalue()

def native(a):
    """The array as dynkit holds it: little-endian, C order."""
    return np.array(a, dtype=a.dtype.newbyteorder("<"), order="C")
EOF

pyresults() { # python check on stdin printing "ok|FAIL ...<TAB>desc" lines
	cat "$tmp/prelude.py" - >"$tmp/check.py"
	"$PY" "$tmp/check.py" "$@" >"$tmp/py.out" 2>"$tmp/py.err"
	st=$?
	while IFS='	' read -r res desc; do
		is "$res" ok "$desc"
	done <"$tmp/py.out"
	[ $st -eq 0 ] || { is "$st" 0 "python check ran"; sed 's/^/#   /' "$tmp/py.err"; }
}

# ---- NumPy writes the cases ----
# manifest: name, then the --dtype target that re-serialises it (a type
# other than its own, so the tool must read, convert and write it)
cat "$tmp/prelude.py" - >"$tmp/gen.py" <<'EOF'
IN = os.path.join(T, "in")
SHAPES = [(), (0,), (0, 3), (3, 0), (2, 0, 4), (5,), (3, 4), (2, 3, 4)]
TARGET = {"f8": "c16", "f4": "f8", "c16": "f8", "i8": "f8", "i4": "i8",
          "u1": "i4", "b1": "u1"}

def values(dt, shape):
    n = int(np.prod(shape, dtype=int))
    k = np.arange(n)
    if dt == "f8":
        v = (k - 2.5) / 3.0
        special = [np.nan, np.inf, -np.inf, -0.0, 5e-324, 1.7976931348623157e308]
    elif dt == "f4":
        v = ((k - 2.5) / 3.0).astype("f4")
        special = [np.nan, -np.inf, -0.0, 1e-45, 3.4028235e38]
    elif dt == "c16":
        v = (k - 2.5) / 3.0 + 1j * (k * 1e10 - 7)
        special = [complex(np.nan, 1), complex(0, np.inf), complex(-0.0, -0.0)]
    elif dt == "i8":
        v = k * 1234567 - 5
        special = [2**63 - 1, -2**63, 2**53 + 1]
    elif dt == "i4":
        v = k * 12345 - 5
        special = [2**31 - 1, -2**31]
    elif dt == "u1":
        v = k * 37 % 256
        special = [255, 0]
    else:
        v = k % 3 == 1
        special = [True]
    a = np.array(v, dtype=dt).reshape(-1)
    for i, s in enumerate(special[:n]):
        a[(i * 2 + 1) % n] = s
    return a.reshape(shape)

cases = []
def case(name, a, target, write=np.save):
    with open(os.path.join(IN, name + ".npy"), "wb") as f:
        write(f, a)
    np.save(os.path.join(IN, name + ".want.npy"), a)  # for the checker
    cases.append("%s %s" % (name, target))

for dt in TARGET:
    for shape in SHAPES:
        name = "%s_%s" % (dt, "x".join(map(str, shape)) or "scalar")
        case(name, values(dt, shape), TARGET[dt])

# header versions, Fortran order, byte order (and all at once)
for v in ((2, 0), (3, 0)):
    for dt in ("f8", "c16", "i4"):
        case("v%d_%s" % (v[0], dt), values(dt, (3, 4)), TARGET[dt],
             lambda f, a, v=v: np.lib.format.write_array(f, a, version=v))
for dt in ("f8", "f4", "c16", "i8", "i4", "u1", "b1"):
    case("fortran_%s" % dt, np.asfortranarray(values(dt, (2, 3, 4))), TARGET[dt])
case("fortran_2d", np.asfortranarray(values("f8", (3, 5))), "c16")
for dt in ("f8", "f4", "c16", "i8", "i4"):
    case("big_%s" % dt, values(dt, (2, 3)).astype(">" + dt), TARGET[dt])
case("big_fortran_v2", np.asfortranarray(values("c16", (2, 3, 2)).astype(">c16")),
     "f8", lambda f, a: np.lib.format.write_array(f, a, version=(2, 0)))
case("big_scalar", values("f8", ()).astype(">f8"), "c16")

open(os.path.join(T, "cases.txt"), "w").write("\n".join(cases) + "\n")
EOF
"$PY" "$tmp/gen.py"
is "$?" 0 "NumPy wrote the cases"

# ---- the tools re-serialise them ----
while read -r name target; do
	in="$tmp/in/$name.npy" o="$tmp/out/$name"
	{ dk-cat --text "$in" | dk-cat --from-text >"$o.text.npy"; } 2>>"$tmp/tools.err"
	echo $? >"$o.text.st"
	dk-cat --dtype "$target" "$in" >"$o.dtype.npy" 2>>"$tmp/tools.err"
	echo $? >"$o.dtype.st"
	dk-cat --rename arr_0=x "$in" >"$o.rename.npy" 2>>"$tmp/tools.err"
	echo $? >"$o.rename.st"
	dk-info -j "$in" >"$o.info.json" 2>>"$tmp/tools.err"
	echo $? >"$o.info.st"
done <"$tmp/cases.txt"

pyresults <<'EOF'
OUT = os.path.join(T, "out")
for line in open(os.path.join(T, "cases.txt")):
    name, target = line.split()
    a = np.load(os.path.join(T, "in", name + ".want.npy"))
    o = os.path.join(OUT, name)
    st = {v: open(o + "." + v + ".st").read().strip()
          for v in ("text", "dtype", "rename", "info")}

    # through text and back: a new record, native byte order, C order
    try:
        b = open(o + ".text.npy", "rb").read()
        x = np.load(io.BytesIO(b))
        good = st["text"] == "0" and same(x, native(a)) and b == save_bytes(native(a))
        detail = (st["text"], x.dtype, x.shape)
    except Exception as e:
        good, detail = False, (st["text"], e)
    result(good, "%s: --text | --from-text: NumPy loads it equal, bytes as np.save" % name, detail)

    # --dtype: converted exactly as NumPy's astype, bytes as np.save
    try:
        b = open(o + ".dtype.npy", "rb").read()
        x = np.load(io.BytesIO(b))
        src = a.real if a.dtype.kind == "c" and target != "c16" else a
        w = native(src.astype(np.dtype(target).newbyteorder("<")))
        good = st["dtype"] == "0" and same(x, w) and b == save_bytes(w)
        detail = (st["dtype"], x.dtype, x.shape)
    except Exception as e:
        good, detail = False, (st["dtype"], e)
    result(good, "%s: --dtype %s equals NumPy's astype, bytes as np.save" % (name, target), detail)

    # --rename: a metadata record NumPy reads, then the tensor unchanged
    try:
        f = io.BytesIO(open(o + ".rename.npy", "rb").read())
        meta = np.load(f)
        head = f.getvalue()[:f.tell()]
        x = np.load(f)
        good = (st["rename"] == "0" and meta.shape == () and
                json.loads(meta[()]) == {"name": "x"} and
                head == save_bytes(np.array(b'{"name":"x"}')) and
                same(x, a) and f.tell() == len(f.getvalue()))
        detail = (st["rename"], meta, x.dtype)
    except Exception as e:
        good, detail = False, (st["rename"], e)
    result(good, "%s: --rename: json.loads(np.load(f)[()]) then np.load(f) equal" % name, detail)

    # dk-info reads the header NumPy wrote
    try:
        j = json.loads(open(o + ".info.json").read())
        good = (st["info"] == "0" and j["shape"] == list(a.shape) and
                j["dtype"][1:] == a.dtype.str[1:])
        detail = j
    except Exception as e:
        good, detail = False, (st["info"], e)
    result(good, "%s: dk-info -j: dtype %s shape %s" % (name, a.dtype.str[1:], a.shape), detail)
EOF
[ -s "$tmp/tools.err" ] && sed 's/^/# stderr: /' "$tmp/tools.err" | head -20

# ---- the tools' headers are NumPy's, byte for byte ----
# f4 in, --bare --dtype f8 out, against np.save(a.astype(f8)); the shapes
# vary the header's length, its padding and NumPy's growth spaces
cat "$tmp/prelude.py" - >"$tmp/gen2.py" <<'EOF'
shapes = [(), (1,), (7,), (12345,), (0,), (1000000000, 0), (0, 1000000000),
          (3, 4), (2, 1, 1, 1, 1, 1, 1, 2), (1,) * 32, (0,) * 20]
out = []
for i, s in enumerate(shapes):
    a = (np.arange(int(np.prod(s, dtype=int)), dtype="f4") / 4 - 1).reshape(s)
    np.save(os.path.join(T, "hdr%d.npy" % i), a)
    np.save(os.path.join(T, "hdr%d.want.npy" % i), a.astype("f8"))
    out.append("%d %r" % (i, s))
open(os.path.join(T, "hdr.txt"), "w").write("\n".join(out) + "\n")
EOF
"$PY" "$tmp/gen2.py"
while read -r i shape; do
	dk-cat --bare --dtype f8 "$tmp/hdr$i.npy" >"$tmp/hdr$i.out"
	ok "dk-cat --bare --dtype f8 of f4 $shape: bytes equal np.save(a.astype(f8))" \
		cmp "$tmp/hdr$i.out" "$tmp/hdr$i.want.npy"
done <"$tmp/hdr.txt"

# ---- a stream of several records, read in Python ----
dk-cat "$data/stream_named.npy" | "$PY" -c '
import io, json, sys
import numpy as np
f = io.BytesIO(sys.stdin.buffer.read())
end = len(f.getvalue())
names = []
while f.tell() < end:
    meta = json.loads(np.load(f)[()])
    x = np.load(f)
    names.append("%s:%s:%s" % (meta["name"], x.dtype.str, x.shape))
print(" ".join(names))' >"$tmp/py_names.txt"
"$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))
print(" ".join("%s:%s:%s" % (r["name"], r["dtype"], tuple(r["shape"])) for r in e))' \
	"$data/expected/stream_named.json" >"$tmp/want_names.txt"
ok "dk-cat's stream read in Python (io.BytesIO, json.loads(np.load(f)[()]), np.load(f))" \
	cmp "$tmp/py_names.txt" "$tmp/want_names.txt"

dk-cat -d c16 -r run/h=run/z "$data/stream_named.npy" "$data/plain_f8.npy" \
	>"$tmp/made.npy"
pyresults "$data/stream_named.npy" "$data/plain_f8.npy" "$tmp/made.npy" <<'EOF'
def stream(path):
    f = io.BytesIO(open(path, "rb").read())
    recs, meta = [], None
    while f.tell() < len(f.getvalue()):
        a = np.load(f)
        if a.dtype.kind == "S" and a.ndim == 0:
            meta = json.loads(a[()])
        else:
            recs.append((meta, a))
            meta = None
    return recs

want = stream(sys.argv[1]) + stream(sys.argv[2])
got = stream(sys.argv[3])
result(len(got) == len(want), "a converted, renamed stream of two files: 12 tensors", len(got))
bad = []
for (wm, wa), (gm, ga) in zip(want, got):
    if wm and wm["name"] == "run/h":
        wm = dict(wm, name="run/z")
    if gm != wm or not same(ga, wa.astype("c16")):
        bad.append((wm, gm))
result(not bad, "... each with its metadata (run/h renamed, extra keys kept) and a.astype(c16)", bad)
EOF

done_testing
