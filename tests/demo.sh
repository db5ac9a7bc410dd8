#!/bin/sh
# demo.sh -- what `./bootstrap demo` runs: train a network on the 3-bit
# flip-flop task (Sussillo & Barak 2013) and test it, then a short tour of
# the stream tools on the result.  Everything is written to
# ${DK_DEMO_DIR:-demo-output}, with the loss curve drawn as loss.png when
# gnuplot is there; it takes well under a minute.
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

if command -v gnuplot >/dev/null 2>&1; then
	step "dk-plot loss -o $out/loss.png $out/flipflop.npy"
	dk-plot loss -o "$out/loss.png" "$out/flipflop.npy"
else
	echo "(gnuplot not found: no loss.png; install gnuplot-nox)"
fi
echo "model, test batch and loss curve are in $out/"
