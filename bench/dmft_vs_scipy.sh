#!/bin/bash
# dmft_vs_scipy.sh -- dk-dmft's solves against the same equations in
# NumPy and SciPy (bench/dmft_scipy.py), side by side.
#
# The jobs: scs at g = 2 (tanh and erf), Delta0 and Delta(tau) on the
# grid 0, 0.1, ..., 30; map at g = 2 (tanh and erf), q, chi1 and the
# exponent.  Times are the best wall time of BENCH_RUNS: of the whole
# dk-dmft process (start-up, writing the records included), run from the
# build tree's tools/.libs with the library path set (not the libtool
# wrappers, which add about 50 ms of shell), and of the solve alone in
# Python (imports excluded), so the ratio does not flatter dk-dmft.  The
# values of both sides are printed with their difference.
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3, Debian's, with NumPy and SciPy), BENCH_RUNS (5).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-5}
if [ -x "$top_builddir/tools/.libs/dk-dmft" ]; then
	dk="$top_builddir/tools/.libs/dk-dmft"
	export LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
	dk="$top_builddir/tools/dk-dmft"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmftbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "dmft_vs_scipy: best of $RUNS; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset}"
"$PY" -c 'import numpy, scipy; print("numpy", numpy.__version__, "scipy", scipy.__version__)'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores"

# best wall time, in seconds, of RUNS runs of a command
best() {
	b=
	for _ in $(seq "$RUNS"); do
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		b=$(echo "$s $e ${b:-inf}" | awk '{t = $2 - $1; if ($3 == "inf" || t < $3) print t; else print $3}')
	done
	echo "$b"
}

# value NAME FILE: a 0-d record's value, or the element INDEX of a 1-d one
value() {
	"$PY" - "$@" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[3])
from npystream import load
R = load(sys.argv[2])
v = R[sys.argv[1]]
print("%.17g" % (v[int(sys.argv[4])] if len(sys.argv) > 4 else v))
PYEOF
}

printf '%-14s %10s %10s %8s   %s\n' job dk-dmft scipy ratio "values (dk-dmft, scipy)"
for phi in tanh erf; do
	"$dk" scs --gain 2 --phi $phi --tau-max 30 --dtau 0.1 -o "$tmp/scs.npy"
	tdk=$(best "$dk" scs --gain 2 --phi $phi --tau-max 30 --dtau 0.1 -o "$tmp/scs.npy")
	"$PY" "$here/dmft_scipy.py" scs 2 $phi 30 0.1 "$RUNS" >"$tmp/py.txt"
	tpy=$(awk '/^time/ {print $2}' "$tmp/py.txt")
	d0=$(value dmft/delta0 "$tmp/scs.npy" "$here/../tests")
	mid=$(value dmft/delta "$tmp/scs.npy" "$here/../tests" 30)
	printf '%-14s %10.4f %10.4f %8.1f   Delta0 %s %s; Delta(3) %s %s\n' "scs $phi" "$tdk" "$tpy" \
		"$(echo "$tpy $tdk" | awk '{print $1 / $2}')" "$d0" "$(awk '/^delta0/ {print $2}' "$tmp/py.txt")" \
		"$mid" "$(awk '/^delta_mid/ {print $2}' "$tmp/py.txt")"
	"$dk" map --gain 2 --phi $phi -o "$tmp/map.npy"
	tdk=$(best "$dk" map --gain 2 --phi $phi -o "$tmp/map.npy")
	"$PY" "$here/dmft_scipy.py" map 2 $phi "$RUNS" >"$tmp/py.txt"
	tpy=$(awk '/^time/ {print $2}' "$tmp/py.txt")
	printf '%-14s %10.4f %10.4f %8.1f   q %s %s\n' "map $phi" "$tdk" "$tpy" \
		"$(echo "$tpy $tdk" | awk '{print $1 / $2}')" "$(value dmft/q "$tmp/map.npy" "$here/../tests")" \
		"$(awk '/^q / {print $2}' "$tmp/py.txt")"
done
