package report

import (
	"fmt"
	"math"
	"slices"
)

// The figure builders take the points of one definition and return the
// figures that can be drawn from them; a figure whose points are missing is
// left out rather than drawn empty.

func paramsRemaining(p Point) float64 { return float64(p.ParamsRemaining) }
func percentRemoved(p Point) float64  { return 100 * p.FractionRemoved }
func trainObjective(p Point) float64  { return p.TrainMSE }
func testObjective(p Point) float64   { return p.TestMSE }
func trainErrorPct(p Point) float64   { return 100 * p.TrainError }
func testErrorPct(p Point) float64    { return 100 * p.TestError }

// PaperFig1 draws the paper's Figure 1 from the oneshot points without
// retraining: (a) training objective against parameters remaining, one
// curve per method; (b) for every method whose points predict the
// objective (predictingMethods: a predicted_delta recorded, whatever the
// method's name), the actual training objective and the one predicted
// from the saliencies (objective of the dense network plus
// predicted_delta). With one such method, its curves are "actual" and
// "predicted" and the title names it (OBD for obd, as the paper's);
// with several, each curve is prefixed by its method.
func PaperFig1(pts []Point) []Figure {
	var figs []Figure
	for _, net := range byNetwork(pts) {
		sel := filter(net.pts, func(p Point) bool { return p.Schedule == "oneshot" && !p.Retrained })
		if len(sel) == 0 {
			continue
		}
		figs = append(figs, Figure{
			Name:   net.prefix + "fig1a-objective",
			Title:  net.title + "Fig. 1a: deletion without retraining",
			XLabel: "parameters remaining", YLabel: "training objective (dB)", DB: true,
			Curves: Aggregate(sel, methodScope(sel), paramsRemaining, trainObjective),
		})
		methods := predictingMethods(sel)
		pred := filter(sel, func(p Point) bool { return slices.Contains(methods, p.Method) })
		if len(pred) == 0 {
			continue
		}
		sfx := scopeSuffix(pred)
		prefix, what := func(p Point) string { return p.Method + " " }, ""
		if len(methods) == 1 {
			prefix, what = func(Point) string { return "" }, methods[0]+", "
			if methods[0] == "obd" {
				what = "OBD, "
			}
		}
		figs = append(figs, Figure{
			Name:   net.prefix + "fig1b-predicted",
			Title:  net.title + "Fig. 1b: " + what + "predicted vs actual objective",
			XLabel: "parameters remaining", YLabel: "training objective (dB)", DB: true,
			Curves: slices.Concat(
				Aggregate(pred, func(p Point) string { return prefix(p) + "actual" + sfx(p) }, paramsRemaining, trainObjective),
				Aggregate(predicted(pred), func(p Point) string { return prefix(p) + "predicted" + sfx(p) }, paramsRemaining, trainObjective),
			),
		})
	}
	return figs
}

// predictingMethods returns, sorted, the methods of pts whose scores
// predict the objective: those with a point after a deletion (step > 0,
// not retrained) that records a predicted_delta (not NaN).
func predictingMethods(pts []Point) []string {
	var ms []string
	for _, p := range pts {
		if p.Step > 0 && !p.Retrained && !math.IsNaN(p.PredictedDelta) && !slices.Contains(ms, p.Method) {
			ms = append(ms, p.Method)
		}
	}
	slices.Sort(ms)
	return ms
}

// predicted returns pts with TrainMSE replaced by the objective the
// saliencies predict: that of the same run's dense network (step 0) plus
// PredictedDelta. Points whose run has no step 0 are dropped.
func predicted(pts []Point) []Point {
	type run struct {
		network, method, scope, schedule string
		seed                             uint64
	}
	key := func(p Point) run { return run{p.Network, p.Method, p.Scope, p.Schedule, p.Seed} }
	base := map[run]float64{}
	for _, p := range pts {
		if p.Step == 0 && !p.Retrained {
			base[key(p)] = p.TrainMSE
		}
	}
	var out []Point
	for _, p := range pts {
		if b, ok := base[key(p)]; ok {
			p.TrainMSE = b + p.PredictedDelta
			out = append(out, p)
		}
	}
	return out
}

