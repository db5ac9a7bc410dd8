#!/bin/sh
# fixed_vs_fpf.sh -- dk-fixed against FixedPointFinder's algorithm
# (bench/fpf_torch.py, a PyTorch re-implementation with its defaults) on
# the same trained flip-flop network and the same start states: 1024
# states drawn from its trajectories.  Prints the wall times and their
# ratio, the stable fixed points each finds (stability from NumPy's
# eigenvalues), how far apart they are before and after a float64 Newton
# polish of FixedPointFinder's points, and the q each reaches.
#
#	sh bench/fixed_vs_fpf.sh [MODEL] [STARTS]
#
# MODEL defaults to data/flipflop_rnn32.npy; STARTS (points, state) to
# 1024 states drawn without replacement from dk-run on 32 flip-flop
# sequences.  Run from the top of a built tree; needs Debian's python3
# with NumPy and torch.  dk-fixed's time is the whole process (GNU
# time(1)); the reference's is its search alone (not Python's start-up
# or imports).  Wall and CPU times are both shown, since a shared
# machine stretches wall times.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/tools:$PATH"
PY=${PYTHON3:-/usr/bin/python3}
model=${1:-$top/data/flipflop_rnn32.npy}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dkbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
	"OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
	"OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset} nproc=$(nproc)"

if [ $# -ge 2 ]; then
	cp "$2" "$tmp/starts.npy"
else
	dk-gen flipflop --batch 32 --length 100 --seed 11 | dk-run "$model" >"$tmp/run.npy"
	"$PY" -c "
import os, sys
import numpy as np
sys.path.insert(0, os.path.join('$top', 'tests'))
from npystream import records, name
R = {name(r, i): r[1] for i, r in enumerate(records('$tmp/run.npy'))}
s = R['states'].reshape(-1, R['states'].shape[-1])
pick = np.random.default_rng(0).choice(len(s), 1024, replace=False)
np.save('$tmp/starts.npy', s[pick])
"
fi

# three runs each; the median times (wall, and CPU: user + system)
for i in 1 2 3; do
	/usr/bin/time -f "%e %U %S" -o "$tmp/t" dk-fixed -o "$tmp/dk.npy" "$model" "$tmp/starts.npy"
	awk '{ print $1, $2 + $3 }' "$tmp/t" >>"$tmp/dk.times"
	"$PY" "$top/bench/fpf_torch.py" "$model" "$tmp/starts.npy" "$tmp/fpf.npz" >/dev/null
	"$PY" -c "import numpy as np; z = np.load('$tmp/fpf.npz'); print(float(z['seconds']), float(z['cpu']))" >>"$tmp/fpf.times"
done

"$PY" - "$model" "$tmp" "$top" <<'EOF'
import os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.join(sys.argv[3], "tests"))
from npystream import records, name
model, tmp = sys.argv[1], sys.argv[2]
load = lambda p: {name(r, i): r[1] for i, r in enumerate(records(p))}
M, D, F = load(model), load(tmp + "/dk.npy"), np.load(tmp + "/fpf.npz")
W, b = M["model/W"], M["model/b"]
n = W.shape[0]
res = lambda x: np.tanh(x @ W.T + b) - x
q64 = lambda x: 0.5 * (res(x) ** 2).sum(axis=1)
rho = lambda x: np.array([np.abs(np.linalg.eigvals((1 - np.tanh(p @ W.T + b) ** 2)[:, None] * W)).max() for p in x])
def newton(x, steps=8):
    x = x.copy()
    for _ in range(steps):
        for i, p in enumerate(x):
            a = np.tanh(W @ p + b)
            J = (1 - a ** 2)[:, None] * W - np.eye(n)
            x[i] = p - np.linalg.solve(J, a - p)
    return x
med = lambda f, c: sorted(float(l.split()[c]) for l in open(tmp + f))[1]
for c, what in ((0, "wall"), (1, "CPU")):
    t_dk, t_fpf = med("/dk.times", c), med("/fpf.times", c)
    print("%s time (median of 3): dk-fixed %.3f s, FixedPointFinder (torch) %.3f s: %.1fx"
          % (what, t_dk, t_fpf, t_fpf / max(t_dk, 1e-3)))
dk = D["fp/x"][D["fp/kind"] == 1]
dk_st = dk[rho(dk) < 1]
# FixedPointFinder keeps every unique point; those whose q (in float64)
# is above 1e-10 are slow points, not fixed points
fx = F["xstar"]
fixed = q64(fx) < 1e-10
fx_st = fx[fixed & (rho(fx) < 1)]
print("stable fixed points: dk-fixed %d (of %d fixed; %d slow points), FixedPointFinder %d "
      "(of %d unique points, %d with q < 1e-10; %d iterations)"
      % (len(dk_st), len(dk), int((D["fp/kind"] == 0).sum()), len(fx_st), len(fx),
         int(fixed.sum()), int(F["iters"])))
def gap(a, b):
    return max(np.abs(b - p).max(axis=1).min() for p in a) if len(a) and len(b) else float("nan")
pol = newton(fx_st)
print("largest distance (max-norm) from a dk-fixed stable point to the nearest FPF one: %.2e as found, %.2e after a float64 Newton polish of FPF's"
      % (gap(dk_st, fx_st), gap(dk_st, pol)))
print("same stable points (both ways within 1e-6 after polish): %s"
      % (len(dk_st) == len(fx_st) and gap(dk_st, pol) < 1e-6 and gap(pol, dk_st) < 1e-6))
qd, qf = np.median(q64(dk_st)), np.median(q64(fx_st))
print("median q at the stable points (float64): dk-fixed %.2e, FixedPointFinder %.2e (its float32 value %.2e): ratio %.1e"
      % (qd, qf, np.median(F["qstar"][fixed & (rho(fx) < 1)]), qf / max(qd, np.finfo(float).tiny)))
print("torch threads %d, torch %s" % (torch.get_num_threads(), torch.__version__))
EOF
