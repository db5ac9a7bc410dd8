#!/bin/sh
# nwm_threads.sh -- the oscillator sheet shares the rows of a batch among
# as many threads as OpenBLAS uses (each part in a lane of scratch of its
# own: models/nwm_impl.h), and the vjp makes each row's gradient of the
# coupling apart, added to the parameters' gradient in row order: the
# same training run under OPENBLAS_NUM_THREADS=1, 2 and 3 (set for the
# child only) gives the same bytes.  Three paths: the coupling by GEMM on
# a small sheet (the rows' gradients apart), by Winograd (8 channels; the
# same), and by GEMM on a sheet of more than 128 cells (the vjp's rows in
# order in the caller, the step's shared).  And dk-lyap (the jvp by rows).
. "$top_srcdir/tests/lib.sh"

# flipflop's 3 inputs as an image of 1 channel on a 1 x 3 sheet
dk-init nwm --channels 2 --sheet 1,3 --inputs 1 --outputs 3 --seed 3 >"$tmp/small.npy"
threads_agree small "1 2 3" "$tmp/small" dk-train "$tmp/small.npy" --task flipflop \
	--length 12 --batch 12 --steps 3 --lr 0.01 --seed 5
dk-cat --select model/W --bare "$tmp/small.npy" >"$tmp/w0.npy"
dk-cat --select model/W --bare "$tmp/small-t1.npy" >"$tmp/w1.npy"
! cmp -s "$tmp/w0.npy" "$tmp/w1.npy"
tap_result $? "small: training changed the coupling (whose gradient the threads share)"

dk-init nwm --channels 8 --sheet 16,16 --classes 6 --steps 3 --readout linear --seed 3 \
	>"$tmp/wino.npy"
threads_agree winograd "1 2 3" "$tmp/winograd" dk-train "$tmp/wino.npy" --task shapes \
	--batch 3 --steps 2 --lr 0.01 --seed 5

dk-init nwm --channels 2 --sheet 16,16 --classes 6 --steps 3 --readout linear --seed 3 \
	>"$tmp/wide.npy"
threads_agree wide "1 2 3" "$tmp/wide" dk-train "$tmp/wide.npy" --task shapes --batch 3 \
	--steps 2 --lr 0.01 --seed 5

threads_agree dk-lyap "1 2" "$tmp/ly" dk-lyap -T 50 --transient 10 --basis-transient 10 \
	--seed 1 "$tmp/small-t1.npy"
done_testing
