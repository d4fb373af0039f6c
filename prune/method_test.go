package prune_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"obd/curvature"
	"obd/model"
	"obd/model/nettest"
	"obd/prune"
)

// The registry: sorted unique names, each made by New under its name, an
// obd line for every curvature estimator, and New's errors.
func TestRegistry(t *testing.T) {
	names := prune.Methods()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("Methods() = %v: not sorted and unique", names)
	}
	for _, name := range names {
		if m, err := prune.New(name); err != nil || m.Name() != name {
			t.Errorf("New(%q) = %v, %v", name, m, err)
		}
	}
	for _, e := range curvature.Estimators {
		want := "obd-" + string(e)
		if e == curvature.LM {
			want = "obd"
		}
		m, err := prune.New(want)
		if err != nil || m.(prune.OBD).Estimator != e {
			t.Errorf("estimator %s: New(%q) = %v, %v", e, want, m, err)
		}
	}
	if _, err := prune.New("obx"); err == nil || !strings.Contains(err.Error(), "known: [magnitude obd") {
		t.Errorf("unknown method: %v, want the list of known ones", err)
	}
	for _, c := range []struct {
		spec  prune.Spec
		param string
	}{
		{prune.Spec{Name: "obd", Params: prune.Params{"damping": 0.1}}, "damping"},
		{prune.Spec{Name: "obs", Params: prune.Params{"dampng": 0.1}}, "dampng"},
		{prune.Spec{Name: "obs", Params: prune.Params{"damping": 0}}, "damping"},
		{prune.Spec{Name: "obs", Params: prune.Params{"damping": "much"}}, "damping"},
		{prune.Spec{Name: "obs", Params: prune.Params{"hessian": "lm"}}, "hessian"},
		{prune.Spec{Name: "obs", Params: prune.Params{"recompute": -1}}, "recompute"},
		{prune.Spec{Name: "obs", Params: prune.Params{"recompute": "often"}}, "recompute"},
		{prune.Spec{Name: "obs", Params: prune.Params{"block": 1.5}}, "block"},
		{prune.Spec{Name: "obs", Params: prune.Params{"block": 0}}, "block"},
	} {
		_, err := prune.NewSpec(c.spec)
		var pe *prune.ParamError
		if !errors.As(err, &pe) || pe.Param != c.param {
			t.Errorf("%s: error %v, want one about parameter %s", c.spec, err, c.param)
		}
	}
	m, err := prune.NewSpec(prune.Spec{Name: "obs", Params: prune.Params{"damping": 1e-3, "hessian": "exact", "recompute": "target", "block": 4}})
	if want := (prune.OBS{Damping: 1e-3, Hessian: curvature.Hessian, AtTargets: true, Block: 4}); err != nil || m != want {
		t.Errorf("obs with parameters: %+v, %v; want %+v", m, err, want)
	}
	if m, _ := prune.New("obs"); m != (prune.OBS{Damping: 0.01, Hessian: curvature.GaussNewton, Block: 1}) {
		t.Errorf("obs defaults: %+v", m)
	}
}

// A Spec is the bare name without parameters, in YAML, JSON and its
// label; with parameters, a mapping, labelled name(k=v,...) in key order
// with numbers in shortest form.
func TestSpec(t *testing.T) {
	for _, c := range []struct{ yaml, label, json string }{
		{"obd", "obd", `"obd"`},
		{"{name: obs}", "obs", `"obs"`},
		{"{name: obs, damping: 0.01}", "obs(damping=0.01)", `{"damping":0.01,"name":"obs"}`},
		{"{name: obs, damping: 1e-2, recompute: 10}", "obs(damping=0.01,recompute=10)", `{"damping":0.01,"name":"obs","recompute":10}`},
		{"{recompute: target, name: obs, hessian: exact}", "obs(hessian=exact,recompute=target)", `{"hessian":"exact","name":"obs","recompute":"target"}`},
	} {
		var s prune.Spec
		if err := yaml.Unmarshal([]byte(c.yaml), &s); err != nil {
			t.Errorf("%s: %v", c.yaml, err)
			continue
		}
		b, err := json.Marshal(s)
		if s.String() != c.label || err != nil || string(b) != c.json {
			t.Errorf("%s: label %q, JSON %s (%v); want %q, %s", c.yaml, s.String(), b, err, c.label, c.json)
		}
		var back prune.Spec
		if err := json.Unmarshal(b, &back); err != nil || back.String() != s.String() {
			t.Errorf("%s: JSON read back as %q (%v)", c.yaml, back.String(), err)
		}
		if _, err := prune.NewSpec(back); err != nil {
			t.Errorf("%s: %v", c.yaml, err)
		}
	}
	for _, bad := range []string{"[obd]", "{damping: 0.01}", "{name: obs, damping: [1]}"} {
		var s prune.Spec
		if err := yaml.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s: read as %+v, no error", bad, s)
		}
	}
}

