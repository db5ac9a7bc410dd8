#!/bin/sh
# plot.sh -- dk-plot: loss curves and space-time rasters drawn by gnuplot
# from real dk-train and dk-run output, as PNG (signature, IHDR size) and
# SVG (width, height, an embedded image); eigenvalues in the complex
# plane, by either convention; fixed points and trajectories in their
# principal-component plane, the projections checked against NumPy's SVD
# through a stand-in gnuplot that keeps its data; a ring's raster with
# lines at the speed dk-wave fitted and its k-omega spectrum, checked
# the same way against the records and NumPy's FFT, and -s NAME read by
# both; a sheet's phase at one step with its gradient's arrows and the
# fitted direction, against a plane wave's exact phase and direction; the
# same in three components; a Lyapunov spectrum's convergence against
# dk-lyap's records; an image beside its true and predicted labels;
# errors and usage errors.
. "$top_srcdir/tests/lib.sh"

command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot not found (Debian package gnuplot-nox)"

# the PNG's IHDR width and height: bytes 16..23, big-endian
png_size() {
	od -An -tu1 -j 16 -N 8 "$1" |
		awk '{ printf "%dx%d\n", $1 * 16777216 + $2 * 65536 + $3 * 256 + $4,
		       $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}
png_sig() { head -c 8 "$1" | od -An -tx1 | tr -d ' \n'; }
PNG_SIG=89504e470d0a1a0a

dk-init rnn --units 8 --inputs 3 --outputs 3 --seed 1 |
	dk-train --task flipflop --batch 4 --length 20 --steps 30 >"$tmp/net.npy" 2>/dev/null
dk-gen flipflop --batch 4 --length 20 --seed 3 | dk-run "$tmp/net.npy" >"$tmp/run.npy"
ok "made a trained network and its run" test -s "$tmp/run.npy"

# ---- loss ----
# with train/log, the test loss over the training loss: what gnuplot is
# given, taken by a stand-in that keeps its files
dk-init rnn --units 8 --inputs 3 --outputs 3 --seed 1 |
	dk-train --task flipflop --batch 4 --length 20 --steps 30 --test-every 10 \
		>"$tmp/nett.npy" 2>/dev/null
mkdir "$tmp/lgot"
printf '#!/bin/sh\ncp data.txt test.txt plot.gp "%s" && printf x >plot.png\n' "$tmp/lgot" >"$tmp/lgrab"
chmod +x "$tmp/lgrab"
DK_GNUPLOT="$tmp/lgrab" dk-plot loss -o "$tmp/lgrab.png" "$tmp/nett.npy"
is "$?" 0 "dk-plot loss with train/log (a stand-in gnuplot keeps the data)"
PYL=$(numpy_python)
[ -n "$PYL" ] || PYL=false
"$PYL" - "$tmp/nett.npy" "$tmp/lgot/test.txt" <<'EOF' >"$tmp/ltest.out" 2>&1
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
log = load(sys.argv[1])["train/log"]
got = np.loadtxt(sys.argv[2], ndmin=2)
assert got.shape == (len(log), 2), (got.shape, log.shape)
assert (got[:, 0] == log[:, 0]).all() and np.abs(got[:, 1] - log[:, 2]).max() <= 1e-15 * np.abs(log[:, 2]).max()
EOF
tap_result $? "test.txt: train/log's steps and test losses, every row"
sed 's/^/#   /' "$tmp/ltest.out" | tail -3
grep -q "'test.txt' using 1:2.*title 'test'" "$tmp/lgot/plot.gp"
tap_result $? "the script draws them, titled test, beside train"
mkdir "$tmp/o"
ok "dk-plot loss -o loss.png: exit 0" dk-plot loss --size 320x240 -o "$tmp/o/loss.png" "$tmp/net.npy"
is "$(png_sig "$tmp/o/loss.png")" "$PNG_SIG" "loss.png starts with the PNG signature"
is "$(png_size "$tmp/o/loss.png")" 320x240 "loss.png: IHDR says 320x240 as --size asked"
is "$(ls -A "$tmp/o")" "loss.png" "-o: no temp file left beside the output"
dk-plot loss --linear <"$tmp/net.npy" >"$tmp/lin.png" 2>"$tmp/lin.err"
is "$?" 0 "dk-plot loss --linear from stdin to stdout: exit 0"
is "$(png_size "$tmp/lin.png")" 640x480 "the default size is 640x480"
ok "dk-plot loss --format svg -o loss.out" dk-plot loss --format svg --size 500x300 \
	-o "$tmp/loss.out" "$tmp/net.npy"
head -c 5 "$tmp/loss.out" | grep -q '^<?xml'
is "$?" 0 "--format svg: the output is XML"
grep -q 'width="500" height="300"' "$tmp/loss.out"
is "$?" 0 "the SVG's width and height attributes are 500 and 300"

# ---- raster ----
ok "dk-plot raster --batch 2 -o raster.png" dk-plot raster --batch 2 --size 300x400 \
	-o "$tmp/raster.png" "$tmp/run.npy"
is "$(png_sig "$tmp/raster.png")" "$PNG_SIG" "raster.png starts with the PNG signature"
is "$(png_size "$tmp/raster.png")" 300x400 "raster.png: IHDR says 300x400"
ok "dk-plot raster -o raster.svg" dk-plot raster -o "$tmp/raster.svg" "$tmp/run.npy"
grep -q '<image' "$tmp/raster.svg"
is "$?" 0 "raster.svg holds an image element (the states as pixels)"
grep -q 'width="640" height="480"' "$tmp/raster.svg"
is "$?" 0 "raster.svg is 640x480"
# different batch elements are different pictures: the pixels follow the states
dk-plot raster --batch 0 --format svg "$tmp/run.npy" >"$tmp/b0.svg"
dk-plot raster --batch 1 --format svg "$tmp/run.npy" >"$tmp/b1.svg"
! cmp -s "$tmp/b0.svg" "$tmp/b1.svg"
tap_result $? "the rasters of batch 0 and 1 differ"

