#!/bin/sh
# jac.sh -- dk-jac against NumPy: spectra of NumPy-written matrices
# (numpy.linalg.eig, sorted the same way, to 1e-10; eigenvectors up to
# phase; residuals of both sides), the Jacobians of linear rnn models
# (J = W, dF/du = V), conventions, --top, determinism, and bad input.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

# the checks' common part (pycheck in lib.sh puts it first): description; Python on stdin; R: the records of $tmp/out.npy by name
cat >"$tmp/common.py" <<PYEOF
import json, os, sys
import numpy as np
tmp = "$tmp"
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name, load, meta
def groups(p):
    """[{name: array}] of a stream holding several jac/* groups"""
    out = []
    for i, r in enumerate(records(p)):
        n = name(r, i)
        if n == "jac/eig" or not out:
            out.append({})
        out[-1][n] = r[1]
    return out
def order(w, conv="map"):
    """the sort of dk-jac(1): map by modulus, flow by real part"""
    if conv == "map":
        return sorted(range(len(w)), key=lambda j: (-abs(w[j]), -w[j].real, -abs(w[j].imag), -w[j].imag))
    return sorted(range(len(w)), key=lambda j: (-w[j].real, -abs(w[j].imag), -w[j].imag))
def sorted_eig(A, conv="map"):
    w, v = np.linalg.eig(A)
    o = order(w, conv)
    return w[o], v[:, o]
R = load("$tmp/out.npy") if os.path.exists("$tmp/out.npy") else {}
PYEOF

# ---- bare matrices against numpy.linalg.eig ----
"$PY" -c "
import json, numpy as np
rng = np.random.default_rng(3)
with open('$tmp/mats.npy', 'wb') as f:
    np.save(f, rng.standard_normal((5, 8, 8)))
    np.save(f, np.array(json.dumps({'name': 'big'}).encode()))
    np.save(f, rng.standard_normal((30, 30)) / np.sqrt(30))
    np.save(f, np.array(json.dumps({'name': 'sym'}).encode()))
    S = rng.standard_normal((6, 6)); np.save(f, (S + S.T).astype(np.float32))
"
ok "--matrix --vectors on three tensors exits 0" dk-jac --matrix --vectors -o "$tmp/out.npy" "$tmp/mats.npy"
pycheck "eigenvalues equal numpy.linalg.eig's, sorted the same way, to 1e-10" <<'PYEOF'
from npystream import arrays
mats = arrays(tmp + "/mats.npy")
G = groups(tmp + "/out.npy")
assert len(G) == 3
for A, g in zip(mats, G):
    A = A.reshape((-1,) + A.shape[-2:]).astype(float)
    assert g["jac/eig"].shape == A.shape[:2] and g["jac/eig"].dtype == np.complex128
    for p in range(A.shape[0]):
        w, v = sorted_eig(A[p])
        assert np.abs(g["jac/eig"][p] - w).max() <= 1e-10 * max(1, np.abs(w).max()), p
PYEOF
pycheck "right eigenvectors equal NumPy's up to phase (1e-9), left ones eig(A.T)'s conjugate" <<'PYEOF'
from npystream import arrays
mats = arrays(tmp + "/mats.npy")
G = groups(tmp + "/out.npy")
def same_up_to_phase(a, b):
    # both unit norm: |a^H b| = 1 when they span the same line
    return abs(abs(np.vdot(a, b)) - 1) < 1e-9
for A, g in zip(mats, G):
    A = A.reshape((-1,) + A.shape[-2:]).astype(float)
    for p in range(A.shape[0]):
        w, v = sorted_eig(A[p])
        wl, vl = np.linalg.eig(A[p].T)
        vl = vl[:, order(wl)].conj()
        Rv, Lv = g["jac/right"][p], g["jac/left"][p]
        for j in range(len(w)):
            assert same_up_to_phase(Rv[:, j], v[:, j]), (p, j)
            assert same_up_to_phase(Lv[:, j], vl[:, j] / np.linalg.norm(vl[:, j])), (p, j)
PYEOF
pycheck "residuals: |A x - lambda x| and |y^H A - lambda y^H| < 1e-12; rcond = |y^H x|" <<'PYEOF'
from npystream import arrays
mats = arrays(tmp + "/mats.npy")
for A, g in zip(mats, groups(tmp + "/out.npy")):
    A = A.reshape((-1,) + A.shape[-2:]).astype(float)
    for p in range(A.shape[0]):
        w, X, Y = g["jac/eig"][p], g["jac/right"][p], g["jac/left"][p]
        assert np.abs(A[p] @ X - X * w).max() < 1e-12
        assert np.abs(Y.conj().T @ A[p] - w[:, None] * Y.conj().T).max() < 1e-12
        assert np.abs(np.abs(np.sum(Y.conj() * X, axis=0)) - g["jac/cond"][p]).max() < 1e-12
        big = np.abs(X).argmax(axis=0)
        assert np.all(X[big, range(len(w))].imag == 0) and np.all(X[big, range(len(w))].real > 0)
