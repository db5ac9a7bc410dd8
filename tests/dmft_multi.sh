#!/bin/sh
# dmft_multi.sh -- dk-dmft multiregion against the same fixed-point
# equations solved again in NumPy and SciPy: the model built from a, b
# and the signs here, a plain NumPy iteration of the flow from starts of
# its own, polished by SciPy's Levenberg-Marquardt; A per region, the
# residual of dk-dmft's currents under the equations written here, and
# T-hat's eigenvalues by NumPy; the records' schema; the refusals.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
"$PY" -c 'import scipy' 2>/dev/null || skip_all "no SciPy (python3-scipy)"
py_start

cat >"$tmp/common.py" <<'EOF2'
import os, sys
import numpy as np
from scipy.optimize import root
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta

def model(a, b, s):
    """T[mu, nu, rho] = delta(mu, rho) c[mu, nu], c = u u^T + diag(a - b)"""
    a, b, s = (np.asarray(v, float) for v in (a, b, s))
    u = s * np.sqrt(b)
    c = np.outer(u, u) + np.diag(a - b)
    P = len(a)
    T = np.zeros((P, P, P))
    for m in range(P):
        T[m, :, m] = c[m, :]
    return T

def F(T, S):
    """psi(Delta^nu) sum_rho T[mu, nu, rho] S[nu, rho], Delta^nu the sum of
    squares of row nu (U = 1)"""
    psi = 1 / np.sqrt(1 + np.pi / 2 * (S ** 2).sum(-1))
    return psi[..., None, :] * np.einsum('mnr,...nr->...mn', T, S)

def fixed_points(T, K=8, seed=5):
    """K starts of its own; 5000 Euler steps of 0.2, then LM to 1e-15"""
    P = T.shape[0]
    S = np.random.default_rng(seed).uniform(-3, 3, (K, P, P))
    for _ in range(5000):
        S = S + 0.2 * (F(T, S) - S)
    g = lambda x: (F(T, x.reshape(P, P)) - x.reshape(P, P)).ravel()
    return np.array([root(g, s.ravel(), method="lm",
                          options={"xtol": 1e-15, "ftol": 1e-15}).x.reshape(P, P)
                     for s in S])

def t_hat(T):
    P = T.shape[0]
    M = np.zeros((P * P, P * P))
    for m in range(P):
        for n in range(P):
            for s in range(P):
                M[m * P + n, n * P + s] = T[m, n, s]
    return M
EOF2

# P = 2, 3 and 5 where the prediction applies, and P = 2 with unequal b
# above a, where it does not (the pair cannot make up both A) but the
# fixed points are still unique in A.  Both solutions are converged to
# rounding (residuals near 1e-16): A agrees to 1e-10, well above the
# 1e-13 the two iterations' stopping points can differ by; dk-dmft's
# currents solve the equations written here to 1e-12 (its tolerance);
# the eigenvalues of the symmetric T-hat agree to 1e-12.
i=0
while read -r a b s predicted; do
	i=$((i + 1))
	ok "multiregion --a $a --b $b --signs $s" dk-dmft multiregion --a "$a" \
		--b "$b" --signs "$s" --starts 12 --seed $i -o "$tmp/m$i.npy"
	pycheck "--a $a --b $b: A against NumPy's (1e-10), F(S) = S (1e-12), T-hat's eigenvalues (1e-12)" <<EOF2
R = load("$tmp/m$i.npy")
a, b, s = [$a], [$b], [$s]
P = len(a)
T = model(a, b, s)
S, A = R["dmft/S"], R["dmft/A"]
assert S.shape == (12, P, P) and A.shape == (12, P), (S.shape, A.shape)
assert np.abs(A - (S ** 2).sum(-1)).max() < 1e-14
res = np.abs(F(T, S) - S).max()
assert res < 1e-12, res
assert (R["dmft/residual"] <= 1e-12).all(), R["dmft/residual"]
ref = (fixed_points(T) ** 2).sum(-1)
assert np.ptp(ref, axis=0).max() < 1e-12, ref
err = np.abs(A - ref[0]).max()
assert err < 1e-10, (err, A[0], ref[0])
pred = np.array(meta("$tmp/m$i.npy")["dmft/A"]["attrs"]["dmft"]["prediction"])
assert np.abs(pred - 2 / np.pi * (np.maximum(a, b) ** 2 - 1)).max() < 1e-14
assert (np.abs(A - pred).max() < 1e-10) == $predicted, (A[0], pred)
w = np.linalg.eigvals(t_hat(T))
w = w[np.lexsort((-w.imag, -w.real))]
e = R["dmft/that_eig"]
assert e.dtype == np.complex128 and e.shape == (P * P,), e
assert np.abs(e - w).max() < 1e-12, (e, w)
assert R["dmft/that_max_re"] == e[0].real
EOF2
done <<EOF
2.5,1.6 1.4,1.3 1,1 True
2,1.8 2.5,2.5 1,-1 True
2,1.8 2.5,2.3 1,1 False
2,2,2 2.4,2.5,2.6 1,-1,1 True
2.07,2.02,2.04,2.09,2.07 2.46,2.54,2.49,2.50,2.52 1,-1,1,1,-1 True
2.48,2.50,1.91,2.07,1.93 1.97,2.02,2.45,2.46,2.46 -1,1,1,-1,1 True
EOF

