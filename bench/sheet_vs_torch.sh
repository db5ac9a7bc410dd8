#!/bin/bash
# sheet_vs_torch.sh -- a training step of the oscillator sheet (nwm) and
# of the local-CNN baseline (cnn) in dynkit against PyTorch.
#
# The benchmark of issue 15, at the segmentation size: dk-gen shapes on
# a 32 x 32 sheet, B images a batch, 6 classes per pixel; the nwm of the
# paper's widths (C = 11 channels, encoders 11 wide) with the linear
# readout over T steps (the paper runs 100; default 20 here, BENCH_STEPS),
# and the cnn of 8 layers of 28 channels (as many parameters as the nwm
# at T = 100).  A training iteration is the forward pass, the per-pixel
# cross-entropy, the backward pass and an Adam step (lr 1e-3).
#
#  - dynkit from outside, as users run it: the CPU time (user + system
#    of the child) and the wall time of `dk-train --task shapes --steps
#    K` for K1 and K2 steps; per iteration (t(K2) - t(K1)) / (K2 - K1),
#    which removes start-up and the model's reading and writing.
#    dk-train draws a fresh batch each step: that counts against dynkit.
#  - PyTorch (bench/sheet_torch.py: the same models written with Conv2d,
#    Linear and autograd) on one batch drawn before the clock starts, in
#    float64 and float32, one thread; the median of its iterations.
# dynkit computes in float64 only: the ratio is torch float64 over
# dynkit; the float32 figure is printed beside it.
#
# The machine is shared and loaded: the two sides run alternately,
# BENCH_RUNS rounds of (dynkit, then torch float64 and float32), and the
# table gives the median over the rounds of each figure.  CPU time is the
# steadier figure under load (the wall time includes waiting for a core).
# Both sides run under the same settings, printed: OPENBLAS_NUM_THREADS
# and OMP_NUM_THREADS default to 1 here, and OpenBLAS's core is the one
# each process reports.  The tools are run from $top_builddir/tools/.libs
# with LD_LIBRARY_PATH at lib/.libs (not the libtool wrappers) when the
# build has them, else from PATH (an installed dynkit).
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3, Debian's, with python3-torch), BENCH_RUNS (3),
# BENCH_BATCH (16), BENCH_STEPS (T of the nwm, 20), BENCH_MODELS ("nwm
# cnn"), BENCH_QUICK=1 (fewer steps: a check that it runs),
# BENCH_BASELINE (the build directory of another dynkit, e.g. a worktree
# of an earlier commit: its dk-train is timed too, in the same rounds,
# right after this one's, and the table gives it and its time over
# this build's, so that a change is measured side by side under the
# same load).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
PYTHON3=${PYTHON3:-/usr/bin/python3}
runs=${BENCH_RUNS:-3}
B=${BENCH_BATCH:-16}
T=${BENCH_STEPS:-20}
models=${BENCH_MODELS:-nwm cnn}
quick=${BENCH_QUICK:-0}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

if [ -x "$builddir/tools/.libs/dk-train" ]; then
	tools=$builddir/tools/.libs
	export LD_LIBRARY_PATH=$builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
	tools=$(dirname "$(command -v dk-train || echo /nonexistent/dk-train)")
fi
for t in dk-init dk-train dk-gen; do
	if [ ! -x "$tools/$t" ]; then
		echo "sheet_vs_torch.sh: no $t: run 'make' or install dynkit first" >&2
		exit 2
	fi
done
baseline=${BENCH_BASELINE:-}
if [ -n "$baseline" ] && [ ! -x "$baseline/tools/.libs/dk-train" ]; then
	echo "sheet_vs_torch.sh: BENCH_BASELINE: no $baseline/tools/.libs/dk-train" >&2
	exit 2
fi
if ! "$PYTHON3" -c 'import torch' 2>/dev/null; then
	echo "sheet_vs_torch.sh: $PYTHON3 has no torch: apt-get install python3-torch" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-sheet-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== settings"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS OMP_NUM_THREADS=$OMP_NUM_THREADS"
echo "dynkit: $tools, commit $(git -C "$srcdir" describe --always --dirty 2>/dev/null || echo unknown)," \
     "float64 only"
[ -z "$baseline" ] || echo "baseline: $baseline/tools/.libs, commit" \
	"$(git -C "$baseline" describe --always --dirty 2>/dev/null || echo unknown)"
echo "dynkit links: $(ldd "$tools/dk-train" | grep -o 'libopenblas[^ ]*\|libblas[^ ]*' | head -n 1 || true)" \
     "(core: $("$PYTHON3" -c 'import ctypes; l = ctypes.CDLL("libopenblas.so.0"); l.openblas_get_corename.restype = ctypes.c_char_p; print(l.openblas_get_corename().decode())' 2>/dev/null || echo unknown))"
"$PYTHON3" "$here/sheet_torch.py" config | sed 's/^/torch: /'