PYEOF
pycheck "a symmetric matrix: real eigenvalues, every rcond 1 (1e-12)" <<'PYEOF'
g = groups(tmp + "/out.npy")[2]
assert np.all(g["jac/eig"].imag == 0) and np.abs(g["jac/cond"] - 1).max() < 1e-12
PYEOF

# ---- --top, conventions, Schur form ----
ok "--top 3 --schur --convention flow exits 0" dk-jac --matrix --top 3 --schur -c flow -o "$tmp/out.npy" "$tmp/mats.npy"
pycheck "--top 3 keeps the 3 leading by real part; Z T Z^T = A" <<'PYEOF'
from npystream import arrays
mats = arrays(tmp + "/mats.npy")
for A, g in zip(mats, groups(tmp + "/out.npy")):
    A = A.reshape((-1,) + A.shape[-2:]).astype(float)
    assert g["jac/eig"].shape == (A.shape[0], 3) and g["jac/cond"].shape == (A.shape[0], 3)
    for p in range(A.shape[0]):
        w, v = sorted_eig(A[p], "flow")
        assert np.abs(g["jac/eig"][p] - w[:3]).max() < 1e-10
        T, Z = g["jac/schur_t"][p], g["jac/schur_z"][p]
        assert np.abs(Z @ T @ Z.T - A[p]).max() < 1e-12 and np.all(np.tril(T, -2) == 0)
        # jac/index counts real parts above 1e-10 among dk-jac's own
        # eigenvalues, 1e-10 from NumPy's (above): between NumPy's counts
        # above 2e-10 and above 0, whatever the last bits
        assert np.sum(w.real > 2e-10) <= g["jac/index"][p] <= np.sum(w.real > 0)
PYEOF

dk-jac --matrix --vectors -o "$tmp/full.npy" "$tmp/mats.npy"
ok "--top 2 --vectors to a file" dk-jac --matrix --top 2 -v -o "$tmp/out.npy" "$tmp/mats.npy"
pycheck "--top 2 --vectors: the first 2 eigenvalues, conditions and vector columns of the full result" <<'PYEOF'
full = groups(tmp + "/full.npy")
for g, f in zip(groups(tmp + "/out.npy"), full):
    assert g["jac/right"].shape == f["jac/right"].shape[:2] + (2,)
    for k in ("jac/eig", "jac/cond"):
        assert np.array_equal(g[k], f[k][:, :2])
    for k in ("jac/right", "jac/left"):
        assert np.array_equal(g[k], f[k][:, :, :2])
    for k in ("jac/index", "jac/stable", "jac/kind"):
        assert np.array_equal(g[k], f[k])
PYEOF
ok "-o FILE and standard output give the same bytes" sh -c "dk-jac --matrix --top 2 -v '$tmp/mats.npy' | cmp - '$tmp/out.npy'"

# ---- a model at states ----
dk-init rnn --units 6 --inputs 2 --outputs 1 --act identity --seed 3 >"$tmp/lin.npy"
"$PY" -c "
import numpy as np
np.save('$tmp/x.npy', np.random.default_rng(1).standard_normal((2, 2, 6)))
"
ok "linear rnn at a bare (2, 2, 6) array of states exits 0" \
	dk-jac --input-jacobian --vectors -o "$tmp/out.npy" "$tmp/lin.npy" "$tmp/x.npy"
pycheck "linear rnn: at every state eig = eig(W) (1e-10), dF/du = V, jac/x the states" <<'PYEOF'
M = load(tmp + "/lin.npy")
W, V = M["model/W"], M["model/V"]
w, v = sorted_eig(W)
assert R["jac/x"].shape == (4, 6) and np.array_equal(R["jac/x"], np.load(tmp + "/x.npy").reshape(4, 6))
for p in range(4):
    assert np.abs(R["jac/eig"][p] - w).max() < 1e-10
    assert np.array_equal(R["jac/input"][p], V)
    # index and stability count |eig| against 1 +- 1e-10 among dk-jac's
    # own eigenvalues, 1e-10 from NumPy's: NumPy's counts with the margin
    # widened by 1e-10 each way bound them, whatever the last bits
    m = np.abs(w)
    assert np.sum(m > 1 + 2e-10) <= R["jac/index"][p] <= np.sum(m > 1)
    assert (not np.all(m < 1 - 2e-10) or R["jac/stable"][p]) and (np.all(m < 1) or not R["jac/stable"][p])
