package study

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"obd/model"
	"obd/model/nettest"
	"obd/prune"
	"obd/report"
	"obd/train"
)

// The schedule is written as its bare name in the definition's JSON, which
// the hash covers: the Go type must not move any hash. An unknown name is
// an error listing the known ones.
func TestScheduleNames(t *testing.T) {
	for _, s := range schedules {
		src := strings.Replace(valid, "schedule: iterative", "schedule: "+string(s), 1)
		if !s.retrains() { // a retraining: section it would ignore is refused
			src = strings.Replace(src, "retraining: {epochs: 1, batch_size: 32, lr: 0.001}\n", "", 1)
		}
		d, err := Parse("t.yaml", strings.NewReader(src))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		b, _ := json.Marshal(d)
		if want := `"schedule":"` + string(s) + `"`; !strings.Contains(string(b), want) {
			t.Errorf("%s: JSON %s lacks %s", s, b, want)
		}
	}
	err := Schedule("gradual").validate()
	if want := `"gradual": want one of [oneshot iterative oneshot-retrain]`; err == nil || err.Error() != want {
		t.Errorf("unknown schedule: error %v, want %s", err, want)
	}
	for _, c := range []struct {
		s                   Schedule
		retrains, fromDense bool
	}{{OneShot, false, true}, {Iterative, true, false}, {OneShotRetrain, true, true}} {
		if c.s.retrains() != c.retrains || c.s.fromDense() != c.fromDense {
			t.Errorf("%s: retrains %v, fromDense %v; want %v, %v", c.s, c.s.retrains(), c.s.fromDense(), c.retrains, c.fromDense)
		}
	}
}

// spy is a pruning method that records what it was asked to score.
type spy struct {
	prune.Method
	calls []scored
}

// scored is one call of Scores: the parameters, mask and step it was
// asked about, and the scores it returned.
type scored struct {
	theta  []float64
	mask   []bool
	step   int
	scores []float64
}

func (s *spy) Scores(st *prune.State) ([]float64, error) {
	sc, err := s.Method.Scores(st)
	s.calls = append(s.calls, scored{slices.Clone(st.Theta), slices.Clone(st.Mask), st.Step, slices.Clone(sc)})
	return sc, err
}

// observed is a point of a sweep with the parameters and mask it was
// measured at.
type observed struct {
	p     report.Point
	theta []float64
	mask  []bool
}

var sweepTargets = []float64{0.2, 0.45, 0.7}

// runSweep runs a schedule on a tiny network with random weights and
// data, returning its points as observed and what the method was asked.
func runSweep(t *testing.T, net *model.Net, sched Schedule, method string, scope prune.Scope) ([]observed, *spy) {
	t.Helper()
	return runSweepWith(t, net, sched, method, scope, train.Recipe{Epochs: 2, BatchSize: 8, LR: 0.01, Momentum: 0.5}, nil)
}

// runSweepWith is runSweep with the retraining recipe r and the validation
// images valid (nil: none).
func runSweepWith(t *testing.T, net *model.Net, sched Schedule, method string, scope prune.Scope, r train.Recipe,
	valid *model.Data) ([]observed, *spy) {
	t.Helper()
	m, err := prune.New(method)
	if err != nil {
		t.Fatal(err)
	}
	dense, data := nettest.RandomProblem(net, 40, 1)
	keep := slices.Clone(dense)
	sp := &spy{Method: m}
	var sm prune.Method = sp
	if _, ok := m.(prune.Updater); ok {
		sm = m // a spy would hide the capability
	}
	var obs []observed
	steps := 0
	s := &sweep{schedule: sched, e: model.NewEngine(net, 1), method: sm, scope: scope, seed: 3,
		targets: sweepTargets, dense: dense, train: data, evalTrain: data, test: nettest.Random(net, 20, 2), valid: valid,
		retrain: func(step int) (train.Recipe, uint64) {
			return r, uint64(step)
		},
		label: report.Point{Definition: "t", Method: method, Scope: string(scope), Schedule: string(sched), Seed: 3},
		observe: func(p report.Point, theta []float64, mask []bool) {
			obs = append(obs, observed{p, slices.Clone(theta), slices.Clone(mask)})
		},
		stepDone: func() { steps++ },
	}
	pts, err := s.run(context.Background())
	if err != nil {
		t.Fatalf("%s %s %s %s: %v", net.Name, sched, method, scope, err)
	}
	perStep := 1
	if sched.retrains() {
		perStep = 2
	}
	if want := 1 + perStep*len(sweepTargets); len(pts) != want || len(obs) != want || steps != len(sweepTargets) {
		t.Fatalf("%s %s: %d points, %d observed, %d steps done; want %d, %d, %d", net.Name, sched, len(pts), len(obs), steps,
			want, want, len(sweepTargets))
	}
	for i, p := range pts {
		if fmt.Sprintf("%+v", p) != fmt.Sprintf("%+v", obs[i].p) { // NaN fields print alike; NaN != NaN
			t.Fatalf("point %d returned %+v, observed %+v", i, p, obs[i].p)
		}
		step, retrained := 0, false
		if i > 0 {
			step, retrained = (i-1)/perStep+1, sched.retrains() && (i-1)%2 == 1
		}
		if p.Step != step || p.Retrained != retrained || p.Definition != "t" || p.Method != method || p.Schedule != string(sched) {
			t.Fatalf("point %d is %+v, want step %d, retrained %v", i, p, step, retrained)
		}
	}
	if !slices.Equal(dense, keep) {
		t.Fatal("the sweep modified the dense parameters")
	}
	return obs, sp
}

