package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// maxPoolReference is 2×2 max pooling written as plainly as possible: in
// each window the inputs i, i+1, i+w, i+w+1 in that order, a later one
// winning only when strictly greater.
func maxPoolReference(in Shape, n int, x []float64) (a []float64, idx []int32) {
	w, oh, ow := in.W, in.H/2, in.W/2
	for s := range n {
		for m := range in.C {
			for y := range oh {
				for xx := range ow {
					i := s*in.Size() + m*in.H*w + 2*y*w + 2*xx
					best := i
					for _, j := range []int{i + 1, i + w, i + w + 1} {
						if x[j] > x[best] {
							best = j
						}
					}
					a = append(a, x[best])
					idx = append(idx, int32(best))
				}
			}
		}
	}
	return a, idx
}

// TestMaxPoolForward pins which input wins each window, ties and NaN
// included, in both precisions: the index decides where Backward routes
// the derivative, so a change of tie-breaking would change every trained
// net that meets a tie.
func TestMaxPoolForward(t *testing.T) {
	in := Shape{3, 6, 8}
	l := NewMaxPool("pool", in)
	const n = 4
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n*in.Size())
	for i := range x {
		// Few distinct values, so that most windows hold ties.
		x[i] = float64(rng.IntN(3)) - 1
	}
	x[5], x[17] = math.NaN(), math.Inf(1)
	want, wantIdx := maxPoolReference(in, n, x)

	b := &Buf[float64]{N: n, X: x, A: make([]float64, len(want)), Y: make([]float64, len(want)), I: make([]int32, len(want))}
	l.Forward(b)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	b32 := &Buf[float32]{N: n, X: x32, A: make([]float32, len(want)), Y: make([]float32, len(want)), I: make([]int32, len(want))}
	l.Forward32(b32)
	for o := range want {
		if b.I[o] != wantIdx[o] || b32.I[o] != wantIdx[o] {
			t.Fatalf("output %d: winner %d (float32 %d), want %d", o, b.I[o], b32.I[o], wantIdx[o])
		}
		same := b.Y[o] == want[o] || math.IsNaN(b.Y[o]) && math.IsNaN(want[o])
		if !same || b.A[o] != b.Y[o] && !math.IsNaN(b.A[o]) {
			t.Fatalf("output %d: %v (pre-activation %v), want %v", o, b.Y[o], b.A[o], want[o])
		}
	}
}

// BenchmarkMaxPoolForward is LeNet-5's first pooling (20 maps of 24×24)
// over a 32-sample chunk of random inputs.
func BenchmarkMaxPoolForward(b *testing.B) {
	in := Shape{20, 24, 24}
	l := NewMaxPool("pool1", in)
	const n = 32
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n*in.Size())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	m := n * l.out.Size()
	buf := &Buf[float64]{N: n, X: x, A: make([]float64, m), Y: make([]float64, m), I: make([]int32, m)}
	for b.Loop() {
		l.Forward(buf)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "samples/s")
}