assert meta(tmp + "/out.npy")["jac/eig"]["attrs"]["convention"] == "map"
PYEOF
ok "states from standard input" sh -c "dk-jac --input-jacobian --vectors '$tmp/lin.npy' < '$tmp/x.npy' | cmp - '$tmp/out.npy'"
dk-cat --bare "$tmp/out.npy" >"$tmp/bare.npy"
ok "the model from standard input, states from a file: the same tensors" \
	sh -c "dk-jac --input-jacobian --vectors - '$tmp/x.npy' < '$tmp/lin.npy' | dk-cat --bare | cmp - '$tmp/bare.npy'"

dk-init rnn --units 4 --inputs 1 --outputs 1 --act relu --init identity >"$tmp/irnn.npy"
printf '1 2 3 4\n0.5 0.5 0.5 0.5\n' | dk-cat -T >"$tmp/pos.npy"
is "$(dk-jac "$tmp/irnn.npy" "$tmp/pos.npy" | dk-cat -s 'jac/kind' -s 'jac/stable' -s 'jac/index' --bare -t | grep -v '^#' | tr -s '\t\n' '  ')" \
	"0 0 0 0 0 0 " "iRNN at positive states: J = I, eigenvalues 1: nonhyperbolic (0), not stable, index 0"

dk-init ctrnn --units 5 --inputs 2 --outputs 1 --gain 0.5 --seed 2 >"$tmp/ct.npy"
printf '0.1 0.2 -0.3 0 0.4\n' | dk-cat -T >"$tmp/x1.npy"
ok "ctrnn: default convention" sh -c "dk-jac -u 0.5,-1 '$tmp/ct.npy' '$tmp/x1.npy' > '$tmp/out.npy'"
pycheck "ctrnn: the flow convention by default, a stable node or focus at g = 0.5" <<'PYEOF'
m = meta(tmp + "/out.npy")["jac/eig"]["attrs"]
assert m["convention"] == "flow" and m["provenance"]["options"]["input"] == [0.5, -1]
assert R["jac/eig"][0][0].real < 0 and R["jac/stable"][0] and R["jac/kind"][0] in (1, 2)
PYEOF
ok "the same bytes twice (deterministic)" sh -c "dk-jac -u 0.5,-1 '$tmp/ct.npy' '$tmp/x1.npy' | cmp - '$tmp/out.npy'"

printf '1.05 0\n0 0.5\n' | dk-cat -T >"$tmp/d.npy"
kinds() { dk-jac --matrix "$@" "$tmp/d.npy" | dk-cat -s jac/index -s jac/kind --bare -t | grep -v -e '^#' -e '^$' | tr '\n' ' '; }
is "$(kinds)" "1 3 " "diag(1.05, 0.5) as a map: index 1, a saddle"
is "$(kinds --tol 0.1)" "0 0 " "  with --tol 0.1: 1.05 is marginal: index 0, nonhyperbolic"
is "$(kinds -c flow)" "2 1 " "  as a flow: index 2, an (unstable) node"
fails_with 2 "--tol -1" dk-jac --matrix --tol -1 "$tmp/d.npy"

# ---- dk-fixed | dk-jac: fp/q, fp/kind and the rest pass through ----
dk-gen flipflop --batch 4 --length 50 --seed 3 | dk-run "$top_srcdir/data/flipflop_rnn32.npy" |
	dk-fixed --sample 64 --noise 0.2 --seed 2 "$top_srcdir/data/flipflop_rnn32.npy" >"$tmp/fp.npy"
ok "dk-jac on dk-fixed's output exits 0" \
	sh -c "dk-jac '$top_srcdir/data/flipflop_rnn32.npy' <'$tmp/fp.npy' >'$tmp/fpjac.npy'"
rm -f "$tmp/out.npy"
pycheck "fp/q, fp/kind, fp/iters come out unchanged, with dk-fixed's provenance, rows beside jac/x" <<'PYEOF'
F, J, M = load(f"{tmp}/fp.npy"), load(f"{tmp}/fpjac.npy"), meta(f"{tmp}/fpjac.npy")
for k in ("fp/q", "fp/kind", "fp/iters"):
    assert k in J and J[k].dtype == F[k].dtype and (J[k] == F[k]).all(), k
