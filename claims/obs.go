package claims

import (
	"fmt"
	"math"
	"strings"

	"obd/report"
)

// Family lists the method labels in pts of the method named name: the bare
// name and its labels with parameters, name(…) (prune.Spec.String), in
// order of first appearance. Family(pts, "obs") gives obs(damping=0.001),
// obs(damping=0.01), … but not obs-layerwise.
func Family(pts []report.Point, name string) []string {
	var labels []string
	seen := map[string]bool{}
	for _, p := range pts {
		if seen[p.Method] || (p.Method != name && !strings.HasPrefix(p.Method, name+"(")) {
			continue
		}
		seen[p.Method] = true
		labels = append(labels, p.Method)
	}
	return labels
}

// A Setting is what a method label scored on the validation images over a
// sweep: the mean, over its deletion levels (steps after the dense net), of
// the mean over seeds of the validation error (a fraction) and of the
// validation objective.
type Setting struct {
	Method         string
	ValidError     float64
	ValidObjective float64
	Levels         int
}

// ChooseSetting compares the method labels of a sweep on its validation
// images, before retraining (retrained false) or after, and returns each
// label's Setting in the order given and the index of the one chosen: the
// lowest ValidError, ties broken by the lower ValidObjective, then by the
// order given. This is how a setting of a method (OBS's damping) is chosen
// without reading the test set. A label with no deletion level, or with a
// level whose validation columns are not recorded (NaN: the definition
// holds no images out), cannot be chosen; ok is false when none can.
func ChooseSetting(pts []report.Point, labels []string, retrained bool) (settings []Setting, best int, ok bool) {
	best = -1
	for _, m := range labels {
		s := Setting{Method: m}
		steps := map[int][]report.Point{}
		var order []int
		for _, p := range pts {
			if p.Method != m || p.Step == 0 || p.Retrained != retrained {
				continue
			}
			if steps[p.Step] == nil {
				order = append(order, p.Step)
			}
			steps[p.Step] = append(steps[p.Step], p)
		}
		for _, st := range order {
			at := steps[st]
			s.ValidError += Describe(at, validError).Mean
			s.ValidObjective += Describe(at, validObjective).Mean
			s.Levels++
		}
		if s.Levels == 0 {
			s.ValidError, s.ValidObjective = math.NaN(), math.NaN()
		} else {
			s.ValidError /= float64(s.Levels)
			s.ValidObjective /= float64(s.Levels)
		}
		settings = append(settings, s)
		if math.IsNaN(s.ValidError) || math.IsNaN(s.ValidObjective) {
			continue
		}
		if b := settings[max(best, 0)]; best < 0 || s.ValidError < b.ValidError ||
			(s.ValidError == b.ValidError && s.ValidObjective < b.ValidObjective) {
			best = len(settings) - 1
		}
	}
	return settings, best, best >= 0
}

var (
	validError     Measure = func(p report.Point) float64 { return p.ValidError }
	validObjective Measure = func(p report.Point) float64 { return p.ValidMSE }
)

// An Order is the outcome of checking that the means of a measure strictly
// decrease along a list of methods, level by level.
type Order struct {
	Ordered, N int // levels at which the order holds, of those checked
	// Broken lists, for each level where it does not hold, the level and
	// the first adjacent pair out of order (or the method with no point at
	// that level).
	Broken []string
}

// Ordered checks, at each level of methods[0]'s curve in scope (any scope
// when scope is "") from lo to hi deleted (within Tol), before retraining
// or after, that the mean over seeds of m strictly decreases from each
// method to the next: Hassibi & Stork's E(magnitude) > E(OBD) > E(OBS) is
// Ordered(pts, "", false, TrainObjective, lo, hi, "magnitude", "obd",
// "obs(…)"). A level at which some method has no point counts as not
// ordered. It needs at least two methods.
func Ordered(pts []report.Point, scope string, retrained bool, m Measure, lo, hi float64, methods ...string) (Order, error) {
	if len(methods) < 2 {
		return Order{}, fmt.Errorf("claims: Ordered needs two methods or more, got %d", len(methods))
	}
	curves := make([][]Level, len(methods))
	for i, name := range methods {
		curves[i] = Curve(pts, name, scope, retrained, m)
	}
	var o Order
	for _, l := range curves[0] {
		if l.Step == 0 || l.Fraction < lo-Tol || l.Fraction > hi+Tol {
			continue
		}
		o.N++
		prev, why := l.Mean, ""
		for i := 1; i < len(methods) && why == ""; i++ {
			li, ok := At(curves[i], l.Fraction)
			switch {
			case !ok:
				why = methods[i] + " not measured"
			case !(li.Mean < prev):
				why = fmt.Sprintf("%s not below %s", methods[i], methods[i-1])
			}
			prev = li.Mean
		}
		if why == "" {
			o.Ordered++
			continue
		}
		o.Broken = append(o.Broken, LevelLabel(l.Fraction)+": "+why)
	}
	return o, nil
}
