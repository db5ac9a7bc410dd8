"""dmft_scipy.py -- the mean-field equations dk-dmft solves, in NumPy and
SciPy, for bench/dmft_vs_scipy.sh to time side by side.

scs: Delta0 from the energy condition Delta0^2 / 2 = g^2 Var[Phi(sqrt(Delta0)
z)] (brentq), then Delta(tau) on the grid 0, dtau, ..., tau_max from the
equation of motion Delta'' = Delta - g^2 C_phi(Delta; Delta0) (solve_ivp,
DOP853, rtol 1e-12), C_phi by a 2-D Gauss-Hermite rule of 100 x 100 nodes,
vectorised.  The forward integration loses Delta's relative accuracy where
it has decayed (errors grow as exp(lambda tau)); dk-dmft switches to the
energy orbit there, which this does not, so it is the cheaper of the two.
map: q = g^2 <phi(sqrt(q) z)^2> by brentq, chi1 and the exponent, averages
by 1-D Gauss-Hermite of 100 nodes.

Usage: dmft_scipy.py scs|map GAIN PHI [TAU_MAX DTAU] [REPEATS]; prints the
best time of REPEATS runs of the solve alone (imports excluded) and the
results, for the script to compare with dk-dmft's.
"""
import sys
import time

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.special import erf

X, W = hermegauss(100)
W = W / np.sqrt(2 * np.pi)
K = np.sqrt(np.pi) / 2
PHI = {"tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2,
                lambda x: np.logaddexp(x, -x) - np.log(2)),
       "erf": (lambda x: erf(K * x), lambda x: np.exp(-np.pi * x * x / 4),
               lambda x: x * erf(K * x) + 2 / np.pi * np.expm1(-np.pi * x * x / 4))}


def gmean(f, q):
    return (W * f(np.sqrt(q) * X)).sum()


def corr(f, c, q0):
    c = min(max(c, 0.0), q0)
    m = (W[None, :] * f(np.sqrt(q0 - c) * X[None, :] + np.sqrt(c) * X[:, None])).sum(1)
    return (W * m * m).sum()


def scs(name, g, tau_max, dtau):
    phi, _, Phi = PHI[name]
    def r(d):
        m = gmean(Phi, d)
        return 0.5 - g * g * gmean(lambda x: (Phi(x) - m) ** 2, d) / d ** 2
    d0 = brentq(r, 1e-3, 2 * g * g + 1, xtol=1e-15, rtol=1e-14)
    def f(t, y):
        return [y[1], y[0] - g * g * corr(phi, y[0], d0)]
    grid = np.arange(0, tau_max + dtau / 2, dtau)
    sol = solve_ivp(f, (0, grid[-1]), [d0, 0.0], method="DOP853", t_eval=grid,
                    rtol=1e-12, atol=1e-14)
    return d0, sol.y[0]


def mapq(name, g):
    phi, dphi, _ = PHI[name]
    q = brentq(lambda q: g * g * gmean(lambda x: phi(x) ** 2, q) - q, 1e-6, g * g + 1,
               xtol=1e-15, rtol=1e-14)
    chi = g * g * gmean(lambda x: dphi(x) ** 2, q)
    return q, chi, 0.5 * np.log(chi)


def main():
    kind, g, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    reps = int(sys.argv[-1]) if len(sys.argv) > (6 if kind == "scs" else 4) else 5
    best = np.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        out = scs(name, g, float(sys.argv[4]), float(sys.argv[5])) if kind == "scs" \
            else mapq(name, g)
        best = min(best, time.perf_counter() - t0)
    print("time %.6f" % best)
    if kind == "scs":
        print("delta0 %.17g" % out[0])
        print("delta_last %.17g" % out[1][-1])
        print("delta_mid %.17g" % out[1][len(out[1]) // 10])
    else:
        print("q %.17g\nchi1 %.17g\nlyapunov %.17g" % out)


if __name__ == "__main__":
    main()
