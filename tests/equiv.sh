#!/bin/sh
# equiv.sh -- dk-equiv against independent values: the shift-initialised
# Wave-RNN measured again in NumPy (its step without input exactly
# equivariant, its solo input at unit 0 not, and the verdict blaming the
# input); a ring network with circulant W and V and a uniform bias,
# built in NumPy, equivariant to round-off over 50 steps, and the same
# with a bias that is not uniform, or a random W, not; the oscillator
# sheet, whose coupling is circular but whose input encoders pad with
# zeros; flows on the fernn and the grnn, computed again in NumPy; and
# bad options and input refused.
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
    """A stream of the named tensors."""
    open(path, "wb").write(save_bytes(
        [(json.dumps({"name": k}).encode(), v) for k, v in tensors.items()]))
def rel(a, ref):
    """The largest relative distance of the rows of a from those of ref."""
    num = np.linalg.norm(a - ref, axis=-1)
    den = np.linalg.norm(ref, axis=-1)
    return np.where(num == 0, 0, num / np.where(den == 0, 1, den)).max()
EOF

# The Wave-RNN as dk-init makes it: each ring a delay line toward lower
# index, h'[c][i] = relu(h[c][i + 1] + [i = 0] u).  Its trajectories
# from NumPy's h0 and input, and every error dk-equiv reports, are
# computed here again with np.roll as the shift (the convention of
# dk-equiv(1): a positive M carries unit i to i + M).  Each unit of a
# step is one addition of the same two numbers in either computation,
# so the states agree bit for bit; the errors are norms of differences,
# whose sums run in another order here: 1e-12 relative covers that.
dk-init wrnn --channels 2 --units 16 >"$tmp/w.npy"
pycheck "a start for the Wave-RNN from NumPy" <<EOF
rng = np.random.default_rng(7)
save("$tmp/win.npy", input=rng.standard_normal((30, 4, 1)),
     h0=rng.standard_normal((4, 32)))
EOF
ok "dk-equiv measures the Wave-RNN from it" \
	dk-equiv -o "$tmp/w.out" "$tmp/w.npy" "$tmp/win.npy"
pycheck "wrnn: errors as NumPy finds them; free step exact; input order 1" <<EOF
R, A = load("$tmp/w.out"), meta("$tmp/w.out")["equiv/max"]["attrs"]["equiv"]
S = load("$tmp/win.npy")
u, x = S["input"], S["h0"]
C, n, T, B = 2, 16, 30, 4
def F(x, u):
    y = np.roll(x.reshape(B, C, n), -1, axis=-1)
    if u is not None:
        y[:, :, 0] += u
    return np.maximum(y, 0).reshape(B, C * n)
X = [x]
for t in range(T):
    X.append(F(X[-1], u[t]))
shifts = R["equiv/shifts"][:, 0]
assert list(shifts) == list(range(1, n)), shifts
for e, M in enumerate(shifts):
    g = lambda v: np.roll(v.reshape(B, C, n), M, axis=-1).reshape(B, C * n)
    step = max(rel(F(g(X[t]), u[t]), g(X[t + 1])) for t in range(T))
    free = max(rel(F(g(X[t]), None), g(F(X[t], None))) for t in range(T))
    y, traj = g(x), []
    for t in range(T):
        y = F(y, u[t])
        traj.append(rel(y, g(X[t + 1])))
    assert free == 0 and R["equiv/free_error"][e] == 0, (M, free)
    assert abs(R["equiv/step_error"][e] - step) <= 1e-12 * step, (M, step)
    assert np.allclose(R["equiv/trajectory_error"][e], traj, rtol=1e-12, atol=0)
# a unit-size input added at one unit of a ring of states of size ~1
assert R["equiv/step_error"].min() > 0.1, R["equiv/step_error"]
assert A["equivariant"] is False and A["breaks"] == "input", A
assert A["input_transformed"] is False and "left as it is" in A["summary"], A
assert R["equiv/max"] == R["equiv/error"].max() == A["max"]
assert A["first_step"] == 1 and A["worst"] == [int(shifts[R["equiv/error"].argmax()])]
EOF
# A random start by default: the same verdict, and -T, --shift, -B, the
# layout's rings in the attrs.
ok "dk-equiv from a random start, one shift" \
	dk-equiv -T 20 --shift 3 -B 2 -o "$tmp/w1.out" "$tmp/w.npy"
