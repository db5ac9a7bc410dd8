#!/bin/bash
# fernn_vs_torch.sh -- a FERNN training step in dynkit against PyTorch.
#
# The benchmark of issue 12.  The flow-equivariant RNN on a ring (fernn:
# C channels, N units, velocities -V..V, 1 input channel, N outputs) and
# its G-RNN twin (grnn: velocity 0 alone), trained on the flow task's
# shapes (dk-gen flow --ring N, batch B, 10 frames in and 10 out: T = 20,
# the loss on the last 10), MSE, gradient norm clipped to 1, Adam lr 1e-3.
#
# First it checks that both sides compute the same thing: one forward
# pass of the same weights (a dk-init model, its tensors loaded into the
# PyTorch model) over one batch of the task, dk-run against PyTorch in
# float64, states and outputs to 1e-10 (bench/fernn_torch.py check).
#
# Then, for each model, it times one training iteration:
#  - dynkit from outside, with the tool as users run it: the wall time
#    and the CPU time (user + system, of the child) of `dk-train --steps
#    K` for a small and a larger K; per iteration = (t(K2) - t(K1)) /
#    (K2 - K1), which removes start-up, reading and writing the model
#    and the one-time costs.  dk-train draws a fresh batch each step:
#    that counts against dynkit.
#  - PyTorch (bench/fernn_torch.py train: the paper's torch.roll of each
#    velocity slice, Conv1d with circular padding, ReLU, max over V,
#    nn.Linear readout) on one batch of the same task drawn before the
#    clock starts, in float64 and float32, with torch.set_num_threads(1)
#    and (2); the mean of the iterations of a run (fewer with 2 threads,
#    which are often seconds per iteration), wall and CPU time.
# The machine is shared, so the two sides run alternately, BENCH_RUNS
# rounds of (dynkit, then every torch setting), and the table gives the
# range (lowest - highest) over the rounds of each figure.  The ratio
# torch/dk is the fastest torch float64 figure over dynkit's slowest,
# and the slowest over the fastest, per the wall time and per the CPU
# time; the float32 figures are printed beside them (dynkit computes in
# float64 only).
#
# With BENCH_BEFORE set to the build directory of another dynkit (an
# earlier commit, say), each round times its dk-train too, right after
# this build's, on the same model and task: the table gets a column of
# it, and a line per model gives the medians over the rounds of the two
# builds' CPU times and their ratio.  Every figure's median over the
# rounds is printed below its range.  BENCH_TORCH=0 leaves PyTorch out
# (the torch columns stay empty), to compare builds in more rounds.
#
# Both sides run in this shell's environment, under the same OpenBLAS
# settings (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS, OMP_NUM_THREADS),
# printed with the core OpenBLAS reports.
#
# Environment: top_builddir (default: the source tree), PYTHON3 (default
# /usr/bin/python3, Debian's, with python3-torch), BENCH_RUNS (rounds,
# default 3), BENCH_MODELS (default "fernn grnn"), BENCH_CHANNELS (16),
# BENCH_UNITS (64), BENCH_VELOCITIES (2), BENCH_BATCH (32),
# BENCH_BEFORE (a build directory, default none), BENCH_TORCH (1; 0 to
# time dynkit alone), BENCH_QUICK=1 (few
# steps: a check that it runs, not a measurement).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$srcdir}
tools=$builddir/tools
PYTHON3=${PYTHON3:-/usr/bin/python3}
runs=${BENCH_RUNS:-3}
models=${BENCH_MODELS:-fernn grnn}
C=${BENCH_CHANNELS:-16}
N=${BENCH_UNITS:-64}
V=${BENCH_VELOCITIES:-2}
B=${BENCH_BATCH:-32}
quick=${BENCH_QUICK:-0}
before=${BENCH_BEFORE:-}
torch=${BENCH_TORCH:-1}
flow=(--ring "$N" --frames-in 10 --frames-out 10 --velocity-set -2..2 --batch "$B")

for t in dk-init dk-train dk-gen dk-run; do
	if [ ! -x "$tools/$t" ]; then
		echo "fernn_vs_torch.sh: no $tools/$t: run 'make' first" >&2
		exit 2
	fi
done
if [ -n "$before" ] && [ ! -x "$before/tools/dk-train" ]; then
	echo "fernn_vs_torch.sh: BENCH_BEFORE: no $before/tools/dk-train" >&2
	exit 2
