#!/bin/sh
# train.sh -- dk-train: training lowers the flip-flop loss; the output is
# the model and the loss of every step; the same options give the same
# bytes; a run killed with SIGKILL, or stopped with SIGINT, and resumed
# from its checkpoint ends with the very bytes of an uninterrupted run; a
# diverging run stops with status 1 and keeps its last good checkpoint;
# a model made from options (--model) is the model dk-init makes, to the
# byte; --epochs on a tiny Fashion-MNIST; the test log (--test-every)
# holds the losses dk-run reports on the same test data, and survives a
# resume; usage errors.
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

# SIGKILL after the first checkpoint, then --resume; the runs test
# themselves as they go (--test-every), so the log is resumed too
steps=4000
set -- "$@" --test-every 500 --test-batch 32
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
is "$(dk-cat --select train/log --bare --text "$tmp/full.npy" | grep -vc '^#')" 8 \
	"4000 steps tested every 500: 8 rows in train/log"

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

# ---- a model made from options: dk-init's, to the byte ----
set -- --task adding --length 12 --batch 8 --steps 30 --lr 0.01 --seed 3
dk-init wrnn --channels 3 --units 12 --inputs 2 --outputs 1 --seed 4 | dk-train "$@" >"$tmp/w1.npy"
dk-train --model wrnn --channels 3 --units 12 --model-seed 4 "$@" >"$tmp/w2.npy"
ok "--model wrnn (inputs and outputs the task's) gives the bytes of dk-init | dk-train" \
	cmp "$tmp/w1.npy" "$tmp/w2.npy"
dk-init rnn --units 9 --inputs 2 --outputs 1 --act relu --init identity --gain 0.5 | \
	dk-train "$@" >"$tmp/r1.npy"
dk-train "$@" --model rnn -n 9 -i 2 -O 1 -a relu --init identity -g 0.5 >"$tmp/r2.npy"
ok "--model rnn with short options: the bytes of dk-init | dk-train" cmp "$tmp/r1.npy" "$tmp/r2.npy"
dk-init gru --units 5 --inputs 10 --outputs 10 --seed 2 | \
	dk-train --task copy --length 5 --batch 4 --steps 5 >"$tmp/g1.npy"
dk-train --model gru --units 5 --model-seed 2 --task copy --length 5 --batch 4 --steps 5 >"$tmp/g2.npy"
ok "--model gru on copy (10 inputs and outputs from the task): dk-init's bytes" \
	cmp "$tmp/g1.npy" "$tmp/g2.npy"
dk-train --model wrnn --channels 3 --units 12 --model-seed 4 "$@" --steps 60 \
	--checkpoint "$tmp/wck.npy" --every 20 >"$tmp/w60.npy"
ok "a made model's checkpoint resumes (no MODEL needed)" sh -c \
	"dk-train --resume '$tmp/wck.npy' | cmp - '$tmp/w60.npy'"
fails_with 2 "--model with a MODEL operand" dk-train --model rnn "$@" "$tmp/m.npy"
fails_with 2 "a model option without --model" dk-train --units 5 "$@" "$tmp/m.npy"
fails_with 2 "--model-seed without --model" dk-train --model-seed 5 "$@" "$tmp/m.npy"
fails_with 2 "--model of an unknown kind" dk-train --model nosuch "$@"
fails_with 2 "--channels with --model rnn" dk-train --model rnn --channels 2 "$@"
fails_with 2 "--dt with --model rnn" dk-train --model rnn --dt 0.1 "$@"

# ---- the test log: dk-run's loss on the same data ----
dk-train --model rnn --units 10 "$@" --test-every 7 --test-batch 20 --test-seed 11 >"$tmp/tl.npy"
log() { dk-cat --select train/log --bare --text "$1" | grep -v '^#'; }
is "$(log "$tmp/tl.npy" | awk '{ printf "%s ", $1 }')" "7 14 21 28 30 " \
	"train/log: a row every 7 steps and one at the end"
is "$(log "$tmp/tl.npy" | awk '{ print $2 }' | tr '\n' ' ')" \
	"$(loss "$tmp/tl.npy" | sed -n '7p;14p;21p;28p;30p' | tr '\n' ' ')" \
	"train/log's train loss is train/loss at its step"
# exact: the test log runs dk_model_run on the 20 sequences at once and
# dk_loss_eval, as dk-run does, on the same model bytes
is "$(log "$tmp/tl.npy" | tail -n 1 | cut -f 3)" \
	"$(dk-gen adding --length 12 --batch 20 --seed 11 | dk-run "$tmp/tl.npy" | dk-cat --select run/loss --bare --text | grep -v '^#')" \
	"the last test loss is dk-run's on dk-gen --batch 20 --seed 11 (the same bits)"
is "$(log "$tmp/tl.npy" | tail -n 1 | cut -f 4)" nan "no accuracy for an mse task: NaN"
dk-train --model rnn --units 10 "$@" >"$tmp/tl0.npy"
is "$(loss "$tmp/tl.npy" | tr '\n' ' ')" "$(loss "$tmp/tl0.npy" | tr '\n' ' ')" \
	"testing does not change the training (train/loss as without it)"
