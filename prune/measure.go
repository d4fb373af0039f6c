package prune

import "obd/model"

// Remaining is what a deletion mask leaves of a network (Measure).
type Remaining struct {
	// Params is the number of alive free parameters.
	Params int
	// Connections is the number of connections per sample
	// (multiply-accumulates with a parameter, bias connections included)
	// that can still carry the input to the output. A weight's connection
	// counts when the weight is alive, its source unit is live and its
	// target unit useful (model.Reach); a bias's connection counts when the
	// bias is alive and its target unit both live and useful. A unit that
	// is not live is a constant, which an implementation folds into the
	// biases of the units it feeds, so neither its own bias nor its
	// outgoing connections are counted (folding into a unit whose bias was
	// deleted would take back one connection per such unit, not counted).
	// With every unit live and useful this is Count's number; when a layer
	// is cut off it is 0.
	Connections int
	// LayersCutOff is the number of layers with no output unit that is
	// both live and useful (model.Reach.CutOff). The three networks are
	// chains, so it is 0, or every layer when no path from the input to
	// the output is left.
	LayersCutOff int
}

// Measure counts what mask (nil: all alive) leaves of net.
func Measure(net *model.Net, mask []bool) Remaining {
	var r Remaining
	for _, alive := range mask {
		if alive {
			r.Params++
		}
	}
	if mask == nil {
		r.Params = net.NumParams()
	}
	reach := net.Reach(mask)
	for li, l := range net.Layers {
		if reach.CutOff(li) {
			r.LayersCutOff++
		}
		off := net.Offset(li)
		live, useful, liveOut := reach.Live[li], reach.Useful[li+1], reach.Live[li+1]
		l.Wire(func(o, i, k int) {
			if k < 0 || (mask != nil && !mask[off+k]) || !useful[o] {
				return
			}
			if (i >= 0 && live[i]) || (i < 0 && liveOut[o]) {
				r.Connections++
			}
		})
	}
	return r
}