# a Wave-RNN's ring: --channel with --units, or with the model's attrs
dk-init wrnn --channels 2 --units 10 --inputs 2 --outputs 1 >"$tmp/w.npy"
dk-gen adding --batch 2 --length 30 | dk-run "$tmp/w.npy" >"$tmp/wrun.npy"
ok "raster --channel 1 --units 10" dk-plot raster --channel 1 --units 10 --size 200x200 \
	-o "$tmp/c1.png" "$tmp/wrun.npy"
is "$(png_size "$tmp/c1.png")" 200x200 "the channel's raster is 200x200"
cat "$tmp/w.npy" "$tmp/wrun.npy" >"$tmp/wboth.npy"
ok "raster --channel 1, units from the model attrs" dk-plot raster --channel 1 \
	-o "$tmp/c1b.png" "$tmp/wboth.npy"
ok "raster --channel 1, units from the states' layout" dk-plot raster --channel 1 \
	-o "$tmp/c1c.png" "$tmp/wrun.npy"
dk-cat --bare --select states "$tmp/wrun.npy" >"$tmp/wbare.npy"
fails_with 1 "raster --channel 1 without --units, layout or attrs: exit 1" \
	dk-plot raster --channel 1 -o "$tmp/x.png" "$tmp/wbare.npy"
fails_with 1 "raster --channel 2 of 2 channels: exit 1" \
	dk-plot raster --channel 2 -o "$tmp/x.png" "$tmp/wboth.npy"
fails_with 1 "raster --batch 4 of 4: exit 1" dk-plot raster --batch 4 -o "$tmp/x.png" "$tmp/run.npy"

# ---- eig and pca ----
PY=$(numpy_python)
if [ -n "$PY" ]; then
	# fixed points: 5 states of the run, fp/kind, fp/eig (map, in the attrs);
	# the same eigenvalues shifted by -1 as jac/eig of a flow; a bare array
	cat >"$tmp/mk.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name, save_bytes
R = {name(r, i): r[1] for i, r in enumerate(records("$tmp/run.npy"))}
S = R["states"]
fx = S[[3, 7, 11, 15, 19], [0, 1, 2, 3, 0]]
rng = np.random.default_rng(1)
eig = 0.5 * (rng.standard_normal((5, 8)) + 1j * rng.standard_normal((5, 8)))
eig[0] *= 0.3
eig[2] *= 0.3
def rec(n, a, attrs=None):
    m = {"name": n}
    if attrs:
        m["attrs"] = attrs
    return (json.dumps(m).encode(), a)
open("$tmp/fp.npy", "wb").write(save_bytes([
    rec("fp/x", fx), rec("fp/kind", np.array([1, 1, 0, 0, 1])),
    rec("fp/eig", eig, {"fp": {"convention": "map"}})]))
open("$tmp/flow.npy", "wb").write(save_bytes([rec("jac/eig", eig - 1, {"convention": "flow"})]))
open("$tmp/fx.npy", "wb").write(save_bytes([rec("fp/x", fx)]))
np.save("$tmp/bare.npy", eig[1])
EOF
	"$PY" "$tmp/mk.py"
	ok "dk-plot eig of fp/eig -o eig.png" dk-plot eig --size 400x400 -o "$tmp/eig.png" "$tmp/fp.npy"
	is "$(png_sig "$tmp/eig.png")" "$PNG_SIG" "eig.png starts with the PNG signature"
	is "$(png_size "$tmp/eig.png")" 400x400 "eig.png: IHDR says 400x400"
	ok "dk-plot eig of a flow's jac/eig, as SVG" dk-plot eig -o "$tmp/flow.svg" "$tmp/flow.npy"
	ok "dk-plot eig of a bare complex .npy" dk-plot eig -o "$tmp/bare.svg" "$tmp/bare.npy"
	grep -q 'width="640" height="480"' "$tmp/bare.svg"
	is "$?" 0 "the bare eigenvalues' SVG is 640x480"
	# each point's eigenvalues in the colour of its class: unstable
	# directions counted from the eigenvalues (|z| > 1 for a map, Re z > 0
	# for a flow) without an index, 0, 1 or 2 and more
	mkdir "$tmp/egot"
	printf '#!/bin/sh\ncp data.txt plot.gp "%s" && printf x >plot.png\n' "$tmp/egot" >"$tmp/egrab"
	chmod +x "$tmp/egrab"
	for f in fp flow; do
		rm -f "$tmp/egot/data.txt"
		DK_GNUPLOT="$tmp/egrab" dk-plot eig -o "$tmp/egrab.png" "$tmp/$f.npy"
		"$PY" - "$tmp/$f.npy" "$tmp/egot/data.txt" "$f" <<'PYC'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
R = load(sys.argv[1])
eig = R["fp/eig"] if sys.argv[3] == "fp" else R["jac/eig"]
unstable = (np.abs(eig) > 1 + 1e-10) if sys.argv[3] == "fp" else (eig.real > 1e-10)
cls = np.minimum(unstable.sum(1), 2).repeat(eig.shape[1])
got = np.loadtxt(sys.argv[2])
assert (got[:, 2] == cls).all(), (got[:, 2], cls)
assert len(set(cls)) >= 2
PYC
		tap_result $? "eig of $f: each point's eigenvalues in the class of its unstable directions"
	done
	grep -q "title 'stable (index 0)'" "$tmp/egot/plot.gp"
	tap_result $? "the key names the classes"
	# the unit circle, or the imaginary axis, is what the convention changes
	dk-plot eig --format svg "$tmp/flow.npy" >"$tmp/flow-attrs.svg"
	dk-plot eig --convention flow --format svg "$tmp/flow.npy" >"$tmp/flow-opt.svg"
	dk-plot eig --convention map --format svg "$tmp/flow.npy" >"$tmp/flow-map.svg"
	cmp -s "$tmp/flow-attrs.svg" "$tmp/flow-opt.svg"
	tap_result $? "the attrs' convention flow draws what --convention flow does"
	! cmp -s "$tmp/flow-opt.svg" "$tmp/flow-map.svg"
	tap_result $? "--convention map draws another picture (the unit circle)"
	fails_with 1 "eig of a stream without eigenvalues: exit 1" \
		dk-plot eig -o "$tmp/x.png" "$tmp/run.npy"
	grep -q 'jac/eig' "$tmp/.err"
	is "$?" 0 "the message names jac/eig"

	cat "$tmp/fp.npy" "$tmp/run.npy" >"$tmp/fprun.npy"
	ok "dk-plot pca of fixed points and states -o pca.png" \
		dk-plot pca --size 500x400 -o "$tmp/pca.png" "$tmp/fprun.npy"
	is "$(png_size "$tmp/pca.png")" 500x400 "pca.png: IHDR says 500x400"
	ok "dk-plot pca of fixed points alone" dk-plot pca -o "$tmp/pca-fx.svg" "$tmp/fx.npy"
	ok "dk-plot pca of states alone" dk-plot pca -o "$tmp/pca-s.svg" "$tmp/run.npy"
	# what gnuplot is given, taken by a stand-in for it, against NumPy's SVD
	mkdir "$tmp/got"
	printf '#!/bin/sh\ncp traj.txt fp.txt "%s" && printf x >plot.png\n' "$tmp/got" >"$tmp/grab"
	chmod +x "$tmp/grab"
	DK_GNUPLOT="$tmp/grab" dk-plot pca -o "$tmp/grab.png" "$tmp/fprun.npy"
	is "$?" 0 "dk-plot pca with a stand-in gnuplot that keeps the data"
	cat >"$tmp/pca.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