ok "multiregion, silent: --a 0.9,0.5 --b 0.5,0.5" dk-dmft multiregion \
	--a 0.9,0.5 --b 0.5,0.5 --starts 3 -o "$tmp/quiet.npy"
pycheck "silent: the attrs, the axes, signs all 1 by default" <<EOF2
R, M = load("$tmp/quiet.npy"), meta("$tmp/quiet.npy")
assert np.abs(R["dmft/S"]).max() < 1e-9 and abs(R["dmft/that_max_re"] - 0.9) < 1e-13
d = M["dmft/S"]["attrs"]["dmft"]
assert d["kind"] == "multiregion" and d["zero_stable"] is True and d["regions"] == 2, d
assert d["signs"] == [1, 1] and d["converged"] == 3 and d["starts"] == 3, d
assert d["prediction"] == [0, 0] and d["convention"] and d["method"] and d["error"], d
assert M["dmft/S"]["axes"] == ["start", "region", "region"], M["dmft/S"]
assert M["dmft/A"]["axes"] == ["start", "region"] and M["dmft/residual"]["axes"] == ["start"]
assert M["dmft/that_eig"]["axes"] == ["eigenvalue"]
assert M["dmft/S"]["attrs"]["provenance"]["options"]["kind"] == "multiregion"
EOF2
ok "... the same bytes with the same seed" sh -c \
	"dk-dmft multiregion --a 0.9,0.5 --b 0.5,0.5 --starts 3 | cmp - '$tmp/quiet.npy'"

# Refusals: usage errors, naming the option.
fails_with 2 "no --b" dk-dmft multiregion --a 1,2
grep -q "multiregion needs --a and --b" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "lists of different lengths" dk-dmft multiregion --a 1,2 --b 1,2,3
grep -q -- "--a, --b and --signs: one value per region each, not 2, 3 and 2" "$tmp/.err"
tap_result $? "... says the lengths"
fails_with 2 "--signs of another length" dk-dmft multiregion --a 1,2 --b 1,2 --signs 1
fails_with 2 "--signs 2" dk-dmft multiregion --a 1,2 --b 1,2 --signs 1,2
grep -q "signs of region 2 must be 1 or -1, not 2" "$tmp/.err"; tap_result $? "... names the region"
fails_with 2 "--b -1" dk-dmft multiregion --a 1 --b -1
grep -q "b of region 1 must be from 0 to 100" "$tmp/.err"; tap_result $? "... says the range"
fails_with 2 "--a 1e3" dk-dmft multiregion --a 1e3 --b 1
fails_with 2 "--a 1,x" dk-dmft multiregion --a 1,x --b 1,1
grep -q -- "--a: '1,x' is not a comma-separated list" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--a nan" dk-dmft multiregion --a nan --b 1
fails_with 2 "17 regions" dk-dmft multiregion --a 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1 \
	--b 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1
grep -q "regions must be from 1 to 16, not 17" "$tmp/.err"; tap_result $? "... says the range"
fails_with 2 "--starts 0" dk-dmft multiregion --a 1 --b 1 --starts 0
fails_with 2 "--starts 20000" dk-dmft multiregion --a 1 --b 1 --starts 20000
fails_with 2 "--phi with multiregion" dk-dmft multiregion --a 1 --b 1 --phi erf
grep -q -- "--phi, --tau-max and --dtau are for scs and map" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--tau-max with multiregion" dk-dmft multiregion --a 1 --b 1 --tau-max 2
fails_with 2 "--transient with --gain --simulate" dk-dmft multiregion --a 2 --b 0.5 \
	--gain 1 --simulate 100 --transient 10
grep -q -- "--transient and --steps: with --gain" "$tmp/.err"; tap_result $? "... says why"
fails_with 2 "--a with scs" dk-dmft scs --a 1 --b 1
grep -q -- "--a, --b, --signs, --starts, .* are for multiregion" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--starts with map" dk-dmft map --starts 3
ok "map --seed without --simulate is still refused" sh -c \
	"dk-dmft map --seed 3 2>&1 >/dev/null | grep -q 'are for --simulate'"

done_testing
