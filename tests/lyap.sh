#!/bin/sh
# lyap.sh -- dk-lyap against independent values: a normal linear map
# built in NumPy (exponents = log |eigenvalues|), the mean-field largest
# exponent of a large random tanh network (Gauss-Hermite quadrature in
# NumPy), a continuous-time model's units, a driven run against the
# same run at its states, reproducibility, -o, and bad input.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name, save_bytes, load, meta
def rewrite(src, dst, **new):
    """The model stream src with the tensors named in new replaced."""
    out = []
    for i, (raw, a) in enumerate(records(src)):
        key = name((raw, a), i).replace("model/", "")
        out.append((raw, new.get(key, a)))
    open(dst, "wb").write(save_bytes(out))
EOF

# A normal map W = U diag(d) U^T, with U Haar-orthogonal from NumPy:
# its exponents are log |d|, sorted.
dk-init rnn --units 8 --act identity --seed 1 >"$tmp/lin0.npy"
pycheck "a NumPy-made normal linear map" <<EOF
rng = np.random.default_rng(3)
U, _ = np.linalg.qr(rng.standard_normal((8, 8)))
d = np.array([1.3, -1.1, 0.95, 0.8, -0.6, 0.4, 0.2, -0.1])
np.save("$tmp/d.npy", d)
rewrite("$tmp/lin0.npy", "$tmp/lin.npy", W=U @ np.diag(d) @ U.T, b=np.zeros(8))
EOF
"$PY" -c "import numpy as np; np.save('$tmp/zero.npy', np.zeros((1, 8)))"
ok "dk-lyap runs on it from the zero state" \
	dk-lyap -T 500 --basis-transient 200 -o "$tmp/lin.out" "$tmp/lin.npy" "$tmp/zero.npy"
pycheck "exponents = sorted log |eigenvalues| to 1e-10; the sum rule; KY" <<EOF
R = load("$tmp/lin.out")
want = np.sort(np.log(np.abs(np.load("$tmp/d.npy"))))[::-1]
assert np.abs(R["lyap/exponents"] - want).max() < 1e-10, R["lyap/exponents"] - want
s = np.cumsum(want); j = np.nonzero(s >= 0)[0].max() + 1
assert abs(R["lyap/dimension"] - (j + s[j - 1] / abs(want[j]))) < 1e-9
assert abs(R["lyap/entropy"] - want[want > 0].sum()) < 1e-10
assert R["lyap/trace"].shape == (20, 8) and R["lyap/trace_steps"][-1] == 500
assert meta("$tmp/lin.out")["lyap/exponents"]["attrs"]["lyap"]["units"] == "per step"
EOF
ok "--qr cholesky --every 4 on it" \
	dk-lyap -T 500 --basis-transient 200 --qr cholesky -e 4 -o "$tmp/linq.out" \
	"$tmp/lin.npy" "$tmp/zero.npy"
pycheck "one Cholesky pass every 4 steps: log |eigenvalues| to 1e-10; qr in the attrs" <<EOF
R = load("$tmp/linq.out")
want = np.sort(np.log(np.abs(np.load("$tmp/d.npy"))))[::-1]
assert np.abs(R["lyap/exponents"] - want).max() < 1e-10, R["lyap/exponents"] - want
a = meta("$tmp/linq.out")["lyap/exponents"]["attrs"]
assert a["lyap"]["qr"] == "cholesky" and a["provenance"]["options"]["qr"] == "cholesky", a
# the default names no QR method, but its second passes
a = meta("$tmp/lin.out")["lyap/exponents"]["attrs"]
assert "qr" not in a["lyap"] and "qr" not in a["provenance"]["options"], a
assert a["lyap"]["second_passes"] == 0, a
EOF
ok "--qr cholesky2 (the default before auto) on it" \
	dk-lyap -T 500 --basis-transient 200 --qr cholesky2 -o "$tmp/lin2.out" \
	"$tmp/lin.npy" "$tmp/zero.npy"
pycheck "CholeskyQR2: log |eigenvalues| to 1e-10; qr in the attrs, no second passes" <<EOF
R = load("$tmp/lin2.out")
want = np.sort(np.log(np.abs(np.load("$tmp/d.npy"))))[::-1]
assert np.abs(R["lyap/exponents"] - want).max() < 1e-10, R["lyap/exponents"] - want
a = meta("$tmp/lin2.out")["lyap/exponents"]["attrs"]
assert a["lyap"]["qr"] == "cholesky2" and "second_passes" not in a["lyap"], a
EOF

