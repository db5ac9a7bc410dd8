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
# dk-lyap runs as by default (QR every step, one Cholesky pass where the
# basis is well conditioned: --qr auto), as before that default (--qr
# cholesky2, two passes every QR), and in the settings --tangent
# jacobian, --qr cholesky (one pass always), --every 2, --every 4 and
# --qr cholesky --every 4; their exponents are compared with the
# default's (rounding apart, they are the same: dk-lyap(1)).
#
# Times are wall-clock and CPU (user + system, all threads): the median
# of BENCH_RUNS rounds and the best and worst, each round running every
# side once in turn (dk-lyap's settings, NumPy, the floor), so that a
# change of load falls on all of them alike.  dk-lyap's is the whole
# command (start-up, reading the model and writing the result included),
# the binary itself (BENCH_BINDIR, by default the build tree's
# tools/.libs with lib/.libs on the library path, not the libtool
# wrapper scripts in tools/, whose shell costs about 50 ms a start);
# NumPy's is the steps alone (its imports and reading excluded): the
# ratio numpy/dk does not flatter dk-lyap.  On a busy machine the CPU
# times are the steadier figure.  Both run in this
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
# BENCH_STEPS (1000), BENCH_RUNS (3), BENCH_BINDIR (above).
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
if [ -n "${BENCH_BINDIR-}" ]; then
	PATH="$BENCH_BINDIR:$PATH"
elif [ -x "$top_builddir/tools/.libs/dk-lyap" ]; then
	PATH="$top_builddir/tools/.libs:$top_builddir/tools:$PATH"
	LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
else
	PATH="$top_builddir/tools:$PATH"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lyapbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "lyap_vs_numpy: N=$N k=$K steps=$T (+$T0 transient, +$T1 basis transient), QR every step"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"
"$PY" -c 'import numpy; print("numpy", numpy.__version__)'
echo "dk-lyap: $(command -v dk-lyap)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores"

dk-init rnn --units "$N" --gain 2 --act tanh --seed 1 -o "$tmp/net.npy"
"$PY" -c "
import numpy as np
np.save('$tmp/x0.npy', np.random.default_rng(2).standard_normal((1, $N)))
np.save('$tmp/x0b.npy', np.random.default_rng(3).standard_normal((1, $N)))"
dk-lyap -k "$K" -T "$T" --transient $T0 --basis-transient $T1 -o "$tmp/dk-b.npy" \
	"$tmp/net.npy" "$tmp/x0b.npy"

# "median_wall median_cpu best_cpu worst_cpu" of the "wall cpu" lines
# of a file
stats() {
	awk '{ print $1 }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%s ", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	awk '{ print $2 }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%s %s %s\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2,
		v[1], v[NR] }'
}

