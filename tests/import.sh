#!/bin/sh
# import.sh -- dk-import against NumPy and PyTorch: weights named as
# PyTorch names them, written by NumPy as a directory of .npy files,
# separate .npy files, a stored and a deflated .npz and a .safetensors
# (F64 and F32, written with struct and json alone); dk-run on the
# imported model gives the states and outputs of PyTorch's documented
# RNN, GRU and LSTM equations run in NumPy, to 1e-12.  Where
# /usr/bin/python3 imports torch, also torch.nn.RNN/GRU/LSTM themselves
# (float64, state_dict saved as .npz) against dk-run.  Then bad input
# (exit 1) and bad usage (exit 2).  Export (--to torch): importing what
# it writes gives the model's parameters bit for bit, NumPy reads the
# .npz, and torch's modules loaded with the exported weights give
# dk-run's outputs to 1e-12.
. "$top_srcdir/tests/lib.sh"

PY=$(numpy_python)
[ -n "$PY" ] || skip_all "no python3 with NumPy"

cat >"$tmp/w.py" <<'EOF'
# w.py write KIND ACT CONTAINER DEST ...: for each group of four,
#      PyTorch-named weights (prefix rnn.) and, beside them, DEST.u.npy
#      (input) and DEST.want.npz (states, output)
# w.py check DEST RUN ...: for each pair, RUN's states and output against
#      DEST.want.npz; RUN.ok for each that agrees, status 1 unless all do
# (one python3 for many: each start of NumPy costs a tenth of a second)
import json, os, struct, sys, zlib
import numpy as np
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import by_name

def forward(kind, act, P, u, H):
    sig = lambda a: 1 / (1 + np.exp(-a))
    Wih, Whh = P["weight_ih_l0"], P["weight_hh_l0"]
    bih, bhh = P.get("bias_ih_l0", 0), P.get("bias_hh_l0", 0)
    h = np.zeros((u.shape[1], H)); c = np.zeros_like(h)
    hs = []
    for t in range(u.shape[0]):
        if kind == "rnn":     # h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)
            a = u[t] @ Wih.T + bih + h @ Whh.T + bhh
            h = np.tanh(a) if act == "tanh" else np.maximum(a, 0)
            hs.append(h)
        elif kind == "gru":
            gi, gh = u[t] @ Wih.T + bih, h @ Whh.T + bhh
            i_r, i_z, i_n = np.split(gi, 3, axis=1)
            h_r, h_z, h_n = np.split(gh, 3, axis=1)
            r, z = sig(i_r + h_r), sig(i_z + h_z)
            n = np.tanh(i_n + r * h_n)
            h = (1 - z) * n + z * h
            hs.append(h)
        else:
            a = u[t] @ Wih.T + bih + h @ Whh.T + bhh
            i, f, g, o = np.split(a, 4, axis=1)
            c = sig(f) * c + sig(i) * np.tanh(g)
            h = sig(o) * np.tanh(c)
            hs.append(np.concatenate([h, c], axis=1))
    return np.array(hs)

def safetensors(path, tensors, dtype):
    hdr, blobs, off = {}, [], 0
    for k, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f8" if dtype == "F64" else "<f4").tobytes()
        hdr[k] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    hdr["__metadata__"] = {"format": "pt"}
    j = json.dumps(hdr).encode()
    j += b" " * (-len(j) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(j)) + j + b"".join(blobs))

