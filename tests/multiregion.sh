#!/bin/sh
# multiregion.sh -- the multiregion network through the tools: dk-init's
# options and their refusals; 50 steps of dk-run against a NumPy port of
# the paper's simulation loop (Clark and Beiran's run_sim, written here
# from its equations) on the model's own loadings read from the stream;
# dk-jac's Jacobian (the kind's own, written out) against the one
# written out in NumPy; dk-fixed and dk-lyap on it; dk-dmft multiregion
# --simulate's currents against those of dk-init's network.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, math, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
erf = np.vectorize(math.erf)
phi = lambda x: erf(np.sqrt(np.pi) / 2 * x)
EOF

# ---- options ----
fails_with 2 "multiregion without --a and --b" dk-init multiregion --regions 2 --units 5
fails_with 2 "--a of 2 values, --b of 1" dk-init multiregion --units 5 --a 2,1 --b 1
fails_with 2 "--regions 3 with 2 couplings" dk-init multiregion --regions 3 --units 5 --a 2,1 --b 1,1
fails_with 2 "--signs 0.5" dk-init multiregion --units 5 --a 2,1 --b 1,1 --signs 1,0.5
fails_with 2 "--b -1" dk-init multiregion --units 5 --a 2,1 --b 1,-1
fails_with 2 "--regions 0" dk-init multiregion --regions 0 --units 5 --a 2 --b 1
fails_with 2 "--act tanh" dk-init multiregion --units 5 --a 2 --b 1 --act tanh
fails_with 2 "--tau" dk-init multiregion --units 5 --a 2 --b 1 --tau 2
fails_with 2 "--regions for a ctrnn" dk-init ctrnn --regions 2
fails_with 2 "--a for an rnn" dk-init rnn --a 1 --b 1

ok "dk-init multiregion exits 0" dk-init multiregion --regions 3 --units 200 \
	--a 2,1.5,-1 --b 0.5,1.2,0.8 --signs 1,-1,1 --seed 4 -o "$tmp/m.npy"
pycheck "attrs: regions 3, units 200, state 600, dt 0.05, erf; the couplings in the provenance" <<EOF
A = meta("$tmp/m.npy")
a = A["model/m"]["attrs"]["model"]
assert (a["kind"], a["regions"], a["units"], a["state_size"], a["act"]) == \
    ("multiregion", 3, 200, 600, "erf"), a
assert a["dt"] == 0.05 and "tau" not in a, a
p = A["model/m"]["attrs"]["provenance"]["options"]
assert p["a"] == [2, 1.5, -1] and p["b"] == [0.5, 1.2, 0.8] and p["signs"] == [1, -1, 1], p
EOF

# ---- the paper's update ----
# The paper's loop: r = phi(x), proj^{mu nu} = n^{mu nu} . r^nu / N,
# x += dt (-x + sum_nu m^{mu nu} proj^{mu nu}), from x^mu = 2.5 sum_nu
# m^{mu nu} z_nu / sqrt(P), its start.  The two sides evaluate the same
# expressions in other orders (dot products of 200 terms, erf from two
# libraries), each step within a few 1e-16 relative; over 50 steps of a
# flow whose rates are at most about a - 1 = 1 (t = 2.5, growth e^2.5),
# the gap stays below 1e-14 of the state's size: 1e-12 leaves room and
# still fails any difference in the equations.
pycheck "write h0 (the paper's start) and 50 steps of zero input" <<EOF
M = load("$tmp/m.npy")
m = M["model/m"]
P, N = m.shape[0], m.shape[2]
z = np.random.default_rng(3).standard_normal(P)
x0 = 2.5 * (m * z[None, :, None]).sum(axis=1) / np.sqrt(P)
with open("$tmp/in.npy", "wb") as f:
    for n, a in (("h0", x0.reshape(1, -1)), ("input", np.zeros((50, 1, 1)))):
        np.save(f, np.array(json.dumps({"name": n}).encode()))
        np.save(f, a)
