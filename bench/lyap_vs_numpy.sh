#!/bin/bash
# lyap_vs_numpy.sh -- dk-lyap's time for a Lyapunov spectrum, against the
# same method in NumPy (bench/lyap_numpy.py).
#
# The job: a random tanh network x' = tanh(W x + b), W_ij ~ N(0, 4/N)
# (dk-init rnn --gain 2: chaotic), N = 512 units, the k = 64 largest
# exponents, 100 steps of transient, 100 of basis transient, 1000
# measured steps, QR every step, from the same start state.  Both sides
# read the same model file; NumPy carries Q <- diag(tanh'(a)) W Q and
# calls np.linalg.qr (LAPACK's Householder dgeqrf + dorgqr) every step.
#
# Times are wall-clock and CPU (user + system, all threads), of the run
# with the best wall time of BENCH_RUNS, of the whole command for dk-lyap
# (start-up, reading the model and writing the result included) and of
# the steps alone for NumPy (its imports and reading excluded): the ratio
# numpy/dk does not flatter dk-lyap.  On a busy machine the CPU times are
# the steadier figure.  Both run in this
# shell's environment, so under the same OpenBLAS settings: export
# OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS or OMP_NUM_THREADS before
# running it to change them; they are printed.
#
# Printed too is the floor under both: the time of the (k x N)(N x N)
# products alone, one per step, through the same DGEMM; both methods
# must do them, so no implementation of this method can beat that time.
#
# Agreement: the two runs share the network and start state but not the
# first basis, and a chaotic trajectory forgets its last bits within a
# few hundred steps, so the exponents agree to their statistical error,
# not to rounding: printed are the largest |difference| and its ratio to
# dk-lyap's block standard error of that exponent, and l1 and the sum of
# the k exponents from each side; and, as the yardstick of what chance
# alone gives, the same figures between dk-lyap and dk-lyap from another
# start state (the largest of 64 such ratios is typically 2 to 4).
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3, Debian's, with NumPy), BENCH_N (512), BENCH_K (64),
# BENCH_STEPS (1000), BENCH_RUNS (3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
N=${BENCH_N:-512}
K=${BENCH_K:-64}
T=${BENCH_STEPS:-1000}
RUNS=${BENCH_RUNS:-3}
T0=100
T1=100
PATH="$top_builddir/tools:$PATH"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lyapbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "lyap_vs_numpy: N=$N k=$K steps=$T (+$T0 transient, +$T1 basis transient), QR every step"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"
"$PY" -c 'import numpy; print("numpy", numpy.__version__)'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores"

dk-init rnn --units "$N" --gain 2 --act tanh --seed 1 -o "$tmp/net.npy"
"$PY" -c "
import numpy as np
np.save('$tmp/x0.npy', np.random.default_rng(2).standard_normal((1, $N)))
np.save('$tmp/x0b.npy', np.random.default_rng(3).standard_normal((1, $N)))"
dk-lyap -k "$K" -T "$T" --transient $T0 --basis-transient $T1 -o "$tmp/dk-b.npy" \
	"$tmp/net.npy" "$tmp/x0b.npy"

best() { # the line of smallest first field on stdin
	sort -g | head -n 1
}

for tangent in jvp jacobian; do
	for r in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %U %S' -o "$tmp/time" \
			dk-lyap -k "$K" -T "$T" --transient $T0 --basis-transient $T1 --tangent $tangent \
			-o "$tmp/dk-$tangent.npy" "$tmp/net.npy" "$tmp/x0.npy"
		awk '{ print $1, $2 + $3 }' "$tmp/time"
	done | best >"$tmp/t-$tangent"
done
for r in $(seq "$RUNS"); do
	"$PY" "$here/lyap_numpy.py" "$tmp/net.npy" "$tmp/x0.npy" "$K" $T0 $T1 "$T" "$tmp/np.npy"
done | best >"$tmp/t-np"

# the floor under both: the tangent products alone, (k x N)(N x N) once
# per step, through the same OpenBLAS DGEMM
"$PY" -c "
import time, numpy as np
rng = np.random.default_rng(1)
W, Q = rng.standard_normal(($N, $N)), rng.standard_normal(($K, $N))
out = np.empty(($K, $N))
best = 1e9
for r in range($RUNS):
    s = time.perf_counter()
    for t in range($T0 + $T1 + $T):
        np.dot(Q, W.T, out=out)
    best = min(best, time.perf_counter() - s)
print('%.3f' % best)" >"$tmp/t-floor"
read -r tdk cdk <"$tmp/t-jvp"
read -r tjac cjac <"$tmp/t-jacobian"
read -r tnp cnp <"$tmp/t-np"
echo "                                  wall (s)   CPU (s)"
printf 'dk-lyap (--tangent jvp, default)  %8.3f  %8.3f\n' "$tdk" "$cdk"
printf 'dk-lyap --tangent jacobian        %8.3f  %8.3f\n' "$tjac" "$cjac"
printf 'numpy (steps only)                %8.3f  %8.3f\n' "$tnp" "$cnp"
printf 'DGEMM floor (the products alone) %8.3f  (%.1f GFLOP/s)\n' "$(cat "$tmp/t-floor")" \
	"$(echo "2 * $N * $N * $K * ($T0 + $T1 + $T) / $(cat "$tmp/t-floor") / 1000000000" | bc -l)"
printf 'ratio numpy/dk-lyap, wall: %.2f (jvp), %.2f (jacobian); CPU: %.2f (jvp), %.2f (jacobian)\n' \
	"$(echo "$tnp / $tdk" | bc -l)" "$(echo "$tnp / $tjac" | bc -l)" \
	"$(echo "$cnp / $cdk" | bc -l)" "$(echo "$cnp / $cjac" | bc -l)"

top_srcdir="$here/.." "$PY" - "$tmp/dk-jvp.npy" "$tmp/np.npy" "$tmp/dk-b.npy" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
def load(p):
    return {name(r, i): r[1] for i, r in enumerate(records(p))}
R = load(sys.argv[1])
dk, se = R["lyap/exponents"], R["lyap/stderr"]
for what, ref in (("numpy", np.load(sys.argv[2])),
                  ("dk, another start", load(sys.argv[3])["lyap/exponents"])):
    d = np.abs(dk - ref)
    print("dk vs %s: max |diff| %.2e (exponent %d), max |diff| / dk stderr %.2f; "
          "l1 %.5f +- %.5f vs %.5f; sum of %d: %.4f vs %.4f"
          % (what, d.max(), int(np.argmax(d)) + 1, (d / se).max(), dk[0], se[0], ref[0],
             dk.size, dk.sum(), ref.sum()))
EOF
