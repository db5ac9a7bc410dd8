#!/bin/sh
# dmft_lowrank.sh -- dk-dmft lowrank against the mean-field equations
# written again here, independently, in NumPy and SciPy: the stationary
# ones by SciPy's adaptive quadrature (quad) and fsolve, the chaotic ones
# for phi = erf with the inner Gaussian averages in closed form and quad
# over the outer; g = 0 against erf's closed forms; the pitchfork of rank
# one with overlap at its exact threshold; the chaotic branch of kappa = 0
# against scs's Delta0; simulated networks against the theory; the
# refusals.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
"$PY" -c 'import scipy' 2>/dev/null || skip_all "no SciPy (python3-scipy)"
py_start

cat >"$tmp/common.py" <<'EOF2'
import os, sys
import numpy as np
from scipy import integrate, optimize, special
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta

K = np.sqrt(np.pi) / 2
PHI = {
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2,
             lambda x: np.logaddexp(x, -x) - np.log(2)),
    "erf": (lambda x: special.erf(K * x), lambda x: np.exp(-K * K * x * x),
            lambda x: x * special.erf(K * x)
            + 2 / np.pi * (np.exp(-K * K * x * x) - 1)),
}

def gauss(f, m, v):
    """<f(m + sqrt(v) z)> by adaptive quadrature over z"""
    s = np.sqrt(max(v, 0.0))
    return integrate.quad(lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
                          * f(m + s * z), -12, 12, epsabs=1e-15,
                          epsrel=1e-13, limit=400)[0]

class Model:
    """means and covariance in the order m^1..m^R, n^1..n^R, I"""
    def __init__(s, R, g, M, C, phi):
        s.R, s.g, s.M, s.C = R, g, np.asarray(M, float), np.asarray(C, float)
        s.f, s.df, s.F = PHI[phi]
    def structure(s, k):
        R, M, C = s.R, s.M, s.C
        k = np.asarray(k, float)
        mu = M[:R] @ k + M[2 * R]
        # the variance of sum_r m^r kappa_r + I, and Cov(n^r, x), Cov(m^r, x)
        a = np.concatenate([k, np.zeros(R), [1.0]])
        S = a @ C @ a
        cov_x = C @ a
        return mu, S, cov_x[R:2 * R], cov_x[:R]
    def kappa_eq(s, k, d0):
        """<n^r phi(x)> by conditioning n on x: E[n | x] = M_n + c_n (x -
        mu) / d0 (no Stein's lemma)"""
        mu, S, cn, cm = s.structure(k)
        Mn = s.M[s.R:2 * s.R]
        out = []
        for r in range(s.R):
            en = lambda x: (Mn[r] + (cn[r] * (x - mu) / d0 if d0 > 0 else 0)) * s.f(x)
            out.append(gauss(en, mu, d0))
        return np.array(out)
    def stationary(s, u):
        k, d0 = u[:s.R], u[s.R]
        mu, S, cn, cm = s.structure(k)
        return np.concatenate([k - s.kappa_eq(k, d0),
                               [d0 - s.g ** 2 * gauss(lambda x: s.f(x) ** 2, mu, d0) - S]])
    def outliers(s, k, d0):
        """eigenvalues of <n^r phi'(x) m^s>, E[n m | x] from the Gaussian
        conditioning, averaged over x by quad"""
        mu, S, cn, cm = s.structure(k)
        R, M, C = s.R, s.M, s.C
        A = np.zeros((R, R))
        for r in range(R):
            for t in range(R):
                def e(x, r=r, t=t):
                    y = (x - mu) / d0 if d0 > 0 else 0
                    cc = C[R + r, t] - (cn[r] * cm[t] / d0 if d0 > 0 else 0)
                    return ((M[R + r] + cn[r] * y) * (M[t] + cm[t] * y) + cc) * s.df(x)
                A[r, t] = gauss(e, mu, d0)
        ev = np.linalg.eigvals(A)
        return ev[np.argsort(-ev.real)], A

