package model

import (
	"runtime"
	"sync"

	"obd/datasets"
)

// Data is a labelled set prepared for one net: inputs already scaled and
// targets already encoded for its loss.
type Data struct {
	X      []float64 // N × inputs
	T      []float64 // N × outputs
	Labels []uint8
	N      int
}

// NewData scales the set's grey levels and encodes its labels as net
// expects.
func NewData(net *Net, set *datasets.Set) *Data {
	return &Data{
		X:      set.Inputs(net.Inputs),
		T:      net.Loss.Targets(set.Labels, net.Outputs()),
		Labels: set.Labels,
		N:      set.N(),
	}
}

// ChunkSize is the number of samples a worker processes at once. Results
// are summed chunk by chunk in a fixed order, so they do not depend on the
// number of workers.
const ChunkSize = 16

// Pass selects what a sweep over samples computes.
type Pass int

const (
	// PassEval runs forward and the loss only.
	PassEval Pass = iota
	// PassGrad adds the gradient ∂E/∂θ.
	PassGrad
	// PassLM adds the paper's Levenberg–Marquardt Hessian diagonal.
	PassLM
	// PassFull adds the paper's diagonal recursion with the f'' terms.
	PassFull
)

// Stats are sums over the samples of a sweep.
type Stats struct {
	Loss   float64 // Σ E
	Errors int     // misclassified samples
	N      int
}

// MeanLoss is Loss / N.
func (s Stats) MeanLoss() float64 { return s.Loss / float64(s.N) }

// ErrorRate is Errors / N.
func (s Stats) ErrorRate() float64 { return float64(s.Errors) / float64(s.N) }

// EngineOf runs passes over many samples on several goroutines, in
// element type T: Engine (float64) runs every pass, Engine32 (float32) the
// evaluation and gradient passes, for training in float32
// (train.Recipe.Precision). Data stays float64; each chunk is converted to
// T as it is loaded into a worker's workspace.
type EngineOf[T Float] struct {
	Net     *Net
	Workers int

	ws     []*WorkspaceOf[T]
	labels [][]uint8 // per worker, ChunkSize long
	bufs   [][]T
	loss   []float64 // per chunk of a round of Run
	errs   []int
}

// Engine is the float64 engine.
type Engine = EngineOf[float64]

// Engine32 is the float32 engine: PassEval and PassGrad only.
type Engine32 = EngineOf[float32]

// NewEngine returns a float64 engine with the given number of workers (0
// means GOMAXPROCS).
func NewEngine(net *Net, workers int) *Engine { return NewEngineOf[float64](net, workers) }

// NewEngineOf returns an engine in element type T with the given number of
// workers (0 means GOMAXPROCS).
func NewEngineOf[T Float](net *Net, workers int) *EngineOf[T] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := &EngineOf[T]{Net: net, Workers: workers}
	for range workers {
		e.ws = append(e.ws, NewWorkspaceOf[T](net, ChunkSize))
		e.labels = append(e.labels, make([]uint8, ChunkSize))
	}
	return e
}

// ChunkFuncOf processes one chunk already loaded into ws (ws.X, ws.T hold
// n samples): it may add to out, its chunk's private accumulator (nil when
// the sweep has no accumulator), and returns the chunk's loss and errors.
type ChunkFuncOf[T Float] func(ws *WorkspaceOf[T], n int, labels []uint8, out []T) (loss float64, errs int)

// ChunkFunc is the float64 ChunkFuncOf, what Engine.Run takes.
type ChunkFunc = ChunkFuncOf[float64]

