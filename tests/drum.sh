#!/bin/sh
# drum.sh -- dk-gen drum against its definition checked in NumPy: each
# mask one filled square, rectangle or fixed tetromino of its class with
# a pixel of background around it, its size the square root of its area;
# the dominant frequency the fundamental of the masked Laplacian (NumPy's
# eigh) turned by the symplectic Euler step; --shapes; seeds reproduce,
# splits and seeds differ; --fit's records, and both readouts against
# NumPy's least squares; bad options refused.
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

ok "24 x 24, 70 sheets of all classes" \
	dk-gen drum --sheet 24,24 --batch 70 --seed 3 --steps 2048 -o "$tmp/a.npy"
ok "20 x 30, 20 tetrominoes of the test split" \
	dk-gen drum --sheet 20,30 --batch 20 --seed 3 --steps 2048 --shapes tetrominoes \
	--split test -o "$tmp/t.npy"
ok "16 x 16, 12 squares" dk-gen drum --sheet 16,16 --batch 12 --shapes squares \
	--steps 1024 -o "$tmp/s.npy"

# The 19 fixed tetrominoes made here from the five free ones by turns and
# mirror images, independently of the generator's cell lists.
{ cat "$tmp/common.py"; cat; } >"$tmp/check_masks.py" <<'EOF'
free = {2: ["XXXX"], 3: ["XX", "XX"], 4: [".X.", "XXX"], 5: [".XX", "XX."],
        6: ["X..", "XXX"]}
fixed = {}
for cls, rows in free.items():
    base = np.array([[c == "X" for c in r] for r in rows])
    for m in (base, np.fliplr(base)):
        for k in range(4):
            q = np.rot90(m, k)
            fixed.setdefault((q.shape, q.tobytes()), cls)
