// Package nettest holds small networks with every layer type, activation
// and loss, and helpers shared by the derivative tests of model and
// curvature.
package nettest

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"obd/datasets"
	"obd/model"
)

// TinyNets are small networks covering every layer type, activation and
// loss; derivative tests run on all of them.
func TinyNets() []*model.Net {
	in := model.Shape{C: 2, H: 8, W: 8}
	var nets []*model.Net
	{ // conv (full) → subsample → conv with table → fc, tanh, model.MSE: a tiny zip-code net
		c1 := model.NewConv("c1", in, 3, 3, model.ScaledTanh, nil)
		s1 := model.NewSubsample("s1", c1.OutShape(), model.ScaledTanh)
		c2 := model.NewConv("c2", s1.OutShape(), 4, 2, model.ScaledTanh, [][]int{{0}, {0, 1}, {1, 2}, {2}})
		f := model.NewFC("f", c2.OutShape(), 3, model.ScaledTanh)
		nets = append(nets, model.NewNet("tiny-lenet1", in, datasets.SymmetricPM1, model.MSE{}, c1, s1, c2, f))
	}
	{ // conv → maxpool → fc relu → fc, softmax CE: a tiny lenet5
		c1 := model.NewConv("c1", in, 3, 3, model.Identity, nil)
		p1 := model.NewMaxPool("p1", c1.OutShape())
		f1 := model.NewFC("f1", p1.OutShape(), 5, model.ReLU)
		f2 := model.NewFC("f2", f1.OutShape(), 4, model.Identity)
		nets = append(nets, model.NewNet("tiny-lenet5", in, datasets.UnitInterval, model.SoftmaxCE{}, c1, p1, f1, f2))
	}
	{ // fc relu → fc tanh, model.MSE
		f1 := model.NewFC("f1", in, 6, model.ReLU)
		f2 := model.NewFC("f2", f1.OutShape(), 3, model.ScaledTanh)
		nets = append(nets, model.NewNet("tiny-mlp-mse", in, datasets.SymmetricPM1, model.MSE{}, f1, f2))
	}
	{ // conv tanh → maxpool → fc tanh, model.MSE
		c1 := model.NewConv("c1", in, 2, 3, model.ScaledTanh, [][]int{{1}, {0, 1}})
		p1 := model.NewMaxPool("p1", c1.OutShape())
		f := model.NewFC("f", p1.OutShape(), 3, model.ScaledTanh)
		nets = append(nets, model.NewNet("tiny-conv-pool-mse", in, datasets.SymmetricPM1, model.MSE{}, c1, p1, f))
	}
	return nets
}

// SingleLayerNets are one-layer nets, for which the paper's recursion is
// exact.
func SingleLayerNets() []*model.Net {
	in := model.Shape{C: 1, H: 3, W: 3}
	return []*model.Net{
		model.NewNet("fc-tanh-mse", in, datasets.SymmetricPM1, model.MSE{}, model.NewFC("f", in, 4, model.ScaledTanh)),
		model.NewNet("fc-identity-mse", in, datasets.SymmetricPM1, model.MSE{}, model.NewFC("f", in, 4, model.Identity)),
		model.NewNet("fc-relu-mse", in, datasets.SymmetricPM1, model.MSE{}, model.NewFC("f", in, 4, model.ReLU)),
		model.NewNet("fc-softmax-ce", in, datasets.UnitInterval, model.SoftmaxCE{}, model.NewFC("f", in, 4, model.Identity)),
	}
}

// RandomProblem returns random parameters (larger than Init's, so that
// second-order terms matter), n random inputs in [−1,1] and random labels.
func RandomProblem(net *model.Net, n int, seed uint64) (theta []float64, d *model.Data) {
	rng := rand.New(rand.NewPCG(seed, 7))
	theta = net.Init(seed)
	for i := range theta {
		theta[i] += 0.5 * (2*rng.Float64() - 1)
	}
	in := net.Input.Size()
	d = &model.Data{X: make([]float64, n*in), Labels: make([]uint8, n), N: n}
	for i := range d.X {
		d.X[i] = 2*rng.Float64() - 1
	}
	for s := range n {
		d.Labels[s] = uint8(rng.IntN(net.Outputs()))
	}
	d.T = net.Loss.Targets(d.Labels, net.Outputs())
	return theta, d
}

// Objective is Σ E over d at theta, run sample by sample in one workspace.
func Objective(net *model.Net, theta []float64, d *model.Data) float64 {
	return model.NewEngine(net, 1).Sum(theta, d, nil, model.PassEval, nil).Loss
}

// Gradient is ∂(Σ E)/∂θ over d at theta.
func Gradient(net *model.Net, theta []float64, d *model.Data) []float64 {
	g := make([]float64, len(theta))
	model.NewEngine(net, 1).Sum(theta, d, nil, model.PassGrad, g)
	return g
}

// RelErr is |a−b| / max(|a|, |b|, floor).
func RelErr(a, b, floor float64) float64 {
	return math.Abs(a-b) / math.Max(math.Max(math.Abs(a), math.Abs(b)), floor)
}

// CheckIndices picks up to per parameters of each layer to check.
func CheckIndices(net *model.Net, per int, seed uint64) []int {
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

// Random returns n random images for net, prepared as the harness prepares
// MNIST: uniformly random grey levels scaled by the net's input scaling,
// and uniformly random labels encoded for its loss. Benchmarks share it, so
// that passes benchmarked in different packages see the same samples.
func Random(net *model.Net, n int, seed uint64) *model.Data {
	rng := rand.New(rand.NewPCG(seed, 13))
	set := &datasets.Set{Images: make([]uint8, n*net.Input.Size()), Labels: make([]uint8, n)}
	for i := range set.Images {
		set.Images[i] = uint8(rng.IntN(256))
	}
	for i := range set.Labels {
		set.Labels[i] = uint8(rng.IntN(net.Outputs()))
	}
	return model.NewData(net, set)
}

// TrainedLeNet1 returns lenet1 with the trained parameters of the file
// params (model.WriteParams' format; curvature/testdata holds one) and the
// first n images of MNIST's training file (datasets.ResolveDir("")). It
// fails tb when either cannot be read.
func TrainedLeNet1(tb testing.TB, params string, n int) (*model.Net, []float64, *model.Data) {
	tb.Helper()
	net := model.LeNet1()
	f, err := os.Open(params)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	theta, err := model.ReadParams(f, net)
	if err != nil {
		tb.Fatal(err)
	}
	return net, theta, model.NewData(net, MNIST(tb).Train.Subset(datasets.FirstN(n)))
}

// MNIST loads MNIST from the directory datasets.ResolveDir("") finds (the
// GoMNIST module's data/, or $MNIST_DIR); it fails tb when it cannot.
func MNIST(tb testing.TB) *datasets.MNIST {
	tb.Helper()
	dir, err := datasets.ResolveDir("")
	if err != nil {
		tb.Fatal(err)
	}
	m, err := datasets.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
