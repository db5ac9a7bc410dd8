#!/bin/sh
# dmft_sweep.sh -- dk-dmft --params: each row of a sweep is the single
# solve of its parameters (the same code path, so equal to the bit), for
# scs, map (with a swept seed of its simulation) and multiregion (a list
# per row); a grid of g for map gives q(g) as SciPy solves it; the
# parameters are echoed; bad parameter streams, values out of range, a
# row without a solution and rows of different shapes are refused.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
"$PY" -c 'import scipy' 2>/dev/null || skip_all "no SciPy (python3-scipy)"
py_start

cat >"$tmp/common.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join("$top_srcdir", "tests"))
from npystream import load, meta, same
EOF
# a parameter tensor NAME from the numbers on stdin, one row per line
param() { dk-cat -T -r arr_0="$1"; }

# map over a grid of g across the transition; each row against the solve
# of the same option text
grid="0.5 0.9 1.2 1.5 2 3 5"
printf '%s\n' $grid | param gain >"$tmp/g.npy"
ok "map --params: a grid of g" dk-dmft map --params "$tmp/g.npy" -o "$tmp/map.npy"
# rows 0, 3 and 6 (g = 0.5, 1.5, 5) against single solves
for i in 0 3 6; do
	dk-dmft map --gain "$(echo $grid | cut -d' ' -f$((i + 1)))" -o "$tmp/map-$i.npy"
done
i=7
pycheck "map: rows 0, 3, 6 equal the solves of their g, every record, to the bit" <<EOF
S = load("$tmp/map.npy")
for i in (0, 3, 6):
    one = load("$tmp/map-%d.npy" % i)
    for name, a in one.items():
        assert same(S[name][i], a), (i, name, S[name][i], a)
