#!/bin/sh
# plot.sh -- dk-plot: loss curves and space-time rasters drawn by gnuplot
# from real dk-train and dk-run output, as PNG (signature, IHDR size) and
# SVG (width, height, an embedded image); its errors and usage errors.
. "$top_srcdir/tests/lib.sh"

command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot not found (Debian package gnuplot-nox)"

# the PNG's IHDR width and height: bytes 16..23, big-endian
png_size() {
	od -An -tu1 -j 16 -N 8 "$1" |
		awk '{ printf "%dx%d\n", $1 * 16777216 + $2 * 65536 + $3 * 256 + $4,
		       $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}
png_sig() { head -c 8 "$1" | od -An -tx1 | tr -d ' \n'; }
PNG_SIG=89504e470d0a1a0a

dk-init rnn --units 8 --inputs 3 --outputs 3 --seed 1 |
	dk-train --task flipflop --batch 4 --length 20 --steps 30 >"$tmp/net.npy" 2>/dev/null
dk-gen flipflop --batch 4 --length 20 --seed 3 | dk-run "$tmp/net.npy" >"$tmp/run.npy"
ok "made a trained network and its run" test -s "$tmp/run.npy"

# ---- loss ----
mkdir "$tmp/o"
ok "dk-plot loss -o loss.png: exit 0" dk-plot loss --size 320x240 -o "$tmp/o/loss.png" "$tmp/net.npy"
is "$(png_sig "$tmp/o/loss.png")" "$PNG_SIG" "loss.png starts with the PNG signature"
is "$(png_size "$tmp/o/loss.png")" 320x240 "loss.png: IHDR says 320x240 as --size asked"
is "$(ls -A "$tmp/o")" "loss.png" "-o: no temp file left beside the output"
dk-plot loss --linear <"$tmp/net.npy" >"$tmp/lin.png" 2>"$tmp/lin.err"
is "$?" 0 "dk-plot loss --linear from stdin to stdout: exit 0"
is "$(png_size "$tmp/lin.png")" 640x480 "the default size is 640x480"
ok "dk-plot loss --format svg -o loss.out" dk-plot loss --format svg --size 500x300 \
	-o "$tmp/loss.out" "$tmp/net.npy"
head -c 5 "$tmp/loss.out" | grep -q '^<?xml'
is "$?" 0 "--format svg: the output is XML"
grep -q 'width="500" height="300"' "$tmp/loss.out"
is "$?" 0 "the SVG's width and height attributes are 500 and 300"

# ---- raster ----
ok "dk-plot raster --batch 2 -o raster.png" dk-plot raster --batch 2 --size 300x400 \
	-o "$tmp/raster.png" "$tmp/run.npy"
is "$(png_sig "$tmp/raster.png")" "$PNG_SIG" "raster.png starts with the PNG signature"
is "$(png_size "$tmp/raster.png")" 300x400 "raster.png: IHDR says 300x400"
ok "dk-plot raster -o raster.svg" dk-plot raster -o "$tmp/raster.svg" "$tmp/run.npy"
grep -q '<image' "$tmp/raster.svg"
is "$?" 0 "raster.svg holds an image element (the states as pixels)"
grep -q 'width="640" height="480"' "$tmp/raster.svg"
is "$?" 0 "raster.svg is 640x480"
# different batch elements are different pictures: the pixels follow the states
dk-plot raster --batch 0 --format svg "$tmp/run.npy" >"$tmp/b0.svg"
dk-plot raster --batch 1 --format svg "$tmp/run.npy" >"$tmp/b1.svg"
! cmp -s "$tmp/b0.svg" "$tmp/b1.svg"
tap_result $? "the rasters of batch 0 and 1 differ"

