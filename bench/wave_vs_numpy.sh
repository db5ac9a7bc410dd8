#!/bin/bash
# wave_vs_numpy.sh -- dk-wave against its two methods in NumPy
# (bench/wave_numpy.py), side by side, on one ring carrying a noisy wave
# of speed 0.37 units per step: 4096 steps x 256 units and 2048 x 1024;
# and on a 48 x 48 torus over 128 steps carrying a plane wave of speed
# 0.37 at 26.6 degrees (2 and 1 cycles across it) with a little noise
# (standard deviation 0.1: with --band 0, every frequency kept, more
# would leave the phase-gradient field no pattern, and dk-wave no speed).
#
# Each of BENCH_RUNS repetitions runs, one after the other, the whole
# dk-wave process (reading the .npy, writing the records included; from
# the build tree's tools/.libs with the library path set, not the
# libtool wrapper), the whole NumPy process (python3 starting, importing
# NumPy, reading the same .npy and computing once: wave_numpy.py with one
# repeat), the library call alone (bench/wave_call.c, compiled here
# against the build tree's libdynkit: dk_wave_run on states already in
# memory; wall and CPU time, the better of two calls) and the analysis
# alone in NumPy (loading excluded; wall and CPU time, the better of two
# calls: both sides warm), so that the four see the same load; the
# figures printed are the medians over the repetitions of each time and
# of each repetition's ratios.  The whole-process ratio np/dk sets process
# against process (both timed by the nanosecond clock), the call ratios
# np/cl and np/cl/c function against function.  The ratios do not
# flatter dk-wave, which also refines the spectral peak off the grid, in
# the phase method takes three quantities' quartiles, the directionality
# and the negative frequencies, where the NumPy side takes one median,
# and on the sheet finds the pattern (its spectral method too).  Peak
# memory (maximum resident set) of dk-wave is printed beside, for the
# file and for the same states through a pipe.  Both sides run with
# --band 0 (all frequencies), one thread each (FFTW's plans are made
# with FFTW_ESTIMATE, single-threaded; NumPy's FFT is pocketfft's), under
# this shell's OpenBLAS settings, printed with the FFTW and NumPy
# versions.
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3), CC (default cc), BENCH_RUNS (5).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-5}
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
	-Wl,-rpath,"$top_builddir/lib/.libs" $(pkg-config --libs jansson 2>/dev/null || echo -ljansson) \
	-lfftw3 -lm

echo "wave_vs_numpy: medians of $RUNS; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
"$PY" -c 'import numpy; print("numpy", numpy.__version__)'
echo "$("$tmp/wave_call" --version); plans FFTW_ESTIMATE, one thread"
echo "transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores"
echo "columns: dk-wave, its whole process (wall s); python, the whole NumPy process (wall s:"
echo "python3 start, import, load, one analysis); call, the library call alone (wall s), call/c"
echo "its CPU s; numpy, the NumPy function alone (wall s), np/c its CPU s; np/dk, python / dk-wave"
echo "(process against process, wall); np/cl, np/cl/c, NumPy function / library call (wall, CPU);"
echo "each ratio the median of the repetitions' own; MiB, dk-wave's peak resident memory on the"
echo "file, MiB| on the same file through a pipe"
printf '%-18s %7s %7s %7s %7s %7s %7s %6s %6s %6s %6s %6s   %s\n' job dk-wave python call "call/c" \
	numpy "np/c" "np/dk" "np/cl" "np/cl/c" "MiB" "MiB|" "speed (dk-wave, numpy)"
median() { # the median of the numbers on standard input
	sort -g | awk '{v[n++] = $1} END {print n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2}'
}
for shape in "4096 256" "2048 1024" "128 48 48"; do
	set -- $shape
	if [ $# = 2 ]; then
		"$PY" -c "
import numpy as np
rng = np.random.default_rng(1)
t, i = np.arange($1)[:, None], np.arange($2)[None, :]
np.save('$tmp/a.npy', np.cos(2 * np.pi * (i / 16 - 0.37 / 16 * t)) + rng.normal(0, 0.5, ($1, $2)))"
	else
		"$PY" -c "
import numpy as np
rng = np.random.default_rng(1)
t, i, j = np.arange($1)[:, None, None], np.arange($2)[None, :, None], np.arange($3)[None, None, :]
k = np.hypot(2 / $3, 1 / $2)
np.save('$tmp/a.npy', np.cos(2 * np.pi * (2 * j / $3 + i / $2 - 0.37 * k * t)) + rng.normal(0, 0.1, ($1, $2, $3)))"
		set -- "$1" "$2x$3"
	fi
	for method in spectral phase; do
		: >"$tmp/reps"
		for _ in $(seq "$RUNS"); do
			# the processes' wall times by the nanosecond clock (time's
			# %e counts hundredths), each taken around the same wrapper
			t0=$(date +%s%N)
			/usr/bin/time -f "%M" -o "$tmp/t" "$dk" --method $method --band 0 "$tmp/a.npy" \
				-o "$tmp/w.npy"
			t1=$(date +%s%N)
			/usr/bin/time -f "%M" -o "$tmp/tp" "$PY" "$here/wave_numpy.py" "$tmp/a.npy" \
				$method 1 >/dev/null
			t2=$(date +%s%N)
			read -r mem <"$tmp/t"
			e=$(awk "BEGIN {print ($t1 - $t0) / 1e9}")
			pe=$(awk "BEGIN {print ($t2 - $t1) / 1e9}")
			"$tmp/wave_call" "$tmp/a.npy" $method 0 2 >"$tmp/call.txt"
			"$PY" "$here/wave_numpy.py" "$tmp/a.npy" $method 2 >"$tmp/py.txt"
			echo "$e $(awk '/^wall/ {w = $2} /^cpu/ {c = $2} END {print w, c}' "$tmp/call.txt") \
$(awk '/^time/ {w = $2} /^cpu/ {c = $2} END {print w, c}' "$tmp/py.txt") $pe" >>"$tmp/reps"
		done
		/usr/bin/time -f "%e %M" -o "$tmp/t" sh -c "cat '$tmp/a.npy' | '$dk' --method $method \
			--band 0 > /dev/null"
		read -r _ pmem <"$tmp/t"
		col() { awk "{print $1}" "$tmp/reps" | median; }
		sdk=$("$PY" -c "
import sys; sys.path.insert(0, '$here/../tests')
from npystream import load
print('%.6g' % load('$tmp/w.npy')['wave/speed'].ravel()[0])")
		printf '%-18s %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f %6.1f %6.1f %6.1f %6.0f %6.0f   %s %s\n' \
			"$method $1x$2" "$(col '$1')" "$(col '$6')" "$(col '$2')" "$(col '$3')" \
			"$(col '$4')" "$(col '$5')" "$(col '$6 / $1')" "$(col '$4 / $2')" "$(col '$5 / $3')" \
			"$(echo "$mem" | awk '{print $1 / 1024}')" "$(echo "$pmem" | awk '{print $1 / 1024}')" \
			"$sdk" "$(awk '/^speed/ {print $2}' "$tmp/py.txt")"
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
