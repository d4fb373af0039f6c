package claims

import (
	"math"
	"sort"

	"obd/report"
)

// Tol is how far a point's realised deleted fraction may be from a level
// and still count as deleted to that level: half a percent.
const Tol = 0.005

// Near reports whether a point's realised deleted fraction is within Tol of
// level f.
func Near(p report.Point, f float64) bool { return math.Abs(p.FractionRemoved-f) < Tol }

// Where returns the points that pass keep, in order.
func Where(pts []report.Point, keep func(report.Point) bool) []report.Point {
	var s []report.Point
	for _, p := range pts {
		if keep(p) {
			s = append(s, p)
		}
	}
	return s
}

// Describe describes measure m over the points (usually one per seed).
func Describe(pts []report.Point, m Measure) report.Stat {
	var xs []float64
	for _, p := range pts {
		xs = append(xs, m(p))
	}
	return report.Describe(xs)
}

// A Measure picks one number out of a point.
type Measure func(report.Point) float64

// The measures that curves and tables use.
var (
	TestError  Measure = func(p report.Point) float64 { return p.TestError }
	TrainError Measure = func(p report.Point) float64 { return p.TrainError }
	// TrainObjective is the mean per-pattern training loss (train_mse).
	TrainObjective Measure = func(p report.Point) float64 { return p.TrainMSE }
	// TrainDB is the training objective in dB, 10·log10 E, as in the paper's figures.
	TrainDB Measure = func(p report.Point) float64 { return 10 * math.Log10(p.TrainMSE) }
	// Connections is the remaining multiply-accumulates per sample.
	Connections Measure = func(p report.Point) float64 { return float64(p.ConnectionsRemaining) }
)

// Measures names the measures for callers that choose one by name (the
// EXPERIMENTS.md template).
var Measures = map[string]Measure{
	"test_error": TestError, "train_error": TrainError, "train_objective": TrainObjective,
	"train_db": TrainDB, "connections": Connections,
}

// Seeds returns the distinct seeds of the points, in order of appearance.
func Seeds(pts []report.Point) []uint64 {
	var s []uint64
	seen := map[uint64]bool{}
	for _, p := range pts {
		if !seen[p.Seed] {
			seen[p.Seed] = true
			s = append(s, p.Seed)
		}
	}
	return s
}

// Dense returns the dense points (step 0) of the first method and scope in
// pts: one per seed.
func Dense(pts []report.Point) []report.Point {
	if len(pts) == 0 {
		return nil
	}
	m, s := pts[0].Method, pts[0].Scope
	return Where(pts, func(p report.Point) bool { return p.Step == 0 && p.Method == m && p.Scope == s })
}

// A Level is a statistic over seeds at one step of a pruning curve.
type Level struct {
	Step     int
	Fraction float64 // mean realised deleted fraction over the seeds
	report.Stat
}

