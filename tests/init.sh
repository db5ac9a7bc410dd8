#!/bin/sh
# init.sh -- dk-init: the model it writes, read by NumPy alone and
# checked against what each initialisation promises (identity, Haar
# orthogonal, Gaussian variance gain^2/N; for gru and lstm PyTorch's
# shapes and uniform bound), the parameter count, the attrs, determinism,
# and usage errors.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"

pycheck() { # description file; Python on stdin sees R = {name: (meta, array)}
	desc=$1 file=$2
	cat >"$tmp/check.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
R = {name(r, i): (json.loads(r[0]) if r[0] else None, r[1])
     for i, r in enumerate(records("$file"))}
EOF
	cat >>"$tmp/check.py"
	ok "$desc" "$PY" "$tmp/check.py"
}

ok "iRNN exits 0" dk-init rnn --units 5 --inputs 3 --outputs 2 --act relu --init identity -o "$tmp/irnn.npy"
pycheck "iRNN: W = I, shapes of W V b and the readout" "$tmp/irnn.npy" <<'EOF'
W = R["model/W"][1]
assert np.array_equal(W, np.eye(5)), W
assert R["model/V"][1].shape == (5, 3)
assert R["model/b"][1].shape == (5,)
assert R["model/readout/W"][1].shape == (2, 5)
assert R["model/readout/b"][1].shape == (2,)
EOF
pycheck "only model/ tensors; their count is n^2 + n m + n + o n + o" "$tmp/irnn.npy" <<'EOF'
assert all(k.startswith("model/") for k in R)
assert sum(a.size for m, a in R.values()) == 25 + 15 + 5 + 10 + 2
EOF
pycheck "attrs: kind, sizes, act, init, seed and provenance on every tensor" "$tmp/irnn.npy" <<'EOF'
for k, (meta, a) in R.items():
    m = meta["attrs"]["model"]
    assert (m["kind"], m["units"], m["inputs"], m["outputs"]) == ("rnn", 5, 3, 2), m
    assert (m["act"], m["init"], m["seed"]) == ("relu", "identity", 1), m
    assert meta["attrs"]["provenance"]["tool"] == "dk-init"
    assert len(meta["axes"]) == a.ndim
EOF
pycheck "V and b uniform within 1/sqrt(n)" "$tmp/irnn.npy" <<'EOF'
for k in ("model/V", "model/b"):
    assert np.all(np.abs(R[k][1]) <= 1 / np.sqrt(5)), R[k][1]
EOF

ok "orthogonal exits 0" dk-init rnn --units 50 --init orthogonal --gain 0.9 --seed 4 -o "$tmp/orth.npy"
pycheck "orthogonal: W^T W = gain^2 I to 1e-12" "$tmp/orth.npy" <<'EOF'
W = R["model/W"][1]
assert np.abs(W.T @ W - 0.81 * np.eye(50)).max() < 1e-12
EOF
pycheck "orthogonal: eigenvalues on the circle of radius gain" "$tmp/orth.npy" <<'EOF'
ev = np.linalg.eigvals(R["model/W"][1])
assert np.abs(np.abs(ev) - 0.9).max() < 1e-10
EOF

ok "random exits 0" dk-init rnn --units 300 --init random --gain 2 --seed 9 -o "$tmp/rand.npy"
# 90000 draws of variance 4/300: the sample variance's standard error is
# var * sqrt(2/90000) = 0.5 % of it; allow 3 %.
pycheck "random: mean 0 and variance gain^2/N within 3 %" "$tmp/rand.npy" <<'EOF'
W = R["model/W"][1]
v = 4 / 300
assert abs(W.mean()) < 3 * np.sqrt(v / W.size), W.mean()
assert abs(W.var() / v - 1) < 0.03, W.var() / v
EOF
pycheck "random: spectral radius near gain (circular law, within 10 %)" "$tmp/rand.npy" <<'EOF'
r = np.abs(np.linalg.eigvals(R["model/W"][1])).max()
assert abs(r / 2 - 1) < 0.1, r
EOF

