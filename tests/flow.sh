#!/bin/sh
# flow.sh -- dk-gen flow from the outside: the objects' frames checked in
# NumPy against np.roll (bit-exact: a frame of one object is a
# permutation of the same values, and NumPy's roll moves them without
# arithmetic), the periodic wrap, the bump's shape, two objects found
# again by a search over positions and velocities, the velocity sets
# (a test set of unseen velocities holds none of the training ones), the
# Fashion-MNIST rows and images against the IDX bytes, the layout in the
# attrs read by dk-wave and passed on by dk-run, the same bytes from the
# same seed, and the usage errors.
. "$top_srcdir/tests/lib.sh"

py=$(numpy_python)
[ -n "$py" ] || skip_all "python3 with NumPy not found"
PYTHONPATH="$top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
PY=$py
py_start

# ---- bad usage: exit 2 with a message, nothing on stdout ----
while read -r args; do
	# shellcheck disable=SC2086
	dk-gen $args >"$tmp/u.out" 2>"$tmp/u.err"
	st=$?
	is "$st" 2 "dk-gen $args: exit 2"
	grep -q "^dk-gen: .*" "$tmp/u.err" && [ ! -s "$tmp/u.out" ]
	tap_result $? "dk-gen $args: 'dk-gen: ...' on stderr, nothing on stdout"
done <<'ARGS'
flow --ring 2
flow --ring 0
flow --objects 0
flow --objects 9
flow --frames-in 0
flow --frames-out 0
flow --pattern disc
flow --velocity-set 1..0
flow --velocity-set a
flow --velocity-set 1,,2
flow --velocity-set 1,
flow --velocity-set 2..
flow --velocity-set 1,1
flow --velocity-set -1..1,0
flow --velocity-set -100..100
flow --ring 8 --velocity-set 4
flow --ring 8 --velocity-set -4
flow --velocity-set 1:0
flow --torus 8,8 --velocity-set 1:0,2
flow --torus 8,8 --velocity-set 1:0,1:0
flow --torus 8,16 --velocity-set 4
flow --torus 8,16 --velocity-set 0:8
flow --torus 2,8
flow --torus 8
flow --ring 8 --torus 8,8
flow --split test
flow --data-dir /tmp
flow --pattern fmnist --ring 20
flow --pattern fmnist --torus 20,40
flow --length 10
copy --ring 8
adding --velocity-set 1
fmnist --objects 2
flipflop --frames-in 3
ARGS
dk-gen flow --ring 8 --velocity-set 3 --batch 1 >/dev/null 2>&1
is "$?" 0 "dk-gen flow --ring 8 --velocity-set 3: 3 is under half of 8, taken"

# ---- the same bytes from the same options ----
dk-gen flow --ring 16 --objects 2 --batch 5 --seed 7 >"$tmp/a.npy"
dk-gen --seed 7 --batch 5 flow --objects 2 --ring 16 >"$tmp/b.npy"
ok "dk-gen flow: the same options and seed give the same bytes" cmp "$tmp/a.npy" "$tmp/b.npy"
dk-gen flow --ring 16 --objects 2 --batch 5 --seed 8 >"$tmp/c.npy"
! cmp -s "$tmp/a.npy" "$tmp/c.npy"
tap_result $? "dk-gen flow: another seed gives other bytes"

# ---- one bump on a ring ----
dk-gen flow --ring 16 --batch 300 --frames-in 10 --frames-out 30 \
	--velocity-set -3..3 --seed 1 >"$tmp/ring.npy"
pycheck "ring, 1 bump: each frame is np.roll of the last by the example's velocity, exactly; every velocity of -3..3 drawn, no other; period 16" \
	"$tmp/ring.npy" <<'PY'
import json, sys
import numpy as np
from npystream import arrays, records
x, y, mask = arrays(sys.argv[1])
T, B, N = y.shape
assert (T, B, N) == (40, 300, 16), y.shape
seen = set()
for e in range(B):
    f = y[:, e]
    # one shift in -7..8 (all of them, mod 16) maps each frame onto the
    # next; np.roll only moves values, so equality is exact
    fits = [v for v in range(-7, 9)
            if all(np.array_equal(f[t + 1], np.roll(f[t], v)) for t in range(T - 1))]
    assert len(fits) == 1, (e, fits)
    seen.add(fits[0])
    # the wrap: 16 frames of any integer velocity bring the bump back
    assert np.array_equal(f[16:], f[:T - 16]), e
assert seen == set(range(-3, 4)), sorted(seen)
meta = json.loads(records(sys.argv[1])[0][0])
assert meta["attrs"]["velocities"] == list(range(-3, 4)), meta["attrs"]["velocities"]
PY