// Curve returns, step by step, measure m over the seeds of method in scope
// (any scope when scope is ""): first the dense net (step 0), then every
// later step measured after retraining (retrained true) or before it
// (false). Steps without such a point are left out.
func Curve(pts []report.Point, method, scope string, retrained bool, m Measure) []Level {
	by := map[int][]report.Point{}
	for _, p := range pts {
		if p.Method != method || (scope != "" && p.Scope != scope) {
			continue
		}
		if p.Step == 0 || p.Retrained == retrained {
			by[p.Step] = append(by[p.Step], p)
		}
	}
	var steps []int
	for s := range by {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	var c []Level
	for _, s := range steps {
		c = append(c, Level{Step: s, Fraction: Describe(by[s], func(p report.Point) float64 { return p.FractionRemoved }).Mean,
			Stat: Describe(by[s], m)})
	}
	return c
}

// At returns the level of c deleted to f (within Tol).
func At(c []Level, f float64) (Level, bool) {
	for _, l := range c {
		if math.Abs(l.Fraction-f) < Tol {
			return l, true
		}
	}
	return Level{}, false
}

// LastWithin is the highest level L of c such that at every level up to L
// the mean is at most the dense net's (c's step 0) plus tol; 0 when the
// first deletion already exceeds it, NaN when c has no dense level.
func LastWithin(c []Level, tol float64) float64 {
	if len(c) == 0 || c[0].Step != 0 {
		return math.NaN()
	}
	last := 0.0
	for _, l := range c[1:] {
		if l.Mean > c[0].Mean+tol {
			break
		}
		last = l.Fraction
	}
	return last
}

// BelowFrom is the lowest deletion level L (dense excluded) such that at
// every level of a from L on, a's mean is below factor times b's mean at
// the same level; ok is false when there is no such level (a's last level
// is not below) or a level of a has no match in b.
func BelowFrom(a, b []Level, factor float64) (float64, bool) {
	return from(a, b, func(l, m Level) bool { return l.Mean < factor*m.Mean })
}

// ClearlyBelowFrom is BelowFrom counting only clear differences: the
// lowest deletion level L (dense excluded) such that at every level of a
// from L on, a's mean is below factor times b's by more than the larger
// of a's standard deviation over seeds and factor times b's. ok is false
// when a's last level is not clearly below or a level of a has no match
// in b. With factor 1 it is the rule of ClearlyBelow.
func ClearlyBelowFrom(a, b []Level, factor float64) (float64, bool) {
	return from(a, b, func(l, m Level) bool {
		return l.Mean < factor*m.Mean-math.Max(l.Std, factor*m.Std)
	})
}

// from is the lowest level of a (dense excluded) from which below holds
// at every level, against b's level of the same fraction.
func from(a, b []Level, below func(l, m Level) bool) (float64, bool) {
	f, ok := math.NaN(), false
	for _, l := range a {
		if l.Step == 0 {
			continue
		}
		m, found := At(b, l.Fraction)
		if !found {
			return math.NaN(), false
		}
		if below(l, m) {
			if !ok {
				f, ok = l.Fraction, true
			}
		} else {
			f, ok = math.NaN(), false
		}
	}
	return f, ok
}

// ClearlyBelow returns the levels (dense excluded) at which a's mean is
// below b's by more than the larger of their standard deviations over
// seeds: the levels of Below less those of WithinNoise.
func ClearlyBelow(a, b []Level) []float64 {
	var fs []float64
	for _, l := range a {
		if m, ok := At(b, l.Fraction); ok && l.Step != 0 && l.Mean < m.Mean-math.Max(l.Std, m.Std) {
			fs = append(fs, l.Fraction)
		}
	}
	return fs
}

// Below returns the levels (dense excluded) at which a's mean is below b's
// at the same level.
func Below(a, b []Level) []float64 {
	var fs []float64
	for _, l := range a {
		if m, ok := At(b, l.Fraction); ok && l.Step != 0 && l.Mean < m.Mean {
			fs = append(fs, l.Fraction)
		}
	}
	return fs
}

// Fig1a counts, over the levels of obd in pts from lo to hi deleted
// (within Tol), those at which obd's mean training objective is below
// magnitude's (below) and those at which random's is above both (worst).
// The paper's Fig. 1a claims below == worst == n.
func Fig1a(pts []report.Point, lo, hi float64) (below, worst, n int) {
	o := Curve(pts, "obd", "", false, TrainObjective)
	m := Curve(pts, "magnitude", "", false, TrainObjective)
	r := Curve(pts, "random", "", false, TrainObjective)
	for _, l := range o {
		if l.Step == 0 || l.Fraction < lo-Tol || l.Fraction > hi+Tol {
			continue
		}
		n++
		lm, okm := At(m, l.Fraction)
		lr, okr := At(r, l.Fraction)
		if okm && l.Mean < lm.Mean {
			below++
		}
		if okm && okr && lr.Mean > l.Mean && lr.Mean > lm.Mean {
			worst++
		}
	}
	return below, worst, n
}

// A Ratio is the mean over seeds of OBD's predicted increase of the
// training objective over the actual one, at one level.
type Ratio struct {
	Fraction float64
	report.Stat
}

// Fig1b returns, at each of the levels fs, the mean over seeds of obd's
// predicted increase (predicted_delta) over its actual increase from the
// same seed's dense net. Levels without a ratio are left out.
func Fig1b(pts []report.Point, fs []float64) []Ratio {
	var rs []Ratio
	for _, f := range fs {
		var xs []float64
		for _, q := range Where(pts, func(p report.Point) bool { return p.Method == "obd" && p.Step > 0 && Near(p, f) }) {
			base := Where(pts, func(p report.Point) bool { return p.Method == "obd" && p.Step == 0 && p.Seed == q.Seed })
			if len(base) == 1 && q.TrainMSE != base[0].TrainMSE {
				xs = append(xs, q.PredictedDelta/(q.TrainMSE-base[0].TrainMSE))
			}
		}
		if s := report.Describe(xs); s.N > 0 {
			rs = append(rs, Ratio{Fraction: f, Stat: s})
		}
	}
	return rs
}

// Underestimate returns, at level f of method and scope before any
// retraining, the actual increase of the training objective from the same
// seed's dense net over the predicted one (predicted_delta), described over
// the seeds: how many times the quadratic model underestimates.
func Underestimate(pts []report.Point, method, scope string, f float64) report.Stat {
	var xs []float64
	for _, q := range Where(pts, func(p report.Point) bool {
		return p.Method == method && p.Scope == scope && p.Step > 0 && !p.Retrained && Near(p, f)
	}) {
		base := Where(pts, func(p report.Point) bool {
			return p.Method == method && p.Scope == scope && p.Step == 0 && p.Seed == q.Seed
		})
		if len(base) == 1 && q.PredictedDelta > 0 {
			xs = append(xs, (q.TrainMSE-base[0].TrainMSE)/q.PredictedDelta)
		}
	}
	return report.Describe(xs)
}

// Fig2 compares, at level f, the test error after retraining (any method)
// with the dense net's, seed by seed: at and dense describe the two, diff
// the per-seed difference at − dense.
func Fig2(pts []report.Point, f float64) (at, dense, diff report.Stat) {
	d := Dense(pts)
	a := Where(pts, func(p report.Point) bool { return p.Retrained && Near(p, f) })
	var xs []float64
	for _, q := range a {
		for _, b := range d {
			if b.Seed == q.Seed {
				xs = append(xs, q.TestError-b.TestError)
			}
		}
	}
	return Describe(a, TestError), Describe(d, TestError), report.Describe(xs)
}

// BelowMagnitude counts the deletion levels of a oneshot sweep (the steps
// of method's first seed) at which method's mean training objective is
// below magnitude's at the same step.
func BelowMagnitude(pts []report.Point, method string) (below, n int) {
	if len(pts) == 0 {
		return 0, 0
	}
	seed := pts[0].Seed
	mean := func(m string, step int) float64 {
		return Describe(Where(pts, func(p report.Point) bool { return p.Method == m && p.Step == step }), TrainObjective).Mean
	}
	for _, q := range Where(pts, func(p report.Point) bool { return p.Method == method && p.Step > 0 && p.Seed == seed }) {
		if mean(method, q.Step) < mean("magnitude", q.Step) {
			below++
		}
		n++
	}
	return below, n
}

// RetrainedAt describes the test error after retraining of method in scope
// at level f, over the seeds: Han et al.'s rows at 92% deleted.
func RetrainedAt(pts []report.Point, method, scope string, f float64) report.Stat {
	return Describe(Where(pts, func(p report.Point) bool {
		return p.Method == method && p.Scope == scope && p.Retrained && Near(p, f)
	}), TestError)
}

// A Pair names a pruning method and its scope.
type Pair struct{ Method, Scope string }

// Pairs returns the method–scope pairs of pts in order of appearance.
func Pairs(pts []report.Point) []Pair {
	var ps []Pair
	seen := map[Pair]bool{}
	for _, p := range pts {
		if c := (Pair{p.Method, p.Scope}); !seen[c] {
			seen[c] = true
			ps = append(ps, c)
		}
	}
	return ps
}

// BestRetrainedAt is the method–scope pair of pts with the lowest mean
// test error after retraining at level f, and that error; ok is false when
// no pair was retrained at f.
func BestRetrainedAt(pts []report.Point, f float64) (best Pair, s report.Stat, ok bool) {
	for _, c := range Pairs(pts) {
		st := RetrainedAt(pts, c.Method, c.Scope, f)
		if st.N > 0 && (!ok || st.Mean < s.Mean) {
			best, s, ok = c, st, true
		}
	}
	return best, s, ok
}

// WithinNoise returns the levels (dense excluded) at which the means of a
// and b differ by no more than the larger of their standard deviations
// over seeds.
func WithinNoise(a, b []Level) []float64 {
	var fs []float64
	for _, l := range a {
		if m, ok := At(b, l.Fraction); ok && l.Step != 0 && math.Abs(l.Mean-m.Mean) <= math.Max(l.Std, m.Std) {
			fs = append(fs, l.Fraction)
		}
	}
	return fs
}

// AboveFrom is the lowest deletion level L (dense excluded) such that at
// every level of c from L on the mean is above x; ok is false when the
// last level's is not.
func AboveFrom(c []Level, x float64) (float64, bool) {
	from, ok := math.NaN(), false
	for _, l := range c {
		if l.Step == 0 {
			continue
		}
		if l.Mean > x {
			if !ok {
				from, ok = l.Fraction, true
			}
		} else {
			from, ok = math.NaN(), false
		}
	}
	return from, ok
}

// SpreadAbove returns the levels (dense excluded) at which a's standard
// deviation over seeds is more than factor times b's at the same level.
func SpreadAbove(a, b []Level, factor float64) []float64 {
	var fs []float64
	for _, l := range a {
		if m, ok := At(b, l.Fraction); ok && l.Step != 0 && l.Std > factor*m.Std {
			fs = append(fs, l.Fraction)
		}
	}
	return fs
}

// Common returns the levels of the first list that every other list has
// too (within Tol), in the first list's order.
func Common(lists ...[]float64) []float64 {
	if len(lists) == 0 {
		return nil
	}
	var fs []float64
outer:
	for _, f := range lists[0] {
		for _, l := range lists[1:] {
			found := false
			for _, g := range l {
				found = found || math.Abs(f-g) < Tol
			}
			if !found {
				continue outer
			}
		}
		fs = append(fs, f)
	}
	return fs
}

// Agreeing returns the levels of rs at which the mean ratio of predicted
// to actual increase is within tol of 1.
func Agreeing(rs []Ratio, tol float64) []float64 {
	var fs []float64
	for _, r := range rs {
		if math.Abs(r.Mean-1) <= tol {
			fs = append(fs, r.Fraction)
		}
	}
	return fs
}

// Except returns the levels of a that b does not have (within Tol), in
// a's order.
func Except(a, b []float64) []float64 {
	var fs []float64
	for _, f := range a {
		if len(Common([]float64{f}, b)) == 0 {
			fs = append(fs, f)
		}
	}
	return fs
}
