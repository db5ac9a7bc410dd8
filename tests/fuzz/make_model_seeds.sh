#!/bin/sh
# make_model_seeds.sh -- regenerate tests/fuzz/seeds-model/, the seed
# corpus of the model loader's fuzz target (fuzz_model.c): one small
# model of every kind and option dk-init offers, as dk-init writes it.
# The output is deterministic (seeded), so rerunning leaves the seeds
# unchanged.
#
#	sh tests/fuzz/make_model_seeds.sh [OUTDIR]
#
# Needs the built tools (top_builddir, default: the source tree).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tools=${top_builddir:-$here/../..}/tools
out=${1:-$here/seeds-model}
mkdir -p "$out"
seed() { # name, dk-init arguments...
	name=$1
	shift
	"$tools/dk-init" "$@" --seed 1 -o "$out/$name.npy"
}
seed rnn_tanh rnn --units 3 --inputs 2 --outputs 1 --act tanh
seed rnn_relu_identity rnn --units 3 --inputs 1 --outputs 2 --act relu --init identity
seed rnn_erf_orthogonal rnn --units 2 --inputs 2 --outputs 1 --act erf --init orthogonal
seed wrnn wrnn --channels 2 --units 3 --inputs 1 --outputs 1
seed wrnn_random wrnn --channels 1 --units 4 --inputs 2 --outputs 1 --init random --gain 0.5
seed gru gru --units 2 --inputs 1 --outputs 1
seed lstm lstm --units 2 --inputs 1 --outputs 1
seed ctrnn_euler ctrnn --units 3 --gain 1.5 --phi tanh
seed ctrnn_rk4_rank ctrnn --units 3 --gain 0.5 --phi erf --integrator rk4 --rank 1 --dt 0.05
seed ctrnn_relu ctrnn --units 2 --gain 1 --phi relu --inputs 2 --outputs 2
seed nwm nwm --channels 2 --sheet 2,3 --inputs 1 --outputs 1 --dt 0.2
seed fernn fernn --channels 2 --units 3 --velocities 1 --inputs 1 --outputs 1
seed grnn grnn --channels 1 --units 4 --inputs 2 --outputs 1
