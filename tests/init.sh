#!/bin/sh
# init.sh -- dk-init: the model it writes, read by NumPy alone and
# checked against what each initialisation promises (identity, Haar
# orthogonal, Gaussian variance gain^2/N; the wrnn's shift kernel and solo
# input; for gru and lstm PyTorch's shapes and uniform bound), the
# parameter count (12,724 for the Wave-RNN paper's copy-task model), the
# attrs, determinism, and usage errors; for the ctrnn also its low-rank
# part and the continuous-time settings (dt, tau, integrator, rank).
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# the checks' common part (pycheck in lib.sh puts it first): R =
# {name: (meta, array)} of the file pycheck is given
cat >"$tmp/common.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
R = {name(r, i): (json.loads(r[0]) if r[0] else None, r[1])
     for i, r in enumerate(records(sys.argv[1]))}
EOF

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
# ---- ctrnn ----
for phi in tanh erf relu; do
	ok "ctrnn --phi $phi exits 0" dk-init ctrnn --units 20 --gain 1.5 --phi $phi --dt 0.05 -o "$tmp/ct-$phi.npy"
done
pycheck "ctrnn: tensors J B b and the readout, no m n at rank 0; act from --phi" "$tmp/ct-erf.npy" <<'EOF2'
assert list(R) == ["model/J", "model/B", "model/b", "model/readout/W", "model/readout/b"], list(R)
assert R["model/J"][1].shape == (20, 20) and R["model/J"][0]["axes"] == ["unit", "unit_in"]
assert R["model/B"][1].shape == (20, 1) and R["model/B"][0]["axes"] == ["unit", "input"]
assert R["model/b"][1].shape == (20,) and not R["model/b"][1].any()
m = R["model/J"][0]["attrs"]["model"]
assert (m["kind"], m["act"], m["gain"], m["dt"]) == ("ctrnn", "erf", 1.5, 0.05), m
assert (m["tau"], m["integrator"], m["rank"]) == (1.0, "euler", 0), m
EOF2
dk-init ctrnn --units 20 --gain 1.5 --act erf --dt 0.05 >"$tmp/ct-act.npy"
ok "ctrnn: --phi is --act (the same bytes)" cmp "$tmp/ct-act.npy" "$tmp/ct-erf.npy"

ok "ctrnn with rank, rk4, dt, tau exits 0" dk-init ctrnn --units 400 --inputs 3 --outputs 2 \
	--gain 2 --rank 5 --integrator rk4 --dt 0.02 --tau 3 --seed 9 -o "$tmp/ct-lr.npy"
pycheck "ctrnn: attrs and provenance record dt, tau, integrator and rank" "$tmp/ct-lr.npy" <<'EOF2'
for k, (meta, a) in R.items():
    m = meta["attrs"]["model"]
    assert (m["kind"], m["units"], m["inputs"], m["outputs"]) == ("ctrnn", 400, 3, 2), m
    assert (m["dt"], m["tau"], m["integrator"], m["rank"]) == (0.02, 3.0, "rk4", 5), m
    p = meta["attrs"]["provenance"]["options"]
    assert (p["dt"], p["tau"], p["integrator"], p["rank"]) == (0.02, 3.0, "rk4", 5), p
    assert len(meta["axes"]) == a.ndim
EOF2
pycheck "ctrnn: m and n are units x rank, axes [unit, rank]; the parameter count" "$tmp/ct-lr.npy" <<'EOF2'
for k in ("model/m", "model/n"):
    assert R[k][1].shape == (400, 5), R[k][1].shape
    assert R[k][0]["axes"] == ["unit", "rank"]
assert sum(a.size for m, a in R.values()) == 400**2 + 400*3 + 400 + 2*400*5 + 2*400 + 2
EOF2
# J: 160000 draws of variance 4/400, sample-variance standard error 0.35 %;
# m and n: 4000 draws of variance 1, standard error 2.2 %.
pycheck "ctrnn: J has mean 0 and variance gain^2/N within 3 %" "$tmp/ct-lr.npy" <<'EOF2'
J = R["model/J"][1]
v = 4 / 400
assert abs(J.mean()) < 3 * np.sqrt(v / J.size), J.mean()
assert abs(J.var() / v - 1) < 0.03, J.var() / v
EOF2
pycheck "ctrnn: m and n entries have variance 1 within 10 %" "$tmp/ct-lr.npy" <<'EOF2'
mn = np.concatenate([R["model/m"][1].ravel(), R["model/n"][1].ravel()])
assert abs(mn.var() - 1) < 0.1, mn.var()
EOF2
pycheck "ctrnn: B uniform within 1/sqrt(N), b = 0" "$tmp/ct-lr.npy" <<'EOF2'
assert np.all(np.abs(R["model/B"][1]) <= 1 / np.sqrt(400))
assert not R["model/b"][1].any()
EOF2
pycheck "rnn: no continuous-time attrs" "$tmp/irnn.npy" <<'EOF2'
for k, (meta, a) in R.items():
    assert "dt" not in meta["attrs"]["model"] and "dt" not in meta["attrs"]["provenance"]["options"]
