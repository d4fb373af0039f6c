package claims

import (
	"math"
	"testing"

	"obd/report"
)

// chainSweep is an iterative sweep over two seeds in two scopes: dense,
// then 50% and 90% deleted, each before and after retraining with a cap of
// 4 epochs.
func chainSweep() []report.Point {
	var pts []report.Point
	add := func(scope string, seed uint64, step int, f float64, re bool, train, test float64, epochs int) {
		p := pt("magnitude", scope, seed, step, f, re, train, test, 0)
		p.RetrainEpochs, p.ValidError = epochs, test+0.001
		pts = append(pts, p)
	}
	for seed := uint64(1); seed <= 2; seed++ {
		s := float64(seed - 1)
		for _, scope := range []string{"budget", "global"} {
			add(scope, seed, 0, 0, false, 0.01, 0.010+0.001*s, 0)
			add(scope, seed, 1, 0.5, false, 0.02, 0.015, 0)
			add(scope, seed, 1, 0.5, true, 0.01, 0.011, 2)
			add(scope, seed, 2, 0.9+0.002*s, false, 0.5, 0.30+0.02*s, 0)
			add(scope, seed, 2, 0.9+0.002*s, true, 0.1, 0.012+0.002*s, 4)
		}
	}
	return pts
}

func TestEndOfChain(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	e := EndOfChain(chainSweep(), "magnitude", "budget", 4)
	if !near(e.Fraction, 0.901) {
		t.Errorf("fraction %v, want 0.901 (the mean of 0.900 and 0.902)", e.Fraction)
	}
	if e.Before.N != 2 || !near(e.Before.Mean, 0.31) {
		t.Errorf("before retraining %+v, want 2 seeds, mean 0.31", e.Before)
	}
	if e.After.N != 2 || !near(e.After.Mean, 0.013) {
		t.Errorf("after retraining %+v, want 2 seeds, mean 0.013", e.After)
	}
	if !near(e.TrainDBGap.Mean, 10) || e.TrainDBGap.N != 2 {
		t.Errorf("objective gap %+v dB, want 10 (0.1 against 0.01) in both seeds", e.TrainDBGap)
	}
	if e.ValidAfter.N != 2 || !near(e.ValidAfter.Mean, 0.014) {
		t.Errorf("validation error after %+v, want 2 seeds, mean 0.014", e.ValidAfter)
	}
	if e.LastEpochs.N != 2 || !near(e.LastEpochs.Mean, 4) {
		t.Errorf("last step's epochs %+v, want 4 in both seeds", e.LastEpochs)
	}
	if e.Steps != 4 || e.AtCap != 2 {
		t.Errorf("%d of %d steps at the cap, want 2 of 4 (one scope only)", e.AtCap, e.Steps)
	}
	if all := EndOfChain(chainSweep(), "magnitude", "", 4); all.Steps != 8 || all.AtCap != 4 || all.After.N != 4 {
		t.Errorf("every scope: %d of %d steps at the cap, %d chains; want 4 of 8, 4 chains (two scopes of two seeds)", all.AtCap, all.Steps, all.After.N)
	}
	if e := EndOfChain(chainSweep(), "magnitude", "budget", 5); e.AtCap != 0 {
		t.Errorf("cap 5: %d steps at the cap, want none", e.AtCap)
	}
	// Epochs not recorded (a file older than the column) are not counted.
	pts := chainSweep()
	for i := range pts {
		pts[i].RetrainEpochs, pts[i].ValidError = report.NotRecorded, math.NaN()
	}
	if e := EndOfChain(pts, "magnitude", "budget", 4); e.Steps != 0 || e.AtCap != 0 || e.After.N != 2 || e.LastEpochs.N != 0 || e.ValidAfter.N != 0 {
		t.Errorf("epochs and validation not recorded: %d of %d at the cap, %d seeds after, %d epochs, %d validation errors; want 0 of 0, 2, 0, 0",
			e.AtCap, e.Steps, e.After.N, e.LastEpochs.N, e.ValidAfter.N)
	}
	if e := EndOfChain(chainSweep(), "obd", "budget", 4); e.After.N != 0 || e.Steps != 0 {
		t.Errorf("a method the sweep lacks: %+v, want the zero ChainEnd", e)
	}
}

// ChainEndDiff pairs the chains' last retrained points by seed: seed 1's
// end moves by −0.02 and seed 2's by +0.01; seed 3, in a only, and the
// other method and scope do not count.
func TestChainEndDiff(t *testing.T) {
	pt := func(method, scope string, seed uint64, step int, retrained bool, e float64) report.Point {
		return report.Point{Method: method, Scope: scope, Seed: seed, Step: step, Retrained: retrained, TestError: e}
	}
	a := []report.Point{
		pt("magnitude", "budget", 1, 0, false, 0.01), pt("magnitude", "budget", 1, 1, true, 0.05), pt("magnitude", "budget", 1, 2, true, 0.04),
		pt("magnitude", "budget", 2, 2, false, 0.30), pt("magnitude", "budget", 2, 2, true, 0.03),
		pt("magnitude", "budget", 3, 2, true, 0.09),
		pt("obd", "budget", 1, 2, true, 0.5),
	}
	b := []report.Point{
		pt("magnitude", "budget", 1, 1, true, 0.01), pt("magnitude", "budget", 1, 2, true, 0.02),
		pt("magnitude", "budget", 2, 2, true, 0.04),
		pt("magnitude", "global", 3, 2, true, 0.01),
	}
	d, lower := ChainEndDiff(a, b, "magnitude", "budget")
	if d.N != 2 || lower != 1 || math.Abs(d.Mean+0.005) > 1e-12 || math.Abs(d.Min+0.02) > 1e-12 || math.Abs(d.Max-0.01) > 1e-12 {
		t.Errorf("ChainEndDiff = %+v, %d lower; want 2 seeds, −0.02 and +0.01, 1 lower", d, lower)
	}
}
