package study

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"obd/model"
)

const valid = `name: t
network: lenet1
data: {train: 1000, test: 500, hessian_samples: 100}
training: {epochs: 1, batch_size: 32, lr: 0.01, momentum: 0.9, lr_schedule: exp, lr_gamma: 0.9}
retraining: {epochs: 1, batch_size: 32, lr: 0.001}
methods: [obd, magnitude]
scopes: [global]
schedule: iterative
grid: [0.1, 0.5, 0.9]
seeds: [1, 2]
`

func TestParseValid(t *testing.T) {
	d, err := Parse("t.yaml", strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	if d.Network != "lenet1" || len(d.Grid) != 3 || d.Training.LRGamma != 0.9 || d.Figures != "curves" {
		t.Errorf("decoded %+v", d)
	}
	// Comments and layout do not change the hash; content does.
	d2, _ := Parse("t.yaml", strings.NewReader("# a comment\n"+valid))
	d3, _ := Parse("t.yaml", strings.NewReader(strings.Replace(valid, "seeds: [1, 2]", "seeds: [1, 3]", 1)))
	if d.Hash() != d2.Hash() || d.Hash() == d3.Hash() {
		t.Errorf("hashes %s %s %s", d.Hash(), d2.Hash(), d3.Hash())
	}
	// digit_size changes the hash, and so does the dense cache key.
	d4, err := Parse("t.yaml", strings.NewReader(strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, digit_size: 16", 1)))
	if err != nil {
		t.Fatal(err)
	}
	k4, _ := denseKey(d4, 1, "o")
	if k, _ := denseKey(d, 1, "o"); d4.Data.DigitSize != 16 || d4.Hash() == d.Hash() || k4 == k {
		t.Errorf("digit_size 16: decoded %d, hash %s (was %s), cache key %s", d4.Data.DigitSize, d4.Hash(), d.Hash(), k4)
	}
	if q := d4.AtScale(true); q.Data.DigitSize != 16 {
		t.Errorf("-quick dropped digit_size: %+v", q.Data)
	}
}

// precision: float64 is the default: naming it leaves the definition's
// hash and its dense and unit keys as they were without it; float32, in
// either recipe, changes them.
func TestPrecisionKeys(t *testing.T) {
	parse := func(src string) *Definition {
		t.Helper()
		d, err := Parse("t.yaml", strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	keys := func(d *Definition) [3]string {
		dk, _ := denseKey(d, 1, "o")
		return [3]string{d.Hash(), dk, unitKeyOf(d, model.LeNet1(), "obd", "global", "gonum")}
	}
	ref := keys(parse(valid))
	for _, edit := range []string{"precision: float64, ", "precision: \"\", ", "precision: , "} {
		src := strings.Replace(strings.Replace(valid, "epochs: 1, batch_size: 32, lr: 0.01,", "epochs: 1, batch_size: 32, "+edit+"lr: 0.01,", 1),
			"lr: 0.001}", edit+"lr: 0.001}", 1)
		if got := keys(parse(src)); got != ref {
			t.Errorf("%q: hash, dense key, unit key %v, without precision %v", edit, got, ref)
		}
	}
	for _, src := range []string{
		strings.Replace(valid, "lr: 0.01,", "lr: 0.01, precision: float32,", 1),
		strings.Replace(valid, "lr: 0.001}", "lr: 0.001, precision: float32}", 1),
	} {
		d := parse(src)
		got := keys(d)
		if got[0] == ref[0] || got[2] == ref[2] {
			t.Errorf("float32 left the hash or the unit key: %v", got)
		}
		if d.Training.Precision == "float32" && got[1] == ref[1] {
			t.Errorf("float32 training left the dense key")
		}
	}
}

// Every bad definition is an error naming the file, the line and the
// field, never a panic.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, edit, want string
	}{
		{"unknown key", "name: t\nnetwork: lenet1\nlearning_rate: 3\n", "t.yaml:3: learning_rate: unknown key (known: name, "},
		{"unknown nested key", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, lr_decay: 2}", 1), "t.yaml:5: retraining.lr_decay: unknown key"},
		{"wrong type", strings.Replace(valid, "epochs: 1, batch", "epochs: many, batch", 1), `t.yaml:4: training.epochs: want an integer, got "many"`},
		{"fractional integer", strings.Replace(valid, "epochs: 1, batch", "epochs: 1.5, batch", 1), "t.yaml:4: training.epochs: want an integer, got 1.5"},
		{"string for a number", strings.Replace(valid, "lr: 0.01", `lr: "0.01"`, 1), `t.yaml:4: training.lr: want a number, got "0.01"`},
		{"list for a number", strings.Replace(valid, "test: 500", "test: [500]", 1), "t.yaml:3: data.test: want an integer, got a list"},
		{"scalar for a list", strings.Replace(valid, "seeds: [1, 2]", "seeds: 1", 1), "t.yaml:10: seeds: want a list, got 1"},
		{"negative seed", strings.Replace(valid, "seeds: [1, 2]", "seeds: [1, -2]", 1), "t.yaml:10: seeds[1]: want an integer ≥ 0, got -2"},
		{"scalar for a section", strings.Replace(valid, "retraining: {epochs: 1, batch_size: 32, lr: 0.001}", "retraining: fast", 1), `t.yaml:5: retraining: want a mapping of keys to values, got "fast"`},
		{"method twice", strings.Replace(valid, "[obd, magnitude]", "[obd, magnitude, obd]", 1), "t.yaml:6: methods[2]: method obd listed twice"},
		{"scope twice", strings.Replace(valid, "scopes: [global]", "scopes: [global, per-layer, global]", 1), "t.yaml:7: scopes[2]: scope global listed twice"},
		{"quick scope twice", valid + "quick: {scopes: [per-layer, per-layer]}\n", "quick.scopes[1]: scope per-layer listed twice"},
		{"hessian samples beyond train", strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 2000", 1), "t.yaml:3: data.hessian_samples: 2000 > the 1000 training images (data.train)"},
		{"eval_train beyond train", strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, eval_train: 1001", 1), "t.yaml:3: data.eval_train: 1001 > the 1000 training images (data.train)"},
		{"batch beyond train", strings.Replace(valid, "batch_size: 32, lr: 0.01", "batch_size: 5000, lr: 0.01", 1), "t.yaml:4: training.batch_size: 5000 > the 1000 training images (data.train)"},
		{"retraining batch beyond train", strings.Replace(valid, "batch_size: 32, lr: 0.001", "batch_size: 1001, lr: 0.001", 1), "t.yaml:5: retraining.batch_size: 1001 > the 1000 training images"},
		{"quick hessian samples beyond quick train", valid + "quick: {train: 200, hessian_samples: 300}\n", "t.yaml:11: quick.hessian_samples: 300 > the 200 training images of -quick (quick.train)"},
		{"endless steps", strings.Replace(valid, "grid: [0.1, 0.5, 0.9]", "steps: {fraction_of_remaining: 1.0e-300, until: 0.5}", 1), "t.yaml:9: steps.fraction_of_remaining: 1e-300 makes more than 999 targets"},
		{"too many steps", strings.Replace(valid, "grid: [0.1, 0.5, 0.9]", "steps: {count: 1, until: 0.9}", 1), "t.yaml:9: steps.count: 1 makes more than 999 targets"},
		{"fraction ≥ 1", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.1, 0.5, 1.0]", 1), "t.yaml:9: grid[2]: fraction 1 outside [0, 1)"},
		{"negative fraction", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[-0.1]", 1), "t.yaml:9: grid[0]"},
		{"decreasing grid", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.5, 0.1]", 1), "grid[1]: fractions must increase"},
		{"unknown network", strings.Replace(valid, "network: lenet1", "network: resnet50", 1), `t.yaml:2: network: unknown network "resnet50"`},
		{"unknown method", strings.Replace(valid, "[obd, magnitude]", "[obd, obx]", 1), `t.yaml:6: methods[1]: unknown method "obx"`},
		{"unknown scope", strings.Replace(valid, "scopes: [global]", "scopes: [layer]", 1), `t.yaml:7: scopes[0]: unknown scope "layer"`},
		{"unknown schedule", strings.Replace(valid, "schedule: iterative", "schedule: gradual", 1), `t.yaml:8: schedule: "gradual"`},
		{"bad lr", strings.Replace(valid, "lr: 0.01", "lr: -1", 1), "t.yaml:4: training.lr: -1"},
		{"bad momentum", strings.Replace(valid, "momentum: 0.9", "momentum: 1.5", 1), "training.momentum: 1.5 outside [0, 1)"},
		{"bad lr schedule", strings.Replace(valid, "lr_schedule: exp", "lr_schedule: cosine", 1), "training.lr_schedule"},
		{"missing retraining", strings.Replace(valid, "retraining: {epochs: 1, batch_size: 32, lr: 0.001}\n", "", 1), "retraining.epochs: 0"},
		{"too much data", strings.Replace(valid, "train: 1000", "train: 70000", 1), "t.yaml:3: data.train: 70000 outside [0, 60000]"},
		{"digit size too big", strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, digit_size: 29", 1), "t.yaml:3: data.digit_size: 29 outside [0, 28]"},
		{"negative digit size", strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, digit_size: -2", 1), "t.yaml:3: data.digit_size: -2"},
		{"negative sdlm_mu", strings.Replace(valid, "lr: 0.01,", "lr: 0.01, sdlm_mu: -1, sdlm_samples: 5,", 1), "t.yaml:4: training.sdlm_mu: -1"},
		{"sdlm without samples", strings.Replace(valid, "lr: 0.01,", "lr: 0.01, sdlm_mu: 0.02,", 1), "t.yaml:4: training.sdlm_samples: missing"},
		{"samples without sdlm", strings.Replace(valid, "lr: 0.01,", "lr: 0.01, sdlm_samples: 5,", 1), "training.sdlm_samples: 5"},
		{"unknown precision", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, precision: float16}", 1), `t.yaml:5: retraining.precision: "float16": want float64 or float32`},
		{"float32 with sdlm", strings.Replace(valid, "lr: 0.01,", "lr: 0.01, sdlm_mu: 0.02, sdlm_samples: 5, precision: float32,", 1), "t.yaml:4: training.precision: float32 with sdlm_mu > 0"},
		{"validation and train beyond the file", strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, validation: 59500", 1), "t.yaml:3: data.validation: 59500 held-out images and 1000 training images (data.train) are more than the training file's 60000"},
		{"negative validation", strings.Replace(valid, "hessian_samples: 100", "hessian_samples: 100, validation: -5", 1), "t.yaml:3: data.validation: -5 outside [0, 60000)"},
		{"hessian samples beyond what validation leaves", strings.Replace(valid, "train: 1000, test: 500, hessian_samples: 100", "train: 0, test: 500, hessian_samples: 59990, validation: 100", 1), "t.yaml:3: data.hessian_samples: 59990 > the 59900 training images (data.train)"},
		{"plateau on validation without a validation set", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, patience: 2, monitor: validation}", 1), "t.yaml:5: retraining.monitor: validation needs held-out images: set data.validation"},
		{"patience without monitor", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, patience: 2}", 1), "t.yaml:5: retraining.monitor: missing: want train or validation"},
		{"monitor without patience", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, monitor: train}", 1), `t.yaml:5: retraining.monitor: "train" without patience`},
		{"unknown monitor", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, patience: 1, monitor: test}", 1), `t.yaml:5: retraining.monitor: "test": want train or validation`},
		{"min_delta out of range", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, patience: 1, monitor: train, min_delta: 1}", 1), "t.yaml:5: retraining.min_delta: 1 outside [0, 1)"},
		{"negative patience", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, patience: -1}", 1), "t.yaml:5: retraining.patience: -1"},
		{"one method under two labels", strings.Replace(valid, "[obd, magnitude]", "[obs, {name: obs, damping: 0.01}]", 1), "t.yaml:6: methods[1]: method obs(damping=0.01) listed twice: it is methods[0], obs, with its parameters' defaults spelled out"},
		{"empty scopes", strings.Replace(valid, "scopes: [global]", "scopes: []", 1), "t.yaml:7: scopes: an empty list"},
		{"empty quick scopes", valid + "quick: {scopes: []}\n", "t.yaml:11: quick.scopes: an empty list"},
		{"empty quick grid", valid + "quick: {grid: []}\n", "t.yaml:11: quick.grid: an empty list"},
		{"targets deleting the same count", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.1, 0.5, 0.5000001, 0.9]", 1), "t.yaml:9: grid[2]: targets 0.5 and 0.5000001 both delete 1289 of the 2578 free parameters of lenet1"},
		{"quick targets deleting the same count", valid + "quick: {grid: [0.3, 0.30001]}\n", "t.yaml:11: quick.grid[1]: targets 0.3 and 0.30001 both delete 773"},
		{"per-layer targets deleting the same counts", strings.Replace(strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.1, 0.5, 0.5002, 0.9]", 1), "scopes: [global]", "scopes: [global, per-layer]", 1), "t.yaml:9: grid[2]: targets 0.5 and 0.5002 delete the same number of parameters in every layer of lenet1 under scope per-layer"},
		{"per-layer targets of -quick deleting the same counts", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.1, 0.5, 0.5002, 0.9]", 1) + "quick: {scopes: [per-layer]}\n", "grid[2]: targets 0.5 and 0.5002 delete the same number of parameters in every layer of lenet1 under scope per-layer"},
		{"steps ending on the same count", strings.Replace(valid, "grid: [0.1, 0.5, 0.9]", "steps: {fraction_of_remaining: 0.5, until: 0.87501}", 1), "t.yaml:9: steps: targets 0.875 and 0.87501 both delete 2256"},
		{"lr_gamma without a decay", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, lr_gamma: 0.5}", 1), "t.yaml:5: retraining.lr_gamma: 0.5 given, but lr_schedule constant never decays"},
		{"lr_step without step decay", strings.Replace(valid, "lr_gamma: 0.9}", "lr_gamma: 0.9, lr_step: 3}", 1), "t.yaml:4: training.lr_step: 3 given, but only lr_schedule step decays in steps (lr_schedule is exp)"},
		{"patience that never acts", strings.Replace(valid, "lr: 0.001}", "lr: 0.001, patience: 1, monitor: train}", 1), "t.yaml:5: retraining.patience: 1 with epochs 1: a plateau stops training after patience epochs without improvement, so it never stops before the cap"},
		{"retraining a oneshot schedule ignores", strings.Replace(valid, "schedule: iterative", "schedule: oneshot", 1), "t.yaml:5: retraining: given, but schedule oneshot never retrains"},
		{"quick retraining epochs a oneshot schedule ignores", strings.Replace(strings.Replace(valid, "schedule: iterative", "schedule: oneshot", 1), "retraining: {epochs: 1, batch_size: 32, lr: 0.001}\n", "", 1) + "quick: {retrain_epochs: 2}\n", "quick.retrain_epochs: given, but schedule oneshot never retrains"},
		{"null grid entry", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.1, ~, 0.9]", 1), "t.yaml:9: grid[1]: empty entry (null)"},
		{"null seed", strings.Replace(valid, "seeds: [1, 2]", "seeds: [1, null]", 1), "t.yaml:10: seeds[1]: empty entry (null)"},
		{"null method", strings.Replace(valid, "[obd, magnitude]", "[obd, ~]", 1), "t.yaml:6: methods[1]: empty entry (null)"},
		{"empty block-list entry", strings.Replace(valid, "scopes: [global]", "scopes:\n  - global\n  -\n", 1), "t.yaml:9: scopes[1]: empty entry (null)"},
		{"sdlm samples beyond train", strings.Replace(valid, "lr: 0.01,", "lr: 0.01, sdlm_mu: 0.02, sdlm_samples: 5000,", 1), "t.yaml:4: training.sdlm_samples: 5000 > the 1000 training images (data.train)"},
		{"more quick seeds than seeds", valid + "quick: {seeds: 5}\n", "t.yaml:11: quick.seeds: 5, but seeds lists 2"},
		{"a target deleting nothing", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0, 0.5, 0.9]", 1), "t.yaml:9: grid[0]: target 0 deletes none of the 2578 free parameters of lenet1"},
		{"a target rounding to nothing", strings.Replace(valid, "[0.1, 0.5, 0.9]", "[0.0001, 0.5]", 1), "t.yaml:9: grid[0]: target 0.0001 deletes none"},
		{"repeated seed", strings.Replace(valid, "[1, 2]", "[1, 1]", 1), "seeds[1]: seed 1 repeated"},
		{"no seeds", strings.Replace(valid, "seeds: [1, 2]\n", "", 1), "seeds: missing"},
		{"bad name", strings.Replace(valid, "name: t", "name: My Run", 1), `t.yaml:1: name: "My Run"`},
		{"empty", "", "t.yaml: empty definition"},
		{"blank", "  \n\n", "t.yaml: empty definition"},
		{"not a mapping", "- a\n- b\n", "a definition is a mapping"},
		{"malformed", "name: [unclosed\n", "t.yaml: "},
		{"two documents", valid + "---\nname: u\n", "more than one YAML document"},
		{"grid and steps", valid + "steps: {fraction_of_remaining: 0.2, until: 0.9}\n", "give grid or steps, not both"},
		{"deep nesting", "name: t\nmethods: " + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + "\n", "t.yaml: "},
		{"huge", "name: t\ndescription: " + strings.Repeat("x", 70000) + "\n", "larger than"},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\nmethods: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n", "t.yaml:"},
	}
	for _, c := range cases {
		_, err := Parse("t.yaml", strings.NewReader(c.edit))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}

func TestSteps(t *testing.T) {
	src := strings.Replace(valid, "grid: [0.1, 0.5, 0.9]", "steps: {fraction_of_remaining: 0.5, until: 0.9}", 1)
	d, err := Parse("t.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	g := d.Targets(model.LeNet1())
	want := []float64{0.5, 0.75, 0.875, 0.9}
	if len(g) != len(want) {
		t.Fatalf("targets %v, want %v", g, want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("targets %v, want %v", g, want)
		}
	}
}

// The shipped definitions parse, reach at least 90% deleted, have at
// least 3 seeds, and the paper's two share their dense nets.
func TestShippedDefinitions(t *testing.T) {
	files, _ := filepath.Glob("../experiments/definitions/*.yaml")
	if len(files) < 5 {
		t.Fatalf("%d shipped definitions", len(files))
	}
	defs := map[string]*Definition{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(f, strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) != d.Name+".yaml" {
			t.Errorf("%s defines %q", f, d.Name)
		}
		net, _ := model.ByName(d.Network)
		if g := d.Targets(net); g[len(g)-1] < 0.9 {
			t.Errorf("%s: grid stops at %v", d.Name, g[len(g)-1])
		}
		if len(d.Seeds) < 3 {
			t.Errorf("%s: %d seeds", d.Name, len(d.Seeds))
		}
		defs[d.Name] = d
	}
	a := defs["paper-fig1"]
	for _, n := range []string{"paper-fig2", "lenet1-estimators"} {
		if b := defs[n]; a.Training != b.Training || a.Data.Train != b.Data.Train {
			t.Errorf("paper-fig1 and %s train different dense nets", n)
		}
	}
}

// The dense-baseline variants of experiments/variants/ parse, are named
// after their files, and differ from the shipped definition they vary only
// in the dense net's recipe and preprocessing, so that the baselines table
// compares like with like.
func TestVariantDefinitions(t *testing.T) {
	read := func(f string) *Definition {
		t.Helper()
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(f, strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) != d.Name+".yaml" {
			t.Errorf("%s defines %q", f, d.Name)
		}
		return d
	}
	parent := map[string]string{"lenet1": "lenet1-retrain", "lenet5": "han-lenet5"}
	files, _ := filepath.Glob("../experiments/variants/*.yaml")
	if len(files) == 0 {
		t.Fatal("no variants")
	}
	for _, f := range files {
		v := read(f)
		p := read("../experiments/definitions/" + parent[v.Network] + ".yaml")
		if v.Training == p.Training && v.Data == p.Data {
			t.Errorf("%s: same dense net as %s", v.Name, p.Name)
		}
		if v.Data.Train != p.Data.Train || v.Data.Test != p.Data.Test || v.Data.EvalTrain != p.Data.EvalTrain {
			t.Errorf("%s: data %+v, %s: %+v", v.Name, v.Data, p.Name, p.Data)
		}
		if len(v.Seeds) == 0 || v.Seeds[0] != p.Seeds[0] {
			t.Errorf("%s: first seed %v, %s: %v", v.Name, v.Seeds, p.Name, p.Seeds)
		}
	}
}

// Whole definitions that were once accepted and ran (a method listed twice
// ran its units twice; a vanishing fraction_of_remaining never stopped
// generating targets) are refused, naming file, line and field.
func TestRefusedDefinitions(t *testing.T) {
	for file, want := range map[string]string{
		"method-twice.yaml":        "method-twice.yaml:19: methods[2]: method obd listed twice",
		"steps-tiny-fraction.yaml": "steps-tiny-fraction.yaml:22: steps.fraction_of_remaining: 1e-300 makes more than 999 targets",
	} {
		path := filepath.Join("testdata", "refused", file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(path, strings.NewReader(string(b)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want one containing %q", file, err, want)
		}
	}
}
