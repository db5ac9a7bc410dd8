# lib.sh -- helpers shared by the reproduction scripts of tests/repro/.
#
# The scripts rerun, at a size this machine can afford, experiments of
# Keller, Muller, Sejnowski and Welling, "Traveling waves encode the recent
# past and enhance sequence learning" (ICLR 2024), and of Keller, "Flow
# equivariant recurrent neural networks" (NeurIPS 2025, flow.sh), with the
# tools of the build tree alone (dk-init, dk-gen, dk-train, dk-run,
# dk-cat, dk-wave) and awk.
# Each script prints Markdown table rows, one per model: task, model, size,
# steps, what the paper reports, what was measured, and the commands that
# measured it.  Every random draw is seeded, so a rerun prints the same
# losses and step counts; only wall times vary, and they are not printed.
#
# Environment: top_builddir (default: the source tree, for in-tree builds),
# REPRO_KEEP (a directory in which to keep the models and results, in a
# subdirectory named after the script, instead of a temporary directory
# removed at exit).

repro_here=$(cd "$(dirname "$0")" && pwd)
repro_srcdir=$(cd "$repro_here/../.." && pwd)
repro_builddir=${top_builddir:-$repro_srcdir}
repro_builddir=$(cd "$repro_builddir" && pwd)
PATH=$repro_builddir/tools:$PATH
export PATH

for repro_tool in dk-init dk-gen dk-train dk-run dk-cat dk-info dk-wave; do
	if [ ! -x "$repro_builddir/tools/$repro_tool" ]; then
		echo "$(basename "$0"): no $repro_builddir/tools/$repro_tool: run 'make' first" >&2
		exit 2
	fi
done

# The working directory: models, trained models and test batches go here.
if [ -n "${REPRO_KEEP:-}" ]; then
	mkdir -p "$REPRO_KEEP/$(basename "$0" .sh)"
	work=$(cd "$REPRO_KEEP/$(basename "$0" .sh)" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/dk-repro.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

# losses FILE: the train/loss tensor of a dk-train output, one value a line.
losses() {
	dk-cat --select train/loss --bare --text "$1" | sed 1d
}

# first_below FILE THRESHOLD WINDOW: the first step s (counted from 0, so
# that s updates had been made) at which the mean of the WINDOW batch
# losses of steps s-WINDOW+1..s is below THRESHOLD; empty when none is.
# WINDOW 1 is the batch loss itself.
first_below() {
	losses "$1" | awk -v th="$2" -v w="$3" '
		{ i = NR - 1; l[i] = $1; s += $1; if (i >= w) s -= l[i - w] }
		i >= w - 1 && s / w < th { print i; exit }'
}

# mean_last FILE WINDOW: the mean of the last WINDOW batch losses.
mean_last() {
	losses "$1" | awk -v w="$2" '
		{ l[NR] = $1 }
		END { n = NR < w ? NR : w; for (i = NR - n + 1; i <= NR; i++) s += l[i]
		      printf "%.3g\n", s / n }'
}

# loss_count FILE: the number of steps the run took.
loss_count() {
	losses "$1" | wc -l | tr -d ' '
}

# run CMD...: run a command (a pipeline goes in as one sh -c string),
# recording it for the table's command column.
cmds=
run() {
	cmds="${cmds:+$cmds; }$*"
	sh -c "$*"
}

# row TASK MODEL SIZE STEPS PAPER MEASURED: a table row, with the commands
# recorded by run since the last row; the working directory's path is left
# out of them.
row() {
	local c
	c=$(printf '%s' "$cmds" | sed "s|$work/||g; s/|/\\\\|/g")
	printf '| %s | %s | %s | %s | %s | %s | `%s` |\n' "$1" "$2" "$3" "$4" "$5" "$6" "$c"
	cmds=
}

# blas_settings: the OpenBLAS settings found in the environment.
blas_settings() {
	printf 'OPENBLAS_CORETYPE=%s OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s (nproc %s)\n' \
		"${OPENBLAS_CORETYPE:-unset}" "${OPENBLAS_NUM_THREADS:-unset}" \
		"${OMP_NUM_THREADS:-unset}" "$(nproc)"
}

# params FILE: the number of parameter elements of a model.
params() {
	dk-info -j "$1" | grep -o '"shape":\[[^]]*\]' | sed 's/.*\[//; s/\]//' |
		awk -F, '{ p = 1; for (i = 1; i <= NF; i++) p *= $i; s += p } END { print s }'
}

# median_of FILE RECORD: the median of a record's finite values, and
# the count of NaN ones when there are some.
median_of() {
	dk-cat --select "$2" --bare --text "$1" | sed 1d | tr '\t' '\n' |
		awk '$1 == "nan" || $1 == "-nan" { bad++; next } { v[n++] = $1 + 0 }
		END {
			for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
			m = n == 0 ? "nan" : (n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2)
			printf (n ? "%.3g" : "%s"), m
			if (bad) printf " (%d NaN)", bad
		}'
}
