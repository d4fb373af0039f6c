package train_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/train"
)

var cfg = train.Config{Epochs: 3, BatchSize: 8, LR: 0.05, Momentum: 0.9, WeightDecay: 1e-3,
	Schedule: train.Schedule{Kind: "exp", Gamma: 0.9}, Seed: 1}

// A deleted parameter is exactly 0 after training, through momentum and
// weight decay, while the kept ones move.
func TestMaskedParametersStayZero(t *testing.T) {
	sdlm := cfg
	sdlm.SDLM = train.SDLM{Mu: 0.02, Samples: 16}
	for _, cfg := range []train.Config{cfg, sdlm} {
		for _, net := range nettest.TinyNets() {
			maskedStayZero(t, net, cfg)
		}
	}
}

func maskedStayZero(t *testing.T, net *model.Net, cfg train.Config) {
	t.Helper()
	theta, d := nettest.RandomProblem(net, 40, 1)
	e := model.NewEngine(net, 2)
	// Train dense first so that every parameter has a gradient and
	// the optimizer has built up momentum, then delete every third.
	if err := train.SGD(context.Background(), e, theta, nil, d, cfg, nil); err != nil {
		t.Fatal(err)
	}
	mask := make([]bool, len(theta))
	for k := range mask {
		mask[k] = k%3 != 0
	}
	g := nettest.Gradient(net, theta, d)
	before := append([]float64(nil), theta...)
	if err := train.SGD(context.Background(), e, theta, mask, d, cfg, nil); err != nil {
		t.Fatal(err)
	}
	moved := 0
	for k, v := range theta {
		if !mask[k] && v != 0 {
			t.Errorf("%s: deleted %s = %g after training (gradient there %g)", net.Name, net.ParamName(k), v, g[k])
		}
		if mask[k] && v != before[k] {
			moved++
		}
	}
	if moved == 0 {
		t.Errorf("%s: no kept parameter moved", net.Name)
	}
}

// The same seed gives the same parameters bit for bit, whatever the
// number of workers; another seed gives others.
func TestSGDDeterministic(t *testing.T) {
	net := nettest.TinyNets()[0]
	run := func(workers int, seed uint64) []float64 {
		theta, d := nettest.RandomProblem(net, 50, 2)
		c := cfg
		c.Seed = seed
		if err := train.SGD(context.Background(), model.NewEngine(net, workers), theta, nil, d, c, nil); err != nil {
			t.Fatal(err)
		}
		return theta
	}
	a, b, c := run(1, 1), run(3, 1), run(2, 2)
	same := true
	for k := range a {
		if a[k] != b[k] {
			t.Fatalf("θ[%d]: %v with 1 worker, %v with 3", k, a[k], b[k])
		}
		same = same && a[k] == c[k]
	}
	if same {
		t.Error("a different shuffling seed gave identical parameters")
	}
}

// Training lowers the objective, and reports each epoch.
func TestSGDLowersObjective(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 64, 3)
		theta = net.Init(3)
		before := nettest.Objective(net, theta, d)
		var epochs []train.Epoch
		c := cfg
		c.Epochs, c.LR = 10, 0.01
		if err := train.SGD(context.Background(), model.NewEngine(net, 2), theta, nil, d, c, func(ep train.Epoch) { epochs = append(epochs, ep) }); err != nil {
			t.Fatal(err)
		}
		after := nettest.Objective(net, theta, d)
		if !(after < 0.8*before) {
			t.Errorf("%s: objective %g → %g", net.Name, before, after)
		}
		if len(epochs) != 10 || epochs[9].Epoch != 10 || math.Abs(epochs[9].LR-c.LR*math.Pow(0.9, 9)) > 1e-15 {
			t.Errorf("%s: epoch reports %+v", net.Name, epochs)
		}
	}
}

func TestDivergenceIsAnError(t *testing.T) {
	net := nettest.TinyNets()[1] // softmax cross-entropy: unbounded logits
	theta, d := nettest.RandomProblem(net, 16, 4)
	c := cfg
	c.LR, c.Epochs = 1e150, 20
	err := train.SGD(context.Background(), model.NewEngine(net, 1), theta, nil, d, c, nil)
	if !errors.Is(err, train.ErrDiverged) {
		t.Fatalf("learning rate 1e6: err = %v, want ErrDiverged", err)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []train.Config{
		{Epochs: 1, BatchSize: 0, LR: 0.1},
		{Epochs: 1, BatchSize: 8, LR: 0},
		{Epochs: 1, BatchSize: 8, LR: math.NaN()},
		{Epochs: 1, BatchSize: 8, LR: 0.1, Momentum: 1},
		{Epochs: -1, BatchSize: 8, LR: 0.1},
		{Epochs: 1, BatchSize: 8, LR: 0.1, WeightDecay: -1},
		{Epochs: 1, BatchSize: 8, LR: 0.1, Schedule: train.Schedule{Kind: "cosine"}},
		{Epochs: 1, BatchSize: 8, LR: 0.1, SDLM: train.SDLM{Mu: -1, Samples: 10}},
		{Epochs: 1, BatchSize: 8, LR: 0.1, SDLM: train.SDLM{Mu: 0.02}},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

// With SDLM, one full-batch step without momentum moves parameter k by
// −lr·g_k/(μ + h_k), g and h the mean gradient and LM Hessian diagonal
// over the samples.
func TestSDLMStep(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 24, 5)
		e := model.NewEngine(net, 2)
		g := make([]float64, len(theta))
		h := make([]float64, len(theta))
		e.Sum(theta, d, nil, model.PassGrad, g)
		e.Sum(theta, d, nil, model.PassLM, h)
		c := train.Config{Epochs: 1, BatchSize: d.N, LR: 0.1, SDLM: train.SDLM{Mu: 0.5, Samples: d.N}}
		got := append([]float64(nil), theta...)
		if err := train.SGD(context.Background(), e, got, nil, d, c, nil); err != nil {
			t.Fatal(err)
		}
		n := float64(d.N)
		for k := range theta {
			want := theta[k] - c.LR*(g[k]/n)/(c.SDLM.Mu+h[k]/n)
			if diff := math.Abs(got[k] - want); diff > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("%s: %s = %.15g after an SDLM step, want %.15g", net.Name, net.ParamName(k), got[k], want)
			}
		}
		// Curvature slows the step: some parameter moved less than plain
		// SGD at lr/μ would move it.
		slower := false
		for k := range theta {
			if h[k] > 0 && math.Abs(got[k]-theta[k]) < 0.999*c.LR/c.SDLM.Mu*math.Abs(g[k]/n) {
				slower = true
			}
		}
		if !slower {
			t.Errorf("%s: no step was scaled down by its curvature", net.Name)
		}
	}
}
