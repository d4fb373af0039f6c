package backend_test

import (
	"slices"
	"testing"

	"obd/model"
)

// TestNetProducts checks lenet1's products, worked out by hand from conv.go
// and fc.go at 16 samples a chunk: h1 reads 1 map through 5×5 kernels into
// 4 maps of 24×24 (16·576 = 9216 columns), h3 reads the dense 4·25 = 100
// rows into 12 maps of 8×8 (1024 columns), out is 192 → 10.
func TestNetProducts(t *testing.T) {
	if model.ChunkSize != 16 {
		t.Skipf("the literal shapes assume chunks of 16, not %d", model.ChunkSize)
	}
	want := []Product{
		{M: 4, N: 9216, K: 25},                      // h1 forward
		{M: 12, N: 1024, K: 100},                    // h3 forward
		{TB: true, M: 16, N: 10, K: 192},            // out forward
		{TA: true, M: 10, N: 192, K: 16, Beta: 1},   // out ∂E/∂w
		{M: 16, N: 192, K: 10},                      // out ∂E/∂x
		{TB: true, M: 12, N: 100, K: 1024, Beta: 1}, // h3 ∂E/∂w
		{TA: true, M: 100, N: 1024, K: 12},          // h3 ∂E/∂x
		{TB: true, M: 4, N: 25, K: 9216, Beta: 1},   // h1 ∂E/∂w (no ∂E/∂x: first layer)
	}
	if got := NetProducts(model.LeNet1()); !slices.Equal(got, want) {
		t.Errorf("lenet1 products\n got %v\nwant %v", got, want)
	}
}

// TestNetProductsFLOPs checks the products of the nets without connection
// tables or subsampling against Net.FLOPs: per sample, they are the gradient
// pass's FLOPs less the bias connections' (2 forward, 2 for their gradient),
// which are no products. Bias connections: lenet300 300+100+10, lenet5
// conv1 20·576, conv2 50·64, fc1 500, fc2 10. lenet1's products do more
// than its count (scripts/roofline says so): h3's dense kernel matrix has
// 48 kernels for 20 connected ones, and they execute 702,720 FLOPs per
// sample against the 467,752 of Net.FLOPs(PassGrad), 1.50×.
func TestNetProductsFLOPs(t *testing.T) {
	l1 := 0
	for _, p := range NetProducts(model.LeNet1()) {
		l1 += p.FLOPs()
	}
	if l1 != 702720*model.ChunkSize || model.LeNet1().FLOPs(model.PassGrad) != 467752 {
		t.Errorf("lenet1: products of %d FLOPs per chunk, gradient pass %d per sample", l1, model.LeNet1().FLOPs(model.PassGrad))
	}
	for _, c := range []struct {
		net  *model.Net
		bias int
	}{
		{model.LeNet300(), 410},
		{model.LeNet5(), 20*576 + 50*64 + 500 + 10},
	} {
		flops := 0
		for _, p := range NetProducts(c.net) {
			flops += p.FLOPs()
		}
		want := model.ChunkSize * (c.net.FLOPs(model.PassGrad) - 4*c.bias)
		if flops != want {
			t.Errorf("%s: products of %d FLOPs per chunk, want %d", c.net.Name, flops, want)
		}
	}
}
