#!/bin/sh
# dmft_integrator.sh -- dk-dmft scs --simulate --integrator: Euler by
# default with the records of before (no integrator attr), the rule
# named in the attrs and the provenance otherwise; the same network (the
# seed's J and start) with each rule; the option refused where it has
# no meaning.  The rules' orders are tests/test_dmft_integrate.c's.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

sim="--tau-max 1 --simulate 200 --transient 0 --steps 20 --seed 4"
ok "scs --simulate (Euler by default)" dk-dmft scs $sim -o "$tmp/d.npy"
ok "--integrator euler" dk-dmft scs $sim --integrator euler -o "$tmp/euler.npy"
ok "--integrator heun" dk-dmft scs $sim --integrator heun -o "$tmp/heun.npy"
ok "--integrator rk4" dk-dmft scs $sim --integrator rk4 -o "$tmp/rk4.npy"
cmp -s "$tmp/d.npy" "$tmp/euler.npy"
tap_result $? "--integrator euler is the default, byte for byte"
cat >"$tmp/check.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join("$top_srcdir", "tests"))
from npystream import load, meta
E, H, R = (load("$tmp/%s.npy" % m) for m in ("euler", "heun", "rk4"))
me, mh = meta("$tmp/euler.npy"), meta("$tmp/heun.npy")
assert "integrator" not in me["sim/delta"]["attrs"]["sim"]
assert me["sim/delta"]["attrs"]["sim"]["error"].startswith("Euler's")
assert "integrator" not in me["sim/delta"]["attrs"]["provenance"]["options"]
assert mh["sim/delta"]["attrs"]["sim"]["integrator"] == "heun"
assert mh["sim/delta"]["attrs"]["provenance"]["options"]["integrator"] == "heun"
assert meta("$tmp/rk4.npy")["sim/delta0"]["attrs"]["sim"]["integrator"] == "rk4"
# one network, one start, one time unit: the rules differ by their
# errors.  test_dmft_integrate.c measures them on a network of the same
# statistics at t = 2: at most 0.06 in x_i of order 1 for Euler at
# dt = 0.05, 0.0016 for Heun, 8e-7 for RK4; over the first time unit
# x^2's mean keeps a fraction of that: Heun within 0.1% of RK4, Euler
# off it by 0.1% to 2%
h, r, e = H["sim/delta0"][0], R["sim/delta0"][0], E["sim/delta0"][0]
assert abs(h - r) < 1e-3 * r, (h, r)
assert 1e-3 * r < abs(e - r) < 2e-2 * r, (e, r)
EOF
py_ok "the rules named in the attrs; the same network, near results" "$tmp/check.py"

fails_with 2 "--integrator for map" dk-dmft map --simulate 100 --integrator heun
fails_with 2 "--integrator without --simulate" dk-dmft scs --integrator heun
fails_with 2 "--integrator for multiregion" \
	dk-dmft multiregion --a 2 --b 0 --simulate 10 --integrator rk4
fails_with 2 "--integrator rk45" dk-dmft scs --simulate 100 --integrator rk45
grep -q "euler, heun or rk4, not 'rk45'" "$tmp/.err"
tap_result $? "... with the rules named"

done_testing
