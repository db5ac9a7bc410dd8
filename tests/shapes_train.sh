#!/bin/sh
# shapes_train.sh -- an nwm with a head trained on the shapes task and
# scored by dk-run: the loss of a short run falls; dk-run's labels are
# the argmax of its logits, its loss the per-pixel cross-entropy and its
# accuracy and foreground IoU the paper's scores, all recomputed in NumPy
# from its own records (to 1e-12: sums of a few thousand terms of order
# 1); bad models, tasks and inputs refused.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start
edit="$top_srcdir/tests/edit_stream.py"

ok "an nwm with a head on 16 x 16" dk-init nwm --sheet 16,16 --channels 2 --classes 6 \
	--steps 8 --seed 2 -o "$tmp/m.npy"
ok "dk-train --task shapes, 30 steps" dk-train --task shapes --batch 4 --steps 30 \
	--lr 0.01 -o "$tmp/t.npy" "$tmp/m.npy"
cat >"$tmp/falls.py" <<'PYEOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
loss = load(sys.argv[1])["train/loss"]
assert loss.shape == (30,) and np.isfinite(loss).all(), loss
# the first steps learn the classes' frequencies: the loss falls by half
assert loss[-10:].mean() < 0.5 * loss[:3].mean(), loss
PYEOF
py_ok "the loss falls" "$tmp/falls.py" "$tmp/t.npy"

# A model whose predictions differ from pixel to pixel: the coupling's
# bias sets the sheet moving (from rest, with b = 0, it stays at rest),
# the image drives omega strongly, and the last layer's bias is centred
# on the logits of a first run, so that no class wins everywhere.
ok "the sheet set moving" "$PY" "$edit" "$tmp/t.npy" "$tmp/t2.npy" \
	'find("model/b")[1][:] = [0.8, -0.6]; find("model/enc_omega/2/W")[1][:] *= 30'
ok "a test split" dk-gen shapes --sheet 16,16 --batch 6 --split test --seed 4 -o "$tmp/test.npy"
ok "a first run" dk-run -n -o "$tmp/r0.npy" "$tmp/t2.npy" "$tmp/test.npy"
ok "the logits centred" "$PY" "$edit" "$tmp/t2.npy" "$tmp/t3.npy" "
sys.path.insert(0, '$top_srcdir/tests')
from npystream import load
find('model/mlp_b3')[1][:] -= load('$tmp/r0.npy')['output'].mean(axis=(0, 1, 2))"
ok "dk-run scores the test split" dk-run -n -o "$tmp/r.npy" "$tmp/t3.npy" "$tmp/test.npy"
cat >"$tmp/scores.py" <<'PYEOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
R, S = load(sys.argv[1]), load(sys.argv[2])
z, lab, y = R["output"], R["run/labels"], S["target"]
B, H, W = y.shape
assert z.shape == (B, H, W, 6) and lab.shape == (B, H, W), (z.shape, lab.shape)
assert (lab == z.argmax(axis=-1)).all()
assert len(np.unique(lab)) >= 2, np.unique(lab)
zs = z - z.max(axis=-1, keepdims=True)
logp = zs - np.log(np.exp(zs).sum(axis=-1, keepdims=True))
fg_all = y >= 0
xent = -np.take_along_axis(logp, np.clip(y, 0, None)[..., None], -1)[..., 0]
assert abs(R["run/loss"] - xent[fg_all].mean()) <= 1e-12 * max(1, xent.mean())
ious, accs = [], []
for e in range(B):
    fg = y[e] >= 1
    if not fg.any():
        continue
    P = np.eye(6, dtype=bool)[lab[e]] & fg[..., None]
    T = np.eye(6, dtype=bool)[y[e]] & fg[..., None]
    ious.append((P & T).sum() / (P | T).sum())
    accs.append((lab[e] == y[e])[fg].mean())
assert abs(R["run/iou_foreground"] - np.mean(ious)) <= 1e-12, (R["run/iou_foreground"], ious)
assert abs(R["run/accuracy"] - np.mean(accs)) <= 1e-12, (R["run/accuracy"], accs)
assert np.mean(ious) > 0
PYEOF
py_ok "labels, loss, accuracy and foreground IoU recomputed" "$tmp/scores.py" \
	"$tmp/r.npy" "$tmp/test.npy"

# tested while it trains: the test loss after the last step is dk-run's on
# the images dk-gen draws for the test split at the test seed, and the
# test accuracy the fraction of labelled pixels whose largest logit is
# their label
ok "dk-train --test-every 10 --test-batch 5" dk-train --task shapes --batch 4 --steps 20 \
	--lr 0.01 --test-every 10 --test-batch 5 -o "$tmp/tt.npy" "$tmp/m.npy"
ok "the test images" dk-gen shapes --sheet 16,16 --batch 5 --split test --seed 999 \
	-o "$tmp/ts.npy"
ok "dk-run on them" dk-run -n -o "$tmp/rt.npy" "$tmp/tt.npy" "$tmp/ts.npy"
cat >"$tmp/testlog.py" <<'PYEOF'
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load
log, R, S = load(sys.argv[1])["train/log"], load(sys.argv[2]), load(sys.argv[3])
assert log.shape == (2, 4) and (log[:, 0] == [10, 20]).all(), log
assert abs(log[-1, 2] - R["run/loss"]) <= 1e-12 * abs(R["run/loss"]), (log, R["run/loss"])
y = S["target"]
right = (R["output"].argmax(axis=-1) == y)[y >= 0].mean()
assert abs(log[-1, 3] - right) <= 1e-12, (log[-1, 3], right)
PYEOF
py_ok "the last test row is dk-run's loss and the pixels' accuracy" "$tmp/testlog.py" \
	"$tmp/tt.npy" "$tmp/rt.npy" "$tmp/ts.npy"

ok "an nwm without a head" dk-init nwm --sheet 16,16 -o "$tmp/plain.npy"
fails_with 2 "--task shapes needs a head" dk-train --task shapes --steps 2 "$tmp/plain.npy"
fails_with 1 "a head trains on shapes only" dk-train --task copy --steps 2 "$tmp/m.npy"
fails_with 2 "--length is the model's" dk-train --task shapes --length 5 --steps 2 "$tmp/m.npy"
ok "images of another sheet" dk-gen shapes --sheet 20,16 -o "$tmp/other.npy"
fails_with 1 "dk-run: images of another sheet refused" dk-run "$tmp/m.npy" "$tmp/other.npy"
fails_with 2 "dk-init: an unknown readout" dk-init nwm --sheet 16,16 --classes 6 --steps 4 \
	--readout cosine
fails_with 2 "dk-init: a head without steps" dk-init nwm --sheet 16,16 --classes 6
fails_with 2 "dk-init: steps without a head" dk-init nwm --sheet 16,16 --steps 4
# a cnn made by dk-train: its head's one step is the kind's, not an option
ok "dk-train --model cnn --task shapes" dk-train --model cnn --layers 2 --channels 3 \
	--sheet 16,16 --task shapes --batch 2 --steps 2 -o "$tmp/cnn.npy"
ok "its head reads one step" sh -c "dk-info -v '$tmp/cnn.npy' | grep -q '\"steps\":1,'"
fails_with 2 "dk-train: an nwm without its head's steps" dk-train --model nwm \
	--sheet 16,16 --task shapes --batch 2 --steps 2 -o "$tmp/nwm.npy"
done_testing
