package claims

import (
	"fmt"
	"io"
	"strings"

	"obd/internal/gobench"
)

// benchPasses maps the benchmarks of the passes to the names PassTimes
// gives them.
var benchPasses = map[string]string{
	"BenchmarkForward": "forward", "BenchmarkGradient": "gradient",
	"BenchmarkHessianDiag": "hessian-lm", "BenchmarkHessianDiagFull": "hessian-full",
}

// PassTimes reads a benchmark file written by scripts/bench.sh (name is
// the file, for errors) and returns, per network, the mean ns/op of each
// pass: forward, gradient, hessian-lm, hessian-full. Other benchmarks are
// skipped; a file without any pass benchmark is an error.
func PassTimes(r io.Reader, name string) (map[string]map[string]float64, error) {
	bf, err := gobench.Parse(r, name)
	if err != nil {
		return nil, err
	}
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
	}
	if len(sum) == 0 {
		return nil, fmt.Errorf("%s: no pass benchmarks", name)
	}
	for net, m := range sum {
		for pass := range m {
			m[pass] /= float64(n[net+"/"+pass])
		}
	}
	return sum, nil
}