// Sum runs pass over the samples idx of d (all of d when idx is nil) and
// adds the summed gradient or Hessian diagonal to out (nil for PassEval).
// PassLM and PassFull panic on an Engine32 (Workspace.Backward2).
func (e *EngineOf[T]) Sum(theta []T, d *Data, idx []int, pass Pass, out []T) Stats {
	if _, ok := any(e).(*Engine); !ok && pass != PassEval && pass != PassGrad {
		panic("model: the second-order pass runs in float64 only, not on an Engine32")
	}
	return e.Run(d, idx, out, ChunkSize, func(ws *WorkspaceOf[T], n int, labels []uint8, acc []T) (float64, int) {
		ws.Forward(theta, n)
		loss := ws.Loss()
		switch pass {
		case PassGrad:
			ws.Backward(theta, acc)
		case PassLM, PassFull:
			ws.Backward2(theta, acc, pass == PassFull)
		}
		return loss, countErrors(ws.Output(), labels, e.Net.Outputs())
	})
}

// Run applies fn to the samples idx of d (all when idx is nil) in chunks of
// chunk ≤ ChunkSize samples, in parallel, and adds each chunk's accumulator
// to out in chunk order. out may be nil, in which case fn gets a nil
// accumulator. The result depends on chunk but not on the worker count.
func (e *EngineOf[T]) Run(d *Data, idx []int, out []T, chunk int, fn ChunkFuncOf[T]) Stats {
	if chunk < 1 || chunk > ChunkSize {
		panic("model: chunk size out of range")
	}
	n := d.N
	if idx != nil {
		n = len(idx)
	}
	slots := 4 * e.Workers
	if out != nil && len(e.bufs) < slots {
		for len(e.bufs) < slots {
			e.bufs = append(e.bufs, make([]T, len(out)))
		}
	}
	in, k := e.Net.Input.Size(), e.Net.Outputs()
	nChunks := (n + chunk - 1) / chunk
	if len(e.loss) < slots {
		e.loss, e.errs = make([]float64, slots), make([]int, slots)
	}
	loss, errs := e.loss, e.errs
	var st Stats
	st.N = n
	for first := 0; first < nChunks; first += slots {
		m := min(slots, nChunks-first)
		work := func(w int) {
			ws := e.ws[w]
			labels := e.labels[w]
			for j := w; j < m; j += e.Workers {
				lo := (first + j) * chunk
				hi := min(lo+chunk, n)
				for s := lo; s < hi; s++ {
					src := s
					if idx != nil {
						src = idx[s]
					}
					load(ws.X[(s-lo)*in:][:in], d.X[src*in:][:in])
					load(ws.T[(s-lo)*k:][:k], d.T[src*k:][:k])
					labels[s-lo] = d.Labels[src]
				}
				var acc []T
				if out != nil {
					acc = e.bufs[j][:len(out)]
					clear(acc)
				}
				loss[j], errs[j] = fn(ws, hi-lo, labels[:hi-lo], acc)
			}
		}
		if m == 1 || e.Workers == 1 {
			// One worker's share is everything: run it here rather
			// than on a goroutine started and waited for (per-pattern
			// training makes one such call per sample).
			work(0)
		} else {
			var wg sync.WaitGroup
			for w := range min(e.Workers, m) {
				wg.Go(func() { work(w) })
			}
			wg.Wait()
		}
		for j := range m {
			st.Loss += loss[j]
			st.Errors += errs[j]
			if out != nil {
				for i, v := range e.bufs[j][:len(out)] {
					out[i] += v
				}
			}
		}
	}
	return st
}

// load copies src into dst, rounding to float32 when T is float32.
func load[T Float](dst []T, src []float64) {
	if d, ok := any(dst).([]float64); ok {
		copy(d, src)
		return
	}
	for i, v := range src {
		dst[i] = T(v)
	}
}

// CountErrors counts samples whose largest output is not their label.
func CountErrors(y []float64, labels []uint8, k int) int { return countErrors(y, labels, k) }

func countErrors[T Float](y []T, labels []uint8, k int) int {
	errs := 0
	for s, l := range labels {
		row := y[s*k:][:k]
		best := 0
		for i, v := range row {
			if v > row[best] {
				best = i
			}
		}
		if best != int(l) {
			errs++
		}
	}
	return errs
}