pycheck "ring: the bump is exp(-d^2/(2 sigma^2)), d the distance around the ring, sigma 2, peak 1 (within 1e-15: exp rounding)" \
	"$tmp/ring.npy" <<'PY'
import json, sys
import numpy as np
from npystream import arrays, records
x, y, mask = arrays(sys.argv[1])
sigma = json.loads(records(sys.argv[1])[0][0])["attrs"]["bump_sigma"]
assert sigma == 2.0, sigma
N = y.shape[2]
for e in range(y.shape[1]):
    f0 = y[0, e]
    c = int(np.argmax(f0))
    d = np.minimum((np.arange(N) - c) % N, (c - np.arange(N)) % N)
    want = np.exp(-d ** 2 / (2 * sigma ** 2))
    # libm's exp and NumPy's may round differently: 1e-15 is a few ulps
    assert f0[c] == 1 and np.abs(f0 - want).max() < 1e-15, (e, np.abs(f0 - want).max())
PY

pycheck "ring: input = the frames for the first 10 steps, then 0; target = every frame; mask 0 then 1 over the 30 to predict" \
	"$tmp/ring.npy" <<'PY'
import json, sys
import numpy as np
from npystream import arrays, records
x, y, mask = arrays(sys.argv[1])
assert x.shape == y.shape == (40, 300, 16) and mask.shape == (40, 300)
assert np.array_equal(x[:10], y[:10]) and (x[10:] == 0).all()
assert (mask[:10] == 0).all() and (mask[10:] == 1).all()
metas = [json.loads(raw) for raw, a in records(sys.argv[1])]
assert [m["name"] for m in metas] == ["input", "target", "mask"]
want = {"axes": ["channel", "unit"], "periodic": [False, True], "shape": [1, 16]}
for m in metas:
    a = m["attrs"]
    assert a["task"] == "flow" and a["loss"] == "mse" and a["steps"] == 40, a
    assert a["inputs"] == a["outputs"] == 16 and a["units"] == 16, a
    assert a["frames_in"] == 10 and a["frames_out"] == 30 and a["objects"] == 1, a
    assert a.get("layout") == (None if m["name"] == "mask" else want), (m["name"], a.get("layout"))
PY

# ---- velocities never trained on ----
dk-gen flow --ring 16 --batch 200 --frames-out 12 --velocity-set -6..-4,3..6 \
	--seed 2 >"$tmp/unseen.npy"
pycheck "ring, test set --velocity-set -6..-4,3..6: every example moves at one of them, none at a training velocity of -2..2" \
	"$tmp/unseen.npy" <<'PY'
import sys
import numpy as np
from npystream import arrays
x, y, mask = arrays(sys.argv[1])
seen = set()
for e in range(y.shape[1]):
    f = y[:, e]
    fits = [v for v in range(-7, 9)
            if all(np.array_equal(f[t + 1], np.roll(f[t], v)) for t in range(len(f) - 1))]
    assert len(fits) == 1, (e, fits)
    seen.add(fits[0])
assert seen == {-6, -5, -4, 3, 4, 5, 6}, sorted(seen)
assert not seen & set(range(-2, 3))
PY

# ---- two bumps ----
dk-gen flow --ring 12 --objects 2 --batch 30 --frames-in 6 --frames-out 6 \
	--seed 3 >"$tmp/two.npy"
pycheck "ring, 2 bumps: every example is min(1, bump(c1 + v1 t) + bump(c2 + v2 t)) for positions and velocities found by search (1e-15: exp rounding), v in -2..2" \
	"$tmp/two.npy" <<'PY'
import sys
import numpy as np
from npystream import arrays
x, y, mask = arrays(sys.argv[1])
T, B, N = y.shape
d = np.minimum(np.arange(N), N - np.arange(N))
g = np.exp(-d ** 2 / 8.0)
vs = range(-2, 3)
# every single bump's trajectory: (position, velocity) -> (T, N)
traj = np.array([[np.roll(g, c + v * t) for t in range(T)] for c in range(N) for v in vs])
pairs = np.minimum(traj[:, None] + traj[None, :], 1)   # (K, K, T, N)
clipped = 0
for e in range(B):
    err = np.abs(pairs - y[:, e]).max(axis=(2, 3))
    assert err.min() < 1e-15, (e, err.min())
    clipped += (y[:, e] == 1).sum() > T   # overlaps clipped beyond the peaks
print("examples with overlaps clipped:", clipped)
PY

# ---- a torus ----
dk-gen flow --torus 8,10 --batch 200 --frames-out 14 --velocity-set -1..1 \
	--seed 4 >"$tmp/torus.npy"