# The mean-field largest exponent of x' = tanh(W x), W_ij ~ N(0, g^2/N):
# l1 = log(g^2 <phi'(sqrt(q) z)^2>) / 2 with q = g^2 <phi(sqrt(q) z)^2>.
# At N = 1000 the finite-size shift is about 1-2% (below the limit) and
# the run's standard error about 1%: the tolerance is 5%.
dk-init rnn --units 1000 --gain 2 --seed 5 >"$tmp/big0.npy"
pycheck "a random tanh network, N = 1000, g = 2, zero bias" <<EOF
M = load("$tmp/big0.npy")
rewrite("$tmp/big0.npy", "$tmp/big.npy", b=np.zeros_like(M["model/b"]))
EOF
ok "dk-lyap -k 1 on it" dk-lyap -k 1 -T 1500 --transient 100 --basis-transient 100 \
	-o "$tmp/big.out" "$tmp/big.npy"
pycheck "l1 within 5% of the mean-field value (Gauss-Hermite quadrature)" <<EOF
from numpy.polynomial.hermite_e import hermegauss
z, w = hermegauss(100)
w = w / w.sum()
g, q = 2.0, 1.0
for _ in range(500):
    q = g * g * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2)
l1 = 0.5 * np.log(g * g * np.sum(w * (1 - np.tanh(np.sqrt(q) * z) ** 2) ** 2))
got = load("$tmp/big.out")["lyap/exponents"][0]
print("# mean field %.5f, N = 1000: %.5f" % (l1, got))
assert abs(l1 - 0.15471) < 1e-4 and abs(got - l1) < 0.05 * l1, (got, l1)
EOF

# A continuous-time model: exponents per unit time; and the check.
dk-init ctrnn --units 30 --gain 2.5 --seed 2 >"$tmp/ct.npy"
ok "a ctrnn, with --check" dk-lyap -k 2 -T 600 --check -o "$tmp/ct.out" "$tmp/ct.npy"
pycheck "its units are per unit time, with dt 0.1; the check agrees" <<EOF
m = meta("$tmp/ct.out")
a = m["lyap/exponents"]["attrs"]["lyap"]
assert a["units"] == "per unit time" and a["step_time"] == 0.1
c = m["lyap/check"]["attrs"]["lyap"]
assert c["agrees"] and abs(load("$tmp/ct.out")["lyap/check"] - c["qr"]) <= c["tolerance"]
EOF

# Driven: the flip-flop input entry 1; the same run from dk-run's state
# after the transient must give the same spectrum with --transient 0
# (the trajectory is the same, to rounding).
dk-init rnn --units 12 --inputs 3 --outputs 3 --gain 1.5 --seed 4 >"$tmp/ff.npy"
dk-gen flipflop --batch 3 --length 400 --seed 2 >"$tmp/ffin.npy"
ok "driven by the flip-flop input, entry 1" dk-lyap -k 4 --entry 1 --transient 0 \
	--basis-transient 50 -o "$tmp/ff1.out" "$tmp/ff.npy" "$tmp/ffin.npy"
pycheck "350 measured steps by default, and attrs naming the entry" <<EOF
m = meta("$tmp/ff1.out")["lyap/exponents"]["attrs"]["lyap"]
assert m["steps"] == 350 and m["start"] == "input entry 1 from zero", m
EOF
ok "--tangent jacobian gives the same exponents" sh -c "dk-lyap -k 4 --entry 1 --transient 0 \
	--basis-transient 50 --tangent jacobian '$tmp/ff.npy' '$tmp/ffin.npy' >'$tmp/ff2.out'"
pycheck "to 1e-10" <<EOF
a, b = load("$tmp/ff1.out"), load("$tmp/ff2.out")
assert np.abs(a["lyap/exponents"] - b["lyap/exponents"]).max() < 1e-10
EOF
ok "the same seed gives the same bytes; -o equals stdout" sh -c \
	"dk-lyap -k 4 --entry 1 --transient 0 --basis-transient 50 '$tmp/ff.npy' '$tmp/ffin.npy' | cmp - '$tmp/ff1.out'"
ok "--k 4 is -k 4" sh -c \
	"dk-lyap --k 4 --entry 1 --transient 0 --basis-transient 50 '$tmp/ff.npy' '$tmp/ffin.npy' | cmp - '$tmp/ff1.out'"
ok "the model may come on standard input" sh -c \
	"dk-lyap -k 3 -T 50 < '$tmp/ct.npy' >/dev/null"
ok "a start from dk-run's states (--point)" sh -c \
	"dk-run '$tmp/ff.npy' '$tmp/ffin.npy' | dk-lyap -k 2 -T 50 --point 7 '$tmp/ff.npy' - >'$tmp/pt.out'"
pycheck "says where it started" <<EOF
assert meta("$tmp/pt.out")["lyap/exponents"]["attrs"]["lyap"]["start"] == "point 7 of states"
EOF