pycheck "wrnn, random start: one element, 20 steps, the layout, blames the input" <<EOF
R, A = load("$tmp/w1.out"), meta("$tmp/w1.out")["equiv/max"]["attrs"]["equiv"]
assert R["equiv/shifts"].tolist() == [[3]] and R["equiv/trajectory_error"].shape == (1, 20)
assert A["layout"]["shape"] == [2, 16] and A["batch"] == 2 and A["start"].startswith("random")
assert R["equiv/free_error"][0] == 0 and A["breaks"] == "input", A
EOF

# A ring of n = 32 tanh units whose W and V are circulant (W_ij =
# w[(i - j) mod n]) and whose bias is uniform commutes with the roll,
# and its input, 32 wide, lies on the ring and is rolled too.  Under a
# roll each of the step's dense sums W x and V u adds the same 32
# products in a rotated order: each order is within gamma_32 = 32 eps /
# (1 - 32 eps) ~ 3.6e-15 of the exact sum times sum_j |w_ij x_j|, so two
# orders differ by at most 2 gamma_32 (|W| |x| + |V| |u|)_i per unit,
# and tanh is 1-Lipschitz.  With the rows of |W| and |V| summing to at
# most 2.4 and 4.1 (checked below), |x| <= 1 and |u| below 5 (400 N(0, 1)
# draws per unit), that is under 7.2e-15 (2.4 + 20.5) ~ 1.7e-13 per unit,
# 1e-12 in norm over 32 units, against states of norm above 1 (tanh of
# O(1) sums over 32 units).  |W|_2 = 0.8 damps what earlier steps left,
# so over any number of steps the difference stays below 5 per-step
# bounds: 5e-12.  The tolerance is 1e-11 (what is seen is ~1e-16).
dk-init rnn --units 32 --inputs 32 --seed 4 >"$tmp/r0.npy"
pycheck "a circulant ring network from NumPy, |W| = 0.8, uniform bias" <<EOF
rng = np.random.default_rng(11)
n = 32
def circulant(c):
    return np.array([[c[(i - j) % n] for j in range(n)] for i in range(n)])
w = rng.standard_normal(n)
w *= 0.8 / np.abs(np.fft.fft(w)).max()       # a circulant's norm is its DFT's max
W, V = circulant(w), circulant(rng.standard_normal(n) / np.sqrt(n))
assert np.allclose(np.roll(W @ np.arange(n), 5), W @ np.roll(np.arange(n), 5))
assert np.abs(W).sum(1).max() <= 2.4 and np.abs(V).sum(1).max() <= 4.1
rewrite("$tmp/r0.npy", "$tmp/circ.npy", W=W, V=V, b=np.full(n, 0.3))
b = np.full(n, 0.3); b[3] = -0.3
rewrite("$tmp/r0.npy", "$tmp/circb.npy", W=W, V=V, b=b)
EOF
ok "dk-equiv on it, --rings 1, 50 steps" \
	dk-equiv --rings 1 -T 50 --tolerance 1e-11 -o "$tmp/circ.out" "$tmp/circ.npy"
pycheck "circulant ring: equivariant to 1e-11 over 50 steps, input shifted" <<EOF
R, A = load("$tmp/circ.out"), meta("$tmp/circ.out")["equiv/max"]["attrs"]["equiv"]
assert R["equiv/trajectory_error"].shape == (31, 50)
assert R["equiv/max"] <= 1e-11 and A["equivariant"] is True and A["breaks"] == "none", A
assert A["input_transformed"] is True and A["input_channels"] == 1, A
EOF
ok "dk-equiv on it with a bias that is not uniform" \
	dk-equiv --rings 1 -T 10 -o "$tmp/circb.out" "$tmp/circb.npy"
# b_3 - b_{3+M} = 0.6 at two units of 32 of size ~0.5: the step error
# is about 0.6 sqrt 2 / (0.5 sqrt 32) ~ 0.3; 0.05 is far below it and
# far above round-off.
pycheck "non-uniform bias: the step without input breaks it" <<EOF
R, A = load("$tmp/circb.out"), meta("$tmp/circb.out")["equiv/max"]["attrs"]["equiv"]
assert R["equiv/free_error"].min() > 0.05 and A["breaks"] == "state", A
EOF
# A random W does not commute with a roll: W P x and P W x are two
# nearly independent vectors of the same size, |difference| ~ sqrt 2
# times either; 0.3 leaves room for the tanh's saturation.
dk-init rnn --units 32 --inputs 32 --gain 1.5 --seed 2 >"$tmp/rand.npy"
ok "dk-equiv on a random network, --rings 1" \
	dk-equiv --rings 1 -o "$tmp/rand.out" "$tmp/rand.npy"
