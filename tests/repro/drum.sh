#!/bin/bash
# drum.sh -- hearing the shape of a drum (Jacobs, Budzinski, Muller, Ba
# and Keller 2025, "Traveling waves integrate spatial information through
# time"): the frequencies a fixed wave equation rings at inside a shape
# tell its size.  Nothing is trained but a linear readout (dk-gen drum,
# see dk-gen(1) for the drum, the shapes and the readout).
#
# Two rows.  First, the dominant frequency against 1 / size on squares:
# 60 squares of sides 4 to 62 on 64 x 64 sheets, 16384 steps (seven or
# more periods of the largest square's fundamental); reported: the least
# squares slope of omega against 1 / (L + 1) through the origin, to be
# compared with the continuum's pi sqrt(2) = 4.443 (omega = pi sqrt(2) /
# L for a square of side L, the lattice's L + 1 its effective side), and
# omega L / (pi sqrt(2)) at the smallest and the largest side, which
# tends to 1 as L grows.  Second, the size of a shape of any of the
# seven classes (squares, rectangles, the five tetromino families) on
# 32 x 32 sheets, read by least squares from 1 / omega of the loudest
# mode, then of the 2 and 4 loudest, fitted on DRUM_BATCH (default 500)
# train sheets and scored on as many test sheets: the fraction read to
# within half a pixel, the rms error and R^2, and the fraction classed
# right by the class's readout (the frequencies' ratios to the loudest
# and their squares; chance is 1/7); and the size on squares alone,
# where one frequency fixes it.  An argument, slope or size, runs one
# row.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$work"

B=${DRUM_BATCH:-500}

# scalar FILE RECORD: a 0-d record's value, to 3 digits.
scalar() {
	dk-cat --select "$2" --bare --text "$1" | sed 1d | awk '{ printf "%.3g", $1 }'
}

# fit_summary FILE: the readout's test scores.
fit_summary() {
	printf 'size accuracy %s, rms %s px, R^2 %s; class accuracy %s' \
		"$(scalar "$1" drum/test_accuracy)" "$(scalar "$1" drum/test_rms)" \
		"$(scalar "$1" drum/test_r2)" "$(scalar "$1" drum/test_class_accuracy)"
}

for part in ${1:-slope size}; do
case $part in
slope)
	run "dk-gen drum --shapes squares --sheet 64,64 --batch 60 --steps 16384 --seed 1 -o squares.npy"
	# side and dominant frequency, one square a line
	paste <(dk-cat -s drum/size --bare --text squares.npy | sed 1d) \
		<(dk-cat -s drum/frequency --bare --text squares.npy | sed 1d | cut -f1) >sides.txt
	measured=$(awk '
		{ L = $1; w = $2; x = 1 / (L + 1); sxy += x * w; sxx += x * x
		  r = w * L / (3.14159265358979 * sqrt(2))
		  if (n++ == 0 || L < lo) { lo = L; rlo = r }
		  if (L > hi) { hi = L; rhi = r } }
		END { printf "slope of omega on 1/(L+1): %.4g (pi sqrt 2 = 4.443); omega L / (pi sqrt 2): %.3f at L = %d, %.3f at L = %d (%d squares)",
		      sxy / sxx, rlo, lo, rhi, hi, n }' sides.txt)
	row "drum: dominant frequency against 1/size, squares on 64 x 64" \
		"fixed wave equation, Dirichlet outside, dt 0.1" "no parameters" \
		"16384 steps, none trained" "frequency ~ 1/size (the drum's pitch falls as it grows)" \
		"$measured" ;;
size)
	for m in 1 2 4; do
		run "dk-gen drum --fit --modes $m --sheet 32,32 --batch $B --seed 1 -o fit-all-$m.npy"
	done
	run "dk-gen drum --fit --shapes squares --sheet 32,32 --batch $B --seed 1 -o fit-squares.npy"
	row "drum: size and class recovery from frequencies, 7 classes on 32 x 32, test split" \
		"linear readouts of 1/omega (size) and of the ratios (class), least squares" \
		"size: 2, 3, 5 coefficients; class: 7, 21, 49" \
		"4096 steps, $B train / $B test sheets" "region size or class recovered from the frequencies" \
		"1 mode: $(fit_summary fit-all-1.npy); 2 modes: $(fit_summary fit-all-2.npy); 4 modes: $(fit_summary fit-all-4.npy); squares alone, 1 mode: size accuracy $(scalar fit-squares.npy drum/test_accuracy), rms $(scalar fit-squares.npy drum/test_rms) px" ;;
*)
	echo "drum.sh: unknown part '$part' (slope, size)" >&2; exit 2 ;;
esac
done