def erf_inner(u, b2):
    """int Dy of phi = erf(K x) and of its primitive Phi, x = u + b y,
    Var = b2, in closed form (Stein's lemma for x erf(K x))"""
    q = 1 + 2 * K * K * b2
    p = special.erf(K * u / np.sqrt(q))
    e = np.exp(-K * K * u * u / q) / np.sqrt(q)          # <exp(-K^2 x^2)>
    P = u * p + b2 * 2 * K / np.sqrt(np.pi) * e + 2 / np.pi * (e - 1)
    return p, P

def erf_chaotic(m, u):
    """the chaotic equations for phi = erf: unknowns kappa, Delta_inf, Delta0"""
    R = m.R
    k, dinf, d0 = u[:R], u[R], u[R + 1]
    mu, S, cn, cm = m.structure(k)
    b2 = d0 - dinf
    q = gauss(lambda x: erf_inner(x, b2)[0] ** 2, mu, dinf)
    Fi = gauss(lambda x: erf_inner(x, b2)[1] ** 2, mu, dinf)
    F0 = gauss(lambda x: m.F(x) ** 2, mu, d0)
    return np.concatenate([k - m.kappa_eq(k, d0), [dinf - S - m.g ** 2 * q,
        (d0 * d0 - dinf * dinf) / 2 - m.g ** 2 * (F0 - Fi) - S * (d0 - dinf)]])
EOF2

# (a) Stationary branches, rank one and two with overlaps and an input,
# tanh and erf.  Each branch of dk-dmft is a root of the equations
# written here (quad to 1e-13, so a residual below 1e-10 is rounding),
# fsolve from it stays within 1e-9 of it, fsolve from a grid of starts of
# its own finds no branch that dk-dmft missed, and the outliers agree to
# 1e-9 (both from converged solutions: their difference is the
# quadratures' and the solutions', well below).
i=0
while read -r phi g rank mean cov; do
	i=$((i + 1))
	ok "lowrank --phi $phi --gain $g --rank $rank" dk-dmft lowrank --phi "$phi" \
		--gain "$g" --rank "$rank" --mean "$mean" --cov "$cov" -o "$tmp/a$i.npy"
	pycheck "stationary branches ($phi, g $g, rank $rank): roots, complete, outliers (1e-9)" <<EOF2
import itertools
R, g = $rank, $g
M = np.array([$mean], float)
tri = [$cov]
D = 2 * R + 1
C = np.zeros((D, D))
C[np.tril_indices(D)] = tri
C = C + C.T - np.diag(np.diag(C))
m = Model(R, g, M, C, "$phi")
out = load("$tmp/a$i.npy")
st = out["dmft/state"]
stat = np.flatnonzero(st < 2)
assert len(stat) >= 1, st
found = []
for b in stat:
    u = np.concatenate([out["dmft/kappa"][b], [out["dmft/delta0"][b]]])
    res = np.abs(m.stationary(u)).max()
    assert res < 1e-10, (b, res)
    v = optimize.fsolve(m.stationary, u, xtol=1e-13)
    assert np.abs(v - u).max() < 1e-9, (u, v)
    assert out["dmft/delta_inf"][b] == out["dmft/delta0"][b]
    ev, A = m.outliers(u[:R], u[R])
    assert np.abs(out["dmft/outliers"][b] - ev).max() < 1e-9, (out["dmft/outliers"][b], ev)
    mu = m.structure(u[:R])[0]
    assert abs(out["dmft/mu"][b] - mu) < 1e-12
    r = g * np.sqrt(gauss(lambda x: m.df(x) ** 2, mu, u[R]))
    assert abs(out["dmft/bulk_radius"][b] - r) < 1e-10
    stable = r < 1 and ev.real.max() < 1
    assert st[b] == (0 if stable else 1), (st[b], r, ev)
    found.append(u)
