// Command sparsebench measures what pruning buys in inference time: for
// each network and deletion level it times the sparse forward pass of
// package sparse against the dense harness's forward pass, single-threaded,
// and writes results/bench/sparse-<backend>.md, a table per network with
// the measured time ratio beside the theoretical one (remaining
// multiply-accumulates over the dense net's).
//
//	go run ./scripts/sparsebench [-out results] [-count 3] [-benchtime 1s]
//	go run -tags openblas ./scripts/sparsebench
//
// The workload is that of BenchmarkDenseInference and
// BenchmarkSparseInference (sparse/bench_test.go): 64 random samples per
// op, sparse.BenchTheta parameters, per-layer magnitude masks.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"obd/backend"
	"obd/internal/atomicfile"
	"obd/model"
	"obd/model/nettest"
	"obd/prune"
	"obd/report"
	"obd/sparse"
)

func main() {
	fs := flag.NewFlagSet("sparsebench", flag.ExitOnError)
	out := fs.String("out", "results", "output directory: writes OUT/bench/sparse-<backend>.md")
	count := fs.Int("count", 3, "runs of each benchmark; the table gives the median")
	benchtime := fs.String("benchtime", "1s", "time per run, as go test's -benchtime (e.g. 2s or 20x)")
	fs.Parse(os.Args[1:])
	if *count < 1 {
		fmt.Fprintln(os.Stderr, "sparsebench: -count must be at least 1")
		os.Exit(2)
	}
	testing.Init()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fmt.Fprintf(os.Stderr, "sparsebench: -benchtime %s: %v\n", *benchtime, err)
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1) // both passes single-threaded (gonum's Dgemm would otherwise split products)

	cmd := "go run"
	if backend.Name() != "gonum" {
		cmd += " -tags " + backend.Name()
	}
	cmd += " ./scripts/sparsebench"
	if len(os.Args) > 1 {
		cmd += " " + strings.Join(os.Args[1:], " ")
	}
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Sparse inference: measured time against multiply-accumulates\n\n")
	p("Made by `%s` (BLAS backend %s, %s, %s/%s, %d CPUs seen, load average %s at the start). ",
		cmd, backend.Name(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), loadavg())
	p("Each op is one forward pass over %d random samples (nettest.Random), single-threaded for both passes "+
		"(GOMAXPROCS 1); times are the median of %d runs of `testing.Benchmark` (benchtime %s each), "+
		"the workload of `BenchmarkDenseInference` and `BenchmarkSparseInference` in `sparse/`.\n\n",
		sparse.BenchBatch, *count, *benchtime)
	p("*dense* is the harness's forward pass (`model.Workspace.Forward`, one matrix product per layer for the " +
		"whole batch through the BLAS backend; its time does not depend on which parameters are zero, so it is " +
		"measured once, on the unpruned parameters); *sparse* is " +
		"package `sparse`'s pass, which stores and visits the surviving parameters only (CSR rows for fully " +
		"connected layers, per-map lists of surviving kernel weights for convolutions; pure Go). The parameters " +
		"are a random initialisation (`sparse.BenchTheta`) and each layer loses the given fraction of its free " +
		"parameters by magnitude (`sparse.MagnitudeMask`). *MAC ratio* is the remaining multiply-accumulates " +
		"per sample over the dense net's (`prune.Count`'s connections, biases included): the theoretical time " +
		"ratio. *time ratio* is sparse time over dense time: below 1 the sparse pass is faster. The 0%% row " +
		"compares the two kernels on the same multiply-accumulates: read the other rows' speedups against it.\n")

	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		theta := sparse.BenchTheta(net, 1)
		d := nettest.Random(net, sparse.BenchBatch, 1)
		ws := net.NewWorkspace(d.N)
		copy(ws.X, d.X)
		dense := measure(*count, func() { ws.Forward(theta, d.N) })
		fmt.Fprintf(os.Stderr, "%s dense: %.3f ms per op\n", name, dense/1e6)
		p("\n## %s\n\n", name)
		p("Dense: %d multiply-accumulates per sample, %.3f ms per %d samples (%.0f samples/s).\n\n",
			net.Connections(), dense/1e6, d.N, samplesPerSec(d.N, dense))
		var rows [][]string
		for _, pct := range sparse.BenchDeleted {
			mask, err := sparse.MagnitudeMask(net, theta, float64(pct)/100)
			if err != nil {
				fail(err)
			}
			sp, err := sparse.New(net, theta, mask)
			if err != nil {
				fail(err)
			}
			ns := measure(*count, func() { sp.Forward(d.X, d.N) })
			_, conns := prune.Count(net, mask)
			macRatio := float64(conns) / float64(net.Connections())
			fmt.Fprintf(os.Stderr, "%s %d%%: %.3f ms per op\n", name, pct, ns/1e6)
			rows = append(rows, []string{
				fmt.Sprintf("%d%%", pct),
				fmt.Sprint(conns),
				fmt.Sprintf("%.3f", ns/1e6),
				fmt.Sprintf("%.0f", samplesPerSec(d.N, ns)),
				fmt.Sprintf("%.3f", macRatio),
				fmt.Sprintf("%.3f", ns/dense),
				fmt.Sprintf("%.2f×", dense/ns),
			})
		}
		if err := report.MarkdownTable(&b, []string{"deleted", "MACs per sample",
			fmt.Sprintf("sparse ms per %d samples", d.N), "sparse samples/s", "MAC ratio", "time ratio (sparse/dense)",
			"measured speedup"}, rows); err != nil {
			fail(err)
		}
	}
	path := filepath.Join(*out, "bench", "sparse-"+backend.Name()+".md")
	if err := atomicfile.Write(path, b.Bytes()); err != nil {
		fail(err)
	}
	fmt.Fprintln(os.Stderr, "wrote", path)
}

// measure returns the median ns per op of count runs of op under
// testing.Benchmark.
func measure(count int, op func()) float64 {
	var ns []float64
	for range count {
		r := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				op()
			}
		})
		ns = append(ns, float64(r.T.Nanoseconds())/float64(r.N))
	}
	slices.Sort(ns)
	if len(ns)%2 == 1 {
		return ns[len(ns)/2]
	}
	return (ns[len(ns)/2-1] + ns[len(ns)/2]) / 2
}

func samplesPerSec(n int, nsPerOp float64) float64 {
	return float64(n) / (nsPerOp / float64(time.Second))
}

// loadavg is the 1-minute load average, or "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sparsebench:", err)
	os.Exit(1)
}