// PaperFig2 draws the paper's Figure 2 from the OBD iterative points:
// training (a) and test (b) objective against parameters remaining, before
// and after retraining, and the same for the train (c) and test (d) error.
func PaperFig2(pts []Point) []Figure {
	var figs []Figure
	for _, net := range byNetwork(pts) {
		sel := filter(net.pts, func(p Point) bool { return p.Method == "obd" && p.Schedule == "iterative" })
		before := filter(sel, func(p Point) bool { return !p.Retrained })
		after := withDense(sel, true)
		if len(before) == 0 && len(after) == 0 {
			continue
		}
		sfx := scopeSuffix(sel)
		for _, panel := range []struct {
			name, what, ylabel string
			db                 bool
			y                  func(Point) float64
		}{
			{"fig2a-train-objective", "training objective", "training objective (dB)", true, trainObjective},
			{"fig2b-test-objective", "test objective", "test objective (dB)", true, testObjective},
			{"fig2c-train-error", "training error", "training error (%)", false, trainErrorPct},
			{"fig2d-test-error", "test error", "test error (%)", false, testErrorPct},
		} {
			figs = append(figs, Figure{
				Name:   net.prefix + panel.name,
				Title:  fmt.Sprintf("%sFig. 2%c: OBD, iterative, %s", net.title, panel.name[4], panel.what),
				XLabel: "parameters remaining", YLabel: panel.ylabel, DB: panel.db,
				Curves: slices.Concat(
					Aggregate(before, func(p Point) string { return "before retraining" + sfx(p) }, paramsRemaining, panel.y),
					Aggregate(after, func(p Point) string { return "after retraining" + sfx(p) }, paramsRemaining, panel.y),
				),
			})
		}
	}
	return figs
}

// PruningCurves draws, for each network and schedule, the test error
// against the fraction of parameters removed, one curve per method and
// scope: after retraining when the schedule retrains, otherwise without.
// Figures are named "<network>-<schedule>-test-error".
func PruningCurves(pts []Point) []Figure {
	var figs []Figure
	for _, net := range byNetwork(pts) {
		schedules := map[string][]Point{}
		for _, p := range net.pts {
			schedules[p.Schedule] = append(schedules[p.Schedule], p)
		}
		for _, s := range sortedKeys(schedules) {
			retrained := slices.ContainsFunc(schedules[s], func(p Point) bool { return p.Retrained })
			sel := withDense(schedules[s], retrained)
			when := "without retraining"
			if retrained {
				when = "after retraining"
			}
			figs = append(figs, Figure{
				Name:   net.name + "-" + s + "-test-error",
				Title:  fmt.Sprintf("%s, %s: test error %s", net.name, s, when),
				XLabel: "parameters removed (%)", YLabel: "test error (%)", LegendLeft: true,
				Curves: Aggregate(sel, methodScope(sel), percentRemoved, testErrorPct),
			})
		}
	}
	return figs
}

// withDense selects the points with the given Retrained. The dense network
// (step 0) needs no retraining, so when no step-0 point after retraining was
// recorded the one without stands in for it and the curve starts where
// pruning started.
func withDense(pts []Point, retrained bool) []Point {
	hasDense := slices.ContainsFunc(pts, func(p Point) bool { return p.Step == 0 && p.Retrained == retrained })
	return filter(pts, func(p Point) bool {
		return p.Retrained == retrained || (retrained && !hasDense && p.Step == 0)
	})
}

type network struct {
	name, prefix, title string
	pts                 []Point
}

// byNetwork splits pts by network. Names and titles carry the network
// only when there is more than one, so that a single-network definition
// gets the paper's figure names.
func byNetwork(pts []Point) []network {
	m := map[string][]Point{}
	for _, p := range pts {
		m[p.Network] = append(m[p.Network], p)
	}
	var nets []network
	for _, name := range sortedKeys(m) {
		n := network{name: name, pts: m[name]}
		if len(m) > 1 {
			n.prefix, n.title = name+"-", name+", "
		}
		nets = append(nets, n)
	}
	return nets
}

// methodScope labels a point by its method, adding the scope when pts
// hold more than one, so that a curve never mixes scopes.
func methodScope(pts []Point) func(Point) string {
	sfx := scopeSuffix(pts)
	return func(p Point) string { return p.Method + sfx(p) }
}

func scopeSuffix(pts []Point) func(Point) string {
	first := ""
	if len(pts) > 0 {
		first = pts[0].Scope
	}
	if !slices.ContainsFunc(pts, func(p Point) bool { return p.Scope != first }) {
		return func(Point) string { return "" }
	}
	return func(p Point) string { return ", " + p.Scope }
}

func filter(pts []Point, keep func(Point) bool) []Point {
	var out []Point
	for _, p := range pts {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}