Kb = np.sqrt(M[R:2 * R] ** 2 + np.diag(C)[R:2 * R])
for start in itertools.product(*[np.linspace(-1, 1, 4) * kb for kb in Kb]):
    x0 = np.concatenate([start, [g * g + 1]])
    v, info, ier, msg = optimize.fsolve(m.stationary, x0, xtol=1e-13, full_output=1)
    if ier != 1 or np.abs(m.stationary(v)).max() > 1e-10 or v[R] < 0:
        continue
    d = min(np.abs(v - u).max() for u in found)
    assert d < 1e-7, ("missed", v)
EOF2
done <<EOF
tanh 0.5 1 1,2,0 1,0.3,1,0,0,0
erf 0.8 1 0.5,1.5,0.2 1,0.8,2,0.1,0.2,0.25
tanh 0.3 2 1,0.5,1.5,-1,0.1 1,0.2,1,0.6,0,1,0,0.5,0.1,1,0,0,0,0,0
erf 0 2 0,0,0,0,0 1,0,1,1.6,0,4,0,1.3,0,4,0,0,0,0,0
EOF

# (b) g = 0, rank one, erf: the equations in closed form, <erf(K x)> =
# erf(K mu / sqrt(1 + 2 K^2 D)), <phi'> = exp(-K^2 mu^2 / (1 + 2 K^2 D)) /
# sqrt(1 + 2 K^2 D), D = sigma_m^2 kappa^2 (no disorder, no input
# variance): every branch solves them to 1e-12 (the trapezoidal rule's
# error is below 1e-13 here, gauss.h).
ok "lowrank g = 0, erf" dk-dmft lowrank --phi erf --gain 0 --mm 1.5 --mn 1.2 \
	--sm 0.8 --sn 1 --overlap 0.5 -o "$tmp/b.npy"
pycheck "g = 0: kappa and Delta0 solve erf's closed forms (1e-12)" <<EOF2
out = load("$tmp/b.npy")
Mm, Mn, sm, snm = 1.5, 1.2, 0.8, 0.5
k = out["dmft/kappa"][:, 0]
assert len(k) == 3 and (out["dmft/state"] < 2).all(), out["dmft/state"]
for kk, d0 in zip(k, out["dmft/delta0"]):
    mu, D = Mm * kk, sm * sm * kk * kk
    q = 1 + 2 * K * K * D
    p, dp = special.erf(K * mu / np.sqrt(q)), np.exp(-K * K * mu * mu / q) / np.sqrt(q)
    assert abs(kk - (Mn * p + snm * kk * dp)) < 1e-12, (kk, Mn * p + snm * kk * dp)
    assert abs(d0 - D) < 1e-12
EOF2

# (c) The pitchfork of rank one with overlap: M_m = M_n = 0, Cov(n, m) =
# rho.  At g = 0, D = sigma_m^2 kappa^2 and kappa = rho kappa <phi'>, so
# kappa != 0 needs rho <phi'(sqrt(D) z)> = 1: with erf, <phi'> = 1 /
# sqrt(1 + pi D / 2), so the branches appear at rho = 1 exactly, with
# kappa^2 = 2 (rho^2 - 1) / (pi sigma_m^2) above.  Below, kappa = 0 alone
# and stable (its outlier rho < 1); above, kappa = 0 unstable (outlier
# rho) and the pair stable.
for rho in 0.98 1.02 1.5; do
	ok "lowrank pitchfork rho $rho" dk-dmft lowrank --phi erf --gain 0 --mm 0 \
		--mn 0 --sm 0.8 --sn 2 --overlap $rho -o "$tmp/c$rho.npy"
	pycheck "pitchfork at rho = 1: rho $rho, branches and kappa^2 = 2 (rho^2 - 1) / (pi sm^2) (1e-12)" <<EOF2