# a Wave-RNN's ring: --channel with --units, or with the model's attrs
dk-init wrnn --channels 2 --units 10 --inputs 2 --outputs 1 >"$tmp/w.npy"
dk-gen adding --batch 2 --length 30 | dk-run "$tmp/w.npy" >"$tmp/wrun.npy"
ok "raster --channel 1 --units 10" dk-plot raster --channel 1 --units 10 --size 200x200 \
	-o "$tmp/c1.png" "$tmp/wrun.npy"
is "$(png_size "$tmp/c1.png")" 200x200 "the channel's raster is 200x200"
cat "$tmp/w.npy" "$tmp/wrun.npy" >"$tmp/wboth.npy"
ok "raster --channel 1, units from the model attrs" dk-plot raster --channel 1 \
	-o "$tmp/c1b.png" "$tmp/wboth.npy"
fails_with 1 "raster --channel 1 without --units or attrs: exit 1" \
	dk-plot raster --channel 1 -o "$tmp/x.png" "$tmp/wrun.npy"
fails_with 1 "raster --channel 2 of 2 channels: exit 1" \
	dk-plot raster --channel 2 -o "$tmp/x.png" "$tmp/wboth.npy"
fails_with 1 "raster --batch 4 of 4: exit 1" dk-plot raster --batch 4 -o "$tmp/x.png" "$tmp/run.npy"

# ---- errors ----
printf 'old\n' >"$tmp/keep.png"
fails_with 1 "loss of a stream without train/loss: exit 1" \
	dk-plot loss -o "$tmp/keep.png" "$tmp/run.npy"
grep -q '^dk-plot: .*train/loss' "$tmp/.err"
is "$?" 0 "the message names train/loss"
is "$(cat "$tmp/keep.png")" old "a failed plot leaves the old -o file alone"
fails_with 1 "raster of a stream without states: exit 1" dk-plot raster -o "$tmp/x.png" "$tmp/net.npy"
fails_with 1 "a missing file: exit 1" dk-plot loss -o "$tmp/x.png" "$tmp/no-such"
DK_GNUPLOT="$tmp/no-gnuplot" fails_with 1 "no gnuplot: exit 1" \
	dk-plot loss -o "$tmp/x.png" "$tmp/net.npy"
grep -q 'gnuplot-nox' "$tmp/.err"
is "$?" 0 "no gnuplot: the message names the package gnuplot-nox"
printf '#!/bin/sh\necho "plot.gp line 1: broken" >&2\nexit 3\n' >"$tmp/badgp"
chmod +x "$tmp/badgp"
DK_GNUPLOT="$tmp/badgp" fails_with 1 "gnuplot failing: exit 1" \
	dk-plot loss -o "$tmp/x.png" "$tmp/net.npy"
grep -q '^dk-plot: gnuplot: plot.gp line 1: broken' "$tmp/.err"
is "$?" 0 "gnuplot's own message is passed on"
is "$(ls "$tmp" | grep -c '^x\.png')" 0 "no picture is written when plotting fails"
# file names are data, never gnuplot syntax
cp "$tmp/net.npy" "$tmp/it's \"odd\"; system('touch pwned').npy"
(cd "$tmp" && dk-plot loss -o "o'dd\"; !touch pwned.png" "it's \"odd\"; system('touch pwned').npy")
is "$?" 0 "quotes and semicolons in file names are plain names"
test ! -e "$tmp/pwned"
tap_result $? "...and nothing in them runs"

for args in "" "bogus" "loss --size 0x10" "loss --size 10" "loss --size axb" \
            "loss --format jpg" "loss -o x.jpg" "loss --batch 1" "raster --linear" \
            "raster --units 4" "loss a b" "loss --bogus"; do
	# shellcheck disable=SC2086
	dk-plot $args <"$tmp/net.npy" >"$tmp/u.out" 2>"$tmp/u.err"
	is "$?" 2 "dk-plot $args: usage error, exit 2"
done
grep -q "Try 'dk-plot --help'" "$tmp/u.err"
is "$?" 0 "a usage error points to --help"
done_testing
