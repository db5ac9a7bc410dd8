#!/bin/sh
# wave.sh -- dk-wave on the states of models: an untrained shift-
# initialised Wave-RNN driven by flip-flop pulses carries a wave at 1
# unit per step toward decreasing index (the direction a cross-
# correlation of successive states finds), with high diagonal power;
# an iRNN carries none.  The layout dk-run writes, --rings overriding
# it, a bare NumPy array, and the refusals of bad input; the phase
# method on the same states and array, against the spectral method, the
# known speeds, and the estimator written again with NumPy.
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

dk-gen flipflop --batch 4 --length 256 --seed 1 >"$tmp/ff.npy"
dk-init wrnn --channels 2 --units 32 --inputs 3 --outputs 3 >"$tmp/w.npy"
dk-run "$tmp/w.npy" "$tmp/ff.npy" >"$tmp/wrun.npy"
pycheck "dk-run writes the wrnn's layout into the attrs of its states" <<EOF
m = meta("$tmp/wrun.npy")
assert m["states"]["attrs"]["layout"] == {"shape": [2, 32], "axes": ["channel", "unit"],
                                          "periodic": [False, True]}, m["states"]
assert "layout" not in m["output"]["attrs"]
EOF
ok "dk-wave reads them with no options" dk-wave -o "$tmp/wwave.npy" "$tmp/wrun.npy"
# The shift-initialised ring moves each state one unit toward index 0
# every step (h'[i] = h[i + 1] away from the input unit), so the speed
# is -1 exactly; 2% is the accuracy asked of the method.  The diagonal
# power is the share of power on the speed-1 lines over a time-shuffled
# surrogate's: 1 is chance, and a clean wave at T = 256 with hann
# reaches about T / 8 = 32; 10 is far from both.
pycheck "wrnn: speed -1 within 2%, traveling below -0.9, diagonal power above 10" <<EOF
R = load("$tmp/wwave.npy")
assert R["wave/speed"].shape == (4, 2), R["wave/speed"].shape
assert np.abs(R["wave/speed"] + 1).max() < 0.02, R["wave/speed"]
assert (R["wave/traveling"] < -0.9).all(), R["wave/traveling"]
assert (R["wave/diagonal_power"] > 10).all(), R["wave/diagonal_power"]
f, lam = R["wave/frequency"], R["wave/wavelength"]
assert np.allclose(f * lam, 1, rtol=0.02) and (f > 0).all() and (f < 0.5).all()
a = meta("$tmp/wwave.npy")["wave/speed"]
assert a["axes"] == ["batch", "ring"] and a["attrs"]["units"] == "units per step", a
assert a["attrs"]["wave"]["periodic"] is True and a["attrs"]["wave"]["units"] == 32
EOF
pycheck "wrnn: a cross-correlation of successive states finds the same direction" <<EOF
h = load("$tmp/wrun.npy")["states"][:, 0, :32]      # sequence 0, ring 0
h = h - h.mean(0)
c = [sum(np.dot(h[t + 1], np.roll(h[t], s)) for t in range(len(h) - 1)) for s in (-1, 0, 1)]
assert np.argmax(c) == 0, c                           # h[t+1] = roll(h[t], -1)
assert load("$tmp/wwave.npy")["wave/speed"][0, 0] < 0
EOF

# Rings of 16 cut from rings of 32 do not wrap around: --open (on a
# periodic ring the wavenumber is a whole number of cycles per ring).
ok "--rings 4 overrides the layout" dk-wave --rings 4 --open -o "$tmp/w4.npy" "$tmp/wrun.npy"
pycheck "--rings 4: (4, 4) results, rings of 16 units, the same speed" <<EOF
R = load("$tmp/w4.npy")
assert R["wave/speed"].shape == (4, 4)
assert np.abs(R["wave/speed"] + 1).max() < 0.02, R["wave/speed"]
assert meta("$tmp/w4.npy")["wave/speed"]["attrs"]["wave"]["units"] == 16
EOF

