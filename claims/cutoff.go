package claims

import "obd/report"

// CutOffLevel is a level of one (method, scope) curve at which some seeds'
// nets are cut off from their output (report.Point.LayersCutOff > 0): a
// constant output, which measures no network whatever its error.
type CutOffLevel struct {
	Method, Scope string
	Retrained     bool
	Fraction      float64 // the mean fraction of free parameters deleted
	Seeds, Of     int     // seeds cut off, of the seeds measured there
}

// CutOff lists the levels of pts at which some net is cut off, in the
// order of pts' first points of each level.
func CutOff(pts []report.Point) []CutOffLevel {
	type key struct {
		method, scope string
		step          int
		retrained     bool
	}
	var order []key
	levels := map[key]*CutOffLevel{}
	for _, p := range pts {
		k := key{p.Method, p.Scope, p.Step, p.Retrained}
		l := levels[k]
		if l == nil {
			l = &CutOffLevel{Method: p.Method, Scope: p.Scope, Retrained: p.Retrained}
			levels[k] = l
			order = append(order, k)
		}
		l.Fraction = (l.Fraction*float64(l.Of) + p.FractionRemoved) / float64(l.Of+1)
		l.Of++
		if p.LayersCutOff > 0 {
			l.Seeds++
		}
	}
	var out []CutOffLevel
	for _, k := range order {
		if l := levels[k]; l.Seeds > 0 {
			out = append(out, *l)
		}
	}
	return out
}

// PredatesCutOff says whether pts were written before points.csv counted
// the layers cut off from the output (their count is not recorded), and so
// before connections_remaining counted only connections that can still
// reach it.
func PredatesCutOff(pts []report.Point) bool {
	for _, p := range pts {
		if p.LayersCutOff == report.NotRecorded {
			return true
		}
	}
	return false
}
