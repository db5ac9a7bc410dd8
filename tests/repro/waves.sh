#!/bin/bash
# waves.sh -- traveling waves in the wRNN and the iRNN of the copy task,
# untrained and trained, side by side (the paper's main figure shows the
# wRNN's hidden state on this task as waves moving along each ring).
#
# The models and training are copy.sh's, at the paper's T = 30 (dk-gen
# copy --length 20: 40 steps): a wRNN of 6 rings of 100 units (shift
# and solo initialisation) and an iRNN of 100 units (relu, identity
# recurrence), each trained for WAVES_STEPS steps (default 2000) with
# Adam at learning rate 1e-3, batch 128.  Each model, before and after
# training, is run by dk-run on 100 test sequences (seed 1000), and
# dk-wave's spectral method (hann window, padding 2, lines of speed 1)
# reads the states.  The wRNN's states carry their layout (6 rings of
# 100 units, periodic as the wRNN's circular convolution is), so each
# (sequence, ring) is analysed on its own: 600 values.  The iRNN has no ring: its 100
# units are read as one periodic ring of 100 in their index order (dk-wave's
# default for states without a layout), 100 values.  That order means
# nothing to the iRNN, so its traveling should be near 0 and its
# diagonal power near the chance level 1, untrained or trained: it is
# the baseline, not a measurement of a wave.
#
# Reported per model and state: the median over the (sequence, ring)
# values of wave/speed (units per step; + toward increasing unit index;
# the count of NaN speeds, standing or powerless rings, in brackets), of
# wave/wavelength (units: the peak's 1/|k|, which tells a wave along the
# ring from a swell of the whole ring, whose k is 0 on the periodic
# ring's grid: wavelength inf, no speed), of wave/traveling (+1 a pure wave toward increasing
# index, -1 toward decreasing, 0 standing) and of wave/diagonal_power (the
# share of the power on the lines of speed 1 over a time-shuffled
# surrogate's: about 1 when time order puts no more power there than
# chance).  An argument,
# wrnn or irnn, runs one model.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$work"

L=20 steps=${WAVES_STEPS:-2000} lr=1e-3

# summary WAVES: the four medians of a dk-wave output.
summary() {
	printf 'speed %s, wavelength %s, traveling %s, diagonal power %s' \
		"$(median_of "$1" wave/speed)" "$(median_of "$1" wave/wavelength)" \
		"$(median_of "$1" wave/traveling)" "$(median_of "$1" wave/diagonal_power)"
}

run "dk-gen copy --length $L --batch 100 --seed 1000 -o copy-test.npy"

# measure MODEL TRAINED NAME: the waves of both (run here, not in a
# command substitution, so that run records the commands).
measure() {
	run "dk-run $1 copy-test.npy | dk-wave -o $3-untrained-wave.npy"
	run "dk-run $2 copy-test.npy | dk-wave -o $3-trained-wave.npy"
}

# measured NAME: the table cell of measure's results.
measured() {
	printf 'untrained: %s; trained: %s' "$(summary "$1-untrained-wave.npy")" \
		"$(summary "$1-trained-wave.npy")"
}

for m in ${1:-wrnn irnn}; do
case $m in
wrnn)
	run "dk-init wrnn --channels 6 --units 100 --inputs 10 --outputs 10 --seed 1 -o wrnn.npy"
	run "dk-train --task copy --length $L --batch 128 --steps $steps --lr $lr --seed 1 wrnn.npy > wrnn-copy.npy"
	measure wrnn.npy wrnn-copy.npy wrnn
	row "copy, paper T=30 (--length $L, 40 steps), waves of 100 test sequences (medians)" \
		"wRNN c=6 n=100" "$(params wrnn.npy) parameters" "$steps, Adam lr $lr, batch 128" \
		"waves along every ring, untrained and trained" "$(measured wrnn)" ;;
irnn)
	run "dk-init rnn --units 100 --inputs 10 --outputs 10 --act relu --init identity --seed 1 -o irnn.npy"
	run "dk-train --task copy --length $L --batch 128 --steps $steps --lr $lr --seed 1 irnn.npy > irnn-copy.npy"
	measure irnn.npy irnn-copy.npy irnn
	row "copy, paper T=30 (--length $L, 40 steps), waves of 100 test sequences (medians; units read as one ring of 100)" \
		"iRNN N=100" "$(params irnn.npy) parameters" "$steps, Adam lr $lr, batch 128" \
		"no waves" "$(measured irnn)" ;;
*)
	echo "waves.sh: unknown model '$m' (wrnn, irnn)" >&2; exit 2 ;;
esac
done
