#!/bin/sh
# gen.sh -- dk-gen from the outside: its streams read by NumPy alone
# (tests/npystream.py) with the shapes, dtypes and metadata of each task;
# the tasks' definitions checked again in NumPy, with statistics at stated
# tolerances; the bytes fixed by the options and seed; sequential
# Fashion-MNIST against the IDX bytes read independently (gzip + NumPy),
# on a tiny dataset written here and on Debian's, when it is installed;
# and the exit statuses: 2 for bad usage, 1 for a missing dataset or a
# failed write.
. "$top_srcdir/tests/lib.sh"

py=$(numpy_python)
[ -n "$py" ] || skip_all "python3 with NumPy not found"
PYTHONPATH="$top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
PY=$py
py_start

# ---- conventions ----
dk-gen --help >"$tmp/help" 2>"$tmp/help.err"
is "$?" 0 "dk-gen --help: exit 0"
is "$(head -n 1 "$tmp/help" | cut -c 1-14)" "Usage: dk-gen " "dk-gen --help: 'Usage: dk-gen ...' on stdout"
is "$(wc -c <"$tmp/help.err" | tr -d ' ')" 0 "dk-gen --help: nothing on stderr"
dk-gen --help >/dev/full 2>/dev/null
is "$?" 1 "dk-gen --help >/dev/full: exit 1"
dk-gen --version >"$tmp/ver" 2>/dev/null
is "$?" 0 "dk-gen --version: exit 0"
grep -Eq '^dk-gen \(dynkit\) [0-9]+\.[0-9]+' "$tmp/ver"
is "$?" 0 "dk-gen --version prints 'dk-gen (dynkit) VERSION'"

# ---- bad usage: exit 2, a message and a pointer to --help, no output ----
while read -r args; do
	# shellcheck disable=SC2086
	dk-gen $args >"$tmp/u.out" 2>"$tmp/u.err"
	st=$?
	is "$st" 2 "dk-gen $args: exit 2"
	grep -q "^dk-gen: .*" "$tmp/u.err" && grep -q "Try 'dk-gen --help'" "$tmp/u.err" &&
		[ ! -s "$tmp/u.out" ]
	tap_result $? "dk-gen $args: 'dk-gen: ...' and Try 'dk-gen --help' on stderr, nothing on stdout"
done <<'ARGS'

bogus
copy adding
--bogus copy
copy --batch 0
copy --batch -1
copy --batch two
copy --length 0
adding --length 1
flipflop --length 0
flipflop --bits 0
flipflop --prob 1.5
flipflop --prob -0.1
flipflop --prob nan
copy --seed -1
copy --seed 1.5
copy --seed 18446744073709551616
copy --bits 3
adding --prob 0.1
copy --mode row
adding --shuffle
flipflop --data-dir /tmp
fmnist --length 10
fmnist --mode column
fmnist --split valid
fmnist --perm-seed 3
copy -o
ARGS
dk-gen copy --seed 18446744073709551615 >/dev/null 2>&1
is "$?" 0 "dk-gen copy --seed 2^64-1: the largest seed is taken"

# ---- runtime errors: exit 1 ----
mkdir "$tmp/empty"
dk-gen fmnist --data-dir "$tmp/empty" >"$tmp/m.out" 2>"$tmp/m.err"
is "$?" 1 "dk-gen fmnist --data-dir EMPTY: exit 1"
grep -q "^dk-gen: .*not installed.*apt-get install dataset-fashion-mnist" "$tmp/m.err"
is "$?" 0 "dk-gen fmnist, no dataset: the message names the package dataset-fashion-mnist"
is "$(wc -c <"$tmp/m.out" | tr -d ' ')" 0 "dk-gen fmnist, no dataset: nothing on stdout"
dk-gen copy >/dev/full 2>"$tmp/full.err"
is "$?" 1 "dk-gen copy >/dev/full: exit 1"
grep -q "^dk-gen: stdout: write error" "$tmp/full.err"
is "$?" 0 "dk-gen copy >/dev/full: 'dk-gen: stdout: write error: ...'"
fails_with 1 "dk-gen copy --max-elements 100: 30 x 1 x 10 elements are too many: exit 1" \
	dk-gen copy --length 10 --max-elements 100
fails_with 1 "dk-gen copy -o NODIR/F: exit 1" dk-gen copy -o "$tmp/nodir/f.npy"

