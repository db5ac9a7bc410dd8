#!/bin/sh
# wave_stream.sh -- dk-wave --stream, the spectral method with windows
# on states read a window at a time: the same bytes as the states read
# whole (a bare f8 array, the same as f4, dk-run's states among a
# model's records over several sequences and rings, windows of odd
# length whose last steps no window holds; sheets by both methods); the
# refusals the whole read gives, and a truncated pipe's; and recordings
# of rings and of a sheet larger than the memory cap, analysed from a
# pipe under it.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"

# A noisy wave at speed 0.45 on a ring of 48 units over 4099 steps, and
# the same as f4.
"$PY" -c "
import numpy as np
rng = np.random.default_rng(4)
t, i = np.arange(4099)[:, None], np.arange(48)[None, :]
x = np.cos(2 * np.pi * (4 * i / 48 - 0.45 * 4 / 48 * t)) + rng.normal(0, 0.7, (4099, 48))
np.save('$tmp/long.npy', x)
np.save('$tmp/long4.npy', x.astype(np.float32))"
dk-gen flipflop --batch 3 --length 300 --seed 1 >"$tmp/ff.npy"
dk-init wrnn --channels 2 --units 32 --inputs 3 --outputs 3 >"$tmp/w.npy"
dk-run "$tmp/w.npy" "$tmp/ff.npy" | dk-cat "$tmp/w.npy" - >"$tmp/wrun.npy"

# The states read whole and read a window at a time, both from standard
# input (the input's name is in the provenance): the same bytes.
same() { # description file dk-wave options...
	desc=$1 f=$2
	shift 2
	dk-wave "$@" - <"$f" >"$tmp/whole.npy" 2>"$tmp/.err" &&
		cat "$f" | dk-wave --stream "$@" >"$tmp/stream.npy" 2>>"$tmp/.err" &&
		cmp -s "$tmp/whole.npy" "$tmp/stream.npy"
	tap_result $? "$desc"
	sed 's/^/#   /' "$tmp/.err" | head -3
}
same "windows of 256: a pipe read a window at a time gives the whole read's bytes" \
	"$tmp/long.npy" --window-steps 256
same "windows of 255 (hop 127, the last 73 steps in no window)" \
	"$tmp/long.npy" --window-steps 255
same "f4 states, converted as they are read" "$tmp/long4.npy" --window-steps 200
same "open rings, no window, pad 3, seed 5" "$tmp/long.npy" --window-steps 64 \
	--open --window none --pad 3 --seed 5
same "dk-run's states after the model's records: 3 sequences, 2 rings" \
	"$tmp/wrun.npy" --window-steps 64
same "--rings 4 on them" "$tmp/wrun.npy" --window-steps 100 --rings 4
same "one window of all the steps" "$tmp/wrun.npy" --window-steps 300
dk-cat "$tmp/long.npy" "$tmp/wrun.npy" >"$tmp/mixed.npy"
same "an unnamed tensor before the states: the states analysed in its place" \
	"$tmp/mixed.npy" --window-steps 64
# Sheets: 3 sequences of 2 sheets of 8 x 9 units on a torus (a
# (time, batch, 16, 9) array read --sheet 8,9), plane waves with noise,
# 601 steps: both methods, windows of 60 (the phase method's last
# chunk off the half-window grid), periodic and open.
"$PY" -c "
import numpy as np
rng = np.random.default_rng(3)
t = np.arange(601)[:, None, None, None]
b = np.arange(3)[None, :, None, None]
i = np.arange(16)[None, None, :, None]
j = np.arange(9)[None, None, None, :]
x = np.cos(2 * np.pi * ((1 + b) * j / 9 + np.where(i < 8, 1, -1) * i / 8 - (0.03 + 0.01 * b) * t))
np.save('$tmp/sheets.npy', x + rng.normal(0, 0.5, x.shape))"
for m in spectral phase; do
	same "sheets, $m: a pipe read a window at a time gives the whole read's bytes" \
		"$tmp/sheets.npy" --sheet 8,9 --method $m --window-steps 60
	same "sheets, $m, open, windows of 41" \
		"$tmp/sheets.npy" --sheet 8,9 --method $m --window-steps 41 --open
