#!/bin/bash
# cat_throughput.sh -- dk-cat's throughput through a pipe, against cat(1).
#
# Makes a stream of ${BENCH_MB:-1024} MiB (64 MiB <f8 tensors, each with a
# metadata record, and a few small ones between them) with NumPy, warms
# the page cache, and times, best of ${BENCH_RUNS:-3}:
#
#	cat FILE | cat > /dev/null
#	cat FILE | dk-cat > /dev/null
#	cat FILE | dk-cat --select 'model/W[0-7]' > /dev/null   (half the bytes)
#
# printing MB/s (10^6 bytes of input per second) for each and the ratio
# dk-cat/cat.  The goal is dk-cat at no less than half the speed of cat.
#
# Environment: DK_CAT (default tools/dk-cat of the build tree), PYTHON3
# (default /usr/bin/python3, with NumPy), BENCH_MB, BENCH_RUNS, BENCH_FILE
# (use or create this stream instead of a temporary one, and keep it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
DK_CAT=${DK_CAT:-$builddir/tools/dk-cat}
PYTHON3=${PYTHON3:-/usr/bin/python3}
mb=${BENCH_MB:-1024}
runs=${BENCH_RUNS:-3}

if [ ! -x "$DK_CAT" ]; then
	echo "cat_throughput.sh: no $DK_CAT: run 'make tools/dk-cat' first" >&2
	exit 2
fi

if [ -n "${BENCH_FILE:-}" ]; then
	file=$BENCH_FILE
else
	file=$(mktemp "${TMPDIR:-/tmp}/dk-bench.XXXXXX.npy")
	trap 'rm -f "$file"' EXIT
fi

if [ ! -s "$file" ]; then
	echo "making a $mb MiB stream in $file"
	"$PYTHON3" - "$file" "$mb" <<'EOF'
import json, sys
import numpy as np

path, mib = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1)
big = rng.standard_normal((2048, 4096))          # 64 MiB of <f8
small = rng.standard_normal((16, 16))

def meta(f, name, **attrs):
    text = json.dumps({"name": name, "attrs": attrs}, sort_keys=True)
    np.save(f, np.array(text.encode()))

with open(path, "wb") as f:
    for k in range(max(1, mib // 64)):
        meta(f, "model/W%d" % k, kind="bench", index=k)
        np.save(f, big)
        meta(f, "fp/x%d" % k)
        np.save(f, small)
EOF
fi
bytes=$(stat -c %s "$file")

cat "$file" > /dev/null     # warm the page cache
# dk-cat must be the identity on the stream before its speed means anything
# shellcheck disable=SC2094  # both only read FILE
if ! "$DK_CAT" < "$file" | cmp -s - "$file"; then
	echo "cat_throughput.sh: dk-cat's output differs from its input" >&2
	exit 1
fi

# best (shortest) wall time of $runs runs of a pipeline, in nanoseconds
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

mbps() { awk -v b="$bytes" -v ns="$1" 'BEGIN { printf "%.0f", b / 1e6 / (ns / 1e9) }'; }

q=$(printf %q "$file")
d=$(printf %q "$DK_CAT")
ns_cat=$(best_ns "cat $q | cat > /dev/null")
ns_dk=$(best_ns "cat $q | $d > /dev/null")
ns_sel=$(best_ns "cat $q | $d --select 'model/W[0-7]' > /dev/null")

echo "stream: $bytes bytes ($((bytes >> 20)) MiB), $file; best of $runs, warm cache"
echo "dk-cat: $DK_CAT ($("$DK_CAT" --version 2>/dev/null | head -n 1))"
echo "BLAS: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset} (not used by this benchmark)"
printf '%-54s %8s MB/s  %7.3f s\n' \
	"cat FILE | cat > /dev/null" "$(mbps "$ns_cat")" "$(awk -v n="$ns_cat" 'BEGIN{print n/1e9}')" \
	"cat FILE | dk-cat > /dev/null" "$(mbps "$ns_dk")" "$(awk -v n="$ns_dk" 'BEGIN{print n/1e9}')" \
	"cat FILE | dk-cat --select 'model/W[0-7]' > /dev/null" "$(mbps "$ns_sel")" "$(awk -v n="$ns_sel" 'BEGIN{print n/1e9}')"
ratio=$(awk -v a="$ns_cat" -v b="$ns_dk" 'BEGIN { printf "%.2f", a / b }')
ratio_sel=$(awk -v a="$ns_cat" -v b="$ns_sel" 'BEGIN { printf "%.2f", a / b }')
echo "ratio dk-cat/cat: $ratio (--select: $ratio_sel); goal >= 0.50:" \
     "$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5 ? "met" : "NOT met") }')"