pycheck "torus 8x10, values -1..1: each frame is np.roll of the last by (vr, vc) on both axes, exactly; all 9 pairs drawn; layout 1 x 8 x 10" \
	"$tmp/torus.npy" <<'PY'
import json, sys
import numpy as np
from npystream import arrays, records
x, y, mask = arrays(sys.argv[1])
T, B, n = y.shape
assert n == 80
seen = set()
for e in range(B):
    f = y[:, e].reshape(T, 8, 10)
    fits = [(a, b) for a in range(-3, 5) for b in range(-4, 6)
            if all(np.array_equal(f[t + 1], np.roll(f[t], (a, b), axis=(0, 1)))
                   for t in range(T - 1))]
    assert len(fits) == 1, (e, fits)
    seen.add(fits[0])
assert seen == {(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)}, sorted(seen)
a = json.loads(records(sys.argv[1])[0][0])["attrs"]
assert a["layout"] == {"axes": ["channel", "row", "col"], "periodic": [False, True, True],
                       "shape": [1, 8, 10]}, a["layout"]
assert a["sheet"] == [8, 10] and "units" not in a, a
PY

dk-gen flow --torus 8,10 --batch 100 --velocity-set 2:0,0:3,-1:-2 --seed 5 >"$tmp/pairs.npy"
pycheck "torus, pairs 2:0,0:3,-1:-2: every example moves by one of the three, each drawn" \
	"$tmp/pairs.npy" <<'PY'
import json, sys
import numpy as np
from npystream import arrays, records
x, y, mask = arrays(sys.argv[1])
T, B, n = y.shape
seen = set()
for e in range(B):
    f = y[:, e].reshape(T, 8, 10)
    fits = [(a, b) for a in range(-3, 5) for b in range(-4, 6)
            if all(np.array_equal(f[t + 1], np.roll(f[t], (a, b), axis=(0, 1)))
                   for t in range(T - 1))]
    assert len(fits) == 1, (e, fits)
    seen.add(fits[0])
assert seen == {(2, 0), (0, 3), (-1, -2)}, sorted(seen)
a = json.loads(records(sys.argv[1])[0][0])["attrs"]
assert a["velocities"] == [[2, 0], [0, 3], [-1, -2]], a["velocities"]
PY

# ---- the layout read downstream ----
dk-gen flow --torus 8,10 --batch 3 --velocity-set 1:0 --seed 6 >"$tmp/t3.npy"
dk-cat -s target "$tmp/t3.npy" | dk-wave >"$tmp/wave.npy"
is "$?" 0 "dk-wave on a torus flow target: exit 0"
pycheck "dk-wave reads the target's layout: one sheet per example, wave/direction (sheets only) of shape (3, 1)" \
	"$tmp/wave.npy" <<'PY'
import sys
from npystream import load as by_name
r = by_name(sys.argv[1])
assert "wave/direction" in r and r["wave/direction"].shape == (3, 1), {k: v.shape for k, v in r.items()}
PY

dk-init fernn --channels 2 --units 16 --velocities 1 --outputs 16 --seed 1 -o "$tmp/fernn.npy"
dk-gen flow --ring 16 --batch 2 --seed 7 >"$tmp/r2.npy"
dk-run "$tmp/fernn.npy" "$tmp/r2.npy" >"$tmp/run.npy"
is "$?" 0 "dk-run fernn on a flow batch: exit 0"
pycheck "dk-run: the output carries the target's ring layout (1 x 16), the states the model's (3 velocities x 2 channels x 16)" \
	"$tmp/run.npy" <<'PY'
import json, sys
from npystream import records
m = {json.loads(raw)["name"]: json.loads(raw)["attrs"] for raw, a in records(sys.argv[1])}
assert m["output"]["layout"]["shape"] == [1, 16], m["output"]
assert m["states"]["layout"]["shape"] == [6, 16], m["states"]["layout"]
PY

dk-equiv --group flow "$tmp/fernn.npy" "$tmp/r2.npy" >"$tmp/equiv.npy"
is "$?" 0 "dk-equiv --group flow, a fernn driven by a flow batch (INPUT): exit 0"
pycheck "dk-equiv: the fernn is flow-equivariant on the flow task's input (velocity 1, its lift's range)" \
	"$tmp/equiv.npy" <<'PY'
import json, sys
from npystream import records
m = {json.loads(raw)["name"]: json.loads(raw)["attrs"] for raw, a in records(sys.argv[1])}
e = m["equiv/max"]["equiv"]
assert e["group"] == "flow" and e["equivariant"] is True and e["breaks"] == "none", e
PY

