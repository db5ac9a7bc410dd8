#!/bin/sh
# wrnn_threads.sh -- the Wave-RNN shares its batch rows among as many
# threads as OpenBLAS uses, in blocks fixed by the batch size alone: the
# same training run under OPENBLAS_NUM_THREADS=1, 2 and 3 (set for the
# child only) gives the same bytes, model and losses.  The sizes are
# large enough (batch x channels^2 x units >= 10^6) for wrnn.c to start
# its threads, and small enough that OpenBLAS runs its own products (the
# readout's, the input's gradient) in one thread whatever the count:
# OpenBLAS's threaded products change their last bits with the count
# (README, Reproducibility), so at larger sizes the bytes may differ.
. "$top_srcdir/tests/lib.sh"

dk-init wrnn --channels 16 --units 100 --inputs 2 --outputs 1 --init random \
	--gain 1.2 --seed 3 >"$tmp/m.npy"
for t in 1 2 3; do
	ok "training with OPENBLAS_NUM_THREADS=$t exits 0" \
		env OPENBLAS_NUM_THREADS=$t dk-train "$tmp/m.npy" --task adding --batch 40 \
		--length 12 --steps 4 --lr 0.01 --clip 1 --seed 5 -o "$tmp/t$t.npy"
done
ok "2 threads give the bytes of 1" cmp "$tmp/t1.npy" "$tmp/t2.npy"
ok "3 threads give the bytes of 1" cmp "$tmp/t1.npy" "$tmp/t3.npy"
# and the run changed the model (so the comparison compares something)
dk-cat --select model/conv/W --bare "$tmp/m.npy" >"$tmp/w0.npy"
dk-cat --select model/conv/W --bare "$tmp/t1.npy" >"$tmp/w1.npy"
! cmp -s "$tmp/w0.npy" "$tmp/w1.npy"
tap_result $? "training changed the kernel"
done_testing