fi
if ! "$PYTHON3" -c 'import torch' 2>/dev/null; then
	echo "fernn_vs_torch.sh: $PYTHON3 has no torch: apt-get install python3-torch" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-fernn-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== settings"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "$(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
echo "dynkit: build $builddir, commit $(git -C "$builddir" describe --always --dirty 2>/dev/null || echo unknown)"
echo "dynkit links: $(ldd "$builddir/lib/.libs/libdynkit.so" 2>/dev/null | grep -o 'libopenblas[^ ]*' | head -n 1 || true)"
if [ -n "$before" ]; then
	echo "before: build $before, commit $(git -C "$before" describe --always --dirty 2>/dev/null ||
		echo unknown)"
fi
echo "model: C=$C N=$N velocities -$V..$V (fernn) or 0 (grnn), 1 input channel, $N outputs;" \
     "task: dk-gen flow ${flow[*]} (T=20, loss on the last 10)"
"$PYTHON3" "$here/fernn_torch.py" config 2>&1

init_args() { # model -> dk-init's arguments
	if [ "$1" = fernn ]; then
		echo "fernn --velocities $V"
	else
		echo grnn
	fi
	echo "--channels $C --units $N --inputs 1 --outputs $N --seed 1"
}
vel_of() { if [ "$1" = fernn ]; then echo "$V"; else echo 0; fi; }

echo
echo "== the same computation: one forward pass, float64"
"$tools/dk-gen" flow "${flow[@]}" --seed 7 -o "$tmp/data.npy"
for m in $models; do
	# shellcheck disable=SC2046  # init_args prints words
	"$tools/dk-init" $(init_args "$m") -o "$tmp/$m.npy"
	"$tools/dk-run" -o "$tmp/$m-run.npy" "$tmp/$m.npy" "$tmp/data.npy"
	"$PYTHON3" "$here/fernn_torch.py" check "$tmp/$m.npy" "$tmp/data.npy" "$tmp/$m-run.npy"
done

K1=5 K2=45 titers=8
if [ "$quick" = 1 ]; then
	K1=2 K2=4 titers=2
fi
echo
echo "== timing: $runs rounds, each dynkit (dk-train --steps $K1 and $K2) then torch" \
     "(float64 and float32, 1 and 2 threads; $titers iterations after 2 untimed," \
     "with 2 threads $(((titers + 3) / 4)) after 1)"
declare -A lo hi all
note() { # key value: keep the range and every value
	all[$1]="${all[$1]:-} $2"
	if [ -z "${lo[$1]:-}" ] || awk -v a="$2" -v b="${lo[$1]}" 'BEGIN { exit !(a < b) }'; then
		lo[$1]=$2
	fi
	if [ -z "${hi[$1]:-}" ] || awk -v a="$2" -v b="${hi[$1]}" 'BEGIN { exit !(a > b) }'; then
		hi[$1]=$2
	fi
}
settings="float64:1 float64:2 float32:1 float32:2"
if [ "$torch" = 0 ]; then
	settings=
