#!/bin/bash
# flipflop.sh -- the 3-bit flip-flop of Sussillo and Barak (2013) with a
# tanh network of 64 units, trained until its MSE is below 1e-3.
#
# The network (random recurrent weights of gain 1, dk-init's default) is
# trained on sequences of 100 steps with a pulse probability of 0.05 per
# bit and step, batch 32, Adam at learning rate 1e-2, the gradient's norm
# clipped to 1, for FLIPFLOP_STEPS steps (default 3000).  Reported: the
# first step at which the mean of the last 20 batch losses is below 1e-3,
# and the MSE of the trained network on a fresh test batch of 1000
# sequences (seed 1000), run by dk-run.  The task is not in the Wave-RNN
# paper; it is the standard first check of a trained network's fixed points.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$work"

steps=${FLIPFLOP_STEPS:-3000} lr=1e-2 window=20

run "dk-init rnn --units 64 --inputs 3 --outputs 3 --act tanh --seed 1 -o rnn.npy"
run "dk-train --task flipflop --bits 3 --length 100 --prob 0.05 --batch 32 --steps $steps --lr $lr --clip 1 --seed 1 rnn.npy > rnn-flipflop.npy"
run "dk-gen flipflop --bits 3 --length 100 --prob 0.05 --batch 1000 --seed 1000 | dk-run -n rnn-flipflop.npy > rnn-test.npy"

s=$(first_below rnn-flipflop.npy 1e-3 $window)
test_mse=$(dk-cat --select run/loss --bare --text rnn-test.npy | sed 1d | awk '{ printf "%.2g", $1 }')
if [ -n "$s" ]; then
	got="$s steps; test MSE $test_mse after $steps"
else
	got="not reached within $steps steps (last $window: $(mean_last rnn-flipflop.npy $window)); test MSE $test_mse"
fi
row "3-bit flip-flop, steps to MSE < 1e-3" "tanh RNN N=64" "$(params rnn.npy) parameters" \
	"$steps, Adam lr $lr, clip 1, batch 32" "— (not in the paper)" "$got"