R = {name(r, i): r[1] for i, r in enumerate(records("$tmp/fprun.npy"))}
S, fx, kind, eig = R["states"], R["fp/x"], R["fp/kind"], R["fp/eig"]
T, B, n = S.shape
X = S.reshape(-1, n)
mu = X.mean(axis=0)
_, sv, Vt = np.linalg.svd(X - mu, full_matrices=False)
V = Vt[:2].T
traj = np.loadtxt("$tmp/got/traj.txt")
fp = np.loadtxt("$tmp/got/fp.txt")
want_t = (S.transpose(1, 0, 2).reshape(-1, n) - mu) @ V   # batch-major, as written
want_f = (fx - mu) @ V
sign = np.sign((traj * want_t).sum(axis=0))                 # components up to sign
scale = np.abs(want_t).max()
assert traj.shape == (B * T, 2) and np.abs(traj * sign - want_t).max() < 1e-10 * scale
assert np.abs(fp[:, :2] * sign - want_f).max() < 1e-10 * scale
cls = 3 * (kind == 0) + (np.abs(eig).max(axis=1) >= 1)
assert (fp[:, 2] == cls).all(), (fp[:, 2], cls)
EOF
	ok "projections equal NumPy's SVD to 1e-10; classes from fp/kind and |eig| < 1" \
		"$PY" "$tmp/pca.py"
	# jac/stable says the stability when it is there; a flow's eigenvalues
	# are stable left of the imaginary axis
	"$PY" -c "
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import records, name, save_bytes
recs = [r for i, r in enumerate(records('$tmp/fp.npy')) if name(r, i) != 'fp/eig']
st = (json.dumps({'name': 'jac/stable'}).encode(), np.array([1, 0, 1, 0, 0], dtype=np.int64))
open('$tmp/fps.npy', 'wb').write(save_bytes(recs + [st]))
eig = np.array([[-0.5, 0.1j], [-2, -1 + 3j], [0.2, -1], [-0.1, -0.2], [1j, 2]])
fe = (json.dumps({'name': 'fp/eig', 'attrs': {'convention': 'flow'}}).encode(), eig)
open('$tmp/fpf.npy', 'wb').write(save_bytes(recs + [fe]))"
	cat "$tmp/fps.npy" "$tmp/run.npy" >"$tmp/fpsrun.npy"
	rm -f "$tmp/got/fp.txt"
	DK_GNUPLOT="$tmp/grab" dk-plot pca -o "$tmp/grab.png" "$tmp/fpsrun.npy"
	is "$(awk '{ printf "%s ", $3 }' "$tmp/got/fp.txt")" "0 1 3 4 1 " \
		"classes from fp/kind (1 1 0 0 1) and jac/stable (1 0 1 0 0)"
	rm -f "$tmp/got/fp.txt"
	DK_GNUPLOT="$tmp/grab" dk-plot pca -o "$tmp/grab.png" "$tmp/fpf.npy"
	is "$(awk '{ printf "%s ", $3 }' "$tmp/got/fp.txt")" "1 0 4 3 1 " \
		"a flow's fp/eig: stable when every real part is negative"
	# a diverged point (fp/kind 2) is left out
	"$PY" -c "
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import records, name, save_bytes
recs = [r if name(r, i) != 'fp/kind' else (r[0], np.array([1, 1, 2, 0, 1], dtype=np.int64))
        for i, r in enumerate(records('$tmp/fps.npy'))]
open('$tmp/fpd.npy', 'wb').write(save_bytes(recs))"
	cat "$tmp/fpd.npy" "$tmp/run.npy" >"$tmp/fpdrun.npy"
	rm -f "$tmp/got/fp.txt"
	DK_GNUPLOT="$tmp/grab" dk-plot pca -o "$tmp/grab.png" "$tmp/fpdrun.npy"
	is "$(awk '{ printf "%s ", $3 }' "$tmp/got/fp.txt")" "0 1 4 1 " \
		"a diverged point (kind 2) is left out of the picture"
	"$PY" -c "