// beforeRetraining returns the point of each step measured right after its
// deletion, before any retraining.
func beforeRetraining(obs []observed) []observed {
	var b []observed
	for _, o := range obs[1:] {
		if !o.p.Retrained {
			b = append(b, o)
		}
	}
	return b
}

// subset says whether every parameter alive under a is alive under b.
func subset(a, b []bool) bool {
	for k := range a {
		if a[k] && (b != nil && !b[k]) {
			return false
		}
	}
	return true
}

type sweepCase struct {
	net    *model.Net
	method string
	scope  prune.Scope
}

func sweepCases() []sweepCase {
	var cs []sweepCase
	for _, net := range nettest.TinyNets() {
		for _, method := range []string{"obd", "magnitude", "random"} {
			for _, scope := range []prune.Scope{prune.Global, prune.PerLayer} {
				cs = append(cs, sweepCase{net, method, scope})
			}
		}
	}
	return cs
}

// The one-shot schedules score the dense net once, and delete from it to
// every target: each step's mask is the selection from the dense net's
// scores, so the masks are nested, and the parameters right after each
// deletion are the dense ones with the mask applied.
func TestOneShotSchedulesDeleteFromTheDenseNet(t *testing.T) {
	for _, sched := range []Schedule{OneShot, OneShotRetrain} {
		for _, c := range sweepCases() {
			obs, sp := runSweep(t, c.net, sched, c.method, c.scope)
			name := fmt.Sprintf("%s %s %s %s", sched, c.net.Name, c.method, c.scope)
			if len(sp.calls) != 1 || sp.calls[0].mask != nil || !slices.Equal(sp.calls[0].theta, obs[0].theta) {
				t.Fatalf("%s: %d calls of Scores, want one, on the dense net", name, len(sp.calls))
			}
			var prev []bool
			for i, o := range beforeRetraining(obs) {
				sel, err := prune.Select(c.net, sp.calls[0].scores, nil, sweepTargets[i], c.scope)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(o.mask, sel.Mask) {
					t.Errorf("%s step %d: the mask is not the selection from the dense net's scores", name, i+1)
				}
				if !subset(o.mask, prev) {
					t.Errorf("%s step %d: a parameter deleted at an earlier target is alive", name, i+1)
				}
				want := slices.Clone(obs[0].theta)
				applyMask(want, o.mask)
				if !slices.Equal(o.theta, want) {
					t.Errorf("%s step %d: the pruned parameters are not the dense ones under the mask", name, i+1)
				}
				prev = o.mask
			}
		}
	}
}