EOF
ok "dk-run 50 steps" dk-run -o "$tmp/run.npy" "$tmp/m.npy" "$tmp/in.npy"
pycheck "dk-run's states = the paper's update on the same loadings, within 1e-12" <<EOF
M, R, I = load("$tmp/m.npy"), load("$tmp/run.npy"), load("$tmp/in.npy")
m, n, dt = M["model/m"], M["model/n"], 0.05
P, N = m.shape[0], m.shape[2]
x = I["h0"].reshape(P, N).copy()
states = R["states"]
assert states.shape == (50, 1, P * N), states.shape
worst = 0
for t in range(50):
    r = phi(x)
    proj = np.einsum("mni,ni->mn", n, r) / N
    x = x + dt * (-x + np.einsum("mni,mn->mi", m, proj))
    worst = max(worst, np.abs(states[t, 0] - x.ravel()).max() / np.abs(x).max())
assert worst < 1e-12, worst
# and the currents moved: the check is not of a state at rest
assert np.abs(states[-1, 0] - I["h0"][0]).max() > 0.1
print(worst)
EOF

# ---- the Jacobian ----
# A smaller network (3 regions of 30 units), run to t = 10 from the
# paper's start.  At its last state, dF/dx = (1 - dt) I + dt sum
# m^{mu nu} n^{mu nu T} diag(phi'(x^nu)) / N (block mu, nu), written out
# here; dk-jac's is the kind's own, written out in C: the same sums
# in another order, within 1e-13 of the largest entry.
ok "dk-init 3 regions of 30 units" dk-init multiregion --units 30 \
	--a 2,1.5,-1 --b 0.5,1.2,0.8 --signs 1,-1,1 --seed 5 -o "$tmp/s.npy"
pycheck "write its start and 200 steps" <<EOF
m = load("$tmp/s.npy")["model/m"]
P = m.shape[0]
x0 = 2.5 * (m * np.random.default_rng(4).standard_normal(P)[None, :, None]).sum(axis=1) / np.sqrt(P)
with open("$tmp/sin.npy", "wb") as f:
    for n, a in (("h0", x0.reshape(1, -1)), ("input", np.zeros((200, 1, 1)))):
        np.save(f, np.array(json.dumps({"name": n}).encode()))
        np.save(f, a)
EOF
ok "dk-run 200 steps" dk-run -o "$tmp/srun.npy" "$tmp/s.npy" "$tmp/sin.npy"
pycheck "keep the last state" <<EOF
np.save("$tmp/last.npy", load("$tmp/srun.npy")["states"][-1])
EOF
ok "dk-jac at the last state" dk-jac --convention map -o "$tmp/jac.npy" "$tmp/s.npy" "$tmp/last.npy"
pycheck "dk-jac's spectrum at the last state = that of the Jacobian written in NumPy" <<EOF
M, J = load("$tmp/s.npy"), load("$tmp/jac.npy")
m, n, dt = M["model/m"], M["model/n"], 0.05
P, N = m.shape[0], m.shape[2]
x = np.load("$tmp/last.npy").reshape(P, N)
d = np.exp(-np.pi * x ** 2 / 4)
Jm = (1 - dt) * np.eye(P * N)
for mu in range(P):
    for nu in range(P):
        Jm[mu * N:(mu + 1) * N, nu * N:(nu + 1) * N] += dt * np.outer(m[mu, nu], n[mu, nu] * d[nu]) / N
want = np.linalg.eigvals(Jm)
got = J["jac/eig"].reshape(-1)
# the eigenvalues away from 1 - dt (those the P^2 loadings carry), in
# one order: each within 1e-9 (the eigenvalues of a nonsymmetric matrix
# move by its condition, here below 1e3, times the entries' gap, 1e-13)
far = lambda e: np.sort_complex(e[np.abs(e - (1 - dt)) > 1e-6])
g, w = far(got), far(want)
assert len(g) == len(w) and len(g) > 0, (len(g), len(w))
assert np.abs(g - w).max() < 1e-9, np.abs(g - w).max()
EOF

