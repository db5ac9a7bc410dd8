#!/bin/sh
# fixed.sh -- dk-fixed end to end: a one-unit tanh network's three fixed
# points against a bisection in NumPy, a linear network under --input
# against numpy.linalg.solve, a linear continuous-time network in the
# flow convention, the 8 stable fixed points of a trained flip-flop
# network (stability from NumPy's eigenvalues of the Jacobian at each
# point), sampling, determinism, and errors.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# the checks' common part (pycheck in lib.sh puts it first): M and R the
# records of the model and the result pycheck is given
cat >"$tmp/common.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
M, R = load(sys.argv[1]), load(sys.argv[2])
RESULT = sys.argv[2]
with open(RESULT, "rb") as f:
    META = json.loads(np.load(f)[()])
EOF

# x' = tanh(2 x): the bias of a dk-init network set to zero
dk-init rnn --units 1 --inputs 1 --outputs 1 --init identity --gain 2 -o "$tmp/net.npy"
"$PY" -c "
import json, numpy as np
with open('$tmp/b.npy', 'wb') as f:
    np.save(f, np.array(json.dumps({'name': 'model/b'}).encode()))
    np.save(f, np.zeros(1))
np.save('$tmp/starts.npy', np.linspace(-3, 3, 25).reshape(25, 1))
"
# the zero bias in place of the network's own: a stream names a tensor once
{ dk-cat --exclude model/b "$tmp/net.npy" && cat "$tmp/b.npy"; } >"$tmp/one.npy"
ok "one unit: exits 0" dk-fixed -o "$tmp/fp.npy" "$tmp/one.npy" "$tmp/starts.npy"
pycheck "one unit: 0 and +-x*, x* = tanh(2 x*) by bisection, to 1e-14, all fixed" "$tmp/one.npy" "$tmp/fp.npy" <<'EOF'
lo, hi = 0.5, 1.5
for _ in range(200):
    mid = (lo + hi) / 2
    if (lo - np.tanh(2 * lo) < 0) == (mid - np.tanh(2 * mid) < 0):
        lo = mid
    else:
        hi = mid
xs = (lo + hi) / 2
got = np.sort(R["fp/x"][:, 0])
assert got.shape == (3,) and np.abs(got - [-xs, 0, xs]).max() < 1e-14, got
assert (R["fp/kind"] == 1).all() and (R["fp/q"] < 1e-28).all()
assert R["fp/iters"].shape == (3, 2) and R["fp/iters"].dtype == np.int64
assert META["axes"] == ["point", "unit"] and META["attrs"]["fixed"]["tol_fixed"] == 1e-10
EOF
ok "states on standard input give the same bytes" sh -c "dk-fixed '$tmp/one.npy' < '$tmp/starts.npy' | cmp - '$tmp/fp.npy'"
ok "the same run twice gives the same bytes" sh -c "dk-fixed '$tmp/one.npy' '$tmp/starts.npy' | cmp - '$tmp/fp.npy'"

# a linear network under a constant input: x* = (I - W)^-1 (V u + b)
dk-init rnn --units 5 --inputs 2 --outputs 1 --act identity --gain 0.6 --seed 4 -o "$tmp/lin.npy"
"$PY" -c "import numpy as np; np.save('$tmp/s5.npy', np.random.default_rng(1).standard_normal((3, 4, 5)))"
ok "--input 0.5,-2 exits 0" dk-fixed --input 0.5,-2 -o "$tmp/fpl.npy" "$tmp/lin.npy" "$tmp/s5.npy"
pycheck "linear: x* = solve(I - W, V u + b) to 1e-12; u in the attrs" "$tmp/lin.npy" "$tmp/fpl.npy" <<'EOF'
W, V, b = M["model/W"], M["model/V"], M["model/b"]
want = np.linalg.solve(np.eye(5) - W, V @ [0.5, -2] + b)
assert R["fp/x"].shape == (1, 5) and np.abs(R["fp/x"][0] - want).max() < 1e-12
assert META["attrs"]["fixed"]["input"] == [0.5, -2]
assert META["attrs"]["fixed"]["convention"] == "map"
EOF