is "$(dk-train --model rnn --units 10 "$@" --test-every 7 --test-batch 20 --test-seed 11 | dk-info | awk 'NR > 1 { print $2 }' | tail -n 2 | tr '\n' ' ')" \
	"train/loss train/log " "train/log beside train/loss"
fails_with 2 "--test-batch without --test-every" dk-train --model rnn "$@" --test-batch 5
fails_with 2 "--test-seed without --test-every" dk-train --model rnn "$@" --test-seed 5
fails_with 2 "--test-every 0" dk-train --model rnn "$@" --test-every 0

# ---- epochs, on a tiny Fashion-MNIST (7 train, 5 test images) ----
mkdir "$tmp/fm"
"$PY" - "$tmp/fm" <<'PY'
import gzip, struct, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(5)
for prefix, n in (("train", 7), ("t10k", 5)):
    img = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    lab = rng.integers(0, 10, n, dtype=np.uint8)
    with gzip.open("%s/%s-images-idx3-ubyte.gz" % (d, prefix), "wb") as f:
        f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + img.tobytes())
    with gzip.open("%s/%s-labels-idx1-ubyte.gz" % (d, prefix), "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, n) + lab.tobytes())
PY
set -- --task fmnist --mode row --data-dir "$tmp/fm" --batch 3 --lr 0.01 --seed 6
ok "--epochs 4 on 7 examples in batches of 3" \
	dk-train --model gru --units 6 "$@" --epochs 4 --test-every 2 -o "$tmp/fe.npy"
is "$(loss "$tmp/fe.npy" | wc -l)" 12 "4 epochs of ceil(7/3) = 3 steps: 12 losses"
dk-gen fmnist --mode row --data-dir "$tmp/fm" --split test --batch 5 | dk-run "$tmp/fe.npy" |
	dk-cat --select run/loss --select run/accuracy --bare --text | grep -v '^#' | grep . >"$tmp/fe.run"
# the test split (5) runs in chunks of the batch (3), so the means are
# summed again: equal to rounding
log "$tmp/fe.npy" | tail -n 1 | awk -v l="$(sed -n 1p "$tmp/fe.run")" -v a="$(sed -n 2p "$tmp/fe.run")" '
	function abs(x) { return x < 0 ? -x : x }
	{ exit !(abs($3 - l) <= 1e-12 * (abs(l) > 1 ? abs(l) : 1) && abs($4 - a) <= 1e-12) }'
tap_result $? "fmnist: the last test loss and accuracy are dk-run's on the whole test split (to 1e-12)"
dk-train --model gru --units 6 "$@" --epochs 4 --test-every 2 --checkpoint "$tmp/fck.npy" \
	--every 5 -o "$tmp/fe5.npy"
cp "$tmp/fck.npy" "$tmp/fck-end.npy"
ok "fmnist epochs: resuming the finished run gives its bytes" sh -c \
	"dk-train --resume '$tmp/fck-end.npy' | cmp - '$tmp/fe5.npy'"
dk-cat --select 'model/*' --bare "$tmp/fe.npy" >"$tmp/fe.bare"
dk-cat --select 'model/*' --bare "$tmp/fe5.npy" >"$tmp/fe5.bare"
ok "fmnist epochs: checkpointing does not change the trained model" cmp "$tmp/fe.bare" "$tmp/fe5.bare"
fails_with 2 "--epochs with a generated task" dk-train --model rnn --task adding --epochs 2
fails_with 2 "--epochs with --steps" dk-train --model rnn "$@" --epochs 2 --steps 5
fails_with 2 "--epochs with --offset" dk-train --model rnn "$@" --epochs 2 --offset 1
fails_with 2 "--test-seed with fmnist" dk-train --model rnn "$@" --epochs 1 --test-every 1 --test-seed 3

# ---- the progress line: on a terminal only ----
dk-train --model rnn --units 4 --task adding --length 5 --batch 2 --steps 20 --test-every 10 \
	-o "$tmp/p.npy" 2>"$tmp/p.err"
is "$(wc -c <"$tmp/p.err" | tr -d ' ')" 0 "stderr not a terminal: no progress line"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
	script -qec "dk-train --model rnn --units 4 --task adding --length 5 --batch 2 --steps 20 \
		--test-every 10 -o '$tmp/p.npy'" /dev/null >"$tmp/p.tty" 2>&1 </dev/null
	grep -q "dk-train: step 20/20  loss [0-9.e-]*  test [0-9.e-]*" "$tmp/p.tty"
	tap_result $? "stderr a terminal (script's pty): the progress line, step, loss and test loss"
else
	tap_result 0 "progress line on a terminal # SKIP no script(1) or no pty"
fi

fails_with 2 "no --task" dk-train "$tmp/m.npy"
fails_with 2 "an unknown task" dk-train "$tmp/m.npy" --task nosuchtask
fails_with 2 "--resume with other options" dk-train --resume "$tmp/ck.npy" --steps 5
fails_with 1 "a model whose sizes do not fit the task" dk-train "$tmp/m.npy" --task adding --steps 1
fails_with 1 "--resume of a file that is no checkpoint" dk-train --resume "$tmp/m.npy"
done_testing
