// Package sparse is inference for a pruned network with only its surviving
// parameters stored, to measure what deleting parameters buys in time
// beside what it buys in multiply-accumulates.
//
// New compiles a model.Net, its parameters θ and a pruning mask into a
// forward pass that visits surviving weights only:
//
//   - a fully connected layer is its weight matrix [out×in] in compressed
//     sparse row (CSR) form, one row per output unit: y_i = Σ_j w_ij x_j + b_i
//     over the row's stored entries;
//   - a convolution is a direct sparse convolution: per output map, the
//     list of its surviving kernel weights, each (input map i, row u,
//     column v, w) adding w·x[i, y+u, x+v] to every output position. This
//     is CSR over the unrolled (im2col) kernel matrix [maps × in.C·K·K],
//     with the unrolling never materialised; a connection table only
//     leaves fewer stored entries;
//   - max pooling and the zip-code net's averaging subsampling are as in
//     the dense harness (model/maxpool.go, model/subsample.go), with a
//     deleted subsampling coefficient or bias taken as 0.
//
// Activations are held feature-major with the samples of a batch
// innermost: unit f of sample s is a[f·n+s]. Every stored weight then
// updates a contiguous run of n samples (n·W for a row of a feature map),
// so the index of each weight is read once per batch rather than once per
// sample, and the inner loops are plain multiply-adds over contiguous
// memory. The kernels are pure Go, whatever the BLAS backend, and
// single-threaded.
//
// Biases are kept as dense vectors (a deleted bias is 0); Connections
// counts the multiply-accumulates of the surviving parameters per sample,
// bias connections included, which is prune.Count's count of remaining
// connections.
//
// The outputs equal the dense harness's forward pass on the masked θ to
// rounding (sparse_test.go).
package sparse

import (
	"fmt"
	"math"

	"obd/model"
)

// Net is a pruned network compiled for sparse inference. It is not safe
// for concurrent use: give each goroutine its own (New is cheap).
type Net struct {
	net    *model.Net
	layers []layer
	conns  int

	capN int         // batch size the buffers hold
	bufs [][]float64 // bufs[0] the input, bufs[i+1] layer i's output, feature-major
	out  []float64   // the outputs, sample after sample
}

// layer is one compiled stage: forward reads x (in×n, feature-major) and
// writes y (out×n).
type layer interface {
	forward(x, y []float64, n int)
	inSize() int
	outSize() int
	connections() int
}

// New compiles net at theta under mask (mask[k] false: parameter k is
// deleted; a nil mask keeps every parameter). Deleted parameters are
// dropped whatever their value in theta, so theta need not be masked.
// Supported layers: model.FC, model.Conv (with or without a connection
// table), model.MaxPool and model.Subsample.
func New(net *model.Net, theta []float64, mask []bool) (*Net, error) {
	if len(theta) != net.NumParams() {
		return nil, fmt.Errorf("sparse: %s: %d parameters, want %d", net.Name, len(theta), net.NumParams())
	}
	if mask != nil && len(mask) != len(theta) {
		return nil, fmt.Errorf("sparse: %s: mask has %d entries for %d parameters", net.Name, len(mask), len(theta))
	}
	s := &Net{net: net}
	for i, l := range net.Layers {
		lo, hi := net.Offset(i), net.Offset(i+1)
		p := theta[lo:hi]
		var m []bool
		if mask != nil {
			m = mask[lo:hi]
		}
		alive := func(k int) bool { return m == nil || m[k] }
		var c layer
		switch l := l.(type) {
		case *model.FC:
			c = newFC(l, p, alive)
		case *model.Conv:
			c = newConv(l, p, alive)
		case *model.MaxPool:
			c = &maxPool{in: l.InShape(), out: l.OutShape()}
		case *model.Subsample:
			c = newSubsample(l, p, alive)
		default:
			return nil, fmt.Errorf("sparse: %s: layer %s: unsupported type %T", net.Name, l.Name(), l)
		}
		s.layers = append(s.layers, c)
		s.conns += c.connections()
	}
	return s, nil
}

// Connections is the number of multiply-accumulates with a surviving
// parameter per sample, bias connections included: prune.Count's
// remaining connections.
func (s *Net) Connections() int { return s.conns }

// Forward runs n samples through the network. x holds them sample after
// sample, each in the net's input layout (model.Data.X's layout); the
// result is n × Outputs(), sample after sample, valid until the next call.
func (s *Net) Forward(x []float64, n int) []float64 {
	in, k := s.net.Input.Size(), s.net.Outputs()
	if len(x) < n*in {
		panic(fmt.Sprintf("sparse: %d inputs for %d samples of %d", len(x), n, in))
	}
	s.grow(n)
	a := s.bufs[0][:in*n]
	for smp := range n {
		for f, v := range x[smp*in:][:in] {
			a[f*n+smp] = v
		}
	}
	for i, l := range s.layers {
		l.forward(s.bufs[i][:l.inSize()*n], s.bufs[i+1][:l.outSize()*n], n)
	}
	y := s.bufs[len(s.layers)][:k*n]
	out := s.out[:n*k]
	for f := range k {
		for smp, v := range y[f*n:][:n] {
			out[smp*k+f] = v
		}
	}
	return out
}

