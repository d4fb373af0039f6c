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

// LowestRetrained finds, among the levels of pts retrained after deletion
// (any method, scope), the one with the lowest mean test error, and
// compares it with the dense net's seed by seed as Fig2 does: the paper's
// claim that pruning with retraining decreased the test error slightly
// holds when diff.Mean < 0. n is the number of levels compared: the level
// is chosen on the test error itself, so with several levels the
// difference is optimistic. ok is false when nothing was retrained.
func LowestRetrained(pts []report.Point) (f float64, at, dense, diff report.Stat, n int, ok bool) {
	seen := map[float64]bool{}
	for _, p := range pts {
		if !p.Retrained || seen[p.FractionRemoved] {
			continue
		}
		seen[p.FractionRemoved] = true
		n++
		a, d, df := Fig2(pts, p.FractionRemoved)
		if a.N > 0 && (!ok || a.Mean < at.Mean) {
			f, at, dense, diff, ok = p.FractionRemoved, a, d, df, true
		}
	}
	return f, at, dense, diff, n, ok
}
