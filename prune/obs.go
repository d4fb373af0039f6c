package prune

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"obd/curvature"
)

// OBS is Optimal Brain Surgeon (Hassibi & Stork 1993): the full Hessian H
// of the mean training objective over the state's Hessian samples, taken
// over the alive free parameters, damped to H + λI with λ = Damping × the
// mean of H's diagonal, and inverted through a Cholesky factorization. The
// saliency of parameter q is L_q = w_q² / (2 [H⁻¹]_qq) (their eq. 6), the
// least increase of the quadratic model of the objective when w_q is set
// to zero and every other alive parameter moves by
// δw = −(w_q / [H⁻¹]_qq) H⁻¹ e_q (eq. 5).
//
// As an Updater, it deletes the least salient parameter (or the Block
// least salient together), applies the correction, removes them from H⁻¹
// by the rank-one (rank-Block) formula H⁻¹ ← H⁻¹ − H⁻¹e_q e_qᵀH⁻¹ / [H⁻¹]_qq,
// which leaves the inverse of H without q's row and column, and repeats.
// The corrections move the weights, so the Hessian taken at the chain's
// start goes stale; Recompute and AtTargets take it again at the current
// weights (the published procedure re-evaluates it after every deletion:
// Recompute 1).
//
// Memory: a chain keeps one m×m float64 matrix for m alive parameters
// (H⁻¹: 53 MB on lenet1); computing it holds four at the peak (H, its
// Cholesky factor, the inverse and the chain's copy: 213 MB on lenet1).
// Time: building H costs about N·k·m² multiply-adds for N Hessian samples
// and k outputs (Gauss–Newton; the exact form 4m gradient sweeps), the
// inverse about m³, and each deletion about m² (the rank-one update).
type OBS struct {
	// Damping sets λ relative to the mean of H's diagonal (default 0.01,
	// the relative damping of Frantar & Alistarh's OBC and GPTQ). It
	// keeps H invertible and bounds how far the corrections move the
	// weights; it is a setting to choose on validation data.
	Damping float64
	// Hessian is curvature.GaussNewton (the default: the exact
	// Gauss–Newton matrix, positive semi-definite) or curvature.Hessian
	// (the exact Hessian, from finite differences of the gradient, which
	// may be indefinite: then the damping must make it definite).
	Hessian curvature.Estimator
	// Recompute > 0 takes H again at the current weights every Recompute
	// deletions; 0 never within a chain's DeleteTo calls.
	Recompute int
	// AtTargets takes H again at the current weights at the start of
	// every DeleteTo after the chain's first.
	AtTargets bool
	// Block is how many parameters one step deletes together (default 1):
	// the Block least salient by L_q, removed jointly, δw = −H⁻¹E_Q
	// ([H⁻¹]_QQ)⁻¹ w_Q with increase ½ w_Qᵀ([H⁻¹]_QQ)⁻¹w_Q.
	Block int
}

// obsParams are the parameters a definition may give obs.
var obsParams = []string{"damping", "hessian", "recompute", "block"}

// newOBS makes OBS from a definition's parameters: damping (a number > 0),
// hessian (gauss-newton or exact), recompute (an integer k ≥ 0, or
// "target") and block (an integer ≥ 1).
func newOBS(p Params) (Method, error) {
	m := OBS{}
	var err error
	if m.Damping, err = p.Float("damping", 0.01); err != nil {
		return nil, err
	}
	if !(m.Damping > 0) || math.IsInf(m.Damping, 0) {
		return nil, &ParamError{Param: "damping", Err: fmt.Errorf("%v: want a number > 0", m.Damping)}
	}
	h, err := p.String("hessian", "gauss-newton", "exact")
	if err != nil {
		return nil, err
	}
	m.Hessian = curvature.GaussNewton
	if h == "exact" {
		m.Hessian = curvature.Hessian
	}
	if s, ok := p["recompute"].(string); ok {
		if s != "target" {
			return nil, &ParamError{Param: "recompute", Err: fmt.Errorf("%s: want an integer ≥ 0 (every that many deletions) or target", s)}
		}
		m.AtTargets = true
	} else if m.Recompute, err = p.Int("recompute", 0); err != nil {
		return nil, err
	} else if m.Recompute < 0 {
		return nil, &ParamError{Param: "recompute", Err: fmt.Errorf("%d: want an integer ≥ 0 or target", m.Recompute)}
	}
	if m.Block, err = p.Int("block", 1); err != nil {
		return nil, err
	}
	if m.Block < 1 {
		return nil, &ParamError{Param: "block", Err: fmt.Errorf("%d: want an integer ≥ 1", m.Block)}
	}
	return m, nil
}

// Name is "obs".
func (OBS) Name() string { return "obs" }

// Predicts is true: L_q is the quadratic model's increase of the training
// objective when q is deleted with the correction.
func (OBS) Predicts() bool { return true }

func (m OBS) form() curvature.Estimator {
	if m.Hessian == "" {
		return curvature.GaussNewton
	}
	return m.Hessian
}

