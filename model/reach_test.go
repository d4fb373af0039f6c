package model_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"obd/datasets"
	"obd/model"
	"obd/model/nettest"
)

func allNets() []*model.Net {
	nets := append(nettest.TinyNets(), nettest.SingleLayerNets()...)
	return append(nets, model.LeNet1(), model.LeNet300(), model.LeNet5())
}

// TestWireCounts checks Wire against ConnectionsPerParam and the shapes on
// every net.
func TestWireCounts(t *testing.T) {
	for _, net := range allNets() {
		for li, l := range net.Layers {
			want := make([]float64, l.NumParams())
			l.ConnectionsPerParam(want)
			got := make([]float64, l.NumParams())
			nIn, nOut := l.InShape().Size(), l.OutShape().Size()
			bad := ""
			l.Wire(func(o, i, k int) {
				if o < 0 || o >= nOut || i < -1 || i >= nIn || k < -1 || k >= l.NumParams() || (i < 0 && k < 0) {
					bad = fmt.Sprintf("(%d, %d, %d)", o, i, k)
				}
				if k >= 0 {
					got[k]++
				}
			})
			if bad != "" {
				t.Errorf("%s layer %d: connection %s out of range", net.Name, li, bad)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s layer %s: Wire's connections per parameter differ from ConnectionsPerParam", net.Name, l.Name())
			}
		}
	}
}

// TestWireMatchesForward checks, on the tiny nets, that Wire lists exactly
// the connections the forward pass uses: with one parameter set to 1 and
// the rest 0, and one input unit set to 1 and the rest 0, the
// pre-activation of output unit o is the number of connections (o, i, k).
func TestWireMatchesForward(t *testing.T) {
	for _, net := range append(nettest.TinyNets(), nettest.SingleLayerNets()...) {
		for _, l := range net.Layers {
			nIn, nOut, np := l.InShape().Size(), l.OutShape().Size(), l.NumParams()
			type conn struct{ o, i, k int }
			wired := map[conn]int{}
			l.Wire(func(o, i, k int) { wired[conn{o, i, k}]++ })
			b := &model.Buf[float64]{N: 1, X: make([]float64, nIn), A: make([]float64, nOut), Y: make([]float64, nOut),
				P: make([]float64, np), S: make([]float64, l.ScratchLen(1)), I: make([]int32, l.IndexLen(1))}
			forward := func(k, i int) []float64 {
				clear(b.P)
				clear(b.X)
				if k >= 0 {
					b.P[k] = 1
				}
				if i >= 0 {
					b.X[i] = 1
				}
				l.Forward(b)
				return slices.Clone(b.A)
			}
			seen := map[conn]int{}
			for k := -1; k < np; k++ {
				if k < 0 && np > 0 {
					continue // parameter-free connections only in parameter-free layers
				}
				base := forward(k, -1)
				for o, v := range base {
					if v != 0 && k >= 0 {
						seen[conn{o, -1, k}] = int(v)
					}
				}
				for i := range nIn {
					a := forward(k, i)
					for o := range a {
						if d := a[o] - base[o]; d != 0 {
							seen[conn{o, i, k}] = int(math.Round(d))
						}
					}
				}
			}
			if len(seen) != len(wired) {
				t.Errorf("%s layer %s: forward uses %d connections, Wire lists %d", net.Name, l.Name(), len(seen), len(wired))
			}
			for c, n := range wired {
				if seen[c] != n {
					t.Errorf("%s layer %s: connection %v: Wire lists it %d times, forward %d", net.Name, l.Name(), c, n, seen[c])
					break
				}
			}
		}
	}
}

