#!/bin/sh
# shapes.sh -- dk-gen shapes against the definition checked in NumPy:
# each connected component is one of the 19 fixed tetrominoes, grown to
# cells of the sheet's cell size, of its family's class, apart from the
# others; 1 to 5 of them, no family twice; grey levels and the cell
# texture; seeds reproduce, splits and seeds differ; bad options refused.
# The foreground score (lib/train/shapes_score.c), through
# tests/shapes_iou_npy, against the paper's one-hot definition.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
"$PY" -c 'import scipy.ndimage' 2>/dev/null || skip_all "no SciPy for connected components"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
import scipy.ndimage as ndi
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
EOF

ok "32 x 32, 200 sheets" dk-gen shapes --sheet 32,32 --batch 200 --seed 3 -o "$tmp/a.npy"
ok "64 x 64, 40 sheets" dk-gen shapes --sheet 64,64 --batch 40 --seed 5 -o "$tmp/b.npy"
ok "20 x 48, 60 sheets of the test split" \
	dk-gen shapes --sheet 20,48 --batch 60 --seed 5 --split test -o "$tmp/c.npy"

# The 19 fixed tetrominoes made here from the five free ones by turns and
# mirror images, independently of the generator's cell lists.
{ cat "$tmp/common.py"; cat; } >"$tmp/check_sheets.py" <<'EOF'
free = {1: ["XXXX"], 2: ["XX", "XX"], 3: [".X.", "XXX"], 4: [".XX", "XX."],
        5: ["X..", "XXX"]}
fixed = {}
for cls, rows in free.items():
    base = np.array([[c == "X" for c in r] for r in rows])
    for m in (base, np.fliplr(base)):
        for k in range(4):
            q = np.rot90(m, k)
            fixed.setdefault((q.shape, q.tobytes()), (cls, q))
assert len(fixed) == 19, len(fixed)
path, cell = sys.argv[1], int(sys.argv[2])
R, M = load(path), meta(path)
x, y = R["input"], R["target"]
B, _, H, W = x.shape
assert x.shape[1] == 1 and y.shape == (B, H, W) and y.dtype == np.int64
assert M["input"]["axes"] == ["batch", "channel", "row", "col"], M["input"]
assert M["target"]["axes"] == ["batch", "row", "col"], M["target"]
a = M["target"]["attrs"]
assert a["classes"] == 6 and a["cell"] == cell and a["sheet"] == [H, W], a
assert a["layout"] == {"shape": [1, H, W], "axes": ["channel", "row", "col"],
                       "periodic": [False, False, False]}, a["layout"]
