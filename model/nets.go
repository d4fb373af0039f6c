package model

import (
	"fmt"
	"obd/datasets"
	"sort"
)

// H3Table is the zip-code net's connection table, 0-based: H3Table[o]
// lists the H2 maps that H3 map o reads. PAPER.md gives it by H2 map: map 1
// feeds H3 maps 1,2,3,5,6; map 2 feeds 2,3,4,5,6; map 3 feeds 7,8,9,11,12;
// map 4 feeds 8,9,10,11,12.
var H3Table = [][]int{
	{0}, {0, 1}, {0, 1}, {1}, {0, 1}, {0, 1},
	{2}, {2, 3}, {2, 3}, {3}, {2, 3}, {2, 3},
}

// LeNet1 is the zip-code net of Le Cun et al. (1989) on 28×28 inputs: 2578
// free parameters, 98442 connections, 4635 units, scaled tanh everywhere,
// squared error against ±1 targets.
func LeNet1() *Net {
	in := Shape{1, 28, 28}
	h1 := NewConv("h1", in, 4, 5, ScaledTanh, nil)
	h2 := NewSubsample("h2", h1.OutShape(), ScaledTanh)
	h3 := NewConv("h3", h2.OutShape(), 12, 5, ScaledTanh, H3Table)
	h4 := NewSubsample("h4", h3.OutShape(), ScaledTanh)
	out := NewFC("out", h4.OutShape(), 10, ScaledTanh)
	return NewNet("lenet1", in, datasets.SymmetricPM1, MSE{}, h1, h2, h3, h4, out)
}

// LeNet300 is the 784-300-100-10 ReLU perceptron of Han et al. (2015):
// 266,610 parameters, softmax cross-entropy.
func LeNet300() *Net {
	in := Shape{1, 28, 28}
	fc1 := NewFC("fc1", in, 300, ReLU)
	fc2 := NewFC("fc2", fc1.OutShape(), 100, ReLU)
	fc3 := NewFC("fc3", fc2.OutShape(), 10, Identity)
	return NewNet("lenet300", in, datasets.UnitInterval, SoftmaxCE{}, fc1, fc2, fc3)
}

// LeNet5 is Caffe's LeNet (conv 5×5×20, max pool, conv 5×5×50, max pool,
// fc 500 ReLU, fc 10), the variant Han et al. (2015) prune: 431,080
// parameters, softmax cross-entropy. As in Caffe, the convolutions have no
// squashing function.
func LeNet5() *Net {
	in := Shape{1, 28, 28}
	conv1 := NewConv("conv1", in, 20, 5, Identity, nil)
	pool1 := NewMaxPool("pool1", conv1.OutShape())
	conv2 := NewConv("conv2", pool1.OutShape(), 50, 5, Identity, nil)
	pool2 := NewMaxPool("pool2", conv2.OutShape())
	fc1 := NewFC("fc1", pool2.OutShape(), 500, ReLU)
	fc2 := NewFC("fc2", fc1.OutShape(), 10, Identity)
	return NewNet("lenet5", in, datasets.UnitInterval, SoftmaxCE{}, conv1, pool1, conv2, pool2, fc1, fc2)
}

var registry = map[string]func() *Net{
	"lenet1":   LeNet1,
	"lenet300": LeNet300,
	"lenet5":   LeNet5,
}

// Names lists the networks ByName knows, sorted.
func Names() []string {
	var s []string
	for k := range registry {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// ByName builds a network by name.
func ByName(name string) (*Net, error) {
	f, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown network %q (known: %v)", name, Names())
	}
	return f(), nil
}
