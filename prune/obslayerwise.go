package prune

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"obd/model"
)

// OBSLayerwise is layer-wise Optimal Brain Surgeon (Dong, Chen & Pan 2017,
// L-OBS), with the exact row-wise greedy deletion of Frantar & Alistarh
// (2022, OBC), for nets whose full Hessian does not fit (lenet300,
// lenet5). It does not look at the training objective. Each layer with
// parameters is a linear map of its input, a = W z, where z holds, at one
// output position, the inputs each parameter multiplies and a constant 1
// for the bias (a fully connected layer: its input vector; a convolution:
// the receptive field of the position, im2col, over the input maps; a
// subsampling layer: the 2×2 window sums). Its reconstruction error
//
//	E_l(Ŵ) = (1/N) Σ_n Σ_positions ‖(W − Ŵ) z‖²
//
// over the N Hessian samples, with W and the inputs z those of the state
// (the net the chain starts from: the dense or retrained net), has the
// Hessian H = (2/N) Σ_n Σ_positions z zᵀ, the same for every row of W (a
// row: one output unit's, or one output map's, parameters: a fully
// connected unit's weights and bias, a convolution map's kernels and bias,
// a subsampling map's coefficient and bias). E_l is a sum of independent
// quadratics, one per row; in each, OBS is exact: deleting q with the
// correction δw = −(w_q/[H⁻¹]_qq) H⁻¹ e_q of the row's other parameters
// increases E_l by L_q = w_q² / (2 [H⁻¹]_qq), and H⁻¹ then loses q by the
// rank-one formula. H is damped to H + λI, λ = Damping × the mean of the
// row's diagonal (of the layer's when the row's is zero).
//
// Every free parameter of a fully connected, convolutional or subsampling
// layer belongs to exactly one row and may be deleted, biases included (a
// bias is the coefficient of the constant input: it is also corrected when
// others are deleted, which lets it absorb the mean of what they
// contributed). Shared weights are free parameters: a kernel weight is one
// coordinate of its map's row, its input summed over every position. With
// a connection table, a map's row holds only the kernels it has, and its
// H is the rows and columns of those input maps. Parameters deleted
// before the chain starts stay deleted and are not in the rows.
//
// Which parameters go: each row's greedy path (the least L_q, corrected,
// repeated to the last parameter) is computed once; then, as OBC does,
// the next deletion of every row competes, and the least costly is taken,
// over the rows of the whole net (scope Global) or, within each layer,
// over its rows, every layer deleting the same fraction of its parameters
// (scope PerLayer). Global compares the reconstruction errors of
// different layers, which are in different units (each layer's
// pre-activations); L-OBS and OBC give each layer its own target, which is
// PerLayer. The parameters after a chain's deletions are, in each row, the
// minimum of the damped quadratic with the deleted ones at zero (the path's
// corrections add up to it exactly: a quadratic's successive OBS steps are
// exact), computed by one Cholesky solve over the row's survivors.
//
// What it approximates: the increase of each layer's reconstruction error
// with its inputs held at the starting net's, not the training objective.
// The corrections do not see the errors of earlier layers (each layer is
// its own problem, as in L-OBS and OBC's one-shot compression), nor the
// nonlinearity after the layer, nor the loss. So Predicts is false; the
// predicted increase a Surgeon returns is the sum of the deletions' L_q,
// the increase of the layers' damped reconstruction errors (summed over
// layers), not of the objective, and the sweep does not record it.
//
// Memory: two D×D float64 matrices per layer with parameters (H and the
// inverse its rows share), D its inputs per output position plus one
// (lenet300: 785², 301², 101²: 11 MB; lenet5: 26², 501², 801², 501²:
// 18 MB), five times H while it is built, and a row's H⁻¹ at a time per
// worker. Time: building H costs about N·positions·D²/2 multiply-adds per
// layer (lenet5's conv2 dominates: 64 positions, D = 501); the inverse
// about D³, once per layer on a dense net (once per row when the rows'
// alive parameters differ); each row's path D rank-one updates of its
// shrinking H⁻¹, about D³/3; each target one Cholesky solve per row over
// its survivors. BenchmarkOBSLayerwise/lenet300 runs a chain.
type OBSLayerwise struct {
	// Damping sets λ relative to the mean of the row's H diagonal (default
	// 0.01, OBC's).
	Damping float64
}

