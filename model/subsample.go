package model

import (
	"fmt"
	"math/rand/v2"
)

// Subsample is the zip-code net's 2×2 averaging layer: each map has one
// trainable coefficient c and one bias b, and
//
//	a[m,y,x] = c_m · Σ_{u,v∈{0,1}} x[m,2y+u,2x+v] + b_m
//
// (the four inputs are added, then multiplied by the coefficient, as in
// LeCun et al. 1998). Every one of the four connections of a unit carries
// the shared weight c_m. Parameters: coefficients [C], then biases [C].
type Subsample struct {
	name    string
	in, out Shape
	act     Act
}

// NewSubsample returns a 2×2 averaging subsampling layer (H and W even).
func NewSubsample(name string, in Shape, act Act) *Subsample {
	if in.H%2 != 0 || in.W%2 != 0 {
		panic(fmt.Sprintf("model: %s: odd input %v", name, in))
	}
	return &Subsample{name: name, in: in, out: Shape{in.C, in.H / 2, in.W / 2}, act: act}
}

func (l *Subsample) Name() string    { return l.name }
func (l *Subsample) InShape() Shape  { return l.in }
func (l *Subsample) OutShape() Shape { return l.out }
func (l *Subsample) Act() Act        { return l.act }
func (l *Subsample) Describe() string {
	return fmt.Sprintf("2×2 averaging subsampling, coefficient+bias per map, %s", l.act)
}
func (l *Subsample) NumParams() int   { return 2 * l.in.C }
func (l *Subsample) Connections() int { return l.out.Size() * 5 }
func (l *Subsample) Tensors() []Tensor {
	c := l.in.C
	return []Tensor{
		{Name: "weight", Offset: 0, Len: c, Shape: []int{c}},
		{Name: "bias", Offset: c, Len: c, Shape: []int{c}},
	}
}
func (l *Subsample) ConnectionsPerParam(c []float64) {
	p := float64(l.out.H * l.out.W)
	for m := range l.in.C {
		c[m] += 4 * p
		c[l.in.C+m] += p
	}
}

// Wire: each output unit of map m reads its 2×2 window through the
// coefficient m and the constant unit through the bias C+m.
func (l *Subsample) Wire(fn func(o, i, k int)) {
	l.each(0, func(m, o, i int) {
		w := l.in.W
		for _, j := range [4]int{i, i + 1, i + w, i + w + 1} {
			fn(o, j, m)
		}
		fn(o, -1, l.in.C+m)
	})
}

// Init: coefficients uniform in ±r with r from a fan-in of 4; biases 0.
func (l *Subsample) Init(p []float64, rng *rand.Rand) {
	r := initRange(l.act, 4)
	for m := range l.in.C {
		p[m] = r * (2*rng.Float64() - 1)
		p[l.in.C+m] = 0
	}
}

func (l *Subsample) ScratchLen(int) int { return 0 }
func (l *Subsample) IndexLen(int) int   { return 0 }

// window calls fn(o, i0) for every output unit o of sample s, with i0 the
// index of the top-left input of its 2×2 window; m is the map.
func (l *Subsample) each(s int, fn func(m, o, i0 int)) {
	w, oh, ow := l.in.W, l.out.H, l.out.W
	for m := range l.in.C {
		ib, ob := s*l.in.Size()+m*l.in.H*w, s*l.out.Size()+m*oh*ow
		for y := range oh {
			for x := range ow {
				fn(m, ob+y*ow+x, ib+2*y*w+2*x)
			}
		}
	}
}

// Forward is the averaging of the type comment, then the squashing
// function.
func (l *Subsample) Forward(b *Buf[float64]) { subsampleForward(l, b) }

// Forward32 is Forward in float32.
func (l *Subsample) Forward32(b *Buf[float32]) { subsampleForward(l, b) }

// Backward: ∂E/∂c_m = Σ_i ∂E/∂a_i·Σ_{j∈window(i)} x_j, ∂E/∂b_m = Σ_i ∂E/∂a_i
// and ∂E/∂x_j = c_m·∂E/∂a_i.
func (l *Subsample) Backward(b *Buf[float64]) { subsampleBackward(l, b) }

