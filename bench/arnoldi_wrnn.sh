#!/bin/bash
# arnoldi_wrnn.sh -- the leading eigenvalues of a large Wave-RNN's
# Jacobian, matrix-free, against the dense way where the dense way fits.
#
# A Wave-RNN of 16 rings of 4096 units (dk-init wrnn --init random,
# kernel gain BENCH_GAIN, default 1.5) has a state of n = 65536: its
# Jacobian would take n^2 x 8 bytes = 34 GB dense.  The script drives the
# model BENCH_STEPS (default 10) steps from rest on normal random input,
# so that part of its ReLUs are on, and times dk_leading_eigs for the
# BENCH_K (default 20) eigenvalues of largest modulus at the last state
# (bench/arnoldi_wrnn.c, compiled here against the build tree's
# libdynkit; Arnoldi tolerance BENCH_TOL, default 1e-10), printing the
# eigenvalues, their residuals ||J v - lambda v|| recomputed with the
# Jacobian, and whether it took under 60 s.
#
# Side by side, the same job at 16 rings of 128 units (n = 2048), small
# enough for the reference: the dense Jacobian (dk_model_jacobian) and
# all its eigenvalues (LAPACK dgeev), timed against Arnoldi, with the
# ratio and the agreement of the leading values.
#
# OpenBLAS runs under this shell's settings (OPENBLAS_CORETYPE,
# OPENBLAS_NUM_THREADS, OMP_NUM_THREADS), printed first with the load
# average, which skews the times when the machine is shared.
#
# Environment: top_builddir (default: the source tree), CC (default cc),
# BENCH_GAIN, BENCH_STEPS, BENCH_K, BENCH_TOL, BENCH_NCV (Arnoldi basis
# size; default max(2k + 1, 40)).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
tools=$builddir/tools
CC=${CC:-cc}
gain=${BENCH_GAIN:-1.5}
steps=${BENCH_STEPS:-10}
k=${BENCH_K:-20}
export BENCH_TOL=${BENCH_TOL:-1e-10}

if [ ! -x "$tools/dk-init" ] || [ ! -e "$builddir/lib/.libs/libdynkit.so" ]; then
	echo "arnoldi_wrnn.sh: no build in $builddir: run 'make' first" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-arnoldi-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== settings"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
echo "dynkit: $("$tools/dk-init" --version 2>/dev/null | head -n 1)," \
     "commit $(git -C "$builddir" describe --always --dirty 2>/dev/null || echo unknown)"

libs=$(pkg-config --libs lapacke 2>/dev/null || echo -llapacke)
# shellcheck disable=SC2086  # $libs is a list of words
"$CC" -O2 -I"$srcdir/lib" -I"$builddir" -o "$tmp/arnoldi_wrnn" \
	"$here/arnoldi_wrnn.c" "$builddir/lib/.libs/libdynkit.so" "$builddir/lib/.libs/libdynkit_stream.so" \
	-Wl,-rpath,"$builddir/lib/.libs" $libs -lm

run() { # CHANNELS UNITS [dense]
	"$tools/dk-init" wrnn --channels "$1" --units "$2" --init random \
		--gain "$gain" --seed 1 > "$tmp/model.npy"
	"$tmp/arnoldi_wrnn" "$tmp/model.npy" "$k" "$steps" 1 ${3:-}
}

echo "== reference: 16 x 128 (n = 2048), dense Jacobian + dgeev vs Arnoldi"
run 16 128 dense

echo "== 16 x 4096 (n = 65536), Arnoldi only"
start=$(date +%s.%N)
out=$(run 16 4096)
end=$(date +%s.%N)
echo "$out"
secs=$(sed -n 's/^arnoldi: .*: \([0-9.]*\) s, .*/\1/p' <<<"$out")
awk -v s="$secs" -v w="$start" -v e="$end" 'BEGIN {
	printf "arnoldi %.2f s (whole run, model creation and driving included, %.2f s): %s\n",
	       s, e - w, (s < 60 ? "under 60 s" : "OVER 60 s") }'
echo "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
