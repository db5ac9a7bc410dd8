#!/bin/sh
# run.sh -- build one of the libFuzzer targets and run it (`make fuzz`
# runs them all).
#
#	FUZZ_TARGET=stream (default): tests/fuzz/fuzz_stream.c, the stream
#	    and text readers and the zip and safetensors readers behind
#	    dk-import; seeds tests/fuzz/seeds/, past finds
#	    tests/fuzz/crashes/
#	FUZZ_TARGET=model: tests/fuzz/fuzz_model.c, a model loaded from a
#	    stream and put through every call of the model interface; seeds
#	    tests/fuzz/seeds-model/ (make_model_seeds.sh), past finds
#	    tests/fuzz/crashes-model/
#	FUZZ_TARGET=checkpoint: tests/fuzz/fuzz_checkpoint.c, a training run
#	    resumed from a checkpoint (options, model, trainer state) and
#	    stepped; seeds tests/fuzz/seeds-checkpoint/
#	    (make_checkpoint_seeds.sh), past finds tests/fuzz/crashes-checkpoint/
#
# Builds tests/fuzz/fuzz_TARGET with clang (libFuzzer, ASan, UBSan), the
# library's sources compiled straight in, copies the seeds into the
# working corpus tests/fuzz/corpus-TARGET/ (kept between runs; set
# FUZZ_FRESH=1 to start again from the seeds), and fuzzes for
# ${FUZZ_SECONDS:-600} seconds, after replaying the reproducers of earlier
# finds.  Exits nonzero on any crash, leak, sanitizer report, timeout or
# out-of-memory; the reproducer is written to tests/fuzz/artifacts.tmp.d/
# and the log to tests/fuzz/fuzz-TARGET.log.
#
# Environment: FUZZ_TARGET, CLANG (default clang), FUZZ_SECONDS,
# FUZZ_FRESH, FUZZ_ARGS (extra libFuzzer options), FUZZ_CFLAGS (extra
# compiler options), top_builddir (the configured tree holding config.h;
# default: the current directory if it has one, else the source tree).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
if [ -n "${top_builddir:-}" ]; then
	builddir=$(cd "$top_builddir" && pwd)
elif [ -f ./config.h ]; then
	builddir=$(pwd)
else
	builddir=$srcdir
fi
if [ ! -f "$builddir/config.h" ]; then
	echo "run.sh: no config.h in $builddir: run ./configure first" >&2
	exit 2
fi

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "run.sh: $CLANG not found (libFuzzer needs clang)" >&2
	exit 2
fi

seconds=${FUZZ_SECONDS:-600}
name=${FUZZ_TARGET:-stream}
blas_libs=$(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
case $name in
stream)
	# the parts of the library the readers stand on: lib/base and
	# lib/stream (the layers below models and training, which never
	# include upward)
	srcs=$(ls "$srcdir"/lib/base/*.c "$srcdir"/lib/stream/*.c)
	libs="-ljansson -lgsl -lz -lm -lpthread"
	seeds=$here/seeds crashes=$here/crashes max_len=4096 ;;
model)
	# and the models above them, with the one linalg routine they use
	srcs=$(ls "$srcdir"/lib/base/*.c "$srcdir"/lib/stream/*.c \
		"$srcdir"/lib/models/*.c "$srcdir"/lib/linalg/orthogonal.c)
	libs="-ljansson -lgsl -lz -llapacke $blas_libs -lm -lpthread"
	seeds=$here/seeds-model crashes=$here/crashes-model max_len=16384 ;;
checkpoint)
	# and training above the models
	srcs=$(ls "$srcdir"/lib/base/*.c "$srcdir"/lib/stream/*.c \
		"$srcdir"/lib/models/*.c "$srcdir"/lib/linalg/orthogonal.c \
		"$srcdir"/lib/train/*.c)
	libs="-ljansson -lgsl -lz -llapacke $blas_libs -lm -lpthread"
	seeds=$here/seeds-checkpoint crashes=$here/crashes-checkpoint max_len=65536 ;;
*)
	echo "run.sh: FUZZ_TARGET is stream, model or checkpoint, not '$name'" >&2
	exit 2 ;;
esac
outdir=$builddir/tests/fuzz
target=$outdir/fuzz_$name
corpus=$outdir/corpus-$name
artifacts=$outdir/artifacts.tmp.d   # gitignored (*.tmp.*)
log=$outdir/fuzz-$name.log
mkdir -p "$outdir" "$corpus" "$artifacts"

extra_cflags=
if command -v pkg-config >/dev/null 2>&1; then
	extra_cflags=$(pkg-config --cflags jansson gsl 2>/dev/null || true)
fi

echo "run.sh: building $target"
# shellcheck disable=SC2086
"$CLANG" -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Wno-unused-parameter \
	-I"$builddir" -I"$srcdir/lib" $extra_cflags \
	${FUZZ_CFLAGS:-} -o "$target" "$here/fuzz_$name.c" $srcs $libs

if [ "${FUZZ_FRESH:-0}" = 1 ]; then
	rm -f "$corpus"/*
fi
cp "$seeds"/* "$corpus"/

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
# The inputs that found bugs before must pass.
if ls "$crashes"/* >/dev/null 2>&1; then
	echo "run.sh: replaying $crashes/"
	"$target" -timeout=30 -rss_limit_mb=2048 -runs=1 "$crashes"/* \
		>"$log" 2>&1 || status=$?
	if [ "$status" -ne 0 ]; then
		tail -n 25 "$log"
		echo "run.sh: FAILED (exit $status) on a reproducer in $crashes/" >&2
		exit "$status"
	fi
fi

echo "run.sh: fuzzing for $seconds s (log: $log)"
# shellcheck disable=SC2086
"$target" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 \
	-timeout=30 -print_final_stats=1 -artifact_prefix="$artifacts/" \
	${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1 || status=$?

tail -n 25 "$log"
if [ "$status" -ne 0 ] ||
   grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$log"; then
	echo "run.sh: FAILED (exit $status); reproducers in $artifacts/:" >&2
	ls -l "$artifacts" >&2 || true
	[ "$status" -ne 0 ] || status=1
	exit "$status"
fi
echo "run.sh: no crash, leak or sanitizer report in $seconds s"
