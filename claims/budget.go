package claims

import (
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
	of := func(m string) map[uint64]float64 {
		e := map[uint64]float64{}
		for _, p := range pts {
			if p.Method == m && p.Retrained && Near(p, f) {
				e[p.Seed] = p.TestError
			}
		}
		return e
	}
	ea, eb := of(a), of(b)
	var xs []float64
	for _, seed := range slices.Sorted(maps.Keys(ea)) {
		if v, ok := eb[seed]; ok {
			xs = append(xs, v-ea[seed])
		}
	}
	return report.Describe(xs)
}
