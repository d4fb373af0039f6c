package train_test

import (
	"context"
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/train"
)

// epochLR is the dense training rate of each network's shipped
// definitions (experiments/definitions/*.yaml: paper-fig1, han-lenet300,
// han-lenet5).
var epochLR = map[string]float64{"lenet1": 0.01, "lenet300": 0.05, "lenet5": 0.01}

// BenchmarkTrainEpoch is one training epoch: train.SGD over 60,000 random
// images (nettest.Random, the size of MNIST's training set) in minibatches
// of 64 with momentum 0.9 and the network's dense learning rate, from
// net.Init(1), GOMAXPROCS workers: BenchmarkTrainEpoch/<net> in float64,
// BenchmarkTrainEpoch/float32/<net> with the recipe's precision float32
// (the float32 group is a sibling of the networks so that the float64
// names stay as they were; scripts/roofline sets it against the float32
// GEMM rates, scripts/benchcompare sets both against PyTorch). Besides
// samples/s it reports GFLOP/s, counting a training step as a gradient
// pass over its minibatch (Net.FLOPs(model.PassGrad) per sample; the
// update is left out), in either precision. An op takes from seconds
// (lenet1, lenet300) to minutes (lenet5 with pure-Go BLAS): run it with
// -benchtime=1x.
func BenchmarkTrainEpoch(b *testing.B) {
	for _, name := range model.Names() {
		b.Run(name, func(b *testing.B) { benchEpoch(b, name, train.Float64) })
	}
	b.Run(string(train.Float32), func(b *testing.B) {
		for _, name := range model.Names() {
			b.Run(name, func(b *testing.B) { benchEpoch(b, name, train.Float32) })
		}
	})
}

func benchEpoch(b *testing.B, name string, prec train.Precision) {
	benchTrain(b, name, prec, 60000, 64, epochLR[name])
}

// BenchmarkTrainMainJob is one training epoch of lenet1 with the main
// job's recipe (experiments/definitions/paper-fig1.yaml, paper-fig2.yaml and
// lenet1-retrain.yaml: minibatches of 32, learning rate 0.01, momentum 0.9)
// over 60,000 random images, GOMAXPROCS workers; it reports what
// BenchmarkTrainEpoch reports. Issue #18 sets its GFLOP/s against the GEMM
// rate of lenet1's own products (BenchmarkGEMM/float64/lenet1/parallel:
// the products of a 16-sample chunk, one worker's share of a minibatch of
// 32) and BenchmarkTrainPerPattern against its samples/s.
func BenchmarkTrainMainJob(b *testing.B) {
	b.Run("lenet1", func(b *testing.B) { benchTrain(b, "lenet1", train.Float64, 60000, 32, 0.01) })
}

// BenchmarkTrainPerPattern is lenet1 trained with per-pattern updates
// (minibatches of 1, the paper's protocol) at the per-pattern recipe's rate
// (experiments/variants/lenet1-per-pattern.yaml: learning rate 0.001,
// momentum 0.9) over 6,000 random images, a tenth of an epoch: its
// samples/s against BenchmarkTrainMainJob/lenet1's say how much longer an
// epoch takes pattern by pattern. Each update depends on the one before,
// so it runs one sample at a time, on one worker's goroutine. The rate
// matters for the time, not only for the numbers: at the minibatch rate
// (0.01) per-pattern steps drive the units into the range where math.Tanh
// computes an exponential, and the epoch takes longer.
func BenchmarkTrainPerPattern(b *testing.B) {
	b.Run("lenet1", func(b *testing.B) { benchTrain(b, "lenet1", train.Float64, 6000, 1, 0.001) })
}

// benchTrain trains one epoch of n random images in minibatches of batch
// samples at learning rate lr and reports samples/s and GFLOP/s (see
// BenchmarkTrainEpoch).
func benchTrain(b *testing.B, name string, prec train.Precision, n, batch int, lr float64) {
	net, _ := model.ByName(name)
	d := nettest.Random(net, n, 1)
	init := net.Init(1)
	theta := make([]float64, len(init))
	e := model.NewEngine(net, 0)
	cfg := train.Recipe{Epochs: 1, BatchSize: batch, LR: lr, Momentum: 0.9, Precision: prec}
	for b.Loop() {
		b.StopTimer()
		copy(theta, init)
		b.StartTimer()
		if err := train.SGD(context.Background(), e, theta, nil, d, cfg, 1, nil); err != nil {
			b.Fatal(err)
		}
	}
	samples := float64(b.N * d.N)
	b.ReportMetric(samples/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(samples*float64(net.FLOPs(model.PassGrad))/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
