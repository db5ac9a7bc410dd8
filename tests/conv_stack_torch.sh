#!/bin/sh
# conv_stack_torch.sh -- the stack of convolutions and nonlinearities
# (lib/models/conv_stack.c) against torch itself: an nn.Sequential of
# Conv2d (float64, "same" padding, zeros or circular) and ReLU, Tanh or
# nothing gives y, and autograd the gradients of <g, y> wrt x and every
# weight and bias; tests/conv_stack_npy computes the same from the same
# .npy records.  The layers' sums are of at most a few hundred products
# of terms of order 1, through at most four layers whose nonlinearities
# have slopes at most 1: their rounding differs by about 1e-14, so 1e-12
# relative to the largest |value| (at least 1) is a bar a wrong tap, layer
# order, slope or padding misses by many orders.  The stacks include the
# oscillator sheet's encoders (1 -> 11 -> 11 -> 4 relus; 1 -> 11 -> 11 ->
# 11 -> 4, three relus and a tanh).  Skipped (one TAP skip) when Debian's
# python3 cannot import torch.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
prog="$top_builddir/tests/conv_stack_npy"

# One python3 writes every case (torch_run).
# A case: batch, H, W, channels, acts, kernel, padding, bias.
torch_run "conv stack" "torch writes the cases" <<'PYEOF'
CASES = [
    (2, 7, 6, (1, 11, 11, 4), ("relu", "relu", "relu"), 3, "zeros", 1),
    (2, 6, 5, (1, 11, 11, 11, 4), ("relu", "relu", "relu", "tanh"), 3, "zeros", 1),
    (3, 5, 8, (2, 3), ("identity",), 3, "circular", 1),
    (1, 9, 7, (3, 5, 2), ("tanh", "identity"), 5, "circular", 0),
    (2, 4, 4, (2, 4, 4, 1), ("relu", "tanh", "relu"), 1, "zeros", 1),
]
ACT = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}
torch.manual_seed(20)
for k, (B, H, W, ch, acts, K, mode, bias) in enumerate(CASES):
    layers, convs = [], []
    for l, act in enumerate(acts):
        c = torch.nn.Conv2d(ch[l], ch[l + 1], K, padding=K // 2, padding_mode=mode,
                            bias=bool(bias), dtype=torch.float64)
        with torch.no_grad():
            # weights of order 1 / sqrt(fan in), biases spread around 0:
            # some relus cut, some tanhs bent
            c.weight.normal_(0, 1.5 / np.sqrt(ch[l] * K * K))
            if bias:
                c.bias.normal_(0, 0.5)
        convs.append(c)
        layers.append(c)
        if act in ACT:
            layers.append(ACT[act]())
    net = torch.nn.Sequential(*layers)
    x = torch.randn(B, ch[0], H, W, dtype=torch.float64, requires_grad=True)
    y = net(x)
    g = torch.randn(y.shape, dtype=torch.float64)
    (y * g).sum().backward()
    def flat(f):
        parts = []
        for c in convs:
            parts.append(f(c.weight).reshape(-1))
            if bias:
                parts.append(f(c.bias).reshape(-1))
        return np.concatenate(parts)
    base = "%s/case%d" % (sys.argv[1], k)
    with open(base + ".in", "wb") as f:
        np.save(f, x.detach().numpy())
        np.save(f, flat(lambda t: t.detach().numpy()))
        np.save(f, g.numpy())
    with open(base + ".torch", "wb") as f:
        np.save(f, y.detach().numpy())
        np.save(f, x.grad.numpy())
        np.save(f, flat(lambda t: t.grad.numpy()))
    with open(base + ".args", "w") as f:
        f.write("%s %s %d %s %d\n" % (",".join(map(str, ch)), ",".join(acts), K,
                                      "circular" if mode == "circular" else "zero", bias))
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
assert len(got) == len(want) == 3, (len(got), len(want))
for name, a, b in zip(("y", "gx", "gtheta"), got, want):
    assert a.shape == b.shape, (name, a.shape, b.shape)
    err = np.abs(a - b).max()
    assert err <= 1e-12 * max(1, np.abs(b).max()), (name, err)
PYEOF
n=$(cat "$tmp/torch.out" 2>/dev/null)
k=0
while [ "$k" -lt "${n:-0}" ]; do
	args=$(cat "$tmp/case$k.args")
	what="case $k ($args)"
	ok "$what: conv_stack_npy runs" sh -c "'$prog' $args <'$tmp/case$k.in' >'$tmp/case$k.out'"
	py_ok "$what: y and the gradients are torch's to 1e-12" "$tmp/compare.py" \
		"$tmp/case$k.out" "$tmp/case$k.torch"
	k=$((k + 1))
done
is "$n" 5 "every case was written"
done_testing
