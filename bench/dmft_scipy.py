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
multiregion: the two-time theory with disorder of multiregion_dynamic.h,
the same Euler steps over the whole run, P = 5 regions with a = 2, 1.5,
1.2, 1.8, 1.1, b = 0.5, signs +1, U the identity, S(0)^{mu nu} = cos(mu P
+ nu + 1) (bench/dmft_call.c's), D(0, 0) = 1: each step's D row and
C_phi over all earlier times at once (arrays of region x lag), G's
recurrence along the lags by scipy.signal.lfilter.

Usage: dmft_scipy.py scs|map GAIN PHI [TAU_MAX DTAU] [REPEATS]
       dmft_scipy.py multiregion GAIN T_MAX DT [REPEATS]; prints the
best wall and CPU time of REPEATS runs of the solve alone (imports excluded) and the
leading values v0, v1, v2 as bench/dmft_call does (scs: Delta0, Delta at
a tenth of the grid and at its end; map: q, chi1, the exponent;
multiregion: Delta^1(t_max, t_max), S^{11}(t_max), Delta^1 halfway).
"""
import sys
import time

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.signal import lfilter
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


A_MR = np.array([2, 1.5, 1.2, 1.8, 1.1])
B_MR = np.full(5, 0.5)


def multiregion(g, t_max, dt):
    P = len(A_MR)
    n = int(round(t_max / dt))
    u = np.sqrt(B_MR)
    c = np.outer(u, u) + np.diag(A_MR - B_MR)   # T^{mu nu rho} = delta_{mu rho} c^{mu nu}
    S = np.empty((n + 1, P, P))
    S[0] = np.cos(np.arange(P * P) + 1.0).reshape(P, P)
    delta = np.empty((n + 1, P))
    g2 = g * g * np.ones(P)
    dprev = np.zeros((P, n + 1))
    gprev = np.zeros((P, n + 1))
    dprev[:, 0] = 1.0
    delta[0] = (S[0] * S[0]).sum(1) + 1.0
    for j in range(1, n + 1):
        psi = 1 / np.sqrt(1 + np.pi * delta[j - 1] / 2)
        S[j] = (1 - dt) * S[j - 1] + dt * psi[None, :] * c * S[j - 1].T
        dcur = np.empty((P, j + 1))
        dcur[:, 1:] = (1 - dt) * dprev[:, :j] + dt * gprev[:, :j]
        dcur[:, 0] = (1 - dt) * dcur[:, 1] + dt * gprev[:, 0]
        # the currents' part of Delta(t_j, t_i), i = j - k - 1 for lags k + 1
        cur = np.einsum("mr,imr->mi", S[j], S[j - 1::-1])      # (P, j): i = j-1 .. 0
        dj = (S[j] * S[j]).sum(1) + dcur[:, 0]
        delta[j] = dj
        dji = cur + dcur[:, 1:]
        r = dji / np.sqrt((dj[:, None] + 2 / np.pi) * (delta[j - 1::-1].T + 2 / np.pi))
        C = 2 / np.pi * np.arcsin(np.clip(r, -1, 1))
        # G's row, gc[k] = (1 - dt) gc[k + 1] + dt g^2 C[k] from gc[j] = 0
        # down to k = 0: a first-order filter over k reversed
        gcur = np.zeros((P, j + 1))
        gcur[:, :j] = lfilter([1.0], [1, -(1 - dt)], dt * g2[:, None] * C[:, ::-1],
                              axis=1)[:, ::-1]
        dprev, gprev = dcur, gcur
    return delta, S


def main():
    kind, g = sys.argv[1], float(sys.argv[2])
    name = sys.argv[3]
    nargs = {"scs": 6, "map": 4, "multiregion": 5}[kind]
    reps = int(sys.argv[-1]) if len(sys.argv) > nargs else 5
    best = best_cpu = np.inf
    for _ in range(reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        if kind == "scs":
            out = scs(name, g, float(sys.argv[4]), float(sys.argv[5]))
        elif kind == "map":
            out = mapq(name, g)
        else:
            out = multiregion(g, float(sys.argv[3]), float(sys.argv[4]))
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print("time %.6f\ncpu %.6f" % (best, best_cpu))
    # v0, v1, v2: the values bench/dmft_call prints for the same job
    if kind == "multiregion":
        delta, S = out
        n = len(delta) - 1
        v = (delta[n, 0], S[n, 0, 0], delta[n // 2, 0])
    elif kind == "scs":
        v = (out[0], out[1][len(out[1]) // 10], out[1][-1])
    else:
        v = out
    print("v0 %.17g\nv1 %.17g\nv2 %.17g" % v)


if __name__ == "__main__":
    main()
