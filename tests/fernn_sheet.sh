#!/bin/sh
# fernn_sheet.sh -- the flow-equivariant RNN and the G-RNN on a sheet
# through the tools: dk-init --sheet's refusals and what it allows; the
# attrs and the shared parameters; dk-run against a NumPy cell written
# from the equation (each slice rolled by (nu_y, nu_x) with np.roll, then
# a direct 3x3 circular cross-correlation by index arithmetic, slices in
# the order nu_x, then nu_y) on one step and on several, the readout's
# maximum over V and the sheet layout in the states' attrs; a round trip
# through dk-cat; and dk-equiv --group flow on the sheet, every error it
# reports computed again in NumPy.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, save_bytes, load, meta
C, H, W, NI = 2, 4, 5, 2
def save(path, **tensors):
    open(path, "wb").write(save_bytes(
        [(json.dumps({"name": k}).encode(), v) for k, v in tensors.items()]))
def corr(K, x):
    """PyTorch's Conv2d, kernel 3x3, circular padding 1, as sums over taps
    of x[.., (r + p - 1) mod H, (c + q - 1) mod W] by index arithmetic."""
    out = 0
    for p in range(3):
        rows = (np.arange(H) + p - 1) % H
        for q in range(3):
            cols = (np.arange(W) + q - 1) % W
            out = out + np.einsum("kj,bjrc->bkrc", K[:, :, p, q], x[:, :, rows][:, :, :, cols])
    return out
def cell(model, v):
    """The step of model (V = {-v..v}^2) on (B, n) states, (B, NI H W) inputs."""
    P = load(model)
    Wk, U, b = P["model/W"], P["model/U"], P["model/b"]
    A = 2 * v + 1
    vel = [(x, y) for x in range(-v, v + 1) for y in range(-v, v + 1)]
    def F(h, u):
        B = h.shape[0]
        h, u = h.reshape(B, A * A, C, H, W), u.reshape(B, NI, H, W)
        inp = corr(U, u) + b[None, :, None, None]
        out = np.stack([np.maximum(corr(Wk, np.roll(h[:, a], (ny, nx), axis=(-2, -1))) + inp, 0)
                        for a, (nx, ny) in enumerate(vel)], axis=1)
        return out.reshape(B, -1)
    return F, vel, P
EOF

# ---- options ----
# Sides of 1 or 2 are allowed, as rings of 1 or 2 units are (the taps of
# the kernel then add up), and so are velocities beyond half a side
# (their rolls repeat others'), as on rings.
fails_with 2 "fernn --sheet 0,3" dk-init fernn --velocities 1 --sheet 0,3
fails_with 2 "fernn --sheet 3" dk-init fernn --velocities 1 --sheet 3
fails_with 2 "fernn --sheet 3,x" dk-init fernn --velocities 1 --sheet 3,x
fails_with 2 "fernn --sheet -1,3" dk-init fernn --velocities 1 --sheet -1,3
fails_with 2 "fernn --sheet 3,3,3" dk-init fernn --velocities 1 --sheet 3,3,3
fails_with 2 "fernn --sheet 5,6 --units 7 (not 30)" dk-init fernn --velocities 1 --sheet 5,6 --units 7
fails_with 2 "fernn on a sheet of 2^32 x 2^32" dk-init fernn --velocities 1 --sheet 4294967296,4294967296
fails_with 2 "grnn --sheet with --velocities" dk-init grnn --velocities 1 --sheet 4,4
fails_with 2 "fernn --sheet without --velocities" dk-init fernn --sheet 4,4
ok "fernn on a 1 x 2 sheet" dk-init fernn --velocities 1 --sheet 1,2 -o "$tmp/small.npy"
ok "fernn on a 3 x 3 sheet with velocities -4 .. 4" dk-init fernn --velocities 4 --sheet 3,3 -o "$tmp/fast.npy"
ok "fernn --sheet 5,6 --units 30" dk-init fernn --velocities 1 --sheet 5,6 --units 30 -o "$tmp/u30.npy"

