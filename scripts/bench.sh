#!/usr/bin/env bash
# Runs the benchmark suite and writes results/bench/bench-<backend>.txt: the
# raw `go test -bench` output of every package, concatenated, with the
# goos/goarch/pkg/cpu headers go test prints (benchstat reads it as is);
# then results/bench/roofline-<backend>.md (go run ./scripts/roofline): each
# pass's GFLOP/s as a fraction of the same run's GEMM rate.
#
#   model      BenchmarkForward/<net>, BenchmarkGradient/<net>   (256 samples per op)
#   curvature  BenchmarkHessianDiag/<net> (the paper's LM pass),
#              BenchmarkHessianDiagFull/<net>                     (the same 256 samples)
#   prune      BenchmarkSaliency/<net>    (OBD scores + selection to 50%, 256 samples)
#   sparse     BenchmarkDenseInference/<net>,
#              BenchmarkSparseInference/<net>/<% deleted>        (64 samples, single-threaded)
#   train      BenchmarkTrainEpoch/<net>, in float64,
#              BenchmarkTrainEpoch/float32/<net>, precision float32
#                                         (60,000 samples, batch 64; -benchtime=1x)
#              BenchmarkTrainMainJob/lenet1 (60,000 samples, the main
#                                         job's recipe: batch 32, lr 0.01)
#              BenchmarkTrainPerPattern/lenet1 (6,000 samples, batch 1,
#                                         the per-pattern recipe's lr 0.001)
#   prune      BenchmarkOBS/lenet1, BenchmarkOBSLayerwise/lenet300 (one chain of
#              deletions to 90%, -benchtime=1x, train-count times, -benchmem),
#              written apart to results/bench/obs-<backend>.txt
#   backend    BenchmarkGEMM/<float64|float32>/<net's products|512|1024>/<serial|parallel>
#                                         (the machine's matrix product rate)
#
# Every benchmark but GEMM also reports samples/s; Forward, Gradient,
# HessianDiag, HessianDiagFull and TrainEpoch report GFLOP/s (model.Net.FLOPs)
# and GEMM reports GFLOP/s (2·m·n·k per product). All but the training
# epochs run count times (default 5), GEMM right after the passes; the
# training epochs run train-count times (default 3: an epoch of lenet5 takes
# minutes with pure-Go BLAS).
#
# Usage: scripts/bench.sh [-tags openblas] [count [train-count]]
# Compare two files with: benchstat results/bench/bench-gonum.txt results/bench/bench-openblas.txt
# The measured sparse speedup table is made separately: go run ./scripts/sparsebench
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
train_count=${2:-3}
mkdir -p results/bench
out=results/bench/bench-$backend.txt
tmp=$out.tmp
echo "blas: $backend" >"$tmp"
run() {
	go test ${tags[@]+"${tags[@]}"} -p 1 -timeout 0 -run '^$' "$@" | tee -a "$tmp"
}
run -bench '^Benchmark(Forward|Gradient|HessianDiag|HessianDiagFull|Saliency|GEMM)$' -count "$count" ./model/ ./curvature/ ./prune/ ./backend/
run -bench '^Benchmark(Dense|Sparse)Inference$' -cpu 1 -count "$count" ./sparse/
run -bench '^Benchmark(TrainEpoch|TrainMainJob|TrainPerPattern)$' -benchtime 1x -count "$train_count" ./train/
mv "$tmp" "$out"
echo "wrote $out"
go run ./scripts/roofline "$out"
# OBS chains apart: an op is a whole chain (many seconds), and -benchmem's
# B/op, the bytes a chain allocates, bounds its memory.
obs=results/bench/obs-$backend.txt
echo "blas: $backend" >"$obs.tmp"
go test ${tags[@]+"${tags[@]}"} -p 1 -timeout 0 -run '^$' -bench '^BenchmarkOBS(Layerwise)?$' -benchtime 1x -count "$train_count" -benchmem ./prune/ | tee -a "$obs.tmp"
mv "$obs.tmp" "$obs"
echo "wrote $obs"
