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

var cfg = train.Recipe{Epochs: 3, BatchSize: 8, LR: 0.05, Momentum: 0.9, WeightDecay: 1e-3,
	LRSchedule: train.Exp, LRGamma: 0.9}

// A deleted parameter is exactly 0 after training, through momentum and
// weight decay, while the kept ones move: with SGD and SDLM, and in
// float32.
func TestMaskedParametersStayZero(t *testing.T) {
	sdlm := cfg
	sdlm.SDLMMu, sdlm.SDLMSamples = 0.02, 16
	for _, cfg := range []train.Recipe{cfg, sdlm, cfg32} {
		for _, net := range nettest.TinyNets() {
			maskedStayZero(t, net, cfg)
		}
	}
}

func maskedStayZero(t *testing.T, net *model.Net, cfg train.Recipe) {
	t.Helper()
	theta, d := nettest.RandomProblem(net, 40, 1)
	e := model.NewEngine(net, 2)
	// Train dense first so that every parameter has a gradient and
	// the optimizer has built up momentum, then delete every third.
	if err := train.SGD(context.Background(), e, theta, nil, d, cfg, 1, nil); err != nil {
		t.Fatal(err)
	}
	mask := make([]bool, len(theta))
	for k := range mask {
		mask[k] = k%3 != 0
	}
	g := nettest.Gradient(net, theta, d)
	before := append([]float64(nil), theta...)
	if err := train.SGD(context.Background(), e, theta, mask, d, cfg, 1, nil); err != nil {
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
		if err := train.SGD(context.Background(), model.NewEngine(net, workers), theta, nil, d, cfg, seed, nil); err != nil {
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
		if err := train.SGD(context.Background(), model.NewEngine(net, 2), theta, nil, d, c, 1, func(ep train.Epoch) bool { epochs = append(epochs, ep); return false }); err != nil {
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
	err := train.SGD(context.Background(), model.NewEngine(net, 1), theta, nil, d, c, 1, nil)
	if !errors.Is(err, train.ErrDiverged) {
		t.Fatalf("learning rate 1e6: err = %v, want ErrDiverged", err)
	}
}

// Every setting that cannot work is refused, naming the field as a
// definition writes it; an unknown schedule is an error, never silently
// constant.
func TestRecipeValidate(t *testing.T) {
	ok := train.Recipe{Epochs: 1, BatchSize: 8, LR: 0.1}
	for _, c := range []struct {
		edit  func(*train.Recipe)
		field string
	}{
		{func(r *train.Recipe) { r.Epochs = 0 }, "epochs"},
		{func(r *train.Recipe) { r.Epochs = -1 }, "epochs"},
		{func(r *train.Recipe) { r.BatchSize = 0 }, "batch_size"},
		{func(r *train.Recipe) { r.LR = 0 }, "lr"},
		{func(r *train.Recipe) { r.LR = math.NaN() }, "lr"},
		{func(r *train.Recipe) { r.LR = math.Inf(1) }, "lr"},
		{func(r *train.Recipe) { r.Momentum = 1 }, "momentum"},
		{func(r *train.Recipe) { r.WeightDecay = -1 }, "weight_decay"},
		{func(r *train.Recipe) { r.LRSchedule = "cosine" }, "lr_schedule"},
		{func(r *train.Recipe) { r.LRSchedule = train.Exp }, "lr_gamma"},
		{func(r *train.Recipe) { r.LRSchedule, r.LRGamma = train.Exp, 1.5 }, "lr_gamma"},
		{func(r *train.Recipe) { r.LRSchedule, r.LRGamma = train.StepLR, 0.5 }, "lr_step"},
		// Decay settings the schedule would ignore.
		{func(r *train.Recipe) { r.LRSchedule, r.LRGamma = train.Constant, 0.5 }, "lr_gamma"},
		{func(r *train.Recipe) { r.LRSchedule, r.LRGamma = "", 0.5 }, "lr_gamma"},
		{func(r *train.Recipe) { r.LRSchedule, r.LRGamma, r.LRStep = train.Exp, 0.5, 3 }, "lr_step"},
		{func(r *train.Recipe) { r.LRStep = 3 }, "lr_step"},
		{func(r *train.Recipe) { r.SDLMMu, r.SDLMSamples = -1, 10 }, "sdlm_mu"},
		{func(r *train.Recipe) { r.SDLMMu = 0.02 }, "sdlm_samples"},
		{func(r *train.Recipe) { r.SDLMSamples = 10 }, "sdlm_samples"},
		{func(r *train.Recipe) { r.Precision = "float16" }, "precision"},
		{func(r *train.Recipe) { r.Precision = "Float32" }, "precision"},
		{func(r *train.Recipe) { r.Precision = "f32" }, "precision"},
		{func(r *train.Recipe) { r.Precision, r.SDLMMu, r.SDLMSamples = train.Float32, 0.02, 10 }, "precision"},
	} {
		r := ok
		c.edit(&r)
		var fe *train.FieldError
		if err := r.Validate(); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: error %v, want one naming %s", r, err, c.field)
		}
	}
	for _, r := range []train.Recipe{ok, cfg, cfg32, {Epochs: 1, BatchSize: 1, LR: 1, LRSchedule: train.StepLR, LRGamma: 0.5, LRStep: 2},
		{Epochs: 1, BatchSize: 1, LR: 1, Precision: train.Float64}, {Epochs: 1, BatchSize: 1, LR: 1, Precision: train.Float32, Momentum: 0.5}} {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	// SGD validates too: an unknown schedule never trains at a constant rate.
	net := nettest.TinyNets()[0]
	theta, d := nettest.RandomProblem(net, 8, 1)
	bad := ok
	bad.LRSchedule = "cosine"
	if err := train.SGD(context.Background(), model.NewEngine(net, 1), theta, nil, d, bad, 1, nil); err == nil {
		t.Error("SGD trained with lr_schedule cosine")
	}
	bad = ok
	bad.Precision = "float16"
	if err := train.SGD(context.Background(), model.NewEngine(net, 1), theta, nil, d, bad, 1, nil); err == nil {
		t.Error("SGD trained with precision float16")
	}
}

// The learning rate of each schedule, epoch by epoch; "" is constant.
func TestRate(t *testing.T) {
	for _, c := range []struct {
		r    train.Recipe
		want []float64
	}{
		{train.Recipe{LR: 0.5}, []float64{0.5, 0.5, 0.5}},
		{train.Recipe{LR: 0.5, LRSchedule: train.Constant}, []float64{0.5, 0.5, 0.5}},
		{train.Recipe{LR: 0.5, LRSchedule: train.Exp, LRGamma: 0.5}, []float64{0.5, 0.25, 0.125}},
		{train.Recipe{LR: 0.5, LRSchedule: train.StepLR, LRGamma: 0.5, LRStep: 2}, []float64{0.5, 0.5, 0.25}},
	} {
		for e, want := range c.want {
			if got := c.r.Rate(e); got != want {
				t.Errorf("%+v: epoch %d rate %v, want %v", c.r, e, got, want)
			}
		}
	}
	for _, s := range []string{"cosine", "Exp", " exp"} {
		if _, err := train.ParseLRSchedule(s); err == nil {
			t.Errorf("ParseLRSchedule(%q): no error", s)
		}
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
		c := train.Recipe{Epochs: 1, BatchSize: d.N, LR: 0.1, SDLMMu: 0.5, SDLMSamples: d.N}
		got := append([]float64(nil), theta...)
		if err := train.SGD(context.Background(), e, got, nil, d, c, 1, nil); err != nil {
			t.Fatal(err)
		}
		n := float64(d.N)
		for k := range theta {
			want := theta[k] - c.LR*(g[k]/n)/(c.SDLMMu+h[k]/n)
			if diff := math.Abs(got[k] - want); diff > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("%s: %s = %.15g after an SDLM step, want %.15g", net.Name, net.ParamName(k), got[k], want)
			}
		}
		// Curvature slows the step: some parameter moved less than plain
		// SGD at lr/μ would move it.
		slower := false
		for k := range theta {
			if h[k] > 0 && math.Abs(got[k]-theta[k]) < 0.999*c.LR/c.SDLMMu*math.Abs(g[k]/n) {
				slower = true
			}
		}
		if !slower {
			t.Errorf("%s: no step was scaled down by its curvature", net.Name)
		}
	}
}

// SDLM as Le Cun et al. (1998) run it: per pattern (batch 1), each step is
// −lr·g/(μ + h) with g that pattern's gradient at the current parameters,
// and h re-estimated before every pass, not every step: on a one-pattern
// set, two epochs are two such steps, the second with the h of the
// parameters the first left.
func TestSDLMPerPattern(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 1, 3)
		e := model.NewEngine(net, 1)
		c := train.Recipe{Epochs: 2, BatchSize: 1, LR: 0.05, SDLMMu: 0.02, SDLMSamples: 1}
		want := append([]float64(nil), theta...)
		for range c.Epochs {
			g := make([]float64, len(want))
			h := make([]float64, len(want))
			e.Sum(want, d, nil, model.PassGrad, g)
			e.Sum(want, d, nil, model.PassLM, h)
			for k := range want {
				want[k] -= c.LR * g[k] / (c.SDLMMu + h[k])
			}
		}
		got := append([]float64(nil), theta...)
		if err := train.SGD(context.Background(), e, got, nil, d, c, 1, nil); err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if diff := math.Abs(got[k] - want[k]); diff > 1e-12*(1+math.Abs(want[k])) {
				t.Fatalf("%s: %s = %.15g after two per-pattern SDLM passes, want %.15g", net.Name, net.ParamName(k), got[k], want[k])
			}
		}
	}
}
