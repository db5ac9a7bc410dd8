#!/bin/sh
# hardening.sh -- the inputs of a hostile user, replayed: options and
# checkpoints whose sizes overflow, checkpoints edited to hold what the
# command line refuses, models with non-finite weights, streams with a
# name twice.  Each is refused with status 1 (data) or 2 (usage) and a
# message that names what is wrong; none crashes or exits 0.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "python3 with NumPy not found"
py_start

# edit IN OUT CODE: a copy of IN edited by tests/edit_stream.py
edit() {
	py_run "$top_srcdir/tests/edit_stream.py" "$@" ||
		{ echo "# edit failed: $3"; sed 's/^/#   /' "$tmp/.err" | tail -3; }
}

# refused STATUS WORDS DESCRIPTION COMMAND...: exits STATUS, and its
# message holds WORDS
refused() {
	want=$1 words=$2 desc=$3
	shift 3
	fails_with "$want" "$desc: status $want" "$@"
	grep -qF -- "$words" "$tmp/.err"
	tap_result $? "$desc: the message says '$words'"
	grep -qF -- "$words" "$tmp/.err" || sed 's/^/#   /' "$tmp/.err" | head -3
}

train="--task flipflop --batch 2 --length 5"
dk-init rnn --units 4 --inputs 3 --outputs 3 -o "$tmp/net.npy"
dk-train $train --steps 6 --checkpoint "$tmp/ck.npy" --every 3 -o "$tmp/out.npy" "$tmp/net.npy"
cp "$tmp/ck.npy" "$tmp/good.npy"

# ---- sizes from outside that overflow ----
for k in 2^62 2^61; do
	refused 1 "steps: the losses of" "--steps $k" dk-train $train --steps $k -o "$tmp/o.npy" "$tmp/net.npy"
done
# AddressSanitizer cannot start under a cap on the address space, and
# aborts on an allocation this large by itself
if [ "${DK_SANITIZERS:-no}" != yes ]; then
	refused 1 "steps: out of memory for the losses" "--steps 2^40: more than memory" \
		sh -c "ulimit -v $(memory_cap)"' && exec "$@"' sh dk-train $train --steps 2^40 -o "$tmp/o.npy" "$tmp/net.npy"
fi
refused 1 "out of memory for backpropagation through 4194304 steps" "--batch 2^40 --length 2^22: T x B x n wraps" \
	dk-train --task flipflop --batch 2^40 --length 2^22 --steps 2 -o "$tmp/o.npy" "$tmp/net.npy"
refused 1 "the count of parameters" "--units 2^32: the parameter count wraps" \
	dk-init rnn --units 4294967296 --inputs 0 --outputs 0

