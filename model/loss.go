package model

import "math"

// Loss is the per-pattern objective E of a network's outputs y against
// targets t.
type Loss interface {
	Name() string
	// Eval returns Σ_s E_s over the n samples of k outputs. When dy is not
	// nil it writes ∂E/∂y; when d2y is not nil it writes the diagonal
	// ∂²E/∂y_i² (exact for these losses).
	Eval(y, t, dy, d2y []float64, n, k int) float64
	// Eval32 is Eval for a float32 forward pass, without the second
	// derivative: ∂E/∂y is written in float32, E is computed and summed in
	// float64 from the float32 outputs and targets.
	Eval32(y, t, dy []float32, n, k int) float64
	// Targets encodes class labels as target vectors of k entries.
	Targets(labels []uint8, k int) []float64
}

// MSE is the paper's objective: E = Σ_i (d_i − x_i)² with targets ±1.
type MSE struct{}

func (MSE) Name() string { return "mse" }

// Eval: ∂E/∂x_i = −2(d_i − x_i), ∂²E/∂x_i² = 2; through the output
// squashing function this is eq. (8).
func (MSE) Eval(y, t, dy, d2y []float64, n, k int) float64 { return mseEval(y, t, dy, d2y, n, k) }

// Eval32 is Eval in float32 (Loss.Eval32).
func (MSE) Eval32(y, t, dy []float32, n, k int) float64 { return mseEval(y, t, dy, nil, n, k) }

func mseEval[T Float](y, t, dy, d2y []T, n, k int) float64 {
	var e float64
	for i, v := range y[:n*k] {
		r := float64(t[i]) - float64(v)
		e += r * r
		if dy != nil {
			dy[i] = T(-2 * r)
		}
		if d2y != nil {
			d2y[i] = 2
		}
	}
	return e
}

// Targets: +1 for the label's output, −1 elsewhere.
func (MSE) Targets(labels []uint8, k int) []float64 {
	t := make([]float64, len(labels)*k)
	for s, l := range labels {
		for i := range k {
			t[s*k+i] = -1
		}
		t[s*k+int(l)] = 1
	}
	return t
}

// SoftmaxCE is cross-entropy of the softmax of the outputs (logits):
// E = −Σ_i t_i log p_i, p = softmax(y), targets one-hot.
type SoftmaxCE struct{}

func (SoftmaxCE) Name() string { return "softmax-ce" }

// Eval: ∂E/∂y_i = p_i − t_i; the diagonal ∂²E/∂y_i² = p_i(1 − p_i), which
// is also the Gauss–Newton diagonal since the loss is taken on the logits.
func (SoftmaxCE) Eval(y, t, dy, d2y []float64, n, k int) float64 {
	return softmaxCEEval(y, t, dy, d2y, n, k)
}

// Eval32 is Eval in float32 (Loss.Eval32).
func (SoftmaxCE) Eval32(y, t, dy []float32, n, k int) float64 {
	return softmaxCEEval(y, t, dy, nil, n, k)
}

// softmaxCEEval computes in float64 whatever T is.
func softmaxCEEval[T Float](y, t, dy, d2y []T, n, k int) float64 {
	var e float64
	for s := range n {
		z, ts := y[s*k:][:k], t[s*k:][:k]
		m := float64(z[0])
		for _, v := range z[1:] {
			m = max(m, float64(v))
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(sum)
		for i, v := range z {
			p := math.Exp(float64(v) - lse)
			ti := float64(ts[i])
			e -= ti * (float64(v) - lse)
			if dy != nil {
				dy[s*k+i] = T(p - ti)
			}
			if d2y != nil {
				d2y[s*k+i] = T(p * (1 - p))
			}
		}
	}
	return e
}

// Targets: one-hot.
func (SoftmaxCE) Targets(labels []uint8, k int) []float64 {
	t := make([]float64, len(labels)*k)
	for s, l := range labels {
		t[s*k+int(l)] = 1
	}
	return t
}