fi
for ((round = 1; round <= runs; round++)); do
	for m in $models; do
		train=("$tools/dk-train" "$tmp/$m.npy" --task flow "${flow[@]}" --clip 1
		       --lr 1e-3 --seed 1)
		read -r w1 c1 <<<"$(timed "${train[@]}" --steps "$K1")"
		read -r w2 c2 <<<"$(timed "${train[@]}" --steps "$K2")"
		dw=$(awk -v a="$w1" -v b="$w2" -v k=$((K2 - K1)) 'BEGIN { printf "%.3f", (b - a) / k / 1e6 }')
		dc=$(awk -v a="$c1" -v b="$c2" -v k=$((K2 - K1)) 'BEGIN { printf "%.3f", (b - a) / k / 1e6 }')
		echo "round $round $m: dynkit $dw ms wall, $dc ms CPU per iteration"
		note "$m dk wall" "$dw"
		note "$m dk cpu" "$dc"
		if [ -n "$before" ]; then
			btrain=("$before/tools/dk-train" "${train[@]:1}")
			read -r w1 c1 <<<"$(timed "${btrain[@]}" --steps "$K1")"
			read -r w2 c2 <<<"$(timed "${btrain[@]}" --steps "$K2")"
			dw=$(awk -v a="$w1" -v b="$w2" -v k=$((K2 - K1)) 'BEGIN { printf "%.3f", (b - a) / k / 1e6 }')
			dc=$(awk -v a="$c1" -v b="$c2" -v k=$((K2 - K1)) 'BEGIN { printf "%.3f", (b - a) / k / 1e6 }')
			echo "round $round $m: before $dw ms wall, $dc ms CPU per iteration"
			note "$m before wall" "$dw"
			note "$m before cpu" "$dc"
		fi
		for s in $settings; do
			# with 2 threads torch's OpenMP and OpenBLAS threads fight
			# (train_vs_torch.sh): seconds per iteration, so fewer
			it=$titers warm=2
			if [ "${s##*:}" != 1 ]; then
				it=$(((titers + 3) / 4)) warm=1
			fi
			out=$("$PYTHON3" "$here/fernn_torch.py" train "$tmp/data.npy" \
			      --velocities "$(vel_of "$m")" --channels "$C" --units "$N" \
			      --dtype "${s%%:*}" --threads "${s##*:}" --iters "$it" --runs 1 --warmup "$warm")
			tw=$(sed -n 's/^ms_per_iter=\([0-9.]*\) .*/\1/p' <<<"$out")
			tc=$(sed -n 's/.* cpu_ms_per_iter=\([0-9.]*\) .*/\1/p' <<<"$out")
			echo "round $round $m: torch $s $tw ms wall, $tc ms CPU per iteration"
			note "$m $s wall" "$tw"
			note "$m $s cpu" "$tc"
		done
	done
done

median() { # key: the median of its values
	tr ' ' '\n' <<<"${all[$1]}" | sed '/^$/d' | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.3g", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "== per training iteration (forward over T=20 + backward + clip + Adam), B=$B," \
     "ranges over $runs rounds; load average now $(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '%-6s %-5s %-15s' model time dynkit
if [ -n "$before" ]; then
	printf ' %-15s' before
fi
for s in $settings; do
	printf ' %-15s' "torch ${s%%:*} ${s##*:}T"
done
if [ -n "$settings" ]; then
	printf ' %s' "torch64/dk"
fi
echo
for m in $models; do
	for k in wall cpu; do
		line=$(printf '%-6s %-5s %-15s' "$m" "$k" "${lo[$m dk $k]}-${hi[$m dk $k]}")
		med=$(printf '%-6s %-5s %-15s' '' median "$(median "$m dk $k")")
		if [ -n "$before" ]; then
			line="$line $(printf ' %-15s' "${lo[$m before $k]}-${hi[$m before $k]}")"
			med="$med $(printf ' %-15s' "$(median "$m before $k")")"
		fi
		best='' worst=''
		for s in $settings; do
			line="$line $(printf ' %-15s' "${lo[$m $s $k]}-${hi[$m $s $k]}")"
			med="$med $(printf ' %-15s' "$(median "$m $s $k")")"
			case $s in
			float64:*)
				if [ -z "$best" ] || awk -v a="${lo[$m $s $k]}" -v b="$best" 'BEGIN { exit !(a < b) }'; then
					best=${lo[$m $s $k]}
				fi
				if [ -z "$worst" ] || awk -v a="${hi[$m $s $k]}" -v b="$worst" 'BEGIN { exit !(a < b) }'; then
					worst=${hi[$m $s $k]}
				fi ;;
			esac
		done
		# the least favourable ratio: torch's fastest float64 over
		# dynkit's slowest; the most: torch's slowest (of its faster
		# thread setting) over dynkit's fastest
		if [ -n "$best" ]; then
			line="$line $(awk -v b="$best" -v w="$worst" -v dl="${lo[$m dk $k]}" \
				-v dh="${hi[$m dk $k]}" 'BEGIN { printf "%.2f-%.2f", b / dh, w / dl }')"
		fi
		echo "$line"
		echo "$med"
	done
done
echo "figures in ms per iteration (lowest-highest over the rounds); torch64/dk: torch's" \
     "float64 time over dynkit's, from its fastest over dynkit's slowest to the slower" \
     "figure of its better thread setting over dynkit's fastest; goal: at least 3"
if [ -n "$before" ]; then
	echo
	echo "== this build against the one before, CPU time medians over $runs rounds"
	for m in $models; do
		b=$(median "$m before cpu") a=$(median "$m dk cpu")
		echo "$m: before $b ms, now $a ms per iteration: before/now $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
	done
fi
