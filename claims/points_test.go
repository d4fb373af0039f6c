package claims

import (
	"math"
	"slices"
	"testing"

	"obd/report"
)

// pt is a synthetic point: method, scope, seed, step, deleted fraction,
// retrained, training objective, test error and predicted increase.
func pt(method, scope string, seed uint64, step int, f float64, retrained bool, train, test, pred float64) report.Point {
	return report.Point{Method: method, Scope: scope, Seed: seed, Step: step, FractionRemoved: f, Retrained: retrained,
		TrainMSE: train, TestError: test, PredictedDelta: pred}
}

// oneshot is a Fig. 1a-like sweep over two seeds: dense objective 1, then
// levels 10%, 20%, 30%, 80%. OBD is below magnitude at 10% and 30%, equal
// at 20%, above at 80%; random is worst everywhere but 30%, where
// magnitude is worse.
func oneshot() []report.Point {
	var pts []report.Point
	obj := map[string][]float64{
		"obd":       {1, 1.1, 1.5, 2, 9},
		"magnitude": {1, 1.2, 1.5, 5, 8},
		"random":    {1, 3, 4, 4, 10},
	}
	fs := []float64{0, 0.1, 0.2, 0.3, 0.8}
	for _, m := range []string{"obd", "magnitude", "random"} {
		for seed := uint64(1); seed <= 2; seed++ {
			for s, f := range fs {
				// Seed 2 is 0.1 higher everywhere, so means are seed 1's + 0.05.
				e := obj[m][s] + 0.1*float64(seed-1)
				pred := 0.0
				if m == "obd" && s > 0 {
					pred = 0.5 * (e - (1 + 0.1*float64(seed-1))) // half the actual increase
				}
				pts = append(pts, pt(m, "global", seed, s, f+0.0001*float64(seed), false, e, 0.01*e, pred))
			}
		}
	}
	return pts
}

func TestFig1a(t *testing.T) {
	below, worst, n := Fig1a(oneshot(), 0.1, 0.3)
	if below != 2 || worst != 2 || n != 3 {
		t.Errorf("Fig1a 10%%–30%% = below %d, worst %d of %d; want 2, 2 of 3", below, worst, n)
	}
	below, worst, n = Fig1a(oneshot(), 0.1, 0.8)
	if below != 2 || worst != 3 || n != 4 {
		t.Errorf("Fig1a 10%%–80%% = below %d, worst %d of %d; want 2, 3 of 4", below, worst, n)
	}
}

func TestFig1b(t *testing.T) {
	rs := Fig1b(oneshot(), []float64{0.1, 0.3, 0.5})
	if len(rs) != 2 {
		t.Fatalf("%d ratios, want 2 (no points at 50%%)", len(rs))
	}
	for _, r := range rs {
		if math.Abs(r.Mean-0.5) > 1e-12 || r.N != 2 {
			t.Errorf("ratio at %v = %v over %d seeds, want 0.5 over 2", r.Fraction, r.Mean, r.N)
		}
	}
}

func TestUnderestimate(t *testing.T) {
	s := Underestimate(oneshot(), "obd", "global", 0.3)
	if s.N != 2 || math.Abs(s.Mean-2) > 1e-12 {
		t.Errorf("actual/predicted = %v over %d, want 2 over 2", s.Mean, s.N)
	}
}

func TestBelowMagnitude(t *testing.T) {
	for _, tc := range []struct {
		method   string
		below, n int
	}{{"obd", 2, 4}, {"random", 1, 4}, {"magnitude", 0, 4}} {
		if b, n := BelowMagnitude(oneshot(), tc.method); b != tc.below || n != tc.n {
			t.Errorf("%s: below at %d of %d, want %d of %d", tc.method, b, n, tc.below, tc.n)
		}
	}
	if b, n := BelowMagnitude(nil, "obd"); b != 0 || n != 0 {
		t.Errorf("no points: %d of %d", b, n)
	}
}

