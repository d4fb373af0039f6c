package claims

import (
	"fmt"
	"io"
	"strings"

	"obd/internal/gobench"
	"obd/report"
)

// benchPasses maps the benchmarks of the passes to the names PassTimes
// gives them.
var benchPasses = map[string]string{
	"BenchmarkForward": "forward", "BenchmarkGradient": "gradient",
	"BenchmarkHessianDiag": "hessian-lm", "BenchmarkHessianDiagFull": "hessian-full",
}

// Passes are the pass benchmarks of a file written by scripts/bench.sh.
type Passes struct {
	// NS is, per network and pass (forward, gradient, hessian-lm,
	// hessian-full), the mean ns/op.
	NS map[string]map[string]float64
	// Procs is the largest GOMAXPROCS of the pass benchmarks.
	Procs int
	// SamplesPerOp is the samples one op processes, samples/s × s/op,
	// averaged over the pass benchmarks that report samples/s (NaN when
	// none does).
	SamplesPerOp float64
	// BLAS is the file's "blas:" configuration line.
	BLAS string
}

// PassTimes reads a benchmark file written by scripts/bench.sh (name is
// the file, for errors). Other benchmarks are skipped; a file without any
// pass benchmark is an error.
func PassTimes(r io.Reader, name string) (Passes, error) {
	bf, err := gobench.Parse(r, name)
	if err != nil {
		return Passes{}, err
	}
	ps := Passes{BLAS: bf.Config["blas"]}
	var spo []float64
	sum := map[string]map[string]float64{}
	n := map[string]int{}
	for _, r := range bf.Results {
		// Gradient/lenet1: the pass's benchmark, then the network.
		bench, net, ok := strings.Cut(r.Name, "/")
		pass := benchPasses["Benchmark"+bench]
		if !ok || pass == "" || strings.Contains(net, "/") {
			continue
		}
		if sum[net] == nil {
			sum[net] = map[string]float64{}
		}
		sum[net][pass] += r.Values["ns/op"]
		n[net+"/"+pass]++
		ps.Procs = max(ps.Procs, r.Procs)
		if v, ok := r.Values["samples/s"]; ok {
			spo = append(spo, v*r.Values["ns/op"]/1e9)
		}
	}
	if len(sum) == 0 {
		return Passes{}, fmt.Errorf("%s: no pass benchmarks", name)
	}
	for net, m := range sum {
		for pass := range m {
			m[pass] /= float64(n[net+"/"+pass])
		}
	}
	ps.NS, ps.SamplesPerOp = sum, report.Describe(spo).Mean
	return ps, nil
}