# dk-lyap as the default runs it, and the other settings: two Cholesky
# passes per QR (--qr cholesky2), --tangent jacobian, one Cholesky pass
# per QR (--qr cholesky), QRs every 2 and every 4 steps, and one pass
# every 4 (the exponents of
# each against the default's are printed below: they differ by rounding
# only)
variants="default:
qr2:--qr cholesky2
jacobian:--tangent jacobian
qr1:--qr cholesky
every2:--every 2
every4:--every 4
qr1-every4:--qr cholesky --every 4"
for r in $(seq "$RUNS"); do
	while IFS= read -r v; do
		key=${v%%:*} flags=${v#*:}
		# shellcheck disable=SC2086
		/usr/bin/time -f '%e %U %S' -o "$tmp/time" \
			dk-lyap -k "$K" -T "$T" --transient $T0 --basis-transient $T1 $flags \
			-o "$tmp/dk-$key.npy" "$tmp/net.npy" "$tmp/x0.npy" </dev/null
		awk '{ print $1, $2 + $3 }' "$tmp/time" >>"$tmp/t-$key"
	done <<EOF
$variants
EOF
	"$PY" "$here/lyap_numpy.py" "$tmp/net.npy" "$tmp/x0.npy" "$K" $T0 $T1 "$T" \
		"$tmp/np.npy" >>"$tmp/t-np"
	# the floor under both: the tangent products alone, (k x N)(N x N)
	# once per step, through the same OpenBLAS DGEMM
	"$PY" -c "
import time, numpy as np
rng = np.random.default_rng(1)
W, Q = rng.standard_normal(($N, $N)), rng.standard_normal(($K, $N))
out = np.empty(($K, $N))
s, c = time.perf_counter(), time.process_time()
for t in range($T0 + $T1 + $T):
    np.dot(Q, W.T, out=out)
print('%.3f %.3f' % (time.perf_counter() - s, time.process_time() - c))" >>"$tmp/t-floor"
done
for f in "$tmp"/t-*; do
	stats "$f" >"$f.s"
done
read -r tfl cfl cfl_lo cfl_hi <"$tmp/t-floor.s"
echo "$RUNS rounds; medians, CPU (user + system) also best to worst; / floor: median to median, best to best"
echo "                                       wall (s)  CPU (s)                 wall / floor  CPU / floor"
row() { # label key
	read -r w c clo chi <"$tmp/t-$2.s"
	printf '%-38s %7.3f  %6.3f (%6.3f-%6.3f)  %5.2f         %5.2f (%5.2f)\n' "$1" "$w" "$c" \
		"$clo" "$chi" "$(echo "$w / $tfl" | bc -l)" "$(echo "$c / $cfl" | bc -l)" \
		"$(echo "$clo / $cfl_lo" | bc -l)"
}
row "dk-lyap (default, --qr auto)" default
row "dk-lyap --qr cholesky2" qr2
row "dk-lyap --tangent jacobian" jacobian
row "dk-lyap --qr cholesky" qr1
row "dk-lyap --every 2" every2
row "dk-lyap --every 4" every4
row "dk-lyap --qr cholesky --every 4" qr1-every4
row "numpy (steps only)" np
row "DGEMM floor (the products alone)" floor
printf 'floor rate %.1f GFLOP/s (median wall)\n' \
	"$(echo "2 * $N * $N * $K * ($T0 + $T1 + $T) / $tfl / 1000000000" | bc -l)"
read -r tdk cdk cdk_lo cdk_hi <"$tmp/t-default.s"
read -r tnp cnp cnp_lo cnp_hi <"$tmp/t-np.s"
printf 'ratio numpy/dk-lyap (default), wall: %.2f; CPU: %.2f (medians)\n' \
	"$(echo "$tnp / $tdk" | bc -l)" "$(echo "$cnp / $cdk" | bc -l)"

top_srcdir="$here/.." "$PY" - "$tmp" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
def load(p):
    return {name(r, i): r[1] for i, r in enumerate(records(p))}
d0 = load(os.path.join(sys.argv[1], "dk-default.npy"))["lyap/exponents"]
for key in ("qr2", "jacobian", "qr1", "every2", "every4", "qr1-every4"):
    e = load(os.path.join(sys.argv[1], "dk-%s.npy" % key))["lyap/exponents"]
    print("dk %s vs default: max |diff| %.2e" % (key, np.abs(e - d0).max()))
EOF
top_srcdir="$here/.." "$PY" - "$tmp" "$tmp/np.npy" "$tmp/dk-b.npy" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
def load(p):
    return {name(r, i): r[1] for i, r in enumerate(records(p))}
R = load(os.path.join(sys.argv[1], "dk-default.npy"))
dk, se = R["lyap/exponents"], R["lyap/stderr"]
for what, ref in (("numpy", np.load(sys.argv[2])),
                  ("dk, another start", load(sys.argv[3])["lyap/exponents"])):
    d = np.abs(dk - ref)
    print("dk vs %s: max |diff| %.2e (exponent %d), max |diff| / dk stderr %.2f; "
          "l1 %.5f +- %.5f vs %.5f; sum of %d: %.4f vs %.4f"
          % (what, d.max(), int(np.argmax(d)) + 1, (d / se).max(), dk[0], se[0], ref[0],
             dk.size, dk.sum(), ref.sum()))
EOF
