#!/bin/sh
# man_lint.sh -- the manual pages are clean mdoc, every tool has a page,
# and every option a tool's --help lists is in its page.
#
# mandoc -Tlint -W warning must print nothing and exit 0 for each page:
# a warning there is a page that renders wrong somewhere.

. "$top_srcdir/tests/lib.sh"

mandoc=${MANDOC:-$(command -v mandoc)}
[ -n "$mandoc" ] || skip_all "mandoc not found"

# The four pages, and any page added since.
pages="dk-info.1 dk-cat.1 dk-stream.5 dynkit.7"
for f in "$top_srcdir"/man/*.[1-9]; do
	[ -f "$f" ] || continue
	case " $pages " in
	*" ${f##*/} "*) ;;
	*) pages="$pages ${f##*/}" ;;
	esac
done

for page in $pages; do
	f="$top_srcdir/man/$page"
	if [ -f "$f" ]; then
		"$mandoc" -Tlint -W warning "$f" >"$tmp/.out" 2>&1
		st=$?
	else
		echo "no such file: man/$page" >"$tmp/.out"
		st=1
	fi
	[ $st -eq 0 ] && [ ! -s "$tmp/.out" ]
	tap_result $? "$page: mandoc -Tlint -W warning is silent"
	[ $st -eq 0 ] || echo "#   exit status $st"
	sed 's/^/#   /' "$tmp/.out" | head -20
done

for src in "$top_srcdir"/tools/dk-*.c; do
	[ -f "$src" ] || continue
	tool=${src##*/}
	tool=${tool%.c}
	page="$top_srcdir/man/$tool.1"
	[ -f "$page" ]
	tap_result $? "tools/$tool.c has man/$tool.1"
	# Each long option of --help is described in the page (.Fl -NAME).
	if ! command -v "$tool" >/dev/null 2>&1; then
		tap_result 0 "$tool.1 describes every option of $tool --help # SKIP $tool not built"
		continue
	fi
	missing=
	for opt in $("$tool" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -Eq "Fl -${opt#--}([^a-z-]|\$)" "$page" 2>/dev/null ||
			missing="$missing $opt"
	done
	[ -z "$missing" ]
	tap_result $? "$tool.1 describes every option of $tool --help"
	[ -z "$missing" ] || echo "#   not in man/$tool.1:$missing"
done

done_testing
