#!/bin/sh
# demo.sh -- what `./bootstrap demo` runs: train a network on the 3-bit
# flip-flop task (Sussillo & Barak 2013) and test it, a short tour of the
# stream tools on the result, then the network's fixed points (its
# memories are the stable ones) and their Jacobian spectra, and the
# traveling wave of a Wave-RNN as initialised.  Everything is written to
# ${DK_DEMO_DIR:-demo-output}, with the loss curve, the eigenvalues, the
# fixed points and the Wave-RNN's space-time raster drawn as loss.png,
# eig.png, pca.png and wave.png when gnuplot is there; it takes well under
# a minute.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/tools:$PATH"
out=${DK_DEMO_DIR:-demo-output}
mkdir -p "$out"

step() { printf '\n$ %s\n' "$*"; }
value() { dk-cat --select "$1" --bare --text | grep -v '^#'; }

step "dk-init rnn --units 64 --inputs 3 --outputs 3 --act tanh --seed 1 -o $out/untrained.npy"
dk-init rnn --units 64 --inputs 3 --outputs 3 --act tanh --seed 1 -o "$out/untrained.npy"

step "dk-train --task flipflop --batch 32 --length 100 --steps 1000 --lr 0.005 --clip 1 --seed 1 $out/untrained.npy -o $out/flipflop.npy"
dk-train --task flipflop --batch 32 --length 100 --steps 1000 --lr 0.005 --clip 1 \
	--seed 1 "$out/untrained.npy" -o "$out/flipflop.npy"

step "dk-gen flipflop --batch 256 --length 100 --seed 99 > $out/test.npy   # unseen batch"
dk-gen flipflop --batch 256 --length 100 --seed 99 >"$out/test.npy"
before=$(dk-run --no-states "$out/untrained.npy" "$out/test.npy" | value run/loss)
after=$(dk-run --no-states "$out/flipflop.npy" "$out/test.npy" | value run/loss)
echo "test MSE untrained: $before"
echo "test MSE trained:   $after"

step "dk-info $out/flipflop.npy"
dk-info "$out/flipflop.npy"

step "dk-cat --select train/loss --bare --text $out/flipflop.npy > $out/loss.tsv   # for gnuplot"
dk-cat --select train/loss --bare --text "$out/flipflop.npy" >"$out/loss.tsv"
echo "first and last training losses: $(sed -n 2p "$out/loss.tsv") $(tail -n 1 "$out/loss.tsv")"

step "dk-gen flipflop --batch 16 --length 100 --seed 7 | dk-run $out/flipflop.npy > $out/traj.npy"
dk-gen flipflop --batch 16 --length 100 --seed 7 | dk-run "$out/flipflop.npy" >"$out/traj.npy"

step "dk-fixed --sample 256 --noise 0.01 $out/flipflop.npy $out/traj.npy > $out/fixed.npy"
dk-fixed --sample 256 --noise 0.01 "$out/flipflop.npy" "$out/traj.npy" >"$out/fixed.npy"

step "dk-jac $out/flipflop.npy $out/fixed.npy > $out/spectra.npy"
dk-jac "$out/flipflop.npy" "$out/fixed.npy" >"$out/spectra.npy"
kinds=$(value fp/kind <"$out/fixed.npy" | tr '\n' ' ')
index=$(value jac/index <"$out/spectra.npy" | tr '\n' ' ')
echo "$kinds" | awk '{ f = 0; for (i = 1; i <= NF; i++) f += $i;
	print "points found: " NF ", fixed (|F(x) - x| <= 1e-10): " f }'
# stable: a fixed point (kind 1) of index 0; a slow point is no memory
printf '%s\n%s\n' "$kinds" "$index" | awk 'NR == 1 { for (i = 1; i <= NF; i++) kind[i] = $i; next }
	{ s = 0; for (i = 1; i <= NF; i++) { s += $i == 0 && kind[i] == 1; n[$i]++ }
	printf "stable fixed points (the memories): %d\n", s;
	printf "points by index (unstable directions):";
	for (k in n) printf " %s:%d", k, n[k]; printf "\n" }'

step "dk-init wrnn --channels 4 --units 64 --inputs 3 --outputs 3 --seed 1 -o $out/wrnn.npy   # a Wave-RNN as initialised"
dk-init wrnn --channels 4 --units 64 --inputs 3 --outputs 3 --seed 1 -o "$out/wrnn.npy"
step "dk-gen flipflop --batch 4 --length 200 --seed 5 | dk-run $out/wrnn.npy > $out/wrnn-run.npy"
dk-gen flipflop --batch 4 --length 200 --seed 5 | dk-run "$out/wrnn.npy" >"$out/wrnn-run.npy"
step "dk-wave $out/wrnn-run.npy > $out/wave.npy"
dk-wave "$out/wrnn-run.npy" >"$out/wave.npy"
speed=$(value wave/speed <"$out/wave.npy" | awk '{ for (i = 1; i <= NF; i++) { s += $i; n++ } }
	END { printf "%.3f", s / n }')
diag=$(value wave/diagonal_power <"$out/wave.npy" | awk '{ for (i = 1; i <= NF; i++) { s += $i; n++ } }
	END { printf "%.1f", s / n }')
echo "Wave-RNN wave speed (units per step, + toward higher unit index): $speed"
echo "Wave-RNN power on the speed-1 lines, over a time-shuffled surrogate: $diag"

if command -v gnuplot >/dev/null 2>&1; then
	step "dk-plot loss -o $out/loss.png $out/flipflop.npy"
	dk-plot loss -o "$out/loss.png" "$out/flipflop.npy"
	step "dk-plot eig -o $out/eig.png $out/spectra.npy"
	dk-plot eig -o "$out/eig.png" "$out/spectra.npy"
	step "dk-cat $out/traj.npy $out/fixed.npy $out/spectra.npy | dk-plot pca -o $out/pca.png"
	dk-cat "$out/traj.npy" "$out/fixed.npy" "$out/spectra.npy" | dk-plot pca -o "$out/pca.png"
	step "dk-plot raster --channel 0 -o $out/wave.png $out/wrnn-run.npy"
	dk-plot raster --channel 0 -o "$out/wave.png" "$out/wrnn-run.npy"
else
	echo "(gnuplot not found: no loss.png, eig.png, pca.png; install gnuplot-nox)"
fi
echo "model, test batch, fixed points, spectra and pictures are in $out/"