assert len(fixed) == 19
path, allowed = sys.argv[1], {int(c) for c in sys.argv[2].split(",")}
R, M = load(path), meta(path)
mask, size, cls, freq = (R["drum/" + k] for k in ("mask", "size", "class", "frequency"))
B, _, H, W = mask.shape
assert size.shape == (B,) and cls.shape == (B,) and freq.shape == (B, 4)
assert cls.dtype == np.int64 and mask.dtype == np.float64
assert M["drum/mask"]["axes"] == ["batch", "channel", "row", "col"]
assert M["drum/frequency"]["axes"] == ["batch", "mode"]
a = M["drum/size"]["attrs"]
assert a["class_names"] == ["square", "rectangle", "I", "O", "T", "S/Z", "J/L"], a
assert a["sheet"] == [H, W] and a["dt"] == 0.1, a
for e in range(B):
    m = mask[e, 0]
    assert set(np.unique(m)) == {0.0, 1.0}
    assert not (m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any()), e
    comp, n = ndi.label(m > 0)
    assert n == 1, (e, n)
    assert size[e] == np.sqrt(m.sum()), (e, size[e])       # exact: integer area
    rr, cc = np.nonzero(m)
    box = m[rr.min():rr.max() + 1, cc.min():cc.max() + 1] > 0
    h, w = box.shape
    c = int(cls[e])
    assert c in allowed, (e, c)
    if c < 2:
        assert box.all() and (h == w) == (c == 0) and min(h, w) >= 4, (e, c, h, w)
        continue
    # the box in cells: 1 x 4, 2 x 2 or 2 x 3, or turned
    cell = [h // ch for ch, cw in ((1, 4), (4, 1), (2, 2), (2, 3), (3, 2))
            if h % ch == 0 and w % cw == 0 and h // ch == w // cw]
    assert len(cell) == 1 and cell[0] >= 2, (e, h, w, cell)
    cell = cell[0]
    cells = box[::cell, ::cell]
    assert (np.kron(cells, np.ones((cell, cell), bool)) == box).all(), e
    assert fixed.get((cells.shape, cells.tobytes())) == c, (e, c, cells.astype(int))
EOF
py_ok "all classes: every mask its class's filled shape, one pixel off the edge; sizes" \
	"$tmp/check_masks.py" "$tmp/a.npy" 0,1,2,3,4,5,6
py_ok "--shapes tetrominoes: tetrominoes only" "$tmp/check_masks.py" "$tmp/t.npy" 2,3,4,5,6
py_ok "--shapes squares: squares only" "$tmp/check_masks.py" "$tmp/s.npy" 0
pycheck "all seven classes occur in 70 sheets" "$tmp/a.npy" <<'EOF'
assert set(load(sys.argv[1])["drum/class"].tolist()) == set(range(7))
EOF

# The dominant frequency against the fundamental of the masked 5-point
# Laplacian, from NumPy's eigh, turned by the step: arccos(1 - dt^2
# lambda / 2) / dt.  The bound, in bins of 2 pi / (T dt), is
# test_drum.c's: the Hann window's leakage from every other audible mode
# D bins away moves the peak by at most 0.6 r / D^3 bins (r its relative
# amplitude), doubled, plus 1e-6 bins.
pycheck "the dominant frequency is the fundamental's, within the window's bound" \
	"$tmp/a.npy" "$tmp/t.npy" "$tmp/s.npy" <<'EOF'
dt = 0.1
for path in sys.argv[1:]:
    R, M = load(path), meta(path)
    T = M["drum/frequency"]["attrs"]["steps"]
    bin_ = 2 * np.pi / (T * dt)
    mask, freq = R["drum/mask"][:, 0], R["drum/frequency"]
    for e in range(min(len(mask), 20)):
        inside = mask[e] > 0
        idx = -np.ones(inside.shape, int)
        idx[inside] = np.arange(inside.sum())
        pts = np.argwhere(inside)
        L = 4 * np.eye(len(pts))
        for k, (i, j) in enumerate(pts):
            for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                q = idx[i + di, j + dj]
                if q >= 0:
                    L[k, q] = -1
        lam, V = np.linalg.eigh(L)
        om = np.arccos(1 - dt * dt * lam / 2) / dt
        a = V.sum(axis=0) ** 2
        D = np.abs(om - om[0]) / bin_
        keep = (D > 1e-9) & (a > 1e-20 * a[0])
        bound = 2 * (0.6 / (2 * om[0] / bin_) ** 3
                     + (0.6 * np.sqrt(a[keep] / a[0]) / D[keep] ** 3).sum()) + 1e-6
        err = abs(freq[e, 0] - om[0]) / bin_
        assert err <= bound, (path, e, freq[e, 0], om[0], err, bound)
EOF

dk-gen drum --sheet 24,24 --batch 70 --seed 3 --steps 2048 >"$tmp/a2.npy"
ok "the same options give the same bytes" cmp "$tmp/a.npy" "$tmp/a2.npy"
dk-gen drum --sheet 24,24 --batch 70 --seed 3 --steps 2048 --split test >"$tmp/at.npy"
dk-gen drum --sheet 24,24 --batch 70 --seed 4 --steps 2048 >"$tmp/a4.npy"
pycheck "the test split and another seed give other sheets" \
	"$tmp/a.npy" "$tmp/at.npy" "$tmp/a4.npy" <<'EOF'
train, test, other = (load(p)["drum/mask"] for p in sys.argv[1:4])
for u in (test, other):
    differ = (train != u).any(axis=(1, 2, 3))
    assert differ.mean() > 0.8, differ.mean()
EOF

ok "--fit on squares" dk-gen drum --fit --shapes squares --sheet 20,20 --batch 30 \
	--steps 2048 -o "$tmp/f.npy"
ok "--fit on all, 2 modes" dk-gen drum --fit --modes 2 --sheet 20,20 --batch 30 \
	--steps 2048 -o "$tmp/f2.npy"
# squares: the side is within 0.1 pixel of a line in 1 / omega (see
# test_drum.c), so each is read to half a pixel
pycheck "--fit's records; squares' sides all read to half a pixel" "$tmp/f.npy" "$tmp/f2.npy" <<'EOF'
F, F2 = load(sys.argv[1]), load(sys.argv[2])
names = ["drum/coef", "drum/train_rms", "drum/test_rms", "drum/test_r2", "drum/test_accuracy",
         "drum/class_coef", "drum/test_class_accuracy"]
assert list(F) == names and list(F2) == names, list(F)
assert F["drum/coef"].shape == (2,) and F2["drum/coef"].shape == (3,)
assert F["drum/class_coef"].shape == (1, 7) and F2["drum/class_coef"].shape == (3, 7)
assert F["drum/test_class_accuracy"] == 1       # squares only: one class
assert F["drum/test_accuracy"] == 1 and F["drum/test_rms"] < 0.2, F
assert 0 <= F2["drum/test_accuracy"] <= 1 and F2["drum/test_r2"] < 1
EOF

# The readout against NumPy's least squares on the same two splits
# written out: the design is well conditioned (1 / omega of order 1 to
# 10 for 30 sheets), so the two solvers agree to 1e-9 relative; the
# scores are then the same sums, to 1e-9.
dk-gen drum --sheet 20,20 --batch 30 --steps 2048 --split train -o "$tmp/ftrain.npy"
dk-gen drum --sheet 20,20 --batch 30 --steps 2048 --split test -o "$tmp/ftest.npy"
pycheck "--fit --modes 2: both readouts' coefficients and scores are NumPy's lstsq's on the two splits" \
	"$tmp/f2.npy" "$tmp/ftrain.npy" "$tmp/ftest.npy" <<'EOF'
F, tr, te = (load(p) for p in sys.argv[1:4])
def design(R):
    f = R["drum/frequency"][:, :2]
    return np.column_stack([np.ones(len(f)), np.where(np.isnan(f), 0, 1 / f)])
c = np.linalg.lstsq(design(tr), tr["drum/size"], rcond=None)[0]
assert np.allclose(F["drum/coef"], c, rtol=1e-9, atol=1e-9), (F["drum/coef"], c)
d = design(te) @ c - te["drum/size"]
rms = np.sqrt(np.mean(d ** 2))
r2 = 1 - np.sum(d ** 2) / np.sum((te["drum/size"] - te["drum/size"].mean()) ** 2)
assert abs(F["drum/test_rms"] - rms) < 1e-9 * rms and abs(F["drum/test_r2"] - r2) < 1e-9
# the accuracy is a count: the same unless an error lies within 1e-9 of
# half a pixel
assert F["drum/test_accuracy"] == np.mean(np.abs(d) <= 0.5), (F["drum/test_accuracy"], d)
dtr = design(tr) @ c - tr["drum/size"]
assert abs(F["drum/train_rms"] - np.sqrt(np.mean(dtr ** 2))) < 1e-9
# the class: 1, the ratio of the second frequency to the first, its
# square, onto the one-hot classes; the accuracy a count again, the same
# unless two classes' answers lie within 1e-9 of each other
def cdesign(R):
    f = R["drum/frequency"]
    r = np.where(np.isnan(f[:, 1]), 0, f[:, 1] / f[:, 0])
    return np.column_stack([np.ones(len(f)), r, r * r])
C = np.linalg.lstsq(cdesign(tr), np.eye(7)[tr["drum/class"]], rcond=None)[0]
assert np.allclose(F["drum/class_coef"], C, rtol=1e-9, atol=1e-9), (F["drum/class_coef"], C)
acc = np.mean((cdesign(te) @ C).argmax(axis=1) == te["drum/class"])
assert F["drum/test_class_accuracy"] == acc, (F["drum/test_class_accuracy"], acc)
EOF

fails_with 2 "a sheet side under 12 is refused" dk-gen drum --sheet 11,32
fails_with 2 "a sheet side over 256 is refused" dk-gen drum --sheet 32,257
fails_with 2 "--steps under 256 is refused" dk-gen drum --steps 255
fails_with 2 "--shapes circles is refused" dk-gen drum --shapes circles
fails_with 2 "--modes 5 is refused" dk-gen drum --fit --modes 5
fails_with 2 "--modes without --fit is refused" dk-gen drum --modes 2
fails_with 2 "--fit with --split is refused" dk-gen drum --fit --split test
fails_with 2 "--length does not apply to drum" dk-gen drum --length 5
fails_with 2 "--steps does not apply to shapes" dk-gen shapes --steps 300
fails_with 2 "--fit does not apply to copy" dk-gen copy --fit
fails_with 2 "a seed past 2^63-1 is refused" dk-gen drum --seed 9223372036854775808
fails_with 1 "sheets over --max-elements are refused" \
	dk-gen drum --sheet 64,64 --batch 10 --max-elements 1000
done_testing