# ---- determinism ----
for task in "copy --length 12" "adding --length 9" "flipflop --length 20 --bits 2 --prob 0.2"; do
	name=${task%% *}
	# shellcheck disable=SC2086
	dk-gen $task --batch 3 --seed 7 >"$tmp/$name.a"
	# shellcheck disable=SC2086
	dk-gen --seed 7 --batch 3 $task >"$tmp/$name.b"
	ok "dk-gen $name: the same options and seed give the same bytes" cmp "$tmp/$name.a" "$tmp/$name.b"
	# shellcheck disable=SC2086
	dk-gen $task --batch 3 --seed 7 -o "$tmp/$name.o"
	ok "dk-gen $name -o FILE: the same bytes as on stdout" cmp "$tmp/$name.a" "$tmp/$name.o"
	# shellcheck disable=SC2086
	dk-gen $task --batch 3 --seed 8 >"$tmp/$name.c"
	! cmp -s "$tmp/$name.a" "$tmp/$name.c"
	tap_result $? "dk-gen $name: another seed gives other bytes"
done

# ---- shapes, dtypes, metadata, read by NumPy ----
dk-gen copy --batch 4 --length 6 --seed 3 >"$tmp/copy.npy"
dk-gen adding --batch 4 --length 9 --seed 3 >"$tmp/adding.npy"
dk-gen flipflop --batch 4 --length 11 --bits 5 --seed 3 >"$tmp/flipflop.npy"
pycheck "NumPy reads input, target, mask of each task with their shapes, dtypes, axes and attrs" \
	"$tmp/copy.npy" "$tmp/adding.npy" "$tmp/flipflop.npy" <<'PY'
import json, sys
import numpy as np
from npystream import records
want = {  # task: input shape, target dtype and shape, loss, outputs
    "copy": ((26, 4, 10), "<i8", (26, 4), "xent", 10),
    "adding": ((9, 4, 2), "<f8", (9, 4, 1), "mse", 1),
    "flipflop": ((11, 4, 5), "<f8", (11, 4, 5), "mse", 5),
}
for path, task in zip(sys.argv[1:], ["copy", "adding", "flipflop"]):
    recs = records(path)
    metas = [json.loads(raw) for raw, a in recs]
    names = [m["name"] for m in metas]
    assert names == ["input", "target", "mask"], (task, names)
    x, y, mask = (a for raw, a in recs)
    shape, tdtype, tshape, loss, outputs = want[task]
    assert x.dtype == np.dtype("<f8") and x.shape == shape, (task, x.dtype, x.shape)
    assert y.dtype == np.dtype(tdtype) and y.shape == tshape, (task, y.dtype, y.shape)
    assert mask.dtype == np.dtype("<f8") and mask.shape == shape[:2], (task, mask.shape)
    assert metas[0]["axes"] == ["time", "batch", "feature"]
    assert metas[2]["axes"] == ["time", "batch"]
    for m in metas:
        a = m["attrs"]
        assert a["task"] == task and a["loss"] == loss and a["outputs"] == outputs, a
        assert a["seed"] == 3 and a["steps"] == shape[0] and a["length_convention"], a
        assert a["provenance"]["tool"] == "dk-gen" and a["provenance"]["version"], a
        assert a["provenance"]["options"]["task"] == task, a
        assert a["provenance"]["options"]["seed"] == 3, a
    if loss == "xent":
        assert metas[0]["attrs"]["classes"] == 10
PY

# ---- the tasks' definitions, checked again in NumPy ----
pycheck "copy: one-hot inputs; symbols, T-1 blanks, delimiter; target = the symbols delayed; mask 1" \
	"$tmp/copy.npy" <<'PY'
import sys
import numpy as np
from npystream import arrays
x, y, mask = arrays(sys.argv[1])
T = 6
assert ((x == 0) | (x == 1)).all() and (x.sum(axis=2) == 1).all(), "not one-hot"
c = x.argmax(axis=2)                      # (time, batch) classes
assert ((c[:10] >= 1) & (c[:10] <= 8)).all()
assert (c[10:10 + T - 1] == 0).all() and (c[10 + T - 1] == 9).all() and (c[10 + T:] == 0).all()
assert (y[:T + 10] == 0).all() and (y[T + 10:] == c[:10]).all(), "target is not the delayed symbols"
assert (mask == 1).all()
PY

dk-gen adding --batch 2000 --length 50 --seed 11 >"$tmp/add_big.npy"
pycheck "adding: target = sum of the 2 marked values, one per half, at the last step; values' mean 0.5 within 4 standard errors (0.0037)" \
	"$tmp/add_big.npy" <<'PY'
