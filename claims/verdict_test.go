package claims

import (
	"math"
	"testing"

	"obd/report"
)

func TestJudge(t *testing.T) {
	if Judge(false, true) != NotRun || Judge(true, true) != Held || Judge(true, false) != NotHeld {
		t.Error("Judge")
	}
}

func TestAgreeTo(t *testing.T) {
	r := func(f, m float64) Ratio { return Ratio{Fraction: f, Stat: report.Stat{Mean: m, N: 3}} }
	for _, c := range []struct {
		name     string
		rs       []Ratio
		ok, have bool
	}{
		{"all within", []Ratio{r(0.1, 1.1), r(0.2, 0.9), r(0.3, 1.19), r(0.5, 3)}, true, true},
		{"one beyond", []Ratio{r(0.1, 1.1), r(0.2, 1.3), r(0.3, 1)}, false, true},
		{"only beyond hi", []Ratio{r(0.5, 1)}, false, false},
		{"none", nil, false, false},
	} {
		ok, have := AgreeTo(c.rs, 0.3, 0.2)
		if ok != c.ok || have != c.have {
			t.Errorf("%s: AgreeTo = %v, %v; want %v, %v", c.name, ok, have, c.ok, c.have)
		}
	}
}

// ChooseRetrained chooses the level on validation error, even where the
// test error would choose another, and compares that level's test error
// with the same method's dense nets seed by seed.
func TestChooseRetrained(t *testing.T) {
	var pts []report.Point
	// Two seeds: dense 2.0% and 2.2%. Retrained at 0.4: test 1.9%, 2.1%
	// (the lowest), validation 3%; at 0.6: test 2.1%, 2.3%, validation 2%
	// (the lowest). Magnitude, lower everywhere, is another method.
	for s, dense := range []float64{0.02, 0.022} {
		seed := uint64(s + 1)
		pts = append(pts,
			report.Point{Method: "obd", Seed: seed, TestError: dense, ValidError: 0.025},
			report.Point{Method: "obd", Seed: seed, Step: 1, FractionRemoved: 0.4, TestError: 0.5, ValidError: 0.5},
			report.Point{Method: "obd", Seed: seed, Step: 1, FractionRemoved: 0.4, Retrained: true, TestError: dense - 0.001, ValidError: 0.03},
			report.Point{Method: "obd", Seed: seed, Step: 2, FractionRemoved: 0.6, Retrained: true, TestError: dense + 0.001, ValidError: 0.02},
			report.Point{Method: "magnitude", Seed: seed, TestError: dense - 0.005, ValidError: 0.001},
			report.Point{Method: "magnitude", Seed: seed, Step: 1, FractionRemoved: 0.4, Retrained: true, TestError: 0.001, ValidError: 0.001},
		)
	}
	c, ok := ChooseRetrained(pts, "obd")
	if !ok || c.Fraction != 0.6 || c.N != 2 || math.Abs(c.Valid.Mean-0.02) > 1e-12 || math.Abs(c.At.Mean-0.022) > 1e-12 ||
		math.Abs(c.Dense.Mean-0.021) > 1e-12 || math.Abs(c.Diff.Mean-0.001) > 1e-12 || c.Diff.N != 2 {
		t.Errorf("ChooseRetrained = %+v, %v; want 60%% (validation 2%%), test 2.2%% against 2.1%% dense", c, ok)
	}
	if _, ok := ChooseRetrained(pts[:2], "obd"); ok {
		t.Error("nothing retrained: ok")
	}
	for i := range pts {
		pts[i].ValidError = math.NaN()
	}
	if _, ok := ChooseRetrained(pts, "obd"); ok {
		t.Error("no validation errors: ok")
	}
}
