package model

import (
	"fmt"
	"math/rand/v2"
)

// MaxPool is 2×2 max pooling with stride 2. It has no parameters; Backward
// and Backward2 route derivatives to the input that won (the layer is
// locally linear, so the diagonal pass is exact through it).
type MaxPool struct {
	name    string
	in, out Shape
}

// NewMaxPool returns a 2×2, stride-2 max pooling layer (H and W even).
func NewMaxPool(name string, in Shape) *MaxPool {
	if in.H%2 != 0 || in.W%2 != 0 {
		panic(fmt.Sprintf("model: %s: odd input %v", name, in))
	}
	return &MaxPool{name: name, in: in, out: Shape{in.C, in.H / 2, in.W / 2}}
}

func (l *MaxPool) Name() string                  { return l.name }
func (l *MaxPool) InShape() Shape                { return l.in }
func (l *MaxPool) OutShape() Shape               { return l.out }
func (l *MaxPool) Act() Act                      { return Identity }
func (l *MaxPool) Describe() string              { return "2×2 max pooling, stride 2" }
func (l *MaxPool) NumParams() int                { return 0 }
func (l *MaxPool) Connections() int              { return 0 }
func (l *MaxPool) Tensors() []Tensor             { return nil }
func (l *MaxPool) ConnectionsPerParam([]float64) {}
func (l *MaxPool) Init([]float64, *rand.Rand)    {}
func (l *MaxPool) ScratchLen(int) int            { return 0 }
func (l *MaxPool) IndexLen(n int) int            { return n * l.out.Size() }

// Wire: each output unit reads its 2×2 window, without a parameter.
func (l *MaxPool) Wire(fn func(o, i, k int)) {
	w, oh, ow := l.in.W, l.out.H, l.out.W
	for m := range l.in.C {
		for y := range oh {
			for x := range ow {
				i := m*l.in.H*w + 2*y*w + 2*x
				for _, j := range [4]int{i, i + 1, i + w, i + w + 1} {
					fn(m*oh*ow+y*ow+x, j, -1)
				}
			}
		}
	}
}

// Forward keeps each window's largest input, and its index for Backward.
func (l *MaxPool) Forward(b *Buf[float64]) { maxPoolForward(l, b) }

// Forward32 is Forward in float32.
func (l *MaxPool) Forward32(b *Buf[float32]) { maxPoolForward(l, b) }

// Backward routes ∂E/∂y to the input that won.
func (l *MaxPool) Backward(b *Buf[float64]) { maxPoolBackward(l, b) }

// Backward32 is Backward in float32.
func (l *MaxPool) Backward32(b *Buf[float32]) { maxPoolBackward(l, b) }

func maxPoolForward[T Float](l *MaxPool, b *Buf[T]) {
	w, oh, ow := l.in.W, l.out.H, l.out.W
	xs := b.X
	for s := range b.N {
		for m := range l.in.C {
			ib, ob := s*l.in.Size()+m*l.in.H*w, s*l.out.Size()+m*oh*ow
			for y := range oh {
				r0 := ib + 2*y*w // the window's top row; r0+w its bottom row
				idx := b.I[ob+y*ow : ob+(y+1)*ow]
				a := b.A[ob+y*ow : ob+(y+1)*ow]
				top := xs[r0 : r0+2*ow]
				bot := xs[r0+w : r0+w+2*ow]
				for x := range idx {
					// The first largest of i, i+1, i+w, i+w+1 wins (strictly
					// greater replaces), as TestMaxPoolForward pins; written
					// as conditional moves rather than a loop over indices.
					bi, bv := r0+2*x, top[2*x]
					if v := top[2*x+1]; v > bv {
						bi, bv = r0+2*x+1, v
					}
					if v := bot[2*x]; v > bv {
						bi, bv = r0+w+2*x, v
					}
					if v := bot[2*x+1]; v > bv {
						bi, bv = r0+w+2*x+1, v
					}
					idx[x] = int32(bi)
					a[x] = bv
				}
			}
		}
	}
	copy(b.Y[:b.N*l.out.Size()], b.A[:b.N*l.out.Size()])
}

func maxPoolBackward[T Float](l *MaxPool, b *Buf[T]) {
	n := b.N * l.out.Size()
	copy(b.DA[:n], b.DY[:n])
	if b.DX != nil {
		route(b.DX[:b.N*l.in.Size()], b.DA[:n], b.I[:n])
	}
}

// Backward2 routes ∂²E/∂y² to the input that won.
func (l *MaxPool) Backward2(b *Buf[float64], _ bool) {
	n := b.N * l.out.Size()
	copy(b.D2A[:n], b.D2Y[:n])
	if b.D2X != nil {
		route(b.D2X[:b.N*l.in.Size()], b.D2A[:n], b.I[:n])
	}
}

func route[T Float](dx, d []T, idx []int32) {
	clear(dx)
	for o, i := range idx {
		dx[i] += d[o]
	}
}
