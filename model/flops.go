package model

import "fmt"

// FLOPs is the floating-point operations per sample of one pass of
// Engine.Sum through net n, counted from its connections, so that a
// benchmark can report GFLOP/s of useful work and set it against the
// machine's matrix product rate.
//
// The count, in multiply-accumulates (MACs) of two FLOPs each:
//
//   - C = n.Connections(): the paper's connections, one MAC with a parameter
//     per sample each, bias connections included (a bias is a weight on a
//     constant unit; lenet1 has 98,442). The subsampling layers' four
//     connections per unit (one shared coefficient) and bias count as five.
//     Max pooling has no parameters and no connections.
//   - D = the connections that carry a derivative back to a layer's input:
//     those of every layer but the first (the engine computes no ∂E/∂x for
//     the net's input), bias connections excepted (a bias has no input).
//     Bias connections are the connections of the parameters in a layer's
//     "bias" tensor (Layer.ConnectionsPerParam).
//
// Per pass, in FLOPs per sample:
//
//	PassEval  forward                                       2·C
//	PassGrad  forward + ∂E/∂w (δ_i·x_j per connection)
//	          + ∂E/∂x (w_ij·δ_i per connection in D)        2·C + 2·C + 2·D
//	PassLM    forward + eqs. (6)–(7): h += ∂²E/∂a²·x²
//	          per connection, ∂²E/∂x² += w²·∂²E/∂a² in D    2·C + 2·C + 2·D
//	PassFull  forward + the gradient backward pass (the f''
//	          terms need ∂E/∂x) + the second-order one      2·C + 2·(2·C + 2·D)
//
// A gradient pass is thus less than three forward passes, the more so the
// more of the connections are the first layer's: 2.4 forward passes for
// lenet1, 2.1 for lenet300, 2.9 for lenet5.
//
// A training step (train.SGD) is a PassGrad over its minibatch plus the
// momentum update: per sample, a step counts as PassGrad. The update (about
// 7 FLOPs per parameter per minibatch) and the engine's sum of its per-chunk
// accumulators (one add per parameter per chunk of ChunkSize samples) are
// left out: at batch 64 they would add about 0.1% to lenet1's count, 4% to
// lenet300's and 0.6% to lenet5's.
//
// Not counted, being per unit or per parameter rather than per connection:
// squashing functions and their derivatives, max pooling's comparisons, the
// loss, the squares of inputs and weights in the second-order pass and
// im2col's copies. Work the implementation does beyond the connections is
// not counted either: a convolution with a connection table multiplies its
// dense kernel matrix, zeros included (lenet1's h3 has 20 of 48 kernels),
// so the GFLOP/s are of the net's work, not of the products executed.
//
// FLOPs panics on a pass it does not know.
func (n *Net) FLOPs(pass Pass) int {
	c, d := n.Connections(), n.inputConnections()
	switch pass {
	case PassEval:
		return 2 * c
	case PassGrad, PassLM:
		return 2*c + 2*c + 2*d
	case PassFull:
		return 2*c + 2*(2*c+2*d)
	}
	panic(fmt.Sprintf("model: FLOPs of unknown pass %d", pass))
}

// inputConnections is D of FLOPs: the connections of layers 1, 2, … (not
// 0) that are not bias connections.
func (n *Net) inputConnections() int {
	d := 0
	for i, l := range n.Layers[1:] {
		per := make([]float64, l.NumParams())
		l.ConnectionsPerParam(per)
		bias := 0.0
		for _, t := range l.Tensors() {
			if t.Name == "bias" {
				for _, v := range per[t.Offset : t.Offset+t.Len] {
					bias += v
				}
			}
		}
		if float64(int(bias)) != bias || int(bias) > l.Connections() {
			panic(fmt.Sprintf("model: layer %d (%s): %v bias connections of %d", i+1, l.Name(), bias, l.Connections()))
		}
		d += l.Connections() - int(bias)
	}
	return d
}