import numpy as np, json, sys, os
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import save_bytes
open('$tmp/bad.npy', 'wb').write(save_bytes([(json.dumps({'name': 'fp/x'}).encode(), np.zeros((3, 4)))]))"
	cat "$tmp/bad.npy" "$tmp/run.npy" >"$tmp/badrun.npy"
	fails_with 1 "pca with fp/x of 4 units and states of 8: exit 1" \
		dk-plot pca -o "$tmp/x.png" "$tmp/badrun.npy"
	fails_with 1 "pca of a stream with neither: exit 1" dk-plot pca -o "$tmp/x.png" "$tmp/bare.npy"

	# ---- pca in three components ----
	# the same comparison in 3-D: the first three columns of NumPy's SVD,
	# each up to sign, to 1e-10 of the largest coordinate (the covariance's
	# eigenvectors and the SVD's right singular vectors agree to rounding
	# times the inverse gap of the singular values, far below that here)
	rm -f "$tmp/got/traj.txt" "$tmp/got/fp.txt"
	DK_GNUPLOT="$tmp/grab" dk-plot pca --components 3 -o "$tmp/grab.png" "$tmp/fprun.npy"
	is "$?" 0 "dk-plot pca --components 3 with the stand-in gnuplot"
	sed -e 's/V = Vt\[:2\]\.T/V = Vt[:3].T/' -e 's/(B \* T, 2)/(B * T, 3)/' \
		-e 's/fp\[:, :2\]/fp[:, :3]/' -e 's/fp\[:, 2\] == cls/fp[:, 3] == cls/' \
		-e 's/fp\[:, 2\], cls/fp[:, 3], cls/' "$tmp/pca.py" >"$tmp/pca3.py"
	grep -q 'Vt\[:3\]' "$tmp/pca3.py" && grep -q 'fp\[:, 3\] == cls' "$tmp/pca3.py"
	tap_result $? "the 3-D check is the 2-D one with three columns"
	ok "3 components: projections equal NumPy's SVD to 1e-10, up to sign; classes as in 2-D" \
		"$PY" "$tmp/pca3.py"
	printf '#!/bin/sh\ncp plot.gp "%s/plot3.gp" && printf x >plot.png\n' "$tmp/got" >"$tmp/grab3"
	chmod +x "$tmp/grab3"
	DK_GNUPLOT="$tmp/grab3" dk-plot pca --components 3 -o "$tmp/grab.png" "$tmp/fprun.npy"
	grep -q "^splot 'traj.txt' using 1:2:3 with lines" "$tmp/got/plot3.gp" &&
		grep -q "set zlabel 'PC3" "$tmp/got/plot3.gp" &&
		grep -q "'fp.txt' using 1:2:(\$4 == 4 ? \$3 : 1/0)" "$tmp/got/plot3.gp"
	tap_result $? "the script is a splot of PC1..PC3, each class of point apart"
	rm -f "$tmp/got/fp.txt"
	DK_GNUPLOT="$tmp/grab" dk-plot pca --components 3 -o "$tmp/grab.png" "$tmp/fpdrun.npy"
	is "$(awk '{ printf "%s ", $4 }' "$tmp/got/fp.txt")" "0 1 4 1 " \
		"3-D: the diverged point is left out, the others keep their classes"
	ok "dk-plot pca --components 3 draws a PNG" \
		dk-plot pca --components 3 --size 400x300 -o "$tmp/pca3.png" "$tmp/fprun.npy"
	is "$(png_size "$tmp/pca3.png")" 400x300 "pca3.png: IHDR says 400x300"
	"$PY" -c "
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import save_bytes
x = np.random.default_rng(2).standard_normal((10, 3, 2))
open('$tmp/two.npy', 'wb').write(save_bytes([(json.dumps({'name': 'states'}).encode(), x)]))"
	ok "2 components of 2-unit states" dk-plot pca -o "$tmp/two.png" "$tmp/two.npy"
	fails_with 1 "3 components of 2-unit states: exit 1" \
		dk-plot pca --components 3 -o "$tmp/x.png" "$tmp/two.npy"
	grep -q 'states: 3 principal components need at least 3 units.*2 units' "$tmp/.err"
	is "$?" 0 "...the message says 3 components need 3 units, and it has 2"

	# ---- lyap ----
	# what gnuplot is given against the records themselves, read back with
	# NumPy: the steps (times step_time when per unit time) and the trace
	# are printed to 17 digits, so they read back exactly; -inf as NaN
	mkdir "$tmp/ygot"
	printf '#!/bin/sh\nrm -f "%s"/*; cp trace.txt plot.gp "%s" && { test ! -e final.txt || cp final.txt "%s"; } && printf x >plot.png\n' \
		"$tmp/ygot" "$tmp/ygot" "$tmp/ygot" >"$tmp/ygrab"
	chmod +x "$tmp/ygrab"
	cat >"$tmp/lyap.py" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
R, M = load(sys.argv[1]), meta(sys.argv[1])
d, dt = sys.argv[2], float(sys.argv[3])
tr, steps = R["lyap/trace"], R["lyap/trace_steps"]
assert M["lyap/trace"]["attrs"]["lyap"]["step_time"] == dt
got = np.loadtxt(os.path.join(d, "trace.txt"), ndmin=2)
assert got.shape == (tr.shape[0], tr.shape[1] + 1), got.shape
assert (got[:, 0] == steps * dt).all(), (got[:, 0], steps)
want = np.where(np.isfinite(tr), tr, np.nan)
assert np.array_equal(got[:, 1:], want, equal_nan=True)
fin = np.loadtxt(os.path.join(d, "final.txt"), ndmin=2)
e, se = R["lyap/exponents"], R["lyap/stderr"]
keep = np.isfinite(e)
assert fin.shape == (keep.sum(), 3), fin.shape
assert (fin[:, 0] == steps[-1] * dt).all()
assert (fin[:, 1] == e[keep]).all() and (fin[:, 2] == np.where(np.isfinite(se), se, 0)[keep]).all()
EOF
	dk-init rnn --units 16 --inputs 3 --gain 1.5 --seed 2 >"$tmp/lnet.npy"
	dk-gen flipflop --batch 1 --length 300 --seed 1 |
		dk-lyap -k 3 "$tmp/lnet.npy" - >"$tmp/ly.npy"
	DK_GNUPLOT="$tmp/ygrab" dk-plot lyap -o "$tmp/grab.png" "$tmp/ly.npy"
	is "$?" 0 "dk-plot lyap of dk-lyap's output, with a stand-in gnuplot"
	ok "trace.txt: lyap/trace_steps and lyap/trace; final.txt: the exponents and stderr" \
		"$PY" "$tmp/lyap.py" "$tmp/ly.npy" "$tmp/ygot" 1
	grep -q "set xlabel 'step'" "$tmp/ygot/plot.gp" &&
		grep -q "set ylabel 'exponent (per step)'" "$tmp/ygot/plot.gp" &&
		grep -q "'trace.txt' using 1:4 with lines.*title '3'" "$tmp/ygot/plot.gp" &&
		grep -q "'final.txt' using 1:2:3 with yerrorbars" "$tmp/ygot/plot.gp"
	tap_result $? "a map: steps across, exponents per step; three lines and the error bars"
	# a continuous-time network: the axis is time, step x dt
	dk-init ctrnn --units 12 --gain 2.5 --seed 2 >"$tmp/lct.npy"
	dk-lyap -k 8 -T 200 "$tmp/lct.npy" >"$tmp/lyct.npy"
	DK_GNUPLOT="$tmp/ygrab" dk-plot lyap -o "$tmp/grab.png" "$tmp/lyct.npy"
	is "$?" 0 "dk-plot lyap of a ctrnn's spectrum"
	ok "per unit time: the steps times dt 0.1, and the trace" \
		"$PY" "$tmp/lyap.py" "$tmp/lyct.npy" "$tmp/ygot" 0.1
	grep -q "set xlabel 'time'" "$tmp/ygot/plot.gp" &&
		grep -q "set ylabel 'exponent (per unit time)'" "$tmp/ygot/plot.gp" &&
		grep -q "using 1:7 .*title '6'" "$tmp/ygot/plot.gp" &&
		grep -q "using 1:8 .*notitle" "$tmp/ygot/plot.gp"
	tap_result $? "...time across, per unit time; the key names the first six of eight"
	# a direction a ReLU silences has the exponent -inf: a gap in its line
	# (NaN for gnuplot), and no final mark
	"$PY" -c "
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import records, name, save_bytes
recs = []
for i, r in enumerate(records('$tmp/ly.npy')):
    a = r[1]
    if name(r, i) == 'lyap/trace':
        a = a.copy(); a[5:, 2] = -np.inf
    if name(r, i) == 'lyap/exponents':
        a = a.copy(); a[2] = -np.inf
    recs.append((r[0], a))
