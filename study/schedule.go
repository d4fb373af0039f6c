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

// schedule runs the definition's schedule and returns its points: step 0
// is the dense net, then one point per grid target (two with retraining:
// before and after).
func (u *unit) schedule(ctx context.Context) ([]report.Point, error) {
	m, err := prune.New(u.method)
	if err != nil {
		return nil, err
	}
	net := u.data.net
	theta := append([]float64(nil), u.dense...)
	hidx, err := u.hessianIdx()
	if err != nil {
		return nil, err
	}
	state := func(theta []float64, mask []bool, step int) *prune.State {
		return &prune.State{Engine: u.e, Theta: theta, Mask: mask, Train: u.data.train, HessianIdx: hidx,
			Seed: u.seed, Step: step}
	}
	pts := []report.Point{u.point(0, false, theta, nil, 0)} // the dense net
	targets := u.def.Targets(net)
	var scores []float64
	if u.def.Schedule.fromDense() {
		if scores, err = m.Scores(state(theta, nil, 0)); err != nil {
			return nil, err
		}
	}
	var mask []bool
	for i, target := range targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step := i + 1
		var from []bool
		if u.def.Schedule.fromDense() {
			theta = append(theta[:0], u.dense...)
		} else {
			from = mask
			if scores, err = m.Scores(state(theta, mask, step)); err != nil {
				return nil, err
			}
		}
		sel, err := prune.Select(net, scores, from, target, u.scope)
		if err != nil {
			return nil, err
		}
		mask = sel.Mask
		applyMask(theta, mask)
		// The predicted increase is the sum of the saliencies deleted from
		// the net they were computed on: this step's for iterative, and
		// for the one-shot schedules, which select from the dense net
		// every time, everything deleted so far.
		predicted := math.NaN()
		if m.Predicts() {
			predicted = sel.ScoreSum
		}
		pts = append(pts, u.point(step, false, theta, mask, predicted))
		if u.def.Schedule.retrains() {
			cfg := u.def.Retraining.Config(u.seed*1000 + uint64(step))
			if err := train.SGD(ctx, u.e, theta, mask, u.data.train, cfg, nil); err != nil {
				return nil, fmt.Errorf("retraining at step %d: %w", step, err)
			}
			pts = append(pts, u.point(step, true, theta, mask, math.NaN()))
		}
		u.progress(u.def.stepWork())
	}
	return pts, nil
}

func (u *unit) point(step int, retrained bool, theta []float64, mask []bool, predicted float64) report.Point {
	net := u.data.net
	tr, te := u.denseStats[0], u.denseStats[1]
	if step > 0 {
		tr = u.e.Sum(theta, u.data.evalTrain, nil, model.PassEval, nil)
		te = u.e.Sum(theta, u.data.test, nil, model.PassEval, nil)
	}
	params, conns := prune.Count(net, mask)
	return report.Point{
		Definition: u.def.Name, Network: net.Name, Method: u.method, Scope: string(u.scope), Schedule: string(u.def.Schedule),
		Seed: u.seed, Step: step, Retrained: retrained,
		ParamsTotal: net.NumParams(), ParamsRemaining: params,
		FractionRemoved:  1 - float64(params)/float64(net.NumParams()),
		ConnectionsTotal: net.Connections(), ConnectionsRemaining: conns,
		TrainMSE: tr.MeanLoss(), TestMSE: te.MeanLoss(), TrainError: tr.ErrorRate(), TestError: te.ErrorRate(),
		PredictedDelta: predicted,
	}
}

func applyMask(theta []float64, mask []bool) {
	for k, alive := range mask {
		if !alive {
			theta[k] = 0
		}
	}
}
