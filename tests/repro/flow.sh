#!/bin/bash
# flow.sh -- the flowing-input task: the flow-equivariant RNN against its
# non-equivariant twin, on velocities they were not trained on.
#
# Keller's "Flow equivariant recurrent neural networks" (NeurIPS 2025)
# trains a FERNN and a G-RNN to continue moving-MNIST sequences and finds
# the FERNN's predictions as good on velocities outside the training set
# (within the lift's range) and on longer sequences, where the G-RNN's
# fail.  Here, at a size this machine affords: one Gaussian bump on a ring
# of 32 units (dk-gen flow), 10 frames in and 10 to predict with zero
# input, or with FLOW_FEEDBACK=1 in a closed loop as the paper's: each
# frame to predict is fed the model's output of the step before, in
# training (dk-train --feedback) and in testing (dk-run --feedback 10),
# velocities -1..1 in training; a fernn of 8 channels lifted over the
# velocities -2..2 and a grnn of 8 channels (its one velocity 0), both
# with the readout of their kind (max over the velocities, then linear);
# Adam lr 3e-3, clip 1, batch 32, FLOW_STEPS steps (default 1500) on
# batches drawn afresh.  Tested with dk-run on 256 sequences each (seed
# 1000): the training velocities, the unseen velocities -2 and 2, and
# the training velocities with 40 frames to predict (50 in all).  The
# loss is the MSE over the frames to predict; predicting 0 everywhere
# scores the mean square of the target there, given for scale.  An
# argument, fernn or grnn, runs one model.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$work"

steps=${FLOW_STEPS:-1500}
task="--ring 32 --frames-in 10"
train_fb= run_fb= loop=
if [ -n "${FLOW_FEEDBACK:-}" ]; then
	train_fb=" --feedback" run_fb=" --feedback 10" loop=", closed loop"
fi

# test_loss MODEL BATCH: dk-run's run/loss of MODEL on BATCH.
test_loss() {
	# shellcheck disable=SC2086 # run_fb: no word, or the option and its step
	dk-run -n $run_fb "$1" "$2" | dk-cat --select run/loss --bare --text | sed 1d |
		awk '{ printf "%.3g\n", $1 }'
}

# zero_loss BATCH B: the MSE of predicting 0 on BATCH of B sequences: the
# mean square of the target over the units and the masked steps.  Line t
# of the text holds the target's step t (B sequences of units), then the
# mask's.
zero_loss() {
	paste <(dk-cat --select target --bare --text "$1" | sed 1d) \
	      <(dk-cat --select mask --bare --text "$1" | sed 1d) |
		awk -v B="$2" '{ n = (NF - B) / B
		                 for (b = 0; b < B; b++) {
		                     m = $(NF - B + 1 + b)
		                     for (i = 1; i <= n; i++) s += m * $(b * n + i) ^ 2
		                     w += m * n } }
		               END { printf "%.3g\n", s / w }'
}

run "dk-gen flow $task --velocity-set -1..1 --batch 256 --seed 1000 -o seen.npy"
run "dk-gen flow $task --velocity-set -2,2 --batch 256 --seed 1000 -o unseen.npy"
run "dk-gen flow $task --velocity-set -1..1 --frames-out 40 --batch 256 --seed 1000 -o long.npy"
tests=$cmds
cmds=

for m in ${1:-fernn grnn}; do
case $m in
fernn) name="FERNN c=8 n=32 V=-2..2"; init="dk-init fernn --velocities 2" ;;
grnn) name="G-RNN c=8 n=32"; init="dk-init grnn" ;;
*) echo "flow.sh: unknown model '$m' (fernn, grnn)" >&2; exit 2 ;;
esac
cmds=$tests
run "$init --channels 8 --units 32 --inputs 1 --outputs 32 --seed 1 -o $m.npy"
run "dk-train --task flow $task --velocity-set -1..1 --batch 32 --steps $steps --lr 3e-3 --clip 1 --seed 1$train_fb $m.npy > $m-flow.npy"
run "dk-run -n$run_fb $m-flow.npy unseen.npy > $m-unseen.npy"
row "flow: 1 bump on a ring of 32, trained at velocities -1..1$loop, test MSE" "$name" \
	"$(params $m.npy) parameters" "$steps, Adam lr 3e-3, clip 1, batch 32" \
	"FERNN generalises to unseen velocities and lengths, G-RNN does not" \
	"train $(mean_last $m-flow.npy 20) (last 20); test: velocities -1..1 $(test_loss $m-flow.npy seen.npy), unseen -2, 2 $(test_loss $m-flow.npy unseen.npy), 40 frames out $(test_loss $m-flow.npy long.npy) (predicting 0: $(zero_loss seen.npy 256), $(zero_loss unseen.npy 256), $(zero_loss long.npy 256))"
done
