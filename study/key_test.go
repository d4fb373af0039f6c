package study

import (
	"os"
	"strings"
	"testing"

	"obd/model"
	"obd/prune"
)

func parseFile(t *testing.T, path string) *Definition {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(path, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Two literal keys, so that a refactoring cannot move every unit's key
// (and silently recompute, or worse, reuse) unnoticed. A deliberate change
// of what a key covers raises unitFormat and updates these.
func TestUnitKeysPinned(t *testing.T) {
	for _, c := range []struct{ file, method, scope, want string }{
		{"../experiments/definitions/paper-fig1.yaml", "obd", "global", "407070fa52c71215"},
		{"../experiments/definitions/han-lenet5.yaml", "magnitude", "per-layer", "fdafa5252817d383"},
	} {
		d := parseFile(t, c.file)
		net, _ := model.ByName(d.Network)
		if got := unitKeyOf(d, net, c.method, c.scope, "gonum"); got != c.want {
			t.Errorf("%s %s/%s: key %s, pinned %s", d.Name, c.method, c.scope, got, c.want)
		}
	}
}

// A key covers what determines the unit's numbers, and nothing else.
func TestUnitKeyCovers(t *testing.T) {
	base := func() *Definition {
		d, err := Parse("t.yaml", strings.NewReader(valid))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	key := func(d *Definition) string { return unitKeyOf(d, model.LeNet1(), "obd", "global", "gonum") }
	ref := key(base())
	for name, edit := range map[string]func(*Definition){
		"description": func(d *Definition) { d.Description = "another" },
		"name":        func(d *Definition) { d.Name = "other" },
		"figures":     func(d *Definition) { d.Figures = "paper-fig1" },
		"quick":       func(d *Definition) { d.Quick.Epochs = 7 },
		"seeds":       func(d *Definition) { d.Seeds = append(d.Seeds, 9) },
		"methods":     func(d *Definition) { d.Methods = append(d.Methods, prune.Spec{Name: "random"}) },
		"scopes":      func(d *Definition) { d.Scopes = append(d.Scopes, "per-layer") },
	} {
		d := base()
		edit(d)
		if key(d) != ref {
			t.Errorf("changing %s changed the key", name)
		}
	}
	for name, edit := range map[string]func(*Definition){
		"network":    func(d *Definition) { d.Network = "lenet300" },
		"data.test":  func(d *Definition) { d.Data.Test = 400 },
		"data.eval":  func(d *Definition) { d.Data.EvalTrain = 500 },
		"digit_size": func(d *Definition) { d.Data.DigitSize = 16 },
		"training":   func(d *Definition) { d.Training.LR = 0.02 },
		"retraining": func(d *Definition) { d.Retraining.Epochs = 2 },
		"schedule":   func(d *Definition) { d.Schedule = "oneshot-retrain" },
		"grid":       func(d *Definition) { d.Grid = []float64{0.1, 0.5, 0.8} },
	} {
		d := base()
		edit(d)
		if key(d) == ref {
			t.Errorf("changing %s left the key", name)
		}
	}
	d := base()
	for _, k := range []string{
		unitKeyOf(d, model.LeNet1(), "magnitude", "global", "gonum"),
		unitKeyOf(d, model.LeNet1(), "obd", "per-layer", "gonum"),
		unitKeyOf(d, model.LeNet1(), "obd", "global", "openblas"),
	} {
		if k == ref {
			t.Errorf("method, scope or backend left the key")
		}
	}
	// Without retraining, the retraining recipe does not count.
	one := base()
	one.Schedule = "oneshot"
	a := key(one)
	one.Retraining.LR = 0.5
	if key(one) != a {
		t.Error("a oneshot unit's key depends on the retraining recipe")
	}
}
