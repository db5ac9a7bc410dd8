#!/bin/sh
# man_examples.sh -- run the shell examples of the manual pages, so that
# what the pages show is what the tools do.
#
# The convention the pages follow: in the EXAMPLES section, inside a
# `.Bd -literal` ... `.Ed` display, a line beginning with "$ " is a
# command, the lines after it beginning with "> " continue it (as a
# shell's PS2 prompt shows), and any other lines up to the next command
# or the end of the display are what it prints, standard output and
# standard error together.  Displays without a "$ " line, such as the
# Python code in dk-stream(5), are not run.  The commands of one page run
# in order with sh(1) in a scratch directory of their own, so later
# commands use the files earlier ones made; each is one TAP line, which
# fails when the command exits nonzero or prints other than shown.
# Every page of section 1 must have at least one command.

. "$top_srcdir/tests/lib.sh"

py=$(numpy_python)
[ -n "$py" ] || skip_all "python3 with NumPy not found (the examples make their input with it)"
# The examples say python3: make that the one with NumPy.
mkdir "$tmp/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$py" >"$tmp/bin/python3"
chmod +x "$tmp/bin/python3"
PATH="$tmp/bin:$PATH"
export PATH
# ... and the dynkit module they import the one of the source tree.
PYTHONPATH="$top_srcdir/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

# Split page $1 into $2/N.cmd (command N) and $2/N.out (its output, when
# the page shows one), turning the roff escapes of the source into text.
extract() {
	awk -v dir="$2" '
	function glyph(name) {
		if (name == "aq") return "\047"
		if (name == "dq") return "\""
		if (name == "ga") return "`"
		if (name == "ti") return "~"
		if (name == "ha") return "^"
		if (name == "rs") return "\\"
		bad = bad " \\(" name
		return ""
	}
	function unescape(s,   out, i, c) {
		out = ""
		while ((i = index(s, "\\")) > 0) {
			out = out substr(s, 1, i - 1)
			c = substr(s, i + 1, 1)
			if (c == "e") {
				out = out "\\"; s = substr(s, i + 2)
			} else if (c == "&") {
				s = substr(s, i + 2)
			} else if (c == "-") {
				out = out "-"; s = substr(s, i + 2)
			} else if (c == "(") {
				out = out glyph(substr(s, i + 2, 2)); s = substr(s, i + 4)
			} else {
				bad = bad " \\" c; s = substr(s, i + 2)
			}
		}
		return out s
	}
	function finish() {
		if (n > 0) { close(dir "/" n ".cmd"); close(dir "/" n ".out") }
	}
	/^\.Sh / { examples = ($2 == "EXAMPLES"); literal = 0; next }
	!examples { next }
	/^\.Bd / && / -literal/ { literal = 1; state = ""; next }
	/^\.Ed/ { literal = 0; state = ""; next }
	!literal || /^\.\\"/ { next }
	{
		line = unescape($0)
		if (line ~ /^\$ /) {
			finish()
			n++
			print substr(line, 3) > (dir "/" n ".cmd")
			state = "cmd"
		} else if (state == "cmd" && line ~ /^>( |$)/) {
			print substr(line, 3) > (dir "/" n ".cmd")
		} else if (state != "") {
			print line > (dir "/" n ".out")
			state = "out"
		}
	}
	END {
		finish()
		if (bad != "") {
			print "unknown roff escapes in an example:" bad > "/dev/stderr"
			exit 1
		}
	}' "$1"
}

pages=$(ls "$top_srcdir"/man/*.[1-9] 2>/dev/null)
[ -n "$pages" ] || { tap_result 1 "man/ holds manual pages"; done_testing; exit; }

for page in $pages; do
	name=${page##*/}
	dir="$tmp/$name.examples"
	work="$tmp/$name.work"
	mkdir "$dir" "$work"
	extract "$page" "$dir" 2>"$tmp/.err"
	st=$?
	tap_result $st "$name: examples extracted"
	[ $st -eq 0 ] || sed 's/^/#   /' "$tmp/.err"
	n=$(ls "$dir" | grep -c '\.cmd$')
	# dk-plot draws through gnuplot: without it, its examples are skipped
	if [ "$name" = dk-plot.1 ] && ! command -v gnuplot >/dev/null 2>&1; then
		echo "ok $((tap_n + 1)) - $name: examples # SKIP gnuplot not found (gnuplot-nox)"
		tap_n=$((tap_n + 1))
		continue
	fi
	case $name in
	*.1)
		[ "$n" -gt 0 ]
		tap_result $? "$name: EXAMPLES has commands to run"
		;;
	esac
	i=1
	while [ "$i" -le "$n" ]; do
		# The description: the command on one line, without the '#' of
		# TAP directives or the backslashes that echo would interpret.
		desc=$(tr -s '\n\t ' '   ' <"$dir/$i.cmd" | tr -d '#\\' |
			sed 's/ *$//' | cut -c 1-72)
		(cd "$work" && sh "$dir/$i.cmd") >"$dir/$i.got" 2>&1 </dev/null
		st=$?
		if [ $st -ne 0 ]; then
			tap_result 1 "$name: \$ $desc"
			echo "#   exit status $st; it printed:"
			sed 's/^/#   /' "$dir/$i.got" | head -20
		elif [ -f "$dir/$i.out" ] && ! cmp -s "$dir/$i.out" "$dir/$i.got"; then
			tap_result 1 "$name: \$ $desc"
			echo "#   the output differs from the page's (-page +actual):"
			diff "$dir/$i.out" "$dir/$i.got" | sed 's/^/#   /' | head -20
		else
			tap_result 0 "$name: \$ $desc"
		fi
		i=$((i + 1))
	done
done

done_testing
