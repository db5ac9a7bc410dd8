#!/bin/sh
# train.sh -- dk-train: training lowers the flip-flop loss; the output is
# the model and the loss of every step; the same options give the same
# bytes; a run killed with SIGKILL, or stopped with SIGINT, and resumed
# from its checkpoint ends with the very bytes of an uninterrupted run; a
# diverging run stops with status 1 and keeps its last good checkpoint;
# usage errors.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"

loss() { # file: the train/loss record as text values, one per line
	dk-cat --select train/loss --bare --text "$1" | grep -v '^#'
}

dk-init rnn --units 24 --inputs 3 --outputs 3 --seed 1 >"$tmp/m.npy"
set -- --task flipflop --batch 16 --length 40 --lr 0.01 --clip 1 --seed 2
ok "training exits 0" dk-train "$tmp/m.npy" "$@" --steps 300 -o "$tmp/t.npy"
is "$(loss "$tmp/t.npy" | wc -l)" 300 "train/loss holds one loss per step"
first=$(loss "$tmp/t.npy" | head -n 20 | awk '{ s += $1 } END { print s / NR }')
last=$(loss "$tmp/t.npy" | tail -n 20 | awk '{ s += $1 } END { print s / NR }')
# an untrained network's flip-flop MSE is about 0.5-0.7; Adam at lr 0.01
# brings a 24-unit tanh network well under half of it in 300 steps
awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < 0.5 * f) }'
tap_result $? "the loss of the last 20 steps ($last) is under half that of the first 20 ($first)"
is "$(dk-info "$tmp/t.npy" | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" \
	"model/W model/V model/b model/readout/W model/readout/b train/loss " \
	"the output is the model's tensors and train/loss"
ok "the trained model runs" sh -c "dk-gen flipflop --batch 2 --length 10 | dk-run '$tmp/t.npy' >/dev/null"
dk-train "$tmp/m.npy" "$@" --steps 300 >"$tmp/t2.npy"
ok "the same options give the same bytes" cmp "$tmp/t.npy" "$tmp/t2.npy"
ok "the model may come on standard input" sh -c "dk-train $* --steps 300 < '$tmp/m.npy' | cmp - '$tmp/t.npy'"

# SIGKILL after the first checkpoint, then --resume
steps=4000
# the checkpoint interval is one of the run's options, recorded in its
# provenance: the reference run uses the same
dk-train "$tmp/m.npy" "$@" --steps $steps --checkpoint "$tmp/ck-full.npy" --every 25 \
	-o "$tmp/full.npy"
dk-train "$tmp/m.npy" "$@" --steps $steps --checkpoint "$tmp/ck.npy" --every 25 \
	-o "$tmp/killed.npy" 2>/dev/null &
pid=$!
i=0
while [ ! -s "$tmp/ck.npy" ] && [ $i -lt 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
[ ! -e "$tmp/killed.npy" ]
tap_result $? "the killed run wrote no output"
ok "a checkpoint was left" test -s "$tmp/ck.npy"
ok "--resume exits 0" dk-train --resume "$tmp/ck.npy" -o "$tmp/resumed.npy"
ok "the resumed run ends with the bytes of the uninterrupted one" cmp "$tmp/full.npy" "$tmp/resumed.npy"

# SIGINT writes a checkpoint and exits 0
rm -f "$tmp/ck.npy"
dk-train "$tmp/m.npy" "$@" --steps $steps --checkpoint "$tmp/ck.npy" --every 25 \
	-o "$tmp/int.npy" 2>"$tmp/int.err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
is "$?" 0 "SIGINT: exit status 0"
ok "SIGINT: a checkpoint is written" test -s "$tmp/ck.npy"
grep -q "interrupted at step" "$tmp/int.err"
tap_result $? "SIGINT: says at which step"
ok "SIGINT: --resume exits 0" dk-train --resume "$tmp/ck.npy" -o "$tmp/resumed2.npy"
ok "SIGINT: the resumed run ends with the uninterrupted bytes" cmp "$tmp/full.npy" "$tmp/resumed2.npy"

# divergence: SGD at lr 1e4 on an iRNN overflows within a few steps
dk-init rnn --units 8 --inputs 3 --outputs 3 --act relu --init identity >"$tmp/r.npy"
fails_with 1 "a run whose loss or gradient goes non-finite exits 1" \
	dk-train "$tmp/r.npy" --task flipflop --batch 4 --length 30 --steps 200 \
	--optimizer sgd --lr 1e4 --checkpoint "$tmp/div.npy" --every 1 -o "$tmp/div-out.npy"
grep -q "not finite" "$tmp/.err"
tap_result $? "and says what was not finite"
ok "the last good checkpoint is kept" sh -c "dk-info '$tmp/div.npy' | grep -q train/step"
"$PY" - "$tmp/div.npy" <<'EOF'
import sys, os
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import records, name
R = {name(r, i): r[1] for i, r in enumerate(records(sys.argv[1]))}
assert all(np.isfinite(a).all() for k, a in R.items() if k.startswith("model/"))
EOF
tap_result $? "and its parameters are finite"

fails_with 2 "no --task" dk-train "$tmp/m.npy"
fails_with 2 "an unknown task" dk-train "$tmp/m.npy" --task nosuchtask
fails_with 2 "--resume with other options" dk-train --resume "$tmp/ck.npy" --steps 5
fails_with 1 "a model whose sizes do not fit the task" dk-train "$tmp/m.npy" --task adding --steps 1
fails_with 1 "--resume of a file that is no checkpoint" dk-train --resume "$tmp/m.npy"
done_testing
