package curvature_test

import (
	"math"
	"sort"
	"testing"

	"obd/curvature"
	"obd/model"
	"obd/model/nettest"
)

// TestSaliencyPredictsSingleDeletion deletes single parameters of a
// trained lenet1 (testdata/lenet1-seed1.params, the dense baseline made by
// `go run ./experiments -baselines -nets lenet1`) and compares the actual
// change of the training objective (on the first 2,000 training images)
// with the prediction.
//
// The saliency ½·h·u² drops the gradient term (the paper's "extremal"
// approximation); SGD stops near, not at, a minimum, so for the least
// salient parameters −g·u dominates and the saliency alone cannot predict
// the change. What is asserted is the second-order diagonal model the
// saliency comes from, δE ≈ −g_k·u_k + ½·h_kk·u_k², on the output layer,
// where the LM recursion is the Gauss–Newton diagonal: over 40 parameters
// spread across the saliency ranks (saliency > 1e-5), the median of
// |actual/predicted − 1| must be below 0.1 and every ratio within [0.5, 2].
// For the hidden layers, where the recursion drops the cross terms between
// the connections of a shared weight and between units, the same figures
// are measured and logged, not asserted.
func TestSaliencyPredictsSingleDeletion(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST")
	}
	net, theta, d := nettest.TrainedLeNet1(t, "testdata/lenet1-seed1.params", 2000)
	e := model.NewEngine(net, 0)
	h, err := curvature.Diagonal(e, theta, d, nil, curvature.LM)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(theta))
	e0 := e.Sum(theta, d, nil, model.PassGrad, g).MeanLoss()
	s := curvature.Saliency(h, theta, nil)
	outStart := net.Offset(len(net.Layers) - 1)

	for _, group := range []struct {
		name   string
		lo, hi int
		assert bool
	}{{"output layer", outStart, len(theta), true}, {"hidden layers", 0, outStart, false}} {
		var ks []int
		for k := group.lo; k < group.hi; k++ {
			if s[k] > 1e-5 {
				ks = append(ks, k)
			}
		}
		sort.Slice(ks, func(a, b int) bool { return s[ks[a]] < s[ks[b]] })
		var dev, obd []float64
		for i := 0; i < 40; i++ {
			k := ks[i*(len(ks)-1)/39]
			u := theta[k]
			theta[k] = 0
			actual := e.Sum(theta, d, nil, model.PassEval, nil).MeanLoss() - e0
			theta[k] = u
			ratio := actual / (-g[k]/float64(d.N)*u + s[k])
			dev = append(dev, math.Abs(ratio-1))
			obd = append(obd, actual/s[k])
			if group.assert && (ratio < 0.5 || ratio > 2) {
				t.Errorf("%s: actual δE %.3g, second-order prediction ratio %.2f", net.ParamName(k), actual, ratio)
			}
		}
		t.Logf("%s, 40 single deletions: median |actual/(−g·u + ½hu²) − 1| = %.3f (max %.2f); median actual/(½hu²) = %.3f",
			group.name, median(dev), slicesMax(dev), median(obd))
		if group.assert && median(dev) > 0.1 {
			t.Errorf("%s: median deviation from the second-order prediction %.3f > 0.1", group.name, median(dev))
		}
	}
}

func slicesMax(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	return y[len(y)/2]
}
