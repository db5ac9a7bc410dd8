#!/bin/sh
# lyap_threads.sh -- dk-lyap computes the Cholesky factor, its inverse
# and any Householder QR with OpenBLAS on one thread (lib/analysis/lyap.c,
# blas_alone) and leaves the products on OpenBLAS's threads: the same run
# under OPENBLAS_NUM_THREADS=1, 2 and 3 (set for the child only) gives
# the same bytes, for every QR method, the dense Jacobian and the
# two-trajectory check.  512 units and 64 exponents: OpenBLAS factors a
# 64 x 64 Gram matrix with other roundings on more than one thread, so
# this fails when the factor is left to its threads; the
# tangent product (64 x 512)(512 x 512), the 512 x 64 Gram matrix and
# the triangular products round the same on any number of threads.  40
# measured steps keep each run to a fraction of a second.
. "$top_srcdir/tests/lib.sh"

dk-init rnn --units 512 --gain 2 --act tanh --seed 1 >"$tmp/net.npy"
i=0
while IFS= read -r flags; do
	i=$((i + 1))
	for t in 1 2 3; do
		# shellcheck disable=SC2086
		ok "dk-lyap $flags with OPENBLAS_NUM_THREADS=$t exits 0" \
			env OPENBLAS_NUM_THREADS=$t dk-lyap -k 64 -T 40 --transient 5 \
			--basis-transient 5 $flags -o "$tmp/l$i-t$t.npy" "$tmp/net.npy"
	done
	ok "dk-lyap $flags: 2 threads give the bytes of 1" \
		cmp "$tmp/l$i-t1.npy" "$tmp/l$i-t2.npy"
	ok "dk-lyap $flags: 3 threads give the bytes of 1" \
		cmp "$tmp/l$i-t1.npy" "$tmp/l$i-t3.npy"
done <<'LIST'
--qr auto
--qr cholesky2
--qr cholesky --every 3
--qr householder
--tangent jacobian --check
LIST
done_testing