// retrained is a sweep with retraining, two seeds: dense test error 0.02
// (seed 1) and 0.03 (seed 2); levels 50%, 75%, 90%; per level a point
// before and after retraining.
func retrained() []report.Point {
	var pts []report.Point
	after := map[string][]float64{ // seed 1's retrained test error per level; seed 2's is 0.01 higher
		"obd/global":          {0.02, 0.021, 0.022, 0.05},
		"magnitude/global":    {0.02, 0.019, 0.03, 0.04},
		"magnitude/per-layer": {0.02, 0.025, 0.06, 0.2},
	}
	for _, key := range []string{"obd/global", "magnitude/global", "magnitude/per-layer"} {
		m, s, _ := cut(key)
		for seed := uint64(1); seed <= 2; seed++ {
			d := 0.01 * float64(seed-1)
			for step, f := range []float64{0, 0.5, 0.75, 0.9} {
				e := after[key][step] + d
				if step == 0 {
					pts = append(pts, pt(m, s, seed, 0, 0, false, 1, e, 0))
					continue
				}
				pts = append(pts, pt(m, s, seed, step, f, false, 2, 10*e, 0), pt(m, s, seed, step, f, true, 1.5, e, 0))
			}
		}
	}
	return pts
}

func cut(s string) (a, b string, ok bool) {
	for i := range s {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestFig2(t *testing.T) {
	at, dense, diff := Fig2(Where(retrained(), func(p report.Point) bool { return p.Method == "obd" }), 0.75)
	if at.N != 2 || math.Abs(at.Mean-0.027) > 1e-12 || math.Abs(dense.Mean-0.025) > 1e-12 {
		t.Errorf("at %v, dense %v; want means 0.027, 0.025", at, dense)
	}
	if diff.N != 2 || math.Abs(diff.Mean-0.002) > 1e-12 || diff.Std > 1e-12 {
		t.Errorf("diff %v, want 0.002 ± 0 over 2 seeds", diff)
	}
}

func TestCurveAndComparisons(t *testing.T) {
	pts := retrained()
	obd := Curve(pts, "obd", "global", true, TestError)
	mag := Curve(pts, "magnitude", "global", true, TestError)
	pl := Curve(pts, "magnitude", "per-layer", true, TestError)
	if len(obd) != 4 || obd[0].Step != 0 || math.Abs(obd[2].Mean-0.027) > 1e-12 || math.Abs(obd[2].Fraction-0.75) > 1e-12 {
		t.Fatalf("curve %+v", obd)
	}
	if before := Curve(pts, "obd", "global", false, TestError); math.Abs(before[1].Mean-0.26) > 1e-12 {
		t.Errorf("before retraining at 50%%: %v, want 0.26", before[1].Mean)
	}
	// Dense mean 0.025: obd is within 0.002 to 75%, magnitude to 50% and
	// within 0 at no level past dense for per-layer.
	for _, tc := range []struct {
		name string
		c    []Level
		tol  float64
		want float64
	}{{"obd", obd, 0.002 + 1e-12, 0.75}, {"magnitude", mag, 0.002, 0.5}, {"per-layer", pl, 0, 0}, {"obd loose", obd, 1, 0.9}} {
		if got := LastWithin(tc.c, tc.tol); got != tc.want {
			t.Errorf("%s: LastWithin(%v) = %v, want %v", tc.name, tc.tol, got, tc.want)
		}
	}
	if !math.IsNaN(LastWithin(nil, 1)) {
		t.Error("LastWithin of no curve is not NaN")
	}
	// magnitude below obd at 50% and 90%, not 75%: from 90% on.
	if f, ok := BelowFrom(mag, obd, 1); !ok || f != 0.9 {
		t.Errorf("BelowFrom(magnitude, obd) = %v, %v; want 0.9", f, ok)
	}
	// obd below half of per-layer from 75%.
	if f, ok := BelowFrom(obd, pl, 0.5); !ok || f != 0.75 {
		t.Errorf("BelowFrom(obd, per-layer, 0.5) = %v, %v; want 0.75", f, ok)
	}
	if _, ok := BelowFrom(pl, obd, 1); ok {
		t.Error("per-layer below obd somewhere at the end")
	}
	if got := Below(mag, obd); len(got) != 2 || got[0] != 0.5 || got[1] != 0.9 {
		t.Errorf("Below(magnitude, obd) = %v, want [0.5 0.9]", got)
	}
	// Seed 2 is 0.01 above seed 1, so every std is 0.00707: the means
	// differ by 0.002 at 50%, 0.008 at 75% and 0.01 at 90%.
	if got := WithinNoise(mag, obd); len(got) != 1 || got[0] != 0.5 {
		t.Errorf("WithinNoise(magnitude, obd) = %v, want [0.5]", got)
	}
	if f, ok := AboveFrom(pl, 0.05); !ok || f != 0.75 {
		t.Errorf("AboveFrom(per-layer, 0.05) = %v, %v; want 0.75", f, ok)
	}
	if _, ok := AboveFrom(obd, 0.06); ok {
		t.Error("obd above 0.06 somewhere")
	}
	if got := SpreadAbove(pl, obd, 0.5); len(got) != 3 {
		t.Errorf("SpreadAbove with equal spreads = %v, want every level", got)
	}
	if got := SpreadAbove(pl, obd, 1.5); len(got) != 0 {
		t.Errorf("SpreadAbove(1.5) = %v, want none", got)
	}
}

// TestClearly checks that the noise-aware comparisons drop the levels
// where two curves' means are closer than the larger standard deviation,
// which Below and BelowFrom count.
func TestClearly(t *testing.T) {
	lv := func(f, mean, std float64) Level {
		return Level{Step: 1, Fraction: f, Stat: report.Stat{N: 3, Mean: mean, Std: std}}
	}
	dense := Level{Stat: report.Stat{N: 3, Mean: 0.01}}
	// a is below b everywhere, by 0.005 (noise: std 0.01) at 50%, 0.03 at
	// 75% and 0.1 at 90%.
	a := []Level{dense, lv(0.5, 0.10, 0.01), lv(0.75, 0.10, 0.01), lv(0.9, 0.10, 0.01)}
	b := []Level{dense, lv(0.5, 0.105, 0.002), lv(0.75, 0.13, 0.01), lv(0.9, 0.2, 0.01)}
	if f, ok := BelowFrom(a, b, 1); !ok || f != 0.5 {
		t.Fatalf("fixture: BelowFrom = %v, %v; want 0.5", f, ok)
	}
	if f, ok := ClearlyBelowFrom(a, b, 1); !ok || f != 0.75 {
		t.Errorf("ClearlyBelowFrom(a, b, 1) = %v, %v; want 0.75", f, ok)
	}
	if got := ClearlyBelow(a, b); len(got) != 2 || got[0] != 0.75 || got[1] != 0.9 {
		t.Errorf("ClearlyBelow(a, b) = %v, want [0.75 0.9]", got)
	}
	if got := ClearlyBelow(b, a); len(got) != 0 {
		t.Errorf("ClearlyBelow(b, a) = %v, want none", got)
	}
	// Half of c is 0.105, 0.15 and 0.25 (std 0.001, 0.005 and 0.005): a is
	// below it from 50% on, clearly only from 75%.
	c := []Level{dense, lv(0.5, 0.21, 0.002), lv(0.75, 0.3, 0.01), lv(0.9, 0.5, 0.01)}
	if f, ok := BelowFrom(a, c, 0.5); !ok || f != 0.5 {
		t.Fatalf("fixture: BelowFrom(a, c, 0.5) = %v, %v; want 0.5", f, ok)
	}
	if f, ok := ClearlyBelowFrom(a, c, 0.5); !ok || f != 0.75 {
		t.Errorf("ClearlyBelowFrom(a, c, 0.5) = %v, %v; want 0.75", f, ok)
	}
	if _, ok := ClearlyBelowFrom(a, b, 0.5); ok {
		t.Error("a clearly below half of b somewhere at the end")
	}
	// a's spread at the last level hides the gap there: no level from which
	// a stays clearly below.
	noisy := []Level{dense, lv(0.5, 0.10, 0.01), lv(0.75, 0.10, 0.01), lv(0.9, 0.10, 0.2)}
	if f, ok := ClearlyBelowFrom(noisy, b, 1); ok {
		t.Errorf("ClearlyBelowFrom with a noisy last level = %v, want none", f)
	}
	if _, ok := ClearlyBelowFrom(a, b[:3], 1); ok {
		t.Error("ClearlyBelowFrom with a level missing from b is ok")
	}
}

func TestRetrainedAt(t *testing.T) {
	s := RetrainedAt(retrained(), "magnitude", "per-layer", 0.9)
	if s.N != 2 || math.Abs(s.Mean-0.205) > 1e-12 {
		t.Errorf("magnitude per-layer at 90%%: %+v, want 0.205 over 2", s)
	}
	best, st, ok := BestRetrainedAt(retrained(), 0.9)
	if !ok || best != (Pair{"magnitude", "global"}) || math.Abs(st.Mean-0.045) > 1e-12 {
		t.Errorf("best at 90%%: %v %v %v, want magnitude global 0.045", best, st.Mean, ok)
	}
	if _, _, ok := BestRetrainedAt(retrained(), 0.6); ok {
		t.Error("a best pair at a level nobody was deleted to")
	}
	if ps := Pairs(retrained()); len(ps) != 3 || ps[2] != (Pair{"magnitude", "per-layer"}) {
		t.Errorf("pairs %v", ps)
	}
}

func TestTables(t *testing.T) {
	h, rows := OneshotRows(oneshot(), []string{"obd", "random"})
	if len(h) != 3 || len(rows) != 5 || rows[1][0] != "10%" || rows[1][2] != "4.84 ± 0.10 dB, 3.0%" {
		t.Errorf("oneshot table %v %v", h, rows)
	}
	h, rows = RetrainedRows(retrained())
	if len(h) != 4 || h[3] != "magnitude, per-layer" || len(rows) != 4 || rows[3][3] != "20.50 ± 0.71%" {
		t.Errorf("retrained table %v %v", h, rows)
	}
	// Without retraining: oneshot()'s random at 80% has test errors 0.10
	// and 0.101 over its two seeds.
	h, rows = OneshotErrorRows(oneshot())
	if len(h) != 4 || h[3] != "random, global" || len(rows) != 5 || rows[4][0] != "80%" || rows[4][3] != "10.05 ± 0.07%" {
		t.Errorf("oneshot error table %v %v", h, rows)
	}
}

func TestCommonAndAgreeing(t *testing.T) {
	got := Common([]float64{0.5, 0.75, 0.9}, []float64{0.9, 0.501}, []float64{0.499, 0.75, 0.9})
	if len(got) != 2 || got[0] != 0.5 || got[1] != 0.9 {
		t.Errorf("Common = %v, want [0.5 0.9]", got)
	}
	if got := Except([]float64{0.5, 0.75, 0.9}, []float64{0.901, 0.2}); len(got) != 2 || got[0] != 0.5 || got[1] != 0.75 {
		t.Errorf("Except = %v, want [0.5 0.75]", got)
	}
	if got := Common(); got != nil {
		t.Errorf("Common() = %v", got)
	}
	rs := []Ratio{{0.1, report.Stat{Mean: 1.8}}, {0.2, report.Stat{Mean: 0.81}}, {0.3, report.Stat{Mean: 1.1}}, {0.5, report.Stat{Mean: 0.77}}}
	if got := Agreeing(rs, 0.2); len(got) != 2 || got[0] != 0.2 || got[1] != 0.3 {
		t.Errorf("Agreeing = %v, want [0.2 0.3]", got)
	}
}

// LevelLabel rounds a realised fraction to its grid level only when it is
// within 0.05 points of a whole percent.
func TestLevelLabel(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0%", 0.5: "50%", 0.20016: "20%", 0.69984: "70%", 0.9178: "91.8%", 0.9164: "91.6%", 0.92: "92%", 0.925: "92.5%",
	} {
		if got := LevelLabel(f); got != want {
			t.Errorf("LevelLabel(%v) = %q, want %q", f, got, want)
		}
	}
}

// OneshotRows orders methods as the rules do, on the mean objective: a's
// seeds at 1 and 100 (mean 50.5, 17.03 dB) are above b's at 20 and 20
// (13.01 dB), though the mean of a's dBs (10) is below b's (13.01).
func TestOneshotRowsOrderAsMeanObjective(t *testing.T) {
	var pts []report.Point
	for seed, mse := range map[uint64][2]float64{1: {1, 20}, 2: {100, 20}} {
		for i, m := range []string{"a", "b"} {
			pts = append(pts,
				report.Point{Method: m, Seed: seed, TrainMSE: 0.5},
				report.Point{Method: m, Seed: seed, Step: 1, FractionRemoved: 0.5, TrainMSE: mse[i]})
		}
	}
	slices.SortStableFunc(pts, func(p, q report.Point) int { return int(p.Seed) - int(q.Seed) })
	_, rows := OneshotRows(pts, []string{"a", "b"})
	if len(rows) != 2 || rows[1][1] != "17.03 ± 14.14 dB, 0.0%" || rows[1][2] != "13.01 ± 0.00 dB, 0.0%" {
		t.Errorf("oneshot rows %v, want a at 17.03 ± 14.14 dB and b at 13.01 ± 0.00 dB", rows)
	}
}