dk-init rnn --units 8 --seed 5 >"$tmp/a.npy"
dk-init rnn --units 8 --seed 5 >"$tmp/b.npy"
dk-init rnn --units 8 --seed 6 >"$tmp/c.npy"
ok "the same seed gives the same bytes" cmp "$tmp/a.npy" "$tmp/b.npy"
! cmp -s "$tmp/a.npy" "$tmp/c.npy"
tap_result $? "another seed gives other bytes"
ok "dk-cat passes a model through unchanged" sh -c "dk-cat '$tmp/a.npy' | cmp - '$tmp/a.npy'"

# gru and lstm: PyTorch's four tensors, shapes (G units, ...) with G = 3
# and 4, every entry uniform on [-1/sqrt(units), 1/sqrt(units)].
for spec in "gru 3" "lstm 4"; do
	set -- $spec
	kind=$1 G=$2
	ok "$kind exits 0" dk-init "$kind" --units 20 --inputs 6 --outputs 3 --seed 2 -o "$tmp/$kind.npy"
	pycheck "$kind: PyTorch's names and shapes, G = $G gates; the readout" "$tmp/$kind.npy" <<EOF
G, n, m, o = $G, 20, 6, 3
want = {"model/weight_ih": (G * n, m), "model/weight_hh": (G * n, n),
        "model/bias_ih": (G * n,), "model/bias_hh": (G * n,),
        "model/readout/W": (o, n), "model/readout/b": (o,)}
assert {k: a.shape for k, (meta, a) in R.items()} == want, R.keys()
assert sum(a.size for meta, a in R.values()) == 2 * G * n + G * n * (m + n) + o * n + o
assert R["model/weight_ih"][0]["axes"] == ["gate_unit", "input"]
m = R["model/weight_ih"][0]["attrs"]["model"]
assert (m["kind"], m["units"], m["state_size"]) == ("$kind", n, n * (2 if G == 4 else 1)), m
EOF
	pycheck "$kind: every weight and bias uniform within 1/sqrt(units), reaching it" "$tmp/$kind.npy" <<'EOF'
k = 1 / np.sqrt(20)
v = np.concatenate([R[p][1].ravel() for p in
                    ("model/weight_ih", "model/weight_hh", "model/bias_ih", "model/bias_hh")])
assert np.abs(v).max() <= k, np.abs(v).max()
assert np.abs(v).max() > 0.99 * k
# uniform on [-k, k]: mean 0 and variance k^2/3, within 5 standard errors
assert abs(v.mean()) < 5 * k / np.sqrt(3 * v.size), v.mean()
assert abs(v.var() / (k * k / 3) - 1) < 5 * np.sqrt(0.8 / v.size), v.var()
# and flat: each fifth of [-k, k] holds a fifth of the draws, within 20 %
# (over 1680 draws or more, 4 standard errors)
h, _ = np.histogram(v, bins=5, range=(-k, k))
assert np.all(np.abs(h / (v.size / 5) - 1) < 0.2), h
EOF
done
fails_with 2 "gru: another nonlinearity" dk-init gru --act relu
fails_with 2 "lstm: another initialisation" dk-init lstm --init orthogonal
fails_with 2 "lstm: zero units" dk-init lstm --units 0

fails_with 2 "no model is a usage error" dk-init
fails_with 2 "unknown model kind" dk-init nosuchmodel
fails_with 2 "unknown initialisation" dk-init rnn --init nosuchinit
fails_with 2 "unknown nonlinearity" dk-init rnn --act nosuchact
fails_with 2 "zero units" dk-init rnn --units 0
fails_with 2 "a gain that is not a number" dk-init rnn --gain abc
fails_with 1 "an unwritable -o" dk-init rnn -o /nonexistent-dir/m.npy
done_testing
