package prune_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"obd/curvature"
	"obd/model"
	"obd/model/nettest"
	"obd/prune"
)

func TestSelectGlobal(t *testing.T) {
	net := model.LeNet1()
	scores := make([]float64, net.NumParams())
	for k := range scores {
		scores[k] = float64((k * 7919) % 1009) // many ties
	}
	sel, err := prune.Select(net, scores, nil, 0.3, prune.Global)
	if err != nil {
		t.Fatal(err)
	}
	want := int(math.Round(0.3 * 2578))
	if len(sel.Deleted) != want {
		t.Fatalf("deleted %d, want %d", len(sel.Deleted), want)
	}
	// Every deleted score is ≤ every kept score.
	maxDel, minKept := math.Inf(-1), math.Inf(1)
	for k, alive := range sel.Mask {
		if alive {
			minKept = min(minKept, scores[k])
		} else {
			maxDel = max(maxDel, scores[k])
		}
	}
	if maxDel > minKept {
		t.Errorf("deleted a score %v above a kept %v", maxDel, minKept)
	}
	// Continue from that mask: only the difference is deleted, the old
	// mask is untouched.
	old := append([]bool(nil), sel.Mask...)
	sel2, err := prune.Select(net, scores, sel.Mask, 0.5, prune.Global)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := prune.Count(net, sel2.Mask); n != 2578-int(math.Round(0.5*2578)) {
		t.Errorf("after 50%%: %d alive", n)
	}
	for k := range old {
		if old[k] != sel.Mask[k] {
			t.Fatal("Select modified its input mask")
		}
		if !old[k] && sel2.Mask[k] {
			t.Fatalf("%s came back to life", net.ParamName(k))
		}
	}
	// Deterministic.
	again, _ := prune.Select(net, scores, nil, 0.3, prune.Global)
	for i := range again.Deleted {
		if again.Deleted[i] != sel.Deleted[i] {
			t.Fatal("two selections differ")
		}
	}
}

