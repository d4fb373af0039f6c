package curvature_test

import (
	"testing"

	"obd/curvature"
	"obd/model"
	"obd/model/nettest"
)

// benchDiagonal times curvature.Diagonal with estimator est, per network,
// over the 256 samples and parameters that BenchmarkForward and
// BenchmarkGradient (package model) use: nettest.Random(net, 256, 1) at
// net.Init(1), GOMAXPROCS workers. It reports samples/s and GFLOP/s
// (Net.FLOPs of pass, the engine pass that est makes).
func benchDiagonal(b *testing.B, est curvature.Estimator, pass model.Pass) {
	for _, name := range model.Names() {
		b.Run(name, func(b *testing.B) {
			net, _ := model.ByName(name)
			d := nettest.Random(net, 256, 1)
			theta := net.Init(1)
			e := model.NewEngine(net, 0)
			for b.Loop() {
				if _, err := curvature.Diagonal(e, theta, d, nil, est); err != nil {
					b.Fatal(err)
				}
			}
			samples := float64(b.N * d.N)
			b.ReportMetric(samples/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(samples*float64(net.FLOPs(pass))/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkHessianDiag is the paper's Hessian-diagonal pass (the
// Levenberg–Marquardt recursion, forward included), the one OBD's
// saliencies use. Its goal is at most 2× BenchmarkGradient's time.
func BenchmarkHessianDiag(b *testing.B) { benchDiagonal(b, curvature.LM, model.PassLM) }

// BenchmarkHessianDiagFull is the recursion that keeps the second-derivative
// terms of the squashing functions, which needs a gradient pass as well.
func BenchmarkHessianDiagFull(b *testing.B) { benchDiagonal(b, curvature.Full, model.PassFull) }