# edges: one measured step (no standard errors), a zero Jacobian (-inf)
ok "--check with one measured step" sh -c "dk-lyap --check -T 1 --transient 0 --basis-transient 0 '$tmp/lin.npy' >'$tmp/one.out'"
dk-init rnn --units 4 --act relu --init identity --gain 0 >"$tmp/dead.npy"
ok "--check on a map whose Jacobian is zero" sh -c "dk-lyap --check -T 20 '$tmp/dead.npy' >'$tmp/dead.out'"
pycheck "NaN standard errors, null in the attrs; -inf exponents, dimension 0" <<EOF
R, m = load("$tmp/one.out"), meta("$tmp/one.out")
assert np.isnan(R["lyap/stderr"]).all() and m["lyap/check"]["attrs"]["lyap"]["stderr"] is None
R = load("$tmp/dead.out")
assert np.isneginf(R["lyap/exponents"]).all() and R["lyap/dimension"] == 0
assert R["lyap/entropy"] == 0 and meta("$tmp/dead.out")["lyap/check"]["attrs"]["lyap"]["agrees"]
EOF

fails_with 1 "more exponents than units" dk-lyap -k 9 "$tmp/lin.npy"
fails_with 1 "an input too short for -T" dk-lyap -T 1000 "$tmp/ff.npy" "$tmp/ffin.npy"
fails_with 1 "--entry past the batch" dk-lyap --entry 3 "$tmp/ff.npy" "$tmp/ffin.npy"
fails_with 1 "an input of the wrong width" dk-lyap "$tmp/lin.npy" "$tmp/ffin.npy"
fails_with 1 "--point past the states" dk-lyap --point 1 "$tmp/lin.npy" "$tmp/zero.npy"
fails_with 1 "a stream without a model" dk-lyap "$tmp/ffin.npy"
fails_with 1 "a missing model file" dk-lyap "$tmp/none.npy"
"$PY" -c "import numpy as np; np.save('$tmp/big.npy', np.full((1, 8), 1e300))"
dk-init rnn --units 8 --act identity --init identity --gain 2 >"$tmp/grow.npy"
fails_with 1 "a trajectory that overflows" dk-lyap "$tmp/grow.npy" "$tmp/big.npy"
# A trajectory that grows without bound has no attractor: x' = 2x from a
# random start passes the default bound 1e8 within 30 steps (its
# entries are N(0, 1)) and is refused; with --allow-divergence it is
# measured, the exponents are log 2 exactly (the Jacobian is 2 I), and
# dimension and entropy are NaN, not a report of chaos.
fails_with 1 "a diverging trajectory" dk-lyap -T 200 "$tmp/grow.npy"
grep -q "the trajectory diverges: an entry of the state is .* beyond the bound 1e+08" "$tmp/.err"
tap_result $? "the message says it diverges, and the bound"
ok "--allow-divergence measures it" sh -c \
	"dk-lyap --allow-divergence --transient 0 --basis-transient 0 -T 200 '$tmp/grow.npy' >'$tmp/grow.out'"
grep -q "diverges after step" "$tmp/.err"
tap_result $? "with a warning"
pycheck "exponents log 2, dimension and entropy NaN, the step in the attrs" <<EOF
R, a = load("$tmp/grow.out"), meta("$tmp/grow.out")["lyap/exponents"]["attrs"]["lyap"]
assert np.abs(R["lyap/exponents"] - np.log(2)).max() < 1e-12, R["lyap/exponents"]
assert np.isnan(R["lyap/dimension"]) and np.isnan(R["lyap/entropy"])
assert 1 <= a["diverged_after"] <= 40 and a["max_state"] == 1e8, a
EOF
ok "--max-state 1e300 lets it run" sh -c "dk-lyap --max-state 1e300 -T 200 '$tmp/grow.npy' >'$tmp/grow2.out'"
pycheck "a bounded run says nothing diverged" <<EOF
assert meta("$tmp/grow2.out")["lyap/exponents"]["attrs"]["lyap"]["diverged_after"] is None
EOF
fails_with 2 "--max-state 0" dk-lyap --max-state 0 "$tmp/lin.npy"
fails_with 2 "--exponents 0" dk-lyap -k 0 "$tmp/lin.npy"
fails_with 2 "--blocks 1" dk-lyap --blocks 1 "$tmp/lin.npy"
fails_with 2 "--every 0" dk-lyap -e 0 "$tmp/lin.npy"
fails_with 2 "an unknown --tangent" dk-lyap --tangent dense "$tmp/lin.npy"
fails_with 2 "an unknown --qr" dk-lyap --qr gram "$tmp/lin.npy"
fails_with 2 "three operands" dk-lyap a b c
fails_with 2 "model and input both on stdin" dk-lyap - -
done_testing
