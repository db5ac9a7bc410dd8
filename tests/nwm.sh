#!/bin/sh
# nwm.sh -- the oscillator sheet through the tools: dk-init's options and
# their refusals; dk-run from a plane wave on the torus, which travels at
# the phase speed of the damped wave equation's dispersion relation (a
# cross-correlation in NumPy finds the shift) and whose states carry the
# sheet layout that dk-wave reads with no options, finding the same
# wave; the model through a
# stream; dk-train, dk-fixed, dk-jac and dk-lyap on it.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
EOF

# ---- options ----
fails_with 2 "nwm without --sheet" dk-init nwm --channels 2 --inputs 1
fails_with 2 "--sheet 0,5" dk-init nwm --sheet 0,5
fails_with 2 "--sheet 5" dk-init nwm --sheet 5
fails_with 2 "--sheet 5,x" dk-init nwm --sheet 5,x
fails_with 2 "--sheet 2,3,4" dk-init nwm --sheet 2,3,4
fails_with 2 "--sheet for an rnn" dk-init rnn --sheet 3,3
fails_with 2 "--sheet for a wrnn" dk-init wrnn --sheet 3,3
fails_with 2 "nwm --units other than H W" dk-init nwm --sheet 3,3 --units 10
fails_with 2 "nwm --tau" dk-init nwm --sheet 3,3 --tau 2
fails_with 2 "nwm --act relu" dk-init nwm --sheet 3,3 --act relu
fails_with 2 "nwm --inputs 0" dk-init nwm --sheet 3,3 --inputs 0
fails_with 2 "nwm --dt 0" dk-init nwm --sheet 3,3 --dt 0
ok "nwm --units H W is taken" dk-init nwm --sheet 3,3 --units 9 -o "$tmp/u9.npy"

