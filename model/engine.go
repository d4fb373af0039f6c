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

// Engine runs passes over many samples on several goroutines.
type Engine struct {
	Net     *Net
	Workers int

	ws     []*Workspace
	labels [][]uint8 // per worker, ChunkSize long
	bufs   [][]float64
}

// NewEngine returns an engine with the given number of workers (0 means
// GOMAXPROCS).
func NewEngine(net *Net, workers int) *Engine {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := &Engine{Net: net, Workers: workers}
	for range workers {
		e.ws = append(e.ws, net.NewWorkspace(ChunkSize))
		e.labels = append(e.labels, make([]uint8, ChunkSize))
	}
	return e
}

// ChunkFunc processes one chunk already loaded into ws (ws.X, ws.T hold n
// samples): it may add to out, its chunk's private accumulator (nil when
// the sweep has no accumulator), and returns the chunk's loss and errors.
type ChunkFunc func(ws *Workspace, n int, labels []uint8, out []float64) (loss float64, errs int)

// Sum runs pass over the samples idx of d (all of d when idx is nil) and
// adds the summed gradient or Hessian diagonal to out (nil for PassEval).
func (e *Engine) Sum(theta []float64, d *Data, idx []int, pass Pass, out []float64) Stats {
	return e.Run(d, idx, out, ChunkSize, func(ws *Workspace, n int, labels []uint8, acc []float64) (float64, int) {
		ws.Forward(theta, n)
		loss := ws.Loss()
		switch pass {
		case PassGrad:
			ws.Backward(theta, acc)
		case PassLM, PassFull:
			ws.Backward2(theta, acc, pass == PassFull)
		}
		return loss, CountErrors(ws.Output(), labels, e.Net.Outputs())
	})
}

// Run applies fn to the samples idx of d (all when idx is nil) in chunks of
// chunk ≤ ChunkSize samples, in parallel, and adds each chunk's accumulator
// to out in chunk order. out may be nil, in which case fn gets a nil
// accumulator. The result depends on chunk but not on the worker count.
func (e *Engine) Run(d *Data, idx []int, out []float64, chunk int, fn ChunkFunc) Stats {
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
			e.bufs = append(e.bufs, make([]float64, len(out)))
		}
	}
	in, k := e.Net.Input.Size(), e.Net.Outputs()
	nChunks := (n + chunk - 1) / chunk
	loss := make([]float64, slots)
	errs := make([]int, slots)
	var st Stats
	st.N = n
	for first := 0; first < nChunks; first += slots {
		m := min(slots, nChunks-first)
		var wg sync.WaitGroup
		for w := range min(e.Workers, m) {
			wg.Go(func() {
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
						copy(ws.X[(s-lo)*in:][:in], d.X[src*in:][:in])
						copy(ws.T[(s-lo)*k:][:k], d.T[src*k:][:k])
						labels[s-lo] = d.Labels[src]
					}
					var acc []float64
					if out != nil {
						acc = e.bufs[j][:len(out)]
						clear(acc)
					}
					loss[j], errs[j] = fn(ws, hi-lo, labels[:hi-lo], acc)
				}
			})
		}
		wg.Wait()
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

// CountErrors counts samples whose largest output is not their label.
func CountErrors(y []float64, labels []uint8, k int) int {
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