# ---- a checkpoint is input ----
# bad CODE STATUS WORDS: resuming from the checkpoint edited by CODE
bad() {
	edit "$tmp/good.npy" "$tmp/bad.npy" "$1"
	rm -f "$tmp/o.npy"
	refused "$2" "$3" "checkpoint with $1" dk-train --resume "$tmp/bad.npy" -o "$tmp/o.npy"
}
bad 'options()["steps"] = 2**62' 1 "steps: the losses of"
bad 'options()["steps"] = -1' 1 "the run's steps is negative"
bad 'options()["lr"] = -0.01' 1 "the run's lr is -0.01"
bad 'options()["lr"] = "fast"' 1 "the run's lr is of another type"
bad 'options()["clip"] = -1' 1 "the run's clip is -1"
bad 'options()["momentum"] = -5' 1 "the run's momentum is -5"
bad 'options()["every"] = -1' 1 "the run's every is negative"
bad 'del options()["every"]' 1 "the run's every is missing"
bad 'options()["task"]["batch"] = "2"' 1 "the run's task is missing or malformed"
bad 'options()["task"]["prob"] = 2.0' 1 "flipflop: the pulse probability 2"
bad 'options()["test"] = {"every": 2, "batch": 2, "seed": "x"}' 1 "the run's test.seed is not a seed"
bad 'options()["test"] = {"every": 2, "batch": 0, "seed": 999}' 1 "the run's test.batch is 0"
bad 'find("train/loss")[1][1] = np.nan' 1 "train/loss[1] is nan"
bad 'find("train/loss")[1] = find("train/loss")[1][:2]' 1 "train/loss holds 2 losses; train/step says 6"
bad 'find("train/step")[1] = np.int64(7)' 1 "train/step is 7, not in 0..6"
bad 'find("train/optim")[1][0] = np.inf' 1 "train/optim[0] is inf"
bad 'rng_index(-2**31)' 1 "train/rng: the generator state's index is -2147483648"
bad 'rng_index(-5)' 1 "train/rng: the generator state's index is -5"
bad 'rng_index(625)' 1 "the generator state's index is 625"
bad 'r = find("train/rng"); r[1] = np.zeros_like(r[1])' 1 "train/rng: the generator state is all zero"
bad 'r = find("train/rng"); s = r[1].copy(); s[4] = 1; r[1] = s' 1 "word 0 has more than 32 bits"
bad 'r = find("train/rng"); r[1] = r[1][:-8]' 1 "the generator state has 4992 bytes"
ok "the checkpoint unedited resumes" dk-train --resume "$tmp/good.npy" -o "$tmp/o.npy"

# the final model does not replace the checkpoint
refused 2 "the run's checkpoint is that file" "--checkpoint X -o X" \
	dk-train $train --steps 3 --checkpoint "$tmp/x.npy" -o "$tmp/x.npy" "$tmp/net.npy"
refused 2 "the run's checkpoint is that file" "--checkpoint X -o ./X, spelled otherwise" \
	sh -c 'cd "$1" && shift && exec "$@"' sh "$tmp" dk-train $train --steps 3 --checkpoint x.npy -o ./x.npy net.npy
cp "$tmp/good.npy" "$tmp/r.npy"
refused 2 "the run's checkpoint is that file" "--resume X -o X" dk-train --resume "$tmp/r.npy" -o "$tmp/r.npy"
ok "and leaves the checkpoint as it was" cmp "$tmp/r.npy" "$tmp/good.npy"

# "the last checkpoint is kept" only when there is one: outputs of 1e308
# make the first loss infinite
edit "$tmp/net.npy" "$tmp/huge.npy" 'find("model/readout/W")[1][:] = 1e308'
rm -f "$tmp/ck2.npy"
refused 1 "the loss is inf at step 0" "a loss that goes infinite" \
	dk-train $train --steps 6 --checkpoint "$tmp/ck2.npy" --every 3 -o "$tmp/o.npy" "$tmp/huge.npy"
! grep -q "kept" "$tmp/.err"
tap_result $? "before the first checkpoint, no checkpoint is said to be kept"
edit "$tmp/good.npy" "$tmp/ck3.npy" 'find("model/readout/W")[1][:] = 1e308; options()["steps"] = 9'
refused 1 "the last checkpoint is kept in $tmp/ck3.npy" "resumed, the checkpoint resumed from is kept" \
	dk-train --resume "$tmp/ck3.npy" -o "$tmp/o.npy"

# temporary files of a checkpoint write that was killed: those with no
# writer (unlocked) are removed by the next run, a locked one is kept
cp "$tmp/good.npy" "$tmp/k.npy"
: >"$tmp/k.npy.tmp.dead01"
: >"$tmp/k.npy.tmp.dead02"
: >"$tmp/k.npy.tmp.x"
ok "a resume beside stale temporary files" \
	flock "$tmp/k.npy.tmp.alive1" dk-train --resume "$tmp/k.npy" -o "$tmp/o.npy"