func (m OBS) damping() float64 {
	if m.Damping == 0 {
		return 0.01
	}
	return m.Damping
}

// Scores returns L_q = w_q² / (2 [H⁻¹]_qq) of every alive parameter at the
// state's weights (0 for deleted ones): the saliencies of the chain's
// first deletion. Deleting several by these scores without the
// corrections is not OBS; the sweep uses Surgeon.
func (m OBS) Scores(s *State) ([]float64, error) {
	c, err := m.start(s)
	if err != nil {
		return nil, err
	}
	sc := make([]float64, len(s.Theta))
	for i, k := range c.keep {
		sc[k] = c.saliency(i)
	}
	return sc, nil
}

// Surgeon starts a chain of OBS deletions at the state's weights and mask.
func (m OBS) Surgeon(s *State) (Surgeon, error) { return m.start(s) }

// obsChain is a chain of OBS deletions: the current weights and mask, and
// H⁻¹ over the parameters alive when it was last computed.
type obsChain struct {
	m     OBS
	st    State // Theta and Mask are the chain's own copies
	keep  []int // the parameters H⁻¹ covers, ascending
	in    []bool
	hinv  []float64 // len(keep)², row-major, symmetric; rows of deleted parameters zero
	since int       // deletions since H was computed
	calls int
}

func (m OBS) start(s *State) (*obsChain, error) {
	st := *s
	st.Theta = slices.Clone(s.Theta)
	st.Mask = make([]bool, len(s.Theta))
	for k := range st.Mask {
		st.Mask[k] = s.Mask == nil || s.Mask[k]
	}
	c := &obsChain{m: m, st: st}
	return c, c.compute()
}

// compute takes H at the chain's weights over its alive parameters, damps
// it and inverts it.
func (c *obsChain) compute() error {
	c.keep = c.keep[:0]
	for k, alive := range c.st.Mask {
		if alive {
			c.keep = append(c.keep, k)
		}
	}
	c.since = 0
	if len(c.keep) == 0 {
		c.hinv = nil
		return nil
	}
	h, err := curvature.Matrix(c.st.Engine, c.st.Theta, c.st.Train, c.st.HessianIdx, c.keep, c.m.form())
	if err != nil {
		return err
	}
	n := len(c.keep)
	var tr float64
	for i := range n {
		tr += h.At(i, i)
	}
	lambda := c.m.damping() * tr / float64(n)
	if !(lambda > 0) {
		return fmt.Errorf("obs: the Hessian's diagonal has mean %g: no damping relative to it", tr/float64(n))
	}
	for i := range n {
		h.SetSym(i, i, h.At(i, i)+lambda)
	}
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return fmt.Errorf("obs: H + λI is not positive definite (λ = %g, damping %g): raise the damping", lambda, c.m.damping())
	}
	inv := mat.NewSymDense(n, nil)
	if err := chol.InverseTo(inv); err != nil {
		return fmt.Errorf("obs: inverting H + λI: %w", err)
	}
	c.hinv = make([]float64, n*n)
	raw := inv.RawSymmetric() // upper triangle
	for i := range n {
		for j := i; j < n; j++ {
			v := raw.Data[i*raw.Stride+j]
			c.hinv[i*n+j], c.hinv[j*n+i] = v, v
		}
	}
	c.in = make([]bool, n)
	for i := range c.in {
		c.in[i] = true
	}
	return nil
}

// saliency is L_q of the parameter at position i of keep.
func (c *obsChain) saliency(i int) float64 {
	w := c.st.Theta[c.keep[i]]
	return w * w / (2 * c.hinv[i*len(c.keep)+i])
}

// DeleteTo deletes, Block at a time, the least salient alive parameters
// with their corrections until n are deleted.
func (c *obsChain) DeleteTo(n int) ([]float64, []bool, float64, error) {
	if c.calls > 0 && c.m.AtTargets {
		if err := c.compute(); err != nil {
			return nil, nil, 0, err
		}
	}
	c.calls++
	deleted := 0
	for _, alive := range c.st.Mask {
		if !alive {
			deleted++
		}
	}
	if n > len(c.st.Theta) {
		return nil, nil, 0, fmt.Errorf("obs: %d deletions asked of %d parameters", n, len(c.st.Theta))
	}
	block := max(c.m.Block, 1)
	var predicted float64
	for deleted < n {
		if c.m.Recompute > 0 && c.since >= c.m.Recompute {
			if err := c.compute(); err != nil {
				return nil, nil, 0, err
			}
		}
		q := c.lowest(min(block, n-deleted))
		l, err := c.remove(q)
		if err != nil {
			return nil, nil, 0, err
		}
		predicted += l
		deleted += len(q)
		c.since += len(q)
		c.compact()
	}
	return slices.Clone(c.st.Theta), slices.Clone(c.st.Mask), predicted, nil
}

