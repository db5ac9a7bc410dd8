#!/bin/sh
# fixed_vs_fpf.sh -- dk-fixed against FixedPointFinder's PyTorch search
# (bench/fpf_torch.py, which does what its PyTorch code does with its
# defaults) on the same trained flip-flop network from the same start
# states.  The default case: data/flipflop_torch64.npz, a 64-unit tanh
# rnn trained in PyTorch on the 3-bit flip-flop task (dk-import brings
# it in), and 256 states drawn without replacement from its trajectories
# on 16 flip-flop sequences of 100 steps.  Both sides compute every
# point's Jacobian eigenvalues (FixedPointFinder does by default;
# dk-fixed --jac).
#
#	sh bench/fixed_vs_fpf.sh [MODEL [STARTS]]
#
# MODEL: a dynkit tanh rnn (.npy stream) or a PyTorch state_dict (.npz, as
# dk-import reads it); STARTS (points, state) a plain .npy.  Run from the
# top of a built tree; needs Debian's python3 with NumPy and torch.
# BENCH_RUNS runs each side (default 5), alternating: the median and the
# range of the CPU time (user + system) are printed, and of the wall time,
# which a shared machine stretches.  dk-fixed's times are the whole
# process (GNU time(1)), the reference's its search alone (not Python's
# start-up or imports).  dk-fixed is DK_BINDIR/dk-fixed when DK_BINDIR is
# set (an installed copy: what users run), else the build tree's
# tools/.libs/dk-fixed with LD_LIBRARY_PATH set to lib/.libs (whose loader
# search adds a little), never the libtool wrapper script tools/dk-fixed
# (about 50 ms of shell per start).  bench/fixed_call.c, compiled here,
# then times the library call alone (dk_fixed_run with the spectra, median
# of 21) and prints the work it did.  OPENBLAS_NUM_THREADS and OMP_NUM_THREADS are 1 unless set,
# and torch runs on one thread: one core each side.  DK_FIXED_OPTS adds
# options to dk-fixed's command.  Besides the stable points, every fixed
# point FixedPointFinder found (q < 1e-10), polished by a float64 Newton
# and made unique, is looked for among dk-fixed's: those it lacks are
# counted, with their largest eigenvalue modulus.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/tools:$PATH"
if [ -n "${DK_BINDIR:-}" ]; then
	fixed="$DK_BINDIR/dk-fixed"
	which="installed: $fixed"
else
	fixed="$top/tools/.libs/dk-fixed"
	which="build tree: $fixed, LD_LIBRARY_PATH=$top/lib/.libs"
fi
PY=${PYTHON3:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-5}
cores=$(nproc --all) # before OMP_NUM_THREADS, which nproc obeys
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
model=${1:-$top/data/flipflop_torch64.npz}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dkbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "dk-fixed: $which"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
	"OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS" \
	"OMP_NUM_THREADS=$OMP_NUM_THREADS cores=$cores" \
	"load: $(cut -d' ' -f1-3 /proc/loadavg)"

case $model in
*.npz) dk-import -o "$tmp/model.npy" "$model" ;;
*) cp "$model" "$tmp/model.npy" ;;
esac
model=$tmp/model.npy

