#!/bin/sh
# gated_threads.sh -- the GRU and the LSTM share their steps among as
# many threads as OpenBLAS uses (models/row_team.h), by rows (each part
# making its rows' products on one OpenBLAS thread, then their gates) and,
# for the parameters' gradients, by gate rows, the biases summed over the
# batch rows in row order: the same training run under
# OPENBLAS_NUM_THREADS=1, 2 and 3 (set for the child only) gives the same
# bytes.  The sizes are large enough for the team to start (batch x
# values per row >= 16384); at 16 units OpenBLAS would run each product
# on one thread anyway, at 64 it would share the step's products among
# its threads (64 x 192 x 64 and up), which row_team.h's parts now do
# instead, with each entry's terms added in the same order.
. "$top_srcdir/tests/lib.sh"

for kind in gru lstm; do
	dk-init $kind --units 16 --inputs 3 --outputs 3 --seed 3 >"$tmp/$kind.npy"
	dk-init $kind --units 64 --inputs 3 --outputs 3 --seed 3 >"$tmp/$kind-64.npy"
	for t in 1 2 3; do
		ok "$kind: training with OPENBLAS_NUM_THREADS=$t exits 0" \
			env OPENBLAS_NUM_THREADS=$t dk-train "$tmp/$kind.npy" --task flipflop \
			--batch 128 --length 10 --steps 3 --lr 0.01 --seed 5 -o "$tmp/$kind-t$t.npy"
		ok "$kind, 64 units: training with OPENBLAS_NUM_THREADS=$t exits 0" \
			env OPENBLAS_NUM_THREADS=$t dk-train "$tmp/$kind-64.npy" --task flipflop \
			--batch 100 --length 5 --steps 2 --lr 0.01 --seed 5 -o "$tmp/$kind-64-t$t.npy"
	done
	ok "$kind: 2 threads give the bytes of 1" cmp "$tmp/$kind-t1.npy" "$tmp/$kind-t2.npy"
	ok "$kind: 3 threads give the bytes of 1" cmp "$tmp/$kind-t1.npy" "$tmp/$kind-t3.npy"
	ok "$kind, 64 units: 2 threads give the bytes of 1" \
		cmp "$tmp/$kind-64-t1.npy" "$tmp/$kind-64-t2.npy"
	ok "$kind, 64 units: 3 threads give the bytes of 1" \
		cmp "$tmp/$kind-64-t1.npy" "$tmp/$kind-64-t3.npy"
	# the run changed the biases (whose gradients the threads share)
	dk-cat --select model/bias_hh --bare "$tmp/$kind.npy" >"$tmp/b0.npy"
	dk-cat --select model/bias_hh --bare "$tmp/$kind-t1.npy" >"$tmp/b1.npy"
	! cmp -s "$tmp/b0.npy" "$tmp/b1.npy"
	tap_result $? "$kind: training changed the biases"
done
# and the fixed points of a batch of starts (the step, jvp and vjp by rows)
dk-init gru --units 16 --inputs 3 --outputs 3 --seed 4 >"$tmp/g.npy"
dk-gen flipflop --batch 64 --length 20 --seed 1 | dk-run "$tmp/g.npy" >"$tmp/run.npy"
for t in 1 2; do
	ok "gru: dk-fixed with OPENBLAS_NUM_THREADS=$t exits 0" \
		env OPENBLAS_NUM_THREADS=$t dk-fixed "$tmp/g.npy" "$tmp/run.npy" --sample 1200 \
		--seed 2 --max-iters 50 --keep-diverged --outlier-scale 0 -o "$tmp/fp$t.npy"
done
ok "gru: dk-fixed's points with 2 threads are the bytes of 1" cmp "$tmp/fp1.npy" "$tmp/fp2.npy"
done_testing