// compact drops the rows and columns of deleted parameters from H⁻¹ once
// they are a quarter of it, so that each rank-one update costs the square
// of the parameters still alive rather than of those alive when H was
// computed (to 90% deleted, about 37% of the work). The entries kept are
// copied, and the updates compute each entry as before: the chain is
// unchanged bit for bit.
func (c *obsChain) compact() {
	n, alive := len(c.keep), 0
	for _, ok := range c.in {
		if ok {
			alive++
		}
	}
	if 4*alive > 3*n || n < 64 {
		return
	}
	pos := make([]int, 0, alive)
	for i, ok := range c.in {
		if ok {
			pos = append(pos, i)
		}
	}
	h := make([]float64, alive*alive)
	keep := make([]int, alive)
	for a, i := range pos {
		keep[a] = c.keep[i]
		for b, j := range pos {
			h[a*alive+b] = c.hinv[i*n+j]
		}
	}
	c.keep, c.hinv = keep, h
	c.in = make([]bool, alive)
	for a := range c.in {
		c.in[a] = true
	}
}

// lowest returns the positions (in keep) of the b alive parameters with
// the lowest L_q, ties broken by index.
func (c *obsChain) lowest(b int) []int {
	type cand struct {
		i int
		l float64
	}
	var best []cand
	for i, ok := range c.in {
		if !ok {
			continue
		}
		l := c.saliency(i)
		j, _ := slices.BinarySearchFunc(best, l, func(a cand, l float64) int {
			if a.l <= l { // equal saliencies: the lower index (seen first) stays first
				return -1
			}
			return 1
		})
		if j < b {
			best = slices.Insert(best, j, cand{i, l})
			if len(best) > b {
				best = best[:b]
			}
		}
	}
	q := make([]int, len(best))
	for j, cd := range best {
		q[j] = cd.i
	}
	slices.SortFunc(q, cmp.Compare)
	return q
}

// remove deletes the parameters at positions q of keep together: w ← w −
// H⁻¹E_Q S⁻¹ w_Q with S = [H⁻¹]_QQ, H⁻¹ ← H⁻¹ − H⁻¹E_Q S⁻¹ E_QᵀH⁻¹, and
// returns the increase ½ w_Qᵀ S⁻¹ w_Q (for one parameter, eqs. 5 and 6 of
// Hassibi & Stork 1993).
func (c *obsChain) remove(q []int) (float64, error) {
	n, b := len(c.keep), len(q)
	s := mat.NewSymDense(b, nil)
	wq := mat.NewVecDense(b, nil)
	for a, i := range q {
		wq.SetVec(a, c.st.Theta[c.keep[i]])
		for bb := a; bb < b; bb++ {
			s.SetSym(a, bb, c.hinv[i*n+q[bb]])
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(s) {
		return 0, fmt.Errorf("obs: [H⁻¹]_QQ of %v is not positive definite (lost to rounding): raise the damping", q)
	}
	var z mat.VecDense // S⁻¹ w_Q
	if err := chol.SolveVecTo(&z, wq); err != nil {
		return 0, fmt.Errorf("obs: solving [H⁻¹]_QQ z = w_Q: %w", err)
	}
	increase := mat.Dot(wq, &z) / 2
	// C = H⁻¹E_Q (n×b), the rows q of the symmetric H⁻¹, transposed.
	cq := make([]float64, n*b)
	for a, i := range q {
		row := c.hinv[i*n : (i+1)*n]
		for r := range n {
			cq[r*b+a] = row[r]
		}
	}
	for r := range n {
		if !c.in[r] {
			continue
		}
		var dw float64
		for a := range b {
			dw += cq[r*b+a] * z.AtVec(a)
		}
		c.st.Theta[c.keep[r]] -= dw
	}
	// Y = C S⁻¹ (n×b), then H⁻¹ ← H⁻¹ − Y Cᵀ.
	var y mat.Dense
	if err := chol.SolveTo(&y, mat.NewDense(b, n, transpose(cq, n, b))); err != nil {
		return 0, fmt.Errorf("obs: solving for the rank-%d update: %w", b, err)
	}
	// y is S⁻¹Cᵀ (b×n); H⁻¹ −= C (S⁻¹Cᵀ).
	yr := y.RawMatrix()
	blas64.Gemm(blas.NoTrans, blas.NoTrans, -1,
		blas64.General{Rows: n, Cols: b, Stride: b, Data: cq},
		blas64.General{Rows: b, Cols: n, Stride: yr.Stride, Data: yr.Data},
		1, blas64.General{Rows: n, Cols: n, Stride: n, Data: c.hinv})
	for _, i := range q {
		k := c.keep[i]
		c.st.Theta[k] = 0 // exactly, where the correction leaves rounding
		c.st.Mask[k] = false
		c.in[i] = false
		clear(c.hinv[i*n : (i+1)*n])
		for r := range n {
			c.hinv[r*n+i] = 0
		}
	}
	return increase, nil
}

func transpose(a []float64, rows, cols int) []float64 {
	t := make([]float64, len(a))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = a[r*cols+c]
		}
	}
	return t
}
