package model

// Workspace holds the buffers for running a Net on up to Cap samples at
// once. It is not safe for concurrent use; give each goroutine its own.
type Workspace struct {
	Net *Net
	Cap int
	X   []float64 // inputs, Cap × Input.Size()
	T   []float64 // targets, Cap × Outputs()

	bufs     []Buf
	dOut     []float64 // ∂E/∂y at the output
	d2Out    []float64
	scratchG []float64 // gradient sink for the first-order pass inside Backward2
	aux      []float64
}

// Aux returns a buffer of n float64s owned by the workspace, for callers
// that need per-worker scratch (its contents are not preserved between
// calls with a larger n).
func (w *Workspace) Aux(n int) []float64 {
	if len(w.aux) < n {
		w.aux = make([]float64, n)
	}
	return w.aux[:n]
}

// NewWorkspace allocates buffers for chunks of up to capacity samples.
func (n *Net) NewWorkspace(capacity int) *Workspace {
	w := &Workspace{Net: n, Cap: capacity}
	w.X = make([]float64, capacity*n.Input.Size())
	w.T = make([]float64, capacity*n.Outputs())
	w.bufs = make([]Buf, len(n.Layers))
	for i, l := range n.Layers {
		b := &w.bufs[i]
		size := capacity * l.OutShape().Size()
		for _, p := range []*[]float64{&b.A, &b.Y, &b.DY, &b.DA, &b.D2Y, &b.D2A} {
			*p = make([]float64, size)
		}
		b.S = make([]float64, l.ScratchLen(capacity))
		b.I = make([]int32, l.IndexLen(capacity))
		if i == 0 {
			b.X = w.X
		} else {
			prev := &w.bufs[i-1]
			b.X, b.DX, b.D2X = prev.Y, prev.DY, prev.D2Y
		}
	}
	last := &w.bufs[len(w.bufs)-1]
	w.dOut, w.d2Out = last.DY, last.D2Y
	return w
}

func (w *Workspace) bind(theta []float64, n int) {
	if n > w.Cap {
		panic("model: chunk larger than workspace")
	}
	for i := range w.bufs {
		w.bufs[i].N = n
		w.bufs[i].P = theta[w.Net.offsets[i]:w.Net.offsets[i+1]]
	}
}

// Forward runs the first n samples of X through the net and returns the
// outputs (n × Outputs(), valid until the next call).
func (w *Workspace) Forward(theta []float64, n int) []float64 {
	w.bind(theta, n)
	for i, l := range w.Net.Layers {
		l.Forward(&w.bufs[i])
	}
	return w.bufs[len(w.bufs)-1].Y[:n*w.Net.Outputs()]
}

// Input is the input of layer i in the last Forward: N × InShape().Size()
// values, sample after sample (the previous layer's output, or X for the
// first layer), valid until the next call.
func (w *Workspace) Input(i int) []float64 {
	b := &w.bufs[i]
	return b.X[:b.N*w.Net.Layers[i].InShape().Size()]
}

// Output is the output of the last Forward.
func (w *Workspace) Output() []float64 {
	b := &w.bufs[len(w.bufs)-1]
	return b.Y[:b.N*w.Net.Outputs()]
}

// Loss evaluates the loss of the last Forward against T and sets the output
// derivatives for Backward and Backward2. It returns Σ E over the samples.
func (w *Workspace) Loss() float64 {
	n := w.bufs[0].N
	return w.Net.Loss.Eval(w.Output(), w.T, w.dOut, w.d2Out, n, w.Net.Outputs())
}

// SetOutputGrad replaces the output derivative ∂E/∂y set by Loss, for
// passes that backpropagate something other than the loss (Jacobian rows).
func (w *Workspace) SetOutputGrad(dy []float64) { copy(w.dOut, dy) }

// SetOutputDiag2 replaces the output second derivative set by Loss.
func (w *Workspace) SetOutputDiag2(d2y []float64) { copy(w.d2Out, d2y) }

// Backward adds ∂E/∂θ, summed over the chunk, to grad.
func (w *Workspace) Backward(theta, grad []float64) {
	for i := len(w.bufs) - 1; i >= 0; i-- {
		b := &w.bufs[i]
		b.G = grad[w.Net.offsets[i]:w.Net.offsets[i+1]]
		w.Net.Layers[i].Backward(b)
	}
}

// Backward2 adds the paper's diagonal second derivatives h_kk, summed over
// the chunk, to h: the Levenberg–Marquardt form, or with full the form that
// keeps the f” terms (which needs ∂E/∂x, so it runs Backward first).
func (w *Workspace) Backward2(theta, h []float64, full bool) {
	if full {
		if w.scratchG == nil {
			w.scratchG = make([]float64, w.Net.NumParams())
		}
		w.Backward(theta, w.scratchG)
	}
	for i := len(w.bufs) - 1; i >= 0; i-- {
		b := &w.bufs[i]
		b.H = h[w.Net.offsets[i]:w.Net.offsets[i+1]]
		w.Net.Layers[i].Backward2(b, full)
	}
}