# continuous time: the flow convention is the default
dk-init ctrnn --units 4 --inputs 1 --outputs 1 --act identity --gain 0.5 --seed 2 -o "$tmp/ct.npy"
"$PY" -c "import numpy as np; np.save('$tmp/s4.npy', np.random.default_rng(2).standard_normal((6, 4)))"
ok "ctrnn: exits 0" dk-fixed -o "$tmp/fpc.npy" "$tmp/ct.npy" "$tmp/s4.npy"
pycheck "ctrnn (identity): f = 0 at x* = solve(I - J, b), flow convention" "$tmp/ct.npy" "$tmp/fpc.npy" <<'EOF'
J, b = M["model/J"], M["model/b"]
want = np.linalg.solve(np.eye(4) - J, b)
assert R["fp/x"].shape == (1, 4) and np.abs(R["fp/x"][0] - want).max() < 1e-12
assert META["attrs"]["fixed"]["convention"] == "flow"
EOF
ok "ctrnn --jac exits 0" dk-fixed --jac -o "$tmp/fpcj.npy" "$tmp/ct.npy" "$tmp/s4.npy"
pycheck "ctrnn --jac: the eigenvalues of J - I (tau 1) by decreasing real part" "$tmp/ct.npy" "$tmp/fpcj.npy" <<'EOF'
want = np.linalg.eigvals(M["model/J"] - np.eye(4))
e = R["fp/eig"][0]
assert np.all(np.diff(e.real) <= 1e-12)
assert np.abs(np.sort_complex(e) - np.sort_complex(want)).max() < 1e-12
# fp/index counts real parts above 1e-10 (dk-fixed's tolerance) among its
# own eigenvalues, 1e-12 from NumPy's: between NumPy's counts above
# 1e-10 + 1e-12 and above 1e-10 - 1e-12, whatever the last bits
assert (want.real > 1e-10 + 1e-12).sum() <= R["fp/index"][0] <= (want.real > 1e-10 - 1e-12).sum()
EOF

# the trained flip-flop network: 8 stable fixed points, one per pattern
ff="$data/flipflop_rnn32.npy"
dk-gen flipflop --batch 8 --length 100 --seed 7 | dk-run "$ff" >"$tmp/run.npy"
ok "flip-flop: --sample 128 exits 0" dk-fixed --sample 128 --seed 1 -o "$tmp/fpf.npy" "$ff" "$tmp/run.npy"
pycheck "flip-flop: exactly 8 stable fixed points (|eig J| < 1), the 8 output sign patterns, and saddles" "$ff" "$tmp/fpf.npy" <<'EOF'
W, b = M["model/W"], M["model/b"]
Wo, bo = M["model/readout/W"], M["model/readout/b"]
x = R["fp/x"][R["fp/kind"] == 1]
assert np.abs(np.tanh(x @ W.T + b) - x).max() < 1e-10
rho = np.array([np.abs(np.linalg.eigvals((1 - p ** 2)[:, None] * W)).max() for p in x])
assert (np.abs(rho - 1) > 1e-6).all(), rho
stable = x[rho < 1]
assert len(stable) == 8, rho
pats = {tuple(s) for s in np.sign(stable @ Wo.T + bo).astype(int)}
assert len(pats) == 8, pats
assert (rho > 1).sum() >= 1
EOF
pycheck "flip-flop: fp/output is the readout at every point (1e-12), kinds 0 and 1 only" "$ff" "$tmp/fpf.npy" <<'EOF'
Wo, bo = M["model/readout/W"], M["model/readout/b"]
y = R["fp/x"] @ Wo.T + bo
assert R["fp/output"].shape == y.shape, R["fp/output"].shape
assert np.abs(R["fp/output"] - y).max() <= 1e-12 * max(1, np.abs(y).max())
from npystream import meta
assert meta(RESULT)["fp/output"]["axes"] == ["point", "output"]
assert set(R["fp/kind"].tolist()) <= {0, 1}
EOF
# --inputs: each start keeps the input that drove its state (the task's
# input beside dk-run's states); points are found and merged per input
dk-gen flipflop --batch 8 --length 100 --seed 7 >"$tmp/ffin.npy"
dk-run "$ff" "$tmp/ffin.npy" | cat "$tmp/ffin.npy" - >"$tmp/runin.npy"
ok "flip-flop --inputs --jac --sample 256 exits 0" \
	dk-fixed --inputs --jac --sample 256 --seed 2 -o "$tmp/fpu.npy" "$ff" "$tmp/runin.npy"
