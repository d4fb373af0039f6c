package model

// Biases reports, for each free parameter, whether it is a bias: a
// parameter whose connections all come from the constant unit (Layer.Wire
// gives them input -1). Every other parameter is a weight, which
// multiplies a unit of the layer's input (a kernel entry, a subsampling
// coefficient, an entry of a fully connected matrix). A parameter with no
// connection at all is reported as a weight.
func (n *Net) Biases() []bool {
	bias := make([]bool, n.NumParams())
	weight := make([]bool, n.NumParams())
	for li, l := range n.Layers {
		off := n.offsets[li]
		l.Wire(func(_, i, k int) {
			if k < 0 {
				return
			}
			if i < 0 {
				bias[off+k] = true
			} else {
				weight[off+k] = true
			}
		})
	}
	for k := range bias {
		bias[k] = bias[k] && !weight[k]
	}
	return bias
}

// Reach is the structural reachability of a net under a deletion mask: which
// units can still carry the input to the output through connections whose
// parameters are alive. It ignores the values of parameters and
// activations (a ReLU unit that is never positive still counts), so it
// says what the mask alone cuts.
//
// Stage 0 is the input, stage i+1 the output of layer i. A unit is live
// when it depends on the input: an input unit always does, and another
// unit does when one of its connections from a unit other than the
// constant one is alive (a parameter-free connection, as in max pooling,
// always is) and comes from a live unit. A unit that is not live computes
// a constant. A unit is useful when an output can be reached from it: an
// output unit always can, and another unit can when one of the alive
// connections it feeds goes to a useful unit.
type Reach struct {
	Live, Useful [][]bool // [stage][unit]
}

// Reach computes the reachability of the net under mask (nil: every
// parameter alive; otherwise NumParams long, false for a deleted
// parameter) with a forward pass over booleans for Live and a backward one
// for Useful.
func (n *Net) Reach(mask []bool) *Reach {
	alive := func(li, k int) bool { return k < 0 || mask == nil || mask[n.offsets[li]+k] }
	r := &Reach{Live: make([][]bool, len(n.Layers)+1), Useful: make([][]bool, len(n.Layers)+1)}
	r.Live[0] = make([]bool, n.Input.Size())
	for u := range r.Live[0] {
		r.Live[0][u] = true
	}
	for li, l := range n.Layers {
		in, out := r.Live[li], make([]bool, l.OutShape().Size())
		l.Wire(func(o, i, k int) {
			if i >= 0 && in[i] && alive(li, k) {
				out[o] = true
			}
		})
		r.Live[li+1] = out
	}
	last := len(n.Layers)
	r.Useful[last] = make([]bool, n.Outputs())
	for u := range r.Useful[last] {
		r.Useful[last][u] = true
	}
	for li := last - 1; li >= 0; li-- {
		l := n.Layers[li]
		out, in := r.Useful[li+1], make([]bool, l.InShape().Size())
		l.Wire(func(o, i, k int) {
			if i >= 0 && out[o] && alive(li, k) {
				in[i] = true
			}
		})
		r.Useful[li] = in
	}
	return r
}

// CutOff reports whether layer i is cut off from the output: none of its
// output units is both live and useful, so no path from the input to the
// output through alive connections passes through it. A layer whose
// weights are all deleted is cut off; so is every layer of a chain that
// has lost every path from input to output, since all three networks and
// the test nets are chains: there, a cut anywhere cuts every layer off.
func (r *Reach) CutOff(i int) bool {
	live, useful := r.Live[i+1], r.Useful[i+1]
	for u := range live {
		if live[u] && useful[u] {
			return false
		}
	}
	return true
}