EOF2

fails_with 2 "ctrnn: unknown integrator" dk-init ctrnn --integrator midpoint
fails_with 2 "ctrnn: dt 0" dk-init ctrnn --dt 0
fails_with 2 "ctrnn: negative tau" dk-init ctrnn --tau -1
fails_with 2 "ctrnn: rank above units" dk-init ctrnn --units 4 --rank 5
fails_with 2 "ctrnn: unknown --phi" dk-init ctrnn --phi sigmoid
fails_with 2 "ctrnn: an initialisation it has not" dk-init ctrnn --init identity
fails_with 2 "--dt for a discrete-time model" dk-init rnn --dt 0.1
fails_with 2 "--rank for a discrete-time model" dk-init rnn --rank 2
# ---- wrnn: the Wave-RNN ----
ok "wrnn exits 0" dk-init wrnn --channels 6 --units 100 --inputs 10 --outputs 10 -o "$tmp/wrnn.npy"
pycheck "wrnn: 12,724 parameters (108 + 6 + 6000 + 600 + 6000 + 10), as in the paper's code" "$tmp/wrnn.npy" <<'EOF'
want = [("model/conv/W", (6, 6, 3)), ("model/conv/b", (6,)), ("model/V", (600, 10)),
        ("model/b", (600,)), ("model/readout/W", (10, 600)), ("model/readout/b", (10,))]
got = [(k, a.shape) for k, (m, a) in R.items()]
assert got == want, got
assert sum(a.size for m, a in R.values()) == 12724
EOF
pycheck "wrnn: shift kernel W[k][k] = [0, 0, 1], all else 0, conv bias 0" "$tmp/wrnn.npy" <<'EOF'
W = R["model/conv/W"][1]
want = np.zeros((6, 6, 3))
for k in range(6):
    want[k, k, 2] = 1
assert np.array_equal(W, want), W
assert not R["model/conv/b"][1].any()
assert R["model/conv/W"][0]["axes"] == ["channel_out", "channel_in", "tap"]
EOF
pycheck "wrnn: solo V (weight 1 from every input into unit 0 of each ring), b = 0" "$tmp/wrnn.npy" <<'EOF'
V = R["model/V"][1].reshape(6, 100, 10)
want = np.zeros((6, 100, 10))
want[:, 0, :] = 1
assert np.array_equal(V, want)
assert not R["model/b"][1].any()
EOF
# --init authors: the same kernel and input, and the biases the authors'
# code leaves at PyTorch's default draws.  With zero input and h0 = 0 the
# shift kernel only moves a ring's activity round it, so each unit of
# ring k is t max(b_k, 0) after t steps: the growth the default bias
# gives (to t eps |b_k| for the repeated sums).
ok "wrnn --init authors" dk-init wrnn --init authors --channels 6 --units 10 --inputs 1 --outputs 3 \
	--seed 4 -o "$tmp/wa.npy"
pycheck "authors: shift kernel, solo V, conv bias within 1/sqrt(18), readout bias within 1/sqrt(60), both drawn" "$tmp/wa.npy" <<'EOF'
W, cb, rb = R["model/conv/W"][1], R["model/conv/b"][1], R["model/readout/b"][1]
want = np.zeros((6, 6, 3))
for k in range(6):
    want[k, k, 2] = 1
assert np.array_equal(W, want)
assert (np.abs(cb) <= 1 / np.sqrt(18)).all() and len(set(cb)) == 6 and (cb > 0).any() and (cb < 0).any(), cb
assert (np.abs(rb) <= 1 / np.sqrt(60)).all() and len(set(rb)) == 3, rb
assert not R["model/b"][1].any()
assert R["model/conv/W"][0]["attrs"]["model"]["init"] == "authors"
EOF
"$PY" -c "
import json, numpy as np
with open('$tmp/z.npy', 'wb') as f:
    np.save(f, np.array(json.dumps({'name': 'input'}).encode()))
    np.save(f, np.zeros((20, 1, 1)))"
