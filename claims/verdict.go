package claims

import (
	"math"

	"obd/report"
)

// Verdict is the outcome of checking one claim against our points.
type Verdict string

// The verdicts a claim can get.
const (
	Held    Verdict = "held"
	NotHeld Verdict = "not held"
	NotRun  Verdict = "not run" // the points the check needs are absent
)

// Judge returns Held or NotHeld as ok says, or NotRun when there was
// nothing to judge (have is false).
func Judge(have, ok bool) Verdict {
	switch {
	case !have:
		return NotRun
	case ok:
		return Held
	}
	return NotHeld
}

// AgreeTo says whether the predicted/actual ratios of rs agree within tol
// of 1 at every level up to hi (within Tol): Fig. 1b's claim, "good
// agreement up to about 800 deleted parameters". have is false when rs has
// no level up to hi.
func AgreeTo(rs []Ratio, hi, tol float64) (ok, have bool) {
	ok = true
	for _, r := range rs {
		if r.Fraction > hi+Tol {
			continue
		}
		have = true
		ok = ok && math.Abs(r.Mean-1) <= tol
	}
	return ok && have, have
}

// A ChosenLevel is the retrained deletion level that validation error
// chooses, with its test error set against the dense net's.
type ChosenLevel struct {
	// Fraction is the chosen level (the realised deleted fraction of its
	// first point).
	Fraction float64
	// Valid is the chosen level's validation error over the seeds (the
	// lowest mean among the N levels compared).
	Valid report.Stat
	// At and Dense are the test errors at the chosen level and of the
	// same method's dense nets; Diff is At − Dense seed by seed.
	At, Dense, Diff report.Stat
	// N is the number of retrained levels compared.
	N int
}

// ChooseRetrained picks, among the levels at which method's nets were
// retrained after deletion (any scope), the one with the lowest mean
// validation error, and compares its test error with the dense net's seed
// by seed as Fig2 does: the paper's claim that pruning with retraining
// decreased the test error slightly holds when Diff.Mean < 0. The test set
// plays no part in the choice. ok is false when no retrained point of
// method has a validation error.
func ChooseRetrained(pts []report.Point, method string) (c ChosenLevel, ok bool) {
	mine := Where(pts, func(p report.Point) bool { return p.Method == method })
	at := func(f float64) []report.Point {
		return Where(mine, func(p report.Point) bool { return p.Retrained && Near(p, f) && !math.IsNaN(p.ValidError) })
	}
	seen := map[float64]bool{}
	for _, p := range mine {
		if !p.Retrained || math.IsNaN(p.ValidError) || seen[p.FractionRemoved] {
			continue
		}
		seen[p.FractionRemoved] = true
		c.N++
		if v := Describe(at(p.FractionRemoved), func(q report.Point) float64 { return q.ValidError }); !ok || v.Mean < c.Valid.Mean {
			c.Fraction, c.Valid, ok = p.FractionRemoved, v, true
		}
	}
	if !ok {
		return ChosenLevel{}, false
	}
	c.At, c.Dense, c.Diff = Fig2(mine, c.Fraction)
	return c, true
}
