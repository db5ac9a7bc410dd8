#!/bin/sh
# equiv_objects.sh -- dk-equiv --objects and --lie against NumPy: the
# fixed points dk-fixed finds on a circulant ring network with bumps,
# each rolled by each shift and looked up in the set again in NumPy (the
# missing orbit members must be the same pairs, also after one point is
# removed from the set), their residual and spectra; a random network
# under a made-up ring layout, whose rolled fixed points are not fixed;
# the Lyapunov exponents from rolled starts, equal for a circulant
# network and not for a random one;
# the Lie derivative against a central difference of the fractional
# shift (an FFT phase shift) on rings and sheets, and 0 for a circulant
# linear network; refusals.
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
def params(path):
    R = load(path)
    return R["model/W"], R["model/b"]
def missing(x, tol):
    """(point, shift) of every roll of a point not within tol of the set,
    and the smallest and largest relative distance seen."""
    n, out, d = x.shape[1], set(), []
    for i in range(len(x)):
        for s in range(1, n):
            dist = np.linalg.norm(np.roll(x[i], s) - x, axis=1).min()
            d.append(dist / np.linalg.norm(x[i]))
            if d[-1] > tol:
                out.add((i, s))
    return out, np.array(d)
EOF

# A ring of 10 tanh units, W circulant with a cosine profile strong
# enough for bumps, b uniform: dk-fixed finds the uniform point and
# bumps centred on units and between them (isolated: the lattice pins
# them), from 60 random starts; some rolls of a bump may be left out.
dk-init rnn --units 10 --seed 1 >"$tmp/r0.npy"
pycheck "a circulant bump network from NumPy, and 60 starts" <<EOF
n = 10
w = (-0.2 + 1.6 * np.cos(2 * np.pi * np.arange(n) / n)) * 0.3
W = np.array([[w[(i - j) % n] for j in range(n)] for i in range(n)])
rewrite("$tmp/r0.npy", "$tmp/circ.npy", W=W, b=np.full(n, 0.1))
save("$tmp/starts.npy", states=np.random.default_rng(3).standard_normal((60, n)))
EOF
ok "dk-fixed finds its points" dk-fixed -o "$tmp/fp.npy" "$tmp/circ.npy" "$tmp/starts.npy"
ok "dk-equiv --objects on them" \
	dk-equiv --objects --rings 1 -o "$tmp/obj.out" "$tmp/circ.npy" "$tmp/fp.npy"
# dk-fixed polishes each point by Newton to |r| <= 1e-10, so two copies
# of one point differ by about that over states of norm ~3; distinct
# points by far more than 1e-2 (checked): the default tolerance 1e-6
# separates them.  The rolled points are fixed to round-off (circulant
# W: the same 10 products per unit, in another order): 1e-12.  The
# spectra at a point and at its roll are those of P J P^T, equal in exact
# arithmetic; LAPACK's backward error (~n eps |J|) and these well
# separated or exactly paired eigenvalues leave ~1e-14: 1e-10.
pycheck "circulant: the missing orbit members are NumPy's, residual and spectra 0" <<EOF
F, R = load("$tmp/fp.npy"), load("$tmp/obj.out")
A = meta("$tmp/obj.out")["equiv/missing"]["attrs"]["equiv"]
x = F["fp/x"][F["fp/kind"] == 1]
assert len(x) == len(F["fp/x"]) and len(x) >= 10, len(x)
want, d = missing(x, 1e-6)
assert not np.any((d > 1e-9) & (d < 1e-2)), d
got = set(map(tuple, R["equiv/missing"].tolist()))
assert got == want and A["missing"] == len(want), (got, want)
assert np.array_equal(R["equiv/shifts"][:, 0], np.arange(1, 10))
assert R["equiv/orbit_residual"].max() <= 1e-12 and A["max_residual"] <= 1e-12
assert R["equiv/orbit_spectrum"].max() <= 1e-10, R["equiv/orbit_spectrum"].max()
assert A["closed"] == (len(want) == 0)
# a bump whose whole orbit is in the set, to be taken out below
full = [i for i in range(len(x)) if np.abs(x[i] - x[i].mean()).max() > 0.1
        and all((i, s) not in want for s in range(1, 10))]
assert full, "no bump with its whole orbit"
k = full[0]
save("$tmp/fp2.npy", **{"fp/x": np.delete(x, k, 0),
                        "fp/kind": np.ones(len(x) - 1, dtype=np.int64)})
json.dump({"k": k}, open("$tmp/k.json", "w"))
EOF
ok "dk-equiv --objects on the set without one bump" \
	dk-equiv --objects --rings 1 -o "$tmp/obj2.out" "$tmp/circ.npy" "$tmp/fp2.npy"