def write(kind, act, container, dest, prefix="rnn."):
    G = {"rnn": 1, "gru": 3, "lstm": 4}[kind]
    H, I, O, T, B = 5, 3, 2, 7, 4
    rng = np.random.default_rng(zlib.crc32((kind + act + container).encode()))
    k = 1 / np.sqrt(H)
    P = {"weight_ih_l0": rng.uniform(-k, k, (G * H, I)),
         "weight_hh_l0": rng.uniform(-k, k, (G * H, H)),
         "bias_ih_l0": rng.uniform(-k, k, G * H), "bias_hh_l0": rng.uniform(-k, k, G * H)}
    if act == "relu":   # an identity-like W so relu units stay alive
        P["weight_hh_l0"] += np.eye(H) * 0.5
    Wo, bo = rng.normal(size=(O, H)), rng.normal(size=O)
    if container == "safetensors32":   # what F32 holds is what NumPy must use
        P = {n: a.astype(np.float32).astype(np.float64) for n, a in P.items()}
        Wo, bo = Wo.astype(np.float32).astype(np.float64), bo.astype(np.float32).astype(np.float64)
    T_ = {prefix + n: a for n, a in P.items()}
    T_["fc.weight"], T_["fc.bias"] = Wo, bo
    if container == "dir":
        os.mkdir(dest)
        for n, a in T_.items():
            np.save(os.path.join(dest, n + ".npy"), a)
    elif container == "files":
        os.mkdir(dest)
        for n, a in T_.items():
            np.save(os.path.join(dest, n + ".npy"), a)
    elif container == "npz":
        np.savez(dest, **T_)
    elif container == "npzc":
        np.savez_compressed(dest, **T_)
    else:
        safetensors(dest, T_, "F64" if container == "safetensors" else "F32")
    u = rng.normal(size=(T, B, I))
    np.save(dest + ".u.npy", u)
    states = forward(kind, act, P, u, H)
    np.savez(dest + ".want.npz", states=states, output=states[:, :, :H] @ Wo.T + bo)

def check(dest, run):
    want = np.load(dest + ".want.npz")
    R = {n: a for n, (m, a) in by_name(run).items()}
    for n in ("states", "output"):
        assert R[n].shape == want[n].shape, (n, R[n].shape, want[n].shape)
        err = np.abs(R[n] - want[n]).max()
        assert err <= 1e-12 * max(1, np.abs(want[n]).max()), (n, err)

args, bad = sys.argv[2:], 0
if sys.argv[1] == "write":
    for i in range(0, len(args), 4):
        write(*args[i:i + 4])
else:
    for dest, run in zip(args[::2], args[1::2]):
        try:
            check(dest, run)
            open(run + ".ok", "w").close()
        except Exception as e:
            print("%s: %r" % (run, e), file=sys.stderr)
            bad = 1
sys.exit(bad)
EOF

# Each case KIND:ACT:CONTAINER is written (all at once), imported, run,
# and its run compared with NumPy's (all at once).
cases=
for kind in rnn gru lstm; do
	for container in dir files npz npzc safetensors safetensors32; do
		cases="$cases $kind:tanh:$container"
	done
done
cases="$cases rnn:relu:npz"
# the weights' path of a case
weights() {
	case $3 in
	npz|npzc) echo "$tmp/$1-$2-$3.npz" ;;
	safetensors*) echo "$tmp/$1-$2-$3.safetensors" ;;
	*) echo "$tmp/$1-$2-$3" ;;
	esac
}
set --
for c in $cases; do
	IFS=: read -r kind act container <<EOF
$c
EOF
	set -- "$@" "$kind" "$act" "$container" "$(weights "$kind" "$act" "$container")"
done
"$PY" "$tmp/w.py" write "$@"
set --
for c in $cases; do
	IFS=: read -r kind act container <<EOF
$c
EOF
	d="$tmp/$kind-$act-$container" f=$(weights "$kind" "$act" "$container")
	args="--from torch"
	[ "$kind" = rnn ] && args="$args --act $act"
	case $container in
	files) files="$f/*.npy" ;;
	*) files=$f ;;
	esac
	# shellcheck disable=SC2086
	ok "$kind $act from $container: dk-import reads it" dk-import $args -o "$d.model" $files
	dk-run "$d.model" "$f.u.npy" >"$d.run" 2>/dev/null
	set -- "$@" "$f" "$d.run"