# Few cycles.  The untrained wRNN on the copy task (40 steps, as
# tests/repro/waves.sh runs it): its input fills each ring from one unit
# on, a front moving one unit a step toward index 0 that stays on, so a
# cross-correlation of successive states finds a shift of -1 exactly.
# The spectral method reads -1 (within 2 %): its peak, 0.4 cycle in the
# 40 steps, is refined with a constant in the fit, which takes up the
# centring's lobe at f = 0.  The phase method reads -2: a front passes
# each unit once, so only the recording's fundamental is left in the
# band, and its phase follows the middle of each unit's time on, which
# moves half a step per unit (dk-wave(1), Limits; the closed form gives
# -2 exactly, 1e-9 allowing for rounding).
dk-gen copy --length 20 --batch 3 --seed 1000 >"$tmp/copy.npy"
dk-init wrnn --channels 2 --units 100 --inputs 10 --outputs 10 --seed 1 >"$tmp/wc.npy"
dk-run "$tmp/wc.npy" "$tmp/copy.npy" >"$tmp/wcrun.npy"
dk-wave -o "$tmp/wcs.npy" "$tmp/wcrun.npy" && dk-wave --method phase -o "$tmp/wcp.npy" "$tmp/wcrun.npy"
tap_result $? "dk-wave reads the untrained wRNN's copy-task states by both methods"
pycheck "copy front: cross-correlation -1, spectral -1 within 2%, phase -2 (the documented limit)" <<EOF
h = load("$tmp/wcrun.npy")["states"]
for b in range(3):
    for c in range(2):
        r = h[:, b, 100 * c:100 * (c + 1)]
        r = r - r.mean(0)
        cc = [sum(np.dot(r[t + 1], np.roll(r[t], s)) for t in range(len(r) - 1)) for s in range(-3, 4)]
        assert np.argmax(cc) - 3 == -1, cc
assert np.abs(load("$tmp/wcs.npy")["wave/speed"] + 1).max() < 0.02, load("$tmp/wcs.npy")["wave/speed"]
assert np.abs(load("$tmp/wcp.npy")["wave/speed"] + 2).max() < 1e-9, load("$tmp/wcp.npy")["wave/speed"]
EOF

# The flow task's Gaussian bump (width 2) at 2 and -2 units per step on
# a ring of 64 over 40 steps (1.25 turns): the spectral method's peak,
# 1.25 cycles in the window, within 2 % of the bump's speed.
dk-gen flow --velocity-set 2,-2 --batch 4 --seed 3 --frames-in 20 --frames-out 20 |
	dk-cat --select target >"$tmp/bump.npy"
ok "dk-wave reads the flow task's moving bumps" dk-wave -o "$tmp/bumpw.npy" "$tmp/bump.npy"
pycheck "flow bumps: speed +-2 within 2%, wavelength 64, frequency 1/32" <<EOF
x = load("$tmp/bump.npy")["target"]
R = load("$tmp/bumpw.npy")
for b in range(4):
    # the bump's direction from its positions at the first two steps
    d = (np.argmax(x[1, b]) - np.argmax(x[0, b]) + 32) % 64 - 32
    assert d in (2, -2), d
    assert abs(R["wave/speed"][b, 0] / d - 1) < 0.02, (d, R["wave/speed"])
assert np.allclose(R["wave/wavelength"], 64, rtol=0.02), R["wave/wavelength"]
assert np.allclose(R["wave/frequency"], 1 / 32, rtol=0.02), R["wave/frequency"]
EOF