// conformanceState is a tiny net's random problem with every fifth
// parameter already deleted (and zero).
func conformanceState(net *model.Net) *prune.State {
	theta, d := nettest.RandomProblem(net, 12, 31)
	mask := make([]bool, len(theta))
	for k := range mask {
		mask[k] = k%5 != 0
		if !mask[k] {
			theta[k] = 0
		}
	}
	return &prune.State{Engine: model.NewEngine(net, 2), Theta: theta, Mask: mask, Train: d, Seed: 3, Step: 2}
}

// TestConformance runs every registered method on every tiny net: one
// score per parameter and none NaN, the state given unchanged, the same
// scores for the same seed and step; a method that deletes itself
// (prune.Updater) deletes exactly to the count asked, keeps the deleted
// ones deleted and at zero, leaves the state unchanged and repeats itself.
func TestConformance(t *testing.T) {
	for _, name := range prune.Methods() {
		m, _ := prune.New(name)
		for _, net := range nettest.TinyNets() {
			st := conformanceState(net)
			theta0, mask0 := slices.Clone(st.Theta), slices.Clone(st.Mask)
			unchanged := func(what string) {
				if !slices.Equal(st.Theta, theta0) || !slices.Equal(st.Mask, mask0) {
					t.Fatalf("%s on %s: %s modified the state", name, net.Name, what)
				}
			}
			sc, err := m.Scores(st)
			if err != nil {
				t.Fatalf("%s on %s: %v", name, net.Name, err)
			}
			unchanged("Scores")
			if len(sc) != len(st.Theta) || slices.ContainsFunc(sc, math.IsNaN) {
				t.Errorf("%s on %s: %d scores for %d parameters, NaN among them: %v", name, net.Name, len(sc), len(st.Theta), slices.ContainsFunc(sc, math.IsNaN))
			}
			again, _ := m.Scores(st)
			if !slices.Equal(sc, again) {
				t.Errorf("%s on %s: scores differ for the same seed and step", name, net.Name)
			}
			up, ok := m.(prune.Updater)
			if !ok {
				continue
			}
			dead := len(st.Theta) - countAlive(st.Mask)
			run := func() ([]float64, []bool, float64) {
				sg, err := up.Surgeon(st)
				if err != nil {
					t.Fatalf("%s on %s: %v", name, net.Name, err)
				}
				th, mk, pred, err := sg.DeleteTo(dead + 3)
				if err != nil {
					t.Fatalf("%s on %s: %v", name, net.Name, err)
				}
				th2, mk2, pred2, err := sg.DeleteTo(dead + 2) // already there: nothing
				if err != nil || !slices.Equal(th, th2) || !slices.Equal(mk, mk2) || pred2 != 0 {
					t.Errorf("%s on %s: DeleteTo below the count deleted changed something (%v)", name, net.Name, err)
				}
				return th, mk, pred
			}
			th, mk, pred := run()
			unchanged("Surgeon and DeleteTo")
			if got := len(st.Theta) - countAlive(mk); got != dead+3 {
				t.Errorf("%s on %s: %d deleted, want %d", name, net.Name, got, dead+3)
			}
			for k := range mk {
				if (!st.Mask[k] && mk[k]) || (!mk[k] && th[k] != 0) {
					t.Errorf("%s on %s: %s: alive before %v, after %v, value %v", name, net.Name, net.ParamName(k), st.Mask[k], mk[k], th[k])
				}
			}
			if !(pred >= 0) || math.IsInf(pred, 0) {
				t.Errorf("%s on %s: predicted increase %v", name, net.Name, pred)
			}
			th2, mk2, pred2 := run()
			if !slices.Equal(th, th2) || !slices.Equal(mk, mk2) || pred != pred2 {
				t.Errorf("%s on %s: two chains from the same state differ", name, net.Name)
			}
		}
	}
}

func countAlive(mask []bool) int {
	n := 0
	for _, a := range mask {
		if a {
			n++
		}
	}
	return n
}

