package prune_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"obd/model"
	"obd/prune"
)

// Han et al.'s budgets: at their total, every layer keeps exactly its kept
// fraction (of its free parameters, rounded); on the way there each layer
// deletes the same share of what its budget deletes, lowest scores first
// within the layer; iterating from a mask never revives a parameter.
func TestSelectBudgets(t *testing.T) {
	net := model.LeNet300()
	b := prune.Budgets{0.08, 0.09, 0.26}
	F := b.Deleted(net)
	want := 1 - (0.08*235500+0.09*30100+0.26*1010)/266610
	if math.Abs(F-want) > 1e-15 {
		t.Fatalf("Deleted = %v, want %v", F, want)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	scores := make([]float64, net.NumParams())
	for k := range scores {
		scores[k] = rng.Float64()
	}
	var mask []bool
	for _, frac := range []float64{0.5, 0.8, 1} {
		target := frac * F
		sel, err := prune.SelectBudgets(net, scores, mask, target, b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range net.Layers {
			lo, hi := net.Offset(i), net.Offset(i+1)
			n := hi - lo
			deleted := 0
			maxDel, minKept := math.Inf(-1), math.Inf(1)
			for k := lo; k < hi; k++ {
				if !sel.Mask[k] {
					deleted++
					maxDel = max(maxDel, scores[k])
				} else {
					minKept = min(minKept, scores[k])
				}
				if mask != nil && !mask[k] && sel.Mask[k] {
					t.Fatalf("target %v: %s revived", target, net.ParamName(k))
				}
			}
			if w := int(math.Round(target / F * (1 - b[i]) * float64(n))); deleted != w {
				t.Errorf("target %.4f: layer %s deleted %d of %d, want %d", target, net.Layers[i].Name(), deleted, n, w)
			}
			if maxDel > minKept {
				t.Errorf("target %.4f: layer %s deleted a score %v above a kept %v", target, net.Layers[i].Name(), maxDel, minKept)
			}
		}
		mask = sel.Mask
	}
	kept := 0
	for _, alive := range mask {
		if alive {
			kept++
		}
	}
	if w := 235500 - int(math.Round(0.92*235500)) + 30100 - int(math.Round(0.91*30100)) + 1010 - int(math.Round(0.74*1010)); kept != w {
		t.Errorf("at the budgets' total: %d parameters kept, want %d", kept, w)
	}
}

func TestSelectBudgetsRefuses(t *testing.T) {
	net := model.LeNet300()
	scores := make([]float64, net.NumParams())
	for _, c := range []struct {
		name   string
		b      prune.Budgets
		target float64
		want   string
	}{
		{"beyond the budgets", prune.Budgets{0.5, 0.5, 0.5}, 0.6, "beyond the"},
		{"too few", prune.Budgets{0.5, 0.5}, 0.1, "2 budgets for the 3 layers"},
		{"zero kept", prune.Budgets{0, 0.5, 0.5}, 0.1, "layer fc1: kept fraction 0 outside (0, 1]"},
		{"NaN", prune.Budgets{0.5, math.NaN(), 0.5}, 0.1, "layer fc2: kept fraction NaN"},
	} {
		if _, err := prune.SelectBudgets(net, scores, nil, c.target, c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := prune.Select(net, scores, nil, 0.1, prune.Budget); err == nil {
		t.Error("Select with scope budget and no budgets: no error")
	}
}
