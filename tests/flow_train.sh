#!/bin/sh
# flow_train.sh -- a small training check on the flow task: a fernn
# trained at velocities -1..1 predicts bumps moving at the unseen -2 and 2
# far better than a grnn of the same size and training does, and far
# better than predicting zeros.
#
# One bump on a ring of 12 units, 6 frames in and 6 to predict, 500 Adam
# steps of batch 16 (about 2 s of CPU for both models).  Measured here:
# at the unseen velocities the fernn's test MSE is about 0.016, the
# grnn's 0.25, and predicting zeros 0.30.  The thresholds leave a factor
# of 4 of room on both sides, so the last bits a CPU's BLAS kernels change
# cannot move the verdict, while a lift or a flow that moves the wrong
# way (the fernn's slices, or the task's frames, shifted against each
# other) leaves the fernn no better than the grnn.
. "$top_srcdir/tests/lib.sh"

py=$(numpy_python)
[ -n "$py" ] || skip_all "python3 with NumPy not found"
PYTHONPATH="$top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
PY=$py
py_start

task="--ring 12 --frames-in 6 --frames-out 6"
dk-gen flow $task --velocity-set -2,2 --batch 128 --seed 1000 -o "$tmp/unseen.npy"
for m in fernn grnn; do
	if [ $m = fernn ]; then lift="--velocities 2"; else lift=; fi
	# shellcheck disable=SC2086
	dk-init $m $lift --channels 4 --units 12 --outputs 12 --seed 1 -o "$tmp/$m.npy"
	# shellcheck disable=SC2086
	dk-train --task flow $task --velocity-set -1..1 --batch 16 --steps 500 \
		--lr 5e-3 --clip 1 --seed 1 "$tmp/$m.npy" >"$tmp/$m-trained.npy"
	is "$?" 0 "dk-train $m on flow at velocities -1..1: exit 0"
	dk-run -n "$tmp/$m-trained.npy" "$tmp/unseen.npy" >"$tmp/$m-run.npy"
	is "$?" 0 "dk-run $m on the unseen velocities: exit 0"
done

cat >"$tmp/check.py" <<'PY'
import sys
from npystream import arrays, load
x, y, mask = arrays(sys.argv[1])
# predicting zeros: the mean square of the target over the masked steps
w = mask[:, :, None]
zero = float((w * y ** 2).sum() / (w.sum() * y.shape[2]))
fernn = float(load(sys.argv[2])["run/loss"])
grnn = float(load(sys.argv[3])["run/loss"])
print("zeros %.3g, fernn %.3g, grnn %.3g" % (zero, fernn, grnn))
assert fernn < grnn / 4 and fernn < zero / 4, (zero, fernn, grnn)
PY
py_ok "flow, unseen velocities -2, 2: the fernn's MSE under a quarter of the grnn's and of predicting zeros" \
	"$tmp/check.py" "$tmp/unseen.npy" "$tmp/fernn-run.npy" "$tmp/grnn-run.npy"

done_testing
