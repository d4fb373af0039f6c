package prune_test

import (
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/prune"
)

// BenchmarkSaliency is one OBD pruning decision, as a schedule step makes
// it: the saliencies from the paper's LM Hessian diagonal (prune.New("obd")
// Scores) over 256 samples, then prune.Select down to 50% of the free
// parameters, globally. The samples and parameters are those of
// BenchmarkGradient (package model) and BenchmarkHessianDiag (package
// curvature); GOMAXPROCS workers.
func BenchmarkSaliency(b *testing.B) {
	m, err := prune.New("obd")
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range model.Names() {
		b.Run(name, func(b *testing.B) {
			net, _ := model.ByName(name)
			d := nettest.Random(net, 256, 1)
			st := &prune.State{Engine: model.NewEngine(net, 0), Theta: net.Init(1), Train: d, Seed: 1}
			for b.Loop() {
				scores, err := m.Scores(st)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := prune.Select(net, scores, nil, 0.5, prune.Global); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*d.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
