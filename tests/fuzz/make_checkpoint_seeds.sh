#!/bin/sh
# make_checkpoint_seeds.sh -- regenerate tests/fuzz/seeds-checkpoint/,
# the seed corpus of the checkpoint fuzz target (fuzz_checkpoint.c):
# small checkpoints of every task dk-train generates, of several model
# kinds, optimisers and with testing, as dk-train writes them.  The
# output is deterministic (seeded), so rerunning leaves the seeds
# unchanged.
#
#	sh tests/fuzz/make_checkpoint_seeds.sh [OUTDIR]
#
# Needs the built tools (top_builddir, default: the source tree).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tools=${top_builddir:-$here/../..}/tools
out=${1:-$here/seeds-checkpoint}
mkdir -p "$out"
seed() { # name, dk-train arguments...
	name=$1
	shift
	rm -f "$out/$name.npy"
	"$tools/dk-train" "$@" --steps 3 --every 2 --checkpoint "$out/$name.npy" -o "$out/.model.npy"
	rm -f "$out/.model.npy"
}
seed flipflop_rnn --task flipflop --batch 2 --length 4 --bits 2 --model rnn --units 3
seed copy_gru --task copy --batch 1 --length 2 --model gru --units 2 --optimizer sgd --momentum 0.5
seed adding_ctrnn --task adding --batch 2 --length 3 --model ctrnn --units 2 --schedule cosine --clip 1
seed flipflop_tested --task flipflop --batch 2 --length 3 --bits 1 --model lstm --units 2 --test-every 2
