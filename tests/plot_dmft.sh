#!/bin/sh
# plot_dmft.sh -- dk-plot dmft on dk-dmft's output: the data files given
# to gnuplot (kept by a stand-in gnuplot) against the records, read with
# NumPy: scs's Delta(tau) and its simulation's mean and spread over the
# networks; multiregion --gain's S(t) per pair and Delta(t, t) per
# region at t = j dt; a sweep's Delta0 (with the simulation's) and A
# against the swept parameter; pictures by the real gnuplot; a stream
# without dk-dmft's records refused.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join("$top_srcdir", "tests"))
from npystream import load, meta
def txt(kind, name):
    return np.loadtxt(os.path.join("$tmp", kind, name), ndmin=2)
# the files hold the records' values printed with %.17g, which reads
# back to the same doubles: copies are compared exactly.  Means and
# standard deviations are sums in another order than NumPy's: to 1e-14
# of the largest value (a few rounding errors of sums of 3 terms).
def close(a, b):
    return a.shape == b.shape and np.abs(a - b).max() <= 1e-14 * np.abs(b).max()
EOF
# a stand-in gnuplot that keeps the data and the script in $tmp/KIND
grab() { # kind stream
	mkdir -p "$tmp/$1"
	printf '#!/bin/sh\ncp *.txt plot.gp "%s" && printf x >plot.png\n' "$tmp/$1" >"$tmp/grab-$1"
	chmod +x "$tmp/grab-$1"
	DK_GNUPLOT="$tmp/grab-$1" dk-plot dmft -o "$tmp/$1.png" "$2"
}

# ---- scs with three simulated networks ----
dk-dmft scs --tau-max 6 --simulate 100 --seeds 3 --steps 200 -o "$tmp/scs.npy"
grab scs "$tmp/scs.npy"
is "$?" 0 "dk-plot dmft on scs --simulate (a stand-in gnuplot keeps the data)"
pycheck "theory.txt is dmft/tau, dmft/delta; sim.txt sim/delta's mean and spread, NaN lags left out" <<EOF
R = load("$tmp/scs.npy")
th = txt("scs", "theory.txt")
assert (th[:, 0] == R["dmft/tau"]).all() and (th[:, 1] == R["dmft/delta"]).all()
sim = R["sim/delta"]
keep = ~np.isnan(sim).all(0)
assert 0 < keep.sum() < len(keep), keep  # half the window of 10 is 5 < 6
got = txt("scs", "sim.txt")
assert (got[:, 0] == R["dmft/tau"][keep]).all()
assert close(got[:, 1], sim[:, keep].mean(0)), got[:, 1]
assert close(got[:, 2], sim[:, keep].std(0)), got[:, 2]
EOF
grep -q "'sim.txt' using 1:2:3 with yerrorbars.*title 'simulation'" "$tmp/scs/plot.gp"
tap_result $? "the script draws the simulation as points with error bars"
dk-dmft scs --tau-max 2 -o "$tmp/scs1.npy"
grab scs1 "$tmp/scs1.npy"
is "$?" 0 "scs without a simulation"
! grep -q sim.txt "$tmp/scs1/plot.gp"
tap_result $? "... draws the theory alone"

# ---- multiregion --gain: S(t) per pair, Delta(t, t) per region ----
dk-dmft multiregion --a 2,1.5,1 --b 0.5,0.5,0.5 --gain 1,1.5,0.5 --t-max 3 \
	--dt 0.1 -o "$tmp/mr.npy"
