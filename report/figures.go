package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// The figure builders take the points of one definition and return the
// figures that can be drawn from them; a figure whose points are missing is
// left out rather than drawn empty. Each figure marks the dense network's
// level (the mean over seeds of its step-0 points), and each test-error
// figure the published dense test error of its network, if refs has one.
// Error rates are drawn on a log axis.

// Reference is a dense network's test error published by others, drawn as
// a level on the test-error figures of that network.
type Reference struct {
	TestError float64 // a fraction, as in Point.TestError
	Source    string  // who published it, e.g. "Han et al. 2015"
}

// References are the published references by network name (Point.Network).
// A network without one gets no reference line.
type References map[string]Reference

// level returns the reference of network as a figure level, if there is one.
func (r References) level(network string) []Level {
	ref, ok := r[network]
	if !ok {
		return nil
	}
	label := fmt.Sprintf("%s, published: %s%%", ref.Source, strconv.FormatFloat(100*ref.TestError, 'g', 3, 64))
	return []Level{{Label: label, Y: 100 * ref.TestError, Published: true}}
}

// denseLevel returns the dense network's level in pts: y averaged over the
// step-0 points (never retrained) of each seed, then over seeds. format prints the value
// (already in the figure's units, dB included) for the legend.
func denseLevel(pts []Point, y func(Point) float64, format func(float64) string) []Level {
	type run struct {
		definition string
		seed       uint64
	}
	perSeed := map[run][]float64{}
	for _, p := range pts {
		if p.Step == 0 && !p.Retrained {
			k := run{p.Definition, p.Seed}
			perSeed[k] = append(perSeed[k], y(p))
		}
	}
	if len(perSeed) == 0 {
		return nil
	}
	var means []float64
	for _, k := range slices.SortedFunc(maps.Keys(perSeed), func(a, b run) int {
		return cmp.Or(cmp.Compare(a.definition, b.definition), cmp.Compare(a.seed, b.seed))
	}) {
		means = append(means, Describe(perSeed[k]).Mean)
	}
	m := Describe(means).Mean
	seeds := "1 seed"
	if len(means) > 1 {
		seeds = fmt.Sprintf("mean of %d seeds", len(means))
	}
	return []Level{{Label: fmt.Sprintf("dense net (%s): %s", seeds, format(m)), Y: m}}
}

func dB(v float64) string      { return fmt.Sprintf("%.2f dB", 10*math.Log10(v)) }
func percent(v float64) string { return fmt.Sprintf("%.2f%%", v) }

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
			Levels: denseLevel(sel, trainObjective, dB),
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
			Levels: denseLevel(pred, trainObjective, dB),
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
// and after retraining, and the same for the train (c) and test (d) error;
// (d) marks the network's published test error from refs.
func PaperFig2(pts []Point, refs References) []Figure {
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
			refs               []Level
		}{
			{"fig2a-train-objective", "training objective", "training objective (dB)", true, trainObjective, nil},
			{"fig2b-test-objective", "test objective", "test objective (dB)", true, testObjective, nil},
			{"fig2c-train-error", "training error", "training error (%, log scale)", false, trainErrorPct, nil},
			{"fig2d-test-error", "test error", "test error (%, log scale)", false, testErrorPct, refs.level(net.name)},
		} {
			format := percent
			if panel.db {
				format = dB
			}
			figs = append(figs, Figure{
				Name:   net.prefix + panel.name,
				Title:  fmt.Sprintf("%sFig. 2%c: OBD, iterative, %s", net.title, panel.name[4], panel.what),
				XLabel: "parameters remaining", YLabel: panel.ylabel, DB: panel.db, LogY: !panel.db,
				Curves: slices.Concat(
					Aggregate(before, func(p Point) string { return "before retraining" + sfx(p) }, paramsRemaining, panel.y),
					Aggregate(after, func(p Point) string { return "after retraining" + sfx(p) }, paramsRemaining, panel.y),
				),
				Levels: slices.Concat(denseLevel(slices.Concat(before, after), panel.y, format), panel.refs),
			})
		}
	}
	return figs
}

// PruningCurves draws, for each network and schedule, the test error
// against the fraction of parameters removed, one curve per method and
// scope: after retraining when the schedule retrains, otherwise without,
// with the network's published test error from refs.
// Figures are named "<network>-<schedule>-test-error".
func PruningCurves(pts []Point, refs References) []Figure {
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
				XLabel: "parameters removed (%)", YLabel: "test error (%, log scale)", LogY: true,
				Curves: Aggregate(sel, methodScope(sel), percentRemoved, testErrorPct),
				Levels: slices.Concat(denseLevel(sel, testErrorPct, percent), refs.level(net.name)),
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