// obsLayerwiseParams are the parameters a definition may give
// obs-layerwise.
var obsLayerwiseParams = []string{"damping"}

// newOBSLayerwise makes OBSLayerwise from a definition's parameters:
// damping (a number > 0).
func newOBSLayerwise(p Params) (Method, error) {
	m := OBSLayerwise{}
	var err error
	if m.Damping, err = p.Float("damping", 0.01); err != nil {
		return nil, err
	}
	if !(m.Damping > 0) || math.IsInf(m.Damping, 0) {
		return nil, &ParamError{Param: "damping", Err: fmt.Errorf("%v: want a number > 0", m.Damping)}
	}
	return m, nil
}

// Name is "obs-layerwise".
func (OBSLayerwise) Name() string { return "obs-layerwise" }

// Predicts is false: L_q is an increase of a layer's reconstruction
// error, not of the training objective.
func (OBSLayerwise) Predicts() bool { return false }

// Scopes are Global and PerLayer.
func (OBSLayerwise) Scopes() []Scope { return []Scope{Global, PerLayer} }

func (m OBSLayerwise) damping() float64 {
	if m.Damping == 0 {
		return 0.01
	}
	return m.Damping
}

// Scores returns L_q = w_q² / (2 [H⁻¹]_qq) of every alive parameter in its
// row at the state's weights (0 for deleted ones): the costs of the rows'
// first deletions, in each layer's reconstruction error. Deleting several
// by these scores without the corrections is not layer-wise OBS; the
// sweep uses SurgeonIn.
func (m OBSLayerwise) Scores(s *State) ([]float64, error) {
	c, err := m.setup(s)
	if err != nil {
		return nil, err
	}
	shared, err := c.sharedInverses()
	if err != nil {
		return nil, err
	}
	sc := make([]float64, len(s.Theta))
	err = c.eachRow(func(i int, r *lwRow) error {
		hinv := shared[i]
		if hinv == nil {
			var err error
			if hinv, err = c.inverse(r, r.pos); err != nil {
				return err
			}
		}
		n := len(r.pos)
		for a, k := range r.theta {
			w := r.w0[a]
			sc[k] = w * w / (2 * hinv[a*n+a])
		}
		return nil
	})
	return sc, err
}

// Surgeon starts a chain in scope Global.
func (m OBSLayerwise) Surgeon(s *State) (Surgeon, error) { return m.SurgeonIn(s, Global) }

