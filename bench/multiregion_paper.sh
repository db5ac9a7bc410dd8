#!/bin/bash
# multiregion_paper.sh -- the multiregion theory against the network at
# the paper's size: P = 5 regions of N = 100,000 units (Clark and
# Beiran's run_fp_sims.py, its first parameter set without disorder),
# through dk-dmft multiregion --simulate, which builds, runs and measures
# the multiregion model kind.
#
# a and b are the paper's (every b above its a, so each region's
# A^mu = (2 / pi)(b_mu^2 - 1) is shared out over the pairs of regions),
# signs all +1.  Each network runs BENCH_TRANSIENT Euler steps of 0.05
# (default 2000: t = 100), then A is averaged over BENCH_STEPS more
# (default 1000).  Printed per network and region: the theory's A, the
# network's, and their relative difference, which must be below
#	tol = 0.14 sqrt(20000 / N)
# for the run to pass: the finite-N error.  Its size was measured at N =
# 20,000 (2 networks of these couplings run to t = 200: rms relative
# difference 0.027 over the 10 regions, largest 0.047); it shrinks as
# 1 / sqrt(N), the sample overlaps' error, and tol is 5 times that rms
# (0.063 at N = 100,000).  The wall time of the run is printed too.
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3, with NumPy), BENCH_UNITS (100000), BENCH_SEEDS (1),
# BENCH_TRANSIENT, BENCH_STEPS.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/.." && pwd)}
PY=${PYTHON3:-/usr/bin/python3}
N=${BENCH_UNITS:-100000}
K=${BENCH_SEEDS:-1}
T0=${BENCH_TRANSIENT:-2000}
T=${BENCH_STEPS:-1000}
if [ -x "$top_builddir/tools/.libs/dk-dmft" ]; then
	dk="$top_builddir/tools/.libs/dk-dmft"
	export LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
	dk="$top_builddir/tools/dk-dmft"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mrbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

a=2.07056209,2.01600629,2.03914952,2.08963573,2.07470232
b=2.46090888,2.53800354,2.49394571,2.49587125,2.51642394
echo "P = 5 regions of N = $N units, $K network(s), $T0 + $T Euler steps of 0.05"
start=$(date +%s.%N)
"$dk" multiregion --a $a --b $b --starts 5 --simulate "$N" --seeds "$K" \
	--transient "$T0" --steps "$T" -o "$tmp/sim.npy"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "wall time %.1f s\n", e - s }'
"$PY" - "$tmp/sim.npy" "$N" <<'PYEND'
import io, json, sys
import numpy as np
recs = {}
with open(sys.argv[1], "rb") as f:
    data = io.BytesIO(f.read())
while data.tell() < len(data.getbuffer()):
    meta = json.loads(np.load(data)[()])
    recs[meta["name"]] = (meta, np.load(data))
N = int(sys.argv[2])
theory = np.array(recs["dmft/A"][0]["attrs"]["dmft"]["prediction"])
sim = recs["sim/A"][1]
tol = 0.14 * np.sqrt(20000 / N)
print("network region theory_A network_A relative")
for k in range(sim.shape[0]):
    for mu in range(sim.shape[1]):
        print(k, mu, "%.4f %.4f %+.4f" % (theory[mu], sim[k, mu], sim[k, mu] / theory[mu] - 1))
worst = np.abs(sim / theory - 1).max()
print("largest relative difference %.4f, tolerance %.4f: %s"
      % (worst, tol, "PASS" if worst < tol else "FAIL"))
sys.exit(0 if worst < tol else 1)
PYEND
