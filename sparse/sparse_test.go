package sparse_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/prune"
	"obd/sparse"
)

// randomMask deletes each parameter with probability p.
func randomMask(n int, p float64, seed uint64) []bool {
	rng := rand.New(rand.NewPCG(seed, 5))
	m := make([]bool, n)
	for k := range m {
		m[k] = rng.Float64() >= p
	}
	return m
}

// worstErr is the largest |got−want| over all outputs, relative to the
// largest |want| of the same sample.
func worstErr(got, want []float64, k int) float64 {
	worst := 0.0
	for s := 0; s < len(want)/k; s++ {
		scale := 0.0
		for _, v := range want[s*k : (s+1)*k] {
			scale = max(scale, math.Abs(v))
		}
		for i := s * k; i < (s+1)*k; i++ {
			worst = max(worst, nettest.RelErr(got[i], want[i], scale))
		}
	}
	return worst
}

func testNets() []*model.Net {
	nets := nettest.TinyNets()
	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		nets = append(nets, net)
	}
	return nets
}

// The sparse forward pass gives the dense harness's outputs on the masked
// parameters, to 1e-10 relative, at several sparsities, for every layer
// type (the tiny nets) and the three networks; the sparse net is built
// from the unmasked parameters, so it must drop the deleted ones itself.
// The same comparison against the unmasked dense net must fail, which
// shows the check can. Its connections are prune.Count's.
func TestForwardMatchesDense(t *testing.T) {
	const n = 12
	for ni, net := range testNets() {
		theta, d := nettest.RandomProblem(net, n, uint64(ni+1))
		ws := net.NewWorkspace(n)
		copy(ws.X, d.X)
		unmasked := append([]float64(nil), ws.Forward(theta, n)...)
		for pi, p := range []float64{0, 0.5, 0.75, 0.9, 0.95} {
			mask := randomMask(len(theta), p, uint64(10*ni+pi))
			want := append([]float64(nil), ws.Forward(sparse.Masked(theta, mask), n)...)
			sp, err := sparse.New(net, theta, mask)
			if err != nil {
				t.Fatal(err)
			}
			got := sp.Forward(d.X, n)
			k := net.Outputs()
			if e := worstErr(got, want, k); e > 1e-10 {
				t.Errorf("%s, %.0f%% deleted: sparse and dense outputs differ by %.3g relative", net.Name, 100*p, e)
			}
			if e := worstErr(got, unmasked, k); p > 0 && e < 1e-6 {
				t.Errorf("%s, %.0f%% deleted: sparse output matches the unmasked net (%.3g): the check has no teeth", net.Name, 100*p, e)
			}
			if _, conns := prune.Count(net, mask); sp.Connections() != conns {
				t.Errorf("%s, %.0f%% deleted: %d connections, prune.Count says %d", net.Name, 100*p, sp.Connections(), conns)
			}
			// A sample alone gives bit for bit what it gives in a batch.
			in := net.Input.Size()
			for _, s := range []int{0, n - 1} {
				one := append([]float64(nil), sp.Forward(d.X[s*in:(s+1)*in], 1)...)
				batch := sp.Forward(d.X, n)[s*k : (s+1)*k]
				for i := range one {
					if one[i] != batch[i] {
						t.Fatalf("%s: sample %d output %d: %v alone, %v in a batch", net.Name, s, i, one[i], batch[i])
					}
				}
			}
		}
		// A nil mask keeps everything.
		sp, err := sparse.New(net, theta, nil)
		if err != nil {
			t.Fatal(err)
		}
		if e := worstErr(sp.Forward(d.X, n), unmasked, net.Outputs()); e > 1e-10 {
			t.Errorf("%s, nil mask: differs from dense by %.3g", net.Name, e)
		}
		if sp.Connections() != net.Connections() {
			t.Errorf("%s, nil mask: %d connections, want %d", net.Name, sp.Connections(), net.Connections())
		}
	}
}

func TestNewErrors(t *testing.T) {
	net := model.LeNet300()
	theta := net.Init(1)
	if _, err := sparse.New(net, theta[:10], nil); err == nil {
		t.Error("short theta: no error")
	}
	if _, err := sparse.New(net, theta, make([]bool, 10)); err == nil {
		t.Error("short mask: no error")
	}
}

// The benchmark's masks delete what they say, per layer.
func TestMagnitudeMask(t *testing.T) {
	net := model.LeNet5()
	theta := sparse.BenchTheta(net, 1)
	for _, pct := range sparse.BenchDeleted {
		mask, err := sparse.MagnitudeMask(net, theta, float64(pct)/100)
		if err != nil {
			t.Fatal(err)
		}
		params, _ := prune.Count(net, mask)
		if got := 100 * (1 - float64(params)/float64(net.NumParams())); math.Abs(got-float64(pct)) > 0.01 {
			t.Errorf("%d%%: %.3f%% deleted", pct, got)
		}
	}
}
