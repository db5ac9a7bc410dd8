#!/bin/sh
# dmft.sh -- dk-dmft against the same equations solved again in SciPy,
# with other quadratures and other integrators: Delta0 (quad for the
# Gaussian averages, brentq for the energy condition), Delta(tau)
# (solve_ivp on the equation of motion), energy conservation along the
# solution, the decay rate against a fit of log Delta at large lags, the
# map's q, chi1 and exponent; the records' schema, and the refusals;
# scs --simulate's records and refusals.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
"$PY" -c 'import scipy' 2>/dev/null || skip_all "no SciPy (python3-scipy)"
py_start

cat >"$tmp/common.py" <<'EOF'
import json, os, sys
import numpy as np
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq
from scipy.special import erf
from numpy.polynomial.hermite_e import hermegauss
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta

K = np.sqrt(np.pi) / 2
PHI = {"tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2,
                lambda x: np.logaddexp(x, -x) - np.log(2)),
       "erf": (lambda x: erf(K * x), lambda x: np.exp(-np.pi * x * x / 4),
               lambda x: x * erf(K * x) + 2 / np.pi * np.expm1(-np.pi * x * x / 4))}

def gmean(f, q):
    """<f(sqrt(q) z)> by QUADPACK on the real line, split at 0."""
    w = lambda z: f(np.sqrt(q) * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
    return sum(quad(w, a, b, epsabs=0, epsrel=1e-13, limit=200)[0]
               for a, b in ((-np.inf, 0), (0, np.inf)))

def delta0(name, g):
    """the root of Delta^2 / 2 = g^2 Var[Phi(sqrt(Delta) z)]"""
    Phi = PHI[name][2]
    def r(d):
        m = gmean(Phi, d)
        return 0.5 - g * g * gmean(lambda x: (Phi(x) - m) ** 2, d) / d ** 2
    return brentq(r, 1e-3, 2 * g * g + 1, xtol=1e-15, rtol=1e-14)

# Gauss-Hermite, 200 nodes: for tanh at Delta0 <= 2 its error on these
# averages is about 1e-13 (against quad), the reference's own error
X, W = hermegauss(200)
W = W / np.sqrt(2 * np.pi)

def corr(f, c, q0):
    """<f(x1) f(x2)>, variance q0, covariance c (two-dimensional)"""
    c = min(max(c, 0.0), q0)
    m = (W[None, :] * f(np.sqrt(q0 - c) * X[None, :] + np.sqrt(c) * X[:, None])).sum(1)
    return (W * m * m).sum()

def cphi(name, c, q0):
    if name == "erf":
        return 2 / np.pi * np.arcsin(np.pi / 2 * c / (1 + np.pi / 2 * q0))
    return corr(PHI[name][0], c, q0)
EOF

for phi in tanh erf; do
	for g in 1.5 2; do
		ok "scs --gain $g --phi $phi" dk-dmft scs --gain $g --phi $phi \
			--tau-max 10 -o "$tmp/scs-$phi-$g.npy"
		# Delta0: quad to 1e-13 and brentq to 1e-14 here, the trapezoidal
		# rule and Brent to 1e-14 there; 1e-12 relative is the accuracy
		# dmft.h states.  Delta(tau): the reference integrates the
		# equation of motion forward (DOP853, rtol 1e-12), whose errors
		# (1e-13 from its quadrature) grow as exp(lambda tau); at tau <= 10
		# they stay near 1e-11, and 1e-9 is the accuracy stated.
		pycheck "scs $phi g = $g: Delta0 (1e-12) and Delta(tau <= 10) (1e-9) against SciPy" <<EOF
R = load("$tmp/scs-$phi-$g.npy")
g, name = $g, "$phi"
d0 = delta0(name, g)
assert abs(R["dmft/delta0"] / d0 - 1) < 1e-12, (R["dmft/delta0"], d0)
tau, D = R["dmft/tau"], R["dmft/delta"]
assert tau.shape == (101,) and D.shape == (101,) and D[0] == R["dmft/delta0"]
sol = solve_ivp(lambda t, y: [y[1], y[0] - g * g * cphi(name, y[0], d0)],
                [0, 10], [d0, 0], method="DOP853", rtol=1e-12, atol=1e-14 * d0,
                t_eval=tau)
rel = np.abs(sol.y[0] / D - 1).max()
assert rel < 1e-9, rel
c = np.array([cphi(name, d, d0) for d in D])
assert np.abs(R["dmft/cphi"] / c - 1).max() < 1e-9, np.abs(R["dmft/cphi"] / c - 1).max()
dp = gmean(PHI[name][1], d0)
assert abs(R["dmft/decay"] / np.sqrt(1 - g * g * dp * dp) - 1) < 1e-12
EOF
	done
done

# Energy along the solution: Delta'^2 / 2 + V(Delta) = V(Delta0), V =
# -Delta^2 / 2 + g^2 F(Delta), F = <Phi(x1) Phi(x2)> by Gauss-Hermite
# here.  Delta' by the 5-point central difference on a grid of 0.05,
# whose error h^4 |Delta^(5)| / 30 is about 2e-7 |Delta^(5)| (a few 1e-10
# Delta0^2 in the energy at this gain); V's is 1e-13: 1e-8 Delta0^2.
# Both stages are on the grid (the second begins near tau = 5.4).
ok "scs --gain 2 on a finer grid" dk-dmft scs --gain 2 --tau-max 7 --dtau 0.05 -o "$tmp/fine.npy"
pycheck "scs tanh g = 2: energy conserved along Delta(tau) within 1e-8 Delta0^2" <<EOF
R = load("$tmp/fine.npy")
g, D, h = 2.0, R["dmft/delta"], 0.05
d0 = D[0]
Phi = PHI["tanh"][2]
V = lambda d: -d * d / 2 + g * g * corr(Phi, d, d0)
E0 = V(d0)
worst = 0
for i in range(2, len(D) - 2, 3):
    dd = (D[i - 2] - 8 * D[i - 1] + 8 * D[i + 1] - D[i + 2]) / (12 * h)
    worst = max(worst, abs(dd * dd / 2 + V(D[i]) - E0))
assert worst < 1e-8 * d0 * d0, worst
EOF

# The decay rate: at large lags log Delta = -lambda tau + c + O(exp(-2
# lambda tau)); fitted over [60, 80] (g = 2, lambda = 0.23) and [160,
# 200] (g = 1.5, lambda = 0.16), where that correction is below 1e-11,
# the slope is lambda to the integration's accuracy: 1e-8 relative.
ok "scs --gain 2 to tau 80" dk-dmft scs --gain 2 --tau-max 80 --dtau 0.5 -o "$tmp/long2.npy"
ok "scs --gain 1.5 to tau 200" dk-dmft scs --gain 1.5 --tau-max 200 --dtau 1 -o "$tmp/long15.npy"
pycheck "the decay rate is the slope of log Delta at large lags, within 1e-8" <<EOF
for f, lo in (("$tmp/long2.npy", 60), ("$tmp/long15.npy", 160)):
    R = load(f)
    tau, D = R["dmft/tau"], R["dmft/delta"]
    s = tau >= lo
    slope = -np.polyfit(tau[s], np.log(D[s]), 1)[0]
    assert abs(slope / R["dmft/decay"] - 1) < 1e-8, (f, slope, R["dmft/decay"])
    assert (D > 0).all() and (np.diff(D) < 0).all()
EOF

# The map: q by quad and brentq here; chi1 and the exponent from it.
# 1e-12 relative, as for Delta0.
for phi in tanh erf; do
	for g in 1.5 3; do
		ok "map --gain $g --phi $phi" dk-dmft map --gain $g --phi $phi -o "$tmp/map.npy"
		pycheck "map $phi g = $g: q, chi1, lyapunov against SciPy within 1e-12" <<EOF
R = load("$tmp/map.npy")
g, name = $g, "$phi"
phi, dphi = PHI[name][0], PHI[name][1]
q = brentq(lambda q: 1 - g * g * gmean(lambda x: phi(x) ** 2, q) / q, 1e-3, g * g + 1,
           xtol=1e-15, rtol=1e-14)
chi1 = g * g * gmean(lambda x: dphi(x) ** 2, q)
assert abs(R["dmft/q"] / q - 1) < 1e-12, (R["dmft/q"], q)
assert abs(R["dmft/chi1"] / chi1 - 1) < 1e-12, (R["dmft/chi1"], chi1)
assert abs(R["dmft/lyapunov"] - np.log(chi1) / 2) < 1e-12 * abs(np.log(chi1))
assert R["dmft/lyapunov"] > 0
EOF
	done
done

# The map simulated: one network of N = 2000 units, g = 2, tanh, 50
# transient and 100 measured steps, beside the theory.  A network's q
# and largest exponent differ from the limit N -> inf by fluctuations of
# order 1 / sqrt(N) = 2.2% from one network to another (four networks
# spread by 0.4% in q and 2.6% in lambda1 here) and biases of order 1 / N;
# the tolerances, 2% for q and 8% for lambda1, are about three times
# those spreads.  The seed fixes the network: the same bytes again, and
# another seed another network.
ok "map --simulate 2000" dk-dmft map --gain 2 --simulate 2000 --seed 3 \
	--transient 50 --steps 100 -o "$tmp/sim.npy"
pycheck "map --simulate 2000: q within 2%, lambda1 within 8% of the theory" <<EOF
R = load("$tmp/sim.npy")
assert R["sim/q"].shape == (1,) and R["sim/lyapunov"].shape == (1,)
assert abs(R["sim/q"][0] / R["dmft/q"] - 1) < 0.02, (R["sim/q"], R["dmft/q"])
assert abs(R["sim/lyapunov"][0] / R["dmft/lyapunov"] - 1) < 0.08, \
    (R["sim/lyapunov"], R["dmft/lyapunov"])
m = meta("$tmp/sim.npy")["sim/q"]
assert m["axes"] == ["network"] and m["attrs"]["sim"]["units"] == 2000, m
assert m["attrs"]["sim"]["seed"] == 3 and m["attrs"]["sim"]["steps"] == 100, m
EOF
ok "map --simulate: two small networks" dk-dmft map --simulate 50 --seeds 2 --seed 3 -o "$tmp/sim2.npy"
ok "... the same bytes again" sh -c "dk-dmft map --simulate 50 --seeds 2 --seed 3 | cmp - '$tmp/sim2.npy'"
ok "... and one network from seed 4" dk-dmft map --simulate 50 --seed 4 -o "$tmp/sim1.npy"
pycheck "... the second network of seed 3 is the first of seed 4, not the first of 3" <<EOF
a, b = load("$tmp/sim2.npy")["sim/q"], load("$tmp/sim1.npy")["sim/q"]
assert a.shape == (2,) and b.shape == (1,) and a[1] == b[0] and a[0] != a[1], (a, b)
EOF
# The rate network simulated (its accuracy is tests/test_dmft.c's): the
# records' shapes and attrs, Delta0 the first lag of Delta, the seed.
ok "scs --simulate: two small networks" dk-dmft scs --simulate 50 --seeds 2 \
	--seed 3 --steps 200 --tau-max 8 -o "$tmp/scs2.npy"
ok "... the same bytes again" sh -c "dk-dmft scs --simulate 50 --seeds 2 --seed 3 --steps 200 --tau-max 8 | cmp - '$tmp/scs2.npy'"
pycheck "... sim/delta (network, tau) on dmft/tau, NaN past half the window" <<EOF
R = load("$tmp/scs2.npy")
d, d0, tau = R["sim/delta"], R["sim/delta0"], R["dmft/tau"]
assert d.shape == (2, 81) and d0.shape == (2,) and tau.shape == (81,), d.shape
assert (d[:, 0] == d0).all() and (d0 > 0).all(), (d0, d[:, 0])
half = tau <= 100 * 0.05 + 1e-9
assert np.isfinite(d[:, half]).all() and np.isnan(d[:, ~half]).all()
m = meta("$tmp/scs2.npy")["sim/delta"]
assert m["axes"] == ["network", "tau"] and m["attrs"]["sim"]["dt"] == 0.05, m
assert m["attrs"]["sim"]["kind"] == "scs" and m["attrs"]["sim"]["steps"] == 200, m
EOF
fails_with 2 "scs --simulate --steps 1" dk-dmft scs --simulate 100 --steps 1
grep -q -- "--steps: scs --simulate records N T values: T from 2" "$tmp/.err"; tap_result $? "... says the range"
fails_with 2 "scs --simulate 8192 --steps 20000" dk-dmft scs --simulate 8192 --steps 20000
fails_with 2 "--seeds without --simulate" dk-dmft map --seeds 3
grep -q "are for --simulate" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "scs --seed without --simulate" dk-dmft scs --seed 3
fails_with 2 "--simulate 1" dk-dmft map --simulate 1
fails_with 2 "--simulate 100000" dk-dmft map --simulate 100000
grep -q -- "--simulate: from 2 to 8192 units" "$tmp/.err"; tap_result $? "... says the range"
fails_with 2 "--steps 0" dk-dmft map --simulate 10 --steps 0
grep -q -- "--steps must be at least 1" "$tmp/.err"; tap_result $? "... says so"

ok "map --gain 0.7" dk-dmft map --gain 0.7 -o "$tmp/mapq.npy"
ok "scs --gain 0.7" dk-dmft scs --gain 0.7 --tau-max 2 -o "$tmp/scsq.npy"
pycheck "quiescent: q = Delta0 = 0, lyapunov = log g, and the attrs say so" <<EOF
M, S = load("$tmp/mapq.npy"), load("$tmp/scsq.npy")
assert M["dmft/q"] == 0 and abs(M["dmft/lyapunov"] - np.log(0.7)) < 1e-15
assert S["dmft/delta0"] == 0 and (S["dmft/delta"] == 0).all() and np.isnan(S["dmft/decay"])
for f in ("$tmp/mapq.npy", "$tmp/scsq.npy"):
    for name, m in meta(f).items():
        d = m["attrs"]["dmft"]
        assert d["phase"] == "quiescent" and d["gain"] == 0.7 and d["phi"] == "tanh", d
        assert d["critical_gain"] == 1 and d["method"] and d["error"], d
d = meta("$tmp/scs-tanh-2.npy")["dmft/delta"]
assert d["axes"] == ["tau"] and d["attrs"]["dmft"]["phase"] == "chaotic", d
assert d["attrs"]["provenance"]["tool"] == "dk-dmft", d
EOF
ok "-o and stdout give the same bytes" sh -c "dk-dmft map --gain 0.7 | cmp - '$tmp/mapq.npy'"

# Refusals: usage errors, naming the option.
fails_with 2 "no KIND" dk-dmft --gain 2
grep -q "no KIND named (scs, map, multiregion or lowrank)" "$tmp/.err"; tap_result $? "... names the kinds"
fails_with 2 "an unknown KIND" dk-dmft mft --gain 2
grep -q "KIND: scs, map, multiregion or lowrank, not 'mft'" "$tmp/.err"; tap_result $? "... names the kinds there are"
fails_with 2 "two KINDs" dk-dmft scs map
fails_with 2 "--gain 0" dk-dmft scs --gain 0
grep -q -- "--gain" "$tmp/.err"; tap_result $? "... names --gain"
fails_with 2 "--gain 11" dk-dmft map --gain 11
grep -q -- "--gain: '11' is above 10" "$tmp/.err"; tap_result $? "... and says the largest"
fails_with 2 "--gain nan" dk-dmft map --gain nan
fails_with 2 "--phi relu" dk-dmft map --phi relu
grep -q -- "--phi: tanh, erf, not 'relu'" "$tmp/.err"; tap_result $? "... names those there are"
fails_with 2 "--tau-max 0" dk-dmft scs --tau-max 0
fails_with 2 "--dtau -1" dk-dmft scs --dtau -1
fails_with 2 "--tau-max 1e10 --dtau 1e-3: too many points" dk-dmft scs --tau-max 1e10 --dtau 1e-3
grep -q "more than 16777216 grid points" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--tau-max with map" dk-dmft map --tau-max 5
grep -q -- "--tau-max and --dtau are for scs" "$tmp/.err"; tap_result $? "... says so"
fails_with 1 "scs a gain 1e-5 above 1: the decay rate would be lost" dk-dmft scs --gain 1.00001
grep -q "scs: gain 1.00001 is too close to the critical gain 1" "$tmp/.err"; tap_result $? "... says so"
ok "--help" sh -c 'dk-dmft --help | grep -q "Usage: dk-dmft KIND"'

done_testing
