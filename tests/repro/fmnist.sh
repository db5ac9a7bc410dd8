#!/bin/bash
# fmnist.sh -- row-wise sequential Fashion-MNIST: GRU-128 against a wRNN.
#
# Each image is shown as 28 steps of one row of 28 pixels (dk-gen fmnist
# --mode row); the label is read out at the last step.  The paper has no
# Fashion-MNIST experiment (its image tasks are sequential MNIST, permuted
# sequential MNIST and noisy sequential CIFAR-10); this checks the same
# comparison, a wRNN against a gated network, at a size that trains in
# minutes here.  Both models are trained for FMNIST_STEPS steps (default
# 3000: 6.4 passes over the 60,000 training images) on batches of 128 drawn
# from a fresh shuffle of the training split at every step, with Adam at
# learning rate 1e-3 and the gradient's norm clipped to 1, then run by
# dk-run on the whole test split (10,000 images) for the test accuracy.
# The wRNN has 16 rings of 64 units: each ring holds more than the 28
# steps of a sequence.  An argument, gru or wrnn, runs one model.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$work"

steps=${FMNIST_STEPS:-3000} lr=1e-3

run "dk-gen fmnist --mode row --split test --batch 10000 -o fmnist-test.npy"

# measure TRAINED TESTRUN: the last training losses, the test accuracy.
measure() {
	printf 'test accuracy %.2f%% (train loss, last 20 steps: %s)' \
		"$(dk-cat --select run/accuracy --bare --text "$2" | sed 1d | awk '{ print 100 * $1 }')" \
		"$(mean_last "$1" 20)"
}

for m in ${1:-gru wrnn}; do
case $m in
gru)
	run "dk-init gru --units 128 --inputs 28 --outputs 10 --seed 1 -o gru.npy"
	size="GRU N=128" ;;
wrnn)
	run "dk-init wrnn --channels 16 --units 64 --inputs 28 --outputs 10 --seed 1 -o wrnn.npy"
	size="wRNN c=16 n=64" ;;
*)
	echo "fmnist.sh: unknown model '$m' (gru, wrnn)" >&2; exit 2 ;;
esac
	run "dk-train --task fmnist --mode row --shuffle --batch 128 --steps $steps --lr $lr --clip 1 --seed 1 $m.npy > $m-fmnist.npy"
	run "dk-run -n $m-fmnist.npy fmnist-test.npy > $m-test.npy"
	row "row-wise sequential Fashion-MNIST, test accuracy" "$size" "$(params $m.npy) parameters" \
		"$steps, Adam lr $lr, clip 1, batch 128" "— (no Fashion-MNIST in the paper)" "$(measure $m-fmnist.npy $m-test.npy)"
done
