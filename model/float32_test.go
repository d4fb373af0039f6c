package model_test

import (
	"math"
	"testing"

	"obd/model"
	"obd/model/nettest"
)

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// gradients32 returns the float64 and float32 gradient passes' loss and
// gradient over d at theta (theta rounded to float32 for the second, and
// the float64 pass run at the rounded parameters too, so that only the
// arithmetic differs).
func gradients32(net *model.Net, theta []float64, d *model.Data, workers int) (l64, l32 float64, g64 []float64, g32 []float32) {
	t32 := to32(theta)
	t64 := make([]float64, len(theta))
	for k, v := range t32 {
		t64[k] = float64(v)
	}
	g64 = make([]float64, len(theta))
	g32 = make([]float32, len(theta))
	l64 = model.NewEngine(net, workers).Sum(t64, d, nil, model.PassGrad, g64).Loss
	l32 = model.NewEngineOf[float32](net, workers).Sum(t32, d, nil, model.PassGrad, g32).Loss
	return
}

// tensorErr is, per parameter tensor, max_k |g32_k − g64_k| / max_k |g64_k|:
// the error relative to the tensor's largest gradient entry (an entry much
// smaller than its tensor's largest is a sum whose terms cancel, and its
// own relative error says nothing about the arithmetic).
func tensorErr(net *model.Net, g64 []float64, g32 []float32) (worst float64, where string) {
	for i, l := range net.Layers {
		for _, t := range l.Tensors() {
			lo := net.Offset(i) + t.Offset
			scale, diff := 0.0, 0.0
			for k := lo; k < lo+t.Len; k++ {
				scale = max(scale, math.Abs(g64[k]))
				diff = max(diff, math.Abs(float64(g32[k])-g64[k]))
			}
			if e := diff / scale; scale > 0 && e > worst {
				worst, where = e, l.Name()+"."+t.Name
			}
		}
	}
	return
}

// TestFloat32Gradient compares the float32 gradient pass (Engine32) with
// the float64 one on the three networks at net.Init(1), over the 64
// samples of nettest.Random(net, 64, 1), both at the same (float32-rounded)
// parameters. Measured with gonum's BLAS: the worst tensor error
// (tensorErr) is 1.3e-6 for lenet1 (h1.bias), 2.4e-7 for lenet300
// (fc2.weight), 8.7e-7 for lenet5 (conv1.bias), and the summed losses agree
// to 5e-11, 4e-9 and 1.3e-8 relative; with OpenBLAS 1.8e-6 (h2.weight),
// 3.3e-7 (fc2.weight) and 6.7e-7 (conv2.bias), losses 7e-11, 4e-9, 7e-10. Bound: float32's unit roundoff is u = 2⁻²⁴ ≈ 6.0e-8 and
// the longest sum is a first-layer bias gradient, L = 64·576 = 36,864 terms
// for lenet1's h1: rounding errors that add like a random walk give about
// √L·u ≈ 1.1e-5, the worst case L·u ≈ 2.2e-3. The test asserts 1e-4
// (about 9·√L·u, 75 times lenet1's measured error) on gradients and 1e-6
// on losses, and that the float32 pass does round (some entry differs).
func TestFloat32Gradient(t *testing.T) {
	for _, net := range []*model.Net{model.LeNet1(), model.LeNet300(), model.LeNet5()} {
		theta := net.Init(1)
		d := nettest.Random(net, 64, 1)
		l64, l32, g64, g32 := gradients32(net, theta, d, 2)
		e, where := tensorErr(net, g64, g32)
		le := math.Abs(l32-l64) / math.Abs(l64)
		t.Logf("%s: loss %.10g (float64) vs %.10g (float32), rel. %.2g; worst tensor error %.3g at %s", net.Name, l64, l32, le, e, where)
		if !(e <= 1e-4) {
			t.Errorf("%s: float32 gradient off by %.3g of its tensor's largest entry at %s, want ≤ 1e-4", net.Name, e, where)
		}
		if !(le <= 1e-6) {
			t.Errorf("%s: float32 loss %.10g, float64 %.10g", net.Name, l32, l64)
		}
		if e == 0 {
			t.Errorf("%s: the float32 gradient equals the float64 one bit for bit: it did not run in float32", net.Name)
		}
	}
}

// The float32 gradient is the same, bit for bit, whatever the number of
// workers, as the float64 one is (TestWorkerCountInvariance).
func TestFloat32WorkerCountInvariance(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 70, 3)
		t32 := to32(theta)
		var ref []float32
		for _, w := range []int{1, 2, 3, 5} {
			g := make([]float32, len(theta))
			model.NewEngineOf[float32](net, w).Sum(t32, d, nil, model.PassGrad, g)
			if ref == nil {
				ref = g
				continue
			}
			for k := range g {
				if g[k] != ref[k] {
					t.Fatalf("%s: %d workers: gradient[%d] = %v, 1 worker: %v", net.Name, w, k, g[k], ref[k])
				}
			}
		}
	}
}

// The second-order pass is float64 only: asking a float32 engine or
// workspace for it panics instead of returning zeros.
func TestFloat32NoSecondOrder(t *testing.T) {
	net := nettest.TinyNets()[0]
	theta, d := nettest.RandomProblem(net, 4, 1)
	t32, h := to32(theta), make([]float32, len(theta))
	for name, f := range map[string]func(){
		"Engine32.Sum(PassLM)":       func() { model.NewEngineOf[float32](net, 1).Sum(t32, d, nil, model.PassLM, h) },
		"Engine32.Sum(PassFull)":     func() { model.NewEngineOf[float32](net, 1).Sum(t32, d, nil, model.PassFull, h) },
		"Workspace32.Backward2":      func() { model.NewWorkspaceOf[float32](net, 1).Backward2(t32, h, false) },
		"Workspace32.SetOutputDiag2": func() { model.NewWorkspaceOf[float32](net, 1).SetOutputDiag2(h[:net.Outputs()]) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