func (s *Net) grow(n int) {
	if n <= s.capN {
		return
	}
	s.capN = n
	s.bufs = [][]float64{make([]float64, n*s.net.Input.Size())}
	for _, l := range s.layers {
		s.bufs = append(s.bufs, make([]float64, n*l.outSize()))
	}
	s.out = make([]float64, n*s.net.Outputs())
}

// csr is a sparse matrix in compressed sparse row form: row r's entries
// are val[ptr[r]:ptr[r+1]], in columns col[ptr[r]:ptr[r+1]] (ascending).
type csr struct {
	ptr []int32
	col []int32
	val []float64
}

func (m *csr) nnz() int { return len(m.val) }

// fc is a fully connected layer: CSR weights [out×in], dense biases.
type fc struct {
	in, out int
	act     model.Act
	w       csr
	bias    []float64
	conns   int
}

func newFC(l *model.FC, p []float64, alive func(int) bool) *fc {
	t := l.Tensors()
	out, in := t[0].Shape[0], t[0].Shape[1]
	c := &fc{in: in, out: out, act: l.Act(), bias: make([]float64, out)}
	c.w.ptr = make([]int32, 0, out+1)
	c.w.ptr = append(c.w.ptr, 0)
	for i := range out {
		for j := range in {
			if k := i*in + j; alive(k) {
				c.w.col = append(c.w.col, int32(j))
				c.w.val = append(c.w.val, p[k])
			}
		}
		c.w.ptr = append(c.w.ptr, int32(len(c.w.val)))
		if k := t[1].Offset + i; alive(k) {
			c.bias[i] = p[k]
			c.conns++
		}
	}
	c.conns += c.w.nnz()
	return c
}

func (c *fc) inSize() int      { return c.in }
func (c *fc) outSize() int     { return c.out }
func (c *fc) connections() int { return c.conns }

func (c *fc) forward(x, y []float64, n int) {
	for i := range c.out {
		yi := y[i*n:][:n]
		for s := range yi {
			yi[s] = c.bias[i]
		}
		lo, hi := c.w.ptr[i], c.w.ptr[i+1]
		accumulate(yi, x, c.w.col[lo:hi], c.w.val[lo:hi], n, 0)
	}
	activate(c.act, y)
}

// accumulate adds Σ_e val[e]·x[col[e]·stride + base : …+len(dst)] to dst:
// for a fully connected row (stride n, base 0) the row's stored weights
// times their input units over the batch; for a convolution, one output
// row. Four weights at a time, so that dst is loaded and stored once per
// four.
func accumulate(dst, x []float64, col []int32, val []float64, stride, base int) {
	m := len(dst)
	e := 0
	for ; e+4 <= len(val); e += 4 {
		w0, w1, w2, w3 := val[e], val[e+1], val[e+2], val[e+3]
		x0 := x[int(col[e])*stride+base:][:m]
		x1 := x[int(col[e+1])*stride+base:][:m]
		x2 := x[int(col[e+2])*stride+base:][:m]
		x3 := x[int(col[e+3])*stride+base:][:m]
		for s := range dst {
			dst[s] += w0*x0[s] + w1*x1[s] + w2*x2[s] + w3*x3[s]
		}
	}
	for ; e < len(val); e++ {
		w, xs := val[e], x[int(col[e])*stride+base:][:m]
		for s := range dst {
			dst[s] += w * xs[s]
		}
	}
}

// conv is a direct sparse convolution (valid, stride 1): per output map,
// its surviving kernel weights as a CSR row over the unrolled kernel
// (columns (i,u,v)), stored as input-unit offsets (i·H + u)·W + v.
type conv struct {
	in, out model.Shape
	act     model.Act
	w       csr // rows: output maps; col: offset of the weight's input unit for output position (0,0)
	bias    []float64
	conns   int
}

func newConv(l *model.Conv, p []float64, alive func(int) bool) *conv {
	t := l.Tensors()
	in, out, k := l.InShape(), l.OutShape(), t[0].Shape[2]
	kk := k * k
	c := &conv{in: in, out: out, act: l.Act(), bias: make([]float64, out.C)}
	// Kernels are stored in pair order; gather each output map's, by
	// input map, so that a row's entries run along the input.
	byMap := make([][][2]int, out.C) // (input map, kernel index)
	for j, pr := range l.Pairs() {
		byMap[pr[0]] = append(byMap[pr[0]], [2]int{pr[1], j})
	}
	c.w.ptr = append(c.w.ptr, 0)
	surviving := 0
	for o := range out.C {
		kernels := byMap[o]
		for a := 1; a < len(kernels); a++ { // insertion sort by input map
			for b := a; b > 0 && kernels[b][0] < kernels[b-1][0]; b-- {
				kernels[b], kernels[b-1] = kernels[b-1], kernels[b]
			}
		}
		for _, ij := range kernels {
			i, j := ij[0], ij[1]
			for u := range k {
				for v := range k {
					if q := j*kk + u*k + v; alive(q) {
						c.w.col = append(c.w.col, int32((i*in.H+u)*in.W+v))
						c.w.val = append(c.w.val, p[q])
						surviving++
					}
				}
			}
		}
		c.w.ptr = append(c.w.ptr, int32(len(c.w.val)))
		if q := t[1].Offset + o; alive(q) {
			c.bias[o] = p[q]
			surviving++
		}
	}
	c.conns = surviving * out.H * out.W
	return c
}