pycheck "without it: every roll that lands on it is reported missing" <<EOF
F, R = load("$tmp/fp.npy"), load("$tmp/obj2.out")
k = json.load(open("$tmp/k.json"))["k"]
x = np.delete(F["fp/x"], k, 0)
want, _ = missing(x, 1e-6)
gone = {(i, s) for i in range(len(x)) for s in range(1, 10)
        if np.linalg.norm(np.roll(x[i], s) - F["fp/x"][k]) < 1e-6}
assert len(gone) == 9 and gone <= want, (gone, want)
got = set(map(tuple, R["equiv/missing"].tolist()))
assert got == want, (got, want)
EOF

# A random network under a made-up ring of its 12 units: W does not
# commute with a roll, so F(g x*) is a vector unrelated to g x* of the
# same size: the residual is of order 1 (0.2 leaves room for tanh's
# saturation), and NumPy's own residual agrees to round-off (1e-10
# relative: a tanh of a 12-term sum on both sides).
dk-init rnn --units 12 --gain 2 --seed 5 >"$tmp/q0.npy"
pycheck "a random network with a bias, and 40 starts" <<EOF
rewrite("$tmp/q0.npy", "$tmp/rand.npy",
        b=np.random.default_rng(8).standard_normal(12) * 0.5)
save("$tmp/rstarts.npy", states=np.random.default_rng(4).standard_normal((40, 12)))
EOF
ok "dk-fixed on it" dk-fixed -o "$tmp/rfp.npy" "$tmp/rand.npy" "$tmp/rstarts.npy"
ok "dk-equiv --objects on it, --rings 1" \
	dk-equiv --objects --rings 1 -o "$tmp/robj.out" "$tmp/rand.npy" "$tmp/rfp.npy"
pycheck "random network: the rolled fixed points are not fixed (order 1)" <<EOF
F, R, (W, b) = load("$tmp/rfp.npy"), load("$tmp/robj.out"), params("$tmp/rand.npy")
fixed = F["fp/kind"] == 1
assert fixed.sum() >= 1
res = R["equiv/orbit_residual"]
assert np.all(np.isnan(res[~fixed])) and np.all(R["equiv/orbit_nearest"][~fixed] == -1)
for i in np.flatnonzero(fixed):
    for e, s in enumerate(range(1, 12)):
        g = np.roll(F["fp/x"][i], s)
        want = np.linalg.norm(np.tanh(W @ g + b) - g) / np.linalg.norm(g)
        assert want > 0.2 and abs(res[i, e] - want) <= 1e-10 * want, (i, s, res[i, e], want)
assert len(R["equiv/missing"]) == 11 * fixed.sum()
EOF

# The Lie derivative.  T_s, the fractional shift, is the phase shift
# exp(-i k w s) of the DFT, taken real (the Nyquist term of an even
# size); the central difference (G(e) - G(-e)) / 2e of
# G(s) = F(T_s x) - T_s F(x) is -(J D x - D F) with an error of
# e^2 |G'''| / 6 ~ 1e-8 |G'''| at e = 1e-4, and round-off eps |F| / e
# ~ 1e-12: 1e-6 relative covers both.  On a sheet each axis is shifted
# alone; two rings of 8 alike.
dk-init rnn --units 15 --gain 1.5 --seed 9 >"$tmp/l0.npy"
dk-init rnn --units 16 --gain 1.5 --seed 10 >"$tmp/m0.npy"
pycheck "starts for the Lie derivative" <<EOF
rng = np.random.default_rng(12)
rewrite("$tmp/l0.npy", "$tmp/lrand.npy", b=rng.standard_normal(15) * 0.3)
rewrite("$tmp/m0.npy", "$tmp/mrand.npy", b=rng.standard_normal(16) * 0.3)
save("$tmp/lstart.npy", input=np.zeros((1, 5, 1)), h0=rng.standard_normal((5, 15)))
save("$tmp/mstart.npy", input=np.zeros((1, 5, 1)), h0=rng.standard_normal((5, 16)))
EOF
ok "dk-equiv --lie on a ring of 15" \
	dk-equiv --lie --rings 1 -o "$tmp/lie1.out" "$tmp/lrand.npy" "$tmp/lstart.npy"
ok "dk-equiv --lie on sheets of 3 x 5" \
	dk-equiv --lie --sheet 3,5 -o "$tmp/lie2.out" "$tmp/lrand.npy" "$tmp/lstart.npy"
