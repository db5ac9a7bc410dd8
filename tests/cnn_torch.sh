#!/bin/sh
# cnn_torch.sh -- the local-CNN baseline (lib/models/cnn.c) against the
# paper's baseline written in torch here (float64): L Conv2d(3x3,
# padding 1) layers each followed by a ReLU, then per pixel Linear(C,
# 64), ReLU, Linear(64, 32), ReLU, Linear(32, K) (the head's MLP; the
# paper's 1x1 convolution before it, a second linear map, is folded into
# the first Linear).  The weights are the model dk-init writes (biases
# moved so that some relus cut); tests/model_grad_npy runs it through
# the model interface (one step and the head) and back (the head's and
# the step's vjps), and torch's autograd gives the gradients of <g,
# logits> wrt every parameter and the image.  The sums run over a few
# hundred products of terms of order 1, so the two differ by rounding,
# about 1e-14: logits and gradients must agree to 1e-10 relative to the
# largest |value| (at least 1).  The parameter count is torch's too.
# Skipped (one TAP skip) when Debian's python3 cannot import torch.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
grad_npy="$top_builddir/tests/model_grad_npy"

ok "dk-init cnn: 3 layers of 4 channels, a 6 x 7 sheet, 2 image channels, 5 classes" \
	dk-init cnn --layers 3 --channels 4 --sheet 6,7 --inputs 2 --classes 5 --seed 4 \
	-o "$tmp/m0.npy"

torch_run "cnn" "torch runs the baseline" <<'PYEOF'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, save_bytes

tmp, B = sys.argv[1], 3
L, C, H, W, I, K = 3, 4, 6, 7, 2, 5
rng = np.random.default_rng(6)
recs = []
for raw, a in records(tmp + "/m0.npy"):
    name = json.loads(raw)["name"]
    if name.startswith("model/conv/") and name.endswith("/b"):
        a = a + rng.normal(0, 0.3, a.shape)
    recs.append((name, raw, a))
P = {name: a for name, raw, a in recs}

f64 = torch.float64
layers, params = [], []
for l in range(L):
    c = torch.nn.Conv2d(I if l == 0 else C, C, 3, padding=1, dtype=f64)
    with torch.no_grad():
        c.weight.copy_(torch.tensor(P["model/conv/%d/W" % l]))
        c.bias.copy_(torch.tensor(P["model/conv/%d/b" % l]))
    layers += [c, torch.nn.ReLU()]
    params += [c.weight, c.bias]
stack = torch.nn.Sequential(*layers)
mlp = torch.nn.Sequential(torch.nn.Linear(C, 64, dtype=f64), torch.nn.ReLU(),
                          torch.nn.Linear(64, 32, dtype=f64), torch.nn.ReLU(),
                          torch.nn.Linear(32, K, dtype=f64))
with torch.no_grad():
    for k, lin in enumerate((mlp[0], mlp[2], mlp[4])):
        lin.weight.copy_(torch.tensor(P["model/mlp_w%d" % (k + 1)]))
        lin.bias.copy_(torch.tensor(P["model/mlp_b%d" % (k + 1)]))
        params += [lin.weight, lin.bias]
ntorch = sum(p.numel() for p in params)

x = torch.tensor(rng.uniform(0, 1, (B, I, H, W)), requires_grad=True)
y = stack(x)                                        # (B, C, H, W)
logits = mlp(y.permute(0, 2, 3, 1).reshape(B, H * W, C))
g = torch.randn(logits.shape, dtype=f64, generator=torch.Generator().manual_seed(3))
(logits * g).sum().backward()
# the model's vector: the parameters in the stream's order (the
# readout's, of no outputs, are empty)
grads = torch.cat([p.grad.reshape(-1) for p in params])
assert sum(a.size for _, _, a in recs) == ntorch
out = [(raw, a) for _, raw, a in recs]
out.append((json.dumps({"name": "input"}).encode(), x.detach().numpy()))
out.append((json.dumps({"name": "glogits"}).encode(), g.numpy()))
open(tmp + "/in.npy", "wb").write(save_bytes(out))
with open(tmp + "/torch.npy", "wb") as f:
    for t in (logits.detach(), grads, x.grad.reshape(B, -1)):
        np.save(f, t.numpy())
PYEOF
ok "model_grad_npy runs the cnn" sh -c "'$grad_npy' <'$tmp/in.npy' >'$tmp/got.npy'"

py_start
cat >"$tmp/compare.py" <<'PYEOF'
import io, sys
import numpy as np
def load(path):
    data = open(path, "rb").read()
    f, out = io.BytesIO(data), []
    while f.tell() < len(data):
        out.append(np.load(f))
    return out
got, want = load(sys.argv[1]), load(sys.argv[2])
assert len(got) == len(want) == 3, (len(got), len(want))
for name, a, b in zip(("logits", "gparams", "gimage"), got, want):
    assert a.shape == b.shape, (name, a.shape, b.shape)
    err = np.abs(a - b).max()
    assert err <= 1e-10 * max(1, np.abs(b).max()), (name, err)
    assert np.abs(b).max() > 0, name
PYEOF
py_ok "logits and the gradients wrt parameters and image are torch's to 1e-10" \
	"$tmp/compare.py" "$tmp/got.npy" "$tmp/torch.npy"
done_testing