done
"$PY" "$tmp/w.py" check "$@" 2>"$tmp/check.err"
for c in $cases; do
	IFS=: read -r kind act container <<EOF
$c
EOF
	d="$tmp/$kind-$act-$container"
	ok "$kind $act from $container: dk-run's states and outputs are NumPy's to 1e-12" test -e "$d.run.ok"
	[ -e "$d.run.ok" ] || grep -F "$d.run" "$tmp/check.err" | sed 's/^/#   /'
done

# the kind is inferred, and the imported attrs say so
m="$tmp/gru-tanh-npz.model"
is "$(dk-info "$m" 2>/dev/null | grep -c 'model/weight_hh')" 1 "gru inferred: model/weight_hh written"
ok "the model's attrs: kind gru, init torch, provenance names the files" "$PY" -c "
import os, sys, json
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import records
raw, a = records('$m')[0]
at = json.loads(raw)['attrs']
assert at['model']['kind'] == 'gru' and at['model']['init'] == 'torch', at
p = at['provenance']
assert p['tool'] == 'dk-import' and p['options']['files'] == ['$tmp/gru-tanh-npz.npz'], p
assert p['options']['tensors']['weight_ih'] == 'rnn.weight_ih_l0', p"
ok "-o and stdout give the same bytes" sh -c \
	"dk-import --from torch '$tmp/gru-tanh-npz.npz' | cmp - '$m'"
ok "--model gru agrees with the shapes" sh -c \
	"dk-import --from torch --model gru '$tmp/gru-tanh-npz.npz' | cmp - '$m'"

# ---- torch itself, when Debian's python3 has it ----
# One python3 makes all four modules' files: importing torch takes over
# a second.  It exits 77 when torch (or NumPy) cannot be imported.
cat >"$tmp/t.py" <<'EOF'
import sys
try:
    import numpy as np
    import torch
except ImportError:
    sys.exit(77)
H, I, O, T, B = 6, 3, 2, 9, 4
for kind in ("rnn", "rnnrelu", "gru", "lstm"):
    out = "%s/torch-%s.npz" % (sys.argv[1], kind)
    torch.manual_seed({"rnn": 1, "rnnrelu": 2, "gru": 3, "lstm": 4}[kind])
    if kind == "gru":
        net = torch.nn.GRU(I, H)
    elif kind == "lstm":
        net = torch.nn.LSTM(I, H)
    else:
        net = torch.nn.RNN(I, H, nonlinearity="relu" if kind == "rnnrelu" else "tanh")
    fc = torch.nn.Linear(H, O)
    net, fc = net.double(), fc.double()
    sd = {"rnn." + k: v.detach().numpy() for k, v in net.state_dict().items()}
    sd.update({"fc." + k: v.detach().numpy() for k, v in fc.state_dict().items()})
    np.savez(out, **sd)
    u = torch.randn(T, B, I, dtype=torch.float64)
    with torch.no_grad():
        y, _ = net(u)
        z = fc(y)
    np.save(out + ".u.npy", u.numpy())
    np.savez(out + ".torch.npz", h=y.numpy(), output=z.numpy())
EOF
/usr/bin/python3 "$tmp/t.py" "$tmp" 2>"$tmp/t.err"
torch_st=$?
if [ $torch_st -ne 77 ]; then
	for kind in rnn rnnrelu gru lstm; do
		f="$tmp/torch-$kind.npz"
		act=tanh
		[ "$kind" = rnnrelu ] && act=relu
		ok "torch $kind: state_dict saved as .npz" test $torch_st -eq 0 -a -s "$f.torch.npz"
		[ $torch_st -eq 0 ] || sed 's/^/#   /' "$tmp/t.err" | head -5
		ok "torch $kind: dk-import reads it" dk-import --from torch --act "$act" -o "$f.model" "$f"
		ok "torch $kind: dk-run gives torch's h and output to 1e-12" sh -c "
			dk-run '$f.model' '$f.u.npy' > '$f.run' && '$PY' -c \"
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import by_name
R = {n: a for n, (m, a) in by_name('$f.run').items()}
W = np.load('$f.torch.npz')
H = W['h'].shape[2]
for got, want in ((R['states'][:, :, :H], W['h']), (R['output'], W['output'])):
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.abs(got - want).max()
    assert err <= 1e-12 * max(1, np.abs(want).max()), err