open('$tmp/lyinf.npy', 'wb').write(save_bytes(recs))"
	DK_GNUPLOT="$tmp/ygrab" dk-plot lyap -o "$tmp/grab.png" "$tmp/lyinf.npy"
	ok "an exponent of -inf: NaN in trace.txt where the trace is -inf, no final mark" \
		"$PY" "$tmp/lyap.py" "$tmp/lyinf.npy" "$tmp/ygot" 1
	grep -c NaN "$tmp/ygot/trace.txt" >"$tmp/nan.count"
	is "$(cat "$tmp/nan.count")" 15 "...the 15 checkpoints from the sixth on"
	ok "dk-plot lyap draws an SVG" dk-plot lyap --size 500x300 -o "$tmp/ly.svg" "$tmp/ly.npy"
	grep -q 'width="500" height="300"' "$tmp/ly.svg"
	is "$?" 0 "ly.svg is 500x300"
	fails_with 1 "lyap of a stream without lyap/trace: exit 1" \
		dk-plot lyap -o "$tmp/x.png" "$tmp/run.npy"
	grep -q 'no tensor named lyap/trace.*dk-lyap' "$tmp/.err"
	is "$?" 0 "...the message names lyap/trace and dk-lyap"
	fails_with 1 "lyap of a 1-D trace: exit 1" \
		dk-plot lyap -s lyap/exponents -o "$tmp/x.png" "$tmp/ly.npy"
	grep -q 'lyap/exponents: a trace is a real (checkpoint, exponent) tensor' "$tmp/.err"
	is "$?" 0 "...the message says what a trace is"
	dk-cat -x lyap/trace_steps "$tmp/ly.npy" >"$tmp/nosteps.npy"
	DK_GNUPLOT="$tmp/ygrab" dk-plot lyap -o "$tmp/grab.png" "$tmp/nosteps.npy" 2>"$tmp/ns.err"
	is "$?" 0 "lyap without lyap/trace_steps: exit 0"
	grep -q 'no lyap/trace_steps; the axis counts checkpoints' "$tmp/ns.err" &&
		grep -q "set xlabel 'checkpoint'" "$tmp/ygot/plot.gp" &&
		[ "$(awk '{ printf "%s ", $1 }' "$tmp/ygot/trace.txt" | cut -c 1-6)" = "1 2 3 " ]
	tap_result $? "...a word on stderr, and the axis counts checkpoints 1, 2, 3, ..."

	# ---- wave ----
	# the shift-initialised Wave-RNN's wave (speed -1, tests/wave.sh) and
	# dk-wave's fit of it, in one stream
	dk-init wrnn --channels 2 --units 32 --inputs 3 --outputs 3 >"$tmp/wff.npy"
	dk-gen flipflop --batch 2 --length 128 --seed 1 | dk-run "$tmp/wff.npy" >"$tmp/wffrun.npy"
	dk-wave -o "$tmp/wffwave.npy" "$tmp/wffrun.npy"
	cat "$tmp/wffrun.npy" "$tmp/wffwave.npy" >"$tmp/wv.npy"
	ok "dk-plot wave --channel 1 -o wave.png" dk-plot wave --channel 1 --size 300x400 \
		-o "$tmp/wave.png" "$tmp/wv.npy"
	is "$(png_size "$tmp/wave.png")" 300x400 "wave.png: IHDR says 300x400"
	mkdir "$tmp/wgot"
	printf '#!/bin/sh\nrm -f "%s"/*; cp data.bin spec.txt plot.gp "%s" && for f in lines.txt kline.txt; do test ! -e $f || cp $f "%s"; done && printf x >plot.png\n' \
		"$tmp/wgot" "$tmp/wgot" "$tmp/wgot" >"$tmp/wgrab"
	chmod +x "$tmp/wgrab"
	# the raster is a copy of the states, so equal to them exactly; the
	# lines' slope dt/dx is 1/speed to 1e-12 relative (the endpoints are
	# printed to 17 digits); the spectrum is NumPy's |rfft2|^2 of the
	# centred ring, hann-windowed in time and padded to 2 T steps, to
	# 1e-10 of its peak (two FFTs' rounding), and its line f = -speed k
	cat >"$tmp/wave.py" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
