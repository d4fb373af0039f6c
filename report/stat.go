package report

import (
	"cmp"
	"math"
	"slices"
)

// Stat describes one quantity over the seeds of a configuration.
type Stat struct {
	Mean     float64
	Std      float64 // sample standard deviation (n−1); 0 for a single value
	Min, Max float64
	N        int
}

// Describe summarises xs. A NaN among them (a diverged run) makes every
// statistic NaN rather than being dropped, so that it cannot go unnoticed.
func Describe(xs []float64) Stat {
	if len(xs) == 0 {
		nan := math.NaN()
		return Stat{Mean: nan, Std: nan, Min: nan, Max: nan}
	}
	s := Stat{Min: math.Inf(1), Max: math.Inf(-1), N: len(xs)}
	sum := 0.0
	for _, x := range xs {
		sum += x
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) > 1 {
		ss := 0.0
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(len(xs)-1))
	}
	if math.IsNaN(s.Mean) {
		s.Std, s.Min, s.Max = s.Mean, s.Mean, s.Mean
	}
	return s
}

// Curve is one line of a figure: a quantity over the steps of a schedule,
// described across seeds.
type Curve struct {
	Label string
	Step  []int     // ascending
	X     []float64 // mean x over the points of the step
	Y     []Stat    // y over the points of the step
}

// Aggregate groups pts by label, then by step, and describes x and y over
// each group. The label must separate every configuration that is not the
// same experiment repeated with another seed, or unrelated runs would be
// averaged together. Curves come sorted by label.
func Aggregate(pts []Point, label func(Point) string, x, y func(Point) float64) []Curve {
	groups := map[string]map[int][]Point{}
	for _, p := range pts {
		l := label(p)
		if groups[l] == nil {
			groups[l] = map[int][]Point{}
		}
		groups[l][p.Step] = append(groups[l][p.Step], p)
	}
	var curves []Curve
	for _, l := range sortedKeys(groups) {
		c := Curve{Label: l}
		for _, step := range sortedKeys(groups[l]) {
			var xs, ys []float64
			for _, p := range groups[l][step] {
				xs, ys = append(xs, x(p)), append(ys, y(p))
			}
			c.Step = append(c.Step, step)
			c.X = append(c.X, Describe(xs).Mean)
			c.Y = append(c.Y, Describe(ys))
		}
		curves = append(curves, c)
	}
	return curves
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
