#!/bin/sh
# fixed_fpf.sh -- dk-fixed finds every fixed point FixedPointFinder's
# PyTorch search finds from the same start states: on the 64-unit
# flip-flop network (data/flipflop_torch64.npz) and the 256 states that
# bench/fixed_vs_fpf.sh draws from its trajectories, each of the 22
# points of data/fpf64_points.npy (that search's fixed points, polished
# by Newton in NumPy: data/make_fpf64_points.py) must be among
# dk-fixed's.  Two of them are weak saddles (largest |eigenvalue| 1.024
# and 1.031) that a search taking small first steps misses.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start
ref="$data/fpf64_points.npy"

ok "dk-import the 64-unit network" dk-import -o "$tmp/net.npy" "$data/flipflop_torch64.npz"
ok "its states on 16 flip-flop sequences" sh -c "
	dk-gen flipflop --batch 16 --length 100 --seed 7 | dk-run '$tmp/net.npy' >'$tmp/run.npy'"
cat >"$tmp/starts.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
s = load("$tmp/run.npy")["states"]
s = s.reshape(-1, s.shape[-1])
np.save("$tmp/starts.npy", s[np.random.default_rng(0).choice(len(s), 256, replace=False)])
EOF
py_ok "256 start states drawn as bench/fixed_vs_fpf.sh draws them" "$tmp/starts.py"
ok "dk-fixed from them" dk-fixed -o "$tmp/fp.npy" "$tmp/net.npy" "$tmp/starts.npy"

cat >"$tmp/check.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
M, D = load("$tmp/net.npy"), load("$tmp/fp.npy")
W, b = M["model/W"], M["model/b"]
ref = np.load("$ref")
# the reference is a set of fixed points of this very model: |F(x) - x|
# below 1e-10 in float64 (Newton-polished; rounding leaves about 1e-15)
assert ref.shape == (22, 64), ref.shape
assert np.abs(np.tanh(ref @ W.T + b) - ref).max() < 1e-10
# each is one of dk-fixed's fixed points to 1e-6 in every coordinate:
# both sides are Newton-polished to |r| <= 1e-10 at zeros whose
# Jacobians are far from singular, so within about 1e-9 of the same
# zero, and distinct fixed points here are further apart than 1e-3
x = D["fp/x"][D["fp/kind"] == 1]
gap = np.array([np.abs(x - p).max(axis=1).min() for p in ref])
assert (gap < 1e-6).all(), ("missed", np.flatnonzero(gap >= 1e-6), gap.max())
EOF
py_ok "every one of FixedPointFinder's 22 fixed points is among dk-fixed's" "$tmp/check.py"
done_testing