assert "fp/x" not in J
assert (J["jac/x"] == F["fp/x"]).all()
assert M["fp/kind"]["attrs"]["provenance"]["tool"] == "dk-fixed"
assert M["jac/eig"]["attrs"]["provenance"]["tool"] == "dk-jac"
PYEOF

# ---- --arnoldi: the leading eigenvalues matrix-free, against dense ----
dk-init rnn --units 120 --inputs 2 --outputs 1 --act tanh --init random --gain 1.5 --seed 3 >"$tmp/chaos.npy"
dk-init rnn --units 120 --inputs 2 --outputs 1 --act tanh --init random --gain 0.5 --seed 3 >"$tmp/calm.npy"
dk-gen adding --batch 2 --length 2 --seed 1 | dk-run "$tmp/chaos.npy" >"$tmp/chaos-run.npy"
dk-gen adding --batch 2 --length 2 --seed 1 | dk-run "$tmp/calm.npy" >"$tmp/calm-run.npy"
for net in chaos calm; do
	dk-jac --top 6 "$tmp/$net.npy" "$tmp/$net-run.npy" >"$tmp/$net-dense.npy"
	ok "--arnoldi --top 6 --vectors on the $net network exits 0" \
		dk-jac --arnoldi --top 6 --vectors -o "$tmp/$net-arn.npy" "$tmp/$net.npy" "$tmp/$net-run.npy"
done
# ARPACK is loaded at the first call where configure found its soname: a
# library by that name that cannot be loaded (an empty file first on the
# search path) is said to be that, not an argument ARPACK rejected
soname=$(sed -n 's/^#define DK_ARPACK_SONAME "\(.*\)"$/\1/p' "$top_builddir/config.h")
if [ -n "$soname" ]; then
	mkdir -p "$tmp/noarpack" && : >"$tmp/noarpack/$soname"
	fails_with 1 "--arnoldi with $soname unloadable exits 1" \
		env LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$tmp/noarpack" \
		dk-jac --arnoldi --top 6 "$tmp/chaos.npy" "$tmp/chaos-run.npy"
	grep -q "ARPACK's library ($soname) could not be loaded" "$tmp/.err"
	tap_result $? "and says the library could not be loaded"
fi
rm -f "$tmp/out.npy"
pycheck "the 6 leading eigenvalues by Arnoldi equal the dense ones to 1e-8, residuals < 1e-8" <<'PYEOF'
for net in ("chaos", "calm"):
    D, A = load(f"{tmp}/{net}-dense.npy"), load(f"{tmp}/{net}-arn.npy")
    assert A["jac/eig"].shape == D["jac/eig"].shape == (4, 6), A["jac/eig"].shape
    assert np.abs(A["jac/eig"] - D["jac/eig"]).max() < 1e-8, (net, np.abs(A["jac/eig"] - D["jac/eig"]).max())
    assert A["jac/resid"].max() < 1e-8, A["jac/resid"].max()
    assert "jac/cond" not in A
PYEOF
pycheck "the Ritz vectors are of unit norm, one per value" <<'PYEOF'
A = load(f"{tmp}/calm-arn.npy")
V, w, x = A["jac/right"], A["jac/eig"], A["jac/x"]
assert V.shape == (4, 120, 6)
assert np.allclose(np.linalg.norm(V, axis=1), 1, atol=1e-12)
PYEOF
pycheck "stability and index from 6 values: the calm net as dense says, the chaotic one -1 (not known)" <<'PYEOF'
D, A = load(f"{tmp}/calm-dense.npy"), load(f"{tmp}/calm-arn.npy")
# two computations of the same 6 eigenvalues, 1e-8 apart (above): they
# classify alike as none is within 1e-6 of the unit circle
assert (np.abs(np.abs(D["jac/eig"]) - 1) > 1e-6).all()
assert (A["jac/index"] == D["jac/index"]).all() and (A["jac/stable"] == D["jac/stable"]).all()
assert (A["jac/kind"] == D["jac/kind"]).all() and A["jac/stable"].all()
D, A = load(f"{tmp}/chaos-dense.npy"), load(f"{tmp}/chaos-arn.npy")
assert (D["jac/index"] > 6).all(), D["jac/index"]
assert (A["jac/index"] == -1).all() and (A["jac/kind"] == -1).all() and not A["jac/stable"].any()
PYEOF
dk-jac "$tmp/calm.npy" "$tmp/calm-run.npy" >"$tmp/calm-all.npy"
ok "--arnoldi --shift 0.6 --top 3 exits 0" \
	dk-jac --arnoldi --shift 0.6 --top 3 -o "$tmp/calm-si.npy" "$tmp/calm.npy" "$tmp/calm-run.npy"