assert S["sweep/gain"].shape == ($i, 1)
assert np.array_equal(S["sweep/gain"][:, 0], [$(echo $grid | tr ' ' ,)])
m = meta("$tmp/map.npy")
assert m["dmft/q"]["axes"] == ["row"], m["dmft/q"]
assert m["dmft/q"]["attrs"]["sweep"] == {"rows": $i, "params": ["gain"]}
assert m["sweep/gain"]["axes"] == ["row", "value"]
EOF
# q(g) independently: QUADPACK for the Gaussian average (1e-13) and
# brentq (1e-15) on q = g^2 <tanh(sqrt(q) z)^2>; dk-dmft states 1e-12
# relative, so 1e-10 leaves room for both
pycheck "map: q(g) over the grid against SciPy (1e-10 relative; 0 below g = 1)" <<EOF
from scipy.integrate import quad
from scipy.optimize import brentq
def gmean(f, q):
    w = lambda z: f(np.sqrt(q) * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
    return sum(quad(w, a, b, epsabs=0, epsrel=1e-13, limit=200)[0]
               for a, b in ((-np.inf, 0), (0, np.inf)))
S = load("$tmp/map.npy")
for g, q in zip(S["sweep/gain"][:, 0], S["dmft/q"]):
    if g <= 1:
        assert q == 0, (g, q)
        continue
    ref = brentq(lambda x: g * g * gmean(lambda y: np.tanh(y) ** 2, x) / x - 1,
                 1e-6, g * g, xtol=1e-15, rtol=1e-15)
    assert abs(q - ref) <= 1e-10 * ref, (g, q, ref)
EOF

# scs with its simulation: gain and seed swept together; every record
# (theory and simulation) of row i is that of the single run
printf '1.5\n2.5\n' | param gain >"$tmp/gs.npy"
printf '3\n7\n' | param seed >>"$tmp/gs.npy"
sim="--tau-max 2 --simulate 50 --seeds 2 --transient 20 --steps 100"
ok "scs --simulate --params: gain and seed" \
	dk-dmft scs $sim --params "$tmp/gs.npy" -o "$tmp/scs.npy"
dk-dmft scs $sim --gain 1.5 --seed 3 -o "$tmp/scs-0.npy"
dk-dmft scs $sim --gain 2.5 --seed 7 -o "$tmp/scs-1.npy"
pycheck "scs: rows equal the single runs to the bit, sim/delta (row, network, tau)" <<EOF
S = load("$tmp/scs.npy")
for i in range(2):
    one = load("$tmp/scs-%d.npy" % i)
    assert set(one) | {"sweep/gain", "sweep/seed"} == set(S), sorted(S)
    for name, a in one.items():
        assert same(S[name][i], a), (i, name)
assert S["sim/delta"].shape[:2] == (2, 2)
assert meta("$tmp/scs.npy")["sim/delta"]["axes"] == ["row", "network", "tau"]
EOF
# the row's options come after the command line's: they win
ok "a row's value overrides the command line's" \
	dk-dmft scs $sim --gain 9 --seed 1 --params "$tmp/gs.npy" -o "$tmp/scs2.npy"
pycheck "... to the same records" <<EOF
A, B = load("$tmp/scs.npy"), load("$tmp/scs2.npy")
assert all(same(A[k], B[k]) for k in A)
EOF

# multiregion: the lists a and b by row, (row, region)
printf '1.5 0.5\n2 1\n' | param a >"$tmp/ab.npy"
printf '1 1\n0.5 2\n' | param b >>"$tmp/ab.npy"
ok "multiregion --params: a and b, two regions" \
	dk-dmft multiregion --starts 4 --params "$tmp/ab.npy" -o "$tmp/multi.npy"
dk-dmft multiregion --starts 4 --a 1.5,0.5 --b 1,1 -o "$tmp/multi-0.npy"
dk-dmft multiregion --starts 4 --a 2,1 --b 0.5,2 -o "$tmp/multi-1.npy"
pycheck "multiregion: rows equal the single runs to the bit" <<EOF
S = load("$tmp/multi.npy")
for i in range(2):
    for name, a in load("$tmp/multi-%d.npy" % i).items():
        assert same(S[name][i], a), (i, name)
assert S["sweep/a"].shape == (2, 2)
EOF
# a parameter read from stdin
printf '2\n' | param gain | dk-dmft map --params - >"$tmp/stdin.npy"
tap_result $? "--params - reads stdin"

# refusals: the parameter stream's form (exit 1, named), nothing written
printf '1\n2\n3\n' | param gain >"$tmp/three.npy"
printf '1\n2\n' | param seed >"$tmp/two.npy"
cat "$tmp/three.npy" "$tmp/two.npy" >"$tmp/len.npy"
printf '2\n3\n' | param bogus >"$tmp/bogus.npy"
printf '2\n3\n' | param phi >"$tmp/phi.npy"
printf '2\n3\n' | param output >"$tmp/output.npy"
printf '2\n3\n' | dk-cat -T -r arr_0=gain -d i8 >"$tmp/i8.npy"
"$PY" - "$tmp" <<'EOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import save_bytes
def put(name, recs):
    open(os.path.join(sys.argv[1], name), "wb").write(save_bytes(recs))
put("nan.npy", [(b'{"name": "gain"}', np.array([2.0, np.nan]))])
put("inf.npy", [(b'{"name": "gain"}', np.array([2.0, np.inf]))])
put("rank3.npy", [(b'{"name": "gain"}', np.ones((2, 1, 1)))])
put("scalar.npy", [(b'{"name": "gain"}', np.array(2.0))])
put("unnamed.npy", [(None, np.array([2.0]))])
put("empty.npy", [])
EOF
for bad in len bogus phi output i8 nan inf rank3 scalar unnamed empty; do
	fails_with 1 "a parameter stream refused: $bad" \
		dk-dmft map --params "$tmp/$bad.npy" -o "$tmp/bad.npy"
	grep -q -- "--params" "$tmp/.err"
	tap_result $? "... with a message: $(head -1 "$tmp/.err")"
done
[ ! -e "$tmp/bad.npy" ]
tap_result $? "nothing written for a refused sweep"
fails_with 1 "--params of a missing file" dk-dmft map --params "$tmp/none.npy"

# a row's value out of range: exit 1, the row named
printf '2\n11\n' | param gain >"$tmp/big.npy"
fails_with 1 "a gain above 10 in row 1 refused" dk-dmft map --params "$tmp/big.npy"
grep -q "row 1: --gain" "$tmp/.err"
tap_result $? "... naming the row: $(cat "$tmp/.err")"
# a row with no solution: exit 1, the row named
printf '2\n1.000001\n' | param gain >"$tmp/near.npy"
fails_with 1 "scs at g = 1.000001 in row 1 refused" \
	dk-dmft scs --tau-max 1 --params "$tmp/near.npy"
grep -q "row 1: no solution" "$tmp/.err"
tap_result $? "... naming the row"
# rows of different shapes
printf '2\n3\n' | param tau-max >"$tmp/taumax.npy"
fails_with 1 "a sweep over tau-max (shapes differ) refused" \
	dk-dmft scs --params "$tmp/taumax.npy"
grep -q "row 1: dmft/tau is <f8 (31,), row 0's was <f8 (21,)" "$tmp/.err"
tap_result $? "... saying which record and shapes"

done_testing
