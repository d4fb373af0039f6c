package model

import (
	"math"
	"math/rand/v2"
	"obd/datasets"
	"testing"
)

// tinyNets are small networks covering every layer type, activation and
// loss; derivative tests run on all of them.
func tinyNets() []*Net {
	in := Shape{2, 8, 8}
	var nets []*Net
	{ // conv (full) → subsample → conv with table → fc, tanh, MSE: a tiny zip-code net
		c1 := NewConv("c1", in, 3, 3, ScaledTanh, nil)
		s1 := NewSubsample("s1", c1.OutShape(), ScaledTanh)
		c2 := NewConv("c2", s1.OutShape(), 4, 2, ScaledTanh, [][]int{{0}, {0, 1}, {1, 2}, {2}})
		f := NewFC("f", c2.OutShape(), 3, ScaledTanh)
		nets = append(nets, NewNet("tiny-lenet1", in, datasets.SymmetricPM1, MSE{}, c1, s1, c2, f))
	}
	{ // conv → maxpool → fc relu → fc, softmax CE: a tiny lenet5
		c1 := NewConv("c1", in, 3, 3, Identity, nil)
		p1 := NewMaxPool("p1", c1.OutShape())
		f1 := NewFC("f1", p1.OutShape(), 5, ReLU)
		f2 := NewFC("f2", f1.OutShape(), 4, Identity)
		nets = append(nets, NewNet("tiny-lenet5", in, datasets.UnitInterval, SoftmaxCE{}, c1, p1, f1, f2))
	}
	{ // fc relu → fc tanh, MSE
		f1 := NewFC("f1", in, 6, ReLU)
		f2 := NewFC("f2", f1.OutShape(), 3, ScaledTanh)
		nets = append(nets, NewNet("tiny-mlp-mse", in, datasets.SymmetricPM1, MSE{}, f1, f2))
	}
	{ // conv tanh → maxpool → fc tanh, MSE
		c1 := NewConv("c1", in, 2, 3, ScaledTanh, [][]int{{1}, {0, 1}})
		p1 := NewMaxPool("p1", c1.OutShape())
		f := NewFC("f", p1.OutShape(), 3, ScaledTanh)
		nets = append(nets, NewNet("tiny-conv-pool-mse", in, datasets.SymmetricPM1, MSE{}, c1, p1, f))
	}
	return nets
}

// singleLayerNets are one-layer nets, for which the paper's recursion is
// exact.
func singleLayerNets() []*Net {
	in := Shape{1, 3, 3}
	return []*Net{
		NewNet("fc-tanh-mse", in, datasets.SymmetricPM1, MSE{}, NewFC("f", in, 4, ScaledTanh)),
		NewNet("fc-identity-mse", in, datasets.SymmetricPM1, MSE{}, NewFC("f", in, 4, Identity)),
		NewNet("fc-relu-mse", in, datasets.SymmetricPM1, MSE{}, NewFC("f", in, 4, ReLU)),
		NewNet("fc-softmax-ce", in, datasets.UnitInterval, SoftmaxCE{}, NewFC("f", in, 4, Identity)),
	}
}

// randomProblem returns random parameters (larger than Init's, so that
// second-order terms matter), n random inputs in [−1,1] and random labels.
func randomProblem(net *Net, n int, seed uint64) (theta []float64, d *Data) {
	rng := rand.New(rand.NewPCG(seed, 7))
	theta = net.Init(seed)
	for i := range theta {
		theta[i] += 0.5 * (2*rng.Float64() - 1)
	}
	in := net.Input.Size()
	d = &Data{X: make([]float64, n*in), Labels: make([]uint8, n), N: n}
	for i := range d.X {
		d.X[i] = 2*rng.Float64() - 1
	}
	for s := range n {
		d.Labels[s] = uint8(rng.IntN(net.Outputs()))
	}
	d.T = net.Loss.Targets(d.Labels, net.Outputs())
	return theta, d
}

// objective is Σ E over d at theta, run sample by sample in one workspace.
func objective(net *Net, theta []float64, d *Data) float64 {
	return NewEngine(net, 1).Sum(theta, d, nil, PassEval, nil).Loss
}

func gradient(net *Net, theta []float64, d *Data) []float64 {
	g := make([]float64, len(theta))
	NewEngine(net, 1).Sum(theta, d, nil, PassGrad, g)
	return g
}

// relErr is |a−b| / max(|a|, |b|, floor).
func relErr(a, b, floor float64) float64 {
	return math.Abs(a-b) / math.Max(math.Max(math.Abs(a), math.Abs(b)), floor)
}

// checkIndices picks up to per parameters of each layer to check.
func checkIndices(net *Net, per int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 11))
	var ks []int
	for i := range net.Layers {
		lo, hi := net.Offset(i), net.Offset(i+1)
		if hi-lo <= per {
			for k := lo; k < hi; k++ {
				ks = append(ks, k)
			}
			continue
		}
		for _, t := range net.Layers[i].Tensors() {
			for range per / 2 {
				ks = append(ks, lo+t.Offset+rng.IntN(t.Len))
			}
		}
	}
	return ks
}

func TestTinyNetsBuild(t *testing.T) {
	for _, net := range append(tinyNets(), singleLayerNets()...) {
		if net.NumParams() == 0 {
			t.Errorf("%s: no parameters", net.Name)
		}
	}
}
