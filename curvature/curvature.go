package curvature

import (
	"fmt"
	"math"
	"sync"

	"obd/model"
)

// Estimator names a way of estimating the Hessian diagonal.
type Estimator string

const (
	LM          Estimator = "lm"
	Full        Estimator = "full"
	GaussNewton Estimator = "gauss-newton"
	Hessian     Estimator = "hessian"
	Fisher      Estimator = "fisher"
)

// Estimators lists every estimator, the default first.
var Estimators = []Estimator{LM, Full, GaussNewton, Hessian, Fisher}

// ParseEstimator checks an estimator name.
func ParseEstimator(s string) (Estimator, error) {
	for _, e := range Estimators {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown Hessian estimator %q (known: %v)", s, Estimators)
}

// Diagonal estimates the Hessian diagonal of the mean objective over the
// samples idx of d (all of d when idx is nil) at theta.
func Diagonal(e *model.Engine, theta []float64, d *model.Data, idx []int, est Estimator) ([]float64, error) {
	h := make([]float64, len(theta))
	var n int
	switch est {
	case LM, Full:
		pass := model.PassLM
		if est == Full {
			pass = model.PassFull
		}
		n = e.Sum(theta, d, idx, pass, h).N
	case GaussNewton:
		n = e.Run(d, idx, h, 1, func(ws *model.Workspace, _ int, _ []uint8, acc []float64) (float64, int) {
			gaussNewtonSample(ws, theta, acc)
			return 0, 0
		}).N
	case Fisher:
		n = e.Run(d, idx, h, 1, func(ws *model.Workspace, _ int, _ []uint8, acc []float64) (float64, int) {
			g := ws.Aux(len(theta))
			clear(g)
			ws.Forward(theta, 1)
			loss := ws.Loss()
			ws.Backward(theta, g)
			for k, v := range g {
				acc[k] += v * v
			}
			return loss, 0
		}).N
	case Hessian:
		return exactHessian(e, theta, d, idx), nil
	default:
		return nil, fmt.Errorf("unknown Hessian estimator %q", est)
	}
	scale(h, 1/float64(n))
	return h, nil
}

// gaussNewtonSample adds diag(Jᵀ H_out J) of the one sample loaded in ws:
// J's rows are the output gradients ∂y_i/∂θ, one backward pass each, and
// H_out is the loss's Hessian at the outputs: 2I for squared error,
// diag(p) − ppᵀ for softmax cross-entropy.
func gaussNewtonSample(ws *model.Workspace, theta, acc []float64) {
	net := ws.Net
	k, P := net.Outputs(), len(theta)
	y := append([]float64(nil), ws.Forward(theta, 1)...)
	ws.Loss()
	jac := ws.Aux(k * P)
	clear(jac)
	e := make([]float64, k)
	for i := range k {
		clear(e)
		e[i] = 1
		ws.SetOutputGrad(e)
		ws.Backward(theta, jac[i*P:(i+1)*P])
	}
	switch net.Loss.(type) {
	case model.MSE:
		for i := range k {
			for p, v := range jac[i*P : (i+1)*P] {
				acc[p] += 2 * v * v
			}
		}
	case model.SoftmaxCE:
		prob := softmax(y)
		for p := range P {
			var a, b float64
			for i := range k {
				v := jac[i*P+p]
				a += prob[i] * v * v
				b += prob[i] * v
			}
			acc[p] += a - b*b
		}
	default:
		panic(fmt.Sprintf("curvature: no output Hessian for loss %s", net.Loss.Name()))
	}
}

// OutputHessian is the loss's Hessian with respect to the network outputs
// y of one sample: 2I for squared error, diag(p) − ppᵀ for softmax CE.
func OutputHessian(loss model.Loss, y []float64) [][]float64 {
	k := len(y)
	h := make([][]float64, k)
	var p []float64
	if _, ok := loss.(model.SoftmaxCE); ok {
		p = softmax(y)
	}
	for i := range h {
		h[i] = make([]float64, k)
		for j := range h[i] {
			switch {
			case p != nil && i == j:
				h[i][j] = p[i] - p[i]*p[j]
			case p != nil:
				h[i][j] = -p[i] * p[j]
			case i == j:
				h[i][j] = 2
			}
		}
	}
	return h
}

func softmax(y []float64) []float64 {
	m := y[0]
	for _, v := range y {
		m = max(m, v)
	}
	p := make([]float64, len(y))
	var s float64
	for i, v := range y {
		p[i] = math.Exp(v - m)
		s += p[i]
	}
	scale(p, 1/s)
	return p
}

// exactHessian computes ∂²Ē/∂θ_k² by central differences of the analytic
// mean gradient at steps ε and ε/2, combined by Richardson extrapolation
// (error O(ε⁴)). Parameters are split over the engine's workers; each
// worker evaluates gradients on its own single-worker engine.
func exactHessian(e *model.Engine, theta []float64, d *model.Data, idx []int) []float64 {
	const eps = 1e-3
	h := make([]float64, len(theta))
	n := d.N
	if idx != nil {
		n = len(idx)
	}
	var wg sync.WaitGroup
	for w := range e.Workers {
		wg.Go(func() {
			eng := model.NewEngine(e.Net, 1)
			th := append([]float64(nil), theta...)
			g := make([]float64, len(theta))
			grad := func(k int, step float64) float64 {
				th[k] = theta[k] + step
				clear(g)
				eng.Sum(th, d, idx, model.PassGrad, g)
				th[k] = theta[k]
				return g[k] / float64(n)
			}
			for k := w; k < len(theta); k += e.Workers {
				d1 := (grad(k, eps) - grad(k, -eps)) / (2 * eps)
				d2 := (grad(k, eps/2) - grad(k, -eps/2)) / eps
				h[k] = (4*d2 - d1) / 3
			}
		})
	}
	wg.Wait()
	return h
}

func scale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}

// Saliency returns s_k = h_kk·u_k²/2, the paper's estimate of the increase
// of the objective when parameter k alone is deleted. Deleted parameters
// (mask[k] false) get 0.
func Saliency(h, theta []float64, mask []bool) []float64 {
	s := make([]float64, len(theta))
	for k, u := range theta {
		if mask == nil || mask[k] {
			s[k] = h[k] * u * u / 2
		}
	}
	return s
}

// RelativeGap is ‖a − b‖₂ / ‖b‖₂, the size of an estimate's error relative
// to a reference.
func RelativeGap(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
	}
	return math.Sqrt(num / den)
}
