#!/bin/sh
# python_module.sh -- the dynkit Python module (python/dynkit) against
# NumPy and the tools: every stream dtype with names, axes and attrs
# written by dynkit.write (the bytes np.save writes), passed through
# dk-cat and listed by dk-info, read back from a pipe with the same bits;
# dk-gen's and dk-run's output read from a pipe as np.load reads the same
# bytes; unnamed np.save streams, big-endian, Fortran-order, 0-d, empty
# and version 2.0 and 3.0 records; README's example as it stands; and
# broken streams refused with the record number and the message dk-cat
# gives for the same bytes.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# The prelude of every check: the module from the source tree, and
# NumPy's own reading of a stream's bytes, independent of it.
cat >"$tmp/common.py" <<EOF
import io, json, os, subprocess, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "python"))
import dynkit
tmp = "$tmp"

def numpy_records(data):
    """[(metadata object or None, array)] by np.load on the bytes."""
    f, out, pending = io.BytesIO(data), [], None
    while f.tell() < len(data):
        a = np.load(f)
        if a.ndim == 0 and a.dtype.kind == "S":
            pending = json.loads(a[()])
            continue
        out.append((pending, a))
        pending = None
    return out

def same_bits(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape and
            np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes())

def from_pipe(argv):
    """dynkit.read on a command's standard output, and its exit status."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE)
    try:
        recs = list(dynkit.read(p.stdout))
    finally:
        p.stdout.close()
    return recs, p.wait()
EOF
check() { # description; Python on stdin, after the prelude
	cat "$tmp/common.py" - >"$tmp/check.py"
	py_ok "$1" "$tmp/check.py"
}

# Every dtype the stream carries, with values that show lost bits: NaN
# payloads, -0, infinities, subnormals, the integer extremes.
check "dynkit.write of every dtype: the bytes np.save writes, metadata as the tools write it" <<'EOF'
rng = np.random.default_rng(7)
special = np.array([np.nan, -0.0, np.inf, -np.inf, 5e-324, 1.7976931348623157e308])
payload = np.array([0x7ff8dead00000001], dtype="<u8").view("<f8")
tensors = [
    ("a/f8", np.concatenate([special, payload, rng.standard_normal(5)]).reshape(3, 4), ["row", "col"], {"kind": "f8", "g": 1.5}),
    ("a/f4", np.array([np.nan, -0.0, np.inf, 1e-45, 3.4028235e38, 0.1], dtype="<f4"), ["x"], {"unit": "\u00b5s"}),
    ("a/c16", (rng.standard_normal(4) + 1j * np.array([0, -0.0, np.inf, np.nan])).astype("<c16"), ["eig"], {}),
    ("a/i8", np.array([[-2**63, 2**63 - 1], [0, -1]], dtype="<i8"), None, {"n": np.int64(3), "v": np.arange(2)}),
    ("a/i4", np.array([-2**31, 2**31 - 1, 7], dtype="<i4"), ["k"], None),
    ("a/u1", np.arange(256, dtype="|u1").reshape(16, 16), ["r", "c"], {"nested": {"list": [1, None, True]}}),
    ("a/b1", rng.random((2, 3, 4)) < 0.5, ["t", "b", "u"], {"empty": {}}),
]
with open(tmp + "/all.npy", "wb") as f:
    for name, a, axes, attrs in tensors:
        dynkit.write(f, name, a, axes=axes, attrs=attrs)
# the same stream by np.save, metadata as dk-stream(5) says a tool writes it
ref = io.BytesIO()
for name, a, axes, attrs in tensors:
    m = {"name": name}
    if axes is not None:
        m["axes"] = axes
    if attrs is not None:
        m["attrs"] = json.loads(json.dumps(attrs, default=lambda v: v.tolist()))
    np.save(ref, np.bytes_(json.dumps(m, sort_keys=True, separators=(",", ":")).encode()))
    np.save(ref, a)
data = open(tmp + "/all.npy", "rb").read()
assert data == ref.getvalue(), "dynkit.write's bytes differ from np.save's"
json.dump([[n, str(a.dtype.str), list(a.shape), ax] for n, a, ax, at in tensors],
          open(tmp + "/all.json", "w"))
EOF

check "every dtype through dk-cat, read by dynkit.read from a pipe: the same names, axes, attrs and bits" <<'EOF'
written = numpy_records(open(tmp + "/all.npy", "rb").read())
recs, status = from_pipe(["dk-cat", tmp + "/all.npy"])
assert status == 0
assert len(recs) == len(written) == 7, len(recs)
for r, (m, a) in zip(recs, written):
    assert r.name == m["name"] and r.meta == m, (r.name, r.meta, m)
    assert same_bits(r.array, a), r.name
    assert r.array.flags.writeable
assert [str(r.array.dtype.str) for r in recs] == ["<f8", "<f4", "<c16", "<i8", "<i4", "|u1", "|b1"]
assert recs[1].meta["attrs"]["unit"] == "\u00b5s"
assert recs[3].meta["attrs"] == {"n": 3, "v": [0, 1]} and "axes" not in recs[3].meta
# the tools saw them too: dk-info lists each with its dtype, shape and axes
listed = [json.loads(l) for l in subprocess.run(["dk-info", "-j", tmp + "/all.npy"],
          check=True, capture_output=True, text=True).stdout.splitlines()]
want = json.load(open(tmp + "/all.json"))
got = [[l["name"], l["dtype"], l["shape"], l.get("axes")] for l in listed]
assert got == want, (got, want)
EOF

check "dk-cat --bare, read from a pipe: names None, the same bits; load names them arr_N" <<'EOF'
recs, status = from_pipe(["dk-cat", "--bare", tmp + "/all.npy"])
assert status == 0 and len(recs) == 7
written = numpy_records(open(tmp + "/all.npy", "rb").read())
assert all(r.name is None and r.meta == {} for r in recs)
assert all(same_bits(r.array, a) for r, (m, a) in zip(recs, written))
subprocess.run("dk-cat --bare %s/all.npy > %s/bare.npy" % (tmp, tmp), shell=True, check=True)
loaded = dynkit.load(tmp + "/bare.npy")
assert list(loaded) == ["arr_%d" % i for i in range(7)]
assert dynkit.meta(tmp + "/bare.npy") == {}
EOF

dk-gen flipflop --bits 3 --batch 4 --length 20 --seed 5 >"$tmp/in.npy"
dk-init rnn --units 8 --inputs 3 --outputs 3 --seed 2 >"$tmp/m.npy"
dk-run "$tmp/m.npy" "$tmp/in.npy" >"$tmp/run.npy"
check "dk-gen's and dk-run's output read from a pipe as np.load reads the same bytes" <<'EOF'
for argv, path, names in [
        (["dk-gen", "flipflop", "--bits", "3", "--batch", "4", "--length", "20", "--seed", "5"],
         tmp + "/in.npy", {"input", "target", "mask"}),
        (["dk-run", tmp + "/m.npy", tmp + "/in.npy"], tmp + "/run.npy", {"states", "output"})]:
    recs, status = from_pipe(argv)
    assert status == 0, argv
    ref = numpy_records(open(path, "rb").read())
    assert len(recs) == len(ref) and len(recs) > 0
    for r, (m, a) in zip(recs, ref):
        assert r.meta == m and r.name == m["name"] and same_bits(r.array, a), r.name
    assert names <= {r.name for r in recs}, [r.name for r in recs]
loaded = dynkit.load(tmp + "/run.npy")
assert loaded["states"].shape == (20, 4, 8) and loaded["states"].dtype == np.float64
assert dynkit.meta(tmp + "/run.npy")["states"]["axes"] == ["time", "batch", "unit"]
EOF

# README's example, as it stands, on dk-run's output through a pipe
mkdir "$tmp/readme"
awk '/^### From Python/ { on = 1 } on && /^    / { sub(/^    /, ""); print }
	on && /^`dynkit.read`/ { exit }' "$top_srcdir/README.md" >"$tmp/readme/example.py"
(cd "$tmp/readme" && dk-run "$tmp/m.npy" "$tmp/in.npy" |
	PYTHONPATH="$top_srcdir/python" "$PY" example.py >printed.txt 2>&1)
check "README's Python example reads dk-run's output from a pipe and writes net.npy" <<'EOF'
code = open(tmp + "/readme/example.py").read()
assert "dynkit.read(sys.stdin.buffer)" in code and "dynkit.write(" in code, code
printed = open(tmp + "/readme/printed.txt").read().splitlines()
want = ["%s %s %s %s" % (m["name"], a.dtype, a.shape, m.get("axes"))
        for m, a in numpy_records(open(tmp + "/run.npy", "rb").read())]
assert printed == want, (printed, want)
(m, W), = numpy_records(open(tmp + "/readme/net.npy", "rb").read())
assert m == {"name": "model/W", "axes": ["unit", "unit_in"], "attrs": {"g": 1.5}}
assert same_bits(W, np.eye(4))
EOF

check "np.save streams: no metadata (names None), big-endian, Fortran order, 0-d, empty, versions 2.0 and 3.0" <<'EOF'
import numpy.lib.format as fmt
arrays = [np.float64(2.5) * np.ones(()), np.zeros((0,)), np.zeros((3, 0, 2), "<i4"),
          np.arange(6, dtype=">f8").reshape(2, 3), np.asfortranarray(np.arange(12.0).reshape(3, 4)),
          np.arange(4, dtype=">c16") * (1 + 2j), np.array([b"ab", b"c"]), np.ones((), "|b1")]
f = io.BytesIO()
for a in arrays:
    np.save(f, a)
for version in [(2, 0), (3, 0)]:
    fmt.write_array(f, np.arange(5, dtype="<i8") * 3, version=version)
data = f.getvalue()
# a reader that only reads, one short piece at a time: no seek, no tell
class Trickle:
    def __init__(self, data):
        self.data, self.pos = data, 0
    def read(self, n):
        part = self.data[self.pos:self.pos + min(n, 7)]
        self.pos += len(part)
        return part
for src in [io.BytesIO(data), Trickle(data)]:
    recs = list(dynkit.read(src))
    ref = numpy_records(data)
    assert len(recs) == len(arrays) + 2
    for r, (m, a) in zip(recs, ref):
        assert r.name is None and r.meta == {}
        assert r.array.dtype == a.dtype and r.array.shape == a.shape, (r.array, a)
        assert np.array_equal(r.array, a) and same_bits(r.array, a)
        assert r.array.flags.f_contiguous == a.flags.f_contiguous or a.ndim < 2
assert recs[3].array.dtype.str == ">f8" and recs[4].array.flags.f_contiguous
assert recs[0].array.shape == () and recs[0].array[()] == 2.5
EOF

check "dynkit.write: paths append, big-endian and Fortran arrays written little-endian C order, other dtypes refused" <<'EOF'
p = tmp + "/append.npy"
dynkit.write(p, "x", np.arange(3.0))
dynkit.write(p, "y", np.arange(4, dtype=">f8").reshape(2, 2).T, axes=["a", "b"])
dynkit.write(p, None, [1, 2, 3])
recs = list(dynkit.read(p))
assert [r.name for r in recs] == ["x", "y", None], [r.name for r in recs]
assert recs[1].array.dtype.str == "<f8" and recs[1].array.flags.c_contiguous
assert np.array_equal(recs[1].array, [[0, 2], [1, 3]]) and recs[2].array.dtype.str == "<i8"
ref = io.BytesIO()
np.save(ref, np.bytes_(b'{"axes":["a","b"],"name":"y"}'))
np.save(ref, np.array([[0.0, 2.0], [1.0, 3.0]]))
assert ref.getvalue() in open(p, "rb").read()
for bad, what in [(np.zeros(2, np.float16), "float16"), (np.zeros(2, np.int16), "int16"),
                  (np.array(b"x"), "0-d byte string"), (np.array(["u"]), "<U1")]:
    try:
        dynkit.write(io.BytesIO(), "z", bad)
    except TypeError as e:
        assert what.split()[0] in str(e) or "0-d" in str(e), e
    else:
        raise AssertionError("wrote " + what)
for src in [b"\x93NUMPY", 3]:
    try:
        next(dynkit.read(src))
    except TypeError as e:
        assert "path or a binary file" in str(e), e
    else:
        raise AssertionError("read %r" % src)
try:
    dynkit.read(io.StringIO("text")).__next__()
except TypeError as e:
    assert "binary" in str(e)
else:
    raise AssertionError("read a text file")
EOF

# Broken streams: dynkit names the record and the fault as dk-cat does
# for the same bytes (dk-stream(5), "End of stream and errors").
"$PY" - "$tmp" <<'EOF'
import io, json, sys
import numpy as np
tmp = sys.argv[1]
def meta(m):
    f = io.BytesIO(); np.save(f, np.bytes_(json.dumps(m).encode())); return f.getvalue()
def tensor(a):
    f = io.BytesIO(); np.save(f, a); return f.getvalue()
good = tensor(np.arange(4.0)) + meta({"name": "fp/x"}) + tensor(np.arange(100.0))
cases = {
    "data": good[:-96],                              # record 2: data short
    "header": good[:len(good) - 800 - 60],           # record 2: in its header
    "prefix": good[:len(good) - 800 - 128 + 9],     # record 2: 9 prefix bytes
    "start": good[:len(good) - 800 - 128 + 5],      # record 2: 5 bytes
    "metadata": tensor(np.arange(4.0)) + meta({"name": "a"})[:-5],
    "meta_end": good + meta({"name": "b"}),          # record 3: no tensor after
    "meta_twice": meta({"name": "a"}) + meta({"name": "b"}) + tensor(np.zeros(2)),
    "magic": tensor(np.zeros(2)) + b"PK\x03\x04" + b"\0" * 60,
    "version": tensor(np.zeros(2))[:6] + b"\x04\x00" + tensor(np.zeros(2))[8:],
    "not_json": meta({"name": "a"})[:-3] + b"}}\n" + tensor(np.zeros(2)),
}
for k, v in cases.items():
    open("%s/bad_%s.npy" % (tmp, k), "wb").write(v)
EOF
for case in data header prefix start metadata meta_end meta_twice magic version not_json; do
	dk-cat "$tmp/bad_$case.npy" >/dev/null 2>"$tmp/bad_$case.err"
done
check "broken streams read from a pipe raise StreamError naming the record, with dk-cat's message" <<'EOF'
import glob
def error(path):
    p = subprocess.Popen(["cat", path], stdout=subprocess.PIPE)
    try:
        for r in dynkit.read(p.stdout):
            pass
    except dynkit.StreamError as e:
        return e
    finally:
        p.stdout.close()
        p.wait()
    raise AssertionError(path + ": read without an error")
want_records = {"data": 2, "header": 2, "prefix": 2, "start": 2, "metadata": 1,
                "meta_end": 3, "meta_twice": 0, "magic": 1, "version": 0, "not_json": 0}
for case, record in want_records.items():
    e = error("%s/bad_%s.npy" % (tmp, case))
    assert e.record == record and str(e).startswith("record %d" % record), (case, str(e))
    tool = open("%s/bad_%s.err" % (tmp, case)).read()
    assert ": record %d" % record in tool, (case, tool)
    # where the two describe the fault in the words of dk-stream(5), they agree
    if case != "not_json":   # JSON parsers say what they found differently
        assert tool.rstrip("\n").endswith(str(e)), (case, tool, str(e))
assert str(error(tmp + "/bad_metadata.npy")).endswith("metadata truncated: 5 of 13 bytes missing")
assert str(error(tmp + "/bad_not_json.npy")).startswith("record 0: metadata is not JSON: ")
EOF

check "metadata that is not a JSON object of the right members is refused, naming the record, as dk-cat refuses it" <<'EOF'
def stream(text):
    f = io.BytesIO()
    np.save(f, np.zeros(2))
    np.save(f, np.bytes_(text))
    np.save(f, np.ones(3))
    return f.getvalue()
for text, want in [(b"[1, 2]", "metadata is not a JSON object"),
                   (b'{"name": "a", "name": "b"}', "metadata is not JSON: duplicate key 'name'"),
                   (b'{"axes": "x"}', 'metadata "axes" is not an array of strings'),
                   (b'{"axes": [1]}', 'metadata "axes" is not an array of strings'),
                   (b'{"name": 3}', 'metadata "name" is not a string'),
                   (b'{"attrs": []}', 'metadata "attrs" is not an object'),
                   (b'{"name": "\xff"}', "metadata is not UTF-8"),
                   (b"hello", "metadata is not JSON: ")]:
    data = stream(text)
    try:
        list(dynkit.read(io.BytesIO(data)))
    except dynkit.StreamError as e:
        assert e.record == 1 and str(e).startswith("record 1: " + want), (text, str(e))
    else:
        raise AssertionError("read metadata %r" % text)
    tool = subprocess.run(["dk-cat"], input=data, capture_output=True)
    assert tool.returncode != 0 and b": record 1: metadata" in tool.stderr, (text, tool.stderr)
# valid ones: {} and keys of no meaning to the tools, kept
f = io.BytesIO()
np.save(f, np.bytes_(b"{}")); np.save(f, np.zeros(1))
np.save(f, np.bytes_(b'{"name": "x", "units": "V"}')); np.save(f, np.zeros(1))
recs = list(dynkit.read(io.BytesIO(f.getvalue())))
assert [(r.name, r.meta) for r in recs] == [(None, {}), ("x", {"name": "x", "units": "V"})]
EOF

check "dynkit.load: identical copies of a name count as one, different ones are refused naming both records" <<'EOF'
p = tmp + "/dup.npy"
with open(p, "wb") as f:
    dynkit.write(f, "w", np.eye(2))
    dynkit.write(f, "b", np.zeros(2))
    dynkit.write(f, "w", np.eye(2), attrs={"copy": 2})
assert sorted(dynkit.load(p)) == ["b", "w"]
assert dynkit.meta(p)["w"]["attrs"] == {"copy": 2}
with open(p, "ab") as f:   # the same values stored big-endian, Fortran order
    np.save(f, np.bytes_(b'{"name": "w"}'))
    np.save(f, np.asfortranarray(np.eye(2).astype(">f8")))
assert sorted(dynkit.load(p)) == ["b", "w"] and "attrs" not in dynkit.meta(p)["w"]
dynkit.write(p, "b", np.ones(2))
try:
    dynkit.load(p)
except dynkit.StreamError as e:
    assert str(e) == "records 3 and 9 are both named 'b' and differ", str(e)
else:
    raise AssertionError("loaded two different 'b'")
EOF

check "a hostile shape is refused as truncated, not allocated" <<'EOF'
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
header += " " * (118 - len(header) - 1) + "\n"
data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 64
try:
    list(dynkit.read(io.BytesIO(data)))
except dynkit.StreamError as e:
    assert str(e).startswith("record 0: data truncated: ") and "8000000000000 bytes" in str(e), e
else:
    raise AssertionError("read a short record")
EOF

done_testing
