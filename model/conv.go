package model

import (
	"fmt"
	"math/rand/v2"
)

// Conv is a valid (no padding), stride-1 convolution with shared K×K
// kernels and one bias per output map:
//
//	a[o,y,x] = Σ_{i∈in(o)} Σ_{u,v} w[o,i,u,v]·x[i,y+u,x+v] + b[o]
//
// By default every output map reads every input map. With a connection
// table, output map o reads only the input maps in Table[o], and only those
// kernels are free parameters (the zip-code net's H3). Parameters: the
// kernels, in (o, i) order, K·K each, then the biases.
type Conv struct {
	name       string
	in, out    Shape
	k          int
	act        Act
	table      [][]int // nil: fully connected maps
	pairs      [][2]int
	kk, colLen int // K·K, and in.C·K·K (a dense kernel row)
	p          int // output positions per map
}

// NewConv returns a convolution of in with outMaps kernels of size k×k. A
// nil table connects every input map to every output map; otherwise
// table[o] lists the input maps (0-based) that output map o reads.
func NewConv(name string, in Shape, outMaps, k int, act Act, table [][]int) *Conv {
	l := &Conv{name: name, in: in, k: k, act: act, table: table}
	l.out = Shape{outMaps, in.H - k + 1, in.W - k + 1}
	l.kk, l.colLen, l.p = k*k, in.C*k*k, l.out.H*l.out.W
	for o := range outMaps {
		if table == nil {
			for i := range in.C {
				l.pairs = append(l.pairs, [2]int{o, i})
			}
			continue
		}
		for _, i := range table[o] {
			if i < 0 || i >= in.C {
				panic(fmt.Sprintf("model: %s: table[%d] names input map %d of %d", name, o, i, in.C))
			}
			l.pairs = append(l.pairs, [2]int{o, i})
		}
	}
	return l
}

func (l *Conv) Name() string    { return l.name }
func (l *Conv) InShape() Shape  { return l.in }
func (l *Conv) OutShape() Shape { return l.out }
func (l *Conv) Act() Act        { return l.act }
func (l *Conv) Describe() string {
	s := fmt.Sprintf("conv %d×%d, %d→%d maps", l.k, l.k, l.in.C, l.out.C)
	if l.table != nil {
		s += fmt.Sprintf(" (%d kernels by table)", len(l.pairs))
	}
	return s + ", " + l.act.String()
}
func (l *Conv) nw() int          { return len(l.pairs) * l.kk }
func (l *Conv) NumParams() int   { return l.nw() + l.out.C }
func (l *Conv) Connections() int { return l.p * (l.nw() + l.out.C) }
func (l *Conv) Tensors() []Tensor {
	return []Tensor{
		{Name: "weight", Offset: 0, Len: l.nw(), Shape: []int{l.out.C, l.in.C, l.k, l.k}},
		{Name: "bias", Offset: l.nw(), Len: l.out.C, Shape: []int{l.out.C}},
	}
}
func (l *Conv) ConnectionsPerParam(c []float64) {
	for k := range c[:l.NumParams()] {
		c[k] += float64(l.p)
	}
}

// Init: uniform in ±r, r from the fan-in of each output map (see FC.Init).
func (l *Conv) Init(p []float64, rng *rand.Rand) {
	fan := make([]int, l.out.C)
	for _, pr := range l.pairs {
		fan[pr[0]] += l.kk
	}
	for j, pr := range l.pairs {
		r := initRange(l.act, fan[pr[0]])
		for u := range l.kk {
			p[j*l.kk+u] = r * (2*rng.Float64() - 1)
		}
	}
	clear(p[l.nw():l.NumParams()])
}

// Scratch: col and dcol (colLen×P each), the dense kernel matrix (squared
// for Backward2, or expanded from a table) and, for a table, its gradient
// (out.C×colLen each).
func (l *Conv) ScratchLen(int) int {
	s := 2*l.colLen*l.p + l.out.C*l.colLen
	if l.table != nil {
		s += l.out.C * l.colLen
	}
	return s
}
func (l *Conv) IndexLen(int) int { return 0 }

// scratch splits b.S and returns the dense kernel matrix with each weight
// squared when sq is set (for Backward2), and for a table the dense
// gradient accumulator gd (zeroed), nil otherwise.
func (l *Conv) scratch(b *Buf, sq bool) (col, dcol, wd, gd []float64) {
	n, m := l.colLen*l.p, l.out.C*l.colLen
	col, dcol, wd = b.S[:n], b.S[n:2*n], b.S[2*n:2*n+m]
	if l.table == nil {
		if !sq {
			return col, dcol, b.P[:l.nw()], nil
		}
		square(wd, b.P[:l.nw()])
		return col, dcol, wd, nil
	}
	gd = b.S[2*n+m : 2*n+2*m]
	clear(wd)
	for j, pr := range l.pairs {
		dst := wd[pr[0]*l.colLen+pr[1]*l.kk:][:l.kk]
		src := b.P[j*l.kk:][:l.kk]
		for u, v := range src {
			if sq {
				v *= v
			}
			dst[u] = v
		}
	}
	clear(gd)
	return col, dcol, wd, gd
}

