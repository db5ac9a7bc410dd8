#!/bin/bash
# eig_vs_numpy.sh -- the dense eigenvalues of dk-jac --matrix against
# numpy.linalg.eig, on the same random N x N matrix.
#
# For each N in ${BENCH_SIZES:-1024 2048}, NumPy writes a matrix with
# N(0, 1/N) entries (seed 1) to a .npy file; then, best (shortest) wall
# time of ${BENCH_RUNS:-3} runs each, whole processes, I/O included:
#
#	dk-jac --matrix A.npy > out.npy
#	    eigenvalues, condition numbers, index, stability, kind
#	python3 -c 'A = np.load(...); w, v = np.linalg.eig(A); np.save(..., w)'
#	    eigenvalues and right eigenvectors (eig always computes those)
#	dk-jac --matrix --vectors A.npy > out.npy     (for information:
#	    right and left eigenvectors as well)
#
# It checks that the two sets of eigenvalues agree (sorted the same way,
# to 1e-8 relative), prints the times, the ratio dk-jac/NumPy (goal: at
# most 1.2) and the BLAS settings, which both sides share (NumPy and
# libdynkit link the same OpenBLAS through Debian's alternatives).
# Export OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS or OMP_NUM_THREADS before
# running it to change them; the script never sets them.
#
# Environment: DK_JAC (default tools/dk-jac of the build tree), PYTHON3
# (default /usr/bin/python3, with NumPy), BENCH_SIZES, BENCH_RUNS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
DK_JAC=${DK_JAC:-$builddir/tools/dk-jac}
PYTHON3=${PYTHON3:-/usr/bin/python3}
sizes=${BENCH_SIZES:-1024 2048}
runs=${BENCH_RUNS:-3}

if [ ! -x "$DK_JAC" ]; then
	echo "eig_vs_numpy.sh: no $DK_JAC: run 'make tools/dk-jac' first" >&2
	exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/dk-bench-eig.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# best (shortest) wall time of $runs runs of a command, in nanoseconds
best_ns() {
	local best='' t0 t1 i
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		eval "$1"
		t1=$(date +%s%N)
		if [ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ]; then
			best=$((t1 - t0))
		fi
	done
	echo "$best"
}
sec() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }

echo "dk-jac: $DK_JAC ($("$DK_JAC" --version | head -n 1))"
echo "NumPy: $("$PYTHON3" -c 'import numpy; print(numpy.__version__)') ($PYTHON3)"
echo "BLAS: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}; $(nproc) processors;" \
     "load $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "best of $runs runs, whole processes, .npy in and out"
printf '%6s  %12s  %12s  %8s  %18s\n' N "dk-jac (s)" "NumPy (s)" ratio "dk-jac -v (s)"
q=$(printf %q "$dir")
d=$(printf %q "$DK_JAC")
p=$(printf %q "$PYTHON3")
for n in $sizes; do
	"$PYTHON3" -c "
import numpy as np
n = $n
np.save('$dir/A.npy', np.random.default_rng(1).standard_normal((n, n)) / np.sqrt(n))
"
	ns_dk=$(best_ns "$d --matrix $q/A.npy > $q/dk.npy")
	ns_np=$(best_ns "$p -c 'import numpy as np; A = np.load(\"$dir/A.npy\"); w, v = np.linalg.eig(A); np.save(\"$dir/np.npy\", w)'")
	ns_dv=$(best_ns "$d --matrix --vectors $q/A.npy > $q/dkv.npy")
	"$PYTHON3" - "$dir" <<'PYEOF'
import io, sys
import numpy as np
d = sys.argv[1]
f = io.BytesIO(open(d + "/dk.npy", "rb").read())
recs = []
while f.tell() < len(f.getbuffer()):
    recs.append(np.load(f))
dk = [r for r in recs if r.dtype == np.complex128][0][0]
w = np.load(d + "/np.npy")
w = w[sorted(range(len(w)), key=lambda j: (-abs(w[j]), -w[j].real, -abs(w[j].imag), -w[j].imag))]
err = np.abs(dk - w).max() / np.abs(w).max()
if err > 1e-8:
    sys.exit("eig_vs_numpy.sh: dk-jac and NumPy disagree: %.3g" % err)
PYEOF
	printf '%6s  %12s  %12s  %8s  %18s\n' "$n" "$(sec "$ns_dk")" "$(sec "$ns_np")" \
		"$(awk -v a="$ns_dk" -v b="$ns_np" 'BEGIN { printf "%.2f", a / b }')" "$(sec "$ns_dv")"
done
echo "ratio = dk-jac / NumPy; goal <= 1.20 (eigenvalues agree to 1e-8 relative)"
