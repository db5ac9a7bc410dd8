#!/bin/sh
# fernn_threads.sh -- the fernn on a ring shares its batch rows among as
# many threads as OpenBLAS uses, in blocks fixed by the batch size alone:
# the same training run on the flow task under OPENBLAS_NUM_THREADS=1, 2
# and 3 (set for the child only) gives the same bytes, model and losses.
# The sizes are large enough (batch x slices x C N x C >= 250000) for
# fernn.c to start its threads, and small enough that OpenBLAS runs the
# readout's products in one thread whatever the count (below its
# threading thresholds): OpenBLAS's threaded products change their last
# bits with the count (README, Reproducibility).
. "$top_srcdir/tests/lib.sh"

dk-init fernn --velocities 2 --channels 8 --units 24 --inputs 1 --outputs 24 \
	--seed 3 >"$tmp/m.npy"
for t in 1 2 3; do
	ok "training with OPENBLAS_NUM_THREADS=$t exits 0" \
		env OPENBLAS_NUM_THREADS=$t dk-train "$tmp/m.npy" --task flow --ring 24 \
		--frames-in 4 --frames-out 4 --batch 40 --steps 3 --lr 0.01 --clip 1 \
		--seed 5 -o "$tmp/t$t.npy"
done
ok "2 threads give the bytes of 1" cmp "$tmp/t1.npy" "$tmp/t2.npy"
ok "3 threads give the bytes of 1" cmp "$tmp/t1.npy" "$tmp/t3.npy"
# and the run changed the model (so the comparison compares something)
dk-cat --select model/W --bare "$tmp/m.npy" >"$tmp/w0.npy"
dk-cat --select model/W --bare "$tmp/t1.npy" >"$tmp/w1.npy"
! cmp -s "$tmp/w0.npy" "$tmp/w1.npy"
tap_result $? "training changed the kernel"
done_testing