out = load("$tmp/c$rho.npy")
rho, sm = $rho, 0.8
k, st, ev = out["dmft/kappa"][:, 0], out["dmft/state"], out["dmft/outliers"][:, 0]
if rho < 1:
    assert len(k) == 1 and k[0] == 0 and st[0] == 0 and abs(ev[0] - rho) < 1e-12, (k, st, ev)
else:
    assert len(k) == 3, k
    assert k[1] == 0 and st[1] == 1 and abs(ev[1] - rho) < 1e-12, (k, st, ev)
    exact = np.sqrt(2 * (rho * rho - 1) / (np.pi * sm * sm))
    assert abs(k[2] - exact) < 1e-12 and abs(k[0] + exact) < 1e-12, (k, exact)
    assert st[0] == 0 and st[2] == 0 and ev[2].real < 1, (st, ev)
EOF2
done

# (a, chaotic) phi = erf: the chaotic branches solve the chaotic
# equations written above (inner averages in closed form, outer by quad to
# 1e-13: a residual below 1e-10 is rounding); fsolve from each stays
# within 1e-9.  The first has its chaotic branch at kappa = 0; the second,
# with an input (M_I, its variance and overlaps), at kappa = 0.19, mu and
# S nonzero and Delta_inf = 1.73 between 0 and Delta0 = 2.60.  The third
# and fourth are of rank two, g = 2 and 2.5, with overlaps between the
# two pairs, a mean input and (the fourth) its variance: their chaotic
# branches (kappa = (0.28, -0.17), Delta_inf = 1.13, Delta0 = 2.33 at g =
# 2) against the same equations with R = 2, and fsolve from a grid of
# kappa starts of its own finds no chaotic branch that dk-dmft missed.
while read -r g mean cov; do
	ok "lowrank chaotic, erf, g $g, mean $mean" dk-dmft lowrank --phi erf \
		--gain $g --rank $(( ($(echo "$mean" | tr ',' '\n' | wc -l) - 1) / 2 )) \
		--mean $mean --cov $cov -o "$tmp/ch.npy"
	pycheck "chaotic branches (erf, g $g, mean $mean): roots of the energy condition, Delta_inf (1e-9)" <<EOF2
import itertools
out = load("$tmp/ch.npy")
M = np.array([$mean], float)
R = (len(M) - 1) // 2
C = np.zeros((2 * R + 1, 2 * R + 1))
C[np.tril_indices(2 * R + 1)] = [$cov]
C = C + C.T - np.diag(np.diag(C))
m = Model(R, $g, M, C, "erf")
ch = np.flatnonzero(out["dmft/state"] == 2)
assert len(ch) >= 1, out["dmft/state"]
for b in ch:
    u = np.array([*out["dmft/kappa"][b], out["dmft/delta_inf"][b], out["dmft/delta0"][b]])
    assert u[R + 1] - u[R] > 1e-3, u
    res = np.abs(erf_chaotic(m, u)).max()
    assert res < 1e-10, (u, res)
    v = optimize.fsolve(lambda x: erf_chaotic(m, x), u, xtol=1e-13)
    assert np.abs(v - u).max() < 1e-9, (u, v)
if R == 2:
    # the search for missed branches with the outer averages by
    # Gauss-Hermite of 80 nodes (the integrands are entire: about 1e-14,
    # and 50 times cheaper than quad), its roots then held to 1e-6
    from numpy.polynomial.hermite_e import hermegauss
    X, W = hermegauss(80)
    W = W / np.sqrt(2 * np.pi)
    gauss = lambda f, m, v: W @ f(m + np.sqrt(max(v, 0.0)) * X)
    found = [np.array([*out["dmft/kappa"][b], out["dmft/delta_inf"][b], out["dmft/delta0"][b]]) for b in ch]
    Kb = np.sqrt(M[R:2 * R] ** 2 + np.diag(C)[R:2 * R])
    hits = 0
    for start in itertools.product(*[np.linspace(-1, 1, 3) * kb for kb in Kb]):
        mu, S, cn, cm = m.structure(start)
        x0 = np.array([*start, S + 0.5, S + 2.0])
        v, info, ier, msg = optimize.fsolve(lambda x: erf_chaotic(m, x), x0, xtol=1e-12, full_output=1)
        if ier != 1 or np.abs(erf_chaotic(m, v)).max() > 1e-9 or not (v[R + 1] - v[R] > 1e-3 * v[R + 1]) or v[R] < 0:
            continue
        assert min(np.abs(v - u).max() for u in found) < 1e-6, ("missed", v)
        hits += 1
    assert hits >= 1, hits   # the search does reach the branches
