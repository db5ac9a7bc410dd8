#!/bin/sh
# run.sh -- dk-run against a NumPy reference: the rnn forward pass
# written out in NumPy from the model's own tensors (states and readout
# to 1e-12 relative), the losses of a regression and a classification
# task recomputed in NumPy, plain .npy input, h0, and errors.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# the checks' common part (pycheck in lib.sh puts it first): description; Python on stdin; M, I, R: records of model, input, result
cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
from math import erf
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
M, I, R = load("$tmp/m.npy"), load("$tmp/in.npy"), load("$tmp/out.npy")
def forward(act, x0=None):
    W, V, b = M["model/W"], M["model/V"], M["model/b"]
    Wo, bo = M["model/readout/W"], M["model/readout/b"]
    u = I["input"] if "input" in I else list(I.values())[0]
    h = np.zeros((u.shape[1], W.shape[0])) if x0 is None else x0
    hs, ys = [], []
    for t in range(u.shape[0]):
        h = act(h @ W.T + u[t] @ V.T + b)
        hs.append(h)
        ys.append(h @ Wo.T + bo)
    return np.array(hs), np.array(ys)
def close(a, b, tol=1e-12):
    return a.shape == b.shape and np.abs(a - b).max() <= tol * max(1, np.abs(b).max())
EOF

dk-init rnn --units 12 --inputs 3 --outputs 3 --act tanh --gain 1.3 --seed 4 >"$tmp/m.npy"
dk-gen flipflop --batch 5 --length 40 --seed 8 >"$tmp/in.npy"
ok "flip-flop run exits 0" dk-run -o "$tmp/out.npy" "$tmp/m.npy" "$tmp/in.npy"
pycheck "tanh rnn: states and outputs equal NumPy's forward pass to 1e-12" <<'EOF'
hs, ys = forward(np.tanh)
assert close(R["states"], hs) and close(R["output"], ys)
EOF
pycheck "mse loss equals NumPy's over the masked steps" <<'EOF'
y, t, m = R["output"], I["target"], I["mask"]
want = (m[..., None] * (y - t) ** 2).sum() / (m.sum() * y.shape[2])
assert abs(R["run/loss"] - want) <= 1e-12 * want and "run/accuracy" not in R
EOF

dk-init rnn --units 10 --inputs 10 --outputs 10 --act relu --init identity --seed 2 >"$tmp/m.npy"
dk-gen copy --batch 3 --length 5 --seed 1 >"$tmp/in.npy"
ok "copy-task run exits 0" dk-run -o "$tmp/out.npy" "$tmp/m.npy" "$tmp/in.npy"
pycheck "iRNN: states equal NumPy's forward pass" <<'EOF'
hs, ys = forward(lambda a: np.maximum(a, 0))
assert close(R["states"], hs) and close(R["output"], ys)
EOF
pycheck "cross-entropy and accuracy equal NumPy's" <<'EOF'
y, lab, m = R["output"], I["target"], I["mask"]
z = y - y.max(axis=2, keepdims=True)
logp = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
w = m > 0
nll = -np.take_along_axis(logp, np.where(w, lab, 0)[..., None], axis=2)[..., 0]
want = (m * nll).sum() / m.sum()
acc = (m * (y.argmax(axis=2) == lab)).sum() / m.sum()
assert abs(R["run/loss"] - want) <= 1e-12 * want and abs(R["run/accuracy"] - acc) < 1e-15
EOF

# a plain .npy of PyTorch's layout, and an initial state
dk-init rnn --units 6 --inputs 2 --outputs 1 --act erf --seed 3 >"$tmp/m.npy"
"$PY" -c "
import numpy as np
rng = np.random.default_rng(5)
np.save('$tmp/in.npy', rng.standard_normal((7, 4, 2)))
np.save('$tmp/h0.npy', rng.standard_normal((4, 6)))
"
ok "plain .npy input exits 0" dk-run -o "$tmp/out.npy" "$tmp/m.npy" "$tmp/in.npy"
# erf through math.erf, vectorised (SciPy is not a dependency)
pycheck "erf rnn on a plain .npy: NumPy's forward pass, with erf(sqrt(pi) x / 2)" <<'EOF'
verf = np.vectorize(erf)
hs, ys = forward(lambda a: verf(np.sqrt(np.pi) / 2 * a))
assert close(R["states"], hs) and "run/loss" not in R
EOF
"$PY" -c "
import io, json, numpy as np
with open('$tmp/in2.npy', 'wb') as f:
    for n, a in (('input', np.load('$tmp/in.npy')), ('h0', np.load('$tmp/h0.npy'))):
        np.save(f, np.array(json.dumps({'name': n}).encode()))
        np.save(f, a)
"
cp "$tmp/in2.npy" "$tmp/in.npy"
ok "input with h0 exits 0" dk-run -o "$tmp/out.npy" "$tmp/m.npy" "$tmp/in.npy"
pycheck "h0 sets the initial state" <<'EOF'
verf = np.vectorize(erf)
hs, ys = forward(lambda a: verf(np.sqrt(np.pi) / 2 * a), I["h0"])
assert close(R["states"], hs)
EOF
ok "--no-states leaves the states out" sh -c "dk-run --no-states '$tmp/m.npy' '$tmp/in.npy' | dk-info | awk '{ print \$2 }' | grep -qx output"
is "$(dk-run --no-states "$tmp/m.npy" "$tmp/in.npy" | dk-info | awk '$2 == "states"' | wc -l)" 0 "and no states record"
ok "the input may come on standard input" sh -c "dk-run '$tmp/m.npy' < '$tmp/in.npy' | cmp - '$tmp/out.npy'"

fails_with 2 "no model is a usage error" dk-run
fails_with 2 "model and input both on stdin" dk-run - -
dk-gen copy --batch 2 --length 5 >"$tmp/copy.npy"
fails_with 1 "an input of the wrong width (10 features, model takes 2)" dk-run "$tmp/m.npy" "$tmp/copy.npy"
dk-gen adding --batch 2 --length 5 >"$tmp/add.npy"
fails_with 1 "a model file that is not a model" dk-run "$tmp/add.npy" "$tmp/add.npy"
fails_with 1 "a missing model file" dk-run "$tmp/none.npy" "$tmp/add.npy"
done_testing