# ---- fixed points and Lyapunov exponents ----
# At a fixed point of the flow x^mu = sum_nu m^{mu nu} S^{mu nu}(x),
# written out here: dk-fixed stops at q = |f|^2 / 2 < 1e-12, so |f| <
# 1.5e-6, and each unit's residual is below that.  The point must not be
# the silent one (region 0's own loop a = 2 > 1 makes it unstable).
ok "dk-fixed from the last state (flow)" dk-fixed --jac -o "$tmp/fp.npy" "$tmp/s.npy" "$tmp/last.npy"
pycheck "dk-fixed: x = sum_nu m^{mu nu} S^{mu nu} at its point, within 1.5e-6" <<EOF
M, F = load("$tmp/s.npy"), load("$tmp/fp.npy")
m, n = M["model/m"], M["model/n"]
P, N = m.shape[0], m.shape[2]
assert F["fp/q"].min() < 1e-12, F["fp/q"]
x = F["fp/x"][np.argmin(F["fp/q"])].reshape(P, N)
S = np.einsum("mni,ni->mn", n, phi(x)) / N
assert np.abs(x - np.einsum("mni,mn->mi", m, S)).max() < 1.5e-6
assert np.abs(x).max() > 0.1, np.abs(x).max()
EOF
ok "dk-lyap: 2 exponents from a random state" dk-lyap -k 2 -T 200 -o "$tmp/ly.npy" "$tmp/s.npy"

# ---- dk-dmft multiregion --simulate ----
# Network 0 of seed 1 has dk-init's loadings of seed 1.  Started in the
# loadings' span, the Euler steps keep x^mu = sum_nu m^{mu nu}
# kappa^{mu nu} with kappa' = (1 - dt) kappa + dt S: from sim/S alone,
# kappa after t steps is known up to (1 - dt)^t times the start's
# (below 1e-15 at t = 700), so S recomputed here from dk-init's loadings
# must equal sim/S there (the same sums in another order: 1e-12), and
# sim/A is the mean of sum_nu S^2 over the measured steps.
ok "dk-dmft multiregion --simulate 300 (700 + 20 steps)" dk-dmft multiregion \
	--a 2,1.5 --b 0.5,0.5 --starts 2 --simulate 300 --seeds 2 --transient 700 \
	--steps 20 -o "$tmp/sim.npy"
ok "dk-init of its loadings (seed 1)" dk-init multiregion --units 300 \
	--a 2,1.5 --b 0.5,0.5 --seed 1 -o "$tmp/sm.npy"
pycheck "sim/S = the currents of dk-init's network, rebuilt from sim/S's own history" <<EOF
M, R = load("$tmp/sm.npy"), load("$tmp/sim.npy")
m, n, dt = M["model/m"], M["model/n"], 0.05
P, N = m.shape[0], m.shape[2]
S = R["sim/S"]
assert S.shape == (2, 721, P, P) and R["sim/A"].shape == (2, P), (S.shape, R["sim/A"].shape)
kappa = np.zeros((P, P))
worst = 0
for t in range(720):
    kappa = (1 - dt) * kappa + dt * S[0, t]
    if t + 1 >= 700:
        x = np.einsum("mni,mn->mi", m, kappa)
        got = np.einsum("mni,ni->mn", n, phi(x)) / N
        worst = max(worst, np.abs(got - S[0, t + 1]).max() / np.abs(S[0, t + 1]).max())
assert worst < 1e-12, worst
A = (S[:, 701:] ** 2).sum(axis=3).mean(axis=1)
assert np.abs(A - R["sim/A"]).max() < 1e-12 * np.abs(A).max(), (A, R["sim/A"])
assert not np.array_equal(S[0], S[1])
EOF
fails_with 2 "--seeds without --simulate" dk-dmft multiregion --a 2 --b 1 --seeds 2
fails_with 2 "--simulate 0" dk-dmft multiregion --a 2 --b 1 --simulate 0
fails_with 2 "--simulate above 10^7" dk-dmft multiregion --a 2 --b 1 --simulate 10000001

done_testing
