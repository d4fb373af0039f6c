package curvature_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"obd/model"
)

// benchData is n random inputs with random labels for net.
func benchData(net *model.Net, n int) *model.Data {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &model.Data{X: make([]float64, n*net.Input.Size()), Labels: make([]uint8, n), N: n}
	for i := range d.X {
		d.X[i] = rng.Float64()
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(net.Outputs()))
	}
	d.T = net.Loss.Targets(d.Labels, net.Outputs())
	return d
}

// BenchmarkPass compares, per network, a gradient pass with the paper's
// Hessian-diagonal pass (LM and full) over the same 256 samples. The
// Hessian pass's goal is at most 2× the gradient pass.
func BenchmarkPass(b *testing.B) {
	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		d := benchData(net, 256)
		theta := net.Init(1)
		out := make([]float64, len(theta))
		e := model.NewEngine(net, 0)
		for _, p := range []struct {
			name string
			pass model.Pass
		}{{"forward", model.PassEval}, {"gradient", model.PassGrad}, {"hessian-lm", model.PassLM}, {"hessian-full", model.PassFull}} {
			b.Run(fmt.Sprintf("%s/%s", name, p.name), func(b *testing.B) {
				for b.Loop() {
					acc := out
					if p.pass == model.PassEval {
						acc = nil
					}
					e.Sum(theta, d, nil, p.pass, acc)
				}
				b.ReportMetric(float64(b.N*d.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
