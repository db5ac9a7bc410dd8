#!/bin/sh
# make_flipflop.sh -- regenerate flipflop_rnn32.npy: a 32-unit tanh
# network trained by dk-train on the 3-bit flip-flop task (8000 steps,
# about half a minute of CPU), its model/* tensors only.  tests/fixed.sh
# checks that dk-fixed finds exactly 8 stable fixed points in it.
#
#	sh data/make_flipflop.sh     # from the top of a built tree
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/tools:$PATH"
dk-init rnn --units 32 --inputs 3 --outputs 3 --act tanh --seed 3 |
	dk-train --task flipflop --batch 32 --length 100 --steps 8000 \
		--lr 0.005 --clip 1 --seed 3 |
	dk-cat --select 'model/*' >"$top/data/flipflop_rnn32.npy"
