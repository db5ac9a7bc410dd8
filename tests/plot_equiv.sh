#!/bin/sh
# plot_equiv.sh -- dk-plot equiv: what gnuplot is given, taken by a
# stand-in that keeps its files, against the records in NumPy: the
# largest trajectory error per step of the fernn's and the G-RNN's
# dk-equiv outputs concatenated (renamed by dk-cat -r), titled by their
# model files; a fernn's states cut into velocity slices; bad input.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name, save_bytes, load, meta
EOF

mkdir "$tmp/got"
printf '#!/bin/sh\nrm -f "%s"/*; cp *.txt plot.gp "%s" && printf x >plot.png\n' \
	"$tmp/got" "$tmp/got" >"$tmp/grab"
chmod +x "$tmp/grab"

dk-init fernn --channels 2 --units 7 --velocities 1 --inputs 1 -o "$tmp/fe.npy"
dk-init grnn --channels 2 --units 7 --inputs 1 -o "$tmp/gr.npy"
dk-equiv --group flow -T 12 "$tmp/fe.npy" |
	dk-cat -r equiv/trajectory_error=fernn/trajectory_error >"$tmp/both.npy"
dk-equiv --group flow -T 12 "$tmp/gr.npy" |
	dk-cat -s equiv/trajectory_error -r equiv/trajectory_error=grnn/trajectory_error >>"$tmp/both.npy"
ok "dk-plot equiv on two models' errors" \
	env DK_GNUPLOT="$tmp/grab" dk-plot equiv -o "$tmp/e.png" "$tmp/both.npy"
# the data are the records' maxima over elements, written with 17
# digits: equal to 1e-16 relative; values under 1e-17 are drawn at it
pycheck "err_K.txt: the largest error per step of each record, floored at 1e-17" <<EOF
R = load("$tmp/both.npy")
for k, key in enumerate(["fernn/trajectory_error", "grnn/trajectory_error"]):
    got = np.loadtxt("$tmp/got/err_%d.txt" % k, ndmin=2)
    want = np.maximum(R[key].max(axis=0), 1e-17)
    assert np.array_equal(got[:, 0], np.arange(1, 13)), got[:, 0]
    assert np.all(np.abs(got[:, 1] - want) <= 1e-16 * want), (key, got[:, 1], want)
gp = open("$tmp/got/plot.gp").read()
assert "set logscale y" in gp and "title 'fe.npy'" in gp and "title 'gr.npy'" in gp, gp
assert R["grnn/trajectory_error"].max() > 0.1
EOF

pycheck "an input for the fernn" <<EOF
open("$tmp/in.npy", "wb").write(save_bytes([(json.dumps({"name": "input"}).encode(),
    np.random.default_rng(5).standard_normal((9, 2, 7)))]))
EOF
dk-run "$tmp/fe.npy" "$tmp/in.npy" >"$tmp/run.npy"
cat "$tmp/fe.npy" "$tmp/run.npy" >"$tmp/ferun.npy"
ok "dk-plot equiv on the fernn's states, --batch 1" \
	env DK_GNUPLOT="$tmp/grab" dk-plot equiv --batch 1 -o "$tmp/s.png" "$tmp/ferun.npy"
pycheck "slice_K.txt: slice K of batch element 1, (time, unit), K = 0 .. 2" <<EOF
X = load("$tmp/ferun.npy")["states"]
assert X.shape == (9, 2, 42), X.shape
for k in range(3):
    got = np.loadtxt("$tmp/got/slice_%d.txt" % k, ndmin=2)
    assert np.array_equal(got, X[:, 1, 14 * k:14 * (k + 1)]), k
assert not os.path.exists("$tmp/got/slice_3.txt")
gp = open("$tmp/got/plot.gp").read()
assert "layout 1,3" in gp and "nu = -1" in gp and "nu = 1" in gp, gp
EOF

# bad input
fails_with 1 "no errors and no model with velocities" dk-plot equiv -o "$tmp/x.png" "$tmp/run.npy"
dk-plot equiv -o "$tmp/x.png" "$tmp/run.npy" 2>"$tmp/msg"
ok "... says what it looks for" grep -q "equiv/trajectory_error" "$tmp/msg"
fails_with 1 "--batch beyond the states" dk-plot equiv --batch 2 -o "$tmp/x.png" "$tmp/ferun.npy"
fails_with 2 "--channel" dk-plot equiv --channel 0 -o "$tmp/x.png" "$tmp/ferun.npy"
fails_with 2 "--batch with errors" dk-plot equiv --batch 0 -o "$tmp/x.png" "$tmp/both.npy"
dk-init fernn --channels 1 --units 5 --velocities 2 -o "$tmp/fe5.npy"
cat "$tmp/fe5.npy" "$tmp/run.npy" >"$tmp/mismatch.npy"
fails_with 1 "states that do not split into the slices" dk-plot equiv -o "$tmp/x.png" "$tmp/mismatch.npy"

done_testing
