package prune

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"obd/model"
)

// patcher describes one layer with parameters as a linear map of its
// input coordinates: at each of p output positions per sample, a row of
// parameters multiplies the d coordinates z (the inputs, and a constant 1
// for the bias).
type patcher struct {
	layer int // in Net.Layers
	d, p  int
	// rows lists each row's parameters as (index in the layer's
	// parameters, coordinate).
	rows [][][2]int
	// fill writes one sample's coordinates, read from x (the layer's
	// input), into a: coordinate c at position t is a[c·ld + t].
	fill func(x, a []float64, ld int)
}

// patchersOf returns the patchers of net's layers with parameters: fully
// connected, convolutional (with or without a connection table) and
// subsampling layers. Another layer type with parameters is an error.
func patchersOf(net *model.Net) ([]patcher, error) {
	var ps []patcher
	for li, l := range net.Layers {
		if l.NumParams() == 0 {
			continue
		}
		switch l := l.(type) {
		case *model.FC:
			in, out := l.InShape().Size(), l.OutShape().Size()
			p := patcher{layer: li, d: in + 1, p: 1}
			for o := range out {
				row := make([][2]int, 0, in+1)
				for j := range in {
					row = append(row, [2]int{o*in + j, j})
				}
				p.rows = append(p.rows, append(row, [2]int{out*in + o, in}))
			}
			p.fill = func(x, a []float64, ld int) {
				for j, v := range x[:in] {
					a[j*ld] = v
				}
				a[in*ld] = 1
			}
			ps = append(ps, p)
		case *model.Conv:
			kk := l.K() * l.K()
			col := l.InShape().C * kk
			pos := l.OutShape().H * l.OutShape().W
			p := patcher{layer: li, d: col + 1, p: pos}
			p.rows = make([][][2]int, l.OutShape().C)
			for j, pr := range l.Pairs() {
				for t := range kk {
					p.rows[pr[0]] = append(p.rows[pr[0]], [2]int{j*kk + t, pr[1]*kk + t})
				}
			}
			nw := len(l.Pairs()) * kk
			for o := range p.rows {
				p.rows[o] = append(p.rows[o], [2]int{nw + o, col})
			}
			p.fill = func(x, a []float64, ld int) {
				l.Patches(x, a, ld)
				ones := a[col*ld:][:pos]
				for t := range ones {
					ones[t] = 1
				}
			}
			ps = append(ps, p)
		case *model.Subsample:
			in := l.InShape()
			oh, ow := l.OutShape().H, l.OutShape().W
			p := patcher{layer: li, d: in.C + 1, p: oh * ow}
			for m := range in.C {
				p.rows = append(p.rows, [][2]int{{m, m}, {in.C + m, in.C}})
			}
			p.fill = func(x, a []float64, ld int) {
				for m := range in.C {
					xm := x[m*in.H*in.W:]
					for y := range oh {
						for xx := range ow {
							i := 2*y*in.W + 2*xx
							a[m*ld+y*ow+xx] = xm[i] + xm[i+1] + xm[i+in.W] + xm[i+in.W+1]
						}
					}
				}
				ones := a[in.C*ld:][:oh*ow]
				for t := range ones {
					ones[t] = 1
				}
			}
			ps = append(ps, p)
		default:
			return nil, fmt.Errorf("obs-layerwise: layer %s (%s) has parameters but no reconstruction rows", l.Name(), l.Describe())
		}
	}
	return ps, nil
}

// hessianBatch is the number of chunks whose sums layerHessians
// computes side by side before adding them, in chunk order, to the total:
// fixed, so that the result does not depend on the number of workers.
const hessianBatch = 4

// layerHessians returns, for each patcher, the Hessian of its layer's
// reconstruction error, H = (2/N) Σ_n Σ_positions z zᵀ (d×d, row-major,
// symmetric), over the samples idx of d (all when nil) at theta: one
// forward pass per chunk of model.ChunkSize samples gives every layer's
// inputs, and the chunk's coordinates (d × chunk·p) add their symmetric
// rank-k product. Chunks are summed in order, so the result does not
// depend on the engine's workers.
func layerHessians(e *model.Engine, theta []float64, d *model.Data, idx []int, ps []patcher) ([][]float64, error) {
	n := d.N
	if idx != nil {
		n = len(idx)
	}
	if n == 0 {
		return nil, fmt.Errorf("obs-layerwise: no samples")
	}
	net := e.Net
	offs := make([]int, len(ps)+1)
	scratch := 0
	for j, p := range ps {
		offs[j+1] = offs[j] + p.d*p.d
		scratch = max(scratch, p.d*p.p*model.ChunkSize)
	}
	total := make([]float64, offs[len(ps)])
	bufs := make([][]float64, hessianBatch)
	for j := range bufs {
		bufs[j] = make([]float64, len(total))
	}
	workers := max(1, min(e.Workers, hessianBatch))
	wss := make([]*model.Workspace, workers)
	for w := range wss {
		wss[w] = net.NewWorkspace(model.ChunkSize)
	}
	inSize := net.Input.Size()
	chunks := (n + model.ChunkSize - 1) / model.ChunkSize
	for first := 0; first < chunks; first += hessianBatch {
		m := min(hessianBatch, chunks-first)
		var wg sync.WaitGroup
		for w := range min(workers, m) {
			wg.Go(func() {
				ws := wss[w]
				a := ws.Aux(scratch)
				for j := w; j < m; j += workers {
					lo := (first + j) * model.ChunkSize
					cn := min(lo+model.ChunkSize, n) - lo
					for s := range cn {
						src := lo + s
						if idx != nil {
							src = idx[src]
						}
						copy(ws.X[s*inSize:][:inSize], d.X[src*inSize:][:inSize])
					}
					ws.Forward(theta, cn)
					out := bufs[j]
					clear(out)
					for pj, p := range ps {
						x := ws.Input(p.layer)
						in := net.Layers[p.layer].InShape().Size()
						ld := cn * p.p
						for s := range cn {
							p.fill(x[s*in:][:in], a[s*p.p:], ld)
						}
						blas64.Syrk(blas.NoTrans, 1, blas64.General{Rows: p.d, Cols: ld, Stride: ld, Data: a[:p.d*ld]},
							0, blas64.Symmetric{N: p.d, Stride: p.d, Uplo: blas.Upper, Data: out[offs[pj]:offs[pj+1]]})
					}
				}
			})
		}
		wg.Wait()
		for j := range m {
			for i, v := range bufs[j] {
				total[i] += v
			}
		}
	}
	hs := make([][]float64, len(ps))
	for j, p := range ps {
		h := total[offs[j]:offs[j+1]:offs[j+1]]
		for r := range p.d {
			for c := r; c < p.d; c++ {
				v := 2 * h[r*p.d+c] / float64(n)
				h[r*p.d+c], h[c*p.d+r] = v, v
			}
		}
		hs[j] = h
	}
	return hs, nil
}