pycheck "random network: order 1, the state breaks it" <<EOF
R, A = load("$tmp/rand.out"), meta("$tmp/rand.out")["equiv/max"]["attrs"]["equiv"]
assert R["equiv/free_error"].min() > 0.3, R["equiv/free_error"]
assert A["equivariant"] is False and A["breaks"] == "state", A
EOF

# The oscillator sheet: its coupling is a circular 3x3 convolution, the
# same 9 C products per unit in the same order wherever the unit is, so
# its step without input is equivariant to within the round-off of
# that sum (1e-14 relative is far above it); its encoders of the input
# image pad with zeros, so the edges break it with an input.  Without an
# image (an image of zeros) the encoders' hidden biases would, through
# that padding, make omega and alpha differ at the edges too: they are
# zeroed here, so that omega and alpha are their last biases everywhere.
dk-init nwm --sheet 5,6 --channels 2 --inputs 1 --seed 3 >"$tmp/nwm0.npy"
pycheck "the sheet's encoders with no hidden biases" <<EOF
recs = []
for raw, a in records("$tmp/nwm0.npy"):
    n = json.loads(raw)["name"]
    if n.startswith(("model/enc_omega/", "model/enc_alpha/")) and n.endswith("/b") and "/2/" not in n:
        a = np.zeros_like(a)
    recs.append((raw, a))
open("$tmp/nwm.npy", "wb").write(save_bytes(recs))
EOF
ok "dk-equiv on the oscillator sheet" dk-equiv -T 10 -o "$tmp/nwm.out" "$tmp/nwm.npy"
pycheck "sheet: shifts along rows then cols; free step exact; input breaks it" <<EOF
R, A = load("$tmp/nwm.out"), meta("$tmp/nwm.out")["equiv/max"]["attrs"]["equiv"]
want = [[d, 0] for d in range(1, 5)] + [[0, d] for d in range(1, 6)]
assert R["equiv/shifts"].tolist() == want, R["equiv/shifts"]
assert A["layout"]["shape"] == [4, 5, 6] and A["input_transformed"] is True, A
assert R["equiv/free_error"].max() <= 1e-14, R["equiv/free_error"]
assert R["equiv/step_error"].max() > 1e-6 and A["breaks"] == "input", A
EOF
# From a stream's image without h0 the sheet starts where dk-run starts
# it: y0 its encoder's image of the first step's image (four 3x3
# convolutions with zero padding, PyTorch's cross-correlation, relus
# then a tanh), z0 = 0.  NumPy makes that y0 again and hands it over as
# h0: the errors must be those of the start dk-equiv made itself.  The
# two y0 differ by the round-off of sums of 99 products and a tanh
# (~1e-15 relative); the errors (order 1e-3) are differences of
# trajectories over 4 steps that such a change in the start moves by
# far less than 1e-10 of themselves.  The former start (zero states, a
# sheet at rest, whose errors are all 0) would fail.
pycheck "5 x 6 images for 4 steps of 2 entries; y0 from them in NumPy" <<EOF
M = load("$tmp/nwm.npy")
rng = np.random.default_rng(8)
img = rng.standard_normal((4, 2, 30))
def conv(x, W, b):
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(p, (3, 3), axis=(1, 2))
    return np.einsum("ocab,cijab->oij", W, win) + b[:, None, None]
def y0(u):
    x = u.reshape(1, 5, 6)
    for l in range(4):
        x = conv(x, M[f"model/enc_y0/{l}/W"], M[f"model/enc_y0/{l}/b"])
        x = np.tanh(x) if l == 3 else np.maximum(x, 0)
    return x.ravel()
h0 = np.stack([np.concatenate([y0(img[0, b]), np.zeros(60)]) for b in range(2)])
assert np.abs(h0).max() > 0.01, "a start away from rest"
save("$tmp/img.npy", input=img)
save("$tmp/imgh0.npy", input=img, h0=h0)
EOF
ok "dk-equiv on the sheet from a stream without h0" \
	dk-equiv -o "$tmp/st.out" "$tmp/nwm.npy" "$tmp/img.npy"
