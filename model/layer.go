package model

import (
	"fmt"
	"math/rand/v2"
)

// Shape is a feature-map shape: C maps of H×W units. A vector is C×1×1.
type Shape struct{ C, H, W int }

// Size is the number of units.
func (s Shape) Size() int { return s.C * s.H * s.W }

func (s Shape) String() string {
	if s.H == 1 && s.W == 1 {
		return fmt.Sprint(s.C)
	}
	return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W)
}

// Tensor names a parameter tensor of a layer: Len free parameters starting
// at Offset within the layer's parameter slice. Shape is the PyTorch layout
// (Linear [out,in], Conv2d [out,in,kh,kw]) of the tensor once expanded to
// dense; for a convolution with a connection table the free parameters are
// fewer than the dense tensor's entries.
type Tensor struct {
	Name   string
	Offset int
	Len    int
	Shape  []int
}

// Float is the element type of the forward and first-order backward
// passes: float64, the harness's precision, or float32, a training
// recipe's precision: float32 (train.Recipe.Precision). The second-order
// pass (Backward2) runs in float64 only.
type Float interface{ float32 | float64 }

// Buf holds what a layer reads and writes for a chunk of N samples, in
// element type T. Slices are laid out sample after sample, each sample in
// the layer's Shape order (maps, rows, columns). DX and D2X are nil for the
// first layer; the second-order fields (D2Y, D2X, D2A, H) are used by
// Backward2 only, so they are nil in a Buf[float32].
type Buf[T Float] struct {
	N int

	X, A, Y  []T // input, pre-activation a_i, output x_i = f(a_i)
	DY, DX   []T // ∂E/∂Y (given), ∂E/∂X (written by Backward)
	D2Y, D2X []T // diagonal ∂²E/∂Y² (given), ∂²E/∂X² (written by Backward2)
	DA, D2A  []T // ∂E/∂A and ∂²E/∂A² (written)

	P []T // the layer's parameters
	G []T // gradient accumulator: Backward adds ∂E/∂P summed over the chunk
	H []T // Hessian-diagonal accumulator: Backward2 adds h_kk summed over the chunk

	S []T     // layer scratch, ScratchLen(N) long
	I []int32 // layer index scratch, IndexLen(N) long
}

// Layer is one stage of a network. Implementations keep Forward, Backward
// and Backward2 next to each other so they can be checked by eye against
// the paper's equations.
//
// Contract: Forward reads X and P and writes A and Y, and may leave in S
// what Backward reads (a convolution's receptive fields). Backward reads X,
// A, Y, DY, P and S as the last Forward left it, writes DA and DX (when DX
// is not nil) and adds to G; it may run any number of times after one
// Forward. Backward2 reads X, A, Y, DY, D2Y and P, writes D2A and D2X (when
// not nil) and adds to H, and leaves what Forward left in S for Backward.
// None of them writes P, and none keeps state between calls other than what
// is in the Buf. Forward32 and Backward32 are Forward and Backward in
// float32: the model's layers implement both precisions with one generic
// function each, so the float64 methods compute exactly what they did
// before float32 existed.
type Layer interface {
	Name() string
	Describe() string
	InShape() Shape
	OutShape() Shape
	Act() Act

	// NumParams is the number of free parameters (a shared kernel weight
	// counts once).
	NumParams() int
	// Tensors lists the parameter tensors, covering [0, NumParams()).
	Tensors() []Tensor
	// Connections is the number of multiply-accumulates with a parameter
	// per sample, bias connections included.
	Connections() int
	// ConnectionsPerParam adds to c[k] the number of connections that
	// parameter k is used in, per sample; the sum is Connections().
	ConnectionsPerParam(c []float64)
	// Wire calls fn once for every connection of one sample: o is the
	// output unit and i the input unit it reads (indices in OutShape and
	// InShape order; i is -1 for a bias, the connection from the constant
	// unit), and k the layer's parameter it multiplies by (-1 for a
	// connection without a parameter, as in max pooling). The connections
	// with k ≥ 0 are the ones ConnectionsPerParam counts. It says how the
	// layer is wired, not what it computes: reachability (Net.Reach) and
	// which parameters are biases (Net.Biases) are built on it.
	Wire(fn func(o, i, k int))
	// Init draws the initial parameters.
	Init(p []float64, rng *rand.Rand)

	ScratchLen(n int) int
	IndexLen(n int) int

	Forward(b *Buf[float64])
	Backward(b *Buf[float64])
	Backward2(b *Buf[float64], full bool)
	Forward32(b *Buf[float32])
	Backward32(b *Buf[float32])
}
