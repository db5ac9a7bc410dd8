#!/bin/sh
# train_data.sh -- dk-train --data: training on trials from a file.  The
# first step's loss is NumPy's loss of the model on the trials (mse with a
# mask per step or per output, and cross-entropy on labels), and dk-run's
# on what dk-gen writes; targets where the mask is 0 change nothing, one
# it counts does; .npz and f4 inputs; a run stopped halfway and resumed
# ends with the bytes of one never stopped, and refuses a changed or
# missing file; held-out trials never train and are what the test loss
# is of; --test-data's loss is NumPy's, and its file is checked on resume;
# --epochs over the training trials; malformed trials and bad options
# are refused, each with its message.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
script="$top_srcdir/tests/train_data.py"
cd "$tmp" || exit 1 # the runs name their files relative to it, as users do
py_start
py_ok "NumPy writes the trials" "$script" make "$tmp"

first() { # the first of a run's train/loss
	dk-cat --select train/loss --bare --text "$1" | grep -v '^#' | head -n 1
}
losses() { dk-cat --select train/loss --bare --text "$1" | grep -v '^#'; }

dk-init rnn --units 6 --inputs 3 --outputs 2 --seed 1 >m.npy
dk-init rnn --units 6 --inputs 3 --outputs 3 --seed 1 >m3.npy
# --batch 8 is every trial, in the file's order: the first loss is the
# model's loss on the whole file (and --lr 0 keeps the model as it was)
for f in mse each; do
	dk-train --data $f.npy --batch 8 --steps 1 --lr 0 m.npy -o r-$f.npy
	py_ok "$f: the first loss is NumPy's" "$script" loss m.npy $f.npy "$(first r-$f.npy)"
done
dk-train --data labels.npy --batch 8 --steps 1 --lr 0 m3.npy -o r-lab.npy
py_ok "labels (xent, -1 unlabelled): the first loss is NumPy's" "$script" loss m3.npy \
	labels.npy "$(first r-lab.npy)"

# masked targets: the runs are the same to the bit (one code path)
set -- --batch 3 --steps 12 --lr 0.02 --seed 5
dk-train --data mse.npy "$@" m.npy -o a.npy
dk-train --data mse_masked.npy "$@" m.npy -o b.npy
dk-train --data mse_hit.npy "$@" m.npy -o c.npy
is "$(losses b.npy)" "$(losses a.npy)" "targets where the mask is 0 (NaN among them) change no loss"
[ "$(losses c.npy)" != "$(losses a.npy)" ]
tap_result $? "a target the mask counts changes the losses"
dk-train --data each.npy "$@" m.npy -o e1.npy
dk-train --data each_masked.npy "$@" m.npy -o e2.npy
is "$(losses e2.npy)" "$(losses e1.npy)" "per-output mask: targets weighted 0 change no loss"
dk-train --data mse.npz "$@" m.npy -o z.npy
is "$(losses z.npy)" "$(losses a.npy)" ".npz trials train as the stream's"
dk-train --data f4.npy "$@" m.npy -o f4.npy.out
dk-train --data f4ref.npy "$@" m.npy -o f4ref.npy.out
is "$(losses f4.npy.out)" "$(losses f4ref.npy.out)" "f4 input trains as its f8 values"

# what dk-gen writes is valid --data: the first loss is dk-run's on it
dk-gen flipflop --bits 3 --batch 5 --length 15 --seed 2 >ff.npy
dk-gen copy --length 4 --batch 5 --seed 2 >cp.npy
dk-init rnn --units 6 --inputs 3 --outputs 3 --seed 1 >mff.npy
dk-init rnn --units 6 --inputs 10 --outputs 10 --seed 1 >mcp.npy
for t in ff cp; do
	dk-train --data $t.npy --batch 5 --steps 1 --lr 0 m$t.npy -o g-$t.npy
	run=$(dk-run m$t.npy $t.npy | dk-cat --select run/loss --bare --text | grep -v '^#')
	# dk-run and BPTT's forward pass: the same sums, another code path
	awk -v a="$(first g-$t.npy)" -v b="$run" 'BEGIN { d = a - b; if (d < 0) d = -d;
		exit !(a != "" && d <= 1e-10 * b) }'
	tap_result $? "dk-gen $t as --data: the first loss ($(first g-$t.npy)) is dk-run's ($run)"
done

# resume: the run is killed (file size limit) as it writes its third
# checkpoint, so the second, of step 200, is left; resumed, it ends with
# the bytes of the run never stopped
set -- --data mse.npy --batch 3 --seed 7 --lr 0.01 --holdout 0.25 --test-every 50 \
	--steps 400 --every 100