# The iRNN integrates its input in place: no wave.  Its diagonal power
# is at most chance (1), and it has no direction: |traveling| below the
# standing threshold, so no speed.
dk-init rnn --units 64 --inputs 3 --outputs 3 --init identity --act relu >"$tmp/i.npy"
dk-run "$tmp/i.npy" "$tmp/ff.npy" >"$tmp/irun.npy"
pycheck "an rnn's states carry no layout" <<EOF
assert "layout" not in meta("$tmp/irun.npy")["states"]["attrs"]
EOF
ok "dk-wave on the iRNN's states (one ring: no layout)" dk-wave -o "$tmp/iwave.npy" "$tmp/irun.npy"
pycheck "iRNN: diagonal power below 1, |traveling| below 0.2, speed NaN" <<EOF
R = load("$tmp/iwave.npy")
assert R["wave/speed"].shape == (4, 1)
assert (R["wave/diagonal_power"] < 1).all(), R["wave/diagonal_power"]
assert (np.abs(R["wave/traveling"]) < 0.2).all(), R["wave/traveling"]
assert np.isnan(R["wave/speed"]).all(), R["wave/speed"]
EOF

# A bare (time, unit) array: one ring, batch 1; --open for a wavelength
# that does not fit the ring.
pycheck "NumPy writes a bare raster: a wave at 0.37 units per step" <<EOF
t, i = np.arange(300)[:, None], np.arange(50)[None, :]
np.save("$tmp/bare.npy", np.cos(2 * np.pi * (i / 11.3 - 0.37 / 11.3 * t)))
EOF
ok "dk-wave --open reads it" dk-wave --open -o "$tmp/bwave.npy" "$tmp/bare.npy"
pycheck "the bare raster: (1, 1), speed 0.37 and wavelength 11.3 within 2%" <<EOF
R = load("$tmp/bwave.npy")
assert R["wave/speed"].shape == (1, 1)
assert abs(R["wave/speed"][0, 0] / 0.37 - 1) < 0.02, R["wave/speed"]
assert abs(R["wave/wavelength"][0, 0] / 11.3 - 1) < 0.02, R["wave/wavelength"]
assert meta("$tmp/bwave.npy")["wave/speed"]["attrs"]["wave"]["periodic"] is False
EOF
ok "the same input gives the same bytes" sh -c "dk-wave --open '$tmp/bare.npy' | cmp - '$tmp/bwave.npy'"

# The phase method on the same states: the same speed (both methods
# are asked for 2%, and the shift ring's speed is -1 exactly), every
# cell travelling toward decreasing index.
ok "dk-wave --method phase --series on the wrnn's states" \
	dk-wave --method phase --series -o "$tmp/pwave.npy" "$tmp/wrun.npy"
pycheck "phase: speed -1 within 2%, as the spectral method's; directionality below -0.9" <<EOF
R, S = load("$tmp/pwave.npy"), load("$tmp/wwave.npy")
assert R["wave/speed"].shape == (4, 2), R["wave/speed"].shape
assert np.abs(R["wave/speed"] + 1).max() < 0.02, R["wave/speed"]
assert np.abs(R["wave/speed"] - S["wave/speed"]).max() < 0.04, (R["wave/speed"], S["wave/speed"])
assert (R["wave/directionality"] < -0.9).all(), R["wave/directionality"]
assert "wave/traveling" not in R and "wave/diagonal_power" not in R
for k in ("speed_spread", "wavelength_spread", "frequency_spread", "negative_frequency"):
    assert R["wave/" + k].shape == (4, 2) and (R["wave/" + k] >= 0).all(), k
a = meta("$tmp/pwave.npy")["wave/speed"]["attrs"]
assert a["wave"]["method"] == "phase" and a["wave"]["band"] == 2 and a["units"] == "units per step", a
EOF
pycheck "phase: the series (255, 4, 2), -1 within 2% wherever it is not NaN, NaN at both ends" <<EOF
v = load("$tmp/pwave.npy")["wave/speed_series"]
assert v.shape == (255, 4, 2), v.shape
assert np.isnan(v[0]).all() and np.isnan(v[-1]).all()
inside = v[~np.isnan(v)]
assert inside.size > 0.5 * v.size and np.abs(inside + 1).max() < 0.02, inside
assert meta("$tmp/pwave.npy")["wave/speed_series"]["axes"] == ["time", "batch", "ring"]
EOF

# The bare raster of a wave whose wavelength does not fit the open line.
ok "dk-wave --method phase --open on the bare raster" \
	dk-wave --method phase --open -o "$tmp/pbwave.npy" "$tmp/bare.npy"