pycheck "--inputs: fp/u a row of the task's input per point; each fixed point fixed under its own u (1e-10); the zero input's 8 memories; fp/index under its u" "$ff" "$tmp/fpu.npy" <<'EOF'
W, V, b = M["model/W"], M["model/V"], M["model/b"]
x, u, kind = R["fp/x"], R["fp/u"], R["fp/kind"]
assert u.shape == (len(x), V.shape[1]), u.shape
from npystream import meta
assert meta(RESULT)["fp/u"]["axes"] == ["point", "input"]
assert set(np.unique(u)) <= {-1.0, 0.0, 1.0}, np.unique(u)
assert len({tuple(r) for r in u}) >= 2                 # more than one input seen
f = kind == 1
assert np.abs(np.tanh(x[f] @ W.T + u[f] @ V.T + b) - x[f]).max() < 1e-10
# under the zero input, the stable points are the 8 memories
z = f & (np.abs(u).sum(1) == 0)
rho = np.array([np.abs(np.linalg.eigvals((1 - p ** 2)[:, None] * W)).max() for p in x[z]])
assert (rho < 1).sum() == 8, rho
# the index counts |eig| > 1 of the Jacobian at each point under its input
for p, uu, k in zip(x[f], u[f], R["fp/index"][f]):
    J = (1 - np.tanh(W @ p + V @ uu + b) ** 2)[:, None] * W
    assert k == (np.abs(np.linalg.eigvals(J)) > 1 + 1e-10).sum()
EOF
fails_with 2 "--inputs with --input" dk-fixed --inputs --input 0,0,0 "$ff" "$tmp/runin.npy"
fails_with 1 "--inputs without an input tensor" dk-fixed --inputs "$ff" "$tmp/run.npy"
grep -q "no tensor named input beside the states" "$tmp/.err"; tap_result $? "... says what is missing"
ok "--jac exits 0" dk-fixed --jac --sample 128 --seed 1 -o "$tmp/fpj.npy" "$ff" "$tmp/run.npy"
pycheck "--jac: fp/eig is NumPy's spectrum of each point's Jacobian by decreasing modulus (1e-10), fp/index its count of |eig| > 1" "$ff" "$tmp/fpj.npy" <<'EOF'
W, b = M["model/W"], M["model/b"]
x, eig, idx = R["fp/x"], R["fp/eig"], R["fp/index"]
assert eig.dtype == np.complex128 and eig.shape == x.shape and idx.shape == (len(x),)
for p, e, k in zip(x, eig, idx):
    a = np.tanh(W @ p + b)
    want = np.linalg.eigvals((1 - a ** 2)[:, None] * W)
    assert np.all(np.diff(np.abs(e)) <= 1e-12), "not sorted by modulus"
    assert np.abs(np.sort_complex(e) - np.sort_complex(want)).max() < 1e-10
    # k counts |eig| > 1 + 1e-10 (dk-fixed's tolerance) among its own
    # eigenvalues, 1e-10 from NumPy's: NumPy's count above 1 + 2e-10 at
    # least, its count above 1 at most, whatever the last bits
    assert (np.abs(want) > 1 + 2e-10).sum() <= k <= (np.abs(want) > 1).sum(), (k, np.abs(want))
