#!/usr/bin/python3
"""make_fpf64_points.py -- the reference fixed points of
data/flipflop_torch64.npz for tests/fixed_fpf.sh: the fixed points that
FixedPointFinder's PyTorch search (bench/fpf_torch.py) finds from the
test's 256 start states, each polished by 10 float64 Newton steps in
NumPy and made unique (points within 1e-6 in every coordinate are one).

    /usr/bin/python3 data/make_fpf64_points.py MODEL FPF.npz OUT.npy

MODEL: the imported model (dk-import data/flipflop_torch64.npz); FPF.npz:
bench/fpf_torch.py's output for MODEL and the starts tests/fixed_fpf.sh
draws.  Only its points with q < 1e-10 (float64) are fixed points; the
rest are slow points and are not kept.  OUT: a plain .npy (points, 64).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
from npystream import records, name  # noqa: E402

M = {name(r, i): r[1] for i, r in enumerate(records(sys.argv[1]))}
W, b = M["model/W"], M["model/b"]
n = W.shape[0]


def residual(x):
    return np.tanh(x @ W.T + b) - x


def newton(p, steps=10):
    for _ in range(steps):
        a = np.tanh(W @ p + b)
        J = (1 - a ** 2)[:, None] * W - np.eye(n)
        p = p - np.linalg.solve(J, a - p)
    return p


x = np.load(sys.argv[2])["xstar"]
x = x[0.5 * (residual(x) ** 2).sum(axis=1) < 1e-10]
kept = []
for p in (newton(p) for p in x):
    if 0.5 * (residual(p) ** 2).sum() < 1e-20 and \
            all(np.abs(p - v).max() > 1e-6 for v in kept):
        kept.append(p)
np.save(sys.argv[3], np.array(kept))
print("%d fixed points" % len(kept))
