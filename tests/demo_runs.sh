#!/bin/sh
# demo_runs.sh -- `./bootstrap demo` must keep working: run the demo and
# check what it claims (three tensors listed, the text round trip exact).
. "$top_srcdir/tests/lib.sh"

ok "demo exits 0" sh "$top_srcdir/tests/demo.sh"
cp "$tmp/.out" "$tmp/demo.out"
is "$(grep -c "^[0-9]  " "$tmp/demo.out")" 5 "demo lists 3 tensors, then the 2 selected"
is "$(grep -c "^0  model/J " "$tmp/demo.out")" 1 "rename shows in the listing"
is "$(tail -n 1 "$tmp/demo.out")" "identical: text round trip kept every byte" "round trip exact"
done_testing