R = load(sys.argv[1])
b, c, d = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
window, pad = (sys.argv[5], int(sys.argv[6])) if len(sys.argv) > 6 else ("hann", 2)
S = R[os.environ.get("WAVE_NAME", "states")][:, b, 32 * c:32 * c + 32]
got = np.fromfile(os.path.join(d, "data.bin"), dtype="<f8").reshape(S.shape)
assert (got == S).all()
v = R["wave/speed"][b, c]
# without a window the slow common mode leaks and dk-wave's speed is off;
# the picture then only has to draw what dk-wave found
assert abs(v + 1) < 0.02 or window == "none", v
L = np.loadtxt(os.path.join(d, "lines.txt")).reshape(-1, 2, 2)
assert len(L) >= 4, len(L)
assert (L[:, 0, 1] == 0).all() and (L[:, 1, 1] == S.shape[0] - 1).all()
slope = (L[:, 1, 1] - L[:, 0, 1]) / (L[:, 1, 0] - L[:, 0, 0])
assert np.abs(slope * v - 1).max() <= 1e-12, slope
T, n = S.shape
a = S - S.mean(axis=0)
if window == "hann":
    a = a * (np.sin(np.pi * (np.arange(T) + 0.5) / T) ** 2)[:, None]
Tp = pad * T + (pad * T) % 2
want = np.abs(np.fft.rfft2(a.T, s=(n, Tp))) ** 2
sp = np.loadtxt(os.path.join(d, "spec.txt"))
assert sp.shape == (want.size, 3), sp.shape
assert (np.diff(sp[:, 0]) >= 0).all()
j = np.rint(sp[:, 0] * n).astype(int) % n
l = np.rint(sp[:, 1] * Tp).astype(int)
assert len(set(zip(j, l))) == want.size
assert np.abs(sp[:, 2] - want[j, l]).max() <= 1e-10 * want.max()
K = np.loadtxt(os.path.join(d, "kline.txt"))
assert abs((K[1, 1] - K[0, 1]) / (K[1, 0] - K[0, 0]) / -v - 1) <= 1e-12
EOF
	DK_GNUPLOT="$tmp/wgrab" dk-plot wave --batch 1 --channel 1 -o "$tmp/wgrab.png" "$tmp/wv.npy"
	is "$?" 0 "dk-plot wave --batch 1 --channel 1 with a stand-in gnuplot"
	ok "batch 1, ring 1: the raster is its states, the lines' slope 1/wave/speed; the spectrum NumPy's" \
		"$PY" "$tmp/wave.py" "$tmp/wv.npy" 1 1 "$tmp/wgot"
	grep -q "'lines.txt' using 1:2 with lines" "$tmp/wgot/plot.gp" &&
		grep -q "'spec.txt' using 1:2:.*'kline.txt' using 1:2 with lines" "$tmp/wgot/plot.gp"
	tap_result $? "the script draws the lines over the raster and the spectrum"
	# the spectrum is taken as dk-wave took it: its window and padding
	dk-wave --window none --pad 3 -o "$tmp/wffwave3.npy" "$tmp/wffrun.npy"
	cat "$tmp/wffrun.npy" "$tmp/wffwave3.npy" >"$tmp/wv3.npy"
	# (batch 0: batch 1's ring 1 is a swell of the whole ring without a
	# window, k = 0 on the periodic ring's grid, so no speed and no lines)
	DK_GNUPLOT="$tmp/wgrab" dk-plot wave --batch 0 --channel 1 -o "$tmp/wgrab.png" "$tmp/wv3.npy"
	ok "after dk-wave --window none --pad 3, the spectrum is NumPy's without a window, padded 3 times" \
		"$PY" "$tmp/wave.py" "$tmp/wv3.npy" 0 1 "$tmp/wgot" none 3
	DK_GNUPLOT="$tmp/wgrab" dk-plot wave -o "$tmp/wgrab.png" "$tmp/wv.npy"
	ok "without --channel: batch 0, ring 0" "$PY" "$tmp/wave.py" "$tmp/wv.npy" 0 0 "$tmp/wgot"
	# a NaN speed (a standing wave): the raster alone, and a word on stderr
	"$PY" -c "
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import records, name, save_bytes
recs = []
for i, r in enumerate(records('$tmp/wffwave.npy')):
    if name(r, i) == 'wave/speed':
        r = (r[0], np.where(np.arange(r[1].size).reshape(r[1].shape) == 0, np.nan, r[1]))
    recs.append(r)