\""
	done
else
	echo "# torch not importable by /usr/bin/python3: the torch comparison is skipped"
	tap_result 0 "torch comparison # SKIP python3-torch missing"
fi

# ---- readouts ----
f="$tmp/gru-tanh-npz.npz"
"$PY" -c "
import numpy as np
d = dict(np.load('$f'))
np.savez('$tmp/noreadout.npz', **{k: v for k, v in d.items() if not k.startswith('fc.')})
d2 = dict(d); d2['head.weight'] = d['fc.weight']; d2['head.bias'] = d['fc.bias']
np.savez('$tmp/tworeadouts.npz', **d2)
d3 = {k: v for k, v in d.items() if not k.startswith('fc.')}
d3['dec.weight'] = np.ones((3, 5)); d3['dec.bias'] = np.ones(3)
np.savez('$tmp/named.npz', **d3)
d4 = dict(d); d4['other.weight_ih_l0'] = d['rnn.weight_ih_l0']
np.savez('$tmp/ambiguous.npz', **d4)
d5 = dict(d); del d5['rnn.weight_hh_l0']
np.savez('$tmp/missing.npz', **d5)
d6 = dict(d); d6['rnn.bias_hh_l0'] = np.zeros(7)
np.savez('$tmp/badshape.npz', **d6)
d7 = dict(d); d7['rnn.weight_ih_l0'] = np.zeros((14, 3))
np.savez('$tmp/badrows.npz', **d7)
d8 = dict(d); d8['rnn.weight_ih_l1'] = d['rnn.weight_hh_l0']
np.savez('$tmp/twolayers.npz', **d8)
d9 = {k: v for k, v in d.items() if 'bias' not in k or k.startswith('fc.')}
np.savez('$tmp/nobias.npz', **d9)
"
ok "no readout: a zero readout of 1 output" sh -c "dk-import --from torch '$tmp/noreadout.npz' > '$tmp/nr.model'"
ok "no readout: readout/W is (1, 5) of zeros" "$PY" -c "
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import by_name
R = {n: a for n, (m, a) in by_name('$tmp/nr.model').items()}
assert R['model/readout/W'].shape == (1, 5) and not R['model/readout/W'].any()
assert R['model/readout/b'].shape == (1,) and not R['model/readout/b'].any()"
ok "no readout, --outputs 3: three zero outputs" sh -c \
	"dk-import --from torch -O 3 '$tmp/noreadout.npz' | dk-info | grep 'model/readout/W' | grep -q '(output 3, unit 5)'"
fails_with 1 "two readouts and no --readout: exit 1" dk-import --from torch "$tmp/tworeadouts.npz"
grep -q "readout PREFIX" "$tmp/.err"
is "$?" 0 "two readouts: the message says --readout PREFIX"
ok "two readouts, --readout head picks one" dk-import --from torch --readout head -o "$tmp/h.model" "$tmp/tworeadouts.npz"
ok "--readout dec: any prefix" sh -c \
	"dk-import --from torch --readout dec '$tmp/named.npz' | dk-info | grep 'model/readout/W' | grep -q '(output 3, unit 5)'"
fails_with 1 "--readout missing: exit 1" dk-import --from torch --readout nope "$f"
fails_with 1 "--outputs disagreeing with the readout: exit 1" dk-import --from torch -O 4 "$f"
ok "bias=False (no biases): imported with zero biases" dk-import --from torch -o "$tmp/nb.model" "$tmp/nobias.npz"

