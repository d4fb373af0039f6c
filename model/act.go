package model

import "math"

// Act is a unit's squashing function x = f(a).
type Act int

const (
	// Identity is f(a) = a.
	Identity Act = iota
	// ScaledTanh is LeCun's f(a) = 1.7159·tanh(2a/3).
	ScaledTanh
	// ReLU is f(a) = max(a, 0).
	ReLU
)

const (
	tanhA = 1.7159
	tanhS = 2.0 / 3.0
)

func (f Act) String() string {
	switch f {
	case ScaledTanh:
		return "tanh"
	case ReLU:
		return "relu"
	}
	return "identity"
}

// actForward sets y = f(a). The hyperbolic tangent is evaluated in
// float64 whatever T is.
func actForward[T Float](f Act, a, y []T) {
	switch f {
	case ScaledTanh:
		for i, v := range a {
			y[i] = T(tanhA * math.Tanh(tanhS*float64(v)))
		}
	case ReLU:
		for i, v := range a {
			y[i] = max(v, 0)
		}
	default:
		copy(y, a)
	}
}

// actBackward sets da = f'(a)·dy: the chain rule through the squashing
// function.
func actBackward[T Float](f Act, a, y, dy, da []T) {
	switch f {
	case ScaledTanh:
		for i := range da {
			t := y[i] / tanhA
			da[i] = tanhA * tanhS * (1 - t*t) * dy[i]
		}
	case ReLU:
		for i := range da {
			if a[i] > 0 {
				da[i] = dy[i]
			} else {
				da[i] = 0
			}
		}
	default:
		copy(da, dy)
	}
}

// backward2 is the squashing part of eq. (7):
//
//	∂²E/∂a² = f'(a)²·∂²E/∂x² + f''(a)·∂E/∂x
//
// The f” term is kept only when full is set; without it (the
// Levenberg–Marquardt form) the result is never negative when d2y is not.
// The sign is the chain rule's, and TestSecondOrderSingleLayer checks it
// against finite differences.
func (f Act) backward2(a, y, dy, d2y, d2a []float64, full bool) {
	switch f {
	case ScaledTanh:
		for i := range d2a {
			t := y[i] / tanhA
			s := 1 - t*t
			d1 := tanhA * tanhS * s
			v := d1 * d1 * d2y[i]
			if full {
				d2 := -2 * tanhA * tanhS * tanhS * t * s
				v += d2 * dy[i]
			}
			d2a[i] = v
		}
	case ReLU:
		for i := range d2a {
			if a[i] > 0 {
				d2a[i] = d2y[i]
			} else {
				d2a[i] = 0
			}
		}
	default:
		copy(d2a, d2y)
	}
}
