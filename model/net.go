package model

import (
	"fmt"
	"math/rand/v2"

	"obd/datasets"
)

// Net is a feed-forward chain of layers with a loss. Its free parameters
// live in one flat vector θ: layer i owns θ[Offset(i):Offset(i+1)].
type Net struct {
	Name   string
	Input  Shape
	Layers []Layer
	Loss   Loss
	// Inputs says how raw grey levels become inputs for this net.
	Inputs datasets.Scaling

	offsets []int
}

// NewNet chains layers, checking that each one's input shape is the
// previous one's output.
func NewNet(name string, input Shape, scaling datasets.Scaling, loss Loss, layers ...Layer) *Net {
	n := &Net{Name: name, Input: input, Layers: layers, Loss: loss, Inputs: scaling}
	prev := input
	n.offsets = []int{0}
	for _, l := range layers {
		if l.InShape().Size() != prev.Size() {
			panic(fmt.Sprintf("model: %s: layer %s reads %v but gets %v", name, l.Name(), l.InShape(), prev))
		}
		prev = l.OutShape()
		n.offsets = append(n.offsets, n.offsets[len(n.offsets)-1]+l.NumParams())
	}
	return n
}

// NumParams is the number of free parameters.
func (n *Net) NumParams() int { return n.offsets[len(n.offsets)-1] }

// Offset is where layer i's parameters start in θ (Offset(len) = NumParams).
func (n *Net) Offset(i int) int { return n.offsets[i] }

// Outputs is the number of output units.
func (n *Net) Outputs() int { return n.Layers[len(n.Layers)-1].OutShape().Size() }

// Connections is the number of parameterised connections per sample
// (multiply-accumulates with a weight, bias connections included).
func (n *Net) Connections() int {
	c := 0
	for _, l := range n.Layers {
		c += l.Connections()
	}
	return c
}

// ConnectionsPerParam returns, for each free parameter, the number of
// connections (multiply-accumulates per sample) that use it.
func (n *Net) ConnectionsPerParam() []float64 {
	c := make([]float64, n.NumParams())
	for i, l := range n.Layers {
		l.ConnectionsPerParam(c[n.offsets[i]:n.offsets[i+1]])
	}
	return c
}

// Units counts the input units, every layer's output units and the one
// constant bias unit, the paper's way of counting (4635 for lenet1).
func (n *Net) Units() int {
	u := n.Input.Size() + 1
	for _, l := range n.Layers {
		u += l.OutShape().Size()
	}
	return u
}

// Init returns initial parameters drawn from seed.
func (n *Net) Init(seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x0bd))
	theta := make([]float64, n.NumParams())
	for i, l := range n.Layers {
		l.Init(theta[n.offsets[i]:n.offsets[i+1]], rng)
	}
	return theta
}

// ParamName names free parameter k as "<layer>.<tensor>[j]".
func (n *Net) ParamName(k int) string {
	for i, l := range n.Layers {
		if k >= n.offsets[i+1] {
			continue
		}
		k -= n.offsets[i]
		for _, t := range l.Tensors() {
			if k < t.Offset+t.Len {
				return fmt.Sprintf("%s.%s[%d]", l.Name(), t.Name, k-t.Offset)
			}
		}
	}
	return fmt.Sprintf("θ[%d]", k)
}