# ---- bad input: exit 1 with a message ----
bad() { # description file...
	what=$1
	shift
	fails_with 1 "$what: exit 1" dk-import --from torch "$@"
	grep -q "^dk-import: " "$tmp/.err"
	is "$?" 0 "$what: a message on stderr"
}
bad "ambiguous name (rnn. and other.weight_ih_l0)" "$tmp/ambiguous.npz"
grep -q ambiguous "$tmp/.err"
is "$?" 0 "ambiguous: the message says so"
bad "missing weight_hh_l0" "$tmp/missing.npz"
grep -q weight_hh_l0 "$tmp/.err"
is "$?" 0 "missing: the message names weight_hh_l0"
bad "bias of the wrong length" "$tmp/badshape.npz"
bad "weight_ih rows not those of weight_hh" "$tmp/badrows.npz"
bad "two layers" "$tmp/twolayers.npz"
bad "--model lstm against gru shapes" --model lstm "$f"
echo "hello, world, this is not a weight file" >"$tmp/text.txt"
bad "unknown file type" "$tmp/text.txt"
grep -q "unknown file type" "$tmp/.err"
is "$?" 0 "unknown file type: the message says so"
bad "a missing file" "$tmp/nonexistent.npz"
head -c 100 "$f" >"$tmp/trunc.npz"
bad "a truncated .npz" "$tmp/trunc.npz"
st="$tmp/rnn-tanh-safetensors.safetensors"
head -c 200 "$st" >"$tmp/trunc.safetensors"
bad "a truncated .safetensors" "$tmp/trunc.safetensors"
mkdir "$tmp/empty"
bad "a directory without .npy files" "$tmp/empty"
bad "the same tensor twice" "$f" "$f"
ok "empty stdin is an unknown file type (exit 1)" sh -c \
	"dk-import --from torch - </dev/null; test \$? -eq 1"
ok "an .npz on stdin: the same model" sh -c "dk-import --from torch - <'$f' >'$tmp/stdin.model' &&
	dk-run '$tmp/stdin.model' '$f.u.npy' >'$tmp/stdin.run' && '$PY' '$tmp/w.py' check '$f' '$tmp/stdin.run'"

# ---- export: --to torch, and back ----
bare() { dk-cat --select 'model/*' --bare "$1"; }
roundtrip() { # description model act
	what=$1 model=$2 act=$3
	for out in npz safetensors dir; do
		case $out in dir) f="$tmp/ex-$what" ;; *) f="$tmp/ex-$what.$out" ;; esac
		ok "export $what to .$out" dk-import --to torch -o "$f" "$model"
		dk-import --from torch --act "$act" -o "$tmp/back.npy" "$f" 2>/dev/null
		bare "$model" >"$tmp/a.bare"
		bare "$tmp/back.npy" >"$tmp/b.bare"
		ok "export $what to .$out, imported again: the parameters bit for bit" \
			cmp "$tmp/a.bare" "$tmp/b.bare"
	done
}
dk-init rnn --units 5 --inputs 3 --outputs 2 --seed 3 >"$tmp/x-rnn.npy"
dk-init rnn --units 5 --inputs 3 --outputs 2 --act relu --init identity >"$tmp/x-irnn.npy"
# trained, so no parameter is as its initialisation made it
dk-train --model gru --units 6 --task adding --length 8 --batch 4 --steps 5 --lr 0.05 \
	>"$tmp/x-gru.npy"
dk-train --model lstm --units 4 --task flipflop --length 8 --batch 4 --steps 5 --lr 0.05 \
	>"$tmp/x-lstm.npy"
roundtrip rnn "$tmp/x-rnn.npy" tanh
roundtrip irnn "$tmp/x-irnn.npy" relu
roundtrip gru "$tmp/x-gru.npy" tanh
roundtrip lstm "$tmp/x-lstm.npy" tanh
# an rnn bias holding -0.0: zeros in bias_hh_l0 must give it back as it is
"$PY" -c "
import numpy as np
r = np.random.default_rng(1)
np.savez('$tmp/negzero.npz', weight_ih_l0=r.normal(size=(4, 2)), weight_hh_l0=r.normal(size=(4, 4)),
         bias_ih_l0=np.array([-0.0, 1.5, -0.0, 0.25]), bias_hh_l0=np.zeros(4))"
