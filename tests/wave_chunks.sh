#!/bin/sh
# wave_chunks.sh -- dk-wave --method phase --window-steps: the phase
# method over chunks overlapping by half.  The chunked estimator written
# again from its definition (dk-wave(1)) with NumPy, with exact
# quantiles and with the histograms; the known speed, wavelength and
# frequency of a clean wave and of one at SNR 2, and the whole
# recording's estimates; the same bytes read whole and a window at a
# time; and a recording larger than the memory cap, analysed from a
# pipe under it.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"
py_start

cat >"$tmp/common.py" <<EOF
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import load, meta
EOF

# tests/wave.sh's waves, longer: speed -0.8 units per step, wavelength
# 9.3 units on a ring of 40, 6007 steps (the last chunk of 500 starts
# 7 steps after the half-chunk grid would put it), clean and with noise
# of standard deviation 0.5 (SNR 2: power 1/2 against 1/4).
pycheck "NumPy writes a clean wave and one at SNR 2, 6007 steps" <<EOF
rng = np.random.default_rng(5)
t, i = np.arange(6007)[:, None], np.arange(40)[None, :]
x = np.cos(2 * np.pi * (-i / 9.3 - 0.8 / 9.3 * t))
np.save("$tmp/clean.npy", x)
np.save("$tmp/noisy.npy", x + rng.normal(0, 0.5, x.shape))
np.save("$tmp/noisy4.npy", (x + rng.normal(0, 0.5, x.shape)).astype(np.float32))
EOF