func TestSelectPerLayer(t *testing.T) {
	net := model.LeNet1()
	scores := make([]float64, net.NumParams())
	for k := range scores {
		scores[k] = float64(k) // global ranking would empty the first layers
	}
	sel, err := prune.Select(net, scores, nil, 0.5, prune.PerLayer)
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.Layers {
		lo, hi := net.Offset(i), net.Offset(i+1)
		dead := 0
		for k := lo; k < hi; k++ {
			if !sel.Mask[k] {
				dead++
			}
		}
		if want := int(math.Round(0.5 * float64(hi-lo))); dead != want {
			t.Errorf("layer %s: %d deleted, want %d", net.Layers[i].Name(), dead, want)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	net := model.LeNet1()
	scores := make([]float64, net.NumParams())
	for _, f := range []float64{-0.1, 1, math.NaN()} {
		if _, err := prune.Select(net, scores, nil, f, prune.Global); err == nil {
			t.Errorf("target %v: no error", f)
		}
	}
	if _, err := prune.Select(net, scores[:5], nil, 0.5, prune.Global); err == nil {
		t.Error("short scores: no error")
	}
	if _, err := prune.Select(net, scores, nil, 0.5, "layerwise"); err == nil {
		t.Error("unknown scope: no error")
	}
	if _, err := prune.ParseScope("diagonal"); err == nil {
		t.Error("ParseScope: no error")
	}
	if _, err := prune.New("obs"); err == nil {
		t.Error("New(obs): no error")
	}
}

func TestMethods(t *testing.T) {
	net := nettest.TinyNets()[0]
	theta, d := nettest.RandomProblem(net, 10, 1)
	st := &prune.State{Engine: model.NewEngine(net, 2), Theta: theta, Train: d, Seed: 3, Step: 1}

	mag, _ := prune.New("magnitude")
	sc, _ := mag.Scores(st)
	for k := range sc {
		if sc[k] != math.Abs(theta[k]) {
			t.Fatalf("magnitude score %v for weight %v", sc[k], theta[k])
		}
	}

	obd, _ := prune.New("obd")
	sc, _ = obd.Scores(st)
	h, _ := curvature.Diagonal(st.Engine, theta, d, nil, curvature.LM)
	for k := range sc {
		if want := h[k] * theta[k] * theta[k] / 2; sc[k] != want {
			t.Fatalf("obd score %v, want h·u²/2 = %v", sc[k], want)
		}
	}
	if !obd.Predicts() || mag.Predicts() {
		t.Error("only OBD predicts")
	}

	rnd, _ := prune.New("random")
	a, _ := rnd.Scores(st)
	b, _ := rnd.Scores(st)
	st.Step = 2
	c, _ := rnd.Scores(st)
	same := true
	for k := range a {
		if a[k] != b[k] {
			t.Fatal("random scores differ for the same seed and step")
		}
		same = same && a[k] == c[k]
	}
	if same {
		t.Error("random scores equal at another step")
	}
	for _, name := range prune.Methods() {
		if m, err := prune.New(name); err != nil || m.Name() != name {
			t.Errorf("New(%q) = %v, %v", name, m, err)
		}
	}
}

// TestSelectPerLayerKeepsAWeight: per-layer deletion at high fractions
// keeps at least one weight (not a bias) in every layer, whatever the
// scores. Before the rule, 0.9375 of lenet1 deleted all 8 parameters of
// h2 and 0.98 all 24 of h4. Where the target does not take the whole
// layer, the count deleted is still the target's.
func TestSelectPerLayerKeepsAWeight(t *testing.T) {
	for _, net := range []*model.Net{model.LeNet1(), model.LeNet300(), model.LeNet5()} {
		bias := net.Biases()
		theta := net.Init(1)
		rng := rand.New(rand.NewPCG(1, 2))
		scores := map[string][]float64{
			"magnitude": make([]float64, len(theta)), "random": make([]float64, len(theta)),
			"index": make([]float64, len(theta)), "weights lowest": make([]float64, len(theta)),
		}
		for k, v := range theta {
			scores["magnitude"][k] = math.Abs(v)
			scores["random"][k] = rng.Float64()
			scores["index"][k] = float64(k)
			scores["weights lowest"][k] = map[bool]float64{false: 0, true: 1}[bias[k]]
		}
		for name, sc := range scores {
			for _, target := range []float64{0.9375, 0.95, 0.98} {
				sel, err := prune.Select(net, sc, nil, target, prune.PerLayer)
				if err != nil {
					t.Fatal(err)
				}
				for i, l := range net.Layers {
					lo, hi := net.Offset(i), net.Offset(i+1)
					if lo == hi {
						continue
					}
					weights, dead := 0, 0
					for k := lo; k < hi; k++ {
						if sel.Mask[k] && !bias[k] {
							weights++
						}
						if !sel.Mask[k] {
							dead++
						}
					}
					want := min(int(math.Round(target*float64(hi-lo))), hi-lo-1)
					if weights == 0 || dead != want {
						t.Errorf("%s, %s scores, %v: layer %s keeps %d weights, %d of %d parameters deleted (want ≥ 1 weight, %d deleted)",
							net.Name, name, target, l.Name(), weights, dead, hi-lo, want)
					}
				}
				// Continuing from the mask keeps the rule.
				again, err := prune.Select(net, sc, sel.Mask, 0.99, prune.PerLayer)
				if err != nil {
					t.Fatal(err)
				}
				for i, l := range net.Layers {
					kept := false
					for k := net.Offset(i); k < net.Offset(i+1); k++ {
						kept = kept || (again.Mask[k] && !bias[k])
					}
					if !kept && net.Offset(i) < net.Offset(i+1) {
						t.Errorf("%s, %s scores, %v then 0.99: layer %s keeps no weight", net.Name, name, target, l.Name())
					}
				}
			}
		}
	}
}

// TestSelectPerLayerSparesBestWeight: when the lowest scores are all of a
// layer's weights, its highest-scored weight stays and a bias goes instead.
func TestSelectPerLayerSparesBestWeight(t *testing.T) {
	net := model.LeNet1()
	bias := net.Biases()
	scores := make([]float64, net.NumParams())
	for k := range scores {
		scores[k] = float64(k)
		if bias[k] {
			scores[k] += 1e6
		}
	}
	sel, err := prune.Select(net, scores, nil, 0.98, prune.PerLayer)
	if err != nil {
		t.Fatal(err)
	}
	// h1: 100 weights (0–99) then 4 biases (100–103); 0.98·104 rounds to
	// 102: every weight but the best (99), then the three lowest biases.
	var alive []int
	for k := range 104 {
		if sel.Mask[k] {
			alive = append(alive, k)
		}
	}
	if !slices.Equal(alive, []int{99, 103}) {
		t.Errorf("h1 keeps %v, want [99 103]", alive)
	}
}
