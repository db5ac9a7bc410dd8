#!/bin/bash
# wrnn_threads.sh -- what sharing the Wave-RNN's batch rows between two
# threads gains, measured inside one process (bench/wrnn_threads.c,
# compiled here against the build tree's libdynkit).
#
# For the benchmark's wRNN (27 rings of 100 units, batch 128, 100 steps;
# BENCH_SHAPE="C N B T" to change it) it alternates BENCH_ROUNDS (default
# 10) forward + backward passes with 1 and with 2 threads and prints the
# best wall and CPU time of each, the speed-up, and whether the
# gradients are the same bits (they must be).  The machine's load
# average is printed before and after: another job on the 2 cores leaves
# the second thread nothing to run on.
#
# Environment: top_builddir (default: the source tree), CC (default cc),
# BENCH_SHAPE, BENCH_ROUNDS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
CC=${CC:-cc}
shape=${BENCH_SHAPE:-27 100 128 100}
rounds=${BENCH_ROUNDS:-10}

if [ ! -e "$builddir/lib/.libs/libdynkit.so" ]; then
	echo "wrnn_threads.sh: no build in $builddir: run 'make' first" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-wrnn-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
blas=$(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)
libs=$(pkg-config --libs jansson 2>/dev/null || echo -ljansson)
# shellcheck disable=SC2086  # lists of words
"$CC" -O2 -I"$srcdir/lib" -I"$builddir" -o "$tmp/wrnn_threads" \
	"$here/wrnn_threads.c" "$builddir/lib/.libs/libdynkit.so" "$builddir/lib/.libs/libdynkit_stream.so" \
	-Wl,-rpath,"$builddir/lib/.libs" $blas $libs -lm
# shellcheck disable=SC2086  # the shape is four words
"$tmp/wrnn_threads" $shape "$rounds"
echo "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