ok "... and with NumPy's y0 as h0" \
	dk-equiv -o "$tmp/sth0.out" "$tmp/nwm.npy" "$tmp/imgh0.npy"
pycheck "the sheet starts at its encoder's y0, as NumPy makes it" <<EOF
R, H = load("$tmp/st.out"), load("$tmp/sth0.out")
A = meta("$tmp/st.out")["equiv/max"]["attrs"]["equiv"]
assert A["start"] == "input from the model's start", A
assert meta("$tmp/sth0.out")["equiv/max"]["attrs"]["equiv"]["start"] == "input from h0"
assert R["equiv/trajectory_error"].shape == (9, 4)
assert R["equiv/trajectory_error"].min() > 1e-6, R["equiv/trajectory_error"]
for k in ("trajectory_error", "step_error", "free_error"):
    a, b = R["equiv/" + k], H["equiv/" + k]
    assert np.abs(a - b).max() <= 1e-10 * np.abs(b).max(), (k, a, b)
EOF
ok "--sheet overrides: 4 x 8 sheets of the 32-unit circulant ring's state" \
	dk-equiv --sheet 4,8 -T 5 --shift 2 -o "$tmp/sh.out" "$tmp/circ.npy"
pycheck "--sheet: (2, 0) and (0, 2); the input of 32 is one sheet" <<EOF
R, A = load("$tmp/sh.out"), meta("$tmp/sh.out")["equiv/max"]["attrs"]["equiv"]
assert R["equiv/shifts"].tolist() == [[2, 0], [0, 2]] and A["input_channels"] == 1, A
EOF

# The sheet's action against np.roll over (row, col): a random tanh
# network of 12 units seen as one 3 x 4 sheet, whose step without input,
# tanh(W x + b), NumPy computes again.  The errors are of order 1 and
# the two computations differ by the round-off of 12-term sums and a
# tanh (~1e-15 relative): 1e-10 is far above that and far below the
# differences between shifts.
dk-init rnn --units 12 --inputs 2 --seed 6 >"$tmp/s12.npy"
pycheck "a start for the 3 x 4 sheet from NumPy" <<EOF
rng = np.random.default_rng(5)
save("$tmp/s12in.npy", input=rng.standard_normal((6, 3, 2)),
     h0=rng.standard_normal((3, 12)))
EOF
ok "dk-equiv --sheet 3,4 on it" \
	dk-equiv --sheet 3,4 -o "$tmp/s12.out" "$tmp/s12.npy" "$tmp/s12in.npy"
pycheck "sheet: the free step errors as NumPy finds them with np.roll" <<EOF
R, M, S = load("$tmp/s12.out"), load("$tmp/s12.npy"), load("$tmp/s12in.npy")
W, V, b = M["model/W"], M["model/V"], M["model/b"]
u, x = S["input"], S["h0"]
F = lambda x, u: np.tanh(x @ W.T + (0 if u is None else u @ V.T) + b)
X = [x]
for t in range(6):
    X.append(F(X[-1], u[t]))
assert R["equiv/shifts"].tolist() == [[1, 0], [2, 0], [0, 1], [0, 2], [0, 3]]
for e, (dy, dx) in enumerate(R["equiv/shifts"]):
    g = lambda v: np.roll(v.reshape(-1, 3, 4), (dy, dx), axis=(1, 2)).reshape(-1, 12)
    free = max(rel(F(g(X[t]), None), g(F(X[t], None))) for t in range(6))
    assert abs(R["equiv/free_error"][e] - free) <= 1e-10 * free, (dy, dx, free)
A = meta("$tmp/s12.out")["equiv/max"]["attrs"]["equiv"]
assert A["input_transformed"] is False and A["start"] == "input from h0", A
EOF

# Flows.  The fernn (v = 2) and the grnn with the same weights, their
# cell written out here again from its parameters, the velocity shift
# and the taps as np.roll, and the flowed runs and every error dk-equiv
# reports for a flow computed again.  The fernn's slices with a partner
# are exact in either computation (the same operations on permuted
# data): below 1e-12.  The errors of order 1 (the grnn's, and the
# fernn's slices without a partner, reported only) are differences of
# trajectories that C and NumPy round differently, by some 1e-16 a
# step, grown over 10 steps by the dynamics: 1e-9 relative covers that.
dk-init fernn --channels 2 --units 11 --velocities 2 --inputs 2 --seed 4 >"$tmp/fe.npy"
dk-init grnn --channels 2 --units 11 --inputs 2 --seed 4 >"$tmp/gr.npy"
pycheck "a start for the ring models from NumPy" <<EOF
rng = np.random.default_rng(11)
save("$tmp/fin.npy", input=rng.standard_normal((10, 3, 22)),
     h0=rng.standard_normal((3, 110)))