ok "dk-equiv --lie on a ring of 16 (a Nyquist wavenumber)" \
	dk-equiv --lie --rings 1 -o "$tmp/lie3.out" "$tmp/mrand.npy" "$tmp/mstart.npy"
ok "dk-equiv --lie on 2 rings of 8" \
	dk-equiv --lie --rings 2 -o "$tmp/lie4.out" "$tmp/mrand.npy" "$tmp/mstart.npy"
ok "dk-equiv --lie on sheets of 4 x 4" \
	dk-equiv --lie --sheet 4,4 -o "$tmp/lie5.out" "$tmp/mrand.npy" "$tmp/mstart.npy"
# For an even size the phase shift of the Nyquist term is taken real,
# whose derivative at s = 0 is 0, as D gives it none.
pycheck "the Lie derivative is the central difference of the fractional shift" <<EOF
def T(x, s, shape, axis):
    y = x.reshape(shape)
    k = np.fft.fftfreq(shape[axis]) * shape[axis]
    ph = np.exp(-2j * np.pi * k * s / shape[axis])
    ph = ph.reshape([-1 if a == axis else 1 for a in range(len(shape))])
    return np.real(np.fft.ifftn(np.fft.fftn(y, axes=[axis]) * ph, axes=[axis])).ravel()
def lie(F, x, shape, axis, e=1e-4):
    G = lambda s: F(T(x, s, shape, axis)) - T(F(x), s, shape, axis)
    Dy = (T(F(x), e, shape, axis) - T(F(x), -e, shape, axis)) / (2 * e)
    return np.linalg.norm((G(e) - G(-e)) / (2 * e)) / np.linalg.norm(Dy)
cases = (("lrand", "lstart", "lie1", (1, 15), [1]), ("lrand", "lstart", "lie2", (3, 5), [0, 1]),
         ("mrand", "mstart", "lie3", (1, 16), [1]), ("mrand", "mstart", "lie4", (2, 8), [1]),
         ("mrand", "mstart", "lie5", (4, 4), [0, 1]))
for model, start, out, shape, axes in cases:
    M, S = load("$tmp/%s.npy" % model), load("$tmp/%s.npy" % start)
    F = lambda x: np.tanh(M["model/W"] @ x + M["model/b"])
    got = load("$tmp/%s.out" % out)["equiv/lie"]
    assert got.shape == (5, len(axes)), got.shape
    for i, x in enumerate(S["h0"]):
        for a, axis in enumerate(axes):
            want = lie(F, x, shape, axis)  # rings: one row per ring
            assert want > 0.05 and abs(got[i, a] - want) <= 1e-6 * want, (out, i, a, got[i, a], want)
A = meta("$tmp/lie2.out")["equiv/lie_max"]["attrs"]["equiv"]
assert A["axes"] == ["y", "x"] and A["equivariant"] is False, A
EOF
# A circulant linear map commutes with D: J D x - D W x = (W D - D W) x
# = 0 but for the round-off of two 15-term products in either order,
# ~1e-15 of |D W x|; 1e-11 is far above that and far below anything a
# non-commuting W gives (above 0.05 just before).
dk-init rnn --units 15 --act identity --seed 1 >"$tmp/lin0.npy"
pycheck "a circulant linear network" <<EOF
rng = np.random.default_rng(2)
w = rng.standard_normal(15) * 0.2
W = np.array([[w[(i - j) % 15] for j in range(15)] for i in range(15)])
rewrite("$tmp/lin0.npy", "$tmp/lin.npy", W=W, b=np.zeros(15))
EOF
ok "dk-equiv --lie on it" \
	dk-equiv --lie --rings 1 --tolerance 1e-11 -o "$tmp/lin.out" "$tmp/lin.npy"
pycheck "circulant linear network: the Lie derivative is 0 to 1e-11" <<EOF
R, A = load("$tmp/lin.out"), meta("$tmp/lin.out")["equiv/lie_max"]["attrs"]["equiv"]
assert R["equiv/lie"].shape == (8, 1) and R["equiv/lie_max"] <= 1e-11, R["equiv/lie"]
assert A["equivariant"] is True, A
EOF

