package study

import (
	"context"
	"fmt"
	"math"
	"slices"

	"obd/model"
	"obd/prune"
	"obd/report"
	"obd/train"
)

// Schedule says how deletion and retraining alternate along a
// definition's grid of targets. It is written in YAML and JSON as its
// name, so definition hashes do not depend on the Go type.
type Schedule string

// The schedules a definition may name.
const (
	// OneShot deletes from the trained dense net to each target, without
	// retraining; the scores are computed once, on the dense net.
	OneShot Schedule = "oneshot"
	// Iterative deletes to each target from the previous step's retrained
	// net, with scores computed anew on it, and retrains.
	Iterative Schedule = "iterative"
	// OneShotRetrain deletes from the dense net to each target, with the
	// scores computed once on it as OneShot does, and retrains.
	OneShotRetrain Schedule = "oneshot-retrain"
)

var schedules = []Schedule{OneShot, Iterative, OneShotRetrain}

// validate reports a name that is not one of the schedules.
func (s Schedule) validate() error {
	if !slices.Contains(schedules, s) {
		return fmt.Errorf("%q: want one of %v", string(s), schedules)
	}
	return nil
}

// retrains says whether each deletion is followed by retraining.
func (s Schedule) retrains() bool { return s != OneShot }

// fromDense says whether every step deletes from the dense net with the
// scores computed once on it, rather than from the previous step's net
// with scores computed anew.
func (s Schedule) fromDense() bool { return s != Iterative }

// A sweep is one run of a schedule: a trained dense net, pruned by one
// method in one scope to each target of a grid in turn, measured after
// every deletion and every retraining. It reads and writes no files, so
// that it runs as well on a definition's MNIST sets (unit.sweep) as on a
// test's tiny network.
type sweep struct {
	schedule Schedule
	e        *model.Engine
	method   prune.Method
	scope    prune.Scope
	budgets  prune.Budgets // the layers' budgets of scope prune.Budget
	seed     uint64        // of the methods' random choices
	targets  []float64     // fractions of the free parameters to delete, ascending
	dense    []float64     // the trained dense parameters; not modified
	// train is what retraining and the methods see, with the samples
	// curvature is averaged over (nil: all of train); the points measure
	// the training objective and error on evalTrain, the test ones on test,
	// and the validation ones on valid (nil: no validation set).
	train, evalTrain, test, valid *model.Data
	hessianIdx                    []int
	// retrain is the recipe of the retraining after step's deletion and
	// its shuffling seed.
	retrain func(step int) (train.Recipe, uint64)
	// denseStats, if not nil, are the dense net's on evalTrain, test and
	// valid, measured once for all the sweeps of a seed.
	denseStats *[3]model.Stats
	// label gives every point its Definition, Method, Scope, Schedule and
	// Seed.
	label report.Point
	// observe, if not nil, is shown every point with the parameters and
	// mask it was measured at (mask nil for the dense net); it must not
	// modify or keep them.
	observe func(p report.Point, theta []float64, mask []bool)
	// stepDone, if not nil, is called when a step (deletion, and retraining
	// if the schedule retrains) is done.
	stepDone func()
}

// run runs the schedule and returns its points: step 0 is the dense net,
// then one point per target (two when the schedule retrains: before and
// after).
func (s *sweep) run(ctx context.Context) ([]report.Point, error) {
	theta := append([]float64(nil), s.dense...)
	state := func(theta []float64, mask []bool, step int) *prune.State {
		return &prune.State{Engine: s.e, Theta: theta, Mask: mask, Train: s.train, HessianIdx: s.hessianIdx,
			Seed: s.seed, Step: step}
	}
	pts := []report.Point{s.point(0, 0, theta, nil, 0)} // the dense net
	// A method that deletes with corrections (OBS) runs a chain of
	// deletions: from the dense net through every target for the one-shot
	// schedules, a new chain from each step's net for iterative.
	up, surgical := s.method.(prune.Updater)
	if surgical {
		if err := updaterScope(up, s.method.Name(), s.scope); err != nil {
			return nil, err
		}
	}
	surgeonOf := func(st *prune.State) (prune.Surgeon, error) {
		if sc, ok := up.(prune.ScopedUpdater); ok {
			return sc.SurgeonIn(st, s.scope)
		}
		return up.Surgeon(st)
	}
	var surgeon prune.Surgeon
	var chainPredicted float64
	var scores []float64
	var err error
	if s.schedule.fromDense() {
		if surgical {
			surgeon, err = surgeonOf(state(theta, nil, 0))
		} else {
			scores, err = s.method.Scores(state(theta, nil, 0))
		}
		if err != nil {
			return nil, err
		}
	}
	var mask []bool
	for i, target := range s.targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step := i + 1
		// The predicted increase is the sum of the saliencies deleted from
		// the net they were computed on: this step's for iterative, and
		// for the one-shot schedules, which select from the dense net
		// every time, everything deleted so far.
		predicted := math.NaN()
		if surgical {
			if !s.schedule.fromDense() {
				if surgeon, err = surgeonOf(state(theta, mask, step)); err != nil {
					return nil, err
				}
				chainPredicted = 0
			}
			th, m, pred, err := surgeon.DeleteTo(int(math.Round(target * float64(s.e.Net.NumParams()))))
			if err != nil {
				return nil, err
			}
			theta, mask = th, m
			chainPredicted += pred
			if s.method.Predicts() { // obs-layerwise's is of the layers' reconstruction errors
				predicted = chainPredicted
			}
		} else {
			var from []bool
			if s.schedule.fromDense() {
				theta = append(theta[:0], s.dense...)
			} else {
				from = mask
				if scores, err = s.method.Scores(state(theta, mask, step)); err != nil {
					return nil, err
				}
			}
			sel, err := s.selectAt(scores, from, target)
			if err != nil {
				return nil, err
			}
			mask = sel.Mask
			applyMask(theta, mask)
			if s.method.Predicts() {
				predicted = sel.ScoreSum
			}
		}
		before := s.point(step, 0, theta, mask, predicted)
		pts = append(pts, before)
		if s.schedule.retrains() {
			r, seed := s.retrain(step)
			epochs, err := fit(ctx, s.e, theta, mask, s.train, monitored(r, s.evalTrain, s.valid), r, seed, nil)
			if err != nil {
				return nil, fmt.Errorf("retraining at step %d: %w", step, err)
			}
			after := s.point(step, epochs, theta, mask, math.NaN())
			if err := checkRetraining(before.TrainMSE, after.TrainMSE); err != nil {
				return nil, fmt.Errorf("retraining at step %d: %w", step, err)
			}
			pts = append(pts, after)
		}
		if s.stepDone != nil {
			s.stepDone()
		}
	}
	return pts, nil
}

