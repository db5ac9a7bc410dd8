#!/bin/sh
# import_wrnn.sh -- the Wave-RNN as its authors' PyTorch cell keeps it
# (cell.Wx: nn.Linear(inputs, C n); cell.Wy: nn.Conv1d(C, C, 3, circular);
# readout: nn.Linear(C n, outputs); h' = relu(Wx x + Wy * h)): a
# state_dict written by NumPy, imported, run by dk-run and compared with
# the cell's equations run in NumPy (to 1e-12); where Debian's python3
# imports torch, the cell built of torch's own modules against dk-run,
# and a torch.save file refused with a message that says what to do;
# export and import again, bit for bit; bad shapes refused.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
C, n, I, O, T, B = 3, 8, 2, 4, 12, 2
def cell(P, u):
    '''the authors' forward: hy = relu(Wx(x) + Wy(hy.view(B, C, n)).flatten())'''
    h = np.zeros((u.shape[1], C * n))
    hs, ys = [], []
    for t in range(u.shape[0]):
        g = h.reshape(-1, C, n)
        pad = np.concatenate([g[:, :, -1:], g, g[:, :, :1]], axis=2)   # circular, padding 1
        conv = np.einsum("ocd,bcid->boi", P["cell.Wy.weight"],
                         np.stack([pad[:, :, d:d + n] for d in range(3)], axis=-1))
        conv += P["cell.Wy.bias"][None, :, None]
        h = np.maximum(u[t] @ P["cell.Wx.weight"].T + P["cell.Wx.bias"] + conv.reshape(-1, C * n), 0)
        hs.append(h)
        ys.append(h @ P["readout.weight"].T + P["readout.bias"])
    return np.array(hs), np.array(ys)
EOF

pycheck "NumPy writes a coRNN state_dict (random weights, conv bias nonzero) and an input" <<EOF
rng = np.random.default_rng(3)
P = {"cell.Wx.weight": rng.normal(0, 0.5, (C * n, I)), "cell.Wx.bias": rng.uniform(-0.5, 0.5, C * n),
     "cell.Wy.weight": rng.uniform(-0.4, 0.4, (C, C, 3)), "cell.Wy.bias": rng.uniform(-0.3, 0.3, C),
     "readout.weight": rng.normal(0, 0.3, (O, C * n)), "readout.bias": rng.normal(0, 0.3, O)}
np.savez("$tmp/state.npz", **P)
u = rng.normal(0, 1, (T, B, I))
with open("$tmp/in.npy", "wb") as f:
    np.save(f, np.array(json.dumps({"name": "input"}).encode()))
    np.save(f, u)
EOF
ok "dk-import reads it as a wrnn" dk-import --from torch -o "$tmp/m.npy" "$tmp/state.npz"
ok "dk-run runs it" dk-run -o "$tmp/run.npy" "$tmp/m.npy" "$tmp/in.npy"
# the same sums in another order: |x| ~ 1, some 3 C + I terms: 1e-12
pycheck "the cell's equations in NumPy: states and outputs to 1e-12; a wrnn of C rings of n" <<EOF
P = dict(np.load("$tmp/state.npz"))
hs, ys = cell(P, load("$tmp/in.npy")["input"])
R = load("$tmp/run.npy")
assert np.abs(R["states"] - hs).max() < 1e-12, np.abs(R["states"] - hs).max()
assert np.abs(R["output"] - ys).max() < 1e-12, np.abs(R["output"] - ys).max()
assert (hs > 0).any() and (hs == 0).any()            # both sides of the relu
M = load("$tmp/m.npy")
assert M["model/conv/W"].shape == (C, C, 3) and M["model/V"].shape == (C * n, I)
EOF
ok "--model wrnn says the same" sh -c "dk-import --from torch --model wrnn '$tmp/state.npz' | cmp - '$tmp/m.npy'"
ok "--to torch exports it" dk-import --to torch -o "$tmp/back.npz" "$tmp/m.npy"
pycheck "the export holds the authors' names and the weights, bit for bit" <<EOF
A, Bk = dict(np.load("$tmp/state.npz")), dict(np.load("$tmp/back.npz"))
assert sorted(A) == sorted(Bk), (sorted(A), sorted(Bk))
for k in A:
    assert A[k].shape == Bk[k].shape and (A[k] == Bk[k]).all(), k