dk-import --from torch -o "$tmp/x-nz.npy" "$tmp/negzero.npz"
roundtrip negzero "$tmp/x-nz.npy" tanh
ok "NumPy reads the exported .npz: PyTorch's names, the rnn's bias in bias_ih_l0, zeros in bias_hh_l0" \
	"$PY" -c "
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.environ['top_srcdir'], 'tests'))
from npystream import by_name
M = {n: a for n, (m, a) in by_name('$tmp/x-rnn.npy').items()}
d = np.load('$tmp/ex-rnn.npz')
assert sorted(d.keys()) == sorted(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
                                   'readout.weight', 'readout.bias']), list(d.keys())
assert (d['weight_hh_l0'] == M['model/W']).all() and (d['weight_ih_l0'] == M['model/V']).all()
assert (d['bias_ih_l0'] == M['model/b']).all() and not d['bias_hh_l0'].any()
assert (d['readout.weight'] == M['model/readout/W']).all()
assert (d['readout.bias'] == M['model/readout/b']).all()
for f in os.listdir('$tmp/ex-rnn'):
    assert (np.load('$tmp/ex-rnn/' + f) == d[f[:-4]]).all(), f
"
ok "--readout fc names the readout fc.weight and fc.bias" sh -c \
	"dk-import --to torch --readout fc -o '$tmp/fc.npz' '$tmp/x-gru.npy' &&
	 '$PY' -c \"import numpy as np; d = np.load('$tmp/fc.npz'); assert 'fc.weight' in d and 'fc.bias' in d\""
ok "the same model, the same bytes (.npz and .safetensors)" sh -c \
	"dk-import --to torch -o '$tmp/again.npz' '$tmp/x-gru.npy' && cmp '$tmp/again.npz' '$tmp/ex-gru.npz' &&
	 dk-import --to torch -o '$tmp/again.safetensors' - < '$tmp/x-gru.npy' &&
	 cmp '$tmp/again.safetensors' '$tmp/ex-gru.safetensors'"
if [ $torch_st -ne 77 ]; then
	"$PY" -c "import numpy as np
for k, i in (('rnn', 3), ('irnn', 3), ('gru', 2), ('lstm', 3)):
    np.save('$tmp/xu-%s.npy' % k, np.random.default_rng(4).normal(size=(9, 3, i)))"
	for k in rnn irnn gru lstm; do
		dk-run "$tmp/x-$k.npy" "$tmp/xu-$k.npy" >"$tmp/xr-$k.npy"
	done
	# one python3 for the four (torch's import is slow); each kind that
	# agrees leaves $tmp/xt-KIND.ok
	/usr/bin/python3 - "$tmp" rnn irnn gru lstm <<'PYT' 2>"$tmp/xt.err"
