#!/bin/sh
# plot_frames.sh -- dk-plot frames: a sheet's wave as still frames.  A
# real nwm run drawn as PNG (signature, IHDR size) and SVG (one image a
# frame); for small known states with a [C, H, W] layout, the frames
# given to gnuplot (kept by a stand-in gnuplot) against the states at
# the evenly spaced steps NumPy computes, their titles and the shared,
# symmetric colour range; states without a layout read with --sheet, and
# a bare array by its own (time, row, col) shape; errors and usage errors.
. "$top_srcdir/tests/lib.sh"

command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot not found (Debian package gnuplot-nox)"
PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# ---- pictures by the real gnuplot ----
dk-init nwm --sheet 16,16 --classes 6 --steps 12 -o "$tmp/sheet.npy"
dk-gen shapes --sheet 16,16 --batch 2 --seed 2 | dk-run "$tmp/sheet.npy" >"$tmp/run.npy"
ok "dk-plot frames -o frames.png" dk-plot frames --size 640x360 -o "$tmp/frames.png" "$tmp/run.npy"
is "$(head -c 8 "$tmp/frames.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a \
	"frames.png: the PNG signature"
is "$(od -An -tu1 -j 16 -N 8 "$tmp/frames.png" | tr -s ' ')" " 0 0 2 128 0 0 1 104" \
	"frames.png: IHDR says 640x360"
ok "dk-plot frames --frames 5 --channel 1 --batch 1 -o frames.svg" \
	dk-plot frames --frames 5 --channel 1 --batch 1 -o "$tmp/frames.svg" "$tmp/run.npy"
is "$(grep -c '<image' "$tmp/frames.svg")" 5 "frames.svg: five images, one a frame"

# ---- the data gnuplot is given ----
# states (time 9, batch 2, unit 2 x 3 x 4) of known values, with dk-run's
# layout attr
"$PY" - "$tmp" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "python"))
import dynkit
d = sys.argv[1]
rng = np.random.default_rng(5)
x = rng.standard_normal((9, 2, 24))
layout = {"axes": ["channel", "row", "col"], "shape": [2, 3, 4],
          "periodic": [False, True, True]}
dynkit.write(os.path.join(d, "known.npy"), "states", x, axes=["time", "batch", "unit"],
             attrs={"layout": layout})
np.save(os.path.join(d, "x.npy"), x)
dynkit.write(os.path.join(d, "nolayout.npy"), "states", x, axes=["time", "batch", "unit"])
np.save(os.path.join(d, "plane.npy"), x[:, 0, :12].reshape(9, 3, 4))  # (time, row, col)
EOF
ok "made small known states" test -s "$tmp/known.npy"
# a stand-in gnuplot that keeps the frames and the script in $tmp/DIR
grab() { # dir dk-plot-arguments...
	d=$1
	shift
	rm -rf "${tmp:?}/$d"
	mkdir "$tmp/$d"
	printf '#!/bin/sh\ncp frame*.bin plot.gp "%s" && printf x >plot.png\n' "$tmp/$d" >"$tmp/grab"
	chmod +x "$tmp/grab"
	DK_GNUPLOT="$tmp/grab" dk-plot frames -o "$tmp/grab.png" "$@"
}
# check DIR F BATCH CHANNEL SOURCE: frame k of DIR is the plane of the
# states at step t_k = round(k (T - 1) / (F - 1)), halves up (0 for one
# frame), written here with exact fractions.  Copies of the states:
# compared exactly, as is the colour range, the largest |value| of the
# frames printed with %.17g, which reads back to the same double.
cat >"$tmp/check.py" <<'EOF'
import os, re, sys
from fractions import Fraction
import numpy as np
d, F, b, c, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
x = np.load(src)
T = x.shape[0]
planes = x.reshape(T, -1, 2, 3, 4) if x.ndim == 3 and x.shape[2] == 24 else x.reshape(T, 1, 1, 3, 4)
steps = [0] if F == 1 else [int(Fraction(k * (T - 1), F - 1) + Fraction(1, 2)) for k in range(F)]
assert steps[0] == 0 and (F == 1 or steps[-1] == T - 1), steps
m = 0.0
for k, t in enumerate(steps):
    got = np.fromfile(os.path.join(d, "frame%d.bin" % k), "<f8").reshape(3, 4)
    want = planes[t, b, c]
    assert (got == want).all(), (k, t)
    m = max(m, np.abs(want).max())