done
ok "from a file too" dk-wave --stream --window-steps 256 -o "$tmp/file.npy" "$tmp/long.npy"
"$PY" -c "
import sys, os
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import load
d = load('$tmp/file.npy')
# the wave's speed and wavelength, known by construction, within the 2%
# asked of the method
assert abs(d['wave/speed'][0, 0] / 0.45 - 1) < 0.02, d['wave/speed']
assert abs(d['wave/wavelength'][0, 0] / 12 - 1) < 0.02, d['wave/wavelength']
"
tap_result $? "... speed 0.45 and wavelength 12 within 2%"

# Refusals: the messages of the whole read.
fails_with 2 "--stream without --window-steps" dk-wave --stream "$tmp/long.npy"
fails_with 2 "--stream with --series" dk-wave --stream --method phase --series --window-steps 64 "$tmp/long.npy"
fails_with 1 "windows longer than the recording" dk-wave --stream --window-steps 5000 "$tmp/long.npy"
grep -q "window_steps: 5000 steps in a window, only 4099 recorded" "$tmp/.err"; tap_result $? "... and says so"
"$PY" -c "import numpy as np; a = np.ones((3000, 10)); a[2999, 4] = np.nan; np.save('$tmp/nan.npy', a)"
fails_with 1 "a NaN in the last step, after the last window" dk-wave --stream --window-steps 256 "$tmp/nan.npy"
grep -q "arr_0: a value that is not finite at time 2999, batch 0, unit 4" "$tmp/.err"; tap_result $? "... where it is"
head -c 1000000 "$tmp/long.npy" >"$tmp/short.npy"
fails_with 1 "a truncated pipe" sh -c "cat '$tmp/short.npy' | dk-wave --stream --window-steps 256"
grep -q "record 0 ('arr_0'): data truncated" "$tmp/.err"; tap_result $? "... names the record"
dk-cat "$tmp/long.npy" "$tmp/long.npy" >"$tmp/twice.npy"
fails_with 1 "two unnamed tensors" dk-wave --stream --window-steps 256 "$tmp/twice.npy"
grep -q "no tensor named states, and more than one other tensor (arr_0, arr_1)" "$tmp/.err"; tap_result $? "... as the whole read says"
fails_with 1 "a model alone" dk-wave --stream --window-steps 256 "$tmp/w.npy"
grep -q "no states: no tensor named states; the stream holds only a model's tensors" "$tmp/.err"; tap_result $? "... as the whole read says"

# A recording larger than the memory cap, from a pipe: 2^20 steps of 2
# rings of 40 units (640 MiB of f8) under a cap of 549 MiB
# (limit_memory's less 700000 KiB, with one BLAS thread: 293 MiB and
# OpenBLAS's 256 MiB of buffers): the whole read cannot hold the states,
# windows of 128 steps can.  A clean wave of speed 0.25 and wavelength 8
# (a period of 32 steps) repeats every 4096 steps, with noise, written
# 256 times.  Sanitized builds run without a cap (lib.sh), so without
# this.
if [ "${DK_SANITIZERS:-no}" != yes ]; then
	export OPENBLAS_NUM_THREADS=1
	cap=$(($(memory_cap) - 700000))
	[ $((1048576 * 80 * 8 / 1024)) -gt "$cap" ]; tap_result $? "the states, 655360 KiB, exceed the cap of $cap KiB"
	cat >"$tmp/gen.py" <<EOF
import sys
import numpy as np
out = sys.stdout.buffer
rng = np.random.default_rng(1)
t, i = np.arange(4096)[:, None], np.arange(80)[None, :] % 40
chunk = np.cos(2 * np.pi * (i / 8 - 0.25 / 8 * t)) + rng.normal(0, 0.3, (4096, 80))
try:
    np.lib.format.write_array_header_1_0(out, {"descr": "<f8", "fortran_order": False, "shape": (4096 * 256, 80)})
    data = chunk.tobytes()
    for k in range(256):
        out.write(data)
    out.flush()