ok "dk-init nwm exits 0" dk-init nwm --channels 1 --sheet 4,32 --inputs 1 --outputs 2 -o "$tmp/m.npy"
pycheck "attrs: kind, sheet, dt 0.1, state 2 C H W; the Laplacian kernel" <<EOF
M, A = load("$tmp/m.npy"), meta("$tmp/m.npy")
a = A["model/W"]["attrs"]["model"]
assert (a["kind"], a["channels"], a["height"], a["width"], a["state_size"]) == ("nwm", 1, 4, 32, 256), a
assert a["dt"] == 0.1 and "tau" not in a, a
assert A["model/W"]["attrs"]["provenance"]["options"]["sheet"] == [4, 32]
assert np.array_equal(M["model/W"][0, 0], [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
assert a["hidden"] == 11, a
assert M["model/enc_omega/0/W"].shape == (11, 1, 3, 3) and M["model/enc_omega/2/W"].shape == (1, 11, 3, 3)
assert M["model/enc_y0/3/W"].shape == (1, 11, 3, 3) and M["model/enc_alpha/2/b"].shape == (1,)
assert M["model/readout/W"].shape == (2, 256)
EOF
fails_with 2 "nwm --hidden 0" dk-init nwm --sheet 3,3 --hidden 0
fails_with 2 "--hidden for an rnn" dk-init rnn --hidden 3
# omega and alpha the same on every cell: their encoders' last weights
# zeroed, so that each is the relu of its last bias (1 and 0.1)
pycheck "omega and alpha made uniform (their last layers' weights zeroed)" <<EOF
from npystream import records, save_bytes
recs = []
for raw, a in records("$tmp/m.npy"):
    if json.loads(raw)["name"] in ("model/enc_omega/2/W", "model/enc_alpha/2/W"):
        a = np.zeros_like(a)
    recs.append((raw, a))
open("$tmp/m.npy", "wb").write(save_bytes(recs))
EOF

# ---- a plane wave travels ----
# y = A exp(-alpha t / 2) cos(k j - w t) on every row, k = 2 pi / 32 (one
# wavelength across the sheet), solves y_tt = lap y - omega y - alpha y_t
# (the sheet with no image, b = 0 and tanh linear at A = 1e-3) when
# w^2 = lam + omega - alpha^2 / 4, lam = 2 - 2 cos k the discrete
# Laplacian's eigenvalue; omega and alpha are the encoders' last biases.  It
# moves w / k columns per unit time (about 5.2): after 15 steps of 0.1,
# about 8 columns toward larger j, a quarter of the sheet, so the
# opposite direction (-8, i.e. 24) is far.  The time scheme's errors (a
# phase lag of about w dt / 2 from starting z at the same time as y, and
# w^3 dt^2 / 24 per unit time) are below 0.1 column: within 1 column.
pycheck "write h0, a plane wave on the 4 x 32 torus, and 15 steps of a zero image" <<EOF
M = load("$tmp/m.npy")
om, al = max(M["model/enc_omega/2/b"][0], 0), max(M["model/enc_alpha/2/b"][0], 0)
k = 2 * np.pi / 32
w = np.sqrt(2 - 2 * np.cos(k) + om - al ** 2 / 4)
j = np.arange(32)
y = 1e-3 * np.tile(np.cos(k * j), (4, 1))
z = 1e-3 * np.tile(-al / 2 * np.cos(k * j) + w * np.sin(k * j), (4, 1))
with open("$tmp/wave_in.npy", "wb") as f:
    for n, a in (("h0", np.concatenate([y.ravel(), z.ravel()])[None]),
                 ("input", np.zeros((15, 1, 4 * 32)))):
        np.save(f, np.array(json.dumps({"name": n}).encode()))
        np.save(f, a)
with open("$tmp/speed", "w") as f:
    f.write(repr(w / k))
EOF
ok "dk-run from the plane wave" dk-run -o "$tmp/run.npy" "$tmp/m.npy" "$tmp/wave_in.npy"
pycheck "the y frame after 15 steps is the first moved by w/k * 1.5 columns, within 1" <<EOF
S = load("$tmp/run.npy")["states"]
assert S.shape == (15, 1, 256), S.shape
h0 = load("$tmp/wave_in.npy")["h0"][0, :128].reshape(4, 32)
last = S[-1, 0, :128].reshape(4, 32)
c = [np.sum(last * np.roll(h0, s, axis=1)) for s in range(32)]
best = int(np.argmax(c))
want = float(open("$tmp/speed").read()) * 15 * 0.1
assert 7 < want < 9, want
assert abs(best - want) <= 1, (best, want, c)
# a sheet of rows alike: no motion across rows
assert np.abs(last - last[0]).max() < 1e-12
EOF
pycheck "dk-run writes the sheet layout: 2 C sheets (y, then z) of 4 x 32, a torus" <<EOF
m = meta("$tmp/run.npy")
assert m["states"]["attrs"]["layout"] == {"shape": [2, 4, 32], "axes": ["channel", "row", "col"],
                                          "periodic": [False, True, True]}, m["states"]
EOF
# dk-wave reads the sheets from the layout with no options.  Over 256
# steps (about 4 periods of 2 pi / (w dt) = 62 steps) the same wave is
# measured: speed w / k * dt columns per step, wavelength 32, frequency
# w dt / (2 pi), toward increasing column (0 degrees), a plane wave.
# The time scheme's phase error (w^3 dt^2 / 24 per unit time, 4e-4
# relative) is far inside the 2% and 2 degrees dk-wave promises.
pycheck "write 256 steps of a zero image after the same h0" <<EOF
R = load("$tmp/wave_in.npy")
with open("$tmp/wave_long.npy", "wb") as f:
    for n, a in (("h0", R["h0"]), ("input", np.zeros((256, 1, 4 * 32)))):
        np.save(f, np.array(json.dumps({"name": n}).encode()))
        np.save(f, a)
EOF
dk-run "$tmp/m.npy" "$tmp/wave_long.npy" | dk-wave -o "$tmp/wave.npy"
tap_result $? "dk-wave reads the sheet layout of dk-run's states with no options"
pycheck "dk-wave: the y sheet's speed w/k dt, wavelength 32, frequency w dt/(2 pi) (2%), direction 0 (2 degrees), a plane wave" <<EOF
W = load("$tmp/wave.npy")
v = float(open("$tmp/speed").read())
k = 2 * np.pi / 32
assert W["wave/speed"].shape == (1, 2), W["wave/speed"].shape
assert abs(W["wave/speed"][0, 0] / (v * 0.1) - 1) < 0.02, (W["wave/speed"], v * 0.1)
assert abs(W["wave/wavelength"][0, 0] / 32 - 1) < 0.02, W["wave/wavelength"]
assert abs(W["wave/frequency"][0, 0] / (v * k * 0.1 / (2 * np.pi)) - 1) < 0.02, W["wave/frequency"]
d = W["wave/direction"][0, 0]
assert min(d, 360 - d) < 2, d
assert W["wave/pattern"][0, 0] == 1, W["wave/pattern"]
EOF

# A file whose attrs claim a vast sheet is refused: the readout's
# weights (outputs x 2 C H W) are the one tensor that grows with the
# sheet, so it takes at least one output, and its shape must match.
pycheck "write models claiming a 10^6 x 10^6 sheet, with 0 and 1 outputs" <<EOF
from npystream import records, save_bytes
for outputs in (0, 1):
    recs = []
    for raw, a in records("$tmp/m.npy"):
        mt = json.loads(raw)
        mt["attrs"]["model"].update(height=10**6, width=10**6, units=10**12, outputs=outputs)
        if mt["name"] == "model/readout/W":
            a = np.zeros((outputs, 256))
        if mt["name"] == "model/readout/b":
            a = np.zeros(outputs)
        recs.append((json.dumps(mt).encode(), a))
    open("$tmp/vast%d.npy" % outputs, "wb").write(save_bytes(recs))
EOF
fails_with 1 "a vast sheet with no outputs is refused" dk-run -o "$tmp/v.npy" "$tmp/vast0.npy" "$tmp/wave_in.npy"
fails_with 1 "a vast sheet with a small readout is refused" dk-run -o "$tmp/v.npy" "$tmp/vast1.npy" "$tmp/wave_in.npy"

# ---- a round trip, training and the analyses ----
ok "the model through dk-cat" sh -c "dk-cat '$tmp/m.npy' > '$tmp/m2.npy'"
dk-run -o "$tmp/run2.npy" "$tmp/m2.npy" "$tmp/wave_in.npy"
pycheck "the same states from the copy, bit for bit" <<EOF
assert np.array_equal(load("$tmp/run.npy")["states"], load("$tmp/run2.npy")["states"])
EOF

# flipflop's 3 inputs as an image of 1 channel on a 1 x 3 sheet
ok "dk-train a few steps on flipflop (a 1 x 3 sheet)" dk-train --model nwm --channels 2 \
	--sheet 1,3 --inputs 1 --task flipflop --length 20 --batch 4 --steps 10 -o "$tmp/t.npy"
fails_with 1 "dk-train: an image of 3 channels on 1 x 3 does not fit 3 inputs" \
	dk-train --model nwm --sheet 1,3 --task flipflop --length 20 --steps 2
dk-gen flipflop --batch 2 --length 40 --seed 3 >"$tmp/ff.npy"
ok "dk-run the trained model on flipflop" dk-run -o "$tmp/ffrun.npy" "$tmp/t.npy" "$tmp/ff.npy"
ok "dk-fixed on its states" dk-fixed -o "$tmp/fp.npy" "$tmp/t.npy" "$tmp/ffrun.npy"
ok "dk-jac on its states" dk-jac -o "$tmp/jac.npy" "$tmp/t.npy" "$tmp/ffrun.npy"
ok "dk-lyap, driven by flipflop" dk-lyap -k 2 --transient 0 --basis-transient 10 -o "$tmp/ly.npy" \
	"$tmp/t.npy" "$tmp/ff.npy"

done_testing
