#!/bin/sh
# fernn.sh -- the flow-equivariant RNN and its G-RNN twin through the
# tools: dk-init's --velocities and its refusals; the attrs; dk-run
# against a NumPy step written from the cell's equation (np.roll by each
# velocity, then the circular cross-correlation) and a readout of the
# maximum over the velocities, with the ring layout in
# the states' attrs; the model through a stream; dk-train, dk-fixed,
# dk-jac and dk-lyap on both kinds.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
EOF

# ---- options ----
fails_with 2 "fernn without --velocities" dk-init fernn --units 5
fails_with 2 "fernn --velocities 0" dk-init fernn --units 5 --velocities 0
fails_with 2 "fernn --velocities x" dk-init fernn --units 5 --velocities x
fails_with 2 "fernn --velocities -1" dk-init fernn --units 5 --velocities -1
fails_with 2 "grnn --velocities 1" dk-init grnn --units 5 --velocities 1
fails_with 2 "rnn --velocities 1" dk-init rnn --velocities 1
fails_with 2 "wrnn --velocities 1" dk-init wrnn --velocities 1
fails_with 2 "fernn --outputs 0" dk-init fernn --units 5 --velocities 1 --outputs 0
fails_with 2 "fernn --init shift" dk-init fernn --units 5 --velocities 1 --init shift
fails_with 2 "fernn --act tanh" dk-init fernn --units 5 --velocities 1 --act tanh
fails_with 2 "fernn --sheet 2,2 with --units 5 (not 4)" dk-init fernn --units 5 --velocities 1 --sheet 2,2
fails_with 2 "fernn --dt" dk-init fernn --units 5 --velocities 1 --dt 0.1

ok "dk-init fernn" dk-init fernn --channels 2 --units 7 --velocities 2 --inputs 2 \
	--outputs 3 --seed 4 -o "$tmp/f.npy"
ok "dk-init grnn, the same sizes and seed" dk-init grnn --channels 2 --units 7 --inputs 2 \
	--outputs 3 --seed 4 -o "$tmp/g.npy"
pycheck "attrs: kind, velocities, state (2 V + 1) C N; the grnn has the same parameters" <<EOF
F, G = load("$tmp/f.npy"), load("$tmp/g.npy")
a = meta("$tmp/f.npy")["model/W"]["attrs"]
assert (a["model"]["kind"], a["model"]["velocities"], a["model"]["state_size"]) == ("fernn", 2, 70), a
assert a["provenance"]["options"]["velocities"] == 2, a
g = meta("$tmp/g.npy")["model/W"]["attrs"]["model"]
assert g["kind"] == "grnn" and g["state_size"] == 14 and "velocities" not in g, g
assert sorted(F) == sorted(G), (sorted(F), sorted(G))
for k in F:
    assert np.array_equal(F[k], G[k]), k
assert F["model/W"].shape == (2, 2, 3) and F["model/U"].shape == (2, 2, 3)
assert F["model/readout/W"].shape == (3, 14)
EOF

# ---- dk-run against NumPy ----
# b is moved off its initial 0 so that it is exercised; 10 steps (dk-wave
# needs 8) from a random h0 of both signs with random inputs.  The NumPy
# step sums the same products in another order: a few ulps of values of
# order 1, so 1e-12 is far above rounding and far below any error of an
# index or a sign (order 1).
pycheck "write a fernn and a grnn with b != 0, h0 and 10 steps of input" <<EOF
from npystream import records, save_bytes
for name in ("f", "g"):
    recs = []
    for raw, a in records("$tmp/%s.npy" % name):
        mt = json.loads(raw)
        if mt["name"] == "model/b":
            a = np.array([0.3, -0.2])
        recs.append((json.dumps(mt).encode(), a))
    open("$tmp/%sb.npy" % name, "wb").write(save_bytes(recs))
rng = np.random.default_rng(5)
for name, n in (("f", 70), ("g", 14)):
    with open("$tmp/%s_in.npy" % name, "wb") as f:
        for key, a in (("h0", rng.normal(size=(2, n))), ("input", rng.normal(size=(10, 2, 14)))):
            np.save(f, np.array(json.dumps({"name": key}).encode()))
            np.save(f, a)