seen, counts = set(), set()
for e in range(B):
    lab, img = y[e], x[e, 0]
    assert ((lab >= 0) & (lab <= 5)).all()
    assert (img[lab == 0] == 0).all()                  # background black
    # 8-connected: shapes touching even at a corner would merge
    comp, n = ndi.label(lab > 0, structure=np.ones((3, 3)))
    assert 1 <= n <= 5, (e, n)
    counts.add(n)
    classes = []
    for k in range(1, n + 1):
        rr, cc = np.nonzero(comp == k)
        box = comp[rr.min():rr.max() + 1, cc.min():cc.max() + 1] == k
        h, w = box.shape
        assert h % cell == 0 and w % cell == 0, (e, k, box.shape)
        cells = box[::cell, ::cell]
        assert (np.kron(cells, np.ones((cell, cell), bool)) == box).all(), (e, k)
        key = (cells.shape, cells.tobytes())
        assert key in fixed, (e, k, cells.astype(int))
        cls = fixed[key][0]
        assert (lab[comp == k] == cls).all(), (e, k, cls)
        classes.append(cls)
        seen.add(key)
        # one grey level in [0.2, 1) inside the cells, each cell's
        # border brighter by half of it, clipped to 1 (exact: the same
        # products in double as the generator's)
        g = img[rr.min():rr.max() + 1, cc.min():cc.max() + 1]
        edge = np.zeros((cell, cell), bool)
        edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
        edge = np.tile(edge, (h // cell, w // cell)) & box
        inner = box & ~edge
        if inner.any():
            level = g[inner][0]
            assert (g[inner] == level).all() and 0.2 <= level < 1, (e, k)
            assert np.allclose(g[edge], min(1, 1.5 * level), rtol=0, atol=1e-15), (e, k)
        else:
            assert (g[box] == g[box][0]).all() and 0.3 <= g[box][0] <= 1, (e, k)
    assert len(set(classes)) == len(classes), (e, classes)   # no family twice
if len(sys.argv) > 3:
    assert len(seen) == 19, len(seen)
    assert counts == {1, 2, 3, 4, 5}, counts
EOF
py_ok "32 x 32: cells of 3, every component a fixed tetromino of its class, all 19 and 1..5 shapes seen" \
	"$tmp/check_sheets.py" "$tmp/a.npy" 3 all
py_ok "64 x 64: cells of 7 (the paper's), the same" "$tmp/check_sheets.py" "$tmp/b.npy" 7
py_ok "20 x 48: cells of 2, the same" "$tmp/check_sheets.py" "$tmp/c.npy" 2

dk-gen shapes --sheet 32,32 --batch 200 --seed 3 >"$tmp/a2.npy"
pycheck "the same options give the same sheets" "$tmp/a.npy" "$tmp/a2.npy" <<'EOF'
A, B = load(sys.argv[1]), load(sys.argv[2])
assert (A["input"] == B["input"]).all() and (A["target"] == B["target"]).all()
EOF
dk-gen shapes --sheet 32,32 --batch 200 --seed 3 --split test >"$tmp/t.npy"
dk-gen shapes --sheet 32,32 --batch 200 --seed 4 >"$tmp/s4.npy"
pycheck "the test split and another seed give other sheets, none the same" \
	"$tmp/a.npy" "$tmp/t.npy" "$tmp/s4.npy" <<'EOF'
train, test, other = (load(p)["target"] for p in sys.argv[1:4])
for u in (test, other):
    same = (train[:, None] == u[None]).all(axis=(2, 3))
    assert not same.any(), np.argwhere(same)[:5]
EOF

fails_with 2 "a sheet side under 16 is refused" dk-gen shapes --sheet 15,32
fails_with 2 "--sheet with one number is refused" dk-gen shapes --sheet 32
fails_with 2 "--length does not apply to shapes" dk-gen shapes --length 5
fails_with 2 "--sheet does not apply to copy" dk-gen copy --sheet 32,32
fails_with 2 "a seed past 2^63-1 is refused" dk-gen shapes --seed 9223372036854775808
fails_with 2 "--batch 0 is refused" dk-gen shapes --batch 0
fails_with 1 "sheets over --max-elements are refused" \
	dk-gen shapes --sheet 64,64 --batch 10 --max-elements 1000

# The score: random label maps, some images without foreground and some
# pixels unlabelled (-1), against the paper's definition -- one-hot maps
# masked to the truth's foreground, intersection and union summed over
# classes and pixels per image, the mean over images with foreground.
# Both are sums of exact integer counts divided once per image and
# averaged over 12 images: 1e-14 bounds their rounding.
{ cat "$tmp/common.py"; cat; } >"$tmp/iou.py" <<'EOF'
rng = np.random.default_rng(7)
B, H, W, C = 12, 9, 11, 6
target = rng.integers(-1, C, size=(B, H, W))
pred = np.where(rng.random((B, H, W)) < 0.6, np.clip(target, 0, None),
                rng.integers(0, C, size=(B, H, W)))
target[3] = 0                               # no foreground: left out
target[5][target[5] > 0] = -1
for name, a in (("pred", pred), ("target", target)):
    np.save(sys.argv[1] + "." + name, a.astype("<i8"))
ious, accs = [], []
for e in range(B):
    fg = target[e] >= 1
    if not fg.any():
        continue
    P = np.eye(C, dtype=bool)[pred[e]] & fg[..., None]
    T = np.eye(C, dtype=bool)[np.clip(target[e], 0, None)] & fg[..., None]
    ious.append((P & T).sum() / (P | T).sum())
    accs.append((pred[e] == target[e])[fg].mean())
open(sys.argv[1] + ".want", "w").write("%.17g %.17g\n" % (np.mean(ious), np.mean(accs)))
EOF
score="$top_builddir/tests/shapes_iou_npy"
py_ok "random label maps written" "$tmp/iou.py" "$tmp/m"
cat "$tmp/m.pred.npy" "$tmp/m.target.npy" >"$tmp/m.npy"
ok "shapes_iou_npy scores them" sh -c "'$score' 6 <'$tmp/m.npy' >'$tmp/m.got'"
pycheck "the foreground IoU and accuracy are NumPy's to 1e-14" "$tmp/m.got" "$tmp/m.want" <<'EOF'
got = np.loadtxt(sys.argv[1]); want = np.loadtxt(sys.argv[2])
assert np.all(np.isfinite(got)) and np.abs(got - want).max() < 1e-14, (got, want)
assert 0.2 < want[0] < want[1] < 1, want     # the case is not trivial
EOF
fails_with 1 "a label past the classes is refused" sh -c "'$score' 5 <'$tmp/m.npy'"
done_testing