grep -q "removed 2 temporary files of $tmp/k.npy" "$tmp/.err"
tap_result $? "says it removed the 2 stale ones"
[ ! -e "$tmp/k.npy.tmp.dead01" ] && [ ! -e "$tmp/k.npy.tmp.dead02" ] &&
	[ -e "$tmp/k.npy.tmp.alive1" ] && [ -e "$tmp/k.npy.tmp.x" ]
tap_result $? "and left the locked one and a name of another pattern"
# ... and those of any tool's -o
: >"$tmp/g.npy.tmp.dead01"
ok "-o beside a stale temporary file" \
	flock "$tmp/g.npy.tmp.alive1" dk-gen flipflop --batch 2 --length 5 -o "$tmp/g.npy"
grep -q "removed 1 temporary file of $tmp/g.npy" "$tmp/.err"
tap_result $? "says it removed the stale one"
[ ! -e "$tmp/g.npy.tmp.dead01" ] && [ -e "$tmp/g.npy.tmp.alive1" ] && [ -s "$tmp/g.npy" ]
tap_result $? "and left the locked one"

# ---- no silent wrong results ----
dk-gen flipflop --batch 2 --length 5 -o "$tmp/in.npy"
for v in nan inf; do
	edit "$tmp/out.npy" "$tmp/w$v.npy" "find('model/W')[1][1, 2] = np.$v"
	for tool in "dk-run" "dk-fixed" "dk-jac" "dk-lyap --steps 5 --k 1" \
	            "dk-equiv --rings 1 -T 5"; do
		# shellcheck disable=SC2086
		refused 1 "model/W: element 6 is $v" "$tool, a weight $v" $tool "$tmp/w$v.npy" "$tmp/in.npy"
	done
	refused 1 "model/W: element 6 is $v" "dk-train, a weight $v" dk-train $train --steps 2 -o "$tmp/o.npy" "$tmp/w$v.npy"
done
edit "$tmp/in.npy" "$tmp/h0.npy" 'recs.append([{"name": "h0"}, np.full((2, 4), np.nan)])'
refused 1 "h0: element 0 is nan" "dk-run, h0 NaN" dk-run "$tmp/out.npy" "$tmp/h0.npy"
edit "$tmp/in.npy" "$tmp/c16.npy" 'r = find("input"); r[1] = r[1] * 1j'
refused 1 "input: complex values" "dk-run, a complex input" dk-run "$tmp/out.npy" "$tmp/c16.npy"
edit "$tmp/in.npy" "$tmp/innan.npy" 'find("input")[1][0, 0, 0] = np.nan'
ok "dk-run, an input with a NaN" dk-run -n -o "$tmp/runnan.npy" "$tmp/out.npy" "$tmp/innan.npy"
refused 1 "entry 0 stops being finite at step 1" "dk-equiv, an input with a NaN" \
	dk-equiv --rings 1 -T 5 "$tmp/out.npy" "$tmp/innan.npy"
cat >"$tmp/loss.py" <<PYEOF
import sys; sys.path.insert(0, "$top_srcdir/tests")
import numpy as np
from npystream import by_name
r = by_name("$tmp/runnan.npy")
assert "run/loss" in r and np.isnan(r["run/loss"][1]), sorted(r)
PYEOF
py_ok "its NaN loss is written as run/loss, not taken for no loss" "$tmp/loss.py"

refused 2 "--tau: '1e-320' is too small" "dk-init ctrnn --tau 1e-320" \
	dk-init ctrnn --units 2 --inputs 1 --outputs 1 --tau 1e-320
refused 2 "dt / tau finite and normal" "dk-init ctrnn: dt / tau subnormal" \
	dk-init ctrnn --units 2 --inputs 1 --outputs 1 --tau 1e300 --dt 1e-10
