#!/bin/sh
# wave_spectrum.sh -- dk-wave --spectrum: the k-omega power spectrum it
# writes for rings and sheets, open and periodic, against NumPy's FFT of
# the same centred, windowed, zero-padded raster; the axes' values; the
# written spectrum's peak where wave/speed (and on sheets wave/direction)
# say it is; the refusals.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta

def hann(n):
    return np.sin(np.pi * (np.arange(n) + 0.5) / n) ** 2

def kaxis(n):
    # the wavenumbers of n bins in (-1/2, 1/2], in increasing order
    j = np.arange(n)
    return np.sort(np.where(2 * j <= n, j, j - n) / n)

def increasing(P, ax):
    # bins of axis ax from FFT order to increasing wavenumber
    n = P.shape[ax]
    return np.take(P, [(i + n // 2 + 1) % n for i in range(n)], axis=ax)

def reference(a, open_, pad=2, window=True):
    # a (T, *space): each unit's mean removed, windowed along time and,
    # open, along space, padded; |X|^2 for f = 0 .. 1/2, (*space, f),
    # every wavenumber axis in increasing order
    a = a - a.mean(0)
    if window:
        for ax in range(a.ndim) if open_ else (0,):
            shape = [1] * a.ndim
            shape[ax] = a.shape[ax]
            a = a * hann(a.shape[ax]).reshape(shape)
    T = a.shape[0]
    Tp = pad * T + (pad * T) % 2
    space = [pad * n if open_ else n for n in a.shape[1:]]
    P = np.abs(np.fft.fftn(a, s=[Tp] + space)[: Tp // 2 + 1]) ** 2
    P = np.moveaxis(P, 0, -1)
    for ax in range(P.ndim - 1):
        P = increasing(P, ax)
    return P
EOF

# Rings: two sequences of two rings of 12 units, 40 steps: a wave of
# speed 0.5 units per step toward increasing index on the FFT's bins (k0
# = 3/12 cycles per unit, f0 = 10/80 cycles per step at pad 2), a weaker
# wave and noise so that every bin has power to compare.
pycheck "NumPy writes rings: a wave at 0.5 units per step with noise" <<EOF
rng = np.random.default_rng(3)
t, i = np.arange(40)[:, None, None], np.arange(12)[None, None, :]
a = np.cos(2 * np.pi * (3 / 12 * i - 10 / 80 * t)) + 0.3 * np.cos(2 * np.pi * (i / 12 + 0.2 * t))
a = np.concatenate([a, a], axis=2) + 0.1 * rng.standard_normal((40, 2, 24))
np.save("$tmp/rings.npy", a)
EOF
ok "dk-wave --rings 2 --spectrum" dk-wave --rings 2 --spectrum -o "$tmp/rw.npy" "$tmp/rings.npy"
ok "dk-wave --rings 2 --spectrum --open --pad 3 --window none" \
	dk-wave --rings 2 --spectrum --open --pad 3 --window none -o "$tmp/rwo.npy" "$tmp/rings.npy"
# Two FFTs of the same numbers in another order of operations: their
# rounding is about 1e-15 of the largest power; 1e-10 of it leaves room
# and still catches any wrong bin, window or padding (those move powers
# by a sizeable fraction of the peak's).
pycheck "rings: wave/spectrum is NumPy's FFT of the windowed, padded raster within 1e-10 of its peak (periodic pad 2 hann; open pad 3 no window)" <<EOF
a = np.load("$tmp/rings.npy")
for path, open_, pad, win in (("$tmp/rw.npy", False, 2, True), ("$tmp/rwo.npy", True, 3, False)):
    R, M = load(path), meta(path)
    P = R["wave/spectrum"]
    n = 12 * pad if open_ else 12
    Tp = pad * 40
    assert P.shape == (2, 2, n, Tp // 2 + 1), P.shape
    assert M["wave/spectrum"]["axes"] == ["batch", "ring", "wavenumber", "frequency"]
    w = M["wave/spectrum"]["attrs"]["wave"]
    assert w["pad"] == pad and w["periodic"] == (not open_) and w["window"] == ("hann" if win else "none"), w
    assert np.abs(R["wave/wavenumber"] - kaxis(n)).max() < 1e-15, R["wave/wavenumber"]
    assert np.abs(R["wave/spectrum_frequency"] - np.arange(Tp // 2 + 1) / Tp).max() < 1e-15
    for b in range(2):
        for c in range(2):
            Q = reference(a[:, b, 12 * c: 12 * c + 12], open_, pad, win)
            err = np.abs(P[b, c] - Q).max() / Q.max()
            assert err < 1e-10, (path, b, c, err)
EOF
# The peak of the written spectrum, away from f = 0 and 1/2, is the bin
# of the wave on the grid, (-3/12, 10/80): its -f/k is the wave's speed
# 0.5.  wave/speed is refined off the grid from that bin, and the noise
# and the other wave's leakage move it by a small fraction of a bin
# (about 0.1% here); 1% still tells the bin apart from its neighbours,
# whose speeds differ by 10% (f one bin off) or 33% (k one bin off).
pycheck "rings: the written spectrum's peak is at (-1/4, 1/8), where wave/speed = 0.5 says within 1%" <<EOF
R = load("$tmp/rw.npy")
k, f, P = R["wave/wavenumber"], R["wave/spectrum_frequency"], R["wave/spectrum"]
for b in range(2):
    for c in range(2):
        q = P[b, c][:, 1:-1]
        j, l = np.unravel_index(np.argmax(q), q.shape)
        kp, fp = k[j], f[l + 1]
        assert abs(kp + 0.25) < 1e-12 and abs(fp - 0.125) < 1e-12, (kp, fp)
        v = R["wave/speed"][b, c]
        assert abs(-fp / kp / v - 1) < 0.01, (-fp / kp, v)
EOF

# Sheets: two sequences of one 6 x 8 sheet, 24 steps, a plane wave
# along k = (2/8, 1/6) cycles per unit (col, row), f = 6/48 cycles per
# step (bins at pad 2), noise.
pycheck "NumPy writes sheets: a plane wave with noise" <<EOF
rng = np.random.default_rng(4)
t = np.arange(24)[:, None, None, None]
i, j = np.arange(6)[None, None, :, None], np.arange(8)[None, None, None, :]
a = np.cos(2 * np.pi * (j * 2 / 8 + i / 6 - 6 / 48 * t)) + 0.1 * rng.standard_normal((24, 2, 6, 8))
np.save("$tmp/sheets.npy", a)
EOF
ok "dk-wave --spectrum on sheets" dk-wave --spectrum -o "$tmp/sw.npy" "$tmp/sheets.npy"
ok "dk-wave --spectrum --open on sheets" dk-wave --spectrum --open -o "$tmp/swo.npy" "$tmp/sheets.npy"
pycheck "sheets: wave/spectrum (2, 1, 6, 8, 25), open (2, 1, 12, 16, 25), is NumPy's fftn within 1e-10 of the peak" <<EOF
a = np.load("$tmp/sheets.npy")
for path, open_ in (("$tmp/sw.npy", False), ("$tmp/swo.npy", True)):
    R, M = load(path), meta(path)
    P = R["wave/spectrum"]
    H, W = (12, 16) if open_ else (6, 8)
    assert P.shape == (2, 1, H, W, 25), P.shape
    assert M["wave/spectrum"]["axes"] == ["batch", "channel", "row_wavenumber", "col_wavenumber", "frequency"]
    assert M["wave/spectrum"]["attrs"]["wave"]["rows"] == 6
    assert np.abs(R["wave/row_wavenumber"] - kaxis(H)).max() < 1e-15
    assert np.abs(R["wave/col_wavenumber"] - kaxis(W)).max() < 1e-15
    assert "wave/wavenumber" not in R
    for b in range(2):
        Q = reference(a[:, b], open_)
        err = np.abs(P[b, 0] - Q).max() / Q.max()
        assert err < 1e-10, (path, b, err)
EOF
# The wave's power is at -k: speed f / |k| and direction atan2(1/6, 2/8)
# = 33.69 degrees, which wave/speed and wave/direction, refined from that
# bin, find within 1% and 1 degree (the noise moves them by about 0.2%
# and 0.2 degrees; a neighbouring bin is 8% off in speed or 7 degrees in
# direction at least).
pycheck "sheets: the written spectrum's peak is at -k, where wave/speed and wave/direction say within 1% and 1 degree" <<EOF
R = load("$tmp/sw.npy")
ky, kx, f, P = R["wave/row_wavenumber"], R["wave/col_wavenumber"], R["wave/spectrum_frequency"], R["wave/spectrum"]
for b in range(2):
    q = P[b, 0][:, :, 1:-1]
    iy, ix, l = np.unravel_index(np.argmax(q), q.shape)
    gy, gx, fp = ky[iy], kx[ix], f[l + 1]
    assert abs(gy + 1 / 6) < 1e-12 and abs(gx + 0.25) < 1e-12 and abs(fp - 0.125) < 1e-12, (gy, gx, fp)
    speed = fp / np.hypot(gx, gy)
    deg = np.degrees(np.arctan2(-gy, -gx)) % 360
    assert abs(R["wave/speed"][b, 0] / speed - 1) < 0.01, (R["wave/speed"], speed)
    assert abs(R["wave/direction"][b, 0] - deg) < 1, (R["wave/direction"], deg)
EOF

ok "without --spectrum" dk-wave -o "$tmp/none.npy" "$tmp/sheets.npy"
pycheck "without --spectrum: no wave/spectrum" <<EOF
assert "wave/spectrum" not in load("$tmp/none.npy")
EOF
fails_with 2 "--spectrum with --method phase is a usage error" \
	dk-wave --spectrum --method phase "$tmp/sheets.npy"
fails_with 2 "--spectrum with --window-steps is a usage error" \
	dk-wave --rings 2 --spectrum --window-steps 16 "$tmp/rings.npy"

done_testing