open('$tmp/nanwave.npy', 'wb').write(save_bytes(recs))"
	cat "$tmp/wffrun.npy" "$tmp/nanwave.npy" >"$tmp/wnan.npy"
	DK_GNUPLOT="$tmp/wgrab" dk-plot wave -o "$tmp/wgrab.png" "$tmp/wnan.npy" 2>"$tmp/wnan.err"
	is "$?" 0 "a NaN wave/speed: exit 0"
	grep -q 'standing' "$tmp/wnan.err"
	tap_result $? "...the standard error says so"
	test -e "$tmp/wgot/data.bin" && test -s "$tmp/wgot/spec.txt" &&
		test ! -e "$tmp/wgot/lines.txt" && test ! -e "$tmp/wgot/kline.txt" &&
		! grep -q -e lines.txt -e kline.txt "$tmp/wgot/plot.gp"
	tap_result $? "...and the raster and spectrum are drawn without lines"
	DK_GNUPLOT="$tmp/wgrab" dk-plot wave --channel 1 -o "$tmp/wgrab.png" "$tmp/wnan.npy" 2>"$tmp/wnan.err"
	test -s "$tmp/wgot/lines.txt" && test ! -s "$tmp/wnan.err"
	tap_result $? "ring 1's speed is finite: lines, no word"
	fails_with 1 "wave of states without wave/speed: exit 1" \
		dk-plot wave -o "$tmp/x.png" "$tmp/wffrun.npy"
	grep -q 'wave/speed.*dk-wave' "$tmp/.err"
	is "$?" 0 "the message names wave/speed and dk-wave"
	fails_with 1 "wave --channel 2 of 2 rings: exit 1" \
		dk-plot wave --channel 2 -o "$tmp/x.png" "$tmp/wv.npy"
	fails_with 1 "wave --batch 2 of 2: exit 1" \
		dk-plot wave --batch 2 -o "$tmp/x.png" "$tmp/wv.npy"
	"$PY" -c "
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import save_bytes
open('$tmp/dir.npy', 'wb').write(save_bytes([(json.dumps({'name': 'wave/direction'}).encode(), np.zeros((2, 2)))]))"
	cat "$tmp/wv.npy" "$tmp/dir.npy" >"$tmp/wsheet.npy"
	fails_with 1 "wave with the records of sheets (wave/direction) over rings: exit 1" \
		dk-plot wave -o "$tmp/x.png" "$tmp/wsheet.npy"
	fails_with 1 "wave --step on rings: exit 1" \
		dk-plot wave --step 3 -o "$tmp/x.png" "$tmp/wv.npy"

	# -s NAME: the raster and the spectrum both read NAME.  alt is the
	# states with each ring's units in reverse order, whose spectrum is
	# the states' mirrored in k: a spectrum read from states would fail
	"$PY" -c "
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import by_name, save_bytes
raw, a = by_name('$tmp/wffrun.npy')['states']
m = json.loads(raw); m['name'] = 'alt'
alt = np.concatenate([a[:, :, 31::-1], a[:, :, 63:31:-1]], axis=2)
open('$tmp/alt.npy', 'wb').write(save_bytes([(json.dumps(m).encode(), np.ascontiguousarray(alt))]))"
	cat "$tmp/wv.npy" "$tmp/alt.npy" >"$tmp/walt.npy"
	DK_GNUPLOT="$tmp/wgrab" dk-plot wave -s alt --batch 1 --channel 1 -o "$tmp/wgrab.png" "$tmp/walt.npy"
	is "$?" 0 "dk-plot wave -s alt"
	WAVE_NAME=alt ok "-s alt: the raster and the spectrum are alt's (NumPy's FFT of alt)" \
		"$PY" "$tmp/wave.py" "$tmp/walt.npy" 1 1 "$tmp/wgot"

	# ---- wave on sheets ----
	# Two sequences of a 12 x 16 torus, 64 steps, each a plane wave on
	# the transform's bins, k = (2/16, 1/12) and (-1/16, 2/12) cycles per
	# unit (col, row), f = 8/64 cycles per step: the analytic signal of
	# cos(2 pi (k . x - f t)) is exp(2 pi i (f t - k . x)) exactly, so the
	# phase is known to rounding, and the wave moves along k.
	"$PY" -c "
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import save_bytes
t = np.arange(64)[:, None, None]
i, j = np.arange(12)[None, :, None], np.arange(16)[None, None, :]
a = np.stack([np.cos(2 * np.pi * (kx * j + ky * i - 8 / 64 * t)) for kx, ky in ((2 / 16, 1 / 12), (-1 / 16, 2 / 12))], axis=1)
meta = {'name': 'movie', 'axes': ['time', 'batch', 'row', 'col']}
open('$tmp/movie.npy', 'wb').write(save_bytes([(json.dumps(meta).encode(), a)]))"
	dk-wave -o "$tmp/moviewave.npy" "$tmp/movie.npy"
	cat "$tmp/movie.npy" "$tmp/moviewave.npy" >"$tmp/mv.npy"
	ok "dk-plot wave -s movie on sheets draws a PNG" \
		dk-plot wave -s movie -o "$tmp/sheet.png" "$tmp/mv.npy"
	mkdir "$tmp/sgot"
	printf '#!/bin/sh\nrm -f "%s"/*; cp phase.txt arrows.txt plot.gp "%s" && { test ! -e direction.txt || cp direction.txt "%s"; } && printf x >plot.png\n' \
		"$tmp/sgot" "$tmp/sgot" "$tmp/sgot" >"$tmp/sgrab"
	chmod +x "$tmp/sgrab"
	# the phase, against the exact one, to 1e-9 radians (the transforms'
	# rounding is near 1e-14; a step or a unit off moves it by at least
	# 2 pi / 16); the arrows along k within 1 degree (each cell's
	# gradient is exact up to rounding; a wrong sign or axis is 90 degrees
	# or more away); the fitted arrow along wave/direction to 1e-9
	# radians, and wave/direction along k within 1 degree
	cat >"$tmp/sheet.py" <<'PYEOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
R = load(sys.argv[1])
b, t, d = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
kx, ky = ((2 / 16, 1 / 12), (-1 / 16, 2 / 12))[b]
P = np.loadtxt(os.path.join(d, "phase.txt"))
assert P.shape == (12 * 16, 3), P.shape
col, row, ph = P[:, 0], P[:, 1], P[:, 2]
assert (row == np.repeat(np.arange(12), 16)).all() and (col == np.tile(np.arange(16), 12)).all()
want = 2 * np.pi * (8 / 64 * t - kx * col - ky * row)
err = np.angle(np.exp(1j * (ph - want)))
assert np.abs(err).max() < 1e-9, np.abs(err).max()
assert (np.abs(ph) <= np.pi).all()
A = np.loadtxt(os.path.join(d, "arrows.txt"))
assert A.ndim == 2 and A.shape[0] >= 16 and A.shape[1] == 4, A.shape
along = np.degrees(np.arctan2(ky, kx))
ang = np.degrees(np.arctan2(A[:, 3], A[:, 2]))
assert np.abs((ang - along + 180) % 360 - 180).max() < 1, (ang, along)
mid = A[:, :2] + A[:, 2:] / 2
assert (mid[:, 0] > 0).all() and (mid[:, 0] < 16).all() and (mid[:, 1] > 0).all() and (mid[:, 1] < 12).all()
D = np.loadtxt(os.path.join(d, "direction.txt"))
fit = R["wave/direction"][b, 0]
assert abs(np.angle(np.exp(1j * (np.arctan2(D[3], D[2]) - np.radians(fit))))) < 1e-9, (D, fit)
assert abs((fit - along + 180) % 360 - 180) < 1, (fit, along)
PYEOF
	DK_GNUPLOT="$tmp/sgrab" dk-plot wave -s movie -o "$tmp/sgrab.png" "$tmp/mv.npy"
	is "$?" 0 "dk-plot wave -s movie with a stand-in gnuplot"
	ok "sheets, batch 0, the middle step 32: the phase exact, arrows and the fit along k" \
		"$PY" "$tmp/sheet.py" "$tmp/mv.npy" 0 32 "$tmp/sgot"
	grep -q "'phase.txt' using 1:2:3 with image, 'arrows.txt' using 1:2:3:4 with vectors.*'direction.txt'" "$tmp/sgot/plot.gp"
	tap_result $? "the script draws the phase, its arrows and the fitted direction"
	DK_GNUPLOT="$tmp/sgrab" dk-plot wave -s movie --batch 1 --step 5 -o "$tmp/sgrab.png" "$tmp/mv.npy"
	ok "sheets, --batch 1 --step 5: that sequence's phase and direction" \
		"$PY" "$tmp/sheet.py" "$tmp/mv.npy" 1 5 "$tmp/sgot"
	fails_with 1 "sheets, --step 64 of 64 steps: exit 1" \
		dk-plot wave -s movie --step 64 -o "$tmp/x.png" "$tmp/mv.npy"
	fails_with 1 "sheets, --channel 1 of 1: exit 1" \
		dk-plot wave -s movie --channel 1 -o "$tmp/x.png" "$tmp/mv.npy"
	fails_with 1 "sheets without -s movie (no states): exit 1" \
		dk-plot wave -o "$tmp/x.png" "$tmp/mv.npy"