# The Lyapunov part.  A circulant tanh network of 12 units (the largest
# DFT modulus of W 2.5: an oscillating attractor, leading exponent near
# 0): the runs from x0 and from each roll of it are the same orbit moved
# by the roll, in another summation order, and only the first basis is
# not moved with it; the exponents differ by ~1e-10 here.  A random
# network is not equivariant: the rolled start follows another, chaotic
# trajectory, whose finite-time exponents differ by ~1e-2 (their
# standard errors).  1e-6 and 1e-3 separate the two by orders.
dk-init rnn --units 12 --seed 1 >"$tmp/c0.npy"
pycheck "a circulant oscillating network and a set of one point" <<EOF
rng = np.random.default_rng(4)
w = rng.standard_normal(12)
w *= 2.5 / np.abs(np.fft.fft(w)).max()
W = np.array([[w[(i - j) % 12] for j in range(12)] for i in range(12)])
rewrite("$tmp/c0.npy", "$tmp/osc.npy", W=W, b=np.zeros(12))
save("$tmp/one.npy", **{"fp/x": np.full((1, 12), 0.3)})
EOF
ok "dk-equiv --objects --lyapunov 2000 on it" \
	dk-equiv --objects --rings 1 --lyapunov 2000 -o "$tmp/ly.out" "$tmp/osc.npy" "$tmp/one.npy"
dk-init rnn --units 12 --gain 2.5 --seed 3 >"$tmp/chaos.npy"
ok "... and on a random chaotic network" \
	dk-equiv --objects --rings 1 --lyapunov 2000 -o "$tmp/lyr.out" "$tmp/chaos.npy" "$tmp/one.npy"
pycheck "Lyapunov exponents from rolled starts: equal for the circulant, not for the random" <<EOF
R, A = load("$tmp/ly.out"), meta("$tmp/ly.out")["equiv/missing"]["attrs"]["equiv"]
d = R["equiv/orbit_lyapunov"]
assert d.shape == (11, 2) and d[:, 0].max() <= 1e-6, d
ex = np.array(A["lyapunov_exponents"])
assert len(ex) == 12 and np.all(np.diff(ex) <= 0) and abs(ex[0]) < 0.05, ex
d = load("$tmp/lyr.out")["equiv/orbit_lyapunov"]
assert d[:, 0].min() >= 1e-3 and np.all(d[:, 1] > 0), d
EOF
fails_with 2 "--lyapunov without --objects" dk-equiv --lyapunov 10 --rings 1 "$tmp/circ.npy"
fails_with 2 "--lyapunov 0" dk-equiv --objects --lyapunov 0 --rings 1 "$tmp/circ.npy" "$tmp/fp.npy"

# Refusals.
fails_with 2 "--objects without FP" dk-equiv --objects --rings 1 "$tmp/circ.npy"
fails_with 2 "--objects with --steps" dk-equiv --objects -T 3 --rings 1 "$tmp/circ.npy" "$tmp/fp.npy"
fails_with 2 "--objects with --lie" dk-equiv --objects --lie "$tmp/circ.npy" "$tmp/fp.npy"
fails_with 2 "--no-spectra without --objects" dk-equiv --no-spectra --rings 1 "$tmp/circ.npy"
fails_with 2 "--lie with --group flow" dk-equiv --lie --group flow "$tmp/circ.npy"
fails_with 1 "--objects without a layout" dk-equiv --objects "$tmp/circ.npy" "$tmp/fp.npy"
fails_with 1 "--objects with points of another size" \
	dk-equiv --objects --rings 1 "$tmp/circ.npy" "$tmp/rfp.npy"
pycheck "a set with a bad fp/kind, and one of no fixed points" <<EOF
x = load("$tmp/fp.npy")["fp/x"]
save("$tmp/badkind.npy", **{"fp/x": x, "fp/kind": np.ones(len(x))})
save("$tmp/slow.npy", **{"fp/x": x, "fp/kind": np.zeros(len(x), dtype=np.int64)})
EOF
fails_with 1 "fp/kind not integers" dk-equiv --objects --rings 1 "$tmp/circ.npy" "$tmp/badkind.npy"
fails_with 1 "no fixed point in the set" dk-equiv --objects --rings 1 "$tmp/circ.npy" "$tmp/slow.npy"
dk-init rnn --units 402 --seed 1 >"$tmp/big.npy"
pycheck "a point of 402 units" <<EOF
save("$tmp/bigfp.npy", **{"fp/x": np.zeros((1, 402))})
EOF
fails_with 1 "spectra above 400 units" dk-equiv --objects --rings 2 "$tmp/big.npy" "$tmp/bigfp.npy"
dk-equiv --objects --rings 2 "$tmp/big.npy" "$tmp/bigfp.npy" 2>"$tmp/msg"
ok "... and the message says --no-spectra" grep -q -- "--no-spectra" "$tmp/msg"
ok "--no-spectra measures it" dk-equiv --objects --no-spectra --rings 2 -o /dev/null "$tmp/big.npy" "$tmp/bigfp.npy"

done_testing
