package curvature_test

import (
	"math"
	"testing"

	"obd/curvature"
	"obd/model"
	"obd/model/nettest"
)

func diag(t *testing.T, net *model.Net, theta []float64, d *model.Data, est curvature.Estimator) []float64 {
	t.Helper()
	h, err := curvature.Diagonal(model.NewEngine(net, 2), theta, d, nil, est)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// compare fails when a and b differ by more than tol relative to the
// largest |b|, and returns the worst such relative difference.
func compare(t *testing.T, net *model.Net, what string, a, b []float64, tol float64) float64 {
	t.Helper()
	scale := 0.0
	for _, v := range b {
		scale = max(scale, math.Abs(v))
	}
	worst := 0.0
	for k := range a {
		e := nettest.RelErr(a[k], b[k], 1e-3*scale)
		worst = max(worst, e)
		if e > tol {
			t.Errorf("%s: %s: %s %.12g vs %.12g (rel. %.2g)", net.Name, net.ParamName(k), what, a[k], b[k], e)
		}
	}
	return worst
}

// For a single layer the paper's recursion is exact: its LM form is the
// Gauss–Newton diagonal and its full form the Hessian diagonal. The second
// check is what settles the sign of eq. (7)'s f” term (a minus sign fails
// on the tanh net).
func TestRecursionExactSingleLayer(t *testing.T) {
	for _, net := range nettest.SingleLayerNets() {
		theta, d := nettest.RandomProblem(net, 5, 1)
		lm, gn := diag(t, net, theta, d, curvature.LM), diag(t, net, theta, d, curvature.GaussNewton)
		w1 := compare(t, net, "LM vs exact Gauss–Newton", lm, gn, 1e-8)
		full, hess := diag(t, net, theta, d, curvature.Full), diag(t, net, theta, d, curvature.Hessian)
		w2 := compare(t, net, "full recursion vs exact Hessian", full, hess, 1e-8)
		t.Logf("%s: worst rel. differences %.2g (LM/GN), %.2g (full/Hessian)", net.Name, w1, w2)
	}
}

// richardson differentiates f at 0 by central differences at steps ε and
// ε/2 combined to O(ε⁴).
func richardson(f func(step float64) []float64, eps float64) []float64 {
	d1, p, m := make([]float64, 0), f(eps), f(-eps)
	for i := range p {
		d1 = append(d1, (p[i]-m[i])/(2*eps))
	}
	p, m = f(eps/2), f(-eps/2)
	for i := range p {
		d1[i] = (4*(p[i]-m[i])/eps - d1[i]) / 3
	}
	return d1
}

// The exact Gauss–Newton estimator (backward passes per output) against
// the diagonal of Σ_n J_nᵀ H_out J_n built explicitly, with J_n from finite
// differences of the forward pass alone.
func TestGaussNewtonMatchesExplicitJHJ(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 3, 2)
		gn := diag(t, net, theta, d, curvature.GaussNewton)
		ws := net.NewWorkspace(1)
		k, P := net.Outputs(), len(theta)
		want := make([]float64, P)
		for s := range d.N {
			copy(ws.X, d.X[s*net.Input.Size():][:net.Input.Size()])
			y := append([]float64(nil), ws.Forward(theta, 1)...)
			H := curvature.OutputHessian(net.Loss, y)
			J := make([][]float64, P) // J[p] = ∂y/∂θ_p
			for p := range P {
				th := append([]float64(nil), theta...)
				J[p] = richardson(func(step float64) []float64 {
					th[p] = theta[p] + step
					return append([]float64(nil), ws.Forward(th, 1)...)
				}, 1e-4)
			}
			for p := range P {
				for i := range k {
					for j := range k {
						want[p] += J[p][i] * H[i][j] * J[p][j] / float64(d.N)
					}
				}
			}
		}
		w := compare(t, net, "exact Gauss–Newton vs explicit JᵀHJ", gn, want, 1e-6)
		t.Logf("%s: worst rel. difference %.2g", net.Name, w)
	}
}

// The exact Hessian estimator (differences of the analytic gradient)
// against second differences of the objective alone.
func TestExactHessianMatchesSecondDifferences(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 3, 3)
		hess := diag(t, net, theta, d, curvature.Hessian)
		want := make([]float64, len(theta))
		th := append([]float64(nil), theta...)
		e0 := nettest.Objective(net, theta, d) / float64(d.N)
		for p := range theta {
			second := func(eps float64) float64 {
				th[p] = theta[p] + eps
				ep := nettest.Objective(net, th, d) / float64(d.N)
				th[p] = theta[p] - eps
				em := nettest.Objective(net, th, d) / float64(d.N)
				th[p] = theta[p]
				return (ep - 2*e0 + em) / (eps * eps)
			}
			want[p] = (4*second(5e-4) - second(1e-3)) / 3
		}
		w := compare(t, net, "exact Hessian vs second differences", hess, want, 1e-4)
		t.Logf("%s: worst rel. difference %.2g", net.Name, w)
	}
}

// The empirical Fisher is the mean of squared per-sample gradients.
func TestFisher(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 4, 4)
		f := diag(t, net, theta, d, curvature.Fisher)
		want := make([]float64, len(theta))
		in, k := net.Input.Size(), net.Outputs()
		for s := range d.N {
			one := &model.Data{X: d.X[s*in : (s+1)*in], T: d.T[s*k : (s+1)*k], Labels: d.Labels[s : s+1], N: 1}
			for p, v := range nettest.Gradient(net, theta, one) {
				want[p] += v * v / float64(d.N)
			}
		}
		compare(t, net, "Fisher vs squared gradients", f, want, 1e-12)
	}
}

// TestRecursionGap measures, without asserting it away, how far the
// paper's diagonal recursion is from the exact diagonals on multi-layer
// nets, and checks the one property the LM form guarantees: h ≥ 0.
func TestRecursionGap(t *testing.T) {
	for _, net := range nettest.TinyNets() {
		theta, d := nettest.RandomProblem(net, 8, 5)
		lm, gn := diag(t, net, theta, d, curvature.LM), diag(t, net, theta, d, curvature.GaussNewton)
		full, hess := diag(t, net, theta, d, curvature.Full), diag(t, net, theta, d, curvature.Hessian)
		for k, v := range lm {
			if v < 0 {
				t.Errorf("%s: LM h[%s] = %g < 0", net.Name, net.ParamName(k), v)
			}
		}
		t.Logf("%s: relative gap ‖LM−GN‖/‖GN‖ = %.3f, ‖full−H‖/‖H‖ = %.3f", net.Name,
			curvature.RelativeGap(lm, gn), curvature.RelativeGap(full, hess))
	}
}
