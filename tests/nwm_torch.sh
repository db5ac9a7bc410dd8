#!/bin/sh
# nwm_torch.sh -- the oscillator sheet (lib/models/nwm.c) against the
# paper's cell written in torch here (float64): encoders of omega and
# alpha (three 3x3 convolutions, zero padding, ReLU after each) and of
# the initial position y (three ReLUs and a Tanh), z0 = 0, then T steps
# of z' = z + dt (tanh(W * y + b) - omega y - alpha z), y' = y + dt z'
# with W circular.  The weights are the model dk-init writes (its
# encoders moved off their start so that some relus cut), read into
# torch's Conv2d layers; dk-run, given no h0, starts from the image's
# y0.  Each step sums a few hundred products of order-1 terms and the
# sheet is stable (damped, |y| below 1), so the two runs' rounding grows
# to about 1e-14 over 30 steps: 1e-10, relative to the largest |y|,
# leaves room and catches any wrong tap, layer or order of the update.
# Skipped (one TAP skip) when Debian's python3 cannot import torch.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"

ok "dk-init nwm C=2, a 6 x 7 sheet, 2 image channels, hidden 5" \
	dk-init nwm --channels 2 --sheet 6,7 --inputs 2 --hidden 5 --seed 4 -o "$tmp/m0.npy"

torch_run "nwm" "torch runs the paper's cell" <<'PYEOF'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, save_bytes, load

tmp, T, B = sys.argv[1], 30, 3
C, H, W, I, M, dt = 2, 6, 7, 2, 5, 0.1
rng = np.random.default_rng(5)
# the encoders' biases spread around 0: some relus cut
recs = []
for raw, a in records(tmp + "/m0.npy"):
    name = json.loads(raw)["name"]
    if name.startswith("model/enc_") and name.endswith("/b"):
        a = a + rng.normal(0, 0.3, a.shape)
    if name == "model/b" or name == "model/W":
        a = a + rng.normal(0, 0.05, a.shape)
    recs.append((raw, a))
open(tmp + "/m.npy", "wb").write(save_bytes(recs))
P = load(tmp + "/m.npy")

def stack(enc, layers, last):
    mods = []
    for l in range(layers):
        w = torch.tensor(P["model/%s/%d/W" % (enc, l)])
        c = torch.nn.Conv2d(w.shape[1], w.shape[0], 3, padding=1, dtype=torch.float64)
        with torch.no_grad():
            c.weight.copy_(w)
            c.bias.copy_(torch.tensor(P["model/%s/%d/b" % (enc, l)]))
        mods += [c, torch.nn.ReLU() if l + 1 < layers else last]
    return torch.nn.Sequential(*mods)

omega_enc = stack("enc_omega", 3, torch.nn.ReLU())
alpha_enc = stack("enc_alpha", 3, torch.nn.ReLU())
y0_enc = stack("enc_y0", 4, torch.nn.Tanh())
Wy = torch.nn.Conv2d(C, C, 3, padding=1, padding_mode="circular", dtype=torch.float64)
with torch.no_grad():
    Wy.weight.copy_(torch.tensor(P["model/W"]))
    Wy.bias.copy_(torch.tensor(P["model/b"]))

x = torch.tensor(rng.uniform(0, 1, (B, I, H, W)))
with torch.no_grad():
    omega, alpha = omega_enc(x), alpha_enc(x)
    hy = y0_enc(x)
    hz = torch.zeros_like(hy)
    ys = []
    for t in range(T):
        hz = hz + dt * (torch.tanh(Wy(hy)) - omega * hy - alpha * hz)
        hy = hy + dt * hz
        ys.append(hy.reshape(B, -1).numpy().copy())
np.save(tmp + "/torch_y.npy", np.stack(ys))
# the image as every step's input, (T, B, I H W)
u = np.repeat(x.numpy().reshape(1, B, -1), T, axis=0)
with open(tmp + "/in.npy", "wb") as f:
    np.save(f, np.array(json.dumps({"name": "input"}).encode()))
    np.save(f, u)
PYEOF
ok "dk-run with no h0: the start from the image" dk-run -o "$tmp/run.npy" "$tmp/m.npy" "$tmp/in.npy"

py_start
cat >"$tmp/compare.py" <<PYEOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
S = load("$tmp/run.npy")["states"]
want = np.load("$tmp/torch_y.npy")
N = want.shape[2]
assert S.shape == (30, 3, 2 * N), S.shape
got = S[:, :, :N]
err = np.abs(got - want).max()
assert err <= 1e-10 * np.abs(want).max(), err
# the run moved: not a sheet at rest
assert np.abs(want[-1] - want[0]).max() > 1e-2
PYEOF
py_ok "y over 30 steps is torch's to 1e-10" "$tmp/compare.py"
done_testing