EOF2
done <<EOF
2 1,1.5,0 1,0.3,1,0,0,0
2 0.5,1,0.2 0.5,0.2,1,0.1,0.1,0.2
2 1,0.5,1.5,-1,0.1 1,0.2,1,0.6,0,1,0,0.5,0.1,1,0,0,0,0,0
2.5 1,0.5,1.5,-1,0.1 1,0.2,1,0.6,0,1,0,0.5,0.1,1,0,0,0,0,0.3
EOF

# kappa = 0 without input is the random network: its chaotic Delta0 is
# scs's (Brent on the energy condition there, another code path), to
# 1e-10 (both solved to 1e-12 or better), and Delta_inf = 0.
ok "lowrank g = 2, tanh" dk-dmft lowrank --gain 2 -o "$tmp/t2.npy"
ok "scs g = 2" dk-dmft scs --gain 2 --tau-max 1 -o "$tmp/scs.npy"
pycheck "kappa = 0 chaotic: Delta0 = scs's (1e-10), Delta_inf = 0" <<EOF2
out, scs = load("$tmp/t2.npy"), load("$tmp/scs.npy")
ch = np.flatnonzero(out["dmft/state"] == 2)
assert len(ch) == 1 and out["dmft/kappa"][ch[0], 0] == 0, out["dmft/kappa"]
assert abs(out["dmft/delta0"][ch[0]] - scs["dmft/delta0"]) < 1e-10
assert abs(out["dmft/delta_inf"][ch[0]]) < 1e-12
EOF2

# (d) Simulated networks of N = 2000 beside the theory.  Stationary (g =
# 0.5, the default structure): six networks each at N = 500, 1000 and
# 4000 spread in kappa by 0.081, 0.060 and 0.035, about 2 / sqrt(N), and
# in Delta0 by about 4 / sqrt(N), with means within that spread of the
# theory; so at N = 2000 each network's kappa is held to 0.2 and Delta0
# to 0.4 (about 4.5 of those spreads), and the mean of four networks'
# kappa error to 0.09 (4 spreads of a mean of four).  A stationary
# network's units hold still: Delta_inf within 2% of Delta0 (the
# transient's residual is below 0.2% at N = 4000).  Each network lands
# on one of the two stable branches +-kappa.
ok "lowrank --simulate 2000, stationary" dk-dmft lowrank --simulate 2000 \
	--seeds 4 --transient 150 --steps 20 -o "$tmp/sim.npy"
pycheck "stationary: kappa within 0.2 (mean of 4 within 0.09), Delta0 within 0.4, Delta_inf = Delta0 within 2%" <<EOF2
out = load("$tmp/sim.npy")
b = out["sim/branch"]
assert b.shape == (4,) and (out["dmft/state"][b] == 0).all(), (b, out["dmft/state"])
dk = out["sim/kappa"][:, 0] - out["dmft/kappa"][b, 0]
assert np.abs(dk).max() < 0.2 and abs(dk.mean()) < 0.09, dk
assert np.abs(out["sim/delta0"] - out["dmft/delta0"][b]).max() < 0.4, out["sim/delta0"]
assert np.abs(out["sim/delta_inf"] / out["sim/delta0"] - 1).max() < 0.02
assert np.abs(out["sim/mu"] - out["sim/kappa"][:, 0]).max() < 0.3  # mu = M_m kappa, M_m = 1
# the discrepancy in the attrs is the mean and sd of these differences
# (the same numbers summed in another order: 1e-12)
d = meta("$tmp/sim.npy")["sim/kappa"]["attrs"]["sim"]["discrepancy"]
assert abs(d["kappa"][0]["mean"] - dk.mean()) < 1e-12, (d, dk)
assert abs(d["kappa"][0]["sd"] - dk.std(ddof=1)) < 1e-12, (d, dk)
e0 = out["sim/delta0"] - out["dmft/delta0"][b]
assert abs(d["delta0"]["mean"] - e0.mean()) < 1e-12 and abs(d["delta0"]["sd"] - e0.std(ddof=1)) < 1e-12
EOF2

