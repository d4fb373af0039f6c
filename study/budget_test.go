package study

import (
	"context"
	"math"
	"strings"
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/prune"
	"obd/report"
	"obd/train"
)

const budgeted = `name: b
network: lenet300
data: {train: 1000, test: 500, hessian_samples: 100}
training: {epochs: 1, batch_size: 32, lr: 0.01}
retraining: {epochs: 1, batch_size: 32, lr: 0.001}
methods: [magnitude]
scopes: [global, budget]
schedule: iterative
grid: [0.5, 0.8]
layer_budgets: {fc1: 0.08, fc2: 0.09, fc3: 0.26}
seeds: [1]
`

// layer_budgets make what they delete the last target of every scope,
// enter the unit key of the budget scope only, and are checked against
// the network, the scopes and the grid.
func TestLayerBudgets(t *testing.T) {
	d, err := Parse("b.yaml", strings.NewReader(budgeted))
	if err != nil {
		t.Fatal(err)
	}
	net := model.LeNet300()
	F := 1 - (0.08*235500+0.09*30100+0.26*1010)/266610
	if g := d.Targets(net); len(g) != 3 || g[0] != 0.5 || g[1] != 0.8 || math.Abs(g[2]-F) > 1e-15 {
		t.Errorf("targets %v, want [0.5 0.8 %v]", g, F)
	}
	if len(d.Grid) != 2 {
		t.Errorf("Targets changed the grid: %v", d.Grid)
	}
	other, _ := Parse("b.yaml", strings.NewReader(strings.Replace(budgeted, "fc3: 0.26", "fc3: 0.3", 1)))
	for _, scope := range []string{"global", "budget"} {
		a, b := unitKeyOf(d, net, "magnitude", scope, "gonum"), unitKeyOf(other, net, "magnitude", scope, "gonum")
		// Global's key changes too, through its last target.
		if a == b {
			t.Errorf("%s: fc3's budget does not change the key", scope)
		}
	}
	same := *d
	same.LayerBudgets = map[string]float64{"fc1": 0.08, "fc2": 0.09, "fc3": 0.26}
	if unitKeyOf(&same, net, "magnitude", "budget", "gonum") != unitKeyOf(d, net, "magnitude", "budget", "gonum") {
		t.Error("equal budgets, different keys")
	}
	for _, c := range []struct{ name, edit, want string }{
		{"missing layer", strings.Replace(budgeted, ", fc3: 0.26", "", 1), "b.yaml:10: layer_budgets: layer fc3 of lenet300 has no budget"},
		{"unknown layer", strings.Replace(budgeted, "fc3: 0.26", "fc3: 0.26, conv1: 0.5", 1), "b.yaml:10: layer_budgets.conv1: lenet300 has no layer conv1"},
		{"zero budget", strings.Replace(budgeted, "fc2: 0.09", "fc2: 0", 1), "b.yaml:10: layer_budgets.fc2: kept fraction 0 outside (0, 1]"},
		{"not a number", strings.Replace(budgeted, "fc2: 0.09", "fc2: many", 1), `b.yaml:10: layer_budgets.fc2: want a number, got "many"`},
		{"given twice", strings.Replace(budgeted, "fc2: 0.09", "fc2: 0.09, fc2: 0.1", 1), "layer_budgets.fc2: key given twice"},
		{"grid beyond", strings.Replace(budgeted, "[0.5, 0.8]", "[0.5, 0.95]", 1), "b.yaml:9: grid[1]: 0.95 is not below 0.918"},
		{"budget scope without budgets", strings.Replace(budgeted, "layer_budgets: {fc1: 0.08, fc2: 0.09, fc3: 0.26}\n", "", 1), "b.yaml:7: scopes[1]: scope budget needs layer_budgets"},
	} {
		if _, err := Parse("b.yaml", strings.NewReader(c.edit)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// A sweep in the budget scope ends with every layer at its budget.
func TestBudgetSweep(t *testing.T) {
	net := nettest.TinyNets()[2] // tiny-mlp-mse: f1 (6×128+6), f2 (3×6+3)
	b := prune.Budgets{0.1, 0.5}
	dense, data := nettest.RandomProblem(net, 40, 1)
	m, _ := prune.New("magnitude")
	var last []bool
	s := &sweep{schedule: Iterative, e: model.NewEngine(net, 1), method: m, scope: prune.Budget, budgets: b, seed: 3,
		targets: []float64{0.5 * b.Deleted(net), b.Deleted(net)}, dense: dense, train: data, evalTrain: data,
		test: nettest.Random(net, 20, 2),
		retrain: func(step int) (train.Recipe, uint64) {
			return train.Recipe{Epochs: 1, BatchSize: 8, LR: 0.01}, uint64(step)
		},
		observe: func(p report.Point, theta []float64, mask []bool) { last = append(last[:0], mask...) },
	}
	if _, err := s.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range net.Layers {
		lo, hi := net.Offset(i), net.Offset(i+1)
		kept := 0
		for k := lo; k < hi; k++ {
			if last[k] {
				kept++
			}
		}
		n := hi - lo
		if want := n - int(math.Round((1-b[i])*float64(n))); kept != want {
			t.Errorf("layer %s keeps %d of %d, want %d (budget %v)", net.Layers[i].Name(), kept, n, want, b[i])
		}
	}
}
