package claims

import (
	"math"
	"strings"
	"testing"
)

// PassTimes reads scripts/bench.sh's output: the pass benchmarks' mean
// ns/op per network, other benchmarks and noise skipped.
func TestPassTimes(t *testing.T) {
	ps, err := PassTimes(strings.NewReader(`blas: gonum
goos: linux
pkg: obd/model
BenchmarkForward/lenet1-2         	      62	  10000000 ns/op	     13672 samples/s
BenchmarkGradient/lenet1-2        	      33	  30000000 ns/op	      6983 samples/s
BenchmarkGradient/lenet1-2        	      33	  34000000 ns/op	      6983 samples/s
pkg: obd/curvature
BenchmarkHessianDiag/lenet1-2     	      26	  40000000 ns/op	      6534 samples/s
BenchmarkHessianDiagFull/lenet1-2 	      18	  50000000 ns/op	      4481 samples/s
BenchmarkSparseInference/lenet300/50 	  100	  1000 ns/op
BenchmarkHessianDiag/lenet300     	      26	  7000000 ns/op
garbage line
`), "bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := ps.NS
	// samples/s × s/op of lenet1's five lines: forward 13672 × 0.01,
	// gradient 6983 × 0.03 and × 0.034, LM 6534 × 0.04, full 4481 × 0.05.
	if ps.Procs != 2 || ps.BLAS != "gonum" || math.Abs(ps.SamplesPerOp-(136.72+209.49+237.422+261.36+224.05)/5) > 1e-9 {
		t.Errorf("procs %d, BLAS %q, samples per op %v", ps.Procs, ps.BLAS, ps.SamplesPerOp)
	}
	want := map[string]map[string]float64{
		"lenet1":   {"forward": 1e7, "gradient": 3.2e7, "hessian-lm": 4e7, "hessian-full": 5e7},
		"lenet300": {"hessian-lm": 7e6},
	}
	for net, passes := range want {
		for pass, ns := range passes {
			if m[net][pass] != ns {
				t.Errorf("%s %s: %v ns, want %v", net, pass, m[net][pass], ns)
			}
		}
	}
	if len(m) != 2 {
		t.Errorf("networks %v, want lenet1 and lenet300 only", m)
	}
	// lenet300 has no gradient pass: only lenet1 makes a row and a ratio.
	if _, rows := PassRows(m); len(rows) != 1 || rows[0][4] != "1.25×" || rows[0][5] != "1.56×" {
		t.Errorf("rows %v", rows)
	}
	if s := PassRatio(m, "hessian-lm"); s.N != 1 || math.Abs(s.Mean-1.25) > 1e-12 {
		t.Errorf("LM ratio %+v, want 1.25 over 1 network", s)
	}
	if _, err := PassTimes(strings.NewReader("nothing here\n"), "bench.txt"); err == nil {
		t.Error("no error for a file without pass benchmarks")
	}
}
