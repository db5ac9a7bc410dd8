#!/bin/bash
# conv2d.sh -- im2col and GEMM against direct loops for the 2-D
# convolution layer (bench/conv2d.c, compiled here against the build
# tree's libdynkit): per shape and call, the best time of each and the
# ratio direct / gemm.  Prints the CPU, its load and the OpenBLAS
# settings, on which the ratios depend.
#
# Environment: top_builddir (default: the source tree), CC (default cc),
# BENCH_REPS (default 7).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
CC=${CC:-cc}
reps=${BENCH_REPS:-7}

if [ ! -e "$builddir/lib/.libs/libdynkit.so" ]; then
	echo "conv2d.sh: no build in $builddir: run 'make' first" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-conv2d.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
blas=$(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)
libs=$(pkg-config --libs jansson 2>/dev/null || echo -ljansson)
# shellcheck disable=SC2086  # lists of words
"$CC" -O2 -I"$srcdir/lib" -I"$builddir" -o "$tmp/conv2d" \
	"$here/conv2d.c" "$builddir/lib/.libs/libdynkit.so" \
	-Wl,-rpath,"$builddir/lib/.libs" $blas $libs -lm
"$tmp/conv2d" "$reps"
echo "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