ok "dk-init fernn --sheet 4,5" dk-init fernn --channels 2 --sheet 4,5 --velocities 1 \
	--inputs 2 --outputs 3 --seed 4 -o "$tmp/f.npy"
ok "dk-init grnn --sheet 4,5, the same sizes and seed" dk-init grnn --channels 2 --sheet 4,5 \
	--inputs 2 --outputs 3 --seed 4 -o "$tmp/g.npy"
pycheck "attrs: the sheet, velocities, state 9 C H W; the grnn has the same parameters" <<EOF
F, G = load("$tmp/f.npy"), load("$tmp/g.npy")
a = meta("$tmp/f.npy")["model/W"]["attrs"]
m = a["model"]
assert (m["kind"], m["velocities"], m["height"], m["width"], m["units"], m["state_size"]) == \
    ("fernn", 1, 4, 5, 20, 360), m
assert a["provenance"]["options"]["sheet"] == [4, 5], a
g = meta("$tmp/g.npy")["model/W"]["attrs"]["model"]
assert g["kind"] == "grnn" and g["state_size"] == 40 and "velocities" not in g and g["height"] == 4, g
assert sorted(F) == sorted(G), (sorted(F), sorted(G))
for k in F:
    assert np.array_equal(F[k], G[k]), k
assert F["model/W"].shape == (2, 2, 3, 3) and F["model/U"].shape == (2, 2, 3, 3)
assert F["model/readout/W"].shape == (3, 40)
# PyTorch's default bounds, 1/sqrt(9 C) and 1/sqrt(9 I) (gain 1)
assert np.abs(F["model/W"]).max() <= 1 / np.sqrt(18) and np.abs(F["model/U"]).max() <= 1 / np.sqrt(18)
assert meta("$tmp/fast.npy")["model/W"]["attrs"]["model"]["state_size"] == 81 * 9
EOF

# ---- dk-run against NumPy ----
# b moved off its initial 0 so that it is exercised; a random h0 of both
# signs and random inputs.  NumPy sums the same products (some 40 of
# values of order 1 per unit) in another order: a few ulps, so 1e-12 is
# far above rounding and far below any error of an index, a direction
# or a slice order (order 1).
pycheck "write the fernn and the grnn with b != 0, h0 and 6 steps of input" <<EOF
for name in ("f", "g"):
    recs = []
    for raw, a in records("$tmp/%s.npy" % name):
        if json.loads(raw)["name"] == "model/b":
            a = np.array([0.3, -0.2])
        recs.append((raw, a))
    open("$tmp/%sb.npy" % name, "wb").write(save_bytes(recs))
rng = np.random.default_rng(5)
for name, n in (("f", 360), ("g", 40)):
    save("$tmp/%s_in.npy" % name, h0=rng.normal(size=(3, n)), input=rng.normal(size=(6, 3, 40)))
    save("$tmp/%s_in1.npy" % name, h0=rng.normal(size=(3, n)), input=rng.normal(size=(1, 3, 40)))
EOF
for k in f g; do
	ok "dk-run the $k model, 6 steps" dk-run -o "$tmp/${k}run.npy" "$tmp/${k}b.npy" "$tmp/${k}_in.npy"
	ok "dk-run the $k model, 1 step" dk-run -o "$tmp/${k}run1.npy" "$tmp/${k}b.npy" "$tmp/${k}_in1.npy"
