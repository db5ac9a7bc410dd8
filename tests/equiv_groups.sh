#!/bin/sh
# equiv_groups.sh -- dk-equiv's sign flips and permutations of units
# against NumPy: a tanh rnn without bias is sign-equivariant to
# round-off and one with its random bias is not, by the errors NumPy
# finds again; a relu rnn, which does not declare the sign flip, is
# refused with the groups it declares; an rnn whose W, V and b are
# constant on the orbits of a permutation (W = P W P^T, V = P V Q^T,
# b = P b) is equivariant to round-off under it, with and without an
# input permutation, and a random rnn is not; bad permutations and
# options are refused.
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
def model(path):
    M = load(path)
    W, V, b = M["model/W"], M["model/V"], M["model/b"]
    return lambda x, u: np.tanh(x @ W.T + (0 if u is None else u @ V.T) + b)
def errors(F, g, gu, x, u):
    """Step, free step and trajectory errors of F under (g, gu), as
    dk-equiv(1) defines them, from h0 x and input u (time, batch, m)."""
    X = [x]
    for t in range(len(u)):
        X.append(F(X[-1], u[t]))
    T = len(u)
    step = max(rel(F(g(X[t]), gu(u[t])), g(X[t + 1])) for t in range(T))
    free = max(rel(F(g(X[t]), None), g(F(X[t], None))) for t in range(T))
    y, traj = g(x), []
    for t in range(T):
        y = F(y, gu(u[t]))
        traj.append(rel(y, g(X[t + 1])))
    return step, free, np.array(traj)
def agree(out, start, g, gu, model_path):
    """dk-equiv's errors in out against NumPy's, within 1e-9 relative:
    the same sums of 8 products and tanh, rounded in another order, over
    20 steps of a map with |W| near 1: far below that."""
    R, S = load(out), load(start)
    E = errors(model(model_path), g, gu, S["h0"], S["input"])
    got = (R["equiv/step_error"][0], R["equiv/free_error"][0],
           R["equiv/trajectory_error"][0])
    for a, want in zip(got, E):
        assert np.all(np.abs(a - want) <= 1e-9 * np.abs(want) + 1e-14), (a, want)
    return E
EOF

# A tanh rnn of 8 units and 3 inputs with gain 0.5 (|W|_2 near 1, so
# that differences do not grow over the 20 steps), and a start.
dk-init rnn --units 8 --inputs 3 --gain 0.5 --seed 3 >"$tmp/r.npy"
pycheck "a start and the rnn without its bias from NumPy" <<EOF
rng = np.random.default_rng(5)
save("$tmp/in.npy", input=rng.standard_normal((20, 4, 3)),
     h0=rng.standard_normal((4, 8)))
assert np.abs(load("$tmp/r.npy")["model/b"]).max() > 0.05
rewrite("$tmp/r.npy", "$tmp/r0.npy", b=np.zeros(8))
EOF

# Without bias F(-x, -u) = tanh(-(W x + V u)) = -F(x, u): negation is
# exact and commutes with rounding, so each step differs from the
# flipped one only by tanh's oddness in floating point (an ulp or so),
# which the 1-Lipschitz tanh and |W| near 1 keep from growing: 1e-12
# covers 20 steps of a few ulps each.
ok "dk-equiv --group sign on the rnn without bias" \
	dk-equiv --group sign --tolerance 1e-12 -o "$tmp/s0.out" "$tmp/r0.npy" "$tmp/in.npy"
ok "dk-equiv --group sign on the rnn with its random bias" \
	dk-equiv --group sign -o "$tmp/s.out" "$tmp/r.npy" "$tmp/in.npy"
pycheck "sign: exact to round-off without bias, order |b| with it, as NumPy finds" <<EOF
A = meta("$tmp/s0.out")["equiv/max"]["attrs"]["equiv"]
assert A["group"] == "sign" and A["equivariant"] and A["input_transformed"], A
assert load("$tmp/s0.out")["equiv/shifts"].tolist() == [[-1]]
assert load("$tmp/s0.out")["equiv/max"] <= 1e-12
neg = lambda v: -v
agree("$tmp/s0.out", "$tmp/in.npy", neg, neg, "$tmp/r0.npy")
A = meta("$tmp/s.out")["equiv/max"]["attrs"]["equiv"]
assert not A["equivariant"] and A["breaks"] == "state", A
step, free, traj = agree("$tmp/s.out", "$tmp/in.npy", neg, neg, "$tmp/r.npy")
# each unit is off by |tanh(-a + b) + tanh(a + b)| <= 2 |b_i| (tanh is
# 1-Lipschitz), and here by a visible part of it: the bias breaks it
b = load("$tmp/r.npy")["model/b"]
assert 1e-3 < free, free
assert step <= 2 * np.linalg.norm(b) / 1e-3, step  # |F| is far above 1e-3
EOF

dk-init rnn --units 8 --act relu --seed 3 >"$tmp/relu.npy"
fails_with 1 "--group sign on a relu rnn: not declared" \
	dk-equiv --group sign "$tmp/relu.npy"
grep -q "does not declare the group sign.*relu is not odd.*declares: perm" "$tmp/.err"
ok "the message names the groups the relu rnn declares" [ $? -eq 0 ]
dk-init wrnn --channels 2 --units 8 >"$tmp/w.npy"
fails_with 1 "--group flow on the wrnn: not declared" \
	dk-equiv --group flow "$tmp/w.npy"
grep -q "does not declare the group flow; it declares: shift" "$tmp/.err"
ok "the message names the wrnn's groups" [ $? -eq 0 ]