func TestBiases(t *testing.T) {
	for _, net := range allNets() {
		got := net.Biases()
		for li, l := range net.Layers {
			for _, ts := range l.Tensors() {
				for j := range ts.Len {
					k := net.Offset(li) + ts.Offset + j
					if got[k] != (ts.Name == "bias") {
						t.Fatalf("%s: %s: Biases says %v", net.Name, net.ParamName(k), got[k])
					}
				}
			}
		}
	}
	n := 0
	for _, b := range model.LeNet1().Biases() {
		if b {
			n++
		}
	}
	if n != 4+4+12+12+10 {
		t.Errorf("lenet1: %d biases, want 42", n)
	}
}

// deleted returns a mask of net with every parameter alive except those
// for which del(layer, layer parameter) is true.
func deleted(net *model.Net, del func(li, k int) bool) []bool {
	mask := make([]bool, net.NumParams())
	for li := range net.Layers {
		for k := net.Offset(li); k < net.Offset(li+1); k++ {
			mask[k] = !del(li, k-net.Offset(li))
		}
	}
	return mask
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func cutOff(net *model.Net, r *model.Reach) []bool {
	var c []bool
	for i := range net.Layers {
		c = append(c, r.CutOff(i))
	}
	return c
}

func TestReachDense(t *testing.T) {
	for _, net := range allNets() {
		r := net.Reach(nil)
		for s := range r.Live {
			if count(r.Live[s]) != len(r.Live[s]) || count(r.Useful[s]) != len(r.Useful[s]) {
				t.Errorf("%s: dense net has a dead unit at stage %d", net.Name, s)
			}
		}
		if slices.Contains(cutOff(net, r), true) {
			t.Errorf("%s: dense net has a layer cut off", net.Name)
		}
	}
}

func TestReachFC(t *testing.T) {
	in := model.Shape{C: 3, H: 1, W: 1}
	f1 := model.NewFC("f1", in, 2, model.ScaledTanh)
	f2 := model.NewFC("f2", f1.OutShape(), 2, model.ScaledTanh)
	net := model.NewNet("fc", in, datasets.SymmetricPM1, model.MSE{}, f1, f2)

	// f1's weights all deleted (its biases kept): f1 computes constants.
	r := net.Reach(deleted(net, func(li, k int) bool { return li == 0 && k < 6 }))
	if count(r.Live[1]) != 0 || count(r.Live[2]) != 0 {
		t.Errorf("live units %v %v, want none", r.Live[1], r.Live[2])
	}
	if count(r.Useful[0]) != 0 || count(r.Useful[1]) != 2 {
		t.Errorf("useful units %v %v, want input none, f1 all", r.Useful[0], r.Useful[1])
	}
	if got := cutOff(net, r); !slices.Equal(got, []bool{true, true}) {
		t.Errorf("cut off %v, want both", got)
	}

	// f2's weights from f1 unit 0 deleted: that unit is live but useless,
	// and input unit 2 reaches the output through unit 1 only.
	r = net.Reach(deleted(net, func(li, k int) bool { return li == 1 && (k == 0 || k == 2) }))
	if !slices.Equal(r.Live[1], []bool{true, true}) || !slices.Equal(r.Useful[1], []bool{false, true}) {
		t.Errorf("f1 live %v useful %v, want [true true] [false true]", r.Live[1], r.Useful[1])
	}
	if got := cutOff(net, r); !slices.Equal(got, []bool{false, false}) {
		t.Errorf("cut off %v, want none", got)
	}
}

func TestReachConv(t *testing.T) {
	in := model.Shape{C: 2, H: 3, W: 3}
	c := model.NewConv("c", in, 2, 2, model.ScaledTanh, nil)
	net := model.NewNet("conv", in, datasets.SymmetricPM1, model.MSE{}, c)
	// Pairs (0,0), (0,1), (1,0), (1,1), 4 weights each: delete the kernels
	// reading input map 0.
	r := net.Reach(deleted(net, func(_, k int) bool { return k < 16 && (k/4)%2 == 0 }))
	if !slices.Equal(r.Useful[0], []bool{false, false, false, false, false, false, false, false, false,
		true, true, true, true, true, true, true, true, true}) {
		t.Errorf("useful inputs %v, want map 1 only", r.Useful[0])
	}
	if count(r.Live[1]) != 8 || r.CutOff(0) {
		t.Errorf("live outputs %v, cut off %v: want all live", r.Live[1], r.CutOff(0))
	}
	// And one kernel weight, u=v=0 of pair (0,1): only the top-left 2×2
	// of input map 1 is read, and only output map 0 is live.
	r = net.Reach(deleted(net, func(_, k int) bool { return k < 16 && k != 4 }))
	if want := []bool{false, false, false, false, false, false, false, false, false,
		true, true, false, true, true, false, false, false, false}; !slices.Equal(r.Useful[0], want) {
		t.Errorf("useful inputs %v, want %v", r.Useful[0], want)
	}
	if want := []bool{true, true, true, true, false, false, false, false}; !slices.Equal(r.Live[1], want) {
		t.Errorf("live outputs %v, want %v", r.Live[1], want)
	}
}

// TestReachLeNet1Table follows lenet1's H3 connection table: with H2's
// coefficients of maps 0 and 1 deleted, the H3 maps that read only those
// (0–5) are constant and the others (6–11) live; with all four deleted
// every layer is cut off.
func TestReachLeNet1Table(t *testing.T) {
	net := model.LeNet1()
	const h2 = 1
	r := net.Reach(deleted(net, func(li, k int) bool { return li == h2 && k < 2 }))
	for m := range 12 {
		live := count(r.Live[3][m*64 : (m+1)*64])
		if want := map[bool]int{true: 0, false: 64}[m < 6]; live != want {
			t.Errorf("h3 map %d: %d live units, want %d", m, live, want)
		}
	}
	if slices.Contains(cutOff(net, r), true) {
		t.Errorf("cut off %v, want none", cutOff(net, r))
	}
	// Map 0 alone: H3 map 3 reads map 1 only and stays live, map 0 does not.
	r = net.Reach(deleted(net, func(li, k int) bool { return li == h2 && k == 0 }))
	for m, want := range []int{0, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64} {
		if live := count(r.Live[3][m*64 : (m+1)*64]); live != want {
			t.Errorf("h2 map 0 deleted: h3 map %d: %d live units, want %d", m, live, want)
		}
	}
	// H2's units of map 0 feed H3 maps 0,1,2,4,5 only: with those kernels
	// deleted they are useless.
	r = net.Reach(deleted(net, func(li, k int) bool {
		if li != 2 || k >= 500 {
			return false
		}
		pr := net.Layers[2].(*model.Conv).Pairs()[k/25]
		return pr[1] == 0
	}))
	for m, want := range []int{0, 144, 144, 144} {
		if u := count(r.Useful[2][m*144 : (m+1)*144]); u != want {
			t.Errorf("h3 kernels from map 0 deleted: h2 map %d: %d useful units, want %d", m, u, want)
		}
	}
	r = net.Reach(deleted(net, func(li, k int) bool { return li == h2 && k < 4 }))
	if got := cutOff(net, r); !slices.Equal(got, []bool{true, true, true, true, true}) {
		t.Errorf("h2's coefficients deleted: cut off %v, want all", got)
	}
}

func TestReachMaxPool(t *testing.T) {
	net := nettest.TinyNets()[1] // c1 (2→3 maps, 3×3) → p1 → f1 → f2
	// c1's kernels into output map 1 are pairs 2 and 3: 18 weights.
	r := net.Reach(deleted(net, func(li, k int) bool { return li == 0 && k >= 18 && k < 36 }))
	for m, want := range []int{9, 0, 9} {
		if n := count(r.Live[2][m*9 : (m+1)*9]); n != want {
			t.Errorf("p1 map %d: %d live units, want %d", m, n, want)
		}
	}
	if slices.Contains(cutOff(net, r), true) {
		t.Errorf("cut off %v, want none", cutOff(net, r))
	}
}
