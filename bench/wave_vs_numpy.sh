#!/bin/bash
# wave_vs_numpy.sh -- dk-wave against its two methods in NumPy
# (bench/wave_numpy.py), side by side, on one ring carrying a noisy wave
# of speed 0.37 units per step: 4096 steps x 256 units and 2048 x 1024.
#
# Times are the best wall time of BENCH_RUNS: of the whole dk-wave
# process (reading the .npy, writing the records included), run from the
# build tree's tools/.libs with the library path set (not the libtool
# wrappers); of the library call alone (bench/wave_call.c, compiled here
# against the build tree's libdynkit: dk_wave_run on states already in
# memory), wall and CPU time; and of the analysis alone in NumPy (loading
# excluded): the ratios do not flatter dk-wave, which also refines the
# spectral peak off the grid, and in the phase method takes three
# quantities' quartiles, the directionality and the negative
# frequencies, where the NumPy side takes one median.  Peak memory
# (maximum resident set) of dk-wave is printed beside, for the file and
# for the same states through a pipe.  Both sides run with --band 0 (all
# frequencies) and under this shell's OpenBLAS settings, printed.
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3), CC (default cc), BENCH_RUNS (3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-3}
if [ -x "$top_builddir/tools/.libs/dk-wave" ]; then
	dk="$top_builddir/tools/.libs/dk-wave"
	export LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
	dk="$top_builddir/tools/dk-wave"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wavebench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
srcdir=$(cd "$here/.." && pwd)
"${CC:-cc}" -O2 -I"$srcdir/lib" -I"$top_builddir" -o "$tmp/wave_call" "$here/wave_call.c" \
	"$top_builddir/lib/.libs/libdynkit.so" "$top_builddir/lib/.libs/libdynkit_stream.so" \
	-Wl,-rpath,"$top_builddir/lib/.libs" $(pkg-config --libs jansson 2>/dev/null || echo -ljansson) -lm

echo "wave_vs_numpy: best of $RUNS; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
"$PY" -c 'import numpy; print("numpy", numpy.__version__)'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores"
echo "columns: dk-wave, the whole process (wall s); call, the library call alone (wall s), call/c"
echo "its CPU s; numpy, the NumPy function alone (wall s), np/c its CPU s; np/dk, np/cl, np/cl/c"
echo "the ratios NumPy / dk-wave (wall), NumPy / call (wall), NumPy / call (CPU); MiB, dk-wave's"
echo "peak resident memory on the file, MiB| on the same file through a pipe"
printf '%-18s %7s %7s %7s %7s %7s %6s %6s %6s %6s %6s   %s\n' job dk-wave call "call/c" numpy \
	"np/c" "np/dk" "np/cl" "np/cl/c" "MiB" "MiB|" "speed (dk-wave, numpy)"
best() { # the smaller of two numbers, the second may be empty
	echo "$1 ${2:-inf}" | awk '{if ($2 == "inf" || $1 < $2) print $1; else print $2}'
}
for shape in "4096 256" "2048 1024"; do
	set -- $shape
	"$PY" -c "
import numpy as np
rng = np.random.default_rng(1)
t, i = np.arange($1)[:, None], np.arange($2)[None, :]
np.save('$tmp/a.npy', np.cos(2 * np.pi * (i / 16 - 0.37 / 16 * t)) + rng.normal(0, 0.5, ($1, $2)))"
	for method in spectral phase; do
		b=
		for _ in $(seq "$RUNS"); do
			/usr/bin/time -f "%e %M" -o "$tmp/t" "$dk" --method $method --band 0 "$tmp/a.npy" \
				-o "$tmp/w.npy"
			read -r e mem <"$tmp/t"
			b=$(best "$e" "$b")
		done
		/usr/bin/time -f "%e %M" -o "$tmp/t" sh -c "cat '$tmp/a.npy' | '$dk' --method $method \
			--band 0 > /dev/null"
		read -r _ pmem <"$tmp/t"
		"$tmp/wave_call" "$tmp/a.npy" $method 0 "$RUNS" >"$tmp/call.txt"
		tcall=$(awk '/^wall/ {print $2}' "$tmp/call.txt")
		ccall=$(awk '/^cpu/ {print $2}' "$tmp/call.txt")
		"$PY" "$here/wave_numpy.py" "$tmp/a.npy" $method "$RUNS" >"$tmp/py.txt"
		tpy=$(awk '/^time/ {print $2}' "$tmp/py.txt")
		cpy=$(awk '/^cpu/ {print $2}' "$tmp/py.txt")
		sdk=$("$PY" -c "
import sys; sys.path.insert(0, '$here/../tests')
from npystream import load
print('%.6g' % load('$tmp/w.npy')['wave/speed'].ravel()[0])")
		printf '%-18s %7.3f %7.3f %7.3f %7.3f %7.3f %6.1f %6.1f %6.1f %6.0f %6.0f   %s %s\n' \
			"$method $1x$2" "$b" "$tcall" "$ccall" "$tpy" "$cpy" \
			"$(echo "$tpy $b" | awk '{print $1 / $2}')" \
			"$(echo "$tpy $tcall" | awk '{print $1 / $2}')" \
			"$(echo "$cpy $ccall" | awk '{print $1 / $2}')" \
			"$(echo "$mem" | awk '{print $1 / 1024}')" "$(echo "$pmem" | awk '{print $1 / 1024}')" \
			"$sdk" "$(awk '/^speed/ {print $2}' "$tmp/py.txt")"
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