done
pycheck "states and outputs on the sheet: NumPy's cell, one step and six (rel err < 1e-12)" <<EOF
for name, v in (("f", 1), ("g", 0)):
    F, vel, P = cell("$tmp/%sb.npy" % name, v)
    for suffix in ("1", ""):
        I, R = load("$tmp/%s_in%s.npy" % (name, suffix)), load("$tmp/%srun%s.npy" % (name, suffix))
        h, worst = I["h0"], 0
        for t in range(I["input"].shape[0]):
            h = F(h, I["input"][t])
            worst = max(worst, np.linalg.norm(R["states"][t] - h) / np.linalg.norm(h))
            z = h.reshape(3, len(vel), C * H * W).max(axis=1)
            y = z @ P["model/readout/W"].T + P["model/readout/b"]
            worst = max(worst, np.linalg.norm(R["output"][t] - y) / np.linalg.norm(y))
            assert (h == 0).any() and (h > 0).any()
        assert worst < 1e-12, (name, suffix, worst)
EOF
pycheck "dk-run writes the sheet layout: (2 V + 1)^2 C periodic sheets of H x W" <<EOF
for name, sheets in (("f", 18), ("g", 2)):
    m = meta("$tmp/%srun.npy" % name)["states"]["attrs"]["layout"]
    assert m == {"shape": [sheets, 4, 5], "axes": ["channel", "row", "col"],
                 "periodic": [False, True, True]}, m
EOF
ok "the model through dk-cat" sh -c "dk-cat '$tmp/fb.npy' > '$tmp/f2.npy'"
ok "dk-run the copy" dk-run -o "$tmp/frun2.npy" "$tmp/f2.npy" "$tmp/f_in.npy"
pycheck "the same states from the copy, bit for bit" <<EOF
assert np.array_equal(load("$tmp/frun.npy")["states"], load("$tmp/frun2.npy")["states"])
EOF

# ---- dk-equiv --group flow on the sheet ----
# The flow at mu = (mu_x, mu_y) moves the input by (mu_y t, mu_x t) rows
# and columns at step t; slice nu of the flowed run follows slice nu - mu
# moved by mu (t - 1).  The fernn's slices with a partner are exact in
# either computation (the same operations on permuted data): below
# 1e-12.  The order-1 errors (the grnn's, the fernn's slices without a
# partner) are differences of trajectories that C and NumPy round
# differently, by some 1e-16 a step, grown over 6 steps: 1e-9 relative
# covers that.
ok "dk-equiv --group flow on the sheet fernn" \
	dk-equiv --group flow -o "$tmp/fe.out" "$tmp/fb.npy" "$tmp/f_in.npy"
ok "dk-equiv --group flow --velocity 2,-1 (beyond V) on the sheet fernn" \
	dk-equiv --group flow --velocity 2,-1 -o "$tmp/fe2.out" "$tmp/fb.npy" "$tmp/f_in.npy"
ok "dk-equiv --group flow on the sheet grnn" \
	dk-equiv --group flow -o "$tmp/ge.out" "$tmp/gb.npy" "$tmp/g_in.npy"
pycheck "flows on the sheet: NumPy's runs and errors; fernn exact with partners, grnn order 1" <<EOF
def flow(F, vel, mu, h0, u):
    """per step: the error over slices with a partner, and without"""
    S, B, (mx, my) = len(vel), h0.shape[0], mu
    def part(a):
        if S == 1:
            return a
        p = (vel[a][0] - mx, vel[a][1] - my)
        return vel.index(p) if p in vel else -1
    sl = lambda h, a: h.reshape(B, S, C, H, W)[:, a]
    y = np.stack([np.roll(sl(h0, part(a) if part(a) >= 0 else a), (-my, -mx), axis=(-2, -1))
                  for a in range(S)], axis=1).reshape(B, -1)
    x, errs = h0, []
    for t in range(u.shape[0]):
        x = F(x, u[t])
        ut = np.roll(u[t].reshape(B, NI, H, W), (my * t, mx * t), axis=(-2, -1))
        y = F(y, ut.reshape(B, -1))
        e = []
        for c in (0, 1):
            num = den = 0
            for a in range(S):
                p = part(a)
                if (p < 0) != c:
                    continue
                want = np.roll(sl(x, a if c else p), (my * t, mx * t), axis=(-2, -1))
                num = num + ((sl(y, a) - want) ** 2).sum(axis=(1, 2, 3))
                den = den + (want ** 2).sum(axis=(1, 2, 3))
            e.append(np.max(np.sqrt(num / den)) if np.any(den) else np.nan)
        errs.append(e)
    return np.array(errs)