fi

# ---- errors ----
printf 'old\n' >"$tmp/keep.png"
fails_with 1 "loss of a stream without train/loss: exit 1" \
	dk-plot loss -o "$tmp/keep.png" "$tmp/run.npy"
grep -q '^dk-plot: .*train/loss' "$tmp/.err"
is "$?" 0 "the message names train/loss"
is "$(cat "$tmp/keep.png")" old "a failed plot leaves the old -o file alone"
fails_with 1 "raster of a stream without states: exit 1" dk-plot raster -o "$tmp/x.png" "$tmp/net.npy"
fails_with 1 "a missing file: exit 1" dk-plot loss -o "$tmp/x.png" "$tmp/no-such"
DK_GNUPLOT="$tmp/no-gnuplot" fails_with 1 "no gnuplot: exit 1" \
	dk-plot loss -o "$tmp/x.png" "$tmp/net.npy"
grep -q 'gnuplot-nox' "$tmp/.err"
is "$?" 0 "no gnuplot: the message names the package gnuplot-nox"
printf '#!/bin/sh\necho "plot.gp line 1: broken" >&2\nexit 3\n' >"$tmp/badgp"
chmod +x "$tmp/badgp"
DK_GNUPLOT="$tmp/badgp" fails_with 1 "gnuplot failing: exit 1" \
	dk-plot loss -o "$tmp/x.png" "$tmp/net.npy"
grep -q '^dk-plot: gnuplot: plot.gp line 1: broken' "$tmp/.err"
is "$?" 0 "gnuplot's own message is passed on"
is "$(ls "$tmp" | grep -c '^x\.png')" 0 "no picture is written when plotting fails"
# file names are data, never gnuplot syntax
cp "$tmp/net.npy" "$tmp/it's \"odd\"; system('touch pwned').npy"
(cd "$tmp" && dk-plot loss -o "o'dd\"; !touch pwned.png" "it's \"odd\"; system('touch pwned').npy")
is "$?" 0 "quotes and semicolons in file names are plain names"
test ! -e "$tmp/pwned"
tap_result $? "...and nothing in them runs"

# ---- seg ----
# an image, its true and its predicted labels: the planes gnuplot is given
# are batch element 1's, taken by a stand-in that keeps its files
dk-init nwm --sheet 16,16 --classes 6 --steps 4 -o "$tmp/sheet.npy"
dk-gen shapes --sheet 16,16 --batch 3 --seed 2 -o "$tmp/shapes.npy"
dk-run -n "$tmp/sheet.npy" "$tmp/shapes.npy" | cat "$tmp/shapes.npy" - >"$tmp/seg.npy"
ok "dk-plot seg --batch 1 -o seg.png" dk-plot seg --batch 1 --size 600x240 \
	-o "$tmp/seg.png" "$tmp/seg.npy"
is "$(png_size "$tmp/seg.png")" 600x240 "seg.png: IHDR says 600x240"
mkdir "$tmp/sgot"
printf '#!/bin/sh\ncp image.bin truth.bin pred.bin plot.gp "%s" && printf x >plot.png\n' \
	"$tmp/sgot" >"$tmp/sgrab"
chmod +x "$tmp/sgrab"
DK_GNUPLOT="$tmp/sgrab" dk-plot seg --batch 1 -o "$tmp/sgrab.png" "$tmp/seg.npy"
is "$?" 0 "dk-plot seg (a stand-in gnuplot keeps the data)"
"$PYL" - "$tmp/seg.npy" "$tmp/sgot" <<'EOF' >"$tmp/stest.out" 2>&1
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
R, d = load(sys.argv[1]), sys.argv[2]
for f, want in (("image", R["input"][1, 0]), ("truth", R["target"][1]),
                ("pred", R["run/labels"][1])):
    got = np.fromfile(os.path.join(d, f + ".bin"), "<f8").reshape(16, 16)
    assert (got == want).all(), f
EOF
tap_result $? "image.bin, truth.bin and pred.bin: batch element 1's planes"
sed 's/^/#   /' "$tmp/stest.out" | tail -3
dk-plot seg "$tmp/shapes.npy" >/dev/null 2>"$tmp/seg.err"
is "$?" 1 "dk-plot seg without run/labels: exit 1"
dk-plot seg --batch 3 "$tmp/seg.npy" >/dev/null 2>"$tmp/seg.err"
is "$?" 1 "dk-plot seg --batch 3 of 3: exit 1"

for args in "" "bogus" "loss --size 0x10" "loss --size 10" "loss --size axb" \
            "loss --format jpg" "loss -o x.jpg" "loss --batch 1" "raster --linear" \
            "raster --units 4" "loss a b" "loss --bogus" "eig --convention up" \
            "loss --convention map" "pca --batch 1" "eig --linear" "wave --linear" \
            "wave --convention map" "pca --components 4" "pca --components x" \
            "loss --components 3" "lyap --linear" "lyap --batch 1" \
            "raster --step 1" "wave --step x" "seg --channel 0" "seg --units 4"; do
	# shellcheck disable=SC2086
	dk-plot $args <"$tmp/net.npy" >"$tmp/u.out" 2>"$tmp/u.err"
	is "$?" 2 "dk-plot $args: usage error, exit 2"
done
grep -q "Try 'dk-plot --help'" "$tmp/u.err"
is "$?" 0 "a usage error points to --help"
done_testing