# ---- Fashion-MNIST rows and images ----
mkdir "$tmp/fm"
pycheck "a tiny Fashion-MNIST in IDX files (train 5 images, t10k 3)" "$tmp/fm" <<'PY'
import gzip, struct, sys
import numpy as np
rng = np.random.default_rng(9)
for prefix, n in (("train", 5), ("t10k", 3)):
    img = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    img[:, :4] = 0          # blank rows, never the row drawn
    with gzip.open("%s/%s-images-idx3-ubyte.gz" % (sys.argv[1], prefix), "wb") as f:
        f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + img.tobytes())
    with gzip.open("%s/%s-labels-idx1-ubyte.gz" % (sys.argv[1], prefix), "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, n) + bytes(n))
PY
dk-gen flow --pattern fmnist --data-dir "$tmp/fm" --ring 32 --batch 40 --seed 8 >"$tmp/fr.npy"
dk-gen flow --pattern fmnist --data-dir "$tmp/fm" --split test --torus 30,29 --batch 10 \
	--seed 8 >"$tmp/ft.npy"
pycheck "fmnist rows on a ring of 32: frame 0 is an inked row of a train image /255 and 4 zeros, rolled; images on a 30x29 torus from t10k; both exact" \
	"$tmp/fm" "$tmp/fr.npy" "$tmp/ft.npy" <<'PY'
import gzip, sys
import numpy as np
from npystream import arrays
def images(prefix):
    with gzip.open("%s/%s-images-idx3-ubyte.gz" % (sys.argv[1], prefix)) as f:
        return np.frombuffer(f.read()[16:], np.uint8).reshape(-1, 28, 28)
rows = images("train").reshape(-1, 28) / 255.0
rows = np.concatenate([rows, np.zeros((len(rows), 4))], axis=1)
x, y, mask = arrays(sys.argv[2])
T = y.shape[0]
for e in range(y.shape[1]):
    f0 = y[0, e]
    hits = [(c, k) for c in range(32)
            for k in np.flatnonzero((rows == np.roll(f0, -c)).all(axis=1))]
    assert hits and all(k % 28 >= 4 for c, k in hits), (e, hits)
    fits = [v for v in range(-15, 17)
            if all(np.array_equal(y[t + 1, e], np.roll(y[t, e], v)) for t in range(T - 1))]
    assert len(fits) == 1 and -2 <= fits[0] <= 2, (e, fits)
test = images("t10k") / 255.0
pad = np.zeros((len(test), 30, 29))
pad[:, :28, :28] = test
x, y, mask = arrays(sys.argv[3])
for e in range(y.shape[1]):
    f0 = y[0, e].reshape(30, 29)
    assert any((pad == np.roll(f0, (-a, -b), axis=(0, 1))).all(axis=(1, 2)).any()
               for a in range(30) for b in range(29)), e
PY

# on Debian's dataset-fashion-mnist, when it is installed (bootstrap
# installs it): the values are pixels / 255
fm=/usr/share/datasets/fashion-mnist
if [ -f "$fm/train-images-idx3-ubyte.gz" ] && [ -f "$fm/train-labels-idx1-ubyte.gz" ]; then
	dk-gen flow --pattern fmnist --objects 2 --batch 4 --seed 9 >"$tmp/deb.npy"
	is "$?" 0 "dk-gen flow --pattern fmnist on Debian's Fashion-MNIST: exit 0"
	pycheck "flow --pattern fmnist (Debian's): 2 rows on a ring of 64, values k/255 clipped at 1, each example inked" \
		"$tmp/deb.npy" <<'PY'
import sys
import numpy as np
from npystream import arrays
x, y, mask = arrays(sys.argv[1])
assert y.shape == (20, 4, 64), y.shape
k = np.round(y * 255)
# a sum of two k/255 is (k1 + k2)/255 to within rounding, or 1 when clipped
assert np.abs(y * 255 - k).max() < 1e-9 and (y <= 1).all(), np.abs(y * 255 - k).max()
assert (y.max(axis=2) > 0).all()
PY
else
	tap_result 0 "flow --pattern fmnist (Debian's) # SKIP dataset-fashion-mnist not installed"
	tap_result 0 "flow --pattern fmnist (Debian's) values # SKIP dataset-fashion-mnist not installed"
fi

# ---- dk-train takes the task ----
dk-train --task flow --ring 16 --batch 4 --steps 3 --seed 1 "$tmp/fernn.npy" >"$tmp/trained.npy"
is "$?" 0 "dk-train --task flow on a fernn of 16 units: exit 0"
pycheck "dk-train --task flow: 3 finite losses" "$tmp/trained.npy" <<'PY'
import sys
import numpy as np
from npystream import load as by_name
loss = by_name(sys.argv[1])["train/loss"]
assert loss.shape == (3,) and np.isfinite(loss).all(), loss
PY

done_testing
