package claims

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"obd/report"
)

// A Recovery is what retraining brought back at one deletion level for one
// method of a sweep with retraining: after retraining, the test error, the
// training objective in dB (10·log10 of the mean per-pattern objective, as
// the paper plots it) and the validation error, over the seeds; the
// seed-paired differences of each from the same seed's dense net (retrained
// minus dense: test error and validation error in fractions, the objective
// in dB); and the retraining epochs each step used, over every retrained
// point of the method's chains (the budget a plateau rule spent).
type Recovery struct {
	Method                        string
	Test, TrainDB, Valid          report.Stat
	TestGap, TrainDBGap, ValidGap report.Stat
	Epochs                        report.Stat
}

// RecoveryAt returns method's Recovery at level f (within Tol) of pts, in
// any scope. A seed without a dense point adds nothing to the gaps; Valid
// and ValidGap are empty (N 0) when the sweep holds no validation images.
func RecoveryAt(pts []report.Point, method string, f float64) Recovery {
	r := Recovery{Method: method}
	dense := map[uint64]report.Point{}
	for _, p := range pts {
		if p.Method == method && p.Step == 0 {
			dense[p.Seed] = p
		}
	}
	at := Where(pts, func(p report.Point) bool { return p.Method == method && p.Retrained && Near(p, f) })
	var test, db, valid []float64
	for _, q := range at {
		d, ok := dense[q.Seed]
		if !ok {
			continue
		}
		test = append(test, q.TestError-d.TestError)
		db = append(db, TrainDB(q)-TrainDB(d))
		if !math.IsNaN(q.ValidError) && !math.IsNaN(d.ValidError) {
			valid = append(valid, q.ValidError-d.ValidError)
		}
	}
	var recorded []report.Point
	for _, q := range at {
		if !math.IsNaN(q.ValidError) {
			recorded = append(recorded, q)
		}
	}
	r.Test, r.TrainDB, r.Valid = Describe(at, TestError), Describe(at, TrainDB), Describe(recorded, validError)
	r.TestGap, r.TrainDBGap, r.ValidGap = report.Describe(test), report.Describe(db), report.Describe(valid)
	r.Epochs = Describe(Where(pts, func(p report.Point) bool { return p.Method == method && p.Retrained }),
		func(p report.Point) float64 { return float64(p.RetrainEpochs) })
	return r
}

// LeadAt is the seed-paired difference of the test error after retraining
// at level f (within Tol), method b's minus method a's: how far a is ahead
// of b (positive when a's error is lower), over the seeds both have, for a
// sweep with one scope (with several, a seed's last point counts).
func LeadAt(pts []report.Point, a, b string, f float64) report.Stat {
	test := func(p report.Point) float64 { return p.TestError }
	return pairedDiff(retrainedBySeed(pts, b, f, test), retrainedBySeed(pts, a, f, test))
}

// retrainedBySeed is value of method's points after retraining at level f
// (within Tol), by seed (a seed's last point counts).
func retrainedBySeed(pts []report.Point, method string, f float64, value func(report.Point) float64) map[uint64]float64 {
	m := map[uint64]float64{}
	for _, p := range pts {
		if p.Method == method && p.Retrained && Near(p, f) {
			m[p.Seed] = value(p)
		}
	}
	return m
}

// pairedDiff is x − y seed by seed, over the seeds both have, in seed order.
func pairedDiff(x, y map[uint64]float64) report.Stat {
	var ds []float64
	for _, seed := range slices.Sorted(maps.Keys(x)) {
		if v, ok := y[seed]; ok {
			ds = append(ds, x[seed]-v)
		}
	}
	return report.Describe(ds)
}

// Budget is one retraining budget of the retraining-budget study (issue #19
// item 3): a definition's name and its points, all from the same dense
// nets as the other budgets'.
type Budget struct {
	Def    string
	Points []report.Point
}

// BudgetChoice is the retraining budget ChooseBudget picks, by index into
// its budgets.
type BudgetChoice struct {
	// Chosen is the budget picked; Best the one with the lowest mean
	// validation error after retraining at the level.
	Chosen, Best int
	// Recovers is true when Chosen brings the mean validation error within
	// tol of the dense net's (the first rule); false when the second rule
	// picked it.
	Recovers bool
	// Diff is Chosen's validation error minus Best's, seed by seed, over
	// the seeds both have (fractions; zero when Chosen is Best).
	Diff report.Stat
	// OK is false when no budget has validation errors at the level.
	OK bool
}

// ChooseBudget picks, on validation error, the retraining budget a
// protocol should use at level f (within Tol) for method, cheapest first
// by the mean retraining epochs a step of method used:
//
//  1. the cheapest budget whose mean validation error after retraining is
//     within tol of the same seeds' dense nets' (Recovery.ValidGap);
//  2. when none is, the cheapest whose validation error minus the best
//     budget's (the lowest mean), seed by seed, has a mean no larger than
//     its standard deviation over seeds: no worse than the best beyond the
//     seeds' spread. With a single common seed that spread is zero and only
//     the best qualifies.
//
// The test set plays no part. Budgets without validation errors at f are
// skipped.
func ChooseBudget(budgets []Budget, method string, f, tol float64) BudgetChoice {
	type cand struct {
		i      int
		rec    Recovery
		valid  map[uint64]float64
		epochs float64
	}
	var cs []cand
	for i, b := range budgets {
		r := RecoveryAt(b.Points, method, f)
		if r.Valid.N == 0 {
			continue
		}
		v := retrainedBySeed(b.Points, method, f, func(p report.Point) float64 { return p.ValidError })
		maps.DeleteFunc(v, func(_ uint64, e float64) bool { return math.IsNaN(e) })
		cs = append(cs, cand{i, r, v, r.Epochs.Mean})
	}
	if len(cs) == 0 {
		return BudgetChoice{}
	}
	// Cheapest first; equal costs keep the order given.
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(a.epochs, b.epochs) })
	for _, c := range cs {
		if c.rec.ValidGap.N > 0 && c.rec.ValidGap.Mean <= tol {
			return BudgetChoice{Chosen: c.i, Best: c.i, Recovers: true, OK: true}
		}
	}
	best := cs[0]
	for _, c := range cs[1:] {
		if c.rec.Valid.Mean < best.rec.Valid.Mean {
			best = c
		}
	}
	for _, c := range cs {
		if c.i == best.i {
			return BudgetChoice{Chosen: c.i, Best: best.i, OK: true}
		}
		if d := pairedDiff(c.valid, best.valid); d.N > 0 && d.Mean <= d.Std {
			return BudgetChoice{Chosen: c.i, Best: best.i, Diff: d, OK: true}
		}
	}
	panic("unreachable: the best budget is among the candidates")
}