// Backward32 is Backward in float32.
func (l *Subsample) Backward32(b *Buf[float32]) { subsampleBackward(l, b) }

// subsampleForward and subsampleBackward visit the units in each's order
// (sample, map, row, column), with the loops written out: a call through
// each's function value per unit cost as much as the arithmetic.
func subsampleForward[T Float](l *Subsample, b *Buf[T]) {
	c, bias, w := b.P[:l.in.C], b.P[l.in.C:2*l.in.C], l.in.W
	oh, ow := l.out.H, l.out.W
	for s := range b.N {
		for m := range l.in.C {
			x := b.X[s*l.in.Size()+m*l.in.H*w:][:l.in.H*w]
			a := b.A[s*l.out.Size()+m*oh*ow:][:oh*ow]
			cm, bm := c[m], bias[m]
			for y := range oh {
				r0, r1, ay := x[2*y*w:][:w], x[(2*y+1)*w:][:w], a[y*ow:][:ow]
				for j := range ay {
					ay[j] = cm*(r0[2*j]+r0[2*j+1]+r1[2*j]+r1[2*j+1]) + bm
				}
			}
		}
	}
	actForward(l.act, b.A[:b.N*l.out.Size()], b.Y[:b.N*l.out.Size()])
}

func subsampleBackward[T Float](l *Subsample, b *Buf[T]) {
	n := b.N * l.out.Size()
	actBackward(l.act, b.A[:n], b.Y, b.DY, b.DA[:n])
	c, gc, gb, w := b.P[:l.in.C], b.G[:l.in.C], b.G[l.in.C:2*l.in.C], l.in.W
	oh, ow := l.out.H, l.out.W
	for s := range b.N {
		for m := range l.in.C {
			off := s*l.in.Size() + m*l.in.H*w
			x := b.X[off:][:l.in.H*w]
			da := b.DA[s*l.out.Size()+m*oh*ow:][:oh*ow]
			gcm, gbm, cm := gc[m], gb[m], c[m]
			for y := range oh {
				r0, r1, dy := x[2*y*w:][:w], x[(2*y+1)*w:][:w], da[y*ow:][:ow]
				for j, d := range dy {
					gcm += d * (r0[2*j] + r0[2*j+1] + r1[2*j] + r1[2*j+1])
					gbm += d
				}
				if b.DX != nil {
					d0, d1 := b.DX[off+2*y*w:][:w], b.DX[off+(2*y+1)*w:][:w]
					for j, d := range dy {
						v := cm * d
						d0[2*j], d0[2*j+1], d1[2*j], d1[2*j+1] = v, v, v, v
					}
				}
			}
			gc[m], gb[m] = gcm, gbm
		}
	}
}

// Backward2, eqs. (5)–(7): h(c_m) = Σ_i ∂²E/∂a_i²·Σ_{j∈window(i)} x_j²,
// h(b_m) = Σ_i ∂²E/∂a_i², and ∂²E/∂x_j² = c_m²·∂²E/∂a_i².
func (l *Subsample) Backward2(b *Buf[float64], full bool) {
	n := b.N * l.out.Size()
	l.act.backward2(b.A[:n], b.Y, b.DY, b.D2Y, b.D2A[:n], full)
	c, hc, hb, w := b.P[:l.in.C], b.H[:l.in.C], b.H[l.in.C:2*l.in.C], l.in.W
	x := b.X
	for s := range b.N {
		l.each(s, func(m, o, i int) {
			d := b.D2A[o]
			hc[m] += d * (x[i]*x[i] + x[i+1]*x[i+1] + x[i+w]*x[i+w] + x[i+w+1]*x[i+w+1])
			hb[m] += d
			if b.D2X != nil {
				v := c[m] * c[m] * d
				b.D2X[i], b.D2X[i+1], b.D2X[i+w], b.D2X[i+w+1] = v, v, v, v
			}
		})
	}
}
