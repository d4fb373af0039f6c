package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// FC is a fully connected layer: a_i = Σ_j w_ij x_j + b_i, x_i = f(a_i).
// Parameters: W [out×in] (PyTorch Linear layout) then b [out].
type FC struct {
	name    string
	in, out int
	act     Act
	inShape Shape
}

// NewFC returns a fully connected layer reading all of in.
func NewFC(name string, in Shape, out int, act Act) *FC {
	return &FC{name: name, in: in.Size(), out: out, act: act, inShape: in}
}

func (l *FC) Name() string    { return l.name }
func (l *FC) InShape() Shape  { return l.inShape }
func (l *FC) OutShape() Shape { return Shape{l.out, 1, 1} }
func (l *FC) Act() Act        { return l.act }
func (l *FC) Describe() string {
	return fmt.Sprintf("fully connected %d→%d, %s", l.in, l.out, l.act)
}
func (l *FC) NumParams() int   { return l.out*l.in + l.out }
func (l *FC) Connections() int { return l.out * (l.in + 1) }
func (l *FC) Tensors() []Tensor {
	return []Tensor{
		{Name: "weight", Offset: 0, Len: l.out * l.in, Shape: []int{l.out, l.in}},
		{Name: "bias", Offset: l.out * l.in, Len: l.out, Shape: []int{l.out}},
	}
}
func (l *FC) ConnectionsPerParam(c []float64) {
	for k := range c[:l.NumParams()] {
		c[k]++
	}
}

// Wire: w_ij is parameter i·in+j, b_i is out·in+i.
func (l *FC) Wire(fn func(o, i, k int)) {
	for o := range l.out {
		for i := range l.in {
			fn(o, i, o*l.in+i)
		}
		fn(o, -1, l.out*l.in+o)
	}
}

// Init draws weights uniformly in ±r with r = 2.4/fan-in for tanh units
// (LeCun 1998) and r = √(3/fan-in) otherwise (Caffe's "xavier"); biases 0.
func (l *FC) Init(p []float64, rng *rand.Rand) {
	r := initRange(l.act, l.in)
	for k := range p[:l.out*l.in] {
		p[k] = r * (2*rng.Float64() - 1)
	}
	clear(p[l.out*l.in : l.NumParams()])
}

func initRange(act Act, fanIn int) float64 {
	if act == ScaledTanh {
		return 2.4 / float64(fanIn)
	}
	return math.Sqrt(3 / float64(fanIn))
}

// ScratchLen: x² (N×in) and w² (out×in) for Backward2.
func (l *FC) ScratchLen(n int) int { return n*l.in + l.out*l.in }
func (l *FC) IndexLen(int) int     { return 0 }

// Forward: a = x·Wᵀ + b for the chunk's N×in inputs, one matrix product.
func (l *FC) Forward(b *Buf[float64]) { fcForward(l, b) }

// Forward32 is Forward in float32.
func (l *FC) Forward32(b *Buf[float32]) { fcForward(l, b) }

// Backward: ∂E/∂a = f'(a)·∂E/∂x; ∂E/∂w_ij = Σ_s ∂E/∂a_i·x_j; ∂E/∂x_j = Σ_i w_ij·∂E/∂a_i.
func (l *FC) Backward(b *Buf[float64]) { fcBackward(l, b) }

// Backward32 is Backward in float32.
func (l *FC) Backward32(b *Buf[float32]) { fcBackward(l, b) }

func fcForward[T Float](l *FC, b *Buf[T]) {
	n, w, bias := b.N, b.P[:l.out*l.in], b.P[l.out*l.in:l.NumParams()]
	gemm(false, true, n, l.out, l.in, 1, b.X, l.in, w, l.in, 0, b.A, l.out)
	for s := range n {
		a := b.A[s*l.out : (s+1)*l.out]
		for i := range a {
			a[i] += bias[i]
		}
	}
	actForward(l.act, b.A[:n*l.out], b.Y[:n*l.out])
}

func fcBackward[T Float](l *FC, b *Buf[T]) {
	n, w := b.N, b.P[:l.out*l.in]
	actBackward(l.act, b.A[:n*l.out], b.Y, b.DY, b.DA[:n*l.out])
	gemm(true, false, l.out, l.in, n, 1, b.DA, l.out, b.X, l.in, 1, b.G, l.in)
	addColumnSums(b.G[l.out*l.in:l.NumParams()], b.DA, n, l.out)
	if b.DX != nil {
		gemm(false, false, n, l.in, l.out, 1, b.DA, l.out, w, l.in, 0, b.DX, l.in)
	}
}

// Backward2 is eqs. (6)–(7): ∂²E/∂w_ij² = ∂²E/∂a_i²·x_j² (the bias has
// x_j = 1) and ∂²E/∂x_j² = Σ_i w_ij²·∂²E/∂a_i².
func (l *FC) Backward2(b *Buf[float64], full bool) {
	n, w := b.N, b.P[:l.out*l.in]
	l.act.backward2(b.A[:n*l.out], b.Y, b.DY, b.D2Y, b.D2A[:n*l.out], full)
	x2, w2 := b.S[:n*l.in], b.S[n*l.in:n*l.in+l.out*l.in]
	square(x2, b.X[:n*l.in])
	gemm(true, false, l.out, l.in, n, 1, b.D2A, l.out, x2, l.in, 1, b.H, l.in)
	addColumnSums(b.H[l.out*l.in:l.NumParams()], b.D2A, n, l.out)
	if b.D2X != nil {
		square(w2, w)
		gemm(false, false, n, l.in, l.out, 1, b.D2A, l.out, w2, l.in, 0, b.D2X, l.in)
	}
}

// addColumnSums adds the column sums of the n×m matrix a to dst.
func addColumnSums[T Float](dst, a []T, n, m int) {
	for s := range n {
		row := a[s*m : (s+1)*m]
		for i := range dst {
			dst[i] += row[i]
		}
	}
}
