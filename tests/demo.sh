#!/bin/sh
# demo.sh -- what `./bootstrap demo` runs: a tour of the stream tools on an
# embedded default, a small model-like stream given in dynkit's text form.
#
# It builds a binary stream from text, lists it, selects and renames
# tensors, converts one to text for gnuplot, and checks that a round trip
# through text gives back the very same bytes.
set -eu
PATH="$(cd "$(dirname "$0")/.." && pwd)/tools:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/dkdemo.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n$ %s\n' "$*"; }

cat > "$work/model.txt" <<'TEXT'
# meta {"name":"model/W","axes":["out","in"],"attrs":{"kind":"rnn","act":"tanh"}}
# tensor <f8 (3, 3)
0.9	-0.2	0
0.2	0.9	0
0	0	0.5


# meta {"name":"model/b","axes":["unit"]}
# tensor <f8 (3,)
0.1
0
-0.1


# meta {"name":"states","axes":["time","unit"]}
# tensor <f4 (4, 3)
0	0	0
0.1	0	-0.1
0.19	0.02	-0.15
0.267	0.056	-0.175
TEXT

step "dk-cat --from-text model.txt > model.npy"
dk-cat --from-text "$work/model.txt" > "$work/model.npy"
step "dk-info --stats model.npy"
dk-info --stats "$work/model.npy"
step "dk-cat --select 'model/*' --rename model/W=model/J model.npy | dk-info"
dk-cat --select 'model/*' --rename model/W=model/J "$work/model.npy" | dk-info
step "dk-cat --select states --dtype f8 --text model.npy"
dk-cat --select states --dtype f8 --text "$work/model.npy"
step "dk-cat --text model.npy | dk-cat --from-text | cmp - model.npy"
dk-cat --text "$work/model.npy" | dk-cat --from-text | cmp - "$work/model.npy"
echo "identical: text round trip kept every byte"