// gather adds the free-parameter entries of the dense kernel gradient gd to g.
func (l *Conv) gather(g, gd []float64) {
	for j, pr := range l.pairs {
		src := gd[pr[0]*l.colLen+pr[1]*l.kk:][:l.kk]
		dst := g[j*l.kk:][:l.kk]
		for u, v := range src {
			dst[u] += v
		}
	}
}

// im2col lays out the receptive fields of one sample: row (i,u,v), column
// (y,x) holds x[i, y+u, x+v]. With sq it stores the squares.
func (l *Conv) im2col(x, col []float64, sq bool) {
	oh, ow, w := l.out.H, l.out.W, l.in.W
	r := 0
	for i := range l.in.C {
		xi := x[i*l.in.H*w:]
		for u := range l.k {
			for v := range l.k {
				dst := col[r*l.p:][:l.p]
				for y := range oh {
					src := xi[(y+u)*w+v:][:ow]
					d := dst[y*ow:][:ow]
					if sq {
						for j, s := range src {
							d[j] = s * s
						}
					} else {
						copy(d, src)
					}
				}
				r++
			}
		}
	}
}

// col2im sets dx to the sum, over every connection, of dcol's entries.
func (l *Conv) col2im(dcol, dx []float64) {
	clear(dx[:l.in.Size()])
	oh, ow, w := l.out.H, l.out.W, l.in.W
	r := 0
	for i := range l.in.C {
		xi := dx[i*l.in.H*w:]
		for u := range l.k {
			for v := range l.k {
				src := dcol[r*l.p:][:l.p]
				for y := range oh {
					d := xi[(y+u)*w+v:][:ow]
					for j, s := range src[y*ow:][:ow] {
						d[j] += s
					}
				}
				r++
			}
		}
	}
}

func (l *Conv) Forward(b *Buf) {
	col, _, wd, _ := l.scratch(b, false)
	bias := b.P[l.nw():l.NumParams()]
	in, out := l.in.Size(), l.out.Size()
	for s := range b.N {
		a := b.A[s*out:][:out]
		l.im2col(b.X[s*in:], col, false)
		gemm(false, false, l.out.C, l.p, l.colLen, 1, wd, l.colLen, col, l.p, 0, a, l.p)
		for o := range l.out.C {
			ao := a[o*l.p:][:l.p]
			for j := range ao {
				ao[j] += bias[o]
			}
		}
	}
	l.act.forward(b.A[:b.N*out], b.Y[:b.N*out])
}

// Backward: the gradient of a shared weight is the sum over its connections.
func (l *Conv) Backward(b *Buf) {
	l.act.backward(b.A[:b.N*l.out.Size()], b.Y, b.DY, b.DA[:b.N*l.out.Size()])
	l.backward(b, b.DA, b.G, b.DX, false)
}

// Backward2 is eqs. (5)–(7): h_kk of a shared weight sums ∂²E/∂a_i²·x_j²
// over all of its connections (i,j); ∂²E/∂x_j² = Σ_i w_ij²·∂²E/∂a_i².
func (l *Conv) Backward2(b *Buf, full bool) {
	l.act.backward2(b.A[:b.N*l.out.Size()], b.Y, b.DY, b.D2Y, b.D2A[:b.N*l.out.Size()], full)
	l.backward(b, b.D2A, b.H, b.D2X, true)
}

// backward is shared by both passes: with sq, inputs and weights enter
// squared, which turns the gradient pass into the diagonal second-order one.
func (l *Conv) backward(b *Buf, da, g, dx []float64, sq bool) {
	col, dcol, wd, gd := l.scratch(b, sq)
	gw := g[:l.nw()]
	if gd != nil {
		gw = gd
	}
	gb := g[l.nw():l.NumParams()]
	in, out := l.in.Size(), l.out.Size()
	for s := range b.N {
		d := da[s*out:][:out]
		l.im2col(b.X[s*in:], col, sq)
		gemm(false, true, l.out.C, l.colLen, l.p, 1, d, l.p, col, l.p, 1, gw, l.colLen)
		for o := range l.out.C {
			for _, v := range d[o*l.p:][:l.p] {
				gb[o] += v
			}
		}
		if dx != nil {
			gemm(true, false, l.colLen, l.p, l.out.C, 1, wd, l.colLen, d, l.p, 0, dcol, l.p)
			l.col2im(dcol, dx[s*in:])
		}
	}
	if gd != nil {
		l.gather(g, gd)
	}
}