pycheck "--shift 0.6: the 3 eigenvalues nearest 0.6, as the dense spectrum has them" <<'PYEOF'
D, A = load(f"{tmp}/calm-all.npy"), load(f"{tmp}/calm-si.npy")
for p in range(4):
    w = D["jac/eig"][p]
    near = w[np.argsort(np.abs(w - 0.6), kind="stable")[:3]]
    got = A["jac/eig"][p]
    assert np.allclose(np.sort(np.abs(got - 0.6)), np.sort(np.abs(near - 0.6)), atol=1e-8, rtol=0), (got, near)
assert (A["jac/index"] == -1).all()
PYEOF
dk-jac --matrix -k 1 -o "$tmp/m-prov.npy" "$tmp/d.npy"
pycheck "provenance options: the tool's settings and the analysis's, as given" <<'PYEOF'
o = meta(tmp + "/calm-si.npy")["jac/eig"]["attrs"]["provenance"]["options"]
assert set(o) == {"model", "matrix", "method", "convention", "top", "vectors", "schur",
                  "input_jacobian", "input", "tol", "arnoldi"}, list(o)
assert o["model"].endswith("calm.npy") and o["matrix"] is False and o["method"] == "arnoldi"
assert o["convention"] == "map" and o["top"] == 3 and o["input"] == [] and o["tol"] == 1e-10
assert o["arnoldi"] == {"shift": 0.6, "ncv": 0, "tol": 0, "seed": 0}, o["arnoldi"]
o = meta(tmp + "/m-prov.npy")["jac/eig"]["attrs"]["provenance"]["options"]
assert o["matrix"] is True and o["convention"] == "map", o
assert o["method"] == "dense" and o["top"] == 1 and "arnoldi" not in o and o["model"] is None
PYEOF
fails_with 2 "--shift without --arnoldi" dk-jac --shift 1 "$tmp/calm.npy" "$tmp/calm-run.npy"
fails_with 2 "--arnoldi with --matrix" dk-jac --arnoldi --matrix "$tmp/calm.npy"
fails_with 1 "--arnoldi --top 119 of 120 units" dk-jac --arnoldi --top 119 "$tmp/calm.npy" "$tmp/calm-run.npy"

# ---- bad input ----
"$PY" -c "
import numpy as np
np.save('$tmp/rect.npy', np.ones((3, 4)))
a = np.eye(3); a[1, 2] = np.nan; np.save('$tmp/nan.npy', a)
np.save('$tmp/cplx.npy', np.eye(2, dtype=complex))
np.save('$tmp/x5.npy', np.ones((2, 5)))
"
fails_with 1 "a non-square matrix" dk-jac --matrix "$tmp/rect.npy"
grep -q "^dk-jac: $tmp/rect.npy: arr_0: (3, 4) is not a square matrix" "$tmp/.err"
is "$?" 0 "  the message names the file, tensor and shape"
fails_with 1 "a NaN entry" dk-jac --matrix "$tmp/nan.npy"
grep -q "entry (1, 2) is not finite" "$tmp/.err"
is "$?" 0 "  the message names the entry"
fails_with 1 "a complex matrix" dk-jac --matrix "$tmp/cplx.npy"
fails_with 1 "states of the wrong size (5, the model has 6)" dk-jac "$tmp/lin.npy" "$tmp/x5.npy"
fails_with 2 "--top 0" dk-jac --top 0 "$tmp/lin.npy" "$tmp/x.npy"
fails_with 1 "--top 7 > n = 6" dk-jac --top 7 "$tmp/lin.npy" "$tmp/x.npy"
fails_with 1 "--convention flow on a discrete-time model" dk-jac -c flow "$tmp/lin.npy" "$tmp/x.npy"
grep -q "discrete-time" "$tmp/.err"
is "$?" 0 "  saying the model is discrete-time"
fails_with 2 "--convention sideways" dk-jac -c sideways "$tmp/lin.npy" "$tmp/x.npy"
fails_with 1 "--input of 3 values for 2 inputs" dk-jac -u 1,2,3 "$tmp/lin.npy" "$tmp/x.npy"
fails_with 2 "--input 1,,2" dk-jac -u 1,,2 "$tmp/lin.npy" "$tmp/x.npy"
fails_with 2 "--matrix with --input-jacobian" dk-jac --matrix -j "$tmp/rect.npy"
fails_with 2 "MODEL and STATES both on standard input" dk-jac -
fails_with 2 "no MODEL" dk-jac
fails_with 1 "states that are not a model's" dk-jac "$tmp/x.npy" "$tmp/x.npy"
done_testing
