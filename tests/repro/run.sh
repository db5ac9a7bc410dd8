#!/bin/bash
# run.sh -- run every reproduction of tests/repro/ and print their table.
#
# Runs adding.sh, copy.sh, flipflop.sh, fmnist.sh, flow.sh, waves.sh, drum.sh
# and shapes.sh in
# turn (or the ones named as arguments) and prints, in Markdown, the
# OpenBLAS settings found in the environment and one table row per model
# trained.  The step counts
# and losses depend on the seeds alone, not on the machine's load (but
# shapes.sh's, a CPU budget, unless SHAPES_STEPS fixes them); the
# whole run takes about half an hour of CPU time.  Each script's opening
# comment says what it trains and how it measures.  Environment: as lib.sh
# says, and the step caps ADDING_WRNN_STEPS, ADDING_IRNN_STEPS, COPY_STEPS,
# FLIPFLOP_STEPS, FMNIST_STEPS, FLOW_STEPS and WAVES_STEPS, drum.sh's
# DRUM_BATCH, and shapes.sh's SHAPES_MINUTES, SHAPES_STEPS and SHAPES_T.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

printf 'OpenBLAS: %s\n\n' "$(blas_settings)"
echo '| task | model | size | steps | paper | measured | commands |'
echo '|---|---|---|---|---|---|---|'
for s in ${*:-adding copy flipflop fmnist flow waves drum shapes}; do
	bash "$here/$s.sh"
done