func (c *conv) inSize() int      { return c.in.Size() }
func (c *conv) outSize() int     { return c.out.Size() }
func (c *conv) connections() int { return c.conns }

// forward: output row y of map o, all its columns and samples (ow·n
// contiguous values), gets w·(input row y+u of map i from column v) for
// every surviving weight (i,u,v) of map o: a contiguous run of ow·n values
// too, since columns are adjacent and samples innermost.
func (c *conv) forward(x, y []float64, n int) {
	oh, ow, iw := c.out.H, c.out.W, c.in.W
	row := ow * n
	for o := range c.out.C {
		lo, hi := c.w.ptr[o], c.w.ptr[o+1]
		col, val := c.w.col[lo:hi], c.w.val[lo:hi]
		for r := range oh {
			dst := y[(o*oh+r)*row:][:row]
			for s := range dst {
				dst[s] = c.bias[o]
			}
			accumulate(dst, x, col, val, n, r*iw*n)
		}
	}
	activate(c.act, y)
}

// maxPool is 2×2 max pooling, stride 2, as model.MaxPool.
type maxPool struct{ in, out model.Shape }

func (c *maxPool) inSize() int      { return c.in.Size() }
func (c *maxPool) outSize() int     { return c.out.Size() }
func (c *maxPool) connections() int { return 0 }

func (c *maxPool) forward(x, y []float64, n int) {
	iw, oh, ow := c.in.W, c.out.H, c.out.W
	for m := range c.out.C {
		for r := range oh {
			for q := range ow {
				i := (m*c.in.H+2*r)*iw + 2*q
				x0, x1 := x[i*n:][:n], x[(i+1)*n:][:n]
				x2, x3 := x[(i+iw)*n:][:n], x[(i+iw+1)*n:][:n]
				dst := y[((m*oh+r)*ow+q)*n:][:n]
				for s := range dst {
					// model.MaxPool's order: the first of the largest wins.
					v := x0[s]
					if x1[s] > v {
						v = x1[s]
					}
					if x2[s] > v {
						v = x2[s]
					}
					if x3[s] > v {
						v = x3[s]
					}
					dst[s] = v
				}
			}
		}
	}
}

// subsample is the zip-code net's 2×2 averaging layer, as model.Subsample:
// a = c_m·(sum of the window) + b_m; a deleted c_m or b_m is 0.
type subsample struct {
	in, out model.Shape
	act     model.Act
	coef    []float64
	bias    []float64
	conns   int
}

func newSubsample(l *model.Subsample, p []float64, alive func(int) bool) *subsample {
	in, out := l.InShape(), l.OutShape()
	c := &subsample{in: in, out: out, act: l.Act(), coef: make([]float64, in.C), bias: make([]float64, in.C)}
	pos := out.H * out.W
	for m := range in.C {
		if alive(m) {
			c.coef[m] = p[m]
			c.conns += 4 * pos
		}
		if alive(in.C + m) {
			c.bias[m] = p[in.C+m]
			c.conns += pos
		}
	}
	return c
}

func (c *subsample) inSize() int      { return c.in.Size() }
func (c *subsample) outSize() int     { return c.out.Size() }
func (c *subsample) connections() int { return c.conns }

func (c *subsample) forward(x, y []float64, n int) {
	iw, oh, ow := c.in.W, c.out.H, c.out.W
	for m := range c.out.C {
		cm, bm := c.coef[m], c.bias[m]
		for r := range oh {
			for q := range ow {
				i := (m*c.in.H+2*r)*iw + 2*q
				x0, x1 := x[i*n:][:n], x[(i+1)*n:][:n]
				x2, x3 := x[(i+iw)*n:][:n], x[(i+iw+1)*n:][:n]
				dst := y[((m*oh+r)*ow+q)*n:][:n]
				for s := range dst {
					dst[s] = cm*(x0[s]+x1[s]+x2[s]+x3[s]) + bm
				}
			}
		}
	}
	activate(c.act, y)
}

// activate applies the squashing function in place, as model's Act does:
// LeCun's 1.7159·tanh(2a/3), max(a, 0), or nothing.
func activate(f model.Act, a []float64) {
	switch f {
	case model.ScaledTanh:
		for i, v := range a {
			a[i] = 1.7159 * math.Tanh(2.0/3.0*v)
		}
	case model.ReLU:
		for i, v := range a {
			a[i] = max(v, 0)
		}
	case model.Identity:
	default:
		panic(fmt.Sprintf("sparse: unknown activation %v", f))
	}
}
