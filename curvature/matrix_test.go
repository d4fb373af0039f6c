package curvature_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"obd/curvature"
	"obd/model"
	"obd/model/nettest"
)

func matrix(t *testing.T, net *model.Net, workers int, theta []float64, d *model.Data, keep []int, form curvature.Estimator) *mat.SymDense {
	t.Helper()
	h, err := curvature.Matrix(model.NewEngine(net, workers), theta, d, nil, keep, form)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// explicitGaussNewton builds (1/N) Σ_n J_nᵀ H_out J_n with J_n from
// Richardson differences of the forward pass alone (no backward pass), over
// the parameters keep.
func explicitGaussNewton(net *model.Net, theta []float64, d *model.Data, keep []int) [][]float64 {
	ws := net.NewWorkspace(1)
	m, k, in := len(keep), net.Outputs(), net.Input.Size()
	want := make([][]float64, m)
	for i := range want {
		want[i] = make([]float64, m)
	}
	for s := range d.N {
		copy(ws.X, d.X[s*in:][:in])
		y := append([]float64(nil), ws.Forward(theta, 1)...)
		H := curvature.OutputHessian(net.Loss, y)
		J := make([][]float64, m) // J[a] = ∂y/∂θ_keep[a]
		for a, p := range keep {
			th := append([]float64(nil), theta...)
			J[a] = richardson(func(step float64) []float64 {
				th[p] = theta[p] + step
				return append([]float64(nil), ws.Forward(th, 1)...)
			}, 1e-4)
		}
		for a := range m {
			for b := range m {
				var v float64
				for i := range k {
					for j := range k {
						v += J[a][i] * H[i][j] * J[b][j]
					}
				}
				want[a][b] += v / float64(d.N)
			}
		}
	}
	return want
}

// compareMatrix fails when h and want differ by more than tol relative to
// the largest |want|, and returns the worst such difference.
func compareMatrix(t *testing.T, net *model.Net, what string, h mat.Symmetric, want [][]float64, tol float64) float64 {
	t.Helper()
	scale := 0.0
	for _, row := range want {
		for _, v := range row {
			scale = max(scale, math.Abs(v))
		}
	}
	worst, fails := 0.0, 0
	for a := range want {
		for b := range want {
			e := math.Abs(h.At(a, b)-want[a][b]) / scale
			worst = max(worst, e)
			if e > tol && fails < 5 {
				fails++
				t.Errorf("%s: %s: H[%d][%d] = %.12g, want %.12g (%.2g of the largest entry)", net.Name, what, a, b, h.At(a, b), want[a][b], e)
			}
		}
	}
	return worst
}

// The full Gauss–Newton matrix (backward passes per output, summed by
// rank-k updates) against Σ_n J_nᵀ H_out J_n built entry by entry from
// forward differences, on every tiny net and every single-layer net, over
// all parameters and over a subset (Matrix's keep).
func TestMatrixGaussNewtonMatchesExplicitJHJ(t *testing.T) {
	for _, net := range append(nettest.TinyNets(), nettest.SingleLayerNets()...) {
		theta, d := nettest.RandomProblem(net, 3, 21)
		var all []int
		for k := range theta {
			all = append(all, k)
		}
		w := compareMatrix(t, net, "Gauss–Newton matrix vs explicit JᵀHJ", matrix(t, net, 2, theta, d, nil, curvature.GaussNewton),
			explicitGaussNewton(net, theta, d, all), 1e-6)
		keep := sortedUnique(nettest.CheckIndices(net, 4, 3))
		w2 := compareMatrix(t, net, "Gauss–Newton matrix over a subset", matrix(t, net, 3, theta, d, keep, curvature.GaussNewton),
			explicitGaussNewton(net, theta, d, keep), 1e-6)
		t.Logf("%s (%d parameters): worst difference %.2g, over %d of them %.2g", net.Name, len(theta), w, len(keep), w2)
	}
}

func sortedUnique(ks []int) []int {
	ks = slices.Clone(ks)
	slices.Sort(ks)
	return slices.Compact(ks)
}

// The diagonals of the full matrices are the diagonal estimators': the
// Gauss–Newton matrix's is Diagonal(GaussNewton)'s (summed in another
// order, so to rounding), the exact Hessian's is Diagonal(Hessian)'s bit
// for bit (the same differences). And the matrices do not depend on the
// number of workers.
func TestMatrixDiagonal(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 40, 22) // more than one batch of samples
		gn := matrix(t, net, 2, theta, d, nil, curvature.GaussNewton)
		hess := matrix(t, net, 2, theta, d, nil, curvature.Hessian)
		dgn, dh := diag(t, net, theta, d, curvature.GaussNewton), diag(t, net, theta, d, curvature.Hessian)
		got := make([]float64, len(theta))
		for k := range got {
			got[k] = gn.At(k, k)
			if hess.At(k, k) != dh[k] {
				t.Errorf("%s: %s: exact Hessian matrix diagonal %.17g, Diagonal(Hessian) %.17g", net.Name, net.ParamName(k), hess.At(k, k), dh[k])
			}
		}
		compare(t, net, "Gauss–Newton matrix diagonal vs Diagonal(GaussNewton)", got, dgn, 1e-12)
		if !mat.Equal(gn, matrix(t, net, 1, theta, d, nil, curvature.GaussNewton)) {
			t.Errorf("%s: the Gauss–Newton matrix differs with 1 and 2 workers", net.Name)
		}
	}
}

