#!/bin/sh
# gates_numpy.sh -- gru and lstm models written by dk-init, run by dk-run
# and stepped in NumPy by torch.nn.GRU's and torch.nn.LSTM's
# documented equations over the tensors as NumPy reads them: PyTorch's
# names, shapes and gate order in the stream, PyTorch's states out, to
# 1e-12.  (The comparison with torch itself belongs to dk-import's test.)
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# check KIND UNITS INPUTS: a model, 6 steps of a batch of 3 from a random
# state, and NumPy's own run of the same.
check() {
	kind=$1 units=$2 inputs=$3
	m="$tmp/$kind-$units-$inputs.npy"
	ok "$kind $units/$inputs: dk-init writes it" \
		dk-init "$kind" --units "$units" --inputs "$inputs" --outputs 2 --seed 3 -o "$m"
	cat >"$tmp/make.py" <<EOF
import numpy as np
rng = np.random.default_rng(5)
n = $units * (2 if "$kind" == "lstm" else 1)
np.save("$tmp/u.npy", rng.normal(size=(6, 3, $inputs)))
np.save("$tmp/x0.npy", 0.8 * rng.normal(size=(3, n)))
import json
with open("$tmp/in.npy", "wb") as f:   # the input stream dk-run reads
    for name in ("input", "h0"):
        np.save(f, np.array(json.dumps({"name": name}).encode()))
        np.save(f, np.load("$tmp/" + ("u" if name == "input" else "x0") + ".npy"))
EOF
	py_run "$tmp/make.py"
	ok "$kind $units/$inputs: dk-run runs it" \
		sh -c "dk-run '$m' '$tmp/in.npy' | dk-cat --select states --bare > '$tmp/states.npy'"
	cat >"$tmp/check.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import by_name
R = {k: a for k, (meta, a) in by_name("$m").items()}
Wih, Whh = R["model/weight_ih"], R["model/weight_hh"]
bih, bhh = R["model/bias_ih"], R["model/bias_hh"]
u, x0 = np.load("$tmp/u.npy"), np.load("$tmp/x0.npy")
got = np.load("$tmp/states.npy")
H, I = $units, $inputs
sig = lambda a: 1 / (1 + np.exp(-a))
G = 3 if "$kind" == "gru" else 4
assert Wih.shape == (G * H, I) and Whh.shape == (G * H, H), (Wih.shape, Whh.shape)
assert bih.shape == bhh.shape == (G * H,)
assert R["model/readout/W"].shape == (2, H)
want = []
if "$kind" == "gru":
    h = x0
    for t in range(u.shape[0]):
        gi = u[t] @ Wih.T + bih
        gh = h @ Whh.T + bhh
        i_r, i_z, i_n = np.split(gi, 3, axis=1)   # (W_ir|W_iz|W_in)
        h_r, h_z, h_n = np.split(gh, 3, axis=1)
        r = sig(i_r + h_r)
        z = sig(i_z + h_z)
        nn = np.tanh(i_n + r * h_n)
        h = (1 - z) * nn + z * h
        want.append(h)
else:
    h, c = x0[:, :H], x0[:, H:]
    for t in range(u.shape[0]):
        a = u[t] @ Wih.T + bih + h @ Whh.T + bhh
        i, f, g, o = np.split(a, 4, axis=1)       # (W_ii|W_if|W_ig|W_io)
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        want.append(np.concatenate([h, c], axis=1))
want = np.array(want)
assert got.shape == want.shape, (got.shape, want.shape)
err = np.abs(got - want).max()
assert err < 1e-12, err
EOF
	py_ok "$kind $units/$inputs: the states are NumPy's by PyTorch's equations" "$tmp/check.py"
}

check gru 5 3
check gru 16 1
check gru 4 0
check lstm 5 3
check lstm 16 1
check lstm 4 0

ok "lstm: dk-init writes a model" dk-init lstm --units 4 --inputs 2 -o "$tmp/l.npy"
fails_with 1 "dk-run refuses an input of the wrong width" \
	sh -c "'$PY' -c 'import numpy as np; np.save(\"$tmp/bad.npy\", np.zeros((2, 1, 3)))' &&
		dk-run '$tmp/l.npy' '$tmp/bad.npy'"
done_testing