EOF
ok "dk-run the fernn" dk-run -o "$tmp/frun.npy" "$tmp/fb.npy" "$tmp/f_in.npy"
ok "dk-run the grnn" dk-run -o "$tmp/grun.npy" "$tmp/gb.npy" "$tmp/g_in.npy"
pycheck "states: relu(W * roll(h_nu, nu) + U * u + b) per velocity, outputs W_out max_nu h_nu + b_out, in NumPy (rel err < 1e-12)" <<EOF
def conv(K, h):  # Conv1d, kernel 3, circular padding 1: taps i-1, i, i+1
    return sum(np.einsum("kj,bji->bki", K[:, :, d], np.roll(h, 1 - d, axis=-1)) for d in range(3))
for name, V in (("f", 2), ("g", 0)):
    M, I = load("$tmp/%sb.npy" % name), load("$tmp/%s_in.npy" % name)
    R = load("$tmp/%srun.npy" % name)
    S, Y = R["states"], R["output"]
    W, U, b = M["model/W"], M["model/U"], M["model/b"]
    h = I["h0"].reshape(2, 2 * V + 1, 2, 7)
    worst = 0
    for t in range(10):
        u = I["input"][t].reshape(2, 2, 7)
        inp = conv(U, u) + b[None, :, None]
        h = np.stack([np.maximum(conv(W, np.roll(h[:, a], a - V, axis=-1)) + inp, 0)
                      for a in range(2 * V + 1)], axis=1)
        got = S[t].reshape(h.shape)
        worst = max(worst, np.linalg.norm(got - h) / np.linalg.norm(h))
        y = h.max(axis=1).reshape(2, 14) @ M["model/readout/W"].T + M["model/readout/b"]
        worst = max(worst, np.linalg.norm(Y[t] - y) / np.linalg.norm(y))
        assert (h == 0).any() and (h > 0).any()
    assert worst < 1e-12, (name, worst)
EOF
pycheck "dk-run writes the ring layout: (2 V + 1) C periodic rings of N units" <<EOF
for name, rings in (("f", 10), ("g", 2)):
    m = meta("$tmp/%srun.npy" % name)["states"]["attrs"]["layout"]
    assert m == {"shape": [rings, 7], "axes": ["channel", "unit"], "periodic": [False, True]}, m
EOF

ok "dk-wave on the fernn's states, with no options" dk-wave -o "$tmp/wave.npy" "$tmp/frun.npy"
pycheck "dk-wave found the 10 rings (velocity, channel) of each of the 2 runs" <<EOF
assert load("$tmp/wave.npy")["wave/speed"].shape == (2, 10)
EOF

# ---- a round trip, training and the analyses ----
ok "the model through dk-cat" sh -c "dk-cat '$tmp/fb.npy' > '$tmp/f2.npy'"
dk-run -o "$tmp/frun2.npy" "$tmp/f2.npy" "$tmp/f_in.npy"
pycheck "the same states from the copy, bit for bit" <<EOF
assert np.array_equal(load("$tmp/frun.npy")["states"], load("$tmp/frun2.npy")["states"])
EOF

# flipflop's 3 inputs as one input channel on a ring of 3 units
for kind in fernn grnn; do
	if [ $kind = fernn ]; then vel="--velocities 1"; else vel=; fi
	ok "dk-train a $kind a few steps on flipflop (a ring of 3)" dk-train --model $kind \
		--channels 2 --units 3 $vel --inputs 1 --task flipflop --length 20 --batch 4 \
		--steps 10 -o "$tmp/t_$kind.npy"
done
fails_with 1 "dk-train: 3 input channels on a ring of 3 do not fit flipflop's 3 inputs" \
	dk-train --model fernn --units 3 --velocities 1 --task flipflop --length 20 --steps 2
dk-gen flipflop --batch 2 --length 40 --seed 3 >"$tmp/ff.npy"
for kind in fernn grnn; do
	ok "dk-run the trained $kind on flipflop" dk-run -o "$tmp/ffrun_$kind.npy" \
		"$tmp/t_$kind.npy" "$tmp/ff.npy"
	ok "dk-fixed on the $kind's states" dk-fixed -o "$tmp/fp_$kind.npy" "$tmp/t_$kind.npy" \
		"$tmp/ffrun_$kind.npy"
	ok "dk-jac on the $kind's states" dk-jac -o "$tmp/jac_$kind.npy" "$tmp/t_$kind.npy" \
		"$tmp/ffrun_$kind.npy"
	ok "dk-lyap on the $kind, driven by flipflop" dk-lyap -k 2 --transient 0 \
		--basis-transient 10 -o "$tmp/ly_$kind.npy" "$tmp/t_$kind.npy" "$tmp/ff.npy"
done

done_testing
