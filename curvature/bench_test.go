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
// net.Init(1), GOMAXPROCS workers.
func benchDiagonal(b *testing.B, est curvature.Estimator) {
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
			b.ReportMetric(float64(b.N*d.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkHessianDiag is the paper's Hessian-diagonal pass (the
// Levenberg–Marquardt recursion, forward included), the one OBD's
// saliencies use. Its goal is at most 2× BenchmarkGradient's time.
func BenchmarkHessianDiag(b *testing.B) { benchDiagonal(b, curvature.LM) }

// BenchmarkHessianDiagFull is the recursion that keeps the second-derivative
// terms of the squashing functions, which needs a gradient pass as well.
func BenchmarkHessianDiagFull(b *testing.B) { benchDiagonal(b, curvature.Full) }
