#!/bin/sh
# fixed_torch.sh -- the fixed points of a flip-flop network trained in
# PyTorch (data/flipflop_torch32.npz, made by data/make_flipflop_torch.py),
# brought in with dk-import.  The imported model must reproduce the
# states and readout PyTorch recorded for a probe input; then dk-gen |
# dk-run | dk-fixed | dk-jac must find exactly 8 stable fixed points, one
# per sign pattern of the 3 bits, and saddles with their index, every
# fixed point checked in NumPy against the fixture's own tensors (not the
# imported ones).  PyTorch is not needed: the fixture is committed.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start
npz="$data/flipflop_torch32.npz"

# the checks' common part (pycheck in lib.sh puts it first): description; Python on stdin, with Z (the fixture) and load()
cat >"$tmp/common.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
Z = dict(np.load("$npz"))
W, b = Z["rnn.weight_hh_l0"], Z["rnn.bias_ih_l0"] + Z["rnn.bias_hh_l0"]
Wo, bo = Z["readout.weight"], Z["readout.bias"]
EOF

ok "dk-import reads the state_dict" dk-import -o "$tmp/net.npy" "$npz"
pycheck "the model's tensors are PyTorch's: W = weight_hh, V = weight_ih, b = the two biases' sum" <<EOF
M = load("$tmp/net.npy")
assert np.array_equal(M["model/W"], W) and np.array_equal(M["model/b"], b)
assert np.array_equal(M["model/V"], Z["rnn.weight_ih_l0"])
assert np.array_equal(M["model/readout/W"], Wo) and np.array_equal(M["model/readout/b"], bo)
EOF

# the probe: PyTorch's own states and readout for a short input
"$PY" -c "import numpy as np; np.save('$tmp/u.npy', np.load('$npz')['probe.input'])"
ok "dk-run on the probe input" dk-run -o "$tmp/probe.npy" "$tmp/net.npy" "$tmp/u.npy"
pycheck "dk-run gives PyTorch's states and readout of the probe to 1e-10" <<EOF
R = load("$tmp/probe.npy")
assert R["states"].shape == Z["probe.states"].shape, R["states"].shape
assert np.abs(R["states"] - Z["probe.states"]).max() < 1e-10
assert np.abs(R["output"] - Z["probe.output"]).max() < 1e-10
EOF

# the pipeline of the flip-flop analysis; tee keeps fp/kind, which
# dk-jac does not pass on
ok "dk-gen | dk-run | dk-fixed --sample 256 | dk-jac" sh -c "
	dk-gen flipflop --batch 16 --length 100 --seed 7 | dk-run '$tmp/net.npy' |
	dk-fixed --sample 256 --seed 1 '$tmp/net.npy' | tee '$tmp/fp.npy' |
	dk-jac '$tmp/net.npy' >'$tmp/jac.npy'"
pycheck "exactly 8 stable fixed points (NumPy's |eig| < 1), |F(x) - x| < 1e-10 at every fixed point, the rest saddles of index >= 1" <<EOF
F, J = load("$tmp/fp.npy"), load("$tmp/jac.npy")
fixed = F["fp/kind"] == 1
assert np.array_equal(J["jac/x"], F["fp/x"])
x, idx = F["fp/x"][fixed], J["jac/index"][fixed]
assert np.abs(np.tanh(x @ W.T + b) - x).max() < 1e-10
E = [np.linalg.eigvals((1 - p ** 2)[:, None] * W) for p in x]
rho = np.array([np.abs(e).max() for e in E])
# dk-jac's eigenvalues are of its own Jacobian, NumPy's of (1 - x^2) W,
# the same to the 1e-10 of |F(x) - x|: 1e-8 apart at most here.  So
# jac/index, dk-jac's count of |eig| > 1 + 1e-10, lies between NumPy's
# counts above 1 + 1e-10 + 1e-8 and above 1 + 1e-10 - 1e-8.
for e, got, k in zip(E, J["jac/eig"][fixed], idx):
    assert np.abs(np.sort_complex(got) - np.sort_complex(e)).max() < 1e-8
    assert (np.abs(e) > 1 + 1e-10 + 1e-8).sum() <= k <= (np.abs(e) > 1 + 1e-10 - 1e-8).sum(), (k, np.abs(e))
