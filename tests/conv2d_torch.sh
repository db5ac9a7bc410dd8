#!/bin/sh
# conv2d_torch.sh -- the 2-D convolution layer (lib/models/conv2d.c)
# against torch itself: torch.nn.Conv2d in float64 (padding_mode 'zeros'
# or 'circular') gives y, and autograd the gradients of <g, y> wrt x, W
# and b; tests/conv2d_npy computes the same from the same .npy records,
# by im2col and GEMM and by direct loops.  Both sum at most a few
# hundred products of standard normals (|terms| of order 1, sums of
# order 10), so their rounding differs by about 1e-14: 1e-12, relative to
# the largest |value| (at least 1), is the bar dk-import's outputs meet.
# Skipped (one TAP skip) when Debian's python3 cannot import torch.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
conv="$top_builddir/tests/conv2d_npy"

# One python3 writes every case's inputs and torch's results (torch_run).
# A case: batch, in, out, H, W, kh, kw, sh, sw, ph, pw, padding, bias.
torch_run "conv2d" "torch writes the cases" <<'EOF'
CASES = [
    (2, 1, 1, 8, 9, 3, 3, 1, 1, 1, 1, "circular", 1),
    (2, 1, 1, 8, 9, 3, 3, 1, 1, 1, 1, "zeros", 1),
    (2, 3, 5, 7, 6, 3, 3, 2, 2, 1, 1, "circular", 1),
    (2, 3, 5, 7, 6, 4, 2, 2, 1, 2, 0, "zeros", 0),
    (3, 2, 4, 10, 10, 5, 5, 1, 1, 2, 2, "circular", 1),
    (1, 4, 2, 6, 5, 2, 4, 1, 2, 1, 3, "circular", 0),
]
torch.manual_seed(15)
for k, (B, C, O, H, W, kh, kw, sh, sw, ph, pw, mode, bias) in enumerate(CASES):
    net = torch.nn.Conv2d(C, O, (kh, kw), stride=(sh, sw), padding=(ph, pw),
                          padding_mode=mode, bias=bool(bias), dtype=torch.float64)
    x = torch.randn(B, C, H, W, dtype=torch.float64, requires_grad=True)
    y = net(x)
    g = torch.randn(y.shape, dtype=torch.float64)
    (y * g).sum().backward()
    base = "%s/case%d" % (sys.argv[1], k)
    with open(base + ".in", "wb") as f:
        np.save(f, x.detach().numpy())
        np.save(f, net.weight.detach().numpy())
        if bias:
            np.save(f, net.bias.detach().numpy())
        np.save(f, g.numpy())
    with open(base + ".torch", "wb") as f:
        for t in (y.detach(), x.grad, net.weight.grad) + ((net.bias.grad,) if bias else ()):
            np.save(f, t.numpy())
    with open(base + ".args", "w") as f:
        f.write("%d %d %d %d %s %d\n" % (sh, sw, ph, pw,
                                         "circular" if mode == "circular" else "zero", bias))
print(len(CASES))
EOF

py_start
cat >"$tmp/compare.py" <<'EOF'
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
for name, a, b in zip(("y", "gx", "gW", "gb"), got, want):
    assert a.shape == b.shape, (name, a.shape, b.shape)
    err = np.abs(a - b).max()
    assert err <= 1e-12 * max(1, np.abs(b).max()), (name, err)
EOF
n=$(cat "$tmp/torch.out" 2>/dev/null)
k=0
while [ "$k" -lt "${n:-0}" ]; do
	args=$(cat "$tmp/case$k.args")
	for method in gemm direct; do
		what="case $k ($args) by $method"
		ok "$what: conv2d_npy runs" sh -c \
			"'$conv' $args $method <'$tmp/case$k.in' >'$tmp/case$k.$method'"
		py_ok "$what: y and the gradients are torch's to 1e-12" "$tmp/compare.py" \
			"$tmp/case$k.$method" "$tmp/case$k.torch"
	done
	k=$((k + 1))
done
is "$n" 6 "every case was written"
done_testing
