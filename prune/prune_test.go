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
	if _, err := prune.New("obx"); err == nil {
		t.Error("New(obx): no error")
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
// keeps at least one weight (not a bias) in every layer and a path from
// input to output, whatever the scores. Before the rule, 0.9375 of lenet1
// deleted all 8 parameters of h2 and 0.98 all 24 of h4; one weight per
// layer alone still cut the path for some scores. Where the target does
// not take the whole layer, the count deleted is still the target's.
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
				if r := prune.Measure(net, sel.Mask); r.LayersCutOff != 0 {
					t.Errorf("%s, %s scores, %v: %d layers cut off", net.Name, name, target, r.LayersCutOff)
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
				if r := prune.Measure(net, again.Mask); r.LayersCutOff != 0 {
					t.Errorf("%s, %s scores, %v then 0.99: %d layers cut off", net.Name, name, target, r.LayersCutOff)
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

func TestMeasureDense(t *testing.T) {
	for _, net := range append(nettest.TinyNets(), model.LeNet1(), model.LeNet300(), model.LeNet5()) {
		r := prune.Measure(net, nil)
		if r.Params != net.NumParams() || r.Connections != net.Connections() || r.LayersCutOff != 0 {
			t.Errorf("%s dense: %+v, want %d parameters, %d connections, none cut off", net.Name, r, net.NumParams(), net.Connections())
		}
	}
	if r := prune.Measure(model.LeNet1(), nil); r.Connections != 98442 {
		t.Errorf("lenet1 dense: %d connections, want 98442", r.Connections)
	}
}

// TestMeasureKnown checks Measure against counts worked out by hand on
// lenet1 and a two-layer perceptron.
func TestMeasureKnown(t *testing.T) {
	net := model.LeNet1()
	mask := func(del ...int) []bool {
		m := make([]bool, net.NumParams())
		for k := range m {
			m[k] = !slices.Contains(del, k)
		}
		return m
	}
	h2, h3 := net.Offset(1), net.Offset(2)
	// A few weights of h1's first kernel, of h3 and of the output layer:
	// every unit stays live and useful, so Count's number.
	m := mask(0, 1, 2, h3+7, net.Offset(4)+5)
	_, old := prune.Count(net, m)
	if r := prune.Measure(net, m); r.Connections != old || r.LayersCutOff != 0 || r.Params != net.NumParams()-5 {
		t.Errorf("a few weights deleted: %+v, want %d connections as Count, none cut off", r, old)
	}
	// h2's coefficient of map 0: that map's 144 units are constant (their
	// bias connections go), the 5 H3 kernels reading it (25 weights at 64
	// positions each) no longer carry anything, and h1's map 0 (25 weights
	// and a bias at 576 positions) reaches no output. H3's map 0 reads
	// only h2's map 0, so it is constant too (64 bias connections), and so
	// is h4's map 0 (16 units, a coefficient on 4 inputs and a bias each),
	// whose 16 units feed the 10 outputs (160 weights).
	m = mask(h2)
	if r, want := prune.Measure(net, m), 98442-576-144-5*25*64-26*576-64-16*5-160; r.Connections != want || r.LayersCutOff != 0 {
		t.Errorf("h2 map 0's coefficient deleted: %+v, want %d connections, none cut off", r, want)
	}
	// Global deletion that empties h2 (its parameters scored lowest): no
	// path is left, every layer is cut off and no connection counts.
	scores := make([]float64, net.NumParams())
	for k := range scores {
		scores[k] = 1
		if k >= h2 && k < h3 {
			scores[k] = 0
		}
	}
	sel, err := prune.Select(net, scores, nil, 0.004, prune.Global) // 10 of 2578
	if err != nil {
		t.Fatal(err)
	}
	r := prune.Measure(net, sel.Mask)
	if r.LayersCutOff < 1 || r.LayersCutOff != len(net.Layers) || r.Connections != 0 || r.Params != 2578-10 {
		t.Errorf("h2 emptied by global deletion: %+v, want 5 layers cut off, 0 connections, 2568 parameters", r)
	}

	// A perceptron 3→2→2 whose first layer keeps only its biases.
	in := model.Shape{C: 3, H: 1, W: 1}
	f1 := model.NewFC("f1", in, 2, model.ScaledTanh)
	f2 := model.NewFC("f2", f1.OutShape(), 2, model.ScaledTanh)
	mlp := model.NewNet("mlp", in, 0, model.MSE{}, f1, f2)
	m = []bool{false, false, false, false, false, false, true, true, true, true, true, true, true, true}
	if r := prune.Measure(mlp, m); r.Connections != 0 || r.LayersCutOff != 2 || r.Params != 8 {
		t.Errorf("perceptron without first-layer weights: %+v, want 0 connections, 2 layers cut off, 8 parameters", r)
	}
	// Only f2's weights from f1 unit 0 deleted: f1 unit 0 (3 weights and a
	// bias) reaches nothing; 4 + 2 + 2 = 8 connections remain.
	m = []bool{true, true, true, true, true, true, true, true, false, true, false, true, true, true}
	if r := prune.Measure(mlp, m); r.Connections != 8 || r.LayersCutOff != 0 {
		t.Errorf("perceptron, f1 unit 0 useless: %+v, want 8 connections, none cut off", r)
	}
}

// TestSelectPerLayerKeepsAPath: when the best weight of each layer does
// not make a path, per-layer deletion keeps the path whose lowest score is
// highest, preferring weights it keeps anyway.
func TestSelectPerLayerKeepsAPath(t *testing.T) {
	in := model.Shape{C: 2, H: 1, W: 1}
	f1 := model.NewFC("f1", in, 2, model.ScaledTanh)
	f2 := model.NewFC("f2", f1.OutShape(), 1, model.ScaledTanh)
	net := model.NewNet("mlp", in, 0, model.MSE{}, f1, f2)
	// f1: w00 w01 w10 w11 b0 b1; f2: v0 v1 c. At 0.75 per layer f1 keeps
	// one of 6 and f2 one of 3. The best weights, w00 (unit 0) and v1
	// (unit 1), make no path; through unit 1 the path's lowest score is
	// w11's 3, through unit 0 v0's 1: keep w11 and v1.
	scores := []float64{5, 1, 2, 3, 0, 0, 1, 4, 0}
	sel, err := prune.Select(net, scores, nil, 0.75, prune.PerLayer)
	if err != nil {
		t.Fatal(err)
	}
	var alive []int
	for k, a := range sel.Mask {
		if a {
			alive = append(alive, k)
		}
	}
	if !slices.Equal(alive, []int{3, 7}) {
		t.Errorf("keeps %v, want [3 7] (w11, v1)", alive)
	}
	if r := prune.Measure(net, sel.Mask); r.LayersCutOff != 0 || r.Connections != 2 {
		t.Errorf("%+v, want no layer cut off, 2 connections", r)
	}
}
