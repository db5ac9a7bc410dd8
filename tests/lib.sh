# lib.sh -- TAP helpers for the shell tests; source it first.
#
#   . "$top_srcdir/tests/lib.sh"
#   ok "dk-cat copies" cmp a b          # run a command, pass if it exits 0
#   fails_with 1 "bad magic" dk-cat bad.npy   # pass if it exits with 1
#   is "$got" "$want" "description"
#   skip_all "reason"                   # when a prerequisite is missing
#   PY=$(numpy_python); py_start        # one python3 for the NumPy checks
#   py_ok "NumPy agrees" check.py ARG   # pass if check.py exits 0
#   pycheck "NumPy agrees" ARG <<'EOF'  # the same, Python on stdin
#   threads_agree "name" "1 2 3" OUT tool args...   # same bytes for each
#                                       # OPENBLAS_NUM_THREADS (OUT-tN.npy)
#   done_testing                        # prints the plan; exit status
#
# make check exports top_srcdir, top_builddir, PYTHON3, MANDOC and
# DK_SANITIZERS (yes in a sanitizer build), and puts
# the built tools first on PATH.  Each test gets a scratch directory $tmp.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export PATH="$top_builddir/tools:$PATH"
# In a shared build, tools/dk-* are libtool's wrapper scripts: a bash
# that runs before every tool, which the suite's 1500 tool runs would
# pay for.  Run the programs they wrap, with the library path the
# wrappers would set (a static build has no .libs and runs tools/dk-*).
if [ -x "$top_builddir/tools/.libs/dk-cat" ] && [ -d "$top_builddir/lib/.libs" ]; then
	PATH="$top_builddir/tools/.libs:$PATH"
	LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
fi
data="$top_srcdir/data"
tap_n=0
tap_failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dktest.XXXXXX")
# closing fd 8 ends the Python worker, if py_start started one
trap 'exec 8>&- 9<&-; rm -rf "$tmp"' EXIT

