"""wave_numpy.py -- dk-wave's two methods on one ring in NumPy, for
bench/wave_vs_numpy.sh to time side by side.

spectral: each unit's temporal mean removed, a Hann window along time,
zero-padding to twice the steps, the 2-D FFT, the largest power at 0 < f <
1/2 (on the grid: no refinement, which dk-wave adds), the speed -f/k,
forward against backward power, and the diagonal power against a
time-shuffled surrogate (a second FFT).  phase: the analytic signal of
every unit (all frequencies kept, as dk-wave --band 0), the cells'
instantaneous frequency and phase gradient from products of neighbours,
and their amplitude-weighted medians.  On a sheet (FILE holding (T, H,
W), a torus): spectral, the 3-D FFT's peak on the grid, its speed f/|k|
and direction, ahead against behind power and the power on the speed-1
cone against a shuffled surrogate's; phase, each cell's (2 x 2 units)
frequency and gradient summed over the steps, and the weighted median of
their speeds (no windings, which dk-wave adds for the pattern).

Usage: wave_numpy.py FILE.npy spectral|phase [REPEATS]; FILE holds (T, n)
or (T, H, W).
Prints the best wall and CPU (process) time of the analysis alone
(loading excluded) and the speed.
"""
import sys
import time

import numpy as np


def spectral(a, speed=1.0, seed=1):
    T, n = a.shape
    a = a - a.mean(0)
    w = np.sin(np.pi * (np.arange(T) + 0.5) / T) ** 2
    Tp = 2 * T
    X = np.fft.fft2(a * w[:, None], s=(Tp, n))
    P = np.abs(X) ** 2
    f = np.fft.fftfreq(Tp)
    k = np.fft.fftfreq(n)
    band = (f > 0) & (f < 0.5)
    Pb = P[band]
    i, j = np.unravel_index(np.argmax(Pb), Pb.shape)
    fd, kd = f[band][i], k[j]
    sp = -fd / kd if kd != 0 else np.nan
    fwd = Pb[:, k < 0].sum()
    bwd = Pb[:, (k > 0) & (k < 0.5)].sum()
    trav = (fwd - bwd) / (fwd + bwd)
    ht = 2 / T
    F, Kk = np.meshgrid(f[band], k, indexing="ij")
    line = (np.abs(F - speed * np.abs(Kk)) <= ht) & (Kk != 0)
    D = Pb[line].sum() / Pb.sum()
    perm = np.random.default_rng(seed).permutation(T)
    Xs = np.abs(np.fft.fft2((a * w[:, None])[perm], s=(Tp, n))) ** 2
    Ds = Xs[band][line].sum() / Xs[band].sum()
    return sp, trav, D / Ds


def phase(a):
    T, n = a.shape
    a = a - a.mean(0)
    X = np.fft.fft(a, axis=0)
    h = np.zeros(T)
    h[0] = 1
    if T % 2 == 0:
        h[T // 2] = 1
        h[1:T // 2] = 2
    else:
        h[1:(T + 1) // 2] = 2
    z = np.fft.ifft(X * h[:, None], axis=0)
    zj = np.roll(z, -1, axis=1)
    om = np.angle(z[1:] * z[:-1].conj() + zj[1:] * zj[:-1].conj()) / (2 * np.pi)
    ka = np.angle(zj[:-1] * z[:-1].conj() + zj[1:] * z[1:].conj()) / (2 * np.pi)
    w = (abs(z[:-1]) + abs(z[1:]) + abs(zj[:-1]) + abs(zj[1:])) / 4
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (-om / ka).ravel()
    w = w.ravel()
    keep = ~np.isnan(v)
    v, w = v[keep], w[keep]
    o = np.argsort(v, kind="stable")
    c = (np.cumsum(w[o]) - w[o] / 2) / w.sum()
    return np.interp(0.5, c, v[o])


def spectral_sheet(a, speed=1.0, seed=1):
    T, H, W = a.shape
    a = a - a.mean(0)
    w = np.sin(np.pi * (np.arange(T) + 0.5) / T) ** 2
    aw = a * w[:, None, None]

    def power(x):
        X = np.fft.rfft(x, n=2 * T, axis=0)
        return np.abs(np.fft.fft2(X, axes=(1, 2))) ** 2

    P = power(aw)
    f = np.arange(T + 1) / (2 * T)
    band = (f > 0) & (f < 0.5)
    ky, kx = np.fft.fftfreq(H)[:, None], np.fft.fftfreq(W)[None, :]
    ok = (ky != -0.5) & (kx != -0.5)
    Pb = P[band] * ok[None]
    l, i, j = np.unravel_index(np.argmax(Pb), Pb.shape)
    fd, kyd, kxd = f[band][l], ky[i, 0], kx[0, j]
    k = np.hypot(kxd, kyd)
    sp = fd / k if k > 0 else np.nan
    direction = np.degrees(np.arctan2(-kyd, -kxd)) % 360
    d = -(kx * -kxd + ky * -kyd) / k if k > 0 else np.zeros((H, W))
    ahead, behind = Pb[:, d > 0].sum(), Pb[:, d < 0].sum()
    trav = (ahead - behind) / (ahead + behind)
    K = np.hypot(kx, ky)
    cone = (np.abs(f[band][:, None, None] - speed * K[None]) <= 2 / T) & (K[None] > 0)
    D = Pb[cone].sum() / Pb.sum()
    perm = np.random.default_rng(seed).permutation(T)
    Ps = power(aw[perm])[band] * ok[None]
    Ds = Ps[cone].sum() / Ps.sum()
    return sp, direction, trav, D / Ds


def phase_sheet(a):
    T, H, W = a.shape
    a = a - a.mean(0)
    X = np.fft.fft(a, axis=0)
    h = np.zeros(T)
    h[0] = 1
    if T % 2 == 0:
        h[T // 2] = 1
        h[1:T // 2] = 2
    else:
        h[1:(T + 1) // 2] = 2
    z = np.fft.ifft(X * h[:, None, None], axis=0)
    # each unit's sums over the steps, then each cell's (a torus: the
    # cell (i, j) of units (i, j), (i, j+1), (i+1, j), (i+1, j+1))
    zt = (z[1:] * z[:-1].conj()).sum(0)
    ex = (np.roll(z, -1, axis=2) * z.conj()).sum(0)
    ey = (np.roll(z, -1, axis=1) * z.conj()).sum(0)
    amp = np.abs(z).mean(0)

    def cell(u):
        return u + np.roll(u, -1, 1) + np.roll(u, -1, 0) + np.roll(np.roll(u, -1, 0), -1, 1)

    om = np.angle(cell(zt)) / (2 * np.pi)
    gx = np.angle(ex + np.roll(ex, -1, 0)) / (2 * np.pi)
    gy = np.angle(ey + np.roll(ey, -1, 1)) / (2 * np.pi)
    w = (cell(amp) / 4).ravel()
    v = (np.abs(om) / np.hypot(gx, gy)).ravel()
    o = np.argsort(v, kind="stable")
    c = (np.cumsum(w[o]) - w[o] / 2) / w.sum()
    return np.interp(0.5, c, v[o])


def main():
    a = np.load(sys.argv[1])
    method = sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    best = cpu = np.inf
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        if a.ndim == 3:
            out = spectral_sheet(a) if method == "spectral" else phase_sheet(a)
        else:
            out = spectral(a) if method == "spectral" else phase(a)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    sp = out[0] if method == "spectral" else out
    print("time %.6f\ncpu %.6f\nspeed %.6g" % (best, cpu, sp))


if __name__ == "__main__":
    main()