if [ $# -ge 2 ]; then
	cp "$2" "$tmp/starts.npy"
else
	dk-gen flipflop --batch 16 --length 100 --seed 7 | dk-run "$model" >"$tmp/run.npy"
	"$PY" -c "
import os, sys
import numpy as np
sys.path.insert(0, os.path.join('$top', 'tests'))
from npystream import records, name
R = {name(r, i): r[1] for i, r in enumerate(records('$tmp/run.npy'))}
s = R['states'].reshape(-1, R['states'].shape[-1])
pick = np.random.default_rng(0).choice(len(s), 256, replace=False)
np.save('$tmp/starts.npy', s[pick])
"
fi

i=0
while [ $i -lt "$RUNS" ]; do
	if [ -n "${DK_BINDIR:-}" ]; then
		/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$fixed" --jac ${DK_FIXED_OPTS:-} \
			-o "$tmp/dk.npy" "$model" "$tmp/starts.npy"
	else
		LD_LIBRARY_PATH="$top/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
			/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$fixed" --jac ${DK_FIXED_OPTS:-} \
			-o "$tmp/dk.npy" "$model" "$tmp/starts.npy"
	fi
	awk '{ print $1, $2 + $3 }' "$tmp/t" >>"$tmp/dk.times"
	"$PY" "$top/bench/fpf_torch.py" "$model" "$tmp/starts.npy" "$tmp/fpf.npz" >/dev/null
	"$PY" -c "import numpy as np; z = np.load('$tmp/fpf.npz'); print(float(z['seconds']), float(z['cpu']))" >>"$tmp/fpf.times"
	i=$((i + 1))
done

"${CC:-cc}" -O2 -I"$top/lib" -I"$top" -o "$tmp/fixed_call" "$top/bench/fixed_call.c" \
	"$top/lib/.libs/libdynkit.so" "$top/lib/.libs/libdynkit_stream.so" \
	-Wl,-rpath,"$top/lib/.libs" -lm
echo "the library call alone (bench/fixed_call.c, dk_fixed_run with the spectra):"
"$tmp/fixed_call" "$model" "$tmp/starts.npy" 1 21
"$tmp/fixed_call" "$model" "$tmp/starts.npy" 0 21 | sed -n 's/^cpu/without the spectra: cpu/p'

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
def times(f, c):
    v = sorted(float(l.split()[c]) for l in open(tmp + f))
    return v[len(v) // 2], v[0], v[-1]
for c, what in ((1, "CPU"), (0, "wall")):
    (dk, dlo, dhi), (fp, flo, fhi) = times("/dk.times", c), times("/fpf.times", c)
    print("%s time, median (range) of %d: dk-fixed %.3f s (%.3f-%.3f), "
          "FixedPointFinder (torch) %.3f s (%.3f-%.3f): %.1fx (%.1f-%.1fx)"
          % (what, len(open(tmp + "/dk.times").readlines()), dk, dlo, dhi,
             fp, flo, fhi, fp / max(dk, 1e-3), flo / max(dhi, 1e-3), fhi / max(dlo, 1e-3)))
kind = D["fp/kind"]
dk = D["fp/x"][kind == 1]
dk_st = dk[rho(dk) < 1]
# FixedPointFinder keeps every unique point; those whose q (in float64)
# is above 1e-10 are slow points, not fixed points
fx = F["xstar"].astype(np.float64)
fixed = q64(fx) < 1e-10
fx_st = fx[fixed & (rho(fx) < 1)]
print("dk-fixed: %d points, %d fixed, %d of them stable; %d slow"
      % (len(kind), len(dk), len(dk_st), int((kind == 0).sum())))
print("FixedPointFinder: %d unique points (%d iterations, final rate %.3g; of the "
      "starts %d ended below tol_q, %d below tol_dq * rate), %d with q < 1e-10, "
      "%d of them stable" % (len(fx), int(F["iters"]), float(F["rate"]),
                              int(F["passed_q"]), int(F["passed_dq"]),
                              int(fixed.sum()), len(fx_st)))
def gap(a, b):
    return max(np.abs(b - p).max(axis=1).min() for p in a) if len(a) and len(b) else float("nan")
pol = newton(fx_st)
print("largest distance (max-norm) from a dk-fixed stable point to the nearest FPF one: "
      "%.2e as found, %.2e after a float64 Newton polish of FPF's"
      % (gap(dk_st, fx_st), gap(dk_st, pol)))
print("same stable points (both ways within 1e-6 after polish): %s"
      % (len(dk_st) == len(fx_st) and gap(dk_st, pol) < 1e-6 and gap(pol, dk_st) < 1e-6))
# every fixed point FixedPointFinder found, polished, against dk-fixed's
fx_all = newton(fx[fixed])
uniq = []
for p in fx_all:
    if q64(p[None])[0] < 1e-20 and all(np.abs(p - u).max() > 1e-6 for u in uniq):
        uniq.append(p)
missed = [p for p in uniq if not len(dk) or np.abs(dk - p).max(axis=1).min() > 1e-6]
print("fixed points (float64 Newton polish of FPF's, unique): FPF %d, dk-fixed %d; "
      "FPF's missing from dk-fixed: %d%s"
      % (len(uniq), len(dk), len(missed), "" if not missed else
         " (largest |eigenvalue| %s)" % ", ".join("%.3f" % r for r in rho(np.array(missed)))))
qd = np.median(q64(dk_st)) if len(dk_st) else float("nan")
qf = np.median(q64(fx_st)) if len(fx_st) else float("nan")
print("median q at the stable points (float64): dk-fixed %.2e, FixedPointFinder %.2e"
      % (qd, qf))
print("torch threads %d, torch %s" % (torch.get_num_threads(), torch.__version__))
EOF
