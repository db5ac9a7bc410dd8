#!/bin/bash
# shapes.sh -- miniature shape segmentation on 32 x 32 tetrominoes: the
# oscillator sheet (nwm) with each of its readouts over time against the
# local-CNN baseline (cnn), as in Jacobs, Budzinski, Muller, Ba and
# Keller, "Traveling waves integrate spatial information through time"
# (2025), whose figures are on 64 x 64 images after 25-50 epochs on a GPU.
#
# Models: the nwm of the paper's widths (11 channels, encoders 11 wide,
# dt 0.1) over SHAPES_T steps (default 20; the paper 100), read by a
# linear map over time (the paper's best), by the FFT magnitudes or by
# the last state, each then the per-pixel MLP; and the cnn of 8 layers
# of 28 channels, which has as many parameters as the nwm at T = 100
# (54,002 against 52,476) and more than the nwm at T = 20.  Each is
# trained by dk-train --task shapes (fresh images every step, batch 16,
# Adam lr 1e-3, the paper's, or SHAPES_LR) for as many steps as
# SHAPES_MINUTES minutes of CPU time
# (default 1 a model) allow, counted from a calibration run of 3 steps
# (so the step counts, printed, depend on the machine; SHAPES_STEPS
# fixes them instead, and a rerun with the same steps prints the same
# numbers).  Then dk-run scores 200 images of the test split (seed 1000):
# the paper's foreground IoU and accuracy (pixels of the shapes only).
#
# The issue's full run is 20 minutes of machine time for the set:
# SHAPES_MINUTES=5 (4 models).  SHAPES_T=100 is the paper's length, at
# about 5 times the cost of a step.  An argument (linear, fft, last,
# cnn) runs one model.
#
# Then the waves of the trained sheets (each nwm trained): dk-run writes
# their states (y and z of each channel) with the sheet's layout, and
# dk-wave reads them with no options, on 16 test images: the median
# speed of the spectral method (cells a step; NaN where the power is
# standing) and the phase method's patterns (plane, target, spiral,
# synchrony, none) counted over the 11 channels of y.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$work"

T=${SHAPES_T:-20} minutes=${SHAPES_MINUTES:-1} B=16 lr=${SHAPES_LR:-1e-3}

# One OpenBLAS thread unless the caller says otherwise: the sheets'
# products are small, and between them OpenBLAS's second thread spins
# in sched_yield, which the CPU-time budget would count as training
# (a 3-step nwm run on 2 cores: 1.5 s user, 1.8 s system).  Two scripts,
# one model each, can then share two cores.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

# cpu_seconds CMD...: the user + system seconds the command took.
cpu_seconds() {
	local c0 c1 me=$BASHPID
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$me/stat")
	"$@" > /dev/null
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$me/stat")
	awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", (b - a) / hz }'
}

# steps_for MODEL: the steps SHAPES_MINUTES of CPU allow, from 3 steps'
# time less one step's (start-up and the model's reading and writing)
steps_for() {
	if [ -n "${SHAPES_STEPS:-}" ]; then
		echo "$SHAPES_STEPS"
		return
	fi
	local t1 t3
	t1=$(cpu_seconds dk-train --task shapes --batch $B --steps 1 --seed 9 -o /dev/null "$1")
	t3=$(cpu_seconds dk-train --task shapes --batch $B --steps 3 --seed 9 -o /dev/null "$1")
	awk -v a="$t1" -v b="$t3" -v m="$minutes" 'BEGIN {
		s = (b - a) / 2; if (s <= 0) s = 0.01; n = int(60 * m / s); print n < 1 ? 1 : n }'
}

score() { # RUN: foreground IoU and accuracy
	printf 'IoU %s, accuracy %s' \
		"$(dk-cat --select run/iou_foreground --bare --text "$1" | sed 1d | awk '{ printf "%.3f", $1 }')" \
		"$(dk-cat --select run/accuracy --bare --text "$1" | sed 1d | awk '{ printf "%.3f", $1 }')"
}

budget="$minutes CPU min"
[ -z "${SHAPES_STEPS:-}" ] || budget="steps fixed"
run "dk-gen shapes --sheet 32,32 --batch 200 --split test --seed 1000 -o test.npy"
for m in ${1:-linear fft last cnn}; do
	case $m in
	linear) paper="IoU 0.98 ± 0.01, accuracy 0.99" ;;
	fft) paper="IoU 0.97 ± 0.01, accuracy 0.98" ;;
	last) paper="IoU 0.90 ± 0.09, accuracy 0.94" ;;
	cnn) paper="IoU 0.64 ± 0.22, accuracy 0.74 (8 layers)" ;;
	*) echo "shapes.sh: unknown model '$m' (linear, fft, last, cnn)" >&2; exit 2 ;;
	esac
	if [ "$m" = cnn ]; then
		run "dk-init cnn --layers 8 --channels 28 --sheet 32,32 --classes 6 --seed 1 -o $m.npy"
		label="CNN 8 layers, 28 channels"
	else
		run "dk-init nwm --channels 11 --sheet 32,32 --classes 6 --steps $T --readout $m --seed 1 -o $m.npy"
		label="nwm C=11 T=$T, $m readout"
	fi
	steps=$(steps_for "$m.npy")
	run "dk-train --task shapes --batch $B --steps $steps --lr $lr --seed 1 -o $m-trained.npy $m.npy"
	run "dk-run -n $m-trained.npy test.npy > $m-test.npy"
	row "shapes 32x32 (paper 64x64), 200 test images, foreground" "$label" \
		"$(params "$m.npy") parameters" "$steps, Adam lr $lr, batch $B ($budget)" \
		"$paper" "$(score "$m-test.npy")"
done

# patterns FILE C: the phase method's wave/pattern counted over the first
# C channels (y) of every image.
patterns() {
	dk-cat --select wave/pattern --bare --text "$1" | sed 1d |
		awk -v c="$2" '{ for (i = 1; i <= c && i <= NF; i++) n[$i + 0]++ }
		END { printf "plane %d, target %d, spiral %d, synchrony %d, none %d",
			n[1], n[2], n[3], n[4], n[0] }'
}

run "dk-gen shapes --sheet 32,32 --batch 16 --split test --seed 1001 -o wave-images.npy"
for m in ${1:-linear fft last}; do
	if [ "$m" = cnn ] || [ ! -f "$m-trained.npy" ]; then
		continue
	fi
	run "dk-run $m-trained.npy wave-images.npy | dk-wave -o $m-spectral.npy"
	run "dk-run $m-trained.npy wave-images.npy | dk-wave --method phase -o $m-phase.npy"
	row "waves of the trained sheet, 16 test images, $T steps" "nwm C=11 T=$T, $m readout" \
		"22 channels (y, z) of 32 x 32" "as above" \
		"waves from the shapes' edges, their frequency set by the region's size" \
		"spectral median speed $(median_of "$m-spectral.npy" wave/speed) cells/step; y patterns: $(patterns "$m-phase.npy" 11)"
done