// atMinimum returns a single-layer problem at a minimum of its objective:
// random parameters, and targets the net's own outputs (for softmax
// cross-entropy, its probabilities), so that the gradient is zero.
func atMinimum(net *model.Net) ([]float64, *model.Data) {
	theta, d := nettest.RandomProblem(net, 30, 32)
	ws := net.NewWorkspace(1)
	in, k := net.Input.Size(), net.Outputs()
	for s := range d.N {
		copy(ws.X, d.X[s*in:][:in])
		y := ws.Forward(theta, 1)
		t := d.T[s*k:][:k]
		copy(t, y)
		if _, ce := net.Loss.(model.SoftmaxCE); ce {
			var sum float64
			for i := range t {
				t[i] = math.Exp(y[i])
				sum += t[i]
			}
			for i := range t {
				t[i] /= sum
			}
		}
	}
	return theta, d
}

// TestConformancePredicts: for every method that predicts (Predicts), on
// the single-layer nets at a minimum of the objective, deleting the one,
// two and three lowest-scored parameters (with OBS's corrections for an
// Updater) increases the mean objective by the sum of the deleted scores,
// within 25% (or 1e-6 of the objective's scale when both are that small).
//
// Two exceptions, checked for what they are instead:
//   - obs with its default damping (0.01 of the mean of H's diagonal): its
//     L_q is the increase of the damped model ½δwᵀ(H + λI)δw, above that
//     of the undamped one, and far above it where H is singular (softmax
//     cross-entropy is unchanged by adding the same vector to every
//     output's weights, a null space of H the correction moves along at the
//     price of λ alone). What is required is that it bounds the actual
//     increase (actual ≤ 1.25 × predicted); obs with damping 1e-6 must be
//     within 25% like the others.
//   - obd-fisher: the empirical Fisher diagonal, the mean of squared
//     per-sample gradients, vanishes at a minimum where every sample is
//     fitted, so its saliencies predict no increase there; the test
//     requires that they fail to, so that the exception stays true.
func TestConformancePredicts(t *testing.T) {
	specs := []prune.Spec{{Name: "obs", Params: prune.Params{"damping": 1e-6}}}
	for _, name := range prune.Methods() {
		specs = append(specs, prune.Spec{Name: name})
	}
	for _, spec := range specs {
		m, err := prune.NewSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Predicts() {
			continue
		}
		name := spec.String()
		obs, isOBS := m.(prune.OBS)
		bound := isOBS && obs.Damping > 1e-4
		for _, net := range nettest.SingleLayerNets() {
			theta, d := atMinimum(net)
			e := model.NewEngine(net, 2)
			st := &prune.State{Engine: e, Theta: theta, Train: d, Seed: 1, Step: 0}
			e0 := e.Sum(theta, d, nil, model.PassEval, nil).MeanLoss()
			var sc []float64
			if _, ok := m.(prune.Updater); !ok {
				sc, _ = m.Scores(st)
			}
			failed := 0
			for n := 1; n <= 3; n++ {
				var th []float64
				var predicted float64
				if up, ok := m.(prune.Updater); ok {
					sg, err := up.Surgeon(st)
					if err != nil {
						t.Fatal(err)
					}
					th, _, predicted, _ = sg.DeleteTo(n)
				} else {
					sel, err := prune.Select(net, sc, nil, (float64(n)+0.1)/float64(len(theta)), prune.Global)
					if err != nil || len(sel.Deleted) != n {
						t.Fatalf("%s: %d deleted (%v), want %d", net.Name, len(sel.Deleted), err, n)
					}
					th = slices.Clone(theta)
					for _, k := range sel.Deleted {
						th[k] = 0
					}
					predicted = sel.ScoreSum
				}
				actual := e.Sum(th, d, nil, model.PassEval, nil).MeanLoss() - e0
				small := math.Max(math.Abs(actual), math.Abs(predicted)) < 1e-6*math.Max(e0, 1e-3)
				ok := small || math.Abs(actual-predicted) <= 0.25*math.Max(math.Abs(actual), math.Abs(predicted))
				if bound {
					ok = small || actual <= 1.25*predicted
					t.Logf("%s on %s, %d deleted: actual/predicted %.3g", name, net.Name, n, actual/predicted)
				}
				if !ok {
					failed++
				}
				if !ok && name != "obd-fisher" {
					t.Errorf("%s on %s, %d deleted: predicted increase %.6g, actual %.6g", name, net.Name, n, predicted, actual)
				}
			}
			if name == "obd-fisher" && failed == 0 {
				t.Errorf("obd-fisher on %s predicts at a minimum fitting every sample, where its Fisher diagonal should vanish", net.Name)
			}
		}
	}
}