tap_result() { # status description
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

ok() { # description command...
	desc=$1
	shift
	"$@" >"$tmp/.out" 2>"$tmp/.err"
	st=$?
	tap_result $st "$desc"
	[ $st -eq 0 ] || { echo "#   exit $st: $*"; sed 's/^/#   /' "$tmp/.err" | head -5; }
	return 0
}

fails_with() { # status description command...
	want=$1 desc=$2
	shift 2
	"$@" >"$tmp/.out" 2>"$tmp/.err"
	st=$?
	[ $st -eq "$want" ]
	tap_result $? "$desc"
	[ $st -eq "$want" ] || echo "#   exit $st, want $want: $*"
	return 0
}

is() { # got want description
	[ "$1" = "$2" ]
	tap_result $? "$3"
	[ "$1" = "$2" ] || { echo "#   got:  $1"; echo "#   want: $2"; }
	return 0
}

# Cap the address space at about 1 GB, so that allocating what a hostile
# header names fails, plus OpenBLAS's buffer of 128 MiB for each of its
# threads (one per CPU unless OPENBLAS_NUM_THREADS says fewer), without
# which the tools over libdynkit refuse to start (linalg/blas_reserve.h).
# AddressSanitizer reserves terabytes of shadow memory and cannot start
# under such a cap (and aborts on huge allocations by itself), so
# sanitized builds run without it.
limit_memory() {
	[ "${DK_SANITIZERS:-no}" = yes ] || ulimit -v "$(memory_cap)" 2>/dev/null
}
memory_cap() { # the cap, in KiB
	blas_threads=$(nproc 2>/dev/null || echo 64)
	case ${OPENBLAS_NUM_THREADS:-} in
	[1-9]*) [ "$OPENBLAS_NUM_THREADS" -lt "$blas_threads" ] && blas_threads=$OPENBLAS_NUM_THREADS ;;
	esac
	echo $((1000000 + 131072 * (blas_threads + 1)))
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# One python3 for all of a test's Python checks (tests/pyworker.py):
# starting python3 and NumPy costs about 0.2 s of CPU, half of it
# OpenBLAS's helper thread spinning, which a test of 25 checks pays 25
# times.  py_start, once PY is set, starts it; then
#   py_ok "description" SCRIPT [ARG...]
# is ok "description" "$PY" SCRIPT ARG..., run by the worker (SCRIPT is
# read when py_ok runs, so it may be rewritten for the next check).
# Without a worker (py_start not called, or the worker gone) python3 is
# started for each.
py_start() {
	[ -f "$top_srcdir/tests/pyworker.py" ] || return 0
	mkfifo "$tmp/.pyin" "$tmp/.pyout" || return 0
	"$PY" -u "$top_srcdir/tests/pyworker.py" <"$tmp/.pyin" >"$tmp/.pyout" \
		2>"$tmp/.pyworker.err" &
	exec 8>"$tmp/.pyin" 9<"$tmp/.pyout"
	py_worker=yes
}

py_ok() { # description script [arg...]
	desc=$1
	shift
	py_run "$@"
	st=$?
	tap_result $st "$desc"
	[ $st -eq 0 ] || { echo "#   exit $st: $PY $*"; sed 's/^/#   /' "$tmp/.err" | tail -6; }
	return 0
}

# py_run SCRIPT [ARG...]: "$PY" SCRIPT ARG... by the worker, its output
# in $tmp/.out and $tmp/.err; its exit status
py_run() {
	if [ "${py_worker:-no}" = yes ]; then
		req="$1	$tmp/.out	$tmp/.err"
		shift
		for a; do
			req="$req	$a"
		done
		# in a subshell: a worker gone would kill the writer with SIGPIPE
		(printf '%s\n' "$req" >&8) 2>/dev/null
		read -r st <&9 && return "$st"
		py_worker=no # the worker is gone: this check fails, the rest go on without
		echo "# the Python worker ended:"
		sed 's/^/#   /' "$tmp/.pyworker.err" | tail -5
		return 99
	fi
	"$PY" "$@" >"$tmp/.out" 2>"$tmp/.err"
}

# pycheck "description" [ARG...] <<'EOF' ... EOF: py_ok on the Python on
# stdin, after $tmp/common.py where the test wrote one (the imports,
# records and functions its checks share), with ARG... as sys.argv[1:].
pycheck() {
	desc=$1
	shift
	if [ -f "$tmp/common.py" ]; then
		cat "$tmp/common.py" - >"$tmp/check.py"
	else
		cat >"$tmp/check.py"
	fi
	py_ok "$desc" "$tmp/check.py" "$@"
}

# torch_run "what" "description" <<'EOF' ... EOF: the Python on stdin,
# after the imports of sys, NumPy (as np) and torch, run as
# "$PY" SCRIPT "$tmp", its output in $tmp/torch.out; one check,
# "description", that it ran.  The tests against torch write all their
# cases from one such script, as importing torch takes about a second.
# Where torch cannot be imported the whole test is one TAP skip, "what
# against torch".
torch_run() {
	{
		printf '%s\n' "import sys" "try:" "    import numpy as np" \
			"    import torch" "except ImportError:" "    sys.exit(77)"
		cat
	} >"$tmp/torch_cases.py" # not torch.py, which "import torch" would find
	"$PY" "$tmp/torch_cases.py" "$tmp" >"$tmp/torch.out" 2>"$tmp/torch.err"
	st=$?
	if [ $st -eq 77 ]; then
		echo "# torch not importable by $PY: the comparison is skipped"
		tap_result 0 "$1 against torch # SKIP python3-torch missing"
		done_testing
		exit
	fi
	ok "$2" test $st -eq 0
	[ $st -eq 0 ] || sed 's/^/#   /' "$tmp/torch.err" | head -5
}

# Debian's python3 with NumPy, or empty.
numpy_python() {
	for p in "${PYTHON3:-}" /usr/bin/python3 python3; do
		[ -n "$p" ] && "$p" -c 'import numpy' 2>/dev/null && { echo "$p"; return; }
	done
}

threads_agree() { # name "counts" out command...: the command, -o out-tN.npy
	# added, under OPENBLAS_NUM_THREADS=N (for the child only) for each N
	# of counts exits 0, and every output is the bytes of the first
	ta_name=$1 ta_counts=$2 ta_out=$3
	shift 3
	ta_first=
	for ta_t in $ta_counts; do
		ok "$ta_name: OPENBLAS_NUM_THREADS=$ta_t exits 0" \
			env OPENBLAS_NUM_THREADS=$ta_t "$@" -o "$ta_out-t$ta_t.npy"
		if [ -z "$ta_first" ]; then
			ta_first=$ta_t
		else
			ok "$ta_name: $ta_t threads give the bytes of $ta_first" \
				cmp "$ta_out-t$ta_first.npy" "$ta_out-t$ta_t.npy"
		fi
	done
}

done_testing() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
}
