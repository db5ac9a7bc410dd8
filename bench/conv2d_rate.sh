#!/bin/bash
# conv2d_rate.sh -- the 2-D convolution layer's forward and backward at
# the segmentation sizes (32 x 32, 16 to 32 channels, batch 16 and 64)
# as a fraction of this machine's DGEMM rate, timed in the same run
# (bench/conv2d_rate.c, compiled here against the build tree's
# libdynkit).  Prints the CPU, its load and the OpenBLAS core and thread
# settings, on which the fractions depend.
#
# Environment: top_builddir (default: the source tree), CC (default cc),
# BENCH_REPS (default 5).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
CC=${CC:-cc}
reps=${BENCH_REPS:-5}

if [ ! -e "$builddir/lib/.libs/libdynkit.so" ]; then
	echo "conv2d_rate.sh: no build in $builddir: run 'make' first" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-conv2d-rate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
blas=$(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)
libs=$(pkg-config --libs jansson 2>/dev/null || echo -ljansson)
# shellcheck disable=SC2086  # lists of words
"$CC" -O2 -I"$srcdir/lib" -I"$builddir" -o "$tmp/conv2d_rate" \
	"$here/conv2d_rate.c" "$builddir/lib/.libs/libdynkit.so" \
	-Wl,-rpath,"$builddir/lib/.libs" $blas $libs -lm
"$tmp/conv2d_rate" "$reps"
echo "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
