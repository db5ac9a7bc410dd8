#!/bin/sh
# names.sh -- the record names are written once: no name is defined
# twice in lib/stream/names.h, every name there is documented in
# dk-stream(5)'s "Record names", every name documented there is in the
# header, and no tool spells a name of the header as a string literal
# instead of using its macro.

. "$top_srcdir/tests/lib.sh"

hdr="$top_srcdir/lib/stream/names.h"
page="$top_srcdir/man/dk-stream.5"

# the header's names (fp/* is a pattern, not a record)
sed -n 's/^#define DK_NAME_[A-Z0-9_]* *"\([^"]*\)".*/\1/p' "$hdr" | grep -v '\*' | sort -u >"$tmp/header"
# the page's: the words of the .It Li lines of the Record names list
awk '/^\.Ss Record names/ { on = 1; next } /^\.S[sh] / { on = 0 }
	on && /^\.It Li / { sub(/^\.It Li /, ""); gsub(/ , /, "\n"); print }' "$page" |
	sort -u >"$tmp/page"

twice=$(sed -n 's/^#define DK_NAME_[A-Z0-9_]* *"\([^"]*\)".*/\1/p' "$hdr" | sort | uniq -d | tr '\n' ' ')
is "$twice" "" "no name is defined twice in names.h"
[ -s "$tmp/header" ] && [ -s "$tmp/page" ]
tap_result $? "both lists are found"
missing=$(comm -23 "$tmp/header" "$tmp/page" | tr '\n' ' ')
is "$missing" "" "every name in names.h is documented in dk-stream(5)"
extra=$(comm -13 "$tmp/header" "$tmp/page" | tr '\n' ' ')
is "$extra" "" "every name documented in dk-stream(5) is in names.h"

# no tool or library file spells a record name of the header as a string
# literal of its own (axes named "input" are not records: only names with
# a slash, which axes never have, are checked)
literal=
for name in $(grep / "$tmp/header"); do
	hits=$(grep -l "\"$name\"" "$top_srcdir"/tools/*.c "$top_srcdir"/lib/*/*.c \
		"$top_srcdir"/lib/*/*/*.c 2>/dev/null)
	[ -z "$hits" ] || literal="$literal $name:$(echo $hits | tr ' ' ',')"
done
is "$literal" "" "names with a path are used through names.h, not spelled out"

done_testing