dk-init ctrnn --units 2 --inputs 3 --outputs 3 -o "$tmp/ct.npy"
edit "$tmp/ct.npy" "$tmp/ctau.npy" 'model_attrs("tau", 1e-300); model_attrs("dt", 1e10)'
refused 1 "1 / tau and dt / tau finite" "a ctrnn whose dt / tau overflows, loaded" dk-run "$tmp/ctau.npy" "$tmp/in.npy"

# a name twice: refused when the copies differ, one when they are the same
edit "$tmp/out.npy" "$tmp/b2.npy" 'recs.append([{"name": "model/b"}, np.zeros(4)])'
refused 1 "records 5 and 13 are both named 'model/b'" "two different model/b" \
	dk-run "$tmp/b2.npy" "$tmp/in.npy"
refused 1 "are both named 'input'" "two different inputs" \
	sh -c 'cat "$1" "$2" | dk-run "$3"' sh "$tmp/in.npy" "$tmp/innan.npy" "$tmp/out.npy"
ok "the same stream twice is one" sh -c 'cat "$1" "$1" | dk-run -n "$2" >/dev/null' sh "$tmp/in.npy" "$tmp/out.npy"

# ---- messages: an option that would be ignored is refused ----
dk-run "$tmp/out.npy" "$tmp/in.npy" -o "$tmp/states.npy"
refused 1 "entry 99: the input has 2 batch entries" "dk-lyap --entry 99" \
	dk-lyap --steps 5 --entry 99 "$tmp/out.npy" "$tmp/in.npy"
refused 1 "point 1: the run follows an entry of input" "dk-lyap --point beside an input" \
	dk-lyap --steps 5 --point 1 "$tmp/out.npy" "$tmp/in.npy"
refused 1 "point 99: states holds 10 states" "dk-lyap --point 99" \
	dk-lyap --steps 5 --point 99 "$tmp/out.npy" "$tmp/states.npy"
refused 2 "--entry: no INPUT" "dk-lyap --entry with no input" dk-lyap --steps 5 --entry 1 "$tmp/out.npy"

# the text reader: a NUL byte ends nothing silently; a bad value is shown
# escaped, never as raw bytes
printf '1\0\n' >"$tmp/nul.tsv"
refused 1 "line 1: a NUL byte at column 2" "text '1' and a NUL byte" dk-cat -T "$tmp/nul.tsv"
printf '1 2\n3 \033[31mx\n' >"$tmp/esc.tsv"
refused 1 "'\x1b[31mx' is not a number" "text with an escape sequence" dk-cat -T "$tmp/esc.tsv"
! grep -q "$(printf '\033')" "$tmp/.err"
tap_result $? "the message holds no raw escape byte"

# ---- -o and special files: only a regular file is replaced ----
# (devices are made in $tmp: the system's own are never written to)
gen="dk-gen flipflop --batch 2 --length 3"
$gen -o "$tmp/ref.npy"
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from_fifo" &
reader=$!
ok "-o a FIFO" $gen -o "$tmp/fifo"
wait $reader
[ -p "$tmp/fifo" ]
tap_result $? "the FIFO is still a FIFO"
ok "and what went through it is the stream" cmp "$tmp/from_fifo" "$tmp/ref.npy"
echo old >"$tmp/real.npy"
ln -s real.npy "$tmp/link.npy"
ok "-o a symbolic link to a file" $gen -o "$tmp/link.npy"
[ -L "$tmp/link.npy" ] && cmp -s "$tmp/real.npy" "$tmp/ref.npy"
tap_result $? "keeps the link and replaces the file it names"
refused 1 "-o: the file name is empty" "-o ''" $gen -o ''
refused 1 "Is a directory" "-o a directory" $gen -o "$tmp"
if mknod -m 666 "$tmp/null" c 1 3 2>/dev/null; then
	ok "-o a character device" $gen -o "$tmp/null"
	[ -c "$tmp/null" ]
	tap_result $? "the device is still a device"
	ln -s null "$tmp/link-null"
	ok "-o a symbolic link to a character device" $gen -o "$tmp/link-null"
	[ -L "$tmp/link-null" ] && [ -c "$tmp/null" ]
	tap_result $? "the link and the device are as they were"
	if mknod -m 600 "$tmp/block" b 7 200 2>/dev/null; then
		refused 1 "not a file, a terminal or a pipe" "-o a block device" $gen -o "$tmp/block"
		[ -b "$tmp/block" ]
		tap_result $? "the block device is as it was"
	fi