grab mr "$tmp/mr.npy"
is "$?" 0 "dk-plot dmft on multiregion --gain, three regions"
pycheck "st.txt is t = j dt and S_t's 9 pairs; delta.txt delta_t's 3 regions" <<EOF
R = load("$tmp/mr.npy")
S, D = R["dmft/S_t"], R["dmft/delta_t"]
dt = meta("$tmp/mr.npy")["dmft/S_t"]["attrs"]["dmft"]["dt"]
t = np.arange(len(S)) * dt  # j dt, one rounding as in the tool
st, de = txt("mr", "st.txt"), txt("mr", "delta.txt")
assert st.shape == (len(S), 10) and de.shape == (len(S), 4)
assert (st[:, 0] == t).all() and (de[:, 0] == t).all()
assert (st[:, 1:] == S.reshape(len(S), 9)).all()
assert (de[:, 1:] == D).all()
EOF
is "$(grep -o "title 'S [0-9][0-9]'" "$tmp/mr/plot.gp" | sort -u | wc -l)" 9 \
	"nine current lines, each keyed by its pair"
is "$(grep -o "title 'region [0-9]'" "$tmp/mr/plot.gp" | wc -l)" 3 \
	"three Delta(t, t) lines, keyed by region"

# ---- sweeps ----
printf '1.5\n2\n2.5\n' | dk-cat -T -r arr_0=gain >"$tmp/g.npy"
dk-dmft scs --tau-max 1 --simulate 100 --seeds 3 --steps 100 \
	--params "$tmp/g.npy" -o "$tmp/sw.npy"
grab sw "$tmp/sw.npy"
is "$?" 0 "dk-plot dmft on a sweep of scs --simulate"
pycheck "sweep.txt is (gain, Delta0) by row; sim.txt the simulated Delta0's mean and spread" <<EOF
R = load("$tmp/sw.npy")
sw, sim = txt("sw", "sweep.txt"), txt("sw", "sim.txt")
assert (sw[:, 0] == R["sweep/gain"][:, 0]).all()
assert (sw[:, 1] == R["dmft/delta0"]).all()
assert (sim[:, 0] == R["sweep/gain"][:, 0]).all()
assert close(sim[:, 1], R["sim/delta0"].mean(1))
assert close(sim[:, 2], R["sim/delta0"].std(1))
EOF
grep -q "set xlabel 'gain'" "$tmp/sw/plot.gp"
tap_result $? "the x axis is the swept parameter"
printf '2 2\n3 2\n' | dk-cat -T -r arr_0=a >"$tmp/ab.npy"
printf '1 1\n1 1\n' | dk-cat -T -r arr_0=b >>"$tmp/ab.npy"
dk-dmft multiregion --starts 2 --params "$tmp/ab.npy" -o "$tmp/swm.npy"
grab swm "$tmp/swm.npy"
is "$?" 0 "dk-plot dmft on a sweep of multiregion (lists by row)"
pycheck "sweep.txt is (a's first value, A of every start and region) by row" <<EOF
R = load("$tmp/swm.npy")
sw = txt("swm", "sweep.txt")
assert (sw[:, 0] == R["sweep/a"][:, 0]).all()
assert (sw[:, 1:] == R["dmft/A"].reshape(2, -1)).all()
EOF

# ---- pictures by gnuplot itself ----
if command -v gnuplot >/dev/null 2>&1; then
	for k in scs mr sw; do
		dk-plot dmft --size 320x240 -o "$tmp/$k-real.png" "$tmp/$k.npy"
		is "$?:$(head -c 4 "$tmp/$k-real.png" | od -An -c | tr -d ' ')" \
			"0:211PNG" "gnuplot draws $k as a PNG"
	done
fi

# ---- what is not dk-dmft's ----
dk-dmft map --gain 2 -o "$tmp/map.npy"
fails_with 1 "map's records alone (nothing drawn for them): exit 1" \
	dk-plot dmft -o "$tmp/x.png" "$tmp/map.npy"
grep -q "no dk-dmft records to draw" "$tmp/.err"
tap_result $? "... with a message: $(cat "$tmp/.err")"
dk-gen flipflop --batch 2 --length 5 >"$tmp/gen.npy"
fails_with 1 "a stream without dmft records: exit 1" \
	dk-plot dmft -o "$tmp/x.png" "$tmp/gen.npy"
[ ! -e "$tmp/x.png" ]
tap_result $? "no picture written"

done_testing
