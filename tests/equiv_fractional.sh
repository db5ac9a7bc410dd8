#!/bin/sh
# equiv_fractional.sh -- dk-equiv's fractional shifts against independent
# values: flows at fractional velocities (the FFT's phase shift) on
# networks built in NumPy, one exactly flow-equivariant on rings and on
# sheets and one not, whose errors NumPy computes again with its own
# shift; and the secant of a small fractional shift, |F(T_s x) - T_s
# F(x)| / (s |D F(x)|), against the Lie derivative it tends to.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name, save_bytes, load, meta
def rewrite(src, dst, **new):
    """The model stream src with the tensors named in new replaced."""
    out = []
    for i, (raw, a) in enumerate(records(src)):
        key = name((raw, a), i).replace("model/", "")
        out.append((raw, new.get(key, a)))
    open(dst, "wb").write(save_bytes(out))
def save(path, **tensors):
    open(path, "wb").write(save_bytes(
        [(json.dumps({"name": k}).encode(), v) for k, v in tensors.items()]))
def shift(x, s, H, W):
    """x (..., H * W) moved by s = (sx, sy), sx along the columns: each
    Fourier mode times exp(-i k w s), the Nyquist mode of an even side
    times cos(pi s) (the convention of dk-equiv(1))."""
    X = np.fft.fft2(x.reshape(x.shape[:-1] + (H, W)))
    for axis, L, d in ((-1, W, s[0]), (-2, H, s[1])):
        k = np.fft.fftfreq(L, 1 / L)
        f = np.exp(-2j * np.pi * k * d / L)
        if L % 2 == 0:
            f[L // 2] = np.cos(np.pi * d)
        shape = [1] * X.ndim
        shape[axis] = L
        X = X * f.reshape(shape)
    return np.fft.ifft2(X).real.reshape(x.shape)
def conv_matrix(k, H, W):
    """The circular convolution by k on a torus of H x W as a matrix."""
    n = H * W
    M = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            M[i, j] = k[(i // W - j // W) % H, (i % W - j % W) % W]
    return M
EOF

# A linear network x' = W x + V u + b whose W couples every unit to the
# mean (W = c 1 1^T / n), V a circular convolution of the ring or sheet
# and b uniform is flow-equivariant at every velocity: the mean does not
# see a shift, so the flowed run from T_-mu x0 is driven by the same
# mean as the original, and V commutes with every shift, fractional
# ones too (both are diagonal in the Fourier basis, the Nyquist mode
# included).  Round-off: each step's sums of 24 products differ by
# their order from those of the shifted state (24 eps relative) and the
# shifts are transforms on 24 points (a few ulps each); with c = 0.5
# the state's part shrinks, so the errors stay within a few steps'
# worth over 20 steps, about 1e-14; the tolerance 1e-12 leaves a factor
# 100.  With W a random circular convolution instead (its modes other
# than the mean are not 0), the flowed run's start T_-mu x0 is seen by W
# and the error is of order 1.
dk-init rnn --units 24 --inputs 24 --act identity --seed 4 >"$tmp/r0.npy"
pycheck "linear networks from NumPy: mean coupling, random convolution" <<EOF
rng = np.random.default_rng(3)
n = 24
W = np.full((n, n), 0.5 / n)
for H, Wd, tag in ((1, 24, "ring"), (4, 6, "sheet")):
    V = conv_matrix(rng.standard_normal((H, Wd)) / 5, H, Wd)
    rewrite("$tmp/r0.npy", "$tmp/mean_%s.npy" % tag, W=W, V=V, b=np.full(n, 0.1))
    K = conv_matrix(rng.standard_normal((H, Wd)), H, Wd)
    K *= 0.8 / np.abs(np.linalg.eigvals(K)).max()
    rewrite("$tmp/r0.npy", "$tmp/conv_%s.npy" % tag, W=K, V=V, b=np.full(n, 0.1))
save("$tmp/in.npy", input=rng.standard_normal((20, 3, n)),
     h0=rng.standard_normal((3, n)))
EOF
ok "dk-equiv --group flow --velocity 0.37 --rings 1, mean coupling" \
	dk-equiv --group flow --velocity 0.37 --rings 1 --tolerance 1e-12 \
	-o "$tmp/mean_ring.out" "$tmp/mean_ring.npy" "$tmp/in.npy"
ok "dk-equiv --group flow --velocity 0.3,-0.45 --sheet 4,6, mean coupling" \
	dk-equiv --group flow --velocity 0.3,-0.45 --sheet 4,6 --tolerance 1e-12 \
	-o "$tmp/mean_sheet.out" "$tmp/mean_sheet.npy" "$tmp/in.npy"
ok "dk-equiv --group flow --velocity -1.6 --rings 1, random convolution" \
	dk-equiv --group flow --velocity -1.6 --rings 1 \
	-o "$tmp/conv_ring.out" "$tmp/conv_ring.npy" "$tmp/in.npy"
ok "dk-equiv --group flow --velocity 0.5,0.25 --sheet 4,6, random convolution" \
	dk-equiv --group flow --velocity 0.5,0.25 --sheet 4,6 \
	-o "$tmp/conv_sheet.out" "$tmp/conv_sheet.npy" "$tmp/in.npy"
# NumPy's run of the flow (equiv.h): the flowed run from T_-mu x0 driven
# by T_(mu t) u_t against the original moved by mu (t - 1).  Its shift
# is another implementation (NumPy's complex FFT of the whole plane);
# 1e-9 relative covers two round-offs of order 1e-15 in errors of order
# 0.1 and more.
pycheck "fractional flows: exact with mean coupling, NumPy's errors otherwise" <<EOF
I = load("$tmp/in.npy")
def flow(model, mu, H, Wd):
    P = load(model)
    F = lambda x, u: x @ P["model/W"].T + u @ P["model/V"].T + P["model/b"]
    x, u = I["h0"], I["input"]
    y = shift(x, (-mu[0], -mu[1]), H, Wd)
    errs = []
    for t in range(20):
        xn = F(x, u[t])
        y = F(y, shift(u[t], (mu[0] * t, mu[1] * t), H, Wd))
        want = shift(xn, (mu[0] * t, mu[1] * t), H, Wd)
        errs.append((np.linalg.norm(y - want, axis=1) / np.linalg.norm(want, axis=1)).max())
        x = xn
    return np.array(errs)
for tag, mu, H, Wd in (("ring", (0.37, 0), 1, 24), ("sheet", (0.3, -0.45), 4, 6)):
    R, A = load("$tmp/mean_%s.out" % tag), meta("$tmp/mean_%s.out" % tag)["equiv/max"]["attrs"]["equiv"]
    assert R["equiv/shifts"].dtype == np.float64, R["equiv/shifts"]
    assert R["equiv/shifts"].tolist() == [list(mu[:2 if H > 1 else 1])], R["equiv/shifts"]
    assert A["equivariant"] is True and R["equiv/max"] <= 1e-12, (tag, A)
    assert flow("$tmp/mean_%s.npy" % tag, mu, H, Wd).max() <= 1e-12
for tag, mu, H, Wd in (("ring", (-1.6, 0), 1, 24), ("sheet", (0.5, 0.25), 4, 6)):
    R, A = load("$tmp/conv_%s.out" % tag), meta("$tmp/conv_%s.out" % tag)["equiv/max"]["attrs"]["equiv"]
    E, got = flow("$tmp/conv_%s.npy" % tag, mu, H, Wd), R["equiv/trajectory_error"][0]
    assert E.max() > 0.1 and not A["equivariant"], (tag, E)
    assert np.all(np.abs(got - E) <= 1e-9 * E), (tag, got, E)
EOF
# Whole velocities keep the permutation and their integer records.
ok "dk-equiv --group flow --velocity 2 --rings 1" \
	dk-equiv --group flow --velocity 2 --rings 1 -o "$tmp/whole.out" \
	"$tmp/mean_ring.npy" "$tmp/in.npy"
pycheck "a whole velocity: i8 shifts, exact" <<EOF
R = load("$tmp/whole.out")
assert R["equiv/shifts"].dtype == np.int64 and R["equiv/shifts"].tolist() == [[2]]
assert R["equiv/max"] <= 1e-12, R["equiv/max"]
EOF

# The secant of the shift by s: F(T_s x) - T_s F(x) = -s L(x) + O(s^2),
# L the Lie derivative J D x - D F(x) (T_s = exp(-s D)), so the secant
# ratio |F(T_s x) - T_s F(x)| / (s |D F|) is the Lie ratio |L| / |D F|
# plus O(s): for a tanh ring with a circulant W the two agree within
# 10 s relative (the second derivative's constant, a few here, with a
# factor 3 to spare), and the gap shrinks tenfold with s (first order:
# a ratio between 3 and 30).  A linear circulant network commutes with
# every shift: both vanish, to round-off divided by s (1e-16 / 1e-4,
# within 1e-9).
dk-init rnn --units 16 --seed 3 >"$tmp/t0.npy"
pycheck "a tanh ring and a linear one with circulant W" <<EOF
rng = np.random.default_rng(5)
K = conv_matrix(rng.standard_normal((1, 16)) / 2, 1, 16)
rewrite("$tmp/t0.npy", "$tmp/tanh.npy", W=K)
rewrite("$tmp/r0.npy", "$tmp/lin.npy", W=conv_matrix(rng.standard_normal((1, 24)) / 5, 1, 24),
        b=np.full(24, 0.1))
EOF
for s in 1e-3 1e-4; do
	ok "dk-equiv --lie --shift $s on the tanh ring" \
		dk-equiv --lie --rings 1 -B 4 --shift $s -o "$tmp/tanh$s.out" "$tmp/tanh.npy"
done
ok "dk-equiv --lie --shift 1e-4 on the linear circulant ring" \
	dk-equiv --lie --rings 1 -B 4 --shift 1e-4 -o "$tmp/lin.out" "$tmp/lin.npy"
pycheck "the secant tends to the Lie derivative, at first order" <<EOF
a, b = load("$tmp/tanh1e-3.out"), load("$tmp/tanh1e-4.out")
lie = b["equiv/lie"]
assert np.array_equal(a["equiv/lie"], lie) and lie.min() > 0.1, lie
gap3 = np.abs(a["equiv/lie_secant"] - lie) / lie
gap4 = np.abs(b["equiv/lie_secant"] - lie) / lie
assert gap3.max() <= 10 * 1e-3 and gap4.max() <= 10 * 1e-4, (gap3, gap4)
r = gap3 / gap4
assert np.all((r > 3) & (r < 30)), r
assert meta("$tmp/tanh1e-4.out")["equiv/lie_secant"]["attrs"]["equiv"]["shift"] == 1e-4
c = load("$tmp/lin.out")
assert c["equiv/lie"].max() <= 1e-12 and c["equiv/lie_secant"].max() <= 1e-9, c
EOF

# Refusals.
fails_with 2 "--lie --shift 0" dk-equiv --lie --rings 1 --shift 0 "$tmp/tanh.npy"
fails_with 2 "--velocity 0,0" dk-equiv --group flow --sheet 4,6 --velocity 0,0 "$tmp/mean_sheet.npy"
dk-init fernn --channels 1 --units 8 --velocities 1 >"$tmp/fe.npy"
fails_with 1 "--velocity 0.5 on a fernn (whole velocities)" \
	dk-equiv --group flow --velocity 0.5 "$tmp/fe.npy"
dk-equiv --group flow --velocity 0.5 "$tmp/fe.npy" 2>"$tmp/msg" >/dev/null
ok "... and the message names it and says why" \
	grep -q "velocity 0.5: the lift of the 3 velocities of the model holds whole ones only" "$tmp/msg"
done_testing
