package curvature

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"obd/model"
)

// matrixBatch is the number of samples whose Jacobian rows Matrix stacks
// before one symmetric rank-k update: fixed, so that the sum's order, and
// the result, do not depend on the number of workers.
const matrixBatch = 32

// Matrix returns the full Hessian of the mean objective over the samples
// idx of d (all of d when idx is nil) at theta, restricted to the free
// parameters keep (ascending indices into theta; nil: all), as an m×m
// symmetric matrix in keep's order, m = len(keep). Shared weights are free
// parameters: their rows and columns sum over their connections.
//
// form is GaussNewton, the exact Gauss–Newton matrix
// (1/N) Σ_n J_nᵀ H_out J_n, from one backward pass per output unit and
// sample (J_n is the Jacobian of the outputs with respect to the
// parameters; H_out the loss's Hessian at the outputs, OutputHessian),
// summed by symmetric rank-k updates; or Hessian, the exact Hessian, whose
// columns are central differences of the analytic mean gradient at steps ε
// and ε/2 combined by Richardson extrapolation (4 gradient sweeps per
// column), symmetrized; its diagonal is Diagonal's Hessian estimate. Other
// estimators are an error. Memory: m² float64 (53 MB for lenet1's 2578).
func Matrix(e *model.Engine, theta []float64, d *model.Data, idx []int, keep []int, form Estimator) (*mat.SymDense, error) {
	if keep == nil {
		keep = make([]int, len(theta))
		for k := range keep {
			keep[k] = k
		}
	}
	for i, k := range keep {
		if k < 0 || k >= len(theta) || (i > 0 && k <= keep[i-1]) {
			return nil, fmt.Errorf("curvature: keep must be ascending parameter indices (keep[%d] = %d)", i, k)
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("curvature: no parameters to take the Hessian of")
	}
	n := d.N
	if idx != nil {
		n = len(idx)
	}
	if n == 0 {
		return nil, fmt.Errorf("curvature: no samples")
	}
	switch form {
	case GaussNewton:
		return gaussNewtonMatrix(e, theta, d, idx, n, keep)
	case Hessian:
		return hessianMatrix(e, theta, d, idx, n, keep), nil
	}
	return nil, fmt.Errorf("curvature: no full matrix for estimator %q (want %s or %s)", form, GaussNewton, Hessian)
}

// gaussNewtonMatrix sums J_nᵀ H_out J_n over the samples. H_out is 2I for
// squared error, so each sample adds RᵀR with R's rows √2·∂y_i/∂θ; for
// softmax cross-entropy it is diag(p) − ppᵀ, so each sample adds RᵀR −
// bbᵀ with R's rows √p_i·∂y_i/∂θ and b = Σ_i p_i ∂y_i/∂θ.
func gaussNewtonMatrix(e *model.Engine, theta []float64, d *model.Data, idx []int, n int, keep []int) (*mat.SymDense, error) {
	net := e.Net
	k, m, P := net.Outputs(), len(keep), len(theta)
	_, ce := net.Loss.(model.SoftmaxCE)
	if _, mse := net.Loss.(model.MSE); !mse && !ce {
		return nil, fmt.Errorf("curvature: no output Hessian for loss %s", net.Loss.Name())
	}
	h := mat.NewSymDense(m, nil)
	pos := make([]float64, matrixBatch*k*m) // R, the batch's rows
	var neg []float64                       // b, one row per sample (cross-entropy)
	if ce {
		neg = make([]float64, matrixBatch*m)
	}
	in := net.Input.Size()
	type worker struct {
		ws  *model.Workspace
		row []float64
	}
	workers := make([]worker, min(e.Workers, matrixBatch))
	for w := range workers {
		workers[w] = worker{ws: net.NewWorkspace(1), row: make([]float64, P)}
	}
	sample := func(w worker, src int, r, b []float64) {
		ws := w.ws
		copy(ws.X, d.X[src*in:][:in])
		copy(ws.T, d.T[src*k:][:k])
		y := append([]float64(nil), ws.Forward(theta, 1)...)
		ws.Loss()
		var p []float64
		if ce {
			p = softmax(y)
			clear(b)
		}
		unit := make([]float64, k)
		for i := range k {
			clear(unit)
			unit[i] = 1
			ws.SetOutputGrad(unit)
			clear(w.row)
			ws.Backward(theta, w.row)
			ri := r[i*m : (i+1)*m]
			if ce {
				s := math.Sqrt(p[i])
				for j, kk := range keep {
					v := w.row[kk]
					ri[j] = s * v
					b[j] += p[i] * v
				}
			} else {
				for j, kk := range keep {
					ri[j] = math.Sqrt2 * w.row[kk]
				}
			}
		}
	}
	raw := h.RawSymmetric()
	for first := 0; first < n; first += matrixBatch {
		bn := min(matrixBatch, n-first)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for s := w; s < bn; s += len(workers) {
					src := first + s
					if idx != nil {
						src = idx[src]
					}
					var b []float64
					if ce {
						b = neg[s*m : (s+1)*m]
					}
					sample(workers[w], src, pos[s*k*m:(s+1)*k*m], b)
				}
			})
		}
		wg.Wait()
		blas64.Syrk(blas.Trans, 1, blas64.General{Rows: bn * k, Cols: m, Stride: m, Data: pos[:bn*k*m]}, 1, raw)
		if ce {
			blas64.Syrk(blas.Trans, -1, blas64.General{Rows: bn, Cols: m, Stride: m, Data: neg[:bn*m]}, 1, raw)
		}
	}
	h.ScaleSym(1/float64(n), h)
	return h, nil
}

// hessianMatrix differentiates the analytic mean gradient column by column,
// as exactHessian does for the diagonal (the same steps and arithmetic, so
// the diagonals agree bit for bit), columns split over the engine's
// workers.
func hessianMatrix(e *model.Engine, theta []float64, d *model.Data, idx []int, n int, keep []int) *mat.SymDense {
	const eps = 1e-3
	m := len(keep)
	cols := make([]float64, m*m) // column j of the one-sided matrix at row j
	var wg sync.WaitGroup
	for w := range e.Workers {
		wg.Go(func() {
			eng := model.NewEngine(e.Net, 1)
			th := append([]float64(nil), theta...)
			g := make([]float64, len(theta))
			gp, gm := make([]float64, m), make([]float64, m)
			grad := func(k int, step float64, out []float64) {
				th[k] = theta[k] + step
				clear(g)
				eng.Sum(th, d, idx, model.PassGrad, g)
				th[k] = theta[k]
				for i, kk := range keep {
					out[i] = g[kk] / float64(n)
				}
			}
			d1 := make([]float64, m)
			for j := w; j < m; j += e.Workers {
				k := keep[j]
				grad(k, eps, gp)
				grad(k, -eps, gm)
				for i := range m {
					d1[i] = (gp[i] - gm[i]) / (2 * eps)
				}
				grad(k, eps/2, gp)
				grad(k, -eps/2, gm)
				col := cols[j*m : (j+1)*m]
				for i := range m {
					d2 := (gp[i] - gm[i]) / eps
					col[i] = (4*d2 - d1[i]) / 3
				}
			}
		})
	}
	wg.Wait()
	h := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			h.SetSym(i, j, (cols[i*m+j]+cols[j*m+i])/2)
		}
	}
	return h
}