import sys
import numpy as np
from npystream import arrays
x, y, mask = arrays(sys.argv[1])
T, B = 50, 2000
v, m = x[..., 0], x[..., 1]
assert ((m == 0) | (m == 1)).all()
assert (m[:T // 2].sum(axis=0) == 1).all() and (m[T // 2:].sum(axis=0) == 1).all()
assert np.array_equal(y[-1, :, 0], (v * m).sum(axis=0)), "target is not the marked sum"
assert (y[:-1] == 0).all()
assert (mask[-1] == 1).all() and (mask[:-1] == 0).all()
assert ((v >= 0) & (v < 1)).all()
# 100000 uniforms: standard error sqrt(1/12 / 1e5) = 0.00091
se = (1 / 12 / v.size) ** 0.5
assert abs(v.mean() - 0.5) < 4 * se, (v.mean(), se)
# the target, a sum of two uniforms: mean 1, standard error sqrt(1/6 / 2000)
assert abs(y[-1].mean() - 1) < 4 * (1 / 6 / B) ** 0.5, y[-1].mean()
PY

dk-gen flipflop --batch 200 --length 500 --seed 12 >"$tmp/ff_big.npy"
pycheck "flipflop: target = memory of the pulses (recomputed); pulse rate 0.05 within 4 sd (0.0016); signs balanced" \
	"$tmp/ff_big.npy" <<'PY'
import json, sys
import numpy as np
from npystream import arrays, by_name
x, y, mask = arrays(sys.argv[1])
assert x.shape == (500, 200, 3), x.shape   # 3 bits by default
assert np.isin(x, [-1, 0, 1]).all()
state = np.zeros(x.shape[1:])
for t in range(x.shape[0]):
    state = np.where(x[t] != 0, x[t], state)
    assert np.array_equal(y[t], state), "step %d" % t
assert (mask == 1).all()
n, p = x.size, 0.05
rate = (x != 0).mean()
sd = (p * (1 - p) / n) ** 0.5
assert abs(rate - p) < 4 * sd, (rate, sd)
k = (x != 0).sum()
assert abs((x > 0).sum() - k / 2) < 4 * k ** 0.5 / 2
meta = by_name(sys.argv[1])["input"][0]
assert json.loads(meta)["attrs"]["prob"] == 0.05, meta
PY

# ---- fmnist on a tiny dataset written here (runs without the package) ----
mkdir "$tmp/fm"
pycheck "a tiny Fashion-MNIST in IDX files, gzip'd (train) and plain (t10k)" "$tmp/fm" <<'PY'
import gzip, struct, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(5)
for prefix, n, opener in (("train", 7, gzip.open), ("t10k", 3, open)):
    suffix = ".gz" if opener is gzip.open else ""
    img = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    lab = rng.integers(0, 10, n, dtype=np.uint8)
    with opener("%s/%s-images-idx3-ubyte%s" % (d, prefix, suffix), "wb") as f:
        f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + img.tobytes())
    with opener("%s/%s-labels-idx1-ubyte%s" % (d, prefix, suffix), "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, n) + lab.tobytes())
PY
dk-gen fmnist --data-dir "$tmp/fm" --mode row --batch 3 --offset 2 >"$tmp/fm_row.npy"
dk-gen fmnist --data-dir "$tmp/fm" --mode pixel --split test --batch 3 >"$tmp/fm_pix.npy"
dk-gen fmnist --data-dir "$tmp/fm" --mode permuted --batch 7 --perm-seed 5 >"$tmp/fm_perm.npy"
dk-gen fmnist --data-dir "$tmp/fm" --mode row --batch 7 --shuffle --seed 4 >"$tmp/fm_shuf.npy"
pycheck "fmnist (tiny): row, pixel and permuted modes, offset and shuffle, against the IDX bytes" \
	"$tmp/fm" "$tmp/fm_row.npy" "$tmp/fm_pix.npy" "$tmp/fm_perm.npy" "$tmp/fm_shuf.npy" <<'PY'
import gzip, json, sys
import numpy as np
from npystream import records, arrays
d = sys.argv[1]
def idx(path, opener, skip):
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=skip)
img = idx(d + "/train-images-idx3-ubyte.gz", gzip.open, 16).reshape(-1, 784) / 255
lab = idx(d + "/train-labels-idx1-ubyte.gz", gzip.open, 8)
timg = idx(d + "/t10k-images-idx3-ubyte", open, 16).reshape(-1, 784) / 255
tlab = idx(d + "/t10k-labels-idx1-ubyte", open, 8)

x, y, mask = arrays(sys.argv[2])                       # row, offset 2
assert x.shape == (28, 3, 28) and y.shape == (28, 3) and y.dtype == np.int64
assert np.array_equal(x.transpose(1, 0, 2).reshape(3, 784), img[2:5])
assert np.array_equal(y[-1], lab[2:5]) and (y[:-1] == -1).all()
assert (mask[-1] == 1).all() and (mask[:-1] == 0).all()

x, y, mask = arrays(sys.argv[3])                       # pixel, test split
assert x.shape == (784, 3, 1)
assert np.array_equal(x[:, :, 0].T, timg[:3]) and np.array_equal(y[-1], tlab[:3])

x, y, mask = arrays(sys.argv[4])                       # permuted, all 7
p = x[:, :, 0].T                                       # (example, step)
assert np.array_equal(np.sort(p, axis=1), np.sort(img, axis=1)), "not a permutation of each image"
assert not np.array_equal(p, img), "permuted is the identity"
assert np.array_equal(y[-1], lab)
# one order for all: each step shows the pixel whose 7 values match
order = [np.flatnonzero((img == p[:, [s]]).all(axis=0)) for s in range(784)]
assert all(len(o) >= 1 for o in order)
assert json.loads(records(sys.argv[4])[0][0])["attrs"]["perm_seed"] == 5

x, y, mask = arrays(sys.argv[5])                       # shuffled, all 7
rows = x.transpose(1, 0, 2).reshape(7, 784)
which = [int(np.flatnonzero((img == r).all(axis=1))[0]) for r in rows]
assert sorted(which) == list(range(7)), which
assert which != list(range(7)), "shuffle kept the file order"
assert np.array_equal(y[-1], lab[which])
PY
fails_with 2 "dk-gen fmnist: --offset 5 --batch 3 beyond 7 examples: exit 2" \
	dk-gen fmnist --data-dir "$tmp/fm" --offset 5 --batch 3
printf '\0\0\10\3\0\0\0\1\0\0\0\34' | gzip >"$tmp/fm/train-images-idx3-ubyte.gz"
fails_with 1 "dk-gen fmnist: truncated images file: exit 1" dk-gen fmnist --data-dir "$tmp/fm"
grep -q "^dk-gen: .*train-images-idx3-ubyte.gz: truncated" "$tmp/.err"
is "$?" 0 "dk-gen fmnist: truncated images file: the message names the file"

# ---- fmnist on Debian's dataset-fashion-mnist ----
fm=/usr/share/datasets/fashion-mnist
if [ -f "$fm/train-images-idx3-ubyte.gz" ] && [ -f "$fm/t10k-labels-idx1-ubyte.gz" ]; then
	dk-gen fmnist --mode row --batch 2 >"$tmp/row.npy"
	dk-gen fmnist --mode pixel --split test --batch 2 --offset 9998 >"$tmp/pix.npy"
	pycheck "fmnist (Debian's): row mode's first examples are the IDX bytes / 255, labels match; the test split's last two in pixel mode" \
		"$fm" "$tmp/row.npy" "$tmp/pix.npy" <<'PY'
import gzip, sys
import numpy as np
from npystream import arrays
d = sys.argv[1]
def idx(name, skip):
    with gzip.open("%s/%s" % (d, name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=skip)
img = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
lab = idx("train-labels-idx1-ubyte.gz", 8)
assert img.shape == (60000, 28, 28)
x, y, mask = arrays(sys.argv[2])
assert x.shape == (28, 2, 28) and y.shape == (28, 2)
for e in range(2):
    assert np.array_equal(x[:, e, :], img[e] / 255.0), "example %d" % e
assert np.array_equal(y[-1], lab[:2]) and (mask[-1] == 1).all() and mask.sum() == 2
timg = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
tlab = idx("t10k-labels-idx1-ubyte.gz", 8)
x, y, mask = arrays(sys.argv[3])
assert x.shape == (784, 2, 1)
assert np.array_equal(x[:, :, 0].T, timg[9998:] / 255.0) and np.array_equal(y[-1], tlab[9998:])
PY
	fails_with 2 "dk-gen fmnist --split test --offset 10000: beyond the 10000 examples: exit 2" \
		dk-gen fmnist --split test --offset 10000
	dk-gen fmnist --mode row --batch 2 --length 28 | cmp -s - "$tmp/row.npy"
	is "$?" 0 "dk-gen fmnist --mode row --length 28: the mode's own length is accepted, same bytes"
	fails_with 2 "dk-gen fmnist --mode row --length 784: not the row mode's length: exit 2" \
		dk-gen fmnist --mode row --length 784
else
	tap_result 0 "fmnist (Debian's) # SKIP dataset-fashion-mnist not installed"
	tap_result 0 "fmnist (Debian's) offset # SKIP dataset-fashion-mnist not installed"
	tap_result 0 "fmnist (Debian's) --length # SKIP dataset-fashion-mnist not installed"
	tap_result 0 "fmnist (Debian's) --length 784 # SKIP dataset-fashion-mnist not installed"
fi

done_testing
