#!/bin/sh
# pixel_head_torch.sh -- the per-pixel head over whole trajectories
# (lib/models/pixel_head.c) against torch: the three readouts over time
# (a Linear(T, T/2+1) without bias, |torch.fft.rfft| over time, the last
# step) and the MLP Linear(F, 64), ReLU, Linear(64, 32), ReLU,
# Linear(32, K), written here in torch in float64 with features ordered
# frequency-major as the paper's code reshapes them; autograd gives the
# gradients of <g, logits> wrt the states and every parameter, and
# tests/pixel_head_npy computes the same from the same records.  The
# sums run over at most a few hundred products of terms of order 1, so
# the two differ by rounding, about 1e-14: the logits must agree to
# 1e-12 and the gradients to 1e-10, relative to the largest |value| (at
# least 1).  Skipped (one TAP skip) when Debian's python3 cannot import
# torch.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
head_npy="$top_builddir/tests/pixel_head_npy"

# A case: readout, T, B, C, H, W, K, and the state's extra entries past
# the C H W of y (the z of an nwm), which the head must leave alone.
torch_run "the pixel head" "torch writes the cases" <<'PYEOF'
CASES = [
    ("linear", 6, 2, 2, 3, 4, 5, 24),
    ("linear", 7, 1, 3, 2, 2, 6, 12),
    ("fft", 6, 2, 2, 3, 4, 5, 24),
    ("fft", 9, 2, 1, 4, 3, 3, 0),
    ("last", 5, 2, 2, 3, 4, 5, 24),
    ("last", 1, 3, 3, 2, 3, 4, 18),
    # more pixels than a block of 64, and not a multiple of it
    ("linear", 5, 2, 2, 9, 15, 4, 10),
    ("fft", 6, 1, 1, 9, 15, 3, 0),
    ("last", 4, 2, 2, 9, 15, 3, 270),
]
torch.manual_seed(15)
f64 = torch.float64
for k, (readout, T, B, C, H, W, K, extra) in enumerate(CASES):
    P, Kp = H * W, T // 2 + 1
    states = torch.randn(T, B, C * P + extra, dtype=f64, requires_grad=True)
    y = states[:, :, :C * P].reshape(T, B, C, P).permute(1, 3, 0, 2)  # (B, P, T, C)
    layers = []
    if readout == "linear":
        fc_time = torch.nn.Linear(T, Kp, bias=False, dtype=f64)
        layers.append(fc_time.weight)
        feat = fc_time(y.transpose(2, 3)).transpose(2, 3)  # (B, P, Kp, C)
        feat = feat.reshape(B, P, Kp * C)
    elif readout == "fft":
        feat = torch.fft.rfft(y, dim=2).abs().reshape(B, P, Kp * C)
    else:
        feat = y[:, :, -1, :]
    F = feat.shape[2]
    mlp = torch.nn.Sequential(torch.nn.Linear(F, 64, dtype=f64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 32, dtype=f64), torch.nn.ReLU(),
                              torch.nn.Linear(32, K, dtype=f64))
    for lin in (mlp[0], mlp[2], mlp[4]):
        layers += [lin.weight, lin.bias]
    logits = mlp(feat)  # (B, P, K)
    g = torch.randn(logits.shape, dtype=f64)
    (logits * g).sum().backward()
    params = torch.cat([t.detach().reshape(-1) for t in layers])
    grads = torch.cat([t.grad.reshape(-1) for t in layers])
    base = "%s/case%d" % (sys.argv[1], k)
    with open(base + ".in", "wb") as f:
        for t in (params, states.detach(), g):
            np.save(f, t.numpy())
    with open(base + ".torch", "wb") as f:
        for t in (logits.detach(), states.grad, grads):
            np.save(f, t.numpy())
    with open(base + ".args", "w") as f:
        f.write("%s %d %d %d %d\n" % (readout, C, H, W, K))
print(len(CASES))
PYEOF

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
assert len(got) == len(want), (len(got), len(want))
for name, a, b, tol in zip(("logits", "gstates", "gparams"), got, want,
                           (1e-12, 1e-10, 1e-10)):
    assert a.shape == b.shape, (name, a.shape, b.shape)
    err = np.abs(a - b).max()
    assert err <= tol * max(1, np.abs(b).max()), (name, err)
    assert np.abs(b).max() > 0, name
PYEOF
n=$(cat "$tmp/torch.out" 2>/dev/null)
k=0
while [ "$k" -lt "${n:-0}" ]; do
	args=$(cat "$tmp/case$k.args")
	what="case $k ($args)"
	ok "$what: pixel_head_npy runs" sh -c \
		"'$head_npy' $args <'$tmp/case$k.in' >'$tmp/case$k.out'"
	py_ok "$what: the logits are torch's to 1e-12, the gradients to 1e-10" \
		"$tmp/compare.py" "$tmp/case$k.out" "$tmp/case$k.torch"
	k=$((k + 1))
done
is "$n" 9 "every case was written"
done_testing
