#!/bin/sh
# lyap_threads.sh -- dk-lyap shares its Cholesky QR's row blocks among as
# many threads as OpenBLAS uses, with OpenBLAS itself on one thread
# during the QR (lib/analysis/lyap_rows.h): the same run under
# OPENBLAS_NUM_THREADS=1, 2 and 3 (set for the child only) gives the same
# bytes, for every QR method, the dense Jacobian and the two-trajectory
# check.  512 units and 64 exponents: four row blocks, large enough for
# the team to start, and a 64 x 64 Cholesky factor, which OpenBLAS
# computes with other roundings on more than one thread (so this fails
# if the QR is left to OpenBLAS's threads).  The tangent product itself,
# (64 x 512)(512 x 512), rounds the same on any number of OpenBLAS
# threads.  40 measured steps keep it to a fraction of a second a run.
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
