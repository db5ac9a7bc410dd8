# lib.sh -- what the benchmark scripts that time dk-train against
# PyTorch share (sourced by fernn_vs_torch.sh and sheet_vs_torch.sh).

# timed CMD...: the wall and CPU nanoseconds of a command (CPU: user +
# system of the children this subshell waited for), on one line
timed() {
	local t0 t1 c0 c1 me=$BASHPID
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$me/stat")
	t0=$(date +%s%N)
	"$@" > /dev/null
	t1=$(date +%s%N)
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$me/stat")
	echo "$((t1 - t0)) $(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.0f", (b - a) / hz * 1e9 }')"
}