assert not os.path.exists(os.path.join(d, "frame%d.bin" % F)), "a frame too many"
gp = open(os.path.join(d, "plot.gp")).read()
assert re.findall(r"set title 'step (\d+)'", gp) == [str(t) for t in steps], gp
lo, hi = map(float, re.search(r"set cbrange \[(\S+):(\S+)\]", gp).groups())
assert lo == -m and hi == m, (lo, hi, m)
EOF
known="$tmp/known.npy"
grab k8 "$known"
is "$?" 0 "frames of the known states (a stand-in gnuplot keeps the data)"
py_ok "the default: 8 frames of batch 0, channel 0 at steps 0, 1, 2, 3, 5, 6, 7, 8" \
	"$tmp/check.py" "$tmp/k8" 8 0 0 "$tmp/x.npy"
grab k4 --frames 4 --batch 1 --channel 1 "$known"
py_ok "--frames 4 --batch 1 --channel 1: steps 0, 3, 5, 8 (8/3 and 16/3 rounded)" \
	"$tmp/check.py" "$tmp/k4" 4 1 1 "$tmp/x.npy"
grab k9 --frames 9 --channel 1 "$known"
py_ok "--frames 9 of 9 steps: every step" "$tmp/check.py" "$tmp/k9" 9 0 1 "$tmp/x.npy"
grab k1 --frames 1 "$known"
py_ok "--frames 1: the first step" "$tmp/check.py" "$tmp/k1" 1 0 0 "$tmp/x.npy"
grab kb --sheet 3,4 --frames 3 --batch 1 --channel 1 "$tmp/nolayout.npy"
py_ok "states without a layout, with --sheet 3,4: two channels of 3 x 4" \
	"$tmp/check.py" "$tmp/kb" 3 1 1 "$tmp/x.npy"
grab kp --frames 5 "$tmp/plane.npy"
py_ok "a bare (time, row, col) array: one sheet of its shape" \
	"$tmp/check.py" "$tmp/kp" 5 0 0 "$tmp/plane.npy"

# ---- errors ----
fails_with 1 "states without a layout or --sheet: exit 1" \
	dk-plot frames -o "$tmp/x.png" "$tmp/nolayout.npy"
grep -q -- "--sheet H,W" "$tmp/.err"
tap_result $? "...whose message says to give --sheet H,W"
fails_with 1 "--channel 2 of 2: exit 1" dk-plot frames --channel 2 -o "$tmp/x.png" "$known"
grep -q "no channel 2 (of 2)" "$tmp/.err"
tap_result $? "...named in the message"
fails_with 1 "--batch 2 of 2: exit 1" dk-plot frames --batch 2 -o "$tmp/x.png" "$known"
fails_with 1 "--frames 10 of 9 steps: exit 1" dk-plot frames --frames 10 -o "$tmp/x.png" "$known"
grep -q "10 frames of 9 steps" "$tmp/.err"
tap_result $? "...named in the message"
fails_with 1 "a sheet that does not divide the units: exit 1" \
	dk-plot frames --sheet 5,5 -o "$tmp/x.png" "$tmp/nolayout.npy"
dk-init wrnn --channels 2 --units 16 --inputs 2 --outputs 1 -o "$tmp/wrnn.npy"
dk-gen adding --batch 1 --length 10 --seed 1 | dk-run "$tmp/wrnn.npy" >"$tmp/rings.npy"
fails_with 1 "states on rings: exit 1" dk-plot frames -o "$tmp/x.png" "$tmp/rings.npy"
fails_with 1 "no states: exit 1" dk-plot frames -o "$tmp/x.png" "$tmp/wrnn.npy"
for args in "frames --frames 0" "frames --frames x" "frames --sheet 2,4" \
            "frames --sheet 4" "frames --units 4" "raster --frames 3" \
            "seg --sheet 3,4" "wave --frames 2"; do
	# shellcheck disable=SC2086
	fails_with 2 "dk-plot $args: usage error, exit 2" dk-plot $args -o "$tmp/x.png" "$known"
done
done_testing