else
	echo "# not root: no character device made, its checks skipped"
fi

# ---- messages that say what is wrong ----
: >"$tmp/empty.npy"
refused 1 "no input: the stream holds no tensors" "dk-run on an empty stream" \
	dk-run "$tmp/net.npy" "$tmp/empty.npy"
refused 1 "no states: the stream holds no tensors" "dk-jac on an empty stream" \
	dk-jac "$tmp/net.npy" "$tmp/empty.npy"
refused 1 "holds only a model's tensors" "dk-run given a model for its input" \
	dk-run "$tmp/net.npy" "$tmp/net.npy"
refused 1 "holds only a model's tensors" "dk-fixed given a model for its states" \
	dk-fixed "$tmp/net.npy" "$tmp/net.npy"
refused 2 "--steps: at least 1" "dk-train --steps 0" dk-train $train --steps 0 "$tmp/net.npy"
# a target that does not fit the outputs: the run is written, and why
# there is no loss is said
dk-init rnn --units 4 --inputs 3 --outputs 2 -o "$tmp/o2.npy"
dk-gen flipflop --batch 2 --length 5 -o "$tmp/ff3.npy"
ok "dk-run with a target that does not fit its outputs" \
	dk-run -o "$tmp/o2run.npy" "$tmp/o2.npy" "$tmp/ff3.npy"
grep -q "no loss computed: target must be" "$tmp/.err"
tap_result $? "says why there is no loss"
dk-info "$tmp/o2run.npy" | grep -q "states" && ! dk-info "$tmp/o2run.npy" | grep -q "run/loss"
tap_result $? "and writes states and outputs, no loss"
cat >"$tmp/u.py" <<'EOF'
import io, json, sys
import numpy as np
b = io.BytesIO()
np.save(b, np.array(json.dumps({"name": "x"})))
np.save(b, np.zeros(3))
open(sys.argv[1], "wb").write(b.getvalue())
EOF
py_run "$tmp/u.py" "$tmp/u.npy" || echo "# could not write the <U stream"
refused 1 "text must be bytes (|S" "metadata as str (<U), not bytes" dk-info "$tmp/u.npy"
if command -v script >/dev/null 2>&1; then
	# script(1) gives the tool a terminal for its standard input
	timeout 10 script -qec 'dk-info' /dev/null </dev/null >"$tmp/.out" 2>&1
	grep -q "reading a stream from standard input, which is a terminal" "$tmp/.out"
	tap_result $? "standard input from a terminal: says so instead of waiting silently"
	# progress on a terminal, nothing when stderr is a file
	dk-gen flipflop --batch 2 --length 20 -o "$tmp/pin.npy"
	dk-run "$tmp/net.npy" "$tmp/pin.npy" -o "$tmp/prun.npy"
	for t in "dk-fixed:point" "dk-jac:state"; do
		timeout 20 script -qec "${t%%:*} '$tmp/net.npy' '$tmp/prun.npy' -o '$tmp/p.npy'" /dev/null \
			</dev/null >"$tmp/.out" 2>&1
		grep -q "${t%%:*}: ${t#*:} [0-9]*/[0-9]* (100%)" "$tmp/.out"
		tap_result $? "${t%%:*} shows its progress on a terminal"
		${t%%:*} "$tmp/net.npy" "$tmp/prun.npy" -o "$tmp/p.npy" 2>"$tmp/.err"
		[ ! -s "$tmp/.err" ]
		tap_result $? "${t%%:*} is quiet when stderr is not a terminal"
	done