init_args() {
	case $1 in
	nwm) echo "nwm --channels 11 --hidden 11 --steps $T --readout linear" ;;
	cnn) echo "cnn --layers 8 --channels 28" ;;
	esac
	echo "--sheet 32,32 --inputs 1 --classes 6 --seed 1"
}
torch_args() {
	case $1 in
	nwm) echo "--model nwm --channels 11 --hidden 11 --steps $T" ;;
	cnn) echo "--model cnn --channels 28 --layers 8" ;;
	esac
}
"$tools/dk-gen" shapes --sheet 32,32 --batch "$B" --seed 3 -o "$tmp/data.npy"
for m in $models; do
	# shellcheck disable=SC2046  # init_args prints words
	"$tools/dk-init" $(init_args "$m") -o "$tmp/$m.npy"
done

K1=2 K2=8 titers=5
if [ "$quick" = 1 ]; then
	K1=1 K2=2 titers=1
fi
declare -A vals
note() { vals[$1]="${vals[$1]:-} $2"; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
	printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "== timing: $runs rounds, each dynkit (dk-train --steps $K1 and $K2) then torch" \
     "(float64, float32; median of $titers iterations after 1 untimed)"
for ((round = 1; round <= runs; round++)); do
	for m in $models; do
		train=("$tools/dk-train" "$tmp/$m.npy" --task shapes --batch "$B" --lr 1e-3
		       --seed "$round" -o /dev/null)
		read -r w1 c1 <<<"$(timed "${train[@]}" --steps "$K1")"
		read -r w2 c2 <<<"$(timed "${train[@]}" --steps "$K2")"
		dw=$(awk -v a="$w1" -v b="$w2" -v k=$((K2 - K1)) 'BEGIN { printf "%.1f", (b - a) / k / 1e6 }')
		dc=$(awk -v a="$c1" -v b="$c2" -v k=$((K2 - K1)) 'BEGIN { printf "%.1f", (b - a) / k / 1e6 }')
		echo "round $round $m: dynkit $dw ms wall, $dc ms CPU per iteration"
		note "$m dk wall" "$dw"
		note "$m dk cpu" "$dc"
		if [ -n "$baseline" ]; then
			base=(env "LD_LIBRARY_PATH=$baseline/lib/.libs" "$baseline/tools/.libs/dk-train"
			      "${train[@]:1}")
			read -r w1 c1 <<<"$(timed "${base[@]}" --steps "$K1")"
			read -r w2 c2 <<<"$(timed "${base[@]}" --steps "$K2")"
			dw=$(awk -v a="$w1" -v b="$w2" -v k=$((K2 - K1)) 'BEGIN { printf "%.1f", (b - a) / k / 1e6 }')
			dc=$(awk -v a="$c1" -v b="$c2" -v k=$((K2 - K1)) 'BEGIN { printf "%.1f", (b - a) / k / 1e6 }')
			echo "round $round $m: baseline $dw ms wall, $dc ms CPU per iteration"
			note "$m base wall" "$dw"
			note "$m base cpu" "$dc"
		fi
		for d in float64 float32; do
			# shellcheck disable=SC2046  # torch_args prints words
			out=$("$PYTHON3" "$here/sheet_torch.py" train "$tmp/data.npy" $(torch_args "$m") \
			      --dtype "$d" --threads 1 --iters "$titers" --warmup 1)
			tw=$(sed -n 's/^ms_per_iter=\([0-9.]*\) .*/\1/p' <<<"$out")
			tc=$(sed -n 's/.* cpu_ms_per_iter=\([0-9.]*\) .*/\1/p' <<<"$out")
			echo "round $round $m: torch $d $tw ms wall, $tc ms CPU per iteration"
			note "$m $d wall" "$tw"
			note "$m $d cpu" "$tc"
		done
	done
done

echo
echo "== per training iteration (forward + cross-entropy + backward + Adam), 32 x 32," \
     "B=$B, nwm T=$T; medians over $runs rounds; load average now" \
     "$(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '%-5s %-5s %10s %14s %14s %12s %12s\n' model time dynkit torch-f64 torch-f32 \
	f64/dynkit f32/dynkit
for m in $models; do
	for k in cpu wall; do
		d=$(median "${vals[$m dk $k]}")
		t64=$(median "${vals[$m float64 $k]}")
		t32=$(median "${vals[$m float32 $k]}")
		printf '%-5s %-5s %10s %14s %14s %12s %12s' "$m" "$k" "$d" "$t64" "$t32" \
			"$(awk -v a="$t64" -v b="$d" 'BEGIN { printf "%.2f", a / b }')" \
			"$(awk -v a="$t32" -v b="$d" 'BEGIN { printf "%.2f", a / b }')"
		if [ -n "$baseline" ]; then
			bd=$(median "${vals[$m base $k]}")
			printf '   baseline %s, baseline/dynkit %s' "$bd" \
				"$(awk -v a="$bd" -v b="$d" 'BEGIN { printf "%.2f", a / b }')"
		fi
		echo
	done
done
echo "figures in ms per iteration; f64/dynkit: torch float64 over dynkit (equal precision;" \
     "goal at least 2); f32/dynkit beside it"
