#!/bin/sh
# init.sh -- dk-init: the model it writes, read by NumPy alone and
# checked against what each initialisation promises (identity, Haar
# orthogonal, Gaussian variance gain^2/N), the parameter count, the
# attrs, determinism, and usage errors.
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

fails_with 2 "no model is a usage error" dk-init
fails_with 2 "unknown model kind" dk-init nosuchmodel
fails_with 2 "unknown initialisation" dk-init rnn --init nosuchinit
fails_with 2 "unknown nonlinearity" dk-init rnn --act nosuchact
fails_with 2 "zero units" dk-init rnn --units 0
fails_with 2 "a gain that is not a number" dk-init rnn --gain abc
fails_with 1 "an unwritable -o" dk-init rnn -o /nonexistent-dir/m.npy
done_testing