// updaterScope refuses a scope the Updater's chains cannot delete in
// (prune.UpdaterScopes).
func updaterScope(up prune.Updater, name string, scope prune.Scope) error {
	scopes := prune.UpdaterScopes(up)
	if slices.Contains(scopes, scope) {
		return nil
	}
	if len(scopes) == 1 && scopes[0] == prune.Global {
		return fmt.Errorf("method %s deletes globally only, not in scope %s", name, scope)
	}
	return fmt.Errorf("method %s deletes in scopes %v only, not in scope %s", name, scopes, scope)
}

// selectAt deletes the lowest scores, from the mask from, to target in
// the sweep's scope.
func (s *sweep) selectAt(scores []float64, from []bool, target float64) (prune.Selection, error) {
	if s.scope == prune.Budget {
		return prune.SelectBudgets(s.e.Net, scores, from, target, s.budgets)
	}
	return prune.Select(s.e.Net, scores, from, target, s.scope)
}

// point measures the net at theta under mask, after retrainEpochs epochs
// of retraining since its last deletion (a retrained point when > 0).
func (s *sweep) point(step, retrainEpochs int, theta []float64, mask []bool, predicted float64) report.Point {
	net := s.e.Net
	var tr, te, va model.Stats
	if step == 0 && s.denseStats != nil {
		tr, te, va = s.denseStats[0], s.denseStats[1], s.denseStats[2]
	} else {
		tr = s.e.Sum(theta, s.evalTrain, nil, model.PassEval, nil)
		te = s.e.Sum(theta, s.test, nil, model.PassEval, nil)
		if s.valid != nil {
			va = s.e.Sum(theta, s.valid, nil, model.PassEval, nil)
		}
	}
	rem := prune.Measure(net, mask)
	params, conns := rem.Params, rem.Connections
	p := s.label
	p.Network, p.Step, p.Retrained, p.RetrainEpochs = net.Name, step, retrainEpochs > 0, retrainEpochs
	p.ParamsTotal, p.ParamsRemaining = net.NumParams(), params
	p.FractionRemoved = 1 - float64(params)/float64(net.NumParams())
	p.ConnectionsTotal, p.ConnectionsRemaining = net.Connections(), conns
	p.TrainMSE, p.TestMSE, p.TrainError, p.TestError = tr.MeanLoss(), te.MeanLoss(), tr.ErrorRate(), te.ErrorRate()
	p.PredictedDelta, p.LayersCutOff = predicted, rem.LayersCutOff
	p.ValidMSE, p.ValidError = math.NaN(), math.NaN()
	if va.N > 0 {
		p.ValidMSE, p.ValidError = va.MeanLoss(), va.ErrorRate()
	}
	if s.observe != nil {
		s.observe(p, theta, mask)
	}
	return p
}

func applyMask(theta []float64, mask []bool) {
	for k, alive := range mask {
		if !alive {
			theta[k] = 0
		}
	}
}

// sweep is the unit's run of its definition's schedule.
func (u *unit) sweep() (*sweep, error) {
	m, err := prune.NewSpec(u.spec)
	if err != nil {
		return nil, err
	}
	hidx, err := u.data.hessianIdx(u.def.Data.HessianSamples, u.seed)
	if err != nil {
		return nil, err
	}
	denseStats := u.denseStats
	return &sweep{schedule: u.def.Schedule, e: u.e, method: m, scope: u.scope, budgets: u.def.budgets(u.data.net), seed: u.seed,
		targets: u.def.Targets(u.data.net), dense: u.dense,
		train: u.data.train, evalTrain: u.data.evalTrain, test: u.data.test, valid: u.data.valid, hessianIdx: hidx,
		retrain: func(step int) (train.Recipe, uint64) {
			return u.def.Retraining, retrainingSeed(u.seed, step)
		},
		denseStats: &denseStats,
		label: report.Point{Definition: u.def.Name, Method: u.method, Scope: string(u.scope),
			Schedule: string(u.def.Schedule), Seed: u.seed},
		stepDone: func() { u.progress(u.def.stepWork()) },
	}, nil
}
