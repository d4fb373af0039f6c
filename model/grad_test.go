package model_test

import (
	"fmt"
	"testing"

	"obd/model"
	"obd/model/nettest"
)

// TestGradientFiniteDifferences checks every backward pass against central
// finite differences of the objective, on every tiny net and on the three
// real networks (a sample of their parameters).
func TestGradientFiniteDifferences(t *testing.T) {
	nets := append(nettest.TinyNets(), nettest.SingleLayerNets()...)
	nets = append(nets, model.LeNet1(), model.LeNet300(), model.LeNet5())
	for _, net := range nets {
		t.Run(net.Name, func(t *testing.T) {
			theta, d := nettest.RandomProblem(net, 3, 1)
			if net.NumParams() > 5000 {
				theta = net.Init(1) // keep the big ReLU nets away from saturation
			}
			g := nettest.Gradient(net, theta, d)
			const h = 1e-5
			worst := 0.0
			for _, k := range nettest.CheckIndices(net, 40, 2) {
				old := theta[k]
				theta[k] = old + h
				ep := nettest.Objective(net, theta, d)
				theta[k] = old - h
				em := nettest.Objective(net, theta, d)
				theta[k] = old
				fd := (ep - em) / (2 * h)
				e := nettest.RelErr(g[k], fd, 1e-6)
				worst = max(worst, e)
				if e > 1e-5 {
					t.Errorf("%s: analytic %.10g, finite difference %.10g, rel. error %.2g", net.ParamName(k), g[k], fd, e)
				}
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// TestWorkerCountInvariance: the same gradient, bit for bit, whatever the
// number of workers.
func TestWorkerCountInvariance(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 70, 3)
		var ref []float64
		for _, w := range []int{1, 2, 3, 5} {
			g := make([]float64, len(theta))
			model.NewEngine(net, w).Sum(theta, d, nil, model.PassGrad, g)
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

func TestPaperCounts(t *testing.T) {
	cases := []struct {
		net                  *model.Net
		params, conns, units int
	}{
		{model.LeNet1(), 2578, 98442, 4635},
		{model.LeNet300(), 266610, 266610, 784 + 300 + 100 + 10 + 1},
		{model.LeNet5(), 431080, 299520 + 1603200 + 400500 + 5010, 784 + 11520 + 2880 + 3200 + 800 + 500 + 10 + 1},
	}
	for _, c := range cases {
		got := [3]int{c.net.NumParams(), c.net.Connections(), c.net.Units()}
		want := [3]int{c.params, c.conns, c.units}
		if got != want {
			t.Errorf("%s: (params, connections, units) = %v, want %v", c.net.Name, got, want)
		}
		sum := 0.0
		for _, v := range c.net.ConnectionsPerParam() {
			sum += v
		}
		if int(sum) != c.net.Connections() {
			t.Errorf("%s: connections per parameter sum to %v, want %d", c.net.Name, sum, c.net.Connections())
		}
	}
	// The paper's per-layer parameter counts for the zip-code net.
	net := model.LeNet1()
	want := []int{104, 8, 512, 24, 1930}
	for i, l := range net.Layers {
		if l.NumParams() != want[i] {
			t.Errorf("lenet1 %s: %d parameters, want %d", l.Name(), l.NumParams(), want[i])
		}
	}
}

func ExampleLeNet1() {
	net := model.LeNet1()
	fmt.Println(net.NumParams(), net.Connections(), net.Units())
	// Output: 2578 98442 4635
}

// TestBackwardAfterBackward2 checks that a gradient pass after a
// second-order pass on the same Forward gives the gradient of a pass
// straight after Forward, bit for bit: a convolution's Backward reads the
// receptive fields Forward left in its scratch, and Backward2 must leave
// them there.
func TestBackwardAfterBackward2(t *testing.T) {
	for _, net := range []*model.Net{model.LeNet1(), model.LeNet5()} {
		theta, d := nettest.RandomProblem(net, model.ChunkSize, 1)
		ws := net.NewWorkspace(model.ChunkSize)
		copy(ws.X, d.X)
		copy(ws.T, d.T)
		want := make([]float64, len(theta))
		ws.Forward(theta, d.N)
		ws.Loss()
		ws.Backward(theta, want)
		for _, full := range []bool{false, true} {
			h := make([]float64, len(theta))
			ws.Backward2(theta, h, full)
			got := make([]float64, len(theta))
			ws.Backward(theta, got)
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("%s: after Backward2(full %v), ∂E/∂θ[%d] = %v, straight after Forward %v", net.Name, full, k, got[k], want[k])
				}
			}
		}
	}
}