import os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
from npystream import by_name
tmp = sys.argv[1]
for k in sys.argv[2:]:
    try:
        d = np.load("%s/ex-%s.npz" % (tmp, k))
        I, H = d["weight_ih_l0"].shape[1], d["weight_hh_l0"].shape[1]
        O = d["readout.weight"].shape[0]
        if k == "gru":
            net = torch.nn.GRU(I, H)
        elif k == "lstm":
            net = torch.nn.LSTM(I, H)
        else:
            net = torch.nn.RNN(I, H, nonlinearity="relu" if k == "irnn" else "tanh")
        fc = torch.nn.Linear(H, O)
        net, fc = net.double(), fc.double()
        net.load_state_dict({n: torch.from_numpy(d[n]) for n in
                             ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")})
        fc.load_state_dict({"weight": torch.from_numpy(d["readout.weight"]),
                            "bias": torch.from_numpy(d["readout.bias"])})
        u = torch.from_numpy(np.load("%s/xu-%s.npy" % (tmp, k)))
        with torch.no_grad():
            y, _ = net(u)
            z = fc(y).numpy()
        R = {n: a for n, (m, a) in by_name("%s/xr-%s.npy" % (tmp, k)).items()}
        got = R["output"]
        assert got.shape == z.shape, (got.shape, z.shape)
        err = np.abs(got - z).max()
        assert err <= 1e-12 * max(1, np.abs(z).max()), err
        open("%s/xt-%s.ok" % (tmp, k), "w").close()
    except Exception as e:
        print("%s: %r" % (k, e), file=sys.stderr)
PYT
	for k in rnn irnn gru lstm; do
		ok "torch $k: load_state_dict of the exported weights gives dk-run's outputs to 1e-12" \
			test -e "$tmp/xt-$k.ok"
		[ -e "$tmp/xt-$k.ok" ] || sed 's/^/#   /' "$tmp/xt.err" | head -5
	done
else
	echo "# torch not importable by /usr/bin/python3: the export's torch check is skipped"
	tap_result 0 "export, torch comparison # SKIP python3-torch missing"
fi
dk-init ctrnn --units 4 >"$tmp/x-ctrnn.npy"
fails_with 1 "export of a ctrnn: exit 1" dk-import --to torch -o "$tmp/c.npz" "$tmp/x-ctrnn.npy"
grep -q "PyTorch has no module for the ctrnn" "$tmp/.err"
is "$?" 0 "export of a ctrnn: the message says PyTorch has no module for it"
dk-init rnn --units 4 --act erf >"$tmp/x-erf.npy"
fails_with 1 "export of an erf rnn (nn.RNN is tanh or relu): exit 1" \
	dk-import --to torch -o "$tmp/e.npz" "$tmp/x-erf.npy"
ok "a refused export writes nothing" test ! -e "$tmp/w.npz"
touch "$tmp/plainfile"
fails_with 1 "export into a directory path that is a file: exit 1" \
	dk-import --to torch -o "$tmp/plainfile" "$tmp/x-rnn.npy"
fails_with 2 "--to torch without -o: exit 2" dk-import --to torch "$tmp/x-rnn.npy"
fails_with 2 "--to keras: exit 2" dk-import --to keras -o "$tmp/k.npz" "$tmp/x-rnn.npy"
fails_with 2 "--to with --from: exit 2" dk-import --to torch --from torch -o "$tmp/k.npz" "$tmp/x-rnn.npy"
fails_with 2 "--to with --model: exit 2" dk-import --to torch --model gru -o "$tmp/k.npz" "$tmp/x-gru.npy"
fails_with 2 "--to with two MODELs: exit 2" dk-import --to torch -o "$tmp/k.npz" "$tmp/x-gru.npy" "$tmp/x-gru.npy"

# ---- bad usage: exit 2 ----
fails_with 2 "no FILE: exit 2" dk-import --from torch
fails_with 2 "--from keras: exit 2" dk-import --from keras "$f"
fails_with 2 "--model xyz: exit 2" dk-import --model xyz "$f"
fails_with 2 "--act erf: exit 2" dk-import --act erf "$f"
fails_with 2 "--act relu with --model gru: exit 2" dk-import --model gru --act relu "$f"
fails_with 2 "--outputs 0: exit 2" dk-import --outputs 0 "$f"
attrs=$(dk-import --from torch "$top_srcdir/data/flipflop_torch32.npz" | dk-info -j | head -n 1)
case $attrs in
*'"init":"torch"'*'"kind":"rnn"'*) case $attrs in *'"gain"'*|*'"seed"'*) r=1 ;; *) r=0 ;; esac ;;
*) r=1 ;;
esac
tap_result $r "an imported model's attrs say init torch, and no gain or seed"
done_testing
