#!/bin/sh
# feedback.sh -- the closed loop through the tools: dk-run --feedback
# STEP against the closed-loop forward pass written out in NumPy from
# the model's own tensors (an rnn on the flow task: from STEP on each
# input is the previous output); dk-train --feedback's first loss and
# its test loss against dk-run --feedback on the same batches; the
# refusals (outputs not as many as inputs, a task with nothing to
# predict, step 0 or past the last).
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
PYTHONPATH="$top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
py_start

task="--ring 12 --frames-in 4 --frames-out 5"
dk-init rnn --units 10 --inputs 12 --outputs 12 --act tanh --gain 1.2 --seed 3 -o "$tmp/m.npy"
# shellcheck disable=SC2086
dk-gen flow $task --batch 3 --seed 2 -o "$tmp/in.npy"
ok "dk-run --feedback 4 exits 0" dk-run --feedback 4 -o "$tmp/out.npy" "$tmp/m.npy" "$tmp/in.npy"

# The same steps and sums in another order (NumPy's BLAS against ours):
# states and outputs equal to a few ulps of their size, 1e-12 leaves room
# for 9 steps of growth; the loss likewise.
cat >"$tmp/check.py" <<'EOF'
import sys
import numpy as np
from npystream import load
M, I, R = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
W, V, b = M["model/W"], M["model/V"], M["model/b"]
Wo, bo = M["model/readout/W"], M["model/readout/b"]
u, target, mask = I["input"], I["target"], I["mask"]
F = 4
h = np.zeros((u.shape[1], W.shape[0]))
hs, ys = [], []
for t in range(u.shape[0]):
    x = u[t] if t < F else ys[-1]
    h = np.tanh(h @ W.T + x @ V.T + b)
    hs.append(h)
    ys.append(h @ Wo.T + bo)
hs, ys = np.array(hs), np.array(ys)
loss = (mask[..., None] * (ys - target) ** 2).sum() / (mask.sum() * ys.shape[2])
def close(a, b):
    return a.shape == b.shape and np.abs(a - b).max() <= 1e-12 * max(1, np.abs(b).max())
assert close(R["states"], hs) and close(R["output"], ys), "states or outputs"
assert abs(R["run/loss"] - loss) <= 1e-12 * loss, (float(R["run/loss"]), loss)
# the open loop (zero input while predicting) scores another loss
h = np.zeros_like(h); yo = []
for t in range(u.shape[0]):
    h = np.tanh(h @ W.T + u[t] @ V.T + b); yo.append(h @ Wo.T + bo)
lo = (mask[..., None] * (np.array(yo) - target) ** 2).sum() / (mask.sum() * ys.shape[2])
assert abs(lo - loss) > 1e-6 * loss, (lo, loss)
EOF
py_ok "dk-run --feedback: states, outputs and loss equal NumPy's closed loop to 1e-12" \
	"$tmp/check.py" "$tmp/m.npy" "$tmp/in.npy" "$tmp/out.npy"

# dk-train's first step scores the initial model on the batch dk-gen
# draws with the same seed, its test the batch of the test seed (999):
# both closed loops must give dk-run --feedback's losses, to the last few
# ulps (BPTT's loss sums in its own order).
# shellcheck disable=SC2086
dk-gen flow $task --batch 4 --seed 7 -o "$tmp/b7.npy"
# shellcheck disable=SC2086
dk-train --task flow $task --feedback --batch 4 --seed 7 --steps 2 --lr 1e-3 \
	--test-every 2 --checkpoint "$tmp/ck.npy" -o "$tmp/tr.npy" "$tmp/m.npy"
is "$?" 0 "dk-train --feedback on flow: exit 0"
dk-run -n --feedback 4 -o "$tmp/r7.npy" "$tmp/m.npy" "$tmp/b7.npy"
# shellcheck disable=SC2086
dk-gen flow $task --batch 4 --seed 999 -o "$tmp/b999.npy"
dk-run -n --feedback 4 -o "$tmp/r999.npy" "$tmp/tr.npy" "$tmp/b999.npy"
cat >"$tmp/check_train.py" <<'EOF'
import sys
from npystream import load
T, R7, R999 = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
first, want = float(T["train/loss"][0]), float(R7["run/loss"])
assert abs(first - want) <= 1e-13 * want, (first, want)
test, want = float(T["train/log"][-1, 2]), float(R999["run/loss"])
assert abs(test - want) <= 1e-13 * want, (test, want)
EOF
py_ok "dk-train --feedback: first and test losses are dk-run --feedback's" \
	"$tmp/check_train.py" "$tmp/tr.npy" "$tmp/r7.npy" "$tmp/r999.npy"
ok "--resume of a closed-loop run exits 0" dk-train --resume "$tmp/ck.npy" -o "$tmp/tr2.npy"
ok "the checkpoint keeps feedback 4 in its options" \
	sh -c "dk-info -j '$tmp/ck.npy' | grep -q '\"feedback\": *4'"

dk-init rnn --units 5 --inputs 12 --outputs 3 --seed 1 -o "$tmp/m3.npy"
fails_with 1 "dk-run --feedback: outputs not as many as inputs refused" \
	dk-run --feedback 4 "$tmp/m3.npy" "$tmp/in.npy"
cp "$tmp/.err" "$tmp/why"
ok "... with a message saying so" grep -q "3 outputs and 12 inputs" "$tmp/why"
fails_with 1 "dk-run --feedback 9: past the last step refused" \
	dk-run --feedback 9 "$tmp/m.npy" "$tmp/in.npy"
fails_with 2 "dk-run --feedback 0: usage error" dk-run --feedback 0 "$tmp/m.npy" "$tmp/in.npy"
fails_with 2 "dk-train --feedback on the copy task: usage error" \
	dk-train --task copy --feedback --steps 1 "$tmp/m.npy"
# shellcheck disable=SC2086
fails_with 1 "dk-train --feedback: outputs not as many as inputs refused" \
	dk-train --task flow $task --feedback --steps 1 "$tmp/m3.npy"
cp "$tmp/.err" "$tmp/why"
ok "... with a message saying so" grep -q "3 outputs" "$tmp/why"

done_testing