save("$tmp/gin.npy", input=rng.standard_normal((10, 3, 22)),
     h0=rng.standard_normal((3, 22)))
EOF
ok "dk-equiv --group flow on the fernn" \
	dk-equiv --group flow -o "$tmp/fe.out" "$tmp/fe.npy" "$tmp/fin.npy"
ok "dk-equiv --group flow --velocity 3 (beyond V) on the fernn" \
	dk-equiv --group flow --velocity 3 -o "$tmp/fe3.out" "$tmp/fe.npy" "$tmp/fin.npy"
ok "dk-equiv --group flow on the grnn" \
	dk-equiv --group flow -o "$tmp/gr.out" "$tmp/gr.npy" "$tmp/gin.npy"
pycheck "flows: NumPy's runs and errors; fernn exact with partners, grnn order 1" <<EOF
C, N, NI, T = 2, 11, 2, 10
def cell(model, v):
    P = load(model)
    W, U, b = P["model/W"], P["model/U"], P["model/b"]
    def conv(K, x):  # taps i - 1, i, i + 1
        return sum(np.einsum("kj,bjn->bkn", K[:, :, d], np.roll(x, 1 - d, axis=-1))
                   for d in range(3))
    def F(h, u):
        S, B = 2 * v + 1, h.shape[0]
        h, u = h.reshape(B, S, C, N), u.reshape(B, NI, N)
        out = np.empty_like(h)
        for a in range(S):
            r = np.roll(h[:, a], a - v, axis=-1)
            out[:, a] = np.maximum(conv(W, r) + conv(U, u) + b[None, :, None], 0)
        return out.reshape(B, -1)
    return F
def flow(F, v, mu, h0, u):
    """per step: the error over slices with a partner, and without"""
    S, B = 2 * v + 1, h0.shape[0]
    part = lambda a: (a - mu if 0 <= a - mu < S else -1) if v else a
    sl = lambda h, a: h.reshape(B, S, C, N)[:, a]
    y = np.stack([np.roll(sl(h0, part(a) if part(a) >= 0 else a), -mu, axis=-1)
                  for a in range(S)], axis=1).reshape(B, -1)
    x, errs = h0, []
    for t in range(T):
        x = F(x, u[t])
        y = F(y, np.roll(u[t].reshape(B, NI, N), mu * t, axis=-1).reshape(B, -1))
        e = []
        for c in (0, 1):
            num = den = 0
            for a in range(S):
                p = part(a)
                if (p < 0) != c:
                    continue
                want = np.roll(sl(x, a if c else p), mu * t, axis=-1)
                num = num + ((sl(y, a) - want) ** 2).sum(axis=(1, 2))
                den = den + (want ** 2).sum(axis=(1, 2))
            e.append(np.max(np.sqrt(num / den)) if np.any(den) else np.nan)
        errs.append(e)
    return np.array(errs)
I = load("$tmp/fin.npy")
F = cell("$tmp/fe.npy", 2)
R, A = load("$tmp/fe.out"), meta("$tmp/fe.out")["equiv/max"]["attrs"]["equiv"]
assert R["equiv/shifts"][:, 0].tolist() == [-2, -1, 1, 2], R["equiv/shifts"]
assert A["group"] == "flow" and A["velocities"] == 2 and A["slices_compared"] == [3, 4, 4, 3], A
assert "equiv/step_error" not in R and "equiv/free_error" not in R
assert A["equivariant"] and "flow" in A["summary"], A
for e, mu in enumerate([-2, -1, 1, 2]):
    E = flow(F, 2, mu, I["h0"], I["input"])
    assert E[:, 0].max() < 1e-12 and R["equiv/trajectory_error"][e].max() < 1e-12, (mu, E[:, 0])
    un = E[:, 1].max()
    assert abs(A["unpartnered_error"][e] - un) <= 1e-9 * un, (mu, A["unpartnered_error"][e], un)