assert ((idx == 0) & (R["fp/kind"] == 1)).sum() == 8
EOF
# the spectra are shared among as many threads as OpenBLAS uses, each
# point's the same bits whichever thread makes it
for t in 1 3; do
	ok "--jac with OPENBLAS_NUM_THREADS=$t: the bytes of the default" sh -c "
		OPENBLAS_NUM_THREADS=$t dk-fixed --jac --sample 128 --seed 1 '$ff' '$tmp/run.npy' |
		cmp - '$tmp/fpj.npy'"
done
ok "--sample is deterministic for a seed" sh -c "dk-fixed --sample 128 --seed 1 '$ff' '$tmp/run.npy' | cmp - '$tmp/fpf.npy'"
ok "--convention map is the default of a discrete-time model" sh -c "dk-fixed --convention map --sample 128 --seed 1 '$ff' '$tmp/run.npy' | cmp - '$tmp/fpf.npy'"
fails_with 1 "--convention flow on a discrete-time model" dk-fixed --convention flow "$ff" "$tmp/run.npy"
fails_with 2 "--convention sideways" dk-fixed --convention sideways "$ff" "$tmp/run.npy"
# exact: --task runs dk_model_run on the same batch of 8 dk-gen draws,
# then the same search
ok "--task flipflop: the same points as dk-gen | dk-run | dk-fixed" sh -c "
	dk-fixed --task flipflop --batch 8 --length 100 --seed 7 --sample 128 '$ff' | dk-cat --select 'fp/*' --bare >'$tmp/t1.npy' &&
	dk-gen flipflop --batch 8 --seed 7 | dk-run '$ff' | dk-fixed --sample 128 --seed 7 '$ff' | dk-cat --select 'fp/*' --bare >'$tmp/t2.npy' &&
	cmp '$tmp/t1.npy' '$tmp/t2.npy'"
fails_with 2 "--task and a STATES operand" dk-fixed --task flipflop "$ff" "$tmp/run.npy"
fails_with 2 "--batch without --task" dk-fixed --batch 4 "$ff" "$tmp/run.npy"
fails_with 2 "--task of no such task" dk-fixed --task nope "$ff"
fails_with 2 "--bits for the adding task" dk-fixed --task adding --bits 2 "$ff"
fails_with 1 "--task copy: 10 input features, the model takes 3" dk-fixed --task copy "$ff"
ok "--noise runs" dk-fixed --sample 16 --noise 0.1 --seed 2 -o "$tmp/fpn.npy" "$ff" "$tmp/run.npy"

fails_with 2 "no model is a usage error" dk-fixed
fails_with 2 "model and states both on stdin" dk-fixed - -
fails_with 2 "--tol-fixed x is a usage error" dk-fixed --tol-fixed x "$tmp/one.npy" "$tmp/starts.npy"
fails_with 2 "--sample 0 is a usage error" dk-fixed --sample 0 "$tmp/one.npy" "$tmp/starts.npy"
fails_with 2 "--noise -1 is a usage error" dk-fixed --noise -1 "$tmp/one.npy" "$tmp/starts.npy"
fails_with 1 "--input of the wrong length" dk-fixed --input 1,2 "$tmp/one.npy" "$tmp/starts.npy"
fails_with 2 "--input that is not numbers" dk-fixed --input a "$tmp/one.npy" "$tmp/starts.npy"
fails_with 1 "--flow on a discrete-time model" dk-fixed --flow "$tmp/one.npy" "$tmp/starts.npy"
fails_with 1 "--sample beyond the states given" dk-fixed --sample 26 "$tmp/one.npy" "$tmp/starts.npy"
fails_with 1 "states of the wrong width" dk-fixed "$tmp/one.npy" "$tmp/s5.npy"
fails_with 1 "a model file that is not a model" dk-fixed "$tmp/starts.npy" "$tmp/starts.npy"
"$PY" -c "import numpy as np; np.save('$tmp/nan.npy', np.array([[np.nan]]))"
fails_with 1 "a NaN start state" dk-fixed "$tmp/one.npy" "$tmp/nan.npy"
done_testing