// The exact Hessian matrix (differences of the analytic gradient) against
// second differences of the objective alone along random directions v:
// vᵀHv = d²E(θ+tv)/dt² at 0. For a linear output with squared error
// (fc-identity-mse) the objective is quadratic and the Gauss–Newton matrix
// is the Hessian, which the same check confirms for it.
func TestMatrixMatchesSecondDifferences(t *testing.T) {
	nets := append(nettest.TinyNets(), nettest.SingleLayerNets()[1])
	for _, net := range nets {
		theta, d := nettest.RandomProblem(net, 3, 23)
		forms := []curvature.Estimator{curvature.Hessian}
		if net.Name == "fc-identity-mse" {
			forms = append(forms, curvature.GaussNewton)
		}
		for _, form := range forms {
			h := matrix(t, net, 2, theta, d, nil, form)
			rng := rand.New(rand.NewPCG(23, 1))
			for range 5 {
				v := make([]float64, len(theta))
				for k := range v {
					v[k] = 2*rng.Float64() - 1
				}
				vhv := mat.Inner(mat.NewVecDense(len(v), v), h, mat.NewVecDense(len(v), v))
				th := make([]float64, len(theta))
				e0 := nettest.Objective(net, theta, d) / float64(d.N)
				second := func(eps float64) float64 {
					at := func(s float64) float64 {
						for k := range th {
							th[k] = theta[k] + s*v[k]
						}
						return nettest.Objective(net, th, d) / float64(d.N)
					}
					return (at(eps) - 2*e0 + at(-eps)) / (eps * eps)
				}
				want := (4*second(5e-4) - second(1e-3)) / 3
				if e := nettest.RelErr(vhv, want, 1e-6); e > 1e-4 {
					t.Errorf("%s, %s: vᵀHv = %.10g, second difference %.10g (rel. %.2g)", net.Name, form, vhv, want, e)
				}
			}
		}
	}
}

// Matrix refuses what it cannot compute.
func TestMatrixErrors(t *testing.T) {
	net := nettest.TinyNets()[0]
	theta, d := nettest.RandomProblem(net, 2, 1)
	e := model.NewEngine(net, 1)
	for name, keep := range map[string][]int{"unsorted": {3, 1}, "out of range": {len(theta)}, "repeated": {1, 1}} {
		if _, err := curvature.Matrix(e, theta, d, nil, keep, curvature.GaussNewton); err == nil {
			t.Errorf("keep %s: no error", name)
		}
	}
	if _, err := curvature.Matrix(e, theta, d, nil, nil, curvature.LM); err == nil {
		t.Error("estimator lm: no error")
	}
}

// On lenet1, the Gauss–Newton matrix over a few samples: its diagonal is
// Diagonal(GaussNewton)'s, and a block of it (one parameter per tensor and
// layer) matches Σ J_nᵀ H_out J_n from forward differences.
func TestMatrixLeNet1(t *testing.T) {
	if testing.Short() {
		t.Skip("a 2578×2578 matrix")
	}
	net := model.LeNet1()
	theta, d := nettest.RandomProblem(net, 3, 24)
	h := matrix(t, net, 0, theta, d, nil, curvature.GaussNewton)
	dgn := diag(t, net, theta, d, curvature.GaussNewton)
	got := make([]float64, len(theta))
	for k := range got {
		got[k] = h.At(k, k)
	}
	compare(t, net, "Gauss–Newton matrix diagonal vs Diagonal(GaussNewton)", got, dgn, 1e-12)
	keep := sortedUnique(nettest.CheckIndices(net, 4, 5))
	sub := mat.NewSymDense(len(keep), nil)
	for a, p := range keep {
		for b, q := range keep[a:] {
			sub.SetSym(a, a+b, h.At(p, q))
		}
	}
	w := compareMatrix(t, net, "Gauss–Newton matrix vs explicit JᵀHJ", sub, explicitGaussNewton(net, theta, d, keep), 1e-6)
	t.Logf("lenet1: %d×%d block, worst difference %.2g", len(keep), len(keep), w)
}
