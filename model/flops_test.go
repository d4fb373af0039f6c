package model_test

import (
	"math"
	"testing"

	"obd/model"
)

// TestFLOPs checks Net.FLOPs against counts made by hand from the layer
// shapes. lenet1 (PAPER.md): C = 98,442 connections, of which bias
// connections h1 4·576, h2 4·144, h3 12·64, h4 12·16, out 10; the input
// side D (every layer but h1, biases excepted) is h2 4·144·4 = 2,304,
// h3 20 kernels·25·64 = 32,000, h4 12·16·4 = 768, out 10·192 = 1,920:
// 36,992. lenet300: C = 300·785 + 100·301 + 10·101 = 266,610, D = 100·300 +
// 10·100 = 31,000. lenet5: C = conv1 576·(500+20) + conv2 64·(25,000+50) +
// fc1 500·801 + fc2 10·501 = 2,308,230, D = 64·25,000 + 500·800 + 10·500 =
// 2,005,000.
func TestFLOPs(t *testing.T) {
	for _, c := range []struct {
		net   *model.Net
		c, d  int     // connections, input-side connections
		ratio float64 // gradient over forward, as FLOPs's doc gives it
	}{
		{model.LeNet1(), 98442, 36992, 2.4},
		{model.LeNet300(), 266610, 31000, 2.1},
		{model.LeNet5(), 2308230, 2005000, 2.9},
	} {
		if got := c.net.Connections(); got != c.c {
			t.Fatalf("%s: %d connections, want %d", c.net.Name, got, c.c)
		}
		want := map[model.Pass]int{
			model.PassEval: 2 * c.c,
			model.PassGrad: 4*c.c + 2*c.d,
			model.PassLM:   4*c.c + 2*c.d,
			model.PassFull: 2*c.c + 2*(2*c.c+2*c.d),
		}
		for pass, w := range want {
			if got := c.net.FLOPs(pass); got != w {
				t.Errorf("%s: FLOPs(%d) = %d, want %d", c.net.Name, pass, got, w)
			}
		}
		r := float64(c.net.FLOPs(model.PassGrad)) / float64(c.net.FLOPs(model.PassEval))
		if math.Abs(r-c.ratio) > 0.05 {
			t.Errorf("%s: a gradient pass is %.3g forward passes, the doc says %g", c.net.Name, r, c.ratio)
		}
	}
	// The same, as literal numbers, so that a change of convention shows.
	n := model.LeNet1()
	for pass, w := range map[model.Pass]int{model.PassEval: 196884, model.PassGrad: 467752, model.PassLM: 467752, model.PassFull: 738620} {
		if got := n.FLOPs(pass); got != w {
			t.Errorf("lenet1: FLOPs(%d) = %d, want %d", pass, got, w)
		}
	}
}

// TestFLOPsLeftOut checks the doc comment's claim of what leaving the update
// and the accumulator sums out of a training step's count omits, at batch
// 64: 7 FLOPs per parameter per minibatch and one add per parameter per
// chunk.
func TestFLOPsLeftOut(t *testing.T) {
	for name, pct := range map[string]float64{"lenet1": 0.1, "lenet300": 4, "lenet5": 0.6} {
		n, _ := model.ByName(name)
		perSample := 7*float64(n.NumParams())/64 + float64(n.NumParams())/model.ChunkSize
		got := 100 * perSample / float64(n.FLOPs(model.PassGrad))
		if math.Abs(got-pct) > pct/4 {
			t.Errorf("%s: %.3g%% left out, the doc says %g%%", name, got, pct)
		}
	}
}

func TestFLOPsUnknownPass(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	model.LeNet1().FLOPs(model.Pass(99))
}
