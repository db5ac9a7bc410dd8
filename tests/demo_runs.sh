#!/bin/sh
# demo_runs.sh -- `./bootstrap demo` must keep working: run the demo and
# check what it claims: a trained flip-flop network whose test error is
# far below the untrained one's, and its files.
. "$top_srcdir/tests/lib.sh"

DK_DEMO_DIR="$tmp/demo" ok "demo exits 0" sh "$top_srcdir/tests/demo.sh"
cp "$tmp/.out" "$tmp/demo.out"
before=$(awk '/^test MSE untrained:/ { print $4 }' "$tmp/demo.out")
after=$(awk '/^test MSE trained:/ { print $4 }' "$tmp/demo.out")
# the flip-flop targets are +-1 or 0: an untrained network's MSE is about
# 0.5; 1000 Adam steps bring it below 0.1
awk -v b="$before" -v a="$after" 'BEGIN { exit !(a < 0.1 && a < b / 5) }'
tap_result $? "trained test MSE $after is below 0.1 and a fifth of the untrained $before"
stable=$(awk '/^stable fixed points/ { print $NF }' "$tmp/demo.out")
# 3 bits hold 8 memories; a network trained this briefly may miss some
# or keep a spurious one, but far fewer than 8 would mean the fixed-point
# search (or the training) broke
awk -v s="$stable" 'BEGIN { exit !(s >= 6 && s <= 10) }'
tap_result $? "the trained network has about 8 stable fixed points (found $stable)"
for f in untrained.npy flipflop.npy test.npy loss.tsv traj.npy fixed.npy spectra.npy; do
	ok "demo wrote $f" test -s "$tmp/demo/$f"
done
is "$(grep -vc '^#' "$tmp/demo/loss.tsv")" 1000 "the loss curve has one value per step"
if command -v gnuplot >/dev/null 2>&1; then
	is "$(head -c 8 "$tmp/demo/loss.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a \
		"demo wrote loss.png, a PNG (gnuplot is here)"
	for f in eig.png pca.png; do
		is "$(head -c 8 "$tmp/demo/$f" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a \
			"demo wrote $f, a PNG"
	done
fi
done_testing
