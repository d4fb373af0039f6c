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

// BenchmarkOBS is one OBS chain on lenet1 as a one-shot sweep runs it:
// the Gauss–Newton Hessian over 256 samples (those of BenchmarkSaliency)
// at net.Init(1), damped by the default 0.01, its Cholesky inverse, then
// one deletion at a time with corrections and rank-one downdates of H⁻¹
// to 90% of the free parameters deleted (2320 deletions), no
// recomputation; GOMAXPROCS workers. Memory: 4 × 2578² float64 = 213 MB
// at the peak (OBS's doc).
// Goal (issue #20): within 2 minutes on 2 cores. It reports the seconds
// per chain and the deletions per second.
func BenchmarkOBS(b *testing.B) {
	b.Run("lenet1", func(b *testing.B) {
		n := benchChain(b, model.LeNet1(), "obs")
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deletions/s")
	})
}

// benchChain times one chain of an Updater method from net.Init(1), over
// 256 random samples, to 90% of the free parameters deleted, reports the
// seconds per chain, and returns the number of deletions in a chain.
func benchChain(b *testing.B, net *model.Net, method string) int {
	d := nettest.Random(net, 256, 1)
	st := &prune.State{Engine: model.NewEngine(net, 0), Theta: net.Init(1), Train: d, Seed: 1}
	m, err := prune.New(method)
	if err != nil {
		b.Fatal(err)
	}
	n := int(0.9 * float64(net.NumParams()))
	for b.Loop() {
		sg, err := m.(prune.Updater).Surgeon(st)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, _, err := sg.DeleteTo(n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/chain")
	return n
}

// BenchmarkOBSLayerwise is one obs-layerwise chain on lenet300 as a
// one-shot sweep runs it: the Hessians of the three layers'
// reconstruction errors over 256 samples (those of BenchmarkSaliency) at
// net.Init(1) (785², 301² and 101² float64: 5.7 MB), the greedy path of
// each of the 410 rows (fc1's 300 rows share one inverse of 785²), then
// the least costly deletions over all rows to 90% of the free parameters
// deleted and each row's least-squares correction; GOMAXPROCS workers. It
// reports the seconds per chain.
func BenchmarkOBSLayerwise(b *testing.B) {
	b.Run("lenet300", func(b *testing.B) { benchChain(b, model.LeNet300(), "obs-layerwise") })
}
