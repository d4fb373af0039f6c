package model

// WorkspaceOf holds the buffers for running a Net on up to Cap samples at
// once, in element type T. It is not safe for concurrent use; give each
// goroutine its own. Workspace (float64) runs every pass; Workspace32
// (float32) runs the forward and gradient passes only, for training in
// float32 (train.Recipe.Precision).
type WorkspaceOf[T Float] struct {
	Net *Net
	Cap int
	X   []T // inputs, Cap × Input.Size()
	T   []T // targets, Cap × Outputs()

	bufs     []Buf[T]
	dOut     []T // ∂E/∂y at the output
	d2Out    []T // nil in float32
	scratchG []T // gradient sink for the first-order pass inside Backward2
	aux      []T
}

// Workspace is the float64 workspace: every pass, the second-order one
// included.
type Workspace = WorkspaceOf[float64]

// Workspace32 is the float32 workspace: forward and gradient passes only.
type Workspace32 = WorkspaceOf[float32]

// Aux returns a buffer of n values owned by the workspace, for callers
// that need per-worker scratch (its contents are not preserved between
// calls with a larger n).
func (w *WorkspaceOf[T]) Aux(n int) []T {
	if len(w.aux) < n {
		w.aux = make([]T, n)
	}
	return w.aux[:n]
}

// NewWorkspace allocates float64 buffers for chunks of up to capacity
// samples.
func (n *Net) NewWorkspace(capacity int) *Workspace { return NewWorkspaceOf[float64](n, capacity) }

// NewWorkspaceOf allocates buffers in element type T for chunks of up to
// capacity samples. The second-order buffers are allocated for float64
// only.
func NewWorkspaceOf[T Float](n *Net, capacity int) *WorkspaceOf[T] {
	_, second := any(T(0)).(float64)
	w := &WorkspaceOf[T]{Net: n, Cap: capacity}
	w.X = make([]T, capacity*n.Input.Size())
	w.T = make([]T, capacity*n.Outputs())
	w.bufs = make([]Buf[T], len(n.Layers))
	for i, l := range n.Layers {
		b := &w.bufs[i]
		size := capacity * l.OutShape().Size()
		bufs := []*[]T{&b.A, &b.Y, &b.DY, &b.DA}
		if second {
			bufs = append(bufs, &b.D2Y, &b.D2A)
		}
		for _, p := range bufs {
			*p = make([]T, size)
		}
		b.S = make([]T, l.ScratchLen(capacity))
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

func (w *WorkspaceOf[T]) bind(theta []T, n int) {
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
func (w *WorkspaceOf[T]) Forward(theta []T, n int) []T {
	w.bind(theta, n)
	for i, l := range w.Net.Layers {
		switch b := any(&w.bufs[i]).(type) {
		case *Buf[float64]:
			l.Forward(b)
		case *Buf[float32]:
			l.Forward32(b)
		}
	}
	return w.bufs[len(w.bufs)-1].Y[:n*w.Net.Outputs()]
}

// Input is the input of layer i in the last Forward: N × InShape().Size()
// values, sample after sample (the previous layer's output, or X for the
// first layer), valid until the next call.
func (w *WorkspaceOf[T]) Input(i int) []T {
	b := &w.bufs[i]
	return b.X[:b.N*w.Net.Layers[i].InShape().Size()]
}

// Output is the output of the last Forward.
func (w *WorkspaceOf[T]) Output() []T {
	b := &w.bufs[len(w.bufs)-1]
	return b.Y[:b.N*w.Net.Outputs()]
}

// Loss evaluates the loss of the last Forward against T and sets the output
// derivatives for Backward and (in float64) Backward2. It returns Σ E over
// the samples, computed in float64 (Loss.Eval, Loss.Eval32).
func (w *WorkspaceOf[T]) Loss() float64 {
	n, k := w.bufs[0].N, w.Net.Outputs()
	switch w := any(w).(type) {
	case *Workspace:
		return w.Net.Loss.Eval(w.Output(), w.T, w.dOut, w.d2Out, n, k)
	case *Workspace32:
		return w.Net.Loss.Eval32(w.Output(), w.T, w.dOut, n, k)
	}
	panic("model: unreachable")
}

// SetOutputGrad replaces the output derivative ∂E/∂y set by Loss, for
// passes that backpropagate something other than the loss (Jacobian rows).
func (w *WorkspaceOf[T]) SetOutputGrad(dy []T) { copy(w.dOut, dy) }

// SetOutputDiag2 replaces the output second derivative set by Loss. It
// panics on a Workspace32: the second-order pass is float64 only.
func (w *WorkspaceOf[T]) SetOutputDiag2(d2y []T) {
	copy(w.second("SetOutputDiag2").d2Out, any(d2y).([]float64))
}

// Backward adds ∂E/∂θ, summed over the chunk, to grad.
func (w *WorkspaceOf[T]) Backward(theta, grad []T) {
	for i := len(w.bufs) - 1; i >= 0; i-- {
		b := &w.bufs[i]
		b.G = grad[w.Net.offsets[i]:w.Net.offsets[i+1]]
		switch b := any(b).(type) {
		case *Buf[float64]:
			w.Net.Layers[i].Backward(b)
		case *Buf[float32]:
			w.Net.Layers[i].Backward32(b)
		}
	}
}

// Backward2 adds the paper's diagonal second derivatives h_kk, summed over
// the chunk, to h: the Levenberg–Marquardt form, or with full the form that
// keeps the f” terms (which needs ∂E/∂x, so it runs Backward first). It
// panics on a Workspace32: the second-order pass is float64 only.
func (w *WorkspaceOf[T]) Backward2(theta, h []T, full bool) {
	w64 := w.second("Backward2")
	theta64, h64 := any(theta).([]float64), any(h).([]float64)
	if full {
		if w64.scratchG == nil {
			w64.scratchG = make([]float64, w64.Net.NumParams())
		}
		w64.Backward(theta64, w64.scratchG)
	}
	for i := len(w64.bufs) - 1; i >= 0; i-- {
		b := &w64.bufs[i]
		b.H = h64[w64.Net.offsets[i]:w64.Net.offsets[i+1]]
		w64.Net.Layers[i].Backward2(b, full)
	}
}

// second returns w as the float64 workspace the second-order pass needs,
// or panics naming the method called on a float32 one.
func (w *WorkspaceOf[T]) second(method string) *Workspace {
	w64, ok := any(w).(*Workspace)
	if !ok {
		panic("model: " + method + " runs in float64 only, not on a Workspace32")
	}
	return w64
}