assert (np.abs(rho - 1) > 1e-3).all(), rho
assert (idx == 0).sum() == 8 and (rho < 1).sum() == 8, idx
assert np.array_equal(J["jac/stable"][fixed], idx == 0)
assert (J["jac/kind"][fixed][idx > 0] == 3).all() and (idx > 0).sum() >= 1
EOF
pycheck "the 8 stable points' readouts W_out x + b_out have the 8 sign patterns of 3 bits, each entry within 0.2 of +-1" <<EOF
F, J = load("$tmp/fp.npy"), load("$tmp/jac.npy")
x = F["fp/x"][(F["fp/kind"] == 1) & (J["jac/index"] == 0)]
o = x @ Wo.T + bo
assert len({tuple(s) for s in np.sign(o).astype(int)}) == 8, o
assert np.abs(np.abs(o) - 1).max() < 0.2, o
np.save("$tmp/stable.npy", x)
import json
with open("$tmp/hold.npy", "wb") as f:
    for n, a in (("h0", x), ("input", np.zeros((5, len(x), 3)))):
        np.save(f, np.array(json.dumps({"name": n}).encode()))
        np.save(f, a)
EOF

# the readout at the stable points from dk-run itself: h0 = fp/x, no
# input (hold.npy, written above)
ok "dk-run from h0 = the stable points, 5 steps of zero input" dk-run -o "$tmp/hold_run.npy" "$tmp/net.npy" "$tmp/hold.npy"
pycheck "dk-run holds each stable point (to 1e-10) and reads out W_out x + b_out" <<EOF
R, x = load("$tmp/hold_run.npy"), np.load("$tmp/stable.npy")
assert np.abs(R["states"] - x).max() < 1e-10
assert np.abs(R["output"] - (x @ Wo.T + bo)).max() < 1e-10
EOF

ok "dk-fixed --jac on the same starts" sh -c "
	dk-gen flipflop --batch 16 --length 100 --seed 7 | dk-run '$tmp/net.npy' |
	dk-fixed --jac --sample 256 --seed 1 '$tmp/net.npy' >'$tmp/fpj.npy'"
# exact: --jac runs the same search and then adds each point's spectrum,
# by the Jacobian and LAPACK call dk-jac makes at the same x (the
# eigenvalues do not depend on the vectors dk-jac also asks for)
pycheck "dk-fixed --jac: the same points, fp/index = dk-jac's jac/index, fp/eig = jac/eig" <<EOF
F, G, J = load("$tmp/fp.npy"), load("$tmp/fpj.npy"), load("$tmp/jac.npy")
assert np.array_equal(F["fp/x"], G["fp/x"])
assert np.array_equal(G["fp/index"], J["jac/index"])
assert np.abs(G["fp/eig"] - J["jac/eig"]).max() < 1e-12
EOF

# With more and noisier starts every fixed point of the trained network
# turns up: 3^3 = 27, a cube whose readouts are the patterns of {-1, 0,
# +1}^3 and whose index is the number of zero bits (8 corners stable, 12
# edges index 1, 6 faces index 2, the centre index 3).
ok "dk-fixed --sample 3200 --noise 0.3" sh -c "
	dk-gen flipflop --batch 32 --length 100 --seed 7 | dk-run '$tmp/net.npy' |
	dk-fixed --sample 3200 --noise 0.3 --seed 1 '$tmp/net.npy' | tee '$tmp/fp27.npy' |
	dk-jac '$tmp/net.npy' >'$tmp/jac27.npy'"
pycheck "27 fixed points: each readout pattern of {-1, 0, +1}^3 once, its index the number of zero bits" <<EOF
F, J = load("$tmp/fp27.npy"), load("$tmp/jac27.npy")
fixed = F["fp/kind"] == 1
x, idx = F["fp/x"][fixed], J["jac/index"][fixed]
assert np.abs(np.tanh(x @ W.T + b) - x).max() < 1e-10
o = x @ Wo.T + bo
tern = np.where(np.abs(o) < 0.5, 0, np.sign(o)).astype(int)
assert np.abs(o - tern).max() < 0.5
assert len(x) == 27 and len({tuple(t) for t in tern}) == 27, tern
assert np.array_equal(idx, (tern == 0).sum(axis=1)), (idx, tern)
EOF
done_testing