# Chaotic (g = 2, M_m = M_n = 1): the theory's kappa = 0 branch is
# chaotic, Delta0 = 1.925.  Four networks of N = 2000 (400 measured steps)
# had |kappa| up to 0.047 (spread 0.035) and Delta0 from 1.80 to 1.92,
# two more (300 steps) 1.73 and 1.86: Euler's bias, about -3% (as scs's,
# tests/test_dmft.c), and a spread of about 4% from network to network
# and window to window.  |kappa| is held to 0.15, each Delta0 to 15% and
# their mean to 10%.
# Delta_inf, the variance of each unit's time mean, keeps the
# time-varying part's residual over a window T of about 2 tau_c Delta0 /
# T (0.65 to 0.98 over T = 20 there), but a stationary network would have
# it equal to Delta0: it is held below 0.75 Delta0.
ok "lowrank --simulate 2000, chaotic" dk-dmft lowrank --gain 2 --mm 1 --mn 1 \
	--simulate 2000 --seeds 2 --transient 100 --steps 300 -o "$tmp/simc.npy"
pycheck "chaotic: lands on the chaotic branch, |kappa| < 0.15, Delta0 within 15% (mean 10%), Delta_inf < 0.75 Delta0" <<EOF2
out = load("$tmp/simc.npy")
b = out["sim/branch"]
assert (out["dmft/state"][b] == 2).all(), (b, out["dmft/state"])
assert np.abs(out["sim/kappa"]).max() < 0.15, out["sim/kappa"]
e = out["sim/delta0"] / out["dmft/delta0"][b] - 1
assert np.abs(e).max() < 0.15 and abs(e.mean()) < 0.1, out["sim/delta0"]
assert (out["sim/delta_inf"] < 0.75 * out["sim/delta0"]).all(), out["sim/delta_inf"]
EOF2
ok "lowrank --simulate: the same bytes again" sh -c "dk-dmft lowrank --simulate 50 --seeds 2 --seed 3 --steps 20 -o '$tmp/s1.npy' && dk-dmft lowrank --simulate 50 --seeds 2 --seed 3 --steps 20 | cmp - '$tmp/s1.npy'"

# (f) With disorder (g = 0.9), the outliers and the bulk against the
# finite-N Jacobian.  Loadings m, n with overlap 2.5 and an input of
# variance 1 (no means): besides the stable pair, the branch kappa = 0 is
# a fixed point x* driven by the input and the disorder, unstable along
# m, where the theory's outlier <n phi'(x) m> = 1.372 lies far outside
# the bulk of radius r = g sqrt(<phi'^2>) = 0.577.  Two networks of N =
# 1000 are drawn here in NumPy (their own seeds), x* found by the damped
# iteration x <- I + g chi phi(x) with kappa held at 0, then Newton on
# the whole network; the dense eigenvalues of -1 + J diag(phi'(x*)), plus
# one, are the finite-N outliers and bulk.  Six such networks had the
# outlier at 1.356 +- 0.064 (mean, sd) and the largest other modulus at
# 0.594 +- 0.010: so each outlier is held to 0.26 of the theory (4 sd),
# their mean to 0.18 (4 sd of a mean of two; at g = 0 the theory's value
# would be 1.514), the largest other modulus to 0.05 of r (the finite-N
# edge lies 0.017 above it, plus 3 sd), and no other eigenvalue has
# real part above 1 (the unstable direction is m's alone).
ok "lowrank g = 0.9, input, overlap 2.5" dk-dmft lowrank --gain 0.9 \
	--mean 0,0,0 --cov 1,2.5,9,0,0,1 -o "$tmp/f.npy"