dk-run "$tmp/wa.npy" "$tmp/z.npy" >"$tmp/warun.npy"
pycheck "authors: with no input, ring k grows by max(b_k, 0) a step" "$tmp/warun.npy" <<EOF
S = R["states"][1][:, 0, :].reshape(20, 6, 10)
M = {name(r, i): r[1] for i, r in enumerate(records("$tmp/wa.npy"))}
b = np.maximum(M["model/conv/b"], 0)
t = np.arange(1, 21)[:, None, None]
want = t * b[None, :, None] * np.ones((1, 1, 10))
assert np.abs(S - want).max() <= 20 * np.finfo(float).eps * b.max(), np.abs(S - want).max()
assert S[-1].max() > 1          # the positive biases have grown
EOF
pycheck "wrnn attrs: kind, channels, units per ring, relu, shift" "$tmp/wrnn.npy" <<'EOF'
for k, (meta, a) in R.items():
    m = meta["attrs"]["model"]
    assert (m["kind"], m["channels"], m["units"], m["state_size"]) == ("wrnn", 6, 100, 600), m
    assert (m["act"], m["init"]) == ("relu", "shift"), m
    assert meta["attrs"]["provenance"]["options"]["channels"] == 6
EOF
pycheck "wrnn shift: the kernel as PyTorch's circular Conv1d moves h[k][i+1] to i" "$tmp/wrnn.npy" <<'EOF'
W = R["model/conv/W"][1]
h = np.random.default_rng(0).random((6, 100))
P = np.concatenate([h[:, -1:], h, h[:, :1]], axis=1)
out = sum(W[:, :, d] @ P[:, d:d + 100] for d in range(3))
assert np.array_equal(out, np.roll(h, -1, axis=1))
EOF
ok "wrnn random exits 0" dk-init wrnn --channels 60 --units 3 --init random --gain 2 --seed 4 -o "$tmp/wrand.npy"
# 3 c^2 = 10800 draws of variance 4/180: the sample variance's standard
# error is 1.4 % of it; allow 6 %.
pycheck "wrnn random: kernel variance gain^2/(3c) within 6 %, V and b within 1/sqrt(cn)" "$tmp/wrand.npy" <<'EOF'
W = R["model/conv/W"][1]
assert abs(W.var() / (4 / 180) - 1) < 0.06, W.var() * 45
for k in ("model/V", "model/b"):
    assert np.all(np.abs(R[k][1]) <= 1 / np.sqrt(180))
assert R["model/V"][1].shape == (180, 1)
EOF
dk-init wrnn --channels 3 --units 5 --init random --seed 2 >"$tmp/w1.npy"
dk-init wrnn --channels 3 --units 5 --init random --seed 2 >"$tmp/w2.npy"
ok "wrnn: the same seed gives the same bytes" cmp "$tmp/w1.npy" "$tmp/w2.npy"
ok "wrnn --act relu is accepted" dk-init wrnn --act relu -o "$tmp/w3.npy"
fails_with 2 "wrnn with another nonlinearity" dk-init wrnn --act tanh
fails_with 2 "wrnn with an rnn initialisation" dk-init wrnn --init identity
fails_with 2 "wrnn with zero channels" dk-init wrnn --channels 0
fails_with 2 "--channels for an rnn" dk-init rnn --channels 2

fails_with 2 "no model is a usage error" dk-init
fails_with 2 "unknown model kind" dk-init nosuchmodel
fails_with 2 "unknown initialisation" dk-init rnn --init nosuchinit
fails_with 2 "unknown nonlinearity" dk-init rnn --act nosuchact
fails_with 2 "zero units" dk-init rnn --units 0
fails_with 2 "a gain that is not a number" dk-init rnn --gain abc
for g in nan inf -inf 1e400 1e-400 1x; do
	fails_with 2 "--gain $g: a usage error" dk-init rnn --units 4 --gain "$g"
	grep -q "^dk-init: --gain: '$g' is \(not a finite number\|too small to hold\)" "$tmp/.err"
	tap_result $? "--gain $g: the message names --gain"
done
# counts in plain digits are read exactly, past the 2^53 a double holds
dk-init rnn --units 2 --seed 3074457345618258603 >"$tmp/bigseed.npy"
dk-info -v "$tmp/bigseed.npy" | grep -q '"seed":3074457345618258603[,}]'
tap_result $? "a seed above 2^53 is kept to the last digit"
fails_with 2 "a count above 2^63 is a usage error" dk-init rnn --seed 9223372036854775809
fails_with 1 "an unwritable -o" dk-init rnn -o /nonexistent-dir/m.npy
done_testing