# The chunked estimator from its definition, every frequency kept
# (--band 0): chunks of L steps at 0, L/2, ... and the last L steps;
# each centred and transformed on its own, its margin from its own
# peak; the cells of its middle half kept (from its margin in the first,
# to its margin before the end in the last).  Two computations of the
# same numbers by different FFTs differ by rounding (about 1e-13 of the
# values), and a weighted median moves continuously with its samples:
# 1e-8 relative for the exact quantiles.  The histograms' medians may
# differ from the exact ones by the width of the bins holding the
# samples around them, 1/256 of a value's octave, at most 2^-8 of it;
# a spread (q75 - q25) by that of each quartile.  The negative frequency
# is a count: rounding may tip a step whose rotation is 0 to either
# side, so 2 steps in the count.
cat >"$tmp/chunked.py" <<'EOF'
def chunked(a, L):
    T, n = a.shape
    keep, om_all, ka_all, w_all = 0, [], [], []
    neg = steps = 0
    t0 = 0
    while True:
        c = a[t0:t0 + L] - a[t0:t0 + L].mean(0)
        X = np.fft.fft(c, axis=0)
        P = (np.abs(X - X.mean(1, keepdims=True)) ** 2).sum(1)
        fp = (np.argmax(P[1:(L + 1) // 2]) + 1) / L
        m = min(int(np.ceil(1 / fp)), (L - 1) // 4)
        h = np.zeros(L)
        h[0] = 1
        h[1:(L + 1) // 2] = 2
        if L % 2 == 0:
            h[L // 2] = 1
        z = np.fft.ifft(X * h[:, None], axis=0)
        last = t0 + L >= T
        lo = m if t0 == 0 else keep - t0
        hi = L - 1 - m if last else L // 4 + L // 2
        keep = t0 + hi
        zj = np.roll(z, -1, axis=1)
        om = np.angle(z[1:] * z[:-1].conj() + zj[1:] * zj[:-1].conj()) / (2 * np.pi)
        ka = np.angle(zj[:-1] * z[:-1].conj() + zj[1:] * z[1:].conj()) / (2 * np.pi)
        w = (abs(z[:-1]) + abs(z[1:]) + abs(zj[:-1]) + abs(zj[1:])) / 4
        om_all.append(om[lo:hi]), ka_all.append(ka[lo:hi]), w_all.append(w[lo:hi])
        neg += (np.angle(z[lo + 1:hi + 1] * z[lo:hi].conj()) < 0).sum()
        steps += n * (hi - lo)
        if last:
            break
        t0 = t0 + L // 2 if t0 + L // 2 + L <= T else T - L
    om, ka, w = (np.concatenate(v).ravel() for v in (om_all, ka_all, w_all))
    return om, ka, w, neg / steps

def wq(v, w, q):
    keep = ~np.isnan(v) & (w > 0)
    v, ww = v[keep], w[keep]
    o = np.argsort(v, kind="stable")
    v, ww = v[o], ww[o]
    c = (np.cumsum(ww) - ww / 2) / ww.sum()
    return np.interp(q, c, v)

def check(path, data, L, rel, spread_rel):
    a = np.load(data).astype(float)
    om, ka, w, negative = chunked(a, L)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = -om / ka
    d = (w * np.where(np.abs(np.sin(2 * np.pi * ka)) > 1e-9, np.sign(-om * ka), 0)).sum() / w.sum()
    R = load(path)
    def near(name, want, tol):
        got = R[name][0, 0]
        assert abs(got - want) <= tol, (name, got, want, tol)
    for name, x in (("speed", v), ("frequency", om), ("wavelength", 1 / np.abs(ka))):
        q25, q50, q75 = (wq(x, w, q) for q in (0.25, 0.5, 0.75))
        near("wave/" + name, q50, rel * abs(q50))
        near("wave/" + name + "_spread", q75 - q25,
             spread_rel * (abs(q25) + abs(q75)) + 1e-8 * abs(q75 - q25))
    near("wave/directionality", d, 1e-8 * abs(d))
    near("wave/negative_frequency", negative, 2 / len(om))  # n cells a step, n units
EOF
ok "dk-wave --method phase --band 0 --window-steps 500 (exact quantiles)" \
	dk-wave --method phase --band 0 --window-steps 500 -o "$tmp/ref_exact.npy" "$tmp/noisy.npy"
ok "... and with --exact-cells 0 (histograms)" \
	dk-wave --method phase --band 0 --window-steps 500 --exact-cells 0 \
	-o "$tmp/ref_hist.npy" "$tmp/noisy.npy"
pycheck "exact: the chunked estimator from its definition in NumPy, within 1e-8" <<EOF
exec(open("$tmp/chunked.py").read())
check("$tmp/ref_exact.npy", "$tmp/noisy.npy", 500, 1e-8, 1e-8)
a = meta("$tmp/ref_exact.npy")["wave/speed"]["attrs"]["wave"]
assert a["window_steps"] == 500 and a["quantiles"] == "exact" and a["quantile_error"] == 0, a
EOF
pycheck "histograms: the same within 2^-8 of the values (a bin), the sums within 1e-8" <<EOF
exec(open("$tmp/chunked.py").read())
check("$tmp/ref_hist.npy", "$tmp/noisy.npy", 500, 2 ** -8, 2 ** -8)
a = meta("$tmp/ref_hist.npy")["wave/speed"]["attrs"]["wave"]
assert a["quantiles"] == "histogram" and a["quantile_error"] == 2 ** -8, a
EOF

# The known values, with the default band, against the whole recording.
# 2% (clean) and 5% (SNR 2) are the accuracy asked of the method.  The
# chunks differ from the whole run by their own peak and band (a bin of
# 1/500 cycle per step, not 1/6007) and by their ends: the kept cells
# are a quarter chunk, 125 steps or 11 periods, from a chunk's end,
# where the jump across the chunk's wrap has died away; the medians
# agree within 0.5%, the directionality within 0.01.
for q in exact hist; do
	cells=
	[ $q = hist ] && cells="--exact-cells 0"
	for f in clean noisy; do
		dk-wave --method phase --window-steps 500 $cells -o "$tmp/${f}_$q.npy" "$tmp/$f.npy"
	done
done
dk-wave --method phase -o "$tmp/clean_whole.npy" "$tmp/clean.npy"
dk-wave --method phase -o "$tmp/noisy_whole.npy" "$tmp/noisy.npy"
for q in exact hist; do
	pycheck "$q: speed -0.8, wavelength 9.3, frequency within 2% clean, 5% at SNR 2; within 0.5% of the whole run's" <<EOF
for f, tol in (("clean", 0.02), ("noisy", 0.05)):
    R, W = load("$tmp/%s_$q.npy" % f), load("$tmp/%s_whole.npy" % f)
    for name, want in (("speed", -0.8), ("wavelength", 9.3), ("frequency", 0.8 / 9.3)):
        got, whole = R["wave/" + name][0, 0], W["wave/" + name][0, 0]
        assert abs(got / want - 1) < tol, (f, name, got, want)
        assert abs(got / whole - 1) < 0.005, (f, name, got, whole)
    d, dw = R["wave/directionality"][0, 0], W["wave/directionality"][0, 0]
    assert d < -0.9 and abs(d - dw) < 0.01, (f, d, dw)
EOF
done

# One chunk of all the steps is the whole run (the same cells and
# quantiles, by two paths: 1e-12).
ok "one chunk of all 6007 steps" dk-wave --method phase --window-steps 6007 -o "$tmp/one.npy" "$tmp/noisy.npy"
pycheck "... gives the whole run's results within 1e-12" <<EOF
R, W = load("$tmp/one.npy"), load("$tmp/noisy_whole.npy")
for k in W:
    assert np.allclose(R[k], W[k], rtol=1e-12, atol=0), (k, R[k], W[k])
EOF

# In memory and a window at a time: the same code, the same bytes.
dk-gen flipflop --batch 3 --length 300 --seed 1 >"$tmp/ff.npy"
dk-init wrnn --channels 2 --units 32 --inputs 3 --outputs 3 >"$tmp/w.npy"
dk-run "$tmp/w.npy" "$tmp/ff.npy" | dk-cat "$tmp/w.npy" - >"$tmp/wrun.npy"
same() { # description file dk-wave options...
	desc=$1 f=$2
	shift 2
	dk-wave --method phase "$@" - <"$f" >"$tmp/whole.npy" 2>"$tmp/.err" &&
		cat "$f" | dk-wave --stream --method phase "$@" >"$tmp/stream.npy" 2>>"$tmp/.err" &&
		cmp -s "$tmp/whole.npy" "$tmp/stream.npy"
	tap_result $? "$desc"
	sed 's/^/#   /' "$tmp/.err" | head -3
}
same "chunks of 500, exact: a pipe read a window at a time gives the whole read's bytes" \
	"$tmp/noisy.npy" --window-steps 500
same "histograms" "$tmp/noisy.npy" --window-steps 500 --exact-cells 0
same "chunks of 777 on an open ring, --band 0, generalized" "$tmp/noisy.npy" \
	--window-steps 777 --open --band 0 --generalized
same "f4 states, converted as they are read" "$tmp/noisy4.npy" --window-steps 256
same "dk-run's states after the model's records: 3 sequences, 2 rings" \
	"$tmp/wrun.npy" --window-steps 64
same "... histograms" "$tmp/wrun.npy" --window-steps 64 --exact-cells 0
same "one chunk of all the steps" "$tmp/wrun.npy" --window-steps 300
fails_with 2 "--exact-cells with the spectral method" dk-wave --window-steps 500 --exact-cells 0 "$tmp/clean.npy"
fails_with 2 "--exact-cells without windows" dk-wave --method phase --exact-cells 0 "$tmp/clean.npy"

# A recording larger than the memory cap, from a pipe, as
# wave_stream.sh's: 2^20 steps of 2 rings of 40 units (640 MiB of f8)
# under a cap of limit_memory's less 700000 KiB; chunks of 128 steps
# and histograms (the cells far exceed the exact bound).
if [ "${DK_SANITIZERS:-no}" != yes ]; then
	export OPENBLAS_NUM_THREADS=1
	cap=$(($(memory_cap) - 700000))
	[ $((1048576 * 80 * 8 / 1024)) -gt "$cap" ]; tap_result $? "the states, 655360 KiB, exceed the cap of $cap KiB"
	cat >"$tmp/gen.py" <<EOF
import sys
import numpy as np
out = sys.stdout.buffer
rng = np.random.default_rng(1)
t, i = np.arange(4096)[:, None], np.arange(80)[None, :] % 40
chunk = np.cos(2 * np.pi * (i / 8 - 0.25 / 8 * t)) + rng.normal(0, 0.3, (4096, 80))
try:
    np.lib.format.write_array_header_1_0(out, {"descr": "<f8", "fortran_order": False, "shape": (4096 * 256, 80)})
    data = chunk.tobytes()
    for k in range(256):
        out.write(data)
    out.flush()
except BrokenPipeError:
    pass
EOF
	big() { # dk-wave options...
		( ulimit -v "$cap"
		  "$PY" "$tmp/gen.py" 2>/dev/null | dk-wave --rings 2 --method phase --window-steps 128 "$@" )
	}
	fails_with 1 "the whole read is refused under the cap" big
	grep -q "out of memory\|Cannot allocate" "$tmp/.err"; tap_result $? "... for want of memory"
	big --stream -o "$tmp/big.npy" 2>"$tmp/.err"
	tap_result $? "read a window at a time, the phase method runs under the cap"
	pycheck "... speed 0.25, wavelength 8 and frequency 1/32 on both rings within 2%, by histograms" <<EOF
d = load("$tmp/big.npy")
assert abs(d["wave/speed"] / 0.25 - 1).max() < 0.02, d["wave/speed"]
assert abs(d["wave/wavelength"] / 8 - 1).max() < 0.02, d["wave/wavelength"]
assert abs(d["wave/frequency"] * 32 - 1).max() < 0.02, d["wave/frequency"]
assert meta("$tmp/big.npy")["wave/speed"]["attrs"]["wave"]["quantiles"] == "histogram"
EOF
fi

done_testing