# A permutation p of the 8 units with cycles (0 3 5)(1 6)(2)(4 7) and
# q of the 3 inputs, (0 2)(1), and parameters constant on the orbits of
# (i, j) -> (p_i, p_j) (W), (i, k) -> (p_i, q_k) (V) and i -> p_i (b):
# W[p][:, p] == W, V[p][:, q] == V, b[p] == b hold exactly, so F(x[p],
# u[q]) and F(x, u)[p] add the same products in another order, a few
# ulps of sums of 8 and 3 terms per step; 1e-10 over 20 steps of a map
# with |W| near 1 is far above that.
pycheck "orbit-constant W, V, b from NumPy; the permutations as streams" <<EOF
rng = np.random.default_rng(9)
p = np.array([3, 6, 2, 5, 7, 0, 1, 4])
q = np.array([2, 1, 0])
def orbit_constant(shape, step, scale):
    A, seen = np.zeros(shape), np.zeros(shape, bool)
    for idx in np.ndindex(*shape):
        if seen[idx]:
            continue
        v, k = scale * rng.standard_normal(), idx
        while not seen[k]:
            A[k], seen[k] = v, True
            k = step(k)
    return A
W = orbit_constant((8, 8), lambda k: (p[k[0]], p[k[1]]), 0.5 / np.sqrt(8))
V = orbit_constant((8, 3), lambda k: (p[k[0]], q[k[1]]), 0.5)
Vp = orbit_constant((8, 3), lambda k: (p[k[0]], k[1]), 0.5)
b = orbit_constant((8,), lambda k: (p[k[0]],), 0.3)
assert (W[p][:, p] == W).all() and (V[p][:, q] == V).all() and (b[p] == b).all()
assert (Vp[p] == Vp).all()
rewrite("$tmp/r.npy", "$tmp/pq.npy", W=W, V=V, b=b)
rewrite("$tmp/r.npy", "$tmp/pp.npy", W=W, V=Vp, b=b)
save("$tmp/perm.npy", **{"equiv/perm": p})
save("$tmp/permq.npy", **{"equiv/perm": p, "equiv/input_perm": q})
save("$tmp/dup.npy", **{"equiv/perm": np.array([0, 0, 2, 3, 4, 5, 6, 7])})
save("$tmp/short.npy", **{"equiv/perm": np.arange(7)})
save("$tmp/real.npy", **{"equiv/perm": np.arange(8.0)})
EOF
ok "dk-equiv --group perm with an input permutation" \
	dk-equiv --group perm --perm "$tmp/permq.npy" --tolerance 1e-10 \
	-o "$tmp/pq.out" "$tmp/pq.npy" "$tmp/in.npy"
ok "dk-equiv --group perm with the state's alone" \
	dk-equiv --group perm --perm "$tmp/perm.npy" --tolerance 1e-10 \
	-o "$tmp/pp.out" "$tmp/pp.npy" "$tmp/in.npy"
ok "dk-equiv --group perm on the random rnn" \
	dk-equiv --group perm --perm "$tmp/permq.npy" -o "$tmp/pr.out" \
	"$tmp/r.npy" "$tmp/in.npy"
pycheck "perm: the orbit-constant rnn equivariant, the random one not, as NumPy finds" <<EOF
p, q = np.array([3, 6, 2, 5, 7, 0, 1, 4]), np.array([2, 1, 0])
g, gq, same = (lambda v: v[..., p]), (lambda v: v[..., q]), (lambda v: v)
for out, mp, gu, moved in (("pq", "pq", gq, True), ("pp", "pp", same, False)):
    A = meta("$tmp/%s.out" % out)["equiv/max"]["attrs"]["equiv"]
    assert A["group"] == "perm" and A["equivariant"], A
    assert A["input_transformed"] is moved, A
    assert load("$tmp/%s.out" % out)["equiv/max"] <= 1e-10
    agree("$tmp/%s.out" % out, "$tmp/in.npy", g, gu, "$tmp/%s.npy" % mp)
A = meta("$tmp/pr.out")["equiv/max"]["attrs"]["equiv"]
assert not A["equivariant"] and A["breaks"] == "state", A
step, free, traj = agree("$tmp/pr.out", "$tmp/in.npy", g, gq, "$tmp/r.npy")
assert free > 0.01, free
EOF

# Refusals.
fails_with 1 "a permutation with a repeated unit" \
	dk-equiv --group perm --perm "$tmp/dup.npy" "$tmp/pq.npy"
fails_with 1 "a permutation of the wrong size" \
	dk-equiv --group perm --perm "$tmp/short.npy" "$tmp/pq.npy"
fails_with 1 "a permutation that is not i8" \
	dk-equiv --group perm --perm "$tmp/real.npy" "$tmp/pq.npy"
fails_with 1 "a FILE without equiv/perm" \
	dk-equiv --group perm --perm "$tmp/in.npy" "$tmp/pq.npy"
fails_with 1 "--group perm on the wrnn: not declared" \
	dk-equiv --group perm --perm "$tmp/perm.npy" "$tmp/w.npy"
fails_with 2 "--group perm without --perm" dk-equiv --group perm "$tmp/pq.npy"
fails_with 2 "--perm without --group perm" \
	dk-equiv --perm "$tmp/perm.npy" --rings 1 "$tmp/pq.npy"
fails_with 2 "--rings with --group sign" dk-equiv --group sign --rings 1 "$tmp/r.npy"
fails_with 2 "--lie with --group sign" dk-equiv --lie --group sign "$tmp/r.npy"

done_testing