// SurgeonIn starts a chain of layer-wise OBS deletions at the state's
// weights and mask, in scope Global or PerLayer: it computes each layer's
// H and each row's path. With PerLayer, DeleteTo(n) still deletes n
// parameters of the net in all, shared among the layers so that their
// deleted fractions stay as equal as whole counts allow (Balinski &
// Young's quota method, which never takes back a deletion as n grows): from
// a mask without deletions, a layer of p parameters deletes ⌊np/P⌋ or
// ⌈np/P⌉, where Select's per-layer rounding, round(target·p), may differ
// by one. Layers with parameters but none left to delete are passed over.
func (m OBSLayerwise) SurgeonIn(s *State, scope Scope) (Surgeon, error) {
	if scope != Global && scope != PerLayer {
		return nil, fmt.Errorf("obs-layerwise: scope %s: want %s or %s", scope, Global, PerLayer)
	}
	c, err := m.setup(s)
	if err != nil {
		return nil, err
	}
	c.scope = scope
	shared, err := c.sharedInverses()
	if err != nil {
		return nil, err
	}
	err = c.eachRow(func(i int, r *lwRow) error { return c.path(r, shared[i]) })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// sharedInverses returns, for each row, (H + λI)⁻¹ when the row shares it
// with other rows of its layer, whose alive parameters are the same (all
// of them, on a dense net), and nil for a row that shares it with none.
func (c *lwChain) sharedInverses() ([][]float64, error) {
	shared := make([][]float64, len(c.rows))
	for _, l := range c.layers {
		for a, i := range l.rows {
			if shared[i] != nil {
				continue
			}
			var same []int
			for _, j := range l.rows[a+1:] {
				if shared[j] == nil && slices.Equal(c.rows[j].pos, c.rows[i].pos) {
					same = append(same, j)
				}
			}
			if len(same) == 0 {
				continue
			}
			inv, err := c.inverse(&c.rows[i], c.rows[i].pos)
			if err != nil {
				return nil, err
			}
			shared[i] = inv
			for _, j := range same {
				shared[j] = inv
			}
		}
	}
	return shared, nil
}

// lwLayer is one layer with parameters: its H over its input coordinates.
type lwLayer struct {
	index  int       // in Net.Layers
	d      int       // coordinates: inputs per output position, plus the constant
	h      []float64 // d×d, row-major, symmetric: (2/N) Σ z zᵀ, undamped
	rows   []int     // into lwChain.rows
	params int       // free parameters
	dead   int       // deleted, those before the chain included
}

// lwRow is one row of a layer: the parameters alive when the chain
// started, their coordinates in the layer's H, and its greedy path.
type lwRow struct {
	layer  int       // into lwChain.layers
	theta  []int     // θ indices, ascending
	pos    []int     // their coordinates in the layer's H
	w0     []float64 // their weights at the chain's start
	lambda float64
	order  []int     // the path: positions in theta, in order of deletion
	cost   []float64 // L_q of each deletion of the path
	count  int       // deletions of the path taken
}

// lwChain is a chain of layer-wise OBS deletions.
type lwChain struct {
	m       OBSLayerwise
	e       *model.Engine
	scope   Scope
	theta   []float64 // the chain's weights (deleted at zero)
	mask    []bool
	layers  []lwLayer
	rows    []lwRow
	workers int
}

// setup computes every layer's H at the state's weights and lays out the
// rows of alive parameters.
func (m OBSLayerwise) setup(s *State) (*lwChain, error) {
	net := s.Engine.Net
	c := &lwChain{m: m, e: s.Engine, theta: slices.Clone(s.Theta), mask: make([]bool, len(s.Theta)), workers: s.Engine.Workers}
	for k := range c.mask {
		c.mask[k] = s.Mask == nil || s.Mask[k]
		if !c.mask[k] {
			c.theta[k] = 0
		}
	}
	ps, err := patchersOf(net)
	if err != nil {
		return nil, err
	}
	hs, err := layerHessians(s.Engine, c.theta, s.Train, s.HessianIdx, ps)
	if err != nil {
		return nil, err
	}
	for j, p := range ps {
		off := net.Offset(p.layer)
		l := lwLayer{index: p.layer, d: p.d, h: hs[j], params: net.Offset(p.layer+1) - off}
		for _, row := range p.rows {
			r := lwRow{layer: len(c.layers)}
			for _, pc := range row {
				k := off + pc[0]
				if !c.mask[k] {
					l.dead++
					continue
				}
				r.theta, r.pos, r.w0 = append(r.theta, k), append(r.pos, pc[1]), append(r.w0, c.theta[k])
			}
			if len(r.theta) == 0 {
				continue
			}
			var tr, all float64
			for _, q := range r.pos {
				tr += l.h[q*l.d+q]
			}
			for q := range l.d {
				all += l.h[q*l.d+q]
			}
			r.lambda = m.damping() * tr / float64(len(r.pos))
			if !(r.lambda > 0) {
				r.lambda = m.damping() * all / float64(l.d)
			}
			if !(r.lambda > 0) || math.IsInf(r.lambda, 0) {
				return nil, fmt.Errorf("obs-layerwise: layer %s: H's diagonal has mean %g: no damping relative to it", net.Layers[p.layer].Name(), all/float64(l.d))
			}
			l.rows = append(l.rows, len(c.rows))
			c.rows = append(c.rows, r)
		}
		c.layers = append(c.layers, l)
	}
	return c, nil
}

// eachRow calls fn on every row (its index and itself), the rows shared
// among the chain's workers; the first error (in row order) is returned.
func (c *lwChain) eachRow(fn func(i int, r *lwRow) error) error {
	errs := make([]error, len(c.rows))
	var wg sync.WaitGroup
	for w := range max(c.workers, 1) {
		wg.Go(func() {
			for i := w; i < len(c.rows); i += max(c.workers, 1) {
				errs[i] = fn(i, &c.rows[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// damped returns the row's H + λI over the coordinates pos (n×n).
func (c *lwChain) damped(r *lwRow, pos []int) *mat.SymDense {
	l := &c.layers[r.layer]
	n := len(pos)
	h := mat.NewSymDense(n, nil)
	for a, i := range pos {
		for b := a; b < n; b++ {
			h.SetSym(a, b, l.h[i*l.d+pos[b]])
		}
		h.SetSym(a, a, h.At(a, a)+r.lambda)
	}
	return h
}

// inverse returns (H + λI)⁻¹ over the coordinates pos, n×n row-major,
// symmetric.
func (c *lwChain) inverse(r *lwRow, pos []int) ([]float64, error) {
	n := len(pos)
	var chol mat.Cholesky
	if !chol.Factorize(c.damped(r, pos)) {
		return nil, fmt.Errorf("obs-layerwise: H + λI of a row of %s is not positive definite (λ = %g): raise the damping",
			c.e.Net.Layers[c.layers[r.layer].index].Name(), r.lambda)
	}
	inv := mat.NewSymDense(n, nil)
	if err := chol.InverseTo(inv); err != nil {
		return nil, fmt.Errorf("obs-layerwise: inverting H + λI: %w", err)
	}
	raw := inv.RawSymmetric()
	out := make([]float64, n*n)
	for i := range n {
		for j := i; j < n; j++ {
			v := raw.Data[i*raw.Stride+j]
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out, nil
}

// path computes the row's greedy deletion path: repeatedly the parameter
// of least L_q = w_q²/(2[H⁻¹]_qq) (ties to the lower index), its
// correction of the others and the rank-one downdate of H⁻¹, to the last
// parameter. H⁻¹ is kept in its upper triangle and compacted to the
// survivors when they are three quarters of it. inv, if not nil, is the
// row's (H + λI)⁻¹, shared with other rows: it is copied.
func (c *lwChain) path(r *lwRow, inv []float64) error {
	full := slices.Clone(inv)
	if inv == nil {
		var err error
		if full, err = c.inverse(r, r.pos); err != nil {
			return err
		}
	}
	n := len(r.pos)
	w := slices.Clone(r.w0)
	ids := make([]int, n) // position in the row of each index of h
	for i := range ids {
		ids[i] = i
	}
	h, k := full, n
	alive := make([]bool, n)
	for i := range alive {
		alive[i] = true
	}
	left := n
	col := make([]float64, n)
	r.order, r.cost = make([]int, 0, n), make([]float64, 0, n)
	for left > 0 {
		q, best := -1, 0.0
		for i := range k {
			if !alive[i] {
				continue
			}
			hq := h[i*k+i]
			if !(hq > 0) {
				return fmt.Errorf("obs-layerwise: [H⁻¹]_qq = %g in a row of %s (lost to rounding): raise the damping",
					hq, c.e.Net.Layers[c.layers[r.layer].index].Name())
			}
			wi := w[ids[i]]
			if l := wi * wi / (2 * hq); q < 0 || l < best {
				q, best = i, l
			}
		}
		hq := h[q*k+q]
		f := w[ids[q]] / hq
		for i := range k {
			col[i] = h[min(i, q)*k+max(i, q)] // column q, read from the upper triangle
		}
		for i := range k {
			if alive[i] {
				w[ids[i]] -= f * col[i]
			}
		}
		w[ids[q]] = 0
		blas64.Syr(-1/hq, blas64.Vector{N: k, Inc: 1, Data: col[:k]}, blas64.Symmetric{N: k, Stride: k, Uplo: blas.Upper, Data: h})
		for i := range k { // exactly zero where rounding leaves crumbs
			h[min(i, q)*k+max(i, q)] = 0
		}
		alive[q] = false
		left--
		r.order, r.cost = append(r.order, ids[q]), append(r.cost, best)
		if k >= 64 && 4*left <= 3*k {
			h, k, ids, alive = compactUpper(h, k, ids, alive, left)
		}
	}
	return nil
}

// compactUpper keeps the rows and columns of the alive indices of the
// upper triangle of the k×k matrix h.
func compactUpper(h []float64, k int, ids []int, alive []bool, left int) ([]float64, int, []int, []bool) {
	keep := make([]int, 0, left)
	for i, ok := range alive {
		if ok {
			keep = append(keep, i)
		}
	}
	nh := make([]float64, left*left)
	nids := make([]int, left)
	for a, i := range keep {
		nids[a] = ids[i]
		for b := a; b < left; b++ {
			nh[a*left+b] = h[i*k+keep[b]]
		}
	}
	na := make([]bool, left)
	for a := range na {
		na[a] = true
	}
	return nh, left, nids, na
}

// DeleteTo takes the least costly next deletions of the rows' paths, over
// the whole net or layer by layer (the chain's scope), until n of the
// net's free parameters are deleted, and sets every row whose count
// changed to the minimum of its damped quadratic with its deleted
// parameters at zero. The predicted increase is the sum of the deletions'
// L_q: of the layers' damped reconstruction errors, not of the objective.
func (c *lwChain) DeleteTo(n int) ([]float64, []bool, float64, error) {
	if n > len(c.theta) {
		return nil, nil, 0, fmt.Errorf("obs-layerwise: %d deletions asked of %d parameters", n, len(c.theta))
	}
	deleted := 0
	for _, ok := range c.mask {
		if !ok {
			deleted++
		}
	}
	var predicted float64
	changed := make([]bool, len(c.rows))
	take := func(q *rowQueue) error {
		if q.Len() == 0 {
			return fmt.Errorf("obs-layerwise: no parameter left to delete")
		}
		i := q.idx[0]
		r := &c.rows[i]
		predicted += r.cost[r.count]
		c.mask[r.theta[r.order[r.count]]] = false
		c.layers[r.layer].dead++
		r.count++
		changed[i] = true
		if r.count < len(r.order) {
			heap.Fix(q, 0)
		} else {
			heap.Pop(q)
		}
		deleted++
		return nil
	}
	if deleted < n {
		if c.scope == Global {
			q := c.queue(func(*lwRow) bool { return true })
			for deleted < n {
				if err := take(q); err != nil {
					return nil, nil, 0, err
				}
			}
		} else {
			qs := make([]*rowQueue, len(c.layers))
			for li := range c.layers {
				qs[li] = c.queue(func(r *lwRow) bool { return r.layer == li })
			}
			total := len(c.theta)
			for deleted < n {
				// Balinski & Young's quota method: the deletion goes to the
				// layer whose fraction after it is lowest among those still
				// below their upper quota ⌈t·params/P⌉, t the count after
				// it (all of them, if a mask the chain started from leaves
				// none); ties to the earlier layer.
				li := -1
				for _, quota := range []bool{true, false} {
					for j, l := range c.layers {
						if qs[j].Len() == 0 || quota && (l.dead+1)*total >= (deleted+1)*l.params+total {
							continue
						}
						if li < 0 || (l.dead+1)*c.layers[li].params < (c.layers[li].dead+1)*l.params {
							li = j
						}
					}
					if li >= 0 {
						break
					}
				}
				if li < 0 {
					return nil, nil, 0, fmt.Errorf("obs-layerwise: no parameter left to delete")
				}
				if err := take(qs[li]); err != nil {
					return nil, nil, 0, err
				}
			}
		}
	}
	err := c.eachRow(func(i int, r *lwRow) error {
		if !changed[i] {
			return nil
		}
		return c.solve(r)
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return slices.Clone(c.theta), slices.Clone(c.mask), predicted, nil
}

// solve sets the row's weights to the minimum of its damped quadratic,
// (ŵ − w₀)ᵀ(H + λI)(ŵ − w₀)/2, with the path's first count parameters (Q)
// at zero: ŵ_F = w₀_F + (H + λI)_FF⁻¹ H_FQ w₀_Q over the others (F).
func (c *lwChain) solve(r *lwRow) error {
	del := make([]bool, len(r.theta))
	for _, i := range r.order[:r.count] {
		del[i] = true
	}
	var free, fpos, qi []int
	for i := range r.theta {
		if del[i] {
			qi = append(qi, i)
			c.theta[r.theta[i]] = 0
		} else {
			free, fpos = append(free, i), append(fpos, r.pos[i])
		}
	}
	if len(free) == 0 {
		return nil
	}
	l := &c.layers[r.layer]
	rhs := mat.NewVecDense(len(free), nil)
	for a, i := range free {
		var v float64
		for _, j := range qi {
			v += l.h[r.pos[i]*l.d+r.pos[j]] * r.w0[j]
		}
		rhs.SetVec(a, v)
	}
	var chol mat.Cholesky
	if !chol.Factorize(c.damped(r, fpos)) {
		return fmt.Errorf("obs-layerwise: (H + λI)_FF of a row of %s is not positive definite: raise the damping",
			c.e.Net.Layers[l.index].Name())
	}
	var dw mat.VecDense
	if err := chol.SolveVecTo(&dw, rhs); err != nil {
		return fmt.Errorf("obs-layerwise: solving for the corrected weights: %w", err)
	}
	for a, i := range free {
		c.theta[r.theta[i]] = r.w0[i] + dw.AtVec(a)
	}
	return nil
}

// queue returns the rows that pass keep and still have deletions, ordered
// by the cost of their next deletion (ties to the lower row).
func (c *lwChain) queue(keep func(*lwRow) bool) *rowQueue {
	q := &rowQueue{c: c}
	for i := range c.rows {
		if r := &c.rows[i]; keep(r) && r.count < len(r.order) {
			q.idx = append(q.idx, i)
		}
	}
	heap.Init(q)
	return q
}

// rowQueue is a heap of rows by the cost of their next deletion.
type rowQueue struct {
	c   *lwChain
	idx []int
}

func (q *rowQueue) Len() int { return len(q.idx) }
func (q *rowQueue) Less(a, b int) bool {
	ra, rb := &q.c.rows[q.idx[a]], &q.c.rows[q.idx[b]]
	if x := cmp.Compare(ra.cost[ra.count], rb.cost[rb.count]); x != 0 {
		return x < 0
	}
	return q.idx[a] < q.idx[b]
}
func (q *rowQueue) Swap(a, b int) { q.idx[a], q.idx[b] = q.idx[b], q.idx[a] }
func (q *rowQueue) Push(x any)    { q.idx = append(q.idx, x.(int)) }
func (q *rowQueue) Pop() any {
	x := q.idx[len(q.idx)-1]
	q.idx = q.idx[:len(q.idx)-1]
	return x
}