// The iterative schedule scores the retrained net of the previous step
// under its mask, and never revives a parameter: each mask is a subset of
// the previous one, and deleted parameters stay exactly 0 through
// retraining.
func TestIterativeNeverRevives(t *testing.T) {
	for _, c := range sweepCases() {
		obs, sp := runSweep(t, c.net, Iterative, c.method, c.scope)
		name := fmt.Sprintf("%s %s %s", c.net.Name, c.method, c.scope)
		if len(sp.calls) != len(sweepTargets) {
			t.Fatalf("%s: %d calls of Scores, want one per step", name, len(sp.calls))
		}
		prev := obs[0] // the dense net, or the previous step's retrained net
		for i, o := range obs[1:] {
			for k, alive := range o.mask {
				if !alive && o.theta[k] != 0 {
					t.Fatalf("%s point %d: deleted %s is %v", name, i+1, c.net.ParamName(k), o.theta[k])
				}
			}
			if o.p.Retrained {
				prev = o
				continue
			}
			call := sp.calls[o.p.Step-1]
			if call.step != o.p.Step || !slices.Equal(call.mask, prev.mask) || !slices.Equal(call.theta, prev.theta) {
				t.Errorf("%s step %d: scored step %d, not the previous step's retrained net under its mask", name, o.p.Step, call.step)
			}
			if !subset(o.mask, prev.mask) {
				t.Errorf("%s step %d: a deleted parameter came back", name, o.p.Step)
			}
		}
	}
}

// predicted_delta is the sum of the saliencies deleted since they were
// computed: this step's deletions for iterative, everything deleted from
// the dense net for the one-shot schedules. It is 0 for the dense net and
// NaN after retraining and for methods whose scores predict nothing.
func TestPredictedDelta(t *testing.T) {
	for _, sched := range schedules {
		for _, c := range sweepCases() {
			obs, sp := runSweep(t, c.net, sched, c.method, c.scope)
			name := fmt.Sprintf("%s %s %s %s", sched, c.net.Name, c.method, c.scope)
			if obs[0].p.PredictedDelta != 0 {
				t.Errorf("%s: dense point predicts %v", name, obs[0].p.PredictedDelta)
			}
			prev := obs[0].mask
			for _, o := range obs[1:] {
				got := o.p.PredictedDelta
				if o.p.Retrained || c.method != "obd" {
					if !math.IsNaN(got) {
						t.Errorf("%s step %d (retrained %v): predicted %v, want NaN", name, o.p.Step, o.p.Retrained, got)
					}
					continue
				}
				scores, since := sp.calls[0].scores, []bool(nil)
				if !sched.fromDense() {
					scores, since = sp.calls[o.p.Step-1].scores, prev
				}
				want, n := 0.0, 0
				for k, alive := range o.mask {
					if !alive && (since == nil || since[k]) {
						want += scores[k]
						n++
					}
				}
				if n == 0 || math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Errorf("%s step %d: predicted %v, want the sum %v of the %d deleted saliencies", name, o.p.Step, got, want, n)
				}
				prev = o.mask
			}
		}
	}
}

// Retraining keeps the mask: the points before and after it count the same
// parameters and connections, and the deleted weights are still 0.
func TestRetrainingKeepsTheMask(t *testing.T) {
	for _, sched := range []Schedule{Iterative, OneShotRetrain} {
		for _, c := range sweepCases() {
			obs, _ := runSweep(t, c.net, sched, c.method, c.scope)
			name := fmt.Sprintf("%s %s %s %s", sched, c.net.Name, c.method, c.scope)
			for i := 1; i+1 < len(obs); i += 2 {
				b, a := obs[i], obs[i+1]
				if b.p.Retrained || !a.p.Retrained || a.p.Step != b.p.Step {
					t.Fatalf("%s: points %d and %d are not a step before and after retraining", name, i, i+1)
				}
				if a.p.ParamsRemaining != b.p.ParamsRemaining || a.p.ConnectionsRemaining != b.p.ConnectionsRemaining ||
					a.p.FractionRemoved != b.p.FractionRemoved || !slices.Equal(a.mask, b.mask) {
					t.Errorf("%s step %d: retraining changed the mask (%d → %d parameters, %d → %d connections)", name,
						a.p.Step, b.p.ParamsRemaining, a.p.ParamsRemaining, b.p.ConnectionsRemaining, a.p.ConnectionsRemaining)
				}
				changed := false
				for k, alive := range a.mask {
					if !alive && a.theta[k] != 0 {
						t.Fatalf("%s step %d: deleted %s is %v after retraining", name, a.p.Step, c.net.ParamName(k), a.theta[k])
					}
					changed = changed || alive && a.theta[k] != b.theta[k]
				}
				if !changed {
					t.Errorf("%s step %d: retraining changed no weight", name, a.p.Step)
				}
			}
		}
	}
}