pycheck "g = 0.9: kappa = 0's outlier and bulk against the Jacobians of two networks of N = 1000 (outlier 0.26, mean 0.18; bulk 0.05)" <<EOF2
out = load("$tmp/f.npy")
b = int(np.flatnonzero((out["dmft/state"] == 1) & (out["dmft/kappa"][:, 0] == 0))[0])
want, r = out["dmft/outliers"][b, 0].real, out["dmft/bulk_radius"][b]
assert want > 1.2 and r < 0.7, (want, r)
C = np.array([[1, 2.5, 0], [2.5, 9, 0], [0, 0, 1.0]])
L = np.linalg.cholesky(C)
g, N, got = 0.9, 1000, []
for seed in (11, 12):
    rng = np.random.default_rng(seed)
    m, n, I = (rng.standard_normal((N, 3)) @ L.T).T
    chi = rng.standard_normal((N, N)) / np.sqrt(N)
    J = g * chi + np.outer(m, n) / N
    x = I.copy()
    for _ in range(200):
        x = 0.5 * x + 0.5 * (I + g * chi @ np.tanh(x))
    for _ in range(30):
        F = -x + J @ np.tanh(x) + I
        if np.abs(F).max() < 1e-12:
            break
        x -= np.linalg.solve(-np.eye(N) + J * (1 - np.tanh(x) ** 2)[None, :], F)
    assert np.abs(-x + J @ np.tanh(x) + I).max() < 1e-12
    assert abs(n @ np.tanh(x) / N) < 0.5    # near kappa = 0, not on the pair
    ev = 1 + np.linalg.eigvals(-np.eye(N) + J * (1 - np.tanh(x) ** 2)[None, :])
    ev = ev[np.argsort(-ev.real)]
    assert abs(ev[0].imag) < 1e-9 and abs(ev[0].real - want) < 0.26, (ev[0], want)
    assert abs(np.abs(ev[1:]).max() - r) < 0.05, (np.abs(ev[1:]).max(), r)
    assert ev[1].real < 1, ev[:3]
    got.append(ev[0].real)
assert abs(np.mean(got) - want) < 0.18, (got, want)
EOF2

# (e) refusals, exit 2
fails_with 2 "--rank 3" dk-dmft lowrank --rank 3
fails_with 2 "a covariance that is not positive semidefinite" \
	dk-dmft lowrank --sm 1 --sn 1 --overlap 1.5
fails_with 2 "--mean of the wrong length" dk-dmft lowrank --rank 2 \
	--mean 1,2,3 --cov 1,0,1,0,0,1,0,0,0,1,0,0,0,0,0
fails_with 2 "--cov of the wrong length" dk-dmft lowrank --rank 2 \
	--mean 1,2,3,4,5 --cov 1,0,1
fails_with 2 "rank two without --mean" dk-dmft lowrank --rank 2
fails_with 2 "the rank-one shorthand with rank two" dk-dmft lowrank --rank 2 \
	--mm 1 --mean 1,2,3,4,5 --cov 1,0,1,0,0,1,0,0,0,1,0,0,0,0,0
fails_with 2 "a negative gain" dk-dmft lowrank --gain -1
fails_with 2 "--tau-max with lowrank" dk-dmft lowrank --tau-max 3
fails_with 2 "--rank with scs" dk-dmft scs --rank 2
fails_with 2 "--steps without --simulate" dk-dmft lowrank --steps 10
fails_with 2 "--simulate 1" dk-dmft lowrank --simulate 1

done_testing