dk-train m.npy "$@" --checkpoint ckf.npy -o full.npy
# each checkpoint holds 100 more losses (800 bytes) and 2 more log rows
# than the one before: 1200 bytes short of the last fits the second only
size=$(wc -c <ckf.npy)
if command -v prlimit >/dev/null; then
	prlimit --fsize=$((size - 1200)) --core=0 dk-train m.npy "$@" --checkpoint ck.npy \
		-o part.npy 2>/dev/null
	is "$(dk-cat --select train/step --bare --text ck.npy | grep -v '^#')" 200 \
		"the stopped run left its checkpoint of step 200"
	ok "--resume exits 0" dk-train --resume ck.npy -o res.npy
	ok "the resumed run ends with the bytes of the run never stopped" cmp full.npy res.npy
else
	tap_result 0 "# SKIP no prlimit"
fi
cp mse.npy keep.npy
cp mse_hit.npy mse.npy
fails_with 1 "--resume refuses a data file whose trials changed" dk-train --resume ckf.npy -o x.npy
grep -q "mse.npy: the trials have changed since the run began" .err
tap_result $? "... and says so"
rm mse.npy
fails_with 1 "--resume refuses a missing data file" dk-train --resume ckf.npy -o x.npy
grep -q "mse.npy: No such file" .err
tap_result $? "... and names it"
mv keep.npy mse.npy

# held out: a poisoned held-out trial changes the test loss alone, a
# poisoned training trial the training alone; the test loss is NumPy's
# loss of the trained model on the held-out trials
set -- --holdout 0.25 --batch 3 --steps 20 --lr 0.02 --seed 4 --test-every 10
dk-train --data mse.npy "$@" m.npy -o h.npy
runs=
for i in 0 1 2 3 4 5 6 7; do
	dk-train --data poison$i.npy "$@" m.npy -o h$i.npy
	runs="$runs h$i.npy"
done
# shellcheck disable=SC2086
py_ok "2 of 8 trials are held out: they never train, and are tested" "$script" \
	holdout h.npy $runs
held=$(cat .out)
# shellcheck disable=SC2086
py_ok "the test loss is NumPy's on the held-out trials ($held)" "$script" testloss \
	h.npy mse.npy $held
dk-train --data mse.npy --test-data test.npy --batch 3 --steps 5 m.npy -o td.npy
py_ok "--test-data: the test loss is NumPy's on its trials" "$script" testloss td.npy test.npy
is "$(dk-cat --select train/log --bare --text td.npy | grep -vc '^#')" 1 \
	"without --test-every, one test after the last step"
dk-train --data mse.npy --test-data test.npy --batch 3 --steps 5 --checkpoint tck.npy \
	m.npy -o /dev/null
cp test.npy test-keep.npy
cp mse.npy test.npy
fails_with 1 "--resume refuses a test file whose trials changed" dk-train --resume tck.npy \
	-o x.npy
grep -q "test.npy: the trials have changed" .err
tap_result $? "... and names it"
mv test-keep.npy test.npy
# epochs: every training trial once each, in ceil(6 / 4) = 2 steps
dk-train --data mse.npy --holdout 0.25 --epochs 3 --batch 4 m.npy -o ep.npy
is "$(losses ep.npy | wc -l)" 6 "--epochs 3 over 6 training trials, 4 a batch: 6 steps"

# malformed trials: exit 1, the message naming what is wrong
while IFS="$(printf '\t')" read -r name words; do
	fails_with 1 "$name: refused" dk-train --data "$name.npy" --batch 2 --steps 2 m.npy
	grep -qF "$words" .err
	tap_result $? "$name: says '$words'"
done <bad.txt
fails_with 1 "not a stream: refused" dk-train --data garbage.npy --steps 2 m.npy
fails_with 1 "a missing file: refused" dk-train --data nosuch.npy --steps 2 m.npy
fails_with 1 "--loss xent on values" dk-train --data mse.npy --loss xent --steps 2 m.npy
grep -q "xent loss needs integer class labels" .err
tap_result $? "... says xent needs labels"
fails_with 1 "--loss mse on labels" dk-train --data labels.npy --loss mse --steps 2 m3.npy
fails_with 2 "a batch over the training trials" dk-train --data mse.npy --holdout 0.5 \
	--batch 5 --steps 2 m.npy
fails_with 2 "--data with --task" dk-train --data mse.npy --task adding m.npy
fails_with 2 "--data -" dk-train --data - m.npy
fails_with 2 "--holdout with --test-data" dk-train --data mse.npy --holdout 0.5 \
	--test-data test.npy m.npy
fails_with 2 "--holdout 1" dk-train --data mse.npy --holdout 1 m.npy
fails_with 2 "--test-data without --data" dk-train --task adding --test-data test.npy m.npy
fails_with 2 "--loss without --data" dk-train --task adding --loss mse m.npy
fails_with 2 "--test-every without test trials" dk-train --data mse.npy --test-every 5 m.npy
fails_with 2 "--length with --data" dk-train --data mse.npy --length 5 m.npy
fails_with 2 "--loss of no such name" dk-train --data mse.npy --loss l1 m.npy
fails_with 2 "dk-gen data" dk-gen data

done_testing