// A retraining with a plateau rule stops when the watched objective stops
// improving, and each retrained point records the epochs it ran; without
// the rule it runs every epoch of the recipe. The points carry the
// validation objective and error exactly when there are validation images.
func TestRetrainingEpochsAndPlateau(t *testing.T) {
	net := nettest.TinyNets()[0]
	valid := nettest.Random(net, 30, 5)
	base := train.Recipe{Epochs: 6, BatchSize: 8, LR: 0.01, Momentum: 0.5}
	// min_delta 0.9: no epoch after the first improves the objective
	// tenfold, so patience 2 stops after epoch 3.
	plateau := base
	plateau.Patience, plateau.MinDelta, plateau.Monitor = 2, 0.9, train.OnValidation
	for _, c := range []struct {
		name   string
		r      train.Recipe
		valid  *model.Data
		epochs int
	}{{"full budget", base, nil, 6}, {"plateau on validation", plateau, valid, 3}} {
		obs, _ := runSweepWith(t, net, Iterative, "magnitude", prune.Global, c.r, c.valid)
		for _, o := range obs {
			want := 0
			if o.p.Retrained {
				want = c.epochs
			}
			if o.p.RetrainEpochs != want {
				t.Errorf("%s: step %d retrained %v: %d retraining epochs, want %d", c.name, o.p.Step, o.p.Retrained,
					o.p.RetrainEpochs, want)
			}
			if measured := !math.IsNaN(o.p.ValidMSE) && !math.IsNaN(o.p.ValidError); measured != (c.valid != nil) {
				t.Errorf("%s: step %d: validation objective %v, error %v with validation images %v", c.name, o.p.Step,
					o.p.ValidMSE, o.p.ValidError, c.valid != nil)
			}
		}
	}
	// The plateau measures the net it says: the validation objective of a
	// retrained point is the objective on the validation images.
	obs, _ := runSweepWith(t, net, Iterative, "magnitude", prune.Global, plateau, valid)
	last := obs[len(obs)-1]
	e := model.NewEngine(net, 1)
	if got := e.Sum(last.theta, valid, nil, model.PassEval, nil).MeanLoss(); got != last.p.ValidMSE {
		t.Errorf("validation objective recorded %v, measured %v", last.p.ValidMSE, got)
	}
}

// A method that deletes with corrections (obs) runs its chain inside the
// sweep: for the one-shot schedules one chain from the dense net through
// every target (nested masks, predicted_delta the sum of everything
// deleted since the dense net), for iterative a new chain from each step's
// retrained net (predicted_delta this step's). The points are those of the
// chain run directly, bit for bit, deleting exactly each target's count.
// Per-layer scope is refused.
func TestSweepUpdater(t *testing.T) {
	m, _ := prune.New("obs")
	up := m.(prune.Updater)
	for _, net := range nettest.TinyNets() {
		dense, data := nettest.RandomProblem(net, 40, 1) // runSweep's
		state := func(theta []float64, mask []bool, step int) *prune.State {
			return &prune.State{Engine: model.NewEngine(net, 1), Theta: theta, Mask: mask, Train: data, Seed: 3, Step: step}
		}
		for _, sched := range schedules {
			obs, _ := runSweep(t, net, sched, "obs", prune.Global)
			name := fmt.Sprintf("%s %s", sched, net.Name)
			chain, err := up.Surgeon(state(dense, nil, 0))
			if err != nil {
				t.Fatal(err)
			}
			var total float64
			prev := obs[0]
			for i, o := range obs[1:] {
				if o.p.Retrained {
					prev = o
					continue
				}
				n := int(math.Round(sweepTargets[o.p.Step-1] * float64(net.NumParams())))
				if sched.fromDense() {
					if !subset(o.mask, prev.mask) {
						t.Errorf("%s step %d: a parameter deleted at an earlier target is alive", name, o.p.Step)
					}
				} else {
					if chain, err = up.Surgeon(state(prev.theta, prev.mask, o.p.Step)); err != nil {
						t.Fatal(err)
					}
					total = 0
				}
				th, mask, pred, err := chain.DeleteTo(n)
				if err != nil {
					t.Fatal(err)
				}
				total += pred
				if !slices.Equal(o.theta, th) || !slices.Equal(o.mask, mask) || o.p.PredictedDelta != total {
					t.Errorf("%s point %d: not the chain's weights, mask and predicted increase (%v, want %v)", name, i+1, o.p.PredictedDelta, total)
				}
				if got := net.NumParams() - o.p.ParamsRemaining; got != n || !(total > 0) {
					t.Errorf("%s step %d: %d deleted, want %d; predicted %v", name, o.p.Step, got, n, total)
				}
				prev = o
			}
		}
	}
	net := nettest.TinyNets()[0]
	dense, data := nettest.RandomProblem(net, 40, 1)
	s := &sweep{schedule: OneShot, e: model.NewEngine(net, 1), method: m, scope: prune.PerLayer, targets: sweepTargets,
		dense: dense, train: data, evalTrain: data, test: data}
	if _, err := s.run(context.Background()); err == nil || !strings.Contains(err.Error(), "globally only") {
		t.Errorf("obs per layer: error %v, want one saying it deletes globally only", err)
	}
}

