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

func TestLowestRetrained(t *testing.T) {
	var pts []report.Point
	// Two seeds: dense 2.0% and 2.2%; retrained at 0.4: 1.9%, 2.1%; at 0.6: 2.1%, 2.3%.
	for s, dense := range []float64{0.02, 0.022} {
		seed := uint64(s + 1)
		pts = append(pts,
			report.Point{Method: "obd", Seed: seed, TestError: dense},
			report.Point{Method: "obd", Seed: seed, Step: 1, FractionRemoved: 0.4, TestError: 0.5},
			report.Point{Method: "obd", Seed: seed, Step: 1, FractionRemoved: 0.4, Retrained: true, TestError: dense - 0.001},
			report.Point{Method: "obd", Seed: seed, Step: 2, FractionRemoved: 0.6, Retrained: true, TestError: dense + 0.001},
		)
	}
	f, at, dense, diff, n, ok := LowestRetrained(pts)
	if !ok || f != 0.4 || n != 2 || math.Abs(at.Mean-0.02) > 1e-12 || math.Abs(dense.Mean-0.021) > 1e-12 ||
		math.Abs(diff.Mean+0.001) > 1e-12 || diff.N != 2 {
		t.Errorf("LowestRetrained = %v, %+v, %+v, %+v, %v", f, at, dense, diff, ok)
	}
	if _, _, _, _, _, ok := LowestRetrained(pts[:2]); ok {
		t.Error("nothing retrained: ok")
	}
}