R3, A3 = load("$tmp/fe3.out"), meta("$tmp/fe3.out")["equiv/max"]["attrs"]["equiv"]
E = flow(F, 2, 3, I["h0"], I["input"])
assert A3["slices_compared"] == [2] and R3["equiv/error"][0] < 1e-12 and E[:, 0].max() < 1e-12, A3
assert abs(A3["unpartnered_error"][0] - E[:, 1].max()) <= 1e-9 * E[:, 1].max(), A3
G = cell("$tmp/gr.npy", 0)
J = load("$tmp/gin.npy")
R, A = load("$tmp/gr.out"), meta("$tmp/gr.out")["equiv/max"]["attrs"]["equiv"]
assert A["slices_compared"] == [1, 1] and not A["equivariant"] and A["breaks"] == "trajectory", A
for e, mu in enumerate([-1, 1]):
    E = flow(G, 0, mu, J["h0"], J["input"])[:, 0]
    got = R["equiv/trajectory_error"][e]
    assert E.max() > 0.1 and np.all(np.abs(got - E) <= 1e-9 * E), (mu, got, E)
EOF

# Refusals.
fails_with 2 "--velocity without flow" dk-equiv --velocity 1 "$tmp/w.npy"
fails_with 2 "--velocity 0" dk-equiv --group flow --velocity 0 "$tmp/w.npy"
fails_with 1 "--velocity 1.5 on the fernn, whose lift holds whole velocities" dk-equiv --group flow --velocity 1.5 "$tmp/fe.npy"
fails_with 2 "--group flow with --shift" dk-equiv --group flow --shift 1 "$tmp/w.npy"
fails_with 1 "--velocity X,Y (a sheet's) on rings" dk-equiv --group flow --velocity 1,1 "$tmp/w.npy"
fails_with 2 "--group other" dk-equiv --group rotation "$tmp/w.npy"
fails_with 2 "--shift 0" dk-equiv --shift 0 "$tmp/w.npy"
fails_with 2 "--steps 0" dk-equiv -T 0 "$tmp/w.npy"
fails_with 2 "--tolerance -1" dk-equiv --tolerance -1 "$tmp/w.npy"
fails_with 2 "--rings with --sheet" dk-equiv --rings 1 --sheet 4,8 "$tmp/circ.npy"
fails_with 2 "--sheet 1,1" dk-equiv --sheet 1,1 "$tmp/circ.npy"
fails_with 2 "--samples with INPUT" dk-equiv -B 2 "$tmp/w.npy" "$tmp/win.npy"
fails_with 1 "--shift as large as the ring" dk-equiv --shift 16 "$tmp/w.npy"
fails_with 1 "a network with no layout and no --rings" dk-equiv "$tmp/rand.npy"
fails_with 1 "--rings that do not divide the state" dk-equiv --rings 5 "$tmp/rand.npy"
fails_with 1 "--group flow on the sheet with one number" dk-equiv --group flow --velocity 1 -T 2 "$tmp/nwm.npy"
fails_with 1 "--group flow at a velocity with no partner" dk-equiv --group flow --velocity 5 "$tmp/fe.npy"
fails_with 1 "--group flow on rings that do not split into its slices" dk-equiv --group flow --rings 2 "$tmp/fe.npy"
fails_with 1 "--steps beyond the input" dk-equiv -T 31 "$tmp/w.npy" "$tmp/win.npy"
fails_with 1 "an INPUT with no input" dk-equiv "$tmp/w.npy" "$tmp/circ.npy"
fails_with 1 "an input of the wrong width" dk-equiv "$tmp/circ.npy" "$tmp/win.npy"
dk-init rnn --units 8 --act identity --seed 1 >"$tmp/lin0.npy"
pycheck "a linear map that overflows: W = 1e200 I" <<EOF
rewrite("$tmp/lin0.npy", "$tmp/big.npy", W=1e200 * np.eye(8))
EOF
fails_with 1 "a trajectory that stops being finite" dk-equiv --rings 1 "$tmp/big.npy"
dk-equiv --rings 1 "$tmp/big.npy" 2>"$tmp/msg" >/dev/null
ok "... says which and when" grep -q "entry 0 stops being finite at step 2" "$tmp/msg"
dk-equiv "$tmp/rand.npy" 2>"$tmp/msg" >/dev/null
ok "the message says how to give the rings" grep -q -- "--rings C" "$tmp/msg"

done_testing