fi
if [ "${DK_SANITIZERS:-no}" != yes ]; then
	# a Wave-RNN of 256 rings of 256 units: its dense Jacobian is 32 GiB
	dk-init wrnn --channels 256 --units 256 --inputs 1 --outputs 1 -o "$tmp/bigw.npy"
	cat >"$tmp/bx.py" <<'EOF'
import sys
import numpy as np
np.save(sys.argv[1], np.zeros((1, 65536)))
EOF
	py_run "$tmp/bx.py" "$tmp/bx.npy" || echo "# could not write the state"
	refused 1 "needs at least 64 GiB" "dk-jac: a dense Jacobian beyond memory says how much" \
		sh -c "ulimit -v $(memory_cap)"' && exec "$@"' sh dk-jac "$tmp/bigw.npy" "$tmp/bx.npy"
	grep -q -- "--arnoldi" "$tmp/.err"
	tap_result $? "and names --arnoldi"
fi

# ---- memory limits ----
# dk-info and dk-cat load no numeric library, so no OpenBLAS threads,
# which would retry their buffers for ever under a small ulimit -v and
# hang the process at exit; the tools over libdynkit check that
# OpenBLAS's buffers fit before any work, and refuse with a message.
for t in dk-info dk-cat; do
	libs=$(ldd "$(command -v $t)" 2>/dev/null | grep -E -o 'lib(openblas|blas|lapack|lapacke|gsl|gslcblas|fftw3)[^ ]*' | tr '\n' ' ')
	is "$libs" "" "$t loads no numeric library"
done
dk-gen flipflop --batch 2 --length 5 -o "$tmp/ff.npy"
if [ "${DK_SANITIZERS:-no}" != yes ]; then
	for t in dk-info dk-cat; do
		ok "$t under ulimit -v 150000 finishes" \
			sh -c 'ulimit -v 150000 && exec timeout 20 "$@"' sh $t "$tmp/ff.npy"
	done
	refused 1 "too small for OpenBLAS's buffers" "dk-run under ulimit -v 150000" \
		sh -c 'ulimit -v 150000 && exec timeout 20 "$@"' sh dk-run "$tmp/net.npy" "$tmp/ff.npy"
	refused 1 "too small for OpenBLAS's buffers" "dk-lyap under ulimit -v 150000" \
		sh -c 'ulimit -v 150000 && exec timeout 20 "$@"' sh dk-lyap --steps 10 "$tmp/net.npy"
	# just above what the buffers need, training either runs or runs out
	# of memory with a message: it never hangs with an OpenBLAS worker
	# retrying a buffer it did not take at the start (nor with a helper
	# of the gated kinds' team wanting one of its own)
	dk-init gru --units 128 --inputs 3 --outputs 3 --seed 1 >"$tmp/gru128.npy"
	need=$(sh -c 'ulimit -v 150000 && exec dk-train "$@"' sh "$tmp/gru128.npy" --task flipflop \
		--steps 1 -o "$tmp/o.npy" 2>&1 | sed -n 's/.*at least \([0-9]*\) MiB needed.*/\1/p')
	hung=
	for extra in 0 10 20 30 40 50 60 80; do
		cap=$(( (need + extra) * 1024 ))
		sh -c 'ulimit -v '$cap' && exec timeout 20 "$@"' sh dk-train "$tmp/gru128.npy" \
			--task flipflop --batch 128 --length 100 --steps 2 -o "$tmp/o.npy" >/dev/null 2>&1
		[ $? -le 1 ] || hung="$hung $((need + extra))"
	done
	[ -n "$need" ] && [ -z "$hung" ]
	tap_result $? "dk-train under caps from ${need:-?} MiB (what the buffers need) up ends, exit 0 or 1"
	[ -z "$hung" ] || echo "#   did not end under caps (MiB):$hung"
fi

done_testing