// obs-layerwise runs its chain inside the sweep in its own scopes, global
// and per layer: the points are those of the chain run directly
// (prune.ScopedUpdater.SurgeonIn), bit for bit, deleting exactly each
// target's count, with nested masks for the one-shot schedules; its
// predicted increase, of the layers' reconstruction errors, is not
// recorded (predicted_delta NaN after every deletion), as it is no
// prediction of the objective. Scope budget is refused.
func TestSweepLayerwise(t *testing.T) {
	m, _ := prune.New("obs-layerwise")
	up := m.(prune.ScopedUpdater)
	for _, net := range nettest.TinyNets() {
		dense, data := nettest.RandomProblem(net, 40, 1) // runSweep's
		state := func(theta []float64, mask []bool, step int) *prune.State {
			return &prune.State{Engine: model.NewEngine(net, 1), Theta: theta, Mask: mask, Train: data, Seed: 3, Step: step}
		}
		for _, sched := range schedules {
			for _, scope := range []prune.Scope{prune.Global, prune.PerLayer} {
				obs, _ := runSweep(t, net, sched, "obs-layerwise", scope)
				name := fmt.Sprintf("%s %s %s", sched, net.Name, scope)
				chain, err := up.SurgeonIn(state(dense, nil, 0), scope)
				if err != nil {
					t.Fatal(err)
				}
				prev := obs[0]
				for i, o := range obs[1:] {
					if o.p.Retrained {
						prev = o
						continue
					}
					n := int(math.Round(sweepTargets[o.p.Step-1] * float64(net.NumParams())))
					if sched.fromDense() {
						if !subset(o.mask, prev.mask) {
							t.Errorf("%s step %d: a parameter deleted at an earlier target is alive", name, o.p.Step)
						}
					} else if chain, err = up.SurgeonIn(state(prev.theta, prev.mask, o.p.Step), scope); err != nil {
						t.Fatal(err)
					}
					th, mask, pred, err := chain.DeleteTo(n)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(o.theta, th) || !slices.Equal(o.mask, mask) {
						t.Errorf("%s point %d: not the chain's weights and mask", name, i+1)
					}
					if !math.IsNaN(o.p.PredictedDelta) || !(pred >= 0) {
						t.Errorf("%s point %d: predicted_delta %v, want NaN (the chain's own %v is not of the objective)", name, i+1, o.p.PredictedDelta, pred)
					}
					if got := net.NumParams() - o.p.ParamsRemaining; got != n {
						t.Errorf("%s step %d: %d deleted, want %d", name, o.p.Step, got, n)
					}
					prev = o
				}
			}
		}
	}
	net := nettest.TinyNets()[0]
	dense, data := nettest.RandomProblem(net, 40, 1)
	s := &sweep{schedule: OneShot, e: model.NewEngine(net, 1), method: m, scope: prune.Budget, targets: sweepTargets,
		dense: dense, train: data, evalTrain: data, test: data}
	if _, err := s.run(context.Background()); err == nil || err.Error() != "method obs-layerwise deletes in scopes [global per-layer] only, not in scope budget" {
		t.Errorf("obs-layerwise in budget scope: error %v", err)
	}
}
