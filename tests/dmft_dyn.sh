#!/bin/sh
# dmft_dyn.sh -- dk-dmft multiregion --gain, the nonstationary theory
# with disorder: without disorder its currents against the flow
# dS/dt = -S + F(S) stepped again here in NumPy by Euler's rule from the
# same start (the same arithmetic, so to rounding: 1e-12); with it, the
# records' shapes and axes, each region's static theory and phase in the
# attrs; a given start and the first step from it; the refusals.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<'EOF2'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
EOF2

ok "--gain 0,0 --delta-init 0" dk-dmft multiregion --a 2.5,1.6 --b 1.4,1.3 \
	--gain 0,0 --delta-init 0 --t-max 10 --dt 0.1 -o "$tmp/g0.npy"
pycheck "g = 0: S(t) is the Euler flow stepped here (1e-12), Delta(t, t) its sum of squares" <<EOF2
R, M = load("$tmp/g0.npy"), meta("$tmp/g0.npy")
S = R["dmft/S_t"]
a, b = np.array([2.5, 1.6]), np.array([1.4, 1.3])
c = np.sqrt(np.outer(b, b)) + np.diag(a - b)
x = S[0].copy()
assert S.shape == (101, 2, 2), S.shape
worst = 0
for j in range(1, 101):
    psi = 1 / np.sqrt(1 + np.pi / 2 * (x ** 2).sum(-1))
    x = 0.9 * x + 0.1 * psi[None, :] * c * x.T
    worst = max(worst, np.abs(x - S[j]).max())
assert worst < 1e-12, worst
assert np.abs(R["dmft/delta_t"] - (S ** 2).sum(-1)).max() < 1e-13
d = M["dmft/S_t"]["attrs"]["dmft"]
assert d["S0"] == S[0].ravel().tolist() and d["gain"] == [0, 0], d
EOF2

ok "--gain 1,2.5 --band 20" dk-dmft multiregion --a 3,0.5 --b 0,0.5 --gain 1,2.5 \
	--t-max 30 --band 20 -o "$tmp/g.npy"
pycheck "with disorder: shapes, axes, the static theory's phases" <<EOF2
R, M = load("$tmp/g.npy"), meta("$tmp/g.npy")
assert R["dmft/S_t"].shape == (601, 2, 2) and R["dmft/delta_t"].shape == (601, 2)
assert R["dmft/delta_lag"].shape == (401, 2), R["dmft/delta_lag"].shape
assert M["dmft/S_t"]["axes"] == ["time", "region", "region"]
assert M["dmft/delta_t"]["axes"] == ["time", "region"]
assert M["dmft/delta_lag"]["axes"] == ["lag", "region"]
assert (R["dmft/delta_lag"][0] == R["dmft/delta_t"][-1]).all()
d = M["dmft/delta_t"]["attrs"]["dmft"]
assert d["phase"] == ["chaos suppressed", "chaos"], d["phase"]
assert d["band_steps"] == 400 and d["dt"] == 0.05 and d["t_max"] == 30, d
# region 1: Delta0 = psi^-1(1 / 3) = 16 / pi
assert abs(d["static_delta0"][0] - 16 / np.pi) < 1e-14, d["static_delta0"]
EOF2
ok "... the same bytes with the same seed" sh -c "dk-dmft multiregion --a 3,0.5 \
	--b 0,0.5 --gain 1,2.5 --t-max 30 --band 20 | cmp - '$tmp/g.npy'"

ok "--start 0.5 --delta-init 2" dk-dmft multiregion --a 3 --b 0 --gain 1 \
	--start 0.5 --delta-init 2 --t-max 0.1 -o "$tmp/s.npy"
pycheck "--start: S(0) as given, Delta(0, 0) = S(0)^2 + 2, S(dt) one Euler step from there" <<EOF2
R = load("$tmp/s.npy")
S, D = R["dmft/S_t"][:, 0, 0], R["dmft/delta_t"][:, 0]
assert S[0] == 0.5 and abs(D[0] - 2.25) < 1e-15, (S, D)
want = 0.5 + 0.05 * (-0.5 + 3 * 0.5 / np.sqrt(1 + np.pi / 2 * 2.25))
assert abs(S[1] - want) < 1e-15, (S[1], want)
EOF2
fails_with 2 "--start of another length" dk-dmft multiregion --a 3 --b 0 --gain 1 --start 1,2
grep -q -- "--start: P^2 = 1 values, not 2" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--start 1e4" dk-dmft multiregion --a 3 --b 0 --gain 1 --start 1e4
fails_with 2 "--gain of another length" dk-dmft multiregion --a 1,2 --b 1,2 --gain 1
grep -q -- "--gain: one value per region, not 1 for 2" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--gain 1,-1" dk-dmft multiregion --a 1,2 --b 1,2 --gain 1,-1
grep -q "gain of region 2 must be from 0 to 10" "$tmp/.err"; tap_result $? "... names the region"
fails_with 2 "--gain 1,x" dk-dmft multiregion --a 1,2 --b 1,2 --gain 1,x
fails_with 2 "--dt 0" dk-dmft multiregion --a 1 --b 1 --gain 1 --dt 0
fails_with 2 "--dt 1" dk-dmft multiregion --a 1 --b 1 --gain 1 --dt 1
fails_with 2 "--t-max 0" dk-dmft multiregion --a 1 --b 1 --gain 1 --t-max 0
fails_with 2 "--t-max 1e9" dk-dmft multiregion --a 1 --b 1 --gain 1 --t-max 1e9
grep -q "t_max / dt must round to 1 to 10000000 steps" "$tmp/.err"; tap_result $? "... says the range"
fails_with 2 "--t-max 1e5 --dt 0.01 over the whole run" dk-dmft multiregion \
	--a 1 --b 1 --gain 1 --dt 0.01 --t-max 1e5
grep -q "narrow the band" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--band -1" dk-dmft multiregion --a 1 --b 1 --gain 1 --band -1
fails_with 2 "--delta-init -1" dk-dmft multiregion --a 1 --b 1 --gain 1 --delta-init -1
fails_with 2 "--dt without --gain" dk-dmft multiregion --a 1 --b 1 --dt 0.1
grep -q -- "are for multiregion --gain" "$tmp/.err"; tap_result $? "... says so"
fails_with 2 "--gain 1,2 with scs" dk-dmft scs --gain 1,2

done_testing
