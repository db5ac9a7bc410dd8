#!/bin/bash
# dmft_vs_scipy.sh -- dk-dmft's solves against the same equations in
# NumPy and SciPy (bench/dmft_scipy.py), side by side, in one run.
#
# The jobs: scs at g = 2 (tanh and erf), Delta0 and Delta(tau) on the
# grid 0, 0.1, ..., 30; map at g = 2 (tanh and erf), q, chi1 and the
# exponent; multiregion, the two-time theory with disorder 1.5 in P = 5
# regions to t = 100 at dt = 0.05, the whole run as the band.  For each,
# the best of BENCH_RUNS of: the library call alone (bench/dmft_call,
# built by make beside the library: wall and CPU time), the whole
# dk-dmft process (from the build tree's tools/.libs with the library
# path set, not the libtool wrapper; start-up and writing the records
# included), and the SciPy solve alone (imports excluded; wall and CPU).
# The ratio asked of the issue (10x) is SciPy's solve over the library
# call (`ratio`, wall; `cpu`, CPU time, which a loaded machine disturbs
# less); the process's (`proc`, wall) is printed beside it.  The leading values of both
# sides are printed with their relative difference, and the settings
# the times depend on (OpenBLAS threads, load, NumPy and SciPy).
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3, Debian's, with NumPy and SciPy), BENCH_RUNS (5).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-5}
call="$top_builddir/bench/dmft_call"
[ -x "$call" ] || { echo "dmft_vs_scipy: build $call first (make)" >&2; exit 1; }
if [ -x "$top_builddir/tools/.libs/dk-dmft" ]; then
	dk="$top_builddir/tools/.libs/dk-dmft"
	export LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	[ -x "$top_builddir/bench/.libs/dmft_call" ] && call="$top_builddir/bench/.libs/dmft_call"
else
	dk="$top_builddir/tools/dk-dmft"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmftbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "dmft_vs_scipy: best of $RUNS; OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset}" \
	"OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"
"$PY" -c 'import numpy, scipy; print("numpy", numpy.__version__, "scipy", scipy.__version__)'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores;" \
	"$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"

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

field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

printf '%-16s %10s %10s %10s %10s %10s %6s %6s %6s  %s\n' job call_wall call_cpu process scipy scipy_cpu ratio cpu proc \
	"v0 (call, scipy, relative difference)"
row() {   # JOB, then the call's and SciPy's arguments, then dk-dmft's
	job=$1 cargs=$2 pargs=$3
	shift 3
	"$call" $cargs "$RUNS" >"$tmp/call.txt"
	tproc=$(best "$dk" "$@" -o "$tmp/out.npy")
	"$PY" "$here/dmft_scipy.py" $pargs "$RUNS" >"$tmp/py.txt"
	tpy=$(field time "$tmp/py.txt") cpy=$(field cpu "$tmp/py.txt")
	w=$(field wall "$tmp/call.txt") c=$(field cpu "$tmp/call.txt")
	v=$(field v0 "$tmp/call.txt") pv=$(field v0 "$tmp/py.txt")
	printf '%-16s %10.3g %10.3g %10.3g %10.3g %10.3g %6.1f %6.1f %6.1f  %s %s %.1e\n' "$job" "$w" "$c" \
		"$tproc" "$tpy" "$cpy" "$(echo "$tpy $w" | awk '{print $1 / $2}')" \
		"$(echo "$cpy $c" | awk '{print $1 / $2}')" "$(echo "$tpy $tproc" | awk '{print $1 / $2}')" \
		"$v" "$pv" "$(echo "$v $pv" | awk '{d = ($1 - $2) / $2; print d < 0 ? -d : d}')"
}
for phi in tanh erf; do
	row "scs $phi" "scs 2 $phi 30 0.1" "scs 2 $phi 30 0.1" scs --gain 2 --phi $phi --tau-max 30 --dtau 0.1
	row "map $phi" "map 2 $phi" "map 2 $phi" map --gain 2 --phi $phi
done
row "multiregion P=5" "multiregion 1.5 100 0.05" "multiregion 1.5 100 0.05" multiregion \
	--a 2,1.5,1.2,1.8,1.1 --b 0.5,0.5,0.5,0.5,0.5 --signs 1,1,1,1,1 --gain 1.5,1.5,1.5,1.5,1.5 \
	--t-max 100 --dt 0.05
