#!/bin/sh
# startup_links.sh -- what keeps a tool's start cheap (README, "Start-up"),
# checked on the built objects, since a start's milliseconds are too
# noisy to test: the tools name OpenBLAS before any other library (so
# the loader finds its 12,000 load-time symbols at once), libdynkit does
# not name LAPACKE, ARPACK or FFTW where configure chose to load them at
# their first call, its stand-ins for their functions are not exported
# (they must never replace the library's own in a program that links
# it), and dk-info and dk-cat load no numeric library at all.
. "$top_srcdir/tests/lib.sh"

lib="$top_builddir/lib/.libs/libdynkit.so"
tool="$top_builddir/tools/.libs/dk-fixed"
command -v readelf >/dev/null 2>&1 || skip_all "no readelf"
[ -f "$lib" ] && [ -x "$tool" ] || skip_all "not a shared build"

# NEEDED entries in order, sanitizer runtimes (which must come first)
# left out
needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | grep -v 'san\.so'
}
# the functions an object exports (defined, in its dynamic symbol table)
exported() {
	readelf -W --dyn-syms "$1" | awk '$7 != "UND" && $5 != "LOCAL" { print $8 }'
}

if grep -q '^DK_LIBS_FIRST = -Wl' "$top_builddir/Makefile"; then
	first=$(needed "$tool" | head -n 1)
	case $first in
	libopenblas*) st=0 ;;
	*) st=1; echo "#   first NEEDED of dk-fixed: $first" ;;
	esac
	tap_result $st "dk-fixed names OpenBLAS first"
fi

if grep -q '^#define DK_LAPACKE_SONAME' "$top_builddir/config.h"; then
	needed "$lib" >"$tmp/needed"
	ok "libdynkit names none of LAPACKE, ARPACK and FFTW" \
		sh -c '! grep -e lapacke -e arpack -e fftw "$1"' sh "$tmp/needed"
	exported "$lib" >"$tmp/exported"
	ok "libdynkit exports no LAPACKE, ARPACK or FFTW function" \
		sh -c '! grep -e "^LAPACKE_" -e "^dnaupd_c" -e "^dneupd_c" -e "^fftw_" "$1"' \
		sh "$tmp/exported"
fi

for t in dk-info dk-cat; do
	ldd "$top_builddir/tools/.libs/$t" >"$tmp/ldd" 2>&1
	ok "$t loads no numeric library" \
		sh -c '! grep -e openblas -e lapack -e gsl -e fftw -e arpack "$1"' sh "$tmp/ldd"
done

done_testing