pycheck "phase, the bare raster: speed 0.37, wavelength 11.3, frequency within 2%; directionality 1" <<EOF
R = load("$tmp/pbwave.npy")
assert R["wave/speed"].shape == (1, 1)
assert abs(R["wave/speed"][0, 0] / 0.37 - 1) < 0.02, R["wave/speed"]
assert abs(R["wave/wavelength"][0, 0] / 11.3 - 1) < 0.02, R["wave/wavelength"]
assert abs(R["wave/frequency"][0, 0] / (0.37 / 11.3) - 1) < 0.02, R["wave/frequency"]
assert R["wave/directionality"][0, 0] > 0.99, R["wave/directionality"]
assert meta("$tmp/pbwave.npy")["wave/speed"]["attrs"]["wave"]["periodic"] is False
EOF
ok "phase: the same input gives the same bytes" sh -c "dk-wave --method phase --open '$tmp/bare.npy' | cmp - '$tmp/pbwave.npy'"

# The estimator written again from its definition (dk-wave(1)) with
# NumPy's FFT for the analytic signal (every frequency kept, as --band
# 0), on a noisy wave.  Two computations of the same numbers by
# different FFTs: they differ by rounding (about 1e-13 of the values),
# and a weighted median moves continuously with its samples, so 1e-8
# relative.
pycheck "NumPy writes a noisy wave (speed -0.8, wavelength 9.3, SNR 2)" <<EOF
rng = np.random.default_rng(5)
t, i = np.arange(240)[:, None], np.arange(40)[None, :]
np.save("$tmp/noisy.npy", np.cos(2 * np.pi * (-i / 9.3 - 0.8 / 9.3 * t)) + rng.normal(0, 0.5, (240, 40)))
EOF
ok "dk-wave --method phase --band 0 on it" dk-wave --method phase --band 0 -o "$tmp/pnoisy.npy" "$tmp/noisy.npy"
pycheck "--band 0: the medians, spreads and directionality of NumPy's analytic signal" <<EOF
a = np.load("$tmp/noisy.npy")
a = a - a.mean(0)
T = len(a)                                      # even
X = np.fft.fft(a, axis=0)
P = (np.abs(X - X.mean(1, keepdims=True)) ** 2).sum(1)   # less the ring's mean
fp = (np.argmax(P[1:(T + 1) // 2]) + 1) / T
m = min(int(np.ceil(1 / fp)), (T - 1) // 4)
h = np.zeros(T)
h[0] = h[T // 2] = 1
h[1:T // 2] = 2                                 # negative frequencies 0
z = np.fft.ifft(X * h[:, None], axis=0)
zj = np.roll(z, -1, axis=1)                     # periodic: the pairs (i, i + 1 mod n)
om = np.angle(z[1:] * z[:-1].conj() + zj[1:] * zj[:-1].conj()) / (2 * np.pi)
ka = np.angle(zj[:-1] * z[:-1].conj() + zj[1:] * z[1:].conj()) / (2 * np.pi)
w = (abs(z[:-1]) + abs(z[1:]) + abs(zj[:-1]) + abs(zj[1:])) / 4
om, ka, w = om[m:T - 1 - m].ravel(), ka[m:T - 1 - m].ravel(), w[m:T - 1 - m].ravel()
def wq(v, q):
    keep = ~np.isnan(v) & (w > 0)
    v, ww = v[keep], w[keep]
    o = np.argsort(v, kind="stable")
    v, ww = v[o], ww[o]
    c = (np.cumsum(ww) - ww / 2) / ww.sum()
    return np.interp(q, c, v)
with np.errstate(divide="ignore", invalid="ignore"):
    v = -om / ka
d = (w * np.where(np.abs(np.sin(2 * np.pi * ka)) > 1e-9, np.sign(-om * ka), 0)).sum() / w.sum()
R = load("$tmp/pnoisy.npy")
def near(name, want):
    got = R[name][0, 0]
    assert abs(got - want) <= 1e-8 * abs(want), (name, got, want)
near("wave/speed", wq(v, 0.5))
near("wave/speed_spread", wq(v, 0.75) - wq(v, 0.25))
near("wave/frequency", wq(om, 0.5))
near("wave/frequency_spread", wq(om, 0.75) - wq(om, 0.25))
near("wave/wavelength", wq(1 / np.abs(ka), 0.5))
near("wave/directionality", d)
EOF

# Bad input: exit 1, naming the record.

dk-gen flipflop --length 7 | dk-run "$tmp/w.npy" >"$tmp/short.npy"
fails_with 1 "fewer than 8 steps" dk-wave "$tmp/short.npy"
grep -q "states: 7 time steps" "$tmp/.err"; tap_result $? "... the message names the record and the steps"
fails_with 1 "3 rings do not divide 64 units" dk-wave --rings 3 "$tmp/wrun.npy"
grep -q "states: 3 rings do not divide its 64 units" "$tmp/.err"; tap_result $? "... and says so"
dk-cat --text --meta "$tmp/wrun.npy" | sed 's/"shape":\[2,32\]/"shape":[3,32]/' | dk-cat --from-text >"$tmp/badlayout.npy"
fails_with 1 "a layout of 3 x 32 units on 64" dk-wave "$tmp/badlayout.npy"
grep -q "states: the layout covers 96 units, the states have 64" "$tmp/.err"; tap_result $? "... and says so"
"$PY" -c "import numpy as np; a = np.ones((20, 10)); a[3, 4] = np.nan; np.save('$tmp/nan.npy', a)"
fails_with 1 "a NaN in the states" dk-wave "$tmp/nan.npy"
grep -q "not finite at time 3, batch 0, unit 4" "$tmp/.err"; tap_result $? "... where it is"
"$PY" -c "import numpy as np; np.save('$tmp/r1.npy', np.ones(20))"
fails_with 1 "a vector has no time axis" dk-wave "$tmp/r1.npy"
dk-fixed --sample 4 "$tmp/i.npy" "$tmp/irun.npy" 2>/dev/null | dk-cat --select fp/x >"$tmp/fpx.npy"
fails_with 1 "fp/x (point, unit) has no time axis" dk-wave "$tmp/fpx.npy"
grep -q "fp/x: no time axis: its first axis is 'point'" "$tmp/.err"; tap_result $? "... and says so"
fails_with 2 "--method fourier" dk-wave --method fourier "$tmp/wrun.npy"
grep -q "spectral or phase, not 'fourier'" "$tmp/.err"; tap_result $? "... and says which there are"
fails_with 2 "--band 1" dk-wave --method phase --band 1 "$tmp/wrun.npy"
fails_with 2 "--series without --method phase" dk-wave --series "$tmp/wrun.npy"
fails_with 2 "--window foo" dk-wave --window foo "$tmp/wrun.npy"
fails_with 2 "--rings 0" dk-wave --rings 0 "$tmp/wrun.npy"
fails_with 2 "--speed 0" dk-wave --speed 0 "$tmp/wrun.npy"

# A long recording in windows (Welch): 16384 steps of a noisy wave at
# speed 0.45 on a ring of 48 units, in windows of 256 steps; NumPy writes
# it, the truth is known.
"$PY" -c "
import numpy as np
rng = np.random.default_rng(4)
t, i = np.arange(16384)[:, None], np.arange(48)[None, :]
np.save('$tmp/long.npy', np.cos(2 * np.pi * (4 * i / 48 - 0.45 * 4 / 48 * t)) + rng.normal(0, 0.7, (16384, 48)))"
ok "dk-wave --window-steps 256 on 16384 steps" dk-wave --window-steps 256 -o "$tmp/long_w.npy" "$tmp/long.npy"
pycheck "... speed 0.45 and wavelength 12 within 2%, its windows in the attrs" <<EOF
d, m = load("$tmp/long_w.npy"), meta("$tmp/long_w.npy")
assert abs(d["wave/speed"][0, 0] / 0.45 - 1) < 0.02, d["wave/speed"]
assert abs(d["wave/wavelength"][0, 0] / 12 - 1) < 0.02, d["wave/wavelength"]
assert m["wave/speed"]["attrs"]["wave"]["window_steps"] == 256, m["wave/speed"]["attrs"]
EOF
fails_with 2 "--window-steps 4" dk-wave --window-steps 4 "$tmp/long.npy"
fails_with 2 "--window-steps with --series" dk-wave --method phase --series --window-steps 256 "$tmp/long.npy"
fails_with 1 "--window-steps beyond the recording" dk-wave --window-steps 20000 "$tmp/long.npy"

# Sheets.  NumPy writes plane waves, a spiral and their streams; the
# speeds, wavelengths and directions known by construction are asked of
# both methods within the 2% and 2 degrees asked of them on clean waves
# (test_wave_sheet.c covers noise, targets and the tolerances' reasons).
cat >>"$tmp/common.py" <<EOF
T = 128
def plane(H, W, deg, lam, v):
    t, i, j = np.arange(T)[:, None, None], np.arange(H)[None, :, None], np.arange(W)[None, None, :]
    a = np.radians(deg)
    return np.cos(2 * np.pi * ((np.cos(a) * j + np.sin(a) * i) / lam - v / lam * t))
def angle_error(got, want):
    d = abs(got - want) % 360
    return min(d, 360 - d)
EOF
pycheck "NumPy writes a bare (time, row, col) plane wave at 120 degrees" <<EOF
np.save("$tmp/sheet.npy", plane(24, 32, 120, 7.7, 0.55))
EOF
for m in spectral phase; do
	ok "dk-wave --open --method $m reads it as one sheet" \
		dk-wave --open --method $m -o "$tmp/s_$m.npy" "$tmp/sheet.npy"
	pycheck "$m, the bare sheet: speed 0.55, wavelength 7.7 within 2%, direction 120 within 2 degrees, plane" <<EOF
R = load("$tmp/s_$m.npy")
assert R["wave/speed"].shape == (1, 1) and R["wave/centre"].shape == (1, 1, 2)
assert abs(R["wave/speed"][0, 0] / 0.55 - 1) < 0.02, R["wave/speed"]
assert abs(R["wave/wavelength"][0, 0] / 7.7 - 1) < 0.02, R["wave/wavelength"]
assert angle_error(R["wave/direction"][0, 0], 120) < 2, R["wave/direction"]
assert R["wave/pattern"][0, 0] == 1 and R["wave/sense"][0, 0] == 0
assert np.isnan(R["wave/centre"]).all()
m = meta("$tmp/s_$m.npy")
assert m["wave/speed"]["axes"] == ["batch", "channel"], m["wave/speed"]
assert m["wave/centre"]["axes"] == ["batch", "channel", "coord"], m["wave/centre"]
w = m["wave/direction"]["attrs"]
assert w["units"] == "degrees" and w["wave"]["rows"] == 24 and w["wave"]["cols"] == 32, w
assert w["wave"]["periodic"] is False
EOF
done

# --sheet: a (time, 32, 16) array holding two 16 x 16 sheets one above
# the other, each its own medium with its own wave.
pycheck "NumPy writes two 16 x 16 sheets stacked, at 10 and 200 degrees" <<EOF
np.save("$tmp/two.npy", np.concatenate([plane(16, 16, 10, 6.3, 0.4),
                                        plane(16, 16, 200, 5.1, 0.7)], axis=1))
EOF
ok "dk-wave --sheet 16,16 --open" dk-wave --sheet 16,16 --open -o "$tmp/s_two.npy" "$tmp/two.npy"
pycheck "--sheet 16,16: (1, 2) results, each sheet's speed and direction" <<EOF
R = load("$tmp/s_two.npy")
assert R["wave/speed"].shape == (1, 2), R["wave/speed"].shape
assert np.allclose(R["wave/speed"][0], [0.4, 0.7], rtol=0.02), R["wave/speed"]
assert angle_error(R["wave/direction"][0, 0], 10) < 2 and angle_error(R["wave/direction"][0, 1], 200) < 2, R["wave/direction"]
EOF

# The layout of sheets in the states' attrs, as a model would write it:
# the same two sheets as one (time, batch, unit) record of a batch of 1.
pycheck "NumPy writes the two sheets as states with a [2, 16, 16] open layout" <<EOF
from npystream import save_bytes
a = np.load("$tmp/two.npy").reshape(T, 1, 512)
m = {"name": "states", "axes": ["time", "batch", "unit"],
     "attrs": {"layout": {"shape": [2, 16, 16], "axes": ["channel", "row", "col"],
                          "periodic": [False, False, False]}}}
open("$tmp/laid.npy", "wb").write(save_bytes([(json.dumps(m).encode(), a)]))
EOF
ok "dk-wave --method phase reads the layout" dk-wave --method phase -o "$tmp/s_laid.npy" "$tmp/laid.npy"
pycheck "the layout: the same two sheets, open, by the phase method" <<EOF
R = load("$tmp/s_laid.npy")
assert R["wave/speed"].shape == (1, 2), R["wave/speed"].shape
assert np.allclose(R["wave/speed"][0], [0.4, 0.7], rtol=0.02), R["wave/speed"]
assert angle_error(R["wave/direction"][0, 0], 10) < 2 and angle_error(R["wave/direction"][0, 1], 200) < 2, R["wave/direction"]
assert meta("$tmp/s_laid.npy")["wave/speed"]["attrs"]["wave"]["periodic"] is False
EOF

# A spiral turning clockwise in (col, row) about (9.6, 14.3), in a
# (time, batch, row, col) array of two sequences: its crests at theta =
# -2 pi (f t - r / 7) + const turn toward decreasing theta.
pycheck "NumPy writes a clockwise spiral, (time, batch 2, row, col)" <<EOF
t, i, j = np.arange(T)[:, None, None], np.arange(20)[None, :, None], np.arange(24)[None, None, :]
a = np.cos(2 * np.pi * 0.09 * t + np.arctan2(i - 9.6, j - 14.3) - 2 * np.pi * np.hypot(i - 9.6, j - 14.3) / 7)
np.save("$tmp/spiral.npy", np.stack([a, np.roll(a, 5, axis=0)], axis=1))
EOF
ok "dk-wave --open on the spiral" dk-wave --open -o "$tmp/s_spiral.npy" "$tmp/spiral.npy"
pycheck "the spiral: pattern 3, sense -1, centre within 1.5 units of (9.6, 14.3)" <<EOF
R = load("$tmp/s_spiral.npy")
assert R["wave/pattern"].shape == (2, 1) and (R["wave/pattern"] == 3).all(), R["wave/pattern"]
assert (R["wave/sense"] == -1).all(), R["wave/sense"]
assert np.hypot(R["wave/centre"][..., 0] - 9.6, R["wave/centre"][..., 1] - 14.3).max() < 1.5, R["wave/centre"]
EOF

fails_with 2 "--rings with --sheet" dk-wave --rings 2 --sheet 16,16 "$tmp/two.npy"
fails_with 2 "--sheet 2,16" dk-wave --sheet 2,16 "$tmp/two.npy"
fails_with 2 "--sheet 16" dk-wave --sheet 16 "$tmp/two.npy"
fails_with 1 "--sheet 5,5 on 512 units" dk-wave --sheet 5,5 "$tmp/two.npy"
grep -q "arr_0: sheets of 5 x 5 units do not divide its 512 units" "$tmp/.err"; tap_result $? "... and says so"
"$PY" -c "import numpy as np; np.save('$tmp/thin.npy', np.ones((20, 2, 16)))"
fails_with 1 "a bare (time, 2, 16) array: a sheet of 2 rows" dk-wave "$tmp/thin.npy"
grep -q "arr_0: sheets of 2 x 16 units; at least 3 rows" "$tmp/.err"; tap_result $? "... and says so"

done_testing
