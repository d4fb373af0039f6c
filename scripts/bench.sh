#!/usr/bin/env bash
# Runs the pass benchmarks (forward, gradient, Hessian diagonal per network)
# and writes results/bench/passes-<backend>.txt in the format benchstat reads.
# Usage: scripts/bench.sh [-tags openblas] [count]
set -euo pipefail
cd "$(dirname "$0")/.."
tags=()
backend=gonum
if [ "${1:-}" = "-tags" ]; then
	tags=(-tags "$2")
	backend=$2
	shift 2
fi
count=${1:-5}
mkdir -p results/bench
out=results/bench/passes-$backend.txt
go test "${tags[@]}" -run '^$' -bench 'Pass' -count "$count" ./curvature/ | tee "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
