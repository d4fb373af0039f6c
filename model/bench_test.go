package model_test

import (
	"testing"

	"obd/model"
	"obd/model/nettest"
)

// benchSamples is the number of samples per op of the pass benchmarks
// (BenchmarkForward and BenchmarkGradient here, BenchmarkHessianDiag in
// curvature): all three run over nettest.Random(net, 256, 1) at
// net.Init(1), so that their ns/op compare directly.
const benchSamples = 256

// benchPass times one pass of the engine (GOMAXPROCS workers) over the
// shared benchmark samples, per network, and reports samples/s and GFLOP/s
// (Net.FLOPs: the network's connections, not the products executed).
func benchPass(b *testing.B, pass model.Pass) {
	for _, name := range model.Names() {
		b.Run(name, func(b *testing.B) {
			net, _ := model.ByName(name)
			d := nettest.Random(net, benchSamples, 1)
			theta := net.Init(1)
			e := model.NewEngine(net, 0)
			var acc []float64
			if pass != model.PassEval {
				acc = make([]float64, len(theta))
			}
			for b.Loop() {
				e.Sum(theta, d, nil, pass, acc)
			}
			samples := float64(b.N * d.N)
			b.ReportMetric(samples/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(samples*float64(net.FLOPs(pass))/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkForward is an evaluation pass (forward and loss) over 256
// samples.
func BenchmarkForward(b *testing.B) { benchPass(b, model.PassEval) }

// BenchmarkGradient is a gradient pass (forward, loss, backward) over the
// same 256 samples; BenchmarkHessianDiag in curvature is measured against
// it.
func BenchmarkGradient(b *testing.B) { benchPass(b, model.PassGrad) }