I = load("$tmp/f_in.npy")
F, vel, _ = cell("$tmp/fb.npy", 1)
R, A = load("$tmp/fe.out"), meta("$tmp/fe.out")["equiv/max"]["attrs"]["equiv"]
mus = [m for m in vel if m != (0, 0)]
assert [tuple(m) for m in R["equiv/shifts"].tolist()] == mus, R["equiv/shifts"]
assert A["velocities"] == 1 and A["layout"]["shape"] == [18, 4, 5], A
assert A["slices_compared"] == [(3 - abs(x)) * (3 - abs(y)) for x, y in mus], A
assert A["equivariant"] and R["equiv/max"] < 1e-12 and R["equiv/error"].shape == (8,), A
for e, mu in enumerate(mus):
    E = flow(F, vel, mu, I["h0"], I["input"])
    assert E[:, 0].max() < 1e-12 and R["equiv/trajectory_error"][e].max() < 1e-12, (mu, E[:, 0])
    un = E[:, 1].max()
    assert un > 0.1 and abs(A["unpartnered_error"][e] - un) <= 1e-9 * un, (mu, A["unpartnered_error"][e], un)
R2, A2 = load("$tmp/fe2.out"), meta("$tmp/fe2.out")["equiv/max"]["attrs"]["equiv"]
E = flow(F, vel, (2, -1), I["h0"], I["input"])
assert R2["equiv/shifts"].tolist() == [[2, -1]] and A2["slices_compared"] == [2], A2
assert R2["equiv/error"][0] < 1e-12 and E[:, 0].max() < 1e-12, (R2["equiv/error"], E[:, 0])
assert abs(A2["unpartnered_error"][0] - E[:, 1].max()) <= 1e-9 * E[:, 1].max(), A2
J = load("$tmp/g_in.npy")
G, gvel, _ = cell("$tmp/gb.npy", 0)
R, A = load("$tmp/ge.out"), meta("$tmp/ge.out")["equiv/max"]["attrs"]["equiv"]
gmus = [(-1, 0), (1, 0), (0, -1), (0, 1)]
assert [tuple(m) for m in R["equiv/shifts"].tolist()] == gmus, R["equiv/shifts"]
assert A["slices_compared"] == [1] * 4 and not A["equivariant"] and A["breaks"] == "trajectory", A
for e, mu in enumerate(gmus):
    E = flow(G, gvel, mu, J["h0"], J["input"])[:, 0]
    got = R["equiv/trajectory_error"][e]
    assert E.max() > 0.1 and np.all(np.abs(got - E) <= 1e-9 * E), (mu, got, E)
EOF
fails_with 1 "--velocity NU (one number) on a sheet" dk-equiv --group flow --velocity 1 "$tmp/fb.npy"
fails_with 1 "--velocity 3,0: no slice has a partner" dk-equiv --group flow --velocity 3,0 "$tmp/fb.npy"
fails_with 1 "the sheet fernn measured on --rings" dk-equiv --group flow --rings 18 "$tmp/fb.npy"
fails_with 2 "--velocity 0,0" dk-equiv --group flow --velocity 0,0 "$tmp/fb.npy"
fails_with 2 "--velocity 1,x" dk-equiv --group flow --velocity 1,x "$tmp/fb.npy"
fails_with 1 "--velocity 1,0.5 on the fernn (its lift holds whole velocities)" dk-equiv --group flow --velocity 1,0.5 "$tmp/fb.npy"
fails_with 2 "--velocity 1,2,3" dk-equiv --group flow --velocity 1,2,3 "$tmp/fb.npy"
fails_with 2 "--velocity 1,0 without flow" dk-equiv --velocity 1,0 "$tmp/fb.npy"

done_testing
