#!/bin/bash
# wave_memory.sh -- dk-wave's peak memory on a long recording from a
# pipe: the spectral method with windows (Welch) and the phase method
# in chunks overlapping by half, on one ring of 256 units over 10^6
# steps (2.05 GB of f8 states), the states read whole against read a
# window at a time (--stream).  Nothing is stored: a
# small NumPy program writes the .npy record to the pipe, a noisy wave
# of speed 0.37 units per step and wavelength 16 units (the wave computed
# step by step; the noise one block of 4096 steps, written again and
# again).  Prints for each run the wall time, the CPU time (user +
# system) and the maximum resident set (GNU time's %M) of dk-wave alone,
# the speed and wavelength found, and whether the two runs' records are
# the same bytes (they must be), for each method.
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3), STEPS (1000000), UNITS (256), WINDOW (4096),
# METHODS ("spectral phase").
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
T=${STEPS:-1000000} N=${UNITS:-256} W=${WINDOW:-4096}
METHODS=${METHODS:-spectral phase}
if [ -x "$top_builddir/tools/.libs/dk-wave" ]; then
	dk="$top_builddir/tools/.libs/dk-wave"
	export LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
	dk="$top_builddir/tools/dk-wave"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wavemem.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/gen.py" <<EOF
import sys
import numpy as np
T, N, block = $T, $N, 4096
out = sys.stdout.buffer
noise = np.random.default_rng(1).normal(0, 0.5, (block, N))
i = np.arange(N)[None, :]
np.lib.format.write_array_header_1_0(out, {"descr": "<f8", "fortran_order": False, "shape": (T, N)})
for t0 in range(0, T, block):
    t = np.arange(t0, min(t0 + block, T))[:, None]
    x = np.cos(2 * np.pi * (i / 16 - 0.37 / 16 * t)) + noise[:len(t)]
    out.write(x.tobytes())
EOF

echo "wave_memory: $T steps x $N units ($(echo "$T $N" | awk '{printf "%.2f", $1 * $2 * 8 / 1e9}') GB of f8), --window-steps $W, from a pipe"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) on $(nproc) cores"
printf '%-22s %8s %8s %9s %10s %11s\n' run "wall s" "CPU s" "peak MiB" speed wavelength
for method in $METHODS; do
	for run in whole stream; do
		opt=
		[ "$run" = stream ] && opt=--stream
		"$PY" "$tmp/gen.py" | /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" \
			"$dk" --method "$method" $opt --window-steps "$W" -o "$tmp/$run.npy"
		read -r e u s m <"$tmp/t"
		"$PY" -c "
import sys; sys.path.insert(0, '$here/../tests')
from npystream import load
d = load('$tmp/$run.npy')
print('%-22s %8.1f %8.1f %9.0f %10.5f %11.4f' % ('$method $run', $e, $u + $s, $m / 1024,
      d['wave/speed'].ravel()[0], d['wave/wavelength'].ravel()[0]))"
	done
	if cmp -s "$tmp/whole.npy" "$tmp/stream.npy"; then
		echo "$method records: the same bytes"
	else
		echo "$method records: DIFFERENT"
		exit 1
	fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
