package model

import (
	"fmt"
	"math/rand/v2"

	"obd/backend"
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

// Pairs lists the connected (output map, input map) pairs in parameter
// order: kernel j is θ[j·K·K : (j+1)·K·K] of the layer.
func (l *Conv) Pairs() [][2]int { return l.pairs }

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

// Wire: kernel j (maps pr = Pairs()[j]) connects input unit
// (pr[1], y+u, x+v) to output unit (pr[0], y, x) through parameter
// j·K·K+u·K+v; the bias of map o is parameter len(Pairs())·K·K+o.
func (l *Conv) Wire(fn func(o, i, k int)) {
	oh, ow, h, w := l.out.H, l.out.W, l.in.H, l.in.W
	for j, pr := range l.pairs {
		for u := range l.k {
			for v := range l.k {
				k := j*l.kk + u*l.k + v
				for y := range oh {
					for x := range ow {
						fn(pr[0]*l.p+y*ow+x, pr[1]*h*w+(y+u)*w+x+v, k)
					}
				}
			}
		}
	}
	for o := range l.out.C {
		for q := range l.p {
			fn(o*l.p+q, -1, l.nw()+o)
		}
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

// Scratch, for a chunk of n samples laid side by side: col (the receptive
// fields Forward lays out, which Backward reuses), col2 (their squares, for
// Backward2) and dcol (colLen × n·P each), t (out.C × n·P), the dense
// kernel matrix (squared for Backward2, or expanded from a table) and, for
// a table, its gradient (out.C × colLen each).
func (l *Conv) ScratchLen(n int) int {
	s := (3*l.colLen+l.out.C)*n*l.p + l.out.C*l.colLen
	if l.table != nil {
		s += l.out.C * l.colLen
	}
	return s
}
func (l *Conv) IndexLen(int) int { return 0 }

type convScratch[T Float] struct {
	col, col2, dcol, t []T // colLen×nP each, then out.C×nP
	wd, gd             []T // dense kernels (maybe squared); dense gradient for a table, else nil
}

// convScratchOf splits b.S and fills the dense kernel matrix, each weight squared
// when sq is set (for Backward2). gd is zeroed.
func convScratchOf[T Float](l *Conv, b *Buf[T], sq bool) convScratch[T] {
	np, m := b.N*l.p, l.out.C*l.colLen
	s := b.S
	c := convScratch[T]{col: s[:l.colLen*np], col2: s[l.colLen*np : 2*l.colLen*np], dcol: s[2*l.colLen*np : 3*l.colLen*np]}
	s = s[3*l.colLen*np:]
	c.t, s = s[:l.out.C*np], s[l.out.C*np:]
	c.wd = s[:m]
	if l.table == nil {
		if !sq {
			c.wd = b.P[:l.nw()]
		} else {
			square(c.wd, b.P[:l.nw()])
		}
		return c
	}
	c.gd = s[m : 2*m]
	clear(c.wd)
	for j, pr := range l.pairs {
		dst := c.wd[pr[0]*l.colLen+pr[1]*l.kk:][:l.kk]
		for u, v := range b.P[j*l.kk:][:l.kk] {
			if sq {
				v *= v
			}
			dst[u] = v
		}
	}
	clear(c.gd)
	return c
}

// convGather adds the free-parameter entries of the dense kernel gradient gd to g.
func convGather[T Float](l *Conv, g, gd []T) {
	for j, pr := range l.pairs {
		src := gd[pr[0]*l.colLen+pr[1]*l.kk:][:l.kk]
		dst := g[j*l.kk:][:l.kk]
		for u, v := range src {
			dst[u] += v
		}
	}
}

// im2col lays out the receptive fields of one sample: row (i,u,v), column
// (y,x) holds x[i, y+u, x+v]; rows are ld apart. With sq it stores the
// squares.
func im2col[T Float](l *Conv, x, col []T, ld int, sq bool) {
	oh, ow, w := l.out.H, l.out.W, l.in.W
	r := 0
	for i := range l.in.C {
		xi := x[i*l.in.H*w:]
		for u := range l.k {
			for v := range l.k {
				dst := col[r*ld:][:l.p]
				for y := range oh {
					src := xi[(y+u)*w+v:][:ow]
					d := dst[y*ow:][:ow]
					if sq {
						for j, s := range src {
							d[j] = s * s
						}
					} else {
						// A loop, not copy: rows are short (24 and 8
						// values in lenet1), and memmove's call and
						// dispatch cost more than the copy.
						for j, s := range src {
							d[j] = s
						}
					}
				}
				r++
			}
		}
	}
}

// Patches lays out the receptive fields of one sample x (InShape order),
// as Forward does before its matrix product (im2col): row (i,u,v) of col,
// i·K·K + u·K + v, holds x[i, y+u, x+v] at column y·W'+x (W' the output
// width), rows ld ≥ OutShape().H·OutShape().W apart; in.C·K·K rows,
// whatever the connection table. Kernel weight u·K+v of the pair (o, i)
// multiplies row i·K·K+u·K+v.
func (l *Conv) Patches(x, col []float64, ld int) { im2col(l, x, col, ld, false) }

// K is the kernel's side.
func (l *Conv) K() int { return l.k }

// biasSums adds to gb[o] the entries of row o of the len(gb)×n matrix t,
// one at a time in order: the bias gradient, summed as the plain loop
// would. Each sum is a chain of dependent additions, so four maps are
// summed side by side, in registers, to keep the adder busy.
func biasSums[T Float](gb, t []T, n int) {
	o := 0
	for ; o+4 <= len(gb); o += 4 {
		g0, g1, g2, g3 := gb[o], gb[o+1], gb[o+2], gb[o+3]
		t0, t1, t2, t3 := t[o*n:][:n], t[(o+1)*n:][:n], t[(o+2)*n:][:n], t[(o+3)*n:][:n]
		for j := range t0 {
			g0 += t0[j]
			g1 += t1[j]
			g2 += t2[j]
			g3 += t3[j]
		}
		gb[o], gb[o+1], gb[o+2], gb[o+3] = g0, g1, g2, g3
	}
	for ; o < len(gb); o++ {
		g := gb[o]
		for _, v := range t[o*n:][:n] {
			g += v
		}
		gb[o] = g
	}
}

// col2im sets dx to the sum, over every connection, of dcol's entries
// (rows ld apart).
func col2im[T Float](l *Conv, dcol, dx []T, ld int) {
	clear(dx[:l.in.Size()])
	oh, ow, w := l.out.H, l.out.W, l.in.W
	r := 0
	for i := range l.in.C {
		xi := dx[i*l.in.H*w:]
		for u := range l.k {
			for v := range l.k {
				src := dcol[r*ld:][:l.p]
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

// Forward: the chunk's receptive fields side by side, one matrix product
// for all samples, then the biases. The receptive fields stay in the
// scratch for Backward.
func (l *Conv) Forward(b *Buf[float64]) { convForward(l, b) }

// Forward32 is Forward in float32.
func (l *Conv) Forward32(b *Buf[float32]) { convForward(l, b) }

// Backward: the gradient of a shared weight is the sum over its connections.
func (l *Conv) Backward(b *Buf[float64]) { convBackward(l, b) }

// Backward32 is Backward in float32.
func (l *Conv) Backward32(b *Buf[float32]) { convBackward(l, b) }

func convForward[T Float](l *Conv, b *Buf[T]) {
	c := convScratchOf(l, b, false)
	bias := b.P[l.nw():l.NumParams()]
	in, out, np := l.in.Size(), l.out.Size(), b.N*l.p
	for s := range b.N {
		im2col(l, b.X[s*in:], c.col[s*l.p:], np, false)
	}
	gemmSerial(false, l.out.C, np, l.colLen, c.wd, l.colLen, c.col, np, 0, c.t, np)
	for s := range b.N {
		for o := range l.out.C {
			a, t := b.A[s*out+o*l.p:][:l.p], c.t[o*np+s*l.p:][:l.p]
			for j, v := range t {
				a[j] = v + bias[o]
			}
		}
	}
	actForward(l.act, b.A[:b.N*out], b.Y[:b.N*out])
}

func convBackward[T Float](l *Conv, b *Buf[T]) {
	actBackward(l.act, b.A[:b.N*l.out.Size()], b.Y, b.DY, b.DA[:b.N*l.out.Size()])
	convAccumulate(l, b, b.DA, b.G, b.DX, false)
}

// Backward2 is eqs. (5)–(7): h_kk of a shared weight sums ∂²E/∂a_i²·x_j²
// over all of its connections (i,j); ∂²E/∂x_j² = Σ_i w_ij²·∂²E/∂a_i².
func (l *Conv) Backward2(b *Buf[float64], full bool) {
	l.act.backward2(b.A[:b.N*l.out.Size()], b.Y, b.DY, b.D2Y, b.D2A[:b.N*l.out.Size()], full)
	convAccumulate(l, b, b.D2A, b.H, b.D2X, true)
}

// convAccumulate is shared by both passes: with sq, inputs and weights
// enter squared, which turns the gradient pass into the diagonal
// second-order one. The gradient pass reads the receptive fields Forward
// left in the scratch; the second-order one lays out their squares in
// their own place, so that a Backward after a Backward2 still finds
// Forward's.
func convAccumulate[T Float](l *Conv, b *Buf[T], da, g, dx []T, sq bool) {
	c := convScratchOf(l, b, sq)
	gw := g[:l.nw()]
	if c.gd != nil {
		gw = c.gd
	}
	gb := g[l.nw():l.NumParams()]
	in, out, np := l.in.Size(), l.out.Size(), b.N*l.p
	col := c.col
	if sq {
		col = c.col2
		for s := range b.N {
			im2col(l, b.X[s*in:], col[s*l.p:], np, true)
		}
	}
	// t is da with the chunk's samples side by side.
	for s := range b.N {
		for o := range l.out.C {
			copy(c.t[o*np+s*l.p:][:l.p], da[s*out+o*l.p:][:l.p])
		}
	}
	biasSums(gb, c.t, np)
	if c.gd != nil && backend.Name() == "gonum" && serialDots(l.out.C, l.colLen) {
		// Only the connected kernels: the same dot products the dense
		// product makes for them, without the zero kernels'.
		for _, pr := range l.pairs {
			gemm(false, true, 1, l.kk, np, 1, c.t[pr[0]*np:], np, col[pr[1]*l.kk*np:], np, 1, gw[pr[0]*l.colLen+pr[1]*l.kk:], l.colLen)
		}
	} else if backend.Name() == "gonum" && serialDots(l.out.C, l.colLen) {
		// The same dot products as the one product's, but column by
		// column of the gradient: each row of col (np values; 1.8 MB in all
		// for h1 over a chunk) is read for all maps while it is in
		// cache, instead of the whole of col once per map.
		for j := range l.colLen {
			gemm(false, true, l.out.C, 1, np, 1, c.t, np, col[j*np:], np, 1, gw[j:], l.colLen)
		}
	} else {
		gemm(false, true, l.out.C, l.colLen, np, 1, c.t, np, col, np, 1, gw, l.colLen)
	}
	if dx != nil {
		gemmSerial(true, l.colLen, np, l.out.C, c.wd, l.colLen, c.t, np, 0, c.dcol, np)
		for s := range b.N {
			col2im(l, c.dcol[s*l.p:], dx[s*in:], np)
		}
	}
	if c.gd != nil {
		convGather(l, g, c.gd)
	}
}
