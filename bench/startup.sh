#!/bin/bash
# startup.sh -- what starting each installed dk-* tool costs above
# starting /bin/true.
#
#	bash bench/startup.sh [BINDIR]
#
# BINDIR (default /tmp/dkinst/bin) holds INSTALLED tools, which find
# libdynkit through the RUNPATH libtool gives them at install:
#
#	./configure --prefix=/tmp/dkinst && make && make install
#
# Not the build tree's tools/dk-*, which are libtool wrapper scripts (tens
# of milliseconds of shell), nor tools/.libs/ with LD_LIBRARY_PATH set,
# whose extra directories the loader searches in every hardware
# subdirectory for every library.
#
# For every tool, `dk-NAME --help`; besides, two small real jobs (dk-info
# and dk-cat of a two-element .npy).  Each loop starts /bin/true --help
# STARTUP_STARTS times (default 20), then the job as many times,
# alternating thus over STARTUP_LOOPS loops (default 7), so that both
# sides see the same load.  Printed per start, in milliseconds: the job's
# cost above /bin/true's, in wall time and in CPU time (user + system of
# the child and its threads, from the shell's `times`), the minimum and
# the median over the loops; and how many shared objects the loader maps
# for it.  The goal is under 3 ms of wall time.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.'

bindir=${1:-/tmp/dkinst/bin}
starts=${STARTUP_STARTS:-20}
loops=${STARTUP_LOOPS:-7}
true_bin=/bin/true

if ! ls "$bindir"/dk-* >/dev/null 2>&1; then
	echo "startup.sh: no dk-* in $bindir: install with" \
	     "'./configure --prefix=DIR && make install' first" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dk-startup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# a two-element <f8 vector as NumPy writes it: magic, version 1.0, the
# header's length (118, little-endian), the header padded with spaces to
# a multiple of 64 bytes with the magic, then 16 zero bytes
small=$tmp/small.npy
{
	printf '\223NUMPY\001\000\166\000'
	printf '%-117s\n' "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
	printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
} >"$small"

# the children's CPU time so far, in microseconds, into the variable named
# first (`times` prints the shell's own line, then its children's:
# "XmY.YYYs XmY.YYYs"; it must run in this shell, not in a $(...) one)
children_cpu_us() {
	times >"$tmp/times"
	printf -v "$1" '%s' "$(awk 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); sub("s", "", p[2])
			t += p[1] * 60 + p[2]
		}
		printf "%.0f", t * 1e6
	}' "$tmp/times")"
}

# one block: N starts of the command, its output thrown away; appends
# "wall_us cpu_us" for the block to the file named first
block() {
	local out=$1 i=0 w0 c0 w1 c1
	shift
	children_cpu_us c0
	w0=${EPOCHREALTIME/./}
	while [ "$i" -lt "$starts" ]; do
		"$@" >/dev/null 2>&1 || true
		i=$((i + 1))
	done
	w1=${EPOCHREALTIME/./}
	children_cpu_us c1
	echo "$((w1 - w0)) $((c1 - c0))" >>"$out"
}

# how many shared objects the loader maps for a program (ldd's lines
# with an address, less the vDSO)
objects() {
	ldd "$1" 2>/dev/null | grep -c '(0x' | awk '{ print $1 - 1 }'
}

echo "startup.sh: $bindir, $starts starts a loop, $loops loops, per start" \
     "above $true_bin --help"
echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
     "$(getconf _NPROCESSORS_ONLN) online; load average:" \
     "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)}" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS-(unset)}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS-(unset)}"

jobs=()
for t in "$bindir"/dk-*; do
	jobs+=("$(basename "$t") --help")
done
jobs+=("dk-info small.npy" "dk-cat small.npy")

printf '\n%-22s %4s  %17s  %17s\n' "" "" "wall ms (goal <3)" "cpu ms"
printf '%-22s %4s  %8s %8s  %8s %8s\n' job objs min median min median
base=$tmp/base
for job in "${jobs[@]}"; do
	read -r name arg <<<"$job"
	[ "$arg" = small.npy ] && arg=$small
	: >"$tmp/true"
	: >"$tmp/tool"
	for ((l = 0; l < loops; l++)); do
		block "$tmp/true" "$true_bin" --help
		block "$tmp/tool" "$bindir/$name" "$arg"
	done
	cat "$tmp/true" >>"$base"
	# per loop: (tool - true) / starts, then the minimum and the median
	paste -d' ' "$tmp/tool" "$tmp/true" | awk -v n="$starts" '
		{ w[NR] = ($1 - $3) / n / 1000; c[NR] = ($2 - $4) / n / 1000 }
		function sort(a, k,   i, j, t) {
			for (i = 2; i <= k; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
		}
		function median(a, k) {
			return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		}
		END {
			sort(w, NR); sort(c, NR)
			printf "%8.2f %8.2f  %8.2f %8.2f\n", w[1], median(w, NR), c[1], median(c, NR)
		}' >"$tmp/row"
	label="$name $arg"
	[ "$arg" = "$small" ] && label="$name small.npy"
	printf '%-22s %4s  %s\n' "$label" "$(objects "$bindir/$name")" "$(cat "$tmp/row")"
done
awk -v n="$starts" '{ w += $1; c += $2; k++ }
	END { printf "\n%s --help itself: %.2f ms wall, %.2f ms cpu per start (mean)\n",
	      "'"$true_bin"'", w / k / n / 1000, c / k / n / 1000 }' "$base"
