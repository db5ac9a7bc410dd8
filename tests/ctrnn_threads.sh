#!/bin/sh
# ctrnn_threads.sh -- the continuous-time rate network shares its steps
# and vjps among as many threads as OpenBLAS uses (models/row_team.h):
# the stages and the adjoint by batch rows, each part making its rows'
# products on one OpenBLAS thread, and the parameters' gradient by units
# (rows of J, m, n and B; b's entries summed over the batch rows in row
# order).  The same training run under OPENBLAS_NUM_THREADS=1, 2 and 3
# (set for the child only) gives the same bytes, by Euler and by RK4 with
# a low-rank part; and so does dk-lyap (its tangents made by OpenBLAS's
# threads).  The batches are large enough for the team to start (batch x
# 4 units >= 16384).
. "$top_srcdir/tests/lib.sh"

dk-init ctrnn --units 64 --inputs 3 --outputs 3 --seed 3 >"$tmp/euler.npy"
dk-init ctrnn --units 64 --inputs 3 --outputs 3 --rank 2 --integrator rk4 --seed 3 \
	>"$tmp/rk4.npy"
for name in euler rk4; do
	threads_agree "$name" "1 2 3" "$tmp/$name" dk-train "$tmp/$name.npy" --task flipflop \
		--batch 80 --length 8 --steps 3 --lr 0.01 --seed 5
	# the run changed J and b (whose gradients the threads share by units)
	for p in J b; do
		dk-cat --select model/$p --bare "$tmp/$name.npy" >"$tmp/p0.npy"
		dk-cat --select model/$p --bare "$tmp/$name-t1.npy" >"$tmp/p1.npy"
		! cmp -s "$tmp/p0.npy" "$tmp/p1.npy"
		tap_result $? "$name: training changed $p"
	done
done
threads_agree dk-lyap "1 2" "$tmp/ly" dk-lyap -T 40 --transient 10 --basis-transient 10 \
	--seed 1 "$tmp/rk4-t1.npy"
done_testing