EOF
ok "and imports again" dk-import --from torch -o "$tmp/m2.npy" "$tmp/back.npz"
pycheck "to the same parameters, bit for bit" <<EOF
A, Bm = load("$tmp/m.npy"), load("$tmp/m2.npy")
assert sorted(A) == sorted(Bm)
for k in A:
    assert (A[k] == Bm[k]).all() and A[k].dtype == Bm[k].dtype, k
EOF

# bad input
pycheck "NumPy writes a cell of kernel 5, and one whose Wx does not divide into the channels" <<EOF
P = dict(np.load("$tmp/state.npz"))
Q = dict(P); Q["cell.Wy.weight"] = np.zeros((C, C, 5)); np.savez("$tmp/k5.npz", **Q)
Q = dict(P); Q["cell.Wx.weight"] = np.zeros((C * n + 1, I)); np.savez("$tmp/wx.npz", **Q)
EOF
fails_with 1 "a kernel of 5" dk-import --from torch "$tmp/k5.npz"
grep -q "Conv1d of kernel 3" "$tmp/.err"; tap_result $? "... says the kernel must be 3"
fails_with 1 "Wx of C n + 1 rows" dk-import --from torch "$tmp/wx.npz"
fails_with 2 "--act tanh for a wrnn" dk-import --from torch --model wrnn --act tanh "$tmp/state.npz"

# torch itself, when Debian's python3 has it
cat >"$tmp/torch.py" <<'EOF'
import os, sys
try:
    import torch
except Exception:
    sys.exit(77)
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
tmp = sys.argv[1]
C, n, I, O = 3, 8, 2, 4
torch.manual_seed(5)
class Cell(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.Wx = torch.nn.Linear(I, C * n)
        self.Wy = torch.nn.Conv1d(C, C, 3, padding=1, padding_mode="circular")
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = Cell()
        self.readout = torch.nn.Linear(C * n, O)
net = Net().double()
np.savez(tmp + "/t.npz", **{k: v.detach().numpy() for k, v in net.state_dict().items()})
torch.save(net.state_dict(), tmp + "/t.pt")
u = torch.from_numpy(load(tmp + "/in.npy")["input"])
h = torch.zeros(u.shape[1], C * n, dtype=torch.float64)
ys = []
with torch.no_grad():
    for t in range(u.shape[0]):
        h = torch.relu(net.cell.Wx(u[t]) + net.cell.Wy(h.view(-1, C, n)).flatten(start_dim=1))
        ys.append(net.readout(h))
np.save(tmp + "/t-want.npy", torch.stack(ys).numpy())
EOF
py_run "$tmp/torch.py" "$tmp"
st=$?
if [ "$st" -eq 0 ]; then
	ok "torch's modules: dk-import reads their state_dict" dk-import --from torch -o "$tmp/tm.npy" "$tmp/t.npz"
	dk-run "$tmp/tm.npy" "$tmp/in.npy" >"$tmp/trun.npy"
	pycheck "torch's cell (Linear, circular Conv1d, relu) against dk-run, float64, to 1e-12" <<EOF
want = np.load("$tmp/t-want.npy")
assert np.abs(load("$tmp/trun.npy")["output"] - want).max() < 1e-12
EOF
	fails_with 1 "a torch.save file" dk-import --from torch "$tmp/t.pt"
	grep -q "torch.save file (a pickle).*np.savez" "$tmp/.err"
	tap_result $? "... says how to write a file that is read"
else
	echo "# torch not importable by Debian's python3: its checks are skipped"
	tap_result 0 "torch's cell # SKIP python3-torch missing"
fi
done_testing