except BrokenPipeError:
    pass
EOF
	big() { # dk-wave options...
		( ulimit -v "$cap"
		  "$PY" "$tmp/gen.py" 2>/dev/null | dk-wave --rings 2 --window-steps 128 "$@" )
	}
	fails_with 1 "the whole read is refused under the cap" big
	grep -q "out of memory\|Cannot allocate" "$tmp/.err"; tap_result $? "... for want of memory"
	sed 's/^/#   /' "$tmp/.err" | head -2
	big --stream -o "$tmp/big.npy" 2>"$tmp/.err"
	tap_result $? "read a window at a time, it is analysed under the cap"
	"$PY" -c "
import sys, os
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import load
d = load('$tmp/big.npy')
# known by construction; 2% as above
assert abs(d['wave/speed'] / 0.25 - 1).max() < 0.02, d['wave/speed']
assert abs(d['wave/wavelength'] / 8 - 1).max() < 0.02, d['wave/wavelength']
"
	tap_result $? "... speed 0.25 and wavelength 8 on both rings within 2%"

	# Sheets from a pipe: 2^19 steps of one 8 x 10 torus (320 MiB of
	# f8) under a cap 150000 KiB below the rings' (the process itself,
	# with one BLAS thread, takes about 250 MiB of address space: the
	# whole read cannot hold the states as well, windows of 128 steps
	# fit).  A plane wave k = (1/5, 1/8) cycles per unit in (col, row),
	# 1/32 cycle per step, with noise, repeating every 4096 steps: speed
	# 1/32/|k| = 0.1325, wavelength 4.240, direction 32.005 degrees.  The
	# spectral method, which runs the phase method's chunks too (for the
	# pattern).
	scap=$((cap - 150000))
	[ $((524288 * 80 * 8 / 1024)) -gt $((scap - 200000)) ]; tap_result $? "the sheets' states, 327680 KiB, and the process exceed the cap of $scap KiB"
	cat >"$tmp/gens.py" <<EOF
import sys
import numpy as np
out = sys.stdout.buffer
rng = np.random.default_rng(1)
t = np.arange(4096)[:, None, None]
i = np.arange(8)[None, :, None]
j = np.arange(10)[None, None, :]
chunk = np.cos(2 * np.pi * (j / 5 + i / 8 - t / 32)) + rng.normal(0, 0.3, (4096, 8, 10))
try:
    np.lib.format.write_array_header_1_0(out, {"descr": "<f8", "fortran_order": False, "shape": (4096 * 128, 8, 10)})
    data = chunk.tobytes()
    for k in range(128):
        out.write(data)
    out.flush()
except BrokenPipeError:
    pass
EOF
	bigs() { # dk-wave options...
		( ulimit -v "$scap"
		  "$PY" "$tmp/gens.py" 2>/dev/null | dk-wave --window-steps 128 "$@" )
	}
	fails_with 1 "sheets: the whole read is refused under the cap" bigs
	grep -q "out of memory\|Cannot allocate" "$tmp/.err"; tap_result $? "... for want of memory"
	bigs --stream -o "$tmp/bigs.npy" 2>"$tmp/.err"
	tap_result $? "sheets read a window at a time are analysed under the cap"
	"$PY" -c "
import sys, os
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import load
d = load('$tmp/bigs.npy')
k = np.hypot(1 / 5, 1 / 8)
# known by construction; 2% and 2 degrees, as asked of the method
assert abs(d['wave/speed'][0, 0] / (1 / 32 / k) - 1) < 0.02, d['wave/speed']
assert abs(d['wave/wavelength'][0, 0] * k - 1) < 0.02, d['wave/wavelength']
assert abs(d['wave/direction'][0, 0] - np.degrees(np.arctan2(1 / 8, 1 / 5))) < 2, d['wave/direction']
assert d['wave/pattern'][0, 0] == 1, d['wave/pattern']
"
	tap_result $? "... speed 0.1325, wavelength 4.240 within 2%, direction 32.0 within 2 degrees, plane"
fi

done_testing
